package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"exhibit/app/media"
	"exhibit/store"
)

// DerivativeKind says what a derivative is (court-playable or lossless clip).
type DerivativeKind = store.DerivativeKind

// Kinds of derivatives.
const (
	KindClipCourt    = store.KindClipCourt
	KindClipLossless = store.KindClipLossless
)

// Recipe is exactly how a derivative was made: the ffmpeg version line and
// the full argument list (and any step beyond ffmpeg, in Notes).
type Recipe = store.Recipe

// Derivative is a clip kept as an exhibit of its own (see store.Derivative).
type Derivative = store.Derivative

// ErrNotLossless reports a range that cannot be cut from its source without
// re-encoding so that it decodes to exactly the master's frames.
var ErrNotLossless = media.ErrNotLossless

// ErrFramesCorrected reports a clip refused because the frame check run
// for it (the recording's table was still the one built from packets at
// ingest) corrected the frame table: frame numbers chosen before it may
// name other frames now.
var ErrFramesCorrected = errors.New("frame table corrected by decoding just now")

// ErrFramesUnchecked reports a clip refused because the recording's frame
// table could not be confirmed by decoding (its frame check failed).
var ErrFramesUnchecked = errors.New("frame table not confirmed by decoding")

// ClipRequest asks for a clip of master frames From..To (inclusive,
// 0-based) of a recording.
type ClipRequest struct {
	RecordingID string // id or unique prefix
	From, To    int    // inclusive, 0-based master frames
	Lossless    bool
	Overlay     bool // court copy only: a strip with exhibit ref, frame and camera time
}

// CreateClip makes a clip of a recording, reading the master from the vault
// through the decrypting reader (nothing decrypted from the master touches
// the disk), proves it from its structure (see media.CutLosslessFrom and
// media.TranscodeCourt), stores it encrypted in the vault as a derivative
// and, when out is not empty, also writes it to out (a temp file in out's
// folder, synced and renamed: never a partial file). A lossless clip that
// cannot be proven from its packets is checked by decoding before it is
// kept; it must decode to exactly the master's frames, else the error
// wraps ErrNotLossless and nothing is kept. The decoded-frame hashes (the
// clip's own and the master range's) are left to the clip check
// (FrameCheck pending, see RunFrameChecks and CheckClip). progress, when not nil, gets the fraction
// done (0..1). Audited as clip.create with both hashes.
func (l *Library) CreateClip(ctx context.Context, req ClipRequest, out string, progress func(frac float64)) (*Derivative, error) {
	const action = "clip.create"
	who, err := l.requireOn(ctx, PermExport, action, req.RecordingID)
	if err != nil {
		return nil, err
	}
	if req.Lossless && req.Overlay {
		return nil, errors.New("an overlay can only be burned into a court copy, not a lossless clip")
	}
	id, err := l.resolve(ctx, req.RecordingID, action)
	if err != nil {
		return nil, err
	}
	rec, err := l.st.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	setup := time.Now()
	if err := l.confirmFrames(ctx, rec, req, progress); err != nil {
		return nil, err
	}
	ft, err := l.frameTable(ctx, id)
	if err != nil {
		return nil, err
	}
	if req.From < 0 || req.To < req.From || req.To >= ft.Len() {
		return nil, fmt.Errorf("frames %d-%d: %w (frames 0 to %d)", req.From, req.To, ErrOutOfRange, ft.Len()-1)
	}
	report := func(f float64) {
		if progress != nil {
			progress(f)
		}
	}
	report(0)
	// The recipe's tool line, read beside the cut (a process start).
	type versionResult struct {
		line string
		err  error
	}
	version := make(chan versionResult, 1)
	go func() {
		line, err := media.FFmpegVersion(ctx)
		version <- versionResult{line, err}
	}()
	defer func() { <-version }() // the goroutine has ended (a result is always put back below)
	dir := l.st.Dir()
	if out != "" {
		dir = filepath.Dir(out)
	}
	tmpDir, err := os.MkdirTemp(dir, ".exhibit-clip-*")
	if err != nil {
		return nil, fmt.Errorf("clip: %w", err)
	}
	defer func() { _ = os.RemoveAll(tmpDir) }() // the temp folder; a leftover is only a hidden folder of ours
	tmp := filepath.Join(tmpDir, "clip.mp4")

	m, err := l.st.OpenMaster(ctx, id)
	if err != nil {
		return nil, err
	}
	defer func() { _ = m.Close() }() // read only
	url, stop, err := ServeReaderAt(m, m.Size(), "master")
	if err != nil {
		return nil, err
	}
	defer stop()

	trace("setup (frame table, master, loopback)", time.Since(setup))
	r := media.ClipRange{Table: ft, From: req.From, To: req.To, Container: rec.Container}
	d := &Derivative{RecordingID: id, MasterSHA256: rec.SHA256, From: req.From, To: req.To, CreatedBy: who.Name,
		FrameCheck: FramesPending}
	// Steps and their share of the work: cut 0.9, vault 0.1.
	stage := func(base, span float64) func(float64) {
		return func(f float64) { report(base + span*f) }
	}
	var res *media.ClipResult
	var pw *store.PackageWriter // the lossless cut, encrypted as ffmpeg writes it
	defer func() {
		if pw != nil {
			_ = pw.Discard() // a no-op once it is committed; else an early return left it
		}
	}()
	if req.Lossless {
		d.Kind = KindClipLossless
		length := ticksToDuration(ft.Frames[req.To].PTS-ft.Frames[req.From].PTS, ft.TimeBase)
		follower, ferr := l.followClip(ctx, tmp, followMargin(length), out != "")
		if ferr != nil {
			return nil, ferr
		}
		res, err = media.CutLosslessFrom(ctx, media.Master{URL: url, Reader: newChunkReader(m, m.Size()), Size: m.Size(), DeferProof: true},
			tmp, rec.AudioCodec, r, stage(0, 0.9))
		pw = follower.pw
		ferr = follower.finish()
		vaultTrace("packages sealed while ffmpeg wrote", follower.sealed.Load())
		if ferr != nil || err != nil {
			_ = pw.Discard() // nothing of it can be relied on; the cut's error, or the follower's, is returned
			pw = nil
			if err == nil && ctx.Err() == nil {
				// Not fatal: the clip is stored from the start instead.
				l.log.Warn("encrypting the clip while it was written failed; storing it afterwards", "error", ferr)
			} else if err == nil {
				err = ctx.Err()
			}
		}
	} else {
		d.Kind = KindClipCourt
		o := media.CourtOptions{Audio: rec.AudioCodec != "", Height: rec.Height}
		if req.Overlay {
			o.Overlay = fmt.Sprintf("%s frames %d-%d", rec.ID, req.From, req.To)
			wc := rec.RecordedAt.Add(ticksToDuration(ft.Frames[req.From].PTS-ft.Frames[0].PTS, ft.TimeBase))
			o.WallClock0 = float64(wc.UnixMicro()) / 1e6
		}
		res, err = media.TranscodeCourt(ctx, url, tmp, r, o, stage(0, 0.9))
	}
	if err != nil {
		return nil, l.clipFailed(ctx, rec, req, err)
	}
	trace("ffmpeg", res.FFmpegTime)
	if res.Prove == nil {
		trace("proof", res.ProofTime)
	}
	ver := <-version
	version <- ver // for the deferred receive
	if ver.err != nil {
		return nil, l.clipFailed(ctx, rec, req, ver.err)
	}
	d.FrameMap = res.FrameMap
	d.Recipe = Recipe{Tool: ver.line, Args: recipeArgs(res.Args, url, tmp, rec.ID), Notes: res.Notes}
	if res.Proof != "" {
		d.Recipe.Notes = append(d.Recipe.Notes, res.Proof)
	}
	// A deferred proof (lossless) runs while the clip is encrypted into
	// the vault; the record is committed only once it holds.
	var gate func() error
	if res.Prove != nil {
		proof := make(chan error, 1)
		go func() {
			t := time.Now()
			note, err := res.Prove()
			trace("proof (beside the vault write)", time.Since(t))
			if err == nil {
				d.Recipe.Notes = append(d.Recipe.Notes, note)
			} else {
				res.Unproven = err.Error()
			}
			proof <- err
		}()
		gate = func() error {
			if err := <-proof; err != nil {
				return &unprovenError{err}
			}
			return nil
		}
	} else if res.Proof == "" {
		gate = func() error { return &unprovenError{errors.New(res.Unproven)} }
	}
	report(0.9)
	t := time.Now()
	err = l.keepClipFrom(ctx, "clip.create", d, tmp, out, gate, pw)
	var unproven *unprovenError
	if errors.As(err, &unproven) {
		// Not proven from its structure (a lossless cut of a container
		// that frames the codec's units differently): compare decoded
		// frames now, then keep it.
		l.log.Info("clip not proven from its packets; decoding to check", "id", rec.ID, "reason", unproven.err)
		td := time.Now()
		if err := l.decodeCheckLossless(ctx, d, url, tmp, r); err != nil {
			return nil, l.clipFailed(ctx, rec, req, err)
		}
		trace("decode check", time.Since(td))
		t = time.Now()
		err = l.keepClip(ctx, "clip.create", d, tmp, out, nil)
	}
	if err != nil {
		return nil, err
	}
	trace("vault and output", time.Since(t))
	if d.FrameCheck == FramesPending {
		l.wakeFrameChecks()
	}
	report(1)
	return d, nil
}

// unprovenError is a clip whose structure could not prove it.
type unprovenError struct{ err error }

func (e *unprovenError) Error() string { return "not proven from its structure: " + e.err.Error() }

// decodeCheckLossless proves a lossless cut by decoding: the clip's frames
// and master frames From..To, decoded at once on two processes, must be
// equal row for row. d then carries both frame hashes and is checked.
func (l *Library) decodeCheckLossless(ctx context.Context, d *Derivative, url, clip string, r media.ClipRange) error {
	type result struct {
		b   []byte
		err error
	}
	master := make(chan result, 1)
	hashCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		b, err := media.RangeFrameHash(hashCtx, url, r)
		master <- result{b, err}
	}()
	own, err := media.FrameHash(ctx, clip)
	if err != nil {
		cancel()
	}
	mh := <-master
	if err == nil {
		err = mh.err
	}
	if err != nil {
		return err
	}
	if err := media.SameFrames(own, mh.b); err != nil {
		return fmt.Errorf("%w: %w", ErrNotLossless, err)
	}
	d.FrameHash, d.MasterFrameHash, d.FrameCheck = own, mh.b, FramesChecked
	d.Recipe.Notes = append(d.Recipe.Notes, "checked when written by decoding: the clip's frames equal master frames From-To row for row")
	return nil
}

// clipTrace, when set (by the benchmarks), gets how long each stage of
// CreateClip took.
var clipTrace func(stage string, took time.Duration)

// clipVaultTrace, when set (by tests), gets counts about how a clip went
// into the vault.
var clipVaultTrace func(what string, n int64)

func vaultTrace(what string, n int64) {
	if clipVaultTrace != nil {
		clipVaultTrace(what, n)
	}
}

func trace(stage string, took time.Duration) {
	if clipTrace != nil {
		clipTrace(stage, took)
	}
}

// recipeArgs writes a recipe as a third party runs it on files: the
// input is the master (file master-<id>; the loopback URL was random and
// is gone), the output clip.mp4, and progress reporting is left out.
func recipeArgs(args []string, url, tmp, id string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == url:
			a = "master-" + id
		case a == "file:"+tmp:
			a = "clip.mp4"
		case a == "-protocol_whitelist" && i+1 < len(args):
			i++
			continue
		case a == "-progress" && i+1 < len(args):
			i++
			continue
		case a == "-nostats":
			continue
		}
		out = append(out, a)
	}
	return out
}

// confirmFrames makes sure a clip is cut against a frame table confirmed
// by decoding. A table still pending (built from the demuxer's packets at
// ingest, the background check not done yet) is checked now, on this
// goroutine, with the frame check's own code (audited as frames.checked or
// frames.corrected). If the check corrects the table, the range the caller
// chose by the old numbering may name other frames, so the clip is refused
// (the caller's marks were renumbered by the check); a table whose stored
// copy did not decode is refused too. rec is updated to the checked state.
func (l *Library) confirmFrames(ctx context.Context, rec *Recording, req ClipRequest, progress func(float64)) error {
	switch rec.FrameCheck {
	case FramesFailed:
		return l.clipFailed(ctx, rec, req, fmt.Errorf("recording %s: %w: its stored copy could not be decoded", rec.ID, ErrFramesUnchecked))
	case FramesPending:
	default:
		return nil
	}
	if progress != nil {
		progress(0)
	}
	r, err := l.checkFrames(ctx, rec.ID)
	if err != nil {
		return fmt.Errorf("recording %s: frame check before the clip: %w", rec.ID, err)
	}
	fresh, err := l.st.Get(ctx, rec.ID)
	if err != nil {
		return err
	}
	*rec = *fresh
	switch r.State {
	case FramesChecked:
		return nil
	case FramesCorrected:
		return l.clipFailed(ctx, rec, req, fmt.Errorf("recording %s: %w: decoding found %d frames where the packets gave %d; frame numbers may have moved",
			rec.ID, ErrFramesCorrected, r.DecodedFrames, r.PacketFrames))
	default: // failed (now, or by another process's check)
		return l.clipFailed(ctx, rec, req, fmt.Errorf("recording %s: %w: its stored copy could not be decoded", rec.ID, ErrFramesUnchecked))
	}
}

// clipFailed audits a failed clip (the reason, which holds no free text)
// and returns err.
func (l *Library) clipFailed(ctx context.Context, rec *Recording, req ClipRequest, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	e := l.entry("clip.create")
	e.RecordingID, e.SHA256, e.Outcome = rec.ID, rec.SHA256, store.OutcomeFailed
	e.Detail = fmt.Sprintf("frames %d-%d lossless=%v: %s", req.From, req.To, req.Lossless, oneLine(err))
	if aerr := l.st.Audit(ctx, e); aerr != nil {
		return errors.Join(err, aerr)
	}
	l.log.Warn("clip failed", "id", rec.ID, "error", err)
	return err
}

// keepClip encrypts the clip into the vault, commits its record with the
// audit entry (action), and then puts it at out. The copy at out is made durable
// while the vault copy is written and read back. gate, when not nil, is
// called before the commit (the proof, run beside the vault write); its
// error discards the vault copy and is returned as it is.
func (l *Library) keepClip(ctx context.Context, action string, d *Derivative, tmp, out string, gate func() error) error {
	return l.keepClipFrom(ctx, action, d, tmp, out, gate, nil)
}

// keepClipFrom is keepClip for a clip partly encrypted into the vault
// already (pw, by a clipFollower; nil: none). pw is finished or discarded.
func (l *Library) keepClipFrom(ctx context.Context, action string, d *Derivative, tmp, out string, gate func() error, pw *store.PackageWriter) error {
	synced := make(chan error, 1)
	if out != "" {
		go func() { synced <- syncFile(tmp) }()
	} else {
		synced <- nil
	}
	f, err := os.Open(tmp)
	if err != nil {
		if serr := <-synced; serr != nil {
			err = errors.Join(err, fmt.Errorf("write %s: %w", out, serr))
		}
		if gate != nil {
			_ = gate() // wait for the proof's goroutine; the open error is what counts
		}
		if pw != nil {
			_ = pw.Discard() // failure path: the open error is returned
		}
		return err
	}
	t := time.Now()
	p, err := l.vaultCopy(ctx, f, pw)
	_ = f.Close() // read only; what was read is verified by hash
	trace("  vault: hash, encrypt, write, read back", time.Since(t))
	if err != nil {
		err = fmt.Errorf("store clip in the vault: %w", err)
	}
	if gate != nil {
		t = time.Now()
		if gerr := gate(); err == nil {
			err = gerr
		}
		trace("  proof: waited for (the rest of it)", time.Since(t))
	}
	t = time.Now()
	serr := <-synced
	trace("  output copy: fsync (the rest of it)", time.Since(t))
	if err == nil && serr != nil {
		err = fmt.Errorf("write %s: %w", out, serr)
	}
	if err != nil {
		if p != nil {
			_ = p.Discard() // failure path: that error is returned; a leftover is removed at the next open
		}
		return err
	}
	e := l.entry(action)
	if d.FrameCheck == FramesPending {
		e.Detail = "frames being checked"
	}
	t = time.Now()
	if err := l.st.CommitDerivative(ctx, p, d, e); err != nil {
		return fmt.Errorf("store clip: %w", err)
	}
	trace("  commit: vault fsync (the rest of it), row, audit", time.Since(t))
	if out == "" {
		return nil
	}
	if err := os.Rename(tmp, out); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return store.SyncDir(filepath.Dir(out))
}

// vaultCopy stores the file f in the vault and reads the stored copy back
// (Pending.Verify passed). With pw (packages of f sealed while it was
// written), only the rest is sealed; if the stored copy then differs from
// f, it is discarded and f stored again from the start, with a fresh key.
func (l *Library) vaultCopy(ctx context.Context, f *os.File, pw *store.PackageWriter) (*store.Pending, error) {
	if pw != nil {
		st, err := f.Stat()
		if err != nil {
			_ = pw.Discard() // failure path: the stat error is returned
			return nil, err
		}
		p, err := pw.Finish(ctx, f, st.Size())
		if err == nil {
			if err = p.Verify(ctx, nil); err == nil {
				return p, nil
			}
			_ = p.Discard() // it is stored again below
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		l.log.Warn("the clip's copy encrypted while it was written does not hold; storing it again", "error", err)
		vaultTrace("stored again from the start", 1)
	}
	p, err := l.st.WriteMaster(ctx, f, nil)
	if err == nil {
		if err = p.Verify(ctx, nil); err != nil {
			_ = p.Discard() // failure path: the verify error is returned
			p = nil
		}
	}
	return p, err
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close() // failure path: the sync error is returned
		return err
	}
	return f.Close()
}

// Clips returns the derivatives of a recording the signed-in user may see
// (a restricted recording's clips are as restricted as it is).
func (l *Library) Clips(ctx context.Context, recordingID string) ([]*Derivative, error) {
	id, err := l.resolve(ctx, recordingID, "clip.list")
	if err != nil {
		return nil, err
	}
	return l.st.Derivatives(ctx, id)
}

// Derivative returns one derivative by id or exhibit reference, if the
// signed-in user may see its recording.
func (l *Library) Derivative(ctx context.Context, id string) (*Derivative, error) {
	return l.derivative(ctx, id, "clip.show")
}

func (l *Library) derivative(ctx context.Context, id, action string) (*Derivative, error) {
	if _, err := l.require(ctx, PermView, action); err != nil {
		return nil, err
	}
	d, err := l.st.GetDerivative(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := l.resolve(ctx, d.RecordingID, action); err != nil {
		if errors.Is(err, ErrNotPermitted) {
			return nil, fmt.Errorf("%s: %w", id, store.ErrNoDerivative)
		}
		return nil, err
	}
	return d, nil
}

// OpenDerivative opens a derivative's file for reading: a decrypting
// io.ReaderAt over its vault file. The access is audited (clip.open).
// Call close when done.
func (l *Library) OpenDerivative(ctx context.Context, id string) (ra io.ReaderAt, size int64, close func() error, err error) {
	d, err := l.derivative(ctx, id, "clip.open")
	if err != nil {
		return nil, 0, nil, err
	}
	m, err := l.st.OpenDerivative(ctx, d.ID)
	if err != nil {
		return nil, 0, nil, err
	}
	e := l.entry("clip.open")
	e.RecordingID, e.SHA256 = d.RecordingID, d.MasterSHA256
	e.Detail = fmt.Sprintf("%s %s sha256 %s", d.Ref, d.ID, d.SHA256)
	if err := l.st.Audit(ctx, e); err != nil {
		_ = m.Close() // read only, failure path: the audit error is returned
		return nil, 0, nil, err
	}
	return m, m.Size(), m.Close, nil
}

// MarkRange returns the recording and frame range of an annotation (a
// point marker gives one frame), for clipping a marked range.
func (l *Library) MarkRange(ctx context.Context, annotationID string) (recordingID string, from, to int, err error) {
	a, err := l.annotation(ctx, annotationID, "clip.create")
	if err != nil {
		return "", 0, 0, err
	}
	if a.Deleted {
		return "", 0, 0, fmt.Errorf("annotation %s: %w", annotationID, store.ErrAnnotationDeleted)
	}
	return a.RecordingID, a.FrameIn, a.FrameOut, nil
}

// IsAnnotationID reports whether s has the shape of an annotation id (and
// so is not a recording id or prefix).
func IsAnnotationID(s string) bool {
	s = strings.TrimSpace(s)
	return len(s) == store.AnnotationIDLength && !strings.ContainsAny(s, "-")
}
