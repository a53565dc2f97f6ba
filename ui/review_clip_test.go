package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

func overlayRadio(t *testing.T, w fyne.Window) *widget.RadioGroup {
	t.Helper()
	for _, o := range visibleObjects(w.Canvas().Overlays().Top()) {
		if r, ok := o.(*widget.RadioGroup); ok {
			return r
		}
	}
	t.Fatal("no choice of clip kind on the dialog")
	return nil
}

// TestReviewClipMarkedRange clips an I–O range from the review screen:
// the dialog, the progress bar, the result in the side panel, Cancel; and
// the library's detail pane lists the clip.
func TestReviewClipMarkedRange(t *testing.T) {
	lib, _, ids := markStore(t, agedClip{"a", time.Hour})
	id := ids["a"]
	h := newMarkReview(t, lib, id, markClipFrames)
	s, p := h.s, h.s.side
	h.goFrame(t, 20)
	h.typeKeys("i")
	h.goFrame(t, 30)
	h.typeKeys("o")
	p.note.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) // the range, without a note
	h.markCount(t, 1)
	h.q.until(t, "the range selected", func() bool { return p.selected == p.marks[0] })
	if !p.clipBtn.Visible() {
		t.Fatal("a sergeant is not offered Clip…")
	}

	test.Tap(p.clipBtn)
	if !s.modal {
		t.Fatal("Clip… showed no dialog")
	}
	overlayRadio(t, h.w).SetSelected(clipLosslessChoice)
	test.Tap(overlayButton(t, h.w, "Make clip"))
	overlayButton(t, h.w, "Cancel") // the progress dialog
	h.q.until(t, "the clip made", func() bool { return strings.Contains(p.msg.Text, "Clip "+id+"-C1 made") })
	if s.modal || h.w.Canvas().Overlays().Top() != nil {
		t.Error("the progress dialog is still up")
	}
	clips, err := lib.Clips(context.Background(), id)
	if err != nil || len(clips) != 1 || clips[0].Kind != app.KindClipLossless || clips[0].From != 20 || clips[0].To != 30 {
		t.Fatalf("clips %+v %v", clips, err)
	}

	// Cancel (Escape) while it runs: nothing is kept.
	test.Tap(p.clipBtn)
	test.Tap(overlayButton(t, h.w, "Make clip"))
	s.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	h.q.until(t, "the clip cancelled", func() bool { return strings.Contains(p.msg.Text, "cancelled") })
	if clips, _ := lib.Clips(context.Background(), id); len(clips) != 1 {
		t.Errorf("a cancelled clip was kept: %d clips", len(clips))
	}

	// A viewer is not offered Clip….
	signIn(t, lib, "viewer")
	hv := newMarkReview(t, lib, id, markClipFrames)
	if hv.s.side.clipBtn.Visible() {
		t.Error("a viewer is offered Clip…")
	}

	// The library's detail pane lists the clip.
	signIn(t, lib, "sgt")
	lv, q, _ := newTestView(t, lib)
	lv.selectRow(lv.rowOf(id))
	q.until(t, "the clips in the detail pane", func() bool { return lv.detail.clipsHead.Visible() })
	if lv.detail.clipsHead.Text != "Clips (1)" || len(lv.detail.clipsBox.Objects) != 1 {
		t.Errorf("detail clips %q, %d rows", lv.detail.clipsHead.Text, len(lv.detail.clipsBox.Objects))
	}
	row := lv.detail.clipsBox.Objects[0].(*fyne.Container).Objects
	if !strings.Contains(row[0].(*widget.Label).Text, id+"-C1 · lossless · frames 20–30") ||
		row[1].(*widget.Label).Text != clips[0].SHA256 {
		t.Errorf("detail clip row %q %q", row[0].(*widget.Label).Text, row[1].(*widget.Label).Text)
	}
}
