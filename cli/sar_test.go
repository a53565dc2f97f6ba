package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"exhibit/app"
)

// sarReceivedFor returns, as DD/MM/YYYY, a received day whose SAR is due
// in about days (app.TestSARReceived), and exactly how many.
func sarReceivedFor(days int) (string, int) {
	r, n := app.TestSARReceived(time.Now(), days)
	return r.Format("2/1/2006"), n
}

// TestSARCommands: a reviewer records a SAR, adds a recording, lists and
// shows it (text and JSON), exhibit list labels the recording, the
// response is recorded from an export bundle, and the SAR is closed.
// Administrators and viewers are refused; usage errors exit 2.
func TestSARCommands(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	now := time.Now().UTC().Truncate(time.Second)
	ids := e.ingestClips(map[string]time.Time{"cam_a": now.Add(-time.Hour), "cam_b": now.Add(-2 * time.Hour)})
	a, b := ids["cam_a"], ids["cam_b"]

	// The ICO rule through the command line's day parser.
	out := e.must(sergeant, "sar", "new", "--subject", "Jonah Example", "--received", "31/1/2026")
	if out != "SAR-1 received 31/01/2026 due 28/02/2026\n" {
		t.Fatalf("sar new: %q", out)
	}
	received, n := sarReceivedFor(6)
	dueIn := fmt.Sprintf("due in %d days", n)
	out = e.must(sergeant, "sar", "new", "--subject", "Ada Subject", "--received", received)
	if !strings.HasPrefix(out, "SAR-2 received ") {
		t.Fatalf("sar new: %q", out)
	}
	if out := e.must(sergeant, "sar", "add", "SAR-2", a); out != "SAR-2 "+a+" added\n" {
		t.Fatalf("sar add: %q", out)
	}
	if out := e.must(sergeant, "sar", "add", "2", a, b); out != "SAR-2 "+b+" added\nSAR-2 "+a+" already included\n" {
		t.Fatalf("sar add again: %q", out)
	}
	if out := e.must(sergeant, "sar", "add", "SAR-1", b); out != "SAR-1 "+b+" added\n" {
		t.Fatalf("sar add to SAR-1: %q", out)
	}

	// A redaction project (made through the library: its commands are
	// another branch's) is linked by id.
	lib := app.OpenTestLibrary(t, e.store, app.RoleSergeant)
	proj, err := lib.NewRedaction(context.Background(), a, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	if out := e.must(sergeant, "sar", "add", "SAR-2", "--project", proj.ID); out != "SAR-2 project "+proj.ID+" added (recording "+a+")\n" {
		t.Fatalf("sar add --project: %q", out)
	}
	if r := e.runAs(sergeant, "", "sar", "add", "SAR-2", "--project", "NOSUCHPROJ"); r.code != exitAborted {
		t.Errorf("sar add --project NOSUCHPROJ: %v", r)
	}

	// exhibit list: the SAR column, the one due first (SAR-1 is long overdue).
	for _, line := range strings.Split(e.must(sergeant, "list"), "\n") {
		switch {
		case strings.HasPrefix(line, a) && !strings.HasSuffix(line, "SAR "+dueIn):
			t.Errorf("list row of %s: %q", a, line)
		case strings.HasPrefix(line, b) && !strings.Contains(line, "SAR overdue by "):
			t.Errorf("list row of %s: %q", b, line)
		}
	}
	for _, l := range parseLines[summaryJSON](t, e.must(sergeant, "list", "--json")) {
		want := map[string]string{a: "SAR-2", b: "SAR-1"}[l.ID]
		if l.SAR != want || l.SARDue == "" {
			t.Errorf("list --json %s: sar %q due %q", l.ID, l.SAR, l.SARDue)
		}
	}
	// Administrators see no SARs in the list, nor the column.
	if out := e.mustRun("list"); strings.Contains(out, "SAR due") || strings.Contains(out, "SAR overdue") ||
		strings.HasSuffix(strings.SplitN(out, "\n", 2)[0], "SAR") {
		t.Errorf("the administrator's list shows SARs:\n%s", out)
	}
	if out := e.must(sergeant, "list"); !strings.HasSuffix(strings.SplitN(out, "\n", 2)[0], "  SAR") {
		t.Errorf("the reviewer's list has no SAR column:\n%s", out)
	}
	if !strings.Contains(e.must(sergeant, "show", a), "Subject access:  SAR-2: SAR "+dueIn) {
		t.Errorf("show %s:\n%s", a, e.must(sergeant, "show", a))
	}

	// sar list and show.
	out = e.must(sergeant, "sar", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[1], "SAR-1 ") || !strings.Contains(lines[1], "open, overdue by") ||
		!strings.HasSuffix(lines[1], "Jonah Example") || !strings.Contains(lines[2], "open, "+dueIn) ||
		lines[3] != "2 subject access requests" {
		t.Fatalf("sar list:\n%s", out)
	}
	due := parseLines[sarJSON](t, e.must(sergeant, "sar", "list", "--status", "overdue", "--json"))
	if len(due) != 1 || due[0].ID != "SAR-1" || due[0].Due != "2026-02-28" || due[0].Received != "2026-01-31" ||
		due[0].DaysLeft == nil || *due[0].DaysLeft >= 0 || len(due[0].Recordings) != 1 || due[0].Recordings[0] != b {
		t.Fatalf("sar list --status overdue --json: %+v", due)
	}
	if soon := parseLines[sarJSON](t, e.must(sergeant, "sar", "list", "--status", "due", "--json")); len(soon) != 2 {
		t.Errorf("sar list --status due: %+v", soon)
	}
	var shown sarJSON
	readJSON(t, e.must(sergeant, "sar", "show", "SAR-2", "--json"), &shown)
	if shown.Subject != "Ada Subject" || shown.Status != "open" || shown.DaysLeft == nil || *shown.DaysLeft != n ||
		len(shown.Recordings) != 2 || shown.CreatedBy != sergeant || len(shown.Projects) != 1 ||
		shown.Projects[0] != (sarProjectJSON{ID: proj.ID, RecordingID: a}) {
		t.Fatalf("sar show --json: %+v", shown)
	}
	if out := e.must(sergeant, "sar", "show", "sar-2"); !strings.Contains(out, "Subject:    Ada Subject\n") ||
		!strings.Contains(out, "Status:     open, "+dueIn+"\n") || !strings.Contains(out, "Recording:  "+a+" (added by sergeant") {
		t.Fatalf("sar show:\n%s", out)
	}

	// The response: an export bundle of this store, unredacted here, so
	// only with --unredacted.
	bundleDir := filepath.Join(t.TempDir(), "SAR-2")
	e.must(sergeant, "export", "--case", "SAR/2", "--out", bundleDir, a)
	if r := e.runAs(sergeant, "", "sar", "respond", "SAR-2", "--bundle", bundleDir); r.code != exitAborted ||
		!strings.Contains(r.err, "unredacted footage") {
		t.Fatalf("respond with unredacted footage: %v", r)
	}
	r := e.runAs(sergeant, "", "sar", "respond", "SAR-2", "--bundle", bundleDir, "--unredacted")
	if r.code != 0 || !strings.HasPrefix(r.out, "SAR-2 responded with bundle ") ||
		!strings.Contains(r.err, "holds nothing of 1 recordings of SAR-2: "+b) {
		t.Fatalf("sar respond: %v", r)
	}
	manifest, err := os.ReadFile(filepath.Join(bundleDir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	shown = sarJSON{}
	readJSON(t, e.must(sergeant, "sar", "show", "SAR-2", "--json"), &shown)
	if shown.Status != "responded" || shown.BundleID == "" || !strings.Contains(string(manifest), shown.BundleID) ||
		shown.ManifestSHA256 != hexSum(manifest) || shown.RespondedAt.IsZero() || shown.DaysLeft != nil {
		t.Fatalf("after respond: %+v", shown)
	}
	if out := e.must(sergeant, "sar", "show", "SAR-2"); !strings.Contains(out, "Status:     responded "+time.Now().Format("02/01/2006")+" (on time)") {
		t.Errorf("sar show after respond:\n%s", out)
	}
	if out := e.must(sergeant, "sar", "close", "SAR-2"); out != "SAR-2 closed\n" {
		t.Fatalf("sar close: %q", out)
	}
	if out := e.must(sergeant, "sar", "close", "SAR-1"); out != "SAR-1 closed\n" {
		t.Fatalf("sar close: %q", out)
	}
	if out := e.must(sergeant, "sar", "list", "--status", "open"); out != "ID  RECEIVED  DUE  STATUS  RECORDINGS  SUBJECT\n0 subject access requests\n" {
		t.Errorf("no SAR open:\n%q", out)
	}
	if out := e.must(sergeant, "sar", "show", "SAR-1"); !strings.Contains(out, "closed "+time.Now().Format("02/01/2006")+" without a response") {
		t.Errorf("sar show SAR-1:\n%s", out)
	}

	// The audit trail: every change by id, never the name.
	audit := e.mustRun("audit", "--json")
	for _, want := range []string{`"action":"sar.create"`, `"action":"sar.add"`, `"action":"sar.respond"`, `"action":"sar.close"`} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit has no %s", want)
		}
	}
	for _, name := range []string{"Jonah", "Ada Subject"} {
		if strings.Contains(audit, name) {
			t.Errorf("the audit trail holds %q", name)
		}
	}

	// Refusals and usage errors.
	for _, user := range []string{"viewer", app.TestAdmin} {
		if r := e.runAs(user, "", "sar", "list"); r.code != exitAborted || !strings.Contains(r.err, "may not handle subject access requests") {
			t.Errorf("sar list as %s: %v", user, r)
		}
	}
	for _, args := range [][]string{
		{"sar", "new", "--received", "1/1/2026"},
		{"sar", "new", "--subject", "X"},
		{"sar", "new", "--subject", "X", "--received", "1/13/2026"},
		{"sar", "add", "SAR-1"},
		{"sar", "list", "--status", "late"},
		{"sar", "respond", "SAR-1"},
		{"sar", "show"},
	} {
		if r := e.runAs(sergeant, "", args...); r.code != exitUsage {
			t.Errorf("%v: %v", args, r)
		}
	}
	if r := e.runAs(sergeant, "", "sar", "show", "SAR-9"); r.code != exitAborted || !strings.Contains(r.err, "No such subject access request") {
		t.Errorf("sar show SAR-9: %v", r)
	}
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
