package media

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A tone that sounds in odd seconds only shows as loud levels there and
// silence in even seconds; a clip without audio is ErrNoAudio.
func TestWaveformBursts(t *testing.T) {
	p := fixture(t, "bursts.mp4", IndexedClipOptions{Frames: 100, Audio: true, ToneBursts: true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	lv, err := Waveform(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	per := int(time.Second / WaveformBucket)
	if len(lv) < 4*per-6 || len(lv) > 4*per+4 {
		t.Fatalf("%d levels for 4 s, want about %d", len(lv), 4*per)
	}
	// Middle of each second, away from the encoder's edges.
	for sec := range 4 {
		v := lv[sec*per+per/2]
		if sec%2 == 1 && v < 200 {
			t.Errorf("second %d (tone at 0.9): level %d, want loud (>= 200)", sec, v)
		}
		if sec%2 == 0 && v > 40 {
			t.Errorf("second %d (silence): level %d, want quiet (<= 40)", sec, v)
		}
	}
	silent := fixture(t, "noaudio.mp4", IndexedClipOptions{Frames: 10})
	if _, err := Waveform(ctx, silent); !errors.Is(err, ErrNoAudio) {
		t.Errorf("clip without audio: %v, want ErrNoAudio", err)
	}
}

func TestWaveformLevel(t *testing.T) {
	for _, c := range []struct {
		amp  float64
		want byte
	}{{0, 0}, {0.0001, 0}, {0.001, 0}, {1, 255}, {2, 255}, {0.1, 170}} {
		if got := WaveformLevel(c.amp); got != c.want {
			t.Errorf("WaveformLevel(%v) = %d, want %d", c.amp, got, c.want)
		}
	}
}
