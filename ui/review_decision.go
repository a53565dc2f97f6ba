package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// decisionChoices are the decisions offered, in app.DecisionValues order,
// with their words.
var decisionChoices = []struct{ value, label string }{
	{app.DecisionEvidence, "Evidence"},
	{app.DecisionPolicing, "Policing purpose"},
	{app.DecisionNFA, "No further action (NFA)"},
	{app.DecisionReferPSD, "Refer to professional standards"},
}

// decisionLabel is a stored decision in words.
func decisionLabel(v string) string {
	for _, c := range decisionChoices {
		if c.value == v {
			return c.label
		}
	}
	return statusLabel(v)
}

// retentionWords says what retention will do with a recording.
func retentionWords(it app.RetentionItem, now time.Time) string {
	switch it.Outcome {
	case app.RetentionKeptHold:
		return "Held: kept until the legal hold is released."
	case app.RetentionKeptSAR:
		return "Kept: part of an open subject access request, until it is answered or closed."
	case app.RetentionClockFuture:
		return "Not deleted automatically: the recording time cannot be trusted (it is in the future). Ask an administrator to check it."
	case app.RetentionClockImplausible:
		return "Not deleted automatically: the recording time cannot be trusted (before 2005: camera clock not set?). Ask an administrator to check it."
	case app.RetentionKeptEvidence:
		return "Kept: evidence."
	case app.RetentionKeptPolicing:
		return "Kept: retained for a policing purpose."
	case app.RetentionKeptReferred:
		return "Kept: referred to professional standards, until they record another decision."
	}
	days, _ := app.DaysLeft(it.DeleteAt, now)
	when := it.DeleteAt.In(time.Local).Format("Mon 2 Jan 2006")
	if days == 0 {
		return "Due for deletion now (" + it.Rule + "): the next retention sweep deletes it."
	}
	return "Deleted automatically " + daysWords(days) + ", on " + when + " (" + it.Rule + ")."
}

// daysWords is "in 1 day" / "in 12 days".
func daysWords(n int) string { return "in " + plural(n, "day", "days") }

// decisionWidgets are the Decision tab's widgets.
type decisionWidgets struct {
	current    *widget.Label
	currentBy  *widget.Label
	retention  *widget.Label
	choice     *widget.Select
	reason     *widget.Entry
	record     *widget.Button
	msg        *widget.Label
	holdState  *widget.Label
	holdReason *widget.Entry
	holdBtn    *widget.Button
	holdMsg    *widget.Label
	history    *fyne.Container
	forms      *fyne.Container // the decision and hold forms
	held       bool
}

func heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// buildDecision makes the Decision tab for the signed-in role.
func (s *reviewScreen) buildDecision() fyne.CanvasObject {
	p := s.side
	w := &p.dec
	w.current = widget.NewLabelWithStyle("…", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	w.current.SizeName = theme.SizeNameSubHeadingText
	w.currentBy = wrapped("")
	w.retention = wrapped("")
	w.msg = wrapped("")
	w.msg.Hide()
	w.holdState = wrapped("")
	w.holdMsg = wrapped("")
	w.holdMsg.Hide()
	w.history = container.NewVBox()

	// The forms come first, compact enough to be whole at 1366×768; what
	// retention will do and the history follow (they scroll).
	objs := []fyne.CanvasObject{container.NewBorder(nil, nil, heading("Decision in force"), nil, w.current), w.currentBy}
	if p.canDecide {
		var labels []string
		for _, c := range decisionChoices {
			labels = append(labels, c.label)
		}
		w.choice = widget.NewSelect(labels, func(string) {
			// The complaint about no choice is answered by choosing.
			if w.msg.Text == msgChooseDecision {
				decisionMessage(w.msg, "", false)
			}
		})
		w.choice.PlaceHolder = "Choose a decision…"
		w.reason = widget.NewMultiLineEntry()
		w.reason.SetPlaceHolder("Reason (required)")
		w.reason.SetMinRowsVisible(2)
		w.reason.Wrapping = fyne.TextWrapWord
		w.record = widget.NewButtonWithIcon("Record decision", theme.ConfirmIcon(), s.recordDecision)
		w.record.Importance = widget.HighImportance
		objs = append(objs, widget.NewSeparator(), heading("Record a decision"), w.choice, w.reason,
			container.NewHBox(w.record), w.msg)
	}
	objs = append(objs, widget.NewSeparator(), heading("Legal hold"), w.holdState)
	if p.canHold {
		w.holdReason = widget.NewEntry()
		w.holdBtn = widget.NewButtonWithIcon("Place legal hold", theme.WarningIcon(), s.holdOrRelease)
		objs = append(objs, container.NewBorder(nil, nil, nil, w.holdBtn, w.holdReason), w.holdMsg)
	}
	w.forms = container.NewVBox(objs...)
	return container.NewVBox(w.forms, widget.NewSeparator(), heading("Retention"), w.retention,
		widget.NewSeparator(), heading("History"), w.history)
}

// msgChooseDecision asks for a decision to be chosen before recording.
const msgChooseDecision = "Choose a decision."

// decisionBelow puts the Decision tab under markers, in a scroll sized by
// sideLayout.
func (s *reviewScreen) decisionBelow(markers fyne.CanvasObject) fyne.CanvasObject {
	dec := container.NewVScroll(container.NewPadded(s.buildDecision()))
	return container.New(&sideLayout{forms: s.side.dec.forms}, markers, widget.NewSeparator(), dec)
}

// sideLayout stacks the markers (first object), a separator and the
// decision scroll (last): the decision gets the height of its forms (so
// the decision and hold forms are whole without scrolling) plus room to
// spare up to half the height, the markers at least markersMin, the rest.
type sideLayout struct{ forms fyne.CanvasObject }

// markersMin is the least height kept for the markers: their buttons, the
// heading and a row (the list scrolls). At 1366×768 the timeline's ticks
// and the waveform leave the side panel about 580 px, and the decision and
// hold forms need about 430 of them whole.
const markersMin = 150

// MinSize is the markers' and the forms' minimum heights.
func (l *sideLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m, f := objs[0].MinSize(), l.forms.MinSize()
	return fyne.NewSize(max(m.Width, f.Width), m.Height+f.Height)
}

// Layout places the markers above and the decision below.
func (l *sideLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := 2 * theme.Padding() // the Padded container around the forms
	sep := objs[1].MinSize().Height
	dec := max(l.forms.MinSize().Height+pad, size.Height/2)
	dec = min(dec, size.Height-sep-markersMin)
	top := size.Height - sep - dec
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(size.Width, top))
	objs[1].Move(fyne.NewPos(0, top))
	objs[1].Resize(fyne.NewSize(size.Width, sep))
	objs[2].Move(fyne.NewPos(0, top+sep))
	objs[2].Resize(fyne.NewSize(size.Width, dec))
}

// showDecision shows the decision, hold and retention read by loadData.
func (s *reviewScreen) showDecision(d *reviewData) {
	w := &s.side.dec
	now := time.Now()
	if n := len(d.decisions); n > 0 {
		last := d.decisions[n-1]
		w.current.SetText(decisionLabel(last.Decision))
		w.currentBy.SetText("by " + last.Reviewer + ", " + formatWhen(last.At) + ": " + last.Reason)
	} else {
		w.current.SetText("Unreviewed")
		w.currentBy.SetText("No decision has been recorded yet.")
	}
	if d.retErr != nil {
		w.retention.SetText("Retention: " + app.UserMessage(d.retErr))
		w.retention.Importance = widget.DangerImportance
	} else {
		w.retention.SetText(retentionWords(d.ret, now))
		w.retention.Importance = widget.MediumImportance
		if app.DueSoon(d.ret.DeleteAt, now) {
			w.retention.Importance = widget.WarningImportance
		}
	}
	w.retention.Refresh()

	var open *app.Hold
	for _, h := range d.holds {
		if h.ReleasedAt.IsZero() {
			open = h
		}
	}
	w.held = open != nil
	if open != nil {
		w.holdState.SetText("Under legal hold since " + formatWhen(open.PlacedAt) + ", placed by " + open.PlacedBy + ": " + open.Reason)
		w.holdState.Importance = widget.WarningImportance
	} else {
		w.holdState.SetText("Not under a legal hold.")
		w.holdState.Importance = widget.MediumImportance
	}
	w.holdState.Refresh()
	if w.holdBtn != nil {
		if w.held {
			w.holdBtn.SetText("Release hold")
			w.holdBtn.SetIcon(theme.ConfirmIcon())
			w.holdReason.SetPlaceHolder("Reason for the release")
		} else {
			w.holdBtn.SetText("Place legal hold")
			w.holdBtn.SetIcon(theme.WarningIcon())
			w.holdReason.SetPlaceHolder("Reason for the hold (required)")
		}
	}

	// History, newest first: decisions and holds.
	type event struct {
		at   time.Time
		head string
		body string
	}
	var evs []event
	for _, dec := range d.decisions {
		evs = append(evs, event{dec.At, decisionLabel(dec.Decision) + " — " + dec.Reviewer + ", " + formatWhen(dec.At), dec.Reason})
	}
	for _, h := range d.holds {
		evs = append(evs, event{h.PlacedAt, "Legal hold placed — " + h.PlacedBy + ", " + formatWhen(h.PlacedAt), h.Reason})
		if !h.ReleasedAt.IsZero() {
			evs = append(evs, event{h.ReleasedAt, "Legal hold released — " + h.ReleasedBy + ", " + formatWhen(h.ReleasedAt), h.ReleaseReason})
		}
	}
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && evs[j].at.After(evs[j-1].at); j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
	var objs []fyne.CanvasObject
	for _, e := range evs {
		h := heading(e.head)
		h.Wrapping = fyne.TextWrapWord
		objs = append(objs, h)
		if e.body != "" {
			objs = append(objs, wrapped(e.body))
		}
	}
	if len(objs) == 0 {
		objs = append(objs, wrapped("Nothing recorded yet."))
	}
	w.history.Objects = objs
	w.history.Refresh()
}

// decisionMessage shows a line under the Record button.
func decisionMessage(l *widget.Label, msg string, danger bool) {
	l.Importance = widget.SuccessImportance
	if danger {
		l.Importance = widget.DangerImportance
	}
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// recordDecision records the chosen decision with its reason.
func (s *reviewScreen) recordDecision() {
	p := s.side
	w := &p.dec
	if !p.canDecide || w.record.Disabled() {
		return
	}
	value := ""
	for _, c := range decisionChoices {
		if c.label == w.choice.Selected {
			value = c.value
		}
	}
	reason := strings.TrimSpace(w.reason.Text)
	switch {
	case value == "":
		decisionMessage(w.msg, msgChooseDecision, true)
		return
	case reason == "":
		decisionMessage(w.msg, "Give a reason: it is kept with the decision.", true)
		s.win.Canvas().Focus(w.reason)
		return
	}
	leaves := value == app.DecisionReferPSD && !s.lib.Can(app.PermRestricted)
	do := func() {
		w.record.Disable()
		decisionMessage(w.msg, "", false)
		id := s.id
		s.change("record a decision", func(ctx context.Context) (string, error) {
			_, err := s.lib.Decide(ctx, id, value, reason)
			return "", err
		}, func(err error) {
			w.record.Enable()
			if err != nil {
				decisionMessage(w.msg, "The decision was not recorded: "+formMessage(err), true)
				return
			}
			if leaves {
				msg := "Recording " + id + " was referred to professional standards and is now restricted to them."
				if s.notify != nil {
					s.notify(msg)
				}
				s.goBack()
				return
			}
			w.reason.SetText("")
			w.choice.ClearSelected()
			decisionMessage(w.msg, "Recorded: "+decisionLabel(value)+".", false)
			s.refocus() // the keys go back to the video
		})
	}
	if !leaves {
		do()
		return
	}
	text := wrapped("Referring restricts this recording to professional standards: you will no longer be able to " +
		"find or open it. The referral is recorded in the audit trail.")
	d := dialog.NewCustomConfirm("Refer to professional standards?", "Refer", "Cancel", text, func(ok bool) {
		s.endModal()
		if ok {
			do()
		} else {
			s.refocus()
		}
	}, s.win)
	d.Resize(fyne.NewSize(480, 220))
	s.showModal(d)
}

// holdOrRelease places a legal hold, or asks to release the one in force.
// Both need a reason.
func (s *reviewScreen) holdOrRelease() {
	p := s.side
	w := &p.dec
	if !p.canHold || w.holdBtn.Disabled() || s.modal {
		return
	}
	reason := strings.TrimSpace(w.holdReason.Text)
	release := w.held
	if reason == "" {
		if release {
			decisionMessage(w.holdMsg, "Give a reason for the release.", true)
		} else {
			decisionMessage(w.holdMsg, "Give a reason for the hold.", true)
		}
		s.win.Canvas().Focus(w.holdReason)
		return
	}
	if release {
		s.confirmRelease(reason)
		return
	}
	s.applyHold(false, reason)
}

// confirmRelease says when the footage would be deleted once the hold is
// released, and releases it only when the user confirms.
func (s *reviewScreen) confirmRelease(reason string) {
	w := &s.side.dec
	w.holdBtn.Disable()
	decisionMessage(w.holdMsg, "", false)
	id := s.id
	s.data.push(dataJob{run: func(ctx context.Context) {
		it, err := s.lib.RetentionAfterRelease(ctx, id)
		s.do(func() {
			w.holdBtn.Enable()
			if s.closed {
				return
			}
			if err != nil {
				decisionMessage(w.holdMsg, "The hold was not released: "+formMessage(err), true)
				return
			}
			if s.modal {
				return
			}
			text := widget.NewLabel(app.AfterReleaseWords(it, time.Now()) + "\n\nReason for the release: " + reason +
				"\n\nThe release and its reason are recorded in the audit trail.")
			text.Wrapping = fyne.TextWrapWord
			d := dialog.NewCustomConfirm("Release the legal hold?", "Release hold", "Keep the hold", text, func(ok bool) {
				s.endModal()
				if ok {
					s.applyHold(true, reason)
				} else {
					decisionMessage(w.holdMsg, "The hold stays in force.", false)
				}
				s.refocus()
			}, s.win)
			d.Resize(fyne.NewSize(520, 260))
			s.showModal(d)
		})
	}})
}

// applyHold places (release false) or releases the hold with reason.
func (s *reviewScreen) applyHold(release bool, reason string) {
	w := &s.side.dec
	w.holdBtn.Disable()
	decisionMessage(w.holdMsg, "", false)
	id := s.id
	s.change("legal hold", func(ctx context.Context) (string, error) {
		if release {
			_, err := s.lib.Release(ctx, id, reason)
			return "", err
		}
		_, err := s.lib.Hold(ctx, id, reason)
		return "", err
	}, func(err error) {
		w.holdBtn.Enable()
		switch {
		case err != nil && release:
			decisionMessage(w.holdMsg, "The hold was not released: "+formMessage(err), true)
		case err != nil:
			decisionMessage(w.holdMsg, "The hold was not placed: "+formMessage(err), true)
		case release:
			w.holdReason.SetText("")
			decisionMessage(w.holdMsg, "Hold released: retention applies again.", false)
			s.refocus()
		default:
			w.holdReason.SetText("")
			decisionMessage(w.holdMsg, "Hold placed: retention will not delete this recording.", false)
			s.refocus()
		}
	})
}
