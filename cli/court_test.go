package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"exhibit/app"
	"exhibit/ui"
)

func TestCourtCheck(t *testing.T) {
	dir, id := app.NewTestBundle(t, 60)
	var opened ui.CourtOptions
	court := func(args ...string) result {
		var o, eb bytes.Buffer
		code := Main(append([]string{"court"}, args...), Env{Stdin: strings.NewReader(""), Stdout: &o, Stderr: &eb,
			LookupEnv: func(string) (string, bool) { return "", false }, // no store, passphrase or user
			Court:     func(opt ui.CourtOptions) error { opened = opt; return nil }})
		return result{out: o.String(), err: eb.String(), code: code}
	}
	if r := court("--check", dir); r.code != 0 || !strings.HasPrefix(r.out, "Verified: ") || !strings.Contains(r.out, "key ") {
		t.Fatalf("court --check: %v", r)
	}
	// The .zip, read in place: the same verdict; verify-bundle accepts it.
	if r := court("--check", dir+".zip"); r.code != 0 || !strings.HasPrefix(r.out, "Verified: ") {
		t.Fatalf("court --check on the zip: %v", r)
	}
	var o, eb bytes.Buffer
	if code := Main([]string{"verify-bundle", dir + ".zip"}, Env{Stdin: strings.NewReader(""), Stdout: &o, Stderr: &eb,
		LookupEnv: func(string) (string, bool) { return "", false }}); code != 0 || !strings.HasPrefix(o.String(), "OK    "+dir+".zip: ") {
		t.Fatalf("verify-bundle on the zip: %d %s %s", code, o.String(), eb.String())
	}
	if r := court(dir); r.code != 0 || opened.Dir != dir {
		t.Fatalf("court: %v, window opened on %q", r, opened.Dir)
	}
	if r := court(); r.code != exitUsage {
		t.Fatalf("court without a bundle: %v", r)
	}
	mp := filepath.Join(dir, "masters", id+".mp4")
	b, err := os.ReadFile(mp)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/3] ^= 0x10
	if err := os.WriteFile(mp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r := court("--check", dir)
	if r.code != exitFailed || !strings.HasPrefix(r.out, "NOT VERIFIED: ") || !strings.Contains(r.out, "\nFAIL masters/"+id+".mp4: ") {
		t.Fatalf("tampered bundle: %v", r)
	}
}
