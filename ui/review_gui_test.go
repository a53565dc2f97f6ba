package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"exhibit/app"
	"exhibit/app/media"
)

// The review clip: 640x360, 25 fps, 120 frames, GOP 50, two B-frames,
// with sound, in a store of its own.
const (
	reviewClipFrames = 120
	reviewOfficer    = "PS 1187 Patel"
	reviewRecordedAt = "2026-11-28T14:33:20Z"
)

var (
	reviewOnce  sync.Once
	reviewDir   string
	reviewRecID string
	reviewErr   error
)

// reviewStore returns a passphrase store holding the review clip and the
// clip's recording id. It is made once per test binary.
func reviewStore(t testing.TB) (dir, id string) {
	t.Helper()
	reviewOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		src := filepath.Join(tmpRoot, "review-src", "X6001234_20261128_143320_0001.MP4")
		if reviewErr = os.MkdirAll(filepath.Dir(src), 0o755); reviewErr != nil {
			return
		}
		opt := media.IndexedClipOptions{Width: 640, Height: 360, FPS: media.Rational{Num: 25, Den: 1},
			Frames: reviewClipFrames, GOP: 50, BFrames: 2, Audio: true, CreationTime: reviewRecordedAt,
			Metadata: map[string]string{"make": "Axon", "model": "Axon Body 3"}}
		if media.CaptionSupported() {
			opt.Caption = []string{"AXON BODY 3  X6001234", "%{pts:gmtime:1795876400}"}
		}
		if reviewErr = media.WriteIndexedClip(ctx, src, opt); reviewErr != nil {
			return
		}
		sc, _ := json.Marshal(map[string]any{"officer": reviewOfficer, "device_serial": "X6001234", "recorded_at": reviewRecordedAt})
		if reviewErr = os.WriteFile(strings.TrimSuffix(src, filepath.Ext(src))+".json", sc, 0o644); reviewErr != nil {
			return
		}
		reviewDir = filepath.Join(tmpRoot, "review-store")
		lib, err := createStore(ctx, reviewDir, testPassphrase)
		if err != nil {
			reviewErr = err
			return
		}
		defer lib.Close()
		res, err := lib.Ingest(ctx, []string{src}, app.IngestOptions{})
		if err != nil {
			reviewErr = err
			return
		}
		if len(res) != 1 || res[0].Status != app.Imported {
			reviewErr = fmt.Errorf("ingest review clip: %+v", res)
			return
		}
		recs, err := lib.List(ctx, app.Filter{}, app.SortRecordedAt, false)
		if err != nil || len(recs) != 1 {
			reviewErr = fmt.Errorf("list review store: %d recordings, %v", len(recs), err)
			return
		}
		reviewRecID = recs[0].ID
	})
	if reviewErr != nil {
		t.Fatalf("review store: %v", reviewErr)
	}
	return reviewDir, reviewRecID
}

// TestReviewRealEngine drives the review screen over the real engine and
// an encrypted master, headless: each key must put the frame it names on
// the VideoView (read back from the picture's index band).
func TestReviewRealEngine(t *testing.T) {
	dir, id := reviewStore(t)
	lib := openStoreAs(t, dir, testPassphrase, adminName)
	test.NewTempApp(t)
	q := newUIQueue()
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1280, 800))
	shift := false
	s := newReviewScreen(lib, w, id, nil, nil)
	s.engOpt.AudioOutput = "null"
	s.do = q.do
	s.mods = func() fyne.KeyModifier {
		if shift {
			return fyne.KeyModifierShift
		}
		return 0
	}
	w.SetContent(s.content)
	s.start()
	defer func() {
		done := s.close()
		for {
			select {
			case <-done:
				w.Close()
				return
			case f := <-q:
				f()
			}
		}
	}()
	q.until(t, "the review to open", func() bool { return s.count > 0 && s.video.Image() != nil || s.failed })
	if s.failed {
		t.Fatalf("review failed: %s", s.message.Text)
	}
	if s.count != reviewClipFrames {
		t.Fatalf("%d frames, want %d", s.count, reviewClipFrames)
	}
	if got := w.Title(); !strings.HasPrefix(got, "Exhibit — Review "+id+" — "+reviewOfficer+" ") {
		t.Errorf("title %q", got)
	}
	h := &reviewHarness{s: s, q: q, w: w}
	type step struct {
		name string
		do   func()
		want int
	}
	for _, st := range []step{
		{"open", func() {}, 0},
		{"Right", func() { h.key(fyne.KeyRight) }, 1},
		{"Right", func() { h.key(fyne.KeyRight) }, 2},
		{"Right", func() { h.key(fyne.KeyRight) }, 3},
		{"Left", func() { h.key(fyne.KeyLeft) }, 2},
		{"End", func() { h.key(fyne.KeyEnd) }, 119},
		{"Left", func() { h.key(fyne.KeyLeft) }, 118},
		{"Home", func() { h.key(fyne.KeyHome) }, 0},
		{"period", func() { h.rune('.') }, 1},
		{"comma", func() { h.rune(',') }, 0},
		{"shift+Right", func() { shift = true; h.key(fyne.KeyRight); shift = false }, 25},
		{"timeline", func() { s.timeline.OnSeek(s.timeline.FrameAt(s.timeline.Size().Width * 0.75)) }, 90},
	} {
		st.do()
		q.until(t, st.name, func() bool { return !s.nav.busy() && len(q) == 0 && s.cur == st.want || s.failed })
		if s.failed {
			t.Fatalf("%s: %s", st.name, s.message.Text)
		}
		// The picture is published with the position: wait for it (a
		// picture of another frame never matches), then check both.
		q.until(t, st.name+": its picture", func() bool {
			n, err := media.DecodeIndexBand(s.video.Image())
			return err == nil && n == st.want
		})
		n, err := media.DecodeIndexBand(s.video.Image())
		if err != nil || n != st.want || s.cur != st.want {
			t.Errorf("%s: picture shows frame %d (%v), screen at %d; want %d", st.name, n, err, s.cur, st.want)
		}
		if f, _, _ := s.readout(); f != formatFrameReadout(st.want, reviewClipFrames) {
			t.Errorf("%s: readout %q", st.name, f)
		}
	}
	// Hovering the timeline shows a preview from the small engine.
	s.timeline.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(s.timeline.Size().Width/2, 4)}})
	q.until(t, "a hover preview", func() bool { img, _ := s.timeline.Preview(); return img != nil })
	if img, n := s.timeline.Preview(); img.Rect.Dx() != previewW {
		t.Errorf("preview %v wide", img.Rect)
	} else if got, err := media.DecodeIndexBand(img); err != nil || got != n || n != s.timeline.FrameAt(s.timeline.Size().Width/2) {
		t.Errorf("preview shows %d (%v), labelled %d", got, err, n)
	}
	s.timeline.MouseOut()

	// Playback advances frames through the ticker, then K stops it on an
	// exactly known frame.
	h.key(fyne.KeySpace)
	q.until(t, "playback to move", func() bool { return s.cur > 40 || s.failed })
	h.rune('k')
	q.until(t, "pause, the picture and the readout agreeing", func() bool {
		n, err := media.DecodeIndexBand(s.video.Image())
		return !s.nav.busy() && len(q) == 0 && !s.isPlaying && err == nil && n == s.cur
	})
}

// Child process of TestReviewGUIUnderXvfb.
const (
	reviewChildEnv      = "EXHIBIT_UI_REVIEW_CHILD"
	reviewChildIDEnv    = "EXHIBIT_UI_REVIEW_CHILD_ID"
	reviewChildStateEnv = "EXHIBIT_UI_REVIEW_CHILD_STATE"
)

// reviewState is what the child reports after every new position: the
// readout, and where the picture is in the window, in pixels.
type reviewState struct {
	Seq                 int
	Frame               int
	FrameText, Media    string
	Wall                string
	X, Y, Width, Height int
	Playing             bool
	// Timeline track: left, vertical middle and width, in pixels.
	TimelineX, TimelineY, TimelineW int
	// TimelineTop is the top of the timeline (marker ticks start there).
	TimelineTop int
	// The marker list: each row's text, and where each marker's first
	// frame is on the timeline (x, in pixels); whether a note has the keys.
	MarkRows    []string
	MarkX       []int
	NoteFocused bool
	// Preview: the timeline shows a hover preview picture.
	Preview bool
	// The tools: timeline zoom, the picture panel shown and the picture
	// adjusted, the message over the video, the waveform's note ("": levels
	// drawn), the GPS readout.
	Zoom                 float64
	Panel, Adjusted      bool
	Flash, WaveNote, GPS string
	// Layout, in pixels: the window's canvas, the bottom of the picture
	// area, the bottom of the bottom bar (transport and readout) and the
	// top of the timeline widget.
	CanvasW, CanvasH, VideoBottom, BarBottom, TimelineWidgetTop int
}

// reviewGUIChild runs the application straight into the review screen and
// reports its state to a file.
func reviewGUIChild() int {
	statePath := os.Getenv(reviewChildStateEnv)
	seq := 0
	var last *reviewScreen
	var report func(s *reviewScreen)
	reviewShown = func(s *reviewScreen) {
		seq++
		last = s
		report(s)
	}
	// The first frame can be shown before the window's layout has settled:
	// report the geometry again a few times a second so it converges.
	go func() {
		for range time.Tick(250 * time.Millisecond) {
			fyne.Do(func() {
				if last != nil {
					report(last)
				}
			})
		}
	}()
	report = func(s *reviewScreen) {
		pos, size, _ := s.video.PictureRect()
		abs := fyne.CurrentApp().Driver().AbsolutePositionForObject(s.video)
		sc := s.win.Canvas().Scale()
		f, m, w := s.readout()
		st := reviewState{Seq: seq, Frame: s.cur, FrameText: f, Media: m, Wall: w, Playing: s.isPlaying,
			X: int((abs.X + pos.X) * sc), Y: int((abs.Y + pos.Y) * sc),
			Width: int(size.Width * sc), Height: int(size.Height * sc)}
		tl := fyne.CurrentApp().Driver().AbsolutePositionForObject(s.timeline)
		// The track band lies under the row of time labels.
		st.TimelineX, st.TimelineY = int(tl.X*sc), int((tl.Y+trackTop()+1.5*trackHeight)*sc)
		st.TimelineW = int(s.timeline.Size().Width * sc)
		st.TimelineTop = int((tl.Y + trackTop()) * sc)
		if img, _ := s.timeline.Preview(); img != nil {
			st.Preview = true
		}
		if p := s.side; p != nil {
			for _, a := range p.marks {
				row := markFrames(a, s.frames) + " | " + categoryTitle(a.Category)
				if a.Note != "" {
					row += " — " + a.Note
				}
				st.MarkRows = append(st.MarkRows, row)
				st.MarkX = append(st.MarkX, int((tl.X+s.timeline.MarkX(a.FrameIn))*sc))
			}
			st.NoteFocused = s.win.Canvas().Focused() == p.note
		}
		st.Zoom = s.timeline.Zoom()
		st.Panel, st.Adjusted = s.tools.panel.Visible(), !s.tools.adjust.Neutral()
		st.Flash, st.WaveNote = s.flashText(), s.tools.wave.Note()
		if s.tools.gpsBox.Visible() {
			st.GPS = s.tools.gpsLbl.Text
		}
		cs := s.win.Canvas().Size()
		st.CanvasW, st.CanvasH = int(cs.Width*sc), int(cs.Height*sc)
		va := fyne.CurrentApp().Driver().AbsolutePositionForObject(s.video)
		st.VideoBottom = int((va.Y + s.video.Size().Height) * sc)
		for _, row := range []*fyne.Container{s.transportRow, s.readoutRow} {
			ra := fyne.CurrentApp().Driver().AbsolutePositionForObject(row)
			st.BarBottom = max(st.BarBottom, int((ra.Y+row.Size().Height)*sc))
		}
		st.TimelineWidgetTop = int(tl.Y * sc)
		writeState(statePath, st)
	}
	sessionStarted = noRetention
	opts := childOptions()
	opts.ReviewID = os.Getenv(reviewChildIDEnv)
	if err := Run(opts); err != nil {
		fmt.Fprintln(os.Stderr, "review child:", err)
		return 1
	}
	return 0
}

// TestReviewGUIUnderXvfb opens the review screen in a real window under an
// X server, types keys into it with xdotool and checks from screenshots
// (the frame-index band of the picture) that each key shows the right
// frame, and from the window's own report that the readout agrees. Run it
// with EXHIBIT_GUI_TEST=1 and DISPLAY set, e.g.
//
//	Xvfb :97 -screen 0 1600x1000x24 & EXHIBIT_GUI_TEST=1 DISPLAY=:97 go test -tags migrated_fynedo -run ReviewGUI ./ui/
func TestReviewGUIUnderXvfb(t *testing.T) {
	if os.Getenv("EXHIBIT_GUI_TEST") != "1" || os.Getenv("DISPLAY") == "" {
		t.Skip("real-window test: set EXHIBIT_GUI_TEST=1 and DISPLAY (an X server such as Xvfb) to run it")
	}
	dir, id := reviewStore(t)
	statePath := filepath.Join(t.TempDir(), "state.json")
	p := startGUIChild(t, reviewChildEnv+"=1", guiChildStoreEnv+"="+dir, guiChildPassEnv+"="+testPassphrase,
		guiChildUserEnv+"="+adminName, guiChildPwEnv+"="+adminPassword,
		reviewChildIDEnv+"="+id, reviewChildStateEnv+"="+statePath, "FYNE_SCALE=1", "TZ=Europe/London")
	wid := p.window(t, "Review "+id)

	readState := func() (reviewState, bool) {
		var st reviewState
		b, err := os.ReadFile(statePath)
		return st, err == nil && json.Unmarshal(b, &st) == nil
	}
	shot := func() image.Image {
		t.Helper()
		b, err := exec.Command("import", "-window", wid, "png:-").Output()
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		return img
	}
	// expect waits for the window to report frame want and for the
	// picture on screen to carry that frame number.
	expect := func(step string, want int) image.Image {
		t.Helper()
		// A bounded wait for the window, not a speed requirement: the first
		// step includes the app's start under the race detector.
		deadline := time.Now().Add(60 * time.Second)
		var st reviewState
		for {
			var ok bool
			if st, ok = readState(); ok && st.Frame == want {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the window reports frame %d (%+v), want %d", step, st.Frame, st, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if st.FrameText != formatFrameReadout(want, reviewClipFrames) {
			t.Errorf("%s: readout %q", step, st.FrameText)
		}
		for {
			img := shot()
			if fresh, ok := readState(); ok && fresh.Frame == want {
				st = fresh // the layout may have moved the picture since
			}
			crop := image.NewRGBA(image.Rect(0, 0, st.Width, st.Height))
			draw.Draw(crop, crop.Rect, img, image.Pt(st.X, st.Y), draw.Src)
			n, err := media.DecodeIndexBand(crop)
			if err == nil && n == want {
				return img
			}
			if time.Now().After(deadline) {
				failShot := filepath.Join(os.TempDir(), "exhibit-review-failed-"+step+".png")
				if f, ferr := os.Create(failShot); ferr == nil {
					png.Encode(f, img)
					f.Close()
				}
				t.Fatalf("%s: the screen shows frame %d (%v), want %d (window %s, video area %+v)", step, n, err, want, failShot, st)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	key := func(k string) {
		t.Helper()
		if out, err := exec.Command("xdotool", "key", "--window", wid, k).CombinedOutput(); err != nil {
			t.Fatalf("xdotool key %s: %v %s", k, err, out)
		}
	}

	expect("open", 0)
	for _, st := range []struct {
		key  string
		want int
	}{
		{"Right", 1}, {"Right", 2}, {"Right", 3}, {"Left", 2}, {"End", 119}, {"Home", 0},
		{"period", 1}, {"comma", 0}, {"shift+Right", 25}, {"Right", 26}, {"shift+Left", 1},
	} {
		key(st.key)
		expect(st.key, st.want)
	}
	// The picture for the record: a frame in the middle, keys overlay off.
	key("shift+Right")
	key("shift+Right")
	expect("shift+Right x2", 51)
	st, _ := readState()
	if want := "Sat 28 Nov 2026 14:33:22.040 GMT"; st.Wall != want {
		t.Errorf("wall clock readout %q, want %q", st.Wall, want)
	}
	if st.Media != "00:00:02.040" {
		t.Errorf("media time %q, want 00:00:02.040", st.Media)
	}
	// The pointer on the timeline shows a preview; keep that in the
	// picture too.
	x := st.TimelineX + st.TimelineW*3/4
	if out, err := exec.Command("xdotool", "mousemove", "--window", wid, strconv.Itoa(x), strconv.Itoa(st.TimelineY)).CombinedOutput(); err != nil {
		t.Fatalf("xdotool mousemove: %v %s", err, out)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if st, ok := readState(); ok && st.Preview {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no timeline preview under the pointer")
		}
		p.running(t)
	}
	shot()
	p.running(t)
}

// saveShot keeps a screenshot as name in EXHIBIT_GUI_SHOT_DIR, when set.
func saveShot(t *testing.T, img image.Image, name string) {
	t.Helper()
	d := os.Getenv("EXHIBIT_GUI_SHOT_DIR")
	if d == "" {
		return
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(d, name)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s (%d bytes)", p, buf.Len())
}

// TestReviewMarkerGUIUnderXvfb presses M, I and O with xdotool in a real
// review window signed in as a sergeant, and checks that the marker list
// shows the markers (and the note typed after M), and that the timeline's
// pixels show the category's colour where each marker is. With
// EXHIBIT_GUI_SHOT_DIR set it keeps review.png (markers and the decision
// panel) there.
func TestReviewMarkerGUIUnderXvfb(t *testing.T) {
	if os.Getenv("EXHIBIT_GUI_TEST") != "1" || os.Getenv("DISPLAY") == "" {
		t.Skip("real-window test: set EXHIBIT_GUI_TEST=1 and DISPLAY (an X server such as Xvfb) to run it")
	}
	lib, dir, ids := markStore(t, agedClip{"4521 Jones", 20 * time.Hour})
	id := ids["4521 Jones"]
	if _, err := lib.Decide(context.Background(), id, app.DecisionEvidence, "Assault on PC 4521 captured from start to arrest"); err != nil {
		t.Fatal(err)
	}
	lib.Close()
	statePath := filepath.Join(t.TempDir(), "state.json")
	p := startGUIChild(t, reviewChildEnv+"=1", guiChildStoreEnv+"="+dir, guiChildPassEnv+"=x",
		guiChildUserEnv+"=sgt", guiChildPwEnv+"="+userPassword("sgt"),
		reviewChildIDEnv+"="+id, reviewChildStateEnv+"="+statePath, "FYNE_SCALE=1", "TZ=Europe/London")
	wid := p.window(t, "Review "+id)

	wait := func(what string, ok func(st reviewState) bool) reviewState {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			var st reviewState
			if b, err := os.ReadFile(statePath); err == nil && json.Unmarshal(b, &st) == nil && ok(st) {
				return st
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the window reports %+v", what, st)
			}
			time.Sleep(30 * time.Millisecond)
		}
	}
	key := func(keys ...string) {
		t.Helper()
		for _, k := range keys {
			if out, err := exec.Command("xdotool", "key", "--window", wid, k).CombinedOutput(); err != nil {
				t.Fatalf("xdotool key %s: %v %s", k, err, out)
			}
		}
	}
	shot := func() image.Image {
		t.Helper()
		b, err := exec.Command("import", "-window", wid, "png:-").Output()
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		return img
	}
	at := func(n int) func(reviewState) bool { return func(st reviewState) bool { return st.Frame == n } }
	// forward steps one frame at a time (steps pressed faster than they
	// are shown are coalesced, as a held key's are).
	forward := func(from, to int) {
		t.Helper()
		for n := from + 1; n <= to; n++ {
			key("Right")
			wait("frame "+itoa(n), at(n))
		}
	}

	wait("open", at(0))
	// M at frame 10: a new marker, with the note's cursor; typing goes
	// there; Enter stores the marker with its note.
	forward(0, 10)
	key("m")
	wait("the new marker's note", func(st reviewState) bool { return len(st.MarkRows) == 0 && st.NoteFocused })
	if out, err := exec.Command("xdotool", "type", "--window", wid, "--delay", "20", "Pushes PC away").CombinedOutput(); err != nil {
		t.Fatalf("xdotool type: %v %s", err, out)
	}
	key("Return")
	st := wait("the note", func(st reviewState) bool {
		return len(st.MarkRows) == 1 && strings.HasSuffix(st.MarkRows[0], " — Pushes PC away") && !st.NoteFocused
	})
	if !strings.HasPrefix(st.MarkRows[0], "Frame 10 · 00:00:00.400 | Use of force") {
		t.Errorf("marker row %q", st.MarkRows[0])
	}
	// I at 30, O at 45: a range. Then the play head goes back to 0.
	forward(10, 30)
	key("i")
	forward(30, 45)
	key("o")
	wait("the range's note", func(st reviewState) bool { return len(st.MarkRows) == 1 && st.NoteFocused })
	// Escape on a new range's half-typed note keeps the range, without it.
	if out, err := exec.Command("xdotool", "type", "--window", wid, "--delay", "20", "half").CombinedOutput(); err != nil {
		t.Fatalf("xdotool type: %v %s", err, out)
	}
	key("Escape", "Home")
	st = wait("back at 0", func(st reviewState) bool { return st.Frame == 0 && !st.NoteFocused && len(st.MarkRows) == 2 })
	if !strings.HasPrefix(st.MarkRows[1], "Frames 30–45 · ") || strings.Contains(st.MarkRows[1], "half") {
		t.Errorf("range row %q", st.MarkRows[1])
	}

	// The timeline shows them in the colour of "use of force".
	want := categoryPalette[0]
	near := func(c color.Color) bool {
		r, g, b, _ := c.RGBA()
		d := func(a uint32, b uint8) bool { return math.Abs(float64(a>>8)-float64(b)) <= 24 }
		return d(r, want.R) && d(g, want.G) && d(b, want.B)
	}
	deadline := time.Now().Add(30 * time.Second)
	var img image.Image
	for {
		img = shot()
		tick, bar := false, false
		for dx := -1; dx <= 1; dx++ {
			tick = tick || near(img.At(st.MarkX[0]+dx, st.TimelineTop+2))
		}
		bar = near(img.At((st.MarkX[1]+st.TimelineX+st.TimelineW*46/60)/2, st.TimelineY))
		// The picture must have caught up with the play head, too.
		crop := image.NewRGBA(image.Rect(0, 0, st.Width, st.Height))
		draw.Draw(crop, crop.Rect, img, image.Pt(st.X, st.Y), draw.Src)
		if n, err := media.DecodeIndexBand(crop); tick && bar && err == nil && n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("timeline pixels: marker tick %v at x %d (%v), range bar %v; want %v",
				tick, st.MarkX[0], img.At(st.MarkX[0], st.TimelineTop+2), bar, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Where there is no marker the timeline is not in that colour.
	if x := st.TimelineX + st.TimelineW*55/60; near(img.At(x, st.TimelineY)) || near(img.At(x, st.TimelineTop+2)) {
		t.Errorf("marker colour at x %d, where there is no marker", x)
	}
	saveShot(t, img, "review.png")

	// At the sizes of the stations' screens (as far as the X screen
	// allows), with Go to open on a camera time outside the recording:
	// the window, the dialog's refusal with the range, and the bar fit.
	if os.Getenv("EXHIBIT_GUI_SHOT_DIR") != "" {
		for _, sz := range [][2]int{{1366, 768}, {1920, 1080}} {
			before := st.TimelineW
			if out, err := exec.Command("xdotool", "windowsize", "--sync", wid, itoa(sz[0]), itoa(sz[1])).CombinedOutput(); err != nil {
				t.Logf("xdotool windowsize %v: %v %s", sz, err, out)
				continue
			}
			st = wait("the window resized", func(st reviewState) bool { return st.TimelineW != before })
			// Through XTEST to the focused window: a synthetic event to a
			// window does not carry Ctrl for GLFW.
			if out, err := exec.Command("xdotool", "windowfocus", "--sync", wid, "key", "ctrl+g", "type", "--delay", "20", "23:59:59").CombinedOutput(); err != nil {
				t.Fatalf("xdotool type: %v %s", err, out)
			}
			time.Sleep(500 * time.Millisecond) // for the picture only: nothing is checked on it
			saveShot(t, shot(), "review-goto-"+itoa(sz[0])+".png")
			key("Escape")
		}
	}
	p.running(t)
}
