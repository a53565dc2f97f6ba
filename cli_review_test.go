package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"exhibit/app"
	"exhibit/app/media"
)

// End-to-end tests of the review workflow: marks, decisions, holds and
// retention, through the exhibit binary, with users signed in by env.

const reviewPassphrase = "review test passphrase"

type reviewEnv struct {
	t     *testing.T
	store string
}

// newReviewEnv creates a store whose administrator is admin, and the named
// sergeants (password NAME+" password").
func newReviewEnv(t *testing.T, sergeants ...string) *reviewEnv {
	e := &reviewEnv{t: t, store: filepath.Join(t.TempDir(), "store")}
	e.as("admin", "init")
	for _, s := range sergeants {
		e.asStdin("admin", s+" password\n", "user", "add", s, "--role", "sergeant", "--password-stdin")
	}
	return e
}

func (e *reviewEnv) cmd(user, stdin string, args ...string) *exec.Cmd {
	cmd := exec.Command(exhibitBin(e.t), append([]string{"--store", e.store, "--no-keyring"}, args...)...)
	cmd.Env = append(os.Environ(), "EXHIBIT_PASSPHRASE="+reviewPassphrase, "EXHIBIT_USER="+user,
		"EXHIBIT_PASSWORD="+user+" password")
	cmd.Stdin = strings.NewReader(stdin)
	return cmd
}

// try runs exhibit as user and returns stdout, stderr and the exit code.
func (e *reviewEnv) try(user string, args ...string) (string, string, int) {
	e.t.Helper()
	return e.runCmd(e.cmd(user, "", args...))
}

func (e *reviewEnv) runCmd(cmd *exec.Cmd) (string, string, int) {
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		return "", err.Error(), -1
	}
	return out.String(), errb.String(), 0
}

func (e *reviewEnv) asStdin(user, stdin string, args ...string) string {
	e.t.Helper()
	out, errOut, code := e.runCmd(e.cmd(user, stdin, args...))
	if code != 0 {
		e.t.Fatalf("exhibit %v as %s: exit %d\n%s%s", args, user, code, out, errOut)
	}
	return out
}

func (e *reviewEnv) as(user string, args ...string) string {
	e.t.Helper()
	return e.asStdin(user, "", args...)
}

// writeClip writes a small clip with a sidecar saying it was recorded at.
func writeClip(t *testing.T, dir, name string, at time.Time, tone int) string {
	t.Helper()
	path := filepath.Join(dir, name+".MP4")
	if err := media.WriteIndexedClip(context.Background(), path, media.IndexedClipOptions{Frames: 25, Audio: true,
		ToneHz: tone, CreationTime: at.UTC().Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
	sc, _ := json.Marshal(map[string]any{"officer": "PC " + name, "recorded_at": at.UTC().Format(time.RFC3339)})
	if err := os.WriteFile(filepath.Join(dir, name+".json"), sc, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// ingestClips ingests clips name -> recorded-at and returns name -> id.
func (e *reviewEnv) ingestClips(clips map[string]time.Time) map[string]string {
	e.t.Helper()
	dir := e.t.TempDir()
	tone := 300
	for name, at := range clips {
		writeClip(e.t, dir, name, at, tone)
		tone += 50
	}
	ids := map[string]string{}
	for _, l := range parseLines[ingestLine](e.t, e.as("admin", "ingest", "--json", dir)) {
		if l.Status != "imported" {
			e.t.Fatalf("ingest %s: %s %s", l.File, l.Status, l.Error)
		}
		ids[strings.TrimSuffix(filepath.Base(l.File), ".MP4")] = l.ID
	}
	return ids
}

type retentionLine struct {
	Action     string    `json:"action"`
	ID         string    `json:"id"`
	SHA256     string    `json:"sha256"`
	RecordedAt time.Time `json:"recorded_at"`
	Rule       string    `json:"rule"`
	Time       time.Time `json:"time"`
}

type auditLine struct {
	Action      string `json:"action"`
	RecordingID string `json:"recording_id"`
	SHA256      string `json:"sha256"`
	Outcome     string `json:"outcome"`
	Detail      string `json:"detail"`
	User        string `json:"user"`
}

func TestCLIReviewRetention(t *testing.T) {
	e := newReviewEnv(t, "sgt1")
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
	for _, l := range parseLines[summaryJSON](t, e.as("admin", "list", "--json")) {
		shas[l.ID] = l.SHA256
	}

	// Marks: a point and a range, an edit history, a deletion.
	a1 := strings.TrimSpace(e.as("sgt1", "mark", ids["young"], "--frame", "3", "--category", "arrest", "--note", "detained at 14:02"))
	a2 := strings.TrimSpace(e.as("sgt1", "mark", ids["young"], "--frame", "5", "--to", "20", "--category", "use of force", "--note", "restraint"))
	if len(a1) != 10 || len(a2) != 10 {
		t.Fatalf("annotation ids %q %q", a1, a2)
	}
	if _, errOut, code := e.try("sgt1", "mark", ids["young"], "--frame", "25", "--category", "arrest"); code == 0 {
		t.Fatalf("a mark past the last frame was accepted: %s", errOut)
	}
	if _, _, code := e.try("admin", "mark", ids["young"], "--frame", "1", "--category", "arrest"); code == 0 {
		t.Fatal("an administrator annotated")
	}
	e.as("sgt1", "unmark", a1)
	marks := parseLines[markJSON](t, e.as("sgt1", "marks", ids["young"], "--json"))
	if len(marks) != 1 || marks[0].ID != a2 || marks[0].FrameIn != 5 || marks[0].FrameOut != 20 || marks[0].Note != "restraint" || marks[0].Author != "sgt1" {
		t.Fatalf("marks: %+v", marks)
	}
	if hist := parseLines[markJSON](t, e.as("sgt1", "marks", ids["young"], "--json", "--history")); len(hist) != 3 {
		t.Fatalf("history: %+v", hist)
	}

	// Decisions and a hold.
	if _, _, code := e.try("sgt1", "decide", ids["old_nfa"], "nfa"); code == 0 {
		t.Fatal("a decision without a reason was accepted")
	}
	e.as("sgt1", "decide", ids["old_nfa"], "nfa", "--reason", "no offence")
	e.as("sgt1", "decide", ids["old_evidence"], "evidence", "--reason", "assault, charged")
	e.as("sgt1", "decide", ids["old_policing"], "policing", "--reason", "intelligence")
	e.as("sgt1", "decide", ids["old_held"], "nfa", "--reason", "no offence")
	e.as("sgt1", "hold", ids["old_held"], "--reason", "civil claim")
	if _, _, code := e.try("sgt1", "retention"); code == 0 {
		t.Fatal("a sergeant ran the retention sweep")
	}

	// Dry run: due by age, kept by decision and hold, soon, clock.
	byAction := map[string]map[string]retentionLine{}
	for _, l := range parseLines[retentionLine](t, e.as("admin", "retention", "--dry-run", "--json")) {
		if byAction[l.Action] == nil {
			byAction[l.Action] = map[string]retentionLine{}
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
	if _, errOut, _ := e.try("sgt1", "list"); !strings.Contains(errOut, "within 7 days") {
		t.Fatalf("list does not warn of deletions within 7 days: %q", errOut)
	}

	dir := filepath.Join(e.store, "vault")
	before := dirSize(t, dir)
	var show struct {
		VaultFile string `json:"vault_file"`
	}
	json.Unmarshal([]byte(e.as("admin", "show", "--json", ids["old_nfa"])), &show)
	if show.VaultFile == "" {
		t.Fatal("no vault file")
	}
	out := e.as("admin", "retention", "--json")
	deleted := map[string]retentionLine{}
	for _, l := range parseLines[retentionLine](t, out) {
		if l.Action == "deleted" {
			deleted[l.ID] = l
		}
	}
	if len(deleted) != 2 {
		t.Fatalf("deleted: %s", out)
	}
	for name, id := range ids {
		d, ok := deleted[id]
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
	if _, err := os.Stat(show.VaultFile); !os.IsNotExist(err) {
		t.Fatalf("vault file of a deleted recording: %v", err)
	}
	// Gone from lists, cannot be shown or rendered; the audit keeps the hash.
	for _, l := range parseLines[summaryJSON](t, e.as("admin", "list", "--json")) {
		if _, ok := deleted[l.ID]; ok {
			t.Fatalf("deleted recording listed: %s", l.ID)
		}
	}
	if _, errOut, code := e.try("sgt1", "still", ids["old_nfa"], "--frame", "0", "-o", filepath.Join(t.TempDir(), "x.png")); code == 0 || !strings.Contains(errOut, "deleted") {
		t.Fatalf("still of a deleted recording: exit %d %s", code, errOut)
	}
	audit := parseLines[auditLine](t, e.as("admin", "audit", "--json", "--action", "retention.delete"))
	if len(audit) != 2 {
		t.Fatalf("deletion audit: %+v", audit)
	}
	for _, a := range audit {
		if a.SHA256 != shas[a.RecordingID] || a.User != "admin" || a.Outcome != "ok" {
			t.Fatalf("deletion audit entry %+v", a)
		}
	}
	// A second sweep deletes nothing; release the hold and the held one goes.
	if out := e.as("admin", "retention", "--json"); strings.Contains(out, `"deleted"`) {
		t.Fatalf("second sweep: %s", out)
	}
	e.as("admin", "release", ids["old_held"], "--reason", "claim settled")
	out = e.as("admin", "retention", "--json")
	if ls := parseLines[retentionLine](t, out); len(ls) != 2 || ls[0].ID != ids["old_held"] || ls[0].Action != "deleted" {
		t.Fatalf("after release: %s", out)
	}
	if out := e.as("admin", "audit", "verify"); !strings.HasPrefix(out, "OK") {
		t.Fatalf("audit verify: %s", out)
	}
}

func dirSize(t *testing.T, dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			n += info.Size()
		}
		return nil
	})
	return n
}

// TestCLIConcurrentMarks: 24 processes mark at once while this process
// holds the store open as the GUI would (reading and marking) and an
// administrator runs a retention sweep; every mark is there and the audit
// trail verifies.
func TestCLIConcurrentMarks(t *testing.T) {
	users := []string{"sgt1", "sgt2", "sgt3", "sgt4"}
	e := newReviewEnv(t, users...)
	now := time.Now().UTC()
	ids := e.ingestClips(map[string]time.Time{"target": now.AddDate(0, 0, -2), "old": now.AddDate(0, 0, -40)})
	target := ids["target"]

	lib, err := app.Open(e.store, app.KeySource{Passphrase: []byte(reviewPassphrase), NoKeyring: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	if _, err := lib.SignIn(context.Background(), "sgt1", []byte("sgt1 password"), "test gui"); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	guiMarks := 0
	var gui sync.WaitGroup
	gui.Add(1)
	go func() {
		defer gui.Done()
		ctx := context.Background()
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := lib.List(ctx, app.Filter{}, app.SortRecordedAt, false); err != nil {
				t.Error(err)
				return
			}
			if _, err := lib.AddMark(ctx, target, app.MarkInput{FrameIn: 1, FrameOut: -1, Category: "search", Note: "gui"}); err != nil {
				t.Error(err)
				return
			}
			guiMarks++
		}
	}()

	const n = 24
	var wg sync.WaitGroup
	errs := make([]string, n+1)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, errOut, code := e.try(users[i%len(users)], "mark", target, "--frame", fmt.Sprint(i), "--category", "significant statement",
				"--note", fmt.Sprintf("process %d", i))
			if code != 0 || len(strings.TrimSpace(out)) != 10 {
				errs[i] = fmt.Sprintf("mark %d: exit %d %s %s", i, code, out, errOut)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		out, errOut, code := e.try("admin", "retention", "--json")
		if code != 0 || !strings.Contains(out, ids["old"]) {
			errs[n] = fmt.Sprintf("retention: exit %d %s %s", code, out, errOut)
		}
	}()
	wg.Wait()
	close(stop)
	gui.Wait()
	for _, s := range errs {
		if s != "" {
			t.Error(s)
		}
	}
	marks := parseLines[markJSON](t, e.as("sgt2", "marks", target, "--json"))
	got := map[string]bool{}
	for _, m := range marks {
		got[m.Note] = true
	}
	for i := range n {
		if !got[fmt.Sprintf("process %d", i)] {
			t.Errorf("mark of process %d missing", i)
		}
	}
	if len(marks) != n+guiMarks {
		t.Errorf("%d marks, want %d + %d from the GUI", len(marks), n, guiMarks)
	}
	if out := e.as("admin", "audit", "verify"); !strings.HasPrefix(out, "OK") {
		t.Fatalf("audit verify: %s", out)
	}
	added := parseLines[auditLine](t, e.as("admin", "audit", target, "--json", "--action", "annotate.add"))
	if len(added) != n+guiMarks {
		t.Errorf("%d annotate.add audit entries, want %d", len(added), n+guiMarks)
	}
}
