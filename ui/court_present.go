package ui

import (
	"image"
	"image/color"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
)

// presentation is the court screen: only the picture (zoomable, with a
// pointer circle where the advocate clicks) and a large readout strip,
// full screen. A nil *presentation (window not open) ignores every call.
type presentation struct {
	log     *slog.Logger // Debug: what the court screen shows (tests read it)
	win     fyne.Window
	root    *fyne.Container // picture, pointer layer, black-out
	video   *VideoView
	readout *canvas.Text
	band    *fyne.Container
	black   *canvas.Rectangle
	layer   *fyne.Container // the pointer layer, as large as the window content
	pointer *canvas.Circle
	at      fyne.Position // the pointed-at picture point, in picture pixels
	blanked bool
	rect    image.Rectangle // the picture on screen, window pixels (last logged)
}

// pointerRadius is the pointer circle's radius (canvas units).
const pointerRadius = 40

// pictureTap returns the picture point (picture pixels) under tap, a
// position in the video view, for a sw x sh picture whose top-left is at
// tl (view coordinates) drawn at scale view units per picture pixel
// (VideoView.PictureGeometry); ok is false when the tap is beside it.
func pictureTap(tap, tl fyne.Position, scale float32, sw, sh int) (fyne.Position, bool) {
	if scale <= 0 {
		return fyne.Position{}, false
	}
	at := fyne.NewPos((tap.X-tl.X)/scale, (tap.Y-tl.Y)/scale)
	if at.X < 0 || at.Y < 0 || at.X > float32(sw) || at.Y > float32(sh) {
		return fyne.Position{}, false
	}
	return at, true
}

// pointerPos returns the top-left, in the pointer layer, of a circle of
// radius r centred on picture point at, with the picture's top-left at tl
// in the video view at scale (PictureGeometry), the view at videoAbs and
// the layer at layerAbs (absolute canvas positions). Recomputed after a
// zoom or pan, it keeps the circle on the same picture point.
func pointerPos(at, tl fyne.Position, scale float32, videoAbs, layerAbs fyne.Position, r float32) fyne.Position {
	return tl.AddXY(at.X*scale, at.Y*scale).Add(videoAbs).Subtract(layerAbs).SubtractXY(r, r)
}

// togglePresentation opens or closes the court screen (Ctrl+P).
func (s *courtScreen) togglePresentation() {
	if s.present != nil {
		s.present.win.Close()
		return
	}
	p := &presentation{win: s.a.NewWindow("Exhibit — court screen"), log: s.log}
	p.video = NewVideoView()
	p.readout = canvas.NewText(s.readout.Text, color.White)
	p.readout.TextSize, p.readout.TextStyle = readoutMaxSize, fyne.TextStyle{Monospace: true}
	p.readout.Alignment = fyne.TextAlignCenter
	bandText := canvas.NewText("NOT VERIFIED", color.White)
	bandText.TextSize, bandText.TextStyle = 32, fyne.TextStyle{Bold: true}
	p.band = container.NewStack(canvas.NewRectangle(courtRed), container.NewCenter(bandText))
	p.band.Hidden = !s.band.Visible()
	p.black = canvas.NewRectangle(color.Black)
	p.black.Hide()
	p.pointer = canvas.NewCircle(color.NRGBA{R: 0xff, G: 0xd6, A: 0x30})
	p.pointer.StrokeColor, p.pointer.StrokeWidth = color.NRGBA{R: 0xff, G: 0xd6, B: 0, A: 0xff}, 5
	p.pointer.Hide()
	p.pointer.Resize(fyne.NewSize(2*pointerRadius, 2*pointerRadius))
	p.layer = container.NewWithoutLayout(p.pointer)
	p.video.OnTapped = p.point
	p.video.OnLayout = p.laidOut
	p.video.OnTypedKey, p.video.OnTypedRune = s.typedKey, s.typedRune
	strip := container.NewStack(canvas.NewRectangle(color.Black), container.NewPadded(p.readout))
	p.root = container.NewStack(container.NewBorder(p.band, strip, nil, nil, p.video), p.layer, p.black)
	p.win.SetPadded(false) // edge to edge: a black-out leaves no theme-coloured frame
	p.win.SetContent(p.root)
	p.win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape && p.win.FullScreen() {
			p.win.SetFullScreen(false)
			return
		}
		s.typedKey(ev)
	})
	p.win.Canvas().SetOnTypedRune(s.typedRune)
	p.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyP, Modifier: fyne.KeyModifierControl}, func(fyne.Shortcut) { s.togglePresentation() })
	if img := s.video.Image(); img != nil {
		p.video.SetFrame(copyRGBA(img), nil)
	}
	p.win.SetOnClosed(func() {
		s.present = nil
		s.fullBtn.Disable()
	})
	s.present = p
	p.win.Resize(fyne.NewSize(960, 540))
	p.win.Show()
	s.log.Debug("court screen", "open", true)
	s.fullBtn.Enable()
	if s.monitor >= 0 {
		s.placePresentation()
		return
	}
	s.status.SetText("Court screen open: drag it onto the court's display, then press F11 (or Full screen) to fill that display.")
}

// toggleFull puts the court screen full screen (on the chosen monitor when
// there is one, else on the display that holds it), or back into a window
// (F11).
func (s *courtScreen) toggleFull() {
	p := s.present
	if p == nil {
		return
	}
	if !p.win.FullScreen() && s.monitor >= 0 {
		s.placePresentation()
		return
	}
	p.win.SetFullScreen(!p.win.FullScreen())
	p.log.Debug("court screen", "full", p.win.FullScreen())
}

// point shows the pointer circle on the picture point under tap (video
// view coordinates); a tap beside the picture hides it.
func (p *presentation) point(tap fyne.Position) {
	tl, scale, ok := p.video.PictureGeometry()
	if ok {
		img := p.video.Image().Rect
		p.at, ok = pictureTap(tap, tl, scale, img.Dx(), img.Dy())
	}
	if !ok {
		p.pointer.Hide()
		return
	}
	p.pointer.Show()
	p.placePointer()
	c := fyne.CurrentApp().Driver().AbsolutePositionForObject(p.layer).Add(p.pointer.Position()).AddXY(pointerRadius, pointerRadius)
	sc := p.win.Canvas().Scale()
	p.log.Debug("court pointer", "x", int(c.X*sc+0.5), "y", int(c.Y*sc+0.5), "r", int(pointerRadius*sc+0.5), "stroke", int(p.pointer.StrokeWidth*sc+0.5))
	// Fyne 2.7 does not draw an object that was hidden when its window
	// was first painted until its container is refreshed: Show and
	// Refresh on the object alone leave the screen unchanged.
	p.layer.Refresh()
}

// laidOut follows a new picture layout: the pointer moves with the
// picture, and the picture's place in window pixels is logged (Debug).
func (p *presentation) laidOut() {
	p.placePointer()
	p.fitReadout()
	pos, size, ok := p.video.PictureRect()
	if !ok {
		return
	}
	abs := fyne.CurrentApp().Driver().AbsolutePositionForObject(p.video).Add(pos)
	sc := p.win.Canvas().Scale()
	r := image.Rect(int(abs.X*sc+0.5), int(abs.Y*sc+0.5), int((abs.X+size.Width)*sc+0.5), int((abs.Y+size.Height)*sc+0.5))
	if r != p.rect {
		p.rect = r
		p.log.Debug("court screen picture", "x", r.Min.X, "y", r.Min.Y, "w", r.Dx(), "h", r.Dy(), "zoom", p.video.Zoom())
	}
}

// placePointer moves the pointer circle onto its picture point (after a
// tap, a zoom, a pan or a resize).
func (p *presentation) placePointer() {
	if p.pointer == nil || !p.pointer.Visible() {
		return
	}
	tl, scale, ok := p.video.PictureGeometry()
	if !ok {
		return
	}
	d := fyne.CurrentApp().Driver()
	p.pointer.Move(pointerPos(p.at, tl, scale, d.AbsolutePositionForObject(p.video), d.AbsolutePositionForObject(p.layer), pointerRadius))
}

// show puts a copy of img on the court screen.
func (p *presentation) show(img *image.RGBA) {
	if p == nil {
		return
	}
	p.video.SetFrame(copyRGBA(img), nil)
}

// setReadout sets the readout strip's text.
func (p *presentation) setReadout(t string) {
	if p == nil {
		return
	}
	p.readout.Text = t
	p.fitReadout()
	p.readout.Refresh()
}

// Readout type on the court screen: as large as fits the window's width.
const (
	readoutMaxSize = 40
	readoutMinSize = 16
)

// fitReadout sizes the readout strip's type to the largest that fits the
// window's width (40 pt where it fits; a 1280-pixel court display needs
// less), so the line is never cut off.
func (p *presentation) fitReadout() {
	avail := p.win.Canvas().Size().Width - 2*theme.Padding() - 8
	size := readoutFitSize(p.readout.Text, p.readout.TextStyle, avail)
	if size != p.readout.TextSize {
		p.readout.TextSize = size
		p.readout.Refresh()
	}
}

// readoutFitSize is the largest type size from readoutMaxSize down to
// readoutMinSize at which text fits width (readoutMinSize when none does).
func readoutFitSize(text string, style fyne.TextStyle, width float32) float32 {
	if width <= 0 {
		return readoutMaxSize
	}
	w := fyne.MeasureText(text, readoutMaxSize, style).Width
	if w <= width {
		return readoutMaxSize
	}
	// Type width grows in proportion to its size; step down from the
	// proportional guess until it fits.
	size := float32(int(readoutMaxSize * width / w))
	for size > readoutMinSize && fyne.MeasureText(text, size, style).Width > width {
		size--
	}
	return max(size, readoutMinSize)
}

// setBand shows or hides the red "not verified" band.
func (p *presentation) setBand(on bool) {
	if p == nil {
		return
	}
	if on {
		p.band.Show()
	} else {
		p.band.Hide()
	}
	p.root.Refresh() // see point: Show alone is not drawn
}

// toggleBlack blanks or unblanks the court screen at once (B).
func (p *presentation) toggleBlack() {
	if p == nil {
		return
	}
	p.blanked = !p.blanked
	if p.blanked {
		p.black.Show()
	} else {
		p.black.Hide()
	}
	p.root.Refresh() // see point: Show alone is not drawn
	p.log.Debug("court black-out", "on", p.blanked)
}

// zoom applies f (zoom in, out or reset) to the court screen's picture;
// scrolling on it zooms about the mouse and dragging pans. The pointer
// circle stays on the picture point it marks (OnLayout).
func (p *presentation) zoom(f func(*VideoView)) {
	if p == nil {
		return
	}
	f(p.video)
}
