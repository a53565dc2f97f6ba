package media

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// FrameInfo is one decoded video frame in presentation order. Frame numbers
// are the 0-based index in FrameTable.Frames, the numbering of ffmpeg's
// select=eq(n\,N).
type FrameInfo struct {
	PTS  int64 // presentation timestamp in the stream TimeBase (best_effort_timestamp when pts is N/A)
	Key  bool  // a key frame: decoding can start here
	Type byte  // picture type 'I', 'P', 'B' or '?'
}

// FrameTable lists every frame ffmpeg decodes from the first video stream of
// an input, in presentation order.
type FrameTable struct {
	TimeBase Rational
	Frames   []FrameInfo
}

// Len returns the number of frames.
func (t *FrameTable) Len() int { return len(t.Frames) }

// ReadFrameTable decodes the first video stream of input (a path or an
// http(s) URL) with ffprobe and returns its frames. The count is exactly the
// number of frames ffmpeg decodes, so frame n here is frame n of
// select=eq(n\,N). ffprobe's compact output is streamed and parsed line by
// line. An input with no decodable frame yields an error wrapping ErrNotMedia.
func ReadFrameTable(ctx context.Context, input string) (*FrameTable, error) {
	return readFrameTable(ctx, input, false)
}

// ReadFrameTableIdle is ReadFrameTable with ffprobe running at the lowest
// CPU priority (nice 19), for checks that run in the background.
func ReadFrameTableIdle(ctx context.Context, input string) (*FrameTable, error) {
	return readFrameTable(ctx, input, true)
}

func readFrameTable(ctx context.Context, input string, idle bool) (*FrameTable, error) {
	return streamTable(ctx, input, "frame table", idle, parseFrameTable,
		"-show_entries", "frame=key_frame,pts,best_effort_timestamp,pict_type:stream=time_base")
}

// streamTable runs ffprobe on the first video stream of input with the
// extra arguments, streaming its compact output into parse.
func streamTable(ctx context.Context, input, what string, idle bool, parse func(io.Reader) (*FrameTable, error), extra ...string) (*FrameTable, error) {
	arg, wl := toolInput(input)
	args := append([]string{"-v", "error", "-protocol_whitelist", wl, "-select_streams", "v:0"}, extra...)
	args = append(args, "-of", "compact=p=1:nk=0", arg)
	cmd, se := command(ctx, FFprobePath, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, input, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, input, toolError(ctx, FFprobePath, err, ""))
	}
	if idle {
		lowerPriority(cmd.Process.Pid)
	}
	t, perr := parse(stdout)
	if perr != nil {
		// Drain so ffprobe is not blocked on a full pipe, then reap it.
		_, _ = io.Copy(io.Discard, stdout)
	}
	werr := cmd.Wait()
	if werr != nil {
		return nil, classify(ctx, FFprobePath, what, input, werr, se.String())
	}
	if perr != nil {
		return nil, fmt.Errorf("%s %s: %w", what, input, perr)
	}
	if len(t.Frames) == 0 {
		return nil, fmt.Errorf("%s %s: %w: no video frame could be decoded", what, input, ErrNotMedia)
	}
	if t.TimeBase.Num <= 0 || t.TimeBase.Den <= 0 {
		return nil, fmt.Errorf("%s %s: ffprobe reported no valid time base (%v)", what, input, t.TimeBase)
	}
	return t, nil
}

// parseFrameTable reads ffprobe "compact=p=1:nk=0" output: lines like
// "frame|key_frame=1|pts=0|best_effort_timestamp=0|pict_type=I" and finally
// "stream|time_base=1/12800". Key order does not matter.
func parseFrameTable(r io.Reader) (*FrameTable, error) {
	t := &FrameTable{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	lineNo := 0
	var lastDelta int64 = 1
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		section, rest, _ := strings.Cut(line, "|")
		switch section {
		case "frame":
			var (
				f        FrameInfo
				pts, bet = int64(0), int64(0)
				havePTS  bool
				haveBET  bool
			)
			f.Type = '?'
			for _, kv := range strings.Split(rest, "|") {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					continue // sub-section markers such as "side_data"
				}
				switch k {
				case "key_frame":
					f.Key = v == "1"
				case "pict_type":
					if len(v) == 1 && (v[0] == 'I' || v[0] == 'P' || v[0] == 'B') {
						f.Type = v[0]
					}
				case "pts":
					if n, err := strconv.ParseInt(v, 10, 64); err == nil {
						pts, havePTS = n, true
					}
				case "best_effort_timestamp":
					if n, err := strconv.ParseInt(v, 10, 64); err == nil {
						bet, haveBET = n, true
					}
				}
			}
			n := len(t.Frames)
			switch {
			case havePTS:
				f.PTS = pts
			case haveBET:
				f.PTS = bet
			case n > 0:
				f.PTS = t.Frames[n-1].PTS + lastDelta
			}
			if n > 0 {
				if d := f.PTS - t.Frames[n-1].PTS; d > 0 {
					lastDelta = d
				}
			}
			t.Frames = append(t.Frames, f)
		case "stream":
			if err := t.takeTimeBase(rest, lineNo); err != nil {
				return nil, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read ffprobe output: %w", err)
	}
	return t, nil
}

// CountDecodedFrames decodes the first video stream of input (a path or an
// http(s) URL) with ffprobe -count_frames and returns nb_read_frames. It is an
// independent check of ReadFrameTable. An input with no decodable frame
// yields an error wrapping ErrNotMedia.
func CountDecodedFrames(ctx context.Context, input string) (int, error) {
	arg, wl := toolInput(input)
	var out bytes.Buffer
	cmd, se := command(ctx, FFprobePath, "-v", "error", "-protocol_whitelist", wl,
		"-count_frames", "-select_streams", "v:0",
		"-show_entries", "stream=nb_read_frames", "-of", "default=nk=1:nw=1", arg)
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return 0, classify(ctx, FFprobePath, "count frames", input, err, se.String())
	}
	s := strings.TrimSpace(out.String())
	if s == "" {
		return 0, fmt.Errorf("count frames %s: %w: no video stream", input, ErrNotMedia)
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("count frames %s: %w: unexpected ffprobe output %q", input, ErrNotMedia, trimOutput(out.Bytes()))
	}
	if n == 0 {
		return 0, fmt.Errorf("count frames %s: %w: no video frame could be decoded", input, ErrNotMedia)
	}
	return n, nil
}

// Seconds returns the media time of frame n in seconds, measured from frame
// 0 (so Seconds(0) is 0). n must be a valid index.
func (t *FrameTable) Seconds(n int) float64 {
	return ticksToSeconds(t.Frames[n].PTS-t.Frames[0].PTS, t.TimeBase)
}

// lastDuration is the estimated display duration, in ticks, of the last
// frame: the delta between the last two frames, or 0 for a single frame.
func (t *FrameTable) lastDuration() int64 {
	n := len(t.Frames)
	if n < 2 {
		return 0
	}
	d := t.Frames[n-1].PTS - t.Frames[n-2].PTS
	if d < 0 {
		return 0
	}
	return d
}

// Duration returns the total display time in seconds: from frame 0 to the end
// of the last frame, whose duration is estimated from the previous delta.
func (t *FrameTable) Duration() float64 {
	n := len(t.Frames)
	if n == 0 {
		return 0
	}
	return ticksToSeconds(t.Frames[n-1].PTS-t.Frames[0].PTS+t.lastDuration(), t.TimeBase)
}

// FrameAt returns the frame whose display interval [Seconds(n),
// Seconds(n+1)) holds sec, measured from frame 0. The last frame's interval
// lasts as long as the previous delta (a one-frame table holds only sec == 0).
// It reports false when sec is outside the table.
func (t *FrameTable) FrameAt(sec float64) (int, bool) {
	n := len(t.Frames)
	if n == 0 || math.IsNaN(sec) || sec < 0 || t.TimeBase.Num <= 0 || t.TimeBase.Den <= 0 {
		return 0, false
	}
	if n == 1 {
		return 0, sec == 0
	}
	// Work in ticks from frame 0, shifted by a tolerance far below one tick
	// so that FrameAt(Seconds(n)) == n despite float rounding.
	x := sec * float64(t.TimeBase.Den) / float64(t.TimeBase.Num)
	x += 1e-6 + math.Abs(x)*1e-12
	p0 := t.Frames[0].PTS
	rel := func(i int) float64 { return float64(t.Frames[i].PTS - p0) }
	if x >= rel(n-1)+float64(t.lastDuration()) {
		return 0, false
	}
	// First frame whose time is > x, minus one.
	i := sort.Search(n, func(i int) bool { return rel(i) > x }) - 1
	if i < 0 {
		return 0, false
	}
	return i, true
}

// Frame table binary format: magic, then a zlib stream holding
//
//	uvarint version (1)
//	varint  time base num, uvarint time base den
//	uvarint frame count
//	varint  PTS of frame 0, then zigzag varint deltas for frames 1..count-1
//	count bytes of flags: bit 0 key frame, bits 1-2 type (0 '?', 1 'I', 2 'P', 3 'B')
//
// zlib's Adler-32 checksum catches most corruption; structure checks catch
// the rest.
const (
	frameTableMagic   = "EXFT"
	frameTableVersion = 1
	maxFrameTableRaw  = 1 << 28 // decompressed size limit (~100M frames)
)

var (
	typeCodes            = [4]byte{'?', 'I', 'P', 'B'}
	ErrCorruptFrameTable = errors.New("corrupt frame table")
)

func typeCode(b byte) byte {
	switch b {
	case 'I':
		return 1
	case 'P':
		return 2
	case 'B':
		return 3
	}
	return 0
}

// MarshalBinary encodes the table compactly: a header, zigzag varint PTS
// deltas and one flags byte per frame, zlib-compressed. Picture types other
// than 'I', 'P' and 'B' are stored as '?'.
func (t *FrameTable) MarshalBinary() ([]byte, error) {
	if t.TimeBase.Num <= 0 || t.TimeBase.Den <= 0 {
		return nil, fmt.Errorf("marshal frame table: invalid time base %v", t.TimeBase)
	}
	raw := make([]byte, 0, 16+len(t.Frames)*3)
	raw = binary.AppendUvarint(raw, frameTableVersion)
	raw = binary.AppendVarint(raw, t.TimeBase.Num)
	raw = binary.AppendUvarint(raw, uint64(t.TimeBase.Den))
	raw = binary.AppendUvarint(raw, uint64(len(t.Frames)))
	var prev int64
	for i, f := range t.Frames {
		if i == 0 {
			raw = binary.AppendVarint(raw, f.PTS)
		} else {
			raw = binary.AppendVarint(raw, f.PTS-prev) // wraps consistently with UnmarshalBinary
		}
		prev = f.PTS
	}
	for _, f := range t.Frames {
		flags := typeCode(f.Type) << 1
		if f.Key {
			flags |= 1
		}
		raw = append(raw, flags)
	}
	var buf bytes.Buffer
	buf.WriteString(frameTableMagic)
	zw, err := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("marshal frame table: %w", err)
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, fmt.Errorf("marshal frame table: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("marshal frame table: %w", err)
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary decodes data produced by MarshalBinary, replacing t's
// contents. Corrupt or truncated data yields an error wrapping
// ErrCorruptFrameTable; it never panics.
func (t *FrameTable) UnmarshalBinary(b []byte) error {
	if len(b) < len(frameTableMagic) || string(b[:len(frameTableMagic)]) != frameTableMagic {
		return fmt.Errorf("unmarshal frame table: %w: bad magic", ErrCorruptFrameTable)
	}
	zr, err := zlib.NewReader(bytes.NewReader(b[len(frameTableMagic):]))
	if err != nil {
		return fmt.Errorf("unmarshal frame table: %w: %w", ErrCorruptFrameTable, err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, maxFrameTableRaw+1))
	if err != nil {
		return fmt.Errorf("unmarshal frame table: %w: %w", ErrCorruptFrameTable, err)
	}
	if len(raw) > maxFrameTableRaw {
		return fmt.Errorf("unmarshal frame table: %w: too large", ErrCorruptFrameTable)
	}
	if err := zr.Close(); err != nil {
		return fmt.Errorf("unmarshal frame table: %w: %w", ErrCorruptFrameTable, err)
	}
	d := decoder{b: raw}
	version := d.uvarint()
	num := d.varint()
	den := d.uvarint()
	count := d.uvarint()
	if d.err != nil {
		return fmt.Errorf("unmarshal frame table: %w: header: %w", ErrCorruptFrameTable, d.err)
	}
	if version != frameTableVersion {
		return fmt.Errorf("unmarshal frame table: %w: unsupported version %d", ErrCorruptFrameTable, version)
	}
	if num <= 0 || den == 0 || den > math.MaxInt64 {
		return fmt.Errorf("unmarshal frame table: %w: invalid time base %d/%d", ErrCorruptFrameTable, num, den)
	}
	// Every frame needs at least one varint byte and one flags byte.
	if count > uint64(len(raw)-d.off)/2 {
		return fmt.Errorf("unmarshal frame table: %w: frame count %d exceeds data", ErrCorruptFrameTable, count)
	}
	frames := make([]FrameInfo, count)
	var pts int64
	for i := range frames {
		v := d.varint()
		if i == 0 {
			pts = v
		} else {
			pts += v
		}
		frames[i].PTS = pts
	}
	if d.err != nil {
		return fmt.Errorf("unmarshal frame table: %w: timestamps: %w", ErrCorruptFrameTable, d.err)
	}
	if uint64(len(raw)-d.off) != count {
		return fmt.Errorf("unmarshal frame table: %w: %d flag bytes for %d frames", ErrCorruptFrameTable, len(raw)-d.off, count)
	}
	for i := range frames {
		flags := raw[d.off+i]
		if flags&^7 != 0 {
			return fmt.Errorf("unmarshal frame table: %w: frame %d: unknown flags %#x", ErrCorruptFrameTable, i, flags)
		}
		frames[i].Key = flags&1 != 0
		frames[i].Type = typeCodes[flags>>1]
	}
	t.TimeBase = Rational{num, int64(den)}
	t.Frames = frames
	return nil
}

// decoder reads varints from a byte slice, remembering the first error.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.err = fmt.Errorf("bad varint at offset %d", d.off)
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.err = fmt.Errorf("bad varint at offset %d", d.off)
		return 0
	}
	d.off += n
	return v
}

// takeTimeBase sets the table's time base from a compact ffprobe "stream"
// line's fields (the first stream's, when there are several).
func (t *FrameTable) takeTimeBase(fields string, lineNo int) error {
	for _, kv := range strings.Split(fields, "|") {
		if k, v, ok := strings.Cut(kv, "="); ok && k == "time_base" {
			tb, err := ParseRational(v)
			if err != nil {
				return fmt.Errorf("ffprobe output line %d: %w", lineNo, err)
			}
			if t.TimeBase.IsZero() {
				t.TimeBase = tb
			}
		}
	}
	return nil
}
