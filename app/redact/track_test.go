package redact

import (
	"image"
	"path/filepath"
	"strings"
	"testing"

	"exhibit/app/media"
)

// markerFootage writes 640x360 generator footage (B-frames) of n frames
// with the textured marker composited as ovs say (Image is filled in), and
// decodes every frame at the tracker's working size for a 48 px box.
func markerFootage(t *testing.T, n int, ovs ...media.Overlay) (frames []media.LumaFrame, ww, wh int) {
	t.Helper()
	dir := t.TempDir()
	marker := filepath.Join(dir, "marker.png")
	if err := media.WriteMarkerPNG(marker, 48, 3); err != nil {
		t.Fatal(err)
	}
	for i := range ovs {
		ovs[i].Image = marker
	}
	path := filepath.Join(dir, "marker.mp4")
	if err := media.WriteOverlaidClip(detectCtx(t), path, media.IndexedClipOptions{Width: 640, Height: 360, Frames: n, BFrames: 2}, ovs); err != nil {
		t.Fatal(err)
	}
	ww = TrackWorkingWidth(640, Box{W: 48, H: 48})
	ww, wh = WorkingSize(640, 360, ww)
	return decodeLuma(t, path, 1, ww, wh), ww, wh
}

func boxOf(r image.Rectangle) Box { return Box{X: r.Min.X, Y: r.Min.Y, W: r.Dx(), H: r.Dy()} }

// checkKeyframes checks that every keyframe is within 3 px of where the
// marker truly is.
func checkKeyframes(t *testing.T, ks []Keyframe, where func(n int) Box) {
	t.Helper()
	for _, k := range ks {
		w := where(k.Frame)
		if d := max(frameGap(k.Box.X-w.X), frameGap(k.Box.Y-w.Y)); d > 3 || k.Box.W != w.W || k.Box.H != w.H {
			t.Errorf("keyframe at frame %d: %v, the marker is at %v", k.Frame, k.Box, w)
		}
	}
}

func frames(ks []Keyframe) []int {
	var out []int
	for _, k := range ks {
		out = append(out, k.Frame)
	}
	return out
}

// TestTrackMarker follows a marker moving 4 px right and 2 px down per
// frame forward from frame 0 and backward from frame 44, with a keyframe
// every 5 frames; the marker disappears after frame 44, where the forward
// tracker must say it lost it.
func TestTrackMarker(t *testing.T) {
	ov := media.Overlay{W: 48, H: 48, X: 100, Y: 100, DX: 4, DY: 2, From: 0, To: 44}
	fs, ww, wh := markerFootage(t, 60, ov)
	at := func(n int) Box { r, _ := ov.At(n); return boxOf(r) }

	tr := NewTracker(Keyframe{Frame: 0, Box: at(0)}, +1, nil, 640, 360, ww, wh, TrackOptions{Every: 5})
	for _, f := range fs {
		if !tr.Step(f.Frame, f.Image) {
			break
		}
	}
	res := tr.Result()
	if !res.Lost || res.LostAt != 45 || res.Last != 44 || res.From != 0 {
		t.Fatalf("forward: %+v, want lost at frame 45 after following to 44", res)
	}
	want := []int{5, 10, 15, 20, 25, 30, 35, 40, 44}
	if got := frames(res.Keyframes); !equalInts(got, want) {
		t.Errorf("forward keyframes at %v, want %v", got, want)
	}
	checkKeyframes(t, res.Keyframes, at)
	if msg := res.Message(); !strings.Contains(msg, "Lost the object at frame 45") || !strings.Contains(msg, "to frame 44") {
		t.Errorf("message %q", msg)
	}

	tr = NewTracker(Keyframe{Frame: 44, Box: at(44)}, -1, nil, 640, 360, ww, wh, TrackOptions{Every: 5})
	for i := 44; i >= 0; i-- {
		if !tr.Step(fs[i].Frame, fs[i].Image) {
			break
		}
	}
	res = tr.Result()
	if res.Lost || res.Last != 0 {
		t.Fatalf("backward: %+v, want followed to frame 0", res)
	}
	want = []int{0, 4, 9, 14, 19, 24, 29, 34, 39}
	if got := frames(res.Keyframes); !equalInts(got, want) {
		t.Errorf("backward keyframes at %v, want %v", got, want)
	}
	checkKeyframes(t, res.Keyframes, at)
	if msg := res.Message(); msg != "Followed the object from frame 44 to frame 0." {
		t.Errorf("message %q", msg)
	}
}

// TestTrackReanchors: the marker jumps to another place at frame 30. The
// tracker loses it there, unless the user keyed the new place on frame 30:
// then it takes that box and template and follows on to the end.
func TestTrackReanchors(t *testing.T) {
	a := media.Overlay{W: 48, H: 48, X: 60, Y: 80, DX: 4, DY: 0, From: 0, To: 29}
	b := media.Overlay{W: 48, H: 48, X: 520, Y: 90, DX: -4, DY: 2, From: 30, To: -1} // at 400,150 on frame 30
	fs, ww, wh := markerFootage(t, 50, a, b)
	at := func(n int) Box {
		if r, ok := a.At(n); ok {
			return boxOf(r)
		}
		r, _ := b.At(n)
		return boxOf(r)
	}
	run := func(anchors []Keyframe) TrackResult {
		tr := NewTracker(Keyframe{Frame: 0, Box: at(0)}, +1, anchors, 640, 360, ww, wh, TrackOptions{Every: 10})
		for _, f := range fs {
			if !tr.Step(f.Frame, f.Image) {
				break
			}
		}
		return tr.Result()
	}
	res := run(nil)
	if !res.Lost || res.LostAt != 30 {
		t.Fatalf("without the user's keyframe: %+v, want lost at frame 30", res)
	}
	checkKeyframes(t, res.Keyframes, at)
	res = run([]Keyframe{{Frame: 30, Box: at(30)}})
	if res.Lost || res.Last != 49 {
		t.Fatalf("with the user's keyframe at 30: %+v, want followed to frame 49", res)
	}
	want := []int{10, 20, 40, 49}
	if got := frames(res.Keyframes); !equalInts(got, want) {
		t.Errorf("keyframes at %v, want %v", got, want)
	}
	checkKeyframes(t, res.Keyframes, at)
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
