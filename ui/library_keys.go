package ui

import (
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Keyboard-only use of the library: typing anywhere filters, Up/Down (and
// Page Up/Down, Home/End) move the selection from the search box as from
// the table, Enter opens the selected recording (after a filter still
// being typed has been applied), Escape clears the filters.

// searchEntry is the library's search box: an entry that passes the keys
// moving or opening the selection to the library.
type searchEntry struct {
	widget.Entry
	lv *libraryView
}

func newSearchEntry(lv *libraryView) *searchEntry {
	e := &searchEntry{lv: lv}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey moves or opens the selection, clears the filters, or edits.
func (e *searchEntry) TypedKey(ev *fyne.KeyEvent) {
	e.lv.touch()
	if e.lv.listKey(ev.Name) {
		return
	}
	e.Entry.TypedKey(ev)
}

// TypedRune types r and tells the idle lock someone is typing (the idle
// check's look at the focused entry knows only plain entries).
func (e *searchEntry) TypedRune(r rune) {
	e.lv.touch()
	e.Entry.TypedRune(r)
}

// listKey handles a key that works the same in the search box, the table
// and on the bare window; it reports whether it did.
func (lv *libraryView) listKey(k fyne.KeyName) bool {
	switch k {
	case fyne.KeyUp:
		lv.moveSelection(-1)
	case fyne.KeyDown:
		lv.moveSelection(1)
	case fyne.KeyPageUp:
		lv.moveSelection(-10)
	case fyne.KeyPageDown:
		lv.moveSelection(10)
	case fyne.KeyReturn, fyne.KeyEnter:
		lv.openWhenListed()
	case fyne.KeyEscape:
		switch {
		case len(lv.pickedIDs()) > 1:
			lv.pickOnly(lv.selected) // first the multi-selection
		case lv.filtering():
			lv.clearFilters()
		}
	default:
		return false
	}
	return true
}

// openWhenListed opens the selected recording; while a typed filter is
// still waiting, or the list of changed filters is on its way, it opens
// the selection of that list once it is shown.
func (lv *libraryView) openWhenListed() {
	if lv.searchTimer != nil {
		lv.searchTimer.Stop()
		lv.searchTimer = nil
		lv.openOnLoad = true
		lv.filterLoading = true
		lv.reload()
		return
	}
	if lv.loading && lv.filterLoading {
		lv.openOnLoad = true // the list of the new filters is on its way
		return
	}
	lv.reviewSelected()
}

// hookKeys makes the keys work while nothing has the focus (after a click
// on a label or the detail pane): arrows and Enter act on the list, Escape
// clears the filters, and a typed character starts a search.
func (lv *libraryView) hookKeys() {
	c := lv.win.Canvas()
	if c == nil {
		return
	}
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		lv.touch()
		if c.Overlays().Top() != nil {
			return // a dialog or menu is open: the keys are not the list's
		}
		switch ev.Name {
		case fyne.KeyHome:
			lv.moveSelection(-len(lv.recs))
		case fyne.KeyEnd:
			lv.moveSelection(len(lv.recs))
		default:
			lv.listKey(ev.Name)
		}
	})
	c.SetOnTypedRune(func(r rune) {
		if c.Overlays().Top() == nil {
			lv.typeToSearch(r)
		}
	})
}

// unhookKeys removes the window-wide keys (the view is going away).
func (lv *libraryView) unhookKeys() {
	if c := lv.win.Canvas(); c != nil {
		c.SetOnTypedKey(nil)
		c.SetOnTypedRune(nil)
	}
}

// typeToSearch moves the focus to the search box and types r there.
func (lv *libraryView) typeToSearch(r rune) {
	lv.touch()
	if !unicode.IsPrint(r) || unicode.IsSpace(r) && lv.search.Text == "" {
		return
	}
	if c := lv.win.Canvas(); c != nil {
		c.Focus(lv.search)
	}
	lv.search.TypedRune(r)
}

// focusSearch gives the keyboard focus to the search box.
func (lv *libraryView) focusSearch() {
	if c := lv.win.Canvas(); c != nil {
		c.Focus(lv.search)
	}
}

// searchDelay is how long typing must pause before the list is filtered.
const searchDelay = 250 * time.Millisecond

// searchMinWidth is the narrowest the search box gets: room for "Search
// officer, device" and its icon.
func searchMinWidth() float32 {
	return fyne.MeasureText("Search officer, device", theme.TextSize(), fyne.TextStyle{}).Width +
		theme.IconInlineSize() + 4*theme.InnerPadding()
}

// minWidth is a layout that fills its space with each object and asks for
// at least its width.
type minWidth float32

// MinSize is the objects' minimum size, at least the layout's width wide.
func (w minWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(float32(w), 0)
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// Layout gives every object all the space.
func (w minWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}
