package ui

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
	"exhibit/player"
)

// CourtOptions are RunCourt's settings.
type CourtOptions struct {
	// Dir is the bundle folder or its .zip.
	Dir string
	// Log receives the detail behind what the window says; nil discards it.
	Log *slog.Logger
	// App is the Fyne application to use; nil creates one that stores
	// nothing (no unique id: no preferences file; a fixed theme: no
	// settings folder is created or watched).
	App fyne.App
}

// RunCourt opens court-room playback on the bundle in opts.Dir: the
// control window (verdict, playlist, markers, picture, readout) and, on
// Ctrl+P, the presentation window. It verifies the bundle first, opens
// nothing but the bundle's files (read only) and writes nothing.
func RunCourt(opts CourtOptions) error {
	c, err := app.OpenCourt(opts.Dir)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }() // read only
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if err := noCaches(); err != nil {
		return err
	}
	a := opts.App
	if a == nil {
		a = NewCourtApp()
	}
	w := a.NewWindow("Exhibit court — " + c.Summary.Manifest.CaseRef)
	w.SetMaster()
	cs := newCourtScreen(a, w, c, opts.Log)
	w.Resize(fyne.NewSize(1280, 720))
	cs.start()
	w.ShowAndRun()
	cs.close()
	return nil
}

// noCaches keeps the libraries under the window from writing caches into
// HOME: Mesa's shader cache is turned off, and the user cache folder
// (os.UserCacheDir, where go-text's font scan, used by Fyne for system
// font fallback, writes font_index_v5.cache) is pointed at a path that
// cannot be created, so the scan's cache write fails and Fyne falls back
// to the theme's own fonts. Preferences and settings: see NewCourtApp.
func noCaches() error {
	for k, v := range map[string]string{"MESA_SHADER_CACHE_DISABLE": "true", "XDG_CACHE_HOME": "/dev/null/exhibit-court-writes-no-cache"} {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	return nil
}

// NewCourtApp returns a Fyne app that writes nothing: no unique id (so no
// preferences or storage folder, even where a FyneApp.toml could lend
// one) and a fixed theme (so Fyne neither
// creates nor watches its settings folder).
func NewCourtApp() fyne.App {
	// A development build (go build, go run) otherwise takes the app id
	// from a FyneApp.toml in the working folder or beside the binary, and
	// with it a preferences folder under ~/.config/fyne.
	fyneapp.SetMetadata(fyne.AppMetadata{Name: "Exhibit court", Release: true, Migrations: map[string]bool{"fyneDo": true}})
	a := fyneapp.NewWithID("")
	a.Settings().SetTheme(courtTheme{theme.DefaultTheme()})
	return a
}

// courtTheme is the default theme with larger type for a court room.
type courtTheme struct{ fyne.Theme }

func (t courtTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 17
	case theme.SizeNameHeadingText:
		return 26
	}
	return t.Theme.Size(n)
}

var (
	courtGreen = color.NRGBA{R: 0x1b, G: 0x8a, B: 0x3a, A: 0xff}
	courtRed   = color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
)

// courtScreen is the control window and its player. Threading: Fyne
// objects are touched on the Fyne goroutine only (fyne.Do from others);
// the engine is driven by one worker goroutine (cmds), so a key never
// blocks the window on libmpv; events are read by a second goroutine.
type courtScreen struct {
	a   fyne.App
	win fyne.Window
	c   *app.Court
	log *slog.Logger

	verdict  *canvas.Text
	problems *widget.Label
	progress *widget.ProgressBar
	list     *widget.List
	marks    *widget.List
	video    *VideoView
	readout  *canvas.Text
	band     *fyne.Container // red band over the picture for an unverified item
	status   *widget.Label
	fullBtn  *widget.Button // the court screen full screen (F11)
	monSel   *widget.Select // the court screen's monitor
	monitors []monitor      // the X server's monitors (listed at start)
	monitor  int            // the chosen monitor's index, -1 for none (one monitor, or no X11)

	verified bool
	failed   map[string]bool
	cur      *app.CourtExhibit
	opened   *app.CourtExhibit // cur once its first frame is shown (keys wait for it)
	count    int
	src      player.Source
	frame    int    // item frame shown
	logged   string // the readout last logged (Debug "court frame")
	present  *presentation

	ui      func(func()) // runs f on the Fyne goroutine (fyne.Do; tests queue)
	ctx     context.Context
	cancel  context.CancelFunc
	cmds    chan func(context.Context)
	playing atomic.Bool // from the engine's events
	mu      sync.Mutex  // guards eng
	eng     *player.Engine
	wg      sync.WaitGroup
}

func newCourtScreen(a fyne.App, w fyne.Window, c *app.Court, log *slog.Logger) *courtScreen {
	s := &courtScreen{a: a, win: w, c: c, log: log, cmds: make(chan func(context.Context), 16), failed: map[string]bool{}, ui: fyne.Do, monitor: -1}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.verdict = canvas.NewText("Checking the bundle before it plays…", theme.Color(theme.ColorNameForeground))
	s.verdict.TextSize, s.verdict.TextStyle = 24, fyne.TextStyle{Bold: true}
	s.problems = widget.NewLabel("")
	s.problems.Wrapping = fyne.TextWrapWord
	s.progress = widget.NewProgressBar()
	s.video = NewVideoView()
	s.readout = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	s.readout.TextSize, s.readout.TextStyle = 24, fyne.TextStyle{Monospace: true}
	s.status = widget.NewLabel("")
	bandText := canvas.NewText("NOT VERIFIED — this exhibit failed verification", color.White)
	bandText.TextSize, bandText.TextStyle = 22, fyne.TextStyle{Bold: true}
	s.band = container.NewStack(canvas.NewRectangle(courtRed), container.NewCenter(bandText))
	s.band.Hide()
	s.list = widget.NewList(func() int { return len(c.Exhibits) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("two\nlines") // rows are two lines high
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.exhibitLine(i)) })
	s.list.OnSelected = func(i widget.ListItemID) { s.choose(i) }
	s.marks = widget.NewList(func() int {
		if s.cur == nil {
			return 0
		}
		return len(s.cur.Markers)
	}, func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		o.(*widget.Label).SetText(markerLine(s.cur.Markers[i]))
	})
	s.marks.OnSelected = func(i widget.ListItemID) {
		if s.cur != nil && i < len(s.cur.Markers) {
			s.jumpMaster(s.cur.Markers[i].From)
		}
		s.marks.UnselectAll()
		s.win.Canvas().Focus(s.video)
	}
	s.video.OnTypedKey = s.typedKey
	s.video.OnTypedRune = s.typedRune
	return s
}

// exhibitLine is a playlist row: ref and kind, then recorded-at, officer
// and duration on a second line.
func (s *courtScreen) exhibitLine(i int) string {
	ex := s.c.Exhibits[i]
	line := fmt.Sprintf("%s  (%s)\n%s", ex.Ref, ex.Kind, ex.RecordedAt.Format("2006-01-02 15:04:05 UTC"))
	if ex.Officer != "" {
		line += " · " + ex.Officer
	}
	line += " · " + formatClock(ex.Duration)
	if s.failed[ex.Path] {
		line = "FAILED VERIFICATION — " + line
	}
	return line
}

// markerLine is a marker row: category, master frames, note.
func markerLine(m app.CourtMarker) string {
	fr := fmt.Sprintf("frame %d", m.From)
	if m.To > m.From {
		fr = fmt.Sprintf("frames %d–%d", m.From, m.To)
	}
	return fmt.Sprintf("%s · %s · %s", m.Category, fr, m.Note)
}

// formatClock is d as H:MM:SS.
func formatClock(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
}

// content builds the control window.
func (s *courtScreen) content() fyne.CanvasObject {
	help := widget.NewLabel("Left/Right or , . one frame · Shift+Left/Right 1 s · Space play/pause · N/P next/previous marker · Page Down/Up next/previous exhibit · + - 0 zoom · Ctrl+P court screen · F11 court screen full screen · B black-out")
	help.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(s.verdict, s.progress, s.problems)
	left := container.NewVSplit(
		container.NewBorder(widget.NewLabelWithStyle("Exhibits", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil, s.list),
		container.NewBorder(widget.NewLabelWithStyle("Markers", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil, s.marks))
	left.SetOffset(0.5)
	// Buttons for what the keys do, for an advocate who does not know
	// them; each gives the keyboard back to the picture.
	btn := func(label string, f func()) *widget.Button {
		return widget.NewButton(label, func() {
			f()
			s.win.Canvas().Focus(s.video)
		})
	}
	s.fullBtn = btn("Full screen (F11)", s.toggleFull)
	s.fullBtn.Disable()
	s.monSel = widget.NewSelect(nil, s.chooseMonitor)
	s.monSel.PlaceHolder = "Looking for monitors…"
	s.monSel.Disable()
	buttons := container.NewHBox(btn("Court screen (Ctrl+P)", s.togglePresentation), s.fullBtn,
		btn("Black-out (B)", func() { s.present.toggleBlack() }))
	monRow := container.NewBorder(nil, nil, widget.NewLabel("Court screen on:"), nil, s.monSel)
	picture := container.NewBorder(s.band, container.NewVBox(s.readout, s.status, buttons, monRow, help), nil, nil, s.video)
	split := container.NewHSplit(left, picture)
	split.SetOffset(0.34)
	return container.NewBorder(top, nil, nil, nil, split)
}

// start shows the window's content, starts the worker and the verification.
func (s *courtScreen) start() {
	s.win.SetContent(s.content())
	s.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyP, Modifier: fyne.KeyModifierControl}, func(fyne.Shortcut) { s.togglePresentation() })
	s.win.Canvas().SetOnTypedKey(s.typedKey)
	s.win.Canvas().SetOnTypedRune(s.typedRune)
	s.wg.Add(2)
	go s.worker()
	installXErrorHandler() // here, on GLFW's thread (see monitors_linux.go)
	go func() {
		defer s.wg.Done()
		ms, err := listMonitors()
		s.ui(func() { s.setMonitors(ms, err) })
	}()
	s.do(func(ctx context.Context) {
		v := s.c.Verify(ctx, func(f float64) { s.ui(func() { s.progress.SetValue(f) }) })
		if ctx.Err() != nil {
			return
		}
		s.ui(func() { s.showVerdict(v) })
	})
}

// showVerdict shows the verification result and selects the first exhibit.
func (s *courtScreen) showVerdict(v app.CourtVerdict) {
	s.verified, s.failed = true, v.Failed
	s.progress.SetValue(1)
	s.progress.Hide()
	s.verdict.Text = s.c.Headline(v)
	s.log.Debug("court verdict", "ok", v.OK, "headline", s.verdict.Text)
	if v.OK {
		s.verdict.Color = courtGreen
		s.problems.Hide()
	} else {
		s.verdict.Color = courtRed
		txt := ""
		for _, p := range v.Problems {
			txt += "FAIL " + p.String() + "\n"
		}
		s.problems.SetText(txt)
	}
	s.verdict.Refresh()
	s.list.Refresh()
	if len(s.c.Exhibits) > 0 {
		s.list.Select(0)
	} else {
		s.status.SetText("This bundle has no exhibit to play.")
	}
}

// choose opens exhibit i (after a confirmation if it failed verification).
func (s *courtScreen) choose(i int) {
	if !s.verified || i < 0 || i >= len(s.c.Exhibits) {
		return
	}
	ex := s.c.Exhibits[i]
	if ex == s.cur {
		return
	}
	if s.failed[ex.Path] {
		d := widget.NewLabel(fmt.Sprintf("Exhibit %s failed verification: it may not be what was exported.\nPlay it anyway? A red band stays on screen while it plays.", ex.Ref))
		dialog.ShowCustomConfirm("Play an unverified exhibit?", "Play it", "Cancel", d, func(ok bool) {
			if ok {
				s.open(ex, true)
			} else {
				s.list.UnselectAll()
			}
		}, s.win)
		return
	}
	s.open(ex, false)
}

// open loads ex into the engine (on the worker) and shows its frame 0.
func (s *courtScreen) open(ex *app.CourtExhibit, unverified bool) {
	// Until the exhibit's first frame is shown, the state of the previous
	// one must not steer keys (a marker jump computed from its frame
	// count and position would land anywhere in the new one).
	s.cur, s.opened, s.count, s.frame, s.src = ex, nil, 0, 0, player.Source{}
	s.readout.Text = ""
	s.readout.Refresh()
	s.marks.Refresh()
	if unverified {
		s.band.Show()
	} else {
		s.band.Hide()
	}
	s.win.Content().Refresh() // Fyne draws a container shown again only when its parent is refreshed
	s.present.setBand(unverified)
	s.status.SetText("Opening " + ex.Ref + "…")
	s.do(func(ctx context.Context) {
		s.closeEngine()
		src, err := s.c.CourtSource(ctx, ex)
		if err == nil {
			var e *player.Engine
			if e, err = player.Open(src, player.Options{}); err == nil {
				s.mu.Lock()
				s.eng = e
				s.mu.Unlock()
				s.wg.Add(1)
				go s.events(e)
				var f player.Frame
				if f, err = e.SeekFrame(ctx, 0); err == nil {
					s.ui(func() {
						if s.engine() != e {
							f.Release() // another exhibit was chosen meanwhile
							return
						}
						s.src, s.count, s.opened = src, len(src.Frames), ex
						s.showFrame(f)
					})
					return
				}
			}
		}
		s.log.Error("open exhibit", "exhibit", ex.Ref, "error", err)
		s.ui(func() { s.status.SetText("Exhibit " + ex.Ref + " cannot be played: " + err.Error()) })
	})
}

// events shows the frames the engine renders during playback.
func (s *courtScreen) events(e *player.Engine) {
	defer s.wg.Done()
	for ev := range e.Events() {
		switch ev.Kind {
		case player.EventPosition, player.EventEnd:
			s.playing.Store(ev.Playing && ev.Kind == player.EventPosition)
			if f, ok := e.LatestFrame(); ok {
				s.ui(func() {
					if s.engine() != e || s.opened == nil {
						f.Release() // from an exhibit closed meanwhile
						return
					}
					s.showFrame(f)
				})
			}
		case player.EventError:
			s.ui(func() { s.status.SetText("Playback stopped: " + ev.Err.Error()) })
		}
	}
}

// showFrame shows f and the readout (Fyne goroutine).
func (s *courtScreen) showFrame(f player.Frame) {
	s.frame = f.Index
	s.present.show(f.Image)
	s.video.SetFrame(f.Image, f.Release)
	s.readout.Text = s.readoutText()
	s.readout.Refresh()
	s.present.setReadout(s.readout.Text)
	if s.cur != nil && s.readout.Text != s.logged {
		s.logged = s.readout.Text
		s.log.Debug("court frame", "exhibit", s.cur.Ref, "frame", f.Index, "master", s.cur.MasterFrame(f.Index), "readout", s.readout.Text)
	}
	s.status.SetText("")
}

// readoutText is "REF  master frame N  YYYY-MM-DD HH:MM:SS.mmm UTC".
func (s *courtScreen) readoutText() string {
	ex := s.cur
	if ex == nil {
		return ""
	}
	m := ex.MasterFrame(s.frame)
	var pts time.Duration
	if s.frame < len(s.src.Frames) {
		pts = s.src.Frames[s.frame]
	}
	wall, exact := ex.WallClock(s.frame, pts)
	approx := ""
	if !exact {
		approx = "≈" // an older bundle's clip: nominal frame rate
	}
	return fmt.Sprintf("%s   master frame %d   %s%s UTC", ex.Ref, m, approx, wall.UTC().Format("2006-01-02 15:04:05.000"))
}

// do queues f for the worker.
func (s *courtScreen) do(f func(context.Context)) {
	select {
	case s.cmds <- f:
	case <-s.ctx.Done():
	}
}

// worker runs engine commands one at a time.
func (s *courtScreen) worker() {
	defer s.wg.Done()
	for {
		select {
		case f := <-s.cmds:
			f(s.ctx)
		case <-s.ctx.Done():
			return
		}
	}
}

// engine returns the open engine or nil.
func (s *courtScreen) engine() *player.Engine {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.eng
}

// closeEngine closes the open engine (worker goroutine).
func (s *courtScreen) closeEngine() {
	s.mu.Lock()
	e := s.eng
	s.eng = nil
	s.mu.Unlock()
	if e != nil {
		if err := e.Close(); err != nil {
			s.log.Warn("close the player", "error", err)
		}
	}
}

// close stops the worker and the engine.
func (s *courtScreen) close() {
	s.cancel()
	s.closeEngine()
	s.wg.Wait()
}

// run queues an engine call that returns a frame, and shows it.
// Keys before the exhibit's first frame is shown are ignored.
func (s *courtScreen) run(f func(ctx context.Context, e *player.Engine) (player.Frame, error)) {
	if s.opened == nil {
		return
	}
	s.do(func(ctx context.Context) {
		e := s.engine()
		if e == nil {
			return
		}
		fr, err := f(ctx, e)
		if err != nil {
			s.log.Warn("court playback", "error", err)
			s.ui(func() { s.status.SetText(err.Error()) })
			return
		}
		s.ui(func() {
			if s.engine() != e {
				fr.Release() // another exhibit was chosen meanwhile
				return
			}
			s.showFrame(fr)
		})
	})
}

func (s *courtScreen) stepBy(n int) {
	s.run(func(ctx context.Context, e *player.Engine) (player.Frame, error) { return e.Step(ctx, n) })
}

func (s *courtScreen) seekFrame(n int) {
	s.run(func(ctx context.Context, e *player.Engine) (player.Frame, error) { return e.SeekFrame(ctx, n) })
}

func (s *courtScreen) seekRel(d time.Duration) {
	if s.frame >= len(s.src.Frames) {
		return
	}
	t := max(0, s.src.Frames[s.frame]+d)
	s.run(func(ctx context.Context, e *player.Engine) (player.Frame, error) { return e.SeekTime(ctx, t) })
}

// jumpMaster shows the item frame of master frame m.
func (s *courtScreen) jumpMaster(m int) {
	if s.cur == nil || s.count == 0 {
		return
	}
	i, _ := s.cur.ItemFrame(m, s.count)
	s.seekFrame(i)
}

// jumpMark goes to the next (dir 1) or previous (-1) marker.
func (s *courtScreen) jumpMark(dir int) {
	if s.cur == nil {
		return
	}
	at := s.cur.MasterFrame(s.frame)
	ms := s.cur.Markers
	if dir > 0 {
		for _, m := range ms {
			if m.From > at {
				s.jumpMaster(m.From)
				return
			}
		}
	} else {
		for i := len(ms) - 1; i >= 0; i-- {
			if ms[i].From < at {
				s.jumpMaster(ms[i].From)
				return
			}
		}
	}
}

func (s *courtScreen) togglePlay() {
	if s.opened == nil {
		return
	}
	s.do(func(ctx context.Context) {
		e := s.engine()
		if e == nil {
			return
		}
		if s.playing.Load() {
			if err := e.Pause(); err != nil {
				s.log.Warn("pause", "error", err)
			}
			if f, ok := e.LatestFrame(); ok {
				s.ui(func() { s.showFrame(f) })
			}
			return
		}
		if err := e.Play(); err != nil {
			s.ui(func() { s.status.SetText(err.Error()) })
		}
	})
}

// typedKey handles the review screen's keys (same meanings).
// F11 puts the court screen full screen (or back), Page Down/Up choose
// the next/previous exhibit.
func (s *courtScreen) typedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyF11:
		s.toggleFull()
		return
	case fyne.KeyPageDown, fyne.KeyPageUp:
		s.nextExhibit(map[fyne.KeyName]int{fyne.KeyPageDown: 1, fyne.KeyPageUp: -1}[ev.Name])
		return
	}
	shift := false
	if d, ok := fyne.CurrentApp().Driver().(desktop.Driver); ok {
		shift = d.CurrentKeyModifiers()&fyne.KeyModifierShift != 0
	}
	transportKey(s, ev.Name, shift, s.count-1)
}

// nextExhibit selects the exhibit dir places after (1) or before (-1)
// the current one in the playlist.
func (s *courtScreen) nextExhibit(dir int) {
	i := 0
	for j, ex := range s.c.Exhibits {
		if ex == s.cur {
			i = j + dir
		}
	}
	if s.cur != nil && i >= 0 && i < len(s.c.Exhibits) {
		s.list.Select(i)
	}
}

// typedRune handles character keys.
func (s *courtScreen) typedRune(r rune) {
	switch r {
	case '.':
		s.stepBy(1)
	case ',':
		s.stepBy(-1)
	case 'n', 'N':
		s.jumpMark(1)
	case 'p', 'P':
		s.jumpMark(-1)
	case 'b', 'B':
		s.present.toggleBlack()
	case '+', '=':
		s.video.ZoomIn()
		s.present.zoom(func(v *VideoView) { v.ZoomIn() })
	case '-':
		s.video.ZoomOut()
		s.present.zoom(func(v *VideoView) { v.ZoomOut() })
	case '0':
		s.video.ResetZoom()
		s.present.zoom(func(v *VideoView) { v.ResetZoom() })
	}
}

// copyRGBA copies img (the presentation window keeps its own picture: the
// control window's frame is released when replaced).
func copyRGBA(img *image.RGBA) *image.RGBA {
	if img == nil {
		return nil
	}
	c := image.NewRGBA(img.Rect)
	copy(c.Pix, img.Pix)
	return c
}
