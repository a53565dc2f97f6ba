package app

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"exhibit/app/media"
	"exhibit/store"
)

// TestClipCheck: clips are kept pending ("frames being checked"), the
// background loop (RunFrameChecks) and check-frames (CheckFrames) add their
// decoded-frame hashes, and a clip whose decoded frames are not what its
// record says is marked failed, audited, and refused by CheckClip (so an
// export cannot carry it).
func TestClipCheck(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "cam.mkv")
	if err := media.WriteIndexedClip(ctx, src, media.IndexedClipOptions{Frames: 100, GOP: 25, BFrames: 2, Audio: true}); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	rec := ingestOne(t, lib, src)

	lossless, err := lib.CreateClip(ctx, ClipRequest{RecordingID: rec.ID, From: 30, To: 60, Lossless: true}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	court, err := lib.CreateClip(ctx, ClipRequest{RecordingID: rec.ID, From: 10, To: 20}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	// An MKV master's packets are compared through ffmpeg's hashes of
	// the packets it copied.
	if !strings.Contains(strings.Join(lossless.Recipe.Notes, " "), "SHA-256 equal to the master's packets") {
		t.Errorf("lossless recipe notes %v", lossless.Recipe.Notes)
	}
	list, err := lib.Clips(ctx, rec.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("clips %v %v", list, err)
	}
	for _, c := range list {
		if c.FrameCheck != FramesPending || ClipCheckLabel(c) != "frames being checked" {
			t.Errorf("%s before its check: %q", c.Ref, c.FrameCheck)
		}
	}

	// The background loop checks both (the recording's frame check first).
	bg, stop := context.WithCancel(ctx)
	results := make(chan FrameCheckResult, 8)
	done := make(chan error, 1)
	go func() { done <- lib.RunFrameChecks(bg, func(r FrameCheckResult) { results <- r }) }()
	seen := map[string]string{}
	timeout := time.After(2 * time.Minute)
	for len(seen) < 2 {
		select {
		case r := <-results:
			if r.Clip != "" {
				seen[r.Clip] = r.State
			}
		case err := <-done:
			t.Fatalf("RunFrameChecks ended: %v", err)
		case <-timeout:
			t.Fatalf("clip checks not done: %v", seen)
		}
	}
	stop()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if seen[lossless.Ref] != FramesChecked || seen[court.Ref] != FramesChecked {
		t.Fatalf("results %v", seen)
	}
	got, err := lib.Derivative(ctx, lossless.ID)
	if err != nil || got.FrameCheck != FramesChecked {
		t.Fatalf("%v %v", got, err)
	}
	if err := media.SameFrames(got.FrameHash, got.MasterFrameHash); err != nil {
		t.Fatal(err)
	}
	if rows, _ := media.ParseFrameHash(got.FrameHash); len(rows) != 31 {
		t.Fatalf("%d rows", len(rows))
	}
	es, err := lib.AuditEntries(ctx, AuditFilter{Action: "clip.checked"})
	if err != nil || len(es) != 2 || es[0].SHA256 != rec.SHA256 {
		t.Fatalf("clip.checked entries %+v %v", es, err)
	}
	// The court copy's check took both its own and the master range's
	// hashes: the same as a decode of the range on its own.
	gotCourt, err := lib.Derivative(ctx, court.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rows, _ := media.ParseFrameHash(gotCourt.FrameHash); len(rows) != 11 {
		t.Fatalf("court clip: %d frame hashes", len(rows))
	}
	if want := rangeHash(t, lib, rec.ID, 10, 20); string(gotCourt.MasterFrameHash) != string(want) {
		t.Fatalf("court clip's master range hashes:\n%s\nwant:\n%s", gotCourt.MasterFrameHash, want)
	}

	// A record that no longer matches its clip (its range moved by one
	// frame behind the application's back): the check fails, the clip is
	// marked failed, audited, and CheckClip refuses it.
	bad, err := lib.CreateClip(ctx, ClipRequest{RecordingID: rec.ID, From: 40, To: 50, Lossless: true}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	// A court copy whose record was moved by one frame: the same count and
	// times, but its frame map names frames 40-50, not 41-51.
	badCourt, err := lib.CreateClip(ctx, ClipRequest{RecordingID: rec.ID, From: 40, To: 50}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", filepath.Join(lib.st.Dir(), store.DBName))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{bad.ID, badCourt.ID} {
		if _, err := db.Exec("UPDATE derivatives SET frame_from = 41, frame_to = 51 WHERE id = ?", id); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "admin", RoleAdmin)
	rs, err := lib.CheckFrames(ctx, nil, 0, nil)
	if err != nil || len(rs) != 2 {
		t.Fatalf("check-frames: %+v %v", rs, err)
	}
	failed := map[string]string{}
	for _, r := range rs {
		if r.State != FramesFailed || r.Error == "" {
			t.Errorf("check-frames result %+v, want failed", r)
		}
		failed[r.Clip] = r.Error
	}
	if _, ok := failed[bad.Ref]; !ok || !strings.Contains(failed[badCourt.Ref], "frame map") {
		t.Fatalf("check-frames failures %v", failed)
	}
	es, err = lib.AuditEntries(ctx, AuditFilter{Action: "clip.check"})
	if err != nil || len(es) != 2 {
		t.Fatalf("clip.check entries %+v %v", es, err)
	}
	for _, e := range es {
		if e.Outcome != store.OutcomeFailed || !(strings.Contains(e.Detail, bad.Ref) || strings.Contains(e.Detail, badCourt.Ref)) {
			t.Errorf("clip.check entry %+v", e)
		}
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	for _, id := range []string{bad.ID, badCourt.ID} {
		got, err = lib.Derivative(ctx, id)
		if err != nil || got.FrameCheck != FramesFailed || ClipCheckLabel(got) != "frame check failed" {
			t.Fatalf("%+v %v", got, err)
		}
		if _, err := lib.CheckClip(ctx, id); !errors.Is(err, ErrClipCheckFailed) {
			t.Fatalf("CheckClip of a failed clip: %v", err)
		}
	}
	// Nothing is pending any more; a second run does nothing.
	signInAs(t, lib, "admin", RoleAdmin)
	if rs, err := lib.CheckFrames(ctx, nil, 0, nil); err != nil || len(rs) != 0 {
		t.Fatalf("second run: %+v %v", rs, err)
	}
}

// TestClipLosslessDecodedWhenUnproven: a lossless clip of an MPEG-TS
// master cannot be proven from its packets (MP4 stores the codec's units
// with lengths, TS with start codes), so the clip job compares decoded
// frames before keeping it, and the clip is kept already checked.
func TestClipLosslessDecodedWhenUnproven(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "cam.ts")
	if err := media.WriteIndexedClip(ctx, src, media.IndexedClipOptions{Frames: 60, GOP: 25, BFrames: 2}); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	rec := ingestOne(t, lib, src)
	out := filepath.Join(dir, "clip.mp4")
	d, err := lib.CreateClip(ctx, ClipRequest{RecordingID: rec.ID, From: 20, To: 40, Lossless: true}, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.FrameCheck != FramesChecked || !strings.Contains(strings.Join(d.Recipe.Notes, " "), "checked when written by decoding") {
		t.Fatalf("state %q, notes %v", d.FrameCheck, d.Recipe.Notes)
	}
	if err := media.SameFrames(d.FrameHash, d.MasterFrameHash); err != nil {
		t.Fatal(err)
	}
	if got := clipBand(t, out, 320, 180); !isRange(got, 20, 40) {
		t.Fatalf("clip shows %v", got)
	}
	if l, err := lib.Clips(ctx, rec.ID); err != nil || len(l) != 1 {
		t.Fatalf("clips %v %v (one vault copy, not two)", l, err)
	}
}

// rangeHash returns the framehash of master frames from..to of a stored
// recording, decoded on its own.
func rangeHash(t *testing.T, lib *Library, id string, from, to int) []byte {
	t.Helper()
	ctx := context.Background()
	rec, err := lib.st.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	ft, err := lib.frameTable(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	m, err := lib.st.OpenMaster(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.Close() }() // read only
	url, stop, err := ServeReaderAt(m, m.Size(), "master")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	b, err := media.RangeFrameHash(ctx, url, media.ClipRange{Table: ft, From: from, To: to, Container: rec.Container})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
