package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"exhibit/app/media"
)

// The review workflow through the command line: marks, decisions, holds
// and retention.

// writeClip writes a small clip with a sidecar saying when it was recorded.
func writeClip(t *testing.T, dir, name string, at time.Time, tone int) string {
	t.Helper()
	path := filepath.Join(dir, name+".MP4")
	if err := media.WriteIndexedClip(context.Background(), path, media.IndexedClipOptions{Frames: 25, Audio: true,
		ToneHz: tone, CreationTime: at.UTC().Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
	sc, err := json.Marshal(map[string]any{"officer": "PC " + name, "recorded_at": at.UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".json"), sc, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// ingestClips ingests clips name -> recorded-at and returns name -> id.
func (e *tenv) ingestClips(clips map[string]time.Time) map[string]string {
	e.t.Helper()
	dir := e.t.TempDir()
	tone := 300
	for name, at := range clips {
		writeClip(e.t, dir, name, at, tone)
		tone += 50
	}
	ids := map[string]string{}
	for _, l := range e.ingest(dir) {
		if l.Status != "imported" {
			e.t.Fatalf("ingest %s: %s %s", l.File, l.Status, l.Error)
		}
		ids[strings.TrimSuffix(filepath.Base(l.File), ".MP4")] = l.ID
	}
	return ids
}

func TestReviewRetention(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	now := time.Now().UTC().Truncate(time.Second)
	ids := e.ingestClips(map[string]time.Time{
		"old_unreviewed": now.AddDate(0, 0, -40),
		"old_nfa":        now.AddDate(0, 0, -40),
		"old_evidence":   now.AddDate(0, 0, -40),
		"old_policing":   now.AddDate(0, 0, -40),
		"old_held":       now.AddDate(0, 0, -40),
		"young":          now.AddDate(0, 0, -10),
		"young_soon":     now.AddDate(0, 0, -27),
		"future":         now.AddDate(0, 0, 3),
	})
	shas := map[string]string{}
	for _, l := range parseLines[summaryJSON](t, e.mustRun("list", "--json")) {
		shas[l.ID] = l.SHA256
	}

	// Marks: a point and a range, an edit history, a deletion.
	a1 := strings.TrimSpace(e.must(sergeant, "mark", ids["young"], "--frame", "3", "--category", "arrest", "--note", "detained at 14:02"))
	a2 := strings.TrimSpace(e.must(sergeant, "mark", ids["young"], "--frame", "5", "--to", "20", "--category", "use of force", "--note", "restraint"))
	if len(a1) != 10 || len(a2) != 10 {
		t.Fatalf("annotation ids %q %q", a1, a2)
	}
	if r := e.runAs(sergeant, "", "mark", ids["young"], "--frame", "25", "--category", "arrest"); r.code != 3 {
		t.Fatalf("a mark past the last frame was accepted: %v", r)
	}
	if r := e.runAs(sergeant, "", "mark", ids["young"], "--category", "arrest"); r.code != 2 || !strings.Contains(r.err, "usage: exhibit mark") {
		t.Fatalf("a mark without a frame: %v", r)
	}
	if r := e.run("mark", ids["young"], "--frame", "1", "--category", "arrest"); r.code == 0 {
		t.Fatal("an administrator annotated")
	}
	if out := e.must(sergeant, "unmark", strings.ToLower(a1)); out != "annotation "+a1+" deleted (its history is kept)\n" {
		t.Fatalf("unmark: %q", out)
	}
	marks := parseLines[markJSON](t, e.must(sergeant, "marks", ids["young"], "--json"))
	if len(marks) != 1 || marks[0].ID != a2 || marks[0].FrameIn != 5 || marks[0].FrameOut != 20 || marks[0].Note != "restraint" || marks[0].Author != sergeant {
		t.Fatalf("marks: %+v", marks)
	}
	hist := parseLines[markJSON](t, e.must(sergeant, "marks", ids["young"], "--json", "--history"))
	if len(hist) != 3 {
		t.Fatalf("history: %+v", hist)
	}
	deleted := 0
	for _, h := range hist {
		if h.Deleted {
			deleted++
			if h.ID != a1 || h.Revision != 2 {
				t.Errorf("deletion revision %+v", h)
			}
		}
	}
	if deleted != 1 {
		t.Errorf("history shows %d deletions, want 1: %+v", deleted, hist)
	}
	if out := e.must(viewer, "marks", ids["young"], "--history"); !strings.HasPrefix(out, "ANNOTATION  REV") || !strings.Contains(out, "(deleted)") {
		t.Errorf("marks --history:\n%s", out)
	}

	// Decisions and a hold.
	if r := e.runAs(sergeant, "", "decide", ids["old_nfa"], "nfa"); r.code == 0 {
		t.Fatal("a decision without a reason was accepted")
	}
	if out := e.must(sergeant, "decide", ids["old_nfa"], "nfa", "--reason", "no offence"); !strings.HasPrefix(out, ids["old_nfa"]+": nfa (decision ") {
		t.Fatalf("decide: %q", out)
	}
	e.must(sergeant, "decide", ids["old_evidence"], "evidence", "--reason", "assault, charged")
	e.must(sergeant, "decide", ids["old_policing"], "policing", "--reason", "intelligence")
	e.must(sergeant, "decide", ids["old_held"], "nfa", "--reason", "no offence")
	if out := e.must(sergeant, "hold", ids["old_held"], "--reason", "civil claim"); !strings.Contains(out, "is under legal hold") {
		t.Fatalf("hold: %q", out)
	}
	if r := e.runAs(sergeant, "", "retention"); r.code == 0 {
		t.Fatal("a sergeant ran the retention sweep")
	}

	// Dry run: due by age, kept by decision and hold, soon, clock.
	byAction := map[string]map[string]retentionJSON{}
	for _, l := range parseLines[retentionJSON](t, e.mustRun("retention", "--dry-run", "--json")) {
		if byAction[l.Action] == nil {
			byAction[l.Action] = map[string]retentionJSON{}
		}
		byAction[l.Action][l.ID] = l
	}
	due := byAction["due"]
	if len(due) != 2 || due[ids["old_unreviewed"]].ID == "" || due[ids["old_nfa"]].ID == "" {
		t.Fatalf("due: %+v", byAction)
	}
	if len(byAction["due_soon"]) != 1 || byAction["due_soon"][ids["young_soon"]].ID == "" {
		t.Fatalf("due soon: %+v", byAction["due_soon"])
	}
	if len(byAction["skipped"]) != 1 || !strings.Contains(byAction["skipped"][ids["future"]].Rule, "future") {
		t.Fatalf("clock: %+v", byAction["skipped"])
	}
	if out := e.mustRun("retention", "--dry-run"); !strings.HasSuffix(out, "2 due now, 1 due within 7 days, 1 with an untrusted recorded-at (not acted on), 0 kept: referred to PSD\n") {
		t.Fatalf("dry run:\n%s", out)
	}
	if r := e.runAs(sergeant, "", "list"); !strings.Contains(r.err, "within 7 days") {
		t.Fatalf("list does not warn of deletions within 7 days: %v", r)
	}

	dir := filepath.Join(e.store, "vault")
	before := dirSize(t, dir)
	vault := vaultFileOf(t, e, ids["old_nfa"])
	out := e.mustRun("retention", "--json")
	gone := map[string]retentionJSON{}
	for _, l := range parseLines[retentionJSON](t, out) {
		if l.Action == "deleted" {
			gone[l.ID] = l
		}
	}
	if len(gone) != 2 {
		t.Fatalf("deleted: %s", out)
	}
	for name, id := range ids {
		d, ok := gone[id]
		if ok != (name == "old_unreviewed" || name == "old_nfa") {
			t.Fatalf("%s deleted: %v", name, ok)
		}
		if ok && (d.SHA256 != shas[id] || !d.RecordedAt.Equal(now.AddDate(0, 0, -40)) || d.Rule == "" || time.Since(d.Time) > time.Minute) {
			t.Fatalf("deletion line %+v", d)
		}
	}
	if after := dirSize(t, dir); after >= before {
		t.Fatalf("vault did not shrink: %d -> %d", before, after)
	}
	if _, err := os.Stat(vault); !os.IsNotExist(err) {
		t.Fatalf("vault file of a deleted recording: %v", err)
	}
	// Gone from lists, cannot be shown or rendered; the audit keeps the hash.
	for _, l := range parseLines[summaryJSON](t, e.mustRun("list", "--json")) {
		if _, ok := gone[l.ID]; ok {
			t.Fatalf("deleted recording listed: %s", l.ID)
		}
	}
	if r := e.runAs(sergeant, "", "still", ids["old_nfa"], "--frame", "0", "-o", filepath.Join(t.TempDir(), "x.png")); r.code == 0 || !strings.Contains(r.err, "deleted") {
		t.Fatalf("still of a deleted recording: %v", r)
	}
	audit := parseLines[auditJSON](t, e.mustRun("audit", "--json", "--action", "retention.delete"))
	if len(audit) != 2 {
		t.Fatalf("deletion audit: %+v", audit)
	}
	for _, a := range audit {
		if a.SHA256 != shas[a.RecordingID] || a.User != admin || a.Outcome != "ok" {
			t.Fatalf("deletion audit entry %+v", a)
		}
	}
	// A second sweep deletes nothing; release the hold and the held one goes.
	if out := e.mustRun("retention"); !strings.HasPrefix(out, "skipped   "+ids["future"]) ||
		!strings.HasSuffix(out, "(clock: recorded-at is in the future)\n0 deleted, 1 not acted on (untrusted recorded-at), 0 failed\n") {
		t.Fatalf("second sweep: %s", out)
	}
	// Release refuses to run without a reason (a usage error: nothing is
	// opened), and says when the footage goes.
	if r := e.run("release", ids["old_held"]); r.code != 2 || !strings.Contains(r.err, "give a reason: exhibit release ID --reason TEXT") {
		t.Fatalf("release without a reason: %v", r)
	}
	r := e.run("release", ids["old_held"], "--reason", "claim settled")
	if r.code != 0 || r.out != ids["old_held"]+": legal hold released; retention applies again\n" ||
		!strings.Contains(r.err, "Once released, this recording is already past its retention period") {
		t.Fatalf("release: %v", r)
	}
	out = e.mustRun("retention", "--json")
	if ls := parseLines[retentionJSON](t, out); len(ls) != 2 || ls[0].ID != ids["old_held"] || ls[0].Action != "deleted" {
		t.Fatalf("after release: %s", out)
	}
	if out := e.mustRun("audit", "verify"); !strings.HasPrefix(out, "OK") {
		t.Fatalf("audit verify: %s", out)
	}
}

// TestPolicyAndCategories: retention periods and annotation categories.
func TestPolicyAndCategories(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	if out := e.mustRun("retention", "set", "45"); out != "retention policy changed\n" {
		t.Fatalf("retention set: %q", out)
	}
	e.mustRun("retention", "set", "--category", "arrest", "400")
	var p struct {
		Default    int            `json:"default_days"`
		Categories map[string]int `json:"category_days"`
	}
	readJSON(t, e.mustRun("retention", "policy", "--json"), &p)
	if p.Default != 45 || p.Categories["arrest"] != 400 {
		t.Fatalf("policy: %+v", p)
	}
	if out := e.mustRun("retention", "policy"); !strings.HasPrefix(out, "default: 45 days after recorded-at") || !strings.Contains(out, `category "arrest": 400 days`) {
		t.Fatalf("policy:\n%s", out)
	}
	if r := e.runAs(sergeant, "", "retention", "set", "1"); r.code != 3 || !strings.Contains(r.err, "Your role (") {
		t.Fatalf("sergeant set the policy: %v", r)
	}
	if out := e.mustRun("categories", "set", "arrest", "search", "other"); out != "arrest\nsearch\nother\n" {
		t.Fatalf("categories set: %q", out)
	}
	var cats []string
	readJSON(t, e.must(viewer, "categories", "--json"), &cats)
	if strings.Join(cats, ",") != "arrest,search,other" {
		t.Fatalf("categories: %v", cats)
	}
}

func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	if err := filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			n += info.Size()
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}
