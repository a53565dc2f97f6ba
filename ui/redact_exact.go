package ui

import (
	"context"

	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// The exact preview. The player draws frames at most 1280×720 and in its
// own colours, so the preview drawn at once on its frame (drawPicture:
// redact.ApplyRGBA, boxes scaled outward) is approximate. When the
// picture rests on a frame (paused, after a step or seek settles, every
// edit saved) the editor asks the library for the frame exactly as the
// render makes it (app.Library.RedactionPreview: the master decoded at
// full size by the render's decoder, its region stage, then RGB) off the
// UI goroutine, and shows it in place of the approximate one when it
// arrives, if it still is the frame and project version on screen. A
// newer request (a step, an edit, playback, the preview switched off)
// cancels the one in flight. The readout says which one is shown.

// What the readout says of the preview shown (after "Preview: ").
const (
	previewExact   = "exact"
	previewComing  = "approximate…" // the exact picture is asked for
	previewPlaying = "approximate (playing)"
	previewApprox  = "approximate"
	previewFailed  = "approximate (exact failed)" // the widest
)

// exactState is the exact preview's state (UI goroutine only).
type exactState struct {
	// pic is the last exact picture received (nil: none).
	pic *app.RedactionPicture
	// cancel stops the request in flight (nil: none); frame and version
	// are what it asks for, seq tells its answer from a stale one's.
	cancel         context.CancelFunc
	frame, version int
	seq            uint64
	// failedFrame and failedVersion are the last request that failed (no
	// new request for the same picture).
	failedFrame, failedVersion int
}

// exactFits reports whether the exact picture received shows the frame
// and project on screen.
func (s *redactScreen) exactFits() bool {
	p := s.exact.pic
	return p != nil && p.Frame == s.cur && p.Version == s.proj.Version && s.projectStored()
}

// projectStored reports whether the project on screen is the stored one
// (no edit waiting to be saved).
func (s *redactScreen) projectStored() bool {
	n, _, err := s.saver.state()
	return n == 0 && err == nil && s.loaded
}

// resting reports whether the picture rests on a frame: not playing, no
// navigation waiting.
func (s *redactScreen) resting() bool {
	return !s.isPlaying && !s.nav.busy() && s.ready()
}

// cancelExact stops the request in flight, if any.
func (s *redactScreen) cancelExact() {
	if s.exact.cancel != nil {
		s.exact.cancel()
		s.exact.cancel = nil
	}
}

// requestExact asks for the exact picture of the frame on screen when the
// picture rests and none is in flight for it.
func (s *redactScreen) requestExact() {
	if !s.preview || !s.resting() || !s.projectStored() || s.closed {
		s.cancelExact()
		return
	}
	n, v := s.cur, s.proj.Version
	if s.exact.cancel != nil && s.exact.frame == n && s.exact.version == v {
		return // already asked
	}
	s.cancelExact()
	if s.exact.failedFrame == n && s.exact.failedVersion == v {
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	s.exact.seq++
	seq, projID := s.exact.seq, s.projID
	s.exact.cancel, s.exact.frame, s.exact.version = cancel, n, v
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		pic, err := s.lib.RedactionPreview(ctx, projID, n)
		s.do(func() {
			if s.closed || s.exact.seq != seq || ctx.Err() != nil {
				return // replaced or cancelled
			}
			cancel()
			s.exact.cancel = nil
			if err != nil {
				s.log.Warn("exact redaction preview", "project", projID, "frame", n, "error", err)
				s.exact.failedFrame, s.exact.failedVersion = n, v
				s.showPreviewKind(false, previewFailed)
				return
			}
			s.exact.pic = pic
			if s.preview {
				s.drawPicture()
			}
		})
	}()
}

// showPreviewKind says in the readout which preview is on screen.
func (s *redactScreen) showPreviewKind(exact bool, text string) {
	s.exactLbl.Importance = widget.WarningImportance
	if exact {
		s.exactLbl.Importance = widget.SuccessImportance
	}
	s.exactLbl.SetText("Preview: " + text)
	s.exactBox.Show()
	if redactShown != nil {
		redactShown(s)
	}
}
