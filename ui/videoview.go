package ui

import (
	"image"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// Zoom limits of a VideoView.
const (
	minZoom  = 1
	maxZoom  = 16
	zoomStep = 1.25
)

// VideoView is a widget that shows video frames letterboxed to their
// aspect ratio, with zoom (scroll wheel, ZoomIn/ZoomOut) and pan (drag
// while zoomed). Frames are drawn straight from their *image.RGBA: nothing
// is encoded or copied at zoom 1, and the canvas is refreshed only when a
// new frame is set. It is focusable so that keys typed while it has focus
// reach OnTypedKey and OnTypedRune. Use it on the UI goroutine only.
type VideoView struct {
	widget.BaseWidget

	// OnTypedKey and OnTypedRune receive keys typed while the view has
	// focus.
	OnTypedKey  func(*fyne.KeyEvent)
	OnTypedRune func(rune)
	// OnTapped, when set, receives the position of a tap in the view.
	OnTapped func(fyne.Position)
	// OnLayout, when set, is called after the picture is laid out again
	// (a new size, zoom, pan or frame): PictureRect has changed.
	OnLayout func()

	img     *image.RGBA
	release func() // gives the shown frame back to its owner
	zoom    float32
	pan     fyne.Position // offset of the picture's centre from the view's, in view units
	focused bool
	changed bool // a new image since the renderer last looked

	// lut (nil: none) maps R, G and B of each frame for display only; the
	// adjusted copies are drawn from bufs, alternately, so the one on
	// screen is never written.
	lut    *[256]uint8
	bufs   [2]*image.RGBA
	bufIdx int
	adj    *image.RGBA // the adjusted copy of img shown (nil: none)
}

// SetLUT maps the red, green and blue of every frame shown through lut
// (nil: frames are shown as they are). The frames themselves are not
// changed: the view draws an adjusted copy.
func (v *VideoView) SetLUT(lut *[256]uint8) {
	v.lut = lut
	v.adj = nil
	v.changed = true
	v.Refresh()
}

// Shown returns the picture drawn: the frame, or its adjusted copy.
func (v *VideoView) Shown() *image.RGBA {
	if v.img == nil || v.lut == nil {
		return v.img
	}
	if v.adj == nil || v.changed {
		v.adjust()
	}
	return v.adj
}

// adjust makes the adjusted copy of the frame.
func (v *VideoView) adjust() {
	src := v.img
	v.bufIdx ^= 1
	b := v.bufs[v.bufIdx]
	if b == nil || b.Rect != src.Rect {
		b = image.NewRGBA(src.Rect)
		v.bufs[v.bufIdx] = b
	}
	t := v.lut
	w := 4 * src.Rect.Dx()
	for y := 0; y < src.Rect.Dy(); y++ {
		s := src.Pix[y*src.Stride : y*src.Stride+w]
		d := b.Pix[y*b.Stride : y*b.Stride+w]
		for i := 0; i < w; i += 4 {
			d[i], d[i+1], d[i+2], d[i+3] = t[s[i]], t[s[i+1]], t[s[i+2]], s[i+3]
		}
	}
	v.adj = b
}

// NewVideoView returns an empty (black) VideoView.
func NewVideoView() *VideoView {
	v := &VideoView{zoom: 1}
	v.ExtendBaseWidget(v)
	return v
}

// SetFrame shows img and calls release (if not nil) when img is replaced
// or cleared. It refreshes the view.
func (v *VideoView) SetFrame(img *image.RGBA, release func()) {
	if v.release != nil && (img != v.img || release != nil) {
		v.release()
	}
	v.img, v.release, v.changed = img, release, true
	v.adj = nil
	v.Refresh()
}

// Clear drops the shown frame (releasing it).
func (v *VideoView) Clear() { v.SetFrame(nil, nil) }

// Image returns the frame shown (nil: none).
func (v *VideoView) Image() *image.RGBA { return v.img }

// Zoom returns the zoom factor (1: the whole picture fits the view).
func (v *VideoView) Zoom() float32 { return v.zoom }

// SetZoom sets the zoom factor (clamped to 1..16) about the view's centre.
func (v *VideoView) SetZoom(z float32) {
	s := v.Size()
	v.zoomAbout(z, fyne.NewPos(s.Width/2, s.Height/2))
}

// ZoomIn zooms in one step about the centre.
func (v *VideoView) ZoomIn() { v.SetZoom(v.zoom * zoomStep) }

// ZoomOut zooms out one step about the centre.
func (v *VideoView) ZoomOut() { v.SetZoom(v.zoom / zoomStep) }

// ResetZoom shows the whole picture again.
func (v *VideoView) ResetZoom() {
	v.zoom, v.pan = 1, fyne.Position{}
	v.Refresh()
}

// zoomAbout changes the zoom keeping the picture point under p (view
// coordinates) where it is.
func (v *VideoView) zoomAbout(z float32, p fyne.Position) {
	z = float32(math.Max(minZoom, math.Min(maxZoom, float64(z))))
	if v.img == nil {
		v.zoom = z
		v.Refresh()
		return
	}
	view := v.Size()
	sw, sh := v.img.Rect.Dx(), v.img.Rect.Dy()
	s0 := fitScale(view, sw, sh) * v.zoom
	s1 := fitScale(view, sw, sh) * z
	// Picture top-left before, and the picture point under p.
	tlx := (view.Width-float32(sw)*s0)/2 + v.pan.X
	tly := (view.Height-float32(sh)*s0)/2 + v.pan.Y
	ux, uy := (p.X-tlx)/s0, (p.Y-tly)/s0
	ntlx, ntly := p.X-ux*s1, p.Y-uy*s1
	v.zoom = z
	v.pan = clampPan(view, sw, sh, z, fyne.NewPos(ntlx-(view.Width-float32(sw)*s1)/2, ntly-(view.Height-float32(sh)*s1)/2))
	v.Refresh()
}

// Scrolled zooms with the mouse wheel about the pointer.
func (v *VideoView) Scrolled(ev *fyne.ScrollEvent) {
	switch {
	case ev.Scrolled.DY > 0:
		v.zoomAbout(v.zoom*zoomStep, ev.Position)
	case ev.Scrolled.DY < 0:
		v.zoomAbout(v.zoom/zoomStep, ev.Position)
	}
}

// Dragged pans the zoomed picture.
func (v *VideoView) Dragged(ev *fyne.DragEvent) {
	if v.img == nil || v.zoom <= 1 {
		return
	}
	p := v.pan.Add(fyne.NewDelta(ev.Dragged.DX, ev.Dragged.DY))
	v.pan = clampPan(v.Size(), v.img.Rect.Dx(), v.img.Rect.Dy(), v.zoom, p)
	v.Refresh()
}

// DragEnd ends a pan.
func (v *VideoView) DragEnd() {}

// Tapped gives the view the keyboard focus.
func (v *VideoView) Tapped(ev *fyne.PointEvent) {
	if v.OnTapped != nil {
		v.OnTapped(ev.Position)
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(v); c != nil {
		c.Focus(v)
	}
}

// Cursor shows a hand while the picture can be panned.
func (v *VideoView) Cursor() desktop.Cursor {
	if v.zoom > 1 {
		return desktop.PointerCursor
	}
	return desktop.DefaultCursor
}

// FocusGained is part of fyne.Focusable.
func (v *VideoView) FocusGained() { v.focused = true }

// FocusLost is part of fyne.Focusable.
func (v *VideoView) FocusLost() { v.focused = false }

// TypedKey passes the key to OnTypedKey.
func (v *VideoView) TypedKey(ev *fyne.KeyEvent) {
	if v.OnTypedKey != nil {
		v.OnTypedKey(ev)
	}
}

// TypedRune passes the character to OnTypedRune.
func (v *VideoView) TypedRune(r rune) {
	if v.OnTypedRune != nil {
		v.OnTypedRune(r)
	}
}

// PictureRect returns where the picture is drawn in the view (view
// coordinates) at the current size, zoom and pan; ok is false without a
// frame.
func (v *VideoView) PictureRect() (pos fyne.Position, size fyne.Size, ok bool) {
	if v.img == nil {
		return fyne.Position{}, fyne.Size{}, false
	}
	pos, size, _ = videoLayout(v.Size(), v.img.Rect.Dx(), v.img.Rect.Dy(), v.zoom, v.pan)
	return pos, size, true
}

// PictureGeometry returns where the whole picture lies in the view (view
// coordinates of its top-left corner, which may be outside the view when
// zoomed) and its scale (view units per picture pixel) at the current
// size, zoom and pan; ok is false without a frame.
func (v *VideoView) PictureGeometry() (topLeft fyne.Position, scale float32, ok bool) {
	if v.img == nil {
		return fyne.Position{}, 0, false
	}
	return pictureGeometry(v.Size(), v.img.Rect.Dx(), v.img.Rect.Dy(), v.zoom, v.pan)
}

// pictureGeometry is PictureGeometry for a sw x sh picture in a view.
func pictureGeometry(view fyne.Size, sw, sh int, zoom float32, pan fyne.Position) (fyne.Position, float32, bool) {
	s := fitScale(view, sw, sh) * zoom
	if s <= 0 {
		return fyne.Position{}, 0, false
	}
	return fyne.NewPos((view.Width-float32(sw)*s)/2+pan.X, (view.Height-float32(sh)*s)/2+pan.Y), s, true
}

// CreateRenderer is part of fyne.Widget.
func (v *VideoView) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.Black)
	img := canvas.NewImageFromImage(nil)
	img.FillMode = canvas.ImageFillStretch
	img.ScaleMode = canvas.ImageScaleSmooth
	return &videoRenderer{v: v, bg: bg, img: img}
}

type videoRenderer struct {
	v   *VideoView
	bg  *canvas.Rectangle
	img *canvas.Image
	src image.Rectangle // part of the frame on screen
	pic *image.RGBA     // frame the canvas image was made from
}

func (r *videoRenderer) Layout(size fyne.Size) {
	r.layout(size)
	if r.v.OnLayout != nil {
		r.v.OnLayout()
	}
}

func (r *videoRenderer) layout(size fyne.Size) {
	r.bg.Resize(size)
	v := r.v
	if v.img == nil {
		r.img.Hide()
		return
	}
	v.pan = clampPan(size, v.img.Rect.Dx(), v.img.Rect.Dy(), v.zoom, v.pan)
	pos, dsize, src := videoLayout(size, v.img.Rect.Dx(), v.img.Rect.Dy(), v.zoom, v.pan)
	r.img.Move(pos)
	r.img.Resize(dsize)
	if src.Empty() {
		r.img.Hide()
		return
	}
	r.img.Show()
	src = src.Add(v.img.Rect.Min)
	if v.changed || src != r.src || r.pic != v.img {
		pic := v.Shown()
		v.changed = false
		r.src, r.pic = src, v.img
		if src == v.img.Rect {
			r.img.Image = pic
		} else {
			r.img.Image = pic.SubImage(src)
		}
		r.img.Refresh()
	}
}

func (r *videoRenderer) MinSize() fyne.Size { return fyne.NewSize(160, 90) }

func (r *videoRenderer) Refresh() { r.Layout(r.v.Size()) }

func (r *videoRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.img} }

func (r *videoRenderer) Destroy() {}

// fitScale is the scale at which a sw x sh picture fits the view whole.
func fitScale(view fyne.Size, sw, sh int) float32 {
	if sw <= 0 || sh <= 0 {
		return 0
	}
	return float32(math.Min(float64(view.Width)/float64(sw), float64(view.Height)/float64(sh)))
}

// clampPan keeps a zoomed picture covering the view: in each direction the
// picture can move by at most its overhang, and not at all when it is
// smaller than the view.
func clampPan(view fyne.Size, sw, sh int, zoom float32, pan fyne.Position) fyne.Position {
	s := fitScale(view, sw, sh) * zoom
	lim := func(p, picture, room float32) float32 {
		over := (picture - room) / 2
		if over <= 0 {
			return 0
		}
		return max(-over, min(over, p))
	}
	return fyne.NewPos(lim(pan.X, float32(sw)*s, view.Width), lim(pan.Y, float32(sh)*s, view.Height))
}

// videoLayout places a sw x sh picture in a view: scaled to fit whole
// (letterboxed) times zoom, centred and moved by pan. It returns the
// on-screen rectangle to draw and the part of the picture (src, in its
// pixels) that it shows; parts outside the view are cropped away so that
// nothing is drawn outside the view.
func videoLayout(view fyne.Size, sw, sh int, zoom float32, pan fyne.Position) (fyne.Position, fyne.Size, image.Rectangle) {
	s := fitScale(view, sw, sh) * zoom
	if s <= 0 {
		return fyne.Position{}, fyne.Size{}, image.Rectangle{}
	}
	iw, ih := float32(sw)*s, float32(sh)*s
	tlx := (view.Width-iw)/2 + pan.X
	tly := (view.Height-ih)/2 + pan.Y
	crop := func(tl, room float32, n int) (int, int) {
		lo := int(math.Floor(float64(max(0, -tl) / s)))
		hi := int(math.Ceil(float64(min(room-tl, float32(n)*s) / s)))
		return max(0, lo), min(n, hi)
	}
	x0, x1 := crop(tlx, view.Width, sw)
	y0, y1 := crop(tly, view.Height, sh)
	src := image.Rect(x0, y0, x1, y1)
	pos := fyne.NewPos(tlx+float32(x0)*s, tly+float32(y0)*s)
	size := fyne.NewSize(float32(x1-x0)*s, float32(y1-y0)*s)
	return pos, size, src
}
