package ui

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
)

// presentation is the court screen: only the picture (zoomable, with a
// pointer circle where the advocate clicks) and a large readout strip,
// full screen. A nil *presentation (window not open) ignores every call.
type presentation struct {
	win     fyne.Window
	video   *VideoView
	readout *canvas.Text
	band    *fyne.Container
	black   *canvas.Rectangle
	pointer *canvas.Circle
	blanked bool
}

// togglePresentation opens or closes the court screen (Ctrl+P).
func (s *courtScreen) togglePresentation() {
	if s.present != nil {
		s.present.win.Close()
		return
	}
	p := &presentation{win: s.a.NewWindow("Exhibit — court screen")}
	p.video = NewVideoView()
	p.readout = canvas.NewText(s.readout.Text, color.White)
	p.readout.TextSize, p.readout.TextStyle = 40, fyne.TextStyle{Monospace: true}
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
	p.video.OnTapped = func(pos fyne.Position) {
		const r = 40
		// The pointer layer covers the whole window: place the circle in
		// window coordinates.
		abs := fyne.CurrentApp().Driver().AbsolutePositionForObject(p.video)
		p.pointer.Move(pos.Add(abs).SubtractXY(r, r))
		p.pointer.Resize(fyne.NewSize(2*r, 2*r))
		p.pointer.Show()
		p.pointer.Refresh()
	}
	p.video.OnTypedKey, p.video.OnTypedRune = s.typedKey, s.typedRune
	strip := container.NewStack(canvas.NewRectangle(color.Black), container.NewPadded(p.readout))
	p.win.SetContent(container.NewStack(container.NewBorder(p.band, strip, nil, nil, p.video), container.NewWithoutLayout(p.pointer), p.black))
	p.win.Canvas().SetOnTypedKey(s.typedKey)
	p.win.Canvas().SetOnTypedRune(s.typedRune)
	p.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyP, Modifier: fyne.KeyModifierControl}, func(fyne.Shortcut) { s.togglePresentation() })
	if img := s.video.Image(); img != nil {
		p.video.SetFrame(copyRGBA(img), nil)
	}
	p.win.SetOnClosed(func() { s.present = nil })
	s.present = p
	p.win.Resize(fyne.NewSize(1280, 720))
	p.win.SetFullScreen(true)
	p.win.Show()
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
	p.readout.Refresh()
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
}

// toggleBlack blanks or unblanks the court screen at once (B).
func (p *presentation) toggleBlack() {
	if p == nil {
		return
	}
	p.blanked = !p.blanked
	if p.blanked {
		p.black.Show()
		p.black.Refresh()
	} else {
		p.black.Hide()
	}
}

// zoom applies f (zoom in, out or reset) to the court screen's picture;
// scrolling on it zooms about the pointer and dragging pans.
func (p *presentation) zoom(f func(*VideoView)) {
	if p == nil {
		return
	}
	f(p.video)
	p.pointer.Hide()
}
