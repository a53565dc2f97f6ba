package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestExportVerifyBundle exports a bundle as a sergeant, checks it with
// verify-bundle with no store, key, user or home folder, then breaks it.
func TestExportVerifyBundle(t *testing.T) {
	e := newTestEnv(t)
	ids := e.ingestClips(map[string]time.Time{"CAM1": time.Now().Add(-time.Hour)})
	id := ids["CAM1"]
	e.must(sergeant, "mark", id, "--frame", "5", "--category", "arrest", "--note", "cuffs")
	out := filepath.Join(t.TempDir(), "OP-1")
	if r := e.runAs("viewer", "", "export", "--case", "OP/1", "--out", out, id); r.code != exitAborted {
		t.Fatalf("export by a viewer: %v", r)
	}
	if r := e.runAs(sergeant, "", "export", "--out", out, id); r.code != exitUsage || !strings.Contains(r.err, "usage: exhibit export") {
		t.Fatalf("export without --case: %v", r)
	}
	res := e.must(sergeant, "export", "--case", "OP/1", "--out", out, "--masters", "--stills", "--lossless", "--zip", id)
	if !strings.Contains(res, "manifest.json SHA-256") {
		t.Fatalf("export said %q", res)
	}
	if _, err := os.Stat(out + ".zip"); err != nil {
		t.Fatal("no zip")
	}
	verify := func(args ...string) result {
		var o, eb bytes.Buffer
		code := Main(append([]string{"verify-bundle"}, args...), Env{Stdin: strings.NewReader(""), Stdout: &o, Stderr: &eb,
			LookupEnv: func(string) (string, bool) { return "", false }}) // no store, passphrase or user
		return result{out: o.String(), err: eb.String(), code: code}
	}
	if r := verify(out); r.code != 0 || !strings.HasPrefix(r.out, "OK ") {
		t.Fatalf("verify-bundle: %v", r)
	}
	// The full export holds the court clip and, with --lossless, the lossless one.
	for _, suffix := range []string{"court", "lossless"} {
		if m, _ := filepath.Glob(filepath.Join(out, "clips", id+"_*_"+suffix+".mp4")); len(m) != 1 {
			t.Errorf("bundle holds %d %s clips", len(m), suffix)
		}
		if m, _ := filepath.Glob(filepath.Join(out, "framehash", id+"_*_"+suffix+".framehash")); len(m) != 1 {
			t.Errorf("bundle holds %d %s clip framehash files", len(m), suffix)
		}
	}
	var j struct {
		OK       bool `json:"ok"`
		Problems []struct{ Path, Reason string }
	}
	r := verify(out, "--json")
	if err := json.Unmarshal([]byte(r.out), &j); err != nil || !j.OK || r.code != 0 || len(j.Problems) != 0 {
		t.Fatalf("verify-bundle --json: %v", r)
	}
	mp := filepath.Join(out, "masters", id+".mp4")
	b, _ := os.ReadFile(mp)
	b[len(b)/2] ^= 0x40
	if err := os.WriteFile(mp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r = verify(out)
	if r.code != exitFailed {
		t.Fatalf("tampered bundle: %v", r)
	}
	for _, l := range strings.Split(strings.TrimSpace(r.out), "\n") {
		if !strings.HasPrefix(l, "FAIL masters/"+id+".mp4: ") {
			t.Errorf("unexpected line %q", l)
		}
	}
	if r := verify(); r.code != exitUsage {
		t.Errorf("verify-bundle without DIR: %v", r)
	}
}
