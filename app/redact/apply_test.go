package redact

import (
	"image"
	"math/rand/v2"
	"testing"
)

// noisyYUV is a w×h 4:2:0 picture of random samples that never equal the
// fill colour's.
func noisyYUV(rng *rand.Rand, w, h int) (y, u, v []byte) {
	cw, ch := (w+1)/2, (h+1)/2
	fill := func(n int, avoid byte) []byte {
		b := make([]byte, n)
		for i := range b {
			for b[i] = byte(rng.IntN(256)); b[i] == avoid; b[i] = byte(rng.IntN(256)) {
			}
		}
		return b
	}
	return fill(w*h, FillYUV[0]), fill(cw*ch, FillYUV[1]), fill(cw*ch, FillYUV[2])
}

// inShape reports whether pixel (x, y)'s centre is inside the region's
// shape (not grown): the pixels the region says it hides.
func inShape(r Region, x, y int) bool {
	b := r.Box
	if x < b.X || y < b.Y || x >= b.X+b.W || y >= b.Y+b.H {
		return false
	}
	if r.Shape != Ellipse {
		return true
	}
	fx := (float64(x) + 0.5 - float64(b.X) - float64(b.W)/2) / (float64(b.W) / 2)
	fy := (float64(y) + 0.5 - float64(b.Y) - float64(b.H)/2) / (float64(b.H) / 2)
	return fx*fx+fy*fy <= 1
}

func randomRegion(rng *rand.Rand, w, h int, m Method) Region {
	shape := Rect
	if rng.IntN(2) == 0 {
		shape = Ellipse
	}
	bw, bh := 1+rng.IntN(w/2), 1+rng.IntN(h/2)
	return Region{Shape: shape, Method: m, Block: rng.IntN(40), Box: Box{X: rng.IntN(w) - bw/2, Y: rng.IntN(h) - bh/2, W: bw, H: bh}}
}

// TestSolidCoversShapeAndMargin: every pixel within 2 pixels (on both
// axes) of a pixel of the shape is the fill colour in luma and in the
// chroma sample that carries it, for rectangles and ellipses of every
// size and position (also thin, odd and off the picture's edge).
func TestSolidCoversShapeAndMargin(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, wh := range [][2]int{{64, 48}, {67, 33}} {
		w, h := wh[0], wh[1]
		cw := (w + 1) / 2
		for i := 0; i < 400; i++ {
			y, u, v := noisyYUV(rng, w, h)
			r := randomRegion(rng, w, h, Solid)
			ApplyYUV420(y, u, v, w, h, []Region{r})
			for py := 0; py < h; py++ {
				for px := 0; px < w; px++ {
					if !inShape(r, px, py) {
						continue
					}
					for qy := max(0, py-2); qy <= min(h-1, py+2); qy++ {
						for qx := max(0, px-2); qx <= min(w-1, px+2); qx++ {
							c := qy/2*cw + qx/2
							if y[qy*w+qx] != FillYUV[0] || u[c] != FillYUV[1] || v[c] != FillYUV[2] {
								t.Fatalf("%dx%d region %+v: pixel %d,%d (near shape pixel %d,%d) not filled", w, h, r, qx, qy, px, py)
							}
						}
					}
				}
			}
		}
	}
}

// TestCellsAligned: the hidden luma pixels are whole cells (Cell×Cell on
// the picture's grid, clipped at its edge), and a chroma sample is hidden
// exactly when the luma pixels it carries are.
func TestCellsAligned(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	w, h := 96, 64
	cw := w / 2
	for i := 0; i < 300; i++ {
		y, u, v := noisyYUV(rng, w, h)
		r := randomRegion(rng, w, h, Solid)
		ApplyYUV420(y, u, v, w, h, []Region{r})
		for py := 0; py < h; py++ {
			for px := 0; px < w; px++ {
				hid := y[py*w+px] == FillYUV[0]
				cell := y[(py/Cell*Cell)*w+px/Cell*Cell] == FillYUV[0]
				c := u[py/2*cw+px/2] == FillYUV[1]
				if hid != cell || hid != c {
					t.Fatalf("region %+v: pixel %d,%d hidden=%v, its cell %v, its chroma %v", r, px, py, hid, cell, c)
				}
			}
		}
	}
}

// TestPixelateBlockMeans: a pixelated region holds, in every block of its
// grid, the rounded mean of the master's samples of that block inside the
// region, and nothing else; pixels outside are untouched.
func TestPixelateBlockMeans(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	w, h := 128, 96
	for i := 0; i < 200; i++ {
		y, u, v := noisyYUV(rng, w, h)
		y0 := append([]byte(nil), y...)
		r := randomRegion(rng, w, h, Pixelate)
		// The same region solid marks which pixels are inside.
		my, mu, mv := append([]byte(nil), y...), append([]byte(nil), u...), append([]byte(nil), v...)
		ApplyYUV420(my, mu, mv, w, h, []Region{{Shape: r.Shape, Method: Solid, Box: r.Box}})
		ApplyYUV420(y, u, v, w, h, []Region{r})
		blk := max(1, ceilCell(r.Block)) * Cell
		if r.Block <= 0 {
			blk = DefaultBlock
		}
		g := Grow(r.Box)
		ox, oy := floorCell(g.X)*Cell, floorCell(g.Y)*Cell
		sum, n := map[[2]int]int{}, map[[2]int]int{}
		for py := 0; py < h; py++ {
			for px := 0; px < w; px++ {
				if my[py*w+px] != FillYUV[0] {
					if y[py*w+px] != y0[py*w+px] {
						t.Fatalf("pixel %d,%d outside the region changed", px, py)
					}
					continue
				}
				k := [2]int{floorDiv(px-ox, blk), floorDiv(py-oy, blk)}
				sum[k] += int(y0[py*w+px])
				n[k]++
			}
		}
		for py := 0; py < h; py++ {
			for px := 0; px < w; px++ {
				if my[py*w+px] != FillYUV[0] {
					continue
				}
				k := [2]int{floorDiv(px-ox, blk), floorDiv(py-oy, blk)}
				if want := byte((2*sum[k] + n[k]) / (2 * n[k])); y[py*w+px] != want {
					t.Fatalf("region %+v pixel %d,%d = %d, block mean %d", r, px, py, y[py*w+px], want)
				}
			}
		}
	}
}

// TestBlurStaysInside: a blurred region changes (a heavy blur of noise is
// near its mean) and nothing outside it does.
func TestBlurStaysInside(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	w, h := 160, 120
	y, u, v := noisyYUV(rng, w, h)
	y0 := append([]byte(nil), y...)
	r := Region{Shape: Ellipse, Method: Blur, Box: Box{40, 30, 64, 48}}
	my := append([]byte(nil), y...)
	ApplyYUV420(my, append([]byte(nil), u...), append([]byte(nil), v...), w, h, []Region{{Shape: Ellipse, Method: Solid, Box: r.Box}})
	ApplyYUV420(y, u, v, w, h, []Region{r})
	var changed, inside int
	for i := range y {
		if my[i] != FillYUV[0] {
			if y[i] != y0[i] {
				t.Fatalf("pixel %d,%d outside the blurred region changed", i%w, i/w)
			}
			continue
		}
		inside++
		if d := int(y[i]) - 128; d < -40 || d > 40 {
			t.Fatalf("blurred pixel %d,%d = %d: not near the noise's mean", i%w, i/w, y[i])
		}
		if y[i] != y0[i] {
			changed++
		}
	}
	if inside == 0 || changed < inside*9/10 {
		t.Fatalf("blur changed %d of %d pixels", changed, inside)
	}
}

// TestRGBASameCells: the preview (ApplyRGBA) hides exactly the pixels the
// render (ApplyYUV420) hides, with the same pixelation blocks, on a
// picture whose R, G, B are all its luma.
func TestRGBASameCells(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	w, h := 96, 72
	for i := 0; i < 100; i++ {
		y, u, v := noisyYUV(rng, w, h)
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for p := 0; p < w*h; p++ {
			img.Pix[4*p], img.Pix[4*p+1], img.Pix[4*p+2], img.Pix[4*p+3] = y[p], y[p], y[p], 255
		}
		rs := []Region{randomRegion(rng, w, h, Pixelate), randomRegion(rng, w, h, Solid)}
		// Fill colours differ (Y=16 vs R=0): compare with a fill of 16 in RGBA.
		ApplyYUV420(y, u, v, w, h, rs)
		var planes [3]Plane
		for c := range planes {
			planes[c] = Plane{Pix: img.Pix, Stride: img.Stride, Step: 4, Off: c, W: w, H: h, Sub: 1, Fill: FillYUV[0]}
		}
		Apply(w, h, rs, planes[:]...)
		for p := 0; p < w*h; p++ {
			if img.Pix[4*p] != y[p] || img.Pix[4*p+1] != y[p] || img.Pix[4*p+3] != 255 {
				t.Fatalf("regions %+v: pixel %d,%d preview %v, render luma %d", rs, p%w, p/w, img.Pix[4*p:4*p+4], y[p])
			}
		}
	}
	img := image.NewRGBA(image.Rect(10, 10, 50, 40))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	ApplyRGBA(img, []Region{{Shape: Rect, Method: Solid, Box: Box{0, 0, 4, 4}}})
	if got := img.RGBAAt(10, 10); got.R != FillRGB[0] || got.A != 200 {
		t.Fatalf("ApplyRGBA on a sub-image: top-left %v", got)
	}
}

// BenchmarkApplyYUV420 is the region stage at 1080p: three regions
// (solid, pixelate, blur) of face size.
func BenchmarkApplyYUV420(b *testing.B) {
	w, h := 1920, 1080
	y, u, v := noisyYUV(rand.New(rand.NewPCG(1, 1)), w, h)
	rs := []Region{
		{Shape: Ellipse, Method: Solid, Box: Box{300, 200, 220, 280}},
		{Shape: Rect, Method: Pixelate, Block: 16, Box: Box{900, 500, 260, 300}},
		{Shape: Ellipse, Method: Blur, Box: Box{1400, 300, 240, 300}},
	}
	b.SetBytes(int64(w * h * 3 / 2))
	for i := 0; i < b.N; i++ {
		ApplyYUV420(y, u, v, w, h, rs)
	}
}
