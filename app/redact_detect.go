package app

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"exhibit/app/media"
	"exhibit/app/redact"
	"exhibit/store"
)

// Face proposals and tracking for redaction (issue 12). Detection and
// tracking read the master through the decrypting reader over the
// loopback URL (ffmpeg decodes exact frames to downscaled luma, streamed
// to Go); nothing decrypted is written to disk. Detection never redacts by
// itself: it saves pending proposals (SaveProposals) that a reviewer
// accepts or rejects. Both need what changing the project needs
// (PermExport, the recording visible to the user) and are audited.

// Audit actions of detection and tracking.
const (
	actRedactDetect = "redact.detect"
	actRedactFollow = "redact.follow"
)

// DetectWidth is the width pictures are scaled to for face detection: a
// face is found from 20 pixels at this scale (60 px in 1080p footage).
const DetectWidth = 640

// DefaultDetectEvery is the spacing of the frames DetectFaces examines
// when none is given.
const DefaultDetectEvery = 5

// DetectResult is the outcome of a face detection run.
type DetectResult struct {
	// Proposals are the pending proposals the run saved, with their ids.
	Proposals []redact.Proposal
	// Project is the project as saved.
	Project redact.Project
	// Frames is the number of frames examined, Detections the faces found
	// on them.
	Frames, Detections int
}

// detectJob is a project ready for detection or tracking: its recording,
// frame table and master served on the loopback interface.
type detectJob struct {
	project redact.Project
	rec     *store.Recording
	table   *media.FrameTable
	url     string
	close   func()
}

// openDetectJob checks the gate for action (PermExport, the project's
// recording visible to the user) and serves the master.
func (l *Library) openDetectJob(ctx context.Context, projectID, action string) (*detectJob, error) {
	recID, _ := l.st.RedactionRecording(ctx, projectID) // for naming it in a denied entry only
	if _, err := l.requireOn(ctx, PermExport, action, recID); err != nil {
		return nil, err
	}
	full, err := l.redactionRecording(ctx, projectID, action)
	if err != nil {
		return nil, err
	}
	p, err := l.st.RedactionProject(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("redaction %s: %w", projectID, err)
	}
	rec, err := l.st.Get(ctx, full)
	if err != nil {
		return nil, fmt.Errorf("recording %s: %w", full, err)
	}
	if rec.Width <= 0 || rec.Height <= 0 {
		return nil, fmt.Errorf("recording %s: the picture size is unknown", full)
	}
	ft, err := l.frameTable(ctx, full)
	if err != nil {
		return nil, err
	}
	m, err := l.st.OpenMaster(ctx, full)
	if err != nil {
		return nil, fmt.Errorf("master of recording %s: %w", full, err)
	}
	url, stop, err := ServeReaderAt(m, m.Size(), "")
	if err != nil {
		_ = m.Close() // read only
		return nil, err
	}
	return &detectJob{project: p, rec: rec, table: ft, url: url, close: func() {
		stop()
		_ = m.Close() // read only: what was read is what counts
	}}, nil
}

// audit writes the run's entry: the recording, and a detail of ids and
// numbers only.
func (l *Library) auditDetect(ctx context.Context, action string, j *detectJob, outcome, detail string) error {
	e := l.entry(action)
	e.RecordingID, e.SHA256 = j.rec.ID, j.rec.SHA256
	e.Outcome, e.Detail = outcome, "redaction "+j.project.ID+": "+detail
	return l.st.Audit(ctx, e)
}

// DetectFaces looks for frontal faces on every Nth frame of a redaction
// project's frames (every <= 0: DefaultDetectEvery), groups them into
// proposals across frames and saves them as the project's pending
// proposals (replacing pending ones; accepted and rejected ones stay).
// progress, when not nil, gets the frames examined so far and the total;
// it is called from the detection goroutines, one call at a time, and must
// not block long.
// Cancelling ctx stops ffmpeg and saves nothing.
func (l *Library) DetectFaces(ctx context.Context, projectID string, every int, progress func(done, total int)) (DetectResult, error) {
	return l.detectFaces(ctx, projectID, every, false, progress)
}

// DetectFacesInBackground is DetectFaces for work nobody waits on (the
// editor after its fast path): ffmpeg runs at the lowest CPU priority
// (nice 19), as the background frame check does, and one goroutine
// detects.
func (l *Library) DetectFacesInBackground(ctx context.Context, projectID string, every int, progress func(done, total int)) (DetectResult, error) {
	return l.detectFaces(ctx, projectID, every, true, progress)
}

func (l *Library) detectFaces(ctx context.Context, projectID string, every int, idle bool, progress func(done, total int)) (DetectResult, error) {
	if every <= 0 {
		every = DefaultDetectEvery
	}
	j, err := l.openDetectJob(ctx, projectID, actRedactDetect)
	if err != nil {
		return DetectResult{}, err
	}
	defer j.close()
	p := j.project
	dets, frames, err := detectRange(ctx, j, p.From, p.To, every, idle, progress)
	if err != nil {
		if aerr := l.auditDetect(context.WithoutCancel(ctx), actRedactDetect, j, store.OutcomeFailed,
			fmt.Sprintf("frames %d-%d every %d", p.From, p.To, every)); aerr != nil {
			return DetectResult{}, errors.Join(err, aerr)
		}
		return DetectResult{}, fmt.Errorf("face detection on redaction %s: %w", p.ID, err)
	}
	props := redact.GroupDetections(dets, redact.GroupOptions{MaxGap: 2 * every})
	return l.saveDetections(ctx, j, props, frames, len(dets), fmt.Sprintf("frames %d-%d every %d", p.From, p.To, every))
}

// DetectFacesAt is the fast path for the editor's visible frame: it looks
// for faces on frame n only and saves one proposal per face found, as
// DetectFaces does (replacing pending proposals), so they are on screen
// at once; a DetectFaces run over the whole project replaces them.
func (l *Library) DetectFacesAt(ctx context.Context, projectID string, n int) (DetectResult, error) {
	j, err := l.openDetectJob(ctx, projectID, actRedactDetect)
	if err != nil {
		return DetectResult{}, err
	}
	defer j.close()
	p := j.project
	if n < p.From || n > p.To {
		return DetectResult{}, fmt.Errorf("frame %d: %w (frames %d-%d)", n, ErrOutsideProject, p.From, p.To)
	}
	dets, frames, err := detectRange(ctx, j, n, n, 1, false, nil)
	if err != nil {
		return DetectResult{}, fmt.Errorf("face detection on frame %d of redaction %s: %w", n, p.ID, err)
	}
	props := redact.GroupDetections(dets, redact.GroupOptions{})
	return l.saveDetections(ctx, j, props, frames, len(dets), fmt.Sprintf("frame %d", n))
}

func (l *Library) saveDetections(ctx context.Context, j *detectJob, props []redact.Proposal, frames, dets int, what string) (DetectResult, error) {
	before := map[string]bool{}
	for _, pr := range j.project.Proposals {
		before[pr.ID] = true
	}
	saved, err := l.SaveProposals(ctx, j.project.ID, props)
	if err != nil {
		return DetectResult{}, err
	}
	detail := fmt.Sprintf("%s: %d frames examined, %d faces in %d proposals", what, frames, dets, len(props))
	if err := l.auditDetect(ctx, actRedactDetect, j, store.OutcomeOK, detail); err != nil {
		return DetectResult{}, err
	}
	res := DetectResult{Project: saved, Frames: frames, Detections: dets}
	for _, pr := range saved.Proposals {
		if pr.State == redact.Pending && !before[pr.ID] {
			res.Proposals = append(res.Proposals, pr)
		}
	}
	return res, nil
}

// detectRange decodes frames from..to (every Nth) of the job's master at
// DetectWidth and detects faces on them: ffmpeg decodes in its process
// while GOMAXPROCS goroutines detect (detection costs more than decoding,
// so the decoder is rarely the one waiting); idle: ffmpeg at nice 19 and
// one goroutine.
func detectRange(ctx context.Context, j *detectJob, from, to, every int, idle bool, progress func(done, total int)) ([]redact.Detection, int, error) {
	det, err := redact.NewDetector(redact.DetectOptions{})
	if err != nil {
		return nil, 0, err
	}
	w, h := redact.WorkingSize(j.rec.Width, j.rec.Height, DetectWidth)
	total := (to-from)/every + 1
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	frames := make(chan media.LumaFrame, 4)
	var (
		mu   sync.Mutex
		dets []redact.Detection
		done int
		wg   sync.WaitGroup
	)
	workers := runtime.GOMAXPROCS(0)
	if idle {
		workers = 1
	}
	for range workers {
		wg.Go(func() {
			for f := range frames {
				ds := det.Detect(f.Frame, f.Image, j.rec.Width, j.rec.Height)
				mu.Lock()
				dets = append(dets, ds...)
				done++
				if progress != nil {
					progress(done, total)
				}
				mu.Unlock()
			}
		})
	}
	err = media.ReadLuma(ctx, j.url, media.LumaOptions{Table: j.table, From: from, To: to, Every: every, Width: w, Height: h, Idle: idle},
		func(f media.LumaFrame) error {
			select {
			case frames <- f:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	close(frames)
	wg.Wait()
	if err != nil {
		return nil, 0, err
	}
	return dets, done, nil
}

// TrackRequest says what TrackBox follows and how far.
type TrackRequest struct {
	// TrackID names a track of the project to follow from its box on
	// Frame; its keyframes re-anchor the tracker. Without it, Box on Frame
	// is followed.
	TrackID string
	Box     redact.Box
	Frame   int
	// Backward follows toward the project's first frame instead of its last.
	Backward bool
	// To is the last frame to follow to (inclusive). One that is not
	// beyond Frame in the direction of tracking, or outside the project
	// (e.g. 0 or -1), means the project's last frame (first, backward).
	To int
	// Every is the spacing of the keyframes produced (0: 5 frames).
	Every int
}

// TrackBox follows a box (a track's box on a frame, or a box drawn there)
// forward or backward through the project's frames by template matching
// and returns the keyframes it produced, in source pixels, for the caller
// to show and save (PutTrack or AddKeyframe): nothing is stored. It stops
// where the match is lost, saying so in the result's Message.
func (l *Library) TrackBox(ctx context.Context, projectID string, req TrackRequest) (redact.TrackResult, error) {
	j, err := l.openDetectJob(ctx, projectID, actRedactFollow)
	if err != nil {
		return redact.TrackResult{}, err
	}
	defer j.close()
	p := j.project
	if req.Frame < p.From || req.Frame > p.To {
		return redact.TrackResult{}, fmt.Errorf("frame %d: %w (frames %d-%d)", req.Frame, ErrOutsideProject, p.From, p.To)
	}
	var anchors []redact.Keyframe
	box := req.Box
	if req.TrackID != "" {
		i, err := trackIndex(&p, req.TrackID)
		if err != nil {
			return redact.TrackResult{}, err
		}
		t := p.Tracks[i]
		b, ok := t.BoxAt(req.Frame)
		if !ok {
			return redact.TrackResult{}, fmt.Errorf("track %s does not cover frame %d (frames %d-%d)", t.ID, req.Frame, t.In(), t.Out())
		}
		box, anchors = b, t.Keyframes
	}
	if err := checkBox(j.rec, box); err != nil {
		return redact.TrackResult{}, err
	}
	dir, to := 1, req.To
	if req.Backward {
		dir = -1
		if to < p.From || to >= req.Frame {
			to = p.From
		}
	} else if to > p.To || to <= req.Frame {
		to = p.To
	}
	ww, wh := redact.WorkingSize(j.rec.Width, j.rec.Height, redact.TrackWorkingWidth(j.rec.Width, box))
	tr := redact.NewTracker(redact.Keyframe{Frame: req.Frame, Box: box}, dir, anchors, j.rec.Width, j.rec.Height, ww, wh,
		redact.TrackOptions{Every: req.Every})
	errStop := errors.New("tracking stopped")
	feed := func(f media.LumaFrame) error {
		if !tr.Step(f.Frame, f.Image) {
			return errStop
		}
		return nil
	}
	opt := media.LumaOptions{Table: j.table, Width: ww, Height: wh}
	if dir > 0 {
		opt.From, opt.To = req.Frame, to
		err = media.ReadLuma(ctx, j.url, opt, feed)
	} else {
		err = readBackward(ctx, j.url, opt, req.Frame, to, feed)
	}
	if err != nil && !errors.Is(err, errStop) {
		return redact.TrackResult{}, fmt.Errorf("tracking on redaction %s: %w", p.ID, err)
	}
	res := tr.Result()
	what := "box"
	if req.TrackID != "" {
		what = "track " + strings.ToUpper(strings.TrimSpace(req.TrackID))
	}
	detail := fmt.Sprintf("%s from frame %d to %d: %d keyframes", what, res.From, res.Last, len(res.Keyframes))
	if res.Lost {
		detail += fmt.Sprintf(", lost at frame %d", res.LostAt)
	}
	if err := l.auditDetect(ctx, actRedactFollow, j, store.OutcomeOK, detail); err != nil {
		return redact.TrackResult{}, err
	}
	return res, nil
}

// trackChunk is how many frames a backward run decodes at a time.
const trackChunk = 50

// readBackward delivers frames from down to to (from >= to) in that order:
// it decodes chunks of frames forward, each from a seek, and hands each
// chunk over last frame first.
func readBackward(ctx context.Context, url string, o media.LumaOptions, from, to int, fn func(media.LumaFrame) error) error {
	for hi := from; hi >= to; hi -= trackChunk {
		lo := max(to, hi-trackChunk+1)
		var chunk []media.LumaFrame
		o.From, o.To = lo, hi
		if err := media.ReadLuma(ctx, url, o, func(f media.LumaFrame) error {
			chunk = append(chunk, f)
			return nil
		}); err != nil {
			return err
		}
		for i := len(chunk) - 1; i >= 0; i-- {
			if err := fn(chunk[i]); err != nil {
				return err
			}
		}
	}
	return nil
}
