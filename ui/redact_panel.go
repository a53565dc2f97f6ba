package ui

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
	"exhibit/app/redact"
)

// The editor's side panel, in three tabs: the tracks (a list, and the
// selected track's in and out, method, label, shape and reason, following
// and deletion), the face proposals (detection, accept and reject), and
// the whole-picture and sound ranges (added from the range marked with I
// and O). Changes go through the screen's edits, one library call each.

// Choices of the panel, as words and as model values.
var (
	labelChoices  = []redact.Label{redact.Face, redact.Plate, redact.Screen, redact.Document, redact.Other}
	methodChoices = []redact.Method{redact.Solid, redact.Pixelate, redact.Blur}
	blockChoices  = []int{8, 16, 24, 32, 48}
)

// methodTitle is a method as words.
func methodTitle(m redact.Method) string {
	switch m {
	case redact.Solid:
		return "Solid fill"
	case redact.Pixelate:
		return "Pixelate"
	case redact.Blur:
		return "Heavy blur"
	}
	return string(m)
}

// shapeTitle is a shape as a word.
func shapeTitle(sh redact.Shape) string {
	if sh == redact.Ellipse {
		return "Ellipse"
	}
	return "Rectangle"
}

// detectNote is said wherever faces are proposed.
const detectNote = "Detection finds frontal faces only: faces turned away, in profile, small or in shadow are missed, " +
	"and plates, screens and documents are never proposed. Check every frame yourself; proposals hide nothing until accepted."

type redactPanel struct {
	s    *redactScreen
	root fyne.CanvasObject
	tabs *container.AppTabs

	// Tracks.
	list      *widget.List
	empty     *widget.Label
	tracksTab *fyne.Container
	// detailScroll holds the track form; refreshed (its content resized)
	// whenever the form's height may have changed.
	detailScroll *container.Scroll
	detailH      float32
	detail       *fyne.Container
	filling      bool // the form is being filled in: its callbacks do nothing
	label        *widget.Select
	method       *widget.Select
	block        *widget.Select
	shape        *widget.Select
	reason       *reasonEntry
	span         *widget.Label
	keys         *widget.Label
	followLbl    *widget.Label
	shown        string // the track the form shows
	followBk     *widget.Button
	followFw     *widget.Button

	// Faces.
	faceNote   *widget.Label
	detectBtn  *widget.Button
	hereBtn    *widget.Button
	detectLbl  *widget.Label
	props      *widget.List
	pending    []redact.Proposal
	acceptAll  *widget.Button
	rejectAll  *widget.Button
	propDetail *widget.Label

	// Ranges.
	ioLbl    *widget.Label
	frameBtn *widget.Button
	muteBtn  *widget.Button
	bleepBtn *widget.Button
	ranges   *widget.List
}

func newRedactPanel(s *redactScreen) *redactPanel {
	p := &redactPanel{s: s}
	p.tabs = container.NewAppTabs(
		container.NewTabItem("Tracks", p.buildTracks()),
		container.NewTabItem("Faces", p.buildFaces()),
		container.NewTabItem("Picture & sound", p.buildRanges()),
	)
	p.tabs.OnSelected = func(*container.TabItem) { s.refocus() }
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
	p.root = container.NewStack(bg, container.NewPadded(p.tabs))
	return p
}

func (p *redactPanel) buildTracks() fyne.CanvasObject {
	s := p.s
	p.empty = widget.NewLabel("No tracks yet. Drag on the picture to draw a box around what must be hidden; " +
		"it becomes a track with a keyframe on this frame.")
	p.empty.Wrapping = fyne.TextWrapWord
	p.list = widget.NewList(func() int { return len(s.proj.Tracks) },
		func() fyne.CanvasObject {
			sw := canvas.NewRectangle(trackColor)
			sw.SetMinSize(fyne.NewSize(6, 28))
			name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			name.Truncation = fyne.TextTruncateEllipsis
			info := widget.NewLabel("")
			info.Truncation = fyne.TextTruncateEllipsis
			info.SizeName = theme.SizeNameCaptionText
			return container.NewBorder(nil, nil, sw, nil, container.NewVBox(name, info))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(s.proj.Tracks) {
				return
			}
			t := s.proj.Tracks[i]
			row := o.(*fyne.Container)
			sw := row.Objects[1].(*canvas.Rectangle)
			texts := row.Objects[0].(*fyne.Container).Objects
			c := trackColor
			if s.sameID(t.ID, s.sel) {
				c = selectedColor
			}
			sw.FillColor = c
			sw.Refresh()
			texts[0].(*widget.Label).SetText("Track " + trackName(i, t) + " · " + methodTitle(t.Method))
			info := "Frames " + itoa(t.In()) + "–" + itoa(t.Out()) + " · " + countOf(len(t.Keyframes), "keyframe")
			if t.Reason == "" {
				info += " · no reason yet"
			}
			texts[1].(*widget.Label).SetText(info)
		})
	p.list.OnSelected = func(i widget.ListItemID) {
		if p.filling || i >= len(s.proj.Tracks) {
			return
		}
		t := s.proj.Tracks[i]
		s.selectItem(t.ID, false)
		if b, ok := t.BoxAt(s.cur); !ok || b.Empty() {
			s.seekFrame(t.In()) // show it
		}
		s.refocus()
	}

	p.label = widget.NewSelect(titles(labelChoices, func(l redact.Label) string { return labelTitle(l) }), func(v string) {
		p.edit("the label", func(t *redact.Track) { t.Label = pick(labelChoices, v, labelTitle) })
	})
	p.method = widget.NewSelect(titles(methodChoices, methodTitle), func(v string) {
		p.edit("the method", func(t *redact.Track) { t.Method = pick(methodChoices, v, methodTitle) })
	})
	p.block = widget.NewSelect(titles(blockChoices, blockTitle), func(v string) {
		p.edit("the block size", func(t *redact.Track) { t.Block = pick(blockChoices, v, blockTitle) })
	})
	p.shape = widget.NewSelect([]string{shapeTitle(redact.Rect), shapeTitle(redact.Ellipse)}, func(v string) {
		p.edit("the shape", func(t *redact.Track) { t.Shape = pick([]redact.Shape{redact.Rect, redact.Ellipse}, v, shapeTitle) })
	})
	p.reason = newReasonEntry()
	p.reason.SetPlaceHolder("Reason it is hidden (kept sealed; Enter saves)")
	p.reason.onDone = p.saveReason
	p.reason.OnSubmitted = func(string) { p.saveReason(); s.refocus() }
	p.span = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.span.Wrapping = fyne.TextWrapWord
	p.keys = widget.NewLabel("")
	p.keys.Wrapping = fyne.TextWrapWord
	inHere := widget.NewButton("In here", func() { p.setIn(); s.refocus() })
	outHere := widget.NewButton("Out here", func() { p.setOut(); s.refocus() })
	goIn := widget.NewButtonWithIcon("", theme.MediaSkipPreviousIcon(), func() { p.goKey(-1); s.refocus() })
	goOut := widget.NewButtonWithIcon("", theme.MediaSkipNextIcon(), func() { p.goKey(1); s.refocus() })
	p.followBk = widget.NewButtonWithIcon("Follow back", theme.NavigateBackIcon(), func() { s.follow(-1); s.refocus() })
	p.followFw = widget.NewButtonWithIcon("Follow forward", theme.NavigateNextIcon(), func() { s.follow(1); s.refocus() })
	p.followFw.IconPlacement = widget.ButtonIconTrailingText
	p.followLbl = widget.NewLabel("")
	p.followLbl.Wrapping = fyne.TextWrapWord
	p.followLbl.Hide()
	del := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { s.deleteTrack(s.sel); s.refocus() })
	del.Importance = widget.DangerImportance
	p.detail = container.NewVBox(
		container.NewBorder(nil, nil, nil, del, p.span),
		container.NewBorder(nil, nil, goIn, goOut, container.NewGridWithColumns(2, inHere, outHere)),
		p.keys,
		container.NewGridWithColumns(2, p.label, p.method, p.shape, p.block),
		p.reason,
		container.NewGridWithColumns(2, p.followBk, p.followFw), p.followLbl)
	p.detail.Hide()
	p.detailScroll = container.NewVScroll(p.detail)
	p.tracksTab = container.NewBorder(container.NewVBox(p.empty, container.New(&heightLayout{h: trackListHeight}, p.list)),
		nil, nil, nil, p.detailScroll)
	return p.tracksTab
}

// trackListHeight is the height of the track list (about four rows); the
// selected track's form has the rest of the panel.
const trackListHeight = 120

// heightLayout gives its objects a fixed height and any width.
type heightLayout struct{ h float32 }

func (l *heightLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w float32
	for _, o := range objs {
		w = max(w, o.MinSize().Width)
	}
	return fyne.NewSize(w, l.h)
}

func (l *heightLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// countOf is "1 keyframe" / "3 keyframes".
func countOf(n int, what string) string { return plural(n, what, what+"s") }

func blockTitle(n int) string { return itoa(n) + " px blocks" }

// titles maps values to their titles.
func titles[T any](vs []T, title func(T) string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = title(v)
	}
	return out
}

// pick is the value whose title is t (the first value when none is).
func pick[T any](vs []T, t string, title func(T) string) T {
	for _, v := range vs {
		if title(v) == t {
			return v
		}
	}
	return vs[0]
}

// edit changes the selected track with f, unless the form is being filled.
func (p *redactPanel) edit(what string, f func(t *redact.Track)) {
	s := p.s
	if p.filling {
		return
	}
	t, ok := s.track(s.sel)
	if !ok {
		return
	}
	before := cloneTrack(t)
	f(&t)
	if fmt.Sprint(before) == fmt.Sprint(t) {
		return
	}
	s.updateTrack(what, t)
	s.refocus()
}

// saveReason stores the reason typed, if it changed.
func (p *redactPanel) saveReason() {
	if p.filling {
		return
	}
	txt := p.reason.Text
	p.edit("the reason", func(t *redact.Track) { t.Reason = txt })
}

// setIn makes the frame shown the selected track's first: its box there
// (interpolated, or its first box when before it) becomes a keyframe, and
// keyframes before it go.
func (p *redactPanel) setIn() {
	s := p.s
	t, ok := s.track(s.sel)
	if !ok || !s.canEdit() {
		return
	}
	if s.cur > t.Out() {
		s.say("In must be at or before the track's out point (frame "+itoa(t.Out())+").", true)
		return
	}
	b, ok := t.BoxAt(s.cur)
	if !ok {
		b = t.Keyframes[0].Box
	}
	before := cloneTrack(t)
	var ks []redact.Keyframe
	for _, k := range t.Keyframes {
		if k.Frame > s.cur {
			ks = append(ks, k)
		}
	}
	t.Keyframes = append([]redact.Keyframe{{Frame: s.cur, Box: b}}, ks...)
	s.putTrack("the in point", before, t)
}

// setOut makes the frame shown the selected track's last.
func (p *redactPanel) setOut() {
	s := p.s
	t, ok := s.track(s.sel)
	if !ok || !s.canEdit() {
		return
	}
	if s.cur < t.In() {
		s.say("Out must be at or after the track's in point (frame "+itoa(t.In())+").", true)
		return
	}
	before := cloneTrack(t)
	if t.Keyframes[len(t.Keyframes)-1].Frame > s.cur {
		// Keyframes after the out point go; the box there is kept as the last.
		b, _ := t.BoxAt(s.cur)
		var ks []redact.Keyframe
		for _, k := range t.Keyframes {
			if k.Frame < s.cur {
				ks = append(ks, k)
			}
		}
		t.Keyframes = append(ks, redact.Keyframe{Frame: s.cur, Box: b})
		t.End = s.cur
		s.putTrack("the out point", before, t)
		return
	}
	t.End = s.cur
	s.updateTrack("the out point", t)
}

// goKey shows the selected track's previous (dir < 0) or next keyframe.
func (p *redactPanel) goKey(dir int) {
	s := p.s
	t, ok := s.track(s.sel)
	if !ok {
		return
	}
	if dir < 0 {
		for i := len(t.Keyframes) - 1; i >= 0; i-- {
			if t.Keyframes[i].Frame < s.cur {
				s.seekFrame(t.Keyframes[i].Frame)
				return
			}
		}
		return
	}
	for _, k := range t.Keyframes {
		if k.Frame > s.cur {
			s.seekFrame(k.Frame)
			return
		}
	}
}

// projectChanged refreshes the panel for the project on screen.
func (p *redactPanel) projectChanged() {
	s := p.s
	if none := len(s.proj.Tracks) == 0; none != p.empty.Visible() {
		if none {
			p.empty.Show()
		} else {
			p.empty.Hide()
		}
		p.tracksTab.Refresh() // the list moves
	}
	p.list.Refresh()
	p.pending = p.pending[:0]
	for _, pr := range s.proj.Proposals {
		if pr.State == redact.Pending {
			p.pending = append(p.pending, pr)
		}
	}
	p.props.Refresh()
	if len(p.pending) == 0 {
		p.acceptAll.Disable()
		p.rejectAll.Disable()
	} else {
		p.acceptAll.Enable()
		p.rejectAll.Enable()
	}
	p.ranges.Refresh()
	p.selectionChanged()
}

// selectionChanged fills the track form for the selected track.
func (p *redactPanel) selectionChanged() {
	s := p.s
	i := s.trackIndex(s.sel)
	p.filling = true
	defer func() { p.filling = false }()
	if i < 0 {
		p.list.UnselectAll()
		p.detail.Hide()
		p.showProposal()
		return
	}
	p.list.Select(i)
	t := s.proj.Tracks[i]
	p.label.SetSelected(labelTitle(t.Label))
	p.method.SetSelected(methodTitle(t.Method))
	blk := t.Block
	if blk <= 0 {
		blk = redact.DefaultBlock
	}
	p.block.SetSelected(blockTitle(blk))
	if t.Method == redact.Pixelate {
		p.block.Enable()
	} else {
		p.block.Disable()
	}
	p.shape.SetSelected(shapeTitle(t.Shape))
	if s.win.Canvas().Focused() != p.reason {
		p.reason.SetText(t.Reason)
	}
	if p.shown != t.ID {
		p.shown = t.ID
		p.followLbl.Hide() // it spoke of another track
	}
	p.detail.Show()
	p.positionChanged()
	p.fitDetail(true)
	p.showProposal()
}

// fitDetail lays the track form out again when its height changed (a line
// more or less), or always.
func (p *redactPanel) fitDetail(always bool) {
	if h := p.detail.MinSize().Height; always || h != p.detailH {
		p.detailH = h
		p.detail.Refresh()
		p.detailScroll.Refresh()
	}
}

// positionChanged updates what depends on the frame shown.
func (p *redactPanel) positionChanged() {
	s := p.s
	t, ok := s.track(s.sel)
	if !ok {
		return
	}
	p.span.SetText("Track " + trackName(s.trackIndex(t.ID), t) + ": in frame " + itoa(t.In()) + ", out frame " + itoa(t.Out()) + ".")
	_, kf := keyframeAt(t, s.cur)
	b, on := t.BoxAt(s.cur)
	switch {
	case kf:
		p.keys.SetText(countOf(len(t.Keyframes), "keyframe") + "; one on this frame: " + b.String() + " (x,y,w,h in source pixels).")
	case on:
		p.keys.SetText(countOf(len(t.Keyframes), "keyframe") + "; drawn here between them: " + b.String() + ". Drag it to set a keyframe.")
	default:
		p.keys.SetText(countOf(len(t.Keyframes), "keyframe") + "; the track is not on this frame.")
	}
	p.fitDetail(false)
}

// rangeChanged shows the range marked with I and O.
func (p *redactPanel) rangeChanged() {
	s := p.s
	a, b := s.in, s.out
	switch {
	case a >= 0 && b >= a:
		p.ioLbl.SetText("Marked: frames " + itoa(a) + "–" + itoa(b) + " (" + countOf(b-a+1, "frame") + ").")
		p.frameBtn.Enable()
		p.muteBtn.Enable()
		p.bleepBtn.Enable()
		return
	case a >= 0:
		p.ioLbl.SetText("In at frame " + itoa(a) + ". Go to the range's last frame and press O.")
	default:
		p.ioLbl.SetText("Press I on the first frame of the range and O on its last.")
	}
	p.frameBtn.Disable()
	p.muteBtn.Disable()
	p.bleepBtn.Disable()
}

func (p *redactPanel) buildFaces() fyne.CanvasObject {
	s := p.s
	note := widget.NewLabel(detectNote)
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.WarningImportance
	p.faceNote = note
	p.detectBtn = widget.NewButtonWithIcon("Find faces in all frames", theme.SearchIcon(), func() { s.detect(false); s.refocus() })
	p.hereBtn = widget.NewButtonWithIcon("This frame", theme.SearchIcon(), func() { s.detect(true); s.refocus() })
	p.detectLbl = widget.NewLabel("")
	p.detectLbl.Wrapping = fyne.TextWrapWord
	p.props = widget.NewList(func() int { return len(p.pending) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			acc := widget.NewButtonWithIcon("", theme.ConfirmIcon(), nil)
			rej := widget.NewButtonWithIcon("", theme.CancelIcon(), nil)
			return container.NewBorder(nil, nil, nil, container.NewHBox(acc, rej), l)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(p.pending) {
				return
			}
			pr := p.pending[i]
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Label).SetText(proposalLine(s.proj, pr))
			btns := row.Objects[1].(*fyne.Container).Objects
			btns[0].(*widget.Button).OnTapped = func() { s.decideProposals(true, pr.ID); s.refocus() }
			btns[1].(*widget.Button).OnTapped = func() { s.decideProposals(false, pr.ID); s.refocus() }
		})
	p.props.OnSelected = func(i widget.ListItemID) {
		if p.filling || i >= len(p.pending) {
			return
		}
		pr := p.pending[i]
		s.selectItem(pr.ID, true)
		if _, ok := proposalAt(pr, s.cur); !ok && len(pr.Detections) > 0 {
			s.seekFrame(pr.Detections[0].Frame)
		}
		s.refocus()
	}
	p.acceptAll = widget.NewButtonWithIcon("Accept all", theme.ConfirmIcon(), func() { s.decideProposals(true, p.pendingIDs()...); s.refocus() })
	p.rejectAll = widget.NewButtonWithIcon("Reject all", theme.CancelIcon(), func() { s.decideProposals(false, p.pendingIDs()...); s.refocus() })
	p.propDetail = widget.NewLabel("")
	p.propDetail.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(note, container.NewGridWithColumns(2, p.detectBtn, p.hereBtn), p.detectLbl, widget.NewSeparator())
	bottom := container.NewVBox(p.propDetail, container.NewGridWithColumns(2, p.acceptAll, p.rejectAll))
	return container.NewBorder(top, bottom, nil, nil, p.props)
}

// proposalLine describes a proposal in the list: "3 · frames 10–85 · 16 detections".
func proposalLine(pj redact.Project, pr redact.Proposal) string {
	n := 0
	for i, q := range pj.Proposals {
		if q.ID == pr.ID {
			n = i + 1
		}
	}
	d := pr.Detections
	if len(d) == 0 {
		return "Proposal " + itoa(n)
	}
	return "Proposal " + itoa(n) + " · frames " + itoa(d[0].Frame) + "–" + itoa(d[len(d)-1].Frame) + " · " + countOf(len(d), "detection")
}

// pendingIDs are the ids of the pending proposals.
func (p *redactPanel) pendingIDs() []string {
	var ids []string
	for _, pr := range p.pending {
		ids = append(ids, pr.ID)
	}
	return ids
}

// showProposal says what the selected proposal is.
func (p *redactPanel) showProposal() {
	s := p.s
	for i, pr := range p.pending {
		if pr.ID == s.selProp {
			p.props.Select(i)
			p.propDetail.SetText(proposalLine(s.proj, pr) + ". Accept makes it a track with a keyframe at each detection " +
				"(then its boxes can be corrected); Reject drops it.")
			return
		}
	}
	p.props.UnselectAll()
	p.propDetail.SetText(countOf(len(p.pending), "proposal") + " waiting. Select one to see it; ✓ accepts, ✗ rejects.")
}

func (p *redactPanel) buildRanges() fyne.CanvasObject {
	s := p.s
	intro := widget.NewLabel("Hide the whole picture, or mute or bleep the sound, over the frames marked with I and O.")
	intro.Wrapping = fyne.TextWrapWord
	p.ioLbl = widget.NewLabel("")
	p.ioLbl.Wrapping = fyne.TextWrapWord
	p.frameBtn = widget.NewButtonWithIcon("Hide the whole picture…", theme.VisibilityOffIcon(), func() { s.rangeDialog("picture") })
	p.muteBtn = widget.NewButtonWithIcon("Mute…", theme.VolumeMuteIcon(), func() { s.rangeDialog("mute") })
	p.bleepBtn = widget.NewButtonWithIcon("Bleep…", theme.VolumeUpIcon(), func() { s.rangeDialog("bleep") })
	p.ranges = widget.NewList(func() int { return len(s.proj.Frames) + len(s.proj.Audio) },
		func() fyne.CanvasObject {
			sw := canvas.NewRectangle(frameRangeCol)
			sw.SetMinSize(fyne.NewSize(6, 28))
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			del := widget.NewButtonWithIcon("", theme.DeleteIcon(), nil)
			del.Importance = widget.LowImportance
			return container.NewBorder(nil, nil, sw, del, l)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			l := row.Objects[0].(*widget.Label)
			sw := row.Objects[1].(*canvas.Rectangle)
			row.Objects[2].(*widget.Button).OnTapped = func() { s.deleteRange(i) }
			var c color.Color
			switch {
			case i < len(s.proj.Frames):
				f := s.proj.Frames[i]
				c = frameRangeCol
				l.SetText("Picture " + methodTitle(f.Method) + " · frames " + itoa(f.From) + "–" + itoa(f.To) + reasonMark(f.Reason))
			case i-len(s.proj.Frames) < len(s.proj.Audio):
				a := s.proj.Audio[i-len(s.proj.Frames)]
				c = muteRangeCol
				kind := "Muted"
				if a.Kind == redact.Bleep {
					c, kind = bleepRangeCol, "Bleeped"
				}
				l.SetText(kind + " · " + app.FormatMediaTime(a.From) + "–" + app.FormatMediaTime(a.To) + reasonMark(a.Reason))
			default:
				return
			}
			sw.FillColor = c
			sw.Refresh()
		})
	p.rangeChanged()
	top := container.NewVBox(intro, p.ioLbl, p.frameBtn, container.NewGridWithColumns(2, p.muteBtn, p.bleepBtn), widget.NewSeparator())
	return container.NewBorder(top, nil, nil, nil, p.ranges)
}

func reasonMark(r string) string {
	if r == "" {
		return " · no reason"
	}
	return ""
}

// reasonEntry is the reason's entry: leaving it, or Ctrl+Enter, stores
// what was typed (onDone); Escape gives the keys back to the video.
type reasonEntry struct {
	widget.Entry
	onDone func()
}

func newReasonEntry() *reasonEntry {
	e := &reasonEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// FocusLost stores the reason.
func (e *reasonEntry) FocusLost() {
	e.Entry.FocusLost()
	if e.onDone != nil {
		e.onDone()
	}
}

// TypedKey leaves the entry on Escape (storing the reason).
func (e *reasonEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape {
		if c := fyne.CurrentApp().Driver().CanvasForObject(e); c != nil {
			c.Unfocus()
		}
		return
	}
	e.Entry.TypedKey(k)
}
