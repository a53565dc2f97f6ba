package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
	"exhibit/app/redact"
)

// Proposals and whole-picture and sound ranges (UI goroutine). Range
// edits are undone like track edits (PutFrameRange / PutAudioRange);
// proposal decisions are not (an accepted proposal is a track, deleted
// like any other).

// decideProposals accepts (or rejects) proposals ids.
func (s *redactScreen) decideProposals(accept bool, ids ...string) {
	if len(ids) == 0 || !s.ready() || !s.loaded {
		return
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	state := redact.Rejected
	what := "the rejection of " + countOf(len(ids), "proposal")
	if accept {
		state, what = redact.Accepted, "the acceptance of "+countOf(len(ids), "proposal")
	}
	for i := range s.proj.Proposals {
		if want[s.proj.Proposals[i].ID] {
			s.proj.Proposals[i].State = state
		}
	}
	if want[s.selProp] {
		s.selProp = ""
	}
	projID := s.projID
	s.saver.push(redactOp{what: what, run: func(ctx context.Context, _ *redactIDs) (redact.Project, error) {
		if accept {
			_, p, err := s.lib.AcceptProposals(ctx, projID, ids...)
			return p, err
		}
		return s.lib.RejectProposals(ctx, projID, ids...)
	}})
	s.projectChanged()
}

// rangeDialog asks for the reason (and for the picture, the method) of a
// whole-picture ("picture") or sound ("mute", "bleep") range over the
// frames marked with I and O, and adds it.
func (s *redactScreen) rangeDialog(kind string) {
	if !s.ready() || !s.loaded || s.modal || s.in < 0 || s.out < s.in {
		return
	}
	from, to := s.in, s.out
	if from < s.proj.From || to > s.proj.To {
		s.say("The marked frames "+itoa(from)+"–"+itoa(to)+" are not all within the redaction's frames "+
			itoa(s.proj.From)+"–"+itoa(s.proj.To)+".", true)
		return
	}
	reason := newEscEntry()
	reason.SetPlaceHolder("Why it is hidden (kept sealed)")
	method := widget.NewRadioGroup([]string{methodTitle(redact.Solid), methodTitle(redact.Blur)}, nil)
	method.Horizontal = true
	method.Required = true
	method.SetSelected(methodTitle(redact.Solid))
	t0, t1 := s.frames[from], s.frames[to]+s.frameInterval()
	if to+1 < s.count {
		t1 = s.frames[to+1]
	}
	var title, text string
	items := []*widget.FormItem{}
	switch kind {
	case "picture":
		title = "Hide the whole picture"
		text = "Frames " + itoa(from) + "–" + itoa(to) + " will show nothing of the picture."
		items = append(items, widget.NewFormItem("Method", method))
	case "mute":
		title = "Mute the sound"
		text = "Silence from " + formatSpan(t0, t1) + " (frames " + itoa(from) + "–" + itoa(to) + ")."
	default:
		title = "Bleep the sound"
		text = "A 1 kHz tone instead of the sound from " + formatSpan(t0, t1) + " (frames " + itoa(from) + "–" + itoa(to) + ")."
	}
	lbl := widget.NewLabel(text)
	lbl.Wrapping = fyne.TextWrapWord
	items = append([]*widget.FormItem{widget.NewFormItem("", lbl)}, append(items, widget.NewFormItem("Reason", reason))...)
	reason.Validator = func(v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New("a reason is needed")
		}
		return nil
	}
	d := dialog.NewForm(title, "Add", "Cancel", items, func(ok bool) {
		s.endModal()
		if ok {
			s.addRange(kind, from, to, t0, t1, pick([]redact.Method{redact.Solid, redact.Blur}, method.Selected, methodTitle),
				strings.TrimSpace(reason.Text))
		}
		s.refocus()
	}, s.win)
	reason.onEscape = d.Hide
	d.Resize(fyne.NewSize(520, d.MinSize().Height))
	s.showModal(d)
	s.win.Canvas().Focus(reason)
}

// formatSpan is a span of media time: "00:00:01.000 to 00:00:02.400".
func formatSpan(a, b time.Duration) string {
	return app.FormatMediaTime(a) + " to " + app.FormatMediaTime(b)
}

// addRange adds a whole-picture or sound range and clears the marks.
func (s *redactScreen) addRange(kind string, from, to int, t0, t1 time.Duration, m redact.Method, reason string) {
	projID := s.projID
	var op func(ctx context.Context, _ *redactIDs) (redact.Project, error)
	prov := s.saver.ids.provisional()
	switch kind {
	case "picture":
		f := redact.FrameRange{ID: prov, From: from, To: to, Method: m, Reason: reason}
		s.proj.Frames = append(s.proj.Frames, f)
		s.pushUndo(trackEdit{rng: &rangeEdit{frameAfter: &f}})
		op = func(ctx context.Context, ids *redactIDs) (redact.Project, error) {
			id, p, err := s.lib.AddFrameRange(ctx, projID, from, to, m, reason)
			if err == nil {
				ids.set(prov, id)
			}
			return p, err
		}
	default:
		k := redact.Mute
		if kind == "bleep" {
			k = redact.Bleep
		}
		a := redact.AudioRange{ID: prov, From: t0, To: t1, Kind: k, Reason: reason}
		s.proj.Audio = append(s.proj.Audio, a)
		s.pushUndo(trackEdit{rng: &rangeEdit{audioAfter: &a}})
		op = func(ctx context.Context, ids *redactIDs) (redact.Project, error) {
			id, p, err := s.lib.AddAudioRange(ctx, projID, t0, t1, k, reason)
			if err == nil {
				ids.set(prov, id)
			}
			return p, err
		}
	}
	s.saver.push(redactOp{what: "the new range", run: op})
	s.in, s.out = -1, -1
	s.timeline.SetPendingIn(-1)
	s.panel.rangeChanged()
	s.projectChanged()
}

// deleteRange removes whole-picture range i (i < len(Frames)) or sound
// range i-len(Frames), after asking (undo brings it back).
func (s *redactScreen) deleteRange(i int) {
	if !s.ready() || !s.loaded || s.modal {
		return
	}
	var (
		desc string
		e    rangeEdit
	)
	switch {
	case i < len(s.proj.Frames):
		f := s.proj.Frames[i]
		desc = "the hidden picture over frames " + itoa(f.From) + "–" + itoa(f.To)
		e.frameBefore = &f
	case i-len(s.proj.Frames) < len(s.proj.Audio):
		a := s.proj.Audio[i-len(s.proj.Frames)]
		desc = "the " + string(a.Kind) + " from " + formatSpan(a.From, a.To)
		e.audioBefore = &a
	default:
		return
	}
	d := dialog.NewConfirm("Delete range", "Delete "+desc+"? What it hid will be shown in the render.", func(ok bool) {
		s.endModal()
		if ok {
			s.pushUndo(trackEdit{rng: &e})
			s.restoreRange(&e, false)
		}
		s.refocus()
	}, s.win)
	s.showModal(d)
}

func deleteWhere[T any](xs []T, f func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if !f(x) {
			out = append(out, x)
		}
	}
	return out
}
