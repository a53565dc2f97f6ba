package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"exhibit/app/media"
	"exhibit/store"
)

// Frame check states of a recording (Recording.FrameCheck). Ingest builds
// the frame table from the demuxer's packets; the background frame check
// decodes the stored copy and confirms or corrects it.
const (
	FramesPending   = store.FramesPending
	FramesChecked   = store.FramesChecked
	FramesCorrected = store.FramesCorrected
	FramesFailed    = store.FramesFailed
)

// FrameCheckLabel is what the library shows about a recording's frame
// table: "frames being checked" until the background check has decoded it,
// "frame check failed" when its stored copy could not be decoded, and ""
// once the table is confirmed or corrected.
func FrameCheckLabel(r *Recording) string {
	switch r.FrameCheck {
	case FramesPending:
		return "frames being checked"
	case FramesFailed:
		return "frame check failed"
	}
	return ""
}

// FrameCheckResult is the outcome of checking one recording's frame table.
type FrameCheckResult struct {
	ID    string `json:"id"`
	State string `json:"state"` // checked, corrected, failed, or the state it already had
	// PacketFrames is the number of frames in the table built from packets,
	// DecodedFrames what the decoder output (0 when it failed).
	PacketFrames  int `json:"packet_frames"`
	DecodedFrames int `json:"decoded_frames"`
	// Renumbered counts annotations whose frame numbers moved to keep their
	// presentation time.
	Renumbered      int     `json:"annotations_renumbered,omitempty"`
	Seconds         float64 `json:"seconds"`
	FramesPerSecond float64 `json:"frames_per_second"`
	Already         bool    `json:"already,omitempty"` // not pending: nothing was done
	Error           string  `json:"error,omitempty"`
	// Clip, when not empty, is the exhibit reference of a clip whose clip
	// check this is (ID is then its recording, State checked or failed,
	// DecodedFrames the clip's frames).
	Clip string `json:"clip,omitempty"`
}

// clipResult reports a clip check as a FrameCheckResult of its recording.
func clipResult(r ClipCheckResult) FrameCheckResult {
	fps := 0.0
	if r.Seconds > 0 {
		fps = float64(r.Frames) / r.Seconds
	}
	return FrameCheckResult{ID: r.RecordingID, Clip: r.Ref, State: r.State, DecodedFrames: r.Frames, Seconds: r.Seconds,
		FramesPerSecond: fps, Already: r.Already, Error: r.Error}
}

// frameCheckPoll is how often RunFrameChecks looks for recordings another
// process ingested; ingests in this process wake it at once.
const frameCheckPoll = time.Minute

// wakeFrameChecks tells a running RunFrameChecks that a recording awaits
// its check.
func (l *Library) wakeFrameChecks() {
	select {
	case l.frameWake <- struct{}{}:
	default:
	}
}

// RunFrameChecks checks pending frame tables one recording at a time, in
// ingest order, and then pending clips (the clip check: their decoded-frame
// hashes), until ctx ends: the queue is the database, so a check cut
// short (sign-out, window closed, crash) is done again from the start by
// the next run. It waits for new work when the queue is empty (an ingest
// in this process wakes it; other processes' are found within a minute).
// report (may be nil) gets each result on RunFrameChecks' goroutine. It
// runs on the policy's behalf in any signed-in user's session, restricted
// recordings included (the results name only ids); entries are audited as
// that user's.
func (l *Library) RunFrameChecks(ctx context.Context, report func(FrameCheckResult)) error {
	if _, ok := l.Who(); !ok {
		return ErrNotSignedIn
	}
	t := time.NewTicker(frameCheckPoll)
	defer t.Stop()
	for {
		ids, err := l.st.PendingFrameChecks(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			l.log.Warn("frame check queue", "error", err)
		}
		for _, id := range ids {
			r, err := l.checkFrames(ctx, id)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				l.log.Warn("frame check", "id", id, "error", err)
				continue
			}
			if report != nil && !r.Already {
				report(r)
			}
		}
		if err := l.checkPendingClips(ctx, func(r ClipCheckResult) {
			if report != nil {
				report(clipResult(r))
			}
		}); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			l.log.Warn("clip check queue", "error", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-l.frameWake:
		case <-t.C:
		}
	}
}

// CheckFrames runs the frame check now on the recordings named (ids or
// unique prefixes; recordings not pending are reported as they are), or
// on every pending recording when ids is empty (the oldest limit of them
// when limit > 0), and then, when ids is empty, the clip check of every
// pending clip (results with Clip set). It needs the permission to verify. The error is for the
// batch (cancelled, unknown id).
func (l *Library) CheckFrames(ctx context.Context, ids []string, limit int, progress func(id string, i, n int)) ([]FrameCheckResult, error) {
	if _, err := l.requireOn(ctx, PermVerify, "frames.check", l.onlyRecording(ctx, ids)); err != nil {
		return nil, err
	}
	all := len(ids) == 0
	if all {
		var err error
		if ids, err = l.st.PendingFrameChecks(ctx); err != nil {
			return nil, err
		}
		if limit > 0 && len(ids) > limit {
			ids = ids[:limit]
		}
	} else {
		full := make([]string, len(ids))
		for i, id := range ids {
			f, err := l.resolve(ctx, id, "frames.check")
			if err != nil {
				return nil, err
			}
			full[i] = f
		}
		ids = full
	}
	out := make([]FrameCheckResult, 0, len(ids))
	for i, id := range ids {
		if progress != nil {
			progress(id, i, len(ids))
		}
		r, err := l.checkFrames(ctx, id)
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	if !all {
		return out, nil
	}
	err := l.checkPendingClips(ctx, func(r ClipCheckResult) { out = append(out, clipResult(r)) })
	return out, err
}

// checkFrames decodes one recording's stored copy at idle priority and
// confirms or corrects its frame table. A store error is returned; a
// decode failure is a result (state failed, audited).
func (l *Library) checkFrames(ctx context.Context, id string) (FrameCheckResult, error) {
	r := FrameCheckResult{ID: id}
	rec, err := l.st.Get(ctx, id)
	if err != nil {
		return r, err
	}
	r.State, r.PacketFrames = rec.FrameCheck, rec.Frames
	if rec.FrameCheck != FramesPending {
		r.Already = true
		return r, nil
	}
	packets, err := l.frameTable(ctx, id)
	if err != nil {
		return r, err
	}
	r.PacketFrames = packets.Len()
	start := time.Now()
	decoded, derr := l.decodeStored(ctx, id)
	r.Seconds = time.Since(start).Seconds()
	if ctx.Err() != nil {
		return r, ctx.Err() // still pending: the next run does it again
	}
	if derr != nil {
		l.log.Warn("frame check: stored copy does not decode", "id", id, "error", derr)
		e := l.entry("frames.check")
		e.Outcome, e.Detail = store.OutcomeFailed, fmt.Sprintf("stored copy could not be decoded; %d frames from packets kept", r.PacketFrames)
		if err := l.st.FailFrameCheck(ctx, id, e); err != nil {
			return l.checkRaced(ctx, r, err)
		}
		r.State, r.Error = FramesFailed, "the stored copy could not be decoded: "+oneLine(derr)
		return r, nil
	}
	r.DecodedFrames = decoded.Len()
	if r.Seconds > 0 {
		r.FramesPerSecond = float64(r.DecodedFrames) / r.Seconds
	}
	tb, err := decoded.MarshalBinary()
	if err != nil {
		return r, fmt.Errorf("recording %s frame table: %w", id, err)
	}
	diff := packets.Compare(decoded)
	state, action := FramesChecked, "frames.checked"
	e := l.entry(action)
	e.Detail = fmt.Sprintf("%d frames decoded, as the packet table; picture types filled", r.DecodedFrames)
	var remap func(int) int
	if diff.Differs() {
		state, action = FramesCorrected, "frames.corrected"
		e.Action = action
		e.Detail = correctionDetail(diff)
		remap = remapByPTS(packets, decoded)
	}
	n, err := l.st.FinishFrameCheck(ctx, id, state, tb, decoded.Len(), remap, e)
	if err != nil {
		return l.checkRaced(ctx, r, err)
	}
	r.State, r.Renumbered = state, n
	l.log.Info("frame check", "id", id, "state", state, "frames", r.DecodedFrames, "fps", int(r.FramesPerSecond))
	return r, nil
}

// checkRaced turns "another process finished this check first" into that
// process's outcome.
func (l *Library) checkRaced(ctx context.Context, r FrameCheckResult, err error) (FrameCheckResult, error) {
	if !errors.Is(err, store.ErrFrameCheckDone) {
		return r, err
	}
	r.Already = true
	if rec, gerr := l.st.Get(ctx, r.ID); gerr == nil {
		r.State = rec.FrameCheck
	}
	return r, nil
}

// correctionDetail says how a decode differed from the packet table, in
// numbers only (audit details carry no free text).
func correctionDetail(d media.TableDifference) string {
	s := fmt.Sprintf("frame table corrected by decoding: %d frames from packets, %d decoded", d.PacketFrames, d.DecodedFrames)
	if d.FirstPTS >= 0 {
		s += fmt.Sprintf("; first time difference at frame %d", d.FirstPTS)
	}
	if d.KeyFlags > 0 {
		s += fmt.Sprintf("; %d key flags differ", d.KeyFlags)
	}
	return s
}

// remapByPTS maps a frame number of old to the frame of new shown at the
// same presentation time: the frame with that PTS, or else the one whose
// display interval holds it (the last frame at or before it; frame 0 for a
// time before the first).
func remapByPTS(old, new *media.FrameTable) func(int) int {
	return func(n int) int {
		if len(new.Frames) == 0 {
			return n
		}
		if n < 0 || n >= len(old.Frames) {
			n = max(0, min(n, len(old.Frames)-1))
		}
		pts := old.Frames[n].PTS
		if old.TimeBase != new.TimeBase && !new.TimeBase.IsZero() && !old.TimeBase.IsZero() {
			// Rescale: pts * old.tb / new.tb.
			pts = int64(float64(pts) * old.TimeBase.Float() / new.TimeBase.Float())
		}
		j := sort.Search(len(new.Frames), func(i int) bool { return new.Frames[i].PTS > pts }) - 1
		return max(j, 0)
	}
}

// decodeStored decodes the stored copy of a recording at idle priority,
// read through the decrypting reader over the loopback URL.
func (l *Library) decodeStored(ctx context.Context, id string) (*media.FrameTable, error) {
	m, err := l.st.OpenMaster(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("master: %w", err)
	}
	defer func() { _ = m.Close() }() // read only; the decode's result is what counts
	url, stop, err := ServeReaderAt(m, m.Size(), "")
	if err != nil {
		return nil, err
	}
	defer stop()
	return media.ReadFrameTableIdle(ctx, url)
}

// fillFrameCheck sets FrameCheck on list summaries: pending or failed from
// the store's short list, checked for the rest.
func (l *Library) fillFrameCheck(ctx context.Context, recs []*Recording) error {
	states, err := l.st.UncheckedFrames(ctx)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if st, ok := states[r.ID]; ok {
			r.FrameCheck = st
		} else if r.FrameCheck == "" {
			r.FrameCheck = FramesChecked
		}
	}
	return nil
}
