package redact

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"exhibit/app/media"
)

var (
	pigoDirOnce sync.Once
	pigoDir     string
	pigoDirErr  error
)

// pigoModuleDir is the directory of the pigo module in the module cache,
// as the go command reports it.
func pigoModuleDir(t testing.TB) string {
	t.Helper()
	pigoDirOnce.Do(func() {
		out, err := exec.Command("go", "list", "-m", "-json", "github.com/esimov/pigo").Output()
		if err != nil {
			pigoDirErr = err
			return
		}
		var m struct{ Version, Dir string }
		if pigoDirErr = json.Unmarshal(out, &m); pigoDirErr == nil {
			if m.Version != "v1.4.6" || m.Dir == "" {
				t.Fatalf("go list: pigo %s in %q, want v1.4.6 downloaded", m.Version, m.Dir)
			}
			pigoDir = m.Dir
		}
	})
	if pigoDirErr != nil {
		t.Fatalf("go list -m github.com/esimov/pigo: %v", pigoDirErr)
	}
	return pigoDir
}

// TestFaceCascadeIsPigos checks that the embedded cascade is byte for byte
// the one the pinned pigo module ships.
func TestFaceCascadeIsPigos(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(pigoModuleDir(t), "cascade", "facefinder"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(faceCascade, want) {
		t.Fatalf("the embedded face cascade (%d bytes) differs from pigo's (%d bytes)", len(faceCascade), len(want))
	}
	lic, err := os.ReadFile(filepath.Join(pigoModuleDir(t), "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	ours, err := os.ReadFile(filepath.Join("cascade", "LICENSE-pigo"))
	if err != nil || !bytes.Equal(ours, lic) {
		t.Fatalf("cascade/LICENSE-pigo is not pigo's licence text (%v)", err)
	}
}

// faceOverlay is the pigo module's sample portrait (testdata/sample.jpg,
// 320x400, MIT) composited at w x h: the face (brows to chin) is in its
// middle, brows to chin from 0.4h to 0.85h.
func faceOverlay(t testing.TB, w, h, x, y, dx, dy, from, to int) media.Overlay {
	return media.Overlay{Image: filepath.Join(pigoModuleDir(t), "testdata", "sample.jpg"),
		W: w, H: h, X: x, Y: y, DX: dx, DY: dy, From: from, To: to}
}

// faceRect is where the face of ov (brows to chin, cheek to cheek) is on
// frame n.
func faceRect(ov media.Overlay, n int) image.Rectangle {
	r, _ := ov.At(n)
	w, h := r.Dx(), r.Dy()
	return image.Rect(r.Min.X+w/5, r.Min.Y+h*2/5, r.Max.X-w/5, r.Min.Y+h*17/20)
}

func detectCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// decodeLuma decodes every Nth frame of path at w x h.
func decodeLuma(t testing.TB, path string, every, w, h int) []media.LumaFrame {
	t.Helper()
	ctx := detectCtx(t)
	tab, err := media.ReadFrameTable(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var out []media.LumaFrame
	if err := media.ReadLuma(ctx, path, media.LumaOptions{Table: tab, To: -1, Every: every, Width: w, Height: h},
		func(f media.LumaFrame) error { out = append(out, f); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDetectFaceInGeneratedFootage composites the sample face, moving,
// into 1280x720 generator footage beside a small still one, detects at
// 640x360 and checks that each face shown has one detection, in source
// pixels, covering the face where it is known to be, and that there are
// no others (the test pattern is no face).
func TestDetectFaceInGeneratedFootage(t *testing.T) {
	dir := t.TempDir()
	big := faceOverlay(t, 240, 300, 200, 120, 6, 2, 0, 29)
	// The smallest face the defaults are meant to find: 48 px wide at
	// 1280x720 (24 px at the working scale).
	small := faceOverlay(t, 80, 100, 1000, 400, 0, 0, 0, -1)
	path := filepath.Join(dir, "face.mp4")
	if err := media.WriteOverlaidClip(detectCtx(t), path, media.IndexedClipOptions{Width: 1280, Height: 720, Frames: 40, BFrames: 2},
		[]media.Overlay{big, small}); err != nil {
		t.Fatal(err)
	}
	d, err := NewDetector(DetectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, h := WorkingSize(1280, 720, 640)
	for _, f := range decodeLuma(t, path, 3, w, h) {
		dets := d.Detect(f.Frame, f.Image, 1280, 720)
		var want []media.Overlay
		for _, ov := range []media.Overlay{big, small} {
			if _, shown := ov.At(f.Frame); shown {
				want = append(want, ov)
			}
		}
		if len(dets) != len(want) {
			t.Errorf("frame %d: %d detections %+v, want %d", f.Frame, len(dets), dets, len(want))
			continue
		}
		for _, ov := range want {
			face := faceRect(ov, f.Frame)
			found := false
			for _, dt := range dets {
				b := dt.Box
				r := image.Rect(b.X, b.Y, b.X+b.W, b.Y+b.H)
				// Covering the face, not much larger than the portrait, square.
				if face.In(r) && b.W <= ov.W*5/4 && b.W == b.H && dt.Frame == f.Frame && dt.Score > 0 {
					found = true
					t.Logf("frame %d: %v score %.1f", f.Frame, b, dt.Score)
				}
			}
			if !found {
				t.Errorf("frame %d: no detection %+v covers the face at %v", f.Frame, dets, face)
			}
		}
	}
}

func TestWorkingSize(t *testing.T) {
	for _, c := range []struct{ w, h, max, ww, wh int }{
		{1920, 1080, 640, 640, 360}, {1280, 720, 640, 640, 360}, {320, 180, 640, 320, 180},
		{1440, 1080, 640, 640, 480}, {641, 361, 640, 640, 360},
	} {
		if w, h := WorkingSize(c.w, c.h, c.max); w != c.ww || h != c.wh {
			t.Errorf("WorkingSize(%d, %d, %d) = %d, %d, want %d, %d", c.w, c.h, c.max, w, h, c.ww, c.wh)
		}
	}
}

func TestIoU(t *testing.T) {
	a := Box{0, 0, 10, 10}
	for _, c := range []struct {
		b    Box
		want float64
	}{{Box{0, 0, 10, 10}, 1}, {Box{5, 0, 10, 10}, 50.0 / 150}, {Box{10, 0, 10, 10}, 0}, {Box{}, 0}} {
		if got := IoU(a, c.b); got != c.want {
			t.Errorf("IoU(%v, %v) = %v, want %v", a, c.b, got, c.want)
		}
	}
}
