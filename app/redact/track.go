package redact

import (
	"fmt"
	"image"
	"math"
	"sort"
)

// TrackOptions tune the tracker. Zero values take the defaults.
type TrackOptions struct {
	// Every is the spacing of the keyframes produced, in frames
	// (default 5).
	Every int
	// MinScore is the normalised cross-correlation below which the match
	// is lost (default 0.6; 1 is the template exactly).
	MinScore float64
	// Search is the radius searched around the predicted position, as a
	// fraction of the template's larger side (default 0.5).
	Search float64
}

func (o *TrackOptions) setDefaults() {
	if o.Every <= 0 {
		o.Every = 5
	}
	if o.MinScore <= 0 {
		o.MinScore = 0.6
	}
	if o.Search <= 0 {
		o.Search = 0.5
	}
}

// TrackTemplateSide is the larger side, in working pixels, that the
// tracker wants the followed box to have: TrackWorkingWidth scales the
// picture for it.
const TrackTemplateSide = 32

// TrackWorkingWidth is the width to scale a srcW-wide picture to for
// following box b: so that b's larger side is about TrackTemplateSide
// pixels, never enlarged, and at least 64 pixels wide.
func TrackWorkingWidth(srcW int, b Box) int {
	side := max(b.W, b.H, 1)
	w := srcW * TrackTemplateSide / side
	return max(min(w, srcW), min(64, srcW))
}

// TrackResult is what a tracker found.
type TrackResult struct {
	// Keyframes are the boxes it produced (source pixels), sorted by frame:
	// every Every frames from the start or from a user keyframe, and the
	// last frame followed. User keyframes are not repeated.
	Keyframes []Keyframe
	// From is the frame it started on and Last the last frame it
	// followed the object to.
	From, Last int
	// Lost is set when the match was lost on frame LostAt, with Score the
	// best correlation found there.
	Lost   bool
	LostAt int
	Score  float64
}

// Message says in a sentence what the tracker did.
func (r TrackResult) Message() string {
	if r.Lost {
		return fmt.Sprintf("Lost the object at frame %d (best match %.2f); followed it from frame %d to frame %d, correct it there and track again.",
			r.LostAt, r.Score, r.From, r.Last)
	}
	return fmt.Sprintf("Followed the object from frame %d to frame %d.", r.From, r.Last)
}

// Tracker follows one box through frames, forward or backward, by template
// matching: normalised cross-correlation of the box's luma (at a working
// scale) in a window around the position predicted from its motion. At a
// user keyframe it takes the user's box and a new template there
// (re-anchoring). Feed it the frames in the order of tracking with Step.
type Tracker struct {
	o        TrackOptions
	dir      int
	anchors  map[int]Box
	srcW     int
	srcH     int
	sx, sy   float64 // source pixels per working pixel
	tmpl     []float64
	tw, th   int
	tnorm    float64
	px, py   float64 // template top-left, working pixels
	vx, vy   float64 // per frame in the direction of tracking
	size     Box     // the box's size (source), from the last anchor
	anchorAt int
	started  bool
	next     int
	res      TrackResult
	lastBox  Box
}

// NewTracker starts a tracker at keyframe start, going forward (dir > 0)
// or backward (dir < 0), on srcW x srcH pictures delivered at the working
// size workW x workH. anchors are the track's user keyframes; reaching
// one re-anchors the tracker there.
func NewTracker(start Keyframe, dir int, anchors []Keyframe, srcW, srcH, workW, workH int, o TrackOptions) *Tracker {
	o.setDefaults()
	if dir >= 0 {
		dir = 1
	} else {
		dir = -1
	}
	t := &Tracker{o: o, dir: dir, anchors: map[int]Box{}, srcW: srcW, srcH: srcH,
		sx: float64(srcW) / float64(workW), sy: float64(srcH) / float64(workH), next: start.Frame}
	for _, k := range anchors {
		t.anchors[k.Frame] = k.Box
	}
	t.anchors[start.Frame] = start.Box
	t.res = TrackResult{From: start.Frame, Last: start.Frame, LostAt: -1}
	return t
}

// Next is the frame the tracker wants next.
func (t *Tracker) Next() int { return t.next }

// Step matches frame n (it must be Next) at the working size and reports
// whether the tracker goes on; it stops when the match is lost or the
// start box is empty.
func (t *Tracker) Step(n int, g *image.Gray) bool {
	if t.res.Lost || n != t.next {
		return false
	}
	t.next = n + t.dir
	if b, ok := t.anchors[n]; ok {
		if !t.anchor(n, b, g) {
			t.res.Lost, t.res.LostAt = true, n
			return false
		}
		t.res.Last = n
		return true
	}
	// Predicted position, then the best match around it.
	cx, cy := t.px+t.vx, t.py+t.vy
	r := int(math.Ceil(t.o.Search * float64(max(t.tw, t.th))))
	bx, by, score := t.match(g, cx, cy, r)
	if score < t.o.MinScore {
		t.res.Lost, t.res.LostAt, t.res.Score = true, n, score
		t.flushLast()
		return false
	}
	t.vx, t.vy = bx-t.px, by-t.py
	t.px, t.py = bx, by
	t.res.Last, t.res.Score = n, score
	t.lastBox = t.sourceBox()
	if frameGap(n-t.anchorAt)%t.o.Every == 0 {
		t.res.Keyframes = append(t.res.Keyframes, Keyframe{Frame: n, Box: t.lastBox})
	}
	return true
}

// Result is what the tracker found so far; call it when done (the last
// frame followed becomes a keyframe).
func (t *Tracker) Result() TrackResult {
	t.flushLast()
	r := t.res
	r.Keyframes = append([]Keyframe(nil), t.res.Keyframes...)
	sort.Slice(r.Keyframes, func(i, j int) bool { return r.Keyframes[i].Frame < r.Keyframes[j].Frame })
	return r
}

// flushLast adds the last frame followed as a keyframe when it is not one
// already (nor a user keyframe).
func (t *Tracker) flushLast() {
	n := t.res.Last
	if _, user := t.anchors[n]; user || !t.started {
		return
	}
	if k := t.res.Keyframes; len(k) > 0 && k[len(k)-1].Frame == n {
		return
	}
	t.res.Keyframes = append(t.res.Keyframes, Keyframe{Frame: n, Box: t.lastBox})
}

// anchor takes the user's box b on frame n and its template.
func (t *Tracker) anchor(n int, b Box, g *image.Gray) bool {
	b = b.Clip(t.srcW, t.srcH)
	if b.Empty() {
		return false
	}
	x0 := int(math.Round(float64(b.X) / t.sx))
	y0 := int(math.Round(float64(b.Y) / t.sy))
	x1 := int(math.Round(float64(b.X+b.W) / t.sx))
	y1 := int(math.Round(float64(b.Y+b.H) / t.sy))
	r := image.Rect(x0, y0, max(x1, x0+2), max(y1, y0+2)).Intersect(g.Rect)
	if r.Dx() < 2 || r.Dy() < 2 {
		return false
	}
	t.tw, t.th = r.Dx(), r.Dy()
	t.tmpl = t.tmpl[:0]
	var sum float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			v := float64(g.Pix[g.PixOffset(x, y)])
			t.tmpl = append(t.tmpl, v)
			sum += v
		}
	}
	mean := sum / float64(len(t.tmpl))
	var ss float64
	for i := range t.tmpl {
		t.tmpl[i] -= mean
		ss += t.tmpl[i] * t.tmpl[i]
	}
	t.tnorm = math.Sqrt(ss)
	// The speed stays what the tracking measured: a user's correction is a
	// change of place, not of speed.
	t.px, t.py = float64(r.Min.X), float64(r.Min.Y)
	t.size = b
	t.anchorAt = n
	t.started = true
	t.lastBox = b
	return true
}

// match searches the template around top-left (cx, cy) within radius r
// and returns the best position (refined to a fraction of a pixel) and
// its normalised cross-correlation.
func (t *Tracker) match(g *image.Gray, cx, cy float64, r int) (float64, float64, float64) {
	x0, y0 := int(math.Round(cx)), int(math.Round(cy))
	w := 2*r + 1
	scores := make([]float64, w*w)
	best, bi := math.Inf(-1), -1
	n := float64(t.tw * t.th)
	for dy := -r; dy <= r; dy++ {
		for dx := -r; dx <= r; dx++ {
			x, y := x0+dx, y0+dy
			s := math.Inf(-1)
			if x >= g.Rect.Min.X && y >= g.Rect.Min.Y && x+t.tw <= g.Rect.Max.X && y+t.th <= g.Rect.Max.Y {
				var cross, sum, sq float64
				k := 0
				for yy := 0; yy < t.th; yy++ {
					row := g.Pix[g.PixOffset(x, y+yy):]
					for xx := 0; xx < t.tw; xx++ {
						v := float64(row[xx])
						cross += t.tmpl[k] * v
						sum += v
						sq += v * v
						k++
					}
				}
				vv := sq - sum*sum/n
				if vv > 1e-9 && t.tnorm > 1e-9 {
					s = cross / (t.tnorm * math.Sqrt(vv))
				} else {
					s = 0
				}
			}
			scores[(dy+r)*w+dx+r] = s
			if s > best {
				best, bi = s, (dy+r)*w+dx+r
			}
		}
	}
	if bi < 0 || math.IsInf(best, -1) {
		return cx, cy, 0
	}
	ix, iy := bi%w, bi/w
	fx, fy := float64(x0+ix-r), float64(y0+iy-r)
	// Parabola through the neighbours for a fraction of a pixel.
	if ix > 0 && ix < w-1 {
		fx += vertex(scores[iy*w+ix-1], best, scores[iy*w+ix+1])
	}
	if iy > 0 && iy < w-1 {
		fy += vertex(scores[(iy-1)*w+ix], best, scores[(iy+1)*w+ix])
	}
	return fx, fy, best
}

// vertex is the offset (-0.5..0.5) of the top of the parabola through
// (-1, a), (0, b), (1, c), with b the largest.
func vertex(a, b, c float64) float64 {
	if math.IsInf(a, 0) || math.IsInf(c, 0) {
		return 0
	}
	d := a - 2*b + c
	if d >= 0 {
		return 0
	}
	return math.Max(-0.5, math.Min(0.5, (a-c)/(2*d)))
}

// sourceBox is the current position in source pixels, with the size of
// the last anchor.
func (t *Tracker) sourceBox() Box {
	return Box{X: int(math.Round(t.px * t.sx)), Y: int(math.Round(t.py * t.sy)), W: t.size.W, H: t.size.H}
}

// frameGap is |v|, the number of frames between two frames v apart.
func frameGap(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
