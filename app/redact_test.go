package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"exhibit/app/redact"
	"exhibit/store"
)

// addVideoRecording stores random bytes as a master that says it has
// frames frames of 640×360 at 25 fps.
func addVideoRecording(t *testing.T, lib *Library, frames int) *Recording {
	t.Helper()
	ctx := context.Background()
	b := make([]byte, 1000)
	_, _ = rand.Read(b)
	p, err := lib.st.WriteMaster(ctx, bytes.NewReader(b), nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &Recording{RecordedAt: time.Now().Add(-time.Hour), RecordedAtSource: "sidecar", IngestedAt: time.Now(),
		Duration: time.Duration(frames) * 40 * time.Millisecond, Frames: frames, Width: 640, Height: 360, FPSNum: 25, FPSDen: 1,
		Personal: store.Personal{Officer: "PC 1 Able", DeviceSerial: "X1", SourceName: "X1.MP4"}}
	if err := lib.st.Commit(ctx, p, rec, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestRedactionUseCases(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	rec := addVideoRecording(t, lib, 100)

	signInAs(t, lib, "viewer1", RoleViewer)
	var pe *PermissionError
	if _, err := lib.NewRedaction(ctx, rec.ID, 0, -1); !errors.As(err, &pe) || pe.What != PermExport {
		t.Fatalf("viewer started a redaction: %v", err)
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	if _, err := lib.NewRedaction(ctx, rec.ID, 50, 100); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("frames past the end: %v", err)
	}
	p, err := lib.NewRedaction(ctx, rec.ID[:5], 5, 60)
	if err != nil {
		t.Fatal(err)
	}
	if p.RecordingID != rec.ID || p.From != 5 || p.To != 60 || p.Version != 1 || p.CreatedBy != "sgt1" {
		t.Fatalf("new project %+v", p)
	}
	reason := "face of a child in the crowd"
	tr, p2, err := lib.AddKeyframe(ctx, p.ID, KeyframeInput{Frame: 10, Box: redact.Box{X: 10, Y: 20, W: 40, H: 40},
		Shape: redact.Ellipse, Label: redact.Face, Reason: &reason})
	if err != nil {
		t.Fatal(err)
	}
	if tr != "T1" || p2.Version != 2 || p2.Tracks[0].Method != redact.Solid || p2.Tracks[0].Reason != reason {
		t.Fatalf("new track %s %+v", tr, p2)
	}
	if _, p3, err := lib.AddKeyframe(ctx, strings.ToLower(p.ID), KeyframeInput{Track: "t1", Frame: 20, Box: redact.Box{X: 31, Y: 20, W: 40, H: 40}}); err != nil {
		t.Fatal(err)
	} else if b, ok := p3.Tracks[0].BoxAt(15); !ok || b != (redact.Box{X: 21, Y: 20, W: 40, H: 40}) {
		// 10 + round(21 * 5 / 10) = 10 + round(10.5) = 21
		t.Fatalf("box at 15 = %v %v", b, ok)
	}
	// Clear errors for bad input; none of them saves anything.
	for _, c := range []struct {
		in   KeyframeInput
		want error
	}{
		{KeyframeInput{Frame: 10, Box: redact.Box{X: 620, Y: 0, W: 40, H: 40}}, ErrOutsidePicture},
		{KeyframeInput{Frame: 61, Box: redact.Box{X: 0, Y: 0, W: 40, H: 40}}, ErrOutsideProject},
		{KeyframeInput{Frame: 4, Box: redact.Box{X: 0, Y: 0, W: 40, H: 40}}, ErrOutsideProject},
		{KeyframeInput{Track: "T9", Frame: 10, Box: redact.Box{X: 0, Y: 0, W: 40, H: 40}}, ErrNoTrack},
	} {
		if _, _, err := lib.AddKeyframe(ctx, p.ID, c.in); !errors.Is(err, c.want) {
			t.Errorf("AddKeyframe(%+v) = %v, want %v", c.in, err, c.want)
		}
	}
	if _, _, err := lib.AddFrameRange(ctx, p.ID, 30, 20, redact.Solid, "x"); err == nil || !strings.Contains(err.Error(), "before the first") {
		t.Errorf("to < from: %v", err)
	}
	if _, _, err := lib.AddFrameRange(ctx, p.ID, 20, 30, redact.Pixelate, "x"); err == nil {
		t.Error("a pixelated whole-frame range was accepted")
	}
	if _, _, err := lib.AddFrameRange(ctx, p.ID, 20, 30, redact.Solid, " "); err == nil {
		t.Error("a frame range without a reason was accepted")
	}
	if _, err := lib.SetTrackEnd(ctx, p.ID, "T1", 15); err == nil {
		t.Error("an end before the last keyframe was accepted")
	}
	if cur, _ := lib.RedactionProject(ctx, p.ID); cur.Version != 3 {
		t.Fatalf("refused input made versions: %d", cur.Version)
	}
	p4, err := lib.SetTrackEnd(ctx, p.ID, "T1", 40)
	if err != nil || p4.Tracks[0].Out() != 40 {
		t.Fatalf("end: %v %+v", err, p4.Tracks)
	}
	if _, _, err := lib.AddFrameRange(ctx, p.ID, 50, 55, "", "screen with a name"); err != nil {
		t.Fatal(err)
	}
	aid, p6, err := lib.AddAudioRange(ctx, p.ID, time.Second, 1500*time.Millisecond, redact.Bleep, "address spoken")
	if err != nil || aid != "A1" || p6.Audio[0].To != 1500*time.Millisecond || p6.Version != 6 {
		t.Fatalf("audio %s %v %+v", aid, err, p6.Audio)
	}
	// Ranges: deleted and put back under their ids, moved, refused when unknown.
	if _, err := lib.DeleteFrameRange(ctx, p.ID, "f1"); err != nil {
		t.Fatal(err)
	}
	fid, pf, err := lib.PutFrameRange(ctx, p.ID, p6.Frames[0])
	if err != nil || fid != "F1" || len(pf.Frames) != 1 || pf.Frames[0].Reason != "screen with a name" || pf.Frames[0].CreatedBy != "sgt1" {
		t.Fatalf("frame range back: %s %v %+v", fid, err, pf.Frames)
	}
	moved := p6.Audio[0]
	moved.To = 1800 * time.Millisecond
	if _, pa, err := lib.PutAudioRange(ctx, p.ID, moved); err != nil || len(pa.Audio) != 1 || pa.Audio[0].To != 1800*time.Millisecond {
		t.Fatalf("audio moved: %v %+v", err, pa.Audio)
	}
	if _, _, err := lib.PutAudioRange(ctx, p.ID, redact.AudioRange{ID: "A4", To: time.Second, Kind: redact.Mute, Reason: "x"}); !errors.Is(err, ErrNoRange) {
		t.Fatalf("unknown audio range: %v", err)
	}
	if _, err := lib.DeleteAudioRange(ctx, p.ID, "A1"); err != nil {
		t.Fatal(err)
	}
	if _, pa, err := lib.PutAudioRange(ctx, p.ID, moved); err != nil || len(pa.Audio) != 1 || pa.Audio[0].ID != "A1" {
		t.Fatalf("audio back: %v %+v", err, pa.Audio)
	}
	if _, err := lib.UpdateTrack(ctx, p.ID, "T1", TrackUpdate{Method: redact.Pixelate, Block: 24}); err != nil {
		t.Fatal(err)
	}
	// Delete the track, then put it back whole (the editor's undo).
	before, _ := lib.RedactionProject(ctx, p.ID)
	if _, err := lib.DeleteTrack(ctx, p.ID, "T1"); err != nil {
		t.Fatal(err)
	}
	id, back, err := lib.PutTrack(ctx, p.ID, before.Tracks[0])
	if err != nil || id != "T1" || len(back.Tracks) != 1 || back.Tracks[0].Block != 24 || back.Tracks[0].Out() != 40 {
		t.Fatalf("put back: %s %v %+v", id, err, back.Tracks)
	}
	if _, _, err := lib.PutTrack(ctx, p.ID, redact.Track{ID: "T5", Shape: redact.Rect, Method: redact.Solid, Label: redact.Other,
		Keyframes: []redact.Keyframe{{Frame: 10, Box: redact.Box{W: 5, H: 5}}}}); !errors.Is(err, ErrNoTrack) {
		t.Fatalf("put an unknown track: %v", err)
	}
	// Deleting the only keyframe deletes the track.
	if _, err := lib.DeleteKeyframe(ctx, p.ID, "T1", 20); err != nil {
		t.Fatal(err)
	}
	last, err := lib.DeleteKeyframe(ctx, p.ID, "T1", 10)
	if err != nil || len(last.Tracks) != 0 {
		t.Fatalf("delete the last keyframe: %v %+v", err, last.Tracks)
	}
	// Every version is recoverable.
	if old, err := lib.RedactionProjectAt(ctx, p.ID, 3); err != nil || len(old.Tracks[0].Keyframes) != 2 || old.Tracks[0].Reason != reason {
		t.Fatalf("version 3: %v %+v", err, old)
	}

	// Proposals: saved pending, accepted into a solid face track.
	saved, err := lib.SaveProposals(ctx, p.ID, []redact.Proposal{
		{Detections: []redact.Detection{{Frame: 25, Box: redact.Box{X: 600, Y: 300, W: 80, H: 80}, Score: 5}, {Frame: 20, Box: redact.Box{X: 590, Y: 300, W: 40, H: 40}, Score: 6}}},
		{Detections: []redact.Detection{{Frame: 30, Box: redact.Box{X: 1, Y: 1, W: 20, H: 20}}}},
		{Detections: []redact.Detection{{Frame: 30, Box: redact.Box{X: 700, Y: 1, W: 20, H: 20}}}}, // outside the picture: dropped
	})
	if err != nil || len(saved.Proposals) != 2 || saved.Proposals[0].Detections[0].Frame != 20 ||
		saved.Proposals[0].Detections[1].Box != (redact.Box{X: 600, Y: 300, W: 40, H: 60}) {
		t.Fatalf("proposals %v %+v", err, saved.Proposals)
	}
	tracks, acc, err := lib.AcceptProposals(ctx, p.ID, "P1")
	if err != nil || len(tracks) != 1 {
		t.Fatal(err, tracks)
	}
	at := acc.Tracks[len(acc.Tracks)-1]
	if at.ID != tracks[0] || at.Label != redact.Face || at.Method != redact.Solid || len(at.Keyframes) != 2 || at.Keyframes[0].Frame != 20 ||
		acc.Proposals[0].State != redact.Accepted || acc.Proposals[0].TrackID != at.ID {
		t.Fatalf("accepted %+v %+v", at, acc.Proposals)
	}
	if _, _, err := lib.AcceptProposals(ctx, p.ID, "P1"); err == nil {
		t.Fatal("accepted twice")
	}
	if _, err := lib.RejectProposals(ctx, p.ID, "P9"); !errors.Is(err, ErrNoProposal) {
		t.Fatalf("reject unknown: %v", err)
	}
	rej, err := lib.RejectProposals(ctx, p.ID, "P2")
	if err != nil || rej.Proposals[1].State != redact.Rejected {
		t.Fatalf("reject %v %+v", err, rej.Proposals)
	}
	// A second detection run replaces pending proposals only.
	again, err := lib.SaveProposals(ctx, p.ID, []redact.Proposal{{Detections: []redact.Detection{{Frame: 40, Box: redact.Box{X: 1, Y: 1, W: 9, H: 9}}}}})
	if err != nil || len(again.Proposals) != 3 || again.Proposals[2].ID != "P3" {
		t.Fatalf("second run %v %+v", err, again.Proposals)
	}

	// The audit trail names ids, never a reason.
	es, err := lib.st.AuditEntries(ctx, store.AuditQuery{IncludeRestricted: true})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if !strings.HasPrefix(e.Action, "redact.") {
			continue
		}
		n++
		if e.Outcome == store.OutcomeOK && (e.RecordingID != rec.ID || e.SHA256 != rec.SHA256 || !strings.Contains(e.Detail, p.ID)) {
			t.Errorf("audit entry %+v", e)
		}
		for _, secret := range []string{"child", "screen with", "address"} {
			if strings.Contains(e.Detail, secret) {
				t.Errorf("audit entry %d holds a reason: %q", e.Seq, e.Detail)
			}
		}
	}
	if n < 15 {
		t.Errorf("%d redaction audit entries", n)
	}

	// Reading: a viewer may read; an administrator may read, not change.
	signInAs(t, lib, "viewer1", RoleViewer)
	if got, err := lib.RedactionProject(ctx, p.ID); err != nil || got.Version != again.Version {
		t.Fatalf("viewer reads: %v", err)
	}
	if _, err := lib.DeleteTrack(ctx, p.ID, "T2"); !errors.As(err, &pe) {
		t.Fatalf("viewer deleted a track: %v", err)
	}
}

func TestRedactionRestricted(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	open := addVideoRecording(t, lib, 50)
	hidden := addVideoRecording(t, lib, 50)
	signInAs(t, lib, "psd1", RolePSD)
	ph, err := lib.NewRedaction(ctx, hidden.ID, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Restrict(ctx, hidden.ID, true); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	po, err := lib.NewRedaction(ctx, open.ID, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.NewRedaction(ctx, hidden.ID, 0, -1); !errors.Is(err, ErrNotPermitted) {
		t.Fatalf("redaction of a restricted recording: %v", err)
	}
	_, missing := lib.RedactionProject(ctx, "ZZZZZZZZZZ")
	_, restricted := lib.RedactionProject(ctx, ph.ID)
	if !errors.Is(restricted, store.ErrNoRedaction) || !errors.Is(missing, store.ErrNoRedaction) ||
		strings.ReplaceAll(restricted.Error(), ph.ID, "X") != strings.ReplaceAll(missing.Error(), "ZZZZZZZZZZ", "X") {
		t.Fatalf("restricted project: %v / missing: %v", restricted, missing)
	}
	if _, _, err := lib.AddKeyframe(ctx, ph.ID, KeyframeInput{Frame: 1, Box: redact.Box{W: 9, H: 9}}); !errors.Is(err, store.ErrNoRedaction) {
		t.Fatalf("changed a restricted project: %v", err)
	}
	all, err := lib.RedactionProjects(ctx, "")
	if err != nil || len(all) != 1 || all[0].ID != po.ID {
		t.Fatalf("sergeant's list: %v %+v", err, all)
	}
	// The denied attempts are audited, naming no restricted recording to the sergeant.
	es, err := lib.st.AuditEntries(ctx, store.AuditQuery{IncludeRestricted: true})
	if err != nil {
		t.Fatal(err)
	}
	denied := 0
	for _, e := range es {
		if strings.HasPrefix(e.Action, "redact.") && e.Outcome == store.OutcomeDenied {
			denied++
		}
	}
	if denied < 3 {
		t.Errorf("%d denied redaction entries, want 3", denied)
	}
	signInAs(t, lib, "psd1", RolePSD)
	if all, err := lib.RedactionProjects(ctx, ""); err != nil || len(all) != 2 {
		t.Fatalf("psd's list: %v %+v", err, all)
	}
	if _, _, err := lib.AddKeyframe(ctx, ph.ID, KeyframeInput{Frame: 1, Box: redact.Box{W: 9, H: 9}}); err != nil {
		t.Fatal(err)
	}
}
