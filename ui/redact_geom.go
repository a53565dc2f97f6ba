package ui

import (
	"math"

	"fyne.io/fyne/v2"

	"exhibit/app/redact"
)

// The redaction editor's geometry: where a box in source pixels (the
// recording's own width and height, as the model and the render use) is
// drawn in the video view, which is letterboxed, zoomed and panned, and
// may show frames rendered smaller than the source; and what the pointer
// is on.

// picMap maps source pixels to view coordinates: a source point (x, y) is
// drawn at (X0 + x*SX, Y0 + y*SY). The zero value maps nothing (ok false).
type picMap struct {
	X0, Y0 float32
	SX, SY float32
	// SrcW, SrcH are the source size in pixels.
	SrcW, SrcH int
}

// ok reports whether the map places anything.
func (m picMap) ok() bool { return m.SX > 0 && m.SY > 0 && m.SrcW > 0 && m.SrcH > 0 }

// newPicMap is the map for a view of size view showing a picture of
// imgW x imgH pixels (the engine's frame) of a srcW x srcH source at zoom
// and pan, laid out as VideoView does (videoLayout): scaled to fit whole,
// centred, times zoom, moved by pan.
func newPicMap(view fyne.Size, imgW, imgH, srcW, srcH int, zoom float32, pan fyne.Position) picMap {
	s := fitScale(view, imgW, imgH) * zoom
	if s <= 0 || srcW <= 0 || srcH <= 0 {
		return picMap{}
	}
	iw, ih := float32(imgW)*s, float32(imgH)*s
	return picMap{
		X0: (view.Width-iw)/2 + pan.X, Y0: (view.Height-ih)/2 + pan.Y,
		SX: iw / float32(srcW), SY: ih / float32(srcH),
		SrcW: srcW, SrcH: srcH,
	}
}

// toView is where source point (x, y) is in the view.
func (m picMap) toView(x, y float64) fyne.Position {
	return fyne.NewPos(m.X0+float32(x)*m.SX, m.Y0+float32(y)*m.SY)
}

// boxRect is where box b is drawn: its top-left corner and size in view
// coordinates.
func (m picMap) boxRect(b redact.Box) (fyne.Position, fyne.Size) {
	p := m.toView(float64(b.X), float64(b.Y))
	return p, fyne.NewSize(float32(b.W)*m.SX, float32(b.H)*m.SY)
}

// toSource is the source point under view point p (not clamped; may lie
// outside the picture).
func (m picMap) toSource(p fyne.Position) (x, y float64) {
	return float64((p.X - m.X0) / m.SX), float64((p.Y - m.Y0) / m.SY)
}

// onPicture reports whether view point p is on the picture.
func (m picMap) onPicture(p fyne.Position) bool {
	if !m.ok() {
		return false
	}
	x, y := m.toSource(p)
	return x >= 0 && y >= 0 && x < float64(m.SrcW) && y < float64(m.SrcH)
}

// boxBetween is the box, in whole source pixels clamped to the picture,
// whose opposite corners are under view points a and b: every source
// pixel that the dragged rectangle touches.
func (m picMap) boxBetween(a, b fyne.Position) redact.Box {
	ax, ay := m.toSource(a)
	bx, by := m.toSource(b)
	ax, ay, bx, by = snap(ax), snap(ay), snap(bx), snap(by)
	x0 := clampInt(int(math.Floor(math.Min(ax, bx))), 0, m.SrcW)
	y0 := clampInt(int(math.Floor(math.Min(ay, by))), 0, m.SrcH)
	x1 := clampInt(int(math.Ceil(math.Max(ax, bx))), 0, m.SrcW)
	y1 := clampInt(int(math.Ceil(math.Max(ay, by))), 0, m.SrcH)
	return redact.Box{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
}

// snap rounds v to a whole pixel when it is within float32 error of one,
// so that a box's own outline maps back to the same box.
func snap(v float64) float64 {
	if r := math.Round(v); math.Abs(v-r) < 1e-3 {
		return r
	}
	return v
}

func clampInt(v, lo, hi int) int { return max(lo, min(hi, v)) }

// handle is a part of a box the pointer can take: the inside (move), one
// of the eight resize handles, or none.
type handle int

// Handles. The bits say which edges a resize moves.
const (
	handleNone    handle = 0
	edgeLeft      handle = 1
	edgeRight     handle = 2
	edgeTop       handle = 4
	edgeBottom    handle = 8
	handleMove    handle = 16
	handleTopL           = edgeTop | edgeLeft
	handleTopR           = edgeTop | edgeRight
	handleBottomL        = edgeBottom | edgeLeft
	handleBottomR        = edgeBottom | edgeRight
)

// handleSize is the side of a resize handle, in view units; the pointer
// takes it within grabSlop of it.
const (
	handleSize = 9
	grabSlop   = 4
)

// handlePoints are the eight resize handles of a box drawn at pos, size:
// corners and edge middles, in view coordinates (their centres).
func handlePoints(pos fyne.Position, size fyne.Size) map[handle]fyne.Position {
	l, t := pos.X, pos.Y
	r, b := l+size.Width, t+size.Height
	cx, cy := l+size.Width/2, t+size.Height/2
	return map[handle]fyne.Position{
		handleTopL: {X: l, Y: t}, edgeTop: {X: cx, Y: t}, handleTopR: {X: r, Y: t},
		edgeLeft: {X: l, Y: cy}, edgeRight: {X: r, Y: cy},
		handleBottomL: {X: l, Y: b}, edgeBottom: {X: cx, Y: b}, handleBottomR: {X: r, Y: b},
	}
}

// hitBox says what of box b (drawn through m) view point p is on: a resize
// handle (only when handles are shown), the inside, or nothing.
func (m picMap) hitBox(b redact.Box, p fyne.Position, handles bool) handle {
	pos, size := m.boxRect(b)
	if handles {
		reach := float32(handleSize)/2 + grabSlop
		// Corners before edges: at a small box they overlap.
		for _, h := range []handle{handleTopL, handleTopR, handleBottomL, handleBottomR, edgeTop, edgeBottom, edgeLeft, edgeRight} {
			c := handlePoints(pos, size)[h]
			if absf(p.X-c.X) <= reach && absf(p.Y-c.Y) <= reach {
				return h
			}
		}
	}
	if p.X >= pos.X && p.X <= pos.X+size.Width && p.Y >= pos.Y && p.Y <= pos.Y+size.Height {
		return handleMove
	}
	return handleNone
}

func absf(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}

// dragBox is box b after the pointer, holding handle h, moved by (dx, dy)
// source pixels: moved whole (kept inside the picture), or with the
// handle's edges moved (at least one pixel wide and high, inside the
// picture).
func dragBox(b redact.Box, h handle, dx, dy int, srcW, srcH int) redact.Box {
	if h == handleMove {
		b.X = clampInt(b.X+dx, 0, max(0, srcW-b.W))
		b.Y = clampInt(b.Y+dy, 0, max(0, srcH-b.H))
		return b
	}
	l, t, r, bt := b.X, b.Y, b.X+b.W, b.Y+b.H
	if h&edgeLeft != 0 {
		l = clampInt(l+dx, 0, r-1)
	}
	if h&edgeRight != 0 {
		r = clampInt(r+dx, l+1, srcW)
	}
	if h&edgeTop != 0 {
		t = clampInt(t+dy, 0, bt-1)
	}
	if h&edgeBottom != 0 {
		bt = clampInt(bt+dy, t+1, srcH)
	}
	return redact.Box{X: l, Y: t, W: r - l, H: bt - t}
}

// scaleRegions maps regions in source pixels onto a picture of imgW x imgH
// (the engine's frame, which may be smaller than the source) for the
// preview: each box grows outward to whole picture pixels, so that a
// scaled preview never shows less hidden than the render.
func scaleRegions(rs []redact.Region, srcW, srcH, imgW, imgH int) []redact.Region {
	if srcW == imgW && srcH == imgH || srcW <= 0 || srcH <= 0 {
		return rs
	}
	sx, sy := float64(imgW)/float64(srcW), float64(imgH)/float64(srcH)
	out := make([]redact.Region, len(rs))
	for i, r := range rs {
		b := r.Box
		x0 := int(math.Floor(float64(b.X) * sx))
		y0 := int(math.Floor(float64(b.Y) * sy))
		x1 := int(math.Ceil(float64(b.X+b.W) * sx))
		y1 := int(math.Ceil(float64(b.Y+b.H) * sy))
		r.Box = redact.Box{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
		if r.Block > 0 {
			r.Block = max(1, int(math.Round(float64(r.Block)*sx)))
		}
		out[i] = r
	}
	return out
}
