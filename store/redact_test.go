package store

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"exhibit/app/redact"
)

func TestRedactionVersions(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	rec := ingestBytes(t, s, randomBytes(t, 3000), "PC 1 Able")
	p := &redact.Project{RecordingID: rec.ID, From: 0, To: 99, CreatedBy: "sgt"}
	if err := s.CreateRedaction(ctx, p, &AuditEntry{User: "sgt", Action: "redact.new"}); err != nil {
		t.Fatal(err)
	}
	if len(p.ID) != RedactionIDLength || p.Version != 1 {
		t.Fatalf("created %+v", p)
	}
	// Version 2: a track with two keyframes.
	var track string
	v2, err := s.ChangeRedaction(ctx, p.ID, "sgt", func(c *RedactionChange) error {
		track = c.NewID(TrackPrefix)
		c.Project.Tracks = append(c.Project.Tracks, redact.Track{ID: track, Shape: redact.Ellipse, Method: redact.Solid,
			Label: redact.Face, Reason: "bystander's face", End: -1,
			Keyframes: []redact.Keyframe{{Frame: 10, Box: redact.Box{X: 10, Y: 10, W: 20, H: 20}}, {Frame: 20, Box: redact.Box{X: 30, Y: 10, W: 20, H: 20}}}})
		c.Detail = "track " + track + " added"
		return nil
	}, &AuditEntry{User: "sgt", Action: "redact.box"})
	if err != nil {
		t.Fatal(err)
	}
	if track != "T1" || v2.Version != 2 || len(v2.Tracks) != 1 || v2.Tracks[0].CreatedBy != "sgt" || v2.Tracks[0].Reason != "bystander's face" {
		t.Fatalf("version 2 %+v", v2)
	}
	if b, ok := v2.Tracks[0].BoxAt(15); !ok || b != (redact.Box{X: 20, Y: 10, W: 20, H: 20}) {
		t.Fatalf("box at 15 = %v %v", b, ok)
	}
	// Version 3: a frame range, an audio range and a changed keyframe.
	v3, err := s.ChangeRedaction(ctx, p.ID, "psd", func(c *RedactionChange) error {
		c.Project.Tracks[0].Keyframes[1].Box.X = 50
		c.Project.Frames = append(c.Project.Frames, redact.FrameRange{ID: c.NewID(FramesPrefix), From: 30, To: 40, Method: redact.Blur, Reason: "screen"})
		c.Project.Audio = append(c.Project.Audio, redact.AudioRange{ID: c.NewID(AudioPrefix), From: 1500 * time.Millisecond, To: 2 * time.Second, Kind: redact.Bleep, Reason: "address spoken"})
		c.Detail = "three things"
		return nil
	}, &AuditEntry{User: "psd", Action: "redact.edit"})
	if err != nil {
		t.Fatal(err)
	}
	if v3.Version != 3 || v3.Tracks[0].Keyframes[1].Box.X != 50 || v3.Frames[0].ID != "F1" || v3.Audio[0].From != 1500*time.Millisecond ||
		v3.Audio[0].CreatedBy != "psd" || v3.Tracks[0].CreatedBy != "sgt" {
		t.Fatalf("version 3 %+v", v3)
	}
	// No change: no version, no audit entry.
	before, _ := s.AuditEntries(ctx, AuditQuery{IncludeRestricted: true})
	same, err := s.ChangeRedaction(ctx, p.ID, "sgt", func(c *RedactionChange) error { return nil }, &AuditEntry{User: "sgt", Action: "redact.edit"})
	after, _ := s.AuditEntries(ctx, AuditQuery{IncludeRestricted: true})
	if err != nil || same.Version != 3 || len(after) != len(before) {
		t.Fatalf("empty change: version %d, %v, audit %d -> %d", same.Version, err, len(before), len(after))
	}
	// An error from the change leaves everything as it was.
	boom := errors.New("boom")
	if _, err := s.ChangeRedaction(ctx, p.ID, "sgt", func(c *RedactionChange) error {
		c.Project.Tracks = nil
		return boom
	}, &AuditEntry{User: "sgt", Action: "redact.edit"}); !errors.Is(err, boom) {
		t.Fatalf("failing change: %v", err)
	}
	// Version 4 deletes the track; an unknown id is refused.
	v4, err := s.ChangeRedaction(ctx, p.ID, "sgt", func(c *RedactionChange) error {
		c.Project.Tracks = nil
		return nil
	}, &AuditEntry{User: "sgt", Action: "redact.delete"})
	if err != nil || v4.Version != 4 || len(v4.Tracks) != 0 {
		t.Fatalf("version 4 %+v %v", v4, err)
	}
	if _, err := s.ChangeRedaction(ctx, p.ID, "sgt", func(c *RedactionChange) error {
		c.Project.Tracks = append(c.Project.Tracks, redact.Track{ID: "T7", Shape: redact.Rect, Method: redact.Solid})
		return nil
	}, &AuditEntry{User: "sgt"}); err == nil || !strings.Contains(err.Error(), "unknown track") {
		t.Fatalf("unknown track: %v", err)
	}
	// Every earlier version is recoverable, reasons included.
	old, err := s.RedactionProjectAt(ctx, p.ID, 2)
	if err != nil || len(old.Tracks) != 1 || old.Tracks[0].Keyframes[1].Box.X != 30 || len(old.Frames) != 0 || old.Tracks[0].Reason != "bystander's face" {
		t.Fatalf("version 2 again %+v %v", old, err)
	}
	// A deleted track can be put back whole (undo), under its own id.
	v5, err := s.ChangeRedaction(ctx, p.ID, "sgt", func(c *RedactionChange) error {
		c.Project.Tracks = append(c.Project.Tracks, v3.Tracks[0])
		return nil
	}, &AuditEntry{User: "sgt", Action: "redact.track"})
	if err != nil || len(v5.Tracks) != 1 || v5.Tracks[0].ID != "T1" || v5.Tracks[0].Keyframes[1].Box.X != 50 || v5.Tracks[0].CreatedBy != "sgt" {
		t.Fatalf("undo delete %+v %v", v5, err)
	}
	if _, err := s.RedactionProjectAt(ctx, p.ID, 6); !errors.Is(err, ErrNoRedactionVersion) {
		t.Fatalf("version 6: %v", err)
	}
	vs, err := s.RedactionVersions(ctx, p.ID)
	if err != nil || len(vs) != 5 || vs[2].Author != "psd" || vs[2].Change != "three things" {
		t.Fatalf("versions %+v %v", vs, err)
	}
	// Proposals: detections are kept, the state is versioned.
	v6, err := s.ChangeRedaction(ctx, p.ID, "sgt", func(c *RedactionChange) error {
		c.Project.Proposals = append(c.Project.Proposals, redact.Proposal{ID: c.NewID(ProposalPrefix), State: redact.Pending,
			Detections: []redact.Detection{{Frame: 0, Box: redact.Box{X: 1, Y: 2, W: 30, H: 30}, Score: 4.5}, {Frame: 5, Box: redact.Box{X: 3, Y: 2, W: 30, H: 30}, Score: 3.25}}})
		return nil
	}, &AuditEntry{User: "sgt", Action: "redact.proposals"})
	if err != nil || len(v6.Proposals) != 1 || v6.Proposals[0].Detections[1].Score != 3.25 {
		t.Fatalf("proposals %+v %v", v6.Proposals, err)
	}
	v7, err := s.ChangeRedaction(ctx, p.ID, "sgt", func(c *RedactionChange) error {
		c.Project.Proposals[0].State = redact.Rejected
		return nil
	}, &AuditEntry{User: "sgt", Action: "redact.reject"})
	if err != nil || v7.Proposals[0].State != redact.Rejected {
		t.Fatalf("reject %+v %v", v7.Proposals, err)
	}
	if _, err := s.ChangeRedaction(ctx, p.ID, "sgt", func(c *RedactionChange) error {
		c.Project.Proposals[0].Detections[0].Box.X = 99
		return nil
	}, &AuditEntry{User: "sgt"}); err == nil {
		t.Fatal("changed detections were saved")
	}
	// Reasons are sealed: not in the database in the clear, and bound to their row.
	var raw []byte
	if err := s.db.QueryRow("SELECT reason FROM redaction_tracks WHERE id = 'T1' AND version = 2").Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("bystander")) {
		t.Fatal("reason stored in the clear")
	}
	// The audit trail names ids only.
	es, err := s.AuditEntries(ctx, AuditQuery{IncludeRestricted: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		for _, secret := range []string{"bystander", "screen", "address"} {
			if strings.Contains(e.Detail, secret) {
				t.Fatalf("audit entry %d holds a reason: %q", e.Seq, e.Detail)
			}
		}
	}
	if _, err := s.db.Exec("UPDATE redaction_tracks SET reason = (SELECT reason FROM redaction_tracks WHERE version = 2) WHERE version = 3"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RedactionProjectAt(ctx, p.ID, 3); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("a reason moved to another row: %v", err)
	}
	if list, err := s.RedactionProjects(ctx, rec.ID); err != nil || len(list) != 1 || list[0].Version != 7 {
		t.Fatalf("projects of the recording: %+v %v", list, err)
	}
}

func TestRedactedDerivative(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	rec := ingestBytes(t, s, randomBytes(t, 3000), "PC 1 Able")
	p := &redact.Project{RecordingID: rec.ID, From: 0, To: 9, CreatedBy: "sgt"}
	if err := s.CreateRedaction(ctx, p, &AuditEntry{User: "sgt", Action: "redact.new"}); err != nil {
		t.Fatal(err)
	}
	commit := func(version int) (*Derivative, error) {
		pf, err := s.WriteMaster(ctx, bytes.NewReader(randomBytes(t, 2000)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := pf.Verify(ctx, nil); err != nil {
			t.Fatal(err)
		}
		d := &Derivative{RecordingID: rec.ID, Kind: KindRedacted, From: 0, To: 9, CreatedBy: "sgt", FrameMap: []int{0},
			FrameHash: []byte("#format: frame checksums\n"), MasterFrameHash: []byte("#format: frame checksums\n"),
			RedactionID: strings.ToLower(p.ID), RedactionVersion: version}
		return d, s.CommitDerivative(ctx, pf, d, &AuditEntry{User: "sgt", Action: "redact.render"})
	}
	if _, err := commit(2); !errors.Is(err, ErrNoRedactionVersion) {
		t.Fatalf("version 2 of a version-1 project: %v", err)
	}
	d, err := commit(1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetDerivative(ctx, d.ID)
	if err != nil || got.Kind != KindRedacted || got.RedactionID != p.ID || got.RedactionVersion != 1 || got.Ref != rec.ID+"-R1" {
		t.Fatalf("redacted derivative %+v %v", got, err)
	}
	clip := addDerivative(t, s, rec.ID, randomBytes(t, 1000))
	if clip.Ref != rec.ID+"-C2" || clip.RedactionID != "" {
		t.Fatalf("clip after a redacted copy: %+v", clip)
	}
}
