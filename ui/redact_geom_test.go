package ui

import (
	"math"
	"testing"

	"fyne.io/fyne/v2"

	"exhibit/app/redact"
)

func nearf(a, b float32) bool { return math.Abs(float64(a-b)) < 1e-3 }

// TestPicMapLetterbox places the source's corners where VideoView draws
// the picture: bars above and below a wide picture, left and right of a
// tall view's... and through a frame rendered smaller than the source.
func TestPicMapLetterbox(t *testing.T) {
	for _, c := range []struct {
		name               string
		view               fyne.Size
		imgW, imgH         int
		srcW, srcH         int
		zoom               float32
		pan                fyne.Position
		tl, br             fyne.Position // where source (0,0) and (srcW,srcH) go
		centreX, centreY   float64       // the source point under the view's centre
		onPicture, offPict fyne.Position
	}{
		{name: "bars above and below", view: fyne.NewSize(800, 600), imgW: 640, imgH: 360, srcW: 640, srcH: 360, zoom: 1,
			tl: fyne.NewPos(0, 75), br: fyne.NewPos(800, 525), centreX: 320, centreY: 180,
			onPicture: fyne.NewPos(10, 80), offPict: fyne.NewPos(10, 70)},
		{name: "bars left and right", view: fyne.NewSize(1000, 360), imgW: 640, imgH: 360, srcW: 640, srcH: 360, zoom: 1,
			tl: fyne.NewPos(180, 0), br: fyne.NewPos(820, 360), centreX: 320, centreY: 180,
			onPicture: fyne.NewPos(181, 5), offPict: fyne.NewPos(179, 5)},
		{name: "1080p source shown at 720p", view: fyne.NewSize(400, 400), imgW: 1280, imgH: 720, srcW: 1920, srcH: 1080, zoom: 1,
			tl: fyne.NewPos(0, 87.5), br: fyne.NewPos(400, 312.5), centreX: 960, centreY: 540,
			onPicture: fyne.NewPos(399, 300), offPict: fyne.NewPos(399, 313)},
		{name: "zoomed twice, panned", view: fyne.NewSize(800, 450), imgW: 640, imgH: 360, srcW: 640, srcH: 360, zoom: 2,
			pan: fyne.NewPos(100, 0), tl: fyne.NewPos(-300, -225), br: fyne.NewPos(1300, 675), centreX: 320 - 100.0/2.5, centreY: 180,
			onPicture: fyne.NewPos(0, 0), offPict: fyne.NewPos(-1000, 0)},
	} {
		m := newPicMap(c.view, c.imgW, c.imgH, c.srcW, c.srcH, c.zoom, c.pan)
		if tl := m.toView(0, 0); !nearf(tl.X, c.tl.X) || !nearf(tl.Y, c.tl.Y) {
			t.Errorf("%s: source 0,0 at %v, want %v", c.name, tl, c.tl)
		}
		if br := m.toView(float64(c.srcW), float64(c.srcH)); !nearf(br.X, c.br.X) || !nearf(br.Y, c.br.Y) {
			t.Errorf("%s: source corner at %v, want %v", c.name, br, c.br)
		}
		x, y := m.toSource(fyne.NewPos(c.view.Width/2, c.view.Height/2))
		if math.Abs(x-c.centreX) > 1e-3 || math.Abs(y-c.centreY) > 1e-3 {
			t.Errorf("%s: centre shows source %.3f,%.3f, want %.3f,%.3f", c.name, x, y, c.centreX, c.centreY)
		}
		if !m.onPicture(c.onPicture) || m.onPicture(c.offPict) {
			t.Errorf("%s: onPicture(%v) %v, onPicture(%v) %v", c.name, c.onPicture, m.onPicture(c.onPicture), c.offPict, m.onPicture(c.offPict))
		}
		// Every box drawn maps back to itself from its outline.
		for _, b := range []redact.Box{{X: 0, Y: 0, W: 1, H: 1}, {X: 10, Y: 20, W: 30, H: 40}, {X: c.srcW - 7, Y: c.srcH - 9, W: 7, H: 9}, {X: 0, Y: 0, W: c.srcW, H: c.srcH}, {X: 123, Y: 45, W: 67, H: 89}} {
			pos, size := m.boxRect(b)
			if got := m.boxBetween(pos, pos.Add(fyne.NewDelta(size.Width, size.Height))); got != b {
				t.Errorf("%s: box %v drawn at %v %v maps back to %v", c.name, b, pos, size, got)
			}
		}
	}
	if (picMap{}).ok() || newPicMap(fyne.NewSize(100, 100), 0, 0, 640, 360, 1, fyne.Position{}).ok() {
		t.Error("a map without a picture places something")
	}
}

// TestBoxBetweenClampsAndOrders: a drag in any direction, even out of the
// picture, gives the box of the pixels it touches, inside the picture.
func TestBoxBetweenClampsAndOrders(t *testing.T) {
	m := newPicMap(fyne.NewSize(640, 360), 640, 360, 640, 360, 1, fyne.Position{})
	for _, c := range []struct {
		a, b fyne.Position
		want redact.Box
	}{
		{fyne.NewPos(10, 20), fyne.NewPos(50, 60), redact.Box{X: 10, Y: 20, W: 40, H: 40}},
		{fyne.NewPos(50, 60), fyne.NewPos(10, 20), redact.Box{X: 10, Y: 20, W: 40, H: 40}},
		{fyne.NewPos(10.5, 20.5), fyne.NewPos(12.2, 22.7), redact.Box{X: 10, Y: 20, W: 3, H: 3}},
		{fyne.NewPos(-30, -30), fyne.NewPos(700, 400), redact.Box{X: 0, Y: 0, W: 640, H: 360}},
	} {
		if got := m.boxBetween(c.a, c.b); got != c.want {
			t.Errorf("drag %v–%v: %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// TestHitBoxAndDragBox: handles are taken before the inside, and a drag
// moves or resizes within the picture.
func TestHitBoxAndDragBox(t *testing.T) {
	m := newPicMap(fyne.NewSize(640, 360), 640, 360, 640, 360, 1, fyne.Position{})
	b := redact.Box{X: 100, Y: 100, W: 200, H: 100}
	for _, c := range []struct {
		p       fyne.Position
		handles bool
		want    handle
	}{
		{fyne.NewPos(100, 100), true, handleTopL},
		{fyne.NewPos(302, 198), true, handleBottomR},
		{fyne.NewPos(200, 100), true, edgeTop},
		{fyne.NewPos(300, 150), true, edgeRight},
		{fyne.NewPos(200, 150), true, handleMove},
		{fyne.NewPos(100, 100), false, handleMove},
		{fyne.NewPos(90, 150), false, handleNone},
		{fyne.NewPos(400, 150), true, handleNone},
	} {
		if got := m.hitBox(b, c.p, c.handles); got != c.want {
			t.Errorf("hit %v (handles %v): %v, want %v", c.p, c.handles, got, c.want)
		}
	}
	for _, c := range []struct {
		h      handle
		dx, dy int
		want   redact.Box
	}{
		{handleMove, 10, -20, redact.Box{X: 110, Y: 80, W: 200, H: 100}},
		{handleMove, 1000, 1000, redact.Box{X: 440, Y: 260, W: 200, H: 100}},
		{handleBottomR, 20, 30, redact.Box{X: 100, Y: 100, W: 220, H: 130}},
		{handleTopL, -500, -500, redact.Box{X: 0, Y: 0, W: 300, H: 200}},
		{edgeLeft, 500, 0, redact.Box{X: 299, Y: 100, W: 1, H: 100}},
		{edgeBottom, 0, 1000, redact.Box{X: 100, Y: 100, W: 200, H: 260}},
	} {
		if got := dragBox(b, c.h, c.dx, c.dy, 640, 360); got != c.want {
			t.Errorf("drag %v by %d,%d: %v, want %v", c.h, c.dx, c.dy, got, c.want)
		}
	}
}

// TestScaleRegions: on a frame rendered at two thirds of the source, a box
// grows outward to whole picture pixels, and the block scales.
func TestScaleRegions(t *testing.T) {
	rs := []redact.Region{{Shape: redact.Rect, Method: redact.Pixelate, Block: 16, Box: redact.Box{X: 10, Y: 10, W: 20, H: 20}}}
	got := scaleRegions(rs, 1920, 1080, 1280, 720)
	want := redact.Box{X: 6, Y: 6, W: 14, H: 14} // 6.67..20 -> 6..20
	if got[0].Box != want || got[0].Block != 11 {
		t.Errorf("scaled %+v, want box %v block 11", got[0], want)
	}
	if same := scaleRegions(rs, 640, 360, 640, 360); same[0] != rs[0] {
		t.Errorf("same size changed the region: %+v", same[0])
	}
}
