package cli

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"exhibit/app"
)

// TestFullDisk: results that cannot be written fail the command (exit 3,
// with the reason), in every output form: /dev/full as standard output
// refuses every write with ENOSPC.
func TestFullDisk(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	recs := e.ingest(e.dock("--cameras", "1", "--minutes", "0.05", "--seed", "5"))
	id := recs[0].ID
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full: %v", err)
	}
	defer func() { _ = full.Close() }()
	for _, args := range [][]string{
		{"list", "--json"}, {"list"}, {"show", id}, {"show", "--json", id}, {"verify", "--json"}, {"verify"},
		{"audit", "--json"}, {"audit"}, {"audit", "verify", "--json"}, {"audit", "prove", "2"},
		{"user", "list", "--json"}, {"user", "list"}, {"categories"}, {"retention", "--dry-run"},
		{"retention", "policy"}, {"marks", id, "--history"}, {"ingest", "--json", e.dock("--cameras", "1", "--minutes", "0.05", "--seed", "5")},
	} {
		var errb bytes.Buffer
		code := Main(append([]string{"--store", e.store, "--no-keyring"}, args...), Env{
			Stdin: strings.NewReader(""), Stdout: full, Stderr: &errb,
			LookupEnv: func(k string) (string, bool) {
				v, ok := map[string]string{"EXHIBIT_PASSPHRASE": app.TestPassphrase, "EXHIBIT_USER": admin,
					"EXHIBIT_PASSWORD": app.TestPassword(admin)}[k]
				return v, ok
			},
		})
		if code != exitAborted || !strings.Contains(errb.String(), "write the output") || !strings.Contains(errb.String(), "no space left on device") {
			t.Errorf("%v onto a full disk: exit %d, %q", args, code, errb.String())
		}
	}
}

// TestStickyWriter: the first write error is kept and ends later writes.
func TestStickyWriter(t *testing.T) {
	w := &stickyWriter{w: &failAfter{n: 3}}
	if _, err := io.WriteString(w, "abc"); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, "d"); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("second write: %v", err)
	}
	if !errors.Is(w.err, syscall.ENOSPC) || !strings.Contains(w.err.Error(), "write the output") {
		t.Fatalf("kept %v", w.err)
	}
	if n, err := io.WriteString(w, "e"); n != 0 || err != w.err {
		t.Fatalf("after an error: %d %v", n, err)
	}
}

type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return 0, syscall.ENOSPC
	}
	f.n -= len(p)
	return len(p), nil
}

// TestInterrupted: a command interrupted (Env.Interrupt, as Ctrl-C) ends
// with exit 130 and says so, having changed nothing.
func TestInterrupted(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	before := e.mustRun("audit", "--json")
	interrupt := make(chan struct{})
	close(interrupt)
	var out, errb bytes.Buffer
	code := Main([]string{"--store", e.store, "--no-keyring", "user", "disable", sergeant}, Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Interrupt: interrupt,
		LookupEnv: func(k string) (string, bool) {
			v, ok := map[string]string{"EXHIBIT_PASSPHRASE": app.TestPassphrase, "EXHIBIT_USER": admin,
				"EXHIBIT_PASSWORD": app.TestPassword(admin)}[k]
			return v, ok
		},
	})
	if code != exitInterrupted || errb.String() != "exhibit: interrupted\n" || out.Len() != 0 {
		t.Fatalf("interrupted: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
	if r := e.runAs(sergeant, "", "list"); r.code != 0 {
		t.Fatalf("the interrupted command disabled the account: %v", r)
	}
	if after := e.mustRun("audit", "--json"); len(parseLines[auditJSON](t, after)) != len(parseLines[auditJSON](t, before))+2+2 {
		t.Errorf("audit entries: %d before, %d after (want +2 per sign-in of the two later runs only)",
			len(parseLines[auditJSON](t, before)), len(parseLines[auditJSON](t, after)))
	}
}
