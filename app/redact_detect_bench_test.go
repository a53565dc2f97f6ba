package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"

	"exhibit/app/media"
	"exhibit/app/redact"
)

// The face proposal benchmark: a generated 1080p25 recording (10 minutes;
// EXHIBIT_BENCH_DETECT_SECONDS shortens it while developing) with the
// pigo sample portrait composited for 10 s once a minute, moving, read
// from the encrypted vault. It measures DetectFaces on every 5th frame
// against plain ffmpeg decoding the same frames to gray at the same size
// with no detection, and the time to first proposals for one visible
// frame (DetectFacesAt) against plain ffmpeg seeking to that frame.

const benchDetectEvery = 5

func benchDetectSeconds(b *testing.B) int {
	if s := os.Getenv("EXHIBIT_BENCH_DETECT_SECONDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 60 {
			b.Fatalf("EXHIBIT_BENCH_DETECT_SECONDS=%q: want whole seconds, at least 60", s)
		}
		return n
	}
	return 600
}

// benchFaces is where the portrait is shown: 10 s from the start of each
// minute, 240x300 at 1080p, at one of twelve places, moving 2 px right per
// frame.
func benchFaces(face string, seconds int) []media.Overlay {
	var ovs []media.Overlay
	for k := 0; k*60 < seconds; k++ {
		from := k * 60 * 25
		x := 100 + (k%4)*300
		ovs = append(ovs, media.Overlay{Image: face, W: 240, H: 300, X: x - 2*from, Y: 300 + (k%3)*100, DX: 2, DY: 0,
			From: from, To: min(from+10*25-1, seconds*25-1)})
	}
	return ovs
}

// detectBenchLibrary returns a library holding the recording, signed in as
// a sergeant, and the plain file. Footage and ingested store are cached
// under $TMPDIR/exhibit-bench-footage; the store is copied for each run.
func detectBenchLibrary(b *testing.B) (*Library, *Recording, string, []media.Overlay) {
	secs := benchDetectSeconds(b)
	cache := filepath.Join(os.TempDir(), "exhibit-bench-footage")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		b.Fatal(err)
	}
	ovs := benchFaces(pigoSampleFace(b), secs)
	src := filepath.Join(cache, fmt.Sprintf("faces-1920x1080-25-%ds-gop50-bf2-h264.mp4", secs))
	ctx := context.Background()
	if _, err := os.Stat(src); err != nil {
		b.Logf("generating %d s of 1080p25 footage with faces into %s (once)", secs, src)
		if err := media.WriteOverlaidClip(ctx, src, media.IndexedClipOptions{Width: 1920, Height: 1080, Frames: secs * 25, GOP: 50, BFrames: 2},
			ovs); err != nil {
			b.Fatal(err)
		}
	}
	lib, rec := benchStore(b, src, false)
	return lib, rec, src, ovs
}

// BenchmarkDetectFaces: DetectFaces on every 5th frame of the whole
// recording, against `ffmpeg -i FILE -vf select,scale,format=gray -f
// rawvideo` of the same frames at the same size (the decoding floor),
// and our frame source alone (ReadLuma from the vault, no detection).
func BenchmarkDetectFaces(b *testing.B) {
	lib, rec, plain, ovs := detectBenchLibrary(b)
	ctx := context.Background()
	p, err := lib.NewRedaction(ctx, rec.ID, 0, -1)
	if err != nil {
		b.Fatal(err)
	}
	w, h := redact.WorkingSize(rec.Width, rec.Height, DetectWidth)
	frames := (rec.Frames-1)/benchDetectEvery + 1
	var ours, peer, source float64
	for i := 0; i < b.N; i++ {
		var res DetectResult
		t, err := timed(func() error {
			var err error
			res, err = lib.DetectFaces(ctx, p.ID, benchDetectEvery, nil)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		ours += t
		if res.Frames != frames || len(res.Proposals) != len(ovs) {
			b.Errorf("%d frames, %d proposals; want %d frames and one proposal per appearance of the face (%d)",
				res.Frames, len(res.Proposals), frames, len(ovs))
		}
		t, err = timed(func() error {
			return runFFmpeg("-i", plain, "-map", "0:v:0", "-vf",
				fmt.Sprintf("select='not(mod(n\\,%d))',scale=%d:%d:flags=area,format=gray", benchDetectEvery, w, h),
				"-fps_mode", "passthrough", "-f", "rawvideo", os.DevNull)
		})
		if err != nil {
			b.Fatal(err)
		}
		peer += t
		t, err = timed(func() error {
			j, err := lib.openDetectJob(ctx, p.ID, actRedactDetect)
			if err != nil {
				return err
			}
			defer j.close()
			n := 0
			err = media.ReadLuma(ctx, j.url, media.LumaOptions{Table: j.table, To: -1, Every: benchDetectEvery, Width: w, Height: h},
				func(media.LumaFrame) error { n++; return nil })
			if err == nil && n != frames {
				err = fmt.Errorf("the frame source gave %d frames, want %d", n, frames)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		source += t
	}
	n := float64(b.N)
	b.ReportMetric(float64(frames)*n/ours, "frames/s")
	b.ReportMetric(float64(rec.Frames)*n/ours, "video-frames/s")
	b.ReportMetric(peer/ours, "x-ffmpeg-gray-speed")
	b.ReportMetric(source/ours, "x-our-source-speed")
	b.ReportMetric(ours/n, "s/run")
	b.ReportMetric(peer/n, "ffmpeg-s/run")
}

// BenchmarkFirstProposals: the editor's fast path, DetectFacesAt on one
// visible frame (a face shown, in the middle of the recording: a seek),
// from the call to the proposals saved; against plain ffmpeg decoding
// that one frame to gray (-ss before -i) from the plain file. The target
// is under 2 s.
func BenchmarkFirstProposals(b *testing.B) {
	lib, rec, plain, ovs := detectBenchLibrary(b)
	ctx := context.Background()
	p, err := lib.NewRedaction(ctx, rec.ID, 0, -1)
	if err != nil {
		b.Fatal(err)
	}
	mid := ovs[len(ovs)/2]
	frame := mid.From + 123
	w, h := redact.WorkingSize(rec.Width, rec.Height, DetectWidth)
	ft, err := lib.FrameTable(ctx, rec.ID)
	if err != nil {
		b.Fatal(err)
	}
	at := float64(ft.Frames[frame].PTS-ft.Frames[0].PTS) * ft.TimeBase.Float()
	var ours, peer []float64
	for i := 0; i < b.N; i++ {
		var res DetectResult
		t, err := timed(func() error {
			var err error
			res, err = lib.DetectFacesAt(ctx, p.ID, frame)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Proposals) != 1 {
			b.Errorf("frame %d: %d proposals, want the face", frame, len(res.Proposals))
		}
		ours = append(ours, t)
		t, err = timed(func() error {
			return runFFmpeg("-ss", strconv.FormatFloat(at, 'f', 3, 64), "-i", plain, "-map", "0:v:0", "-frames:v", "1",
				"-vf", fmt.Sprintf("scale=%d:%d:flags=area,format=gray", w, h), "-f", "rawvideo", os.DevNull)
		})
		if err != nil {
			b.Fatal(err)
		}
		peer = append(peer, t)
	}
	sort.Float64s(ours)
	sort.Float64s(peer)
	b.ReportMetric(ours[len(ours)/2], "first-proposals-s")
	b.ReportMetric(ours[len(ours)-1], "first-proposals-max-s")
	b.ReportMetric(peer[len(peer)/2], "ffmpeg-one-frame-s")
	b.ReportMetric(peer[len(peer)/2]/ours[len(ours)/2], "x-ffmpeg-one-frame-speed")
}
