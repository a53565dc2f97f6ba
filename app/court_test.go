package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"exhibit/bundle"
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
	if _, err := OpenCourt(dir + ".zip"); err != ErrCourtZip {
		t.Fatalf("zip: %v", err)
	}
}
