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

	lines := parseLines[proposalJSON](t, e.must("sergeant", "redact", "detect", p.ID, "--every", "5", "--json"))
	if len(lines) != 1 || lines[0].ID == "" || lines[0].State != "pending" || len(lines[0].Detections) != 6 {
		t.Fatalf("proposals %+v, want one pending on frames 0-25 (6 detections)", lines)
	}
	for i, d := range lines[0].Detections {
		r, _ := face.At(d.Frame)
		// The face (brows to chin) is inside the box.
		if d.Frame != 5*i || d.X > r.Min.X+r.Dx()/5 || d.Y > r.Min.Y+r.Dy()*2/5 || d.X+d.W < r.Max.X-r.Dx()/5 || d.Y+d.H < r.Min.Y+r.Dy()*17/20 {
			t.Errorf("detection %d: %+v, the portrait is at %v", i, d, r)
		}
	}
	show := e.must("sergeant", "redact", "show", p.ID, "--json")
	if !strings.Contains(show, `"state":"pending"`) || strings.Contains(show, `"tracks":[{`) {
		t.Errorf("redact show after detect: %s (want the pending proposal and no track)", show)
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
