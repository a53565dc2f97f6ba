package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"exhibit/app"
	"exhibit/app/media"
)

// A two-hour recording at 25 fps: Z zooms in until about 40 frames fill
// the track, where every frame can be hit with the pointer; the ticks
// then count tenths of a second, with the camera clock under them. The
// zoomed view follows the play head, Ctrl+wheel zooms about the pointer
// and the plain wheel moves along.
func TestTimelineZoomToTheFrame(t *testing.T) {
	test.NewTempApp(t)
	const n = 2 * 60 * 60 * 25
	frames := fakeFrames(n)
	dur := time.Duration(n) * 40 * time.Millisecond
	tl := NewTimeline(frames, dur)
	tl.Resize(fyne.NewSize(1200, tl.MinSize().Height))
	tl.SetWallClock(time.Date(2026, 11, 28, 14, 0, 0, 0, time.Local))
	views := 0
	tl.OnView = func() { views++ }
	ctrl := false
	tl.Mods = func() fyne.KeyModifier {
		if ctrl {
			return fyne.KeyModifierControl
		}
		return 0
	}
	media, clock := tl.TickLabels()
	if len(media) < 5 || media[0] != "00:00:00" || media[1] != "00:10:00" || clock[1] != "14:10:00" {
		t.Fatalf("whole-recording ticks %v / %v", media, clock)
	}
	// Whole: a pixel is 150 frames; no frame can be picked.
	if a, b := tl.FrameAt(600), tl.FrameAt(601); b-a < 100 {
		t.Fatalf("whole view: a pixel spans %d frames", b-a)
	}
	const at = 123456
	tl.SetPosition(at)
	steps := 0
	for tl.Zoom() < tl.maxZoom()*0.999 {
		tl.ZoomStep()
		steps++
		if steps > 10 {
			t.Fatal("Z never reaches the closest view")
		}
	}
	if views == 0 {
		t.Error("OnView not called")
	}
	from, span := tl.View()
	if frames[at] < from || frames[at] >= from+span {
		t.Fatalf("the frame shown (%v) is outside the zoomed view %v+%v", frames[at], from, span)
	}
	perFrame := 1200 / (float64(span) / float64(40*time.Millisecond))
	if perFrame < 25 {
		t.Fatalf("closest zoom: %.1f pixels a frame", perFrame)
	}
	// Every frame in view is hit at its own x.
	for i := at - 5; i <= at+5; i++ {
		if got := tl.FrameAt(tl.xOf(i) + 1); got != i {
			t.Errorf("closest zoom: x of frame %d + 1 picks frame %d", i, got)
		}
	}
	media, clock = tl.TickLabels()
	if len(media) == 0 || !strings.Contains(media[0], ".") || !strings.Contains(clock[0], ".") {
		t.Errorf("closest-zoom ticks %v / %v, want tenths of a second", media, clock)
	}
	// Playing on past the view pages it along.
	tl.SetPosition(at + 200)
	if from2, _ := tl.View(); frames[at+200] < from2 || frames[at+200] >= from2+span {
		t.Errorf("the view did not follow frame %d", at+200)
	}
	// Z once more: the whole recording again.
	tl.ZoomStep()
	if tl.Zoom() != 1 {
		t.Errorf("zoom %v after the closest, want 1", tl.Zoom())
	}
	// Ctrl+wheel zooms about the pointer: the frame under it stays.
	under := tl.FrameAt(300)
	ctrl = true
	for range 6 {
		tl.Scrolled(&fyne.ScrollEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(300, 20)}, Scrolled: fyne.NewDelta(0, 1)})
	}
	if z := tl.Zoom(); z < 60 || z > 70 {
		t.Errorf("six Ctrl+wheel steps: zoom %v, want 64", z)
	}
	if got := tl.FrameAt(300); got < under-2 || got > under+2 {
		t.Errorf("frame under the pointer moved from %d to %d", under, got)
	}
	// The plain wheel moves a zoomed view; scrolling back restores it.
	ctrl = false
	f0, _ := tl.View()
	tl.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, -1)})
	f1, sp := tl.View()
	if f1-f0 != sp/10 {
		t.Errorf("wheel moved the view by %v, want %v", f1-f0, sp/10)
	}
	// Markers outside the view are not drawn over it.
	tl.SetMarks([]TimelineMark{{In: 10, Out: 10}, {In: 5, Out: n - 5}})
	for _, o := range test.WidgetRenderer(tl.marks).Objects() {
		if o.Visible() && (o.Position().X < 0 || o.Position().X+o.Size().Width > 1200.5) {
			t.Errorf("a mark is drawn at %v..%v, outside the track", o.Position().X, o.Position().X+o.Size().Width)
		}
	}
}

// The waveform follows the timeline's view: each column is the loudest
// level in its time.
func TestWaveformColumns(t *testing.T) {
	test.NewTempApp(t)
	frames := fakeFrames(100) // 4 s
	tl := NewTimeline(frames, 4*time.Second)
	tl.Resize(fyne.NewSize(400, tl.MinSize().Height))
	w := NewWaveformView(tl, "Reading the sound…")
	w.Resize(fyne.NewSize(400, waveformH))
	if w.Note() == "" {
		t.Fatal("no note before the levels")
	}
	levels := make([]byte, 80) // 50 ms each
	for i := 20; i < 40; i++ {
		levels[i] = 250 // second 1..2: shouting
	}
	w.SetLevels(50*time.Millisecond, levels)
	cols := w.Columns(400) // 10 ms a column
	if cols[50] != 0 || cols[150] != 250 || cols[250] != 0 {
		t.Errorf("columns at 0.5 s, 1.5 s, 2.5 s: %d %d %d", cols[50], cols[150], cols[250])
	}
	tl.zoomAt(2.5, time.Second, 0) // the closest: 1 s to 2.6 s
	cols = w.Columns(400)
	if cols[0] != 250 || cols[220] != 250 || cols[399] != 0 {
		t.Errorf("zoomed from the shouting: columns at 1 s, 1.9 s, 2.6 s: %d %d %d", cols[0], cols[220], cols[399])
	}
	w.SetNote("No sound in this recording.")
	if slices.Max(w.Columns(10)) != 0 {
		t.Error("levels drawn with no sound")
	}
}

// gpsStore is a store with one recording whose sidecar gives a position
// and that has sound, signed in as the sergeant.
func gpsStore(t *testing.T) (*app.Library, string, string) {
	t.Helper()
	ctx := context.Background()
	lib, dir := newStore(t)
	addUsers(t, lib, seedUsers)
	src := t.TempDir()
	at := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	p := filepath.Join(src, "gps.mp4")
	if err := media.WriteIndexedClip(ctx, p, media.IndexedClipOptions{Frames: markClipFrames, Audio: true, ToneBursts: true,
		CreationTime: at.Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
	sc, _ := json.Marshal(map[string]any{"officer": "PC 9 Khan", "device_serial": "G1", "recorded_at": at.Format(time.RFC3339),
		"gps": map[string]float64{"lat": 51.501364, "lon": -0.14189}})
	if err := os.WriteFile(filepath.Join(src, "gps.json"), sc, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := lib.Ingest(ctx, []string{src}, app.IngestOptions{})
	if err != nil || len(res) != 1 || res[0].Status != app.Imported {
		t.Fatalf("ingest: %+v %v", res, err)
	}
	signIn(t, lib, "sgt")
	return lib, dir, res[0].ID
}

// S saves the frame shown as a still into the folder asked for the first
// time and remembered; with the picture adjusted, the still is as
// recorded unless the user chose to keep the adjustment, and then it is
// marked. The GPS position is in the readout with Copy; the waveform
// shows the sound.
func TestReviewStillAdjustGPSWaveform(t *testing.T) {
	lib, dir, id := gpsStore(t)
	h := newMarkReview(t, lib, id, markClipFrames)
	s := h.s
	ctx := context.Background()

	// GPS in the readout, with Copy.
	if !s.tools.gpsBox.Visible() || s.tools.gpsLbl.Text != "51.50136° N, 0.14189° W" {
		t.Fatalf("GPS readout %q (shown %v)", s.tools.gpsLbl.Text, s.tools.gpsBox.Visible())
	}
	test.Tap(s.tools.gpsCopy)
	if got := fyne.CurrentApp().Clipboard().Content(); got != "51.501364, -0.141890" {
		t.Errorf("clipboard %q", got)
	}
	// The waveform: sound in odd seconds.
	h.q.until(t, "the waveform", func() bool { return s.tools.wave.Note() == "" || strings.HasPrefix(s.tools.wave.Note(), "The sound") })
	if n := s.tools.wave.Note(); n != "" {
		t.Fatalf("waveform: %s", n)
	}

	// S: the folder is asked for once.
	stills := t.TempDir()
	asked := 0
	s.tools.pickFolder = func(done func(string)) { asked++; done(stills) }
	h.goFrame(t, 12)
	h.typeKeys("s")
	h.q.until(t, "the still saved", func() bool { return strings.Contains(s.flashText(), "saved to") })
	want := filepath.Join(stills, id+"_frame12.png")
	if _, err := os.Stat(want); err != nil || asked != 1 {
		t.Fatalf("still %s: %v (folder asked %d times); message %q", want, err, asked, s.flashText())
	}
	if got, _ := lib.StillFolder(ctx); got != stills {
		t.Errorf("folder remembered %q", got)
	}

	// V: adjustments change the picture on screen only.
	h.typeKeys("v")
	if !s.tools.panel.Visible() {
		t.Fatal("V did not show the picture adjustments")
	}
	s.tools.gamma.SetValue(2)
	s.tools.bright.SetValue(20)
	shown, frame := s.video.Shown(), s.video.Image()
	if shown == frame || samePix(shown, frame) {
		t.Fatal("the adjusted picture is the frame itself")
	}
	if s.tools.adjustBtn.Text != "Picture adjusted" {
		t.Errorf("button %q while adjusted", s.tools.adjustBtn.Text)
	}
	// A still while adjusted, not kept: as recorded, and said so.
	h.goFrame(t, 20)
	h.typeKeys("s")
	h.q.until(t, "the second still", func() bool {
		return strings.Contains(s.flashText(), "frame 20") && strings.Contains(s.flashText(), "saved")
	})
	if !strings.Contains(s.flashText(), "as recorded") {
		t.Errorf("message %q does not say the still is unadjusted", s.flashText())
	}
	b, err := os.ReadFile(filepath.Join(stills, id+"_frame20.png"))
	if err != nil || strings.Contains(string(b), "Exhibit-Display-Adjustment") {
		t.Fatalf("unadjusted still: %v", err)
	}
	// Kept: marked.
	s.tools.stillCheck.SetChecked(true)
	h.typeKeys("s")
	h.q.until(t, "the adjusted still", func() bool { return strings.Contains(s.flashText(), "adjusted for viewing") })
	b, err = os.ReadFile(filepath.Join(stills, id+"_frame20_adjusted.png"))
	if err != nil || !strings.Contains(string(b), "Exhibit-Display-Adjustment\x00"+s.tools.adjust.String()) {
		t.Fatalf("adjusted still not marked: %v", err)
	}
	if asked != 1 {
		t.Errorf("the folder was asked for %d times", asked)
	}
	// Reset shows the frame as recorded; Escape closes the panel first.
	test.Tap(findButton(t, s.tools.panel, "Reset"))
	if s.video.Shown() != s.video.Image() || s.tools.adjustBtn.Text != "Picture" {
		t.Error("Reset left the picture adjusted")
	}
	h.key(fyne.KeyEscape)
	if s.tools.panel.Visible() || h.backs != 0 {
		t.Errorf("Escape: panel shown %v, went back %d", s.tools.panel.Visible(), h.backs)
	}
	es := auditEntries(t, dir, "x", app.AuditFilter{RecordingID: id})
	var adjusted, plain int
	for _, e := range es {
		if e.Action == "still" {
			if strings.Contains(e.Detail, "adjusted") {
				adjusted++
			} else {
				plain++
			}
		}
	}
	if plain != 2 || adjusted != 1 {
		t.Errorf("audited stills: %d plain, %d adjusted; want 2 and 1", plain, adjusted)
	}
}

// Leaving a recording remembers the frame for that user; reopening offers
// it (Enter resumes), and another user is not offered it.
func TestReviewResume(t *testing.T) {
	lib, dir, ids := markStore(t, agedClip{"a", time.Hour})
	id := ids["a"]
	h := newMarkReview(t, lib, id, markClipFrames)
	h.goFrame(t, 37)
	done := h.s.close()
	for waiting := true; waiting; {
		select {
		case <-done:
			waiting = false
		case f := <-h.q:
			f()
		}
	}
	h2 := newMarkReview(t, lib, id, markClipFrames)
	h2.q.until(t, "the resume offer", h2.s.resumeOffered)
	if !strings.Contains(h2.s.tools.resumeLbl.Text, "frame 37") {
		t.Errorf("offer %q", h2.s.tools.resumeLbl.Text)
	}
	h2.key(fyne.KeyReturn)
	h2.q.until(t, "frame 37", func() bool { return h2.s.cur == 37 && !h2.s.nav.busy() })
	if h2.s.resumeOffered() {
		t.Error("the offer stays after resuming")
	}

	other := openStoreAs(t, dir, "x", "psd")
	if n, ok, err := other.ResumePosition(context.Background(), id); err != nil || ok {
		t.Errorf("psd is offered sgt's position %d (%v)", n, err)
	}
}

func samePix(a, b *image.RGBA) bool { return string(a.Pix) == string(b.Pix) }

// The library's detail pane shows a recording's position with Copy, and
// neither without one.
func TestDetailPaneGPSCopy(t *testing.T) {
	test.NewTempApp(t)
	var said string
	d := newDetailPane(func(msg string) { said = msg })
	r := testRecording()
	r.Personal.GPS = &app.GPS{Lat: 51.501364, Lon: -0.14189}
	d.show(r, nil, true)
	if d.values["GPS"].Text != "51.50136° N, 0.14189° W" || !d.gpsCopy.Visible() {
		t.Fatalf("GPS %q, copy shown %v", d.values["GPS"].Text, d.gpsCopy.Visible())
	}
	test.Tap(d.gpsCopy)
	if got := fyne.CurrentApp().Clipboard().Content(); got != "51.501364, -0.141890" || !strings.Contains(said, "copied") {
		t.Errorf("clipboard %q, message %q", got, said)
	}
	r2 := testRecording()
	d.show(r2, nil, true)
	if d.values["GPS"].Visible() || d.gpsCopy.Visible() {
		t.Error("GPS or its Copy shown for a recording without a position")
	}
}

// TestReviewToolsGUIUnderXvfb drives the review's tools with real keys in
// a real window at 1366×768 (and 1920×1080 when the X screen is that
// big): Z zooms the timeline, V shows the picture adjustments, S saves a
// still into the user's folder; the GPS position and the waveform are
// shown; and nothing overlaps or leaves the window: the picture ends above
// the timeline and the bottom bar ends inside the window. With
// EXHIBIT_GUI_SHOT_DIR set it keeps review-tools-WxH.png there.
func TestReviewToolsGUIUnderXvfb(t *testing.T) {
	if os.Getenv("EXHIBIT_GUI_TEST") != "1" || os.Getenv("DISPLAY") == "" {
		t.Skip("real-window test: set EXHIBIT_GUI_TEST=1 and DISPLAY (an X server such as Xvfb) to run it")
	}
	lib, dir, id := gpsStore(t)
	stills := t.TempDir()
	if err := lib.SetStillFolder(context.Background(), stills); err != nil {
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
			p.running(t)
			time.Sleep(50 * time.Millisecond)
		}
	}
	xdo := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
			t.Fatalf("xdotool %v: %v %s", args, err, out)
		}
	}
	shot := func(name string) {
		t.Helper()
		b, err := exec.Command("import", "-window", wid, "png:-").Output()
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		saveShot(t, img, name)
	}
	wait("open, with the waveform", func(st reviewState) bool { return st.Frame == 0 && st.WaveNote == "" })

	sizes := [][2]int{{1366, 768}}
	if out, err := exec.Command("xdpyinfo").Output(); err == nil && strings.Contains(string(out), "dimensions:    1920x1080") {
		sizes = append(sizes, [2]int{1920, 1080})
	} else {
		t.Log("the X screen is smaller than 1920×1080: that size is not tried")
	}
	for i, sz := range sizes {
		xdo("windowsize", wid, itoa(sz[0]), itoa(sz[1]))
		st := wait("the window at "+itoa(sz[0])+"×"+itoa(sz[1]), func(st reviewState) bool {
			return st.CanvasW == sz[0] && st.CanvasH == sz[1]
		})
		if i == 0 {
			if st.GPS != "51.50136° N, 0.14189° W" {
				t.Errorf("GPS readout %q", st.GPS)
			}
			xdo("key", "--window", wid, "shift+Right", "z")
			st = wait("Z", func(st reviewState) bool { return st.Zoom > 1 && st.Frame == 25 })
			xdo("key", "--window", wid, "v")
			st = wait("V", func(st reviewState) bool { return st.Panel })
			xdo("key", "--window", wid, "s")
			st = wait("S", func(st reviewState) bool { return strings.Contains(st.Flash, "saved to") })
			if _, err := os.Stat(filepath.Join(stills, id+"_frame25.png")); err != nil {
				t.Errorf("S saved no still: %v (%q)", err, st.Flash)
			}
		}
		// A fresh report after the resize.
		st = wait("the layout at "+itoa(sz[0]), func(s2 reviewState) bool { return s2.CanvasW == sz[0] && s2.BarBottom > 0 })
		if st.BarBottom > st.CanvasH {
			t.Errorf("%dx%d: the bottom bar ends at y %d, below the window (%d)", sz[0], sz[1], st.BarBottom, st.CanvasH)
		}
		if st.VideoBottom > st.TimelineWidgetTop {
			t.Errorf("%dx%d: the picture area (to y %d) overlaps the timeline (from y %d)", sz[0], sz[1], st.VideoBottom, st.TimelineWidgetTop)
		}
		if st.Height < sz[1]/3 {
			t.Errorf("%dx%d: the picture is only %d pixels high", sz[0], sz[1], st.Height)
		}
		shot("review-tools-" + itoa(sz[0]) + "x" + itoa(sz[1]) + ".png")
	}
	p.running(t)
}
