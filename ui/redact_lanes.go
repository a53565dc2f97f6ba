package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app/redact"
)

// redactLanes draws, under the editor's timeline and on its scale, three
// lanes: the tracks' frames (the selected track's keyframes as ticks, the
// pending proposals under them), the whole-picture ranges, and the sound
// ranges; and the range marked with I and O across all three. A tap seeks
// there. UI goroutine only.
type redactLanes struct {
	widget.BaseWidget
	s *redactScreen
}

// Lane geometry, in view units: the names' column, each lane's height
// and the gap between lanes.
const (
	laneNameW = 64
	laneH     = 12
	laneGap   = 3
)

// Lane colours.
var (
	laneBg         = color.NRGBA{R: 0x30, G: 0x30, B: 0x36, A: 0xff}
	frameRangeCol  = color.NRGBA{R: 0xe5, G: 0x39, B: 0x35, A: 0xff}
	muteRangeCol   = color.NRGBA{R: 0x78, G: 0x90, B: 0x9c, A: 0xff}
	bleepRangeCol  = color.NRGBA{R: 0xfb, G: 0x8c, B: 0x00, A: 0xff}
	keyframeTick   = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	markedRangeCol = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0x40}
)

func newRedactLanes(s *redactScreen) *redactLanes {
	l := &redactLanes{s: s}
	l.ExtendBaseWidget(l)
	return l
}

// Tapped seeks to the frame under the pointer.
func (l *redactLanes) Tapped(ev *fyne.PointEvent) {
	s := l.s
	if x := ev.Position.X - laneNameW; x >= 0 && s.count > 0 {
		s.seekFrame(s.timeline.FrameAt(x))
		s.refocus()
	}
}

// CreateRenderer is part of fyne.Widget.
func (l *redactLanes) CreateRenderer() fyne.WidgetRenderer { return &lanesRenderer{l: l} }

type lanesRenderer struct {
	l    *redactLanes
	objs []fyne.CanvasObject
}

func (r *lanesRenderer) MinSize() fyne.Size {
	return fyne.NewSize(laneNameW+100, 3*laneH+2*laneGap)
}

func (r *lanesRenderer) Layout(fyne.Size) { r.build() }

func (r *lanesRenderer) Refresh() {
	r.build()
	canvas.Refresh(r.l)
}

func (r *lanesRenderer) Objects() []fyne.CanvasObject { return r.objs }

func (r *lanesRenderer) Destroy() {}

func (r *lanesRenderer) build() {
	s := r.l.s
	size := r.l.Size()
	w := size.Width - laneNameW
	r.objs = r.objs[:0]
	rect := func(c color.Color, x, y, rw, rh float32) {
		o := canvas.NewRectangle(c)
		o.Move(fyne.NewPos(laneNameW+x, y))
		o.Resize(fyne.NewSize(rw, rh))
		r.objs = append(r.objs, o)
	}
	names := []string{"Boxes", "Picture", "Sound"}
	for i, n := range names {
		y := float32(i) * (laneH + laneGap)
		t := canvas.NewText(n, theme.Color(theme.ColorNameForeground))
		t.TextSize = theme.CaptionTextSize()
		t.Move(fyne.NewPos(0, y+(laneH-t.MinSize().Height)/2))
		t.Resize(t.MinSize())
		r.objs = append(r.objs, t)
		if w > 0 {
			rect(laneBg, 0, y, w, laneH)
		}
	}
	tl := s.timeline
	if w <= 0 || s.count == 0 || tl == nil {
		return
	}
	// span draws frames a..b of lane i (part of its height from top).
	span := func(i int, a, b int, c color.Color, top, h float32) {
		x0 := tl.xOf(a)
		x1 := tl.xOf(b + 1)
		if b+1 >= s.count {
			x1 = tl.xOfTime(s.frames[s.count-1] + s.frameInterval())
		}
		x, sw := clipSpan(x0, max(2, x1-x0), w)
		if sw > 0 {
			rect(c, x, float32(i)*(laneH+laneGap)+top, sw, h)
		}
	}
	for _, p := range s.proj.Proposals {
		if p.State == redact.Pending && len(p.Detections) > 0 {
			span(0, p.Detections[0].Frame, p.Detections[len(p.Detections)-1].Frame, proposalColor, laneH-3, 3)
		}
	}
	for _, t := range s.proj.Tracks {
		if len(t.Keyframes) == 0 {
			continue
		}
		c := trackColor
		if s.sameID(t.ID, s.sel) {
			c = selectedColor
		}
		span(0, t.In(), t.Out(), c, 0, laneH-4)
	}
	if t, ok := s.track(s.sel); ok {
		for _, k := range t.Keyframes {
			if x := tl.xOf(k.Frame); x >= 0 && x <= w {
				rect(keyframeTick, min(max(0, x-1), w-2), 0, 2, laneH-4)
			}
		}
	}
	for _, f := range s.proj.Frames {
		span(1, f.From, f.To, frameRangeCol, 0, laneH)
	}
	for _, a := range s.proj.Audio {
		c := muteRangeCol
		if a.Kind == redact.Bleep {
			c = bleepRangeCol
		}
		x0, x1 := tl.xOfTime(a.From), tl.xOfTime(a.To)
		x, sw := clipSpan(x0, max(2, x1-x0), w)
		if sw > 0 {
			rect(c, x, 2*(laneH+laneGap), sw, laneH)
		}
	}
	if s.in >= 0 {
		b := s.out
		if b < s.in {
			b = s.in
		}
		span(0, s.in, b, markedRangeCol, 0, 3*laneH+2*laneGap)
	}
}
