package media

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestRenderRedactedContainers: every frame of the range, once, at its
// master time, from every container the court clip takes (each with its
// own way of finding frame From), with the stage seeing each master frame
// number in order; the format is the court clip's (checkCourtFormat).
func TestRenderRedactedContainers(t *testing.T) {
	bf := IndexedClipOptions{Frames: 80, GOP: 25, BFrames: 2, Audio: true}
	cases := []struct {
		name, file string
		from, to   int
	}{
		{"mp4", "clip-bf.mp4", 30, 60},
		{"mp4 first and last", "clip-bf.mp4", 0, 79},
		{"mpeg-ts", "clip-bf.ts", 7, 33},
		{"matroska", "clip-bf.mkv", 26, 50},
		{"avi", "clip-bf.avi", 12, 40},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := testCtx(t)
			src := fixture(t, "redact-"+c.file, bf)
			ft, err := ReadFrameTable(ctx, src)
			if err != nil {
				t.Fatal(err)
			}
			pr, err := ProbeFile(ctx, src)
			if err != nil {
				t.Fatal(err)
			}
			r := ClipRange{Table: ft, From: c.from, To: c.to, Container: pr.Container}
			out := filepath.Join(t.TempDir(), "redacted.mp4")
			next := c.from
			stage := func(n int, y, u, v []byte) error {
				if n != next || len(y) != 320*180 || len(u) != 160*90 || len(v) != 160*90 {
					return fmt.Errorf("stage got frame %d (%d, %d, %d bytes), want %d", n, len(y), len(u), len(v), next)
				}
				next++
				return nil
			}
			res, err := RenderRedacted(ctx, src, out, r, RedactOptions{Width: 320, Height: 180, Audio: true,
				Edits: []AudioEdit{{From: 0.2, To: 0.4}}}, stage, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := bandIndices(t, out); !sameInts(got, wantRange(c.from, c.to)) || !sameInts(res.FrameMap, got) {
				t.Fatalf("redacted copy shows frames %v (frame map %v), want %d..%d", got, res.FrameMap, c.from, c.to)
			}
			h, err := FrameHash(ctx, out)
			checkCourtHash(t, "redacted copy", h, err, r)
			checkCourtFormat(t, out, r)
		})
	}
}

// TestRenderRedactedStops: a stage error or a cancel stops both ffmpeg
// processes and is returned.
func TestRenderRedactedStops(t *testing.T) {
	ctx := testCtx(t)
	src := fixture(t, "redact-clip-bf.mp4", IndexedClipOptions{Frames: 80, GOP: 25, BFrames: 2, Audio: true})
	ft, err := ReadFrameTable(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	r := ClipRange{Table: ft, From: 10, To: 70, Container: "mp4"}
	o := RedactOptions{Width: 320, Height: 180, Audio: true}
	boom := errors.New("boom")
	_, err = RenderRedacted(ctx, src, filepath.Join(t.TempDir(), "a.mp4"), r, o, func(n int, _, _, _ []byte) error {
		if n == 20 {
			return boom
		}
		return nil
	}, nil)
	if !errors.Is(err, boom) {
		t.Fatalf("stage error: %v", err)
	}
	// An encoder that fails says why (ffmpeg's own message), not only that
	// the pipe broke.
	bad := o
	bad.Preset = "no-such-preset"
	_, err = RenderRedacted(ctx, src, filepath.Join(t.TempDir(), "c.mp4"), r, bad, func(int, []byte, []byte, []byte) error { return nil }, nil)
	if err == nil || !strings.Contains(err.Error(), "encode the redacted copy") || strings.Contains(err.Error(), "broken pipe") {
		t.Fatalf("failing encoder: %v", err)
	}
	t.Logf("failing encoder: %v", err)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	_, err = RenderRedacted(cctx, src, filepath.Join(t.TempDir(), "b.mp4"), r, o, func(n int, _, _, _ []byte) error { return nil },
		func(f float64) {
			if f > 0.2 {
				cancel()
			}
		})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}
