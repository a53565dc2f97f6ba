package player

// Test footage whose frames carry their own index in the pixels, so the tests
// never have to trust the player about which frame it shows.
//
// Layout: the top eighth of every frame is a band of 16 equal blocks, black
// (0) or white (1). Blocks 0..11 hold the frame number n (bit i in block i);
// blocks 12..15 hold the low four bits of n inverted, as a check that rejects
// a garbled or blank picture.

import (
	"bytes"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	bandBits  = 16
	indexBits = 12
)

// clipSpec describes a generated clip.
type clipSpec struct {
	Name     string // file name inside the cache dir, with extension
	W, H     int
	Rate     int     // nominal frame rate
	Seconds  float64 // length
	GOP      int     // keyframe interval in frames
	BFrames  int
	Codec    string // "h264" (default) or "hevc"
	Audio    bool
	VFR      bool // add a 20 ms gap after every 10th frame
	Noise    bool // add temporal noise (realistic decode cost)
	Preset   string
	ExtraOut []string
}

func (c clipSpec) filter() string {
	var b strings.Builder
	fmt.Fprintf(&b, "testsrc2=size=%dx%d:rate=%d", c.W, c.H, c.Rate)
	if c.VFR {
		b.WriteString(",settb=1/1000,setpts='(N/" + strconv.Itoa(c.Rate) + "+floor(N/10)*0.02)/TB'")
	}
	if c.Noise {
		b.WriteString(",noise=alls=6:allf=t")
	}
	fmt.Fprintf(&b, ",drawbox=x=0:y=0:w=iw:h=ih/8:color=black:t=fill")
	for i := 0; i < bandBits; i++ {
		var cond string
		if i < indexBits {
			cond = fmt.Sprintf("eq(mod(floor(n/%d),2),1)", 1<<i)
		} else {
			cond = fmt.Sprintf("eq(mod(floor(n/%d),2),0)", 1<<(i-indexBits))
		}
		// Block boundaries with integer arithmetic so adjacent blocks tile.
		fmt.Fprintf(&b, ",drawbox=x=%d:y=0:w=%d:h=ih/8:color=white:t=fill:enable='%s'",
			i*c.W/bandBits, (i+1)*c.W/bandBits-i*c.W/bandBits, cond)
	}
	return b.String()
}

// generate writes the clip with ffmpeg.
func (c clipSpec) generate(path string) error {
	args := []string{"-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", c.filter()}
	if c.Audio {
		args = append(args, "-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=440:sample_rate=48000:duration=%g", c.Seconds))
	}
	args = append(args, "-t", fmt.Sprint(c.Seconds))
	preset := c.Preset
	if preset == "" {
		preset = "ultrafast"
	}
	switch c.Codec {
	case "hevc":
		args = append(args, "-c:v", "libx265", "-preset", preset, "-pix_fmt", "yuv420p",
			"-x265-params", fmt.Sprintf("log-level=error:keyint=%d:min-keyint=%d:scenecut=0:bframes=%d:open-gop=0", c.GOP, c.GOP, c.BFrames),
			"-tag:v", "hvc1")
	default:
		args = append(args, "-c:v", "libx264", "-preset", preset, "-pix_fmt", "yuv420p",
			"-g", strconv.Itoa(c.GOP), "-keyint_min", strconv.Itoa(c.GOP), "-sc_threshold", "0",
			"-bf", strconv.Itoa(c.BFrames))
		if c.BFrames > 0 && preset == "ultrafast" {
			// ultrafast disables B-frames; keep its speed but allow them.
			args = append(args, "-x264-params", fmt.Sprintf("bframes=%d:b-adapt=0", c.BFrames))
		}
	}
	if c.VFR {
		args = append(args, "-fps_mode", "vfr")
	}
	if c.Audio {
		args = append(args, "-c:a", "aac", "-b:a", "64k")
	}
	args = append(args, c.ExtraOut...)
	args = append(args, path)
	out, err := exec.Command("ffmpeg", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ffmpeg %s: %v\n%s", c.Name, err, out)
	}
	return nil
}

// probed is a generated clip with its frame table from ffprobe.
type probed struct {
	Path      string
	Frames    []time.Duration
	Keyframes []bool
	Offset    time.Duration // pts of frame 0 in the container timeline
	W, H      int
}

// Source returns a path-backed Source for the clip.
func (p *probed) Source() Source {
	return Source{Name: filepath.Base(p.Path), Path: p.Path, Frames: p.Frames,
		Keyframes: p.Keyframes, FramePTSOffset: p.Offset,
		RecordedAt: time.Date(2024, 3, 1, 14, 0, 0, 0, time.UTC)}
}

// probeFrames reads the frame table with ffprobe (presentation order).
func probeFrames(path string) (*probed, error) {
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0",
		"-show_frames", "-show_entries", "frame=best_effort_timestamp_time,key_frame,width,height",
		"-of", "compact=p=0", path).Output()
	if err != nil {
		return nil, fmt.Errorf("ffprobe %s: %w", path, err)
	}
	p := &probed{Path: path}
	var first float64
	i := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if !strings.HasPrefix(line, "key_frame=") {
			continue // side data lines
		}
		kv := map[string]string{}
		for _, f := range strings.Split(strings.TrimSpace(line), "|") {
			k, v, _ := strings.Cut(f, "=")
			kv[k] = v
		}
		ts, err := strconv.ParseFloat(kv["best_effort_timestamp_time"], 64)
		if err != nil {
			return nil, fmt.Errorf("ffprobe line %q: %w", line, err)
		}
		if i == 0 {
			first = ts
			p.W, _ = strconv.Atoi(kv["width"])
			p.H, _ = strconv.Atoi(kv["height"])
			p.Offset = secs(ts)
		}
		p.Frames = append(p.Frames, secs(ts)-secs(first))
		p.Keyframes = append(p.Keyframes, kv["key_frame"] == "1")
		i++
	}
	return p, nil
}

func secs(s float64) time.Duration { return time.Duration(s*1e6+0.5) * time.Microsecond }

var (
	clipMu    sync.Mutex
	clipCache = map[string]*probed{}
	clipDir   string
)

// footageDir is where generated clips live. EXHIBIT_PLAYER_FOOTAGE keeps them
// between runs; otherwise a temp dir removed by TestMain.
func footageDir() string {
	if d := os.Getenv("EXHIBIT_PLAYER_FOOTAGE"); d != "" {
		_ = os.MkdirAll(d, 0o755)
		return d
	}
	if clipDir == "" {
		d, err := os.MkdirTemp("", "exhibit-player-footage-")
		if err != nil {
			panic(err)
		}
		clipDir = d
	}
	return clipDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if clipDir != "" {
		os.RemoveAll(clipDir)
	}
	os.Exit(code)
}

// clip generates (once per process, or once per EXHIBIT_PLAYER_FOOTAGE dir)
// and probes the clip.
func clip(tb testing.TB, c clipSpec) *probed {
	tb.Helper()
	clipMu.Lock()
	defer clipMu.Unlock()
	if p, ok := clipCache[c.Name]; ok {
		return p
	}
	path := filepath.Join(footageDir(), c.Name)
	if _, err := os.Stat(path); err != nil {
		start := time.Now()
		if err := c.generate(path + ".tmp" + filepath.Ext(path)); err != nil {
			tb.Fatal(err)
		}
		if err := os.Rename(path+".tmp"+filepath.Ext(path), path); err != nil {
			tb.Fatal(err)
		}
		tb.Logf("generated %s in %v", c.Name, time.Since(start).Round(time.Millisecond))
	}
	p, err := probeFrames(path)
	if err != nil {
		tb.Fatal(err)
	}
	clipCache[c.Name] = p
	return p
}

// decodeIndex reads the frame number from the band; ok is false when the
// check bits do not match (not a test frame, or garbled).
func decodeIndex(img *image.RGBA) (n int, ok bool) {
	b := img.Bounds()
	y := b.Min.Y + b.Dy()/16
	var bits [bandBits]bool
	for i := 0; i < bandBits; i++ {
		x0 := b.Min.X + i*b.Dx()/bandBits
		x1 := b.Min.X + (i+1)*b.Dx()/bandBits
		x := (x0 + x1) / 2
		o := img.PixOffset(x, y)
		lum := (int(img.Pix[o]) + int(img.Pix[o+1]) + int(img.Pix[o+2])) / 3
		if lum > 96 && lum < 160 {
			return -1, false // neither black nor white: not a clean band
		}
		bits[i] = lum >= 128
	}
	for i := 0; i < indexBits; i++ {
		if bits[i] {
			n |= 1 << i
		}
	}
	for j := 0; j < bandBits-indexBits; j++ {
		if bits[indexBits+j] == (n>>j&1 == 1) {
			return n, false
		}
	}
	return n, true
}

// wantIndex fails the test unless img shows frame n.
func wantIndex(tb testing.TB, img *image.RGBA, n int, what string) {
	tb.Helper()
	if img == nil {
		tb.Fatalf("%s: no image", what)
	}
	got, ok := decodeIndex(img)
	if !ok {
		tb.Fatalf("%s: picture does not carry a valid index (read %d)", what, got)
	}
	if got != n {
		tb.Fatalf("%s: picture shows frame %d, want %d", what, got, n)
	}
}

// Standard small clips used by the tests.
var (
	// 8 s, 25 fps, 2 s GOPs, 2 B-frames, AAC audio, MP4.
	clipMP4 = clipSpec{Name: "cfr-bframes.mp4", W: 320, H: 180, Rate: 25, Seconds: 8, GOP: 50, BFrames: 2, Audio: true,
		ExtraOut: []string{"-movflags", "+faststart"}}
	clipMKV  = clipSpec{Name: "cfr.mkv", W: 320, H: 180, Rate: 30, Seconds: 4, GOP: 30, BFrames: 2, Audio: true}
	clipTS   = clipSpec{Name: "cfr.ts", W: 320, H: 180, Rate: 25, Seconds: 5, GOP: 25, BFrames: 2, Audio: true}
	clipVFR  = clipSpec{Name: "vfr.mkv", W: 320, H: 180, Rate: 25, Seconds: 4, GOP: 25, BFrames: 2, VFR: true}
	clipHEVC = clipSpec{Name: "hevc.mp4", W: 320, H: 180, Rate: 25, Seconds: 4, GOP: 25, BFrames: 3, Codec: "hevc"}
)

func TestFootageGenerator(t *testing.T) {
	p := clip(t, clipMP4)
	if len(p.Frames) != 200 {
		t.Fatalf("frames = %d, want 200", len(p.Frames))
	}
	// Decode a few frames straight from ffmpeg (not the player) to prove the
	// band decoder.
	for _, n := range []int{0, 1, 49, 50, 199} {
		out, err := exec.Command("ffmpeg", "-v", "error", "-i", p.Path, "-vf", fmt.Sprintf("select=eq(n\\,%d)", n),
			"-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgba", "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		img := &image.RGBA{Pix: out, Stride: 4 * p.W, Rect: image.Rect(0, 0, p.W, p.H)}
		if !bytes.Equal(out[:0], nil) && len(out) != 4*p.W*p.H {
			t.Fatalf("frame %d: %d bytes", n, len(out))
		}
		wantIndex(t, img, n, fmt.Sprintf("ffmpeg frame %d", n))
	}
	if !p.Keyframes[0] || !p.Keyframes[50] || p.Keyframes[49] {
		t.Fatalf("keyframes not every 50 frames: %v", p.Keyframes[:52])
	}
}
