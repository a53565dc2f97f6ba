package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// Proving a clip at write time, without decoding it.
//
// Lossless: the cut's ffmpeg writes, beside the MP4, the framehash of the
// packets it copies (-c copy -f framehash: each packet's size and SHA-256,
// in decode order, as the demuxer read them from the master). The proof
// reads the MP4's own sample table, hashes every video sample's bytes and
// requires them equal to those packets one for one, each at the same time
// relative to the first; it maps every sample to the master frame at its
// presentation time (the first is the key frame the cut starts on), and
// requires the edit list to show exactly the samples of master frames
// From..To. Identical coded packets, all of them from the key frame on in
// decode order, decode to identical pictures, so the decoded-frame hashes
// can wait for the background clip check.
//
// Court copy: the MP4's video samples must be one per master frame, each
// at the master frame's time relative to From: no frame dropped,
// duplicated or moved. The frame map follows from those times. Nothing is
// decoded or hashed for it: the clip check decodes the clip and the
// master range later (app/clipcheck.go).

// timeTolerance is one tick of the coarser of two time bases (seconds).
func timeTolerance(a, b float64) float64 { return math.Max(a, b) + 1e-6 }

// masterPackets are the master's coded video packets from the key frame a
// cut starts on, in decode order: sizes and times, and either where their
// bytes are in the master (ra, off) or their SHA-256 (hash, from ffmpeg's
// framehash of the packets copied).
type masterPackets struct {
	ra   io.ReaderAt
	off  []int64
	hash []string
	size []int64
	pts  []int64 // in tb seconds per tick
	tb   float64
	how  string // for the note
}

// packetsFromFrameHash reads the framehash of the packets a cut copied.
func packetsFromFrameHash(b []byte) (*masterPackets, error) {
	rows, err := ParseFrameHash(b)
	if err != nil {
		return nil, fmt.Errorf("packet hashes: %w", err)
	}
	tb, err := FrameHashTimeBase(b)
	if err != nil {
		return nil, fmt.Errorf("packet hashes: %w", err)
	}
	p := &masterPackets{tb: tb.Float(), how: "SHA-256 equal to the master's packets as ffmpeg copied them"}
	for _, r := range rows {
		p.hash = append(p.hash, r.Hash)
		p.size = append(p.size, r.Size)
		p.pts = append(p.pts, r.PTS)
	}
	return p, nil
}

// packetsFromMP4 reads the video samples of an MP4/MOV master from the
// decrypting reader, from the one shown as frame first (frame numbers are
// the ranks of the composition times) on, in decode order.
func packetsFromMP4(ra io.ReaderAt, size int64, first int) (*masterPackets, error) {
	b, _, err := readMoov(ra, size)
	if err != nil {
		return nil, err
	}
	m, err := parseMP4(b)
	if err != nil {
		return nil, err
	}
	v, err := m.videoTrack()
	if err != nil {
		return nil, err
	}
	samples, err := m.videoSamples()
	if err != nil {
		return nil, err
	}
	if len(samples) != len(v.cts) || first >= len(v.cts) {
		return nil, fmt.Errorf("the master's sample table holds %d samples", len(samples))
	}
	order := make([]int, len(v.cts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return v.cts[order[a]] < v.cts[order[b]] })
	j0 := order[first]
	p := &masterPackets{ra: ra, tb: 1 / float64(v.timescale), how: "byte for byte the master's samples"}
	for j := j0; j < len(samples); j++ {
		p.off = append(p.off, samples[j].off)
		p.size = append(p.size, samples[j].size)
		p.pts = append(p.pts, v.cts[j])
	}
	return p, nil
}

// proveLossless checks the cut at path (its patched movie m, first the
// master frame of its first sample) against the master's packets. It
// returns a note for the recipe, or why the cut could not be proven this
// way (the caller then decodes both to compare).
func proveLossless(path string, m *mp4Movie, mp *masterPackets, r ClipRange, first int) (string, error) {
	v, err := m.videoTrack()
	if err != nil {
		return "", err
	}
	samples, err := m.videoSamples()
	if err != nil {
		return "", err
	}
	if len(samples) != len(v.cts) || len(samples) == 0 {
		return "", fmt.Errorf("the clip's sample table holds %d samples", len(samples))
	}
	if mp.hash != nil && len(mp.hash) != len(samples) {
		return "", fmt.Errorf("the clip holds %d video samples, %d packets were copied", len(samples), len(mp.hash))
	}
	if len(mp.size) < len(samples) {
		return "", fmt.Errorf("the clip holds %d video samples, the master %d from frame %d", len(samples), len(mp.size), first)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close() // read only
	// Bytes: each sample is the master's packet, byte for byte.
	h := sha256.New()
	var sum [sha256.Size]byte
	var a, b []byte
	for i, s := range samples {
		if s.size != mp.size[i] {
			return "", fmt.Errorf("sample %d is %d bytes, the master's packet %d", i, s.size, mp.size[i])
		}
		if int64(cap(a)) < s.size {
			a, b = make([]byte, s.size), make([]byte, s.size)
		}
		a = a[:s.size]
		if _, err := f.ReadAt(a, s.off); err != nil {
			return "", err
		}
		if mp.ra != nil {
			b = b[:s.size]
			if _, err := mp.ra.ReadAt(b, mp.off[i]); err != nil {
				return "", fmt.Errorf("read the master: %w", err)
			}
			if !bytes.Equal(a, b) {
				return "", fmt.Errorf("sample %d differs from the master's", i)
			}
			continue
		}
		h.Reset()
		h.Write(a)
		if hex.EncodeToString(h.Sum(sum[:0])) != mp.hash[i] {
			return "", fmt.Errorf("sample %d differs from the master's packet (the container stores the codec's units differently)", i)
		}
	}
	// Times: each sample at its packet's time relative to the first, and
	// each packet at a master frame's time relative to key frame first.
	ts := float64(v.timescale)
	tol := timeTolerance(1/ts, math.Max(mp.tb, r.Table.TimeBase.Float()))
	t0 := r.Table.Seconds(first)
	frameOf := make([]int, len(samples)) // decode order -> master frame
	seen := map[int]bool{}
	for i := range samples {
		rel := float64(mp.pts[i]-mp.pts[0]) * mp.tb
		if d := float64(v.cts[i]-v.cts[0])/ts - rel; math.Abs(d) > tol {
			return "", fmt.Errorf("sample %d is %.6f s off its packet's time", i, d)
		}
		n, ok := frameAtTime(r.Table, t0+rel, tol)
		if !ok || seen[n] {
			return "", fmt.Errorf("packet %d (at %.6f s) is no master frame of its own", i, t0+rel)
		}
		seen[n] = true
		frameOf[i] = n
	}
	if frameOf[0] != first || !r.Table.Frames[first].Key {
		return "", fmt.Errorf("the clip does not start on key frame %d", first)
	}
	// The edit list shows exactly master frames From..To.
	_, _, edits, err := m.videoPresentation()
	if err != nil {
		return "", err
	}
	seg := -1
	for i, e := range edits {
		if e.mediaTime == -1 {
			if e.dur != 0 {
				return "", fmt.Errorf("the edit list starts with a delay")
			}
			continue
		}
		if seg >= 0 {
			return "", fmt.Errorf("the edit list has more than one segment")
		}
		seg = i
	}
	if seg < 0 {
		return "", fmt.Errorf("the edit list shows nothing")
	}
	e := edits[seg]
	var shown []int
	for i, c := range v.cts {
		// c in [mediaTime, mediaTime + dur*ts/movieTs), exactly.
		if c >= e.mediaTime && (c-e.mediaTime)*int64(m.movieTimescale) < e.dur*int64(v.timescale) {
			shown = append(shown, frameOf[i])
		}
	}
	sort.Ints(shown)
	if len(shown) != r.To-r.From+1 {
		return "", fmt.Errorf("the edit list shows %d frames, not frames %d-%d", len(shown), r.From, r.To)
	}
	for i := range shown {
		if shown[i] != r.From+i {
			return "", fmt.Errorf("the edit list does not show frame %d", r.From+i)
		}
	}
	return fmt.Sprintf("proven when written: the clip's %d video samples are %s from key frame %d on, in decode order, each at its master frame's time; the edit list shows exactly frames %d-%d",
		len(samples), mp.how, first, r.From, r.To), nil
}

// frameAtTime returns the master frame at t seconds (within tol).
func frameAtTime(t *FrameTable, at, tol float64) (int, bool) {
	n := sort.Search(t.Len(), func(i int) bool { return t.Seconds(i) >= at-tol })
	if n < t.Len() && math.Abs(t.Seconds(n)-at) <= tol {
		return n, true
	}
	return 0, false
}

// proveCourt checks a court copy at path against master frames
// r.From..r.To without decoding it: one video sample per master frame,
// each (in presentation order) at its master frame's time relative to
// From. It returns the frame map (the master frame of each clip frame).
// The decoded frames (the clip's and the master range's) are compared by
// the clip check.
func proveCourt(path string, r ClipRange) ([]int, error) {
	m, _, err := openMP4(path)
	if err != nil {
		return nil, err
	}
	cts, ts, _, err := m.videoPresentation()
	if err != nil {
		return nil, err
	}
	want := r.To - r.From + 1
	if len(cts) != want {
		return nil, fmt.Errorf("the court copy holds %d frames, the range has %d", len(cts), want)
	}
	tol := timeTolerance(1/float64(ts), r.Table.TimeBase.Float())
	fm := make([]int, want)
	for i := range cts {
		got := float64(cts[i]-cts[0]) / float64(ts)
		exp := r.Table.Seconds(r.From+i) - r.Table.Seconds(r.From)
		if math.Abs(got-exp) > tol {
			return nil, fmt.Errorf("court copy frame %d is at %.6f s, master frame %d at %.6f s", i, got, r.From+i, exp)
		}
		fm[i] = r.From + i
	}
	return fm, nil
}
