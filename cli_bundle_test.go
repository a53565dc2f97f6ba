package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCLIExportVerifyBundle exports a bundle as a sergeant, checks it with
// verify-bundle with no store, key or user at all, then breaks it.
func TestCLIExportVerifyBundle(t *testing.T) {
	e := newReviewEnv(t, "sgt1")
	ids := e.ingestClips(map[string]time.Time{"CAM1": time.Now().Add(-time.Hour)})
	id := ids["CAM1"]
	e.as("sgt1", "mark", id, "--frame", "5", "--category", "arrest", "--note", "cuffs")
	out := filepath.Join(t.TempDir(), "OP-1")
	if _, errOut, code := e.try("viewer-none", "export", "--case", "OP/1", "--out", out, id); code == 0 || !strings.Contains(errOut, "exhibit:") {
		t.Fatalf("export by an unknown user: exit %d %s", code, errOut)
	}
	if _, _, code := e.try("sgt1", "export", "--out", out, id); code != exitUsage {
		t.Fatalf("export without --case: exit %d", code)
	}
	res := e.as("sgt1", "export", "--case", "OP/1", "--out", out, "--masters", "--stills", "--zip", id)
	if !strings.Contains(res, "manifest.json SHA-256") {
		t.Fatalf("export said %q", res)
	}
	if _, err := os.Stat(out + ".zip"); err != nil {
		t.Fatal("no zip")
	}
	verify := func(args ...string) (string, string, int) {
		// No store, no passphrase, no user: a plain environment.
		cmd := exec.Command(exhibitBin(t), append([]string{"verify-bundle"}, args...)...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")} // not even HOME
		return e.runCmd(cmd)
	}
	if o, errOut, code := verify(out); code != 0 || !strings.HasPrefix(o, "OK ") {
		t.Fatalf("verify-bundle: exit %d\n%s%s", code, o, errOut)
	}
	var j struct {
		OK       bool `json:"ok"`
		Problems []struct{ Path, Reason string }
	}
	o, _, code := verify(out, "--json")
	if err := json.Unmarshal([]byte(o), &j); err != nil || !j.OK || code != 0 || len(j.Problems) != 0 {
		t.Fatalf("verify-bundle --json: %s (exit %d)", o, code)
	}
	// Flip a byte of the master: exit 1, FAIL lines naming it.
	mp := filepath.Join(out, "masters", id+".mp4")
	b, _ := os.ReadFile(mp)
	b[len(b)/2] ^= 0x40
	os.WriteFile(mp, b, 0o644)
	o, _, code = verify(out)
	if code != exitFailed {
		t.Fatalf("tampered bundle: exit %d\n%s", code, o)
	}
	for _, l := range strings.Split(strings.TrimSpace(o), "\n") {
		if !strings.HasPrefix(l, "FAIL masters/"+id+".mp4: ") {
			t.Errorf("unexpected line %q", l)
		}
	}
	if _, _, code := verify(); code != exitUsage {
		t.Errorf("verify-bundle without DIR: exit %d", code)
	}
}
