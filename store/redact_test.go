package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
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

func TestRedactionItemsCodec(t *testing.T) {
	ks := []redact.Keyframe{{Frame: 0, Box: redact.Box{X: -3, Y: 0, W: 1920, H: 1080}}, {Frame: 7, Box: redact.Box{X: 1 << 40, Y: -1 << 40, W: 1, H: 2}}, {Frame: 1 << 30, Box: redact.Box{}}}
	got, err := decodeKeyframes(encodeKeyframes(ks))
	if err != nil || !slices.Equal(got, ks) {
		t.Fatalf("keyframes %v %v", got, err)
	}
	if got, err := decodeKeyframes(encodeKeyframes(nil)); err != nil || len(got) != 0 {
		t.Fatalf("no keyframes: %v %v", got, err)
	}
	ds := []redact.Detection{{Frame: 3, Box: redact.Box{X: 1, Y: 2, W: 3, H: 4}, Score: -2.5}, {Frame: 8, Box: redact.Box{X: 5, Y: 6, W: 7, H: 8}, Score: float32(math.Inf(1))}}
	gd, err := decodeDetections(encodeDetections(ds))
	if err != nil || !slices.Equal(gd, ds) {
		t.Fatalf("detections %v %v", gd, err)
	}
	// Every cut, and a byte too many, is refused rather than misread.
	kb, db := encodeKeyframes(ks), encodeDetections(ds)
	for i := range kb {
		if _, err := decodeKeyframes(kb[:i]); !errors.Is(err, errDamagedItems) {
			t.Errorf("keyframes cut at %d of %d: %v", i, len(kb), err)
		}
	}
	for i := range db {
		if _, err := decodeDetections(db[:i]); !errors.Is(err, errDamagedItems) {
			t.Errorf("detections cut at %d of %d: %v", i, len(db), err)
		}
	}
	if _, err := decodeKeyframes(append(encodeKeyframes(ks), 0)); !errors.Is(err, errDamagedItems) {
		t.Errorf("trailing byte: %v", err)
	}
	if _, err := decodeDetections([]byte{2, 0}); !errors.Is(err, errDamagedItems) {
		t.Errorf("unknown format: %v", err)
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
	// A project with items goes with its recording.
	if _, err := s.ChangeRedaction(ctx, p.ID, "sgt", func(c *RedactionChange) error {
		c.Project.Tracks = []redact.Track{{ID: c.NewID(TrackPrefix), Shape: redact.Rect, Method: redact.Solid, Label: redact.Face,
			Keyframes: []redact.Keyframe{{Frame: 1, Box: redact.Box{W: 4, H: 4}}}}}
		c.Project.Proposals = []redact.Proposal{{ID: c.NewID(ProposalPrefix), Detections: []redact.Detection{{Frame: 2, Box: redact.Box{W: 3, H: 3}}}}}
		return nil
	}, &AuditEntry{User: "sgt"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteRecording(ctx, rec.ID, "retention", func(RetentionPolicy, *RetentionState) (string, error) { return "test", nil },
		&AuditEntry{User: "retention", Action: "retention.delete"}); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"redaction_projects", "redaction_versions", "redaction_tracks", "redaction_frames", "redaction_audio", "redaction_proposals", "derivatives"} {
		var n int
		if err := s.db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d rows left after the recording's deletion (%v)", table, n, err)
		}
	}
	if _, err := s.RedactionProject(ctx, p.ID); !errors.Is(err, ErrNoRedaction) {
		t.Errorf("project after its recording's deletion: %v", err)
	}
}

// TestMigration8KeepsDerivatives applies migrations 1-7 to a new database,
// stores a clip, then 0008: the rebuilt derivatives table keeps it.
func TestMigration8KeepsDerivatives(t *testing.T) {
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "m.db")+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }() // test database
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	apply := func(m migration) {
		body, err := migrationFS.ReadFile("migrations/" + m.name)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range ms {
		if m.version < 8 {
			apply(m)
		}
	}
	if _, err := db.Exec(`INSERT INTO recordings (id, sha256, size, recorded_at, recorded_at_source, ingested_at, duration_ms,
		frame_count, width, height, fps_num, fps_den, container, video_codec, audio_codec, status, restricted, vault_name, vault_size, data_key, personal)
		VALUES ('REC23456', 'aa', 1, 0, 'mtime', 0, 0, 1, 1, 1, 1, 1, 'mp4', 'h264', '', 'unreviewed', 0, 'v', 1, x'00', x'00')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO derivatives (id, ref, recording_id, seq, master_sha256, kind, frame_from, frame_to,
		sha256, size, recipe, frame_hash, master_frame_hash, frame_map, created_by, created_at, vault_name, vault_size, data_key)
		VALUES ('CLIP234567', 'REC23456-C1', 'REC23456', 1, 'aa', 'clip-court', 0, 1, 'bb', 5, '{}', x'01', x'02', '[0,1]', 'sgt', 7, 'w', 9, x'03')`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version == 8 {
			apply(m)
		}
	}
	var ref, kind, rid string
	var rv, size int
	if err := db.QueryRow("SELECT ref, kind, size, redaction_id, redaction_version FROM derivatives WHERE id = 'CLIP234567'").Scan(&ref, &kind, &size, &rid, &rv); err != nil {
		t.Fatal(err)
	}
	if ref != "REC23456-C1" || kind != "clip-court" || size != 5 || rid != "" || rv != 0 {
		t.Fatalf("migrated clip: %s %s %d %q %d", ref, kind, size, rid, rv)
	}
	// A redacted copy must name its project and version; a clip must not.
	if _, err := db.Exec(`INSERT INTO derivatives (id, ref, recording_id, seq, master_sha256, kind, frame_from, frame_to,
		sha256, size, recipe, frame_hash, master_frame_hash, frame_map, created_by, created_at, vault_name, vault_size, data_key)
		VALUES ('RED2345678', 'REC23456-R2', 'REC23456', 2, 'aa', 'redacted', 0, 1, 'bb', 5, '{}', x'01', x'02', '[0,1]', 'sgt', 7, 'w2', 9, x'03')`); err == nil {
		t.Fatal("a redacted copy without its project was stored")
	}
	// The cascade from recordings still holds after the rebuild.
	if _, err := db.Exec("DELETE FROM recordings"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM derivatives").Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d derivatives left after their recording (%v)", n, err)
	}
}

// cpuTimeIt is the process's user + system CPU time that f takes: on a
// machine shared with other work, wall time says more about the others.
func cpuTimeIt(f func() error) (time.Duration, error) {
	var a, b syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &a); err != nil {
		return 0, err
	}
	err := f()
	if rerr := syscall.Getrusage(syscall.RUSAGE_SELF, &b); rerr != nil {
		return 0, rerr
	}
	cpu := func(r *syscall.Rusage) time.Duration {
		return time.Duration(r.Utime.Nano() + r.Stime.Nano())
	}
	return cpu(&b) - cpu(&a), err
}

// BenchmarkRedactionChange measures (in CPU time) one saved change (a keyframe moved)
// and one read of a project of 20 tracks of 250 keyframes and 100
// proposals of 60 detections, against the peer: an annotation edit (also
// a versioned row with its audit entry) in the same store.
func BenchmarkRedactionChange(b *testing.B) {
	b.Cleanup(UseTestArgon2())
	s, err := Init(b.TempDir(), KeyOptions{Passphrase: []byte("bench")})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	ctx := context.Background()
	p0, err := s.WriteMaster(ctx, bytes.NewReader(bytes.Repeat([]byte{7}, 5000)), nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := p0.Verify(ctx, nil); err != nil {
		b.Fatal(err)
	}
	rec := &Recording{RecordedAt: time.Now().UTC(), RecordedAtSource: "mtime", IngestedAt: time.Now().UTC(), Frames: 15000,
		Width: 1920, Height: 1080, FPSNum: 25, FPSDen: 1, Container: "mp4", VideoCodec: "h264"}
	if err := s.Commit(ctx, p0, rec, nil, nil, nil); err != nil {
		b.Fatal(err)
	}
	p := &redact.Project{RecordingID: rec.ID, From: 0, To: 14999, CreatedBy: "sgt"}
	if err := s.CreateRedaction(ctx, p, &AuditEntry{User: "sgt", Action: "redact.new"}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.ChangeRedaction(ctx, p.ID, "sgt", func(c *RedactionChange) error {
		for t := 0; t < 20; t++ {
			tr := redact.Track{ID: c.NewID(TrackPrefix), Shape: redact.Rect, Method: redact.Solid, Label: redact.Face, Reason: "a bystander", End: -1}
			for k := 0; k < 250; k++ {
				tr.Keyframes = append(tr.Keyframes, redact.Keyframe{Frame: k * 50, Box: redact.Box{X: k, Y: t * 10, W: 80, H: 80}})
			}
			c.Project.Tracks = append(c.Project.Tracks, tr)
		}
		for n := 0; n < 100; n++ {
			pr := redact.Proposal{ID: c.NewID(ProposalPrefix), State: redact.Pending}
			for d := 0; d < 60; d++ {
				pr.Detections = append(pr.Detections, redact.Detection{Frame: d * 5, Box: redact.Box{X: n, Y: d, W: 40, H: 40}, Score: 3})
			}
			c.Project.Proposals = append(c.Project.Proposals, pr)
		}
		return nil
	}, &AuditEntry{User: "sgt", Action: "redact.box"}); err != nil {
		b.Fatal(err)
	}
	a := &Annotation{RecordingID: rec.ID, FrameIn: 1, FrameOut: 1, Category: "arrest", Note: "n", Author: "sgt"}
	if err := s.AddAnnotation(ctx, a, &AuditEntry{User: "sgt", Action: "annotate.add"}); err != nil {
		b.Fatal(err)
	}
	const n = 20
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		change, err := cpuTimeIt(func() error {
			for i := 0; i < n; i++ {
				if _, err := s.ChangeRedaction(ctx, p.ID, "sgt", func(c *RedactionChange) error {
					c.Project.Tracks[i%20].Keyframes[100].Box.X++
					return nil
				}, &AuditEntry{User: "sgt", Action: "redact.box"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		read, err := cpuTimeIt(func() error {
			for i := 0; i < n; i++ {
				if _, err := s.RedactionProject(ctx, p.ID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		peer, err := cpuTimeIt(func() error {
			for i := 0; i < n; i++ {
				if err := s.ReviseAnnotation(ctx, &Annotation{ID: a.ID, FrameIn: i, FrameOut: i, Category: "arrest", Note: "n", Author: "sgt"}, false,
					&AuditEntry{User: "sgt", Action: "annotate.edit"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(change.Microseconds())/n/1000, "change_ms")
		b.ReportMetric(float64(read.Microseconds())/n/1000, "read_ms")
		b.ReportMetric(float64(peer.Microseconds())/n/1000, "annotation_edit_ms")
		b.ReportMetric(float64(change)/float64(peer), "change_vs_annotation_edit")
	}
}
