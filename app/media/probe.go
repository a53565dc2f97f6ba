package media

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
)

// Probe describes a media file as reported by ffprobe: its container, its
// first video stream and its first audio stream.
type Probe struct {
	FormatName string // ffprobe format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
	Container  string // short friendly name: "mp4", "mov", "3gp", "mkv", "webm", "mpegts", "avi"...
	Duration   time.Duration
	Size       int64 // bytes, as reported by ffprobe (0 if unknown, e.g. some URLs)
	BitRate    int64 // overall bits per second

	VideoCodec  string // "h264", "hevc", ...
	PixelFormat string // "yuv420p", ...
	Width       int    // coded picture width in pixels (before Rotation)
	Height      int    // coded picture height in pixels (before Rotation)
	Rotation    int    // display rotation in degrees from the display matrix, 0 if none
	ColorSpace  string // YUV matrix as ffprobe names it ("bt709", "smpte170m", ...), "" if not tagged
	ColorRange  string // "tv" (limited), "pc" (full), "" if not tagged
	FrameRate   Rational
	TimeBase    Rational // video stream time_base
	StartPTS    int64    // video stream start pts in TimeBase
	VideoIndex  int      // index of the video stream in the container
	NbFrames    int64    // frame count declared by the container, 0 if not declared (not a decode count)

	AudioCodec      string // "" when there is no audio
	AudioChannels   int
	AudioSampleRate int

	CreationTime time.Time         // format or video stream tag creation_time (UTC), zero if absent
	Tags         map[string]string // format tags merged with video stream tags, lower-cased keys; format tags win
}

// ffprobe -of json structures (only the fields used).
type ffFormat struct {
	FormatName string            `json:"format_name"`
	Duration   string            `json:"duration"`
	Size       string            `json:"size"`
	BitRate    string            `json:"bit_rate"`
	Tags       map[string]string `json:"tags"`
}

type ffStream struct {
	Index        int               `json:"index"`
	CodecName    string            `json:"codec_name"`
	CodecType    string            `json:"codec_type"`
	PixFmt       string            `json:"pix_fmt"`
	ColorSpace   string            `json:"color_space"`
	ColorRange   string            `json:"color_range"`
	Width        int               `json:"width"`
	Height       int               `json:"height"`
	RFrameRate   string            `json:"r_frame_rate"`
	AvgFrameRate string            `json:"avg_frame_rate"`
	TimeBase     string            `json:"time_base"`
	StartPTS     *int64            `json:"start_pts"`
	Duration     string            `json:"duration"`
	NbFrames     string            `json:"nb_frames"`
	SampleRate   string            `json:"sample_rate"`
	Channels     int               `json:"channels"`
	Disposition  map[string]int    `json:"disposition"`
	Tags         map[string]string `json:"tags"`
	SideDataList []ffSideData      `json:"side_data_list"`
}

type ffSideData struct {
	SideDataType string `json:"side_data_type"`
	Rotation     *int   `json:"rotation"`
}

type ffProbeOutput struct {
	Streams []ffStream `json:"streams"`
	Format  *ffFormat  `json:"format"`
}

// ProbeFile runs ffprobe on a local file and describes it. A file that exists
// but holds no decodable video stream yields an error wrapping ErrNotMedia
// together with ffprobe's one-line reason; a missing or unreadable file
// yields the os error (wrapping fs.ErrNotExist, fs.ErrPermission...).
func ProbeFile(ctx context.Context, path string) (*Probe, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("probe: %w", err)
	}
	fi, err := f.Stat()
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("probe: %w", err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("probe %s: is a directory", path)
	}
	if fi.Size() == 0 {
		return nil, fmt.Errorf("probe %s: %w: empty file", path, ErrNotMedia)
	}
	return probe(ctx, path)
}

// ProbeURL runs ffprobe on an http:// or https:// URL, such as decrypted
// footage served over loopback, and describes it like ProbeFile.
func ProbeURL(ctx context.Context, rawURL string) (*Probe, error) {
	if !isURL(rawURL) {
		return nil, fmt.Errorf("probe %s: not an http(s) URL", rawURL)
	}
	return probe(ctx, rawURL)
}

func probe(ctx context.Context, input string) (*Probe, error) {
	arg, wl := toolInput(input)
	var out bytes.Buffer
	cmd, se := command(ctx, FFprobePath, "-v", "error", "-protocol_whitelist", wl,
		"-of", "json", "-show_format", "-show_streams", arg)
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return nil, classify(ctx, FFprobePath, "probe", input, err, se.String())
	}
	var raw ffProbeOutput
	if err := json.Unmarshal(out.Bytes(), &raw); err != nil {
		return nil, fmt.Errorf("probe %s: parse ffprobe output: %w (output %q)", input, err, trimOutput(out.Bytes()))
	}
	p, err := fromFFprobe(&raw, input)
	if err != nil {
		return nil, fmt.Errorf("probe %s: %w", input, err)
	}
	return p, nil
}

// fromFFprobe converts parsed ffprobe output into a Probe.
func fromFFprobe(raw *ffProbeOutput, input string) (*Probe, error) {
	if raw.Format == nil {
		return nil, fmt.Errorf("%w: ffprobe reported no container format", ErrNotMedia)
	}
	p := &Probe{
		FormatName: raw.Format.FormatName,
		Size:       parseInt(raw.Format.Size),
		BitRate:    parseInt(raw.Format.BitRate),
		Tags:       map[string]string{},
		VideoIndex: -1,
	}
	var video, audio *ffStream
	for i := range raw.Streams {
		s := &raw.Streams[i]
		switch s.CodecType {
		case "video":
			if video == nil && s.Disposition["attached_pic"] == 0 && s.Width > 0 && s.Height > 0 {
				video = s
			}
		case "audio":
			if audio == nil {
				audio = s
			}
		}
	}
	if video == nil {
		return nil, fmt.Errorf("%w: no video stream (format %s, %d streams)", ErrNotMedia, p.FormatName, len(raw.Streams))
	}
	p.VideoIndex = video.Index
	p.VideoCodec = video.CodecName
	p.PixelFormat = video.PixFmt
	p.ColorSpace, p.ColorRange = tagged(video.ColorSpace), tagged(video.ColorRange)
	p.Width, p.Height = video.Width, video.Height
	p.FrameRate, _ = ParseRational(video.AvgFrameRate)
	if p.FrameRate.IsZero() {
		p.FrameRate, _ = ParseRational(video.RFrameRate)
	}
	p.TimeBase, _ = ParseRational(video.TimeBase)
	if video.StartPTS != nil {
		p.StartPTS = *video.StartPTS
	}
	p.NbFrames = parseInt(video.NbFrames)
	for _, sd := range video.SideDataList {
		if sd.Rotation != nil {
			p.Rotation = *sd.Rotation
		}
	}
	if audio != nil {
		p.AudioCodec = audio.CodecName
		p.AudioChannels = audio.Channels
		p.AudioSampleRate = int(parseInt(audio.SampleRate))
	}
	dur := parseSeconds(raw.Format.Duration)
	if dur == 0 {
		dur = parseSeconds(video.Duration)
	}
	p.Duration = dur
	for k, v := range video.Tags {
		p.Tags[strings.ToLower(k)] = v
	}
	for k, v := range raw.Format.Tags {
		p.Tags[strings.ToLower(k)] = v
	}
	if t, ok := parseCreationTime(raw.Format.Tags["creation_time"]); ok {
		p.CreationTime = t
	} else if t, ok := parseCreationTime(video.Tags["creation_time"]); ok {
		p.CreationTime = t
	}
	p.Container = containerName(p.FormatName, p.Tags["major_brand"], input)
	return p, nil
}

// containerName maps an ffprobe format_name to a short friendly name.
func containerName(formatName, majorBrand, input string) string {
	ext := strings.ToLower(path.Ext(input))
	if isURL(input) {
		if u, err := url.Parse(input); err == nil {
			ext = strings.ToLower(path.Ext(u.Path))
		}
	}
	brand := strings.TrimSpace(strings.ToLower(majorBrand))
	switch formatName {
	case "mov,mp4,m4a,3gp,3g2,mj2":
		switch {
		case brand == "qt":
			return "mov"
		case strings.HasPrefix(brand, "3g2"):
			return "3g2"
		case strings.HasPrefix(brand, "3gp"):
			return "3gp"
		case brand == "" && ext == ".mov":
			return "mov"
		}
		return "mp4"
	case "matroska,webm":
		if ext == ".webm" {
			return "webm"
		}
		return "mkv"
	case "asf":
		if ext == ".wma" {
			return "wma"
		}
		return "wmv"
	case "mpeg":
		return "mpeg-ps"
	}
	if i := strings.IndexByte(formatName, ','); i >= 0 {
		return formatName[:i]
	}
	return formatName
}

// parseCreationTime accepts the creation_time spellings seen in the wild.
func parseCreationTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006:01:02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() <= 1904 { // QuickTime epoch: the tag was never set
				return time.Time{}, false
			}
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func parseInt(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

func parseSeconds(s string) time.Duration {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e9 {
		return 0
	}
	return time.Duration(math.Round(f * float64(time.Second)))
}

// tagged is a colour property as ffprobe reports it, "" when the stream
// does not say ("unknown", "unspecified").
func tagged(v string) string {
	if v == "unknown" || v == "unspecified" {
		return ""
	}
	return v
}
