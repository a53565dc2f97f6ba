package media

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// IndexedClipOptions describes a synthetic clip written by WriteIndexedClip.
// Zero values select the defaults noted on each field.
type IndexedClipOptions struct {
	Width, Height int      // picture size, even, width >= 320 (default 320x180)
	FPS           Rational // nominal frame rate (default 25/1)
	Frames        int      // number of frames, at most MaxIndexedFrames (default 50)
	GOP           int      // key frame interval in frames (default 2 s worth)
	BFrames       int      // consecutive B-frames (0 = none; cameras typically use 2)
	Codec         string   // "h264" (default) or "hevc" (not in .avi)
	VFR           bool     // variable frame rate: frame durations alternate 0.5 and 1.5 nominal frames (not in .avi)
	Audio         bool     // add an AAC sine-tone track
	ToneHz        int      // frequency of the tone (default 440)
	ToneBursts    bool     // the tone sounds in odd seconds only (1-2 s, 3-4 s, ...): silence and sound alternate
	CreationTime  string   // container creation_time tag, e.g. "2024-01-05T14:32:00Z" ("" = none)
	// Metadata holds extra container tags such as make, model or serial. In
	// .mp4/.mov they are written as QuickTime metadata keys
	// (-movflags use_metadata_tags) so that ffprobe reports them.
	Metadata map[string]string
	// Caption lines are burned in below the index band when a font is
	// available (see CaptionSupported). In the text, %{pts:gmtime:EPOCH}
	// expands to the wall-clock time of the frame (ffmpeg drawtext syntax).
	Caption []string
	// Markers adds MarkerCount solid squares of MarkerColors moving at
	// known positions (see MarkerBox), drawn before the index band.
	Markers bool
}

// MarkerCount is the number of moving markers of IndexedClipOptions.Markers.
const MarkerCount = 3

// MarkerColors are the markers' colours as ffmpeg names them, with their
// RGB values.
var MarkerColors = [MarkerCount]struct {
	Name    string
	R, G, B uint8
}{{"red", 255, 0, 0}, {"lime", 0, 255, 0}, {"blue", 0, 0, 255}}

// MarkerBox is marker i's square on frame n of a w×h clip: top-left x, y
// and side s. Marker i starts at x = 8 and moves i+1 pixels right per
// frame, wrapping at the right edge; rows are stacked below the index band.
func MarkerBox(i, n, w, h int) (x, y, s int) {
	s = max(16, h/6) &^ 1
	x = 8 + (i+1)*n%(w-s-8)
	y = IndexBandHeight(h) + 8 + i*(s+8)
	return x, y, s
}

// markerGraph is a lavfi source graph: testsrc2 with the moving markers.
func markerGraph(src string, o IndexedClipOptions) string {
	_, _, s := MarkerBox(0, 0, o.Width, o.Height)
	g := src + "[b0]"
	for i := 0; i < MarkerCount; i++ {
		_, y, _ := MarkerBox(i, 0, o.Width, o.Height)
		out := fmt.Sprintf("[b%d]", i+1)
		if i == MarkerCount-1 {
			out = "[out0]"
		}
		g += fmt.Sprintf(";color=c=%s:s=%dx%d:r=%s[m%d];[b%d][m%d]overlay=x='8+mod(%d*n,%d)':y=%d:eval=frame%s",
			MarkerColors[i].Name, s, s, ratString(o.FPS), i, i, i, i+1, o.Width-s-8, y, out)
	}
	return g
}

// containerFormat maps an output file extension to an ffmpeg muxer.
func containerFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".mp4", ".m4v":
		return "mp4", nil
	case ".mov":
		return "mov", nil
	case ".mkv":
		return "matroska", nil
	case ".ts":
		return "mpegts", nil
	case ".avi":
		return "avi", nil
	}
	return "", fmt.Errorf("unsupported container extension %q (want .mp4 .mov .mkv .ts .avi)", filepath.Ext(path))
}

func (o *IndexedClipOptions) setDefaults() error {
	if o.Width == 0 && o.Height == 0 {
		o.Width, o.Height = 320, 180
	}
	if o.Width < 320 || o.Height < 64 || o.Width%2 != 0 || o.Height%2 != 0 || o.Width > 8192 || o.Height > 8192 {
		return fmt.Errorf("invalid size %dx%d (even, at least 320x64)", o.Width, o.Height)
	}
	if o.FPS.IsZero() {
		o.FPS = Rational{25, 1}
	}
	if o.FPS.Num <= 0 || o.FPS.Den <= 0 || o.FPS.Float() > 240 {
		return fmt.Errorf("invalid frame rate %v", o.FPS)
	}
	if o.Frames == 0 {
		o.Frames = 50
	}
	if o.Frames < 1 || o.Frames > MaxIndexedFrames {
		return fmt.Errorf("invalid frame count %d (1..%d)", o.Frames, MaxIndexedFrames)
	}
	if o.GOP == 0 {
		o.GOP = int(math.Round(2 * o.FPS.Float()))
	}
	if o.GOP < 1 {
		o.GOP = 1
	}
	if o.BFrames < 0 || o.BFrames > 16 {
		return fmt.Errorf("invalid B-frame count %d", o.BFrames)
	}
	if o.Codec == "" {
		o.Codec = "h264"
	}
	if o.Codec != "h264" && o.Codec != "hevc" {
		return fmt.Errorf("unsupported codec %q (want h264 or hevc)", o.Codec)
	}
	if o.ToneHz <= 0 {
		o.ToneHz = 440
	}
	return nil
}

// WriteIndexedClip writes a synthetic test clip to path: a moving test
// pattern with the frame-index band (see DecodeIndexBand) and optional
// caption, encoded as o describes. The container follows path's extension
// (.mp4 .mov .mkv .ts .avi); MP4 and MOV keep ffmpeg's default layout with
// the moov index at the end, like cameras. The file appears atomically: it is
// written under a temporary name and renamed.
func WriteIndexedClip(ctx context.Context, path string, o IndexedClipOptions) error {
	if err := writeIndexedClip(ctx, path, o); err != nil {
		return fmt.Errorf("write test clip %s: %w", path, err)
	}
	return nil
}

func writeIndexedClip(ctx context.Context, path string, o IndexedClipOptions) error {
	if err := o.setDefaults(); err != nil {
		return err
	}
	format, err := containerFormat(path)
	if err != nil {
		return err
	}
	if o.VFR && format == "avi" {
		return errors.New("AVI cannot carry variable frame rate")
	}
	if o.Codec == "hevc" && format == "avi" {
		return errors.New("AVI has no standard way to carry HEVC")
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.part")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpName) // no-op after a successful rename

	vf := []string{indexBandFilter(o.Width, o.Height, 0)}
	if len(o.Caption) > 0 {
		if font := captionFont(); font != "" {
			txt, err := os.CreateTemp(dir, ".caption.*.txt")
			if err != nil {
				return err
			}
			defer os.Remove(txt.Name())
			_, werr := txt.WriteString(strings.Join(o.Caption, "\n"))
			if cerr := txt.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				return werr
			}
			fs := o.Height / 28
			if fs < 10 {
				fs = 10
			}
			bh := IndexBandHeight(o.Height)
			vf = append(vf, fmt.Sprintf("drawtext=fontfile=%s:textfile=%s:fontsize=%d:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=%d:line_spacing=%d:x=%d:y=%d",
				escapeFilterValue(font), escapeFilterValue(txt.Name()), fs, fs/4+1, fs/4, fs/2, bh+fs/2))
		}
	}
	if o.VFR {
		// Durations alternate 0.5 and 1.5 nominal frames: same average rate.
		vf = append(vf, "settb=1/90000", "setpts='(2*floor(N/2)+0.5*mod(N,2))/(FR*TB)'")
	}
	vf = append(vf, "format=yuv420p")

	args := []string{"-nostdin", "-hide_banner", "-v", "error", "-y",
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=%s", o.Width, o.Height, ratString(o.FPS))}
	if o.Markers {
		args[len(args)-1] = markerGraph(args[len(args)-1], o)
	}
	if o.Audio {
		dur := float64(o.Frames) / o.FPS.Float()
		src := fmt.Sprintf("sine=frequency=%d:sample_rate=48000:duration=%.6f", o.ToneHz, dur)
		if o.ToneBursts {
			src = fmt.Sprintf("aevalsrc='0.9*mod(floor(t),2)*sin(2*PI*%d*t)':s=48000:d=%.6f", o.ToneHz, dur)
		}
		args = append(args, "-f", "lavfi", "-i", src)
	}
	args = append(args, "-vf", strings.Join(vf, ","), "-map", "0:v")
	if o.Audio {
		args = append(args, "-map", "1:a")
	}
	args = append(args, "-frames:v", strconv.Itoa(o.Frames), "-fps_mode", "passthrough")
	if o.VFR {
		args = append(args, "-enc_time_base:v", "1/90000")
	}
	switch o.Codec {
	case "h264":
		args = append(args, "-c:v", "libx264", "-preset", "ultrafast", "-crf", "20",
			"-g", strconv.Itoa(o.GOP), "-keyint_min", strconv.Itoa(o.GOP), "-sc_threshold", "0",
			"-bf", strconv.Itoa(o.BFrames))
	case "hevc":
		args = append(args, "-c:v", "libx265", "-preset", "ultrafast", "-crf", "22",
			"-x265-params", fmt.Sprintf("keyint=%d:min-keyint=%d:scenecut=0:open-gop=0:bframes=%d:log-level=error", o.GOP, o.GOP, o.BFrames))
		if format == "mp4" || format == "mov" {
			args = append(args, "-tag:v", "hvc1")
		}
	}
	if o.Audio {
		args = append(args, "-c:a", "aac", "-b:a", "64k")
	}
	if o.CreationTime != "" {
		args = append(args, "-metadata", "creation_time="+o.CreationTime)
	}
	keys := make([]string, 0, len(o.Metadata))
	for k := range o.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "-metadata", k+"="+o.Metadata[k])
	}
	if len(keys) > 0 && (format == "mp4" || format == "mov") {
		args = append(args, "-movflags", "use_metadata_tags")
	}
	args = append(args, "-f", format, "file:"+tmpName)
	if _, err := run(ctx, nil, FFmpegPath, args...); err != nil {
		return err
	}
	return os.Rename(tmpName, path)
}

var (
	captionFontOnce sync.Once
	captionFontPath string
)

// captionFont returns a font file usable by ffmpeg's drawtext filter, found
// via fontconfig, or "" when drawtext or fonts are unavailable.
func captionFont() string {
	captionFontOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var filters bytes.Buffer
		if _, err := run(ctx, &filters, FFmpegPath, "-hide_banner", "-filters"); err != nil {
			return
		}
		if !strings.Contains(filters.String(), " drawtext ") {
			return
		}
		out, err := exec.CommandContext(ctx, "fc-match", "-f", "%{file}", "sans-serif").Output()
		if err != nil {
			return
		}
		p := strings.TrimSpace(string(out))
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			captionFontPath = p
		}
	})
	return captionFontPath
}

// CaptionSupported reports whether burned-in captions can be drawn: ffmpeg
// has the drawtext filter and fontconfig finds a font. Without them clips
// are written without captions.
func CaptionSupported() bool { return captionFont() != "" }

// Camera is one simulated body-worn camera of a test dock.
type Camera struct {
	Officer      string // e.g. "PC 4521 Jones"
	DeviceSerial string // folder name under the dock, e.g. "X6123456"
	Make         string
	Model        string
}

// TestMediaOptions controls GenerateTestMedia. Zero values select the
// defaults noted on each field.
type TestMediaOptions struct {
	Cameras int      // number of cameras (default 3); ignored when Fleet is set
	Fleet   []Camera // cameras to simulate (default TestCameras(Cameras, Seed))
	// Minutes of footage per camera (default 1), split into clips of 20-60 s
	// (one shorter clip when less than 20 s is asked for).
	Minutes float64
	Seed    int64     // all choices (cameras, clip lengths, times, formats) derive from Seed
	Now     time.Time // recorded-at times fall in the 7 days before Now (default time.Now())
	// Sidecars writes NAME.json beside videos. Every fourth clip, starting
	// with the second, gets none and relies on its container tags
	// (creation_time, make, model, serial) instead.
	Sidecars bool
	Small    bool // 320x180 pictures instead of 1080p/720p (for tests)
	// Junk also writes bad inputs for ingest tests into
	// DIR/_junk/DCIM/100BWV/ (see WriteJunkMedia); they are not returned.
	Junk bool
}

// Sidecar is the JSON metadata file a dock writes beside a video as
// NAME.json.
type Sidecar struct {
	Officer      string    `json:"officer"`
	DeviceSerial string    `json:"device_serial"`
	RecordedAt   time.Time `json:"recorded_at"` // RFC 3339, UTC, whole seconds
	GPS          *GPS      `json:"gps,omitempty"`
}

// GPS is a position in decimal degrees (WGS 84).
type GPS struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

var (
	surnames = []string{"Jones", "Smith", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Patel", "Khan", "Walker", "Wright", "Hughes", "Okafor", "Murphy", "Nowak"}
	ranks    = []string{"PC", "PC", "PC", "PS"}
	models   = []struct{ make, model, prefix string }{
		{"Axon", "Axon Body 3", "X6"},
		{"Motorola Solutions", "VB400", "VB4"},
		{"Reveal", "D5", "D5R"},
	}
)

func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream^0x45786869626974))
}

// TestCameras returns n simulated cameras chosen deterministically from seed.
func TestCameras(n int, seed int64) []Camera {
	r := newRand(seed, 1)
	cams := make([]Camera, 0, n)
	seen := map[string]bool{}
	for i := 0; len(cams) < n; i++ {
		m := models[(i+int(r.IntN(len(models))))%len(models)]
		serial := fmt.Sprintf("%s%06d", m.prefix, r.IntN(1000000))
		if seen[serial] {
			continue
		}
		seen[serial] = true
		cams = append(cams, Camera{
			Officer:      fmt.Sprintf("%s %d %s", ranks[r.IntN(len(ranks))], 1000+r.IntN(9000), surnames[r.IntN(len(surnames))]),
			DeviceSerial: serial,
			Make:         m.make,
			Model:        m.model,
		})
	}
	return cams
}

// testClip is one planned clip of GenerateTestMedia.
type testClip struct {
	cam     Camera
	path    string
	at      time.Time
	opt     IndexedClipOptions
	sidecar bool
	gps     *GPS
}

// GenerateTestMedia writes a dock folder that looks like docked body-worn
// cameras: DIR/<device serial>/DCIM/100BWV/<serial>_<YYYYMMDD_HHMMSS>_<seq>.MP4,
// H.264 + AAC tone in MP4 with the moov index at the end, 1080p and 720p
// (320x180 when Small), 25 and 30 fps, GOPs of 1-2 s with B-frames, each
// picture showing a test pattern, the frame-index band and (when
// CaptionSupported) a caption with officer, device and recording time.
// Sidecars and junk files are written as opt asks. progress, if not nil, is
// called with (clips done, clips total) before the first clip and after each.
// It returns the video paths in the order written (by camera, then time).
func GenerateTestMedia(ctx context.Context, dir string, opt TestMediaOptions, progress func(done, total int)) ([]string, error) {
	clips, err := planTestMedia(dir, opt)
	if err != nil {
		return nil, fmt.Errorf("generate test media: %w", err)
	}
	if progress != nil {
		progress(0, len(clips))
	}
	paths := make([]string, 0, len(clips))
	for i, c := range clips {
		if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
			return paths, fmt.Errorf("generate test media: %w", err)
		}
		if err := WriteIndexedClip(ctx, c.path, c.opt); err != nil {
			return paths, fmt.Errorf("generate test media: %w", err)
		}
		if c.sidecar {
			sc := Sidecar{Officer: c.cam.Officer, DeviceSerial: c.cam.DeviceSerial, RecordedAt: c.at.UTC().Truncate(time.Second), GPS: c.gps}
			if err := writeJSONFile(strings.TrimSuffix(c.path, filepath.Ext(c.path))+".json", sc); err != nil {
				return paths, fmt.Errorf("generate test media: %w", err)
			}
		}
		paths = append(paths, c.path)
		if progress != nil {
			progress(i+1, len(clips))
		}
	}
	if opt.Junk {
		if _, err := WriteJunkMedia(ctx, filepath.Join(dir, "_junk", "DCIM", "100BWV"), opt.Seed); err != nil {
			return paths, fmt.Errorf("generate test media: %w", err)
		}
	}
	return paths, nil
}

// planTestMedia decides every clip deterministically from opt.
func planTestMedia(dir string, opt TestMediaOptions) ([]testClip, error) {
	cams := opt.Fleet
	if len(cams) == 0 {
		n := opt.Cameras
		if n == 0 {
			n = 3
		}
		if n < 0 || n > 1000 {
			return nil, fmt.Errorf("invalid camera count %d", n)
		}
		cams = TestCameras(n, opt.Seed)
	}
	minutes := opt.Minutes
	if minutes == 0 {
		minutes = 1
	}
	if minutes < 0 || minutes > 24*60 || math.IsNaN(minutes) {
		return nil, fmt.Errorf("invalid minutes %v", opt.Minutes)
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC().Truncate(time.Second)
	r := newRand(opt.Seed, 2)
	var clips []testClip
	global := 0
	for ci, cam := range cams {
		for _, c := range cam.Officer + cam.DeviceSerial {
			if c == '/' || c == '\\' || c == 0 {
				return nil, fmt.Errorf("camera %d: invalid character in %q / %q", ci, cam.Officer, cam.DeviceSerial)
			}
		}
		if cam.DeviceSerial == "" || cam.DeviceSerial == "." || cam.DeviceSerial == ".." {
			return nil, fmt.Errorf("camera %d: invalid device serial %q", ci, cam.DeviceSerial)
		}
		w, h := 1920, 1080
		if ci%2 == 1 {
			w, h = 1280, 720
		}
		if opt.Small {
			w, h = 320, 180
		}
		fps := []int64{25, 30}[(ci+ci/2)%2]
		gop := int(fps) * (1 + r.IntN(2))
		// Clip lengths: 20-60 s each, the remainder forming the last clip.
		var lengths []float64
		remaining := minutes * 60
		for remaining > 0.5/float64(fps) {
			d := remaining
			if remaining > 60 {
				d = 20 + r.Float64()*math.Min(40, remaining-40)
			}
			lengths = append(lengths, d)
			remaining -= d
		}
		// Recording times: distinct moments during the 7 days before now,
		// in order, at least the clip length apart.
		starts := make([]time.Time, len(lengths))
		for i := range starts {
			day := 1 + r.IntN(7)
			sec := 6*3600 + r.IntN(16*3600)
			starts[i] = now.Truncate(24*time.Hour).AddDate(0, 0, -day).Add(time.Duration(sec) * time.Second)
		}
		sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
		for i := 1; i < len(starts); i++ {
			if earliest := starts[i-1].Add(time.Duration(lengths[i-1]*float64(time.Second)) + time.Minute); starts[i].Before(earliest) {
				starts[i] = earliest
			}
		}
		for i, d := range lengths {
			at := starts[i]
			frames := int(math.Round(d * float64(fps)))
			if frames < 1 {
				frames = 1
			}
			name := fmt.Sprintf("%s_%s_%04d.MP4", cam.DeviceSerial, at.Format("20060102_150405"), i+1)
			c := testClip{
				cam:     cam,
				path:    filepath.Join(dir, cam.DeviceSerial, "DCIM", "100BWV", name),
				at:      at,
				sidecar: opt.Sidecars && global%4 != 1,
			}
			if r.IntN(3) > 0 {
				c.gps = &GPS{Lat: math.Round((51.45+r.Float64()*0.1)*1e6) / 1e6, Lon: math.Round((-2.65+r.Float64()*0.1)*1e6) / 1e6}
			}
			c.opt = IndexedClipOptions{
				Width: w, Height: h, FPS: Rational{fps, 1}, Frames: frames,
				GOP: gop, BFrames: 2, Codec: "h264", Audio: true, ToneHz: 440 + 110*(ci%4),
				CreationTime: at.Format(time.RFC3339),
				Metadata:     map[string]string{"make": cam.Make, "model": cam.Model, "serial": cam.DeviceSerial},
				Caption: []string{
					sanitizeCaption(cam.Officer) + "  " + sanitizeCaption(cam.Make+" "+cam.Model) + "  " + sanitizeCaption(cam.DeviceSerial),
					fmt.Sprintf("%%{pts:gmtime:%d} UTC", at.Unix()),
				},
			}
			clips = append(clips, c)
			global++
		}
	}
	return clips, nil
}

// sanitizeCaption removes characters that drawtext would expand or escape.
func sanitizeCaption(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '%', '\\', '{', '}', '\n', '\r':
			return -1
		}
		return r
	}, s)
}

// writeJSONFile writes v as indented JSON to path atomically.
func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'))
}

// writeFileAtomic writes data to a temporary file beside path and renames it.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.part")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return werr
	}
	return os.Rename(f.Name(), path)
}

// JunkKind names one kind of bad input written by WriteJunkMedia.
type JunkKind string

// The kinds of bad input written by WriteJunkMedia. Each must be rejected
// with ErrNotMedia.
const (
	// JunkEmpty is a zero-byte .MP4.
	JunkEmpty JunkKind = "empty"
	// JunkNoise is 256 KiB of random bytes named .MP4.
	JunkNoise JunkKind = "noise"
	// JunkText is a text file named .mp4.
	JunkText JunkKind = "text"
	// JunkTruncated is a real MP4 cut off before its moov index (as when a
	// camera loses power or a copy is interrupted).
	JunkTruncated JunkKind = "truncated"
)

// WriteJunkMedia writes one file of every JunkKind into dir (created if
// needed) and returns their paths. Content is deterministic from seed.
func WriteJunkMedia(ctx context.Context, dir string, seed int64) (map[JunkKind]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write junk media: %w", err)
	}
	out := map[JunkKind]string{
		JunkEmpty:     filepath.Join(dir, "EMPTY_0001.MP4"),
		JunkNoise:     filepath.Join(dir, "NOISE_0002.MP4"),
		JunkText:      filepath.Join(dir, "notes_0003.mp4"),
		JunkTruncated: filepath.Join(dir, "TRUNC_0004.MP4"),
	}
	noise := make([]byte, 256<<10)
	r := newRand(seed, 3)
	for i := 0; i+8 <= len(noise); i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			noise[i+j] = byte(v >> (8 * j))
		}
	}
	text := []byte("Officer's notes\nThis is a text file, not a video.\nIt was saved with an .mp4 name by mistake.\n")
	for kind, data := range map[JunkKind][]byte{JunkEmpty: nil, JunkNoise: noise, JunkText: text} {
		if err := writeFileAtomic(out[kind], data); err != nil {
			return nil, fmt.Errorf("write junk media: %w", err)
		}
	}
	full := filepath.Join(dir, ".full-for-truncation.mp4")
	defer os.Remove(full)
	if err := WriteIndexedClip(ctx, full, IndexedClipOptions{Frames: 50, BFrames: 2, Audio: true}); err != nil {
		return nil, fmt.Errorf("write junk media: %w", err)
	}
	b, err := os.ReadFile(full)
	if err != nil {
		return nil, fmt.Errorf("write junk media: %w", err)
	}
	// With the moov index at the end, keeping the first 60% keeps ftyp and
	// part of mdat but loses moov: unplayable.
	if err := writeFileAtomic(out[JunkTruncated], b[:len(b)*6/10]); err != nil {
		return nil, fmt.Errorf("write junk media: %w", err)
	}
	return out, nil
}
