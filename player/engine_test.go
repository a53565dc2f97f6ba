package player

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"
	"unsafe"

	mpv "github.com/gen2brain/go-mpv"
)

// openClip opens p with audio to ao=null and closes it at cleanup.
func openClip(t *testing.T, src Source, opt Options) *Engine {
	t.Helper()
	opt.AudioOutput = "null"
	if opt.LogLevel == "" {
		opt.LogLevel = os.Getenv("EXHIBIT_PLAYER_MPVLOG")
	}
	e, err := Open(src, opt)
	if err != nil {
		t.Fatalf("open %s: %v", src.Name, err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return e
}

// waitUntil polls cond (every 2 ms) until it holds; it fails the test after
// within.
func waitUntil(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %v", what, within)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// check verifies a returned frame: label, PTS and pixels agree.
func check(t *testing.T, p *probed, f Frame, err error, n int, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if f.Index != n {
		t.Fatalf("%s: Index = %d, want %d", what, f.Index, n)
	}
	if f.PTS != p.Frames[n] {
		t.Fatalf("%s: PTS = %v, want %v", what, f.PTS, p.Frames[n])
	}
	wantIndex(t, f.Image, n, what)
	f.Release()
}

// TestRawHandleLayout guards rawHandle's unsafe read of go-mpv's Mpv.
func TestRawHandleLayout(t *testing.T) {
	typ := reflect.TypeOf(mpv.Mpv{})
	if typ.NumField() != 1 || typ.Field(0).Type.Kind() != reflect.Pointer ||
		typ.Size() != unsafe.Sizeof(uintptr(0)) {
		t.Fatalf("go-mpv's Mpv layout changed (%d fields, size %d): update rawHandle", typ.NumField(), typ.Size())
	}
	c, err := newCore()
	if err != nil {
		t.Fatal(err)
	}
	defer c.m.TerminateDestroy()
	if err := c.m.SetOptionString("config", "no"); err != nil {
		t.Fatal(err)
	}
	if err := c.m.Initialize(); err != nil {
		t.Fatal(err)
	}
	// Write through go-mpv, read through the raw handle, and back.
	if err := c.m.SetPropertyString("speed", "1.5"); err != nil {
		t.Fatal(err)
	}
	if v, err := c.getDouble("speed"); err != nil || v != 1.5 {
		t.Fatalf("speed via raw handle = %v, %v; want 1.5", v, err)
	}
	if err := c.command("set", "speed", "2.25"); err != nil {
		t.Fatal(err)
	}
	if got := c.m.GetPropertyString("speed"); got != "2.250000" {
		t.Fatalf("speed via go-mpv = %q after raw command", got)
	}
}

func TestSeekFrames(t *testing.T) {
	p := clip(t, clipMP4)
	e := openClip(t, p.Source(), Options{CacheBytes: -1})
	ctx := testCtx(t)
	if e.FrameCount() != 200 {
		t.Fatalf("FrameCount = %d", e.FrameCount())
	}
	f, ok := e.LatestFrame()
	if !ok {
		t.Fatal("no frame after open")
	}
	check(t, p, f, nil, 0, "after open")
	// First, last, both sides of every GOP boundary, and a scatter.
	targets := []int{0, 199, 49, 50, 51, 99, 100, 149, 150, 198, 1, 0, 123, 77, 5, 180, 199, 0}
	for _, n := range targets {
		f, err := e.SeekFrame(ctx, n)
		check(t, p, f, err, n, fmt.Sprintf("SeekFrame(%d)", n))
		if got, media, wall := e.Position(); got != n || media != p.Frames[n] ||
			!wall.Equal(p.Source().RecordedAt.Add(p.Frames[n])) {
			t.Fatalf("Position after SeekFrame(%d) = %d %v %v", n, got, media, wall)
		}
	}
	// Out of range clamps.
	f, err := e.SeekFrame(ctx, 1000)
	check(t, p, f, err, 199, "SeekFrame(1000)")
	f, err = e.SeekFrame(ctx, -5)
	check(t, p, f, err, 0, "SeekFrame(-5)")
	if d := e.Duration(); d != 8*time.Second {
		t.Fatalf("Duration = %v, want 8s", d)
	}
}

func TestSeekTimeIntervals(t *testing.T) {
	p := clip(t, clipMP4)
	e := openClip(t, p.Source(), Options{})
	ctx := testCtx(t)
	for _, n := range []int{0, 3, 49, 50, 120, 198} {
		start, next := p.Frames[n], p.Frames[n+1]
		for _, d := range []time.Duration{start, start + (next-start)/2, next - time.Nanosecond} {
			f, err := e.SeekTime(ctx, d)
			check(t, p, f, err, n, fmt.Sprintf("SeekTime(%v)", d))
		}
		f, err := e.SeekTime(ctx, next)
		check(t, p, f, err, n+1, fmt.Sprintf("SeekTime(%v)", next))
	}
	f, err := e.SeekTime(ctx, -time.Second)
	check(t, p, f, err, 0, "SeekTime(-1s)")
	f, err = e.SeekTime(ctx, time.Hour)
	check(t, p, f, err, 199, "SeekTime(1h)")
	rec := p.Source().RecordedAt
	f, err = e.SeekWallClock(ctx, rec.Add(2*time.Second+10*time.Millisecond))
	check(t, p, f, err, 50, "SeekWallClock(+2.01s)")
	f, err = e.SeekWallClock(ctx, rec.Add(2*time.Second-time.Millisecond).In(time.FixedZone("BST", 3600)))
	check(t, p, f, err, 49, "SeekWallClock(+1.999s, other zone)")

	src := p.Source()
	src.RecordedAt = time.Time{}
	e2 := openClip(t, src, Options{})
	if _, err := e2.SeekWallClock(ctx, rec); !errors.Is(err, ErrNoWallClock) {
		t.Fatalf("SeekWallClock without RecordedAt: %v", err)
	}
}

func TestStepAcrossGOPs(t *testing.T) {
	p := clip(t, clipMP4)
	e := openClip(t, p.Source(), Options{})
	ctx := testCtx(t)
	f, err := e.SeekFrame(ctx, 44)
	check(t, p, f, err, 44, "seek 44")
	// Forward across the GOP boundary at 50.
	for n := 45; n <= 56; n++ {
		f, err := e.Step(ctx, 1)
		check(t, p, f, err, n, fmt.Sprintf("step +1 to %d", n))
	}
	// Back across it again and on into the previous GOP: the first step
	// back into the uncached GOP fills it from the keyframe.
	for n := 55; n >= 40; n-- {
		f, err := e.Step(ctx, -1)
		check(t, p, f, err, n, fmt.Sprintf("step -1 to %d", n))
	}
	// Big steps both ways.
	f, err = e.Step(ctx, 30)
	check(t, p, f, err, 70, "step +30")
	f, err = e.Step(ctx, -25)
	check(t, p, f, err, 45, "step -25")
	f, err = e.Step(ctx, -1000)
	check(t, p, f, err, 0, "step to start")
	f, err = e.Step(ctx, -1)
	check(t, p, f, err, 0, "step before start")
	f, err = e.SeekFrame(ctx, 199)
	check(t, p, f, err, 199, "seek last")
	f, err = e.Step(ctx, 1)
	check(t, p, f, err, 199, "step past end")
	for n := 198; n >= 190; n-- {
		f, err := e.Step(ctx, -1)
		check(t, p, f, err, n, fmt.Sprintf("step back from end to %d", n))
	}
}

// TestBackStepCache checks that back steps after the first are served from
// the cache (fast), and that a tiny cache still gives exact frames.
func TestBackStepCache(t *testing.T) {
	p := clip(t, clipMP4)
	ctx := testCtx(t)
	e := openClip(t, p.Source(), Options{})
	f, err := e.SeekFrame(ctx, 149)
	check(t, p, f, err, 149, "seek 149")
	f, err = e.Step(ctx, -1)
	check(t, p, f, err, 148, "first back step")
	// The seek drew 146..149; the background decoder draws the rest of
	// the GOP.
	waitCached(t, e, 100, 147, 20*time.Second)
	for n := 147; n >= 100; n-- {
		f, err := e.Step(ctx, -1)
		check(t, p, f, err, n, "cached back step")
	}

	// 3 frames' worth of cache: fills are windowed, frames still exact.
	w, h := p.W, p.H
	small := openClip(t, p.Source(), Options{CacheBytes: int64(3 * ((4*w + 63) &^ 63) * h)})
	f, err = small.SeekFrame(ctx, 60)
	check(t, p, f, err, 60, "seek 60")
	for n := 59; n >= 45; n-- {
		f, err := small.Step(ctx, -1)
		check(t, p, f, err, n, fmt.Sprintf("small-cache back step to %d", n))
	}
	if small.cache.len() > 3 {
		t.Fatalf("cache holds %d frames, budget is 3", small.cache.len())
	}
}

// TestPlayContinuesFromShownFrame steps back (served from the cache, so
// libmpv is elsewhere), plays and checks playback continues from the shown
// frame, that labels during playback match the pixels, and that Pause pins
// an exact frame.
func TestPlayContinuesFromShownFrame(t *testing.T) {
	p := clip(t, clipMP4)
	e := openClip(t, p.Source(), Options{})
	ctx := testCtx(t)
	f, err := e.SeekFrame(ctx, 30)
	check(t, p, f, err, 30, "seek 30")
	for n := 29; n >= 20; n-- {
		f, err := e.Step(ctx, -1)
		check(t, p, f, err, n, "back step")
	}
	if err := e.Play(); err != nil {
		t.Fatal(err)
	}
	if !e.Playing() {
		t.Fatal("not playing after Play")
	}
	var seen []int
	// Until five frames were shown (10 s at most: under load playback may
	// start late; it must start and be contiguous).
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && len(seen) < 6 {
		f, ok := e.LatestFrame()
		if ok {
			got, valid := decodeIndex(f.Image)
			if !valid {
				t.Fatal("playback frame without a valid index")
			}
			if got != f.Index {
				t.Fatalf("playback frame labelled %d shows %d", f.Index, got)
			}
			if len(seen) == 0 || seen[len(seen)-1] != got {
				seen = append(seen, got)
			}
			f.Release()
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := e.Pause(); err != nil {
		t.Fatal(err)
	}
	if len(seen) < 5 || seen[0] != 20 && seen[0] != 21 {
		t.Fatalf("playback after stepping to 20 showed %v", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] || seen[i] > seen[i-1]+2 {
			t.Fatalf("playback sequence not contiguous: %v", seen)
		}
	}
	n, _, _ := e.Position()
	if n < seen[len(seen)-1] {
		t.Fatalf("paused at %d, before the last frame seen playing (%d)", n, seen[len(seen)-1])
	}
	// Frames drawn during playback are kept for stepping back only once
	// their labels were confirmed against the frame table; every kept
	// picture must show its label.
	for i := seen[0]; i <= n; i++ {
		if b, ok := e.cache.get(i, p.W, p.H); ok {
			if got, valid := decodeIndex(b.img); !valid || got != i {
				t.Fatalf("played frame cached as %d shows %d", i, got)
			}
			b.unref()
		}
	}
	f, ok := e.LatestFrame()
	if !ok {
		t.Fatal("no frame after pause")
	}
	check(t, p, f, nil, n, "after pause")
	// And stepping on from the paused frame is exact.
	f, err = e.Step(ctx, 1)
	check(t, p, f, err, n+1, "step after pause")
	f, err = e.Step(ctx, -1)
	check(t, p, f, err, n, "back step after pause")
}

func TestPlaybackEventsAndEnd(t *testing.T) {
	p := clip(t, clipMP4)
	e := openClip(t, p.Source(), Options{})
	ctx := testCtx(t)
	if _, err := e.SeekFrame(ctx, 170); err != nil {
		t.Fatal(err)
	}
	if err := e.SetSpeed(2); err != nil {
		t.Fatal(err)
	}
	if err := e.SetVolume(50); err != nil {
		t.Fatal(err)
	}
	if err := e.SetMute(true); err != nil {
		t.Fatal(err)
	}
	if err := e.SetSpeed(10); err == nil {
		t.Fatal("SetSpeed(10) accepted")
	}
	if err := e.Play(); err != nil {
		t.Fatal(err)
	}
	last := 170
	timeout := time.After(20 * time.Second)
	for done := false; !done; {
		select {
		case ev := <-e.Events():
			switch ev.Kind {
			case EventPosition:
				if ev.Frame < last {
					t.Fatalf("position went back %d -> %d", last, ev.Frame)
				}
				last = ev.Frame
			case EventEnd:
				if ev.Frame != 199 {
					t.Fatalf("end event at frame %d", ev.Frame)
				}
				done = true
			case EventError:
				t.Fatal(ev.Err)
			}
		case <-timeout:
			l, lt := e.r.state()
			e.mu.Lock()
			t.Fatalf("no end event (last position %d; playing %v paused %v eof %v restarts %d timePos %.3f; renderer last %d latest %d seq %d)",
				last, e.playing, e.paused, e.eof, e.restarts, e.timePos, l, lt, e.r.seqNow())
		}
	}
	if e.Playing() {
		t.Fatal("still playing after the end")
	}
	n, _, _ := e.Position()
	if n != 199 {
		t.Fatalf("position at end = %d", n)
	}
	f, err := e.Step(ctx, -1)
	check(t, p, f, err, 198, "step back from end")
	// Play at the last frame restarts from the beginning.
	if _, err := e.SeekFrame(ctx, 199); err != nil {
		t.Fatal(err)
	}
	if err := e.Play(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "playback restarted from the beginning", func() bool {
		n, _, _ := e.Position()
		return n >= 1 && n < 100
	})
	if err := e.Pause(); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := e.Position(); n > 100 {
		t.Fatalf("play at end did not restart: at %d", n)
	}
}

func TestLoop(t *testing.T) {
	p := clip(t, clipMP4)
	e := openClip(t, p.Source(), Options{})
	if err := e.SetLoop(10, 5); err == nil {
		t.Fatal("reversed loop accepted")
	}
	if err := e.SetLoop(10, 20); err != nil {
		t.Fatal(err)
	}
	if err := e.SetSpeed(4); err != nil {
		t.Fatal(err)
	}
	if err := e.Play(); err != nil {
		t.Fatal(err)
	}
	var seen []int
	wrappedAt := func() bool {
		for i := 1; i < len(seen); i++ {
			if seen[i] < seen[i-1] {
				return true
			}
		}
		return false
	}
	// Until the loop wrapped twice (a pass is 11 frames: 110 ms at 4x;
	// under load it may take longer, but it must wrap).
	deadline := time.Now().Add(15 * time.Second)
	for wraps := 0; wraps < 2 && time.Now().Before(deadline); {
		if f, ok := e.LatestFrame(); ok {
			got, _ := decodeIndex(f.Image)
			if got < 10 || got > 20 {
				t.Fatalf("loop 10..20 showed frame %d", got)
			}
			if len(seen) > 0 && got < seen[len(seen)-1] {
				wraps++
			}
			if len(seen) == 0 || seen[len(seen)-1] != got {
				seen = append(seen, got)
			}
			f.Release()
		}
		time.Sleep(3 * time.Millisecond)
	}
	if !wrappedAt() {
		t.Fatalf("loop never wrapped: %v", seen)
	}
	e.ClearLoop()
	if err := e.Pause(); err != nil {
		t.Fatal(err)
	}
	n, _, _ := e.Position()
	f, _ := e.LatestFrame()
	check(t, p, f, nil, n, "paused in loop")
}

func TestContainers(t *testing.T) {
	for _, spec := range []clipSpec{clipMKV, clipTS, clipVFR, clipHEVC} {
		t.Run(spec.Name, func(t *testing.T) {
			p := clip(t, spec)
			e := openClip(t, p.Source(), Options{})
			ctx := testCtx(t)
			last := len(p.Frames) - 1
			g := spec.GOP
			for _, n := range []int{last, 0, g - 1, g, g + 1, last / 2, last - 1} {
				f, err := e.SeekFrame(ctx, n)
				check(t, p, f, err, n, fmt.Sprintf("SeekFrame(%d)", n))
			}
			f, err := e.SeekFrame(ctx, g+2)
			check(t, p, f, err, g+2, "seek")
			for n := g + 1; n >= g-3; n-- {
				f, err := e.Step(ctx, -1)
				check(t, p, f, err, n, "back step")
			}
			for n := g - 2; n <= g+3; n++ {
				f, err := e.Step(ctx, 1)
				check(t, p, f, err, n, "step")
			}
			// Interval semantics on this clip's own frame table.
			for _, n := range []int{1, g, last - 1} {
				mid := p.Frames[n] + (p.Frames[n+1]-p.Frames[n])/2
				f, err := e.SeekTime(ctx, mid)
				check(t, p, f, err, n, fmt.Sprintf("SeekTime(%v)", mid))
			}
		})
	}
}

// TestMPEGTSStartTime documents how mpv's timeline relates to the frame
// table: MPEG-TS from ffmpeg starts at 1.4 s; with rebase-start-time=no
// (set by the Engine) mpv's time-pos is the container pts, so frame n is at
// FramePTSOffset + Frames[n]. A wrong offset is refused at Open.
func TestMPEGTSStartTime(t *testing.T) {
	p := clip(t, clipTS)
	if p.Offset < time.Second {
		t.Fatalf("test TS starts at %v; want a non-zero start", p.Offset)
	}
	e := openClip(t, p.Source(), Options{})
	ctx := testCtx(t)
	f, err := e.SeekFrame(ctx, 40)
	check(t, p, f, err, 40, "seek 40")
	pos, err := e.getDouble("time-pos")
	if err != nil {
		t.Fatal(err)
	}
	if want := (p.Offset + p.Frames[40]).Seconds(); pos < want-0.001 || pos > want+0.001 {
		t.Fatalf("mpv time-pos %.6f, want FramePTSOffset+Frames[40] = %.6f", pos, want)
	}
	src := p.Source()
	src.FramePTSOffset = 0
	if _, err := Open(src, Options{AudioOutput: "null"}); !errors.Is(err, ErrInvalidSource) {
		t.Fatalf("Open with a wrong FramePTSOffset: %v, want ErrInvalidSource", err)
	}
}

// xorReader is an "encrypted" in-memory master: the bytes are stored XORed
// with a keystream and decrypted in ReadAt, like the vault's decryptor.
type xorReader struct {
	enc []byte
}

func newXORReader(plain []byte) *xorReader {
	enc := make([]byte, len(plain))
	for i := range plain {
		enc[i] = plain[i] ^ xorKey(int64(i))
	}
	return &xorReader{enc: enc}
}

func xorKey(off int64) byte { return byte(off*131 + off>>8) }

func (x *xorReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(x.enc)) {
		return 0, io.EOF
	}
	n := copy(p, x.enc[off:])
	for i := 0; i < n; i++ {
		p[i] ^= xorKey(off + int64(i))
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func TestReaderSource(t *testing.T) {
	p := clip(t, clipMP4)
	data, err := os.ReadFile(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	src := p.Source()
	src.Path = ""
	src.Reader = newXORReader(data)
	src.Size = int64(len(data))
	e := openClip(t, src, Options{})
	ctx := testCtx(t)
	for _, n := range []int{199, 0, 50, 120} {
		f, err := e.SeekFrame(ctx, n)
		check(t, p, f, err, n, fmt.Sprintf("vault SeekFrame(%d)", n))
	}
	for n := 119; n >= 95; n-- {
		f, err := e.Step(ctx, -1)
		check(t, p, f, err, n, "vault back step")
	}
	if err := e.Play(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "vault playback advances", func() bool {
		n, _, _ := e.Position()
		return n >= 125
	})
	if err := e.Pause(); err != nil {
		t.Fatal(err)
	}
	n, _, _ := e.Position()
	f, _ := e.LatestFrame()
	check(t, p, f, nil, n, "vault after playback")
}

// failingReader returns an error for any read reaching failAt, like a vault
// whose chunk authentication fails (tampered or truncated master).
type failingReader struct {
	r      io.ReaderAt
	failAt int64
}

var errTampered = errors.New("chunk 7: message authentication failed")

func (f *failingReader) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.failAt {
		n := max(0, int(f.failAt-off))
		if n > 0 {
			if _, err := f.r.ReadAt(p[:n], off); err != nil {
				return 0, err
			}
		}
		return n, errTampered
	}
	return f.r.ReadAt(p, off)
}

func TestTamperedReader(t *testing.T) {
	p := clip(t, clipMP4)
	data, err := os.ReadFile(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, frac := range []float64{0.001, 0.3, 0.9} {
		t.Run(fmt.Sprint(frac), func(t *testing.T) {
			src := p.Source()
			src.Path = ""
			src.Reader = &failingReader{r: bytes.NewReader(data), failAt: int64(frac * float64(len(data)))}
			src.Size = int64(len(data))
			start := time.Now()
			e, err := Open(src, Options{AudioOutput: "null", Timeout: 5 * time.Second})
			if err == nil {
				defer e.Close()
				ctx := testCtx(t)
				_, err = e.SeekFrame(ctx, 199)
				if err == nil {
					_, err = e.Step(ctx, -1)
				}
			}
			if err == nil {
				t.Fatal("tampered media played without error")
			}
			if !errors.Is(err, ErrSourceRead) || !errors.Is(err, errTampered) {
				t.Fatalf("error %v does not wrap ErrSourceRead and the reader's error", err)
			}
			if el := time.Since(start); el > 4*time.Second {
				t.Fatalf("took %v to report the failure", el)
			}
			t.Logf("reported: %v", err)
		})
	}
}

// slowReader delays every read; block makes reads wait for release.
type slowReader struct {
	r       io.ReaderAt
	delay   time.Duration
	gate    chan struct{} // reads block while armed and not closed
	armed   sync.Mutex
	on      bool
	blocked chan struct{} // closed when a read first waits at the gate
	once    sync.Once
}

func newSlowReader(data []byte) *slowReader {
	return &slowReader{r: bytes.NewReader(data), gate: make(chan struct{}), blocked: make(chan struct{})}
}

func (s *slowReader) ReadAt(p []byte, off int64) (int, error) {
	s.armed.Lock()
	on := s.on
	s.armed.Unlock()
	if on {
		s.once.Do(func() { close(s.blocked) })
		<-s.gate
	}
	time.Sleep(s.delay)
	return s.r.ReadAt(p, off)
}

func TestCloseDuringPlayback(t *testing.T) {
	p := clip(t, clipMP4)
	e, err := Open(p.Source(), Options{AudioOutput: "null"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Play(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "playback advances", func() bool {
		n, _, _ := e.Position()
		return n >= 3
	})
	start := time.Now()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("Close took %v", el)
	}
	for range e.Events() {
	}
	if _, err := e.Step(context.Background(), 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("Step after Close: %v", err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestCloseDuringSeek(t *testing.T) {
	p := clip(t, clipMP4)
	data, err := os.ReadFile(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	sr := newSlowReader(data)
	src := p.Source()
	src.Path, src.Reader, src.Size = "", sr, int64(len(data))
	// A small demuxer cache so the far seek has to read.
	e, err := Open(src, Options{AudioOutput: "null", DemuxerBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	sr.armed.Lock()
	sr.on, sr.delay = true, 50*time.Millisecond
	sr.armed.Unlock()
	res := make(chan error, 1)
	go func() {
		_, err := e.SeekFrame(context.Background(), 190)
		res <- err
	}()
	// Once the seek reads, let reads trickle through slowly and close
	// while it is still reading.
	select {
	case <-sr.blocked:
	case <-time.After(10 * time.Second):
		t.Fatal("the seek did not read")
	}
	close(sr.gate)
	start := time.Now()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("Close during seek took %v", el)
	}
	select {
	case err := <-res:
		t.Logf("seek ended with %v", err)
	case <-time.After(3 * time.Second):
		t.Fatal("SeekFrame did not return after Close")
	}
}

// TestCloseWithStuckReader: a reader that never returns cannot be
// interrupted, but Close still returns (with ErrTimeout) instead of hanging.
func TestCloseWithStuckReader(t *testing.T) {
	p := clip(t, clipMP4)
	data, err := os.ReadFile(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	sr := newSlowReader(data)
	src := p.Source()
	src.Path, src.Reader, src.Size = "", sr, int64(len(data))
	e, err := Open(src, Options{AudioOutput: "null", DemuxerBytes: 64 << 10, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	sr.armed.Lock()
	sr.on = true
	sr.armed.Unlock()
	res := make(chan error, 1)
	go func() {
		_, err := e.SeekFrame(context.Background(), 190)
		res <- err
	}()
	select {
	case <-sr.blocked:
	case <-time.After(10 * time.Second):
		t.Fatal("the seek did not read")
	}
	start := time.Now()
	err = e.Close()
	el := time.Since(start)
	close(sr.gate) // let the background teardown finish
	if el > 3*time.Second {
		t.Fatalf("Close with a stuck reader took %v", el)
	}
	// libmpv cannot finish while its stream read is stuck: Close gives
	// up after Options.Timeout (1 s here) and says so.
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("Close with a stuck reader returned %v after %v, want ErrTimeout", err, el)
	}
	if el < 900*time.Millisecond {
		t.Fatalf("Close returned ErrTimeout after %v, before its 1 s bound", el)
	}
	select {
	case <-res:
	case <-time.After(3 * time.Second):
		t.Fatal("SeekFrame did not return")
	}
	select {
	case <-e.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("teardown did not finish once the reader returned")
	}
}

func TestOpenErrors(t *testing.T) {
	p := clip(t, clipMP4)
	src := p.Source()
	for name, s := range map[string]Source{
		"no frames":      {Name: "x", Path: p.Path},
		"both":           {Name: "x", Path: p.Path, Reader: bytes.NewReader(nil), Size: 1, Frames: p.Frames},
		"unsorted":       {Name: "x", Path: p.Path, Frames: []time.Duration{0, 2, 1}},
		"keyframes len":  {Name: "x", Path: p.Path, Frames: p.Frames, Keyframes: []bool{true}},
		"reader no size": {Name: "x", Reader: bytes.NewReader(nil), Frames: p.Frames},
	} {
		if _, err := Open(s, Options{AudioOutput: "null"}); !errors.Is(err, ErrInvalidSource) {
			t.Errorf("%s: %v, want ErrInvalidSource", name, err)
		}
	}
	src.Path = "/nonexistent/clip.mp4"
	if _, err := Open(src, Options{AudioOutput: "null", Timeout: 5 * time.Second}); !errors.Is(err, ErrPlayback) {
		t.Errorf("missing file: %v, want ErrPlayback", err)
	}
	junk := []byte("this is not a video file at all")
	src.Path, src.Reader, src.Size = "", bytes.NewReader(junk), int64(len(junk))
	if _, err := Open(src, Options{AudioOutput: "null", Timeout: 5 * time.Second}); !errors.Is(err, ErrPlayback) {
		t.Errorf("junk: %v, want ErrPlayback", err)
	}
}

// TestRenderSize checks Options sizes and aspect handling.
func TestRenderSize(t *testing.T) {
	p := clip(t, clipMP4)
	for _, c := range []struct{ w, h, ww, wh int }{
		{0, 0, 320, 180}, {640, 0, 640, 360}, {0, 90, 160, 90}, {200, 200, 200, 200},
	} {
		e := openClip(t, p.Source(), Options{Width: c.w, Height: c.h})
		f, err := e.SeekFrame(testCtx(t), 77)
		if err != nil {
			t.Fatal(err)
		}
		if s := f.Image.Bounds().Size(); s.X != c.ww || s.Y != c.wh {
			t.Fatalf("Options %dx%d rendered %v, want %dx%d", c.w, c.h, s, c.ww, c.wh)
		}
		if f.Image.Stride%64 != 0 {
			t.Fatalf("stride %d not 64-byte aligned", f.Image.Stride)
		}
		if c.w != 200 { // letterboxed square: band no longer at the top
			wantIndex(t, f.Image, 77, "sized render")
		}
		b := f.Image.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y += 7 {
			for x := b.Min.X; x < b.Max.X; x += 3 {
				if f.Image.RGBAAt(x, y).A != 0xFF {
					t.Fatalf("alpha at %d,%d not opaque", x, y)
				}
			}
		}
		f.Release()
		f.Release() // harmless
	}
}

// TestPlayWatchdog exercises the recovery for a libmpv that does not start
// presenting frames after Play: libmpv is paused behind the engine's back,
// and the watchdog must reposition and restart playback.
func TestPlayWatchdog(t *testing.T) {
	p := clip(t, clipMP4)
	e := openClip(t, p.Source(), Options{})
	ctx := testCtx(t)
	if _, err := e.SeekFrame(ctx, 60); err != nil {
		t.Fatal(err)
	}
	if err := e.Play(); err != nil {
		t.Fatal(err)
	}
	if err := e.setProp("pause", "yes"); err != nil { // the simulated stall
		t.Fatal(err)
	}
	// Frames in flight land: the last one is the frame time-pos names.
	waitUntil(t, 5*time.Second, "frames in flight arrive", func() bool {
		pos, err := e.getDouble("time-pos")
		last, latest := e.r.state()
		return err == nil && last == e.tl.frameAtMPV(pos) && latest == last
	})
	n, _, _ := e.Position()
	e.mu.Lock()
	gen := e.playGen
	e.mu.Unlock()
	e.watchStart(gen, e.r.seqNow(), n, 1)
	if !e.Playing() {
		t.Fatal("not playing after recovery")
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		if m, _, _ := e.Position(); m > n+3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("playback did not resume after recovery")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := e.Pause(); err != nil {
		t.Fatal(err)
	}
	m, _, _ := e.Position()
	f, _ := e.LatestFrame()
	check(t, p, f, nil, m, "after recovery")
}

// TestDefaultAudioOutput opens with the default ao list, which must work on
// a machine without a sound server or card (it ends in "null").
func TestDefaultAudioOutput(t *testing.T) {
	p := clip(t, clipMP4)
	e, err := Open(p.Source(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.Play(); err != nil {
		t.Fatal(err)
	}
	// Playback must advance with the default output list on a machine
	// without sound (it falls through to "null"); opening the outputs that
	// fail first can take a while on a loaded machine, so wait for progress
	// rather than for a fixed time.
	for deadline := time.Now().Add(15 * time.Second); ; {
		if n, _, _ := e.Position(); n >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := e.Pause(); err != nil {
		t.Fatal(err)
	}
	n, _, _ := e.Position()
	if n < 2 {
		t.Fatalf("played to frame %d only in 15 s", n)
	}
	ao := ""
	_ = e.call(func(c *core) error { ao = c.m.GetPropertyString("current-ao"); return nil })
	t.Logf("audio output: %q, reached frame %d", ao, n)
}
