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

// ParseDay reads a date for a recorded-at filter: YYYY-MM-DD is local
// midnight of that day, an RFC 3339 time is taken as it is, "" is the zero
// time (no bound).
func ParseDay(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date: use YYYY-MM-DD, e.g. 2026-11-02", s)
}

// ParseDayEnd reads the "to" end of a recorded-at filter, which includes
// the day it names: it returns the exclusive bound Filter.To takes, the
// next local midnight after YYYY-MM-DD. An RFC 3339 time is taken as it is;
// "" is the zero time (no bound).
func ParseDayEnd(s string) (time.Time, error) {
	t, err := ParseDay(s)
	if err != nil || t.IsZero() {
		return t, err
	}
	if _, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), time.Local); err == nil {
		return t.AddDate(0, 0, 1), nil
	}
	return t, nil
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
