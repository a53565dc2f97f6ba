package redact

import (
	_ "embed" // the face cascade
	"fmt"
	"image"
	"math"
	"sort"

	pigo "github.com/esimov/pigo/core"
)

// faceCascade is pigo's frontal face cascade, a byte-identical copy of
// cascade/facefinder in the module github.com/esimov/pigo v1.4.6 (MIT
// licence, cascade/LICENSE-pigo; TestFaceCascadeIsPigos compares the two).
//
//go:embed cascade/facefinder
var faceCascade []byte

// FaceCascadeSource names where the embedded face cascade comes from.
const FaceCascadeSource = "github.com/esimov/pigo@v1.4.6 cascade/facefinder (MIT)"

// DetectOptions tune the face detector. Zero values take the defaults,
// which were tuned on generated footage with a frontal face composited in
// (see detect_test.go).
type DetectOptions struct {
	// MinSize and MaxSize bound the side of a face at the working scale,
	// in pixels (defaults 20 and the picture's shorter side).
	MinSize, MaxSize int
	// Shift is the step of the scanning window as a fraction of its size
	// (default 0.15); ScaleStep the growth of the window from one scale to
	// the next (default 1.15). These are pigo's own defaults; finer steps
	// (0.1, 1.1) cost three times as much and found no more faces in the
	// generated footage.
	Shift, ScaleStep float64
	// IoU is the overlap (intersection over union) above which raw windows
	// are merged into one face (default 0.2).
	IoU float64
	// MinScore is the smallest merged score kept (the sum of the merged
	// windows' scores; default 20). A frontal face of 24 px or more at the
	// working scale scores in the hundreds in generated footage, and the
	// generator's test pattern gives no window at all, so 20 only drops
	// stray clusters of a few weak windows.
	MinScore float32
	// Margin grows each box by this fraction of its side on every side, so
	// the hair, ears and chin are inside (default 0.2; pigo's window holds
	// the eyes to the mouth).
	Margin float64
}

func (o *DetectOptions) setDefaults() {
	if o.MinSize <= 0 {
		o.MinSize = 20
	}
	if o.Shift <= 0 {
		o.Shift = 0.15
	}
	if o.ScaleStep <= 1 {
		o.ScaleStep = 1.15
	}
	if o.IoU <= 0 {
		o.IoU = 0.2
	}
	if o.MinScore <= 0 {
		o.MinScore = 20
	}
	if o.Margin <= 0 {
		o.Margin = 0.2
	}
}

// Detector finds frontal faces in gray pictures with pigo. It is safe for
// concurrent use.
type Detector struct {
	pg *pigo.Pigo
	o  DetectOptions
}

// NewDetector unpacks the embedded face cascade.
func NewDetector(o DetectOptions) (*Detector, error) {
	o.setDefaults()
	pg, err := pigo.NewPigo().Unpack(faceCascade)
	if err != nil {
		return nil, fmt.Errorf("face cascade: %w", err)
	}
	return &Detector{pg: pg, o: o}, nil
}

// WorkingSize is the size a srcW x srcH picture is scaled to for detection
// or tracking: the same aspect, at most maxW wide (never enlarged), even.
func WorkingSize(srcW, srcH, maxW int) (w, h int) {
	if srcW <= maxW {
		return srcW &^ 1, srcH &^ 1
	}
	w = maxW &^ 1
	h = int(math.Round(float64(srcH)*float64(w)/float64(srcW))) &^ 1
	return max(w, 2), max(h, 2)
}

// Detect finds faces in g, a gray picture of frame n at the working scale,
// and returns them as boxes in source pixels (a srcW x srcH picture),
// clipped to the picture, sorted by score (highest first), then position.
func (d *Detector) Detect(n int, g *image.Gray, srcW, srcH int) []Detection {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w < 2 || h < 2 {
		return nil
	}
	pix := g.Pix
	if g.Stride != w || g.Rect.Min != (image.Point{}) {
		pix = make([]uint8, w*h)
		for y := 0; y < h; y++ {
			copy(pix[y*w:(y+1)*w], g.Pix[g.PixOffset(g.Rect.Min.X, g.Rect.Min.Y+y):])
		}
	}
	maxSize := d.o.MaxSize
	if maxSize <= 0 || maxSize > min(w, h) {
		maxSize = min(w, h)
	}
	raw := d.pg.RunCascade(pigo.CascadeParams{
		MinSize: d.o.MinSize, MaxSize: maxSize, ShiftFactor: d.o.Shift, ScaleFactor: d.o.ScaleStep,
		ImageParams: pigo.ImageParams{Pixels: pix, Rows: h, Cols: w, Dim: w},
	}, 0)
	sx, sy := float64(srcW)/float64(w), float64(srcH)/float64(h)
	var out []Detection
	for _, c := range cluster(raw, d.o.IoU) {
		if c.Q < d.o.MinScore {
			continue
		}
		side := float64(c.Scale) * (1 + 2*d.o.Margin)
		x0 := (float64(c.Col) - side/2) * sx
		y0 := (float64(c.Row) - side/2) * sy
		b := Box{
			X: int(math.Floor(x0)), Y: int(math.Floor(y0)),
			W: int(math.Ceil(x0+side*sx)) - int(math.Floor(x0)),
			H: int(math.Ceil(y0+side*sy)) - int(math.Floor(y0)),
		}.Clip(srcW, srcH)
		if !b.Empty() {
			out = append(out, Detection{Frame: n, Box: b, Score: c.Q})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return lessBox(a.Box, b.Box)
	})
	return out
}

// cluster merges raw windows that overlap by more than iou into one face:
// the surest window not yet merged takes every unmerged window overlapping
// it; their row, column and size are averaged and their scores summed
// (as pigo's ClusterDetections, but in a fixed order, so the result does
// not depend on how a sort breaks ties).
func cluster(raw []pigo.Detection, iou float64) []pigo.Detection {
	sort.Slice(raw, func(i, j int) bool {
		a, b := raw[i], raw[j]
		if a.Q != b.Q {
			return a.Q > b.Q
		}
		if a.Scale != b.Scale {
			return a.Scale < b.Scale
		}
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		return a.Col < b.Col
	})
	used := make([]bool, len(raw))
	var out []pigo.Detection
	for i := range raw {
		if used[i] {
			continue
		}
		var r, c, s, n int
		var q float32
		for j := i; j < len(raw); j++ {
			if used[j] || windowIoU(raw[i], raw[j]) <= iou {
				continue
			}
			used[j] = true
			r, c, s, n = r+raw[j].Row, c+raw[j].Col, s+raw[j].Scale, n+1
			q += raw[j].Q
		}
		out = append(out, pigo.Detection{Row: r / n, Col: c / n, Scale: s / n, Q: q})
	}
	return out
}

// windowIoU is the intersection over union of two square windows given by
// their centre and side.
func windowIoU(a, b pigo.Detection) float64 {
	ra, ca, sa := float64(a.Row), float64(a.Col), float64(a.Scale)
	rb, cb, sb := float64(b.Row), float64(b.Col), float64(b.Scale)
	or := math.Max(0, math.Min(ra+sa/2, rb+sb/2)-math.Max(ra-sa/2, rb-sb/2))
	oc := math.Max(0, math.Min(ca+sa/2, cb+sb/2)-math.Max(ca-sa/2, cb-sb/2))
	inter := or * oc
	return inter / (sa*sa + sb*sb - inter)
}

// lessBox orders boxes by position, then size.
func lessBox(a, b Box) bool {
	if a.Y != b.Y {
		return a.Y < b.Y
	}
	if a.X != b.X {
		return a.X < b.X
	}
	if a.W != b.W {
		return a.W < b.W
	}
	return a.H < b.H
}

// IoU is the intersection over union of two boxes (0 when either is empty).
func IoU(a, b Box) float64 {
	x0, y0 := max(a.X, b.X), max(a.Y, b.Y)
	x1, y1 := min(a.X+a.W, b.X+b.W), min(a.Y+a.H, b.Y+b.H)
	if a.Empty() || b.Empty() || x1 <= x0 || y1 <= y0 {
		return 0
	}
	inter := float64(x1-x0) * float64(y1-y0)
	return inter / (float64(a.W)*float64(a.H) + float64(b.W)*float64(b.H) - inter)
}
