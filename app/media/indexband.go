package media

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"strconv"
	"strings"
)

// The frame-index band is a strip across the top of generated test pictures
// that encodes the frame number n (0-based, as select=eq(n\,N)) so that tests
// can recover the exact frame from rendered pixels.
//
// The strip is split into IndexBandCells equal cells across the full width
// of the picture (cell i spans x = i*w/20 to (i+1)*w/20):
//
//	cell 0        white  (reference)
//	cell 1        black  (reference)
//	cells 2..17   the 16 bits of n, most significant first; white = 1
//	cell 18       parity: white when n has an odd number of 1 bits
//	cell 19       white  (reference)
//
// The strip is IndexBandHeight(h) pixels tall, at least 16. Because every
// dimension is a fraction of the picture size, the band survives scaling.
const (
	// IndexBandCells is the number of equal cells across the band.
	IndexBandCells = 20
	// IndexBandBits is the number of bits of the frame number in the band.
	IndexBandBits = 16
	// MaxIndexedFrames is the number of distinct frame numbers the band can
	// carry (2^16): clips with the band must not be longer.
	MaxIndexedFrames = 1 << IndexBandBits
)

// ErrNoIndexBand reports that an image carries no readable frame-index band.
var ErrNoIndexBand = errors.New("no readable frame-index band")

// IndexBandHeight returns the height in pixels of the band drawn on a
// picture h pixels tall: h/20 rounded up, at least 16.
func IndexBandHeight(h int) int {
	bh := (h + 19) / 20
	if bh < 16 {
		bh = 16
	}
	return bh
}

// indexBandFilter returns the ffmpeg filter chain (comma separated) that
// draws the band on a w x h picture, encoding first+n for each frame's
// sequence number n (first is 0 except in tests of the high bits).
func indexBandFilter(w, h, first int) string {
	bh := IndexBandHeight(h)
	cell := func(i int) (x, cw int) {
		x0, x1 := i*w/IndexBandCells, (i+1)*w/IndexBandCells
		return x0, x1 - x0
	}
	box := func(i int, enable string) string {
		x, cw := cell(i)
		s := fmt.Sprintf("drawbox=x=%d:y=0:w=%d:h=%d:color=white:t=fill", x, cw, bh)
		if enable != "" {
			s += ":enable='" + enable + "'"
		}
		return s
	}
	parts := []string{fmt.Sprintf("drawbox=x=0:y=0:w=%d:h=%d:color=black:t=fill", w, bh), box(0, ""), box(19, "")}
	bits := make([]string, IndexBandBits)
	for k := 0; k < IndexBandBits; k++ {
		// bit k of n is set iff n mod 2^(k+1) >= 2^k
		bits[k] = fmt.Sprintf("gte(mod(n+%d,%d),%d)", first, 1<<(k+1), 1<<k)
		parts = append(parts, box(2+(IndexBandBits-1-k), bits[k]))
	}
	parts = append(parts, box(18, "mod("+strings.Join(bits, "+")+",2)"))
	return strings.Join(parts, ",")
}

// DecodeIndexBand reads the frame number carried by the frame-index band of
// a decoded picture (see IndexBandCells). It tolerates scaling, including to
// a different size such as 1280x720, and mild compression noise. An image
// without a readable band yields an error wrapping ErrNoIndexBand.
func DecodeIndexBand(img image.Image) (int, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w < 2*IndexBandCells || h < 16 {
		return 0, fmt.Errorf("decode index band: %w: image %dx%d too small", ErrNoIndexBand, w, h)
	}
	// The band is at least 1/20 of the height (more for small pictures), so
	// rows from 1% to 4% of the height lie inside it, clear of its edges.
	y0 := b.Min.Y + h/100
	y1 := b.Min.Y + (h*4+99)/100
	if y1 <= y0 {
		y1 = y0 + 1
	}
	var cells [IndexBandCells]float64
	for i := range cells {
		// Central half of each cell, clear of edges blurred by scaling and
		// chroma subsampling.
		cw := float64(w) / IndexBandCells
		x0 := b.Min.X + int(float64(i)*cw+cw/4+0.5)
		x1 := b.Min.X + int(float64(i)*cw+3*cw/4+0.5)
		if x1 <= x0 {
			x1 = x0 + 1
		}
		cells[i] = meanLuma(img, x0, x1, y0, y1)
	}
	white := (cells[0] + cells[19]) / 2
	black := cells[1]
	contrast := white - black
	if contrast < 64 || absf(cells[0]-cells[19]) > contrast/4 {
		return 0, fmt.Errorf("decode index band: %w: reference cells white %.0f/%.0f black %.0f", ErrNoIndexBand, cells[0], cells[19], black)
	}
	thr := (white + black) / 2
	bit := func(i int) (int, error) {
		v := cells[i]
		if absf(v-thr) < contrast/4 {
			return 0, fmt.Errorf("decode index band: %w: cell %d luma %.0f is neither black %.0f nor white %.0f", ErrNoIndexBand, i, v, black, white)
		}
		if v > thr {
			return 1, nil
		}
		return 0, nil
	}
	n, ones := 0, 0
	for i := 2; i < 2+IndexBandBits; i++ {
		v, err := bit(i)
		if err != nil {
			return 0, err
		}
		n = n<<1 | v
		ones += v
	}
	p, err := bit(18)
	if err != nil {
		return 0, err
	}
	if p != ones%2 {
		return 0, fmt.Errorf("decode index band: %w: parity mismatch for %d", ErrNoIndexBand, n)
	}
	return n, nil
}

func absf(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// meanLuma returns the mean luma (0-255, BT.601 weights) over the rectangle
// [x0,x1) x [y0,y1), with fast paths for the common image types.
func meanLuma(img image.Image, x0, x1, y0, y1 int) float64 {
	var sum float64
	n := 0
	switch m := img.(type) {
	case *image.YCbCr:
		// Video luma is usually limited range; the decoder only compares
		// cells with each other, so no expansion is needed.
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				sum += float64(m.Y[m.YOffset(x, y)])
				n++
			}
		}
	case *image.Gray:
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				sum += float64(m.Pix[m.PixOffset(x, y)])
				n++
			}
		}
	case *image.RGBA:
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				o := m.PixOffset(x, y)
				sum += luma8(m.Pix[o], m.Pix[o+1], m.Pix[o+2])
				n++
			}
		}
	case *image.NRGBA:
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				o := m.PixOffset(x, y)
				sum += luma8(m.Pix[o], m.Pix[o+1], m.Pix[o+2])
				n++
			}
		}
	default:
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				g := color.GrayModel.Convert(img.At(x, y)).(color.Gray)
				sum += float64(g.Y)
				n++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

func luma8(r, g, b uint8) float64 {
	return 0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)
}

// escapeFilterValue escapes v for use as an option value inside an ffmpeg
// filtergraph: first for the option parser (\ ' :), then for the graph
// parser (\ ' [ ] , ;).
func escapeFilterValue(v string) string {
	return escapeChars(escapeChars(v, `\':`), `\'[],;`)
}

func escapeChars(s, special string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(special, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ratString formats r for ffmpeg options.
func ratString(r Rational) string {
	if r.Den == 1 {
		return strconv.FormatInt(r.Num, 10)
	}
	return r.String()
}
