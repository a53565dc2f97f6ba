package app

import (
	"context"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"exhibit/app/media"
)

// TestVersions asks the real libmpv and ffmpeg; the ffmpeg line must be what
// `ffmpeg -version` itself prints first, and libmpv's must look like a
// version (mpv's own property, not a constant).
func TestVersions(t *testing.T) {
	v, err := Versions(context.Background())
	if err != nil {
		t.Fatalf("Versions: %v", err)
	}
	out, err := exec.Command(media.FFmpegPath, "-version").Output()
	if err != nil {
		t.Fatalf("ffmpeg -version: %v", err)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	if v.FFmpeg != strings.TrimSpace(first) {
		t.Errorf("FFmpeg = %q, ffmpeg prints %q", v.FFmpeg, first)
	}
	if !regexp.MustCompile(`^mpv v?\d+\.\d+.* \(client API \d+\.\d+\)$`).MatchString(v.Libmpv) {
		t.Errorf("Libmpv = %q", v.Libmpv)
	}
	if v.Go != runtime.Version() || v.Exhibit == "" || v.Commit == "" {
		t.Errorf("got %+v", v)
	}
	if n := strings.Count(v.String(), "\n"); n != 5 {
		t.Errorf("String has %d lines:\n%s", n, v)
	}
}
