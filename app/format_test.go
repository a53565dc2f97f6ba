package app

import (
	"strings"
	"testing"
	"time"
)

func TestParseDay(t *testing.T) {
	d, err := ParseDay(" 2026-11-02 ")
	if err != nil || d.Year() != 2026 || d.Month() != 11 || d.Day() != 2 || d.Hour() != 0 || d.Location() != time.Local {
		t.Errorf("ParseDay: %v %v", d, err)
	}
	if d, err := ParseDay(""); err != nil || !d.IsZero() {
		t.Errorf("empty: %v %v", d, err)
	}
	if d, err := ParseDay("2026-11-02T09:30:00Z"); err != nil || !d.Equal(time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("RFC 3339: %v %v", d, err)
	}
	// Day/month/year as UK users type it, never month/day.
	for _, s := range []string{"26/11/2026", "26-11-2026", "26.11.2026", " 26/11/2026 "} {
		d, err := ParseDay(s)
		if err != nil || d.Year() != 2026 || d.Month() != 11 || d.Day() != 26 || d.Hour() != 0 || d.Location() != time.Local {
			t.Errorf("ParseDay(%q) = %v, %v", s, d, err)
		}
	}
	if d, err := ParseDay("2/11/2026"); err != nil || d.Month() != 11 || d.Day() != 2 {
		t.Errorf("2/11/2026 is 2 November: %v %v", d, err)
	}
	for _, bad := range []string{"11/26/2026", "2026-13-01", "31/02/2026", "yesterday", "26/11"} {
		_, err := ParseDay(bad)
		if err == nil {
			t.Errorf("ParseDay(%q) accepted", bad)
		} else if !strings.Contains(err.Error(), "26/11/2026") {
			t.Errorf("ParseDay(%q): the error does not show how to write a date: %v", bad, err)
		}
	}
	if end, err := ParseDayEnd("26/11/2026"); err != nil || end.Day() != 27 || end.Hour() != 0 {
		t.Errorf("ParseDayEnd(26/11/2026) = %v, %v; want the next midnight", end, err)
	}
	if got := FormatDay(time.Date(2026, 11, 2, 0, 0, 0, 0, time.Local)); got != "02/11/2026" {
		t.Errorf("FormatDay = %q", got)
	}
	if got := FormatUTC(time.Date(2026, 11, 26, 15, 17, 50, 0, time.UTC)); got != "2026-11-26 15:17:50 UTC" {
		t.Errorf("FormatUTC = %q", got)
	}
	if london, err := time.LoadLocation("Europe/London"); err == nil {
		saved := time.Local
		time.Local = london
		defer func() { time.Local = saved }()
		if got := FormatStamp(time.Date(2026, 7, 1, 14, 0, 5, 0, time.UTC)); got != "2026-07-01 15:00:05 BST" {
			t.Errorf("FormatStamp in summer = %q, want the local time with its zone", got)
		}
	}
}

// TestParseDayEnd: the "to" day is included, up to the next local
// midnight, across a clock change too; an instant is taken as it is.
func TestParseDayEnd(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	old := time.Local
	time.Local = london
	defer func() { time.Local = old }()
	end, err := ParseDayEnd("2026-10-25") // 25 hours long in London
	if err != nil || !end.Equal(time.Date(2026, 10, 26, 0, 0, 0, 0, london)) {
		t.Errorf("ParseDayEnd: %v %v", end, err)
	}
	if end.Sub(time.Date(2026, 10, 25, 0, 0, 0, 0, london)) != 25*time.Hour {
		t.Errorf("the day is %v long", end.Sub(time.Date(2026, 10, 25, 0, 0, 0, 0, london)))
	}
	at := "2026-10-25T12:00:00Z"
	if end, err := ParseDayEnd(at); err != nil || !end.Equal(time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("instant: %v %v", end, err)
	}
	if end, err := ParseDayEnd(""); err != nil || !end.IsZero() {
		t.Errorf("empty: %v %v", end, err)
	}
	if _, err := ParseDayEnd("tomorrow"); err == nil {
		t.Error("accepted a word")
	}
}

func TestFormatMediaTime(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "00:00:00.000"},
		{999499 * time.Microsecond, "00:00:00.999"},
		{999500 * time.Microsecond, "00:00:01.000"},
		{time.Hour + 2*time.Minute + 3*time.Second + 450*time.Millisecond, "01:02:03.450"},
		{-1500 * time.Millisecond, "-00:00:01.500"},
	} {
		if got := FormatMediaTime(c.d); got != c.want {
			t.Errorf("FormatMediaTime(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestUserState(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		u    User
		want string
	}{
		{User{}, "Active"},
		{User{Failures: 1}, "Active (1 failed sign-in)"},
		{User{Failures: 3}, "Active (3 failed sign-ins)"},
		{User{Disabled: true, Failures: 3}, "Disabled"},
		{User{LockedUntil: now.Add(-time.Minute), Failures: 5}, "Active (5 failed sign-ins)"},
	} {
		if got := UserState(&c.u, now); got != c.want {
			t.Errorf("%+v: %q, want %q", c.u, got, c.want)
		}
	}
	if got := UserState(&User{LockedUntil: now.Add(time.Minute)}, now); got[:13] != "Locked until " {
		t.Errorf("locked: %q", got)
	}
}

func TestDeletionLabelsAndDueSoon(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		o    RetentionOutcome
		at   time.Time
		want string
	}{
		{RetentionDelete, now.Add(-time.Second), "due now"},
		{RetentionDelete, now.Add(time.Minute), "in 1 day"},
		{RetentionDelete, now.Add(48*time.Hour + time.Minute), "in 3 days"},
		{RetentionKeptReferred, time.Time{}, "kept: referred to PSD"},
		{RetentionKeptHold, time.Time{}, "kept: legal hold"},
		{RetentionKeptEvidence, time.Time{}, "kept: evidence"},
		{RetentionKeptPolicing, time.Time{}, "kept: policing purpose"},
		{RetentionClockFuture, time.Time{}, "check clock"},
		{RetentionClockImplausible, time.Time{}, "check clock"},
	} {
		if got := DeletionLabel(c.o, c.at, now); got != c.want {
			t.Errorf("%s: %q, want %q", c.o, got, c.want)
		}
		if c.o.Kept() == (c.o == RetentionDelete || c.o.ClockProblem()) {
			t.Errorf("%s: kept %v, clock %v", c.o, c.o.Kept(), c.o.ClockProblem())
		}
	}
	if !DueSoon(now.Add(RetentionWarning-time.Second), now) || DueSoon(now.Add(RetentionWarning), now) ||
		DueSoon(time.Time{}, now) || !DueSoon(now.Add(-time.Hour), now) {
		t.Error("DueSoon")
	}
	recs := []*Recording{{DeleteAt: now.Add(time.Hour)}, {DeleteAt: now.Add(8 * 24 * time.Hour)}, {}}
	if n := CountDueSoon(recs, now); n != 1 {
		t.Errorf("CountDueSoon = %d", n)
	}
	if RetentionWarningWords() != "within 7 days" {
		t.Error(RetentionWarningWords())
	}
}
