package media

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ErrNoPacketTimes reports an input whose demuxer gives video packets no
// presentation timestamp (AVI, raw streams): its frame order is known only
// by decoding, so ReadPacketTable cannot build a table.
var ErrNoPacketTimes = errors.New("video packets carry no presentation timestamps")

// ReadPacketTable builds the frame table of the first video stream of input
// (a path or an http(s) URL) from the demuxer alone: every video packet's
// PTS and key flag, sorted into presentation order. Nothing is decoded, so
// it costs a read of the container's index (MP4, MOV, MKV) or of the file
// (MPEG-TS) instead of a decode of every frame. Picture types are '?'.
// Packets the demuxer marks to be discarded (before an edit list's start)
// are left out, as the decoder drops them.
//
// The result is what the decoder outputs for a well-formed stream; a packet
// that does not decode to a frame is found only by decoding (ReadFrameTable,
// the background frame check). An input whose packets have no PTS yields an
// error wrapping ErrNoPacketTimes.
func ReadPacketTable(ctx context.Context, input string) (*FrameTable, error) {
	return streamTable(ctx, input, "packet table", false, parsePacketTable,
		"-show_entries", "packet=pts,flags:stream=time_base")
}

// parsePacketTable reads ffprobe "compact=p=1:nk=0" packet lines such as
// "packet|pts=1536|flags=K_" and "stream|time_base=1/12800", and sorts the
// packets into presentation order.
func parsePacketTable(r io.Reader) (*FrameTable, error) {
	t := &FrameTable{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		section, rest, _ := strings.Cut(line, "|")
		switch section {
		case "packet":
			var (
				f       = FrameInfo{Type: '?'}
				havePTS bool
				discard bool
			)
			for _, kv := range strings.Split(rest, "|") {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					continue
				}
				switch k {
				case "pts":
					if n, err := strconv.ParseInt(v, 10, 64); err == nil {
						f.PTS, havePTS = n, true
					}
				case "flags":
					f.Key = strings.IndexByte(v, 'K') >= 0
					discard = strings.IndexByte(v, 'D') >= 0
				}
			}
			if discard {
				continue
			}
			if !havePTS {
				// Drain the rest so ffprobe finishes; the caller decodes instead.
				_, _ = io.Copy(io.Discard, r)
				return nil, fmt.Errorf("packet %d: %w", len(t.Frames), ErrNoPacketTimes)
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
	sort.SliceStable(t.Frames, func(i, j int) bool { return t.Frames[i].PTS < t.Frames[j].PTS })
	return t, nil
}

// TableDifference describes how a decoded frame table differs from the
// packet table it checks; the zero value means they agree.
type TableDifference struct {
	PacketFrames, DecodedFrames int
	// FirstPTS is the index of the first frame whose PTS differs (-1: none
	// within the shorter table).
	FirstPTS int
	// KeyFlags counts frames (within the shorter table) whose key flag differs.
	KeyFlags int
}

// Differs reports whether the tables disagree on anything but picture types.
func (d TableDifference) Differs() bool {
	return d.PacketFrames != d.DecodedFrames || d.FirstPTS >= 0 || d.KeyFlags > 0
}

// Compare returns how decoded differs from t (picture types are ignored:
// a packet table has none). Time bases must be equal for PTS to compare;
// different ones count as a difference at frame 0.
func (t *FrameTable) Compare(decoded *FrameTable) TableDifference {
	d := TableDifference{PacketFrames: len(t.Frames), DecodedFrames: len(decoded.Frames), FirstPTS: -1}
	if t.TimeBase != decoded.TimeBase {
		d.FirstPTS = 0
	}
	for i := range min(len(t.Frames), len(decoded.Frames)) {
		a, b := t.Frames[i], decoded.Frames[i]
		if d.FirstPTS < 0 && a.PTS != b.PTS {
			d.FirstPTS = i
		}
		if a.Key != b.Key {
			d.KeyFlags++
		}
	}
	return d
}

// lowerPriority sets a child process to the lowest CPU priority (nice 19).
// It is advisory: a failure only means the child competes as usual.
func lowerPriority(pid int) {
	_ = unix.Setpriority(unix.PRIO_PROCESS, pid, 19)
}
