package player

import (
	"testing"
	"time"
)

func ms2(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }

func TestTimeline(t *testing.T) {
	// VFR: 40 ms frames with a 60 ms gap before frame 3.
	src := Source{Name: "t", Frames: []time.Duration{0, ms2(40), ms2(80), ms2(140), ms2(180)},
		FramePTSOffset: ms2(1400), Keyframes: []bool{true, false, false, true, false}}
	tl, err := newTimeline(src)
	if err != nil {
		t.Fatal(err)
	}
	if tl.tol != ms2(20) {
		t.Fatalf("tol = %v", tl.tol)
	}
	for _, c := range []struct {
		d    time.Duration
		want int
	}{{-ms2(1), 0}, {0, 0}, {ms2(39.9), 0}, {ms2(40), 1}, {ms2(139), 2}, {ms2(140), 3}, {time.Hour, 4}} {
		if got := tl.frameAt(c.d); got != c.want {
			t.Errorf("frameAt(%v) = %d, want %d", c.d, got, c.want)
		}
	}
	// mpv positions: nearest frame start within half the smallest interval.
	for _, c := range []struct {
		pos  float64
		want int
	}{{1.4, 0}, {1.439999, 1}, {1.4401, 1}, {1.521, 3}, {1.5, 2}, {1.62, 4}, {0, 0}} {
		if got := tl.frameAtMPV(c.pos); got != c.want {
			t.Errorf("frameAtMPV(%v) = %d, want %d", c.pos, got, c.want)
		}
	}
	if !tl.matches(1.540, 3) || tl.matches(1.5, 3) {
		t.Error("matches")
	}
	if tl.mpvSeconds(3) != 1.54 {
		t.Errorf("mpvSeconds(3) = %v", tl.mpvSeconds(3))
	}
	if k := tl.keyframeAtOrBefore(4); k != 3 {
		t.Errorf("keyframe before 4 = %d", k)
	}
	if d := tl.duration(); d != ms2(220) {
		t.Errorf("duration = %v", d)
	}
	// Retry lead for a missed seek: into the middle of the previous GOP
	// (frames 0..2 here), before the start in the first GOP, a fixed lead
	// without key frame information.
	near := func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
	if l := tl.demuxLead(4); !near(l, 0.180-0.070) {
		t.Errorf("demuxLead(4) = %v, want 0.110", l)
	}
	if l := tl.demuxLead(2); !near(l, 1.080) {
		t.Errorf("demuxLead(2) = %v, want 1.080", l)
	}
	src.Keyframes = nil
	if tl, _ := newTimeline(src); tl.demuxLead(4) != fallbackLead.Seconds() {
		t.Errorf("demuxLead without key frames = %v", tl.demuxLead(4))
	}
	for _, bad := range [][]time.Duration{nil, {ms2(1), ms2(2)}, {0, ms2(5), ms2(5)}} {
		if _, err := newTimeline(Source{Frames: bad}); err == nil {
			t.Errorf("frame table %v accepted", bad)
		}
	}
}

func TestFrameCacheAndPool(t *testing.T) {
	pool := newBufPool()
	b0 := pool.get(16, 4)
	size := bufBytes(b0)
	if b0.img.Stride != 64 || len(b0.img.Pix) != 64*4 {
		t.Fatalf("stride %d len %d", b0.img.Stride, len(b0.img.Pix))
	}
	if uintptrOf(b0.img.Pix)%64 != 0 {
		t.Fatal("pixels not 64-byte aligned")
	}
	c := newFrameCache(3 * size)
	if c.capacity(16, 4) != 3 {
		t.Fatalf("capacity %d", c.capacity(16, 4))
	}
	bufs := []*buffer{b0}
	for i := 1; i < 5; i++ {
		bufs = append(bufs, pool.get(16, 4))
	}
	c.setPos(4) // playing forward: the oldest frames behind go first
	for i, b := range bufs {
		c.put(i, b)
		b.unref() // the cache holds the only reference now
	}
	if c.len() != 3 || c.has(0) || c.has(1) || !c.has(4) {
		t.Fatalf("eviction wrong: len %d", c.len())
	}
	// Evicted buffers went back to the pool.
	if len(pool.free) != 2 {
		t.Fatalf("pool has %d free buffers", len(pool.free))
	}
	got, ok := c.get(2, 16, 4)
	if !ok {
		t.Fatal("frame 2 missing")
	}
	f := got.frame(2, 0)
	got.unref()
	// Stepping back to 2: frame 1 comes in, the frame farthest after the
	// position goes (4), not the least recently used (3).
	c.setPos(2)
	b1 := pool.get(16, 4)
	c.put(1, b1)
	b1.unref()
	if !c.has(1) || !c.has(2) || !c.has(3) || c.has(4) {
		t.Fatal("eviction did not take the frame farthest after the position")
	}
	// A cached frame put again is replaced; nothing is evicted.
	b0b := pool.get(16, 4)
	c.put(2, b0b) // same frame again: replaces, evicts nothing
	b0b.unref()
	if c.len() != 3 {
		t.Fatalf("len %d after replacing a frame", c.len())
	}
	c.clear()
	// The frame handed out survives eviction until released.
	if f.Image != got.img || got.refs.Load() != 1 {
		t.Fatalf("handed-out frame lost its buffer (refs %d)", got.refs.Load())
	}
	f.Release()
	f.Release()
	if got.refs.Load() != 0 {
		t.Fatalf("refs after release = %d", got.refs.Load())
	}
	if _, ok := c.get(2, 16, 4); ok {
		t.Fatal("cleared cache still has frames")
	}
	// A disabled cache stores nothing.
	off := newFrameCache(-1)
	off.put(1, pool.get(16, 4))
	if off.len() != 0 {
		t.Fatal("disabled cache stored a frame")
	}
}

func TestEventQueueCoalesces(t *testing.T) {
	done := make(chan struct{})
	defer close(done)
	q := newEventQueue(done)
	// Nobody reads: pushing must never block.
	start := time.Now()
	for i := 0; i < 10000; i++ {
		q.push(Event{Kind: EventPosition, Frame: i})
	}
	q.push(Event{Kind: EventEnd, Frame: 9999})
	if time.Since(start) > time.Second {
		t.Fatal("push blocked")
	}
	var got []Event
	timeout := time.After(2 * time.Second)
	for len(got) == 0 || got[len(got)-1].Kind != EventEnd {
		select {
		case ev := <-q.out:
			got = append(got, ev)
		case <-timeout:
			t.Fatalf("got %v", got)
		}
	}
	// At most the one position already in flight, then the latest, then End.
	if len(got) > 3 || len(got) < 2 || got[len(got)-2].Kind != EventPosition || got[len(got)-2].Frame != 9999 {
		t.Fatalf("events %v", got)
	}
}

// TestCacheTags: provisional entries are never served, never replace a
// verified picture of the same frame, and become verified or go with their
// run's tag.
func TestCacheTags(t *testing.T) {
	pool := newBufPool()
	c := newFrameCache(1 << 20)
	w, h := 8, 8
	verified := pool.get(w, h)
	c.put(1, verified)
	verified.unref()
	run := c.newTag()
	for i := 1; i <= 3; i++ {
		b := pool.get(w, h)
		c.putTag(i, b, run)
		b.unref()
	}
	if b, ok := c.get(1, w, h); !ok || b != verified {
		t.Fatal("a provisional picture replaced the verified frame 1")
	} else {
		b.unref()
	}
	if c.has(2) || c.has(3) {
		t.Fatal("provisional frames served")
	}
	if _, ok := c.get(2, w, h); ok {
		t.Fatal("provisional frame 2 served by get")
	}
	if lo := c.cachedFrom(3); lo != 4 {
		t.Fatalf("cachedFrom(3) = %d with 3 provisional", lo)
	}
	other := c.newTag()
	b := pool.get(w, h)
	c.putTag(5, b, other)
	b.unref()
	c.removeTag(3, other) // not its tag: stays
	if n := c.confirm(run); n != 2 {
		t.Fatalf("confirmed %d entries, want 2 (frames 2, 3)", n)
	}
	if !c.has(2) || !c.has(3) || c.cachedFrom(3) != 1 {
		t.Fatalf("confirmed frames not served (cachedFrom(3) = %d)", c.cachedFrom(3))
	}
	c.dropTag(other)
	if c.len() != 3 || c.has(5) {
		t.Fatalf("after dropping the other run: %d entries, has(5) %v", c.len(), c.has(5))
	}
}
