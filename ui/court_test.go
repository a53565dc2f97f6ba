package ui

import (
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
	"exhibit/app/media"
)

// courtFixture opens court playback headless (Fyne's test driver, the
// real engine) on a real exported bundle; frames is the recording's length.
func courtFixture(t *testing.T, tamper bool) (*courtScreen, uiQueue, string) {
	t.Helper()
	dir, id := app.NewTestBundle(t, 60)
	if tamper {
		mp := filepath.Join(dir, "masters", id+".mp4")
		b, err := os.ReadFile(mp)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 0x08
		if err := os.WriteFile(mp, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, q := courtOpen(t, dir)
	return s, q, id
}

// courtOpen opens court playback headless on the bundle at path (a
// folder or a .zip).
func courtOpen(t *testing.T, path string) (*courtScreen, uiQueue) {
	t.Helper()
	c, err := app.OpenCourt(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	a := test.NewTempApp(t)
	q := newUIQueue()
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1366, 768))
	s := newCourtScreen(a, w, c, slog.New(slog.DiscardHandler))
	s.ui = q.do
	s.start()
	t.Cleanup(func() {
		done := make(chan struct{})
		go func() { s.close(); close(done) }()
		for {
			select {
			case <-done:
				w.Close()
				return
			case f := <-q:
				f()
			}
		}
	})
	return s, q
}

func TestCourtVerdictPlaylistReadout(t *testing.T) {
	s, q, id := courtFixture(t, false)
	q.until(t, "the first frame", func() bool { return s.video.Image() != nil && s.readout.Text != "" })
	if !strings.HasPrefix(s.verdict.Text, "Verified: ") || s.verdict.Color != courtGreen {
		t.Fatalf("verdict %q in %v", s.verdict.Text, s.verdict.Color)
	}
	line := s.exhibitLine(0)
	ex := s.c.Exhibits[0]
	for _, want := range []string{ex.Ref, "master", ex.RecordedAt.Format("2006-01-02 15:04:05 UTC"), "0:00:02"} {
		if !strings.Contains(line, want) {
			t.Errorf("playlist line %q lacks %q", line, want)
		}
	}
	if s.marks.Length() != 2 {
		t.Fatalf("markers listed: %d", s.marks.Length())
	}
	if !s.band.Hidden {
		t.Error("red band on a verified exhibit")
	}
	check := func(want int) {
		t.Helper()
		q.until(t, fmt.Sprintf("frame %d", want), func() bool { return s.frame == want })
		if !strings.Contains(s.readout.Text, fmt.Sprintf("master frame %d ", want)) || !strings.HasPrefix(s.readout.Text, ex.Ref) {
			t.Fatalf("readout %q at frame %d", s.readout.Text, want)
		}
		if n, err := media.DecodeIndexBand(s.video.Image()); err != nil || n != want {
			t.Fatalf("picture shows frame %d (%v), readout says %d", n, err, want)
		}
	}
	check(0)
	s.typedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	check(1)
	s.typedRune('n') // next marker: frame 7
	check(7)
	s.typedRune('n') // frame 30
	check(30)
	s.typedKey(&fyne.KeyEvent{Name: fyne.KeyLeft}) // back-step
	check(29)
	s.typedRune('p')
	check(7)
	_ = id

	// The court clip: its readout gives the master frame from the frame
	// map, which is the frame number in its picture's index band.
	for i, e := range s.c.Exhibits {
		if e.Kind != "clip-court" {
			continue
		}
		s.list.Select(i)
		q.until(t, "the clip", func() bool { return s.opened == e })
		s.typedRune('n')
		q.until(t, "the clip's marker", func() bool { return s.cur.MasterFrame(s.frame) == 7 })
		n, err := media.DecodeIndexBand(s.video.Image())
		if err != nil || n != 7 || !strings.Contains(s.readout.Text, "master frame 7 ") {
			t.Fatalf("clip frame %d: picture shows %d (%v), readout %q", s.frame, n, err, s.readout.Text)
		}
		// Step inside the clip: forward, forward, back.
		for _, st := range []struct {
			key  fyne.KeyName
			want int
		}{{fyne.KeyRight, 8}, {fyne.KeyRight, 9}, {fyne.KeyLeft, 8}} {
			from := s.frame
			s.typedKey(&fyne.KeyEvent{Name: st.key})
			q.until(t, fmt.Sprintf("clip step to master frame %d", st.want), func() bool { return s.frame != from })
			n, err := media.DecodeIndexBand(s.video.Image())
			if m := s.cur.MasterFrame(s.frame); m != st.want || err != nil || n != m || !strings.Contains(s.readout.Text, fmt.Sprintf("master frame %d ", m)) {
				t.Fatalf("clip frame %d: master %d, picture shows %d (%v), readout %q; want %d", s.frame, m, n, err, s.readout.Text, st.want)
			}
		}
		return
	}
	t.Fatal("no court clip in the bundle")
}

func TestCourtTamperedIsMarked(t *testing.T) {
	s, q, id := courtFixture(t, true)
	q.until(t, "the verdict", func() bool { return s.verified })
	if s.verdict.Color != courtRed || !strings.Contains(s.verdict.Text, "masters/"+id+".mp4") {
		t.Fatalf("verdict %q", s.verdict.Text)
	}
	if !strings.HasPrefix(s.exhibitLine(0), "FAILED VERIFICATION") {
		t.Fatalf("playlist %q", s.exhibitLine(0))
	}
	// Not played without a confirmation; played under the red band after it.
	if s.cur != nil {
		t.Fatal("an exhibit that failed was opened without asking")
	}
	var play *widget.Button
	q.until(t, "the confirmation", func() bool {
		if top := s.win.Canvas().Overlays().Top(); top != nil {
			for _, x := range visibleObjects(top) {
				if b, ok := x.(*widget.Button); ok && b.Text == "Play it" {
					play = b
				}
			}
		}
		return play != nil
	})
	if s.cur != nil {
		t.Fatal("opened before the confirmation")
	}
	test.Tap(play)
	q.until(t, "the unverified exhibit to show", func() bool { return s.video.Image() != nil })
	if s.band.Hidden || s.cur != s.c.Exhibits[0] {
		t.Fatal("an unverified exhibit plays without the red band")
	}
}

// TestPointerMapping checks the pointer's coordinate transforms: a tap
// maps to the picture point under it and back to a circle centred on the
// tap, with the picture letterboxed, zoomed and panned, and the pointer
// layer offset from the video view; a tap beside the picture is refused.
func TestPointerMapping(t *testing.T) {
	const sw, sh = 640, 360
	near := func(a, b fyne.Position) bool {
		return math.Abs(float64(a.X-b.X)) < 0.01 && math.Abs(float64(a.Y-b.Y)) < 0.01
	}
	view := fyne.NewSize(1600, 1000)
	videoAbs, layerAbs := fyne.NewPos(0, 0), fyne.NewPos(0, 0)
	for _, c := range []struct {
		name               string
		zoom               float32
		pan                fyne.Position
		videoAbs, layerAbs fyne.Position
		tap                fyne.Position
		want               fyne.Position // picture point
	}{
		{"letterboxed", 1, fyne.Position{}, videoAbs, layerAbs, fyne.NewPos(800, 500), fyne.NewPos(320, 180)},
		{"top left of the picture", 1, fyne.Position{}, videoAbs, layerAbs, fyne.NewPos(0, 50), fyne.NewPos(0, 0)},
		{"padded window", 1, fyne.Position{}, fyne.NewPos(4, 4), fyne.NewPos(4, 4), fyne.NewPos(400, 300), fyne.NewPos(160, 100)},
		{"layer not at the view", 1, fyne.Position{}, fyne.NewPos(4, 40), fyne.NewPos(0, 0), fyne.NewPos(400, 300), fyne.NewPos(160, 100)},
		{"zoomed 2x", 2, fyne.Position{}, videoAbs, layerAbs, fyne.NewPos(800, 500), fyne.NewPos(320, 180)},
		{"zoomed 2x, panned", 2, fyne.NewPos(200, 0), videoAbs, layerAbs, fyne.NewPos(800, 500), fyne.NewPos(280, 180)}, // 200 units = 40 picture pixels
	} {
		tl, scale, _ := pictureGeometry(view, sw, sh, c.zoom, c.pan)
		at, ok := pictureTap(c.tap, tl, scale, sw, sh)
		if !ok || !near(at, c.want) {
			t.Errorf("%s: tap %v is picture point %v (%v), want %v", c.name, c.tap, at, ok, c.want)
			continue
		}
		// Drawn back: the circle's centre, in window coordinates, is the tap's.
		tlc := pointerPos(at, tl, scale, c.videoAbs, c.layerAbs, pointerRadius)
		if centre := tlc.Add(c.layerAbs).AddXY(pointerRadius, pointerRadius); !near(centre, c.tap.Add(c.videoAbs)) {
			t.Errorf("%s: circle centred at %v, the tap was at %v in the window", c.name, centre, c.tap.Add(c.videoAbs))
		}
	}
	// The picture point stays under the circle through a zoom: zooming 2x
	// about the view's centre moves a point 100 units right of the centre
	// to 200 units right of it.
	tl1, s1, _ := pictureGeometry(view, sw, sh, 1, fyne.Position{})
	at, _ := pictureTap(fyne.NewPos(900, 500), tl1, s1, sw, sh)
	tl2, s2, _ := pictureGeometry(view, sw, sh, 2, fyne.Position{})
	if c := pointerPos(at, tl2, s2, videoAbs, layerAbs, pointerRadius).AddXY(pointerRadius, pointerRadius); !near(c, fyne.NewPos(1000, 500)) {
		t.Errorf("after zooming 2x the circle is at %v, want 1000,500", c)
	}
	tl, scale, _ := pictureGeometry(view, sw, sh, 1, fyne.Position{})
	if _, ok := pictureTap(fyne.NewPos(800, 20), tl, scale, sw, sh); ok {
		t.Error("a tap on the letterbox bar above the picture was taken as a picture point")
	}
}

// TestCourtZipPlays plays a bundle's .zip headless: verified, the master
// stepped from the zip's stored bytes.
func TestCourtZipPlays(t *testing.T) {
	dir, _ := app.NewTestBundle(t, 48)
	s, q := courtOpen(t, dir+".zip")
	q.until(t, "the first frame", func() bool { return s.opened != nil })
	if !strings.HasPrefix(s.verdict.Text, "Verified: ") || s.verdict.Color != courtGreen {
		t.Fatalf("verdict %q", s.verdict.Text)
	}
	s.typedRune('n')
	q.until(t, "the marker", func() bool { return s.frame == 7 })
	s.typedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	q.until(t, "a step", func() bool { return s.frame == 8 })
	if n, err := media.DecodeIndexBand(s.video.Image()); err != nil || n != 8 || !strings.Contains(s.readout.Text, "master frame 8 ") {
		t.Fatalf("picture %d (%v), readout %q", n, err, s.readout.Text)
	}
}

// TestCourtLayoutSizes: at a 1366×768 laptop and at 1080p the control
// window's verdict, readout (whole, in its large type), buttons and key
// help are on screen, one below the other without overlapping, and the
// picture keeps most of the height.
func TestCourtLayoutSizes(t *testing.T) {
	s, q, _ := courtFixture(t, false)
	q.until(t, "the first frame", func() bool { return s.opened != nil })
	dir := shotDir(t)
	for _, size := range []fyne.Size{fyne.NewSize(1366, 768), fyne.NewSize(1920, 1080)} {
		s.win.Resize(size)
		q.run(50 * time.Millisecond)
		name := fmt.Sprintf("court-%dx%d", int(size.Width), int(size.Height))
		saveWindowShot(t, s.win, dir, name)
		root := s.win.Content()
		var prevEnd float32
		for _, o := range []fyne.CanvasObject{s.video, s.readout, s.status, s.fullBtn} {
			if !inView(root, o, size) {
				t.Errorf("%s: %T is not wholly on screen", name, o)
			}
			p, _ := absPos(root, o)
			if p.Y < prevEnd-1 {
				t.Errorf("%s: %T at y %.0f overlaps what is above it (ends at %.0f)", name, o, p.Y, prevEnd)
			}
			prevEnd = p.Y + o.Size().Height
		}
		if w := fyne.MeasureText(s.readout.Text, s.readout.TextSize, s.readout.TextStyle).Width; w > s.video.Size().Width {
			t.Errorf("%s: the readout needs %.0f, the picture column is %.0f wide", name, w, s.video.Size().Width)
		}
		if s.video.Size().Height < size.Height/2 {
			t.Errorf("%s: the picture is only %.0f high", name, s.video.Size().Height)
		}
		if !inView(root, s.verdict, size) {
			t.Errorf("%s: the verdict is not on screen", name)
		}
	}
}

// TestReadoutFitsCourtDisplay: the court screen's readout keeps its 40 pt
// type where it fits and shrinks to fit a 1280-pixel display, so the
// exhibit, master frame and camera time are never cut off.
func TestReadoutFitsCourtDisplay(t *testing.T) {
	test.NewTempApp(t)
	style := fyne.TextStyle{Monospace: true}
	line := "EXH-7Q2M4K9P-C3 · master frame 12345 of 0–14999 · 00:08:13.800 · camera 2026-11-26 15:17:50.000 GMT"
	if got := readoutFitSize(line, style, 3000); got != readoutMaxSize {
		t.Errorf("wide window: size %.0f, want %d", got, readoutMaxSize)
	}
	if got := readoutFitSize(line, style, 1280); got >= readoutMaxSize {
		t.Errorf("1280 px: size %.0f, the line cannot fit at full size", got)
	}
	for _, w := range []float32{1920, 1366, 1280, 1024} {
		size := readoutFitSize(line, style, w)
		if size > readoutMaxSize || size < readoutMinSize {
			t.Fatalf("width %.0f: size %.0f out of range", w, size)
		}
		if got := fyne.MeasureText(line, size, style).Width; got > w && size > readoutMinSize {
			t.Errorf("width %.0f: at %.0f pt the readout needs %.0f", w, size, got)
		}
		if size < readoutMaxSize && fyne.MeasureText(line, size+1, style).Width <= w {
			t.Errorf("width %.0f: %.0f pt is not the largest that fits", w, size)
		}
	}
}
