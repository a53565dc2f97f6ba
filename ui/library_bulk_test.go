package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"exhibit/app"
)

// TestLibraryBulkHoldAndDecide: Ctrl+click and Shift+click select several
// recordings; the bar places a legal hold on each and records a decision
// for each, with the reason, each audited per recording; Escape goes back
// to one row.
func TestLibraryBulkHoldAndDecide(t *testing.T) {
	day := 24 * time.Hour
	lib, dir, ids := markStore(t, agedClip{"a", day}, agedClip{"b", 2 * day}, agedClip{"c", 3 * day}, agedClip{"d", 4 * day})
	lv, q, w := newTestView(t, lib)
	var mods fyne.KeyModifier
	lv.mods = func() fyne.KeyModifier { return mods }
	ctx := context.Background()

	// Click a, Ctrl+click c: two selected, the bar says so.
	lv.tapRow(lv.rowOf(ids["a"]))
	if lv.bulk.bar.Visible() {
		t.Error("bar shown for one recording")
	}
	mods = fyne.KeyModifierControl
	lv.tapRow(lv.rowOf(ids["c"]))
	if got := lv.pickedIDs(); len(got) != 2 || !lv.bulk.bar.Visible() || lv.bulk.label.Text != "2 recordings selected" {
		t.Fatalf("after Ctrl+click: %v, bar %v %q", got, lv.bulk.bar.Visible(), lv.bulk.label.Text)
	}
	test.Tap(findButton(t, w.Content(), "Place legal hold…"))
	f := lv.bulk.form
	test.Tap(f.ok)
	if !f.msg.Visible() || f.msg.Text != "Give a reason for the hold." {
		t.Errorf("no reason: %q", f.msg.Text)
	}
	test.Type(f.reason, "civil claim expected")
	test.Tap(f.ok)
	q.until(t, "the holds", func() bool { return !f.ok.Disabled() && !lv.loading && lv.recs[lv.rowOf(ids["c"])].Held })
	for name, held := range map[string]bool{"a": true, "b": false, "c": true, "d": false} {
		if got := lv.recs[lv.rowOf(ids[name])].Held; got != held {
			t.Errorf("%s held %v, want %v", name, got, held)
		}
		if got := auditHas(t, dir, "x", app.AuditFilter{RecordingID: ids[name], Action: "hold"}, ""); got != held {
			t.Errorf("%s: hold entry in the audit %v, want %v", name, got, held)
		}
	}
	for _, name := range []string{"a", "c"} {
		hs, err := lib.Holds(ctx, ids[name])
		if err != nil || len(hs) != 1 || hs[0].Reason != "civil claim expected" {
			t.Errorf("%s: holds %+v, %v", name, hs, err)
		}
	}
	if lv.bulk.bar.Visible() {
		t.Error("the selection stays after the holds were placed")
	}

	// Shift+click from b to d: three; a decision for each.
	mods = 0
	lv.tapRow(lv.rowOf(ids["b"]))
	mods = fyne.KeyModifierShift
	lv.tapRow(lv.rowOf(ids["d"]))
	if got := lv.pickedIDs(); len(got) != 3 || lv.bulk.label.Text != "3 recordings selected" {
		t.Fatalf("after Shift+click: %v %q", got, lv.bulk.label.Text)
	}
	test.Tap(findButton(t, w.Content(), "Record decision…"))
	f = lv.bulk.form
	test.Type(f.reason, "no offence disclosed")
	test.Tap(f.ok)
	if f.msg.Text != msgChooseDecision {
		t.Errorf("no decision: %q", f.msg.Text)
	}
	f.choice.SetSelected("No further action (NFA)")
	if f.msg.Visible() {
		t.Errorf("%q stays after a decision was chosen", f.msg.Text)
	}
	test.Tap(f.ok)
	q.until(t, "the decisions", func() bool {
		return !f.ok.Disabled() && !lv.loading && lv.recs[lv.rowOf(ids["d"])].Status == app.StatusNFA
	})
	for _, name := range []string{"b", "c", "d"} {
		ds, err := lib.Decisions(ctx, ids[name])
		if err != nil || len(ds) != 1 || ds[0].Decision != app.DecisionNFA || ds[0].Reason != "no offence disclosed" {
			t.Errorf("%s: decisions %+v, %v", name, ds, err)
		}
	}
	if ds, _ := lib.Decisions(ctx, ids["a"]); len(ds) != 0 {
		t.Errorf("a got a decision it was not selected for")
	}

	// Escape on the table: back to one row.
	mods = fyne.KeyModifierControl
	lv.tapRow(lv.rowOf(ids["a"]))
	lv.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if n := len(lv.pickedIDs()); n != 1 || lv.bulk.bar.Visible() {
		t.Errorf("after Escape %d selected", n)
	}
}
