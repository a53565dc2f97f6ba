package redact

import (
	"image"
	"strings"
)

// Matrix is the YUV→RGB matrix of a picture (ITU-R BT.601, BT.709 or
// BT.2020 non-constant luminance).
type Matrix int

// The matrices.
const (
	BT601 Matrix = iota
	BT709
	BT2020
)

// String names the matrix.
func (m Matrix) String() string {
	switch m {
	case BT709:
		return "BT.709"
	case BT2020:
		return "BT.2020"
	}
	return "BT.601"
}

// Colour is how a yuv420p picture's samples map to RGB.
type Colour struct {
	Matrix Matrix
	// Full is true for full-range samples (0–255); false for limited
	// range (Y 16–235, Cb/Cr 16–240), the usual one.
	Full bool
}

// String describes the colour for a recipe or a log.
func (c Colour) String() string {
	if c.Full {
		return c.Matrix.String() + " full range"
	}
	return c.Matrix.String() + " limited range"
}

// ColourOf is the colour of the yuv420p frames ffmpeg decodes with the
// render's arguments (format=yuv420p) from a stream that ffprobe
// describes by colorSpace, colorRange and pixFmt, chosen as ffmpeg's
// swscale chooses when it converts them to RGB: the tagged matrix
// ("bt709", "bt2020nc"/"bt2020c"), otherwise BT.601 (swscale's default,
// also for untagged HD). Range: limited, unless the stream is tagged
// full range ("pc") in a non-JPEG pixel format (format=yuv420p leaves
// such samples as they are; yuvj formats are converted to limited range).
func ColourOf(colorSpace, colorRange, pixFmt string) Colour {
	var c Colour
	switch colorSpace {
	case "bt709":
		c.Matrix = BT709
	case "bt2020nc", "bt2020c":
		c.Matrix = BT2020
	}
	c.Full = colorRange == "pc" && !strings.HasPrefix(pixFmt, "yuvj")
	return c
}

// coefficients are a matrix's factors in 16.16 fixed point: luma scale,
// Cr→R, Cb→G, Cr→G (both negative), Cb→B, and the luma offset.
type coefficients struct {
	y, vr, ug, vg, ub int32
	yOff              int32
}

func (c Colour) coefficients() coefficients {
	var kr, kb float64
	switch c.Matrix {
	case BT709:
		kr, kb = 0.2126, 0.0722
	case BT2020:
		kr, kb = 0.2627, 0.0593
	default:
		kr, kb = 0.299, 0.114
	}
	kg := 1 - kr - kb
	ys, cs, off := 255.0/219, 255.0/224, int32(16)
	if c.Full {
		ys, cs, off = 1, 1, 0
	}
	fix := func(v float64) int32 {
		if v < 0 {
			return -int32(-v*65536 + 0.5)
		}
		return int32(v*65536 + 0.5)
	}
	return coefficients{
		y:    fix(ys),
		vr:   fix(2 * (1 - kr) * cs),
		ug:   fix(-2 * kb * (1 - kb) / kg * cs),
		vg:   fix(-2 * kr * (1 - kr) / kg * cs),
		ub:   fix(2 * (1 - kb) * cs),
		yOff: off,
	}
}

// YUV420ToRGBA converts a w×h yuv420p picture (planes rows packed: Y w
// samples a row, U and V (w+1)/2) to RGBA with colour c, each chroma
// sample covering its 2×2 luma samples (as swscale's default conversion
// does), rounded to nearest and clamped. Limited-range black (Y 16,
// Cb/Cr 128) is exactly RGB 0, 0, 0 and white (Y 235) 255, 255, 255.
func YUV420ToRGBA(y, u, v []byte, w, h int, c Colour) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	k := c.coefficients()
	cw := (w + 1) / 2
	clamp := func(x int32) byte {
		x = (x + 1<<15) >> 16
		switch {
		case x < 0:
			return 0
		case x > 255:
			return 255
		}
		return byte(x)
	}
	for row := 0; row < h; row++ {
		yr := y[row*w : row*w+w]
		ur := u[(row/2)*cw : (row/2)*cw+cw]
		vr := v[(row/2)*cw : (row/2)*cw+cw]
		out := img.Pix[row*img.Stride : row*img.Stride+4*w]
		for x := 0; x < w; x++ {
			ly := k.y * (int32(yr[x]) - k.yOff)
			cb, cr := int32(ur[x/2])-128, int32(vr[x/2])-128
			o := out[4*x : 4*x+4 : 4*x+4]
			o[0] = clamp(ly + k.vr*cr)
			o[1] = clamp(ly + k.ug*cb + k.vg*cr)
			o[2] = clamp(ly + k.ub*cb)
			o[3] = 255
		}
	}
	return img
}
