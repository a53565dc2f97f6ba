package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// sarLabel is the library's label for a SAR due in n days.
func sarLabel(n int) string {
	if n < 0 {
		return fmt.Sprintf("SAR overdue by %d days", -n)
	}
	return fmt.Sprintf("SAR due in %d days", n)
}

// TestLibrarySARColumn: a recording in an open subject access request
// shows "SAR due in N days" in the SAR column (amber within 7 days, plain
// beyond), an overdue one "SAR overdue by N days" in red and bold; a
// recording in no SAR shows nothing, and a viewer (who does not handle
// SARs) sees no label.
func TestLibrarySARColumn(t *testing.T) {
	day := 24 * time.Hour
	lib, _, ids := markStore(t, agedClip{"soon", day}, agedClip{"late", 2 * day}, agedClip{"later", 3 * day}, agedClip{"none", 4 * day})
	ctx := context.Background()
	labels := map[string]string{}
	for name, days := range map[string]int{"soon": 6, "late": -2, "later": 20} {
		received, n := app.TestSARReceived(time.Now(), days)
		s, err := lib.NewSAR(ctx, "Subject "+name, received)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := lib.AddToSAR(ctx, app.FormatSARID(s.ID), []string{ids[name]}); err != nil {
			t.Fatal(err)
		}
		labels[name] = sarLabel(n)
	}
	lv, _, w := newTestView(t, lib)
	w.Resize(fyne.NewSize(2400, 900)) // every column on screen
	lv.table.Refresh()

	if got := columns[colSAR].title; got != "SAR" {
		t.Errorf("column title %q", got)
	}
	for name, c := range map[string]struct {
		imp  widget.Importance
		bold bool
	}{
		"soon":  {widget.WarningImportance, false},
		"late":  {widget.DangerImportance, true},
		"later": {widget.MediumImportance, false},
	} {
		if got := columns[colSAR].text(lv.recs[lv.rowOf(ids[name])]); got != labels[name] {
			t.Errorf("%s: SAR column %q, want %q", name, got, labels[name])
		}
		l := cellLabel(w.Content(), labels[name])
		if l == nil {
			t.Errorf("%s: no cell %q on screen", name, labels[name])
			continue
		}
		if l.Importance != c.imp || l.TextStyle.Bold != c.bold {
			t.Errorf("%s: %q shown with importance %v bold %v, want %v %v", name, labels[name], l.Importance, l.TextStyle.Bold, c.imp, c.bold)
		}
	}
	if got := columns[colSAR].text(lv.recs[lv.rowOf(ids["none"])]); got != "" {
		t.Errorf("a recording in no SAR: %q", got)
	}

	signIn(t, lib, "viewer")
	recs, err := lib.List(ctx, app.Filter{}, app.SortRecordedAt, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if got := columns[colSAR].text(r); got != "" {
			t.Errorf("the viewer sees %q on %s", got, r.ID)
		}
	}
}
