package ui

import (
	"context"
	"strings"
	"time"

	"exhibit/app"
)

// The retention sweep of the GUI: app.Library.RunRetention, from sign-in
// to sign-out (the idle lock and closing the window included), sweeping
// when the user signs in and every session.retentionEvery after. Results
// reach the UI goroutine coalesced (one update for whatever arrived since
// the last), are reported in words in the library's status bar, and the
// library lists again. Clock problems are reported by the library's
// banner, never acted on.

// sweepReport is one sweep's result.
type sweepReport struct {
	res *app.SweepResult
	err error
	at  time.Time
}

// startRetention starts the retention loop of the signed-in user.
func (s *session) startRetention() {
	s.stopRetention()
	if s.retentionEvery <= 0 || s.lib == nil {
		return
	}
	loop := newBgLoop[sweepReport]()
	s.retention = loop
	lib, every := s.lib, s.retentionEvery
	loop.run(s.do, func(ctx context.Context, report func(sweepReport)) {
		lib.RunRetention(ctx, every, func(res *app.SweepResult, err error) {
			report(sweepReport{res: res, err: err, at: time.Now()})
		})
	}, func(batch []sweepReport) {
		if s.retention == loop {
			s.swept(batch)
		}
	})
}

// stopRetention stops the loop; the returned channel (nil when none ran)
// is closed once the sweep under way, if any, has ended.
func (s *session) stopRetention() <-chan struct{} {
	loop := s.retention
	s.retention = nil
	return loop.stop()
}

// swept reports sweeps in words (UI goroutine) and lists again.
func (s *session) swept(batch []sweepReport) {
	deleted, failed := 0, 0
	var ids []string
	var last sweepReport
	var sweepErr error
	for _, r := range batch {
		last = r
		if r.err != nil {
			sweepErr = r.err
			continue
		}
		if r.res == nil {
			continue
		}
		deleted += len(r.res.Deleted)
		failed += len(r.res.Errors)
		for _, d := range r.res.Deleted {
			ids = append(ids, d.RecordingID)
		}
	}
	at := last.at.In(time.Local).Format("15:04")
	var msg string
	switch {
	case sweepErr != nil && deleted == 0:
		msg = "Retention: the check at " + at + " failed (" + app.UserMessage(sweepErr) + ")."
	case deleted > 0:
		msg = "Retention: deleted " + plural(deleted, "recording", "recordings") + " at " + at + "."
	default:
		msg = "Retention: nothing due at " + at + "."
	}
	if failed > 0 {
		msg += " " + plural(failed, "recording", "recordings") + " could not be deleted; the log says why."
	}
	s.retentionLast = msg
	var gone string // the recording under review, if this sweep deleted it
	if s.review != nil {
		for _, id := range ids {
			if strings.HasPrefix(id, strings.ToUpper(s.review.id)) {
				gone = id
			}
		}
	}
	if gone != "" {
		s.showLibraryAgain()
	}
	if s.view != nil {
		s.view.swept(msg)
		if gone != "" {
			// Said in a dialog: a note in the corner is missed, and the
			// user asked for this recording (`exhibit review ID`).
			showSentence("Recording deleted", "Recording "+gone+" was deleted by the retention check at "+at+
				": its period under the retention policy had passed. Only its deletion record remains, in the audit trail.", s.win)
		}
	}
}
