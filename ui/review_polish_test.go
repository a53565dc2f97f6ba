package ui

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// absRect is o's rectangle in window coordinates.
func absRect(o fyne.CanvasObject) (fyne.Position, fyne.Size) {
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(o), o.Size()
}

func rectsOverlap(ap fyne.Position, as fyne.Size, bp fyne.Position, bs fyne.Size) bool {
	return ap.X < bp.X+bs.Width && bp.X < ap.X+as.Width && ap.Y < bp.Y+bs.Height && bp.Y < ap.Y+as.Height
}

// The bottom bar's controls and readout never overlap, from 1000 px wide,
// and stay on one row when there is room.
func TestReviewBottomBarNoOverlap(t *testing.T) {
	h := newFakeReview(t, newFakeEngine(120), nil)
	s := h.s
	type named struct {
		name string
		o    fyne.CanvasObject
	}
	var objs []named
	for i, o := range s.transportRow.Objects {
		if _, sep := o.(*widget.Separator); sep || !o.Visible() {
			continue
		}
		objs = append(objs, named{fmt.Sprintf("transport %d (%T)", i, o), o})
	}
	for i, o := range s.readoutBoxes {
		objs = append(objs, named{fmt.Sprintf("readout %d", i), o})
	}
	if s.loopLbl != nil {
		objs = append(objs, named{"loop label", s.loopLbl})
	}
	for _, w := range []float32{1000, 1200, 1440} {
		h.w.Resize(fyne.NewSize(w, 800))
		h.q.run(0)
		for i, a := range objs {
			ap, as := absRect(a.o)
			if !a.o.Visible() {
				continue
			}
			if as.Width <= 0 || as.Height <= 0 {
				t.Errorf("width %v: %s has size %v", w, a.name, as)
			}
			if ap.X < 0 || ap.X+as.Width > w+0.5 {
				t.Errorf("width %v: %s at x %v..%v, outside the window", w, a.name, ap.X, ap.X+as.Width)
			}
			for _, b := range objs[i+1:] {
				if !b.o.Visible() {
					continue
				}
				bp, bs := absRect(b.o)
				if rectsOverlap(ap, as, bp, bs) {
					t.Errorf("width %v: %s (%v %v) overlaps %s (%v %v)", w, a.name, ap, as, b.name, bp, bs)
				}
			}
		}
		// Everything stays above the window's bottom edge.
		for _, a := range objs {
			ap, as := absRect(a.o)
			if ap.Y+as.Height > 800+0.5 {
				t.Errorf("width %v: %s ends at y %v, below the window", w, a.name, ap.Y+as.Height)
			}
		}
		tp, _ := absRect(s.playBtn)
		rp, _ := absRect(s.readoutBoxes[0])
		if w == 1440 && tp.Y != rp.Y && rp.Y > tp.Y+s.playBtn.Size().Height {
			t.Errorf("width %v: the readout went to a second row although there is room", w)
		}
	}
}

// Escape closes the Go to dialog and gives the keys back to the video.
func TestReviewGoToEscape(t *testing.T) {
	h := newFakeReview(t, newFakeEngine(120), nil)
	s := h.s
	s.goToDialog()
	if !s.modal || h.w.Canvas().Overlays().Top() == nil {
		t.Fatal("no dialog")
	}
	if _, ok := h.w.Canvas().Focused().(interface{ SetText(string) }); !ok {
		t.Fatalf("focus on %T, want the entry", h.w.Canvas().Focused())
	}
	h.key(fyne.KeyEscape) // to the focused entry, as the driver does
	if s.modal || h.w.Canvas().Overlays().Top() != nil {
		t.Fatalf("Escape did not close the dialog (modal %v)", s.modal)
	}
	if h.backs != 0 || s.closed {
		t.Fatal("Escape in the dialog also left the review")
	}
	if got := h.w.Canvas().Focused(); got != s.video {
		t.Fatalf("focus on %T after Escape, want the video", got)
	}
	h.key(fyne.KeyRight)
	h.settle(t, 1)

	// With the focus elsewhere in the dialog (nothing focused), the
	// canvas gets Escape.
	s.goToDialog()
	h.w.Canvas().Unfocus()
	h.key(fyne.KeyEscape)
	if s.modal || h.w.Canvas().Overlays().Top() != nil || h.backs != 0 {
		t.Fatalf("Escape on the canvas: modal %v backs %d", s.modal, h.backs)
	}
	h.key(fyne.KeyRight)
	h.settle(t, 2)
}
