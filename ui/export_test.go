package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
	"exhibit/bundle"
)

// signalExporter passes exports to the real library and closes started at
// the first progress report past zero.
type signalExporter struct {
	*app.Library
	once    sync.Once
	started chan struct{}
}

func (e *signalExporter) Export(ctx context.Context, req app.ExportRequest, progress func(float64)) (*app.ExportResult, error) {
	return e.Library.Export(ctx, req, func(f float64) {
		if f > 0 {
			e.once.Do(func() { close(e.started) })
		}
		progress(f)
	})
}

// TestExportDialog drives Export… headless: the form refuses a bad case
// reference, an existing folder and a missing one; Cancel while running
// leaves no folder; a finished export is a bundle bundle.Verify accepts.
func TestExportDialog(t *testing.T) {
	lib, _, ids := markStore(t, agedClip{"a", time.Hour})
	id := ids["a"]
	test.NewTempApp(t)
	q := newUIQueue()
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1200, 800))
	t.Cleanup(w.Close)
	parent := t.TempDir()
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait)
	var msg string
	var failed bool
	newFlow := func(ex exportAPI) *exportFlow {
		return &exportFlow{win: w, lib: ex, specs: []string{id}, what: "Export recording " + id + ".", do: q.do,
			run:  func(fn func()) { wg.Add(1); go func() { defer wg.Done(); fn() }() },
			done: func(m string, f bool) { msg, failed = m, f }}
	}

	// Validation: each wrong field gets a sentence and nothing runs.
	f := newFlow(lib)
	f.show()
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("Export… showed no dialog")
	}
	for _, c := range []struct{ ref, out, want string }{
		{"", filepath.Join(parent, "B"), "Enter the case reference"},
		{"has spaces", filepath.Join(parent, "B"), "letters, digits"},
		{"OP/1", "", "Choose the folder"},
		{"OP/1", "relative/B", "full path"},
		{"OP/1", parent, "already exists"},
		{"OP/1", filepath.Join(parent, "no", "B"), "does not exist"},
	} {
		f.caseRef.SetText(c.ref)
		f.folder.SetText(c.out)
		test.Tap(overlayButton(t, w, "Export"))
		if !f.problem.Visible() || !strings.Contains(f.problem.Text, c.want) {
			t.Errorf("case ref %q, folder %q: said %q, want %q", c.ref, c.out, f.problem.Text, c.want)
		}
	}
	if f.progress != nil {
		t.Fatal("an invalid form started an export")
	}
	test.Tap(overlayButton(t, w, "Cancel"))
	if w.Canvas().Overlays().Top() != nil {
		t.Fatal("Cancel left the dialog up")
	}

	// Cancel while it runs: no folder, no zip, no temp folder.
	ex := &signalExporter{Library: lib, started: make(chan struct{})}
	f = newFlow(ex)
	f.show()
	f.caseRef.SetText("OP/2026/1")
	f.folder.SetText(filepath.Join(parent, "cancelled"))
	f.masters.SetChecked(true)
	f.zip.SetChecked(true)
	test.Tap(overlayButton(t, w, "Export"))
	select {
	case <-ex.started:
	case <-time.After(time.Minute):
		t.Fatal("the export reported no progress")
	}
	test.Tap(overlayButton(t, w, "Cancel")) // the progress dialog's
	q.until(t, "the cancelled export", func() bool { return strings.Contains(msg, "cancelled") })
	if failed {
		t.Error("a cancel is reported as a failure")
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 0 {
		t.Fatalf("a cancelled export left %v", ents)
	}

	// A finished export: the bundle verifies, the dialog offers its path.
	f = newFlow(lib)
	f.show()
	f.caseRef.SetText("OP/2026/2")
	out := filepath.Join(parent, "OP-2026-2")
	f.folder.SetText(out)
	f.lossless.SetChecked(true)
	test.Tap(overlayButton(t, w, "Export"))
	q.until(t, "the export done", func() bool { return strings.Contains(msg, "written to") })
	if failed || !strings.Contains(msg, out) {
		t.Fatalf("export said %q", msg)
	}
	if probs := bundle.Verify(context.Background(), out, bundle.VerifyOptions{}); len(probs) > 0 {
		t.Fatalf("the GUI's bundle fails verification: %v", probs)
	}
	if m, _ := filepath.Glob(filepath.Join(out, "clips", "*.mp4")); len(m) != 2 {
		t.Errorf("bundle holds %d clips, want the court and the lossless", len(m))
	}
	test.Tap(overlayButton(t, w, "Copy path"))
	if got := fyne.CurrentApp().Clipboard().Content(); got != out {
		t.Errorf("clipboard holds %q", got)
	}
	test.Tap(overlayButton(t, w, "Close"))

	// A viewer is not offered Export… in the library; a sergeant is.
	lv, _, _ := newTestView(t, lib)
	if lv.exportBtn == nil {
		t.Error("a sergeant is not offered Export…")
	}
	signIn(t, lib, "viewer")
	lvv, _, _ := newTestView(t, lib)
	if lvv.exportBtn != nil {
		t.Error("a viewer is offered Export…")
	}
	vf := newFlow(lib)
	vf.show()
	if vf.form != nil {
		t.Error("Export… opened for a viewer")
	}
}

// TestReviewExportMark exports the selected marker's I–O range from the
// review screen; the bundle holds exactly that range and verifies.
func TestReviewExportMark(t *testing.T) {
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
	if !p.exportBtn.Visible() {
		t.Fatal("a sergeant is not offered Export… for a marker")
	}
	test.Tap(p.exportBtn)
	if !s.modal {
		t.Fatal("Export… showed no dialog")
	}
	out := filepath.Join(t.TempDir(), "R1")
	entries := visibleEntries(h.w)
	if len(entries) < 2 {
		t.Fatalf("the dialog has %d entries", len(entries))
	}
	entries[0].SetText("OP/R/1")
	entries[1].SetText(out)
	test.Tap(overlayButton(t, h.w, "Export"))
	h.q.until(t, "the export done", func() bool { return strings.Contains(p.msg.Text, "written to") })
	if probs := bundle.Verify(context.Background(), out, bundle.VerifyOptions{}); len(probs) > 0 {
		t.Fatalf("bundle fails: %v", probs)
	}
	if m, _ := filepath.Glob(filepath.Join(out, "clips", id+"_20-30_court.mp4")); len(m) != 1 {
		t.Errorf("bundle lacks the court clip of frames 20-30")
	}
	test.Tap(overlayButton(t, h.w, "Close"))
	if s.modal {
		t.Error("the review's keys are still off after the export")
	}
}

// visibleEntries lists the entries of the top dialog, in order.
func visibleEntries(w fyne.Window) []*widget.Entry {
	var out []*widget.Entry
	for _, o := range visibleObjects(w.Canvas().Overlays().Top()) {
		if e, ok := o.(*widget.Entry); ok {
			out = append(out, e)
		}
	}
	return out
}
