package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app/redact"
)

// overlayItem is one box drawn over the picture: a track's box at the
// frame shown, or a pending proposal's detection (dashed).
type overlayItem struct {
	ID       string // track or proposal id
	Box      redact.Box
	Proposal bool
	Ellipse  bool
	Selected bool
	Keyframe bool // the track has a keyframe on this frame
	Text     string
	Color    color.NRGBA
}

// Colours of the overlay.
var (
	trackColor    = color.NRGBA{R: 0xff, G: 0xd5, B: 0x4f, A: 0xff} // amber
	selectedColor = color.NRGBA{R: 0x29, G: 0xb6, B: 0xf6, A: 0xff} // light blue
	proposalColor = color.NRGBA{R: 0xf0, G: 0x62, B: 0x92, A: 0xff} // pink
	draftColor    = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	labelBgColor  = color.NRGBA{R: 0x10, G: 0x10, B: 0x14, A: 0xc0}
)

// redactOverlay is drawn over the editor's VideoView at the same size: it
// draws the boxes of the frame shown where they are on the picture, and
// turns the mouse into edits. Dragging on the picture outside every box
// draws a new box; dragging a box moves it, dragging one of the selected
// box's handles resizes it; a tap selects. Wheel turns zoom the video. UI
// goroutine only.
type redactOverlay struct {
	widget.BaseWidget

	video *VideoView
	// srcW, srcH is the source size (the model's pixels).
	srcW, srcH int
	items      []overlayItem
	// editable: boxes can be drawn and changed (off while previewing or
	// for a user who may not edit).
	editable bool

	// OnDraw receives a box drawn on empty picture (source pixels).
	OnDraw func(b redact.Box)
	// OnChange receives a track's box after a move or resize.
	OnChange func(id string, b redact.Box)
	// OnSelect receives the id of the item tapped or taken ("" for none)
	// and whether it is a proposal.
	OnSelect func(id string, proposal bool)
	// OnRefused, when set, says why a drag did nothing.
	OnRefused func(msg string)

	// The drag in progress.
	dragging bool
	pressAt  fyne.Position
	pressed  bool
	grab     handle
	grabID   string
	grabBox  redact.Box // the box when the drag began
	draft    redact.Box // what the drag makes so far
	hover    handle
}

func newRedactOverlay(video *VideoView) *redactOverlay {
	o := &redactOverlay{video: video, editable: true}
	o.ExtendBaseWidget(o)
	return o
}

// picMap is the mapping of source pixels onto the overlay now.
func (o *redactOverlay) picMap() picMap {
	v := o.video
	if v.img == nil {
		return picMap{}
	}
	return newPicMap(o.Size(), v.img.Rect.Dx(), v.img.Rect.Dy(), o.srcW, o.srcH, v.zoom, v.pan)
}

// setItems replaces what is drawn.
func (o *redactOverlay) setItems(items []overlayItem) {
	o.items = items
	o.Refresh()
}

// itemAt is the item under view point p and what of it: the selected
// track's handles first, then the last drawn (topmost) box.
func (o *redactOverlay) itemAt(m picMap, p fyne.Position) (overlayItem, handle) {
	for _, it := range o.items {
		if it.Selected && !it.Proposal {
			if h := m.hitBox(it.Box, p, true); h != handleNone && h != handleMove {
				return it, h
			}
		}
	}
	for i := len(o.items) - 1; i >= 0; i-- {
		if h := m.hitBox(o.items[i].Box, p, false); h != handleNone {
			return o.items[i], h
		}
	}
	return overlayItem{}, handleNone
}

// MouseDown keeps where a drag starts.
func (o *redactOverlay) MouseDown(ev *desktop.MouseEvent) {
	if ev.Button == desktop.MouseButtonPrimary {
		o.pressAt, o.pressed = ev.Position, true
	}
}

// MouseUp is part of desktop.Mouseable.
func (o *redactOverlay) MouseUp(*desktop.MouseEvent) {}

// Dragged draws, moves or resizes.
func (o *redactOverlay) Dragged(ev *fyne.DragEvent) {
	m := o.picMap()
	if !m.ok() {
		return
	}
	if !o.dragging {
		start := ev.Position.Subtract(ev.Dragged)
		if o.pressed {
			start = o.pressAt
		}
		o.pressed = false
		if !o.editable {
			if o.OnRefused != nil {
				o.OnRefused("Boxes cannot be changed while the preview is shown: press V to go back to editing.")
			}
			return
		}
		it, h := o.itemAt(m, start)
		switch {
		case h != handleNone && it.Proposal:
			if o.OnRefused != nil {
				o.OnRefused("A proposal is changed by accepting it first; then its track's boxes can be moved.")
			}
			return
		case h != handleNone:
			o.grab, o.grabID, o.grabBox = h, it.ID, it.Box
			if o.OnSelect != nil && !it.Selected {
				o.OnSelect(it.ID, false)
			}
		case m.onPicture(start):
			o.grab, o.grabID = handleNone, ""
		default:
			return
		}
		o.dragging, o.pressAt = true, start
	}
	if o.grab == handleNone {
		o.draft = m.boxBetween(o.pressAt, ev.Position)
	} else {
		sx, sy := m.toSource(o.pressAt)
		ex, ey := m.toSource(ev.Position)
		o.draft = dragBox(o.grabBox, o.grab, roundInt(ex-sx), roundInt(ey-sy), o.srcW, o.srcH)
	}
	o.Refresh()
}

func roundInt(v float64) int {
	if v < 0 {
		return -int(-v + 0.5)
	}
	return int(v + 0.5)
}

// DragEnd makes the edit the drag described.
func (o *redactOverlay) DragEnd() {
	o.pressed = false
	if !o.dragging {
		return
	}
	o.dragging = false
	b, grab, id := o.draft, o.grab, o.grabID
	o.draft = redact.Box{}
	o.Refresh()
	switch {
	case grab == handleNone && (b.W < 2 || b.H < 2):
		if o.OnRefused != nil {
			o.OnRefused("That box is too small to hide anything: drag across what should be hidden.")
		}
	case grab == handleNone:
		if o.OnDraw != nil {
			o.OnDraw(b)
		}
	case b != o.grabBox:
		if o.OnChange != nil {
			o.OnChange(id, b)
		}
	}
}

// Tapped selects what is under the pointer and gives the video the keys.
func (o *redactOverlay) Tapped(ev *fyne.PointEvent) {
	o.pressed = false
	it, h := o.itemAt(o.picMap(), ev.Position)
	if o.OnSelect != nil {
		if h == handleNone {
			o.OnSelect("", false)
		} else {
			o.OnSelect(it.ID, it.Proposal)
		}
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(o); c != nil {
		c.Focus(o.video)
	}
}

// Scrolled zooms the video about the pointer.
func (o *redactOverlay) Scrolled(ev *fyne.ScrollEvent) {
	o.video.Scrolled(ev)
	o.Refresh()
}

// MouseIn is part of desktop.Hoverable.
func (o *redactOverlay) MouseIn(ev *desktop.MouseEvent) { o.MouseMoved(ev) }

// MouseMoved keeps what the pointer is over, for its cursor.
func (o *redactOverlay) MouseMoved(ev *desktop.MouseEvent) {
	m := o.picMap()
	_, h := o.itemAt(m, ev.Position)
	if h == handleNone && m.onPicture(ev.Position) {
		h = -1 // on the picture: draw
	}
	o.hover = h
}

// MouseOut is part of desktop.Hoverable.
func (o *redactOverlay) MouseOut() { o.hover = handleNone }

// Cursor shows what a drag would do.
func (o *redactOverlay) Cursor() desktop.Cursor {
	if !o.editable {
		return desktop.DefaultCursor
	}
	switch o.hover {
	case -1:
		return desktop.CrosshairCursor
	case handleMove:
		return desktop.PointerCursor
	case edgeLeft, edgeRight:
		return desktop.HResizeCursor
	case edgeTop, edgeBottom, handleTopL, handleTopR, handleBottomL, handleBottomR:
		return desktop.VResizeCursor
	}
	return desktop.DefaultCursor
}

// CreateRenderer is part of fyne.Widget.
func (o *redactOverlay) CreateRenderer() fyne.WidgetRenderer {
	return &overlayRenderer{o: o}
}

type overlayRenderer struct {
	o    *redactOverlay
	objs []fyne.CanvasObject
}

func (r *overlayRenderer) Layout(fyne.Size) { r.build() }

func (r *overlayRenderer) MinSize() fyne.Size { return fyne.NewSize(0, 0) }

func (r *overlayRenderer) Refresh() {
	r.build()
	for _, o := range r.objs {
		o.Refresh()
	}
}

func (r *overlayRenderer) Objects() []fyne.CanvasObject { return r.objs }

func (r *overlayRenderer) Destroy() {}

// build makes the canvas objects of the boxes (a few per box; the
// overlay holds few boxes).
func (r *overlayRenderer) build() {
	o := r.o
	m := o.picMap()
	r.objs = r.objs[:0]
	if !m.ok() {
		return
	}
	view := o.Size()
	for _, it := range o.items {
		b := it.Box
		if o.dragging && it.ID == o.grabID && o.grab != handleNone {
			b = o.draft
		}
		pos, size := m.boxRect(b)
		c := it.Color
		if it.Selected {
			c = selectedColor
		}
		if it.Proposal {
			r.objs = append(r.objs, dashedRect(pos, size, c)...)
		} else {
			rect := canvas.NewRectangle(color.Transparent)
			rect.StrokeColor, rect.StrokeWidth = c, 2
			if it.Ellipse {
				rect.CornerRadius = min(size.Width, size.Height) / 2
			}
			rect.Move(pos)
			rect.Resize(size)
			r.objs = append(r.objs, rect)
			if it.Ellipse { // the box it fills, faintly
				frame := canvas.NewRectangle(color.Transparent)
				frame.StrokeColor, frame.StrokeWidth = color.NRGBA{R: c.R, G: c.G, B: c.B, A: 0x60}, 1
				frame.Move(pos)
				frame.Resize(size)
				r.objs = append(r.objs, frame)
			}
		}
		if it.Text != "" {
			r.objs = append(r.objs, boxTag(it.Text, pos, view, c)...)
		}
		if it.Selected && !it.Proposal && o.editable {
			for _, p := range handlePoints(pos, size) {
				h := canvas.NewRectangle(color.White)
				if !it.Keyframe { // interpolated here: hollow handles
					h.FillColor = color.NRGBA{A: 0xa0}
				}
				h.StrokeColor, h.StrokeWidth = selectedColor, 1.5
				h.Move(fyne.NewPos(p.X-handleSize/2, p.Y-handleSize/2))
				h.Resize(fyne.NewSquareSize(handleSize))
				r.objs = append(r.objs, h)
			}
		}
	}
	if o.dragging && o.grab == handleNone && !o.draft.Empty() {
		pos, size := m.boxRect(o.draft)
		r.objs = append(r.objs, dashedRect(pos, size, draftColor)...)
	}
}

// boxTag is a small label above a box (below its top edge when the box is
// at the top of the view).
func boxTag(text string, pos fyne.Position, view fyne.Size, c color.NRGBA) []fyne.CanvasObject {
	t := canvas.NewText(text, c)
	t.TextSize = theme.CaptionTextSize()
	ts := t.MinSize()
	bg := canvas.NewRectangle(labelBgColor)
	y := pos.Y - ts.Height - 2
	if y < 0 {
		y = pos.Y + 2
	}
	x := max(0, min(pos.X, view.Width-ts.Width-4))
	bg.Move(fyne.NewPos(x, y))
	bg.Resize(fyne.NewSize(ts.Width+4, ts.Height))
	t.Move(fyne.NewPos(x+2, y))
	t.Resize(ts)
	return []fyne.CanvasObject{bg, t}
}

// dashLen and gapLen are the dashes of a proposal's outline, in view units.
const dashLen, gapLen = 8, 5

// dashedRect is the dashed outline of a rectangle.
func dashedRect(pos fyne.Position, size fyne.Size, c color.NRGBA) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	const w = 2
	seg := func(x, y, dw, dh float32) {
		s := canvas.NewRectangle(c)
		s.Move(fyne.NewPos(x, y))
		s.Resize(fyne.NewSize(dw, dh))
		out = append(out, s)
	}
	for x := float32(0); x < size.Width; x += dashLen + gapLen {
		l := min(dashLen, size.Width-x)
		seg(pos.X+x, pos.Y-w/2, l, w)
		seg(pos.X+x, pos.Y+size.Height-w/2, l, w)
	}
	for y := float32(0); y < size.Height; y += dashLen + gapLen {
		l := min(dashLen, size.Height-y)
		seg(pos.X-w/2, pos.Y+y, w, l)
		seg(pos.X+size.Width-w/2, pos.Y+y, w, l)
	}
	return out
}
