package cli

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"exhibit/app"
	"exhibit/app/media"
)

// TestRedactDetect runs `exhibit redact detect` on generated footage with
// the pigo module's sample portrait composited on frames 0-29: one
// pending proposal on frames 0-25 every 5th frame, then the one-frame fast
// path; a viewer is refused and a bad --every is a usage error.
func TestRedactDetect(t *testing.T) {
	e := newTestEnv(t)
	out, err := exec.Command("go", "list", "-m", "-json", "github.com/esimov/pigo").Output()
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Dir string }
	readJSON(t, string(out), &m)
	src := filepath.Join(t.TempDir(), "face.mp4")
	face := media.Overlay{Image: filepath.Join(m.Dir, "testdata", "sample.jpg"), W: 160, H: 200, X: 200, Y: 80, DX: 2, DY: 0, From: 0, To: 29}
	if err := media.WriteOverlaidClip(context.Background(), src, media.IndexedClipOptions{Width: 640, Height: 360, Frames: 40}, []media.Overlay{face}); err != nil {
		t.Fatal(err)
	}
	id := e.ingest(src)[0].ID
	lib := app.OpenTestLibrary(t, e.store, app.RoleSergeant)
	p, err := lib.NewRedaction(context.Background(), id, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Close(); err != nil {
		t.Fatal(err)
	}

	lines := parseLines[detectJSON](t, e.must("sergeant", "redact", "detect", p.ID, "--every", "5", "--json"))
	if len(lines) != 1 || lines[0].ID == "" || lines[0].State != "pending" || lines[0].First != 0 || lines[0].Last != 25 || len(lines[0].Detections) != 6 {
		t.Fatalf("proposals %+v, want one pending on frames 0-25 (6 detections)", lines)
	}
	text := e.must("sergeant", "redact", "detect", p.ID, "--frame", "10")
	if !strings.Contains(text, "  frames 10-10  1 detections  ") ||
		!strings.Contains(text, "1 proposals from 1 faces on 1 frames, pending until accepted (frontal faces only") {
		t.Errorf("fast path output %q", text)
	}
	if r := e.runAs("viewer", "", "redact", "detect", p.ID); r.code != 3 || !strings.Contains(r.err, "may not") {
		t.Errorf("viewer: %v", r)
	}
	if r := e.runAs("sergeant", "", "redact", "detect", p.ID, "--every", "0"); r.code != 2 {
		t.Errorf("--every 0: %v", r)
	}
}
