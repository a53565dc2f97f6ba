package ui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"exhibit/app"
	"exhibit/player"
)

func itoa(n int) string { return strconv.Itoa(n) }

// formatFrameReadout is the frame counter: "Frame 123 of 0–4566", the
// 0-based frame number and the range of frame numbers, so that the last
// frame reads "Frame 4566 of 0–4566" rather than one short of a count.
func formatFrameReadout(n, count int) string {
	return fmt.Sprintf("Frame %d of 0–%d", n, max(count-1, 0))
}

// formatWallClock shows the camera's wall-clock time of a frame in local
// time with its zone, to the millisecond: "Sat 28 Nov 2026 14:33:24.520 GMT".
func formatWallClock(t time.Time) string { return formatWallClockIn(t, time.Local) }

func formatWallClockIn(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "recording time unknown"
	}
	return t.In(loc).Format("Mon 2 Jan 2006 15:04:05.000 MST")
}

// reviewTitle is the window title of the review screen.
func reviewTitle(r *app.Recording) string {
	parts := []string{"Exhibit — Review " + r.ID, "—"}
	if r.Personal.Officer != "" {
		parts = append(parts, r.Personal.Officer)
	}
	parts = append(parts, formatWhen(r.RecordedAt))
	return strings.Join(parts, " ")
}

// reviewErrorMessage says in a sentence why the review screen cannot show
// the recording.
func reviewErrorMessage(err error) string {
	switch {
	case errors.Is(err, player.ErrSourceRead):
		return "The stored copy of this recording could not be read; it may be damaged or altered. " +
			"Run a verify from the library and tell your administrator."
	case errors.Is(err, player.ErrTimeout):
		return "The video engine stopped answering. Go back to the library and open the recording again."
	case errors.Is(err, player.ErrPlayback), errors.Is(err, player.ErrInvalidSource):
		return "This recording's video could not be decoded. Run a verify from the library and tell your administrator."
	}
	return app.UserMessage(err)
}

// renderSize is the size the engine renders at: the source size, or fitted
// into 1280x720 keeping the aspect ratio when larger.
func renderSize(w, h int) (int, int) {
	const maxW, maxH = 1280, 720
	if w <= 0 || h <= 0 {
		return maxW, maxH
	}
	if w <= maxW && h <= maxH {
		return w, h
	}
	s := min(float64(maxW)/float64(w), float64(maxH)/float64(h))
	even := func(v float64) int { return max(2, int(v/2+0.5)*2) }
	return even(float64(w) * s), even(float64(h) * s)
}
