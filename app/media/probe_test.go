package media

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// probeClipOptions are the options of the probe-CODEC.EXT fixtures, which
// other tests reuse.
func probeClipOptions(codec string) IndexedClipOptions {
	return IndexedClipOptions{
		Frames: 30, GOP: 10, BFrames: 2, Codec: codec, Audio: true,
		CreationTime: "2024-01-05T14:32:00Z",
		Metadata:     map[string]string{"make": "Axon", "model": "Axon Body 3", "serial": "X6001234"},
	}
}

func TestProbeContainers(t *testing.T) {
	wantCreated := time.Date(2024, 1, 5, 14, 32, 0, 0, time.UTC)
	for _, codec := range []string{"h264", "hevc"} {
		for _, ext := range []string{".mp4", ".mkv", ".ts", ".avi", ".mov"} {
			name := codec + ext
			if codec == "hevc" && ext == ".avi" {
				continue // no standard HEVC FourCC: WriteIndexedClip refuses
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				path := fixture(t, "probe-"+name, probeClipOptions(codec))
				p, err := ProbeFile(testCtx(t), path)
				if err != nil {
					t.Fatal(err)
				}
				wantContainer := map[string]string{".mp4": "mp4", ".mkv": "mkv", ".ts": "mpegts", ".avi": "avi", ".mov": "mov"}[ext]
				if p.Container != wantContainer {
					t.Errorf("Container = %q (format %q), want %q", p.Container, p.FormatName, wantContainer)
				}
				if p.VideoCodec != codec {
					t.Errorf("VideoCodec = %q, want %q", p.VideoCodec, codec)
				}
				if p.Width != 320 || p.Height != 180 {
					t.Errorf("size = %dx%d, want 320x180", p.Width, p.Height)
				}
				if p.FrameRate.Float() < 24.9 || p.FrameRate.Float() > 25.1 {
					t.Errorf("FrameRate = %v, want 25", p.FrameRate)
				}
				if p.TimeBase.IsZero() {
					t.Errorf("TimeBase = %v", p.TimeBase)
				}
				if p.AudioCodec != "aac" || p.AudioChannels != 1 || p.AudioSampleRate != 48000 {
					t.Errorf("audio = %q %d ch %d Hz, want aac 1 ch 48000 Hz", p.AudioCodec, p.AudioChannels, p.AudioSampleRate)
				}
				if d := p.Duration; d < 1100*time.Millisecond || d > 1400*time.Millisecond {
					t.Errorf("Duration = %v, want ~1.2s", d)
				}
				if p.Size <= 0 {
					t.Errorf("Size = %d", p.Size)
				}
				if p.VideoIndex != 0 {
					t.Errorf("VideoIndex = %d, want 0", p.VideoIndex)
				}
				switch ext {
				case ".mp4", ".mov", ".mkv":
					if !p.CreationTime.Equal(wantCreated) {
						t.Errorf("CreationTime = %v, want %v", p.CreationTime, wantCreated)
					}
					for k, v := range map[string]string{"make": "Axon", "model": "Axon Body 3", "serial": "X6001234"} {
						if p.Tags[k] != v {
							t.Errorf("Tags[%q] = %q, want %q (tags %v)", k, p.Tags[k], v, p.Tags)
						}
					}
				}
				for k := range p.Tags {
					if k != toLower(k) {
						t.Errorf("tag key %q not lower-case", k)
					}
				}
				// The frame table must agree with ffmpeg for every container.
				ft, err := ReadFrameTable(testCtx(t), path)
				if err != nil {
					t.Fatal(err)
				}
				if len(ft.Frames) != 30 {
					t.Errorf("frame table has %d frames, want 30", len(ft.Frames))
				}
				if n := ffmpegNullCount(t, path); n != len(ft.Frames) {
					t.Errorf("ffmpeg decodes %d frames, frame table has %d", n, len(ft.Frames))
				}
			})
		}
	}
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func TestProbeNoAudio(t *testing.T) {
	t.Parallel()
	path := fixture(t, "noaudio.mp4", IndexedClipOptions{Frames: 10})
	p, err := ProbeFile(testCtx(t), path)
	if err != nil {
		t.Fatal(err)
	}
	if p.AudioCodec != "" || p.AudioChannels != 0 || p.AudioSampleRate != 0 {
		t.Errorf("audio = %q %d %d, want none", p.AudioCodec, p.AudioChannels, p.AudioSampleRate)
	}
	if !p.CreationTime.IsZero() {
		t.Errorf("CreationTime = %v, want zero", p.CreationTime)
	}
	if p.Tags["encoder"] == "" {
		t.Errorf("Tags lack encoder: %v", p.Tags)
	}
}

func TestProbeURL(t *testing.T) {
	t.Parallel()
	path := fixture(t, "url.mp4", IndexedClipOptions{Frames: 20, BFrames: 2, GOP: 10, Audio: true})
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Dir(path))))
	defer srv.Close()
	url := srv.URL + "/" + filepath.Base(path)
	p, err := ProbeURL(testCtx(t), url)
	if err != nil {
		t.Fatal(err)
	}
	if p.Container != "mp4" || p.VideoCodec != "h264" || p.Width != 320 {
		t.Errorf("probe over http = %+v", p)
	}
	ft, err := ReadFrameTable(testCtx(t), url)
	if err != nil {
		t.Fatal(err)
	}
	if len(ft.Frames) != 20 {
		t.Errorf("frame table over http has %d frames, want 20", len(ft.Frames))
	}
	n, err := CountDecodedFrames(testCtx(t), url)
	if err != nil || n != 20 {
		t.Errorf("CountDecodedFrames over http = %d, %v; want 20", n, err)
	}
	// A 404 is an I/O failure, not "not media".
	_, err = ProbeURL(testCtx(t), srv.URL+"/missing.mp4")
	if err == nil || errors.Is(err, ErrNotMedia) {
		t.Errorf("ProbeURL(404) = %v, want an error that is not ErrNotMedia", err)
	}
	if _, err := ProbeURL(testCtx(t), "/etc/passwd"); err == nil {
		t.Error("ProbeURL accepted a path")
	}
}

func TestNotMedia(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	junk, err := WriteJunkMedia(testCtx(t), dir, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(junk) != 4 {
		t.Fatalf("WriteJunkMedia wrote %d files, want 4", len(junk))
	}
	// An audio-only file is not video either.
	audio := filepath.Join(dir, "tone.m4a")
	if out, err := execFFmpeg("-f", "lavfi", "-i", "sine=d=0.5", "-c:a", "aac", audio); err != nil {
		t.Fatalf("make audio: %v: %s", err, out)
	}
	cases := map[string]string{"audio-only": audio}
	for k, p := range junk {
		cases[string(k)] = p
	}
	for name, path := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t)
			_, err := ProbeFile(ctx, path)
			if !errors.Is(err, ErrNotMedia) {
				t.Errorf("ProbeFile = %v, want ErrNotMedia", err)
			} else {
				t.Logf("ProbeFile: %v", err)
			}
			if _, err := ReadFrameTable(ctx, path); !errors.Is(err, ErrNotMedia) {
				t.Errorf("ReadFrameTable = %v, want ErrNotMedia", err)
			}
			if _, err := CountDecodedFrames(ctx, path); !errors.Is(err, ErrNotMedia) {
				t.Errorf("CountDecodedFrames = %v, want ErrNotMedia", err)
			}
			if _, err := Thumbnail(ctx, path, 0, 160); !errors.Is(err, ErrNotMedia) {
				t.Errorf("Thumbnail = %v, want ErrNotMedia", err)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		_, err := ProbeFile(testCtx(t), filepath.Join(dir, "nope.MP4"))
		if !errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrNotMedia) {
			t.Errorf("ProbeFile(missing) = %v, want fs.ErrNotExist and not ErrNotMedia", err)
		}
		_, err = ReadFrameTable(testCtx(t), filepath.Join(dir, "nope.MP4"))
		if err == nil || errors.Is(err, ErrNotMedia) {
			t.Errorf("ReadFrameTable(missing) = %v, want an error that is not ErrNotMedia", err)
		}
	})
}

func execFFmpeg(args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out tailBuffer
	out.max = 4096
	_, err := run(ctx, &out, FFmpegPath, append([]string{"-nostdin", "-v", "error", "-y"}, args...)...)
	return out.buf, err
}

// TestToolNotFound changes FFprobePath, so it must not run in parallel.
func TestToolNotFound(t *testing.T) {
	old := FFprobePath
	FFprobePath = filepath.Join(t.TempDir(), "no-ffprobe")
	defer func() { FFprobePath = old }()
	path := filepath.Join(t.TempDir(), "x.mp4")
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ProbeFile(context.Background(), path)
	if !errors.Is(err, ErrToolNotFound) || errors.Is(err, ErrNotMedia) {
		t.Errorf("ProbeFile without ffprobe = %v, want ErrToolNotFound", err)
	}
	_, err = ReadFrameTable(context.Background(), path)
	if !errors.Is(err, ErrToolNotFound) {
		t.Errorf("ReadFrameTable without ffprobe = %v, want ErrToolNotFound", err)
	}
}

func TestCancel(t *testing.T) {
	path := fixture(t, "url.mp4", IndexedClipOptions{Frames: 20, BFrames: 2, GOP: 10, Audio: true})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, f := range map[string]func() error{
		"probe":  func() error { _, err := ProbeFile(ctx, path); return err },
		"frames": func() error { _, err := ReadFrameTable(ctx, path); return err },
		"count":  func() error { _, err := CountDecodedFrames(ctx, path); return err },
		"thumb":  func() error { _, err := Thumbnail(ctx, path, 0, 100); return err },
	} {
		if err := f(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with cancelled context = %v, want context.Canceled", name, err)
		}
	}
}

func TestContainerName(t *testing.T) {
	for _, c := range []struct{ format, brand, input, want string }{
		{"mov,mp4,m4a,3gp,3g2,mj2", "isom", "/a/b.MP4", "mp4"},
		{"mov,mp4,m4a,3gp,3g2,mj2", "qt  ", "/a/b.MOV", "mov"},
		{"mov,mp4,m4a,3gp,3g2,mj2", "3gp4", "/a/b.3gp", "3gp"},
		{"mov,mp4,m4a,3gp,3g2,mj2", "", "/a/b.mov", "mov"},
		{"matroska,webm", "", "/a/b.mkv", "mkv"},
		{"matroska,webm", "", "http://127.0.0.1:5/v/b.webm?x=1", "webm"},
		{"mpegts", "", "/a/b.ts", "mpegts"},
		{"avi", "", "/a/b.avi", "avi"},
		{"asf", "", "/a/b.wmv", "wmv"},
	} {
		if got := containerName(c.format, c.brand, c.input); got != c.want {
			t.Errorf("containerName(%q, %q, %q) = %q, want %q", c.format, c.brand, c.input, got, c.want)
		}
	}
}

func TestParseRational(t *testing.T) {
	for s, want := range map[string]Rational{"30000/1001": {30000, 1001}, "1/12800": {1, 12800}, "0/0": {0, 0}, "25": {25, 1}, "16:9": {16, 9}} {
		got, err := ParseRational(s)
		if err != nil || got != want {
			t.Errorf("ParseRational(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if r := (Rational{30000, 1001}); r.String() != "30000/1001" || r.Float() < 29.97 || r.Float() > 29.98 {
		t.Errorf("Rational %v Float %v", r, r.Float())
	}
	if (Rational{1, 0}).Float() != 0 {
		t.Error("Float with zero denominator should be 0")
	}
	for _, s := range []string{"", "a/b", "1/x", "x"} {
		if _, err := ParseRational(s); err == nil {
			t.Errorf("ParseRational(%q) succeeded", s)
		}
	}
}
