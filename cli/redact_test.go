package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"exhibit/app"
	"exhibit/app/media"
	"exhibit/app/redact"
)

// ingestOne ingests one generated 320×180 recording of frames frames (as
// the administrator) and returns its id.
func (e *tenv) ingestOne(frames int) string {
	e.t.Helper()
	path := filepath.Join(e.t.TempDir(), "cam.mp4")
	if err := media.WriteIndexedClip(context.Background(), path, media.IndexedClipOptions{Frames: frames, Audio: true}); err != nil {
		e.t.Fatal(err)
	}
	lines := e.ingest(path)
	if len(lines) != 1 || lines[0].Status != "imported" {
		e.t.Fatalf("ingest: %+v", lines)
	}
	return lines[0].ID
}

func TestRedactCommands(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	id := e.ingestOne(40)
	sgt := app.TestUserName(app.RoleSergeant)

	// Usage errors are refused before anything opens (exit 2).
	for _, args := range [][]string{
		{"redact"},
		{"redact", "new"},
		{"redact", "box", "P", "--frame", "3"},
		{"redact", "box", "P", "--frame", "3", "--rect", "1,2,3"},
		{"redact", "box", "P", "--frame", "3", "--rect", "1,2,3,4", "--method", "smudge"},
		{"redact", "frames", "P", "--from", "5", "--to", "3", "--reason", "r"},
		{"redact", "frames", "P", "--from", "3", "--to", "5"},
		{"redact", "audio", "P", "--from-time", "1", "--to-time", "2", "--reason", "r"},
		{"redact", "audio", "P", "--from-time", "1", "--to-time", "2", "--mute", "--bleep", "--reason", "r"},
		{"redact", "accept", "P"},
	} {
		if r := e.runAs(sgt, "", args...); r.code != exitUsage {
			t.Errorf("%v: %v", args, r)
		}
	}

	// A viewer may not start one (exit 3, a sentence).
	if r := e.runAs("viewer", "", "redact", "new", id); r.code != exitAborted || !strings.Contains(r.err, "may not clip or export") {
		t.Fatalf("viewer: %v", r)
	}
	proj := strings.TrimSpace(e.must(sgt, "redact", "new", strings.ToLower(id), "--from", "2", "--to", "35"))
	if len(proj) != 10 {
		t.Fatalf("project id %q", proj)
	}
	tr := strings.TrimSpace(e.must(sgt, "redact", "box", proj, "--frame", "10", "--rect", "10,20,40,30", "--shape", "ellipse",
		"--label", "face", "--reason", "bystander in the doorway"))
	if tr != "T1" {
		t.Fatalf("track id %q", tr)
	}
	if out := e.must(sgt, "redact", "box", proj, "--track", "t1", "--frame", "20", "--rect", "31,20,40,30"); strings.TrimSpace(out) != "T1" {
		t.Fatalf("keyframe: %q", out)
	}
	if out := e.must(sgt, "redact", "end", proj, "--track", "T1", "--frame", "25"); !strings.Contains(out, "frames 10-25") {
		t.Fatalf("end: %q", out)
	}
	if out := e.must(sgt, "redact", "frames", proj, "--from", "30", "--to", "32", "--method", "blur", "--reason", "name on a screen"); strings.TrimSpace(out) != "F1" {
		t.Fatalf("frames: %q", out)
	}
	if out := e.must(sgt, "redact", "audio", proj, "--from-time", "0.5", "--to-time", "0.75", "--bleep", "--reason", "home address"); strings.TrimSpace(out) != "A1" {
		t.Fatalf("audio: %q", out)
	}
	// Bad input: clear sentences, exit 3, nothing saved.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"redact", "box", proj, "--frame", "10", "--rect", "300,20,40,30"}, "outside the picture (the picture is 320×180 pixels)"},
		{[]string{"redact", "box", proj, "--frame", "36", "--rect", "1,1,4,4"}, "outside the redaction project's frames (frames 2-35)"},
		{[]string{"redact", "box", proj, "--track", "T7", "--frame", "10", "--rect", "1,1,4,4"}, "no such track"},
		{[]string{"redact", "end", proj, "--track", "T1", "--frame", "15"}, "before its last keyframe"},
		{[]string{"redact", "accept", proj, "P1"}, "no such proposal"},
		{[]string{"redact", "show", "ZZZZZZZZZZ"}, "No such redaction project, or you are not permitted to see it."},
	} {
		if r := e.runAs(sgt, "", c.args...); r.code != exitAborted || !strings.Contains(r.err, c.want) {
			t.Errorf("%v: want %q: %v", c.args, c.want, r)
		}
	}

	// show --json: the interpolation is visible frame by frame.
	var p redactionJSON
	readJSON(t, e.must(sgt, "redact", "show", proj, "--json"), &p)
	if p.ID != proj || p.RecordingID != id || p.From != 2 || p.To != 35 || p.Version != 6 || len(p.Tracks) != 1 || len(p.Frames) != 1 || len(p.Audio) != 1 {
		t.Fatalf("show --json: %+v", p)
	}
	tj := p.Tracks[0]
	if tj.In != 10 || tj.Out != 25 || len(tj.Boxes) != 16 || tj.Reason != "bystander in the doorway" || tj.Shape != "ellipse" || tj.CreatedBy != sgt {
		t.Fatalf("track: %+v", tj)
	}
	// The model's rule, checked independently: x = 10 + round(21*(n-10)/10), a half up.
	for _, b := range tj.Boxes {
		wantX := 31
		if b.Frame < 20 {
			num := 21 * (b.Frame - 10)
			wantX = 10 + (2*num+10)/20
		}
		if b.X != wantX || b.Y != 20 || b.W != 40 || b.H != 30 {
			t.Errorf("frame %d box %+v, want x %d", b.Frame, b, wantX)
		}
	}
	if tj.Boxes[5] != (boxJSON{Frame: 15, X: 21, Y: 20, W: 40, H: 30}) {
		t.Errorf("midpoint %+v", tj.Boxes[5])
	}
	if a := p.Audio[0]; a.From != 0.5 || a.To != 0.75 || a.Kind != "bleep" || a.Reason != "home address" {
		t.Errorf("audio %+v", a)
	}
	out := e.must(sgt, "redact", "show", proj)
	for _, want := range []string{"redaction " + proj + " of recording " + id + ", frames 2-35, version 6", "T1", "10:10,20,40,30 20:31,20,40,30",
		"bystander in the doorway", "F1", "30-32", "A1", "0.500-0.750 s"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}

	// Proposals arrive from a detection run (the app call redact detect makes).
	lib := app.OpenTestLibrary(t, e.store, app.RoleSergeant)
	if _, err := lib.SaveProposals(context.Background(), proj, []redact.Proposal{
		{Detections: []redact.Detection{{Frame: 5, Box: redact.Box{X: 100, Y: 50, W: 30, H: 30}, Score: 7}, {Frame: 10, Box: redact.Box{X: 110, Y: 50, W: 30, H: 30}, Score: 6}}},
		{Detections: []redact.Detection{{Frame: 5, Box: redact.Box{X: 200, Y: 50, W: 30, H: 30}, Score: 3}}},
	}); err != nil {
		t.Fatal(err)
	}
	if err := lib.Close(); err != nil {
		t.Fatal(err)
	}
	if out := e.must(sgt, "redact", "accept", proj, "p1"); out != "P1 T2\n" {
		t.Fatalf("accept: %q", out)
	}
	e.must(sgt, "redact", "reject", proj, "P2")
	readJSON(t, e.must(sgt, "redact", "show", proj, "--json"), &p)
	if len(p.Tracks) != 2 || p.Tracks[1].Label != "face" || p.Tracks[1].Method != "solid" || len(p.Tracks[1].Keyframes) != 2 ||
		p.Proposals[0].State != "accepted" || p.Proposals[0].Track != "T2" || p.Proposals[1].State != "rejected" {
		t.Fatalf("after accept/reject: %+v", p)
	}

	// list: one line per project.
	proj2 := strings.TrimSpace(e.must("psd", "redact", "new", id))
	lines := parseLines[redactionJSON](t, e.must(sgt, "redact", "list", "--json"))
	if len(lines) != 2 || lines[0].ID != proj || lines[1].ID != proj2 || lines[1].From != 0 || lines[1].To != 39 || lines[0].Tracks != nil {
		t.Fatalf("list --json: %+v", lines)
	}
	out = e.must(sgt, "redact", "ls", id)
	if rows := strings.Split(strings.TrimSpace(out), "\n"); len(rows) != 3 ||
		strings.Join(strings.Fields(rows[1])[:8], " ") != proj+" "+id+" 2-35 9 2 1 1 0" {
		t.Fatalf("list: %q", out)
	}

	// A restricted recording's projects vanish for the sergeant.
	e.must("psd", "restrict", id)
	if r := e.runAs(sgt, "", "redact", "show", proj); r.code != exitAborted || !strings.Contains(r.err, "No such redaction project, or you are not permitted") {
		t.Fatalf("restricted show: %v", r)
	}
	if out := e.must(sgt, "redact", "list"); strings.Contains(out, proj) {
		t.Fatalf("restricted project listed: %q", out)
	}
	if out := e.must("psd", "redact", "list"); !strings.Contains(out, proj) {
		t.Fatalf("psd's list: %q", out)
	}

	// The audit trail has the changes by id and never a reason.
	audit := e.must("psd", "audit", id, "--json", "--limit", "200")
	if !strings.Contains(audit, "redaction "+proj+" version 6: audio range A1 added") {
		t.Errorf("audit lacks the audio change:\n%s", audit)
	}
	for _, secret := range []string{"bystander", "screen", "address"} {
		if strings.Contains(audit, secret) {
			t.Errorf("audit holds %q:\n%s", secret, audit)
		}
	}
}
