package media

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrNoAudio reports that an input has no audio stream to draw.
var ErrNoAudio = errors.New("no audio")

// waveformRate is the sample rate audio is decoded at for a waveform: it
// is for the eye, not the ear.
const waveformRate = 8000

// WaveformBucket is the length of audio each waveform level summarises.
const WaveformBucket = 50 * time.Millisecond

// Waveform decodes the first audio stream of input (a path or an http(s)
// URL) once, mixed to mono, and returns one level per WaveformBucket: the
// bucket's peak in decibels below full scale mapped to 0 (-60 dB or
// quieter: silence) .. 255 (0 dB: the loudest possible), so that speech
// and shouting stand out from silence at a glance. An input without audio
// yields an error wrapping ErrNoAudio.
func Waveform(ctx context.Context, input string) ([]byte, error) {
	arg, wl := toolInput(input)
	cmd, se := command(ctx, FFmpegPath, "-nostdin", "-hide_banner", "-v", "error",
		"-protocol_whitelist", wl, "-i", arg,
		"-map", "0:a:0?", "-vn", "-sn", "-dn", "-ac", "1", "-ar", strconv.Itoa(waveformRate),
		"-f", "s16le", "-c:a", "pcm_s16le", "pipe:1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("waveform of %s: %w", input, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, toolError(ctx, FFmpegPath, err, se.String())
	}
	levels, samples, rerr := waveformLevels(bufio.NewReaderSize(out, 64<<10))
	werr := cmd.Wait()
	if werr != nil && ctx.Err() == nil && strings.Contains(se.String(), "does not contain any stream") {
		return nil, fmt.Errorf("waveform of %s: %w", input, ErrNoAudio)
	}
	if werr != nil {
		return nil, classify(ctx, FFmpegPath, "waveform of", input, werr, se.String())
	}
	if rerr != nil {
		return nil, fmt.Errorf("waveform of %s: %w", input, rerr)
	}
	if samples == 0 {
		return nil, fmt.Errorf("waveform of %s: %w", input, ErrNoAudio)
	}
	return levels, nil
}

// waveformLevels reads 16-bit little-endian mono samples and returns the
// level of each bucket and the number of samples read.
func waveformLevels(r io.Reader) ([]byte, int, error) {
	per := int(waveformRate * WaveformBucket / time.Second)
	var (
		levels []byte
		peak   int
		n, all int
		buf    [2]byte
	)
	flush := func() {
		levels = append(levels, WaveformLevel(float64(peak)/32768))
		peak, n = 0, 0
	}
	for {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			return nil, all, err
		}
		v := int(int16(binary.LittleEndian.Uint16(buf[:])))
		if v < 0 {
			v = -v
		}
		peak = max(peak, v)
		n++
		all++
		if n == per {
			flush()
		}
	}
	if n > 0 {
		flush()
	}
	return levels, all, nil
}

// WaveformLevel maps a peak amplitude (0..1 of full scale) to a level
// 0..255 on a decibel scale from -60 dB (0) to 0 dB (255).
func WaveformLevel(amp float64) byte {
	if amp <= 0 {
		return 0
	}
	db := 20 * math.Log10(amp)
	v := (db + 60) / 60 * 255
	return byte(math.Round(max(0, min(255, v))))
}
