package main

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestCLIReferredKeptAndRestrictedVerify: footage referred to professional
// standards is kept past its period and says so (list, show, retention
// --dry-run); a bulk verify by a viewer covers the restricted recording by
// count, names a failure by reference only, and professional standards
// resolve the reference.
func TestCLIReferredKeptAndRestrictedVerify(t *testing.T) {
	e := newReviewEnv(t, "sgt1")
	e.asStdin("admin", "pro password\n", "user", "add", "pro", "--role", "psd", "--password-stdin")
	e.asStdin("admin", "court password\n", "user", "add", "court", "--role", "viewer", "--password-stdin")
	now := time.Now()
	ids := e.ingestClips(map[string]time.Time{"old": now.AddDate(0, 0, -40), "open": now.AddDate(0, 0, -1)})
	old := ids["old"]
	e.as("sgt1", "decide", old, "refer-psd", "--reason", "complaint about the officer")

	kept := 0
	for _, l := range parseLines[retentionLine](t, e.as("admin", "retention", "--dry-run", "--json")) {
		if l.ID == old && l.Action != "kept" {
			t.Errorf("referred recording in the dry run as %q", l.Action)
		}
		if l.Action == "kept" && l.ID == old && l.Rule == "kept: referred to PSD" {
			kept++
		}
	}
	if kept != 1 {
		t.Errorf("the dry run does not list the referred recording as kept")
	}
	if out := e.as("admin", "retention", "--dry-run"); !strings.Contains(out, "0 due now") || !strings.Contains(out, "1 kept: referred to PSD") {
		t.Errorf("dry run summary: %s", out)
	}
	e.as("admin", "retention")
	var listed bool
	for _, line := range strings.Split(e.as("pro", "list"), "\n") {
		listed = listed || strings.HasPrefix(line, old) && strings.HasSuffix(strings.TrimSpace(line), "kept: referred to PSD")
	}
	if !listed {
		t.Errorf("list does not say the referred recording is kept")
	}
	if out := e.as("pro", "show", old); !regexp.MustCompile(`(?m)^Deletion:\s+kept: referred to PSD$`).MatchString(out) {
		t.Errorf("show: %s", out)
	}

	// A viewer's bulk verify covers it, by count.
	if out := e.as("court", "verify"); !strings.Contains(out, "1 restricted recording verified, 0 failed") || strings.Contains(out, old) ||
		!strings.Contains(out, "2 verified, 0 failed") {
		t.Errorf("viewer's verify: %s", out)
	}
	var show struct {
		VaultFile string `json:"vault_file"`
	}
	if err := json.Unmarshal([]byte(e.as("pro", "show", "--json", old)), &show); err != nil || show.VaultFile == "" {
		t.Fatalf("show --json: %v %+v", err, show)
	}
	b, err := os.ReadFile(show.VaultFile)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(show.VaultFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, code := e.try("court", "verify")
	ref := regexp.MustCompile(`VR-[2-9A-Z]{4}-[2-9A-Z]{4}`).FindString(out)
	if code != 1 || ref == "" || strings.Contains(out, old) || !strings.Contains(out, "1 restricted recording verified, 1 failed") {
		t.Fatalf("viewer's verify of a damaged restricted recording: exit %d, reference %q\n%s", code, ref, out)
	}
	if _, errOut, code := e.try("court", "verify", "--resolve", ref); code == 0 || !strings.Contains(errOut, "may not") {
		t.Errorf("a viewer resolved a reference: exit %d %s", code, errOut)
	}
	if out := e.as("pro", "verify", "--resolve", ref); !strings.HasPrefix(out, ref+": recording "+old+" ") || !strings.Contains(out, "court") {
		t.Errorf("psd resolve: %s", out)
	}
	// Professional standards verify it by name, alone and in bulk.
	if out, _, code := e.try("pro", "verify", old); code != 1 || !strings.HasPrefix(out, "FAIL  "+old) {
		t.Errorf("psd verify by id: exit %d %s", code, out)
	}
	if out, _, code := e.try("pro", "verify"); code != 1 || !strings.Contains(out, "FAIL  "+old) || strings.Contains(out, "restricted recording") {
		t.Errorf("psd bulk verify: exit %d %s", code, out)
	}
}
