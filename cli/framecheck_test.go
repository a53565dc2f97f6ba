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

// TestFrameCheckAndDeletedFootage: a fresh ingest lists "frames being
// checked" until `check-frames` decodes it; footage deleted under retention
// is refused on a second ingest (exit 1, the date and rule said) unless
// --allow-deleted, and both are in the audit trail.
func TestFrameCheckAndDeletedFootage(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	dir := t.TempDir()
	clip := filepath.Join(dir, "old.mp4")
	if err := media.WriteIndexedClip(context.Background(), clip, media.IndexedClipOptions{Frames: 50, BFrames: 2, Audio: true}); err != nil {
		t.Fatal(err)
	}
	sc, err := json.Marshal(map[string]string{"officer": "PC 1", "recorded_at": time.Now().Add(-60 * 24 * time.Hour).UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "old.json"), sc, 0o600); err != nil {
		t.Fatal(err)
	}
	res := e.ingest(clip)
	if len(res) != 1 || res[0].Status != "imported" || res[0].Frames != 50 {
		t.Fatalf("ingest: %+v", res)
	}
	id := res[0].ID
	if out := e.mustRun("list"); !strings.Contains(out, "frames being checked") {
		t.Fatalf("list before the check:\n%s", out)
	}
	if out := e.mustRun("show", id); !strings.Contains(out, "from packets; frames being checked") {
		t.Fatalf("show before the check:\n%s", out)
	}
	if l := parseLines[summaryJSON](t, e.mustRun("list", "--json")); len(l) != 1 || l[0].FrameCheck == "" {
		t.Fatalf("list --json before the check: %+v", l)
	}
	type checkLine struct {
		ID            string `json:"id"`
		State         string `json:"state"`
		DecodedFrames int    `json:"decoded_frames"`
	}
	checks := parseLines[checkLine](t, e.mustRun("check-frames", "--json"))
	if len(checks) != 1 || checks[0].ID != id || checks[0].State != "checked" || checks[0].DecodedFrames != 50 {
		t.Fatalf("check-frames: %+v", checks)
	}
	if out := e.mustRun("list"); strings.Contains(out, "frames being checked") {
		t.Fatalf("list after the check:\n%s", out)
	}
	if out := e.mustRun("show", id); !strings.Contains(out, "Frame table:") || strings.Contains(out, "being checked") {
		t.Fatalf("show after the check:\n%s", out)
	}
	if out := e.mustRun("check-frames"); !strings.Contains(out, "0 recordings checked") {
		t.Fatalf("a second check-frames:\n%s", out)
	}
	if r := e.run("check-frames", "--limit", "-1"); r.code != 2 {
		t.Fatalf("check-frames --limit -1: %v", r)
	}

	e.mustRun("retention")
	r := e.run("ingest", clip)
	if r.code != 1 || !strings.Contains(r.out, "this footage was deleted on ") || !strings.Contains(r.out, id) {
		t.Fatalf("re-ingest of deleted footage: %v", r)
	}
	if l := parseLines[map[string]any](t, e.mustRun("list", "--json")); len(l) != 0 {
		t.Fatalf("refused footage listed: %v", l)
	}
	again := e.ingest("--allow-deleted", clip)
	if len(again) != 1 || again[0].Status != "imported" || again[0].ID == id {
		t.Fatalf("--allow-deleted: %+v", again)
	}
	audit := e.mustRun("audit", "--action", "ingest", "--json")
	if !strings.Contains(audit, "not ingested again") || !strings.Contains(audit, "ingested again (allow deleted)") {
		t.Fatalf("audit of the refusal and the allowed ingest:\n%s", audit)
	}
}
