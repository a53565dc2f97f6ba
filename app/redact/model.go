// Package redact is the model of a redaction project: tracks of regions
// with keyframes, whole-frame ranges and audio ranges that hide third
// parties in a new derivative, never in the master. It is pure Go with no
// I/O: the store keeps projects, app runs the use cases, the render and
// the editor's preview both draw regions with the functions here.
package redact

import (
	"fmt"
	"sort"
	"time"
)

// Box is an axis-aligned rectangle in source pixels: X, Y is the top-left
// corner, W and H the size. A shape (rectangle or ellipse) is drawn inside it.
type Box struct{ X, Y, W, H int }

// Empty reports whether the box covers no pixel.
func (b Box) Empty() bool { return b.W <= 0 || b.H <= 0 }

// Inside reports whether the box covers at least one pixel and lies
// entirely within a w×h picture.
func (b Box) Inside(w, h int) bool {
	return !b.Empty() && b.X >= 0 && b.Y >= 0 && b.X+b.W <= w && b.Y+b.H <= h
}

// Clip is the part of the box within a w×h picture (Empty when none).
func (b Box) Clip(w, h int) Box {
	x0, y0 := max(b.X, 0), max(b.Y, 0)
	x1, y1 := min(b.X+b.W, w), min(b.Y+b.H, h)
	if x1 <= x0 || y1 <= y0 {
		return Box{}
	}
	return Box{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
}

// String is the box as the command line takes it: X,Y,W,H.
func (b Box) String() string { return fmt.Sprintf("%d,%d,%d,%d", b.X, b.Y, b.W, b.H) }

// Shape is the outline of a region inside its box.
type Shape string

// Shapes.
const (
	Rect    Shape = "rect"
	Ellipse Shape = "ellipse"
)

// Method is how a region's pixels are hidden.
type Method string

// Methods. Solid is the default: blur and pixelation can be partly
// reversible, a solid fill cannot.
const (
	Solid    Method = "solid"
	Pixelate Method = "pixelate"
	Blur     Method = "blur"
)

// DefaultBlock is the pixelation block size in source pixels when a track
// does not set one.
const DefaultBlock = 16

// Label says what a track hides.
type Label string

// Labels.
const (
	Face     Label = "face"
	Plate    Label = "plate"
	Screen   Label = "screen"
	Document Label = "document"
	Other    Label = "other"
)

// Keyframe is the box of a track at one frame (0-based, presentation order).
type Keyframe struct {
	Frame int
	Box   Box
}

// Track is one region followed through the picture. Between two keyframes
// its box is interpolated (see Interpolate); after its last keyframe it
// holds that box until End.
type Track struct {
	ID        string
	Shape     Shape
	Method    Method
	Block     int // pixelation block size; 0 means DefaultBlock
	Label     Label
	Reason    string     // sealed free text: never in the audit trail
	Keyframes []Keyframe // sorted by Frame, one per frame
	// End is the track's last frame. A value below the last keyframe
	// (e.g. -1, "not set") means the last keyframe.
	End       int
	CreatedBy string
	CreatedAt time.Time // UTC
}

// In is the track's first frame (its first keyframe), or -1 without keyframes.
func (t Track) In() int {
	if len(t.Keyframes) == 0 {
		return -1
	}
	return t.Keyframes[0].Frame
}

// Out is the track's last frame: End, or its last keyframe when End is not
// after it. It is -1 without keyframes.
func (t Track) Out() int {
	if len(t.Keyframes) == 0 {
		return -1
	}
	return max(t.End, t.Keyframes[len(t.Keyframes)-1].Frame)
}

// BoxAt is the track's box at frame n, and whether the track covers n.
func (t Track) BoxAt(n int) (Box, bool) {
	k := t.Keyframes
	if len(k) == 0 || n < k[0].Frame || n > t.Out() {
		return Box{}, false
	}
	i := sort.Search(len(k), func(i int) bool { return k[i].Frame > n }) // first after n
	if i == len(k) {
		return k[len(k)-1].Box, true // held after the last keyframe
	}
	a, b := k[i-1], k[i]
	return Interpolate(a, b, n), true
}

// Interpolate is the box at frame n between keyframes a and b
// (a.Frame <= n <= b.Frame, a.Frame < b.Frame). Each of X, Y, W, H is
//
//	va + round((vb-va) * (n-a.Frame) / (b.Frame-a.Frame))
//
// in exact integer arithmetic, where round takes the nearest integer and
// a half up, toward +infinity: floor((2*num + den) / (2*den)). So boxes
// keyframed at frames 10 and 20 give the exact midpoint at 15 (a half
// pixel rounds up), and the keyframes themselves are reproduced exactly.
func Interpolate(a, b Keyframe, n int) Box {
	if n <= a.Frame {
		return a.Box
	}
	if n >= b.Frame {
		return b.Box
	}
	num, den := n-a.Frame, b.Frame-a.Frame
	lerp := func(va, vb int) int {
		return va + floorDiv(2*(vb-va)*num+den, 2*den)
	}
	return Box{
		X: lerp(a.Box.X, b.Box.X),
		Y: lerp(a.Box.Y, b.Box.Y),
		W: lerp(a.Box.W, b.Box.W),
		H: lerp(a.Box.H, b.Box.H),
	}
}

func floorDiv(a, b int) int { // b > 0
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// FrameRange hides the entire picture on frames From..To (inclusive) with
// Solid or Blur.
type FrameRange struct {
	ID       string
	From, To int
	Method   Method
	Reason   string // sealed free text
	// CreatedBy and CreatedAt (UTC) say who added the range and when.
	CreatedBy string
	CreatedAt time.Time
}

// AudioKind is how an audio range is hidden.
type AudioKind string

// Audio kinds.
const (
	Mute  AudioKind = "mute"
	Bleep AudioKind = "bleep" // a 1 kHz tone at a fixed level
)

// AudioRange hides the sound between From and To (media time from the
// start of the recording, inclusive of From, exclusive of To).
type AudioRange struct {
	ID       string
	From, To time.Duration
	Kind     AudioKind
	Reason   string // sealed free text
	// CreatedBy and CreatedAt (UTC) say who added the range and when.
	CreatedBy string
	CreatedAt time.Time
}

// ProposalState is where a face proposal stands; detection never redacts
// by itself.
type ProposalState string

// Proposal states.
const (
	Pending  ProposalState = "pending"
	Accepted ProposalState = "accepted"
	Rejected ProposalState = "rejected"
)

// Detection is one face found on one frame.
type Detection struct {
	Frame int
	Box   Box
	Score float32 // detector confidence; higher is surer
}

// Proposal is a proposed track: detections on sampled frames grouped
// across frames. A reviewer accepts it (it becomes a Track with the
// detections as keyframes), rejects it, or edits it first.
type Proposal struct {
	ID         string
	Detections []Detection // sorted by Frame
	State      ProposalState
	TrackID    string // the track made from it once accepted
}

// Project is one redaction of a recording, or of frames From..To of it.
type Project struct {
	ID          string
	RecordingID string
	From, To    int // the frames it covers, inclusive, 0-based
	// Version counts saved changes; a render records the version it drew.
	Version   int
	Tracks    []Track
	Frames    []FrameRange
	Audio     []AudioRange
	Proposals []Proposal
	CreatedBy string
	CreatedAt time.Time // UTC
}

// Region is one shape to hide on one frame.
type Region struct {
	Shape  Shape
	Method Method
	Block  int // pixelation block size (source pixels)
	Box    Box
}

// RegionsAt is everything to hide on frame n of a w×h picture: a
// whole-frame range as one full-picture box, then each track that covers
// n. Pending and rejected proposals are never included.
func (p Project) RegionsAt(n, w, h int) []Region {
	var out []Region
	for _, f := range p.Frames {
		if n >= f.From && n <= f.To {
			out = append(out, Region{Shape: Rect, Method: f.Method, Box: Box{0, 0, w, h}})
		}
	}
	for _, t := range p.Tracks {
		b, ok := t.BoxAt(n)
		if !ok || b.Empty() {
			continue
		}
		blk := t.Block
		if blk <= 0 {
			blk = DefaultBlock
		}
		out = append(out, Region{Shape: t.Shape, Method: t.Method, Block: blk, Box: b})
	}
	return out
}
