package player

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime/cgo"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	mpv "github.com/gen2brain/go-mpv"
)

// Engine plays one Source with libmpv and renders frames in software. All
// methods are safe for concurrent use; navigation calls are serialised.
type Engine struct {
	src   Source
	opt   Options
	tl    *timeline
	log   *slog.Logger
	c     *core
	r     *renderer
	cache *frameCache
	pool  *bufPool
	note  *notifier
	evq   *eventQueue
	vault *vaultSource
	vtag  cgo.Handle
	pf    *prefetcher // nil for the hidden Engine or with prefetch off
	pfEnd chan struct{}

	done      chan struct{} // closed by Close
	closed    chan struct{} // closed when libmpv is destroyed
	closeOnce sync.Once
	loopDone  chan struct{}

	// hmu guards the mpv handle against destruction: API calls hold it for
	// reading, teardown takes it for writing.
	hmu  sync.RWMutex
	dead bool

	// op serialises navigation (seek, step, play, pause).
	op sync.Mutex

	// Event loop state, under mu.
	mu       sync.Mutex
	restarts uint64 // playback-restart events
	// libmpv reports every seek it executes with a seek event (its own
	// too, such as keep-open's seek to the last frame) and the end of the
	// latest one with playback-restart. restartSeeks is the number of seek
	// events seen when the latest playback-restart arrived, so a restart
	// ends a seek executed after a point where seeks was s iff
	// restartSeeks > s.
	seeks        uint64
	restartSeeks uint64
	replies      map[uint64]*cmdReply // async commands awaiting their reply
	loaded       bool
	ended        bool
	endErr       error
	eof          bool
	paused       bool
	timePos      float64
	drops        int64
	lastError    string
	fatal        error // sticky failure (source read error)

	// Navigation state: written under op and mu, read under mu.
	shown   int  // frame shown to the user
	mpvAt   int  // frame mpv is positioned on (paused), -1 unknown
	playing bool // unpaused by Play
	settled bool // false after playback until the shown frame is pinned down
	loopA   int
	loopB   int // -1: no loop
	playPos atomic.Int64
	looping atomic.Bool
	dropsAt int64 // frame-drop-count when playback started
	// playTag is the cache tag of the frames drawn by the running playback
	// (provisional until Pause checks them, see stopLocked); seeksAt is the
	// number of seek events when it started. Under mu.
	playTag uint64
	seeksAt uint64

	// Audio is deselected while frame-stepping (with audio selected,
	// libmpv paces each step by the audio clock, ~one frame duration) and
	// selected again by Play. Under op.
	audioTrack string // mpv's aid at open ("no" without audio)
	audioOff   bool

	speed   float64       // under mu
	playGen uint64        // under mu: incremented by every Play
	stalls  atomic.Int32  // consecutive restarts by watchStart
	cmdIDs  atomic.Uint64 // reply ids of async commands
	fills   atomic.Int64  // back steps that decoded a GOP on the main handle
	// trace, if set (benchmarks, before the first call), receives where
	// each navigation call's time went.
	trace func(stepTrace)
	// outside is the hidden Engine's cache tag outside a prefetch job: a
	// tag never confirmed, so nothing its libmpv presents between jobs is
	// ever served (0, verified, for a main Engine).
	outside uint64

	// Navigation activity, for the prefetcher's hidden Engine (which waits
	// for quiet): busy counts running navigation calls, busyEnd is when the
	// last one ended (Unix ns), idle is broadcast when one ends.
	busy    atomic.Int32
	busyEnd atomic.Int64
	// fromCache marks a navigation call served from the cache without
	// libmpv: it does not restart the hidden decoder's quiet period.
	fromCache atomic.Bool
	idle      notifier
}

// Open starts libmpv on src, shows frame 0 (paused) and returns the Engine.
func Open(src Source, opt Options) (*Engine, error) {
	tl, err := newTimeline(src)
	if err != nil {
		return nil, err
	}
	if (src.Reader == nil) == (src.Path == "") {
		return nil, fmt.Errorf("%w: %s: set exactly one of Reader and Path", ErrInvalidSource, src.Name)
	}
	if src.Reader != nil && src.Size <= 0 {
		return nil, fmt.Errorf("%w: %s: Reader needs a positive Size", ErrInvalidSource, src.Name)
	}
	if opt.Width < 0 || opt.Height < 0 {
		return nil, fmt.Errorf("player: negative render size %dx%d", opt.Width, opt.Height)
	}
	if opt.AudioOutput == "" {
		opt.AudioOutput = DefaultAudioOutput
	}
	if opt.CacheBytes == 0 {
		opt.CacheBytes = DefaultCacheBytes
	}
	if opt.DemuxerBytes <= 0 {
		opt.DemuxerBytes = 64 << 20
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 10 * time.Second
	}
	if opt.LogLevel == "" {
		opt.LogLevel = "warn"
	}
	e := &Engine{
		src:      src,
		opt:      opt,
		tl:       tl,
		log:      slog.Default().With("component", "player", "media", src.Name),
		pool:     newBufPool(),
		cache:    opt.shared,
		note:     &notifier{},
		done:     make(chan struct{}),
		closed:   make(chan struct{}),
		loopDone: make(chan struct{}),
		shown:    0,
		mpvAt:    -1,
		loopB:    -1,
		speed:    1,
		paused:   true,
		replies:  map[uint64]*cmdReply{},
	}
	if e.cache == nil {
		e.cache = newFrameCache(opt.CacheBytes)
	}
	e.evq = newEventQueue(e.done)
	e.r = newRenderer(tl.count(), e.pool, e.cache, e.note)
	e.r.onNew = e.onFrame
	if opt.hidden {
		e.outside = e.cache.newTag()
		e.r.setTag(e.outside)
	}
	if e.c, err = newCore(); err != nil {
		close(e.done)
		return nil, err
	}
	if err := e.configure(); err != nil {
		e.c.m.TerminateDestroy()
		close(e.done)
		return nil, err
	}
	started := make(chan error, 1)
	go e.r.run(e.c.newRenderCtx, started)
	if err := <-started; err != nil {
		e.c.m.TerminateDestroy()
		close(e.done)
		return nil, fmt.Errorf("%w: %s: %w", ErrPlayback, src.Name, err)
	}
	if src.Reader != nil {
		if err := e.openVault(); err != nil {
			close(e.done)
			close(e.r.quit)
			<-e.r.done
			e.c.m.TerminateDestroy()
			return nil, err
		}
	}
	go e.eventLoop()

	if err := e.load(); err != nil {
		_ = e.Close()
		return nil, err
	}
	if !opt.hidden && !opt.NoPrefetch && e.cache.budget > 0 {
		e.pf = newPrefetcher(e)
	}
	return e, nil
}

// configure sets libmpv options before mpv_initialize.
func (e *Engine) configure() error {
	opts := [][2]string{
		{"config", "no"},
		{"terminal", "no"},
		{"input-default-bindings", "no"},
		{"input-vo-keyboard", "no"},
		{"osc", "no"},
		{"load-scripts", "no"},
		{"ytdl", "no"},
		{"vo", "libmpv"},
		{"hwdec", "no"},
		{"ao", e.opt.AudioOutput},
		{"audio-pitch-correction", "yes"},
		{"idle", "yes"},
		{"keep-open", "always"},
		{"pause", "yes"},
		{"hr-seek", "yes"},
		// During an exact seek the decoder may skip non-reference frames
		// whose packet pts is before the target (never the target: mpv
		// compares with target-5ms and we never insert filters that change
		// timestamps). "no" decodes them all and made exact seeks about
		// 25% slower than plain libmpv on 1080p B-frame footage.
		{"hr-seek-framedrop", "yes"},
		{"framedrop", "no"},
		{"rebase-start-time", "no"},
		{"osd-level", "0"},
		{"sub-auto", "no"},
		{"audio-file-auto", "no"},
		{"cache", "yes"},
		{"demuxer-seekable-cache", "yes"},
		{"demuxer-max-bytes", strconv.FormatInt(e.opt.DemuxerBytes, 10)},
		{"demuxer-max-back-bytes", strconv.FormatInt(e.opt.DemuxerBytes, 10)},
		{"volume-max", "100"},
		// Software scaling: zimg, bicubic (lanczos, the default, cost 14 ms
		// against 9 ms per 1080p->720p frame), deterministic (no random
		// dither).
		{"zimg-scaler", "bicubic"},
		{"zimg-dither", "no"},
	}
	for _, o := range append(opts, e.opt.extra...) {
		if err := e.c.m.SetOptionString(o[0], o[1]); err != nil {
			return fmt.Errorf("%w: set mpv option %s=%s: %w", ErrPlayback, o[0], o[1], err)
		}
	}
	if err := e.c.m.Initialize(); err != nil {
		return fmt.Errorf("%w: mpv_initialize: %w", ErrPlayback, err)
	}
	if err := e.c.m.RequestLogMessages(e.opt.LogLevel); err != nil {
		return fmt.Errorf("%w: request log messages: %w", ErrPlayback, err)
	}
	for id, p := range []struct {
		name string
		f    mpv.Format
	}{
		{"time-pos", mpv.FormatDouble},
		{"pause", mpv.FormatFlag},
		{"eof-reached", mpv.FormatFlag},
		{"frame-drop-count", mpv.FormatInt64},
	} {
		if err := e.c.m.ObserveProperty(uint64(id+1), p.name, p.f); err != nil {
			return fmt.Errorf("%w: observe %s: %w", ErrPlayback, p.name, err)
		}
	}
	return nil
}

// openVault registers the stream protocol serving Source.Reader.
func (e *Engine) openVault() error {
	tok := make([]byte, 16)
	_, _ = rand.Read(tok)
	e.vault = &vaultSource{name: e.src.Name, r: e.src.Reader, size: e.src.Size, token: hex.EncodeToString(tok)}
	// On libmpv's stream thread: only signal (no libmpv call, no lock that
	// teardown takes); waiting calls and the event loop report the error.
	e.vault.notify = e.note.broadcast
	var err error
	e.vtag, err = e.c.registerVault(e.vault)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrPlayback, e.src.Name, err)
	}
	return nil
}

// load opens the media and waits for frame 0.
func (e *Engine) load() error {
	uri := e.src.Path
	if e.vault != nil {
		uri = vaultProtocol + "://" + e.vault.token
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.opt.Timeout)
	defer cancel()
	seq0 := e.r.forget()
	if err := e.cmd("loadfile", uri, "replace"); err != nil {
		return fmt.Errorf("%w: open %s: %w", ErrPlayback, e.src.Name, err)
	}
	if err := e.waitRestart(ctx, 0); err != nil {
		return fmt.Errorf("open %s: %w", e.src.Name, err)
	}
	// Render size from the video's display size.
	var dw, dh int64
	if err := e.call(func(c *core) (err error) {
		if dw, err = c.getInt("dwidth"); err != nil {
			return err
		}
		dh, err = c.getInt("dheight")
		return err
	}); err != nil || dw <= 0 || dh <= 0 {
		return fmt.Errorf("%w: open %s: no video track (%v)", ErrPlayback, e.src.Name, err)
	}
	w, h := e.opt.Width, e.opt.Height
	switch {
	case w == 0 && h == 0:
		w, h = int(dw), int(dh)
	case w == 0:
		w = max(1, int(math.Round(float64(h)*float64(dw)/float64(dh))))
	case h == 0:
		h = max(1, int(math.Round(float64(w)*float64(dh)/float64(dw))))
	}
	e.r.setSize(w, h)
	// Frame 0 must be where the frame table says.
	pos, err := e.getDouble("time-pos")
	if err != nil {
		return fmt.Errorf("%w: open %s: %w", ErrPlayback, e.src.Name, err)
	}
	if !e.tl.matches(pos, 0) {
		return fmt.Errorf("%w: %s: first frame is at %.6fs in the container but the frame table puts it at %.6fs (FramePTSOffset)",
			ErrInvalidSource, e.src.Name, pos, e.tl.mpvSeconds(0))
	}
	b, err := e.r.settle(0, seq0)
	if err != nil {
		return err
	}
	b.unref()
	if err := e.setProp("untimed", "yes"); err != nil {
		return err
	}
	if err := e.call(func(c *core) error {
		e.audioTrack = c.m.GetPropertyString("aid")
		return nil
	}); err != nil {
		return err
	}
	if e.audioTrack == "" {
		e.audioTrack = "no"
	}
	if err := e.audioOffLocked(); err != nil {
		return err
	}
	e.mu.Lock()
	e.shown, e.mpvAt, e.settled = 0, 0, true
	e.mu.Unlock()
	return e.sourceErr()
}

// ---- mpv access ---------------------------------------------------------------

// call runs f with the live core, or fails with ErrClosed.
func (e *Engine) call(f func(c *core) error) error {
	e.hmu.RLock()
	defer e.hmu.RUnlock()
	if e.dead {
		return ErrClosed
	}
	return f(e.c)
}

func (e *Engine) cmd(args ...string) error {
	return e.call(func(c *core) error { return c.command(args...) })
}

func (e *Engine) setProp(name, value string) error {
	return e.call(func(c *core) error {
		if err := c.m.SetPropertyString(name, value); err != nil {
			return fmt.Errorf("set %s=%s: %w", name, value, err)
		}
		return nil
	})
}

func (e *Engine) getDouble(name string) (v float64, err error) {
	err = e.call(func(c *core) error { v, err = c.getDouble(name); return err })
	return v, err
}

// ---- event loop -----------------------------------------------------------------

// eventLoop owns mpv_wait_event and, when Close wakes it, the teardown.
func (e *Engine) eventLoop() {
	defer e.teardown()
	for {
		select {
		case <-e.done:
			return
		default:
		}
		ev := e.c.waitEvent(-1)
		switch ev.id {
		case mpv.EventNone:
		case mpv.EventShutdown:
			return
		case mpv.EventLogMsg:
			e.logMPV(ev)
		case mpv.EventFileLoaded:
			e.update(func() { e.loaded = true })
		case mpv.EventSeek:
			e.update(func() { e.seeks++ })
		case mpv.EventPlaybackRestart:
			e.update(func() {
				e.restarts++
				e.restartSeeks = e.seeks
			})
		case mpv.EventCommandReply:
			e.update(func() {
				if r := e.replies[ev.reply]; r != nil {
					r.done, r.err, r.seeks = true, ev.err, e.seeks
				}
			})
		case mpv.EventEnd:
			e.update(func() {
				e.ended = true
				if ev.endReason == endReasonError {
					e.endErr = ev.endErr
				}
			})
			if ev.endReason == endReasonError {
				e.failed(fmt.Errorf("%w: %s: %w%s", ErrPlayback, e.src.Name, ev.endErr, e.lastErrorText()))
			}
		case mpv.EventPropertyChange:
			e.property(ev.prop)
		}
		if e.vault != nil {
			if err := e.vault.Err(); err != nil {
				e.failed(fmt.Errorf("%w: %w", ErrSourceRead, err))
			}
		}
	}
}

func (e *Engine) update(f func()) {
	e.mu.Lock()
	f()
	e.mu.Unlock()
	e.note.broadcast()
}

func (e *Engine) property(p propEvent) {
	var endNow bool
	e.update(func() {
		switch p.name {
		case "time-pos":
			if p.ok {
				e.timePos = p.float
			}
		case "pause":
			e.paused = p.flag
		case "eof-reached":
			endNow = p.flag && !e.eof && e.playing
			e.eof = p.flag && p.ok
			if endNow {
				// libmpv paused on the last frame (keep-open); the next
				// call pins the position down.
				e.playing = false
			}
		case "frame-drop-count":
			e.drops = p.i64
		}
	})
	if endNow {
		f := e.tl.count() - 1
		e.playPos.Store(int64(f))
		e.evq.push(Event{Kind: EventEnd, Frame: f, Media: e.tl.frames[f], Wall: e.wall(f)})
	}
}

func (e *Engine) logMPV(ev mpvEvent) {
	text := ev.logText
	if n := len(text); n > 0 && text[n-1] == '\n' {
		text = text[:n-1]
	}
	switch ev.logLevel {
	case "fatal", "error":
		e.update(func() { e.lastError = text })
		e.log.Error("libmpv", "module", ev.logPrefix, "msg", text)
	case "warn":
		e.log.Warn("libmpv", "module", ev.logPrefix, "msg", text)
	case "info":
		e.log.Info("libmpv", "module", ev.logPrefix, "msg", text)
	default:
		e.log.Debug("libmpv", "module", ev.logPrefix, "msg", text)
	}
}

func (e *Engine) lastErrorText() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.lastError == "" {
		return ""
	}
	return " (" + e.lastError + ")"
}

// failed records a sticky failure once and reports it as an event.
func (e *Engine) failed(err error) {
	first := false
	e.update(func() {
		if e.fatal == nil {
			e.fatal = err
			first = true
		}
	})
	if first {
		e.log.Error("playback failed", "err", err)
		e.evq.push(Event{Kind: EventError, Err: err})
	}
}

// sourceErr returns the sticky failure, checking the vault first.
func (e *Engine) sourceErr() error {
	if e.vault != nil {
		if err := e.vault.Err(); err != nil {
			e.failed(fmt.Errorf("%w: %w", ErrSourceRead, err))
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.fatal
}

// teardown runs on the event loop goroutine once it stopped reading events.
func (e *Engine) teardown() {
	e.hmu.Lock()
	e.dead = true
	e.hmu.Unlock()
	close(e.r.quit)
	<-e.r.done // render context freed on its own goroutine
	e.c.m.TerminateDestroy()
	if e.vault != nil {
		e.vault.streams.Wait()
		e.vault.release()
		e.vtag.Delete()
	}
	if !e.opt.hidden { // the hidden Engine's cache is the main one's
		e.cache.clear()
	}
	close(e.closed)
}

// Close stops playback and releases libmpv. It returns within a few seconds
// even if libmpv is busy; outstanding calls return ErrClosed. Frames already
// handed out stay valid. Calling Close again is harmless.
func (e *Engine) Close() error {
	e.closeOnce.Do(func() {
		e.pfEnd = make(chan struct{})
		if e.pf != nil {
			go func() { e.pf.close(); close(e.pfEnd) }()
		} else {
			close(e.pfEnd)
		}
		close(e.done)
		_ = e.call(func(c *core) error { c.m.Wakeup(); return nil })
	})
	timeout := time.After(min(e.opt.Timeout, 5*time.Second))
	for _, ch := range []chan struct{}{e.closed, e.pfEnd} {
		select {
		case <-ch:
		case <-timeout:
			return fmt.Errorf("player: close %s: %w (libmpv still shutting down in the background)", e.src.Name, ErrTimeout)
		}
	}
	return nil
}

// ---- waiting ----------------------------------------------------------------------

// waitFor blocks until cond (evaluated under e.mu) holds.
func (e *Engine) waitFor(ctx context.Context, what string, cond func() (bool, error)) error {
	timer := time.NewTimer(e.opt.Timeout)
	defer timer.Stop()
	for {
		ch := e.note.wait()
		if err := e.sourceErr(); err != nil {
			return err
		}
		e.mu.Lock()
		ok, err := cond()
		e.mu.Unlock()
		if err != nil || ok {
			return err
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("player: %s: %w", what, ctx.Err())
		case <-e.done:
			return ErrClosed
		case <-timer.C:
			return fmt.Errorf("%w: %s%s", ErrTimeout, what, e.lastErrorText())
		}
	}
}

// waitRestart waits for the playback-restart after restarts reached r0.
// Only for loading: a seek waits with waitSeek.
func (e *Engine) waitRestart(ctx context.Context, r0 uint64) error {
	return e.waitFor(ctx, "waiting for libmpv to start", func() (bool, error) {
		if e.restarts > r0 {
			return true, nil
		}
		return false, e.endedErrNoLock()
	})
}

// endedErrNoLock reports a file that ended (an error while waiting for
// libmpv to reposition). Under mu.
func (e *Engine) endedErrNoLock() error {
	if !e.ended {
		return nil
	}
	if e.endErr != nil {
		return fmt.Errorf("%w: %w%s", ErrPlayback, e.endErr, e.lastErrorTextNoLock())
	}
	return fmt.Errorf("%w: playback ended%s", ErrPlayback, e.lastErrorTextNoLock())
}

// cmdReply is the reply to an async command, filled in by the event loop.
type cmdReply struct {
	done  bool
	err   error
	seeks uint64 // seek events seen when the reply arrived
}

// commandBarrier runs an mpv command asynchronously and waits for its
// reply. It returns how many seek events had arrived before the reply:
// libmpv queues the reply on its core thread as soon as the command ran,
// so later seek and playback-restart events happened after the command.
func (e *Engine) commandBarrier(ctx context.Context, what string, args ...string) (uint64, error) {
	id := e.cmdIDs.Add(1)
	r := &cmdReply{}
	e.mu.Lock()
	e.replies[id] = r
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.replies, id)
		e.mu.Unlock()
	}()
	if err := e.call(func(c *core) error { return c.commandAsync(id, args...) }); err != nil {
		return 0, fmt.Errorf("%w: %s: %w", ErrPlayback, what, err)
	}
	err := e.waitFor(ctx, what, func() (bool, error) {
		if r.err != nil {
			return false, fmt.Errorf("%w: %s: %w", ErrPlayback, what, r.err)
		}
		return r.done, nil
	})
	e.mu.Lock()
	defer e.mu.Unlock()
	return r.seeks, err
}

// waitSeek waits until libmpv finished a seek queued by a command whose
// reply arrived after s0 seek events: a playback-restart that ends a seek
// executed after the reply, with no later seek running. A playback-restart
// alone does not say which seek ended: libmpv sends one for the latest seek
// it executed, and runs seeks of its own (with keep-open, an exact seek that
// ran into the end of the file is followed by a seek to the last frame and
// a second playback-restart). Counting restarts instead let a late restart
// of one seek end the next, whose picture was then the previous position's.
func (e *Engine) waitSeek(ctx context.Context, s0 uint64) error {
	for {
		var seen uint64
		err := e.waitFor(ctx, "waiting for libmpv to finish seeking", func() (bool, error) {
			if e.restartSeeks > s0 {
				seen = e.restartSeeks
				return true, nil
			}
			return false, e.endedErrNoLock()
		})
		if err != nil {
			return err
		}
		// libmpv reads properties between two rounds of its playback loop,
		// after it started any seek queued in the round that ended the
		// previous one.
		var seeking bool
		if err := e.call(func(c *core) (err error) { seeking, err = c.getFlag("seeking"); return err }); err != nil {
			return fmt.Errorf("%w: %w", ErrPlayback, err)
		}
		if !seeking {
			return nil
		}
		s0 = seen // a later seek runs: wait for its playback-restart
	}
}

func (e *Engine) lastErrorTextNoLock() string {
	if e.lastError == "" {
		return ""
	}
	return " (" + e.lastError + ")"
}

// ---- navigation ---------------------------------------------------------------------

// begin takes the op lock, checks the engine is usable and pins down the
// shown frame if playback was running.
func (e *Engine) begin(ctx context.Context) (func(), error) {
	e.op.Lock()
	select {
	case <-e.done:
		e.op.Unlock()
		return nil, ErrClosed
	default:
	}
	if err := e.sourceErr(); err != nil {
		e.op.Unlock()
		return nil, err
	}
	e.busy.Add(1)
	if err := e.stopLocked(ctx); err != nil {
		e.idleAgain()
		e.op.Unlock()
		return nil, err
	}
	return func() { e.idleAgain(); e.op.Unlock() }, nil
}

// idleAgain ends a navigation call's busy mark.
func (e *Engine) idleAgain() {
	if !e.fromCache.Swap(false) {
		e.busyEnd.Store(time.Now().UnixNano())
	}
	e.busy.Add(-1)
	e.idle.broadcast()
}

// SeekFrame shows frame n (clamped to the table), paused. It seeks libmpv
// exactly to the frame's timestamp unless the frame is cached or next.
func (e *Engine) SeekFrame(ctx context.Context, n int) (Frame, error) {
	unlock, err := e.begin(ctx)
	if err != nil {
		return Frame{}, err
	}
	defer unlock()
	return e.goTo(ctx, clamp(n, 0, e.tl.count()-1), false)
}

// SeekTime shows the frame whose display interval [Frames[i], Frames[i+1])
// holds d (media time since frame 0), clamped to the first and last frame.
func (e *Engine) SeekTime(ctx context.Context, d time.Duration) (Frame, error) {
	return e.SeekFrame(ctx, e.tl.frameAt(d))
}

// SeekWallClock shows the frame displayed at wall-clock time t, using
// Source.RecordedAt as the time of frame 0.
func (e *Engine) SeekWallClock(ctx context.Context, t time.Time) (Frame, error) {
	if e.src.RecordedAt.IsZero() {
		return Frame{}, ErrNoWallClock
	}
	return e.SeekTime(ctx, t.Sub(e.src.RecordedAt))
}

// Step moves delta frames forward (positive) or back (negative), clamped to
// the table, pausing first if playing. Backward steps into frames not yet
// cached decode from the GOP start once and cache the frames on the way, so
// the following back steps are served from memory.
func (e *Engine) Step(ctx context.Context, delta int) (Frame, error) {
	unlock, err := e.begin(ctx)
	if err != nil {
		return Frame{}, err
	}
	defer unlock()
	e.mu.Lock()
	target := clamp(e.shown+delta, 0, e.tl.count()-1)
	e.mu.Unlock()
	return e.goTo(ctx, target, true)
}

func clamp(n, lo, hi int) int { return max(lo, min(n, hi)) }

// goTo shows frame target; op lock held, paused, mpv settled. fill chooses
// GOP-fill for backward moves.
func (e *Engine) goTo(ctx context.Context, target int, fill bool) (Frame, error) {
	f, err := e.goToFrame(ctx, target, fill)
	if err == nil && e.pf != nil {
		e.pf.request(target)
	}
	return f, err
}

func (e *Engine) goToFrame(ctx context.Context, target int, fill bool) (_ Frame, err error) {
	var st stepTrace
	if e.trace != nil {
		st = stepTrace{target: target, from: e.shownNow(), how: "cache"}
		t0 := time.Now()
		defer func() { st.total = time.Since(t0); st.err = err; e.trace(st) }()
	}
	// Frames decoded on the way to target are kept around it, not around
	// the frame shown before.
	e.cache.setPos(target)
	w, h := e.r.size()
	b, ok := e.cache.get(target, w, h)
	if !ok && fill && e.pf != nil {
		t0 := time.Now()
		if job := e.pf.wait(ctx, target); job != "" {
			// The background decoder is drawing this frame: its result
			// comes sooner than a decode of our own.
			st.how, st.wait = "waited for "+job, time.Since(t0)
			b, ok = e.cache.get(target, w, h)
		}
	}
	if ok {
		defer b.unref()
		e.fromCache.Store(true)
		e.r.setLatest(b, target)
		return e.show(target, b), nil
	}
	if st.how == "cache" {
		st.how = ""
	}
	st.how += "; libmpv on the main handle"
	e.mu.Lock()
	at := e.mpvAt
	e.mu.Unlock()
	switch {
	case at >= 0 && target > at && e.stepCheaper(at, target, fill):
		// Forward within reach: frame-step, drawing the frames on the way
		// when they are worth caching.
		from := target
		if fill {
			from = min(target, max(at+1, target-e.cache.capacity(w, h)+1))
		}
		b, err = e.stepOrSeek(ctx, at, target, from)
	case fill && (at < 0 || target < at):
		e.fills.Add(1)
		start := e.tl.keyframeAtOrBefore(target)
		if start < 0 {
			start = max(0, target-fillWindow)
		}
		from := min(target, max(start, target-e.cache.capacity(w, h)+1))
		if start == target {
			b, err = e.seekExact(ctx, target)
			break
		}
		if b, err = e.seekExact(ctx, start); err != nil {
			break
		}
		b.unref()
		b, err = e.stepOrSeek(ctx, start, target, from)
	case e.pf != nil && e.seekBehind(target) < target:
		// A seek with the background decoder on lands seekBehind frames
		// early and steps to the target, drawing the frames on the way:
		// the first back steps after it are served from memory while the
		// GOP's start is decoded in the background.
		land := e.seekBehind(target)
		if b, err = e.seekExact(ctx, land); err == nil {
			b.unref()
			if b, err = e.stepForward(ctx, land, target, land); errors.Is(err, errVODrop) {
				st.how += fmt.Sprintf("; stepping from %d failed (%v), sought exactly", land, err)
				b, err = e.seekExact(ctx, target)
			}
			break
		}
		st.how += fmt.Sprintf("; seek to %d failed (%v)", land, err)
		var miss *missedSeek
		if !errors.As(err, &miss) {
			break
		}
		fallthrough
	default:
		b, err = e.seekExact(ctx, target)
		var miss *missedSeek
		if errors.As(err, &miss) {
			// Last resort: to the GOP's key frame and frame-step.
			b, err = e.viaKeyframe(ctx, target)
		}
	}
	if err != nil {
		return Frame{}, err
	}
	defer b.unref()
	return e.show(target, b), nil
}

// seekLanding is how many frames before its target a seek lands (see
// seekBehind): at GNOME's key repeat (a press, then 500 ms, then one every
// 30 ms) the background decoder then has ~560 ms for the rest of the GOP.
const seekLanding = 3

// seekBehind is the frame a seek to target lands on: seekLanding frames
// before it, not before its key frame, and only where a GOP start is known.
func (e *Engine) seekBehind(target int) int {
	k := e.tl.keyframeAtOrBefore(target)
	if k < 0 || e.cache.budget <= 0 {
		return target
	}
	return max(k, target-seekLanding)
}

// stepTrace says where one navigation call's time went (benchmarks).
type stepTrace struct {
	from, target int
	how          string        // served from the cache, waited for a prefetch job, decoded by libmpv
	wait         time.Duration // waiting for the background decoder
	total        time.Duration
	err          error
}

func (st stepTrace) String() string {
	return fmt.Sprintf("%d->%d in %v: %s (waited %v) err=%v", st.from, st.target,
		st.total.Round(time.Millisecond/10), st.how, st.wait.Round(time.Millisecond/10), st.err)
}

// shownNow is the shown frame.
func (e *Engine) shownNow() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.shown
}

// viaKeyframe seeks exactly to the key frame at or before target and
// frame-steps forward to it, drawing only the target.
func (e *Engine) viaKeyframe(ctx context.Context, target int) (*buffer, error) {
	start := e.tl.keyframeAtOrBefore(target)
	if start < 0 {
		start = max(0, target-fillWindow)
	}
	b, err := e.seekExact(ctx, start)
	if err != nil || start == target {
		return b, err
	}
	b.unref()
	return e.stepForward(ctx, start, target, target)
}

// missedSeek reports an exact seek that did not show the target: it landed
// elsewhere, or ended without presenting a new picture.
type missedSeek struct {
	target, landed int
	want, got      float64
	noFrame        bool
}

func (m *missedSeek) Error() string {
	if m.noFrame {
		return fmt.Sprintf("%v: seek to frame %d (%.6fs) ended without a new picture", ErrPlayback, m.target, m.want)
	}
	return fmt.Sprintf("%v: seek to frame %d (%.6fs) landed at %.6fs (frame %d)", ErrPlayback, m.target, m.want, m.got, m.landed)
}

// Unwrap makes a missed seek an ErrPlayback.
func (m *missedSeek) Unwrap() error { return ErrPlayback }

// fillWindow is how far back a fill starts without keyframe information.
const fillWindow = 30

// stepCheaper decides between frame-stepping from at and an exact seek.
func (e *Engine) stepCheaper(at, target int, fill bool) bool {
	if target-at == 1 {
		return true
	}
	if k := e.tl.keyframeAtOrBefore(target); k >= 0 {
		// A seek decodes from k; stepping decodes from at. Stepping also
		// draws, so prefer it only within the same GOP.
		return k <= at && (fill || target-at <= 4)
	}
	return target-at <= 4
}

// show records target as the shown frame and returns it.
func (e *Engine) show(target int, b *buffer) Frame {
	e.mu.Lock()
	e.shown = target
	e.mu.Unlock()
	e.playPos.Store(int64(target))
	e.cache.setPos(target)
	e.pushPosition(target, false)
	return b.frame(target, e.tl.frames[target])
}

func (e *Engine) pushPosition(idx int, playing bool) {
	e.evq.push(Event{Kind: EventPosition, Frame: idx, Media: e.tl.frames[idx], Wall: e.wall(idx), Playing: playing})
}

func (e *Engine) wall(idx int) time.Time {
	if e.src.RecordedAt.IsZero() {
		return time.Time{}
	}
	return e.src.RecordedAt.Add(e.tl.frames[idx])
}

// seekExact seeks libmpv exactly to frame n and returns its picture. A seek
// that misses is repeated once with the demuxer started in the GOP before
// n's: libavformat's MPEG-TS seek lands on any packet before the demuxer
// target, and libmpv then skips to the next key frame, so outside the
// demuxer cache an exact seek can land a GOP late, or (in the last GOP) run
// into the end of the file and present nothing.
func (e *Engine) seekExact(ctx context.Context, n int) (*buffer, error) {
	b, err := e.seekOnce(ctx, n, 0)
	var miss *missedSeek
	if errors.As(err, &miss) {
		e.log.Debug("exact seek missed; seeking again with the demuxer a GOP earlier", "err", err)
		b, err = e.seekOnce(ctx, n, e.tl.demuxLead(n))
	}
	return b, err
}

// seekOnce is one exact seek to frame n with the demuxer started lead
// seconds before it (hr-seek-demuxer-offset).
//
// The picture is frame n's only if libmpv presented a new frame for this
// seek: waitSeek makes sure the playback-restart is this seek's, and the
// renderer must have received a new frame since the seek was issued (libmpv
// emits playback-restart only once the first frame after the seek was
// rendered, see vo_wait_frame; if the VO gave up waiting for the renderer,
// see dropCount, the seek counts as missed and is repeated). When video ran
// into the end of the file without a frame, libmpv still sends
// playback-restart, its VO keeps the previous picture and time-pos is the
// seek target itself (it falls back to the last seek's time while no frame
// was shown), so time-pos alone would pass the old picture as frame n.
func (e *Engine) seekOnce(ctx context.Context, n int, lead float64) (*buffer, error) {
	e.mu.Lock()
	e.mpvAt = -1
	e.mu.Unlock()
	if lead > 0 {
		if err := e.setProp("hr-seek-demuxer-offset", strconv.FormatFloat(lead, 'f', 6, 64)); err != nil {
			return nil, fmt.Errorf("%w: seek to frame %d: %w", ErrPlayback, n, err)
		}
		defer func() { _ = e.setProp("hr-seek-demuxer-offset", "0") }()
	}
	seq0 := e.r.forget()
	target := strconv.FormatFloat(e.tl.mpvSeconds(n), 'f', 6, 64)
	s0, err := e.commandBarrier(ctx, fmt.Sprintf("seek to frame %d", n), "seek", target, "absolute+exact")
	if err != nil {
		return nil, fmt.Errorf("seek to frame %d: %w", n, err)
	}
	if err := e.waitSeek(ctx, s0); err != nil {
		return nil, fmt.Errorf("seek to frame %d: %w", n, err)
	}
	if e.r.seqNow() == seq0 {
		if err := e.sourceErr(); err != nil {
			return nil, err
		}
		return nil, &missedSeek{target: n, landed: -1, want: e.tl.mpvSeconds(n), noFrame: true}
	}
	pos, err := e.getDouble("time-pos")
	if err != nil {
		return nil, fmt.Errorf("%w: seek to frame %d: %w", ErrPlayback, n, err)
	}
	if !e.tl.matches(pos, n) {
		if err := e.sourceErr(); err != nil {
			return nil, err
		}
		return nil, &missedSeek{target: n, landed: e.tl.frameAtMPV(pos), want: e.tl.mpvSeconds(n), got: pos}
	}
	b, err := e.r.settle(n, seq0)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.mpvAt = n
	e.mu.Unlock()
	return b, nil
}

// stepForward frame-steps libmpv from frame at to target, one frame at a
// time; frames from drawFrom on are drawn and cached, earlier ones only
// decoded.
//
// Every frame's label comes from the frame table, not from counting: after
// each frame-step libmpv pauses on the new frame, and time-pos is that
// frame's timestamp. A step is taken only when exactly one new picture
// reached the renderer since the command and time-pos (read from libmpv
// once it arrived) is the next frame's entry in the table; the renderer's
// own count must agree, and frame-drop-count must not have moved (a
// picture the VO dropped never reaches the renderer). Anything else fails
// with errVODrop before the picture is cached or shown.
func (e *Engine) stepForward(ctx context.Context, at, target, drawFrom int) (_ *buffer, err error) {
	e.r.setStepping(drawFrom)
	defer e.r.setStepping(-1)
	defer func() {
		if err != nil && !errors.Is(err, ErrClosed) {
			// A step whose frame has not arrived keeps libmpv
			// unpaused, and a seek clears it without pausing: pause
			// now, or the next seek would play on past its target.
			_ = e.setProp("pause", "yes")
			e.r.forget()
		}
	}()
	e.mu.Lock()
	e.mpvAt = -1
	e.mu.Unlock()
	drops0, err := e.dropCount()
	if err != nil {
		return nil, fmt.Errorf("%w: step to frame %d: %w", ErrPlayback, target, err)
	}
	var b *buffer
	for n := at + 1; n <= target; n++ {
		if b != nil {
			b.unref()
			b = nil
		}
		if b, err = e.stepOne(ctx, n, n >= drawFrom, drops0); err != nil {
			return nil, err
		}
	}
	e.mu.Lock()
	e.mpvAt = target
	e.mu.Unlock()
	return b, nil
}

// stepOne frame-steps libmpv once, from frame n-1 (paused) to n, and
// returns a reference to n's picture if draw (else nil). See stepForward.
func (e *Engine) stepOne(ctx context.Context, n int, draw bool, drops0 int64) (*buffer, error) {
	seq0 := e.r.seqNow()
	e.mu.Lock()
	seen := e.drops
	e.mu.Unlock()
	if err := e.cmd("frame-step"); err != nil {
		return nil, fmt.Errorf("%w: step to frame %d: %w", ErrPlayback, n, err)
	}
	// Wait for the picture and for time-pos to leave frame n-1 (the
	// observed property; libmpv is read once both happened). A change of
	// the observed frame-drop-count ends the wait early.
	err := e.waitFor(ctx, fmt.Sprintf("stepping to frame %d", n), func() (bool, error) {
		if e.drops != seen {
			return true, nil
		}
		return e.r.handledNow() > seq0 && !e.tl.matches(e.timePos, n-1), nil
	})
	if err != nil {
		return nil, err
	}
	drops, err := e.dropCount()
	if err != nil {
		return nil, fmt.Errorf("%w: step to frame %d: %w", ErrPlayback, n, err)
	}
	pos, err := e.getDouble("time-pos")
	if err != nil {
		return nil, fmt.Errorf("%w: step to frame %d: %w", ErrPlayback, n, err)
	}
	last, _ := e.r.state()
	seq := e.r.seqNow()
	switch {
	case drops != drops0:
		return nil, fmt.Errorf("%w: step to frame %d: %w", ErrPlayback, n, errVODrop)
	case seq != seq0+1 || !e.tl.matches(pos, n) || last != n:
		return nil, fmt.Errorf("%w: step to frame %d: %d pictures arrived, counted as %d, time-pos %.6fs (frame %d): %w",
			ErrPlayback, n, seq-seq0, last, pos, e.tl.frameAtMPV(pos), errVODrop)
	}
	if !draw {
		return nil, nil
	}
	b, idx, bseq := e.r.latestRefSeq()
	if b == nil || idx != n || bseq != seq {
		if b != nil {
			b.unref()
		}
		return nil, fmt.Errorf("%w: frame %d was not rendered", ErrPlayback, n)
	}
	e.cache.put(n, b) // labelled from time-pos: verified
	return b, nil
}

// errVODrop reports that a frame-step did not give exactly the next frame
// (libmpv's VO dropped a frame that was not rendered in time, or the
// picture and time-pos disagree).
var errVODrop = errors.New("frame-step did not present exactly the next frame")

// dropCount reads libmpv's frame-drop-count. With framedrop=no, libmpv's VO
// drops a frame only when it was not rendered within 200 ms of being handed
// over (vo_libmpv gives up waiting and makes it the current frame), e.g.
// when the render goroutine is starved under load. The renderer never sees
// such a frame, so every frame counted after it is labelled one too low.
// libmpv resets the count on every seek.
func (e *Engine) dropCount() (n int64, err error) {
	err = e.call(func(c *core) (err error) { n, err = c.getInt("frame-drop-count"); return err })
	return n, err
}

// playbackDropped reports whether libmpv's VO dropped a frame since Play.
func (e *Engine) playbackDropped() (bool, error) {
	n, err := e.dropCount()
	if err != nil {
		return false, fmt.Errorf("%w: %w", ErrPlayback, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return n != e.dropsAt, nil
}

// stepOrSeek frame-steps to target (see stepForward), or seeks exactly to it
// if libmpv dropped a frame on the way.
func (e *Engine) stepOrSeek(ctx context.Context, at, target, drawFrom int) (*buffer, error) {
	b, err := e.stepForward(ctx, at, target, drawFrom)
	if errors.Is(err, errVODrop) {
		e.log.Debug("frame dropped while stepping; seeking exactly instead", "frame", target)
		b, err = e.seekExact(ctx, target)
	}
	return b, err
}

// Play starts playback from the shown frame (from frame 0 if the last frame
// is shown; from the loop start if a loop is set and the shown frame is
// outside it). It returns once libmpv runs.
func (e *Engine) Play() error {
	ctx, cancel := context.WithTimeout(context.Background(), e.opt.Timeout)
	defer cancel()
	e.op.Lock()
	defer e.op.Unlock()
	if err := e.sourceErr(); err != nil {
		return err
	}
	e.mu.Lock()
	playing := e.playing
	e.mu.Unlock()
	if playing {
		return nil
	}
	if err := e.stopLocked(ctx); err != nil {
		return err
	}
	if e.pf != nil {
		e.pf.cancel() // playback needs the CPU (after stopLocked's request)
	}
	e.mu.Lock()
	shown, at, a, bEnd := e.shown, e.mpvAt, e.loopA, e.loopB
	e.mu.Unlock()
	start := shown
	if start == e.tl.count()-1 {
		start = 0
	}
	if bEnd >= 0 && (start >= bEnd || start < a) {
		start = a
	}
	if at != start {
		b, err := e.seekExact(ctx, start)
		if err != nil {
			return err
		}
		e.r.setLatest(b, start)
		e.show(start, b).Release()
		b.unref()
	}
	e.r.setHold(bEnd)
	if err := e.setProp("untimed", "no"); err != nil {
		return err
	}
	if e.audioOff {
		if err := e.setProp("aid", e.audioTrack); err != nil {
			return err
		}
		e.audioOff = false
	}
	drops0, err := e.dropCount()
	if err != nil {
		return fmt.Errorf("%w: play: %w", ErrPlayback, err)
	}
	seeks0, err := e.eventBarrier(ctx)
	if err != nil {
		return fmt.Errorf("play: %w", err)
	}
	tag := e.cache.newTag()
	e.mu.Lock()
	e.playing, e.settled, e.dropsAt, e.mpvAt = true, false, drops0, -1
	e.playTag, e.seeksAt = tag, seeks0
	e.playGen++
	gen, speed := e.playGen, e.speed
	e.mu.Unlock()
	e.r.setTag(tag)
	e.playPos.Store(int64(start))
	seq0 := e.r.seqNow()
	if err := e.setProp("pause", "no"); err != nil {
		e.mu.Lock()
		e.playing = false
		e.mu.Unlock()
		e.dropPlaybackRun()
		return err
	}
	go e.watchStart(gen, seq0, start, speed)
	return nil
}

// watchStart is a safety net: if libmpv presents no frame soon after Play
// (its audio output can get stuck after being reopened), it repositions
// libmpv exactly on the start frame, which restarts audio and video
// together, and plays again. After repeated failures it gives up with an
// EventError and stays paused.
func (e *Engine) watchStart(gen, seq0 uint64, start int, speed float64) {
	wait := time.Second + time.Duration(float64(3*e.tl.maxGap)/speed)
	select {
	case <-time.After(wait):
	case <-e.done:
		return
	}
	if e.r.seqNow() != seq0 {
		e.stalls.Store(0)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.opt.Timeout)
	defer cancel()
	e.op.Lock()
	e.mu.Lock()
	stuck := e.playing && e.playGen == gen && e.r.seqNow() == seq0
	e.mu.Unlock()
	if !stuck {
		e.op.Unlock()
		return
	}
	attempt := e.stalls.Add(1)
	e.log.Warn("libmpv presented no frame after play; repositioning", "frame", start, "attempt", attempt)
	err := e.setProp("pause", "yes")
	if err == nil {
		e.mu.Lock()
		e.playing, e.settled = false, true
		e.mu.Unlock()
		e.dropPlaybackRun()
		var b *buffer
		if b, err = e.seekExact(ctx, start); err == nil {
			e.r.setLatest(b, start)
			e.show(start, b).Release()
			b.unref()
		}
	}
	if err == nil && attempt > 2 {
		err = fmt.Errorf("%w: playback does not start", ErrPlayback)
	}
	e.op.Unlock()
	if err == nil {
		err = e.Play()
	}
	if err != nil && !errors.Is(err, ErrClosed) {
		e.log.Error("play", "err", err)
		e.evq.push(Event{Kind: EventError, Err: fmt.Errorf("player: play: %w", err)})
	}
}

// Pause stops playback and pins down the shown frame exactly.
func (e *Engine) Pause() error {
	ctx, cancel := context.WithTimeout(context.Background(), e.opt.Timeout)
	defer cancel()
	e.op.Lock()
	defer e.op.Unlock()
	e.busy.Add(1)
	defer e.idleAgain()
	return e.stopLocked(ctx)
}

// stopLocked pauses libmpv if playback ran and makes shown == mpvAt with an
// exact label, then deselects audio for navigation. Once paused, time-pos
// is the frame libmpv queued last, so its frame-table entry is the label
// the last frame to arrive must carry.
//
// Frames drawn during playback are labelled by counting from the exact
// start and cached provisionally (libmpv's render API gives a frame's
// display deadline, not its timestamp). They are kept (confirmed) only if
// the run is provably contiguous: the count ends exactly on the label
// time-pos gives (a frame the VO dropped, or an extra one, would make it
// end elsewhere), libmpv's frame-drop-count did not move, and libmpv ran no
// seek of its own during the run (a seek resets frame-drop-count and can
// present a frame twice). Otherwise the run's frames are discarded and the
// paused frame is sought exactly.
func (e *Engine) stopLocked(ctx context.Context) error {
	e.mu.Lock()
	needed := !e.settled
	e.mu.Unlock()
	if !needed {
		return e.audioOffLocked()
	}
	if err := e.setProp("pause", "yes"); err != nil {
		return err
	}
	e.mu.Lock()
	e.playing = false
	e.mu.Unlock()
	e.r.setHold(-1)
	if err := e.setProp("untimed", "yes"); err != nil {
		return err
	}
	pos, err := e.getDouble("time-pos")
	if err != nil {
		return fmt.Errorf("%w: pause: %w", ErrPlayback, err)
	}
	p := e.tl.frameAtMPV(pos)
	dropped, err := e.playbackDropped()
	if err != nil {
		return err
	}
	trusted := !dropped && !e.looping.Load()
	var b *buffer
	if trusted {
		// Wait for frames still on their way from libmpv's VO. When
		// time-pos is behind the counted frame, video already ended and
		// time-pos follows the audio.
		want := p
		if last, _ := e.r.state(); last > p && last == e.tl.count()-1 {
			want = last
		}
		waitCtx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		err = e.waitFor(waitCtx, "pause", func() (bool, error) {
			last, latest := e.r.state()
			return last == want && latest == want, nil
		})
		cancel()
		if errors.Is(err, ErrClosed) {
			return err
		}
		if err == nil {
			var idx int
			if b, idx = e.r.latestRef(); b != nil && idx != want {
				b.unref()
				b = nil
			}
			p = want
		}
		// A frame dropped while waiting shifts the labels too.
		if dropped, err = e.playbackDropped(); err != nil {
			if b != nil {
				b.unref()
			}
			return err
		}
		if dropped && b != nil {
			b.unref()
			b = nil
		}
	}
	// Did libmpv seek during the run (every event before the barrier's
	// reply has been counted)?
	seeks, err := e.eventBarrier(ctx)
	if err != nil {
		if b != nil {
			b.unref()
		}
		return fmt.Errorf("pause: %w", err)
	}
	e.mu.Lock()
	tag, seekedAlone := e.playTag, seeks != e.seeksAt
	e.playTag = 0
	e.mu.Unlock()
	last := -1
	if b != nil && !seekedAlone {
		last = p
	}
	if e.r.endRun(last) && last >= 0 {
		n := e.cache.confirm(tag)
		e.log.Debug("playback frames kept", "frames", n, "paused", p)
	} else {
		e.cache.dropTag(tag)
		if b != nil {
			e.log.Debug("playback frames discarded: labels not confirmed", "paused", p, "seeked", seekedAlone)
			b.unref()
			b = nil
		}
	}
	if b == nil {
		if err := e.audioOffLocked(); err != nil {
			return err
		}
		if b, err = e.seekExact(ctx, p); err != nil {
			return err
		}
	}
	defer b.unref()
	e.mu.Lock()
	e.mpvAt, e.settled = p, true
	e.mu.Unlock()
	e.r.setLatest(b, p)
	e.show(p, b).Release()
	if e.pf != nil {
		e.pf.request(p)
	}
	return e.audioOffLocked()
}

// dropPlaybackRun discards the frames drawn by the running playback (its
// provisional cache entries) and makes the position unknown; the caller
// repositions libmpv exactly next.
func (e *Engine) dropPlaybackRun() {
	e.mu.Lock()
	tag := e.playTag
	e.playTag = 0
	e.mu.Unlock()
	e.r.endRun(-1)
	if tag != 0 {
		e.cache.dropTag(tag)
	}
}

// eventBarrier returns the number of seek events libmpv sent before now:
// the reply to a no-op async command comes after every event libmpv queued
// before it.
func (e *Engine) eventBarrier(ctx context.Context) (uint64, error) {
	return e.commandBarrier(ctx, "event barrier", "ignore")
}

// audioOffLocked deselects audio while paused: seeks and steps then neither
// wait for audio nor get paced by it, and time-pos always follows video.
func (e *Engine) audioOffLocked() error {
	if e.audioOff || e.audioTrack == "no" {
		return nil
	}
	if err := e.setProp("aid", "no"); err != nil {
		return err
	}
	e.audioOff = true
	return nil
}

// onFrame runs on the render goroutine for each labelled new frame.
func (e *Engine) onFrame(idx int) {
	e.mu.Lock()
	playing, b, tag := e.playing, e.loopB, e.playTag
	e.mu.Unlock()
	if !playing {
		return
	}
	e.playPos.Store(int64(idx))
	e.cache.setPos(idx)
	e.pushPosition(idx, true)
	// Playback keeps only a trailing window of its frames (enough to step
	// back after pausing) so that it does not fill the whole budget.
	if tag != 0 {
		e.cache.removeTag(idx-playbackWindow, tag)
	}
	if b >= 0 && idx >= b && e.looping.CompareAndSwap(false, true) {
		go e.loopBack()
	}
}

// playbackWindow is how many frames behind the playing one stay cached.
const playbackWindow = 50

// loopBack restarts playback at the loop start once the loop end was shown.
func (e *Engine) loopBack() {
	defer e.looping.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), e.opt.Timeout)
	defer cancel()
	e.op.Lock()
	e.mu.Lock()
	stillPlaying, a, bEnd := e.playing, e.loopA, e.loopB
	e.mu.Unlock()
	if !stillPlaying || bEnd < 0 {
		e.op.Unlock()
		return
	}
	if err := e.setProp("pause", "yes"); err == nil {
		e.mu.Lock()
		e.playing = false
		e.mu.Unlock()
		// Let frames already queued in libmpv arrive (held back, unseen)
		// before repositioning, so they cannot be mistaken for the new
		// position's.
		if pos, err := e.getDouble("time-pos"); err == nil {
			p := e.tl.frameAtMPV(pos)
			wctx, wcancel := context.WithTimeout(ctx, 500*time.Millisecond)
			_ = e.waitFor(wctx, "loop", func() (bool, error) {
				last, _ := e.r.state()
				return last >= p, nil
			})
			wcancel()
		}
		// The run's frames are not checked: discard them (the seek
		// below starts a new run).
		e.dropPlaybackRun()
		if b, err := e.seekExact(ctx, a); err == nil {
			e.r.setLatest(b, a)
			e.show(a, b).Release()
			b.unref()
			e.mu.Lock()
			e.settled = true
			e.mu.Unlock()
		}
	}
	e.op.Unlock()
	if err := e.Play(); err != nil && !errors.Is(err, ErrClosed) {
		e.failed(fmt.Errorf("player: loop: %w", err))
	}
}

// SetLoop makes playback repeat frames a..b (inclusive).
func (e *Engine) SetLoop(a, b int) error {
	if a < 0 || b >= e.tl.count() || a >= b {
		return fmt.Errorf("player: loop %d..%d outside 0..%d", a, b, e.tl.count()-1)
	}
	e.mu.Lock()
	e.loopA, e.loopB = a, b
	playing := e.playing
	e.mu.Unlock()
	if playing {
		e.r.setHold(b)
	}
	return nil
}

// ClearLoop stops repeating.
func (e *Engine) ClearLoop() {
	e.mu.Lock()
	e.loopA, e.loopB = 0, -1
	e.mu.Unlock()
	e.r.setHold(-1)
}

// SetSpeed sets the playback speed, 0.1 to 4 (audio pitch is preserved).
func (e *Engine) SetSpeed(s float64) error {
	if !(s >= 0.1 && s <= 4) {
		return fmt.Errorf("player: speed %g outside 0.1..4", s)
	}
	if err := e.setProp("speed", strconv.FormatFloat(s, 'f', -1, 64)); err != nil {
		return err
	}
	e.mu.Lock()
	e.speed = s
	e.mu.Unlock()
	return nil
}

// SetVolume sets the volume, 0 to 100.
func (e *Engine) SetVolume(v int) error {
	if v < 0 || v > 100 {
		return fmt.Errorf("player: volume %d outside 0..100", v)
	}
	return e.setProp("volume", strconv.Itoa(v))
}

// SetMute mutes or unmutes audio.
func (e *Engine) SetMute(m bool) error {
	v := "no"
	if m {
		v = "yes"
	}
	return e.setProp("mute", v)
}

// Position returns the shown frame, its media time and wall-clock time.
// During playback it is the newest frame rendered.
func (e *Engine) Position() (frame int, media time.Duration, wall time.Time) {
	frame = int(e.playPos.Load())
	return frame, e.tl.frames[frame], e.wall(frame)
}

// Playing reports whether playback is running.
func (e *Engine) Playing() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.playing
}

// Duration is the media length covered by the frame table (last frame's
// time plus its display duration).
func (e *Engine) Duration() time.Duration { return e.tl.duration() }

// FrameCount is the number of frames in the table.
func (e *Engine) FrameCount() int { return e.tl.count() }

// Events returns the Engine's event channel; it is closed by Close.
func (e *Engine) Events() <-chan Event { return e.evq.out }

// LatestFrame returns the newest rendered frame (during playback, the
// picture to display now). The caller owns a reference: see Frame.Release.
// During playback Index is counted from the last exact position; after
// Pause and every Seek or Step it is exact.
func (e *Engine) LatestFrame() (Frame, bool) {
	b, idx := e.r.latestRef()
	if b == nil {
		return Frame{}, false
	}
	defer b.unref()
	if idx < 0 {
		e.mu.Lock()
		idx = e.shown
		e.mu.Unlock()
	}
	return b.frame(idx, e.tl.frames[idx]), true
}
