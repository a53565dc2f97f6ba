package media

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var testNow = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

func TestPlanTestMedia(t *testing.T) {
	opt := TestMediaOptions{Cameras: 4, Minutes: 3.5, Seed: 9, Now: testNow, Sidecars: true}
	a, err := planTestMedia("/dock", opt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := planTestMedia("/dock", opt)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("plan is not deterministic")
	}
	c, _ := planTestMedia("/dock", TestMediaOptions{Cameras: 4, Minutes: 3.5, Seed: 10, Now: testNow})
	if reflect.DeepEqual(a, c) {
		t.Error("different seeds give the same plan")
	}
	perCam := map[string]float64{}
	sizes := map[[2]int]bool{}
	rates := map[int64]bool{}
	withSidecar := 0
	names := map[string]bool{}
	for i, clip := range a {
		o := clip.opt
		secs := float64(o.Frames) / o.FPS.Float()
		if secs < 20-0.1 || secs > 60+0.1 {
			t.Errorf("clip %d lasts %.1f s, want 20-60", i, secs)
		}
		perCam[clip.cam.DeviceSerial] += secs
		sizes[[2]int{o.Width, o.Height}] = true
		rates[o.FPS.Num] = true
		if g := float64(o.GOP) / o.FPS.Float(); g < 1 || g > 2 || o.BFrames != 2 {
			t.Errorf("clip %d GOP %d at %v fps, %d B-frames", i, o.GOP, o.FPS, o.BFrames)
		}
		if clip.sidecar {
			withSidecar++
		}
		if clip.sidecar != (i%4 != 1) {
			t.Errorf("clip %d sidecar %v", i, clip.sidecar)
		}
		if !clip.at.Before(testNow.Add(-time.Duration(secs*float64(time.Second)))) || clip.at.Before(testNow.AddDate(0, 0, -8)) {
			t.Errorf("clip %d recorded at %v, want within the week before %v", i, clip.at, testNow)
		}
		want := filepath.Join("/dock", clip.cam.DeviceSerial, "DCIM", "100BWV") + string(filepath.Separator)
		if !strings.HasPrefix(clip.path, want) || !strings.HasSuffix(clip.path, ".MP4") {
			t.Errorf("clip %d path %s", i, clip.path)
		}
		if !strings.Contains(filepath.Base(clip.path), clip.at.Format("20060102_150405")) {
			t.Errorf("clip %d name %s lacks its time %v", i, clip.path, clip.at)
		}
		if names[clip.path] {
			t.Errorf("duplicate path %s", clip.path)
		}
		names[clip.path] = true
		if i > 0 && a[i-1].cam == clip.cam && !a[i-1].at.Before(clip.at) {
			t.Errorf("clip %d not after clip %d", i, i-1)
		}
	}
	if len(perCam) != 4 {
		t.Errorf("%d cameras, want 4", len(perCam))
	}
	for cam, secs := range perCam {
		if secs < 3.5*60-1 || secs > 3.5*60+1 {
			t.Errorf("camera %s has %.1f s, want 210", cam, secs)
		}
	}
	if len(sizes) != 2 || len(rates) != 2 {
		t.Errorf("sizes %v rates %v: want 1080p and 720p, 25 and 30 fps", sizes, rates)
	}
	if withSidecar == 0 || withSidecar == len(a) {
		t.Errorf("%d of %d clips with sidecar: want a mix", withSidecar, len(a))
	}
	if _, err := planTestMedia("/dock", TestMediaOptions{Fleet: []Camera{{DeviceSerial: "../x"}}}); err == nil {
		t.Error("accepted a serial with a path separator")
	}
}

func TestTestCameras(t *testing.T) {
	a, b := TestCameras(8, 3), TestCameras(8, 3)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("not deterministic")
	}
	seen := map[string]bool{}
	for _, c := range a {
		if c.Officer == "" || c.Make == "" || c.Model == "" || !regexp.MustCompile(`^[A-Z0-9]+$`).MatchString(c.DeviceSerial) {
			t.Errorf("camera %+v", c)
		}
		if seen[c.DeviceSerial] {
			t.Errorf("duplicate serial %s", c.DeviceSerial)
		}
		seen[c.DeviceSerial] = true
	}
}

func TestGenerateTestMedia(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var mu sync.Mutex
	var calls [][2]int
	paths, err := GenerateTestMedia(testCtx(t), dir, TestMediaOptions{
		Cameras: 2, Minutes: 0.3, Seed: 42, Now: testNow, Sidecars: true, Small: true, Junk: true,
	}, func(done, total int) {
		mu.Lock()
		calls = append(calls, [2]int{done, total})
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 {
		t.Fatalf("%d clips, want 2: %v", len(paths), paths)
	}
	if want := [][2]int{{0, 2}, {1, 2}, {2, 2}}; !reflect.DeepEqual(calls, want) {
		t.Errorf("progress calls %v, want %v", calls, want)
	}
	layout := regexp.MustCompile(`^([A-Z0-9]+)/DCIM/100BWV/([A-Z0-9]+)_(\d{8}_\d{6})_\d{4}\.MP4$`)
	for i, p := range paths {
		rel, _ := filepath.Rel(dir, p)
		m := layout.FindStringSubmatch(filepath.ToSlash(rel))
		if m == nil || m[1] != m[2] {
			t.Fatalf("clip %s does not follow SERIAL/DCIM/100BWV/SERIAL_YYYYMMDD_HHMMSS_NNNN.MP4", rel)
		}
		serial := m[1]
		nameTime, _ := time.Parse("20060102_150405", m[3])
		pr, err := ProbeFile(testCtx(t), p)
		if err != nil {
			t.Fatal(err)
		}
		if pr.Container != "mp4" || pr.VideoCodec != "h264" || pr.AudioCodec != "aac" || pr.Width != 320 || pr.Height != 180 {
			t.Errorf("%s: %s %s %s %dx%d", rel, pr.Container, pr.VideoCodec, pr.AudioCodec, pr.Width, pr.Height)
		}
		if d := pr.Duration.Seconds(); d < 17.5 || d > 18.5 {
			t.Errorf("%s lasts %v, want 18 s", rel, pr.Duration)
		}
		if !pr.CreationTime.Equal(nameTime) {
			t.Errorf("%s creation_time %v, name says %v", rel, pr.CreationTime, nameTime)
		}
		if pr.Tags["serial"] != serial || pr.Tags["make"] == "" || pr.Tags["model"] == "" {
			t.Errorf("%s tags %v", rel, pr.Tags)
		}
		if !moovAfterMdat(t, p) {
			t.Errorf("%s: moov is not at the end", rel)
		}
		// Decodable, with B-frames, and the band numbers the frames.
		ft, err := ReadFrameTable(testCtx(t), p)
		if err != nil {
			t.Fatal(err)
		}
		fps := pr.FrameRate.Float()
		if want := int(18*fps + 0.5); len(ft.Frames) != want {
			t.Errorf("%s has %d frames, want %d", rel, len(ft.Frames), want)
		}
		hasB := false
		for _, f := range ft.Frames {
			hasB = hasB || f.Type == 'B'
		}
		if !hasB {
			t.Errorf("%s has no B-frames", rel)
		}
		jpg, err := Thumbnail(testCtx(t), p, 2*time.Second, 0)
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(bytes.NewReader(jpg))
		if err != nil {
			t.Fatal(err)
		}
		if n, err := DecodeIndexBand(img); err != nil || n != int(2*fps+0.5) {
			t.Errorf("%s at 2 s shows frame %d, %v; want %d", rel, n, err, int(2*fps+0.5))
		}
		// Sidecar: every fourth clip from the second has none.
		sidecar := strings.TrimSuffix(p, ".MP4") + ".json"
		b, err := os.ReadFile(sidecar)
		if i%4 == 1 {
			if !errors.Is(err, os.ErrNotExist) {
				t.Errorf("clip %d should have no sidecar: %v", i, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var sc map[string]any
		if err := json.Unmarshal(b, &sc); err != nil {
			t.Fatalf("sidecar %s: %v", sidecar, err)
		}
		if sc["device_serial"] != serial || sc["officer"] == "" || sc["recorded_at"] != nameTime.Format(time.RFC3339) {
			t.Errorf("sidecar %s = %s", sidecar, b)
		}
		if at, err := time.Parse(time.RFC3339, sc["recorded_at"].(string)); err != nil || at.Location() != time.UTC {
			t.Errorf("recorded_at %v not RFC 3339 UTC: %v", sc["recorded_at"], err)
		}
		if gps, ok := sc["gps"].(map[string]any); ok {
			if _, ok := gps["lat"].(float64); !ok {
				t.Errorf("gps %v", gps)
			}
		}
	}
	// Junk for the ingest tests.
	junk, err := filepath.Glob(filepath.Join(dir, "_junk", "DCIM", "100BWV", "*"))
	if err != nil || len(junk) != 4 {
		t.Errorf("junk files %v, %v; want 4", junk, err)
	}
	for _, j := range junk {
		if _, err := ProbeFile(testCtx(t), j); !errors.Is(err, ErrNotMedia) {
			t.Errorf("junk %s: %v", j, err)
		}
	}
	// Nothing left over from temporary files.
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".") {
			t.Errorf("temporary file left behind: %s", p)
		}
		return nil
	})
	t.Logf("captions drawn: %v", CaptionSupported())
}

// moovAfterMdat reports whether the MP4's top-level moov box follows mdat,
// as cameras write them.
func moovAfterMdat(t *testing.T, path string) bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var order []string
	var off int64
	for {
		var hdr [16]byte
		if _, err := f.ReadAt(hdr[:8], off); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		size := int64(binary.BigEndian.Uint32(hdr[:4]))
		typ := string(hdr[4:8])
		if size == 1 {
			if _, err := f.ReadAt(hdr[8:16], off+8); err != nil {
				t.Fatal(err)
			}
			size = int64(binary.BigEndian.Uint64(hdr[8:16]))
		}
		order = append(order, typ)
		if size == 0 {
			break
		}
		if size < 8 {
			t.Fatalf("bad box size %d at %d", size, off)
		}
		off += size
	}
	mdat, moov := -1, -1
	for i, b := range order {
		switch b {
		case "mdat":
			mdat = i
		case "moov":
			moov = i
		}
	}
	return mdat >= 0 && moov > mdat
}
