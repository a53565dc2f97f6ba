package app

import (
	"fmt"
	"strings"
	"time"
)

// The words and formats the CLI and the GUI share, so that both say the
// same thing about the same recording.

// FormatMediaTime renders a media time (since frame 0) as HH:MM:SS.mmm,
// rounded to the nearest millisecond. It is the one formatter for a frame's
// time: the review screen's readout, the timeline, marks, stills and their
// audit entries ("frame N at HH:MM:SS.mmm", which are immutable and have
// always been rounded) all show the same string for the same frame.
func FormatMediaTime(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	ms := d.Round(time.Millisecond).Milliseconds()
	s := fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
	if neg {
		return "-" + s
	}
	return s
}

// dayLayouts are the ways a whole day may be written: ISO first, then the
// day/month/year UK users type (26/11/2026, 26-11-2026, 26.11.2026, with or
// without leading zeros). A month/day order is never guessed.
var dayLayouts = []string{"2006-01-02", "2/1/2006", "2-1-2006", "2.1.2006"}

// parseWholeDay reads s as a whole day (local midnight); ok is false when
// s is not written as one.
func parseWholeDay(s string) (time.Time, bool) {
	for _, layout := range dayLayouts {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ParseDay reads a date for a recorded-at filter: YYYY-MM-DD or DD/MM/YYYY
// (also with "-" or "." between day, month and year) is local midnight of
// that day, an RFC 3339 time is taken as it is, "" is the zero time (no
// bound). Anything else is an error that says how to write a date.
func ParseDay(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, ok := parseWholeDay(s); ok {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date: write day/month/year, e.g. 26/11/2026, or 2026-11-26", s)
}

// ParseDayEnd reads the "to" end of a recorded-at filter, which includes
// the day it names: it returns the exclusive bound Filter.To takes, the
// next local midnight after the day. An RFC 3339 time is taken as it is;
// "" is the zero time (no bound).
func ParseDayEnd(s string) (time.Time, error) {
	t, err := ParseDay(s)
	if err != nil || t.IsZero() {
		return t, err
	}
	if _, ok := parseWholeDay(strings.TrimSpace(s)); ok {
		return t.AddDate(0, 0, 1), nil
	}
	return t, nil
}

// FormatDay writes a day as the date filter shows it: 26/11/2026.
func FormatDay(t time.Time) string { return t.Format("02/01/2006") }

// FormatLocal shows an instant in the station's local time with its zone
// (Europe/London on the stations: GMT or BST), the way a custody record
// reads it: "Thu 26 Nov 2026 15:17 GMT".
func FormatLocal(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.In(time.Local).Format("Mon 2 Jan 2006 15:04 MST")
}

// FormatStamp shows an instant in the station's local time to the second
// with its zone, for tables that list events: "2026-11-26 15:17:50 GMT".
func FormatStamp(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.In(time.Local).Format("2006-01-02 15:04:05 MST")
}

// FormatUTC shows an instant in UTC to the second, for evidence (reports,
// stills, exports): "2026-11-26 15:17:50 UTC".
func FormatUTC(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// UserState says whether an account can sign in: "Active", "Active (2
// failed sign-ins)", "Locked until 15:04 GMT" or "Disabled".
func UserState(u *User, now time.Time) string {
	switch {
	case u.Disabled:
		return "Disabled"
	case u.LockedUntil.After(now):
		return "Locked until " + u.LockedUntil.Local().Format("15:04 MST")
	case u.Failures == 1:
		return "Active (1 failed sign-in)"
	case u.Failures > 1:
		return fmt.Sprintf("Active (%d failed sign-ins)", u.Failures)
	}
	return "Active"
}
