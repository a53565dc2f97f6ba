package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Overlay is a still picture composited into generated footage (see
// WriteOverlaidClip), moving in a straight line, so a test knows where it
// is on every frame: a face for the detector, a textured marker for the
// tracker.
type Overlay struct {
	Image string // path of a PNG or JPEG picture
	// W and H are its size in the footage (it is scaled), even.
	W, H int
	// X, Y is its top-left corner at frame 0 and DX, DY its movement per
	// frame, all even: 4:2:0 chroma places a picture on even positions only,
	// so even values keep the position exact. It may leave the picture.
	X, Y, DX, DY int
	// From and To are the frames it is shown on (inclusive); To below 0
	// means to the end.
	From, To int
}

// At is the overlay's rectangle on frame n in footage pixels (not clipped
// to the picture), and whether it is shown on that frame.
func (o Overlay) At(n int) (image.Rectangle, bool) {
	x, y := o.X+o.DX*n, o.Y+o.DY*n
	shown := n >= o.From && (o.To < 0 || n <= o.To)
	return image.Rect(x, y, x+o.W, y+o.H), shown
}

func (o Overlay) check() error {
	for _, v := range []int{o.W, o.H, o.X, o.Y, o.DX, o.DY} {
		if v%2 != 0 {
			return fmt.Errorf("overlay %s: size, position and movement must be even", filepath.Base(o.Image))
		}
	}
	if o.W < 2 || o.H < 2 {
		return fmt.Errorf("overlay %s: empty size %dx%d", filepath.Base(o.Image), o.W, o.H)
	}
	return nil
}

// WriteOverlaidClip writes a clip like WriteIndexedClip (the moving test
// pattern with the frame-index band) with the overlays composited on top
// with ffmpeg's overlay filter, in order. The clip is generated first and
// then encoded again with the overlays (libx264, same GOP and B-frames,
// audio copied); the file appears atomically. Only H.264 is supported.
func WriteOverlaidClip(ctx context.Context, path string, o IndexedClipOptions, overlays []Overlay) error {
	if err := writeOverlaidClip(ctx, path, o, overlays); err != nil {
		return fmt.Errorf("write overlaid test clip %s: %w", path, err)
	}
	return nil
}

func writeOverlaidClip(ctx context.Context, path string, o IndexedClipOptions, overlays []Overlay) error {
	if err := o.setDefaults(); err != nil {
		return err
	}
	if o.Codec != "h264" || o.VFR {
		return fmt.Errorf("overlays need constant-rate H.264 footage")
	}
	format, err := containerFormat(path)
	if err != nil {
		return err
	}
	for _, ov := range overlays {
		if err := ov.check(); err != nil {
			return err
		}
	}
	dir := filepath.Dir(path)
	base, err := os.CreateTemp(dir, ".base.*"+filepath.Ext(path))
	if err != nil {
		return err
	}
	baseName := base.Name()
	_ = base.Close() // empty: the generator writes it again
	defer os.Remove(baseName)
	if err := writeIndexedClip(ctx, baseName, o); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.part")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	_ = tmp.Close()          // empty: ffmpeg writes it
	defer os.Remove(tmpName) // no-op after a successful rename

	args := []string{"-nostdin", "-hide_banner", "-v", "error", "-y", "-i", "file:" + baseName}
	var fc []string
	last := "0:v"
	for i, ov := range overlays {
		args = append(args, "-loop", "1", "-i", "file:"+ov.Image)
		// The frame number from the time (constant rate, starting at 0):
		// overlay's own n starts at 1 in some ffmpeg versions.
		n := fmt.Sprintf("round(t*%d/%d)", o.FPS.Num, o.FPS.Den)
		enable := fmt.Sprintf("gte(%s\\,%d)", n, ov.From)
		if ov.To >= 0 {
			enable = fmt.Sprintf("between(%s\\,%d\\,%d)", n, ov.From, ov.To)
		}
		out := fmt.Sprintf("v%d", i)
		fc = append(fc, fmt.Sprintf("[%d:v]scale=%d:%d,format=yuva420p[o%d]", i+1, ov.W, ov.H, i),
			fmt.Sprintf("[%s][o%d]overlay=x='%d+%d*%s':y='%d+%d*%s':enable='%s':eof_action=repeat[%s]",
				last, i, ov.X, ov.DX, n, ov.Y, ov.DY, n, enable, out))
		last = out
	}
	if len(overlays) == 0 {
		fc = append(fc, "[0:v]null[v]")
		last = "v"
	}
	fc = append(fc, fmt.Sprintf("[%s]format=yuv420p[out]", last))
	args = append(args, "-filter_complex", strings.Join(fc, ";"), "-map", "[out]")
	if o.Audio {
		args = append(args, "-map", "0:a", "-c:a", "copy")
	}
	args = append(args, "-frames:v", strconv.Itoa(o.Frames), "-fps_mode", "passthrough",
		"-c:v", "libx264", "-preset", "ultrafast", "-crf", "18",
		"-g", strconv.Itoa(o.GOP), "-keyint_min", strconv.Itoa(o.GOP), "-sc_threshold", "0",
		"-bf", strconv.Itoa(o.BFrames), "-map_metadata", "0", "-f", format, "file:"+tmpName)
	if _, err := run(ctx, nil, FFmpegPath, args...); err != nil {
		return err
	}
	return os.Rename(tmpName, path)
}

// WriteMarkerPNG writes a size x size picture of random coloured 8x8
// blocks (from seed) to path: a textured marker that template matching can
// follow and that matches nowhere else in the generated test pattern.
func WriteMarkerPNG(path string, size int, seed int64) error {
	if size < 8 {
		return fmt.Errorf("marker size %d: at least 8", size)
	}
	r := newRand(seed, 7)
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	for by := 0; by < size; by += 8 {
		for bx := 0; bx < size; bx += 8 {
			c := color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255}
			for y := by; y < min(by+8, size); y++ {
				for x := bx; x < min(bx+8, size); x++ {
					img.SetRGBA(x, y, c)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("marker %s: %w", path, err)
	}
	return writeFileAtomic(path, buf.Bytes())
}
