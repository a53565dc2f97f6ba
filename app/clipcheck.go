package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"exhibit/app/media"
	"exhibit/store"
)

// The clip check. CreateClip keeps a clip once its structure is proven
// (media.CutLosslessFrom, media.TranscodeCourt); the decoded-frame hashes of
// the clip itself and of the master range (for a lossless clip equal to
// them row for row; for a court copy one master frame per clip frame, in
// order, at its time) are computed afterwards: in the background at
// idle priority (RunFrameChecks, after the recordings' frame checks), by
// `exhibit check-frames`, or at once by an export that needs them
// (CheckClip). The queue is derivatives.frame_check, so a check cut short
// is done again by the next run. A clip whose decoded frames are not as
// its structure promised (or whose stored copy does not decode) is marked
// failed, audited, and never exported.

// ErrClipCheckFailed reports a clip whose clip check failed.
var ErrClipCheckFailed = errors.New("the clip failed its frame check")

// ClipCheckLabel is what the library shows about a clip's check: "frames
// being checked" until it has run, "frame check failed" when it failed,
// and "" once checked.
func ClipCheckLabel(d *Derivative) string {
	switch d.FrameCheck {
	case FramesPending:
		return "frames being checked"
	case FramesFailed:
		return "frame check failed"
	}
	return ""
}

// ClipCheckResult is the outcome of one clip check.
type ClipCheckResult struct {
	ID          string  `json:"id"`
	Ref         string  `json:"ref"`
	RecordingID string  `json:"recording_id"`
	State       string  `json:"state"` // checked, failed, or the state it already had
	Frames      int     `json:"frames"`
	Seconds     float64 `json:"seconds"`
	Already     bool    `json:"already,omitempty"` // not pending: nothing was done
	Error       string  `json:"error,omitempty"`
}

// CheckClip runs the clip check of a derivative now (at normal priority)
// if it has not run, and returns the derivative as it then is. It needs
// the permission to export (an export forces the check of the clips it
// carries). A clip whose check failed gives an error wrapping
// ErrClipCheckFailed.
func (l *Library) CheckClip(ctx context.Context, id string) (*Derivative, error) {
	if _, err := l.require(ctx, PermExport, "clip.check"); err != nil {
		return nil, err
	}
	d, err := l.derivative(ctx, id, "clip.check")
	if err != nil {
		return nil, err
	}
	if d.FrameCheck == FramesPending {
		if _, err := l.checkClip(ctx, d.ID, false); err != nil {
			return nil, err
		}
		if d, err = l.st.GetDerivative(ctx, d.ID); err != nil {
			return nil, err
		}
	}
	if d.FrameCheck == FramesFailed {
		return d, fmt.Errorf("clip %s: %w", d.Ref, ErrClipCheckFailed)
	}
	return d, nil
}

// checkPendingClips runs the clip check of every pending clip, oldest
// first, at idle priority, reporting each outcome; it stops when ctx ends.
func (l *Library) checkPendingClips(ctx context.Context, report func(ClipCheckResult)) error {
	ids, err := l.st.PendingClipChecks(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		r, err := l.checkClip(ctx, id, true)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			l.log.Warn("clip check", "id", id, "error", err)
			continue
		}
		if report != nil && !r.Already {
			report(r)
		}
	}
	return nil
}

// checkClip decodes one pending clip's stored copy and master frames
// From..To and records the decoded-frame hashes with
// the outcome: checked, or failed (audited with outcome failed). A store
// error is returned; a decode failure is a result. idle runs the decoders
// at nice 19.
func (l *Library) checkClip(ctx context.Context, id string, idle bool) (ClipCheckResult, error) {
	r := ClipCheckResult{ID: id}
	d, err := l.st.GetDerivative(ctx, id)
	if err != nil {
		return r, err
	}
	r.Ref, r.RecordingID, r.State = d.Ref, d.RecordingID, d.FrameCheck
	if d.FrameCheck != FramesPending {
		r.Already = true
		return r, nil
	}
	rec, err := l.st.Get(ctx, d.RecordingID)
	if err != nil {
		return r, err
	}
	ft, err := l.frameTable(ctx, d.RecordingID)
	if err != nil {
		return r, err
	}
	rng := media.ClipRange{Table: ft, From: d.From, To: d.To, Container: rec.Container}
	start := time.Now()
	own, master, cerr := l.decodeClip(ctx, d, rng, idle)
	r.Seconds = time.Since(start).Seconds()
	if ctx.Err() != nil {
		return r, ctx.Err() // still pending: the next run does it again
	}
	if cerr == nil {
		cerr = clipFramesAsPromised(d, own, master, rng)
	}
	if rows, err := media.ParseFrameHash(own); err == nil {
		r.Frames = len(rows)
	}
	state := FramesChecked
	e := l.entry("clip.checked")
	e.Detail = fmt.Sprintf("%d frames decoded as made", r.Frames)
	if cerr != nil {
		state, r.Error = FramesFailed, oneLine(cerr)
		e.Action, e.Outcome = "clip.check", store.OutcomeFailed
		e.Detail = "decoded frames not as made: " + oneLine(cerr)
		l.log.Warn("clip check failed", "clip", d.Ref, "error", cerr)
	}
	if err := l.st.FinishClipCheck(ctx, id, state, own, master, e); err != nil {
		if !errors.Is(err, store.ErrFrameCheckDone) {
			return r, err
		}
		r.Already = true
		if now, gerr := l.st.GetDerivative(ctx, id); gerr == nil {
			r.State = now.FrameCheck
		}
		return r, nil
	}
	r.State = state
	return r, nil
}

// decodeClip returns the framehash of the stored clip and of master
// frames From..To, decoded at once on two processes.
func (l *Library) decodeClip(ctx context.Context, d *Derivative, rng media.ClipRange, idle bool) (own, master []byte, err error) {
	cm, err := l.st.OpenDerivative(ctx, d.ID)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = cm.Close() }() // read only
	curl, cstop, err := ServeReaderAt(cm, cm.Size(), "clip")
	if err != nil {
		return nil, nil, err
	}
	defer cstop()
	type result struct {
		b   []byte
		err error
	}
	mres := make(chan result, 1)
	hctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m, err := l.st.OpenMaster(ctx, d.RecordingID)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = m.Close() }() // read only
	murl, mstop, err := ServeReaderAt(m, m.Size(), "master")
	if err != nil {
		return nil, nil, err
	}
	defer mstop()
	go func() {
		var b []byte
		var err error
		if idle {
			b, err = media.RangeFrameHashIdle(hctx, murl, rng)
		} else {
			b, err = media.RangeFrameHash(hctx, murl, rng)
		}
		mres <- result{b, err}
	}()
	if idle {
		own, err = media.FrameHashIdle(ctx, curl)
	} else {
		own, err = media.FrameHash(ctx, curl)
	}
	if err != nil {
		cancel()
	}
	mr := <-mres
	if err == nil {
		err = mr.err
	}
	if err != nil {
		return nil, nil, fmt.Errorf("decode: %w", err)
	}
	return own, mr.b, nil
}

// clipFramesAsPromised compares a clip's decoded frames with what its
// structure promised: a lossless clip equal to master frames From..To row
// for row; a court copy one frame per entry of its frame map, each at its
// master frame's time, and master frames From..To decoded once each, in
// order, each at its time, one per entry of the frame map (which names
// them in order).
func clipFramesAsPromised(d *Derivative, own, master []byte, rng media.ClipRange) error {
	if d.Kind == KindClipLossless {
		return media.SameFrames(own, master)
	}
	for _, h := range []struct {
		what string
		b    []byte
	}{{"the court copy", own}, {"the master range", master}} {
		rows, err := media.ParseFrameHash(h.b)
		if err != nil {
			return fmt.Errorf("%s: %w", h.what, err)
		}
		if len(rows) != len(d.FrameMap) {
			return fmt.Errorf("%s decodes to %d frames, the frame map has %d", h.what, len(rows), len(d.FrameMap))
		}
		tb, err := media.FrameHashTimeBase(h.b)
		if err != nil {
			return fmt.Errorf("%s: %w", h.what, err)
		}
		if err := media.CheckCourtFrames(h.b, tb, rng); err != nil {
			return fmt.Errorf("%s: %w", h.what, err)
		}
	}
	for i, mf := range d.FrameMap {
		if mf != d.From+i {
			return fmt.Errorf("the frame map gives master frame %d for clip frame %d, want %d", mf, i, d.From+i)
		}
	}
	return nil
}
