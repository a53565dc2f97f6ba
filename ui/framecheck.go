package ui

import (
	"context"
	"errors"

	"exhibit/app"
)

// The background frame check of the GUI: app.Library.RunFrameChecks, from
// sign-in to sign-out (the idle lock and closing the window included), like
// the retention loop. Ingest builds frame tables from the demuxer's
// packets; the check decodes each stored copy at idle priority, one at a
// time, and confirms or corrects the table. Until then the library shows
// "frames being checked". Results reach the UI goroutine coalesced and the
// library lists again.

// startFrameChecks starts the frame check loop of the signed-in user.
func (s *session) startFrameChecks() {
	s.stopFrameChecks()
	if !s.frameChecks || s.lib == nil {
		return
	}
	loop := newBgLoop[app.FrameCheckResult]()
	s.frameLoop = loop
	lib := s.lib
	loop.run(s.do, func(ctx context.Context, report func(app.FrameCheckResult)) {
		if err := lib.RunFrameChecks(ctx, report); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Warn("frame checks stopped", "error", err)
		}
	}, func(batch []app.FrameCheckResult) {
		if s.frameLoop == loop {
			s.framesChecked(batch)
		}
	})
}

// stopFrameChecks stops the loop; the returned channel (nil when none ran)
// is closed once the check under way, if any, has been cancelled.
func (s *session) stopFrameChecks() <-chan struct{} {
	loop := s.frameLoop
	s.frameLoop = nil
	return loop.stop()
}

// framesChecked lists again (UI goroutine). A correction of the recording
// under review renumbers its frames: the review goes back to the library
// and says so, as its frame table is out of date.
func (s *session) framesChecked(batch []app.FrameCheckResult) {
	corrected := false
	for _, r := range batch {
		if r.State == app.FramesCorrected && s.review != nil && s.review.id == r.ID {
			corrected = true
		}
	}
	if corrected {
		s.showLibraryAgain()
		if s.view != nil {
			s.view.flash("The frame check corrected the frame numbers of the recording under review; open it again.")
		}
	}
	if s.view != nil {
		s.view.reload()
	}
}

// frameCheckWords is the detail pane's "Frame check" row: whether the
// frame table, built at ingest from the container's packets, has been
// confirmed by decoding the stored copy.
func frameCheckWords(r *app.Recording) string {
	switch r.FrameCheck {
	case app.FramesPending:
		return "frames being checked (frame numbers from the container's index until then)"
	case app.FramesCorrected:
		return "corrected by decoding the stored copy"
	case app.FramesFailed:
		return "failed: the stored copy could not be decoded to check the frames"
	case app.FramesChecked:
		return "checked by decoding the stored copy"
	}
	return "…"
}
