package ui

import (
	"context"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2/widget"

	"exhibit/app/redact"
)

// Autosave. Every edit changes the project on screen at once and queues
// one library call; the saver runs the calls in order on its own
// goroutine. When one fails, saving stops there, the screen keeps every
// edit and says so in a sentence, and "Save again" runs the queue on from
// the call that failed, so nothing is lost and nothing is saved out of
// order. Each call returns the project as stored; when the queue is empty
// the last one replaces the project on screen (its version, and what the
// store made of the edits).
//
// A new track gets a provisional id ("new:N") on screen until the library
// returns its stored id; calls queued meanwhile name it by the provisional
// id and the saver maps it (ids).

// redactOp is one queued library call.
type redactOp struct {
	// what names the edit in the sentence shown when it fails ("the new box").
	what string
	run  func(ctx context.Context, ids *redactIDs) (redact.Project, error)
}

// redactIDs maps provisional track ids to stored ones.
type redactIDs struct {
	mu sync.Mutex
	m  map[string]string
	n  int
}

// provisional returns a new provisional id.
func (r *redactIDs) provisional() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	return "new:" + itoa(r.n)
}

// set records the stored id of a provisional one.
func (r *redactIDs) set(prov, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[string]string{}
	}
	r.m[prov] = id
}

// get is the stored id of id (id itself when it is not provisional or not
// stored yet).
func (r *redactIDs) get(id string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v, ok := r.m[id]; ok {
		return v
	}
	return id
}

// isProvisional reports whether id is a provisional id.
func isProvisional(id string) bool { return strings.HasPrefix(id, "new:") }

// redactSaver runs the editor's library calls in order.
type redactSaver struct {
	mu   sync.Mutex
	ops  []redactOp
	err  error  // the failure that stopped saving; nil while saving
	what string // the failed edit
	done bool   // the editor closed: finish the queue, then stop
	wake chan struct{}
	ids  redactIDs
}

func newRedactSaver() *redactSaver { return &redactSaver{wake: make(chan struct{}, 1)} }

func (q *redactSaver) poke() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// push queues op. It never blocks.
func (q *redactSaver) push(op redactOp) {
	q.mu.Lock()
	q.ops = append(q.ops, op)
	q.mu.Unlock()
	q.poke()
}

// retry runs the queue on from the call that failed.
func (q *redactSaver) retry() {
	q.mu.Lock()
	q.err = nil
	q.mu.Unlock()
	q.poke()
}

// closing asks the saver to finish what is queued (with a time limit per
// call) and stop.
func (q *redactSaver) closing() {
	q.mu.Lock()
	q.done = true
	q.mu.Unlock()
	q.poke()
}

// state is what the status line shows: calls not yet saved, and the
// failure that stopped saving.
func (q *redactSaver) state() (pending int, what string, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.ops), q.what, q.err
}

// saveCallTimeout bounds one call made after the editor closed.
const saveCallTimeout = 10 * time.Second

// run executes the queue until the editor closes and the queue is empty
// (or a call fails after closing). It tells the editor after each call.
func (q *redactSaver) run(ctx context.Context, s *redactScreen) {
	for {
		select {
		case <-q.wake:
		case <-ctx.Done():
		}
		for {
			q.mu.Lock()
			if q.err != nil || len(q.ops) == 0 {
				if q.done {
					q.mu.Unlock()
					return
				}
				q.mu.Unlock()
				break
			}
			op := q.ops[0]
			closing := q.done
			q.mu.Unlock()
			c, cancel := ctx, context.CancelFunc(func() {})
			if closing || ctx.Err() != nil {
				c, cancel = context.WithTimeout(context.WithoutCancel(ctx), saveCallTimeout)
			}
			p, err := op.run(c, &q.ids)
			cancel()
			q.mu.Lock()
			if err != nil {
				q.err, q.what = err, op.what
			} else {
				q.ops = q.ops[1:]
			}
			empty := err == nil && len(q.ops) == 0
			q.mu.Unlock()
			switch {
			case err != nil:
				s.log.Error("redaction save", "project", s.projID, "edit", op.what, "error", err)
				s.do(s.saveState)
			case empty:
				s.do(func() { s.stored(p) }) // shows the state too
			default:
				s.do(s.saveState)
			}
		}
	}
}

// stored shows the project as the store holds it once every edit made
// is saved (UI goroutine).
func (s *redactScreen) stored(p redact.Project) {
	if s.closed {
		return
	}
	if n, _, failed := s.saver.state(); n > 0 || failed != nil {
		return // newer edits are on screen; their calls bring them
	}
	s.sel = s.saver.ids.get(s.sel)
	s.proj = p
	s.projectChanged()
}

// saveState shows where saving stands (UI goroutine).
func (s *redactScreen) saveState() {
	if s.closed {
		return
	}
	n, what, err := s.saver.state()
	switch {
	case err != nil:
		s.status.Importance = widget.DangerImportance
		s.status.SetText("Not saved: " + what + " could not be stored (" + reviewErrorMessage(err) +
			"). Your edits are kept on screen; Save again stores them.")
		s.retryBtn.Show()
	case n > 0:
		s.status.Importance = widget.MediumImportance
		s.status.SetText("Saving…")
		s.retryBtn.Hide()
	default:
		s.status.Importance = widget.MediumImportance
		s.status.SetText("All changes saved · project version " + itoa(s.proj.Version))
		s.retryBtn.Hide()
	}
	s.status.Refresh()
}

// trackEdit is one undoable edit: a track before and after it (nil
// before: the edit made it; nil after: the edit deleted it).
type trackEdit struct {
	before, after *redact.Track
	// rng, when set, makes it an edit of a whole-picture or sound range
	// instead.
	rng *rangeEdit
}

// rangeEdit is a range before and after an edit (nil: none); one of the
// two pairs is used.
type rangeEdit struct {
	frameBefore, frameAfter *redact.FrameRange
	audioBefore, audioAfter *redact.AudioRange
}

// pushUndo records an edit and forgets what was undone.
func (s *redactScreen) pushUndo(e trackEdit) {
	s.undo = append(s.undo, e)
	if len(s.undo) > maxUndo {
		s.undo = s.undo[len(s.undo)-maxUndo:]
	}
	s.redo = nil
}

// restoreRange turns a range back (undo) or forth (redo) on screen and in
// the store: PutFrameRange / PutAudioRange, or its deletion.
func (s *redactScreen) restoreRange(r *rangeEdit, undo bool) {
	projID, what := s.projID, "the redo"
	if undo {
		what = "the undo"
	}
	if r.frameBefore != nil || r.frameAfter != nil {
		from, to := r.frameBefore, r.frameAfter
		if undo {
			from, to = to, from
		}
		if from != nil {
			id := from.ID
			s.proj.Frames = deleteWhere(s.proj.Frames, func(f redact.FrameRange) bool { return s.sameID(f.ID, id) })
		}
		if to == nil {
			id := from.ID
			s.saver.push(redactOp{what: what, run: func(ctx context.Context, ids *redactIDs) (redact.Project, error) {
				return s.lib.DeleteFrameRange(ctx, projID, ids.get(id))
			}})
		} else {
			f := *to
			s.proj.Frames = append(s.proj.Frames, f)
			s.saver.push(redactOp{what: what, run: func(ctx context.Context, ids *redactIDs) (redact.Project, error) {
				g := f
				g.ID = ids.get(g.ID)
				_, p, err := s.lib.PutFrameRange(ctx, projID, g)
				return p, err
			}})
		}
	} else {
		from, to := r.audioBefore, r.audioAfter
		if undo {
			from, to = to, from
		}
		if from != nil {
			id := from.ID
			s.proj.Audio = deleteWhere(s.proj.Audio, func(a redact.AudioRange) bool { return s.sameID(a.ID, id) })
		}
		if to == nil {
			id := from.ID
			s.saver.push(redactOp{what: what, run: func(ctx context.Context, ids *redactIDs) (redact.Project, error) {
				return s.lib.DeleteAudioRange(ctx, projID, ids.get(id))
			}})
		} else {
			a := *to
			s.proj.Audio = append(s.proj.Audio, a)
			s.saver.push(redactOp{what: what, run: func(ctx context.Context, ids *redactIDs) (redact.Project, error) {
				b := a
				b.ID = ids.get(b.ID)
				_, p, err := s.lib.PutAudioRange(ctx, projID, b)
				return p, err
			}})
		}
	}
	s.projectChanged()
}

// maxUndo is how many edits undo reaches back.
const maxUndo = 100

// changeTrack makes one edit of a track: before and after as in
// trackEdit, shown at once; op is the one library call that stores it.
func (s *redactScreen) changeTrack(what string, before, after *redact.Track, op func(ctx context.Context, ids *redactIDs) (redact.Project, error)) {
	s.applyTrack(before, after)
	s.pushUndo(trackEdit{before: before, after: after})
	s.saver.push(redactOp{what: what, run: op})
	s.projectChanged()
}

// applyTrack replaces before with after in the project on screen.
func (s *redactScreen) applyTrack(before, after *redact.Track) {
	id := ""
	switch {
	case after != nil:
		id = after.ID
	case before != nil:
		id = before.ID
	}
	i := s.trackIndex(id)
	switch {
	case after == nil && i >= 0:
		s.proj.Tracks = append(s.proj.Tracks[:i:i], s.proj.Tracks[i+1:]...)
		if s.sameID(s.sel, id) {
			s.sel = ""
		}
	case after != nil && i >= 0:
		s.proj.Tracks[i] = cloneTrack(*after)
	case after != nil:
		s.proj.Tracks = append(s.proj.Tracks, cloneTrack(*after))
	}
}

// sameID reports whether two track ids (stored or provisional) are one.
func (s *redactScreen) sameID(a, b string) bool {
	return a != "" && s.saver.ids.get(a) == s.saver.ids.get(b)
}

// trackIndex is the index of track id in the project on screen (-1: none).
func (s *redactScreen) trackIndex(id string) int {
	for i, t := range s.proj.Tracks {
		if s.sameID(t.ID, id) {
			return i
		}
	}
	return -1
}

// track returns a copy of track id.
func (s *redactScreen) track(id string) (redact.Track, bool) {
	if i := s.trackIndex(id); i >= 0 {
		return cloneTrack(s.proj.Tracks[i]), true
	}
	return redact.Track{}, false
}

// cloneTrack copies t, keyframes included.
func cloneTrack(t redact.Track) redact.Track {
	t.Keyframes = append([]redact.Keyframe(nil), t.Keyframes...)
	return t
}

// undoEdit (Ctrl+Z) puts the track or range of the last edit back as it
// was.
func (s *redactScreen) undoEdit() {
	if !s.ready() || len(s.undo) == 0 {
		if s.ready() {
			s.say("Nothing to undo.", true)
		}
		return
	}
	e := s.undo[len(s.undo)-1]
	s.undo = s.undo[:len(s.undo)-1]
	s.redo = append(s.redo, e)
	if e.rng != nil {
		s.restoreRange(e.rng, true)
		return
	}
	s.restore(e.after, e.before, "undo")
}

// redoEdit (Ctrl+Shift+Z, Ctrl+Y) makes the last undone edit again.
func (s *redactScreen) redoEdit() {
	if !s.ready() || len(s.redo) == 0 {
		if s.ready() {
			s.say("Nothing to redo.", true)
		}
		return
	}
	e := s.redo[len(s.redo)-1]
	s.redo = s.redo[:len(s.redo)-1]
	s.undo = append(s.undo, e)
	if e.rng != nil {
		s.restoreRange(e.rng, false)
		return
	}
	s.restore(e.before, e.after, "redo")
}

// restore turns track from into to (either may be nil) on screen and in
// the store: PutTrack of the whole track, or its deletion.
func (s *redactScreen) restore(from, to *redact.Track, what string) {
	s.applyTrack(from, to)
	s.panel.followLbl.Hide() // it spoke of the track before the undo or redo
	projID := s.projID
	if to == nil {
		id := from.ID
		s.saver.push(redactOp{what: "the " + what, run: func(ctx context.Context, ids *redactIDs) (redact.Project, error) {
			return s.lib.DeleteTrack(ctx, projID, ids.get(id))
		}})
	} else {
		t := cloneTrack(*to)
		s.saver.push(redactOp{what: "the " + what, run: func(ctx context.Context, ids *redactIDs) (redact.Project, error) {
			u := cloneTrack(t)
			u.ID = ids.get(u.ID)
			_, p, err := s.lib.PutTrack(ctx, projID, u)
			return p, err
		}})
	}
	if to != nil {
		s.sel = to.ID
	}
	s.projectChanged()
}

// projectChanged redraws everything that shows the project.
func (s *redactScreen) projectChanged() {
	if s.closed {
		return
	}
	if s.preview {
		s.drawPicture()
	}
	s.drawBoxes()
	s.lanes.Refresh()
	s.panel.projectChanged()
	s.undoBtn.Disable()
	s.redoBtn.Disable()
	if len(s.undo) > 0 && s.ready() {
		s.undoBtn.Enable()
	}
	if len(s.redo) > 0 && s.ready() {
		s.redoBtn.Enable()
	}
	s.saveState()
	if redactShown != nil {
		redactShown(s)
	}
}
