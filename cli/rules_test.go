package cli

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestReferredKeptAndRestrictedVerify: footage referred to professional
// standards is kept past its period and says so (list, show, retention
// --dry-run); a bulk verify by a viewer covers the restricted recording by
// count, names a failure by reference only, and professional standards
// resolve the reference.
func TestReferredKeptAndRestrictedVerify(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	now := time.Now()
	ids := e.ingestClips(map[string]time.Time{"old": now.AddDate(0, 0, -40), "open": now.AddDate(0, 0, -1)})
	old := ids["old"]
	e.must(sergeant, "decide", old, "refer-psd", "--reason", "complaint about the officer")

	kept := 0
	for _, l := range parseLines[retentionJSON](t, e.mustRun("retention", "--dry-run", "--json")) {
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
	if out := e.mustRun("retention", "--dry-run"); !strings.Contains(out, "0 due now") || !strings.Contains(out, "1 kept: referred to PSD") {
		t.Errorf("dry run summary: %s", out)
	}
	e.mustRun("retention")
	var listed bool
	for _, line := range strings.Split(e.must(psd, "list"), "\n") {
		listed = listed || strings.HasPrefix(line, old) && strings.HasSuffix(strings.TrimSpace(line), "kept: referred to PSD")
	}
	if !listed {
		t.Errorf("list does not say the referred recording is kept")
	}
	if out := e.must(psd, "show", old); !regexp.MustCompile(`(?m)^Deletion:\s+kept: referred to PSD$`).MatchString(out) {
		t.Errorf("show: %s", out)
	}

	// A viewer's bulk verify covers it, by count.
	if out := e.must(viewer, "verify"); !strings.Contains(out, "1 restricted recording verified, 0 failed") || strings.Contains(out, old) ||
		!strings.Contains(out, "2 verified, 0 failed") {
		t.Errorf("viewer's verify: %s", out)
	}
	var show struct {
		VaultFile string `json:"vault_file"`
	}
	readJSON(t, e.must(psd, "show", "--json", old), &show)
	if show.VaultFile == "" {
		t.Fatalf("show --json has no vault file: %+v", show)
	}
	b, err := os.ReadFile(show.VaultFile)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(show.VaultFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.runAs(viewer, "", "verify")
	ref := regexp.MustCompile(`VR-[2-9A-Z]{4}-[2-9A-Z]{4}`).FindString(r.out)
	if r.code != 1 || ref == "" || strings.Contains(r.out, old) || !strings.Contains(r.out, "1 restricted recording verified, 1 failed") {
		t.Fatalf("viewer's verify of a damaged restricted recording: reference %q\n%v", ref, r)
	}
	r = e.runAs(viewer, "", "verify", "--json")
	if vj := parseLines[map[string]any](t, r.out); r.code != 1 || len(vj) != 2 || vj[1]["restricted_failed"] != float64(1) || strings.Contains(r.out, old) {
		t.Errorf("viewer's verify --json: %v", r)
	}
	if r := e.runAs(viewer, "", "verify", "--resolve", ref); r.code != 3 || !strings.Contains(r.err, "may not") || strings.Contains(r.out+r.err, old) {
		t.Errorf("a viewer resolved a reference: %v", r)
	}
	if r := e.runAs(psd, "", "verify", "--resolve", ref, old); r.code != 2 {
		t.Errorf("--resolve with recording ids: %v", r)
	}
	if out := e.must(psd, "verify", "--resolve", ref); !strings.HasPrefix(out, ref+": recording "+old+" ") || !strings.Contains(out, viewer) {
		t.Errorf("psd resolve: %s", out)
	}
	// Professional standards verify it by name, alone and in bulk.
	if r := e.runAs(psd, "", "verify", old); r.code != 1 || !strings.HasPrefix(r.out, "FAIL  "+old) {
		t.Errorf("psd verify by id: %v", r)
	}
	if r := e.runAs(psd, "", "verify"); r.code != 1 || !strings.Contains(r.out, "FAIL  "+old) || strings.Contains(r.out, "restricted recording") {
		t.Errorf("psd bulk verify: %v", r)
	}
}
