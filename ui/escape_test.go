package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"exhibit/app/media"
)

// canvasEscape types Escape the way the window driver does: to the focused
// widget, else to the canvas handler.
func canvasEscape(w fyne.Window) {
	ev := &fyne.KeyEvent{Name: fyne.KeyEscape}
	c := w.Canvas()
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
	} else if k := c.OnTypedKey(); k != nil {
		k(ev)
	}
}

// Escape closes the import result, a message, the file and folder
// choosers and the audit trail, as it closes Go to and the confirmations;
// the window's own key handler is back afterwards. The choosers' titles
// say what they are for.
func TestEscapeClosesLibraryDialogs(t *testing.T) {
	lib, _ := newStore(t)
	lv, q, w := newTestView(t, lib)
	var own []fyne.KeyName
	w.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) { own = append(own, ev.Name) })

	closed := func(what string) {
		t.Helper()
		if w.Canvas().Overlays().Top() == nil {
			t.Fatalf("%s: not shown", what)
		}
		canvasEscape(w)
		if top := w.Canvas().Overlays().Top(); top != nil {
			t.Fatalf("Escape did not close %s: %q", what, labelTexts(top))
		}
	}
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "broken.mp4"), []byte("not a video"), 0o644); err != nil {
		t.Fatal(err)
	}
	lv.startImport([]string{src})
	q.until(t, "the import results", func() bool {
		top := w.Canvas().Overlays().Top()
		return top != nil && slices.Contains(labelTexts(top), "0 imported · 0 already in the store · 1 rejected")
	})
	if !slices.Contains(labelTexts(w.Canvas().Overlays().Top()), "the file is cut short or not a finished recording") {
		t.Errorf("the refusal is not in words: %q", labelTexts(w.Canvas().Overlays().Top()))
	}
	closed("the import result")

	showSentence("Could not open", "That file does not exist.", w)
	closed("a message")

	for _, c := range []struct {
		open  func()
		title string
	}{
		{lv.chooseImportFile, "Import a video file"},
		{lv.chooseImportFolder, "Import every video in a folder"},
		{lv.chooseDockFolder, "Choose the dock folder to watch"},
	} {
		c.open()
		top := w.Canvas().Overlays().Top()
		if top == nil || !slices.Contains(labelTexts(top), c.title) {
			t.Errorf("chooser titles %q, want %q", labelTexts(top), c.title)
		}
		closed(c.title)
	}

	// Dialogs over dialogs close one at a time, newest first.
	v := newAuditView(lib, "", q.do, nil)
	v.show(w, nil)
	showSentence("Note", "On top.", w)
	canvasEscape(w)
	if top := w.Canvas().Overlays().Top(); top == nil || slices.Contains(labelTexts(top), "On top.") {
		t.Fatal("Escape closed both dialogs, or not the top one")
	}
	closed("the audit trail")

	// Other keys, and Escape with nothing shown, are the window's again.
	canvasEscape(w)
	w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyDown})
	if !slices.Equal(own, []fyne.KeyName{fyne.KeyEscape, fyne.KeyDown}) {
		t.Errorf("the window's handler got %q", own)
	}
}

// "Import files…" takes several files: each pick goes into a list, more
// can be added, and Import imports them all at once.
func TestImportSeveralFiles(t *testing.T) {
	src := t.TempDir()
	ctx := context.Background()
	var paths []string
	for i, name := range []string{"one.mp4", "two.mp4"} {
		p := filepath.Join(src, name)
		if err := media.WriteIndexedClip(ctx, p, media.IndexedClipOptions{Frames: 10 + i}); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	lib, _ := newStore(t)
	lv, q, w := newTestView(t, lib)
	lv.addToBasket(paths[0])
	lv.addToBasket(paths[1])
	lv.addToBasket(paths[1]) // twice: once
	top := w.Canvas().Overlays().Top()
	if texts := labelTexts(top); !slices.ContainsFunc(texts, func(s string) bool {
		return strings.HasPrefix(s, "2 files:\none.mp4") && strings.Contains(s, "\ntwo.mp4")
	}) {
		t.Fatalf("the list of files to import: %q", texts)
	}
	test.Tap(findButton(t, top, "Import"))
	q.until(t, "the import results", func() bool {
		top := w.Canvas().Overlays().Top()
		return top != nil && slices.Contains(labelTexts(top), "2 imported · 0 already in the store · 0 rejected")
	})
	// Cancel imports nothing; Escape closes the list too.
	canvasEscape(w)
	lv.addToBasket(paths[0])
	canvasEscape(w)
	if w.Canvas().Overlays().Top() != nil || len(baskets) != 0 {
		t.Fatal("Escape did not close the list of files to import")
	}
}
