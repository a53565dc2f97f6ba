package app

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"exhibit/bundle"
	"exhibit/player"
)

func TestCourtOpenVerifyAndMap(t *testing.T) {
	dir, id := NewTestBundle(t, 60)
	c, err := OpenCourt(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ex, clip *CourtExhibit
	for _, e := range c.Exhibits {
		switch e.Kind {
		case bundle.KindMaster:
			ex = e
		case bundle.KindClipCourt:
			clip = e
		}
	}
	if ex == nil || clip == nil {
		t.Fatalf("exhibits: want a master and a court clip, got %d", len(c.Exhibits))
	}
	if len(clip.FrameMap) != 60 || clip.MasterFrame(0) != 0 || clip.MasterFrame(59) != 59 || len(clip.Markers) != 2 {
		t.Fatalf("court clip: frame map %v, markers %v", clip.FrameMap, clip.Markers)
	}
	if src, err := c.CourtSource(context.Background(), clip); err != nil || len(src.Frames) != len(clip.FrameMap) {
		t.Fatalf("clip source: %d frames, %v", len(src.Frames), err)
	}
	if ex.Kind != bundle.KindMaster || ex.RecordingID != id || ex.RecordedAt.IsZero() || ex.Duration <= 0 {
		t.Fatalf("exhibit: %+v", ex)
	}
	if len(ex.Markers) != 2 || ex.Markers[0].From != 7 || ex.Markers[1].From != 30 || ex.Markers[1].Category != "use of force" {
		t.Fatalf("markers from the manifest: %+v", ex.Markers)
	}
	var last float64
	v := c.Verify(context.Background(), func(f float64) { last = f })
	if !v.OK || last != 1 {
		t.Fatalf("verify: %+v, progress ended at %v", v, last)
	}
	h := c.Headline(v)
	if !strings.HasPrefix(h, "Verified: ") || !strings.Contains(h, "audit checkpoint of ") || !strings.Contains(h, "(tree ") || !strings.Contains(h, ", key ") {
		t.Fatalf("headline %q", h)
	}
	src, err := c.CourtSource(context.Background(), ex)
	if err != nil || len(src.Frames) != 60 || src.Path == "" {
		t.Fatalf("source: %d frames, %v", len(src.Frames), err)
	}

	// A clip's frame map decides its master frames.
	clip = &CourtExhibit{From: 10, FrameMap: []int{10, 11, 13, 14}}
	if clip.MasterFrame(2) != 13 || clip.MasterFrame(3) != 14 {
		t.Fatal("frame map not used")
	}
	if i, ok := clip.ItemFrame(12, 4); i != 2 || ok {
		t.Fatalf("ItemFrame(12) = %d %v", i, ok)
	}
	if (&CourtExhibit{From: 5}).MasterFrame(3) != 8 {
		t.Fatal("range offset")
	}

	// One flipped byte: red, and the exhibit is marked failed.
	mp := filepath.Join(dir, filepath.FromSlash(ex.Path))
	b, err := os.ReadFile(mp)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(mp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	v = c.Verify(context.Background(), nil)
	if v.OK || !v.Failed[ex.Path] || !strings.Contains(c.Headline(v), ex.Path) {
		t.Fatalf("tampered: %+v %q", v, c.Headline(v))
	}
}

// TestCourtZipAndRealTimes opens the .zip of a bundle of variable frame
// rate footage in place: the same exhibits, verified, their sources read
// from stored entries of the zip (the bytes are the folder's files), and
// the camera time of every clip frame is the master frame's real time
// (nominal-rate times are wrong for every other frame of this footage).
func TestCourtZipAndRealTimes(t *testing.T) {
	dir, _ := NewTestBundleVFR(t, 48, true)
	ctx := context.Background()
	fc, err := OpenCourt(dir)
	if err != nil {
		t.Fatal(err)
	}
	zc, err := OpenCourt(dir + ".zip")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = zc.Close() }()
	if !zc.IsZip() || len(zc.Exhibits) != len(fc.Exhibits) || len(zc.Exhibits) < 2 {
		t.Fatalf("zip exhibits %d, folder %d", len(zc.Exhibits), len(fc.Exhibits))
	}
	if v := zc.Verify(ctx, nil); !v.OK {
		t.Fatalf("zip verify: %v", v.Problems)
	}
	var master *CourtExhibit
	var msrc player.Source
	for i, ex := range zc.Exhibits {
		src, err := zc.CourtSource(ctx, ex)
		if err != nil {
			t.Fatalf("%s from the zip: %v", ex.Path, err)
		}
		fsrc, err := fc.CourtSource(ctx, fc.Exhibits[i])
		if err != nil {
			t.Fatal(err)
		}
		if src.Reader == nil || src.Path != "" || !reflect.DeepEqual(src.Frames, fsrc.Frames) {
			t.Fatalf("%s: zip source %d frames (reader %v), folder %d", ex.Path, len(src.Frames), src.Reader != nil, len(fsrc.Frames))
		}
		got, err := io.ReadAll(io.NewSectionReader(src.Reader, 0, src.Size))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(fsrc.Path)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: the zip's bytes are not the file's (%v)", ex.Path, err)
		}
		if ex.Kind == bundle.KindMaster {
			master, msrc = ex, src
		}
	}
	if master == nil {
		t.Fatal("no master in the bundle")
	}
	nominalWrong := 0
	for _, ex := range zc.Exhibits {
		if ex.Kind == bundle.KindMaster {
			continue
		}
		if len(ex.MasterTimes) == 0 {
			t.Fatalf("%s: no master times in the manifest", ex.Path)
		}
		for i := range ex.MasterTimes {
			m := ex.MasterFrame(i)
			got, exact := ex.WallClock(i, 0)
			want, _ := master.WallClock(m, msrc.Frames[m])
			if !exact || !got.Equal(want) {
				t.Fatalf("%s frame %d (master %d): camera time %v (exact %v), the master's %v", ex.Path, i, m, got, exact, want)
			}
			if !master.RecordedAt.Add(frameSpan(m, master.FPS)).Equal(want) {
				nominalWrong++
			}
		}
	}
	if nominalWrong == 0 {
		t.Fatal("the footage is not variable frame rate: the test proves nothing")
	}
	old := &CourtExhibit{Kind: bundle.KindClipCourt, From: 10, FPS: "25/1", RecordedAt: master.RecordedAt}
	if w, exact := old.WallClock(2, 0); exact || !w.Equal(master.RecordedAt.Add(480*time.Millisecond)) {
		t.Fatalf("an older clip without master times: %v %v", w, exact)
	}
}
