package ui

import (
	"time"

	"fyne.io/fyne/v2/widget"
)

// A–B loop (UI goroutine): A sets the loop's start at the frame shown, B
// its end, and plays it; Ctrl+L (or the clear button) stops looping. The
// engine gets the loop through the navigation worker (navQueue.setLoop),
// before any command queued after it.

// loopStart (A) makes the frame shown the loop's start. With a loop in
// force that ends after it, the loop now starts here; otherwise the loop
// waits for B.
func (s *reviewScreen) loopStart() {
	if !s.ready() {
		return
	}
	s.loopIn = s.cur
	if s.loopB >= 0 {
		if s.cur < s.loopB {
			s.loopA = s.cur
			s.nav.setLoop(s.loopA, s.loopB)
		} else {
			s.loopB = -1
			s.nav.setLoop(0, -1)
		}
	}
	s.showLoop("")
}

// loopEnd (B) makes the frame shown the loop's end (the two are swapped
// when it is before the start) and plays the loop.
func (s *reviewScreen) loopEnd() {
	if !s.ready() {
		return
	}
	a, b := s.loopIn, s.cur
	switch {
	case a < 0:
		s.showLoop("Loop: press A at its start first, then B at its end")
		return
	case a == b:
		s.showLoop("Loop: B is on A's frame; go to the loop's end first")
		return
	}
	if b < a {
		a, b = b, a
	}
	s.loopIn, s.loopA, s.loopB = a, a, b
	s.nav.setLoop(a, b)
	s.showLoop("")
	s.play()
}

// clearLoop (Ctrl+L) stops looping and forgets A.
func (s *reviewScreen) clearLoop() {
	if s.loopIn < 0 && s.loopB < 0 {
		return
	}
	s.loopIn, s.loopB = -1, -1
	s.nav.setLoop(0, -1)
	s.showLoop("")
}

// showLoop shows the loop on the timeline and in the readout, or warn
// instead of the readout's loop text.
func (s *reviewScreen) showLoop(warn string) {
	var text string
	switch {
	case s.loopB >= 0:
		s.timeline.SetLoop(s.loopA, s.loopB)
		text = "Loop A–B: frames " + itoa(s.loopA) + "–" + itoa(s.loopB)
	case s.loopIn >= 0:
		s.timeline.SetLoop(s.loopIn, -1)
		text = "Loop A: frame " + itoa(s.loopIn) + " · B at its end"
	default:
		s.timeline.SetLoop(-1, -1)
	}
	s.loopLbl.Importance = widget.MediumImportance
	if warn != "" {
		text = warn
		s.loopLbl.Importance = widget.WarningImportance
	}
	s.loopLbl.SetText(text)
	if text == "" {
		s.loopLbl.Hide()
		s.loopBadge.Hide()
	} else {
		s.loopLbl.Show()
		s.loopBadge.Show()
	}
}

// noSoundWords is the notice shown when a recording with sound plays
// without a sound device.
const noSoundWords = "No sound device: this recording's sound cannot be heard on this computer."

// checkAudioOutput (engine worker, after a successful Play) looks once
// per screen at the audio output libmpv opened for a recording with
// sound; when it fell through to "null" (no sound device), the screen
// says so instead of playing silently.
func (s *reviewScreen) checkAudioOutput(eng reviewEngine) {
	med := s.pane.media()
	if med == nil || med.rec == nil || med.rec.AudioCodec == "" || !s.soundOnce.CompareAndSwap(false, true) {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		// libmpv opens the output once the first audio is decoded.
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
			switch ao := eng.AudioOutput(); ao {
			case "":
			case "null":
				s.log.Warn("review: no sound device, audio output null", "id", s.id)
				s.do(func() {
					if !s.closed {
						s.soundBadge.Show()
					}
				})
				return
			default:
				return
			}
			select {
			case <-s.ctx.Done():
				return
			case <-t.C:
			}
		}
		s.soundOnce.Store(false) // not known yet: look again at the next Play
	}()
}
