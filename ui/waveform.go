package ui

import (
	"image"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// WaveformView draws a recording's audio levels under its timeline, over
// the same stretch of media time (it follows the timeline's zoom), so
// that shouting and silence show at a glance: each column is the loudest
// level in its time, drawn up and down from the middle, and levels near
// full scale are drawn in the warning colour. A click seeks as on the
// timeline. Use it on the UI goroutine only.
type WaveformView struct {
	widget.BaseWidget

	tl     *Timeline
	bucket time.Duration
	levels []byte
	note   string // shown instead of levels ("" with levels)
}

// waveformH is the height of a WaveformView.
const waveformH = 26

// loudLevel is the level from which a column is drawn as loud (about
// -6 dB below full scale).
const loudLevel = 230

// NewWaveformView returns a view under tl showing note until SetLevels.
func NewWaveformView(tl *Timeline, note string) *WaveformView {
	w := &WaveformView{tl: tl, note: note}
	w.ExtendBaseWidget(w)
	return w
}

// SetLevels shows levels, one per bucket of media time.
func (w *WaveformView) SetLevels(bucket time.Duration, levels []byte) {
	w.bucket, w.levels, w.note = bucket, levels, ""
	w.Refresh()
}

// SetNote shows a sentence instead of levels (no sound, or still reading).
func (w *WaveformView) SetNote(note string) {
	w.levels, w.note = nil, note
	w.Refresh()
}

// Note returns the sentence shown instead of levels ("": levels shown).
func (w *WaveformView) Note() string { return w.note }

// Columns returns the level drawn in each of width columns over the
// timeline's view (0: silence or no audio).
func (w *WaveformView) Columns(width int) []byte {
	out := make([]byte, max(0, width))
	if len(w.levels) == 0 || w.bucket <= 0 || width <= 0 || w.tl == nil {
		return out
	}
	from, span := w.tl.View()
	for x := range out {
		a := from + time.Duration(float64(span)*float64(x)/float64(width))
		b := from + time.Duration(float64(span)*float64(x+1)/float64(width))
		i, j := int(a/w.bucket), int((b-1)/w.bucket)
		var peak byte
		for k := max(0, i); k <= j && k < len(w.levels); k++ {
			peak = max(peak, w.levels[k])
		}
		out[x] = peak
	}
	return out
}

// Tapped seeks to the frame under the pointer, as on the timeline.
func (w *WaveformView) Tapped(ev *fyne.PointEvent) {
	if w.tl != nil {
		w.tl.Tapped(ev)
	}
}

// Scrolled zooms or moves the view as on the timeline.
func (w *WaveformView) Scrolled(ev *fyne.ScrollEvent) {
	if w.tl != nil {
		w.tl.Scrolled(ev)
	}
}

// Cursor is a pointer: the waveform is clickable.
func (w *WaveformView) Cursor() desktop.Cursor { return desktop.PointerCursor }

// CreateRenderer is part of fyne.Widget.
func (w *WaveformView) CreateRenderer() fyne.WidgetRenderer {
	img := canvas.NewImageFromImage(nil)
	img.FillMode = canvas.ImageFillStretch
	img.ScaleMode = canvas.ImageScalePixels
	txt := canvas.NewText("", theme.Color(theme.ColorNamePlaceHolder))
	txt.TextSize = tickText
	bg := canvas.NewRectangle(color.NRGBA{R: 0x18, G: 0x1a, B: 0x1f, A: 0xff})
	return &waveformRenderer{w: w, img: img, txt: txt, bg: bg}
}

type waveformRenderer struct {
	w   *WaveformView
	bg  *canvas.Rectangle
	img *canvas.Image
	txt *canvas.Text
}

var (
	waveColor = color.NRGBA{R: 0x6f, G: 0xa8, B: 0xdc, A: 0xff}
	loudColor = color.NRGBA{R: 0xff, G: 0x98, B: 0x00, A: 0xff}
)

// Layout draws the columns into a picture one pixel per column (at the
// canvas scale it is stretched smoothly enough for levels).
func (r *waveformRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	w := r.w
	if w.note != "" || len(w.levels) == 0 {
		r.img.Hide()
		r.txt.Text = w.note
		r.txt.Refresh()
		r.txt.Move(fyne.NewPos(4, (size.Height-r.txt.MinSize().Height)/2))
		r.txt.Show()
		return
	}
	r.txt.Hide()
	cols := w.Columns(int(size.Width))
	h := int(size.Height)
	if len(cols) == 0 || h <= 0 {
		r.img.Hide()
		return
	}
	pic := image.NewNRGBA(image.Rect(0, 0, len(cols), h))
	mid := float64(h) / 2
	for x, v := range cols {
		half := float64(v) / 255 * (mid - 1)
		c := waveColor
		if v >= loudLevel {
			c = loudColor
		}
		for y := int(mid - half); y <= int(mid+half) && y < h; y++ {
			pic.SetNRGBA(x, max(0, y), c)
		}
	}
	r.img.Image = pic
	r.img.Resize(size)
	r.img.Show()
	r.img.Refresh()
}

func (r *waveformRenderer) MinSize() fyne.Size { return fyne.NewSize(120, waveformH) }

func (r *waveformRenderer) Refresh() {
	r.Layout(r.w.Size())
	canvas.Refresh(r.w)
}

func (r *waveformRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.img, r.txt}
}

func (r *waveformRenderer) Destroy() {}
