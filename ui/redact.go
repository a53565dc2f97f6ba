package ui

import (
	"context"
	"image"
	"image/color"
	"log/slog"
	"strings"
	"sync"
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
	"exhibit/app/redact"
	"exhibit/player"
)

// The redaction editor: the review screen's frame-exact player (the same
// engine, keys, readout and timeline) with the project's boxes drawn over
// the picture, a side panel of tracks, proposals and whole-picture and
// sound ranges, and a preview of the redacted picture drawn by the same
// code as the render (redact.ApplyRGBA). Every edit is one library call,
// run in order off the UI goroutine (redactSaver); undo and redo put whole
// tracks back (PutTrack).

// redactShown, when set (tests), is called on the UI goroutine after the
// editor shows a new position or a new state of the project.
var redactShown func(*redactScreen)

// redactScreen is the redaction editor of one project. Fields are touched
// on the UI goroutine only, except those noted.
type redactScreen struct {
	win   fyne.Window
	log   *slog.Logger
	do    func(func())
	mods  func() fyne.KeyModifier
	back  func() // returns to where the editor was opened from
	touch func()

	lib   redactAPI
	recID string
	// projID is the project (empty until opened: open finds or makes the
	// project of the recording's frames from..to).
	projID   string
	from, to int

	openMed func(ctx context.Context) (*reviewMedia, error)
	openEng func(src player.Source, opt player.Options) (reviewEngine, error)
	engOpt  player.Options

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	wg     sync.WaitGroup

	// Background state.
	pane  *playerPane // the engine, its worker, ticker and events
	nav   *navQueue
	saver *redactSaver

	// UI state.
	proj      redact.Project
	loaded    bool // proj came from the store
	rec       *app.Recording
	frames    []time.Duration
	count     int
	cur       int
	srcW      int
	srcH      int
	isPlaying bool
	closed    bool
	failed    bool
	modal     bool
	dlg       dialog.Dialog
	preview   bool
	helpShown bool
	// sel is the selected track's id, selProp the selected proposal's
	// ("": none).
	sel, selProp string
	// in is the frame marked with I for a whole-picture or sound range
	// (-1: none); out the frame marked with O (-1: none).
	in, out int
	// undo and redo hold the last edits of tracks, newest last.
	undo, redo []trackEdit
	// shownImg is the engine's frame on screen (the preview draws on a
	// copy of it); shownRelease gives it back.
	shownImg     *image.RGBA
	shownRelease func()
	// previewBufs are the preview's copies, used in turn.
	previewBufs [2]*image.RGBA
	previewIdx  int
	// exact is the exact preview's state (redact_exact.go).
	exact exactState
	// tracking and detecting stop a follow or a face detection in
	// progress (nil: none).
	tracking, detecting context.CancelFunc

	content     fyne.CanvasObject
	title       *widget.Label
	video       *VideoView
	overlay     *redactOverlay
	timeline    *Timeline
	tlSlot      *fyne.Container
	lanes       *redactLanes
	playBtn     *widget.Button
	frameLbl    *widget.Label
	timeLbl     *widget.Label
	wallLbl     *widget.Label
	readoutBox  []*fyne.Container
	message     *widget.Label
	msgCard     fyne.CanvasObject
	busy        *widget.Activity
	status      *widget.Label // save state and what the last action did
	retryBtn    *widget.Button
	previewBtn  *widget.Button
	previewBand *fyne.Container
	exactLbl    *widget.Label // which preview is shown: exact or approximate
	exactBox    *fyne.Container
	undoBtn     *widget.Button
	redoBtn     *widget.Button
	renderBtn   *widget.Button
	help        fyne.CanvasObject
	controls    []fyne.Disableable
	panel       *redactPanel
}

// newRedactScreen builds the editor for recording recID of lib: project
// projID, or (projID "") the recording's project for frames from..to,
// made when there is none (to < 0: to the last frame). back (may be nil)
// is called after Back or Escape. Nothing runs until start.
func newRedactScreen(lib redactAPI, win fyne.Window, recID, projID string, from, to int, log *slog.Logger, back func()) *redactScreen {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &redactScreen{win: win, log: log, do: fyne.Do, mods: currentModifiers, back: back, touch: func() {},
		lib: lib, recID: recID, projID: projID, from: from, to: to,
		nav: newNavQueue(), done: make(chan struct{}), in: -1, out: -1,
		exact: exactState{failedFrame: -1}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.pane = newPlayerPane(s.ctx, s, &s.wg, s.nav, func(f func()) { s.do(f) }, log, "redaction", "recording", recID)
	s.saver = newRedactSaver()
	s.openMed, s.openEng = reviewOpener(lib, recID), openPlayer
	s.build()
	return s
}

func (s *redactScreen) build() {
	backBtn := widget.NewButtonWithIcon("Review", theme.NavigateBackIcon(), s.goBack)
	if s.back == nil {
		backBtn.Hide()
	}
	s.title = widget.NewLabelWithStyle("Redaction", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.title.Truncation = fyne.TextTruncateEllipsis
	s.undoBtn = widget.NewButtonWithIcon("Undo", theme.ContentUndoIcon(), func() { s.undoEdit(); s.refocus() })
	s.redoBtn = widget.NewButtonWithIcon("Redo", theme.ContentRedoIcon(), func() { s.redoEdit(); s.refocus() })
	s.previewBtn = widget.NewButtonWithIcon("Preview (V)", theme.VisibilityIcon(), func() { s.togglePreview(); s.refocus() })
	s.renderBtn = widget.NewButtonWithIcon("Render…", theme.MediaVideoIcon(), s.renderDialog)
	s.renderBtn.Importance = widget.HighImportance
	helpBtn := widget.NewButtonWithIcon("Keys", theme.HelpIcon(), func() { s.toggleHelp(); s.refocus() })
	helpBtn.Importance = widget.LowImportance
	top := container.NewBorder(nil, nil, backBtn,
		container.NewHBox(s.undoBtn, s.redoBtn, widget.NewSeparator(), s.previewBtn, s.renderBtn, helpBtn), s.title)

	s.video = NewVideoView()
	s.video.OnTypedKey = s.typedKey
	s.video.OnTypedRune = s.typedRune
	s.overlay = newRedactOverlay(s.video)
	s.overlay.OnDraw = s.drawBox
	s.overlay.OnChange = s.moveBox
	s.overlay.OnSelect = s.selectItem
	s.overlay.OnRefused = func(msg string) { s.say(msg, true) }

	s.message = widget.NewLabel("")
	s.message.Wrapping = fyne.TextWrapWord
	s.message.Alignment = fyne.TextAlignCenter
	s.busy = widget.NewActivity()
	card := canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	card.CornerRadius = theme.InputRadiusSize()
	s.msgCard = container.NewCenter(container.New(&fixedWidth{w: 560}, container.NewStack(card,
		container.NewPadded(container.NewVBox(container.NewCenter(s.busy), s.message)))))
	s.help = s.buildHelp()
	s.help.Hide()

	bandBg := canvas.NewRectangle(color0x(0x20, 0x20, 0x24, 0xd0))
	bandBg.CornerRadius = theme.InputRadiusSize()
	bandLbl := widget.NewLabelWithStyle("Preview: the picture as it will be rendered. Press V to edit again.",
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	bandLbl.Importance = widget.WarningImportance
	s.previewBand = container.NewStack(bandBg, bandLbl)
	s.previewBand.Hide()
	badges := container.NewPadded(container.NewVBox(container.NewHBox(s.previewBand)))
	middle := container.NewStack(s.video, s.overlay, badges, s.msgCard, s.help)

	s.timeline = NewTimeline(nil, 0)
	s.tlSlot = container.NewStack(s.timeline)
	s.lanes = newRedactLanes(s)

	var back1, backSec, fwdSec, fwd1 *widget.Button
	back1, backSec, s.playBtn, fwdSec, fwd1 = transportButtons(s, s.refocus)

	mono := fyne.TextStyle{Monospace: true}
	s.frameLbl = widget.NewLabelWithStyle(formatFrameReadout(0, 0), fyne.TextAlignLeading, mono)
	s.timeLbl = widget.NewLabelWithStyle(app.FormatMediaTime(0), fyne.TextAlignLeading, mono)
	s.wallLbl = widget.NewLabelWithStyle("", fyne.TextAlignLeading, mono)
	s.readoutBox = []*fyne.Container{container.NewStack(s.frameLbl), container.NewStack(s.timeLbl), container.NewStack(s.wallLbl)}
	s.exactLbl = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	// As wide as its widest text, so the readout does not move when it changes.
	widest := widget.NewLabelWithStyle("Preview: "+previewFailed, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.exactBox = container.New(layout.NewGridWrapLayout(widest.MinSize()), s.exactLbl)
	s.exactBox.Hide()

	s.status = widget.NewLabel("")
	s.status.Truncation = fyne.TextTruncateEllipsis
	s.retryBtn = widget.NewButtonWithIcon("Save again", theme.ViewRefreshIcon(), func() { s.saver.retry(); s.refocus() })
	s.retryBtn.Importance = widget.DangerImportance
	s.retryBtn.Hide()

	s.controls = []fyne.Disableable{back1, fwd1, backSec, fwdSec, s.playBtn, s.previewBtn, s.renderBtn, s.undoBtn, s.redoBtn}
	for _, c := range s.controls {
		c.Disable()
	}
	transport := container.NewHBox(back1, backSec, s.playBtn, fwdSec, fwd1)
	readout := container.NewHBox(s.readoutBox[0], widget.NewSeparator(), s.readoutBox[1], widget.NewSeparator(), s.readoutBox[2])
	barLay := &barLayout{}
	bar := container.New(barLay, transport, readout)
	// The preview's kind sits at the end of the line under the readout: a
	// line that is there anyway, so showing it never moves the picture.
	statusRow := container.NewBorder(nil, nil, nil, container.NewHBox(s.exactBox, s.retryBtn), s.status)
	bottom := container.NewPadded(container.NewVBox(container.NewPadded(container.NewVBox(container.NewBorder(nil, nil, laneInset(), nil, s.tlSlot), s.lanes)), bar, statusRow))

	s.panel = newRedactPanel(s)
	side := container.New(widthLayout(redactPanelWidth), s.panel.root)
	s.content = container.New(&widthHint{inner: layout.NewBorderLayout(top, bottom, nil, side),
		hint: func(w float32) { barLay.avail = w - redactPanelWidth - 2*theme.Padding() }}, middle, top, bottom, side)
}

// redactPanelWidth is the width of the editor's side panel.
const redactPanelWidth = 380

// buildHelp is the key overlay that ? toggles.
func (s *redactScreen) buildHelp() fyne.CanvasObject {
	keys := [][2]string{
		{"Space", "Play / pause"},
		{"→  or  .", "Next frame"},
		{"←  or  ,", "Previous frame"},
		{"Shift+→ / Shift+←", "One second forward / back"},
		{"Home / End", "First / last frame"},
		{"J / K / L", "Back / pause / forward"},
		{"Drag on the picture", "Draw a new box (a new track) on this frame"},
		{"Drag a box / a handle", "Move / resize it: a keyframe on this frame"},
		{"Del", "Remove the selected track's keyframe on this frame"},
		{"Ctrl+Z / Ctrl+Shift+Z", "Undo / redo"},
		{"V", "Preview the redacted picture"},
		{"I / O", "Start / end of a whole-picture or sound range"},
		{"+ / − / 0", "Zoom in / out / whole picture (or the mouse wheel)"},
		{"?", "Show / hide these keys"},
		{"Esc", "Close this / back to the review"},
	}
	grid := container.New(layout.NewFormLayout())
	for _, k := range keys {
		grid.Add(widget.NewLabelWithStyle(k[0], fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true}))
		grid.Add(widget.NewLabel(k[1]))
	}
	head := widget.NewLabelWithStyle("Keyboard and mouse", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.SizeName = theme.SizeNameSubHeadingText
	bg := canvas.NewRectangle(color0x(0x20, 0x20, 0x24, 0xf0))
	bg.CornerRadius = theme.InputRadiusSize()
	return container.NewVScroll(container.NewCenter(container.NewStack(bg,
		container.NewPadded(container.NewVBox(head, widget.NewSeparator(), grid)))))
}

// shortcuts are the editor's key combinations with Ctrl.
var redactShortcuts = []*desktop.CustomShortcut{
	{KeyName: fyne.KeyZ, Modifier: fyne.KeyModifierControl},
	{KeyName: fyne.KeyZ, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift},
	{KeyName: fyne.KeyY, Modifier: fyne.KeyModifierControl},
	{KeyName: fyne.KeyRight, Modifier: fyne.KeyModifierShift},
	{KeyName: fyne.KeyLeft, Modifier: fyne.KeyModifierShift},
}

// start hooks the keys and opens the project, the recording and the
// engine in the background.
func (s *redactScreen) start() {
	s.say("Opening the redaction of recording "+s.recID+"…", false)
	s.busy.Show()
	s.busy.Start()
	s.win.SetTitle("Exhibit — Redaction " + s.recID)
	c := s.win.Canvas()
	c.SetOnTypedKey(s.typedKey)
	c.SetOnTypedRune(s.typedRune)
	key := func(f func()) func(fyne.Shortcut) {
		return func(fyne.Shortcut) {
			s.touch()
			if !s.keysOff() {
				f()
			}
		}
	}
	acts := []func(){s.undoEdit, s.redoEdit, s.redoEdit, func() { s.seekRel(time.Second) }, func() { s.seekRel(-time.Second) }}
	for i, sc := range redactShortcuts {
		c.AddShortcut(sc, key(acts[i]))
	}
	s.refocus()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.saver.run(s.ctx, s)
	}()
	go s.open()
}

// unhook removes the editor's key handlers from the window canvas.
func (s *redactScreen) unhook() {
	c := s.win.Canvas()
	c.SetOnTypedKey(nil)
	c.SetOnTypedRune(nil)
	for _, sc := range redactShortcuts {
		c.RemoveShortcut(sc)
	}
}

// open (own goroutine): the project, the recording, the engine.
func (s *redactScreen) open() {
	p, err := s.openProject(s.ctx)
	if err != nil {
		s.log.Error("open redaction", "recording", s.recID, "error", err)
		s.do(func() { s.fail(err) })
		return
	}
	eng, med, ok := s.pane.open(s.openMed, s.openEng, s.engOpt, nil)
	if !ok {
		return
	}
	start := max(0, p.From)
	f, err := eng.SeekFrame(s.ctx, start)
	s.do(func() { s.opened(p, med, f, err) })
}

// openProject finds or makes the project to edit.
func (s *redactScreen) openProject(ctx context.Context) (redact.Project, error) {
	if s.projID != "" {
		return s.lib.RedactionProject(ctx, s.projID)
	}
	ps, err := s.lib.RedactionProjects(ctx, s.recID)
	if err != nil {
		return redact.Project{}, err
	}
	for _, p := range ps {
		if p.From == max(0, s.from) && (s.to < 0 || p.To == s.to) {
			return s.lib.RedactionProject(ctx, p.ID)
		}
	}
	return s.lib.NewRedaction(ctx, s.recID, max(0, s.from), s.to)
}

// opened shows the project and the recording at the project's first frame.
func (s *redactScreen) opened(p redact.Project, med *reviewMedia, f player.Frame, err error) {
	if s.closed {
		f.Release()
		return
	}
	s.proj, s.projID, s.loaded = p, p.ID, true
	s.rec, s.frames, s.count = med.rec, med.src.Frames, len(med.src.Frames)
	s.srcW, s.srcH = med.rec.Width, med.rec.Height
	s.overlay.srcW, s.overlay.srcH = s.srcW, s.srcH
	title := "Redaction " + p.ID + " of recording " + s.recID
	if med.rec.Personal.Officer != "" {
		title += " — " + med.rec.Personal.Officer
	}
	title += " — frames " + itoa(p.From) + "–" + itoa(p.To)
	s.title.SetText(title)
	s.win.SetTitle("Exhibit — " + title)
	var dur time.Duration
	if s.count > 0 {
		dur = s.frames[s.count-1] + s.frameInterval()
	}
	dur = max(dur, med.rec.Duration)
	s.timeline = NewTimeline(s.frames, dur)
	s.timeline.OnSeek = func(n int) { s.seekFrame(n); s.refocus() }
	s.timeline.OnView = s.lanes.Refresh
	s.timeline.SetLoop(p.From, p.To)
	s.tlSlot.Objects = []fyne.CanvasObject{s.timeline}
	s.tlSlot.Refresh()
	for _, c := range s.controls {
		c.Enable()
	}
	s.msgCard.Hide()
	s.busy.Stop()
	s.fixReadoutWidths()
	if err != nil {
		if !ignorable(err) {
			s.fail(err)
		}
		return
	}
	s.showFrame(f)
	s.projectChanged()
	s.refocus()
}

// fixReadoutWidths sizes the readout for its widest values.
func (s *redactScreen) fixReadoutWidths() {
	if s.count == 0 {
		return
	}
	digits := strings.Repeat("8", len(itoa(s.count)))
	samples := []string{"Frame " + digits + " of 0–" + itoa(s.count-1), app.FormatMediaTime(s.frames[s.count-1]),
		"Wed 28 Nov 2026 23:59:59.999 WWWW"}
	if s.rec.RecordedAt.IsZero() {
		samples[2] = formatWallClock(time.Time{})
	}
	fixReadout([]*widget.Label{s.frameLbl, s.timeLbl, s.wallLbl}, s.readoutBox, samples)
	s.content.Refresh()
}

// refocus gives the keys back to the video after a control was used.
func (s *redactScreen) refocus() {
	if s.closed || s.modal {
		return
	}
	s.win.Canvas().Focus(s.video)
}

// say shows msg over the video; a hint (transient) goes away at the next
// position shown.
func (s *redactScreen) say(msg string, hint bool) {
	s.message.SetText(msg)
	s.message.Importance = widget.MediumImportance
	if hint {
		s.message.Importance = widget.WarningImportance
	}
	s.busy.Stop()
	s.busy.Hide()
	s.message.Refresh()
	s.msgCard.Show()
}

// fail shows err over the video and stops the controls.
func (s *redactScreen) fail(err error) {
	if s.closed {
		return
	}
	s.failed = true
	s.isPlaying = false
	s.playBtn.SetIcon(theme.MediaPlayIcon())
	s.say(reviewErrorMessage(err), false)
	s.message.Importance = widget.DangerImportance
	s.message.Refresh()
	for _, c := range s.controls {
		c.Disable()
	}
}

// showFrame puts the engine's frame on screen (taking over its
// reference): as it is, or redacted on a copy while previewing.
func (s *redactScreen) showFrame(f player.Frame) {
	if s.closed || f.Image == nil {
		f.Release()
		return
	}
	if s.shownRelease != nil && s.shownImg != f.Image {
		s.shownRelease()
	}
	s.shownImg, s.shownRelease = f.Image, f.Release
	s.cur = max(0, min(f.Index, s.count-1))
	s.drawPicture()
	s.showPosition()
}

// drawPicture shows the frame: the engine's picture, or the preview: the
// exact picture when it has arrived for this frame and project version,
// otherwise the approximate one drawn at once on the engine's frame
// (asking for the exact one when the picture rests; redact_exact.go).
func (s *redactScreen) drawPicture() {
	if s.shownImg == nil {
		return
	}
	if !s.preview {
		s.cancelExact()
		s.exactBox.Hide()
		s.video.SetFrame(s.shownImg, nil)
		return
	}
	if s.exactFits() {
		s.video.SetFrame(s.exact.pic.Image, nil)
		s.showPreviewKind(true, previewExact)
		return
	}
	src := s.shownImg
	// Two buffers in turn: the one on screen is never written.
	s.previewIdx ^= 1
	buf := s.previewBufs[s.previewIdx]
	if buf == nil || buf.Rect != src.Rect {
		buf = image.NewRGBA(src.Rect)
		s.previewBufs[s.previewIdx] = buf
	}
	copy(buf.Pix, src.Pix)
	regs := scaleRegions(s.proj.RegionsAt(s.cur, s.srcW, s.srcH), s.srcW, s.srcH, src.Rect.Dx(), src.Rect.Dy())
	redact.ApplyRGBA(buf, regs)
	s.video.SetFrame(buf, nil)
	s.requestExact()
	text := previewApprox
	if s.exact.cancel != nil {
		text = previewComing
	} else if s.isPlaying {
		text = previewPlaying
	}
	s.showPreviewKind(false, text)
}

// showPosition moves the readout, the timeline and the boxes to s.cur.
func (s *redactScreen) showPosition() {
	if s.count == 0 {
		return
	}
	n := s.cur
	showReadout(s.frameLbl, s.timeLbl, s.wallLbl, s.frames[:s.count], n, s.rec)
	s.timeline.SetPosition(n)
	if s.message.Importance == widget.WarningImportance && s.msgCard.Visible() {
		s.msgCard.Hide()
	}
	s.drawBoxes()
	s.panel.positionChanged()
	if redactShown != nil {
		redactShown(s)
	}
}

// drawBoxes puts the boxes of frame s.cur over the picture.
func (s *redactScreen) drawBoxes() {
	var items []overlayItem
	if !s.preview {
		for i, t := range s.proj.Tracks {
			b, ok := t.BoxAt(s.cur)
			if !ok {
				continue
			}
			_, kf := keyframeAt(t, s.cur)
			items = append(items, overlayItem{ID: t.ID, Box: b, Ellipse: t.Shape == redact.Ellipse,
				Selected: t.ID == s.sel, Keyframe: kf, Text: trackName(i, t), Color: trackColor})
		}
		for i, p := range s.proj.Proposals {
			if p.State != redact.Pending {
				continue
			}
			if d, ok := proposalAt(p, s.cur); ok {
				items = append(items, overlayItem{ID: p.ID, Box: d.Box, Proposal: true, Selected: p.ID == s.selProp,
					Text: "Proposal " + itoa(i+1) + "?", Color: proposalColor})
			}
		}
	}
	s.overlay.editable = !s.preview
	s.overlay.setItems(items)
}

// frameInterval is the mean frame duration.
func (s *redactScreen) frameInterval() time.Duration { return meanFrameInterval(s.frames[:s.count]) }

// ready reports whether navigation is possible.
func (s *redactScreen) ready() bool { return s.count > 0 && !s.closed && !s.failed }

// isClosed reports whether the editor was closed (playerHost).
func (s *redactScreen) isClosed() bool { return s.closed }

// playingForward reports whether the editor shows playback (playerHost).
func (s *redactScreen) playingForward() bool { return s.isPlaying }

// Navigation (UI goroutine), as on the review screen; the pane's worker
// runs it. Each one cancels an exact preview asked for (a stale picture).

func (s *redactScreen) stepBy(d int) { s.cancelExact(); s.pane.request(navCmd{kind: navStep, n: d}) }

func (s *redactScreen) seekFrame(n int) { s.cancelExact(); s.pane.request(navCmd{kind: navSeek, n: n}) }

func (s *redactScreen) seekRel(d time.Duration) {
	s.cancelExact()
	s.pane.request(navCmd{kind: navSeekRel, d: d})
}

func (s *redactScreen) togglePlay() {
	s.cancelExact()
	if s.isPlaying {
		s.pane.request(navCmd{kind: navPause})
		return
	}
	s.pane.request(navCmd{kind: navPlay})
}

func (s *redactScreen) setPlayingUI(on bool) {
	s.isPlaying = on
	showPlayIcon(s.playBtn, on)
}

// Keys.

// keysOff reports whether the editor's keys are off: while a dialog is
// open, after it closed, or while anything is shown over it.
func (s *redactScreen) keysOff() bool {
	return s.modal || s.closed || s.win.Canvas().Overlays().Top() != nil
}

// typedKey handles named keys.
func (s *redactScreen) typedKey(ev *fyne.KeyEvent) {
	s.touch()
	if s.modal && ev.Name == fyne.KeyEscape && s.dlg != nil && !s.closed {
		s.dlg.Hide()
		return
	}
	if s.keysOff() {
		return
	}
	if transportKey(s, ev.Name, s.mods()&fyne.KeyModifierShift != 0, s.count-1) {
		return
	}
	switch ev.Name {
	case fyne.KeyDelete, fyne.KeyBackspace:
		s.deleteKeyframe()
	case fyne.KeyEscape:
		switch {
		case s.helpShown:
			s.toggleHelp()
		case s.sel != "" || s.selProp != "":
			s.selectItem("", false)
		default:
			s.goBack()
		}
	}
}

// typedRune handles character keys.
func (s *redactScreen) typedRune(r rune) {
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
		s.stepBy(-1)
	case 'k', 'K':
		if s.isPlaying {
			s.togglePlay()
		}
	case 'l', 'L':
		if !s.isPlaying {
			s.togglePlay()
		}
	case 'v', 'V':
		s.togglePreview()
	case 'i', 'I':
		s.markIn()
	case 'o', 'O':
		s.markOut()
	case '+', '=':
		s.video.ZoomIn()
		s.overlay.Refresh()
	case '-':
		s.video.ZoomOut()
		s.overlay.Refresh()
	case '0':
		s.video.ResetZoom()
		s.overlay.Refresh()
	case '?':
		s.toggleHelp()
	}
}

func (s *redactScreen) toggleHelp() {
	s.helpShown = !s.helpShown
	if s.helpShown {
		s.help.Show()
	} else {
		s.help.Hide()
	}
}

// togglePreview (V) shows the redacted picture, or the editing view.
func (s *redactScreen) togglePreview() {
	if !s.ready() {
		return
	}
	s.preview = !s.preview
	if s.preview {
		s.previewBand.Show()
		s.previewBtn.Importance = widget.HighImportance
	} else {
		s.previewBand.Hide()
		s.previewBtn.Importance = widget.MediumImportance
	}
	s.previewBtn.Refresh()
	s.drawPicture()
	s.drawBoxes()
}

// markIn (I) and markOut (O) mark a range for the whole-picture and sound
// ranges of the side panel.
func (s *redactScreen) markIn() {
	if !s.ready() {
		return
	}
	s.in = s.cur
	if s.out >= 0 && s.out < s.in {
		s.out = -1
	}
	s.timeline.SetPendingIn(s.in)
	s.panel.rangeChanged()
}

func (s *redactScreen) markOut() {
	if !s.ready() {
		return
	}
	s.out = s.cur
	if s.in >= 0 && s.out < s.in {
		s.in, s.out = s.out, s.in
	}
	s.timeline.SetPendingIn(-1)
	s.panel.rangeChanged()
	s.lanes.Refresh()
}

// showModal shows d with the editor's keys off until endModal.
func (s *redactScreen) showModal(d dialog.Dialog) {
	s.modal, s.dlg = true, d
	d.Show()
}

// endModal is called by the callback of a dialog shown with showModal.
func (s *redactScreen) endModal() { s.modal, s.dlg = false, nil }

// goBack closes the editor and returns. When an edit could not be
// stored it asks first: leaving would lose it.
func (s *redactScreen) goBack() {
	if s.back == nil || s.closed || s.modal {
		return
	}
	if n, _, err := s.saver.state(); err != nil {
		d := dialog.NewConfirm("Edits not saved",
			countOf(n, "edit")+" could not be stored ("+reviewErrorMessage(err)+"). Leaving now loses them. "+
				"Stay and press Save again, or leave without them?", func(leave bool) {
				s.endModal()
				if leave {
					s.close()
					s.back()
					return
				}
				s.refocus()
			}, s.win)
		d.SetConfirmText("Leave without them")
		d.SetDismissText("Stay")
		s.showModal(d)
		return
	}
	s.close()
	s.back()
}

// close stops everything; edits already made are still saved (the saver
// finishes its queue). The returned channel is closed when all is done.
func (s *redactScreen) close() <-chan struct{} {
	if s.closed {
		return s.done
	}
	s.panel.saveReason()
	s.closed = true
	s.unhook()
	if s.tracking != nil {
		s.tracking()
	}
	if s.detecting != nil {
		s.detecting()
	}
	s.saver.closing()
	s.cancel()
	s.video.Clear()
	if s.shownRelease != nil {
		s.shownRelease()
		s.shownRelease, s.shownImg = nil, nil
	}
	go func() {
		s.pane.shutdown(nil)
		close(s.done)
	}()
	return s.done
}

// laneInset keeps the timeline over the lanes, right of the lane names.
func laneInset() fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(laneNameW, 0))
	return r
}

// color0x is an NRGBA colour.
func color0x(r, g, b, a uint8) color.NRGBA { return color.NRGBA{R: r, G: g, B: b, A: a} }
