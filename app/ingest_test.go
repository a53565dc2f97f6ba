package app

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"exhibit/app/media"
)

// decodedFrames is the independent count: what ffmpeg itself decodes.
func decodedFrames(t *testing.T, path string) int {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-map", "0:v:0", "-f", "null", "-progress", "pipe:1", "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg %s: %v", path, err)
	}
	n := -1
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "frame="); ok {
			n, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return n
}

// TestIngestContainersAndCodecs ingests one clip per container and codec,
// with B-frames and variable frame rate, and checks the stored frame table
// against what ffmpeg decodes and the stored copy against the source.
func TestIngestContainersAndCodecs(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	dir := t.TempDir()
	cases := []struct {
		name string
		o    media.IndexedClipOptions
	}{
		{"h264_bframes.mp4", media.IndexedClipOptions{Frames: 60, GOP: 25, BFrames: 2, Audio: true, CreationTime: "2026-11-20T08:15:00Z"}},
		{"h264.mov", media.IndexedClipOptions{Frames: 40, GOP: 12}},
		{"hevc.mkv", media.IndexedClipOptions{Frames: 40, GOP: 20, Codec: "hevc", BFrames: 2}},
		{"h264.ts", media.IndexedClipOptions{Frames: 40, GOP: 25, BFrames: 2, Audio: true}},
		{"h264.avi", media.IndexedClipOptions{Frames: 30, GOP: 10}},
		{"vfr.mkv", media.IndexedClipOptions{Frames: 40, GOP: 20, VFR: true}},
		{"hevc_vfr.mp4", media.IndexedClipOptions{Frames: 30, GOP: 15, Codec: "hevc", VFR: true}},
	}
	for _, c := range cases {
		p := filepath.Join(dir, c.name)
		if err := media.WriteIndexedClip(ctx, p, c.o); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	res, err := lib.Ingest(ctx, []string{dir}, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(cases) {
		t.Fatalf("%d results for %d files", len(res), len(cases))
	}
	for _, r := range res {
		if r.Status != Imported {
			t.Errorf("%s: %s %s", filepath.Base(r.File), r.Status, r.Error)
			continue
		}
		if want := decodedFrames(t, r.File); r.Frames != want {
			t.Errorf("%s: frame table %d frames, ffmpeg decodes %d", filepath.Base(r.File), r.Frames, want)
		}
		ft, err := lib.FrameTable(ctx, r.ID)
		if err != nil || ft.Len() != r.Frames {
			t.Errorf("%s: stored frame table: %v", filepath.Base(r.File), err)
		}
	}
	if vr, err := lib.Verify(ctx, nil, nil); err != nil {
		t.Fatal(err)
	} else {
		for _, v := range vr.Results {
			if !v.OK {
				t.Errorf("verify %s: %s", v.ID, v.Error)
			}
		}
	}
	// The container's creation_time is used when there is no sidecar.
	for _, r := range res {
		if strings.HasSuffix(r.File, "h264_bframes.mp4") && r.RecordedAt.Format("2006-01-02T15:04:05Z") != "2026-11-20T08:15:00Z" {
			t.Errorf("recorded_at %v, want the container's creation_time", r.RecordedAt)
		}
	}
}

// TestIngestCancelLeavesNothing cancels an ingest and checks that no
// recording and no vault file remain.
func TestIngestCancelLeavesNothing(t *testing.T) {
	lib := newTestLibrary(t)
	dir := t.TempDir()
	if err := media.WriteIndexedClip(context.Background(), filepath.Join(dir, "a.mp4"), media.IndexedClipOptions{Frames: 30}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	_, err := lib.Ingest(ctx, []string{dir}, IngestOptions{Progress: func(p IngestProgress) {
		if p.Stage == "encrypt" || p.Stage == "verify" {
			cancel()
		}
	}})
	if err == nil {
		t.Fatal("a cancelled ingest reported success")
	}
	if n, _ := lib.st.Count(context.Background(), true); n != 0 {
		t.Fatalf("%d recordings after a cancelled ingest", n)
	}
	matches, _ := filepath.Glob(filepath.Join(lib.st.Dir(), "vault", "*", "*"))
	files, _ := filepath.Glob(filepath.Join(lib.st.Dir(), "vault", "*"))
	for _, f := range append(matches, files...) {
		if filepath.Base(f) != "pending" {
			t.Errorf("debris after cancel: %s", f)
		}
	}
}
