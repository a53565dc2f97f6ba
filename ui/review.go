package ui

import (
	"context"
	"errors"
	"image/color"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
	"exhibit/player"
)

// reviewEngine is what the review screen needs from a player; a
// *player.Engine provides it.
type reviewEngine interface {
	SeekFrame(ctx context.Context, n int) (player.Frame, error)
	SeekTime(ctx context.Context, d time.Duration) (player.Frame, error)
	Step(ctx context.Context, delta int) (player.Frame, error)
	Play() error
	Pause() error
	SetSpeed(s float64) error
	SetVolume(v int) error
	SetMute(m bool) error
	SetLoop(a, b int) error
	ClearLoop()
	Position() (frame int, media time.Duration, wall time.Time)
	Events() <-chan player.Event
	LatestFrame() (player.Frame, bool)
	AudioOutput() string
	Close() error
}

var _ reviewEngine = (*player.Engine)(nil)

// reviewAPI is what the review screen needs from the library: the
// recording, and its markers, decisions, holds and retention for the side
// panel.
type reviewAPI interface {
	OpenReview(ctx context.Context, id string) (*app.Review, error)
	Can(p app.Permission) bool
	Categories(ctx context.Context) ([]string, error)
	Marks(ctx context.Context, id string) ([]*app.Annotation, error)
	AddMark(ctx context.Context, id string, m app.MarkInput) (*app.Annotation, error)
	EditMark(ctx context.Context, annotationID string, m app.MarkInput) (*app.Annotation, error)
	DeleteMark(ctx context.Context, annotationID string) error
	Decide(ctx context.Context, id, decision, reason string) (*app.Decision, error)
	Decisions(ctx context.Context, id string) ([]*app.Decision, error)
	Hold(ctx context.Context, id, reason string) (*app.Hold, error)
	Release(ctx context.Context, id, reason string) (string, error)
	Holds(ctx context.Context, id string) ([]*app.Hold, error)
	RecordingRetention(ctx context.Context, id string) (app.RetentionItem, error)
	RetentionAfterRelease(ctx context.Context, id string) (app.RetentionItem, error)
	CreateClip(ctx context.Context, req app.ClipRequest, out string, progress func(frac float64)) (*app.Derivative, error)
}

var _ reviewAPI = (*app.Library)(nil)

// reviewMedia is an opened recording: its metadata, the player source and
// how to let go of it.
type reviewMedia struct {
	rec   *app.Recording
	src   player.Source
	close func() error
}

// Speeds offered by the speed menu and [ / ].
var reviewSpeeds = []float64{0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4}

// tickRate is how often the playback ticker looks for a new frame.
const tickRate = 50

// reviewShown, when set (tests), is called on the UI goroutine after the
// screen shows a new position.
var reviewShown func(*reviewScreen)

// reviewScreen is the frame-exact review of one recording: the video,
// transport bar, timeline and readout. Fields are touched on the UI
// goroutine only, except those noted.
type reviewScreen struct {
	win  fyne.Window
	log  *slog.Logger
	do   func(func())
	mods func() fyne.KeyModifier
	back func() // returns to the library; nil: no library
	// touch reports keyboard activity to the idle lock.
	touch func()
	// notify (may be nil) shows a sentence in the library's status bar.
	notify func(msg string)
	// onRedact (may be nil: no editor) opens the redaction editor on
	// recording id, frames from..to (to < 0: to the end).
	onRedact  func(id string, from, to int)
	redactBtn *widget.Button // R; shown when onRedact is set

	// lib serves the side panel (nil: no side panel, as in tests of the
	// player alone); data runs its calls in order.
	lib  reviewAPI
	data *dataQueue
	side *reviewSide

	id      string
	openMed func(ctx context.Context) (*reviewMedia, error)
	openEng func(src player.Source, opt player.Options) (reviewEngine, error)
	engOpt  player.Options // base engine options (tests: AudioOutput "null")

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when the engine is closed
	wg     sync.WaitGroup

	// Background state.
	pane   *playerPane // the engine, its worker, ticker and events
	nav    *navQueue
	props  *propState
	thumbs chan int // hover preview requests (latest wins)

	// UI: hover preview debounce.
	hoverTimer *time.Timer
	hoverWant  atomic.Int64

	// UI state.
	rec       *app.Recording
	frames    []time.Duration
	count     int
	cur       int
	isPlaying bool
	speed     float64
	muted     bool
	reversing bool
	stopRev   func()
	closed    bool
	modal     bool
	dlg       dialog.Dialog // the dialog shown while modal (nil: none)
	failed    bool
	helpShown bool
	// A–B loop: loopIn is the start set by A (-1: none); loopB >= 0 when
	// frames loopA..loopB repeat.
	loopIn, loopA, loopB int
	fullscreen           bool

	content fyne.CanvasObject
	// accountSlot holds the session's account controls (top right).
	accountSlot *fyne.Container
	title       *widget.Label
	video       *VideoView
	timeline    *Timeline
	tlSlot      *fyne.Container
	playBtn     *widget.Button
	speedSel    *widget.Select
	volume      *widget.Slider
	muteBtn     *widget.Button
	frameLbl    *widget.Label
	timeLbl     *widget.Label
	wallLbl     *widget.Label
	loopLbl     *widget.Label
	loopBadge   *fyne.Container // loopLbl over the video
	soundBadge  *fyne.Container // "no sound device", over the video
	soundOnce   atomic.Bool     // the audio output was checked
	dirIcon     *widget.Icon    // before the speed: rewind while playing backward
	// loopABtn, loopBBtn and loopClearBtn do what A, B and Ctrl+L do.
	loopABtn, loopBBtn, loopClearBtn *widget.Button
	message                          *widget.Label
	overlay                          fyne.CanvasObject
	busy                             *widget.Activity
	help                             fyne.CanvasObject
	controls                         []fyne.Disableable
	// readoutBoxes hold the readout labels at a fixed width, so that the
	// bar does not move as the numbers change.
	readoutBoxes []*fyne.Container
	// transportRow and readoutRow are the two halves of the bottom bar.
	transportRow, readoutRow *fyne.Container
	// tools: stills, picture adjustments, resume, waveform, GPS.
	tools reviewTools
}

// newReviewScreen builds the review screen for recording id of lib. back
// (may be nil) is called after Back or Escape; the screen closes itself
// first. Nothing runs until start.
func newReviewScreen(lib reviewAPI, win fyne.Window, id string, log *slog.Logger, back func()) *reviewScreen {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &reviewScreen{win: win, log: log, do: fyne.Do, mods: currentModifiers, back: back, id: id, touch: func() {},
		lib: lib, data: newDataQueue(),
		nav: newNavQueue(), props: newPropState(), speed: 1, loopIn: -1, loopB: -1, done: make(chan struct{}), thumbs: make(chan int, 1)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.pane = newPlayerPane(s.ctx, s, &s.wg, s.nav, func(f func()) { s.do(f) }, log, "review", "id", id)
	s.pane.halt = s.stopReverse
	s.pane.played = s.checkAudioOutput
	s.openMed, s.openEng = reviewOpener(lib, id), openPlayer
	s.build()
	return s
}

// currentModifiers asks the desktop driver which modifier keys are held.
// Fyne delivers Shift+arrow as a plain TypedKey, so the key handler asks.
func currentModifiers() fyne.KeyModifier {
	if a := fyne.CurrentApp(); a != nil {
		if d, ok := a.Driver().(desktop.Driver); ok {
			return d.CurrentKeyModifiers()
		}
	}
	return 0
}

func (s *reviewScreen) build() {
	backBtn := widget.NewButtonWithIcon("Library", theme.NavigateBackIcon(), s.goBack)
	if s.back == nil {
		backBtn.Hide()
	}
	s.title = widget.NewLabelWithStyle("Review "+s.id, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.title.Truncation = fyne.TextTruncateEllipsis
	helpBtn := widget.NewButtonWithIcon("Keys", theme.HelpIcon(), func() { s.toggleHelp(); s.refocus() })
	helpBtn.Importance = widget.LowImportance
	fullBtn := widget.NewButtonWithIcon("", theme.ViewFullScreenIcon(), func() { s.toggleFullScreen(); s.refocus() })
	fullBtn.Importance = widget.LowImportance
	s.accountSlot = container.NewHBox()
	s.buildTools()
	tools := []fyne.CanvasObject{s.tools.stillBtn, s.tools.folderBtn, s.tools.adjustBtn, helpBtn, fullBtn}
	if s.lib != nil {
		s.buildSide()
		var panelBtn *widget.Button
		panelBtn = widget.NewButtonWithIcon("Markers & decision", theme.MenuIcon(), func() {
			if s.side.root.Visible() {
				s.side.root.Hide()
				panelBtn.Importance = widget.LowImportance
			} else {
				s.side.root.Show()
				panelBtn.Importance = widget.MediumImportance
			}
			panelBtn.Refresh()
			s.content.Refresh()
			s.refocus()
		})
		s.redactBtn = widget.NewButtonWithIcon("Redact", theme.VisibilityOffIcon(), func() { s.openRedaction(); s.refocus() })
		s.redactBtn.Importance = widget.LowImportance
		s.redactBtn.Hide()
		tools = append([]fyne.CanvasObject{panelBtn, s.redactBtn}, tools...)
	}
	top := container.NewBorder(nil, nil, backBtn, container.NewHBox(append(tools, s.accountSlot)...), s.title)

	s.video = NewVideoView()
	s.video.OnTypedKey = s.typedKey
	s.video.OnTypedRune = s.typedRune

	s.message = widget.NewLabel("")
	s.message.Wrapping = fyne.TextWrapWord
	s.message.Alignment = fyne.TextAlignCenter
	s.busy = widget.NewActivity()
	card := canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	card.CornerRadius = theme.InputRadiusSize()
	s.overlay = container.NewCenter(container.New(&fixedWidth{w: 560}, container.NewStack(card,
		container.NewPadded(container.NewVBox(container.NewCenter(s.busy), s.message)))))
	s.help = s.buildHelp()
	s.help.Hide()

	s.timeline = NewTimeline(nil, 0)
	s.tlSlot = container.NewStack(s.timeline)

	var back1, backSec, fwdSec, fwd1 *widget.Button
	back1, backSec, s.playBtn, fwdSec, fwd1 = transportButtons(s, s.refocus)

	var speedNames []string
	for _, v := range reviewSpeeds {
		speedNames = append(speedNames, speedName(v))
	}
	s.speedSel = widget.NewSelect(speedNames, func(name string) {
		if v, ok := parseSpeedName(name); ok && v != s.speed {
			s.setSpeed(v)
		}
		s.refocus()
	})
	s.speedSel.SetSelected(speedName(1))
	s.dirIcon = widget.NewIcon(nil) // the rewind icon while playing backward (J)

	s.muteBtn = widget.NewButtonWithIcon("", theme.VolumeUpIcon(), func() { s.toggleMute(); s.refocus() })
	s.volume = widget.NewSlider(0, 100)
	s.volume.Step = 1
	s.volume.Value = 100
	s.volume.OnChanged = func(v float64) { s.props.set(func(p *propState) { p.volume = int(v) }) }
	s.volume.OnChangeEnded = func(float64) { s.refocus() }

	mono := fyne.TextStyle{Monospace: true}
	s.frameLbl = widget.NewLabelWithStyle(formatFrameReadout(0, 0), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	s.timeLbl = widget.NewLabelWithStyle(app.FormatMediaTime(0), fyne.TextAlignLeading, mono)
	s.wallLbl = widget.NewLabelWithStyle("", fyne.TextAlignLeading, mono)

	s.loopABtn = widget.NewButton("A", func() { s.loopStart(); s.refocus() })
	s.loopBBtn = widget.NewButton("B", func() { s.loopEnd(); s.refocus() })
	s.loopClearBtn = widget.NewButtonWithIcon("", theme.ContentClearIcon(), func() { s.clearLoop(); s.refocus() })
	s.loopLbl = widget.NewLabel("")
	s.loopLbl.Hide()

	s.controls = []fyne.Disableable{back1, fwd1, backSec, fwdSec, s.playBtn, s.speedSel, s.muteBtn, s.volume,
		s.loopABtn, s.loopBBtn, s.loopClearBtn}
	for _, c := range s.controls {
		c.Disable()
	}
	fixed := func(o fyne.CanvasObject, w float32) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
	}
	s.transportRow = container.NewHBox(back1, backSec, s.playBtn, fwdSec, fwd1, widget.NewSeparator(),
		widget.NewLabel("Loop"), s.loopABtn, s.loopBBtn, s.loopClearBtn, widget.NewSeparator(),
		widget.NewLabel("Speed"), s.dirIcon, fixed(s.speedSel, 96), widget.NewSeparator(), s.muteBtn, fixed(s.volume, 120))
	s.readoutBoxes = []*fyne.Container{container.NewStack(s.frameLbl), container.NewStack(s.timeLbl), container.NewStack(s.wallLbl)}
	s.readoutRow = container.NewHBox(s.readoutBoxes[0], widget.NewSeparator(), s.readoutBoxes[1], widget.NewSeparator(), s.readoutBoxes[2], s.tools.gpsBox)
	barLay := &barLayout{}
	bar := container.New(barLay, s.transportRow, s.readoutRow)
	bottom := container.NewPadded(container.NewVBox(container.NewPadded(container.NewVBox(s.tlSlot, s.tools.waveSlot)), bar))

	// The loop is shown over the video's top-left corner, so that it never
	// widens the readout (which would wrap the bar and shrink the video).
	loopBg := canvas.NewRectangle(color.NRGBA{R: 0x20, G: 0x20, B: 0x24, A: 0xd0})
	loopBg.CornerRadius = theme.InputRadiusSize()
	s.loopBadge = container.NewStack(loopBg, s.loopLbl)
	s.loopBadge.Hide()
	soundBg := canvas.NewRectangle(color.NRGBA{R: 0x20, G: 0x20, B: 0x24, A: 0xd0})
	soundBg.CornerRadius = theme.InputRadiusSize()
	soundLbl := widget.NewLabelWithStyle(noSoundWords, fyne.TextAlignLeading, fyne.TextStyle{})
	soundLbl.Importance = widget.WarningImportance
	s.soundBadge = container.NewStack(soundBg, soundLbl)
	s.soundBadge.Hide()
	badges := container.NewPadded(container.NewVBox(container.NewHBox(s.loopBadge), container.NewHBox(s.soundBadge)))
	layers := append([]fyne.CanvasObject{s.video, badges}, s.toolOverlays()...)
	middle := container.NewStack(append(layers, s.overlay, s.help)...)
	var side fyne.CanvasObject
	if s.side != nil {
		side = s.side.root
	}
	objs := []fyne.CanvasObject{middle, top, bottom}
	if side != nil {
		objs = append(objs, side)
	}
	// The bar is as wide as the window less the padding around bottom.
	s.content = container.New(&widthHint{inner: layout.NewBorderLayout(top, bottom, nil, side),
		hint: func(w float32) { barLay.avail = w - 2*theme.Padding() }}, objs...)
}

// buildHelp is the key overlay that ? toggles.
func (s *reviewScreen) buildHelp() fyne.CanvasObject {
	keys := [][2]string{
		{"Space", "Play / pause"},
		{"→  or  .", "Next frame"},
		{"←  or  ,", "Previous frame"},
		{"Shift+→ / Shift+←", "Forward / back 1 second"},
		{"Home / End", "First / last frame"},
		{"L", "Play forward (again: faster, up to 4×)"},
		{"J", "Play backward (again: faster, up to 4×)"},
		{"K", "Pause"},
		{"[  /  ]", "Slower / faster"},
		{"Ctrl+G", "Go to a frame, media time or camera time"},
		{"M", "Marker at this frame (type its note: Enter saves, Esc cancels)"},
		{"I  /  O", "Start / end of a marked range"},
		{"N  /  P", "Next / previous marker"},
		{"A  /  B", "Loop start / loop end (B plays the loop)"},
		{"Ctrl+L", "Stop looping"},
		{"S", "Save this frame as an evidential still"},
		{"V", "Picture adjustments (display only)"},
		{"Z  /  Shift+Z", "Zoom the timeline in / show all of it"},
		{"Ctrl+scroll", "Zoom the timeline at the pointer"},
		{"Enter", "Resume where you left off (when offered)"},
		{"+  /  −  /  0", "Zoom in / out / whole picture"},
		{"Scroll / drag", "Zoom / move the zoomed picture"},
		{"F", "Full screen"},
		{"?", "Show / hide these keys"},
		{"R", "Redact: this recording, or the selected range"},
		{"Esc", "Close this / back to the library"},
	}
	grid := container.New(layout.NewFormLayout())
	for _, k := range keys {
		grid.Add(widget.NewLabelWithStyle(k[0], fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true}))
		grid.Add(widget.NewLabel(k[1]))
	}
	head := widget.NewLabelWithStyle("Keyboard", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.SizeName = theme.SizeNameSubHeadingText
	bg := canvas.NewRectangle(color.NRGBA{R: 0x20, G: 0x20, B: 0x24, A: 0xf0})
	bg.CornerRadius = theme.InputRadiusSize()
	// It scrolls when the window is too low for it, rather than making
	// the screen taller than the window.
	return container.NewVScroll(container.NewCenter(container.NewStack(bg,
		container.NewPadded(container.NewVBox(head, widget.NewSeparator(), grid)))))
}

// start shows "Opening…", hooks the keys and opens the recording and the
// engine in the background.
func (s *reviewScreen) start() {
	s.say("Opening recording "+s.id+"…", true)
	s.win.SetTitle("Exhibit — Review " + s.id)
	if s.onRedact != nil && s.redactBtn != nil {
		s.redactBtn.Show()
	}
	c := s.win.Canvas()
	c.SetOnTypedKey(s.canvasKey)
	c.SetOnTypedRune(s.canvasRune)
	key := func(f func()) func(fyne.Shortcut) {
		return func(fyne.Shortcut) {
			s.touch()
			if !s.keysOff() {
				f()
			}
		}
	}
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyG, Modifier: fyne.KeyModifierControl}, key(s.goToDialog))
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierControl}, key(s.clearLoop))
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyRight, Modifier: fyne.KeyModifierShift}, key(func() { s.seekRel(time.Second) }))
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyLeft, Modifier: fyne.KeyModifierShift}, key(func() { s.seekRel(-time.Second) }))
	s.refocus()
	if s.lib != nil {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.data.run(s.ctx)
		}()
		s.reload()
	}
	go s.open()
}

// unhook removes the screen's key handlers from the window canvas.
func (s *reviewScreen) unhook() {
	c := s.win.Canvas()
	c.SetOnTypedKey(nil)
	c.SetOnTypedRune(nil)
	c.RemoveShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyG, Modifier: fyne.KeyModifierControl})
	c.RemoveShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierControl})
	c.RemoveShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyRight, Modifier: fyne.KeyModifierShift})
	c.RemoveShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyLeft, Modifier: fyne.KeyModifierShift})
}

// open runs on its own goroutine: recording, then engine, then the
// background goroutines that use the engine.
func (s *reviewScreen) open() {
	eng, med, ok := s.pane.open(s.openMed, s.openEng, s.engOpt, func(eng reviewEngine, med *reviewMedia) {
		s.wg.Add(2)
		go s.applyProps(eng)
		go s.previews(med)
	})
	if !ok {
		return
	}
	f, ok := eng.LatestFrame()
	s.do(func() { s.opened(med, f, ok) })
}

// opened shows the recording, paused at frame 0.
func (s *reviewScreen) opened(med *reviewMedia, f player.Frame, ok bool) {
	if s.closed {
		f.Release()
		return
	}
	s.rec, s.frames, s.count = med.rec, med.src.Frames, len(med.src.Frames)
	s.win.SetTitle(reviewTitle(s.rec))
	s.title.SetText(reviewTitle(s.rec)[len("Exhibit — "):])
	var dur time.Duration
	if s.count > 0 {
		dur = s.frames[s.count-1]
		if s.count > 1 {
			dur += s.frames[s.count-1] - s.frames[s.count-2]
		} else {
			dur += 40 * time.Millisecond
		}
	}
	if med.rec.Duration > dur {
		dur = med.rec.Duration
	}
	s.timeline = NewTimeline(s.frames, dur)
	s.timeline.OnSeek = func(n int) { s.seekFrame(n); s.refocus() }
	s.timeline.OnHover = s.hovered
	s.tlSlot.Objects = []fyne.CanvasObject{s.timeline}
	s.tlSlot.Refresh()
	s.openedTools()
	if s.side != nil {
		s.drawMarks()
		s.side.list.Refresh() // times of the marks
	}
	for _, c := range s.controls {
		c.Enable()
	}
	s.overlay.Hide()
	s.busy.Stop()
	s.fixReadoutWidths()
	if ok {
		s.showFrame(f)
	} else {
		s.showPosition(0)
	}
	s.refocus()
}

// fixReadoutWidths sizes the readout for its widest values (the labels
// are monospaced).
func (s *reviewScreen) fixReadoutWidths() {
	digits := func(n int) string { return strings.Repeat("8", len(itoa(n))) }
	samples := []string{
		"Frame " + digits(s.count) + " of 0–" + itoa(s.count-1),
		app.FormatMediaTime(s.frames[s.count-1]),
		"Wed 28 Nov 2026 23:59:59.999 " + strings.Repeat("W", len(s.rec.RecordedAt.In(time.Local).Format("MST"))),
	}
	if s.rec.RecordedAt.IsZero() {
		samples[2] = formatWallClock(time.Time{})
	}
	fixReadout([]*widget.Label{s.frameLbl, s.timeLbl, s.wallLbl}, s.readoutBoxes, samples)
	s.content.Refresh()
}

// refocus gives the keyboard focus back to the video after a control was
// used, so that the slider or the speed menu do not keep the arrow keys.
func (s *reviewScreen) refocus() {
	if s.closed || s.modal {
		return
	}
	s.win.Canvas().Focus(s.video)
}

// say shows a message over the video (busy: with a spinner).
func (s *reviewScreen) say(msg string, busy bool) {
	s.message.SetText(msg)
	if busy {
		s.message.Importance = widget.MediumImportance
		s.busy.Show()
		s.busy.Start()
	} else {
		s.busy.Stop()
		s.busy.Hide()
	}
	s.message.Refresh()
	s.overlay.Show()
}

// fail shows err in words over the video and stops playback controls.
func (s *reviewScreen) fail(err error) {
	if s.closed {
		return
	}
	s.failed = true
	s.stopReverse()
	s.isPlaying = false
	s.playBtn.SetIcon(theme.MediaPlayIcon())
	s.message.Importance = widget.DangerImportance
	s.say(reviewErrorMessage(err), false)
	for _, c := range s.controls {
		c.Disable()
	}
}

// Errors from a call the user has since superseded are not failures.
func ignorable(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, player.ErrClosed)
}

// showFrame puts a frame on screen (taking over its reference) and moves
// the readout and timeline to it.
func (s *reviewScreen) showFrame(f player.Frame) {
	if s.closed || f.Image == nil {
		f.Release()
		return
	}
	s.video.SetFrame(f.Image, f.Release)
	s.showPosition(f.Index)
}

// showPosition moves the readout and timeline to frame n.
func (s *reviewScreen) showPosition(n int) {
	if s.count == 0 {
		return
	}
	n = max(0, min(n, s.count-1))
	s.cur = n
	showReadout(s.frameLbl, s.timeLbl, s.wallLbl, s.frames[:s.count], n, s.rec)
	s.timeline.SetPosition(n)
	if s.reversing && n == 0 {
		s.stopReverse()
		s.setPlayingUI(false)
	}
	if reviewShown != nil {
		reviewShown(s)
	}
}

// readout is the frame, media time and wall-clock text shown.
func (s *reviewScreen) readout() (frame, media, wall string) {
	return s.frameLbl.Text, s.timeLbl.Text, s.wallLbl.Text
}

func (s *reviewScreen) setPlayingUI(on bool) {
	s.isPlaying = on
	showPlayIcon(s.playBtn, on || s.reversing)
	s.showDirection()
}

// ready reports whether navigation is possible.
func (s *reviewScreen) ready() bool { return s.count > 0 && !s.closed && !s.failed }

// isClosed reports whether the screen was closed (playerHost).
func (s *reviewScreen) isClosed() bool { return s.closed }

// playingForward reports whether the screen shows forward playback
// (playerHost); backward play is the reverse ticker's.
func (s *reviewScreen) playingForward() bool { return s.isPlaying && !s.reversing }

// Navigation requests (UI goroutine). They go to the pane's worker; each
// stops backward play first.

func (s *reviewScreen) stepBy(d int) { s.pane.request(navCmd{kind: navStep, n: d}) }

func (s *reviewScreen) seekFrame(n int) { s.pane.request(navCmd{kind: navSeek, n: n}) }

func (s *reviewScreen) seekRel(d time.Duration) { s.pane.request(navCmd{kind: navSeekRel, d: d}) }

func (s *reviewScreen) goTo(c navCmd) { s.pane.request(c) }

func (s *reviewScreen) play() { s.pane.request(navCmd{kind: navPlay}) }

func (s *reviewScreen) pause() { s.pane.request(navCmd{kind: navPause}) }

func (s *reviewScreen) togglePlay() {
	if s.isPlaying || s.reversing {
		s.pause()
	} else {
		s.play()
	}
}

// shuttle is J (dir < 0) and L (dir > 0): start playing that way at 1×,
// or double the speed (up to 4×) when already doing so.
func (s *reviewScreen) shuttle(dir int) {
	if !s.ready() {
		return
	}
	same := (dir > 0 && s.isPlaying) || (dir < 0 && s.reversing)
	speed := 1.0
	if same {
		speed = min(4, s.speed*2)
	}
	s.setSpeed(speed)
	if dir > 0 {
		if !same {
			s.play()
		}
		return
	}
	if !same {
		if s.isPlaying {
			s.nav.push(navCmd{kind: navPause})
		}
		s.setPlayingUI(false)
	}
	s.startReverse()
}

// startReverse (re)starts backward play: a ticker at the frame rate times
// the speed queues one-frame back steps (the queue drops steps while one
// is pending, so a slow decoder is never flooded).
func (s *reviewScreen) startReverse() {
	s.stopReverse()
	interval := time.Duration(float64(s.frameInterval()) / s.speed)
	interval = max(interval, 5*time.Millisecond)
	stop := make(chan struct{})
	var once sync.Once
	s.stopRev = func() { once.Do(func() { close(stop) }) }
	s.reversing = true
	s.setPlayingUI(false)
	nav, ctx := s.nav, s.ctx
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				nav.push(navCmd{kind: navStep, n: -1})
			}
		}
	}()
}

func (s *reviewScreen) stopReverse() {
	if s.stopRev != nil {
		s.stopRev()
		s.stopRev = nil
	}
	s.reversing = false
	s.showDirection()
}

// showDirection puts the rewind icon before the speed while playing
// backward, so that "1×" backward does not read as forward.
func (s *reviewScreen) showDirection() {
	var res fyne.Resource
	if s.reversing {
		res = theme.MediaFastRewindIcon()
	}
	if s.dirIcon != nil && s.dirIcon.Resource != res {
		s.dirIcon.SetResource(res)
	}
}

// frameInterval is the mean frame duration.
func (s *reviewScreen) frameInterval() time.Duration { return meanFrameInterval(s.frames[:s.count]) }

func (s *reviewScreen) setSpeed(v float64) {
	v = max(0.1, min(4, v))
	s.speed = v
	s.props.set(func(p *propState) { p.speed = v })
	if s.speedSel.Selected != speedName(v) {
		s.speedSel.SetSelected(speedName(v))
	}
	if s.reversing {
		s.startReverse()
	}
}

// changeSpeed moves one step along reviewSpeeds.
func (s *reviewScreen) changeSpeed(dir int) {
	i := 0
	for j, v := range reviewSpeeds {
		if v <= s.speed+1e-9 {
			i = j
		}
	}
	if dir < 0 && reviewSpeeds[i] >= s.speed-1e-9 {
		i--
	} else if dir > 0 {
		i++
	}
	s.setSpeed(reviewSpeeds[max(0, min(i, len(reviewSpeeds)-1))])
}

func speedName(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) + "×" }

func parseSpeedName(n string) (float64, bool) {
	if len(n) < len("×") {
		return 0, false
	}
	v, err := strconv.ParseFloat(n[:len(n)-len("×")], 64)
	return v, err == nil
}

func (s *reviewScreen) toggleMute() {
	s.muted = !s.muted
	m := s.muted
	s.props.set(func(p *propState) { p.mute = m })
	if m {
		s.muteBtn.SetIcon(theme.VolumeMuteIcon())
	} else {
		s.muteBtn.SetIcon(theme.VolumeUpIcon())
	}
}

func (s *reviewScreen) toggleHelp() {
	s.helpShown = !s.helpShown
	if s.helpShown {
		s.help.Show()
	} else {
		s.help.Hide()
	}
}

func (s *reviewScreen) toggleFullScreen() {
	s.fullscreen = !s.win.FullScreen()
	s.win.SetFullScreen(s.fullscreen)
}

// Keys. canvasKey/canvasRune get what is typed while nothing has focus;
// the video view passes on what it gets while focused.

func (s *reviewScreen) canvasKey(ev *fyne.KeyEvent) { s.typedKey(ev) }

func (s *reviewScreen) canvasRune(r rune) { s.typedRune(r) }

// keysOff reports whether the review's keys are off: while one of its
// dialogs is open, after it closed, and while anything else is shown over
// it (a dialog of the library or the session, such as the File menu's
// Import, or a pop-up menu), so that Escape there does not leave the
// review and keys do not act behind the dialog.
func (s *reviewScreen) keysOff() bool {
	return s.modal || s.closed || s.win.Canvas().Overlays().Top() != nil
}

// typedKey handles named keys; characters are handled by typedRune.
func (s *reviewScreen) typedKey(ev *fyne.KeyEvent) {
	s.touch()
	if s.modal && ev.Name == fyne.KeyEscape && s.dlg != nil && !s.closed {
		s.dlg.Hide() // as Cancel
		return
	}
	if s.keysOff() {
		return
	}
	if transportKey(s, ev.Name, s.mods()&fyne.KeyModifierShift != 0, s.count-1) {
		return
	}
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if s.resumeOffered() {
			s.acceptResume()
		}
	case fyne.KeyEscape:
		switch {
		case s.resumeOffered():
			s.dismissResume()
		case s.tools.panel.Visible():
			s.toggleAdjust()
		case s.helpShown:
			s.toggleHelp()
		case s.win.FullScreen():
			s.toggleFullScreen()
		default:
			s.goBack()
		}
	}
}

// typedRune handles character keys.
func (s *reviewScreen) typedRune(r rune) {
	s.touch()
	if s.keysOff() {
		return
	}
	switch r {
	case '.':
		s.stepBy(1)
	case ',':
		s.stepBy(-1)
	case 'j', 'J':
		s.shuttle(-1)
	case 'k', 'K':
		s.pause()
	case 'l', 'L':
		s.shuttle(1)
	case '[':
		s.changeSpeed(-1)
	case ']':
		s.changeSpeed(1)
	case '+', '=':
		s.video.ZoomIn()
	case '-':
		s.video.ZoomOut()
	case '0':
		s.video.ResetZoom()
	case 'f', 'F':
		s.toggleFullScreen()
	case 'm', 'M':
		s.markHere()
	case 'i', 'I':
		s.setIn()
	case 'o', 'O':
		s.setOut()
	case 'n', 'N':
		s.jumpMark(1)
	case 'p', 'P':
		s.jumpMark(-1)
	case 'a', 'A':
		s.loopStart()
	case 'b', 'B':
		s.loopEnd()
	case '?':
		s.toggleHelp()
	case 's', 'S':
		s.snapshot()
	case 'v', 'V':
		s.toggleAdjust()
	case 'r', 'R':
		s.openRedaction()
	case 'z':
		s.timeline.ZoomStep()
	case 'Z':
		s.timeline.SetZoom(1)
	}
}

// goToDialog asks for a frame number, a media time or the camera's time
// (app.ParseGoTo), says as it is typed how the entry is read, refuses
// anything outside the recording with the valid range, and goes there on
// Enter or Go.
func (s *reviewScreen) goToDialog() {
	if !s.ready() || s.modal {
		return
	}
	e := newEscEntry()
	e.SetPlaceHolder("1200, 00:01:23.480 or 15:17:50")
	frames, at := s.frames, time.Time{}
	if s.rec != nil {
		at = s.rec.RecordedAt
	}
	parse := func(v string) (app.GoToTarget, error) { return app.ParseGoTo(v, frames, at, time.Local) }
	understood := widget.NewLabel(" ")
	understood.Wrapping = fyne.TextWrapWord
	understood.TextStyle.Italic = true
	// The entry's own line is short (it would widen the dialog); the
	// sentence with the range is the label under it.
	e.Validator = func(v string) error {
		_, err := parse(v)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, app.ErrGoToOutside):
			return errors.New("outside the recording")
		}
		return errors.New("not a frame number or a time")
	}
	e.OnChanged = func(v string) {
		t, err := parse(v)
		switch {
		case strings.TrimSpace(v) == "":
			understood.SetText(" ")
		case err != nil:
			understood.SetText(sentenceCase(err.Error()) + ".")
		default:
			understood.SetText(t.Understood + ".")
		}
	}
	hint := widget.NewLabel("A frame number, a media time (00:01:23.480 or 83.48s), or the camera's time " +
		"as the readout shows it (15:17:50, or with the date: 2026-11-28 15:17:50). This recording: " +
		app.GoToRange(frames, at, time.Local) + ".")
	hint.Wrapping = fyne.TextWrapWord
	d := dialog.NewForm("Go to", "Go", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Frame or time", e), widget.NewFormItem("", understood),
			widget.NewFormItem("", hint)},
		func(ok bool) {
			s.endModal()
			if ok {
				if t, err := parse(e.Text); err == nil {
					s.goTo(navCmd{kind: navSeek, n: t.Frame})
				}
			}
			s.refocus()
		}, s.win)
	d.Resize(fyne.NewSize(520, d.MinSize().Height))
	e.onEscape = d.Hide
	e.OnSubmitted = func(string) { d.Submit() } // Enter is Go, when the entry is valid
	s.showModal(d)
	s.win.Canvas().Focus(e)
}

// sentenceCase capitalises the first letter of an error for a sentence.
func sentenceCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// showModal shows d; the review's keys are off until it closes (its
// callback calls endModal), and Escape closes it as Cancel does.
func (s *reviewScreen) showModal(d dialog.Dialog) {
	s.modal, s.dlg = true, d
	d.Show()
}

// endModal is called by the callback of a dialog shown with showModal.
func (s *reviewScreen) endModal() { s.modal, s.dlg = false, nil }

// escEntry is an entry for review dialogs: Escape, which an entry
// otherwise ignores, calls onEscape (closing the dialog).
type escEntry struct {
	widget.Entry
	onEscape func()
}

func newEscEntry() *escEntry {
	e := &escEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey calls onEscape on Escape.
func (e *escEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(k)
}

// goBack closes the screen and returns to the library.
func (s *reviewScreen) goBack() {
	if s.back == nil || s.closed {
		return
	}
	s.close()
	s.back()
}

// close stops everything and closes the engine and the recording in the
// background; the returned channel is closed when that is done. It may be
// called more than once.
func (s *reviewScreen) close() <-chan struct{} {
	if s.closed {
		return s.done
	}
	if s.side != nil {
		s.saveEdit() // a note being typed is kept
	}
	saveResume := s.saveResume()
	s.closed = true
	s.stopReverse()
	s.unhook()
	if s.win.FullScreen() {
		s.win.SetFullScreen(false)
	}
	s.cancel()
	if s.hoverTimer != nil {
		s.hoverTimer.Stop()
	}
	s.video.Clear()
	s.timeline.SetPreview(0, nil, nil)
	go func() {
		s.pane.shutdown(saveResume)
		close(s.done)
	}()
	return s.done
}

// Background goroutines of the review's own, beside the pane's.

// applyProps applies the newest speed, volume and mute to the engine.
func (s *reviewScreen) applyProps(eng reviewEngine) {
	defer s.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.props.wake:
		}
		speed, vol, mute, ok := s.props.take()
		if !ok {
			continue
		}
		for _, err := range []error{eng.SetSpeed(speed), eng.SetVolume(vol), eng.SetMute(mute)} {
			if err != nil && !ignorable(err) {
				s.log.Warn("player setting", "id", s.id, "error", err)
			}
		}
	}
}

// previewDelay is how long the pointer rests on the timeline before a
// preview is decoded.
const previewDelay = 120 * time.Millisecond

// hovered asks for a preview of frame n (-1: the pointer left) once the
// pointer has rested for previewDelay.
func (s *reviewScreen) hovered(n int) {
	if s.closed {
		return
	}
	if n < 0 {
		if s.hoverTimer != nil {
			s.hoverTimer.Stop()
		}
		return
	}
	s.hoverWant.Store(int64(n))
	if s.hoverTimer == nil {
		s.hoverTimer = time.AfterFunc(previewDelay, func() {
			want := int(s.hoverWant.Load())
			select {
			case <-s.thumbs: // drop the stale request
			default:
			}
			select {
			case s.thumbs <- want:
			default:
			}
		})
		return
	}
	s.hoverTimer.Reset(previewDelay)
}

// previews decodes hover previews with a second, small engine on the same
// source, opened on the first request and closed with the screen.
func (s *reviewScreen) previews(med *reviewMedia) {
	defer s.wg.Done()
	var eng reviewEngine
	defer func() {
		if eng != nil {
			_ = eng.Close() // teardown: the review screen is gone
		}
	}()
	broken := false
	for {
		var n int
		select {
		case <-s.ctx.Done():
			return
		case n = <-s.thumbs:
		}
		if broken {
			continue
		}
		if eng == nil {
			opt := s.engOpt
			opt.Width = previewW
			opt.Height = 0
			if med.rec.Width > 0 && med.rec.Height > 0 {
				opt.Height = max(2, (previewW*med.rec.Height/med.rec.Width+1)/2*2)
			}
			opt.AudioOutput = "null"
			opt.CacheBytes = 16 << 20
			opt.NoPrefetch = true // previews only seek
			e, err := s.openEng(med.src, opt)
			if err != nil {
				s.log.Warn("preview engine", "id", s.id, "error", err)
				broken = true
				continue
			}
			if s.ctx.Err() != nil {
				_ = e.Close() // abandoned: the screen closed meanwhile
				return
			}
			eng = e
		}
		f, err := eng.SeekFrame(s.ctx, n)
		if err != nil {
			if !ignorable(err) {
				s.log.Warn("preview", "id", s.id, "frame", n, "error", err)
			}
			continue
		}
		s.do(func() {
			if s.closed || s.timeline == nil {
				f.Release()
				return
			}
			s.timeline.SetPreview(f.Index, f.Image, f.Release)
		})
	}
}
