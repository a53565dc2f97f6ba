package media

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// drawBand paints the band for n onto img the way the ffmpeg filter does.
func drawBand(img draw.Image, n int) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	bh := IndexBandHeight(h)
	draw.Draw(img, image.Rect(0, 0, w, bh).Add(b.Min), image.Black, image.Point{}, draw.Src)
	ones := 0
	white := func(i int) {
		r := image.Rect(i*w/IndexBandCells, 0, (i+1)*w/IndexBandCells, bh).Add(b.Min)
		draw.Draw(img, r, image.White, image.Point{}, draw.Src)
	}
	white(0)
	white(19)
	for k := 0; k < IndexBandBits; k++ {
		if n>>k&1 == 1 {
			white(2 + IndexBandBits - 1 - k)
			ones++
		}
	}
	if ones%2 == 1 {
		white(18)
	}
}

func TestDecodeIndexBandSynthetic(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	ns := []int{0, 1, 2, 255, 256, 1000, 32767, 32768, 43690, 21845, 65534, 65535}
	for i := 0; i < 30; i++ {
		ns = append(ns, r.IntN(MaxIndexedFrames))
	}
	for _, size := range []image.Point{{320, 180}, {1920, 1080}, {1280, 720}, {640, 480}} {
		for i, n := range ns {
			if size.X > 320 && i%4 != 0 {
				continue // large pictures: a sample is enough
			}
			img := image.NewRGBA(image.Rect(0, 0, size.X, size.Y))
			bh := IndexBandHeight(size.Y)
			draw.Draw(img, image.Rect(0, bh, size.X, size.Y), &image.Uniform{color.RGBA{200, 40, 90, 255}}, image.Point{}, draw.Src)
			drawBand(img, n)
			// Mild noise over the band.
			for j := range img.Pix[:img.PixOffset(0, bh)] {
				if j%4 != 3 {
					v := int(img.Pix[j]) + r.IntN(41) - 20
					img.Pix[j] = uint8(max(0, min(255, v)))
				}
			}
			got, err := DecodeIndexBand(img)
			if err != nil || got != n {
				t.Fatalf("%v n=%d: got %d, %v", size, n, got, err)
			}
		}
	}
	// A sub-image with a non-zero origin decodes too.
	big := image.NewRGBA(image.Rect(0, 0, 400, 300))
	sub := big.SubImage(image.Rect(40, 50, 360, 230)).(*image.RGBA)
	drawBand(sub, 1234)
	if got, err := DecodeIndexBand(sub); err != nil || got != 1234 {
		t.Errorf("sub-image: %d, %v", got, err)
	}
}

func TestDecodeIndexBandRejects(t *testing.T) {
	t.Parallel()
	gray := image.NewGray(image.Rect(0, 0, 320, 180))
	for i := range gray.Pix {
		gray.Pix[i] = 128
	}
	tiny := image.NewGray(image.Rect(0, 0, 10, 10))
	bad := image.NewRGBA(image.Rect(0, 0, 320, 180))
	drawBand(bad, 77)
	// Break the parity cell.
	draw.Draw(bad, image.Rect(18*16, 0, 19*16, 16), image.White, image.Point{}, draw.Src)
	half := image.NewRGBA(image.Rect(0, 0, 320, 180))
	drawBand(half, 5)
	// A cell half way between black and white is ambiguous.
	draw.Draw(half, image.Rect(9*16, 0, 10*16, 16), &image.Uniform{color.Gray{128}}, image.Point{}, draw.Src)
	for name, img := range map[string]image.Image{"gray": gray, "tiny": tiny, "parity": bad, "ambiguous": half} {
		if n, err := DecodeIndexBand(img); !errors.Is(err, ErrNoIndexBand) {
			t.Errorf("%s: got %d, %v; want ErrNoIndexBand", name, n, err)
		}
	}
	// A test pattern without the band.
	dir := t.TempDir()
	out := filepath.Join(dir, "plain.png")
	if b, err := exec.Command(FFmpegPath, "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x180", "-frames:v", "1", out).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if n, err := DecodeIndexBand(readPNG(t, out)); !errors.Is(err, ErrNoIndexBand) {
		t.Errorf("plain testsrc2: got %d, %v; want ErrNoIndexBand", n, err)
	}
}

func TestDecodeIndexBandFromVideo(t *testing.T) {
	clips := []struct {
		name string
		o    IndexedClipOptions
	}{
		{frameClips[0].name, frameClips[0].o}, // bframes.mp4, shared with the frame table tests
		{"band-1080p.mp4", IndexedClipOptions{Width: 1920, Height: 1080, Frames: 24, GOP: 10, BFrames: 2, FPS: Rational{30, 1}}},
		{"probe-hevc.mkv", probeClipOptions("hevc")},
		{"vfr.ts", frameClips[5].o},
	}
	for _, c := range clips {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := fixture(t, c.name, c.o)
			last := c.o.Frames - 1
			ns := []int{0, c.o.GOP - 1, c.o.GOP, last} // first, a GOP boundary, last
			for _, scale := range []string{"", "scale=1280:720"} {
				imgs := extractFrames(t, path, ns, scale)
				for i, img := range imgs {
					got, err := DecodeIndexBand(img)
					if err != nil || got != ns[i] {
						t.Errorf("scale %q: frame %d decoded as %d, %v", scale, ns[i], got, err)
					}
				}
			}
		})
	}
}

// TestIndexBandHighBits runs the ffmpeg band filter for frame numbers near
// 2^16 (via the test-only offset) and decodes them.
func TestIndexBandHighBits(t *testing.T) {
	t.Parallel()
	const first = 65528
	dir := t.TempDir()
	vf := indexBandFilter(320, 64, first)
	cmd := exec.Command(FFmpegPath, "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x64:r=25",
		"-vf", vf, "-frames:v", "8", "-fps_mode", "passthrough", filepath.Join(dir, "f%02d.png"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for i := 0; i < 8; i++ {
		img := readPNG(t, filepath.Join(dir, fmt.Sprintf("f%02d.png", i+1)))
		if got, err := DecodeIndexBand(img); err != nil || got != first+i {
			t.Errorf("frame %d: decoded %d, %v; want %d", i, got, err, first+i)
		}
	}
}

func TestThumbnail(t *testing.T) {
	t.Parallel()
	path := fixture(t, frameClips[0].name, frameClips[0].o) // 100 frames, GOP 25
	ft, err := ReadFrameTable(testCtx(t), path)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 24, 25, 37, 99} {
		at := time.Duration(ft.Seconds(n) * float64(time.Second))
		jpg, err := Thumbnail(testCtx(t), path, at, 640)
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(bytes.NewReader(jpg))
		if err != nil {
			t.Fatalf("thumbnail at %v is not a JPEG: %v", at, err)
		}
		if b := img.Bounds(); b.Dx() != 640 || b.Dy() != 360 {
			t.Errorf("thumbnail size %v, want 640x360", b.Size())
		}
		if got, err := DecodeIndexBand(img); err != nil || got != n {
			t.Errorf("thumbnail at %v shows frame %d (%v), want %d", at, got, err, n)
		}
	}
	// Original size.
	jpg, err := Thumbnail(testCtx(t), path, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(jpg)); err != nil || cfg.Width != 320 || cfg.Height != 180 {
		t.Errorf("unscaled thumbnail %dx%d, %v", cfg.Width, cfg.Height, err)
	}
	if _, err := Thumbnail(testCtx(t), path, time.Minute, 160); !errors.Is(err, ErrNoFrame) {
		t.Errorf("thumbnail past the end = %v, want ErrNoFrame", err)
	}
}
