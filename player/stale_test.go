package player

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clipTSLoad is MPEG-TS with B-frames and audio at a size whose decoding
// takes long enough to be disturbed by load: the footage where exact seeks
// returned the previous position's picture labelled as the target ("h264:
// co located POCs unavailable" in libmpv's log).
var clipTSLoad = clipSpec{Name: "stress-bframes.ts", W: 640, H: 360, Rate: 25, Seconds: 8, GOP: 25, BFrames: 3,
	Audio: true, Noise: true}

// loadCPU keeps n goroutines spinning on their own OS threads (GOMAXPROCS is
// raised for the test) until stop is called, so libmpv's decoder, VO and
// core threads and the engine's goroutines all compete for the CPU.
func loadCPU(t *testing.T, n int) (stop func()) {
	t.Helper()
	old := runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + n)
	var quit atomic.Bool
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			x := uint64(1)
			for !quit.Load() {
				for range 1 << 14 {
					x = x*6364136223846793005 + 1442695040888963407
				}
			}
			_ = x
		}()
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			quit.Store(true)
			wg.Wait()
			runtime.GOMAXPROCS(old)
		})
	}
	t.Cleanup(stop)
	return stop
}

// TestExactUnderLoad drives random exact seeks and steps on MPEG-TS with
// B-frames and audio while the CPU is saturated, and reads every returned
// picture's own frame number from its pixels: a picture left over from the
// previous position must never come back labelled as the target. The
// demuxer cache is smaller than the file, as it is for a long recording, so
// seeks outside the cached ranges go through libavformat's MPEG-TS seek,
// which lands on packets that are not key frames (libmpv then skips to the
// next key frame, a GOP late, or to the end of the file in the last GOP).
// The frame cache is off so every call goes to libmpv.
//
// EXHIBIT_PLAYER_STRESS_OPS and EXHIBIT_PLAYER_STRESS_SEED repeat a run.
func TestExactUnderLoad(t *testing.T) {
	p := clip(t, clipTSLoad)
	ops := 300
	if s := os.Getenv("EXHIBIT_PLAYER_STRESS_OPS"); s != "" {
		ops, _ = strconv.Atoi(s)
	}
	seed := time.Now().UnixNano()
	if s := os.Getenv("EXHIBIT_PLAYER_STRESS_SEED"); s != "" {
		seed, _ = strconv.ParseInt(s, 10, 64)
	}
	rng := rand.New(rand.NewSource(seed))
	if fi, err := os.Stat(p.Path); err != nil || fi.Size() < 2<<20 {
		t.Fatalf("stress clip should be larger than the 1 MiB demuxer cache: %v %v", fi.Size(), err)
	}
	opt := Options{CacheBytes: -1, DemuxerBytes: 1 << 20}
	if os.Getenv("EXHIBIT_PLAYER_MPVLOG") == "" {
		// libavcodec reports every seek into MPEG-TS outside the cache
		// ("h264: co located POCs unavailable"); expected here.
		opt.LogLevel = "fatal"
	}
	e := openClip(t, p.Source(), opt)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	stop := loadCPU(t, 2*runtime.NumCPU())
	defer stop()

	const budget = 35 * time.Second // bounds the run under -race on 2 cores
	last := len(p.Frames) - 1
	start := time.Now()
	var done, wrong, errs int
	var first []string
	note := func(s string) {
		if len(first) < 10 {
			first = append(first, s)
		}
	}
	shown := 0
	for i := 0; i < ops && time.Since(start) < budget; i++ {
		var f Frame
		var err error
		var what string
		switch k := rng.Intn(10); {
		case k < 6:
			n := rng.Intn(last + 1)
			what = fmt.Sprintf("SeekFrame(%d) from %d", n, shown)
			f, err = e.SeekFrame(ctx, n)
		case k < 8:
			what = fmt.Sprintf("Step(1) from %d", shown)
			f, err = e.Step(ctx, 1)
		default:
			d := -1 - rng.Intn(3)
			what = fmt.Sprintf("Step(%d) from %d", d, shown)
			f, err = e.Step(ctx, d)
		}
		done++
		if err != nil {
			errs++
			note(fmt.Sprintf("%s: %v", what, err))
			continue
		}
		if got, ok := decodeIndex(f.Image); !ok || got != f.Index {
			wrong++
			note(fmt.Sprintf("%s: labelled %d, picture shows %d (valid band %v)", what, f.Index, got, ok))
		}
		shown = f.Index
		f.Release()
	}
	elapsed := time.Since(start)
	stop()
	t.Logf("seed %d: %d seeks/steps under load in %v: %d wrong pictures, %d errors",
		seed, done, elapsed.Round(time.Millisecond), wrong, errs)
	for _, s := range first {
		t.Log(s)
	}
	if wrong > 0 || errs > 0 {
		t.Errorf("%d of %d seeks/steps returned a picture that is not the labelled frame; %d failed", wrong, done, errs)
	}
	if done < 50 {
		t.Errorf("only %d seeks/steps in %v", done, elapsed)
	}
}

// stallRenderer keeps the render goroutine busy for d, longer than libmpv's
// VO waits for a frame to be rendered (200 ms): the VO then drops the frame
// it handed over (frame-drop-count), which the renderer never sees. It
// returns once the stall began.
func stallRenderer(e *Engine, d time.Duration) {
	began := make(chan struct{})
	go e.r.call(func(*renderCtx) {
		close(began)
		time.Sleep(d)
	})
	<-began
}

// TestStepWhileRendererStalls: a frame libmpv's VO drops while the renderer
// is stuck (as under heavy load) must not shift the labels of the frames
// after it, neither in the returned picture nor in the frame cache.
func TestStepWhileRendererStalls(t *testing.T) {
	p := clip(t, clipMP4)
	e := openClip(t, p.Source(), Options{})
	ctx := testCtx(t)
	f, err := e.SeekFrame(ctx, 60)
	check(t, p, f, err, 60, "seek 60")

	stallRenderer(e, 500*time.Millisecond)
	start := time.Now()
	f, err = e.Step(ctx, 1)
	check(t, p, f, err, 61, "step while the renderer stalls")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("step took %v", d)
	}

	// A GOP fill on the main handle (without the background decoder, a
	// back step from 149 decodes 100..148) with a stall in the middle;
	// TestPrefetchRendererStall stalls the background decoder.
	e = openClip(t, p.Source(), Options{NoPrefetch: true})
	f, err = e.SeekFrame(ctx, 149)
	check(t, p, f, err, 149, "seek 149")
	go func() {
		for range 2000 {
			if last, _ := e.r.state(); last >= 120 && last < 148 {
				stallRenderer(e, 500*time.Millisecond)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	start = time.Now()
	f, err = e.Step(ctx, -1)
	check(t, p, f, err, 148, "back step with a stall during the GOP fill")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("back step took %v", d)
	}
	for n := 100; n <= 148; n++ {
		if b, ok := e.cache.get(n, p.W, p.H); ok {
			if got, valid := decodeIndex(b.img); !valid || got != n {
				t.Errorf("cached frame %d shows %d", n, got)
			}
			b.unref()
		}
	}
	for n := 147; n >= 140; n-- {
		f, err := e.Step(ctx, -1)
		check(t, p, f, err, n, "back step")
	}
}

// TestPauseAfterRendererStall: frames cached during playback after a frame
// the VO dropped carry labels one too low; after Pause, seeking or stepping
// into the played range must not serve them.
func TestPauseAfterRendererStall(t *testing.T) {
	p := clip(t, clipMP4)
	e := openClip(t, p.Source(), Options{})
	ctx := testCtx(t)
	if err := e.Play(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for n, _, _ := e.Position(); n < 10 && time.Now().Before(deadline); n, _, _ = e.Position() {
		time.Sleep(5 * time.Millisecond)
	}
	stallRenderer(e, 500*time.Millisecond)
	// Playback goes on after the stall: frames after it arrive.
	seq := e.r.seqNow()
	waitUntil(t, 10*time.Second, "frames after the stall", func() bool { return e.r.seqNow() >= seq+5 })
	if err := e.Pause(); err != nil {
		t.Fatal(err)
	}
	n, _, _ := e.Position()
	f, ok := e.LatestFrame()
	if !ok {
		t.Fatal("no frame after pause")
	}
	check(t, p, f, nil, n, "after pause")
	for i := max(0, n-20); i < n; i += 3 {
		f, err := e.SeekFrame(ctx, i)
		check(t, p, f, err, i, fmt.Sprintf("SeekFrame(%d) into the played range", i))
	}
	f, err := e.SeekFrame(ctx, n)
	check(t, p, f, err, n, "back to the paused frame")
	for i := 1; i <= 10 && n-i >= 0; i++ {
		f, err := e.Step(ctx, -1)
		check(t, p, f, err, n-i, "back step after pause")
	}
}

// cachedPictures checks every verified cache entry's picture against its
// label and returns how many there are.
func cachedPictures(t *testing.T, e *Engine, p *probed, w, h int) int {
	t.Helper()
	n := 0
	for i := range p.Frames {
		if b, ok := e.cache.get(i, w, h); ok {
			if got, valid := decodeIndex(b.img); !valid || got != i {
				t.Errorf("cached frame %d shows %d (valid band %v)", i, got, valid)
			}
			b.unref()
			n++
		}
	}
	return n
}

// waitPosition waits until playback reached frame n.
func waitPosition(t *testing.T, e *Engine, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if m, _, _ := e.Position(); m >= n {
			return
		}
		if time.Now().After(deadline) {
			m, _, _ := e.Position()
			t.Fatalf("playback at frame %d after %v, want %d", m, within, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestBackStepsAfterPlayback: frames drawn during playback stay cached
// after Pause once their labels are confirmed, so back steps after playback
// are served from memory; every served picture shows its label. A run with
// a renderer stall (frames dropped by libmpv's VO) is discarded instead.
func TestBackStepsAfterPlayback(t *testing.T) {
	p := clip(t, clipMP4)
	ctx := testCtx(t)
	for _, stall := range []bool{false, true} {
		t.Run(fmt.Sprintf("stall=%v", stall), func(t *testing.T) {
			e := openClip(t, p.Source(), Options{})
			if _, err := e.SeekFrame(ctx, 60); err != nil {
				t.Fatal(err)
			}
			if err := e.Play(); err != nil {
				t.Fatal(err)
			}
			waitPosition(t, e, 70, 10*time.Second)
			if stall {
				stallRenderer(e, 500*time.Millisecond)
				// The stall is over once a frame after it was presented.
				seq := e.r.seqNow()
				waitUntil(t, 10*time.Second, "frames after the stall", func() bool { return e.r.seqNow() >= seq+3 })
			} else {
				waitPosition(t, e, 85, 10*time.Second)
			}
			if err := e.Pause(); err != nil {
				t.Fatal(err)
			}
			n, _, _ := e.Position()
			f, _ := e.LatestFrame()
			check(t, p, f, nil, n, "after pause")
			kept := cachedPictures(t, e, p, p.W, p.H)
			t.Logf("paused at %d, %d frames cached", n, kept)
			hits := 0
			fills := e.fills.Load()
			for i := 1; i <= 15; i++ {
				cached := e.cache.has(n - i)
				f, err := e.Step(ctx, -1)
				check(t, p, f, err, n-i, fmt.Sprintf("back step %d after pause at %d", i, n))
				if cached {
					hits++
				}
			}
			if !stall && hits != 15 {
				t.Errorf("only %d of 15 back steps after playback were served from the cache", hits)
			}
			// On across the GOP boundary at 50, into the GOP the
			// background decoder decodes meanwhile.
			for m := n - 16; m >= 40; m-- {
				f, err := e.Step(ctx, -1)
				check(t, p, f, err, m, fmt.Sprintf("back step to %d after pause at %d", m, n))
			}
			if d := e.fills.Load() - fills; !stall && d != 0 {
				t.Errorf("%d back steps after playback decoded a GOP on the main handle", d)
			}
			cachedPictures(t, e, p, p.W, p.H)
		})
	}
}
