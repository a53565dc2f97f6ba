package app

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// GoToKind says how a Go to entry was read.
type GoToKind int

// How a Go to entry was read.
const (
	GoToFrame      GoToKind = iota + 1 // a frame number: "1200"
	GoToMediaTime                      // time since frame 0: "00:01:23.480", "83.48s"
	GoToCameraTime                     // the camera's clock: "15:17:50", "2026-11-28 15:17:50"
)

// GoToTarget is a Go to entry read against one recording.
type GoToTarget struct {
	Kind   GoToKind
	Frame  int           // the frame to show
	Media  time.Duration // the media time asked for (the frame's, for GoToFrame)
	Camera time.Time     // the camera time asked for (GoToCameraTime only)
	// Understood says in words how the entry was read and where it leads,
	// e.g. "Camera time 15:17:50 GMT on Sat 28 Nov 2026 → frame 120".
	Understood string
}

// ErrGoToOutside is returned (wrapped, with the valid range in words) by
// ParseGoTo for a frame or time outside the recording.
var ErrGoToOutside = errors.New("outside the recording")

// GoToRange says in words what the recording's frames and times run over:
// "frames 0–1499, media 00:00:00.000–00:00:59.960, camera 14:33:20–14:34:19
// GMT". recordedAt may be zero (no camera times); loc is the zone the
// camera times are shown in.
func GoToRange(frames []time.Duration, recordedAt time.Time, loc *time.Location) string {
	if len(frames) == 0 {
		return "the recording has no frames"
	}
	last := len(frames) - 1
	s := fmt.Sprintf("frames 0–%d, media %s–%s", last, FormatMediaTime(frames[0]), FormatMediaTime(frames[last]))
	if !recordedAt.IsZero() {
		a, b := recordedAt.Add(frames[0]).In(loc), recordedAt.Add(frames[last]).In(loc)
		s += ", camera " + a.Format("15:04:05") + "–" + b.Format("15:04:05 MST")
		if a.YearDay() != b.YearDay() {
			s += " (next day)"
		}
	}
	return s
}

// ParseGoTo reads what was typed in the Go to dialog against a recording
// whose frames are shown at the given media times (frames[n] is frame n's
// time since the start), recorded from recordedAt (zero when unknown) and
// whose camera times are shown in loc. It accepts:
//
//   - a frame number: "1200";
//   - a media time: "00:01:23.480", "1:23.48", or seconds "83.48", "83s";
//   - the camera's clock as the readout shows it: a time of day on the
//     recording's date ("15:17:50", "15:17:50.480", "15:17"), or a full
//     date and time ("2026-11-28 15:17:50", "28/11/2026 15:17:50",
//     "Sat 28 Nov 2026 15:17:50.480 GMT", RFC 3339).
//
// A time with colons is a media time when it falls within the recording,
// otherwise the camera's clock. Anything outside the recording is refused
// with ErrGoToOutside and the valid range.
func ParseGoTo(s string, frames []time.Duration, recordedAt time.Time, loc *time.Location) (GoToTarget, error) {
	if loc == nil {
		loc = time.Local
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(frames) == 0 {
		return GoToTarget{}, errors.New("the recording has no frames")
	}
	outside := func(what string) error {
		return fmt.Errorf("%s is %w, which runs over %s", what, ErrGoToOutside, GoToRange(frames, recordedAt, loc))
	}
	last := len(frames) - 1
	if s == "" {
		return GoToTarget{}, errors.New("type a frame number, a media time or the camera's time")
	}

	// A frame number.
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 || n > last {
			return GoToTarget{}, outside("frame " + s)
		}
		return GoToTarget{Kind: GoToFrame, Frame: n, Media: frames[n],
			Understood: fmt.Sprintf("Frame %d (media time %s)", n, FormatMediaTime(frames[n]))}, nil
	}

	// A full date and time on the camera's clock.
	if t, ok := parseDateTime(s, loc); ok {
		if recordedAt.IsZero() {
			return GoToTarget{}, errors.New("this recording's camera time is unknown: type a frame number or a media time")
		}
		n, ok := frameAtMedia(frames, t.Sub(recordedAt))
		if !ok {
			return GoToTarget{}, outside("camera time " + t.Format("Mon 2 Jan 2006 15:04:05 MST"))
		}
		return cameraTarget(frames, n, t), nil
	}

	// Seconds.
	if !strings.Contains(s, ":") {
		v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "s")), 64)
		if err != nil || v < 0 || strings.ContainsAny(s, "eEnNxX_") {
			return GoToTarget{}, errors.New("type a frame number (1200), a media time (00:01:23.480 or 83.48s) or the camera's time (15:17:50)")
		}
		return mediaTarget(frames, secondsToDuration(v), outside)
	}

	// A time with colons: media time, or the camera's time of day.
	media, mediaErr := parseClock(s, false)
	tod, todErr := parseClock(s, true)
	if mediaErr != nil && todErr != nil {
		return GoToTarget{}, errors.New("a time is HH:MM:SS.mmm, such as 00:01:23.480 or 15:17:50")
	}
	if mediaErr == nil {
		if n, ok := frameAtMedia(frames, media); ok {
			t := GoToTarget{Kind: GoToMediaTime, Frame: n, Media: media,
				Understood: fmt.Sprintf("Media time %s → frame %d", FormatMediaTime(media), n)}
			return t, nil
		}
	}
	if todErr == nil && !recordedAt.IsZero() {
		start := recordedAt.In(loc)
		for day := -1; day <= 1; day++ {
			y, m, d := start.AddDate(0, 0, day).Date()
			t := time.Date(y, m, d, 0, 0, 0, 0, loc).Add(tod)
			if n, ok := frameAtMedia(frames, t.Sub(recordedAt)); ok {
				return cameraTarget(frames, n, t), nil
			}
		}
	}
	if todErr == nil && !recordedAt.IsZero() {
		return GoToTarget{}, outside(s + " (as a media time or as the camera's time)")
	}
	return GoToTarget{}, outside("media time " + FormatMediaTime(media))
}

func mediaTarget(frames []time.Duration, d time.Duration, outside func(string) error) (GoToTarget, error) {
	n, ok := frameAtMedia(frames, d)
	if !ok {
		return GoToTarget{}, outside("media time " + FormatMediaTime(d))
	}
	return GoToTarget{Kind: GoToMediaTime, Frame: n, Media: d,
		Understood: fmt.Sprintf("Media time %s → frame %d", FormatMediaTime(d), n)}, nil
}

func cameraTarget(frames []time.Duration, n int, t time.Time) GoToTarget {
	return GoToTarget{Kind: GoToCameraTime, Frame: n, Media: frames[n], Camera: t,
		Understood: fmt.Sprintf("Camera time %s on %s → frame %d (media time %s)",
			t.Format("15:04:05.000 MST"), t.Format("Mon 2 Jan 2006"), n, FormatMediaTime(frames[n]))}
}

// frameAtMedia is the frame shown at media time d: the last frame whose
// time is at or before d. d is inside the recording from frame 0's time up
// to the end of the last frame (its time plus the mean frame interval).
func frameAtMedia(frames []time.Duration, d time.Duration) (int, bool) {
	last := len(frames) - 1
	var step time.Duration
	if last > 0 {
		step = (frames[last] - frames[0]) / time.Duration(last)
	}
	if d < min(0, frames[0]) || d >= frames[last]+max(step, time.Millisecond) {
		return 0, false
	}
	n := sort.Search(len(frames), func(i int) bool { return frames[i] > d }) - 1
	return max(n, 0), true
}

// parseClock reads H:MM:SS(.fff), MM:SS(.fff) or, as a time of day, H:MM.
// As a time of day (tod) the hour is below 24 and there are two or three
// parts, the first being hours; otherwise (media time) with two parts the
// first is minutes.
func parseClock(s string, tod bool) (time.Duration, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, errors.New("not a time")
	}
	var total float64
	for i, p := range parts {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || v < 0 || p == "" || strings.ContainsAny(p, "eE+-") ||
			(i < len(parts)-1 && strings.Contains(p, ".")) || (i > 0 && v >= 60) {
			return 0, errors.New("not a time")
		}
		total = total*60 + v
	}
	if tod {
		if len(parts) == 2 {
			total *= 60 // H:MM
		}
		if total >= 24*3600 {
			return 0, errors.New("not a time of day")
		}
	}
	return secondsToDuration(total), nil
}

var dateTimeLayouts = []string{
	"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04",
	"02/01/2006 15:04:05", "2/1/2006 15:04:05", "02/01/2006 15:04", "2/1/2006 15:04",
	"Mon 2 Jan 2006 15:04:05 MST", "Mon 2 Jan 2006 15:04:05", "2 Jan 2006 15:04:05 MST", "2 Jan 2006 15:04:05",
}

// parseDateTime reads a full date and time in loc (or with its own offset).
func parseDateTime(s string, loc *time.Location) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	for _, l := range dateTimeLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func secondsToDuration(s float64) time.Duration { return time.Duration(s*1e9 + 0.5) }
