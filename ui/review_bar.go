package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// barLayout lays out the review screen's bottom bar: the transport
// (objects[0]) at the left and the readout (objects[1]) at the right on
// one row when the width holds both at their minimum sizes, otherwise the
// readout on a second row under the transport, at the right. Neither is
// ever drawn narrower than its minimum size, so they never overlap.
//
// A layout's MinSize cannot see the width it will get, so the window's
// layout tells it first (widthHint): the bar asks for two rows' height
// only when it will get too narrow a width for one.
type barLayout struct {
	// avail is the width the bar will be given (0: unknown, one row).
	avail float32
}

// oneRow reports whether transport and readout fit side by side in w.
func (l *barLayout) oneRow(objects []fyne.CanvasObject, w float32) bool {
	t, r := objects[0].MinSize(), objects[1].MinSize()
	return w >= t.Width+theme.Padding()*4+r.Width
}

func (l *barLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	t, r := objects[0].MinSize(), objects[1].MinSize()
	if l.avail <= 0 || l.oneRow(objects, l.avail) {
		return fyne.NewSize(max(t.Width, r.Width), max(t.Height, r.Height))
	}
	return fyne.NewSize(max(t.Width, r.Width), t.Height+theme.Padding()+r.Height)
}

func (l *barLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	tr, ro := objects[0], objects[1]
	t, r := tr.MinSize(), ro.MinSize()
	if l.oneRow(objects, size.Width) {
		tr.Move(fyne.NewPos(0, 0))
		tr.Resize(fyne.NewSize(t.Width, size.Height))
		ro.Move(fyne.NewPos(size.Width-r.Width, 0))
		ro.Resize(fyne.NewSize(r.Width, size.Height))
		return
	}
	tr.Move(fyne.NewPos(0, 0))
	tr.Resize(t)
	ro.Move(fyne.NewPos(max(0, size.Width-r.Width), t.Height+theme.Padding()))
	ro.Resize(r)
}

// widthHint is a layout that reports the width it is given (hint) before
// laying out with the layout it wraps.
type widthHint struct {
	inner fyne.Layout
	hint  func(w float32)
}

func (l *widthHint) MinSize(objects []fyne.CanvasObject) fyne.Size { return l.inner.MinSize(objects) }

func (l *widthHint) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	l.hint(size.Width)
	l.inner.Layout(objects, size)
}
