package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"exhibit/app/media"
	"exhibit/app/redact"
)

// The redacted render's benchmark: 1080p25 footage from the generator
// (60 s, B-frames, 2 s GOPs, AAC), a range of it rendered with 3 moving
// regions (solid ellipse, pixelated rectangle, blurred ellipse) and one
// bleeped audio range, against plain ffmpeg re-encoding the same range
// with the same encoder settings in the same run. The range is 20 s
// (EXHIBIT_BENCH_REDACT_SECONDS changes it).

const redactBenchFrom = 250 // 10 s in

func redactBenchSeconds() int {
	if s, err := strconv.Atoi(os.Getenv("EXHIBIT_BENCH_REDACT_SECONDS")); err == nil && s > 0 && s <= 45 {
		return s
	}
	return 20
}

// redactBenchLibrary returns a library (signed in as a sergeant) holding
// the cached footage, and the footage's path. The footage and the
// ingested store are cached under $TMPDIR/exhibit-bench-footage; the
// store is copied for each run.
func redactBenchLibrary(b *testing.B) (*Library, *Recording, string) {
	cache := filepath.Join(os.TempDir(), "exhibit-bench-footage")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	o := media.IndexedClipOptions{Width: 1920, Height: 1080, FPS: media.Rational{Num: 25, Den: 1}, Frames: 60 * 25, GOP: 50, BFrames: 2, Audio: true}
	src := filepath.Join(cache, "redact-1920x1080-25-60s-gop50-bf2-aac-h264.mp4")
	if _, err := os.Stat(src); err != nil {
		b.Logf("generating 60 s of 1080p25 footage into %s (once)", src)
		if err := media.WriteIndexedClip(ctx, src, o); err != nil {
			b.Fatal(err)
		}
	}
	lib, rec := benchStore(b, src, true)
	return lib, rec, src
}

// BenchmarkRedactRender: Library.RenderRedaction (decode from the vault,
// the Go region stage, libx264 veryfast crf 18 + AAC with a bleep, frame
// hashes, store encrypted, write the file) against plain ffmpeg with the
// same encoder settings on the decrypted file. Metrics: x-ffmpeg-speed is
// ffmpeg's time over ours (target >= 0.8); render-only-x-ffmpeg-speed
// leaves out the frame-hash check and the vault copy; region-ms/frame is
// the Go stage's time per 1080p frame (3 regions).
func BenchmarkRedactRender(b *testing.B) {
	lib, rec, plain := redactBenchLibrary(b)
	ctx := context.Background()
	secs := redactBenchSeconds()
	from, to := redactBenchFrom, redactBenchFrom+secs*25-1
	p, err := lib.NewRedaction(ctx, rec.ID, from, to)
	if err != nil {
		b.Fatal(err)
	}
	reason := "bench"
	for i, t := range []struct {
		shape  redact.Shape
		method redact.Method
		a, z   redact.Box
	}{
		{redact.Ellipse, redact.Solid, redact.Box{X: 100, Y: 200, W: 220, H: 280}, redact.Box{X: 1500, Y: 300, W: 260, H: 320}},
		{redact.Rect, redact.Pixelate, redact.Box{X: 900, Y: 500, W: 260, H: 300}, redact.Box{X: 200, Y: 600, W: 240, H: 280}},
		{redact.Ellipse, redact.Blur, redact.Box{X: 1400, Y: 100, W: 240, H: 300}, redact.Box{X: 700, Y: 700, W: 240, H: 300}},
	} {
		tr, _, err := lib.AddKeyframe(ctx, p.ID, KeyframeInput{Frame: from, Box: t.a, Shape: t.shape, Method: t.method, Reason: &reason})
		if err != nil {
			b.Fatalf("track %d: %v", i, err)
		}
		if _, _, err := lib.AddKeyframe(ctx, p.ID, KeyframeInput{Track: tr, Frame: to, Box: t.z}); err != nil {
			b.Fatal(err)
		}
	}
	t0 := time.Duration(redactBenchFrom) * 40 * time.Millisecond
	if _, p, err = lib.AddAudioRange(ctx, p.ID, t0+2*time.Second, t0+5*time.Second, redact.Bleep, reason); err != nil {
		b.Fatal(err)
	}
	ft, err := lib.frameTable(ctx, rec.ID)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	var ours, only, peer float64
	var stage time.Duration
	for i := 0; i < b.N; i++ {
		out := filepath.Join(dir, fmt.Sprintf("ours%d.mp4", i))
		t, err := timed(func() error {
			_, err := lib.RenderRedaction(ctx, p.ID, out, nil)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		ours += t

		m, err := lib.st.OpenMaster(ctx, rec.ID)
		if err != nil {
			b.Fatal(err)
		}
		url, stop, err := ServeReaderAt(m, m.Size(), "master")
		if err != nil {
			b.Fatal(err)
		}
		r := media.ClipRange{Table: ft, From: from, To: to, Container: rec.Container}
		o := media.RedactOptions{Width: rec.Width, Height: rec.Height, Audio: true, Edits: AudioEdits(p, ft)}
		var res *media.RedactResult
		t, err = timed(func() error {
			res, err = media.RenderRedacted(ctx, url, filepath.Join(dir, fmt.Sprintf("only%d.mp4", i)), r, o, RegionStage(p, rec.Width, rec.Height), nil)
			return err
		})
		stop()
		_ = m.Close() // read only
		if err != nil {
			b.Fatal(err)
		}
		only += t
		stage += res.StageTime

		pout := filepath.Join(dir, fmt.Sprintf("peer%d.mp4", i))
		t, err = timed(func() error {
			return runFFmpeg("-ss", fmt.Sprint(from/25), "-i", plain, "-t", fmt.Sprint(secs), "-map", "0:v:0", "-map", "0:a:0",
				"-c:v", "libx264", "-preset", media.CourtPreset, "-profile:v", "high", "-pix_fmt", "yuv420p", "-crf", "18",
				"-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", pout)
		})
		if err != nil {
			b.Fatal(err)
		}
		peer += t
	}
	n := float64(b.N)
	ours, only, peer = ours/n, only/n, peer/n
	b.ReportMetric(ours, "s/render")
	b.ReportMetric(peer, "ffmpeg-s")
	b.ReportMetric(peer/ours, "x-ffmpeg-speed")
	b.ReportMetric(peer/only, "render-only-x-ffmpeg-speed")
	b.ReportMetric(float64(stage.Microseconds())/1000/n/float64(to-from+1), "region-ms/frame")
}
