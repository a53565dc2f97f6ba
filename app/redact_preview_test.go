package app

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"exhibit/app/media"
	"exhibit/app/redact"
	"exhibit/store"
)

// TestRedactionPreviewIsTheRender renders a 1080p project (solid, ellipse
// pixelated and blurred tracks across a key frame) and checks that the
// exact preview of a frame is, sample for sample, the frame the render's
// region stage handed to the encoder; that inside a solid region the
// preview's RGBA is the fill colour; and that it shows frame N.
func TestRedactionPreviewIsTheRender(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 1080p footage")
	}
	lib := newTestLibrary(t)
	ctx := context.Background()
	const w, h = 1920, 1080
	src := filepath.Join(t.TempDir(), "cam.mp4")
	if err := media.WriteIndexedClip(ctx, src, media.IndexedClipOptions{Width: w, Height: h, Frames: 36, GOP: 12, BFrames: 2, Markers: true}); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	rec := ingestOne(t, lib, src)
	p, err := lib.NewRedaction(ctx, rec.ID, 4, 30)
	if err != nil {
		t.Fatal(err)
	}
	add := func(in KeyframeInput) {
		t.Helper()
		if _, p, err = lib.AddKeyframe(ctx, p.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	solid := redact.Box{X: 301, Y: 403, W: 250, H: 180}
	add(KeyframeInput{Frame: 4, Box: solid, To: 30})
	x, y, s := media.MarkerBox(1, 4, w, h)
	add(KeyframeInput{Frame: 4, Box: redact.Box{X: x, Y: y, W: s, H: s}, Shape: redact.Ellipse, Method: redact.Pixelate, Block: 24, To: 30})
	add(KeyframeInput{Frame: 6, Box: redact.Box{X: 1200, Y: 500, W: 300, H: 260}, Method: redact.Blur, To: 30})

	// The frames the render's stage gives the encoder.
	want := []int{5, 11, 12, 25}
	var mu sync.Mutex
	rendered := map[int][]byte{}
	renderStageTap = func(n int, y, u, v []byte) {
		for _, m := range want {
			if m == n {
				mu.Lock()
				rendered[n] = bytes.Join([][]byte{y, u, v}, nil)
				mu.Unlock()
			}
		}
	}
	t.Cleanup(func() { renderStageTap = nil })
	if _, err := lib.RenderRedaction(ctx, p.ID, "", nil); err != nil {
		t.Fatal(err)
	}
	renderStageTap = nil
	if len(rendered) != len(want) {
		t.Fatalf("the render's stage saw frames %v of %v", keys(rendered), want)
	}
	for _, n := range want {
		f, got, c, err := lib.redactionPreviewYUV(ctx, p.ID, n)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != p.Version || c != (redact.Colour{Matrix: redact.BT601}) {
			t.Fatalf("frame %d: version %d (want %d), colour %v", n, got.Version, p.Version, c)
		}
		yuv := bytes.Join([][]byte{f.Y, f.U, f.V}, nil)
		if !bytes.Equal(yuv, rendered[n]) {
			diff := 0
			for i := range yuv {
				if yuv[i] != rendered[n][i] {
					diff++
				}
			}
			t.Fatalf("frame %d: the preview differs from the render's frame in %d of %d samples", n, diff, len(yuv))
		}
		pic, err := lib.RedactionPreview(ctx, p.ID, n)
		if err != nil {
			t.Fatal(err)
		}
		img := pic.Image
		if img.Rect.Dx() != w || img.Rect.Dy() != h || pic.Frame != n || pic.Version != p.Version {
			t.Fatalf("frame %d: picture %v frame %d version %d", n, img.Rect, pic.Frame, pic.Version)
		}
		if got, err := media.DecodeIndexBand(img); err != nil || got != n {
			t.Fatalf("the preview of frame %d shows frame %d (%v)", n, got, err)
		}
		for py := solid.Y; py < solid.Y+solid.H; py++ {
			for px := solid.X; px < solid.X+solid.W; px++ {
				o := img.PixOffset(px, py)
				if c := img.Pix[o : o+4]; c[0] != redact.FillRGB[0] || c[1] != redact.FillRGB[1] || c[2] != redact.FillRGB[2] || c[3] != 255 {
					t.Fatalf("frame %d pixel %d,%d inside the solid box is %v", n, px, py, c)
				}
			}
		}
		// Outside the regions the picture is the master's (the generator's
		// colours), not the fill.
		if o := img.PixOffset(w-20, h-20); int(img.Pix[o])+int(img.Pix[o+1])+int(img.Pix[o+2]) < 100 {
			t.Fatalf("frame %d: picture outside the regions is %v", n, img.Pix[o:o+4])
		}
	}

	// Latency of the exact preview of a 1080p frame (the colour is cached
	// after the first call): logged for the report.
	var times []time.Duration
	for _, n := range []int{11, 23, 17, 29} {
		t0 := time.Now()
		if _, err := lib.RedactionPreview(ctx, p.ID, n); err != nil {
			t.Fatal(err)
		}
		times = append(times, time.Since(t0))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	t.Logf("exact preview at %dx%d (GOP 12, 2 B-frames): %v (sorted)", w, h, times)

	// Gated like reading the project: a project of a recording the user
	// may not see does not exist for them.
	if _, err := lib.RedactionPreview(ctx, p.ID, 40); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("frame past the end: %v", err)
	}
	signInAs(t, lib, "psd1", RolePSD)
	if _, err := lib.Restrict(ctx, rec.ID, true); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	if _, err := lib.RedactionPreview(ctx, p.ID, 5); !errors.Is(err, store.ErrNoRedaction) {
		t.Fatalf("preview of a restricted recording's project: %v", err)
	}
}

func keys(m map[int][]byte) []int {
	var out []int
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// BenchmarkRedactionPreview: the exact preview of one 1080p25 frame
// (generated footage as cameras make it: 2 s GOPs, 2 B-frames, sound; 3
// regions), on a key frame, mid-GOP and on the last frame of a GOP (the
// decoder runs through the whole GOP). Metrics: the worst and the mean in
// ms per frame; the first call (which also probes the colour) is not
// counted.
func BenchmarkRedactionPreview(b *testing.B) {
	ctx := context.Background()
	src := filepath.Join(b.TempDir(), "cam.mp4")
	if err := media.WriteIndexedClip(ctx, src, media.IndexedClipOptions{Width: 1920, Height: 1080, Frames: 150, GOP: 50, BFrames: 2, Audio: true}); err != nil {
		b.Fatal(err)
	}
	old := store.DefaultArgon2
	store.DefaultArgon2 = store.Argon2Params{Time: 1, Memory: 8 * 1024, Threads: 1}
	lib, err := Create(filepath.Join(b.TempDir(), "store"), KeySource{Passphrase: []byte("pw"), NoKeyring: true}, nil)
	store.DefaultArgon2 = old
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = lib.Close() }()
	if _, err := lib.CreateFirstAdmin(ctx, "admin", []byte("admin password"), "bench"); err != nil {
		b.Fatal(err)
	}
	if err := lib.AddUser(ctx, "sgt", RoleSergeant, []byte("sgt password")); err != nil {
		b.Fatal(err)
	}
	if _, err := lib.SignIn(ctx, "sgt", []byte("sgt password"), "bench"); err != nil {
		b.Fatal(err)
	}
	res, err := lib.Ingest(ctx, []string{src}, IngestOptions{})
	if err != nil || len(res) != 1 || res[0].Status != Imported {
		b.Fatalf("ingest: %+v %v", res, err)
	}
	rec := res[0]
	p, err := lib.NewRedaction(ctx, rec.ID, 0, -1)
	if err != nil {
		b.Fatal(err)
	}
	for _, t := range []KeyframeInput{
		{Frame: 0, Box: redact.Box{X: 100, Y: 200, W: 220, H: 280}, Shape: redact.Ellipse, To: 149},
		{Frame: 0, Box: redact.Box{X: 900, Y: 500, W: 260, H: 300}, Method: redact.Pixelate, To: 149},
		{Frame: 0, Box: redact.Box{X: 1400, Y: 100, W: 240, H: 300}, Shape: redact.Ellipse, Method: redact.Blur, To: 149},
	} {
		if _, _, err := lib.AddKeyframe(ctx, p.ID, t); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := lib.RedactionPreview(ctx, p.ID, 0); err != nil {
		b.Fatal(err)
	}
	frames := []int{50, 74, 99, 149}
	var worst, sum time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, n := range frames {
			t0 := time.Now()
			pic, err := lib.RedactionPreview(ctx, p.ID, n)
			d := time.Since(t0)
			if err != nil {
				b.Fatal(err)
			}
			if got, err := media.DecodeIndexBand(pic.Image); err != nil || got != n {
				b.Fatalf("frame %d shows %d (%v)", n, got, err)
			}
			b.Logf("frame %d: %v", n, d.Round(time.Millisecond))
			worst, sum = max(worst, d), sum+d
		}
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
	b.ReportMetric(float64(sum.Microseconds())/1000/float64(b.N*len(frames)), "mean-ms")
}
