package media

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// frameClips are the clips whose frame tables are checked against ffmpeg.
var frameClips = []struct {
	name string
	o    IndexedClipOptions
}{
	{"bframes.mp4", IndexedClipOptions{Frames: 100, GOP: 25, BFrames: 2, Audio: true}},
	{"hevc-bframes.mkv", IndexedClipOptions{Frames: 40, GOP: 12, BFrames: 3, Codec: "hevc"}},
	{"ntsc.mp4", IndexedClipOptions{FPS: Rational{30000, 1001}, Frames: 45, GOP: 15, BFrames: 2, Audio: true}},
	{"vfr.mp4", IndexedClipOptions{Frames: 60, GOP: 20, BFrames: 2, VFR: true, Audio: true}},
	{"vfr.mkv", IndexedClipOptions{Frames: 60, GOP: 20, BFrames: 2, VFR: true}},
	{"vfr.ts", IndexedClipOptions{Frames: 60, GOP: 20, BFrames: 2, VFR: true}},
	{"bframes.avi", IndexedClipOptions{Frames: 40, GOP: 10, BFrames: 2}},
}

func TestFrameTableMatchesFFmpeg(t *testing.T) {
	for _, c := range frameClips {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := fixture(t, c.name, c.o)
			ft, err := ReadFrameTable(testCtx(t), path)
			if err != nil {
				t.Fatal(err)
			}
			null := ffmpegNullCount(t, path)
			count, err := CountDecodedFrames(testCtx(t), path)
			if err != nil {
				t.Fatal(err)
			}
			if len(ft.Frames) != c.o.Frames || null != c.o.Frames || count != c.o.Frames {
				t.Fatalf("frame table %d, ffmpeg -f null %d, CountDecodedFrames %d; want %d", len(ft.Frames), null, count, c.o.Frames)
			}
			p, err := ProbeFile(testCtx(t), path)
			if err != nil {
				t.Fatal(err)
			}
			if ft.TimeBase != p.TimeBase {
				t.Errorf("frame table time base %v, probe %v", ft.TimeBase, p.TimeBase)
			}
			types := map[byte]int{}
			for i, f := range ft.Frames {
				types[f.Type]++
				if i > 0 && f.PTS <= ft.Frames[i-1].PTS {
					t.Errorf("frame %d PTS %d not after %d", i, f.PTS, ft.Frames[i-1].PTS)
				}
				if wantKey := i%c.o.GOP == 0; f.Key != wantKey {
					t.Errorf("frame %d key=%v, want %v (GOP %d)", i, f.Key, wantKey, c.o.GOP)
				}
			}
			if types['B'] == 0 || types['I'] == 0 || types['P'] == 0 || types['?'] != 0 {
				t.Errorf("picture types %v: want I, P and B only", types)
			}
			fps := c.o.FPS
			if fps.IsZero() {
				fps = Rational{25, 1}
			}
			nominal := 1 / fps.Float()
			d0 := ft.Seconds(1) - ft.Seconds(0)
			d1 := ft.Seconds(2) - ft.Seconds(1)
			if c.o.VFR {
				// Durations alternate 0.5 and 1.5 nominal frames (the
				// container's time base may round them).
				if math.Abs(d0-0.5*nominal) > 0.002 || math.Abs(d1-1.5*nominal) > 0.002 {
					t.Errorf("VFR deltas %.4f %.4f, want %.4f %.4f", d0, d1, 0.5*nominal, 1.5*nominal)
				}
			} else if math.Abs(d0-nominal) > 0.001 || math.Abs(d1-nominal) > 0.001 {
				t.Errorf("deltas %.4f %.4f, want %.4f", d0, d1, nominal)
			}
			want := float64(c.o.Frames-1) * nominal
			if got := ft.Seconds(len(ft.Frames) - 1); math.Abs(got-want) > 0.75*nominal {
				t.Errorf("Seconds(last) = %.4f, want ~%.4f", got, want)
			}
			checkFrameAt(t, ft)
		})
	}
}

// checkFrameAt checks FrameAt against Seconds at every boundary and in the
// middle of every interval.
func checkFrameAt(t *testing.T, ft *FrameTable) {
	t.Helper()
	n := len(ft.Frames)
	if ft.Seconds(0) != 0 {
		t.Errorf("Seconds(0) = %v, want 0", ft.Seconds(0))
	}
	for i := 0; i < n; i++ {
		s := ft.Seconds(i)
		if got, ok := ft.FrameAt(s); !ok || got != i {
			t.Errorf("FrameAt(Seconds(%d)=%v) = %d, %v", i, s, got, ok)
		}
		end := ft.Duration()
		if i+1 < n {
			end = ft.Seconds(i + 1)
		}
		if got, ok := ft.FrameAt((s + end) / 2); !ok || got != i {
			t.Errorf("FrameAt(mid of %d) = %d, %v", i, got, ok)
		}
		if got, ok := ft.FrameAt(end - (end-s)/1000); !ok || got != i {
			t.Errorf("FrameAt(just before end of %d) = %d, %v", i, got, ok)
		}
		if got, ok := ft.FrameAt(math.Nextafter(end, 0)); !ok || got != i {
			// The float just below a boundary counts as the boundary
			// (tolerance far below one tick): accept the next frame, or
			// out of range after the last, but nothing else.
			if !(ok && got == i+1) && !(!ok && i == n-1) {
				t.Errorf("FrameAt(nextafter below end of %d) = %d, %v", i, got, ok)
			}
		}
	}
	if _, ok := ft.FrameAt(-1e-9); ok {
		t.Error("FrameAt(-1e-9) in range")
	}
	if _, ok := ft.FrameAt(ft.Duration()); ok {
		t.Errorf("FrameAt(Duration()=%v) in range", ft.Duration())
	}
	if _, ok := ft.FrameAt(math.NaN()); ok {
		t.Error("FrameAt(NaN) in range")
	}
	if _, ok := ft.FrameAt(math.Inf(1)); ok {
		t.Error("FrameAt(+Inf) in range")
	}
}

func TestFrameAtSynthetic(t *testing.T) {
	// 25 fps in 1/12800 starting at a non-zero PTS.
	cfr := &FrameTable{TimeBase: Rational{1, 12800}}
	for i := 0; i < 10; i++ {
		cfr.Frames = append(cfr.Frames, FrameInfo{PTS: 1000 + int64(i)*512, Type: 'P'})
	}
	checkFrameAt(t, cfr)
	if got := cfr.Seconds(3); got != 0.12 {
		t.Errorf("Seconds(3) = %v, want 0.12", got)
	}
	if got := cfr.Duration(); got != 0.4 {
		t.Errorf("Duration = %v, want 0.4", got)
	}
	for sec, want := range map[float64]int{0: 0, 0.039999: 0, 0.04: 1, 0.12: 3, 0.3599: 8, 0.36: 9, 0.3999: 9} {
		if got, ok := cfr.FrameAt(sec); !ok || got != want {
			t.Errorf("FrameAt(%v) = %d, %v; want %d", sec, got, ok, want)
		}
	}
	if _, ok := cfr.FrameAt(0.4); ok {
		t.Error("FrameAt(0.4) past the last frame's interval")
	}

	// NTSC: 30000/1001 in 1/30000 ticks — boundaries are not exact floats.
	ntsc := &FrameTable{TimeBase: Rational{1, 30000}}
	for i := 0; i < 1000; i++ {
		ntsc.Frames = append(ntsc.Frames, FrameInfo{PTS: int64(i) * 1001})
	}
	checkFrameAt(t, ntsc)

	// VFR with a large PTS offset (MPEG-TS style, 90 kHz, ~26 hours in).
	vfr := &FrameTable{TimeBase: Rational{1, 90000}}
	pts := int64(8589934592 - 90000*60)
	for i := 0; i < 50; i++ {
		vfr.Frames = append(vfr.Frames, FrameInfo{PTS: pts})
		pts += []int64{1800, 5400, 3600}[i%3]
	}
	checkFrameAt(t, vfr)

	one := &FrameTable{TimeBase: Rational{1, 25}, Frames: []FrameInfo{{PTS: 7}}}
	if got, ok := one.FrameAt(0); !ok || got != 0 {
		t.Errorf("one-frame FrameAt(0) = %d, %v", got, ok)
	}
	if _, ok := one.FrameAt(0.01); ok {
		t.Error("one-frame FrameAt(0.01) in range")
	}
	empty := &FrameTable{TimeBase: Rational{1, 25}}
	if _, ok := empty.FrameAt(0); ok {
		t.Error("empty FrameAt(0) in range")
	}
}

func sampleTables() []*FrameTable {
	cfr := &FrameTable{TimeBase: Rational{1, 12800}}
	for i := 0; i < 300; i++ {
		typ := []byte{'I', 'B', 'B', 'P'}[i%4]
		cfr.Frames = append(cfr.Frames, FrameInfo{PTS: int64(i) * 512, Key: i%50 == 0, Type: typ})
	}
	odd := &FrameTable{TimeBase: Rational{1001, 30000}, Frames: []FrameInfo{
		{PTS: -2002, Key: true, Type: 'I'}, {PTS: 0, Type: '?'}, {PTS: math.MaxInt64, Type: 'B'},
		{PTS: math.MinInt64, Key: true, Type: 'P'}, {PTS: 5, Type: '?'},
	}}
	return []*FrameTable{
		cfr,
		odd,
		{TimeBase: Rational{1, 90000}},
		{TimeBase: Rational{1, 1000}, Frames: []FrameInfo{{PTS: 1 << 40, Key: true, Type: 'I'}}},
	}
}

func TestFrameTableMarshalRoundTrip(t *testing.T) {
	t.Parallel()
	tables := sampleTables()
	// And a real one.
	ft, err := ReadFrameTable(testCtx(t), fixture(t, "bframes.mp4", frameClips[0].o))
	if err != nil {
		t.Fatal(err)
	}
	tables = append(tables, ft)
	for i, tab := range tables {
		b, err := tab.MarshalBinary()
		if err != nil {
			t.Fatalf("table %d: %v", i, err)
		}
		var got FrameTable
		if err := got.UnmarshalBinary(b); err != nil {
			t.Fatalf("table %d: %v", i, err)
		}
		if got.TimeBase != tab.TimeBase || len(got.Frames) != len(tab.Frames) || (len(tab.Frames) > 0 && !reflect.DeepEqual(got.Frames, tab.Frames)) {
			t.Errorf("table %d: round trip mismatch", i)
		}
		if i == 0 {
			t.Logf("300-frame table: %d bytes marshalled", len(b))
		}
	}
	if _, err := (&FrameTable{}).MarshalBinary(); err == nil {
		t.Error("MarshalBinary accepted a zero time base")
	}
}

func TestFrameTableUnmarshalCorrupt(t *testing.T) {
	b, err := sampleTables()[0].MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	// Every truncation is rejected.
	for n := 0; n < len(b); n++ {
		var ft FrameTable
		if err := ft.UnmarshalBinary(b[:n]); !errors.Is(err, ErrCorruptFrameTable) {
			t.Errorf("truncated to %d of %d bytes: %v", n, len(b), err)
		}
	}
	// Every single-bit flip is rejected (zlib's Adler-32 and structure
	// checks), or at worst decodes without panicking.
	accepted := 0
	for i := 0; i < len(b); i++ {
		for bit := 0; bit < 8; bit++ {
			c := bytes.Clone(b)
			c[i] ^= 1 << bit
			var ft FrameTable
			if err := ft.UnmarshalBinary(c); err == nil {
				accepted++
			}
		}
	}
	if accepted > 0 {
		t.Logf("%d of %d bit flips decoded without error", accepted, len(b)*8)
	}
	for _, bad := range [][]byte{nil, []byte("EXFT"), []byte("EXFTxxxxxxxx"), []byte("XXXX" + string(b[4:]))} {
		var ft FrameTable
		if err := ft.UnmarshalBinary(bad); err == nil {
			t.Errorf("UnmarshalBinary(%q) accepted", bad)
		} else if !errors.Is(err, ErrCorruptFrameTable) {
			t.Errorf("error %v is not ErrCorruptFrameTable", err)
		}
	}
}

func FuzzUnmarshalFrameTable(f *testing.F) {
	for _, tab := range sampleTables() {
		b, err := tab.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte{})
	f.Add([]byte("EXFT"))
	f.Add([]byte("EXFT\x78\x9c\x03\x00\x00\x00\x00\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ft FrameTable
		if err := ft.UnmarshalBinary(data); err != nil {
			return
		}
		// Whatever decodes must re-encode and decode to the same table.
		b, err := ft.MarshalBinary()
		if err != nil {
			t.Fatalf("re-marshal of decoded table: %v", err)
		}
		var again FrameTable
		if err := again.UnmarshalBinary(b); err != nil {
			t.Fatalf("decode of re-marshalled table: %v", err)
		}
		if again.TimeBase != ft.TimeBase || len(again.Frames) != len(ft.Frames) {
			t.Fatalf("round trip changed the table")
		}
		for i := range ft.Frames {
			if again.Frames[i] != ft.Frames[i] {
				t.Fatalf("round trip changed frame %d", i)
			}
		}
		// Lookups on arbitrary decoded tables must not panic.
		if len(ft.Frames) > 0 {
			_ = ft.Seconds(len(ft.Frames) - 1)
			_, _ = ft.FrameAt(ft.Seconds(len(ft.Frames) - 1))
			_ = ft.Duration()
		}
	})
}

func TestParseFrameTableOutput(t *testing.T) {
	out := "frame|key_frame=1|pts=N/A|best_effort_timestamp=0|pict_type=I|side_data|\n\n" +
		"frame|pict_type=B|key_frame=0|pts=N/A|best_effort_timestamp=N/A\n" +
		"frame|key_frame=0|pts=40|best_effort_timestamp=40|pict_type=X\n" +
		"program|stream|time_base=1/1000\n" +
		"stream|time_base=1/1000\n"
	ft, err := parseFrameTable(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	want := []FrameInfo{{0, true, 'I'}, {1, false, 'B'}, {40, false, '?'}}
	if !reflect.DeepEqual(ft.Frames, want) || ft.TimeBase != (Rational{1, 1000}) {
		t.Errorf("parsed %+v %v, want %+v 1/1000", ft.Frames, ft.TimeBase, want)
	}
}

// BenchmarkReadFrameTable measures ReadFrameTable on a 10 s 720p clip and
// reports its time relative to the named peer, ffprobe -count_frames
// (CountDecodedFrames), which decodes the same frames without listing them.
func BenchmarkReadFrameTable(b *testing.B) {
	path := fixture(b, "bench-720p.mp4", IndexedClipOptions{Width: 1280, Height: 720, FPS: Rational{25, 1}, Frames: 250, GOP: 50, BFrames: 2})
	ctx := testCtx(b)
	var peer, ours float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		start := nowNano()
		if _, err := CountDecodedFrames(ctx, path); err != nil {
			b.Fatal(err)
		}
		peer += float64(nowNano() - start)
		b.StartTimer()
		start = nowNano()
		ft, err := ReadFrameTable(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		ours += float64(nowNano() - start)
		if len(ft.Frames) != 250 {
			b.Fatalf("%d frames", len(ft.Frames))
		}
	}
	b.ReportMetric(ours/peer, "x-vs-count_frames")
	b.ReportMetric(250*float64(b.N)/(ours/1e9), "frames/s")
}
