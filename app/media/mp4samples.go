package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Reading an MP4 without loading it: the top-level boxes are walked by
// their headers, and only moov (a few hundred KiB for a minute of video)
// is read into memory, patched there and written back in place.

// mp4Sample is where a sample's bytes are in the file.
type mp4Sample struct {
	off  int64
	size int64
}

// readMoov returns the moov box of the MP4 file f and its offset in the file.
func readMoov(f io.ReaderAt, size int64) ([]byte, int64, error) {
	var hdr [16]byte
	for p := int64(0); p < size; {
		if size-p < 8 {
			return nil, 0, errors.New("truncated box header")
		}
		if _, err := f.ReadAt(hdr[:8], p); err != nil {
			return nil, 0, err
		}
		n := int64(binary.BigEndian.Uint32(hdr[:]))
		typ := string(hdr[4:8])
		switch n {
		case 1:
			if _, err := f.ReadAt(hdr[8:16], p+8); err != nil {
				return nil, 0, err
			}
			n = int64(binary.BigEndian.Uint64(hdr[8:]))
		case 0:
			n = size - p
		}
		if n < 8 || n > size-p {
			return nil, 0, fmt.Errorf("box %q has a bad size", typ)
		}
		if typ == "moov" {
			if n > 64<<20 {
				return nil, 0, fmt.Errorf("moov box of %d bytes", n)
			}
			b := make([]byte, n)
			if _, err := f.ReadAt(b, p); err != nil {
				return nil, 0, err
			}
			return b, p, nil
		}
		p += n
	}
	return nil, 0, errors.New("no moov box")
}

// openMP4 reads the moov of the MP4 at path (see readMoov).
func openMP4(path string) (*mp4Movie, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close() // read only
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	b, off, err := readMoov(f, st.Size())
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", path, err)
	}
	m, err := parseMP4(b)
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", path, err)
	}
	return m, off, nil
}

// videoTrack returns the movie's only video track.
func (m *mp4Movie) videoTrack() (*mp4Track, error) {
	var v *mp4Track
	for i := range m.tracks {
		if m.tracks[i].handler == "vide" {
			if v != nil {
				return nil, errors.New("more than one video track")
			}
			v = &m.tracks[i]
		}
	}
	if v == nil {
		return nil, errors.New("no video track")
	}
	return v, nil
}

// u32 reads a big-endian uint32 at off, or fails when it lies outside box.
func u32(b []byte, box mp4Box, off int) (uint32, error) {
	if off < box.body || off+4 > box.end {
		return 0, fmt.Errorf("%s box is truncated", box.typ)
	}
	return binary.BigEndian.Uint32(b[off:]), nil
}

// videoSamples returns the file offset and size of each sample of the
// video track, in decode order (stsz, stsc, stco or co64).
func (m *mp4Movie) videoSamples() ([]mp4Sample, error) {
	v, err := m.videoTrack()
	if err != nil {
		return nil, err
	}
	b := m.b
	stbl := v.stbl
	stsz, err := mp4Path(b, stbl, "stsz")
	if err != nil {
		return nil, err
	}
	fixed, err := u32(b, stsz, stsz.body+4)
	if err != nil {
		return nil, err
	}
	count, err := u32(b, stsz, stsz.body+8)
	if err != nil {
		return nil, err
	}
	if count > 10_000_000 {
		return nil, fmt.Errorf("%d samples", count)
	}
	sizes := make([]int64, count)
	for i := range sizes {
		if fixed != 0 {
			sizes[i] = int64(fixed)
			continue
		}
		s, err := u32(b, stsz, stsz.body+12+4*i)
		if err != nil {
			return nil, err
		}
		sizes[i] = int64(s)
	}
	var chunks []int64
	if co, ok, err := mp4Child(b, stbl, "stco"); err != nil {
		return nil, err
	} else if ok {
		n, err := u32(b, co, co.body+4)
		if err != nil {
			return nil, err
		}
		for i := 0; i < int(n); i++ {
			o, err := u32(b, co, co.body+8+4*i)
			if err != nil {
				return nil, err
			}
			chunks = append(chunks, int64(o))
		}
	} else if co, ok, err := mp4Child(b, stbl, "co64"); err != nil {
		return nil, err
	} else if ok {
		n, err := u32(b, co, co.body+4)
		if err != nil {
			return nil, err
		}
		for i := 0; i < int(n); i++ {
			hi, err := u32(b, co, co.body+8+8*i)
			if err != nil {
				return nil, err
			}
			lo, err := u32(b, co, co.body+12+8*i)
			if err != nil {
				return nil, err
			}
			chunks = append(chunks, int64(hi)<<32|int64(lo))
		}
	} else {
		return nil, errors.New("no chunk offsets (stco or co64)")
	}
	stsc, err := mp4Path(b, stbl, "stsc")
	if err != nil {
		return nil, err
	}
	n, err := u32(b, stsc, stsc.body+4)
	if err != nil {
		return nil, err
	}
	type run struct{ first, per uint32 }
	runs := make([]run, n)
	for i := range runs {
		f, err := u32(b, stsc, stsc.body+8+12*i)
		if err != nil {
			return nil, err
		}
		p, err := u32(b, stsc, stsc.body+12+12*i)
		if err != nil {
			return nil, err
		}
		runs[i] = run{f, p}
	}
	out := make([]mp4Sample, 0, count)
	s := 0
	for c := range chunks {
		per := uint32(0)
		for _, r := range runs {
			if int(r.first) <= c+1 {
				per = r.per
			}
		}
		off := chunks[c]
		for j := uint32(0); j < per && s < len(sizes); j++ {
			out = append(out, mp4Sample{off: off, size: sizes[s]})
			off += sizes[s]
			s++
		}
	}
	if s != len(sizes) {
		return nil, fmt.Errorf("chunks hold %d of %d samples", s, len(sizes))
	}
	return out, nil
}
