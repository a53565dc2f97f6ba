package redact

import "image"

// Margin is how far, in source pixels, every region is grown on each side
// before it is drawn: the 2 pixels the rules require, plus 3 for the
// reach of H.264's deblocking filter (it rewrites up to 3 pixels on each
// side of a block edge), so that the decoded render still shows nothing
// of the master within 2 pixels of a region.
const Margin = 2 + 3

// Cell is the size, in source pixels, of the grid a drawn region is
// aligned to (outward): 8 luma pixels are 4 chroma samples in 4:2:0, and
// both are H.264's transform block sizes, so no transform block of the
// encoder mixes hidden and visible pixels, and a chroma sample is either
// wholly inside a region or wholly outside it. A region is drawn as the
// cells that touch its grown shape; pixelation blocks are whole cells.
const Cell = 8

// Fill is the solid fill colour, black: Y, Cb, Cr in limited range (as
// ffmpeg's yuv420p carries it) and R, G, B for the preview.
var (
	FillYUV = [3]byte{16, 128, 128}
	FillRGB = [3]byte{0, 0, 0}
)

// Plane is one channel of a picture as the region core sees it: sample
// (x, y) is Pix[Off + y*Stride + x*Step]. W and H are the plane's size in
// samples and Sub its subsampling (1 for full resolution, 2 for 4:2:0
// chroma, on both axes). Fill is the solid colour's value in this channel.
type Plane struct {
	Pix          []byte
	Stride, Step int
	Off          int
	W, H         int
	Sub          int
	Fill         byte
}

// ApplyYUV420 hides regions in a planar 4:2:0 picture of w×h pixels as
// ffmpeg's rawvideo yuv420p gives it: y is w×h, u and v are
// ceil(w/2)×ceil(h/2), rows packed. It is the render's region stage.
func ApplyYUV420(y, u, v []byte, w, h int, regions []Region) {
	cw, ch := (w+1)/2, (h+1)/2
	Apply(w, h, regions,
		Plane{Pix: y, Stride: w, Step: 1, W: w, H: h, Sub: 1, Fill: FillYUV[0]},
		Plane{Pix: u, Stride: cw, Step: 1, W: cw, H: ch, Sub: 2, Fill: FillYUV[1]},
		Plane{Pix: v, Stride: cw, Step: 1, W: cw, H: ch, Sub: 2, Fill: FillYUV[2]})
}

// ApplyRGBA hides regions in an RGBA picture (the editor's preview on the
// player's frames) with the same core as ApplyYUV420: the same cells, the
// same pixelation blocks and blur, per R, G and B channel. Alpha is kept.
func ApplyRGBA(img *image.RGBA, regions []Region) {
	b := img.Rect
	w, h := b.Dx(), b.Dy()
	base := img.PixOffset(b.Min.X, b.Min.Y)
	var planes [3]Plane
	for c := range planes {
		planes[c] = Plane{Pix: img.Pix, Stride: img.Stride, Step: 4, Off: base + c, W: w, H: h, Sub: 1, Fill: FillRGB[c]}
	}
	Apply(w, h, regions, planes[:]...)
}

// span is a run of cells [a, b) on one row of cells.
type span struct{ a, b int }

// area is one region laid out on the cell grid of a w×h picture.
type area struct {
	method Method
	block  int // pixelation block in cells
	// ox, oy is the grown, aligned box's top-left cell (the pixelation
	// grid's anchor, may lie outside the picture); rows[i] are the cells
	// of cell row cy0+i.
	ox, oy int
	cy0    int
	rows   []span
	// Bounding cells, clipped to the picture.
	bx0, by0, bx1, by1 int
}

// Grow is the box a region is drawn in before cell alignment: b grown by
// Margin on each side.
func Grow(b Box) Box {
	return Box{X: b.X - Margin, Y: b.Y - Margin, W: b.W + 2*Margin, H: b.H + 2*Margin}
}

func floorCell(v int) int { return floorDiv(v, Cell) }
func ceilCell(v int) int  { return -floorDiv(-v, Cell) }

// layout places region r on the cell grid of a w×h picture; ok is false
// when nothing of it is inside the picture.
func layout(r Region, w, h int) (a area, ok bool) {
	if r.Box.Empty() {
		return a, false
	}
	g := Grow(r.Box)
	cx0, cy0 := floorCell(g.X), floorCell(g.Y)
	cx1, cy1 := ceilCell(g.X+g.W), ceilCell(g.Y+g.H)
	pcw, pch := ceilCell(w), ceilCell(h)
	a = area{method: r.Method, ox: cx0, oy: cy0}
	a.block = max(1, ceilCell(r.Block))
	if r.Block <= 0 {
		a.block = ceilCell(DefaultBlock)
	}
	a.bx0, a.by0 = max(cx0, 0), max(cy0, 0)
	a.bx1, a.by1 = min(cx1, pcw), min(cy1, pch)
	if a.bx0 >= a.bx1 || a.by0 >= a.by1 {
		return a, false
	}
	a.cy0 = a.by0
	for cy := a.by0; cy < a.by1; cy++ {
		s := span{a.bx0, a.bx1}
		if r.Shape == Ellipse {
			s = ellipseRow(g, cy, a.bx0, a.bx1)
		}
		a.rows = append(a.rows, s)
	}
	return a, true
}

// ellipseRow is the run of cells on cell row cy, within [x0, x1), that
// touch the ellipse inscribed in g: a cell touches it when one of its
// pixels has its centre inside (on the boundary counts). In doubled
// coordinates the centre is (2X+W, 2Y+H) and the semi-axes W and H, so
// pixel (x, y) is inside when
//
//	(2x+1-2X-W)²·H² + (2y+1-2Y-H)²·W² <= W²·H²
//
// in exact integer arithmetic. The cell's pixel nearest the centre on
// each axis decides (the ellipse is convex and axis-aligned).
func ellipseRow(g Box, cy, x0, x1 int) span {
	W, H := int64(g.W), int64(g.H)
	near := func(c0, c2 int) int64 { // pixel of cell c0 nearest doubled centre c2, as 2p+1-c2
		lo, hi := c0*Cell, c0*Cell+Cell-1
		p := min(max(floorDiv(c2-1, 2), lo), hi) // pixel whose centre 2p+1 is nearest c2
		if q := p + 1; q <= hi && abs(2*q+1-c2) < abs(2*p+1-c2) {
			p = q
		}
		return int64(2*p + 1 - c2)
	}
	dy := near(cy, 2*g.Y+g.H)
	ry := dy * dy * W * W
	lim := W * W * H * H
	in := func(cx int) bool {
		dx := near(cx, 2*g.X+g.W)
		return dx*dx*H*H+ry <= lim
	}
	a := x0
	for a < x1 && !in(a) {
		a++
	}
	b := a
	for b < x1 && in(b) {
		b++
	}
	return span{a, b}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// Apply is the plane-level core of ApplyYUV420 and ApplyRGBA: it lays
// regions out on the cell grid of a w×h picture and hides them in every
// plane, in order (a later region works on the result of an earlier one).
func Apply(w, h int, regions []Region, planes ...Plane) {
	for _, r := range regions {
		a, ok := layout(r, w, h)
		if !ok {
			continue
		}
		for _, p := range planes {
			switch a.method {
			case Pixelate:
				pixelate(p, a)
			case Blur:
				blur(p, a)
			default:
				solid(p, a)
			}
		}
	}
}

// samples maps cells [c0, c1) to the plane's samples on one axis, clipped
// to n samples.
func (p Plane) samples(c0, c1, n int) (int, int) {
	per := Cell / p.Sub
	return min(c0*per, n), min(c1*per, n)
}

// eachRun calls f for every run of samples of area a in plane p: row y,
// samples [x0, x1).
func eachRun(p Plane, a area, f func(y, x0, x1 int)) {
	for i, s := range a.rows {
		if s.a >= s.b {
			continue
		}
		y0, y1 := p.samples(a.cy0+i, a.cy0+i+1, p.H)
		x0, x1 := p.samples(s.a, s.b, p.W)
		for y := y0; y < y1; y++ {
			f(y, x0, x1)
		}
	}
}

func solid(p Plane, a area) {
	eachRun(p, a, func(y, x0, x1 int) {
		o := p.Off + y*p.Stride
		for x := x0; x < x1; x++ {
			p.Pix[o+x*p.Step] = p.Fill
		}
	})
}

// pixelate replaces each block (a.block cells square, the grid anchored at
// the grown box's top-left cell) by the rounded mean of its samples inside
// the region: what remains of the master is block means only.
func pixelate(p Plane, a area) {
	for by := a.oy + floorDiv(a.by0-a.oy, a.block)*a.block; by < a.by1; by += a.block {
		ry0, ry1 := max(by, a.by0), min(by+a.block, a.by1)
		for bx := a.ox + floorDiv(a.bx0-a.ox, a.block)*a.block; bx < a.bx1; bx += a.block {
			var sum, n int
			visit := func(f func(i int)) {
				for cy := ry0; cy < ry1; cy++ {
					s := a.rows[cy-a.cy0]
					c0, c1 := max(s.a, bx), min(s.b, bx+a.block)
					if c0 >= c1 {
						continue
					}
					y0, y1 := p.samples(cy, cy+1, p.H)
					x0, x1 := p.samples(c0, c1, p.W)
					for y := y0; y < y1; y++ {
						o := p.Off + y*p.Stride
						for x := x0; x < x1; x++ {
							f(o + x*p.Step)
						}
					}
				}
			}
			visit(func(i int) { sum += int(p.Pix[i]); n++ })
			if n == 0 {
				continue
			}
			m := byte((2*sum + n) / (2 * n))
			visit(func(i int) { p.Pix[i] = m })
		}
	}
}

// BlurRadius is the box blur's radius for a region of w×h source pixels:
// a quarter of its smaller side, at least 2 cells. Three passes of it
// approximate a Gaussian of about that standard deviation.
func BlurRadius(w, h int) int { return max(2*Cell, min(w, h)/4) }

// blur replaces the region by three passes of a box blur of its bounding
// rectangle (samples outside the rectangle are not read: edges are
// clamped), written back only where the region is.
func blur(p Plane, a area) {
	x0, x1 := p.samples(a.bx0, a.bx1, p.W)
	y0, y1 := p.samples(a.by0, a.by1, p.H)
	bw, bh := x1-x0, y1-y0
	if bw <= 0 || bh <= 0 {
		return
	}
	r := BlurRadius((a.bx1-a.bx0)*Cell, (a.by1-a.by0)*Cell) / p.Sub
	buf := make([]int32, bw*bh)
	for y := 0; y < bh; y++ {
		o := p.Off + (y0+y)*p.Stride + x0*p.Step
		for x := 0; x < bw; x++ {
			buf[y*bw+x] = int32(p.Pix[o+x*p.Step])
		}
	}
	tmp := make([]int32, bw*bh)
	sums := make([]int32, bw)
	for pass := 0; pass < 3; pass++ {
		for y := 0; y < bh; y++ {
			boxRow(buf[y*bw:(y+1)*bw], r, tmp[:bw])
		}
		boxCols(buf, tmp, bw, bh, r, sums)
		buf, tmp = tmp, buf
	}
	eachRun(p, a, func(y, rx0, rx1 int) {
		o := p.Off + y*p.Stride
		for x := rx0; x < rx1; x++ {
			p.Pix[o+x*p.Step] = byte(buf[(y-y0)*bw+x-x0])
		}
	})
}

// boxRow blurs v in place with a box of radius r, clamping at the ends,
// rounding to nearest; tmp holds len(v) values.
func boxRow(v []int32, r int, tmp []int32) {
	n := len(v)
	d := int32(2*r + 1)
	var sum int32
	for i := -r; i <= r; i++ {
		sum += v[min(max(i, 0), n-1)]
	}
	for i := 0; i < n; i++ {
		tmp[i] = (2*sum + d) / (2 * d)
		sum += v[min(i+r+1, n-1)] - v[max(i-r, 0)]
	}
	copy(v, tmp)
}

// boxCols blurs the columns of the bw×bh values in src into dst with a
// box of radius r (clamped at the top and bottom, rounded to nearest),
// row by row with a running sum per column; sums holds bw values.
func boxCols(src, dst []int32, bw, bh, r int, sums []int32) {
	d := int32(2*r + 1)
	clear(sums)
	for i := -r; i <= r; i++ {
		row := src[min(max(i, 0), bh-1)*bw:]
		for x := range sums {
			sums[x] += row[x]
		}
	}
	for y := 0; y < bh; y++ {
		out := dst[y*bw : (y+1)*bw]
		for x, s := range sums {
			out[x] = (2*s + d) / (2 * d)
		}
		add, sub := src[min(y+r+1, bh-1)*bw:], src[max(y-r, 0)*bw:]
		for x := range sums {
			sums[x] += add[x] - sub[x]
		}
	}
}
