package redact

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestGroupDetections: two faces moving across each other's path on
// every 5th frame, one of them missing for one sample (kept) and later
// for three (a new proposal), plus a stray detection.
func TestGroupDetections(t *testing.T) {
	var dets []Detection
	var a, b, a2 []Detection
	for n := 0; n <= 100; n += 5 {
		da := Detection{Frame: n, Box: Box{X: 100 + 6*n, Y: 100, W: 80, H: 80}, Score: 300}
		db := Detection{Frame: n, Box: Box{X: 700 - 3*n, Y: 130, W: 60, H: 60}, Score: 200}
		switch {
		case n == 20: // a missed once: 5 frames unseen, within MaxGap
		case n >= 45 && n <= 55: // a missed three times: 15 frames, a new proposal
		case n < 45:
			a = append(a, da)
		default:
			a2 = append(a2, da)
		}
		if n != 20 && !(n >= 45 && n <= 55) {
			dets = append(dets, da)
		}
		dets = append(dets, db)
		b = append(b, db)
	}
	stray := Detection{Frame: 35, Box: Box{X: 10, Y: 500, W: 40, H: 40}, Score: 30}
	dets = append(dets, stray)
	want := []Proposal{
		{Detections: a, State: Pending},
		{Detections: b, State: Pending},
		{Detections: []Detection{stray}, State: Pending},
		{Detections: a2, State: Pending},
	}
	for i := range 5 {
		in := append([]Detection(nil), dets...)
		r := rand.New(rand.NewPCG(uint64(i), 1))
		r.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
		got := GroupDetections(in, GroupOptions{MaxGap: 10})
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffle %d: got\n%+v\nwant\n%+v", i, got, want)
		}
	}
}

// TestGroupDetectionsFastSmallFace links a small face that moves more
// than its own width between samples by centre distance... only within
// reach: twice its size is too far.
func TestGroupDetectionsFastSmallFace(t *testing.T) {
	d0 := Detection{Frame: 0, Box: Box{X: 100, Y: 100, W: 30, H: 30}}
	d1 := Detection{Frame: 5, Box: Box{X: 112, Y: 100, W: 30, H: 30}}  // IoU 0.43
	d2 := Detection{Frame: 10, Box: Box{X: 126, Y: 100, W: 30, H: 30}} // IoU 0.36
	d3 := Detection{Frame: 15, Box: Box{X: 200, Y: 100, W: 30, H: 30}} // far
	got := GroupDetections([]Detection{d0, d1, d2, d3}, GroupOptions{MinIoU: 0.9})
	if len(got) != 2 || len(got[0].Detections) != 3 || got[1].Detections[0] != d3 {
		t.Fatalf("got %+v, want d0..d2 linked by centre distance and d3 alone", got)
	}
}
