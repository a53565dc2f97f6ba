package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// The few MP4 (ISO BMFF) boxes a lossless cut needs: the video track's
// timescale, its samples' composition times (stts + ctts) and its edit
// list, and the durations in mvhd and tkhd that must agree with the edit.
// Numbers are patched in place: no box changes size.

type mp4Box struct {
	typ        string
	start, end int // whole box, header included
	body       int // first byte after the header
}

func mp4Children(b []byte, start, end int) ([]mp4Box, error) {
	var out []mp4Box
	for p := start; p < end; {
		if end-p < 8 {
			return nil, errors.New("truncated box header")
		}
		size := int(binary.BigEndian.Uint32(b[p:]))
		typ := string(b[p+4 : p+8])
		hdr := 8
		switch size {
		case 1:
			if end-p < 16 {
				return nil, errors.New("truncated box header")
			}
			s64 := binary.BigEndian.Uint64(b[p+8:])
			if s64 > uint64(end-p) {
				return nil, fmt.Errorf("box %q overruns its parent", typ)
			}
			size, hdr = int(s64), 16
		case 0:
			size = end - p
		}
		if size < hdr || size > end-p {
			return nil, fmt.Errorf("box %q has a bad size", typ)
		}
		out = append(out, mp4Box{typ: typ, start: p, end: p + size, body: p + hdr})
		p += size
	}
	return out, nil
}

func mp4Child(b []byte, parent mp4Box, typ string) (mp4Box, bool, error) {
	kids, err := mp4Children(b, parent.body, parent.end)
	if err != nil {
		return mp4Box{}, false, err
	}
	for _, k := range kids {
		if k.typ == typ {
			return k, true, nil
		}
	}
	return mp4Box{}, false, nil
}

// mp4Path follows a chain of child box types from parent.
func mp4Path(b []byte, parent mp4Box, path ...string) (mp4Box, error) {
	cur := parent
	for _, t := range path {
		next, ok, err := mp4Child(b, cur, t)
		if err != nil {
			return mp4Box{}, err
		}
		if !ok {
			return mp4Box{}, fmt.Errorf("no %s box in %s", t, cur.typ)
		}
		cur = next
	}
	return cur, nil
}

// mp4Movie is what the edit-list patch needs from an MP4 file.
type mp4Movie struct {
	b              []byte
	movieTimescale uint32
	mvhdDur        int // offset of mvhd's duration field
	mvhdDur64      bool
	tracks         []mp4Track
}

type mp4Track struct {
	handler   string
	timescale uint32
	tkhdDur   int // offset of tkhd's duration field
	tkhdDur64 bool
	elst      mp4Box // zero when the track has no edit list
	hasElst   bool
	stbl      mp4Box // the video track's sample table
	// cts holds each sample's composition time (decode order), in the
	// track's timescale, before any edit.
	cts []int64
	// dur holds each sample's stts delta.
	dur []int64
}

func (t *mp4Track) elstCount(b []byte) int {
	if !t.hasElst {
		return 0
	}
	return int(binary.BigEndian.Uint32(b[t.elst.body+4:]))
}

// readDuration reads a version-dependent duration field.
func readDur(b []byte, off int, is64 bool) int64 {
	if is64 {
		return int64(binary.BigEndian.Uint64(b[off:]))
	}
	return int64(binary.BigEndian.Uint32(b[off:]))
}

func writeDur(b []byte, off int, is64 bool, v int64) error {
	if is64 {
		binary.BigEndian.PutUint64(b[off:], uint64(v))
		return nil
	}
	if v < 0 || v > 0xFFFFFFFF {
		return fmt.Errorf("duration %d does not fit a version 0 box", v)
	}
	binary.BigEndian.PutUint32(b[off:], uint32(v))
	return nil
}

func parseMP4(b []byte) (*mp4Movie, error) {
	top, err := mp4Children(b, 0, len(b))
	if err != nil {
		return nil, err
	}
	var moov mp4Box
	found := false
	for _, t := range top {
		if t.typ == "moov" {
			moov, found = t, true
		}
	}
	if !found {
		return nil, errors.New("no moov box")
	}
	m := &mp4Movie{b: b}
	mvhd, err := mp4Path(b, moov, "mvhd")
	if err != nil {
		return nil, err
	}
	if b[mvhd.body] == 1 {
		m.movieTimescale = binary.BigEndian.Uint32(b[mvhd.body+4+16:])
		m.mvhdDur, m.mvhdDur64 = mvhd.body+4+16+4, true
	} else {
		m.movieTimescale = binary.BigEndian.Uint32(b[mvhd.body+4+8:])
		m.mvhdDur = mvhd.body + 4 + 8 + 4
	}
	kids, err := mp4Children(b, moov.body, moov.end)
	if err != nil {
		return nil, err
	}
	for _, k := range kids {
		if k.typ != "trak" {
			continue
		}
		t, err := parseTrack(b, k)
		if err != nil {
			return nil, err
		}
		m.tracks = append(m.tracks, *t)
	}
	if m.movieTimescale == 0 {
		return nil, errors.New("movie timescale is 0")
	}
	return m, nil
}

func parseTrack(b []byte, trak mp4Box) (*mp4Track, error) {
	t := &mp4Track{}
	tkhd, err := mp4Path(b, trak, "tkhd")
	if err != nil {
		return nil, err
	}
	if b[tkhd.body] == 1 {
		t.tkhdDur, t.tkhdDur64 = tkhd.body+4+8+8+4+4, true
	} else {
		t.tkhdDur = tkhd.body + 4 + 4 + 4 + 4 + 4
	}
	if edts, ok, err := mp4Child(b, trak, "edts"); err != nil {
		return nil, err
	} else if ok {
		if t.elst, t.hasElst, err = mp4Child(b, edts, "elst"); err != nil {
			return nil, err
		}
	}
	hdlr, err := mp4Path(b, trak, "mdia", "hdlr")
	if err != nil {
		return nil, err
	}
	t.handler = string(b[hdlr.body+8 : hdlr.body+12])
	mdhd, err := mp4Path(b, trak, "mdia", "mdhd")
	if err != nil {
		return nil, err
	}
	if b[mdhd.body] == 1 {
		t.timescale = binary.BigEndian.Uint32(b[mdhd.body+4+16:])
	} else {
		t.timescale = binary.BigEndian.Uint32(b[mdhd.body+4+8:])
	}
	if t.handler != "vide" {
		return t, nil
	}
	stbl, err := mp4Path(b, trak, "mdia", "minf", "stbl")
	if err != nil {
		return nil, err
	}
	t.stbl = stbl
	stts, err := mp4Path(b, stbl, "stts")
	if err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint32(b[stts.body+4:]))
	if stts.body+8+8*n > stts.end {
		return nil, errors.New("stts overruns its box")
	}
	var dts int64
	for i := 0; i < n; i++ {
		count := binary.BigEndian.Uint32(b[stts.body+8+8*i:])
		delta := int64(binary.BigEndian.Uint32(b[stts.body+12+8*i:]))
		for j := uint32(0); j < count; j++ {
			t.cts = append(t.cts, dts)
			t.dur = append(t.dur, delta)
			dts += delta
		}
	}
	ctts, ok, err := mp4Child(b, stbl, "ctts")
	if err != nil {
		return nil, err
	}
	if ok {
		version := b[ctts.body]
		n := int(binary.BigEndian.Uint32(b[ctts.body+4:]))
		if ctts.body+8+8*n > ctts.end {
			return nil, errors.New("ctts overruns its box")
		}
		s := 0
		for i := 0; i < n; i++ {
			count := int(binary.BigEndian.Uint32(b[ctts.body+8+8*i:]))
			raw := binary.BigEndian.Uint32(b[ctts.body+12+8*i:])
			off := int64(raw)
			if version == 1 {
				off = int64(int32(raw))
			}
			for j := 0; j < count && s < len(t.cts); j++ {
				t.cts[s] += off
				s++
			}
		}
	}
	return t, nil
}

// setVideoEdit rewrites the video track's single-entry edit list so that
// the presentation starts at composition time start and lasts dur (both in
// the track's timescale; dur is rounded down to the movie timescale, so the
// frame that starts at start+dur is never shown), and sets the track's and
// movie's durations to match. It returns the edit as written (media time
// in track units, segment duration in movie units).
func (m *mp4Movie) setVideoEdit(start, dur int64) (mediaTime, segDur int64, err error) {
	var v *mp4Track
	for i := range m.tracks {
		if m.tracks[i].handler == "vide" {
			if v != nil {
				return 0, 0, errors.New("more than one video track")
			}
			v = &m.tracks[i]
		}
	}
	if v == nil {
		return 0, 0, errors.New("no video track")
	}
	switch v.elstCount(m.b) {
	case 1:
	case 2:
		// An empty edit (a delay) then the presentation: make it a
		// single-entry list by dropping the second entry's slot from the
		// count and writing the presentation into the first. The box keeps
		// its size; the unused bytes after the count are ignored by readers
		// that honour entry_count, so instead keep both entries valid:
		// the first becomes a zero-length empty edit.
		e := m.b[v.elst.body:]
		if e[0] == 1 {
			binary.BigEndian.PutUint64(e[8:], 0)
		} else {
			binary.BigEndian.PutUint32(e[8:], 0)
		}
		return m.setEdit(v, start, dur, 1)
	default:
		return 0, 0, fmt.Errorf("the video track has %d edit list entries", v.elstCount(m.b))
	}
	return m.setEdit(v, start, dur, 0)
}

// setEdit writes edit list entry i of track v (see setVideoEdit).
func (m *mp4Movie) setEdit(v *mp4Track, start, dur int64, i int) (mediaTime, segDur int64, err error) {
	// Segment duration in movie units, rounded down.
	segDur = dur * int64(m.movieTimescale) / int64(v.timescale)
	if segDur <= 0 {
		return 0, 0, errors.New("empty edit")
	}
	e := m.b[v.elst.body:]
	if e[0] == 1 {
		o := 8 + 20*i
		binary.BigEndian.PutUint64(e[o:], uint64(segDur))
		binary.BigEndian.PutUint64(e[o+8:], uint64(start))
	} else {
		if segDur > 0xFFFFFFFF || start > 0x7FFFFFFF {
			return 0, 0, errors.New("edit does not fit a version 0 edit list")
		}
		o := 8 + 12*i
		binary.BigEndian.PutUint32(e[o:], uint32(segDur))
		binary.BigEndian.PutUint32(e[o+4:], uint32(start))
	}
	if err := writeDur(m.b, v.tkhdDur, v.tkhdDur64, segDur); err != nil {
		return 0, 0, err
	}
	// The movie lasts as long as its longest track.
	longest := int64(0)
	for i := range m.tracks {
		longest = max(longest, readDur(m.b, m.tracks[i].tkhdDur, m.tracks[i].tkhdDur64))
	}
	if err := writeDur(m.b, m.mvhdDur, m.mvhdDur64, longest); err != nil {
		return 0, 0, err
	}
	return start, segDur, nil
}

// mp4Edit is one edit list entry: segment duration in movie units, media
// time in track units (-1: an empty edit, a delay).
type mp4Edit struct{ dur, mediaTime int64 }

// videoPresentation returns the video track's composition times sorted
// into presentation order, its timescale, and its edit list.
func (m *mp4Movie) videoPresentation() (cts []int64, timescale uint32, edits []mp4Edit, err error) {
	for i := range m.tracks {
		t := &m.tracks[i]
		if t.handler != "vide" {
			continue
		}
		cts = append([]int64(nil), t.cts...)
		sort.Slice(cts, func(a, b int) bool { return cts[a] < cts[b] })
		n := t.elstCount(m.b)
		e := m.b[t.elst.body:]
		for j := 0; j < n; j++ {
			if e[0] == 1 {
				o := 8 + 20*j
				edits = append(edits, mp4Edit{int64(binary.BigEndian.Uint64(e[o:])), int64(binary.BigEndian.Uint64(e[o+8:]))})
			} else {
				o := 8 + 12*j
				edits = append(edits, mp4Edit{int64(binary.BigEndian.Uint32(e[o:])), int64(int32(binary.BigEndian.Uint32(e[o+4:])))})
			}
		}
		return cts, t.timescale, edits, nil
	}
	return nil, 0, nil, errors.New("no video track")
}
