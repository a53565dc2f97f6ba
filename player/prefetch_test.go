package player

import (
	"fmt"
	"testing"
	"time"
)

// waitCached waits until frames lo..hi are all cached and verified.
func waitCached(t *testing.T, e *Engine, lo, hi int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for e.cache.cachedFrom(hi) > lo {
		if time.Now().After(deadline) {
			t.Fatalf("frames %d..%d not cached after %v (cached from %d; prefetch jobs %d, failed %d)",
				lo, hi, within, e.cache.cachedFrom(hi), e.pf.jobs.Load(), e.pf.failed.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestPrefetchPreviousGOP: after a seek, and whenever stepping back comes
// near the start of the cached range, the GOP before it is decoded in the
// background, so no back step decodes on the main handle; every picture
// served shows its label.
func TestPrefetchPreviousGOP(t *testing.T) {
	p := clip(t, clipMP4)
	ctx := testCtx(t)
	e := openClip(t, p.Source(), Options{})
	f, err := e.SeekFrame(ctx, 149)
	check(t, p, f, err, 149, "seek 149")
	// The seek's own GOP, 100..148, comes from the background decoder.
	waitCached(t, e, 100, 149, 20*time.Second)
	for n := 148; n >= 0; n-- {
		if n == 140 || n == 90 {
			// Ten frames into a GOP, the GOP before it is decoded
			// in the background (requested when the GOP was entered).
			waitCached(t, e, n/50*50-50, n, 20*time.Second)
		}
		f, err := e.Step(ctx, -1)
		check(t, p, f, err, n, fmt.Sprintf("back step to %d", n))
	}
	if n := e.fills.Load(); n != 0 {
		t.Errorf("%d back steps decoded a GOP on the main handle", n)
	}
	if e.pf.jobs.Load() < 3 || e.pf.failed.Load() != 0 {
		t.Errorf("prefetch jobs %d, failed %d", e.pf.jobs.Load(), e.pf.failed.Load())
	}
	cachedPictures(t, e, p, p.W, p.H)
}

// TestPrefetchWaitedFor: a back step into a GOP the background decoder is
// still decoding waits for it instead of decoding on the main handle.
func TestPrefetchWaitedFor(t *testing.T) {
	p := clip(t, clipMP4)
	ctx := testCtx(t)
	e := openClip(t, p.Source(), Options{})
	f, err := e.SeekFrame(ctx, 99)
	check(t, p, f, err, 99, "seek 99")
	// Straight away, without waiting for the prefetch.
	for n := 98; n >= 40; n-- {
		f, err := e.Step(ctx, -1)
		check(t, p, f, err, n, fmt.Sprintf("back step to %d", n))
	}
	if n := e.fills.Load(); n > 1 {
		t.Errorf("%d back steps decoded a GOP on the main handle", n)
	}
	cachedPictures(t, e, p, p.W, p.H)
}

// TestPrefetchStraysNotServed: a frame the hidden decoder's libmpv presents
// outside a job (labelled by counting, never checked) never reaches the
// shared cache as a verified frame.
func TestPrefetchStraysNotServed(t *testing.T) {
	p := clip(t, clipMP4)
	ctx := testCtx(t)
	e := openClip(t, p.Source(), Options{})
	f, err := e.SeekFrame(ctx, 99)
	check(t, p, f, err, 99, "seek 99")
	// Both GOPs before 99 are decoded in the background (the second
	// requested when the first job ended); then the hidden decoder idles.
	waitCached(t, e, 0, 99, 20*time.Second)
	waitUntil(t, 10*time.Second, "prefetch jobs finished", func() bool {
		e.pf.mu.Lock()
		defer e.pf.mu.Unlock()
		return e.pf.running == nil && e.pf.pending == nil
	})
	h := e.pf.hidden // set before the jobs ran (ordered by the cache's lock)
	at, _ := h.r.state()
	if at < 0 {
		t.Fatalf("hidden decoder position unknown after its jobs")
	}
	// Its next two frames are labelled by counting only: take them out of
	// the cache, and let the hidden libmpv present them outside a job.
	e.cache.removeTag(at+1, 0)
	e.cache.removeTag(at+2, 0)
	for range 2 {
		if err := h.cmd("frame-step"); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, 10*time.Second, "stray frames presented", func() bool {
		last, _ := h.r.state()
		return last == at+2
	})
	if e.cache.has(at+1) || e.cache.has(at+2) {
		t.Fatal("a frame the hidden decoder presented outside a job is served from the cache")
	}
	f, err = e.Step(ctx, 1)
	check(t, p, f, err, 100, "step to 100")
}

// TestBackStepsShowTheirFrame: every back step shows the frame it names
// (the picture's own index band): right after seeks to a GOP's last, first
// and middle frames, across GOP boundaries with the background decoder
// racing the steps (no time between them), with forward steps and seeks
// moving the position away from running jobs, and after playback.
func TestBackStepsShowTheirFrame(t *testing.T) {
	p := clip(t, clipMP4) // 200 frames, key frames every 50
	ctx := testCtx(t)
	e := openClip(t, p.Source(), Options{})
	back := func(from, to int) {
		t.Helper()
		for n := from - 1; n >= to; n-- {
			f, err := e.Step(ctx, -1)
			check(t, p, f, err, n, fmt.Sprintf("back step to %d (from %d)", n, from))
		}
	}
	seek := func(n int) {
		t.Helper()
		f, err := e.SeekFrame(ctx, n)
		check(t, p, f, err, n, fmt.Sprintf("seek %d", n))
	}
	for _, from := range []int{149, 100, 124, 51, 199} {
		seek(from)
		back(from, max(0, from-60))
	}
	// Moving away while a job runs: the job for the GOP before 180 is
	// cancelled or finishes; what it drew must still be right.
	seek(180)
	back(180, 175)
	for n := 176; n <= 178; n++ {
		f, err := e.Step(ctx, 1)
		check(t, p, f, err, n, fmt.Sprintf("forward step to %d", n))
	}
	seek(90)
	back(90, 30)
	seek(160)
	back(160, 95)

	// After playback: play from 20 past the GOP boundary at 50, pause,
	// and step back to frame 0.
	seek(20)
	if err := e.Play(); err != nil {
		t.Fatal(err)
	}
	waitPosition(t, e, 70, 10*time.Second)
	if err := e.Pause(); err != nil {
		t.Fatal(err)
	}
	n, _, _ := e.Position()
	f, _ := e.LatestFrame()
	check(t, p, f, nil, n, "after pause")
	back(n, 0)
	if got := cachedPictures(t, e, p, p.W, p.H); got == 0 {
		t.Error("nothing cached")
	}
	if e.pf.failed.Load() != 0 {
		t.Errorf("%d prefetch jobs failed", e.pf.failed.Load())
	}
}

// TestPrefetchRendererStall: the hidden decoder's renderer stalls (longer
// than libmpv's VO waits, so the VO drops a frame) in the middle of a job:
// no frame is cached under a wrong label, and back steps show their frames.
func TestPrefetchRendererStall(t *testing.T) {
	p := clip(t, clipMP4)
	ctx := testCtx(t)
	e := openClip(t, p.Source(), Options{})
	waitUntil(t, 20*time.Second, "background decoder open", e.pf.opened)
	h := e.pf.hidden
	stalled := make(chan bool, 1)
	go func() {
		for range 5000 {
			if last, _ := h.r.state(); last >= 110 && last < 140 && e.pf.covering(last) != nil {
				stallRenderer(h, 500*time.Millisecond)
				stalled <- true
				return
			}
			time.Sleep(time.Millisecond)
		}
		stalled <- false
	}()
	f, err := e.SeekFrame(ctx, 149)
	check(t, p, f, err, 149, "seek 149")
	if !<-stalled {
		t.Fatal("the background decoder never reached frames 110..139 in a job")
	}
	for n := 148; n >= 60; n-- {
		f, err := e.Step(ctx, -1)
		check(t, p, f, err, n, fmt.Sprintf("back step to %d", n))
	}
	cachedPictures(t, e, p, p.W, p.H)
	t.Logf("prefetch jobs %d, failed %d; main-handle GOP decodes %d", e.pf.jobs.Load(), e.pf.failed.Load(), e.fills.Load())
}
