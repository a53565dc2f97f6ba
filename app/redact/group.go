package redact

import (
	"math"
	"sort"
)

// GroupOptions tune how GroupDetections links detections across frames.
// Zero values take the defaults.
type GroupOptions struct {
	// MaxGap is the longest run of frames a face may go unseen and still
	// continue its proposal (default 10: two misses when detecting every
	// 5th frame). A longer gap starts a new proposal.
	MaxGap int
	// MinIoU is the overlap with a proposal's predicted box that links a
	// detection to it (default 0.2) ...
	MinIoU float64
	// ... or MaxCentre the distance between the centres, as a fraction of
	// the larger box's side (default 0.5), for small boxes moving fast.
	MaxCentre float64
}

func (o *GroupOptions) setDefaults() {
	if o.MaxGap <= 0 {
		o.MaxGap = 10
	}
	if o.MinIoU <= 0 {
		o.MinIoU = 0.2
	}
	if o.MaxCentre <= 0 {
		o.MaxCentre = 0.5
	}
}

// GroupDetections links detections on sampled frames into proposals, one
// per face followed across frames. Frame by frame, each detection joins
// the open proposal whose predicted box (its last box moved on at the
// speed between its last two detections) it overlaps best (or, failing
// an overlap, whose centre is nearest within reach); a detection left over
// starts a proposal, and a proposal not joined for more than MaxGap
// frames is closed. At most one detection per frame joins a proposal.
//
// The result is deterministic (it does not depend on the order of dets),
// sorted by first frame, then first box; every proposal is Pending, with
// its detections sorted by frame and no ID (the store gives one).
func GroupDetections(dets []Detection, o GroupOptions) []Proposal {
	o.setDefaults()
	ds := append([]Detection(nil), dets...)
	sort.Slice(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Frame != b.Frame {
			return a.Frame < b.Frame
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return lessBox(a.Box, b.Box)
	})
	var done, open []Proposal
	type pair struct {
		p, d      int
		iou, dist float64
	}
	for i := 0; i < len(ds); {
		j := i
		for j < len(ds) && ds[j].Frame == ds[i].Frame {
			j++
		}
		frame, here := ds[i].Frame, ds[i:j]
		i = j
		// Close what has been unseen too long.
		keep := open[:0]
		for _, p := range open {
			if frame-p.Detections[len(p.Detections)-1].Frame > o.MaxGap {
				done = append(done, p)
			} else {
				keep = append(keep, p)
			}
		}
		open = keep
		var pairs []pair
		for pi, p := range open {
			last := predict(p.Detections, frame)
			for di, d := range here {
				iou := IoU(last, d.Box)
				dist := centreDistance(last, d.Box) / float64(max(last.W, last.H, d.Box.W, d.Box.H))
				if iou >= o.MinIoU || dist <= o.MaxCentre {
					pairs = append(pairs, pair{pi, di, iou, dist})
				}
			}
		}
		sort.Slice(pairs, func(a, b int) bool {
			x, y := pairs[a], pairs[b]
			if x.iou != y.iou {
				return x.iou > y.iou
			}
			if x.dist != y.dist {
				return x.dist < y.dist
			}
			if x.p != y.p {
				return x.p < y.p
			}
			return x.d < y.d
		})
		usedP := make([]bool, len(open))
		usedD := make([]bool, len(here))
		for _, pr := range pairs {
			if usedP[pr.p] || usedD[pr.d] {
				continue
			}
			usedP[pr.p], usedD[pr.d] = true, true
			open[pr.p].Detections = append(open[pr.p].Detections, here[pr.d])
		}
		for di, d := range here {
			if !usedD[di] {
				open = append(open, Proposal{Detections: []Detection{d}, State: Pending})
			}
		}
	}
	out := append(done, open...)
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Detections[0], out[j].Detections[0]
		if a.Frame != b.Frame {
			return a.Frame < b.Frame
		}
		return lessBox(a.Box, b.Box)
	})
	return out
}

// centreDistance is the distance between the centres of two boxes.
func centreDistance(a, b Box) float64 {
	dx := float64(2*a.X+a.W-2*b.X-b.W) / 2
	dy := float64(2*a.Y+a.H-2*b.Y-b.H) / 2
	return math.Hypot(dx, dy)
}

// predict is where a proposal's face is expected on frame n: its last box
// moved on at the speed between its last two detections (rounded to the
// nearest pixel).
func predict(ds []Detection, n int) Box {
	last := ds[len(ds)-1]
	if len(ds) < 2 {
		return last.Box
	}
	prev := ds[len(ds)-2]
	span, ahead := float64(last.Frame-prev.Frame), float64(n-last.Frame)
	b := last.Box
	b.X += int(math.Round(float64(last.Box.X-prev.Box.X) * ahead / span))
	b.Y += int(math.Round(float64(last.Box.Y-prev.Box.Y) * ahead / span))
	return b
}
