package ui

import (
	"fmt"
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
	// they change, the timeline is resized or its view moves, not as the
	// position moves.
	marks *markLayer

	// The visible part of the recording: viewSpan of media time from
	// viewFrom (viewSpan 0: the whole recording).
	viewFrom, viewSpan time.Duration
	// wall is the camera clock at frame 0 (zero: unknown; no clock ticks).
	wall time.Time
	// OnView (may be nil) is called when the visible part changes.
	OnView func()
	// Mods reports the modifier keys held (nil: none); Ctrl+wheel zooms.
	Mods func() fyne.KeyModifier
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
	t.follow(n)
	t.Refresh()
}

// Frame returns the frame marked as shown.
func (t *Timeline) Frame() int { return t.pos }

// FrameAt returns the frame displayed at x (0..width of the track).
func (t *Timeline) FrameAt(x float32) int {
	from, span := t.View()
	return timelineFrameAtView(t.frames, from, span, x, t.trackWidth())
}

// xOf returns the x of frame n's start on the track (outside 0..width
// when the frame is outside the visible part).
func (t *Timeline) xOf(n int) float32 {
	if t.duration <= 0 || n < 0 || n >= len(t.frames) {
		return 0
	}
	return t.xOfTime(t.frames[n])
}

// xOfTime returns the x of media time d on the track.
func (t *Timeline) xOfTime(d time.Duration) float32 {
	from, span := t.View()
	if span <= 0 {
		return 0
	}
	return float32(float64(d-from) / float64(span) * float64(t.trackWidth()))
}

// View returns the visible part of the recording: span of media time
// from from.
func (t *Timeline) View() (from, span time.Duration) {
	if t.viewSpan <= 0 || t.viewSpan >= t.duration {
		return 0, t.duration
	}
	return t.viewFrom, t.viewSpan
}

// SetWallClock sets the camera clock at frame 0, for the clock ticks
// (zero: none).
func (t *Timeline) SetWallClock(at time.Time) {
	t.wall = at
	t.Refresh()
}

// minViewFrames is the fewest frames the zoomed timeline shows: each
// frame is then wide enough to hit with the pointer.
const minViewFrames = 40

// maxZoom is the zoom at which minViewFrames frames fill the track.
func (t *Timeline) maxZoom() float64 {
	if len(t.frames) < 2 || t.duration <= 0 {
		return 1
	}
	per := float64(t.duration) / float64(len(t.frames))
	return max(1, float64(t.duration)/(per*minViewFrames))
}

// Zoom returns how many times the recording is magnified (1: whole).
func (t *Timeline) Zoom() float64 {
	_, span := t.View()
	if span <= 0 {
		return 1
	}
	return float64(t.duration) / float64(span)
}

// SetZoom magnifies the timeline z times (clamped from 1 to where about
// minViewFrames frames fill it) about the frame shown.
func (t *Timeline) SetZoom(z float64) {
	var at time.Duration
	if t.pos >= 0 && t.pos < len(t.frames) {
		at = t.frames[t.pos]
	}
	from, span := t.View()
	rel := 0.5
	if span > 0 && at >= from && at < from+span {
		rel = float64(at-from) / float64(span)
	}
	t.zoomAt(z, at, rel)
}

// zoomAt sets zoom z keeping media time at where it is: at fraction rel
// of the track.
func (t *Timeline) zoomAt(z float64, at time.Duration, rel float64) {
	z = max(1, min(z, t.maxZoom()))
	if z <= 1.0001 {
		t.setView(0, 0)
		return
	}
	span := time.Duration(float64(t.duration) / z)
	t.setView(at-time.Duration(rel*float64(span)), span)
}

// zoomSteps are the zooms Z goes through (then back to the whole).
var zoomSteps = []float64{4, 16, 64, 256}

// ZoomStep zooms in one step (Z); past the closest view it shows the
// whole recording again.
func (t *Timeline) ZoomStep() {
	z := t.Zoom()
	if z >= t.maxZoom()*0.999 {
		t.SetZoom(1)
		return
	}
	for _, s := range zoomSteps {
		if s > z*1.001 {
			t.SetZoom(s)
			return
		}
	}
	t.SetZoom(t.maxZoom())
}

// setView shows span from from (clamped to the recording; span 0: whole).
func (t *Timeline) setView(from, span time.Duration) {
	if span <= 0 || span >= t.duration {
		from, span = 0, 0
	} else {
		from = max(0, min(from, t.duration-span))
	}
	if from == t.viewFrom && span == t.viewSpan {
		return
	}
	t.viewFrom, t.viewSpan = from, span
	t.marks.Refresh()
	t.Refresh()
	if t.OnView != nil {
		t.OnView()
	}
}

// follow moves a zoomed view so that frame n is in it: a page at a time,
// n near the left edge (as the picture plays on).
func (t *Timeline) follow(n int) {
	from, span := t.View()
	if t.viewSpan <= 0 || n < 0 || n >= len(t.frames) {
		return
	}
	at := t.frames[n]
	if at >= from && at < from+span {
		return
	}
	t.setView(at-span/10, span)
}

// Scrolled zooms about the pointer with Ctrl held; without, it moves a
// zoomed view along the recording.
func (t *Timeline) Scrolled(ev *fyne.ScrollEvent) {
	d := ev.Scrolled.DY
	if d == 0 {
		d = -ev.Scrolled.DX
	}
	if d == 0 {
		return
	}
	w := t.trackWidth()
	if t.Mods != nil && t.Mods()&fyne.KeyModifierControl != 0 && w > 0 {
		from, span := t.View()
		rel := float64(min(max(0, ev.Position.X), w) / w)
		at := from + time.Duration(rel*float64(span))
		f := 2.0
		if d < 0 {
			f = 0.5
		}
		t.zoomAt(t.Zoom()*f, at, rel)
		return
	}
	from, span := t.View()
	if t.viewSpan <= 0 {
		return
	}
	step := span / 10
	if d > 0 {
		step = -step
	}
	t.setView(from+step, span)
}

func (t *Timeline) trackWidth() float32 { return t.Size().Width }

// timelineFrameAt maps a point x on a track of width w to the frame whose
// display interval [frames[i], frames[i+1]) holds the media time at x.
func timelineFrameAt(frames []time.Duration, duration time.Duration, x, w float32) int {
	return timelineFrameAtView(frames, 0, duration, x, w)
}

// timelineFrameAtView is timelineFrameAt on a track showing span of media
// time from from.
func timelineFrameAtView(frames []time.Duration, from, span time.Duration, x, w float32) int {
	if len(frames) == 0 || w <= 0 {
		return 0
	}
	x = max(0, min(x, w))
	d := from + time.Duration(float64(span)*float64(x)/float64(w))
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
	// Time ticks: marks and labels (media time above the track, camera
	// clock below), reused as the view changes.
	ticks       []*canvas.Rectangle
	mediaLabels []*canvas.Text
	wallLabels  []*canvas.Text
	objs        []fyne.CanvasObject
	// tickKey is what the ticks were laid out for: they move only when
	// it changes, not with the position.
	tickKey tickKey
}

type tickKey struct {
	size       fyne.Size
	from, span time.Duration
	wall       time.Time
	frames     int
	theme      color.Color
}

const (
	trackHeight = 8
	headWidth   = 3
	previewW    = 160
	// tickText is the size of the tick labels; tickLabelH the height of
	// their rows above and below the track.
	tickText   = 10
	tickLabelH = 14
	// tickLabelGap is the least room between two labelled ticks.
	tickLabelGap = 96
)

// tickSteps are the spacings of labelled ticks, smallest first.
var tickSteps = []time.Duration{
	100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour,
}

// tickStep returns the spacing of labelled ticks for span of media time
// on a track w wide: the smallest that keeps labels tickLabelGap apart.
func tickStep(span time.Duration, w float32) time.Duration {
	if w <= 0 || span <= 0 {
		return 0
	}
	for _, st := range tickSteps {
		if float64(st)/float64(span)*float64(w) >= tickLabelGap {
			return st
		}
	}
	return tickSteps[len(tickSteps)-1]
}

// tickLabel formats media time d (or a clock time) for a tick of step.
func tickLabel(d time.Duration, step time.Duration) string {
	h, m, sec := int(d/time.Hour), int(d/time.Minute)%60, int(d/time.Second)%60
	out := fmt.Sprintf("%02d:%02d:%02d", h, m, sec)
	if step < time.Second {
		out += fmt.Sprintf(".%d", int(d/(100*time.Millisecond))%10)
	}
	return out
}

// clockLabel formats the camera clock (local time of day) for a tick.
func clockLabel(at time.Time, step time.Duration) string {
	at = at.In(time.Local)
	if step < time.Second {
		return at.Format("15:04:05.0")
	}
	return at.Format("15:04:05")
}

// TickLabels returns the media time and camera clock labels of the ticks
// shown, left to right.
func (t *Timeline) TickLabels() (media, clock []string) {
	from, span := t.View()
	st := tickStep(span, t.trackWidth())
	if st <= 0 {
		return nil, nil
	}
	for d := (from + st - 1) / st * st; d <= from+span; d += st {
		media = append(media, tickLabel(d, st))
		if !t.wall.IsZero() {
			clock = append(clock, clockLabel(t.wall.Add(d), st))
		}
	}
	return media, clock
}

// trackTop is the y of the top of the track band (under the media time
// labels).
func trackTop() float32 { return tickLabelH }

// Layout places the ticks, the track and the play head, and the hover
// readout (and preview) above the timeline: it is drawn over the bottom
// of the video.
func (r *timelineRenderer) Layout(size fyne.Size) {
	t := r.t
	band := float32(3 * trackHeight)
	mid := trackTop() + band/2
	r.track.Move(fyne.NewPos(0, mid-trackHeight/2))
	r.track.Resize(fyne.NewSize(size.Width, trackHeight))
	x := t.xOf(t.pos)
	if t.pos == len(t.frames)-1 && t.viewSpan <= 0 {
		x = size.Width
	}
	r.played.Move(r.track.Position())
	r.played.Resize(fyne.NewSize(min(max(0, x), size.Width), trackHeight))
	r.head.Move(fyne.NewPos(min(max(0, x-headWidth/2), size.Width-headWidth), mid-trackHeight))
	r.head.Resize(fyne.NewSize(headWidth, 2*trackHeight))
	if x < 0 || x > size.Width {
		r.head.Hide()
	} else {
		r.head.Show()
	}
	// A no-op unless the size changed: the marks keep their layout.
	r.t.marks.Move(fyne.NewPos(0, trackTop()))
	r.t.marks.Resize(fyne.NewSize(size.Width, band))
	from, span := t.View()
	if k := (tickKey{size, from, span, t.wall, len(t.frames), theme.Color(theme.ColorNameForeground)}); k != r.tickKey || r.objs == nil {
		r.tickKey = k
		r.layoutTicks(size, mid)
	}

	r.objs = append(r.objs[:0], r.track, r.played)
	for _, o := range r.ticks {
		if o.Visible() {
			r.objs = append(r.objs, o)
		}
	}
	for i := range r.mediaLabels {
		if r.mediaLabels[i].Visible() {
			r.objs = append(r.objs, r.mediaLabels[i])
		}
		if r.wallLabels[i].Visible() {
			r.objs = append(r.objs, r.wallLabels[i])
		}
	}
	r.objs = append(r.objs, r.t.marks, r.hover, r.head, r.tipBG, r.thumb, r.tip)

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

// layoutTicks places a tick with its two labels at every multiple of the
// tick step in view, and small ticks at each frame when frames are wide
// enough to tell apart.
func (r *timelineRenderer) layoutTicks(size fyne.Size, mid float32) {
	t := r.t
	from, span := t.View()
	st := tickStep(span, size.Width)
	n := 0
	tickCol := theme.Color(theme.ColorNameDisabled)
	textCol := theme.Color(theme.ColorNameForeground)
	clockCol := theme.Color(theme.ColorNamePlaceHolder)
	get := func() *canvas.Rectangle {
		if n == len(r.ticks) {
			r.ticks = append(r.ticks, canvas.NewRectangle(tickCol))
		}
		o := r.ticks[n]
		o.FillColor = tickCol
		o.Show()
		n++
		return o
	}
	labels := 0
	if st > 0 && len(t.frames) > 0 {
		for d := (from + st - 1) / st * st; d <= from+span; d += st {
			x := t.xOfTime(d)
			tk := get()
			tk.Move(fyne.NewPos(x, trackTop()))
			tk.Resize(fyne.NewSize(1, 3*trackHeight))
			if labels == len(r.mediaLabels) {
				mt := canvas.NewText("", textCol)
				mt.TextSize = tickText
				mt.TextStyle.Monospace = true
				wt := canvas.NewText("", clockCol)
				wt.TextSize = tickText
				wt.TextStyle.Monospace = true
				r.mediaLabels = append(r.mediaLabels, mt)
				r.wallLabels = append(r.wallLabels, wt)
			}
			mt, wt := r.mediaLabels[labels], r.wallLabels[labels]
			labels++
			place := func(c *canvas.Text, text string, y float32, col color.Color) {
				if c.Text != text || c.Color != col {
					c.Text, c.Color = text, col
					c.Refresh()
				}
				w := c.MinSize().Width
				c.Move(fyne.NewPos(min(max(0, x-w/2), size.Width-w), y))
				c.Show()
			}
			place(mt, tickLabel(d, st), 0, textCol)
			if !t.wall.IsZero() {
				place(wt, clockLabel(t.wall.Add(d), st), trackTop()+3*trackHeight, clockCol)
			} else {
				wt.Hide()
			}
		}
		// Frame ticks once each frame is 6 pixels wide or more.
		if len(t.frames) > 1 && float64(size.Width)*float64(t.duration)/float64(len(t.frames))/float64(span) >= 6 {
			i := sort.Search(len(t.frames), func(i int) bool { return t.frames[i] >= from })
			for ; i < len(t.frames) && t.frames[i] <= from+span; i++ {
				tk := get()
				tk.Move(fyne.NewPos(t.xOf(i), mid+trackHeight/2))
				tk.Resize(fyne.NewSize(1, trackHeight/2+2))
			}
		}
	}
	for _, o := range r.ticks[n:] {
		o.Hide()
	}
	for i := labels; i < len(r.mediaLabels); i++ {
		r.mediaLabels[i].Hide()
		r.wallLabels[i].Hide()
	}
}

func (r *timelineRenderer) MinSize() fyne.Size {
	return fyne.NewSize(120, 2*tickLabelH+3*trackHeight)
}

func (r *timelineRenderer) Refresh() {
	r.track.FillColor = theme.Color(theme.ColorNameInputBorder)
	r.played.FillColor = theme.Color(theme.ColorNamePrimary)
	r.head.FillColor = theme.Color(theme.ColorNameForeground)
	r.Layout(r.t.Size())
	canvas.Refresh(r.t)
}

func (r *timelineRenderer) Objects() []fyne.CanvasObject {
	if r.objs == nil {
		r.Layout(r.t.Size())
	}
	return r.objs
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
		x, w = clipSpan(x, w, size.Width)
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
			if point && (x < 0 || x > size.Width) {
				continue // outside the zoomed view
			}
			if point {
				rect.Move(fyne.NewPos(min(max(0, x-markTickWidth/2), size.Width-markTickWidth), 0))
				rect.Resize(fyne.NewSize(markTickWidth, size.Height))
			} else {
				end := t.xOf(mk.Out + 1)
				if mk.Out+1 >= len(t.frames) {
					end = size.Width
				}
				if end < 0 || x > size.Width {
					continue // outside the zoomed view
				}
				cx, cw := clipSpan(x, max(markTickWidth, end-x), size.Width)
				rect.Move(fyne.NewPos(cx, mid-trackHeight/2-1))
				rect.Resize(fyne.NewSize(cw, trackHeight+2))
			}
			rect.Refresh()
			r.objs = append(r.objs, rect)
		}
	}
	if p := r.m.pending; p >= 0 && p < len(t.frames) && t.xOf(p) >= 0 && t.xOf(p) <= size.Width {
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

// clipSpan cuts the span x..x+w to 0..width (a zero width when it is
// outside).
func clipSpan(x, w, width float32) (float32, float32) {
	x0, x1 := max(0, x), min(width, x+w)
	if x1 < x0 {
		return max(0, min(x, width)), 0
	}
	return x0, x1 - x0
}
