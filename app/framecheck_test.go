package app

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"exhibit/app/media"
	"exhibit/store"
)

// ingestOneFile ingests path and returns its result, which must be imported.
func ingestOneFile(t *testing.T, lib *Library, path string, opt IngestOptions) IngestResult {
	t.Helper()
	res, err := lib.Ingest(context.Background(), []string{path}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Status != Imported {
		t.Fatalf("ingest %s: %+v", filepath.Base(path), res)
	}
	return res[0]
}

func auditActions(t *testing.T, lib *Library, id string) []AuditEntry {
	t.Helper()
	es, err := lib.AuditEntries(context.Background(), AuditFilter{RecordingID: id})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func findEntry(es []AuditEntry, action string) *AuditEntry {
	for i := range es {
		if es[i].Action == action {
			return &es[i]
		}
	}
	return nil
}

// TestFrameCheckConfirmsPacketTable: ingest stores the packet table as
// pending ("frames being checked" in the list), and the background check,
// run by RunFrameChecks as the GUI does, confirms it against the decode of
// the stored copy, fills the picture types and audits it.
func TestFrameCheckConfirmsPacketTable(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bframes.mp4")
	if err := media.WriteIndexedClip(ctx, path, media.IndexedClipOptions{Frames: 75, GOP: 25, BFrames: 2, Audio: true}); err != nil {
		t.Fatal(err)
	}
	res := ingestOneFile(t, lib, path, IngestOptions{})
	rec, err := lib.Get(ctx, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.FrameCheck != FramesPending || FrameCheckLabel(rec) != "frames being checked" {
		t.Fatalf("after ingest: frame check %q, label %q", rec.FrameCheck, FrameCheckLabel(rec))
	}
	recs, err := lib.List(ctx, Filter{}, SortRecordedAt, false)
	if err != nil || len(recs) != 1 || FrameCheckLabel(recs[0]) != "frames being checked" {
		t.Fatalf("list: %v %+v", err, recs)
	}
	before, err := lib.FrameTable(ctx, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range before.Frames {
		if f.Type != '?' {
			t.Fatalf("packet table frame %d has type %q", i, f.Type)
		}
	}

	runCtx, cancel := context.WithCancel(ctx)
	reports := make(chan FrameCheckResult, 4)
	done := make(chan error, 1)
	go func() { done <- lib.RunFrameChecks(runCtx, func(r FrameCheckResult) { reports <- r }) }()
	var r FrameCheckResult
	select {
	case r = <-reports:
	case <-time.After(2 * time.Minute):
		t.Fatal("no frame check result within 2 minutes")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("RunFrameChecks ended with %v", err)
	}
	if r.ID != res.ID || r.State != FramesChecked || r.DecodedFrames != 75 || r.PacketFrames != 75 || r.FramesPerSecond <= 0 {
		t.Fatalf("result %+v", r)
	}
	rec, err = lib.Get(ctx, res.ID)
	if err != nil || rec.FrameCheck != FramesChecked || FrameCheckLabel(rec) != "" {
		t.Fatalf("after check: %v %q", err, rec.FrameCheck)
	}
	after, err := lib.FrameTable(ctx, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	want, err := media.ReadFrameTable(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Frames) != len(want.Frames) {
		t.Fatalf("checked table %d frames, source decodes %d", len(after.Frames), len(want.Frames))
	}
	for i := range want.Frames {
		if after.Frames[i] != want.Frames[i] {
			t.Fatalf("frame %d: checked %+v, decoded source %+v", i, after.Frames[i], want.Frames[i])
		}
	}
	if e := findEntry(auditActions(t, lib, res.ID), "frames.checked"); e == nil || e.Outcome != "" && e.Outcome != "ok" {
		t.Fatalf("no frames.checked audit entry: %+v", e)
	}
	// A second run has nothing to do.
	out, err := lib.CheckFrames(ctx, []string{res.ID}, 0, nil)
	if err != nil || len(out) != 1 || !out[0].Already || out[0].State != FramesChecked {
		t.Fatalf("second check: %v %+v", err, out)
	}
}

// cutTS writes a copy of an MPEG-TS file without its first fifth (cut at a
// TS packet boundary): the demuxer still lists the video packets before
// the next key frame, the decoder cannot decode them. This is what a file
// whose recording began mid-GOP looks like.
func cutTS(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	cut := len(b) / 5 / 188 * 188
	if err := os.WriteFile(dst, b[cut:], 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestFrameCheckCorrectsTableAndKeepsMarksOnTheirPTS: packets that do not
// decode to frames make the packet table longer than the decode; the check
// replaces it, audits the correction, and moves marks made against the
// packet table to the frames with the same presentation time.
func TestFrameCheckCorrectsTableAndKeepsMarksOnTheirPTS(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	dir := t.TempDir()
	full := filepath.Join(dir, "full.ts")
	if err := media.WriteIndexedClip(ctx, full, media.IndexedClipOptions{Frames: 75, GOP: 25, BFrames: 2}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cut", "midgop.ts")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	cutTS(t, full, path)
	res := ingestOneFile(t, lib, path, IngestOptions{})
	packets, err := lib.FrameTable(ctx, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	decodedSrc, err := media.ReadFrameTable(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if packets.Len() <= decodedSrc.Len() {
		t.Fatalf("the cut file should have more packets (%d) than decodable frames (%d)", packets.Len(), decodedSrc.Len())
	}
	// Marks on frames that exist in the decode, by the packet table's numbers.
	lastPTS := decodedSrc.Frames[decodedSrc.Len()-1].PTS
	pick := func(pts int64) int {
		for i, f := range packets.Frames {
			if f.PTS == pts {
				return i
			}
		}
		t.Fatalf("PTS %d not in the packet table", pts)
		return -1
	}
	inPTS, outPTS := decodedSrc.Frames[10].PTS, decodedSrc.Frames[30].PTS
	signInAs(t, lib, "sgt", RoleSergeant)
	point, err := lib.AddMark(ctx, res.ID, MarkInput{FrameIn: pick(lastPTS), FrameOut: -1, Category: "search"})
	if err != nil {
		t.Fatal(err)
	}
	rng, err := lib.AddMark(ctx, res.ID, MarkInput{FrameIn: pick(inPTS), FrameOut: pick(outPTS), Category: "search", Note: "n"})
	if err != nil {
		t.Fatal(err)
	}
	// An edit makes a second revision: both are renumbered.
	if _, err := lib.EditMark(ctx, rng.ID, MarkInput{FrameIn: pick(inPTS), FrameOut: pick(outPTS), Category: "search", Note: "edited"}); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "admin", RoleAdmin)
	out, err := lib.CheckFrames(ctx, nil, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].State != FramesCorrected || out[0].PacketFrames != packets.Len() ||
		out[0].DecodedFrames != decodedSrc.Len() || out[0].Renumbered != 2 {
		t.Fatalf("check: %+v (packets %d, decoded %d)", out, packets.Len(), decodedSrc.Len())
	}
	rec, err := lib.Get(ctx, res.ID)
	if err != nil || rec.FrameCheck != FramesCorrected || rec.Frames != decodedSrc.Len() {
		t.Fatalf("after correction: %v %+v", err, rec)
	}
	now, err := lib.FrameTable(ctx, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := now.Compare(decodedSrc); d.Differs() {
		t.Fatalf("corrected table differs from the decode: %+v", d)
	}
	marks, err := lib.Marks(ctx, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range marks {
		switch m.ID {
		case point.ID:
			if now.Frames[m.FrameIn].PTS != lastPTS || m.FrameOut != m.FrameIn {
				t.Errorf("point mark at frame %d (PTS %d), want PTS %d", m.FrameIn, now.Frames[m.FrameIn].PTS, lastPTS)
			}
		case rng.ID:
			if now.Frames[m.FrameIn].PTS != inPTS || now.Frames[m.FrameOut].PTS != outPTS {
				t.Errorf("range mark %d..%d, want PTS %d..%d", m.FrameIn, m.FrameOut, inPTS, outPTS)
			}
		}
	}
	hist, err := lib.MarkHistory(ctx, rng.ID)
	if err != nil || len(hist) != 2 {
		t.Fatalf("history: %v %d", err, len(hist))
	}
	for _, h := range hist {
		if now.Frames[h.FrameIn].PTS != inPTS {
			t.Errorf("revision %d not renumbered: frame %d", h.Revision, h.FrameIn)
		}
	}
	e := findEntry(auditActions(t, lib, res.ID), "frames.corrected")
	if e == nil || !strings.Contains(e.Detail, "2 annotations renumbered") || strings.Contains(e.Detail, "edited") {
		t.Fatalf("frames.corrected entry: %+v", e)
	}
	// verify decodes again and now agrees with the corrected count.
	vr, err := lib.Verify(ctx, []string{res.ID}, nil)
	if err != nil || len(vr.Results) != 1 || !vr.Results[0].OK {
		t.Fatalf("verify after correction: %v %+v", err, vr)
	}
}

// TestFrameCheckCancelAndResume: a cancelled check leaves the recording
// pending, and the state survives closing and reopening the store, where
// the next run completes it.
func TestFrameCheckCancelAndResume(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.mkv")
	if err := media.WriteIndexedClip(ctx, path, media.IndexedClipOptions{Frames: 50, GOP: 25, BFrames: 2}); err != nil {
		t.Fatal(err)
	}
	res := ingestOneFile(t, lib, path, IngestOptions{})
	cctx, cancel := context.WithCancel(ctx)
	_, err := lib.CheckFrames(cctx, nil, 0, func(id string, i, n int) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled check returned %v", err)
	}
	dir := lib.st.Dir()
	if err := lib.Close(); err != nil {
		t.Fatal(err)
	}
	lib2, err := Open(dir, KeySource{Passphrase: []byte("pw"), NoKeyring: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = lib2.Close() }() // the test's checks are above; nothing was left to write
	if _, err := lib2.SignIn(ctx, "admin", []byte("admin password"), "test"); err != nil {
		t.Fatal(err)
	}
	rec, err := lib2.Get(ctx, res.ID)
	if err != nil || rec.FrameCheck != FramesPending {
		t.Fatalf("after cancel and reopen: %v %q", err, rec.FrameCheck)
	}
	out, err := lib2.CheckFrames(ctx, nil, 0, nil)
	if err != nil || len(out) != 1 || out[0].State != FramesChecked {
		t.Fatalf("resumed check: %v %+v", err, out)
	}
}

// TestDeletedFootageRefused: footage deleted under retention is refused on
// a second ingest with the date and rule of its deletion (audited, nothing
// stored, no vault file left), unless AllowDeleted, which is audited.
func TestDeletedFootageRefused(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "old.mp4")
	if err := media.WriteIndexedClip(ctx, path, media.IndexedClipOptions{Frames: 30}); err != nil {
		t.Fatal(err)
	}
	sc, _ := json.Marshal(Sidecar{Officer: "PC 1", RecordedAt: time.Now().Add(-60 * 24 * time.Hour).UTC().Format(time.RFC3339)})
	if err := os.WriteFile(filepath.Join(dir, "old.json"), sc, 0o600); err != nil {
		t.Fatal(err)
	}
	first := ingestOneFile(t, lib, path, IngestOptions{})
	sw, err := lib.SweepRetention(ctx)
	if err != nil || len(sw.Deleted) != 1 {
		t.Fatalf("sweep: %v %+v", err, sw)
	}
	del := sw.Deleted[0]

	res, err := lib.Ingest(ctx, []string{path}, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Status != Rejected || res[0].DeletedAs != first.ID ||
		!strings.Contains(res[0].Error, "this footage was deleted on "+del.DeletedAt.Local().Format("2 Jan 2006")) ||
		!strings.Contains(res[0].Error, "under "+del.Rule) {
		t.Fatalf("second ingest: %+v (deletion %+v)", res, del)
	}
	if n, _ := lib.st.Count(ctx, true); n != 0 {
		t.Fatalf("%d recordings after a refused ingest", n)
	}
	if left, _ := filepath.Glob(filepath.Join(lib.st.Dir(), "vault", "pending", "*")); len(left) != 0 {
		t.Fatalf("pending vault files left: %v", left)
	}
	all, err := lib.AuditEntries(ctx, AuditFilter{Action: "ingest"})
	if err != nil {
		t.Fatal(err)
	}
	last := all[len(all)-1]
	if last.Outcome != store.OutcomeDenied || last.SHA256 != first.SHA256 || !strings.Contains(last.Detail, first.ID) {
		t.Fatalf("refusal audit entry: %+v", last)
	}

	again := ingestOneFile(t, lib, path, IngestOptions{AllowDeleted: true})
	if again.SHA256 != first.SHA256 || again.ID == first.ID {
		t.Fatalf("allowed ingest: %+v", again)
	}
	e := findEntry(auditActions(t, lib, again.ID), "ingest")
	if e == nil || !strings.Contains(e.Detail, "ingested again") || !strings.Contains(e.Detail, first.ID) {
		t.Fatalf("allowed ingest audit entry: %+v", e)
	}
}

// TestIngestProgressMovesWithBytes: the bar moves through the whole file
// with the bytes read (never parked at one stage) and never goes back, one
// file at a time and two at once; with two at once each report names the
// first file still running, and the batch's fraction never goes back.
func TestIngestProgressMovesWithBytes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for i, n := range []string{"a.mp4", "b.mp4"} {
		if err := media.WriteIndexedClip(ctx, filepath.Join(dir, n), media.IndexedClipOptions{Width: 1920, Height: 1080, Frames: 120, GOP: 50, BFrames: 2, Audio: true, ToneHz: 440 + 220*i}); err != nil {
			t.Fatal(err)
		}
	}
	info, err := os.Stat(filepath.Join(dir, "a.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() < 8<<20 {
		t.Fatalf("test file only %d bytes: too small to see progress by 1 MiB blocks", info.Size())
	}
	for _, jobs := range []int{1, 2} {
		lib := newTestLibrary(t)
		var ps []IngestProgress
		res, err := lib.Ingest(ctx, []string{dir}, IngestOptions{Jobs: jobs, Progress: func(p IngestProgress) { ps = append(ps, p) }})
		if err != nil || len(res) != 2 {
			t.Fatalf("ingest: %v %+v", err, res)
		}
		last := map[string]float64{}
		overall, index := 0.0, 0
		distinct := map[string]map[float64]bool{}
		for _, p := range ps {
			if p.File01 < last[p.File] {
				t.Fatalf("jobs %d: %s went back from %.3f to %.3f (%s)", jobs, filepath.Base(p.File), last[p.File], p.File01, p.Stage)
			}
			last[p.File] = p.File01
			if p.Overall01 < overall {
				t.Fatalf("jobs %d: overall went back from %.3f to %.3f", jobs, overall, p.Overall01)
			}
			overall = p.Overall01
			if p.FileIndex < index {
				t.Fatalf("jobs %d: reports went back from file %d to %d", jobs, index, p.FileIndex)
			}
			index = p.FileIndex
			if p.Running > jobs {
				t.Fatalf("jobs %d: %d files running", jobs, p.Running)
			}
			if p.Stage == "encrypt" {
				if distinct[p.File] == nil {
					distinct[p.File] = map[float64]bool{}
				}
				distinct[p.File][p.File01] = true
			}
		}
		for f, v := range last {
			if v != 1 {
				t.Errorf("jobs %d: %s ended at %.3f", jobs, filepath.Base(f), v)
			}
		}
		// The first file is reported all the way through its read.
		if n := len(distinct[filepath.Join(dir, "a.mp4")]); int64(n) < info.Size()>>20 {
			t.Errorf("jobs %d: %d distinct fractions while reading %d MiB", jobs, n, info.Size()>>20)
		}
		if jobs == 1 {
			if n := len(distinct[filepath.Join(dir, "b.mp4")]); int64(n) < info.Size()>>20 {
				t.Errorf("jobs 1: b.mp4: %d distinct fractions while reading %d MiB", n, info.Size()>>20)
			}
		}
		if overall != 1 {
			t.Errorf("jobs %d: overall ended at %.3f", jobs, overall)
		}
	}
}
