package ui

import (
	"context"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// Bulk actions: Ctrl+click adds a row to (or takes it from) the selection,
// Shift+click selects the rows from the last one clicked, Space adds or
// takes the current row. With two or more selected, a bar offers a legal
// hold and a decision for all of them, each with its reason, each recorded
// and audited per recording (app.HoldEach, app.DecideEach).

// bulkState is the library's multi-selection and its bar.
type bulkState struct {
	picked map[string]bool // the selected recordings, the current row included
	anchor string          // where a Shift+click range starts
	bar    fyne.CanvasObject
	label  *widget.Label
	// form is the bulk dialog on screen (tests).
	form *bulkForm
}

// bulkForm is the hold or decision dialog of a bulk action.
type bulkForm struct {
	choice *widget.Select // decisions only
	reason *widget.Entry
	msg    *widget.Label
	ok     *widget.Button
	dlg    dialog.Dialog
}

// buildBulk makes the bar shown while several recordings are selected.
func (lv *libraryView) buildBulk() fyne.CanvasObject {
	b := &lv.bulk
	b.picked = map[string]bool{}
	b.label = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	var btns []fyne.CanvasObject
	if lv.lib.Can(app.PermHold) {
		btns = append(btns, widget.NewButtonWithIcon("Place legal hold…", theme.WarningIcon(), lv.bulkHold))
	}
	if lv.lib.Can(app.PermDecide) {
		btns = append(btns, widget.NewButtonWithIcon("Record decision…", theme.ConfirmIcon(), lv.bulkDecide))
	}
	clearBtn := widget.NewButtonWithIcon("Clear selection", theme.ContentClearIcon(), func() { lv.pickOnly(lv.selected) })
	clearBtn.Importance = widget.LowImportance
	btns = append(btns, clearBtn)
	b.bar = container.NewBorder(nil, nil, b.label, container.NewHBox(btns...))
	b.bar.Hide()
	return b.bar
}

// tapRow selects a row the way the modifier keys held say: alone, added
// or taken away (Ctrl), or a range from the last row clicked (Shift).
func (lv *libraryView) tapRow(row int) {
	if row < 0 || row >= len(lv.recs) {
		return
	}
	id := lv.recs[row].ID
	mods := lv.mods()
	switch {
	case mods&fyne.KeyModifierShift != 0 && lv.bulk.anchor != "" && lv.rowOf(lv.bulk.anchor) >= 0:
		from, to := lv.rowOf(lv.bulk.anchor), row
		if from > to {
			from, to = to, from
		}
		clear(lv.bulk.picked)
		for i := from; i <= to; i++ {
			lv.bulk.picked[lv.recs[i].ID] = true
		}
		lv.selectRow(row)
	case mods&(fyne.KeyModifierControl|fyne.KeyModifierSuper) != 0:
		lv.togglePick(row)
	default:
		lv.selectRow(row)
		lv.pickOnly(id)
	}
	lv.bulkChanged()
}

// togglePick adds row to the selection or takes it away (the current row
// stays the last one added).
func (lv *libraryView) togglePick(row int) {
	id := lv.recs[row].ID
	if len(lv.bulk.picked) == 0 && lv.selected != "" {
		lv.bulk.picked[lv.selected] = true
	}
	if lv.bulk.picked[id] && len(lv.bulk.picked) > 1 {
		delete(lv.bulk.picked, id)
	} else {
		lv.bulk.picked[id] = true
	}
	lv.bulk.anchor = id
	lv.selectRow(row)
	lv.bulkChanged()
}

// pickOnly makes id the whole selection.
func (lv *libraryView) pickOnly(id string) {
	clear(lv.bulk.picked)
	if id != "" {
		lv.bulk.picked[id] = true
	}
	lv.bulk.anchor = id
	lv.bulkChanged()
}

// pickedIDs are the selected recordings still listed, in list order.
func (lv *libraryView) pickedIDs() []string {
	var ids []string
	for _, r := range lv.recs {
		if lv.bulk.picked[r.ID] {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// isPicked reports whether a row is part of the selection.
func (lv *libraryView) isPicked(id string) bool { return id == lv.selected || lv.bulk.picked[id] }

// bulkChanged shows the bar while two or more are selected.
func (lv *libraryView) bulkChanged() {
	if lv.bulk.bar == nil {
		return
	}
	n := len(lv.pickedIDs())
	if n >= 2 {
		lv.bulk.label.SetText(plural(n, "recording", "recordings") + " selected")
		lv.bulk.bar.Show()
	} else {
		lv.bulk.bar.Hide()
	}
	lv.table.Refresh()
}

// bulkHold asks for the reason of a legal hold on every selected recording.
func (lv *libraryView) bulkHold() {
	ids := lv.pickedIDs()
	if len(ids) < 2 {
		return
	}
	f := &bulkForm{}
	intro := wrapped("A legal hold on " + plural(len(ids), "recording", "recordings") + " (" + idList(ids) +
		"). Retention will not delete them until the hold is released. The reason is kept with each hold, " +
		"and each is recorded in the audit trail.")
	lv.openBulkForm(f, "Place a legal hold", "Place "+plural(len(ids), "hold", "holds"), intro, func() {
		reason := strings.TrimSpace(f.reason.Text)
		if reason == "" {
			lv.bulkSay(f, "Give a reason for the hold.")
			return
		}
		lv.runBulk(f, "hold", func(ctx context.Context) []app.BulkResult {
			return lv.bulkLib().HoldEach(ctx, ids, reason)
		})
	})
}

// bulkDecide asks for a decision and its reason for every selected recording.
func (lv *libraryView) bulkDecide() {
	ids := lv.pickedIDs()
	if len(ids) < 2 {
		return
	}
	f := &bulkForm{}
	var labels []string
	for _, c := range decisionChoices {
		labels = append(labels, c.label)
	}
	f.choice = widget.NewSelect(labels, func(string) {
		if f.msg != nil && f.msg.Text == msgChooseDecision {
			f.msg.Hide()
		}
	})
	f.choice.PlaceHolder = "Choose a decision…"
	intro := wrapped("One decision for " + plural(len(ids), "recording", "recordings") + " (" + idList(ids) +
		"). The reason is kept with each decision, and each is recorded in the audit trail.")
	lv.openBulkForm(f, "Record a decision", "Record "+plural(len(ids), "decision", "decisions"),
		container.NewVBox(intro, f.choice), func() {
			value := ""
			for _, c := range decisionChoices {
				if c.label == f.choice.Selected {
					value = c.value
				}
			}
			reason := strings.TrimSpace(f.reason.Text)
			switch {
			case value == "":
				lv.bulkSay(f, msgChooseDecision)
				return
			case reason == "":
				lv.bulkSay(f, "Give a reason: it is kept with each decision.")
				return
			}
			if value == app.DecisionReferPSD && !lv.lib.Can(app.PermRestricted) {
				f.msg.Importance = widget.WarningImportance
				if f.msg.Text != msgReferLeaves {
					lv.bulkSay(f, msgReferLeaves) // pressed again: go on
					f.msg.Importance = widget.WarningImportance
					return
				}
			}
			lv.runBulk(f, "decide", func(ctx context.Context) []app.BulkResult {
				return lv.bulkLib().DecideEach(ctx, ids, value, reason)
			})
		})
}

// msgReferLeaves warns that a referral takes the recordings away.
const msgReferLeaves = "Referring restricts these recordings to professional standards: you will no longer be able to find or open them. Press the button again to refer them."

// bulkLib is the library's bulk use cases.
func (lv *libraryView) bulkLib() libraryAPI { return lv.lib }

func (lv *libraryView) bulkSay(f *bulkForm, msg string) {
	f.msg.Importance = widget.DangerImportance
	f.msg.SetText(msg)
	f.msg.Show()
}

// openBulkForm shows a bulk dialog: top, the reason, a message and buttons.
func (lv *libraryView) openBulkForm(f *bulkForm, title, verb string, top fyne.CanvasObject, submit func()) {
	f.reason = widget.NewMultiLineEntry()
	f.reason.SetPlaceHolder("Reason (required)")
	f.reason.SetMinRowsVisible(2)
	f.reason.Wrapping = fyne.TextWrapWord
	f.msg = wrapped("")
	f.msg.Hide()
	f.ok = widget.NewButtonWithIcon(verb, theme.ConfirmIcon(), submit)
	f.ok.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", func() { f.dlg.Hide() })
	body := container.NewVBox(top, f.reason, f.msg, container.NewHBox(layout.NewSpacer(), cancel, f.ok))
	f.dlg = dialog.NewCustomWithoutButtons(title, container.New(&fixedWidth{w: 520}, body), lv.win)
	lv.bulk.form = f
	f.dlg.Show()
	if c := lv.win.Canvas(); c != nil {
		c.Focus(f.reason)
	}
}

// runBulk runs a bulk action in the background, then says what became of
// each recording and lists again.
func (lv *libraryView) runBulk(f *bulkForm, what string, work func(ctx context.Context) []app.BulkResult) {
	f.ok.Disable()
	f.msg.Importance = widget.MediumImportance
	f.msg.SetText("Working…")
	f.msg.Show()
	lv.goBackground(func() {
		rs := work(lv.ctx)
		if lv.ctx.Err() != nil {
			return
		}
		lv.do(func() {
			f.ok.Enable()
			failed := app.BulkFailed(rs)
			done := len(rs) - failed
			noun := map[string][2]string{"hold": {"hold placed", "holds placed"}, "decide": {"decision recorded", "decisions recorded"}}[what]
			if failed == 0 {
				f.dlg.Hide()
				lv.flash(plural(done, noun[0], noun[1]) + ".")
				lv.pickOnly(lv.selected)
				delete(lv.full, lv.selected)
				lv.reload()
				return
			}
			var lines []string
			for _, r := range rs {
				if r.Err != nil {
					lines = append(lines, r.ID+": "+formMessage(r.Err))
				}
			}
			msg := plural(done, noun[0], noun[1]) + "; not done for " + plural(failed, "recording", "recordings") + ":\n" +
				strings.Join(lines, "\n")
			f.msg.Importance = widget.DangerImportance
			f.msg.SetText(msg)
			f.msg.Show()
			lv.reload()
		})
	})
}

// idList shows up to 5 ids, then how many more.
func idList(ids []string) string {
	if len(ids) <= 5 {
		return strings.Join(ids, ", ")
	}
	return strings.Join(slices.Clone(ids[:5]), ", ") + " and " + plural(len(ids)-5, "more", "more")
}
