package ui

import (
	"time"

	"fyne.io/fyne/v2"
)

// transport is what the review screen and court playback both do with the
// keyboard's transport keys.
type transport interface {
	togglePlay()
	stepBy(n int)
	seekRel(d time.Duration)
	seekFrame(n int)
}

// transportKey handles Space, Left/Right (Shift: one second) and
// Home/End (last is the last frame's number), the same on every screen
// that plays footage. It reports whether the key was one of them.
func transportKey(t transport, name fyne.KeyName, shift bool, last int) bool {
	switch name {
	case fyne.KeySpace:
		t.togglePlay()
	case fyne.KeyRight:
		if shift {
			t.seekRel(time.Second)
		} else {
			t.stepBy(1)
		}
	case fyne.KeyLeft:
		if shift {
			t.seekRel(-time.Second)
		} else {
			t.stepBy(-1)
		}
	case fyne.KeyHome:
		t.seekFrame(0)
	case fyne.KeyEnd:
		t.seekFrame(last)
	default:
		return false
	}
	return true
}
