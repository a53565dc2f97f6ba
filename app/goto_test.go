package app

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseGoTo(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	// 1500 frames at 25 fps (60 s), recorded from 15:17:00 GMT.
	frames := make([]time.Duration, 1500)
	for i := range frames {
		frames[i] = time.Duration(i) * 40 * time.Millisecond
	}
	at := time.Date(2026, 11, 28, 15, 17, 0, 0, time.UTC)
	for _, c := range []struct {
		in    string
		kind  GoToKind
		frame int
		words string // in Understood
	}{
		{"12", GoToFrame, 12, "Frame 12"},
		{"1499", GoToFrame, 1499, "Frame 1499"},
		{"00:00:02.000", GoToMediaTime, 50, "Media time 00:00:02.000 → frame 50"},
		{"0:59.96", GoToMediaTime, 1499, "frame 1499"},
		{"0:59.999", GoToMediaTime, 1499, "frame 1499"},
		{"2.5", GoToMediaTime, 62, "Media time 00:00:02.500"},
		{"2s", GoToMediaTime, 50, "frame 50"},
		// The camera's clock, as the readout shows it.
		{"15:17:50", GoToCameraTime, 1250, "Camera time 15:17:50.000 GMT on Sat 28 Nov 2026 → frame 1250"},
		{"15:17:50.480", GoToCameraTime, 1262, "frame 1262"},
		{"15:17", GoToCameraTime, 0, "Camera time 15:17:00.000 GMT"},
		{"2026-11-28 15:17:30", GoToCameraTime, 750, "frame 750"},
		{"28/11/2026 15:17:30", GoToCameraTime, 750, "frame 750"},
		{"Sat 28 Nov 2026 15:17:24.520 GMT", GoToCameraTime, 613, "frame 613"},
		{"2026-11-28T15:17:10Z", GoToCameraTime, 250, "frame 250"},
	} {
		got, err := ParseGoTo(c.in, frames, at, london)
		if err != nil || got.Kind != c.kind || got.Frame != c.frame || !strings.Contains(got.Understood, c.words) {
			t.Errorf("ParseGoTo(%q) = %+v, %v; want kind %d frame %d, %q", c.in, got, err, c.kind, c.frame, c.words)
		}
	}
	for _, c := range []struct{ in, words string }{
		{"1500", "frame 1500 is outside the recording"},
		{"-1", "outside the recording"},
		{"00:01:00.000", "outside the recording"},
		{"61s", "media time 00:01:01.000 is outside"},
		{"15:18:00", "outside the recording"},
		{"15:16:59", "outside the recording"},
		{"2026-11-29 15:17:30", "camera time Sun 29 Nov 2026 15:17:30 GMT is outside"},
	} {
		_, err := ParseGoTo(c.in, frames, at, london)
		if !errors.Is(err, ErrGoToOutside) || !strings.Contains(err.Error(), c.words) ||
			!strings.Contains(err.Error(), "frames 0–1499, media 00:00:00.000–00:00:59.960, camera 15:17:00–15:17:59 GMT") {
			t.Errorf("ParseGoTo(%q) error %v, want %q with the range", c.in, err, c.words)
		}
	}
	for _, in := range []string{"", "abc", "1:75", "25:00:00:00", "1e3"} {
		if _, err := ParseGoTo(in, frames, at, london); err == nil || errors.Is(err, ErrGoToOutside) {
			t.Errorf("ParseGoTo(%q) error %v, want a format error", in, err)
		}
	}
	// No camera time known: clock times are media times only.
	if _, err := ParseGoTo("15:17:50", frames, time.Time{}, london); !errors.Is(err, ErrGoToOutside) {
		t.Errorf("no camera time: %v", err)
	}
	if _, err := ParseGoTo("2026-11-28 15:17:30", frames, time.Time{}, london); err == nil || !strings.Contains(err.Error(), "camera time is unknown") {
		t.Errorf("no camera time, full date: %v", err)
	}
	// Over midnight a small time with colons is both a media time and the
	// camera's time: it is read as a media time, and says so; the full
	// date reaches the camera time.
	late := time.Date(2026, 11, 28, 23, 59, 40, 0, time.UTC)
	if got, err := ParseGoTo("00:00:10", frames, late, london); err != nil || got.Frame != 250 || got.Kind != GoToMediaTime {
		t.Errorf("over midnight: %+v, %v", got, err)
	}
	if got, err := ParseGoTo("2026-11-29 00:00:10", frames, late, london); err != nil || got.Frame != 750 || got.Kind != GoToCameraTime {
		t.Errorf("over midnight, full date: %+v, %v", got, err)
	}
	// Summer time: the clock is read in the local zone.
	summer := time.Date(2026, 6, 28, 14, 17, 0, 0, time.UTC) // 15:17 BST
	if got, err := ParseGoTo("15:17:50", frames, summer, london); err != nil || got.Frame != 1250 || !strings.Contains(got.Understood, "BST") {
		t.Errorf("summer: %+v, %v", got, err)
	}
}
