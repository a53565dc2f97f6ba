package media

import (
	"errors"
	"strings"
	"testing"
)

// packetClips add containers and codecs to frameClips for the packet table.
var packetClips = append([]struct {
	name string
	o    IndexedClipOptions
}{
	{"bframes.mkv", IndexedClipOptions{Frames: 75, GOP: 25, BFrames: 2, Audio: true}},
	{"bframes.ts", IndexedClipOptions{Frames: 75, GOP: 25, BFrames: 2, Audio: true}},
	{"bframes.mov", IndexedClipOptions{Frames: 60, GOP: 20, BFrames: 3}},
	{"hevc-bframes.mp4", IndexedClipOptions{Frames: 40, GOP: 12, BFrames: 3, Codec: "hevc", Audio: true}},
	{"hevc-bframes.ts", IndexedClipOptions{Frames: 40, GOP: 12, BFrames: 3, Codec: "hevc"}},
	{"vfr-nob.mp4", IndexedClipOptions{Frames: 40, GOP: 10, VFR: true}},
}, frameClips...)

// TestPacketTableMatchesDecodedTable: the demuxer's table (no decoding) is
// the decoder's table, PTS for PTS and key flag for key flag, for every
// container and codec the generator makes, except AVI, whose packets carry
// no PTS and is refused so that ingest decodes it.
func TestPacketTableMatchesDecodedTable(t *testing.T) {
	for _, c := range packetClips {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := fixture(t, c.name, c.o)
			pt, err := ReadPacketTable(testCtx(t), path)
			if strings.HasSuffix(c.name, ".avi") {
				if !errors.Is(err, ErrNoPacketTimes) {
					t.Fatalf("AVI packet table: %v, want ErrNoPacketTimes", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ft, err := ReadFrameTable(testCtx(t), path)
			if err != nil {
				t.Fatal(err)
			}
			if d := pt.Compare(ft); d.Differs() {
				t.Fatalf("packet table differs from decoded table: %+v", d)
			}
			if len(pt.Frames) != c.o.Frames {
				t.Fatalf("packet table has %d frames, want %d", len(pt.Frames), c.o.Frames)
			}
			for i, f := range pt.Frames {
				if f.Type != '?' {
					t.Fatalf("frame %d type %q from packets, want '?'", i, f.Type)
				}
			}
		})
	}
}

func TestPacketTableCompareFindsDifferences(t *testing.T) {
	a := &FrameTable{TimeBase: Rational{1, 25}, Frames: []FrameInfo{{0, true, '?'}, {1, false, '?'}, {2, false, '?'}}}
	b := &FrameTable{TimeBase: Rational{1, 25}, Frames: []FrameInfo{{0, true, 'I'}, {1, false, 'B'}, {2, false, 'P'}}}
	if d := a.Compare(b); d.Differs() {
		t.Fatalf("picture types alone count as a difference: %+v", d)
	}
	b.Frames = b.Frames[:2]
	if d := a.Compare(b); !d.Differs() || d.DecodedFrames != 2 {
		t.Fatalf("a missing frame: %+v", d)
	}
	b.Frames = []FrameInfo{{0, true, 'I'}, {2, true, 'P'}, {3, false, 'P'}}
	if d := a.Compare(b); d.FirstPTS != 1 || d.KeyFlags != 1 {
		t.Fatalf("PTS and key differences: %+v", d)
	}
}

func TestParsePacketTableDiscardAndOrder(t *testing.T) {
	out := "packet|pts=-512|flags=KD\npacket|pts=0|flags=K_\npacket|pts=1536|flags=__\npacket|pts=512|flags=__|side_data|\n\npacket|pts=1024|flags=__\nstream|time_base=1/12800\n"
	ft, err := parsePacketTable(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var pts []int64
	for _, f := range ft.Frames {
		pts = append(pts, f.PTS)
	}
	if len(pts) != 4 || pts[0] != 0 || pts[1] != 512 || pts[2] != 1024 || pts[3] != 1536 || !ft.Frames[0].Key || ft.Frames[1].Key {
		t.Fatalf("frames %+v", ft.Frames)
	}
	if ft.TimeBase != (Rational{1, 12800}) {
		t.Fatalf("time base %v", ft.TimeBase)
	}
	if _, err := parsePacketTable(strings.NewReader("packet|pts=N/A|flags=K_\n")); !errors.Is(err, ErrNoPacketTimes) {
		t.Fatalf("no PTS: %v", err)
	}
}
