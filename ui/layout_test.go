package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// Window sizes the layout is made for: the custody suite's 1366×768
// laptops first, then 1440×900 and a full-HD monitor.
var layoutSizes = []fyne.Size{{Width: 1366, Height: 768}, {Width: 1440, Height: 900}, {Width: 1920, Height: 1080}}

// shotDir is where layout tests save their screenshots:
// EXHIBIT_GUI_SHOT_DIR, else the test's temporary folder (logged).
func shotDir(t *testing.T) string {
	if d := os.Getenv("EXHIBIT_GUI_SHOT_DIR"); d != "" {
		return d
	}
	return t.TempDir()
}

// saveWindowShot renders the window's canvas into dir/name.png.
func saveWindowShot(t *testing.T, w fyne.Window, dir, name string) {
	t.Helper()
	img := w.Canvas().Capture()
	p := filepath.Join(dir, name+".png")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s (%v)", p, img.Bounds().Size())
}

// absPos is o's position relative to root, found by walking from root.
func absPos(root, o fyne.CanvasObject) (fyne.Position, bool) {
	if root == o {
		return fyne.Position{}, true
	}
	var kids []fyne.CanvasObject
	switch c := root.(type) {
	case fyne.Widget:
		kids = test.WidgetRenderer(c).Objects()
	case *fyne.Container:
		kids = c.Objects
	}
	for _, k := range kids {
		if !k.Visible() {
			continue
		}
		if p, ok := absPos(k, o); ok {
			return p.Add(k.Position()), true
		}
	}
	return fyne.Position{}, false
}

// TestLibraryLayoutSizes: at 1366×768, 1440×900 and 1920×1080 the whole
// ID column is on screen, the search box keeps room for its words; at the
// narrowest the window can be, the search box still reads "Search officer".
func TestLibraryLayoutSizes(t *testing.T) {
	lib := openSeeded(t)
	lv, q, w := newTestView(t, lib)
	dir := shotDir(t)
	th := lv.table.Theme()
	minSearch := fyne.MeasureText("Search officer, device", th.Size(theme.SizeNameText), fyne.TextStyle{}).Width
	for _, size := range append(layoutSizes, w.Content().MinSize()) {
		w.Resize(size)
		q.run(50 * time.Millisecond)
		name := "library-" + itoa(int(size.Width)) + "x" + itoa(int(size.Height))
		saveWindowShot(t, w, dir, name)
		// The ID column ends inside the table's visible width.
		var idEnd float32
		for col := 0; col <= colID; col++ {
			idEnd += lv.table.columnWidth(col)
		}
		if tw := lv.table.Size().Width; idEnd > tw {
			t.Errorf("%s: the ID column ends at %.0f, the table is %.0f wide", name, idEnd, tw)
		}
		idText := fyne.MeasureText("WWWWWWWW", th.Size(theme.SizeNameText), fyne.TextStyle{Monospace: true}).Width
		if got := lv.table.columnWidth(colID); got < idText+2*th.Size(theme.SizeNameInnerPadding) {
			t.Errorf("%s: ID column %.0f wide, an id needs %.0f", name, got, idText)
		}
		if got := lv.search.Size().Width; got < minSearch {
			t.Errorf("%s: search box %.0f wide, its placeholder needs %.0f", name, got, minSearch)
		}
		// Every label of the filter bar is on screen, inside the window.
		for _, o := range []fyne.CanvasObject{lv.count, lv.to, lv.status} {
			p, ok := absPos(w.Content(), o)
			if !ok || p.X+o.Size().Width > size.Width+1 {
				t.Errorf("%s: %T at %v (found %v) runs out of the %v window", name, o, p, ok, size)
			}
		}
	}
}

// inView reports whether o lies wholly inside the window and, when it is
// inside a scroll container, inside the scroll's visible part.
func inView(root, o fyne.CanvasObject, size fyne.Size) bool {
	p, ok := absPos(root, o)
	if !ok || p.Y < 0 || p.Y+o.Size().Height > size.Height || p.X+o.Size().Width > size.Width+1 {
		return false
	}
	for _, v := range visibleObjects(root) {
		sc, isScroll := v.(*container.Scroll)
		if !isScroll {
			continue
		}
		if _, inside := absPos(sc.Content, o); !inside {
			continue
		}
		sp, _ := absPos(root, sc)
		p, _ := absPos(root, o)
		if p.Y+o.Size().Height > sp.Y+sc.Size().Height+1 || p.Y < sp.Y-1 {
			return false
		}
	}
	return true
}

// TestReviewDecisionFormsReachable: at 1366×768 and 1440×900 the decision
// and hold forms are on screen without scrolling, and "Choose a decision."
// goes away once a decision is chosen.
func TestReviewDecisionFormsReachable(t *testing.T) {
	lib, _, ids := markStore(t, agedClip{"a", 2 * 24 * time.Hour})
	h := newMarkReview(t, lib, ids["a"], markClipFrames)
	w := &h.s.side.dec
	dir := shotDir(t)
	for _, size := range layoutSizes {
		h.w.Resize(size)
		h.q.run(50 * time.Millisecond)
		name := "review-" + itoa(int(size.Width)) + "x" + itoa(int(size.Height))
		saveWindowShot(t, h.w, dir, name)
		for what, o := range map[string]fyne.CanvasObject{"decision choice": w.choice, "reason": w.reason,
			"Record decision": w.record, "hold reason": w.holdReason, "hold button": w.holdBtn} {
			if !inView(h.w.Content(), o, size) {
				p, _ := absPos(h.w.Content(), o)
				t.Errorf("%s: %s at %v (%v) is out of sight", name, what, p, o.Size())
			}
		}
	}

	test.Tap(w.record)
	if !w.msg.Visible() || w.msg.Text != "Choose a decision." {
		t.Fatalf("no decision chosen: message %q", w.msg.Text)
	}
	w.choice.SetSelected("Evidence")
	if w.msg.Visible() {
		t.Errorf("%q stays after a decision was chosen", w.msg.Text)
	}
}
