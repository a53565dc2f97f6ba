package ui

import "exhibit/app"

// Opening the redaction editor: R (or the Redact button) on the review
// screen asks the session to swap the editor in, on the recording or on
// the selected marker's I–O range; the editor's Back returns to the
// review of the same recording.

// openRedaction (R) opens the redaction editor on the recording shown, or
// on the frames of the selected range marker.
func (s *reviewScreen) openRedaction() {
	if s.onRedact == nil || !s.ready() || s.lib == nil {
		return
	}
	if !s.lib.Can(app.PermExport) {
		s.flash("Redaction makes a copy for disclosure: your role may not export, so it cannot redact.")
		return
	}
	from, to := 0, -1
	if p := s.side; p != nil && p.selected != nil && p.selected.FrameOut > p.selected.FrameIn {
		from, to = p.selected.FrameIn, p.selected.FrameOut
	}
	s.onRedact(s.id, from, to)
}

// showRedaction swaps the redaction editor of recording id (frames
// from..to; to < 0: to its end) in for the review screen.
func (s *session) showRedaction(id string, from, to int) {
	if s.closed || s.lib == nil || s.who.Name == "" {
		return
	}
	if s.review != nil {
		s.review.close()
		s.review = nil
	}
	s.closeRedaction()
	r := newRedactScreen(s.lib, s.win, id, "", from, to, s.log, func() {
		s.redact = nil
		s.showReview(id)
	})
	r.do = s.do
	r.touch = s.idle.touch
	s.redact = r
	s.win.SetOnDropped(nil)
	s.setContent(r.content)
	r.start()
}

// closeRedaction closes the editor, if open; the channel is closed when
// it has let go of everything (its edits saved).
func (s *session) closeRedaction() <-chan struct{} {
	if s.redact == nil {
		done := make(chan struct{})
		close(done)
		return done
	}
	r := s.redact
	s.redact = nil
	return r.close()
}
