package ui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"exhibit/app"
)

// formatWhen shows a UTC instant as local time with its zone, the way a
// sergeant reads it: "Mon 2 Nov 2026 09:30 GMT".
func formatWhen(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.In(time.Local).Format("Mon 2 Jan 2006 15:04 MST")
}

// formatWhenSeconds is formatWhen with seconds, for the detail pane.
func formatWhenSeconds(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.In(time.Local).Format("Mon 2 Jan 2006 15:04:05 MST")
}

// formatWhenWithUTC is formatWhenSeconds with the UTC time beside it when
// the local zone differs, for what evidence quotes: "Tue 20 Oct 2026
// 23:15:00 BST (22:15:00 UTC)".
func formatWhenWithUTC(t time.Time) string {
	s := formatWhenSeconds(t)
	if t.IsZero() {
		return s
	}
	if _, off := t.In(time.Local).Zone(); off != 0 {
		u := t.UTC()
		if u.YearDay() != t.In(time.Local).YearDay() {
			return s + " (" + app.FormatUTC(t) + ")"
		}
		return s + " (" + u.Format("15:04:05") + " UTC)"
	}
	return s
}

// formatDuration shows a duration as H:MM:SS (rounded to the second).
func formatDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(math.Round(d.Seconds()))
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
}

// formatSize shows a byte count in binary units with the exact count.
func formatSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	v, i := float64(n), -1
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB (%s bytes)", v, "KMGTP"[i], groupDigits(n))
}

// groupDigits writes n with thousands separators: 1234567 -> "1,234,567".
func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// statusLabel turns a stored status ("unreviewed") into words.
func statusLabel(s string) string {
	if s == "" {
		return "—"
	}
	s = strings.ReplaceAll(s, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// listStatuses are the statuses the library's filter offers, in order.
var listStatuses = []string{app.StatusUnreviewed, app.StatusEvidence, app.StatusPolicing, app.StatusNFA,
	app.StatusReferred, app.StatusHeld, app.StatusDueSoon}

// displayStatusLabel is a status as the library shows it: Unreviewed,
// Evidence, Policing, NFA, Referred, Held.
func displayStatusLabel(s string) string {
	switch s {
	case app.StatusNFA:
		return "NFA"
	case app.StatusDueSoon:
		return "Due within 7 days"
	}
	return statusLabel(s)
}

// recordedAtSource explains where a recorded-at time came from.
func recordedAtSource(src string) string {
	switch src {
	case "sidecar":
		return "from the dock's sidecar file"
	case "container":
		return "from the camera's video file"
	case "mtime":
		return "from the file's modification time (less reliable)"
	case "":
		return "source unknown"
	}
	return "from " + src
}

// orDash shows "—" for an empty value.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// videoSummary is "H.264 · 1920×1080 · 25 fps".
func videoSummary(r *app.Recording) string {
	var parts []string
	if r.VideoCodec != "" {
		parts = append(parts, codecName(r.VideoCodec))
	}
	if r.Width > 0 && r.Height > 0 {
		parts = append(parts, fmt.Sprintf("%d×%d", r.Width, r.Height))
	}
	if fps := r.FPS(); fps > 0 {
		parts = append(parts, strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", fps), "0"), ".")+" fps")
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, " · ")
}

// codecName gives ffprobe's codec names their usual spelling.
func codecName(c string) string {
	switch strings.ToLower(c) {
	case "h264":
		return "H.264"
	case "hevc", "h265":
		return "H.265/HEVC"
	case "aac":
		return "AAC"
	case "":
		return "none"
	}
	return c
}

// formatGPS shows a position in decimal degrees, or "" when there is none.
func formatGPS(lat, lon float64) string {
	ns, ew := "N", "E"
	if lat < 0 {
		ns, lat = "S", -lat
	}
	if lon < 0 {
		ew, lon = "W", -lon
	}
	return fmt.Sprintf("%.5f° %s, %.5f° %s", lat, ns, lon, ew)
}

// plural writes "1 recording" / "3 recordings".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// startOfDay is local midnight on t's day.
func startOfDay(t time.Time) time.Time {
	y, m, d := t.In(time.Local).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.Local)
}
