package player

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Background decoding of the GOP before the cached range (see doc.go,
// "Prefetch"). A hidden second Engine on the same Source, rendering at the
// same size through the same libmpv code, decodes it into the shared frame
// cache while the user steps back through cached frames. It steps one frame
// at a time, each labelled from time-pos, and starts a step only while the
// main Engine has not used libmpv for mainQuiet (or the user waits for the
// job), so forward steps and seeks on the main handle do not compete with
// it.

// prefetchAhead is how many frames before the shown one should be cached:
// while fewer are, the GOP before the cached range is decoded in the
// background. It is more than one 2 s GOP at 25 fps, so the GOP before is
// requested as soon as the position enters a GOP (and again after each
// job), which leaves a reviewer holding the step-back key (~33 steps/s)
// about 1.5 s per GOP for a decode that takes 0.4-0.6 s at 1080p.
const prefetchAhead = 75

// prefetchReserve is how many frames of the cache's capacity a job leaves
// for the frames around the position.
const prefetchReserve = 10

// prefetchTail and prefetchNear: a job whose last frame is within
// prefetchNear frames of the shown one (right after a seek: the reviewer
// needs its last frames first) decodes its last prefetchTail frames first
// (an exact seek into the GOP, then steps), then the rest from the key
// frame. That decodes the GOP's start twice, so jobs requested a GOP ahead
// run in one pass.
const (
	prefetchTail = 10
	prefetchNear = 15
)

// mainQuiet is how long after the main Engine's last call that used libmpv
// the hidden decoder waits before it steps another frame. Calls served from
// the cache do not count: a reviewer stepping back through cached frames
// would otherwise hold the decoder to one frame per key press.
const mainQuiet = 15 * time.Millisecond

// prefetchDemuxerBytes bounds the hidden decoder's packet cache.
const prefetchDemuxerBytes = 16 << 20

// prefetchJob decodes frames from (a key frame) to to, drawing from drawFrom.
type prefetchJob struct {
	from, drawFrom, to int
	shown              int // the shown frame when requested
	tag                uint64
	ctx                context.Context
	cancel             context.CancelFunc
	done               chan struct{}
	err                error       // set before done is closed
	urgent             atomic.Bool // the user waits for it: ignore the main Engine's activity
}

// covers reports whether the job will draw frame n (a cancelled job will
// not: a new request must not count on it).
func (j *prefetchJob) covers(n int) bool {
	return j != nil && n >= j.drawFrom && n <= j.to && j.ctx.Err() == nil
}

// prefetcher owns the hidden Engine and runs one job at a time.
type prefetcher struct {
	main *Engine
	kick chan struct{}
	quit chan struct{}
	done chan struct{}

	mu       sync.Mutex
	pending  *prefetchJob // requested, not started
	running  *prefetchJob
	disabled error // the hidden decoder could not be opened
	hidden   *Engine

	requested atomic.Bool // a job was requested (the hidden Engine is needed now)
	held      atomic.Bool // cancelled (playback): jobs do not request the next one
	isOpen    atomic.Bool // the hidden Engine is open

	// Counters for tests and benchmarks.
	jobs, failed, frames atomic.Int64
}

func newPrefetcher(main *Engine) *prefetcher {
	p := &prefetcher{main: main, kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

// request asks for the GOP before the cached range around shown, if fewer
// than prefetchAhead frames before shown are cached (see prefetchAhead). A
// request for another range cancels the running job (the frames it has
// drawn stay cached). It never blocks.
func (p *prefetcher) request(shown int) {
	p.held.Store(false)
	p.requestFrom(shown)
}

// again repeats the request for the shown frame after a job, unless
// playback runs (or ran since the last navigation call).
func (p *prefetcher) again() {
	if !p.held.Load() {
		p.requestFrom(int(p.main.playPos.Load()))
	}
}

func (p *prefetcher) requestFrom(shown int) {
	e := p.main
	w, h := e.r.size()
	lo := e.cache.cachedFrom(shown)
	if lo <= 0 || lo > shown || shown-lo >= prefetchAhead {
		return
	}
	to := lo - 1
	from := e.tl.keyframeAtOrBefore(to)
	if from < 0 {
		from = max(0, to-fillWindow)
	}
	// Keep the cached frames before the position: draw only what fits
	// beside them (the frame cache's byte budget bounds it all).
	room := e.cache.capacity(w, h) - (shown - lo + 1) - prefetchReserve
	if room <= 0 {
		return
	}
	drawFrom := max(from, to-room+1)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.disabled != nil {
		return
	}
	// A job that still covers the range's end keeps running (its tail
	// may have been drawn first, see prefetchTail).
	if j := p.running; j.covers(to) && j.drawFrom <= drawFrom {
		return
	}
	if j := p.pending; j.covers(to) && j.drawFrom <= drawFrom {
		return
	}
	if p.running != nil {
		p.running.cancel()
	}
	if p.pending != nil {
		p.finishLocked(p.pending, context.Canceled)
	}
	// No deadline: a job may wait for the main Engine to be idle; each
	// libmpv call of the hidden Engine has its own Options.Timeout.
	ctx, cancel := context.WithCancel(context.Background())
	p.pending = &prefetchJob{from: from, drawFrom: drawFrom, to: to, shown: shown, tag: e.cache.newTag(),
		ctx: ctx, cancel: cancel, done: make(chan struct{})}
	p.requested.Store(true)
	e.idle.broadcast()
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// cancel stops the running and pending jobs (e.g. playback needs the CPU);
// no job starts again before the next request.
func (p *prefetcher) cancel() {
	p.held.Store(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.running != nil {
		p.running.cancel()
	}
	if p.pending != nil {
		p.finishLocked(p.pending, context.Canceled)
		p.pending = nil
	}
}

func (p *prefetcher) finishLocked(j *prefetchJob, err error) {
	j.cancel()
	j.err = err
	close(j.done)
}

// covering returns the job that will draw frame n, if any.
func (p *prefetcher) covering(n int) *prefetchJob {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.running.covers(n) {
		return p.running
	}
	if p.pending.covers(n) {
		return p.pending
	}
	return nil
}

// wait waits until the job covering frame n, if any, has drawn it (or
// ended), and describes the job ("" if there was none). Frames are cached
// one by one as they are checked, so the wait ends with frame n's.
func (p *prefetcher) wait(ctx context.Context, n int) string {
	p.mu.Lock()
	j, state := p.running, "running"
	if !j.covers(n) {
		j, state = p.pending, "pending"
	}
	if !j.covers(n) {
		p.mu.Unlock()
		return ""
	}
	p.mu.Unlock()
	j.urgent.Store(true)
	p.main.idle.broadcast()
	c := p.main.cache
	for {
		ch := c.added.wait()
		if c.has(n) {
			break
		}
		select {
		case <-ch:
			continue
		case <-j.done:
		case <-ctx.Done():
		case <-p.done:
		}
		break
	}
	return fmt.Sprintf("%s prefetch job %d..%d", state, j.from, j.to)
}

// close stops the prefetcher and closes the hidden Engine; it returns
// within the hidden Engine's Close bound.
func (p *prefetcher) close() {
	p.cancel()
	close(p.quit)
	<-p.done
}

func (p *prefetcher) run() {
	defer close(p.done)
	defer func() {
		if p.hidden != nil {
			_ = p.hidden.Close()
		}
	}()
	// Open the hidden Engine ahead of the first job (opening costs about
	// one exact seek), once the main Engine is idle.
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-p.quit:
			cancel()
		case <-ctx.Done():
		}
	}()
	if p.main.waitQuiet(ctx, &p.requested) == nil {
		_ = p.ensureOpen() // a failure disables prefetch; it is logged
	}
	cancel()
	for {
		select {
		case <-p.quit:
			return
		case <-p.kick:
		}
		p.mu.Lock()
		j := p.pending
		p.pending = nil
		p.running = j
		p.mu.Unlock()
		if j == nil {
			continue
		}
		err := p.do(j)
		p.mu.Lock()
		p.running = nil
		p.finishLocked(j, err)
		p.mu.Unlock()
		if err == nil {
			p.again() // the GOP before, if the position still needs it
		}
	}
}

// do runs one job on the hidden Engine; its frames are confirmed in the
// shared cache only if the whole range was decoded and checked.
func (p *prefetcher) do(j *prefetchJob) (err error) {
	e := p.main
	defer func() {
		if err != nil {
			e.cache.dropTag(j.tag)
			if !errors.Is(err, context.Canceled) && !errors.Is(err, ErrClosed) {
				p.failed.Add(1)
				e.log.Debug("prefetch failed", "from", j.from, "to", j.to, "err", err)
			}
		}
	}()
	if err := j.ctx.Err(); err != nil {
		return err
	}
	if err := p.ensureOpen(); err != nil {
		return err
	}
	p.jobs.Add(1)
	gate := func(ctx context.Context) error { return e.waitQuiet(ctx, &j.urgent) }
	type part struct{ from, drawFrom, to int }
	parts := []part{{j.from, j.drawFrom, j.to}}
	if mid := j.to - prefetchTail + 1; j.shown-j.to <= prefetchNear && mid > j.from+prefetchTail && mid > j.drawFrom {
		parts = []part{{mid, mid, j.to}, {j.from, j.drawFrom, mid - 1}}
	}
	if e.trace != nil {
		t0 := time.Now()
		defer func() {
			e.trace(stepTrace{from: j.from, target: j.to, total: time.Since(t0), err: err,
				how: fmt.Sprintf("prefetch job for shown %d in %d part(s)", j.shown, len(parts))})
		}()
	}
	for _, pt := range parts {
		err := p.hidden.fillRange(j.ctx, pt.from, pt.drawFrom, pt.to, j.tag, gate)
		if errors.Is(err, errVODrop) {
			// A frame the hidden VO dropped (its renderer starved under
			// load) fails the part, never mislabels it: try it once more.
			e.log.Debug("prefetch: frame dropped; decoding the part again", "from", pt.from, "to", pt.to, "err", err)
			err = p.hidden.fillRange(j.ctx, pt.from, pt.drawFrom, pt.to, j.tag, gate)
		}
		if err != nil {
			if j.ctx.Err() != nil {
				return context.Canceled
			}
			return err
		}
	}
	p.frames.Add(int64(e.cache.confirm(j.tag)))
	return nil
}

// ensureOpen opens the hidden Engine unless it is open or failed to open.
// Only the run goroutine calls it.
func (p *prefetcher) ensureOpen() error {
	if p.hidden != nil {
		return nil
	}
	p.mu.Lock()
	err := p.disabled
	p.mu.Unlock()
	if err != nil {
		return err
	}
	h, err := p.open()
	if err != nil {
		p.mu.Lock()
		p.disabled = err
		p.mu.Unlock()
		p.main.log.Warn("background decoder unavailable; back steps decode on demand", "err", err)
		return err
	}
	p.hidden = h
	p.isOpen.Store(true)
	return nil
}

// opened reports whether the hidden Engine is open.
func (p *prefetcher) opened() bool { return p.isOpen.Load() }

// open starts the hidden Engine at the main Engine's render size.
func (p *prefetcher) open() (*Engine, error) {
	e := p.main
	w, h := e.r.size()
	opt := Options{
		Width: w, Height: h,
		AudioOutput:  "null",
		DemuxerBytes: prefetchDemuxerBytes,
		Timeout:      e.opt.Timeout,
		LogLevel:     e.opt.LogLevel,
		extra:        append([][2]string{{"aid", "no"}, {"sid", "no"}}, e.opt.extra...),
		shared:       e.cache,
		hidden:       true,
	}
	src := e.src
	src.Name += " (prefetch)"
	return Open(src, opt)
}

// fillRange decodes from (a key frame) to to on this (hidden) Engine,
// drawing from drawFrom into the cache, calling gate before the seek and
// before every frame step. The seek is exact (its frame is cached under
// tag, confirmed by the caller at the end); every stepped frame is
// labelled from time-pos and cached as soon as it was checked
// (stepForward), so a back step waiting for the job takes its frame at
// once and a cancelled job's frames stay usable.
func (e *Engine) fillRange(ctx context.Context, from, drawFrom, to int, tag uint64, gate func(context.Context) error) error {
	unlock, err := e.begin(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	e.r.setTag(tag)
	defer e.r.setTag(e.outside)
	if err := gate(ctx); err != nil {
		return err
	}
	b, err := e.seekExact(ctx, from)
	if err != nil {
		return err
	}
	b.unref()
	for at := from; at < to; at++ {
		if err := gate(ctx); err != nil {
			return err
		}
		if b, err = e.stepForward(ctx, at, at+1, drawFrom); err != nil {
			return err
		}
		if b != nil {
			b.unref()
		}
	}
	return nil
}

// waitQuiet waits until no navigation call runs on the main Engine and its
// last one that used libmpv ended mainQuiet ago, or urgent is set.
func (e *Engine) waitQuiet(ctx context.Context, urgent *atomic.Bool) error {
	for {
		ch := e.idle.wait()
		if urgent.Load() {
			return nil
		}
		var wait <-chan time.Time
		if e.busy.Load() == 0 {
			rem := mainQuiet - time.Since(time.Unix(0, e.busyEnd.Load()))
			if rem <= 0 {
				return nil
			}
			wait = time.After(rem)
		}
		select {
		case <-ch:
		case <-wait:
		case <-ctx.Done():
			return ctx.Err()
		case <-e.done:
			return ErrClosed
		}
	}
}
