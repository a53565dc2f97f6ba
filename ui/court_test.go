package ui

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	c, err := app.OpenCourt(dir)
	if err != nil {
		t.Fatal(err)
	}
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
	return s, q, id
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
		q.until(t, "the clip", func() bool { return s.cur == e && s.video.Image() != nil && strings.HasPrefix(s.readout.Text, e.Ref) })
		s.typedRune('n')
		q.until(t, "the clip's marker", func() bool { return s.cur.MasterFrame(s.frame) == 7 })
		n, err := media.DecodeIndexBand(s.video.Image())
		if err != nil || n != 7 || !strings.Contains(s.readout.Text, "master frame 7 ") {
			t.Fatalf("clip frame %d: picture shows %d (%v), readout %q", s.frame, n, err, s.readout.Text)
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
