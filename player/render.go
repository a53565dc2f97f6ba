package player

import (
	"fmt"
	"image"
	"sync"
	"time"
)

// notifier is a broadcast: wait returns a channel closed by the next
// broadcast.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch == nil {
		n.ch = make(chan struct{})
	}
	return n.ch
}

func (n *notifier) broadcast() {
	n.mu.Lock()
	if n.ch != nil {
		close(n.ch)
		n.ch = nil
	}
	n.mu.Unlock()
}

// renderer owns the mpv render context on its own goroutine (run). libmpv's
// update callback only signals sig. Every new video frame libmpv presents is
// drawn into a pooled buffer and labelled with a frame number by counting
// from an anchor the engine sets when mpv's position is known exactly.
type renderer struct {
	sig   chan struct{}
	reqs  chan func(*renderCtx)
	quit  chan struct{}
	done  chan struct{}
	pool  *bufPool
	cache *frameCache
	note  *notifier
	count int // frames in the table; labels beyond it become unknown

	// onNew runs on the render goroutine after a labelled new frame was
	// presented. It must not block.
	onNew func(idx int)

	mu        sync.Mutex
	w, h      int     // render size; 0 until known (frames are consumed undrawn)
	seq       uint64  // new frames presented so far
	handled   uint64  // seq of the newest frame drawn (or consumed undrawn)
	next      int     // label for the next new frame, -1 if unknown
	lastLabel int     // label of the newest presented frame, -1 if unknown
	drawFrom  int     // labelled frames below this are consumed without drawing
	stepping  bool    // frame-stepping: the engine caches frames once their time-pos is checked
	hold      int     // labelled frames above this are drawn but not published (-1: none)
	tag       uint64  // cache tag for labelled frames (0: verified; see frameCache)
	latest    *buffer // newest drawn picture (holds a reference)
	latestIdx int     // its label, -1 if unknown
	latestSeq uint64  // seq when it was drawn
	err       error   // last render error

	renders   int           // drawn pictures (for benchmarks)
	renderDur time.Duration // time spent drawing them
}

func newRenderer(count int, pool *bufPool, cache *frameCache, note *notifier) *renderer {
	return &renderer{
		sig:   make(chan struct{}, 1),
		reqs:  make(chan func(*renderCtx)),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
		pool:  pool,
		cache: cache,
		note:  note,
		count: count,
		next:  -1, lastLabel: -1, latestIdx: -1, hold: -1,
	}
}

// run is the render goroutine. create makes the render context (so that
// creation, rendering and freeing all happen here).
func (r *renderer) run(create func(chan<- struct{}) (*renderCtx, error), started chan<- error) {
	defer close(r.done)
	rc, err := create(r.sig)
	started <- err
	if err != nil {
		return
	}
	for {
		select {
		case <-r.quit:
			rc.free()
			r.mu.Lock()
			if r.latest != nil {
				r.latest.unref()
				r.latest = nil
			}
			r.mu.Unlock()
			return
		case <-r.sig:
			r.drain(rc)
		case f := <-r.reqs:
			r.drain(rc)
			f(rc)
			r.note.broadcast()
		}
	}
}

// drain handles every frame libmpv has pending.
func (r *renderer) drain(rc *renderCtx) {
	for {
		pending, redraw := rc.update()
		if !pending {
			return
		}
		r.mu.Lock()
		w, h := r.w, r.h
		if redraw {
			fresh := r.latest != nil && r.latest.img.Rect.Size() == image.Pt(w, h)
			idx := r.latestIdx
			r.mu.Unlock()
			if fresh || w == 0 {
				r.setErr(rc.skip())
				continue
			}
			// Same picture at a new size.
			r.mu.Lock()
			tag := r.tag
			r.mu.Unlock()
			r.draw(rc, idx, r.seqNow(), w, h, tag)
			continue
		}
		label := r.next
		if label >= r.count {
			label = -1
		}
		if label >= 0 {
			r.next = label + 1
		} else {
			r.next = -1
		}
		r.seq++
		seq := r.seq
		r.lastLabel = label
		draw := w > 0 && (label < 0 || label >= r.drawFrom)
		publish := r.hold < 0 || label <= r.hold
		tag := r.tag
		r.mu.Unlock()
		if draw {
			r.draw(rc, label, seq, w, h, tag)
		} else {
			r.setErr(rc.skip())
		}
		r.mu.Lock()
		r.handled = seq
		r.mu.Unlock()
		if label >= 0 && publish && r.onNew != nil {
			r.onNew(label)
		}
		r.note.broadcast()
	}
}

// handledNow is the presentation count of the newest frame whose drawing
// (or consumption undrawn) has finished.
func (r *renderer) handledNow() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.handled
}

func (r *renderer) seqNow() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seq
}

// draw renders the current frame into a new buffer, caches it under a
// known label (with the cache tag in force when the frame was labelled) and
// makes it the latest picture (unless held back past a loop end). The
// returned buffer is owned by the renderer; nil on error.
func (r *renderer) draw(rc *renderCtx, label int, seq uint64, w, h int, tag uint64) *buffer {
	b := r.pool.get(w, h)
	t0 := time.Now()
	err := rc.render(b.img)
	d := time.Since(t0)
	r.mu.Lock()
	r.renders++
	r.renderDur += d
	r.mu.Unlock()
	if err != nil {
		b.unref()
		r.setErr(fmt.Errorf("render: %w", err))
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if label >= 0 && !r.stepping {
		r.cache.putTag(label, b, tag)
	}
	if label >= 0 && r.hold >= 0 && label > r.hold {
		// Past the loop end: keep the picture out of sight.
		b.unref()
		return nil
	}
	if r.latest != nil {
		r.latest.unref()
	}
	r.latest, r.latestIdx, r.latestSeq = b, label, seq
	return b
}

func (r *renderer) setErr(err error) {
	if err == nil {
		return
	}
	r.mu.Lock()
	r.err = err
	r.mu.Unlock()
}

// call runs f on the render goroutine (after pending frames were handled) and
// waits for it, or for quit.
func (r *renderer) call(f func(*renderCtx)) bool {
	done := make(chan struct{})
	select {
	case r.reqs <- func(rc *renderCtx) { f(rc); close(done) }:
	case <-r.done:
		return false
	}
	select {
	case <-done:
		return true
	case <-r.done:
		return false
	}
}

// setSize sets the render size.
func (r *renderer) setSize(w, h int) {
	r.mu.Lock()
	r.w, r.h = w, h
	r.mu.Unlock()
}

func (r *renderer) size() (w, h int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.w, r.h
}

// forget marks the position unknown before mpv is repositioned, and returns
// the presentation count to pass to settle.
func (r *renderer) forget() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next, r.lastLabel = -1, -1
	return r.seq
}

// settle labels the picture mpv shows now as idx, once mpv has finished
// repositioning (for a seek, the engine made sure that the playback-restart
// ends its own seek, issued after forget returned seq0, and that a new
// frame was presented since). It always draws the current frame again: a
// picture that libmpv handed over after forget may still be the old
// position's (a render that was in flight when the seek was issued, e.g.
// the first frame drawn just after Open), and labelling that one would show
// the wrong frame. It returns a reference to the picture.
func (r *renderer) settle(idx int, seq0 uint64) (*buffer, error) {
	var out *buffer
	var err error
	ok := r.call(func(rc *renderCtx) {
		r.mu.Lock()
		w, h := r.w, r.h
		r.lastLabel, r.next = idx, idx+1
		seq, tag := r.seq, r.tag
		r.mu.Unlock()
		b := r.draw(rc, idx, seq, w, h, tag)
		if b == nil {
			err = r.lastErr()
			return
		}
		out = b.ref()
	})
	if !ok {
		return nil, ErrClosed
	}
	return out, err
}

func (r *renderer) lastErr() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		return fmt.Errorf("%w: render failed", ErrPlayback)
	}
	return fmt.Errorf("%w: %w", ErrPlayback, r.err)
}

// state returns the label of the newest presented frame and of the newest
// drawn picture.
func (r *renderer) state() (last, latest int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastLabel, r.latestIdx
}

// latestRef returns a reference to the newest drawn picture and its label.
func (r *renderer) latestRef() (*buffer, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.latest == nil {
		return nil, -1
	}
	return r.latest.ref(), r.latestIdx
}

// setLatest makes b (a cached frame served without libmpv) the latest
// picture, so LatestFrame agrees with what the engine shows.
func (r *renderer) setLatest(b *buffer, idx int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b.ref()
	if r.latest != nil {
		r.latest.unref()
	}
	r.latest, r.latestIdx = b, idx
}

// setStepping marks frame-stepping from drawFrom on (n >= 0: frames
// labelled below n are consumed undrawn, none is cached by the renderer)
// or its end (n < 0).
func (r *renderer) setStepping(n int) {
	r.mu.Lock()
	r.stepping = n >= 0
	r.drawFrom = max(n, 0)
	r.mu.Unlock()
}

// latestRefSeq is latestRef with the presentation count of the picture.
func (r *renderer) latestRefSeq() (*buffer, int, uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.latest == nil {
		return nil, -1, 0
	}
	return r.latest.ref(), r.latestIdx, r.latestSeq
}

// setTag sets the cache tag for frames labelled from now on.
func (r *renderer) setTag(tag uint64) {
	r.mu.Lock()
	r.tag = tag
	r.mu.Unlock()
}

// endRun ends a provisional run (playback): frames labelled from now on are
// verified. If the newest presented frame is not labelled last (the count
// disagrees with the frame table), the position becomes unknown, so no
// later frame is labelled by counting from a wrong base. Both happen under
// one lock, so no frame is labelled in between.
func (r *renderer) endRun(last int) (agrees bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tag = 0
	if last >= 0 && r.lastLabel == last {
		return true
	}
	r.next, r.lastLabel = -1, -1
	return false
}

func (r *renderer) setHold(n int) {
	r.mu.Lock()
	r.hold = n
	r.mu.Unlock()
}
