package ui

import (
	"context"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// cellLabel finds the visible table label showing text.
func cellLabel(o fyne.CanvasObject, text string) *widget.Label {
	for _, v := range visibleObjects(o) {
		if l, ok := v.(*widget.Label); ok && l.Text == text {
			return l
		}
	}
	return nil
}

// TestLibraryDeletionUrgency: a deletion in 2 days is red and bold, one in
// 5 days amber, one in 26 days plain; the Deletion column sorts the most
// urgent first; the status filter's "Due within 7 days" lists only those;
// the Marks and Hold columns show markers and holds.
func TestLibraryDeletionUrgency(t *testing.T) {
	day := 24 * time.Hour
	lib, _, ids := markStore(t, agedClip{"old", 40 * day}, agedClip{"two", 29*day + time.Hour},
		agedClip{"five", 26*day + time.Hour}, agedClip{"month", 5 * day}, agedClip{"kept", 35 * day})
	ctx := context.Background()
	if _, err := lib.Hold(ctx, ids["kept"], "civil claim"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := lib.AddMark(ctx, ids["month"], app.MarkInput{FrameIn: 1, FrameOut: 1, Category: "other"}); err != nil {
			t.Fatal(err)
		}
	}
	lv, q, w := newTestView(t, lib)
	w.Resize(fyne.NewSize(2400, 900)) // every column on screen
	lv.table.Refresh()

	want := map[string]struct {
		text string
		imp  widget.Importance
		bold bool
	}{
		"due now":   {"due now", widget.DangerImportance, true},
		"two":       {"in 2 days", widget.DangerImportance, true},
		"five":      {"in 5 days", widget.WarningImportance, false},
		"month":     {"in 26 days", widget.MediumImportance, false},
		"kept hold": {"kept: legal hold", widget.MediumImportance, false},
	}
	for name, c := range want {
		l := cellLabel(w.Content(), c.text)
		if l == nil {
			t.Errorf("%s: no cell %q on screen", name, c.text)
			continue
		}
		if l.Importance != c.imp || l.TextStyle.Bold != c.bold {
			t.Errorf("%s: %q shown with importance %v bold %v, want %v %v", name, c.text, l.Importance, l.TextStyle.Bold, c.imp, c.bold)
		}
	}
	if l := cellLabel(w.Content(), "Hold"); l == nil {
		t.Error("no hold indicator on screen")
	}
	row := lv.rowOf(ids["month"])
	if got := columns[colMarks].text(lv.recs[row]); got != "2" {
		t.Errorf("marks column %q, want 2", got)
	}
	if got := columns[colHold].text(lv.recs[lv.rowOf(ids["kept"])]); got != "Hold" {
		t.Errorf("hold column %q for a held recording", got)
	}
	if got := columns[colHold].text(lv.recs[row]); got != "" {
		t.Errorf("hold column %q for a recording without a hold", got)
	}

	// The Deletion header sorts: most urgent first, kept last; again: reversed.
	test.Tap(findButton(t, w.Content(), "Deletion"))
	q.until(t, "the list by deletion", func() bool { return !lv.loading && lv.sortKey == app.SortDeletion })
	order := func() []string {
		var out []string
		for _, r := range lv.recs {
			out = append(out, r.Personal.Officer)
		}
		return out
	}
	if got, want := order(), []string{"PC old", "PC two", "PC five", "PC month", "PC kept"}; !slices.Equal(got, want) {
		t.Errorf("by deletion: %v, want %v", got, want)
	}
	test.Tap(findButton(t, w.Content(), "Deletion"))
	q.until(t, "the list reversed", func() bool { return !lv.loading && !lv.ascending })
	if got, want := order(), []string{"PC kept", "PC month", "PC five", "PC two", "PC old"}; !slices.Equal(got, want) {
		t.Errorf("by deletion, reversed: %v, want %v", got, want)
	}

	// "Due within 7 days" in the status filter.
	lv.status.SetSelected("Due within 7 days")
	q.until(t, "the due recordings", func() bool { return !lv.loading && len(lv.recs) == 3 })
	got := order()
	slices.Sort(got)
	if want := []string{"PC five", "PC old", "PC two"}; !slices.Equal(got, want) {
		t.Errorf("due within 7 days lists %v, want %v", got, want)
	}
}

// TestLibraryKeyboardOnly: typing filters, Down/Up move the selection from
// the search box, Enter opens (also while the filter is still being
// applied, and after Clear), Escape clears the filters, and a character
// typed on the table goes to the search box.
func TestLibraryKeyboardOnly(t *testing.T) {
	lib := openSeeded(t)
	lv, q, w := newTestView(t, lib)
	var opened []string
	lv.onReview = func(id string) { opened = append(opened, id) }
	key := func(o fyne.Focusable, k fyne.KeyName) { o.TypedKey(&fyne.KeyEvent{Name: k}) }
	c := w.Canvas()

	// Typing on the table starts a search in the search box.
	c.Focus(lv.table)
	for _, r := range "pat" {
		lv.table.TypedRune(r)
	}
	if c.Focused() != lv.search || lv.search.Text != "pat" {
		t.Fatalf("typing on the table: focus %T, search %q", c.Focused(), lv.search.Text)
	}
	// Enter at once, before the typing pause has passed: opens Patel's.
	key(lv.search, fyne.KeyReturn)
	q.until(t, "the filtered recording opened", func() bool { return len(opened) == 1 })
	if len(lv.recs) != 1 || opened[0] != lv.recs[0].ID || lv.recs[0].Personal.Officer != "PS 1187 Patel" {
		t.Errorf("Enter after typing opened %v; listed %v", opened, officers(lv.recs))
	}

	// Escape in the search box clears the filter; the focus stays there.
	key(lv.search, fyne.KeyEscape)
	q.until(t, "all recordings", func() bool { return !lv.loading && len(lv.recs) == 3 })
	if lv.search.Text != "" || c.Focused() != lv.search {
		t.Errorf("after Escape: search %q, focus %T", lv.search.Text, c.Focused())
	}

	// Down and Up move the selection from the search box.
	first := lv.selected
	key(lv.search, fyne.KeyDown)
	key(lv.search, fyne.KeyDown)
	if lv.selected != lv.recs[2].ID {
		t.Errorf("two Downs select row %d", lv.rowOf(lv.selected))
	}
	key(lv.search, fyne.KeyUp)
	if lv.selected != lv.recs[1].ID || first != lv.recs[0].ID {
		t.Errorf("Up selects row %d", lv.rowOf(lv.selected))
	}
	key(lv.search, fyne.KeyEnter)
	if len(opened) != 2 || opened[1] != lv.recs[1].ID {
		t.Errorf("Enter from the search box opened %v", opened)
	}

	// After Clear, the keys work on: the search box has the focus.
	lv.search.SetText("okafor")
	q.until(t, "okafor", func() bool { return !lv.loading && len(lv.recs) == 1 })
	test.Tap(findButton(t, w.Content(), "Clear"))
	q.until(t, "cleared", func() bool { return !lv.loading && len(lv.recs) == 3 })
	if c.Focused() != lv.search {
		t.Fatalf("after Clear the focus is on %T", c.Focused())
	}
	key(lv.search, fyne.KeyDown)
	key(lv.search, fyne.KeyReturn)
	if len(opened) != 3 || opened[2] != lv.selected {
		t.Errorf("Enter after Clear opened %v (selected %s)", opened, lv.selected)
	}

	// With nothing focused, the window's keys act on the list.
	c.Unfocus()
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyHome})
	if lv.selected != lv.recs[0].ID {
		t.Errorf("Home on the window selects row %d", lv.rowOf(lv.selected))
	}
	c.OnTypedRune()('j')
	if c.Focused() != lv.search || lv.search.Text != "j" {
		t.Errorf("typing on the window: focus %T, search %q", c.Focused(), lv.search.Text)
	}
}
