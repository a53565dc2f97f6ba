package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
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
	widths := []float32{1000, 1200, 1366, 1440}
	videoSize := map[float32]fyne.Size{}
	for i, w := range append(widths, widths...) {
		if i == len(widths) {
			// Again with a loop, whose label widens the readout.
			s.seekFrame(10)
			h.settle(t, 10)
			h.rune('a')
			s.seekFrame(40)
			h.settle(t, 40)
			h.rune('b')
			h.rune('k')
			h.q.until(t, "the loop", func() bool { return s.loopLbl.Visible() && !s.nav.busy() })
		}
		h.w.Resize(fyne.NewSize(w, 800))
		h.q.run(0)
		// The loop's label does not wrap the readout: the video keeps its size.
		if i < len(widths) {
			videoSize[w] = s.video.Size()
		} else if got := s.video.Size(); got != videoSize[w] {
			t.Errorf("width %v: the video is %v with the loop shown, %v without", w, got, videoSize[w])
		}
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
		t.Logf("width %v: transport %v, readout %v, readout at %v", w, s.transportRow.MinSize(), s.readoutRow.MinSize(), rp)
		if w == 1440 && i < len(widths) && tp.Y != rp.Y && rp.Y > tp.Y+s.playBtn.Size().Height {
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

func (e *fakeEngine) SetLoop(a, b int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if a < 0 || b >= e.n || a >= b {
		return fmt.Errorf("loop %d..%d outside 0..%d", a, b, e.n-1)
	}
	e.calls = append(e.calls, fmt.Sprintf("loop %d-%d", a, b))
	e.loopA, e.loopB = a, b
	return nil
}

func (e *fakeEngine) ClearLoop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, "clearloop")
	e.loopA, e.loopB = 0, -1
}

func (e *fakeEngine) loop() (a, b int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.loopA, e.loopB
}

// loopBand returns the timeline's loop band, if drawn.
func loopBand(tl *Timeline) *canvas.Rectangle {
	for _, o := range test.WidgetRenderer(tl.marks).Objects() {
		if r, ok := o.(*canvas.Rectangle); ok && r.Visible() && r.FillColor == loopColor {
			return r
		}
	}
	return nil
}

// A and B set an A–B loop on the engine and start it, the timeline shows
// it as a band and the readout says it; Ctrl+L or the button clears it.
func TestReviewABLoop(t *testing.T) {
	h := newFakeReview(t, newFakeEngine(120), nil)
	s := h.s
	if s.loopLbl.Visible() || loopBand(s.timeline) != nil {
		t.Fatal("a loop is shown before any was set")
	}
	// B before A says what to do and sets nothing.
	h.rune('b')
	if a, b := h.eng.loop(); b >= 0 || !strings.Contains(s.loopLbl.Text, "A") {
		t.Fatalf("B alone: engine loop %d-%d, label %q", a, b, s.loopLbl.Text)
	}
	s.seekFrame(10)
	h.settle(t, 10)
	h.rune('a')
	if a, b := s.timeline.Loop(); a != 10 || b != -1 {
		t.Errorf("after A: timeline loop %d-%d", a, b)
	}
	if !s.loopLbl.Visible() || !strings.Contains(s.loopLbl.Text, "10") {
		t.Errorf("after A: label %q", s.loopLbl.Text)
	}
	s.seekFrame(40)
	h.settle(t, 40)
	h.rune('b')
	h.q.until(t, "the loop to play", func() bool {
		a, b := h.eng.loop()
		_, playing, _, _ := h.eng.state()
		return a == 10 && b == 40 && playing
	})
	_, _, _, calls := h.eng.state()
	if i, j := slices.Index(calls, "loop 10-40"), slices.Index(calls, "play"); i < 0 || j < i {
		t.Errorf("engine calls %v: want the loop set, then play", calls)
	}
	if got := s.loopLbl.Text; got != "Loop A–B: frames 10–40" {
		t.Errorf("label %q", got)
	}
	if a, b := s.timeline.Loop(); a != 10 || b != 40 {
		t.Errorf("timeline loop %d-%d", a, b)
	}
	band := loopBand(s.timeline)
	if band == nil {
		t.Fatal("no loop band on the timeline")
	}
	x0, x1 := s.timeline.MarkX(10), s.timeline.MarkX(41)
	if p, sz := band.Position(), band.Size(); abs32(p.X-x0) > 1 || abs32(p.X+sz.Width-x1) > 1 || sz.Height <= 0 || sz.Height > 6 {
		t.Errorf("band at %v %v, want x %v..%v, thin", p, sz, x0, x1)
	}
	if ranges := s.timeline.Marks(); len(ranges) != 0 {
		t.Errorf("the loop was drawn as a mark: %v", ranges)
	}
	h.rune('k')

	// Ctrl+L clears it.
	sc, ok := h.w.Canvas().(interface{ TypedShortcut(fyne.Shortcut) })
	if !ok {
		t.Fatal("the test canvas takes no shortcuts")
	}
	sc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierControl})
	h.q.until(t, "the loop to clear", func() bool { _, b := h.eng.loop(); return b < 0 })
	if s.loopLbl.Visible() || loopBand(s.timeline) != nil {
		t.Error("the loop is still shown after Ctrl+L")
	}
	if a, b := s.timeline.Loop(); a != -1 || b != -1 {
		t.Errorf("timeline loop %d-%d after Ctrl+L", a, b)
	}

	// B before A on the timeline swaps them; the buttons do as the keys.
	s.seekFrame(50)
	h.settle(t, 50)
	test.Tap(s.loopABtn)
	s.seekFrame(20)
	h.settle(t, 20)
	test.Tap(s.loopBBtn)
	h.q.until(t, "the swapped loop", func() bool { a, b := h.eng.loop(); return a == 20 && b == 50 })
	test.Tap(s.loopClearBtn)
	h.q.until(t, "the loop to clear", func() bool { _, b := h.eng.loop(); return b < 0 })

	// The keys are in the help overlay.
	s.toggleHelp()
	help := strings.Join(labelTexts(s.help), "\n")
	s.toggleHelp()
	for _, k := range []string{"A  /  B", "Ctrl+L"} {
		if !strings.Contains(help, k) {
			t.Errorf("help overlay lacks %q", k)
		}
	}
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}

// The key overlay fits a 1000x800 window: it does not push the bottom bar
// out of the window.
func TestReviewHelpFitsSmallWindow(t *testing.T) {
	h := newFakeReview(t, newFakeEngine(120), nil)
	s := h.s
	h.w.Resize(fyne.NewSize(1000, 800))
	h.rune('?')
	if !s.help.Visible() {
		t.Fatal("? did not show the keys")
	}
	h.w.Resize(fyne.NewSize(1000, 800))
	if m := s.content.MinSize(); m.Height > 800 || m.Width > 1000 {
		t.Errorf("with the keys shown the screen needs %v, more than 1000x800", m)
	}
	for _, o := range []fyne.CanvasObject{s.playBtn, s.readoutBoxes[2]} {
		if p, sz := absRect(o); p.Y+sz.Height > 800 {
			t.Errorf("%T ends at y %v, below the window", o, p.Y+sz.Height)
		}
	}
}

// Keys typed while a dialog that is not the review's is open (the File
// menu's Import, an account dialog) do not reach the review: Escape there
// does not leave it, arrows do not step behind the dialog.
func TestReviewKeysIgnoredUnderOtherDialogs(t *testing.T) {
	h := newFakeReview(t, newFakeEngine(120), nil)
	s := h.s
	d := dialog.NewInformation("Import", "Not the review's", h.w)
	d.Show()
	h.key(fyne.KeyEscape)
	h.key(fyne.KeyRight)
	h.rune('a')
	if h.backs != 0 || s.closed {
		t.Fatal("Escape under another dialog left the review")
	}
	if s.loopIn >= 0 || s.nav.busy() {
		t.Errorf("keys under another dialog reached the review: loop start %d, navigation pending %v", s.loopIn, s.nav.busy())
	}
	d.Hide()
	h.key(fyne.KeyRight)
	// One step, in order after anything the keys under the dialog might
	// have asked for: had the Right under it reached the engine, this one
	// would be its second step.
	h.settle(t, 1)
	if _, _, _, calls := h.eng.state(); len(calls) != 1 {
		t.Errorf("keys under another dialog reached the review: engine calls %v", calls)
	}
}
