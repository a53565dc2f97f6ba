package media

import (
	"context"
	"errors"
	"image"
	"math"
	"path/filepath"
	"testing"
)

// TestReadLumaExactFrames decodes ranges of generated footage (B-frames;
// MP4, MPEG-TS, Matroska and AVI) every Nth frame, scaled, from the start
// and from late in the clip (a seek), and reads each frame's number from
// its index band: it must be the number ReadLuma reports.
func TestReadLumaExactFrames(t *testing.T) {
	for _, name := range []string{"luma-bf2.mp4", "luma-bf2.ts", "luma-bf2.mkv", "luma-bf2.avi"} {
		t.Run(name, func(t *testing.T) {
			path := fixture(t, name, IndexedClipOptions{Width: 640, Height: 360, Frames: 250, GOP: 25, BFrames: 2})
			ctx := testCtx(t)
			tab, err := ReadFrameTable(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct{ from, to, every int }{
				{0, -1, 7}, {3, 20, 1}, {151, 240, 5}, {249, 249, 1}, {200, -1, 13},
			} {
				var got []int
				err := ReadLuma(ctx, path, LumaOptions{Table: tab, From: c.from, To: c.to, Every: c.every, Width: 320, Height: 180},
					func(f LumaFrame) error {
						if f.Image.Rect.Dx() != 320 || f.Image.Rect.Dy() != 180 {
							t.Fatalf("size %v", f.Image.Rect)
						}
						n, err := DecodeIndexBand(f.Image)
						if err != nil {
							t.Fatalf("frame %d: %v", f.Frame, err)
						}
						if n != f.Frame {
							t.Errorf("%+v: ReadLuma said frame %d, its band says %d", c, f.Frame, n)
						}
						got = append(got, f.Frame)
						return nil
					})
				if err != nil {
					t.Fatalf("%+v: %v", c, err)
				}
				to := c.to
				if to < 0 {
					to = tab.Len() - 1
				}
				if want := (to-c.from)/c.every + 1; len(got) != want || got[0] != c.from {
					t.Errorf("%+v: frames %v, want %d from %d", c, got, want, c.from)
				}
			}
		})
	}
}

// TestReadLumaStops checks that an error from the callback ends the decode
// and comes back, and that a cancelled context does too.
func TestReadLumaStops(t *testing.T) {
	path := fixture(t, "luma-bf2.mp4", IndexedClipOptions{Width: 640, Height: 360, Frames: 250, GOP: 25, BFrames: 2})
	ctx := testCtx(t)
	tab, err := ReadFrameTable(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("enough")
	n := 0
	err = ReadLuma(ctx, path, LumaOptions{Table: tab, To: -1, Width: 64, Height: 36}, func(LumaFrame) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Fatalf("err %v after %d frames, want the callback's error after 3", err, n)
	}
	cctx, cancel := context.WithCancel(ctx)
	err = ReadLuma(cctx, path, LumaOptions{Table: tab, To: -1, Width: 64, Height: 36}, func(LumaFrame) error {
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err %v, want context.Canceled", err)
	}
}

// TestWriteOverlaidClip composites a textured marker moving 4 px right and
// 2 px down per frame and finds it where Overlay.At says, and not on the
// frames outside its range.
func TestWriteOverlaidClip(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "marker.png")
	if err := WriteMarkerPNG(marker, 32, 1); err != nil {
		t.Fatal(err)
	}
	ov := Overlay{Image: marker, W: 32, H: 32, X: 40, Y: 60, DX: 4, DY: 2, From: 0, To: 29}
	path := filepath.Join(dir, "overlaid.mp4")
	ctx := testCtx(t)
	if err := WriteOverlaidClip(ctx, path, IndexedClipOptions{Frames: 40, BFrames: 2, Audio: true}, []Overlay{ov}); err != nil {
		t.Fatal(err)
	}
	tab, err := ReadFrameTable(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Len() != 40 {
		t.Fatalf("%d frames, want 40", tab.Len())
	}
	// The marker's own luma, scaled as in the clip.
	ref := markerLuma(t, ctx, marker)
	err = ReadLuma(ctx, path, LumaOptions{Table: tab, To: -1, Every: 3, Width: 320, Height: 180}, func(f LumaFrame) error {
		r, shown := ov.At(f.Frame)
		c := correlation(f.Image, r, ref)
		if shown && c < 0.9 {
			t.Errorf("frame %d: the marker is not at %v (correlation %.2f)", f.Frame, r, c)
		}
		if !shown && c > 0.5 {
			t.Errorf("frame %d: the marker is shown outside its frames (correlation %.2f)", f.Frame, c)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func markerLuma(t *testing.T, ctx context.Context, png string) *image.Gray {
	t.Helper()
	tab := &FrameTable{TimeBase: Rational{1, 25}, Frames: []FrameInfo{{PTS: 0, Key: true}}}
	var g *image.Gray
	if err := ReadLuma(ctx, png, LumaOptions{Table: tab, Width: 32, Height: 32}, func(f LumaFrame) error {
		g = f.Image
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return g
}

// correlation is the normalised cross-correlation of img inside r with
// ref (r's size), over r's pixels 2 px in from its edges (chroma
// subsampling blurs the marker's edge): 1 for the same picture up to
// brightness and contrast (video luma is limited range, the PNG's full).
func correlation(img *image.Gray, r image.Rectangle, ref *image.Gray) float64 {
	var a, b []float64
	for y := r.Min.Y + 2; y < r.Max.Y-2; y++ {
		for x := r.Min.X + 2; x < r.Max.X-2; x++ {
			if !(image.Point{x, y}.In(img.Rect)) {
				return 0
			}
			a = append(a, float64(img.GrayAt(x, y).Y))
			b = append(b, float64(ref.GrayAt(x-r.Min.X, y-r.Min.Y).Y))
		}
	}
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var sab, saa, sbb float64
	for i := range a {
		sab += (a[i] - ma) * (b[i] - mb)
		saa += (a[i] - ma) * (a[i] - ma)
		sbb += (b[i] - mb) * (b[i] - mb)
	}
	if saa == 0 || sbb == 0 {
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}
