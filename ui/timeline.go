package ui

import (
	"image"
	"image/color"
	"sort"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// Timeline is a scrubber over a recording's frame table: its length is the
// media duration, the played part is filled up to the shown frame, a click
// or a drag asks for the frame displayed at that point (OnSeek), and
// hovering shows the frame number and media time under the pointer. Use it
// on the UI goroutine only.
type Timeline struct {
	widget.BaseWidget

	// OnSeek is called with the frame under the pointer on a click and
	// while dragging.
	OnSeek func(frame int)
	// OnHover is called with the frame under the pointer as it moves, and
	// with -1 when it leaves (for previews).
	OnHover func(frame int)

	frames   []time.Duration // frame start times, frames[0] == 0
	duration time.Duration   // end of the last frame
	pos      int             // frame shown
	hover    float32         // pointer x while hovering, -1 when outside
	lastSeek int             // last frame sent by this drag (-1: none)

	preview        *image.RGBA // small picture of previewFrame, or nil
	previewFrame   int
	previewRelease func()

	// marks draws the markers and ranges; it is laid out again only when
	// they change or the timeline is resized, not as the position moves.
	marks *markLayer
}

// TimelineMark is a marker (In == Out) or a range [In, Out] drawn on the
// timeline in Color.
type TimelineMark struct {
	In, Out int
	Color   color.Color
}

// NewTimeline returns a Timeline for frames (presentation times relative
// to frame 0) ending at duration.
func NewTimeline(frames []time.Duration, duration time.Duration) *Timeline {
	t := &Timeline{frames: frames, duration: duration, hover: -1, lastSeek: -1}
	t.marks = newMarkLayer(t)
	t.ExtendBaseWidget(t)
	return t
}

// SetMarks replaces the markers and ranges drawn on the timeline.
func (t *Timeline) SetMarks(marks []TimelineMark) { t.marks.set(marks) }

// Marks returns the markers and ranges drawn.
func (t *Timeline) Marks() []TimelineMark { return append([]TimelineMark(nil), t.marks.marks...) }

// SetPendingIn shows an in point waiting for its out point (-1: none).
func (t *Timeline) SetPendingIn(n int) { t.marks.setPending(n) }

// SetLoop shows the A–B loop a..b as a band under the track; b < 0 shows
// only its start a, and a < 0 nothing.
func (t *Timeline) SetLoop(a, b int) { t.marks.setLoop(a, b) }

// Loop returns the loop shown (-1: none).
func (t *Timeline) Loop() (a, b int) { return t.marks.loopA, t.marks.loopB }

// loopColor is the A–B loop band: a neutral light grey, unlike any
// category colour and drawn below the track, not over it.
var loopColor = color.NRGBA{R: 0xcf, G: 0xd8, B: 0xdc, A: 0xff}

// MarkX returns the x, on the timeline, where frame n's marker is drawn.
func (t *Timeline) MarkX(n int) float32 { return t.xOf(n) }

// SetPosition marks frame n as the one shown.
func (t *Timeline) SetPosition(n int) {
	if n == t.pos {
		return
	}
	t.pos = n
	t.Refresh()
}

// Frame returns the frame marked as shown.
func (t *Timeline) Frame() int { return t.pos }

// FrameAt returns the frame displayed at x (0..width of the track).
func (t *Timeline) FrameAt(x float32) int {
	return timelineFrameAt(t.frames, t.duration, x, t.trackWidth())
}

// xOf returns the x of frame n's start on the track.
func (t *Timeline) xOf(n int) float32 {
	if t.duration <= 0 || n < 0 || n >= len(t.frames) {
		return 0
	}
	return float32(float64(t.frames[n]) / float64(t.duration) * float64(t.trackWidth()))
}

func (t *Timeline) trackWidth() float32 { return t.Size().Width }

// timelineFrameAt maps a point x on a track of width w to the frame whose
// display interval [frames[i], frames[i+1]) holds the media time at x.
func timelineFrameAt(frames []time.Duration, duration time.Duration, x, w float32) int {
	if len(frames) == 0 || w <= 0 {
		return 0
	}
	d := time.Duration(float64(duration) * float64(x) / float64(w))
	i := sort.Search(len(frames), func(i int) bool { return frames[i] > d }) - 1
	return max(0, min(i, len(frames)-1))
}

// Tapped seeks to the frame under the pointer.
func (t *Timeline) Tapped(ev *fyne.PointEvent) { t.seek(ev.Position.X, true) }

// Dragged seeks as the pointer moves.
func (t *Timeline) Dragged(ev *fyne.DragEvent) {
	t.hover = ev.Position.X
	t.seek(ev.Position.X, false)
}

// DragEnd ends a drag.
func (t *Timeline) DragEnd() { t.lastSeek = -1 }

func (t *Timeline) seek(x float32, always bool) {
	n := t.FrameAt(x)
	if !always && n == t.lastSeek {
		return
	}
	t.lastSeek = n
	if t.OnSeek != nil {
		t.OnSeek(n)
	}
	if always {
		t.lastSeek = -1
	}
}

// MouseIn starts the hover readout.
func (t *Timeline) MouseIn(ev *desktop.MouseEvent) { t.MouseMoved(ev) }

// MouseMoved moves the hover readout.
func (t *Timeline) MouseMoved(ev *desktop.MouseEvent) {
	t.hover = ev.Position.X
	t.Refresh()
	if t.OnHover != nil && len(t.frames) > 0 {
		t.OnHover(t.FrameAt(t.hover))
	}
}

// MouseOut hides the hover readout.
func (t *Timeline) MouseOut() {
	t.hover = -1
	t.Refresh()
	if t.OnHover != nil {
		t.OnHover(-1)
	}
}

// Cursor is a pointer: the timeline is clickable.
func (t *Timeline) Cursor() desktop.Cursor { return desktop.PointerCursor }

// HoverText is what the hover readout says ("" when not hovering).
func (t *Timeline) HoverText() string {
	if t.hover < 0 || len(t.frames) == 0 {
		return ""
	}
	n := t.FrameAt(t.hover)
	return "Frame " + itoa(n) + " · " + app.FormatMediaTime(t.frames[n])
}

// SetPreview shows img (a small picture of frame n) above the hover
// point, calling release when it is replaced; nil clears it.
func (t *Timeline) SetPreview(n int, img *image.RGBA, release func()) {
	if t.previewRelease != nil {
		t.previewRelease()
	}
	t.preview, t.previewFrame, t.previewRelease = img, n, release
	t.Refresh()
}

// Preview returns the preview picture and its frame (nil: none).
func (t *Timeline) Preview() (*image.RGBA, int) { return t.preview, t.previewFrame }

// CreateRenderer is part of fyne.Widget.
func (t *Timeline) CreateRenderer() fyne.WidgetRenderer {
	r := &timelineRenderer{t: t,
		track:  canvas.NewRectangle(theme.Color(theme.ColorNameInputBorder)),
		played: canvas.NewRectangle(theme.Color(theme.ColorNamePrimary)),
		head:   canvas.NewRectangle(theme.Color(theme.ColorNameForeground)),
		hover:  canvas.NewRectangle(color.NRGBA{R: 255, G: 255, B: 255, A: 160}),
		tip:    canvas.NewText("", color.White),
		tipBG:  canvas.NewRectangle(color.NRGBA{R: 0x10, G: 0x10, B: 0x14, A: 0xe8}),
		thumb:  canvas.NewImageFromImage(nil),
	}
	r.track.CornerRadius = 3
	r.played.CornerRadius = 3
	r.tipBG.CornerRadius = 4
	r.tip.TextSize = theme.CaptionTextSize()
	r.tip.TextStyle.Monospace = true
	r.thumb.FillMode = canvas.ImageFillStretch
	r.thumb.ScaleMode = canvas.ImageScaleSmooth
	return r
}

type timelineRenderer struct {
	t                                 *Timeline
	track, played, head, hover, tipBG *canvas.Rectangle
	tip                               *canvas.Text
	thumb                             *canvas.Image
}

const (
	trackHeight = 8
	headWidth   = 3
	previewW    = 160
)

// Layout places the hover readout (and preview) above the timeline: it
// is drawn over the bottom of the video.
func (r *timelineRenderer) Layout(size fyne.Size) {
	t := r.t
	mid := size.Height / 2
	r.track.Move(fyne.NewPos(0, mid-trackHeight/2))
	r.track.Resize(fyne.NewSize(size.Width, trackHeight))
	x := t.xOf(t.pos)
	if t.pos == len(t.frames)-1 {
		x = size.Width
	}
	r.played.Move(r.track.Position())
	r.played.Resize(fyne.NewSize(x, trackHeight))
	r.head.Move(fyne.NewPos(min(max(0, x-headWidth/2), size.Width-headWidth), mid-trackHeight))
	r.head.Resize(fyne.NewSize(headWidth, 2*trackHeight))
	// A no-op unless the size changed: the marks keep their layout.
	r.t.marks.Resize(size)

	text := t.HoverText()
	if text == "" {
		for _, o := range []fyne.CanvasObject{r.hover, r.tip, r.tipBG, r.thumb} {
			o.Hide()
		}
		return
	}
	r.tip.Text = text
	r.tip.Refresh()
	hx := min(max(0, t.hover), size.Width)
	r.hover.Move(fyne.NewPos(hx-0.5, mid-trackHeight))
	r.hover.Resize(fyne.NewSize(1, 2*trackHeight))
	ts := r.tip.MinSize()
	boxW := ts.Width + 8
	boxH := ts.Height + 4
	var thumbH float32
	if img := t.preview; img != nil && img.Rect.Dx() > 0 {
		thumbH = float32(previewW) * float32(img.Rect.Dy()) / float32(img.Rect.Dx())
		boxW = max(boxW, previewW+8)
		boxH += thumbH + 4
		if r.thumb.Image != img {
			r.thumb.Image = img
			r.thumb.Refresh()
		}
		r.thumb.Show()
	} else {
		r.thumb.Image = nil
		r.thumb.Hide()
	}
	bx := min(max(0, hx-boxW/2), size.Width-boxW)
	by := -boxH - 4
	r.tipBG.Move(fyne.NewPos(bx, by))
	r.tipBG.Resize(fyne.NewSize(boxW, boxH))
	r.thumb.Move(fyne.NewPos(bx+(boxW-previewW)/2, by+4))
	r.thumb.Resize(fyne.NewSize(previewW, thumbH))
	r.tip.Move(fyne.NewPos(bx+(boxW-ts.Width)/2, by+boxH-ts.Height-2))
	r.hover.Show()
	r.tip.Show()
	r.tipBG.Show()
}

func (r *timelineRenderer) MinSize() fyne.Size {
	return fyne.NewSize(120, 3*trackHeight)
}

func (r *timelineRenderer) Refresh() {
	r.track.FillColor = theme.Color(theme.ColorNameInputBorder)
	r.played.FillColor = theme.Color(theme.ColorNamePrimary)
	r.head.FillColor = theme.Color(theme.ColorNameForeground)
	r.Layout(r.t.Size())
	canvas.Refresh(r.t)
}

func (r *timelineRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.track, r.played, r.t.marks, r.hover, r.head, r.tipBG, r.thumb, r.tip}
}

func (r *timelineRenderer) Destroy() {}

// markLayer draws a timeline's markers (ticks the full height of the
// timeline, above and below the play head) and ranges (bars over the
// track), and a pending in point.
type markLayer struct {
	widget.BaseWidget
	t            *Timeline
	marks        []TimelineMark
	pending      int
	loopA, loopB int // A–B loop (-1: none)
}

func newMarkLayer(t *Timeline) *markLayer {
	m := &markLayer{t: t, pending: -1, loopA: -1, loopB: -1}
	m.ExtendBaseWidget(m)
	return m
}

func (m *markLayer) set(marks []TimelineMark) {
	m.marks = append(m.marks[:0:0], marks...)
	m.Refresh()
}

func (m *markLayer) setLoop(a, b int) {
	if a == m.loopA && b == m.loopB {
		return
	}
	m.loopA, m.loopB = a, b
	m.Refresh()
}

func (m *markLayer) setPending(n int) {
	if n == m.pending {
		return
	}
	m.pending = n
	m.Refresh()
}

// CreateRenderer is part of fyne.Widget.
func (m *markLayer) CreateRenderer() fyne.WidgetRenderer {
	pending := canvas.NewRectangle(color.White)
	pending.Hide()
	loop := canvas.NewRectangle(loopColor)
	loop.Hide()
	return &markRenderer{m: m, pending: pending, loop: loop}
}

// markRenderer keeps one rectangle per mark and reuses them.
type markRenderer struct {
	m       *markLayer
	rects   []*canvas.Rectangle
	pending *canvas.Rectangle
	loop    *canvas.Rectangle
	objs    []fyne.CanvasObject
}

const (
	markTickWidth = 3
	loopBandH     = 3
)

func (r *markRenderer) Layout(size fyne.Size) {
	t := r.m.t
	mid := size.Height / 2
	for len(r.rects) < len(r.m.marks) {
		r.rects = append(r.rects, canvas.NewRectangle(color.Transparent))
	}
	r.objs = r.objs[:0]
	// The loop band, under the track (below range bars), then the marks.
	if a, b := r.m.loopA, r.m.loopB; a >= 0 && a < len(t.frames) {
		x := t.xOf(a)
		w := float32(markTickWidth)
		if b > a {
			end := t.xOf(b + 1)
			if b+1 >= len(t.frames) {
				end = size.Width
			}
			w = max(w, end-x)
		}
		r.loop.FillColor = loopColor
		r.loop.Move(fyne.NewPos(min(x, size.Width-w), mid+trackHeight/2+2))
		r.loop.Resize(fyne.NewSize(w, loopBandH))
		r.loop.Show()
		r.loop.Refresh()
	} else {
		r.loop.Hide()
	}
	r.objs = append(r.objs, r.loop)
	// Ranges first, so that point markers are drawn over them.
	for pass := range 2 {
		for i, mk := range r.m.marks {
			point := mk.Out <= mk.In
			if point != (pass == 1) {
				continue
			}
			rect := r.rects[i]
			rect.FillColor = mk.Color
			x := t.xOf(mk.In)
			if point {
				rect.Move(fyne.NewPos(min(max(0, x-markTickWidth/2), size.Width-markTickWidth), 0))
				rect.Resize(fyne.NewSize(markTickWidth, size.Height))
			} else {
				end := t.xOf(mk.Out + 1)
				if mk.Out+1 >= len(t.frames) {
					end = size.Width
				}
				rect.Move(fyne.NewPos(x, mid-trackHeight/2-1))
				rect.Resize(fyne.NewSize(max(markTickWidth, end-x), trackHeight+2))
			}
			rect.Refresh()
			r.objs = append(r.objs, rect)
		}
	}
	if p := r.m.pending; p >= 0 && p < len(t.frames) {
		x := t.xOf(p)
		r.pending.Move(fyne.NewPos(min(max(0, x-1), size.Width-2), 0))
		r.pending.Resize(fyne.NewSize(2, size.Height))
		r.pending.Show()
	} else {
		r.pending.Hide()
	}
	r.objs = append(r.objs, r.pending)
}

func (r *markRenderer) MinSize() fyne.Size { return fyne.NewSize(0, 0) }

func (r *markRenderer) Refresh() {
	r.Layout(r.m.Size())
	canvas.Refresh(r.m)
}

func (r *markRenderer) Objects() []fyne.CanvasObject {
	if r.objs == nil {
		r.Layout(r.m.Size())
	}
	return r.objs
}

func (r *markRenderer) Destroy() {}
