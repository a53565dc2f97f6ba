package ui

import (
	"errors"
	"fmt"
	"image"
	"time"

	"fyne.io/fyne/v2/driver"
)

// The court screen's monitor chooser (see ARCHITECTURE.md, "Court
// playback"). Fyne 2.7 can neither list monitors nor place a window, and
// its full screen fills the monitor that holds the window's centre; so
// the court screen's X11 window is moved onto the chosen monitor through
// Xlib (monitors_linux.go, a connection of its own, on a goroutine) and
// then made full screen by Fyne, which lands on that monitor. The choice
// lasts for the session (court mode writes nothing).

// setMonitors fills the chooser from the X server's monitors (Fyne
// goroutine): with two or more it offers them and picks a non-primary
// one; with one, or without X11, it says so and the court screen opens as
// a window to drag (the behaviour before the chooser).
func (s *courtScreen) setMonitors(ms []monitor, err error) {
	s.monitors = ms
	switch {
	case err != nil:
		s.log.Debug("court monitors", "err", err)
		s.monSel.PlaceHolder = "this display: drag the court screen, then F11"
		s.monSel.Refresh()
	case len(ms) < 2:
		s.log.Debug("court monitors", "count", len(ms))
		s.monSel.PlaceHolder = "one monitor only: drag the court screen, then F11"
		if len(ms) == 1 {
			s.monSel.PlaceHolder = fmt.Sprintf("one monitor only (%s %d×%d)", ms[0].Name, ms[0].Rect.Dx(), ms[0].Rect.Dy())
		}
		s.monSel.Refresh()
	default:
		labels := monitorLabels(ms)
		for i, l := range labels {
			s.log.Debug("court monitors", "index", i, "label", l, "x", ms[i].Rect.Min.X, "y", ms[i].Rect.Min.Y, "w", ms[i].Rect.Dx(), "h", ms[i].Rect.Dy(), "primary", ms[i].Primary)
		}
		s.monSel.Options = labels
		s.monSel.Enable()
		s.monSel.SetSelectedIndex(defaultMonitor(ms)) // calls chooseMonitor
	}
}

// chooseMonitor is the chooser's OnChanged: an open court screen that is
// full screen moves to the new monitor.
func (s *courtScreen) chooseMonitor(label string) {
	s.monitor = -1
	for i, l := range monitorLabels(s.monitors) {
		if l == label {
			s.monitor = i
		}
	}
	s.log.Debug("court monitor chosen", "index", s.monitor, "label", label)
	if s.present != nil && s.present.win.FullScreen() && s.monitor >= 0 {
		s.placePresentation()
	}
	s.win.Canvas().Focus(s.video)
}

// x11Handle returns the court screen's X11 window id, 0 when it has none
// (a Wayland-native build, the test driver). RunNative runs its callback
// at once on the caller's goroutine (Fyne's window_x11.go), here the Fyne
// goroutine.
func (p *presentation) x11Handle() uintptr {
	nw, ok := p.win.(driver.NativeWindow)
	if !ok {
		return 0
	}
	var h uintptr
	nw.RunNative(func(ctx any) {
		if x, ok := ctx.(driver.X11WindowContext); ok {
			h = x.WindowHandle
		}
	})
	return h
}

// placePresentation puts the open court screen full screen on the chosen
// monitor (Fyne goroutine). The X11 work and the waiting run on a
// goroutine; when placement fails the court screen stays a window to drag
// and the status line says so in one line.
func (s *courtScreen) placePresentation() {
	p, m := s.present, s.monitors[s.monitor]
	label := monitorLabels(s.monitors)[s.monitor]
	h := p.x11Handle()
	if h == 0 {
		s.placeFailed(p, label, errNoX11)
		return
	}
	if p.win.FullScreen() {
		p.win.SetFullScreen(false)
	}
	s.status.SetText("Putting the court screen on " + label + "…")
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := s.placeOn(p, h, m)
		s.ui(func() {
			if s.present != p {
				return
			}
			if err != nil {
				s.placeFailed(p, label, err)
				return
			}
			s.log.Debug("court screen", "full", true, "monitor", m.Name, "x", m.Rect.Min.X, "y", m.Rect.Min.Y, "w", m.Rect.Dx(), "h", m.Rect.Dy())
			s.status.SetText("Court screen full screen on " + label + ". F11 or Escape: back to a window.")
		})
	}()
}

// placeFailed falls back to the window the advocate drags (Fyne goroutine).
func (s *courtScreen) placeFailed(p *presentation, label string, err error) {
	s.log.Debug("court screen placement failed", "monitor", label, "err", err)
	if p.win.FullScreen() {
		p.win.SetFullScreen(false)
	}
	s.status.SetText("Could not put the court screen on " + label + ": drag it onto the court's display and press F11.")
}

// errPlacement is placeOn's error when full screen did not land on the
// monitor.
var errPlacement = errors.New("full screen did not land on the chosen monitor")

// placeOn moves X11 window h onto m, waits until the server has it there,
// asks Fyne for full screen and waits until the window fills m. Fyne
// picks the GLFW monitor that holds the window's centre. GLFW knows only
// the RandR outputs it saw connected when it last read them, Exhibit
// lists RandR 1.5 monitors (or Xinerama heads), and the two can disagree
// (a Xinerama-only server is one GLFW monitor): a full screen that lands
// elsewhere is undone and tried once more, then placeOn gives up with
// errPlacement and the window goes back to being one the advocate drags.
// (Moving the full-screen window onto m through X11 instead was tried
// once with a faulty test and is untested; it is not used.) Runs on its own goroutine;
// every Fyne call goes through s.ui.
func (s *courtScreen) placeOn(p *presentation, h uintptr, m monitor) error {
	stillOpen := func() bool { return s.ctx.Err() == nil }
	fills := func() bool {
		r, err := windowRect(h)
		return err == nil && r == m.Rect
	}
	setFull := func(on bool) {
		s.ui(func() {
			if s.present == p {
				p.win.SetFullScreen(on)
			}
		})
	}
	for attempt := 1; attempt <= 2; attempt++ {
		r, err := windowRect(h)
		if err != nil {
			return err
		}
		if r.Dx() >= m.Rect.Dx() || r.Dy() >= m.Rect.Dy() { // as large as the monitor: centre half of it
			r = image.Rect(0, 0, m.Rect.Dx()/2, m.Rect.Dy()/2)
		}
		if err := moveWindow(h, centredOn(m.Rect, r.Dx(), r.Dy())); err != nil {
			return err
		}
		centred := func() bool {
			r, err := windowRect(h)
			c := image.Pt((r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2)
			return err == nil && c.In(m.Rect)
		}
		if !pollUntil(2*time.Second, stillOpen, centred) {
			return errPlacement
		}
		setFull(true)
		if pollUntil(3*time.Second, stillOpen, fills) {
			return nil
		}
		r, err = windowRect(h)
		s.log.Debug("court screen full screen elsewhere", "attempt", attempt, "window", r, "err", err)
		setFull(false)
		pollUntil(2*time.Second, stillOpen, func() bool {
			r, err := windowRect(h)
			return err == nil && r.Dx() < m.Rect.Dx()
		})
	}
	return errPlacement
}

// pollUntil checks cond every 20 ms until it holds (true), the time is up
// or ok stops holding (false).
func pollUntil(d time.Duration, ok, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for ok() {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}
