package cli

import (
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"exhibit/app"
	"exhibit/app/media"
)

// TestVersion: `exhibit --version` and `exhibit version` print the same
// five lines with the real libmpv's and ffmpeg's versions, need no store
// (the store folder does not exist), and --json carries the same values.
func TestVersion(t *testing.T) {
	e := newEmptyEnv(t)
	r := e.runAs("", "", "--version")
	if r.code != 0 {
		t.Fatalf("exhibit --version: %v", r)
	}
	lines := strings.Split(strings.TrimSuffix(r.out, "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("want 5 lines: %v", r)
	}
	ff, err := exec.Command(media.FFmpegPath, "-version").Output()
	if err != nil {
		t.Fatal(err)
	}
	ffFirst, _, _ := strings.Cut(string(ff), "\n")
	for i, re := range []string{`^Exhibit: \S+$`, `^Commit: \S+$`, `^Go: ` + regexp.QuoteMeta(runtime.Version()) + `$`,
		`^libmpv: mpv v?\d+\.\d+\S* \(client API \d+\.\d+\)$`, `^FFmpeg: ` + regexp.QuoteMeta(strings.TrimSpace(ffFirst)) + `$`} {
		if !regexp.MustCompile(re).MatchString(lines[i]) {
			t.Errorf("line %d = %q, want %s", i+1, lines[i], re)
		}
	}
	if r2 := e.runAs("", "", "version"); r2.code != 0 || r2.out != r.out {
		t.Errorf("exhibit version differs from --version:\n%v\n%v", r2, r)
	}
	rj := e.runAs("", "", "version", "--json")
	var v app.VersionInfo
	readJSON(t, rj.out, &v)
	if rj.code != 0 || v.String() != r.out {
		t.Errorf("--json %v gives %+v", rj, v)
	}
	if r := e.runAs("", "", "--version", "extra"); r.code != exitUsage {
		t.Errorf("exhibit --version extra: %v", r)
	}
}
