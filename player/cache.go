package player

import (
	"container/list"
	"image"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Frame is one rendered video frame.
//
// Image belongs to the Engine's buffer pool and must not be modified. It
// stays valid until Release is called on this Frame (or on a copy of it);
// after that the pixels may be overwritten by a later frame. A Frame that is
// never released stays valid and is garbage collected normally; Release only
// lets the Engine recycle the buffer instead of allocating a new one.
type Frame struct {
	// Index is the frame number (an index into Source.Frames).
	Index int
	// PTS is Source.Frames[Index].
	PTS time.Duration
	// Image is the picture, RGBA with opaque alpha, at the render size.
	Image *image.RGBA

	ref *frameRef
}

type frameRef struct {
	buf  *buffer
	done atomic.Bool
}

// Release gives the Image back to the Engine's buffer pool. Calling it more
// than once, or on the zero Frame, is harmless.
func (f Frame) Release() {
	if f.ref != nil && f.ref.done.CompareAndSwap(false, true) {
		f.ref.buf.unref()
	}
}

// buffer is a reference-counted render target.
type buffer struct {
	img  *image.RGBA
	refs atomic.Int32
	pool *bufPool
}

func (b *buffer) ref() *buffer { b.refs.Add(1); return b }

func (b *buffer) unref() {
	switch n := b.refs.Add(-1); {
	case n == 0:
		b.pool.put(b)
	case n < 0:
		panic("player: buffer released too often")
	}
}

// frame wraps the buffer as a Frame holding its own reference.
func (b *buffer) frame(idx int, pts time.Duration) Frame {
	b.ref()
	return Frame{Index: idx, PTS: pts, Image: b.img, ref: &frameRef{buf: b}}
}

// bufPool recycles render targets of one size.
type bufPool struct {
	mu   sync.Mutex
	size image.Point
	free []*buffer
	max  int
}

func newBufPool() *bufPool { return &bufPool{max: 4} }

// get returns a buffer of size w x h with one reference.
func (p *bufPool) get(w, h int) *buffer {
	p.mu.Lock()
	if p.size != (image.Point{w, h}) {
		p.size = image.Point{w, h}
		p.free = nil
	}
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		b.refs.Store(1)
		return b
	}
	p.mu.Unlock()
	b := &buffer{img: newAlignedRGBA(w, h), pool: p}
	b.refs.Store(1)
	return b
}

func (p *bufPool) put(b *buffer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b.img.Rect.Size() == p.size && len(p.free) < p.max {
		p.free = append(p.free, b)
	}
}

// newAlignedRGBA allocates an RGBA image whose rows start on 64-byte
// boundaries, as libmpv's software renderer prefers.
func newAlignedRGBA(w, h int) *image.RGBA {
	stride := (4*w + 63) &^ 63
	raw := make([]byte, stride*h+64)
	off := 0
	if a := int(uintptrOf(raw)) & 63; a != 0 {
		off = 64 - a
	}
	return &image.RGBA{Pix: raw[off : off+stride*h : off+stride*h], Stride: stride, Rect: image.Rect(0, 0, w, h)}
}

// frameCache keeps decoded frames by index within a byte budget; the frame
// farthest from the shown one is evicted first (see victimLocked).
//
// An entry is verified (tag 0) or provisional (tag > 0): frames drawn
// during playback and by the prefetcher carry their run's tag until the run
// was checked against the frame table (confirm) or rejected (dropTag).
// Provisional entries count against the budget but are never served (get,
// has), and never replace a verified entry for the same frame.
type frameCache struct {
	mu      sync.Mutex
	budget  int64
	used    int64
	entries map[int]*list.Element
	lru     *list.List // front = most recent; values are *cacheEntry
	tags    atomic.Uint64
	// pos is the shown frame: eviction takes the frame farthest from it.
	pos atomic.Int64
	// added is broadcast when a verified frame was added (a back step
	// waiting for the background decoder takes its frame at once).
	added notifier
}

type cacheEntry struct {
	idx int
	buf *buffer
	tag uint64 // 0: verified
}

// newTag returns a tag for a run of provisional entries, unique per cache.
func (c *frameCache) newTag() uint64 { return c.tags.Add(1) }

func newFrameCache(budget int64) *frameCache {
	return &frameCache{budget: budget, entries: map[int]*list.Element{}, lru: list.New()}
}

func bufBytes(b *buffer) int64 { return int64(len(b.img.Pix)) }

// capacity is how many frames of the given size fit.
func (c *frameCache) capacity(w, h int) int {
	if c.budget <= 0 || w <= 0 || h <= 0 {
		return 0
	}
	return int(c.budget / int64(((4*w+63)&^63)*h))
}

// put stores (a new reference to) b as frame idx, verified.
func (c *frameCache) put(idx int, b *buffer) { c.putTag(idx, b, 0) }

// putTag stores (a new reference to) b as frame idx, provisional under tag
// (0: verified). A provisional picture never replaces a verified one.
func (c *frameCache) putTag(idx int, b *buffer, tag uint64) {
	if c.budget <= 0 || bufBytes(b) > c.budget {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[idx]; ok {
		e := el.Value.(*cacheEntry)
		if e.buf == b && e.tag == tag {
			c.lru.MoveToFront(el)
			return
		}
		if tag != 0 && e.tag == 0 && e.buf.img.Rect.Size() == b.img.Rect.Size() {
			return
		}
		c.removeLocked(el)
	}
	b.ref()
	c.entries[idx] = c.lru.PushFront(&cacheEntry{idx: idx, buf: b, tag: tag})
	c.used += bufBytes(b)
	for c.used > c.budget {
		c.removeLocked(c.victimLocked())
	}
	if tag == 0 {
		c.added.broadcast()
	}
}

// setPos records the shown frame (see victimLocked).
func (c *frameCache) setPos(n int) { c.pos.Store(int64(n)) }

// victimLocked picks the entry to evict: the one farthest from the shown
// frame, a frame after it counting twice its distance (back steps need the
// frames before the position; forward steps are cheap without the cache).
// The least recently used breaks ties. Under mu.
func (c *frameCache) victimLocked() *list.Element {
	pos := int(c.pos.Load())
	var victim *list.Element
	worst := -1
	for el := c.lru.Back(); el != nil; el = el.Prev() {
		d := pos - el.Value.(*cacheEntry).idx
		if d < 0 {
			d = -2 * d
		}
		if d > worst {
			victim, worst = el, d
		}
	}
	return victim
}

func (c *frameCache) removeLocked(el *list.Element) {
	e := c.lru.Remove(el).(*cacheEntry)
	delete(c.entries, e.idx)
	c.used -= bufBytes(e.buf)
	e.buf.unref()
}

// get returns frame idx with a new reference, if cached at size w x h.
func (c *frameCache) get(idx, w, h int) (*buffer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[idx]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if e.tag != 0 {
		return nil, false
	}
	if e.buf.img.Rect.Size() != (image.Point{w, h}) {
		c.removeLocked(el)
		return nil, false
	}
	c.lru.MoveToFront(el)
	return e.buf.ref(), true
}

// removeTag drops frame idx if it is cached under tag.
func (c *frameCache) removeTag(idx int, tag uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[idx]; ok && el.Value.(*cacheEntry).tag == tag {
		c.removeLocked(el)
	}
}

// confirm makes the entries under tag verified, and returns how many.
func (c *frameCache) confirm(tag uint64) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, el := range c.entries {
		if e := el.Value.(*cacheEntry); e.tag == tag {
			e.tag = 0
			n++
		}
	}
	if n > 0 {
		c.added.broadcast()
	}
	return n
}

// dropTag removes the entries under tag.
func (c *frameCache) dropTag(tag uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, el := range c.entries {
		if el.Value.(*cacheEntry).tag == tag {
			c.removeLocked(el)
		}
	}
}

// has reports whether idx is cached and verified.
func (c *frameCache) has(idx int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[idx]
	return ok && el.Value.(*cacheEntry).tag == 0
}

// cachedFrom returns the lowest frame lo such that lo..idx are all cached
// and verified (idx+1 if idx is not).
func (c *frameCache) cachedFrom(idx int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	lo := idx + 1
	for i := idx; i >= 0; i-- {
		el, ok := c.entries[i]
		if !ok || el.Value.(*cacheEntry).tag != 0 {
			break
		}
		lo = i
	}
	return lo
}

// clear drops every entry.
func (c *frameCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.lru.Len() > 0 {
		c.removeLocked(c.lru.Back())
	}
}

// len is the number of cached frames.
func (c *frameCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// uintptrOf is the address of b's first byte (for alignment only).
func uintptrOf(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
