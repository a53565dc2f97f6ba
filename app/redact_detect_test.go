package app

import (
	"context"
	"encoding/json"
	"errors"
	"image"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"exhibit/app/media"
	"exhibit/app/redact"
)

// pigoSampleFace is the portrait the pigo module ships for its tests
// (testdata/sample.jpg, 320x400, MIT), found through the go command.
func pigoSampleFace(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-json", "github.com/esimov/pigo").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/esimov/pigo: %v", err)
	}
	var m struct{ Dir string }
	if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
		t.Fatalf("go list: %s: %v", out, err)
	}
	return filepath.Join(m.Dir, "testdata", "sample.jpg")
}

// faceArea is where the face (brows to chin, cheek to cheek) of a
// composited sample portrait is on frame n.
func faceArea(ov media.Overlay, n int) image.Rectangle {
	r, _ := ov.At(n)
	w, h := r.Dx(), r.Dy()
	return image.Rect(r.Min.X+w/5, r.Min.Y+h*2/5, r.Max.X-w/5, r.Min.Y+h*17/20)
}

func boxRect(b redact.Box) image.Rectangle { return image.Rect(b.X, b.Y, b.X+b.W, b.Y+b.H) }

// TestDetectFacesAndTrackBox runs detection and tracking through the
// library on generated footage (1280x720, B-frames) read from the vault:
// a face shown on frames 0-39 and again on 70-99 (two proposals: the gap
// is too long) and a textured marker moving on every frame.
func TestDetectFacesAndTrackBox(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	dir := t.TempDir()
	face := media.Overlay{Image: pigoSampleFace(t), W: 240, H: 300, X: 100, Y: 100, DX: 4, DY: 2, From: 0, To: 39}
	face2 := face
	face2.From, face2.To = 70, 99
	marker := filepath.Join(dir, "marker.png")
	if err := media.WriteMarkerPNG(marker, 64, 5); err != nil {
		t.Fatal(err)
	}
	mk := media.Overlay{Image: marker, W: 64, H: 64, X: 1100, Y: 500, DX: -6, DY: -2, From: 0, To: -1}
	src := filepath.Join(dir, "face.mp4")
	if err := media.WriteOverlaidClip(ctx, src, media.IndexedClipOptions{Width: 1280, Height: 720, Frames: 100, BFrames: 2},
		[]media.Overlay{face, face2, mk}); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	rec := ingestOne(t, lib, src)
	p, err := lib.NewRedaction(ctx, rec.ID, 0, -1)
	if err != nil {
		t.Fatal(err)
	}

	var calls, last int
	res, err := lib.DetectFaces(ctx, p.ID, 5, func(done, total int) {
		calls++
		if done != calls || total != 20 {
			t.Errorf("progress %d/%d on call %d", done, total, calls)
		}
		last = done
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Frames != 20 || last != 20 {
		t.Errorf("%d frames examined, progress ended at %d; want 20", res.Frames, last)
	}
	if len(res.Proposals) != 2 {
		t.Fatalf("%d proposals %+v, want 2 (frames 0-35 and 70-95)", len(res.Proposals), res.Proposals)
	}
	for i, want := range [][2]int{{0, 35}, {70, 95}} {
		pr := res.Proposals[i]
		ds := pr.Detections
		if pr.ID == "" || pr.State != redact.Pending || ds[0].Frame != want[0] || ds[len(ds)-1].Frame != want[1] || len(ds) != (want[1]-want[0])/5+1 {
			t.Errorf("proposal %d: %s %s, frames %d-%d (%d detections), want frames %d-%d every 5", i, pr.ID, pr.State,
				ds[0].Frame, ds[len(ds)-1].Frame, len(ds), want[0], want[1])
		}
		for _, d := range ds {
			if f := faceArea(face, d.Frame); !f.In(boxRect(d.Box)) {
				t.Errorf("frame %d: box %v does not cover the face %v", d.Frame, d.Box, f)
			}
		}
	}
	if len(res.Project.Tracks) != 0 || len(res.Project.Proposals) != 2 {
		t.Errorf("detection made tracks or lost proposals: %+v", res.Project)
	}

	// Deterministic, in the background too: the same detections again
	// (new ids; the pending proposals replaced).
	again, err := lib.DetectFacesInBackground(ctx, p.ID, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Proposals) != len(res.Proposals) || len(again.Project.Proposals) != 2 {
		t.Fatalf("again: %d proposals (project %d), want %d", len(again.Proposals), len(again.Project.Proposals), len(res.Proposals))
	}
	for i := range again.Proposals {
		if !reflect.DeepEqual(again.Proposals[i].Detections, res.Proposals[i].Detections) || again.Proposals[i].ID == res.Proposals[i].ID {
			t.Errorf("proposal %d differs on the second run: %+v, then %+v", i, res.Proposals[i], again.Proposals[i])
		}
	}

	// The fast path: one frame, proposals replaced.
	at, err := lib.DetectFacesAt(ctx, p.ID, 80)
	if err != nil {
		t.Fatal(err)
	}
	if at.Frames != 1 || len(at.Proposals) != 1 || len(at.Proposals[0].Detections) != 1 || at.Proposals[0].Detections[0].Frame != 80 {
		t.Fatalf("fast path on frame 80: %+v", at)
	}
	if f := faceArea(face2, 80); !f.In(boxRect(at.Proposals[0].Detections[0].Box)) {
		t.Errorf("frame 80: box %v does not cover the face %v", at.Proposals[0].Detections[0].Box, f)
	}
	if pend := at.Project.Proposals; len(pend) != 1 {
		t.Errorf("after the fast path the project holds %d proposals, want 1 (pending ones replaced)", len(pend))
	}
	if _, err := lib.DetectFacesAt(ctx, p.ID, 100); !errors.Is(err, ErrOutsideProject) {
		t.Errorf("frame 100: %v, want ErrOutsideProject", err)
	}

	// Tracking the marker forward from frame 10 and backward from 60.
	truth := func(n int) redact.Box {
		r, _ := mk.At(n)
		return redact.Box{X: r.Min.X, Y: r.Min.Y, W: r.Dx(), H: r.Dy()}
	}
	check := func(what string, r redact.TrackResult) {
		t.Helper()
		for _, k := range r.Keyframes {
			w := truth(k.Frame)
			if dx, dy := k.Box.X-w.X, k.Box.Y-w.Y; dx*dx+dy*dy > 4*4 || k.Box.W != w.W || k.Box.H != w.H {
				t.Errorf("%s: frame %d: %v, the marker is at %v", what, k.Frame, k.Box, w)
			}
		}
	}
	fw, err := lib.TrackBox(ctx, p.ID, TrackRequest{Box: truth(10), Frame: 10, To: 60, Every: 10})
	if err != nil {
		t.Fatal(err)
	}
	if fw.Lost || fw.Last != 60 || len(fw.Keyframes) != 5 || fw.Keyframes[0].Frame != 20 || fw.Keyframes[4].Frame != 60 {
		t.Errorf("forward: %+v", fw)
	}
	check("forward", fw)
	bw, err := lib.TrackBox(ctx, p.ID, TrackRequest{Box: truth(60), Frame: 60, Backward: true, Every: 10})
	if err != nil {
		t.Fatal(err)
	}
	// Back to frame 0, in chunks (more than one decode).
	if bw.Lost || bw.Last != 0 || len(bw.Keyframes) != 6 || bw.Keyframes[0].Frame != 0 || bw.Keyframes[5].Frame != 50 {
		t.Errorf("backward: %+v", bw)
	}
	check("backward", bw)
	if !strings.Contains(bw.Message(), "from frame 60 to frame 0") {
		t.Errorf("message %q", bw.Message())
	}

	// A track keyed by the user at frames 10 and 40: followed from 10,
	// re-anchored at 40 (not repeated), on to 60.
	tid, _, err := lib.AddKeyframe(ctx, p.ID, KeyframeInput{Frame: 10, Box: truth(10)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := lib.AddKeyframe(ctx, p.ID, KeyframeInput{Track: tid, Frame: 40, Box: truth(40)}); err != nil {
		t.Fatal(err)
	}
	tk, err := lib.TrackBox(ctx, p.ID, TrackRequest{TrackID: tid, Frame: 10, To: 60, Every: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, k := range tk.Keyframes {
		got = append(got, k.Frame)
	}
	if tk.Lost || tk.Last != 60 || !reflect.DeepEqual(got, []int{20, 30, 50, 60}) {
		t.Errorf("track %s: %+v, keyframes at %v, want 20, 30, 50, 60", tid, tk, got)
	}
	check("track", tk)
	if _, err := lib.TrackBox(ctx, p.ID, TrackRequest{TrackID: "T-NONE", Frame: 10}); !errors.Is(err, ErrNoTrack) {
		t.Errorf("unknown track: %v", err)
	}

	// A viewer may not run either.
	signInAs(t, lib, "viewer1", RoleViewer)
	var pe *PermissionError
	if _, err := lib.DetectFaces(ctx, p.ID, 5, nil); !errors.As(err, &pe) {
		t.Errorf("viewer detected faces: %v", err)
	}
	if _, err := lib.TrackBox(ctx, p.ID, TrackRequest{Box: truth(10), Frame: 10}); !errors.As(err, &pe) {
		t.Errorf("viewer tracked: %v", err)
	}
}
