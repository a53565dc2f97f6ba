package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"exhibit/app"
)

// TestRedactRender: a project rendered from the command line to a file,
// as one line and as JSON; its log as JSON and PDF; usage errors.
func TestRedactRender(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	id := e.ingestOne(30)
	sgt := app.TestUserName(app.RoleSergeant)
	for _, args := range [][]string{{"redact", "render"}, {"redact", "render", "A", "B"}, {"redact", "log"}} {
		if r := e.runAs(sgt, "", args...); r.code != exitUsage {
			t.Errorf("%v: %v", args, r)
		}
	}
	proj := strings.TrimSpace(e.must(sgt, "redact", "new", id, "--from", "2", "--to", "20"))
	e.must(sgt, "redact", "box", proj, "--frame", "2", "--rect", "10,30,60,40", "--reason", "a face", "--to", "20")
	e.must(sgt, "redact", "audio", proj, "--from-time", "0.2", "--to-time", "0.4", "--bleep", "--reason", "a name")
	out := filepath.Join(t.TempDir(), "red.mp4")
	line := e.must(sgt, "redact", "render", proj, "-o", out)
	if !strings.HasPrefix(line, out+": "+id+"-R1 redacted frames 2-20 of "+id+", redaction "+proj+" version 3, sha256 ") {
		t.Fatalf("render output %q", line)
	}
	if got := sha256Of(t, out); !strings.HasSuffix(strings.TrimSpace(line), got) {
		t.Fatalf("file SHA-256 %s, printed %q", got, line)
	}
	var j redactedJSON
	if err := json.Unmarshal([]byte(e.must(sgt, "redact", "render", proj, "--json")), &j); err != nil {
		t.Fatal(err)
	}
	if j.Ref != id+"-R2" || j.Kind != "redacted" || j.RedactionID != proj || j.RedactionVersion != 3 || len(j.FrameMap) != 19 {
		t.Fatalf("render JSON %+v", j)
	}
	var lg app.RedactionLog
	if err := json.Unmarshal([]byte(e.must(sgt, "redact", "log", j.Ref)), &lg); err != nil {
		t.Fatal(err)
	}
	if lg.Render.SHA256 != j.SHA256 || len(lg.Tracks) != 1 || lg.Tracks[0].Reason != "a face" || len(lg.AudioRanges) != 1 {
		t.Fatalf("log %+v", lg)
	}
	pdf := filepath.Join(t.TempDir(), "log.pdf")
	e.must(sgt, "redact", "log", j.Ref, "--pdf", pdf)
	if b, err := os.ReadFile(pdf); err != nil || !strings.HasPrefix(string(b), "%PDF") {
		t.Fatalf("log PDF: %v", err)
	}
	// export --redacted alone: a bundle that verifies, without masters or
	// court clips.
	bdir := filepath.Join(t.TempDir(), "SAR")
	e.must(sgt, "export", "--case", "SAR-7", "--out", bdir, "--redacted", proj)
	if out := e.must(sgt, "verify-bundle", bdir); !strings.HasPrefix(out, "OK") {
		t.Fatalf("verify-bundle: %q", out)
	}
	if ms, _ := filepath.Glob(filepath.Join(bdir, "masters", "*")); len(ms) != 0 {
		t.Fatalf("masters in a redacted bundle: %v", ms)
	}
	if cs, _ := filepath.Glob(filepath.Join(bdir, "clips", "*")); len(cs) != 1 || !strings.Contains(cs[0], "_redacted-"+proj) {
		t.Fatalf("clips in a redacted bundle: %v", cs)
	}
	if r := e.runAs(sgt, "", "export", "--case", "X", "--out", bdir+"2"); r.code != exitUsage {
		t.Fatalf("export with nothing to export: %v", r)
	}
	// A court clip is not a redacted copy.
	f := strings.Fields(e.must(sgt, "clip", id, "--from", "1", "--to", "3"))
	if len(f) < 4 || f[3] != "clip-court" {
		t.Fatalf("clip output %v", f)
	}
	if r := e.runAs(sgt, "", "redact", "log", f[2]); r.code != exitAborted || !strings.Contains(r.err, "not a redacted copy") {
		t.Fatalf("log of a court clip: %v", r)
	}
}

func sha256Of(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
