package ui

import (
	"context"
	"slices"
	"sort"

	"exhibit/app"
	"exhibit/app/redact"
)

// Edits of boxes made with the mouse and the keys (UI goroutine).

// keyframeAt is the index of t's keyframe on frame n, and whether it has one.
func keyframeAt(t redact.Track, n int) (int, bool) {
	i := sort.Search(len(t.Keyframes), func(i int) bool { return t.Keyframes[i].Frame >= n })
	return i, i < len(t.Keyframes) && t.Keyframes[i].Frame == n
}

// setKeyframe puts box b at frame n into t (replacing a keyframe there).
func setKeyframe(t *redact.Track, n int, b redact.Box) {
	i, ok := keyframeAt(*t, n)
	if ok {
		t.Keyframes[i].Box = b
		return
	}
	t.Keyframes = append(t.Keyframes, redact.Keyframe{})
	copy(t.Keyframes[i+1:], t.Keyframes[i:])
	t.Keyframes[i] = redact.Keyframe{Frame: n, Box: b}
}

// proposalAt is the detection of p shown on frame n: the one on n, or
// between two of its detections (made every Nth frame) the box
// interpolated as a track's would be.
func proposalAt(p redact.Proposal, n int) (redact.Detection, bool) {
	d := p.Detections
	i := sort.Search(len(d), func(i int) bool { return d[i].Frame > n }) // first after n
	if i == 0 {
		return redact.Detection{}, false
	}
	prev := d[i-1]
	if prev.Frame == n {
		return prev, true
	}
	if i < len(d) {
		next := d[i]
		b := redact.Interpolate(redact.Keyframe{Frame: prev.Frame, Box: prev.Box}, redact.Keyframe{Frame: next.Frame, Box: next.Box}, n)
		return redact.Detection{Frame: n, Box: b, Score: prev.Score}, true
	}
	return redact.Detection{}, false
}

// trackName is how the editor names track i: "1 Face".
func trackName(i int, t redact.Track) string {
	return itoa(i+1) + " " + labelTitle(t.Label)
}

// labelTitle is a label as a word: "Face".
func labelTitle(l redact.Label) string {
	if l == "" {
		return "Region"
	}
	return statusLabel(string(l))
}

// canEdit reports whether the editor accepts an edit now, and says why
// not over the video when it does not.
func (s *redactScreen) canEdit() bool {
	switch {
	case !s.ready() || !s.loaded:
		return false
	case s.preview:
		s.say("Boxes cannot be changed while the preview is shown: press V to go back to editing.", true)
		return false
	case s.isPlaying:
		s.say("Pause first (Space): boxes are set on the frame shown.", true)
		return false
	case s.cur < s.proj.From || s.cur > s.proj.To:
		s.say("This frame is outside the redaction's frames "+itoa(s.proj.From)+"–"+itoa(s.proj.To)+".", true)
		return false
	}
	return true
}

// drawBox makes a new track with box b keyframed on the frame shown. It
// holds its box to the end of the project's frames until more keyframes
// or an out point are set: hiding too much is put right by looking,
// hiding too little is not.
func (s *redactScreen) drawBox(b redact.Box) {
	if !s.canEdit() {
		return
	}
	t := redact.Track{ID: s.saver.ids.provisional(), Shape: redact.Rect, Method: redact.Solid, Label: redact.Face,
		Keyframes: []redact.Keyframe{{Frame: s.cur, Box: b}}, End: s.proj.To}
	s.sel, s.selProp = t.ID, ""
	projID, frame := s.projID, s.cur
	after := cloneTrack(t)
	s.changeTrack("the new box", nil, &after, func(ctx context.Context, ids *redactIDs) (redact.Project, error) {
		id, p, err := s.lib.AddKeyframe(ctx, projID, app.KeyframeInput{Frame: frame, Box: b,
			Shape: t.Shape, Method: t.Method, Label: t.Label, To: t.End})
		if err != nil {
			return p, err
		}
		ids.set(t.ID, id)
		return p, nil
	})
	s.panel.tabs.SelectIndex(0)
}

// moveBox sets track id's box on the frame shown (a keyframe there).
func (s *redactScreen) moveBox(id string, b redact.Box) {
	if !s.canEdit() {
		s.drawBoxes() // the box goes back where it was
		return
	}
	t, ok := s.track(id)
	if !ok {
		return
	}
	before := cloneTrack(t)
	setKeyframe(&t, s.cur, b)
	projID, frame := s.projID, s.cur
	s.changeTrack("the box on frame "+itoa(frame), &before, &t, func(ctx context.Context, ids *redactIDs) (redact.Project, error) {
		_, p, err := s.lib.AddKeyframe(ctx, projID, app.KeyframeInput{Track: ids.get(id), Frame: frame, Box: b})
		return p, err
	})
}

// deleteKeyframe (Del) removes the selected track's keyframe on the frame
// shown; the track's only keyframe takes the track with it.
func (s *redactScreen) deleteKeyframe() {
	if !s.canEdit() {
		return
	}
	if s.sel == "" {
		s.say("Select a box first (click it), then Del removes its keyframe on this frame.", true)
		return
	}
	t, ok := s.track(s.sel)
	if !ok {
		return
	}
	i, ok := keyframeAt(t, s.cur)
	if !ok {
		s.say("This box has no keyframe on frame "+itoa(s.cur)+": it is drawn between its keyframes. "+
			"Del removes a keyframe on its own frame; Delete track in the list removes the whole track.", true)
		return
	}
	before := cloneTrack(t)
	projID, id, frame := s.projID, t.ID, s.cur
	if len(t.Keyframes) == 1 {
		s.changeTrack("the deletion of the track", &before, nil, func(ctx context.Context, ids *redactIDs) (redact.Project, error) {
			return s.lib.DeleteKeyframe(ctx, projID, ids.get(id), frame) // its only keyframe: the track goes
		})
		return
	}
	t.Keyframes = append(t.Keyframes[:i:i], t.Keyframes[i+1:]...)
	s.changeTrack("the deletion of the keyframe on frame "+itoa(frame), &before, &t, func(ctx context.Context, ids *redactIDs) (redact.Project, error) {
		return s.lib.DeleteKeyframe(ctx, projID, ids.get(id), frame)
	})
}

// updateTrack stores new settings of a track made in the side panel: its
// end (SetTrackEnd), or its shape, method, block, label and reason
// (UpdateTrack); anything else changed at once (keyframes) goes as the
// whole track (PutTrack).
func (s *redactScreen) updateTrack(what string, t redact.Track) {
	if !s.ready() || !s.loaded {
		return
	}
	before, ok := s.track(t.ID)
	if !ok {
		return
	}
	projID, id := s.projID, t.ID
	after := cloneTrack(t)
	sameKeys := slices.Equal(before.Keyframes, t.Keyframes)
	switch {
	case sameKeys && before.End != t.End && sameSettings(before, t):
		end := t.End
		s.changeTrack(what, &before, &after, func(ctx context.Context, ids *redactIDs) (redact.Project, error) {
			return s.lib.SetTrackEnd(ctx, projID, ids.get(id), end)
		})
	case sameKeys && before.End == t.End:
		u := app.TrackUpdate{Shape: t.Shape, Method: t.Method, Block: t.Block, Label: t.Label}
		if t.Reason != before.Reason {
			r := t.Reason
			u.Reason = &r
		}
		s.changeTrack(what, &before, &after, func(ctx context.Context, ids *redactIDs) (redact.Project, error) {
			return s.lib.UpdateTrack(ctx, projID, ids.get(id), u)
		})
	default:
		s.putTrack(what, before, t)
	}
}

// sameSettings reports whether a and b have the same shape, method,
// block, label and reason.
func sameSettings(a, b redact.Track) bool {
	return a.Shape == b.Shape && a.Method == b.Method && a.Block == b.Block && a.Label == b.Label && a.Reason == b.Reason
}

// putTrack stores track t whole (PutTrack), before being what it was.
func (s *redactScreen) putTrack(what string, before, t redact.Track) {
	projID := s.projID
	after := cloneTrack(t)
	s.changeTrack(what, &before, &after, func(ctx context.Context, ids *redactIDs) (redact.Project, error) {
		u := cloneTrack(t)
		u.ID = ids.get(u.ID)
		_, p, err := s.lib.PutTrack(ctx, projID, u)
		return p, err
	})
}

// deleteTrack removes track id.
func (s *redactScreen) deleteTrack(id string) {
	before, ok := s.track(id)
	if !ok || !s.ready() {
		return
	}
	projID := s.projID
	s.changeTrack("the deletion of the track", &before, nil, func(ctx context.Context, ids *redactIDs) (redact.Project, error) {
		return s.lib.DeleteTrack(ctx, projID, ids.get(id))
	})
}

// selectItem selects a track or a proposal ("": nothing).
func (s *redactScreen) selectItem(id string, proposal bool) {
	if proposal {
		s.sel, s.selProp = "", id
	} else {
		s.sel, s.selProp = id, ""
	}
	s.drawBoxes()
	s.panel.selectionChanged()
	s.lanes.Refresh()
}
