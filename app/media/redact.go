package media

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// BleepHz and BleepLevel are the tone that replaces a bleeped audio range:
// 1 kHz at a fixed amplitude of 0.1 full scale (−20 dBFS) on every channel.
const (
	BleepHz    = 1000
	BleepLevel = 0.1
)

// AudioEdit hides the sound between From and To (seconds from the start
// of the rendered range, From inclusive, To exclusive): muted (exact
// zeros) or, with Bleep, replaced by the BleepHz tone.
type AudioEdit struct {
	From, To float64
	Bleep    bool
}

// RedactOptions are the choices of a redacted render.
type RedactOptions struct {
	// Width and Height are the decoded picture's size.
	Width, Height int
	// Preset is the libx264 preset (default CourtPreset, as court clips).
	Preset string
	// Audio adds the master's first audio track, cut to the same interval,
	// with Edits applied.
	Audio bool
	Edits []AudioEdit
}

// FrameStage draws on one decoded frame before it is encoded: n is the
// master frame number, y, u, v the planes of a yuv420p picture (rows
// packed: Width and (Width+1)/2 samples).
type FrameStage func(n int, y, u, v []byte) error

// RedactResult is what RenderRedacted did.
type RedactResult struct {
	DecodeArgs []string // the decoding ffmpeg's arguments
	EncodeArgs []string // the encoding ffmpeg's arguments
	FrameMap   []int    // master frame of each output frame
	// Notes are steps beyond ffmpeg (the last frame's duration set).
	Notes []string
	// StageTime is the time spent in the FrameStage, all frames.
	StageTime time.Duration
}

// audioFilter is the filter that cuts audio to the range (cut) and
// applies edits: one aeval expression, a nested if() over the ranges.
func audioFilter(cut string, edits []AudioEdit) string {
	if len(edits) == 0 {
		return cut
	}
	expr := "val(ch)"
	for i := len(edits) - 1; i >= 0; i-- {
		e := edits[i]
		repl := "0"
		if e.Bleep {
			repl = fmt.Sprintf("%g*sin(2*PI*%d*t)", BleepLevel, BleepHz)
		}
		expr = fmt.Sprintf("if(gte(t,%.6f)*lt(t,%.6f),%s,%s)", e.From, e.To, repl, expr)
	}
	return cut + ",aeval=exprs='" + expr + "':c=same"
}

// RenderRedacted writes master frames r.From..r.To of input to out as a
// court-playable MP4 (the court clip's encoder settings) with stage applied
// to every frame: one ffmpeg decodes the range to raw yuv420p frames, Go
// runs stage on each with its exact master frame number, and a second
// ffmpeg encodes them. A raw stream has no timestamps, so the frames reach
// the encoder in a minimal Matroska stream written here, each with the
// master's own timestamp (nanoseconds, re-timed to the master's time base
// by the encoder): variable frame rates stay variable. Audio is cut to the
// same interval by the encoder, with o.Edits applied. progress gets the
// fraction of frames done; cancelling ctx stops both processes (the caller
// removes out).
func RenderRedacted(ctx context.Context, input, out string, r ClipRange, o RedactOptions, stage FrameStage, progress func(float64)) (*RedactResult, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if o.Width <= 0 || o.Height <= 0 {
		return nil, errors.New("redacted render: no picture size")
	}
	if o.Preset == "" {
		o.Preset = CourtPreset
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := r.To - r.From + 1
	arg, wl := toolInput(input)
	seekUS, startUS := r.trimFrom()
	durUS := floorMicro(new(big.Rat).Sub(r.end(r.To), r.seconds(r.From)))
	dec := r.decodeArgs(input)

	tb := r.Table.TimeBase
	enc := []string{"-nostdin", "-v", "error", "-f", "matroska", "-i", "pipe:0"}
	if o.Audio {
		if r.countFromStart() {
			enc = append(enc, "-copyts", "-protocol_whitelist", wl, "-i", arg, "-map", "0:v:0", "-map", "1:a:0?", "-af",
				audioFilter("atrim=start="+usArg(floorMicro(r.seconds(r.From)))+":end="+usArg(floorMicro(r.end(r.To)))+",asetpts=PTS-STARTPTS", o.Edits))
		} else {
			enc = append(enc, "-protocol_whitelist", wl, "-seek_timestamp", "1", "-noaccurate_seek", "-ss", usArg(seekUS),
				"-i", arg, "-map", "0:v:0", "-map", "1:a:0?", "-af",
				audioFilter("atrim=start="+usArg(startUS)+",asetpts=PTS-STARTPTS", o.Edits), "-t", usArg(durUS))
		}
	} else {
		enc = append(enc, "-map", "0:v:0")
	}
	enc = append(enc, "-fps_mode", "passthrough", "-enc_time_base:v", fmt.Sprintf("%d/%d", tb.Num, tb.Den),
		"-c:v", "libx264", "-preset", o.Preset, "-profile:v", "high", "-pix_fmt", "yuv420p", "-crf", "18")
	if o.Audio {
		enc = append(enc, "-c:a", "aac", "-b:a", "128k")
	}
	enc = append(enc, "-map_metadata", "-1", "-movflags", "+faststart", "-f", "mp4", "file:"+out)
	res := &RedactResult{DecodeArgs: dec, EncodeArgs: enc}

	dcmd, dse := command(ctx, FFmpegPath, dec...)
	dout, err := dcmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	ecmd, ese := command(ctx, FFmpegPath, enc...)
	ein, err := ecmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := dcmd.Start(); err != nil {
		return nil, toolError(ctx, FFmpegPath, err, "")
	}
	if err := ecmd.Start(); err != nil {
		cancel()
		_ = dcmd.Wait() // killed: its error is not the one to report
		return nil, toolError(ctx, FFmpegPath, err, "")
	}

	w, h := o.Width, o.Height
	cw, ch := (w+1)/2, (h+1)/2
	ySize, cSize := w*h, cw*ch
	frameSize := ySize + 2*cSize

	// The reader fills buffers from the decoder while the stage and the
	// encoder work on earlier ones.
	const depth = 3
	free := make(chan []byte, depth)
	for i := 0; i < depth; i++ {
		free <- make([]byte, frameSize)
	}
	full := make(chan []byte, depth)
	var readErr error
	var readCount int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(full)
		for {
			var buf []byte
			select {
			case buf = <-free:
			case <-ctx.Done():
				return
			}
			if _, err := io.ReadFull(dout, buf); err != nil {
				if err != io.EOF {
					readErr = fmt.Errorf("decoded frame %d is cut short: %w", readCount, err)
				}
				return
			}
			readCount++
			full <- buf
		}
	}()

	mw := &mkvWriter{w: ein}
	loopErr := mw.header(w, h)
	writeFailed := loopErr != nil
	k := 0
	for buf := range full {
		if loopErr != nil {
			cancel() // stop the decoder; drain so the reader ends
			continue
		}
		if k >= n {
			loopErr = fmt.Errorf("the decoder gave more than the %d frames of the range", n)
			cancel()
			continue
		}
		t0 := time.Now()
		if err := stage(r.From+k, buf[:ySize], buf[ySize:ySize+cSize], buf[ySize+cSize:frameSize]); err != nil {
			loopErr = err
			cancel()
			continue
		}
		res.StageTime += time.Since(t0)
		pts, dur := r.frameNanos(r.From + k)
		if err := mw.frame(pts, dur, buf); err != nil {
			loopErr = fmt.Errorf("encoder: %w", err)
			writeFailed = true
			continue // the encoder ended: its own error says why (below)
		}
		res.FrameMap = append(res.FrameMap, r.From+k)
		k++
		free <- buf
		if progress != nil {
			progress(float64(k) / float64(n))
		}
	}
	wg.Wait()
	cerr := ein.Close()
	derr := dcmd.Wait()
	eerr := ecmd.Wait()
	switch {
	case parent.Err() != nil: // cancelled by the caller: whatever broke after it is its consequence
		return nil, parent.Err()
	case ctx.Err() != nil && loopErr == nil:
		return nil, ctx.Err()
	case writeFailed && eerr != nil && parent.Err() == nil:
		return nil, fmt.Errorf("encode the redacted copy: %w", toolError(parent, FFmpegPath, eerr, ese.String()))
	case loopErr != nil:
		return nil, loopErr
	case derr != nil:
		return nil, fmt.Errorf("decode for the redacted copy: %s", reason(dse.String(), input))
	case readErr != nil:
		return nil, readErr
	case eerr != nil:
		return nil, fmt.Errorf("encode the redacted copy: %w", toolError(ctx, FFmpegPath, eerr, ese.String()))
	case cerr != nil:
		return nil, fmt.Errorf("encode the redacted copy: %w", cerr)
	case k != n:
		return nil, fmt.Errorf("the decoder gave %d frames, the range has %d", k, n)
	}
	note, err := setLastFrameDuration(out, new(big.Rat).Sub(r.end(r.To), r.seconds(r.To)))
	if err != nil {
		return nil, fmt.Errorf("the redacted copy's last frame: %w", err)
	}
	res.Notes = append(res.Notes, note)
	return res, nil
}

// decodeArgs are the arguments of the ffmpeg that decodes master frames
// r.From..r.To of input to raw yuv420p on its standard output, in order:
// a seek before the key frame ahead of r.From and a trim from its time
// (or, in containers without timestamps, frames counted from the start).
// The redacted render and the editor's exact preview both decode with it.
func (r ClipRange) decodeArgs(input string) []string {
	arg, wl := toolInput(input)
	seekUS, startUS := r.trimFrom()
	dec := []string{"-nostdin", "-v", "error", "-protocol_whitelist", wl}
	pick := "trim=start=" + usArg(startUS) + ",setpts=PTS-STARTPTS"
	if r.countFromStart() {
		pick = r.selectFilter()
	} else {
		dec = append(dec, "-seek_timestamp", "1", "-noaccurate_seek", "-ss", usArg(seekUS))
	}
	return append(dec, "-i", arg, "-map", "0:v:0", "-vf", pick+",format=yuv420p", "-frames:v", strconv.Itoa(r.To-r.From+1),
		"-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1")
}

// frameNanos is master frame m's time from frame r.From and how long it
// is shown, in nanoseconds (rounded to nearest).
func (r ClipRange) frameNanos(m int) (pts, dur int64) {
	ns := func(t *big.Rat) int64 {
		t = new(big.Rat).Mul(t, big.NewRat(1_000_000_000, 1))
		t.Add(t, big.NewRat(1, 2))
		return new(big.Int).Div(t.Num(), t.Denom()).Int64() // floor(t + 1/2), t >= 0
	}
	t0 := r.seconds(r.From)
	pts = ns(new(big.Rat).Sub(r.seconds(m), t0))
	return pts, ns(new(big.Rat).Sub(r.end(m), t0)) - pts
}

// mkvWriter writes a Matroska stream of one uncompressed I420 video track
// with nanosecond timestamps (TimestampScale 1): each frame is a cluster
// of its own holding its timestamp, one block and the block's duration.
// Element sizes are written in 8 bytes; the segment's size is unknown
// (a live stream), which ffmpeg's demuxer reads.
type mkvWriter struct {
	w   io.Writer
	buf []byte
}

func ebmlID(b []byte, id uint32) []byte {
	switch {
	case id >= 1<<24:
		return append(b, byte(id>>24), byte(id>>16), byte(id>>8), byte(id))
	case id >= 1<<16:
		return append(b, byte(id>>16), byte(id>>8), byte(id))
	case id >= 1<<8:
		return append(b, byte(id>>8), byte(id))
	}
	return append(b, byte(id))
}

func ebmlSize(b []byte, n uint64) []byte {
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], n|1<<56) // 0x01 marker: an 8-byte size
	return append(b, s[:]...)
}

func ebmlElem(b []byte, id uint32, payload []byte) []byte {
	b = ebmlID(b, id)
	b = ebmlSize(b, uint64(len(payload)))
	return append(b, payload...)
}

func ebmlUint(b []byte, id uint32, v uint64) []byte {
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], v)
	i := 0
	for i < 7 && s[i] == 0 {
		i++
	}
	return ebmlElem(b, id, s[i:])
}

func (m *mkvWriter) header(w, h int) error {
	var hd []byte
	hd = ebmlUint(hd, 0x4286, 1)                  // EBMLVersion
	hd = ebmlUint(hd, 0x42F7, 1)                  // EBMLReadVersion
	hd = ebmlUint(hd, 0x42F2, 4)                  // EBMLMaxIDLength
	hd = ebmlUint(hd, 0x42F3, 8)                  // EBMLMaxSizeLength
	hd = ebmlElem(hd, 0x4282, []byte("matroska")) // DocType
	hd = ebmlUint(hd, 0x4287, 4)                  // DocTypeVersion
	hd = ebmlUint(hd, 0x4285, 2)                  // DocTypeReadVersion
	b := ebmlElem(nil, 0x1A45DFA3, hd)
	b = ebmlID(b, 0x18538067) // Segment, unknown size
	b = append(b, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)
	var info []byte
	info = ebmlUint(info, 0x2AD7B1, 1)               // TimestampScale: 1 ns
	info = ebmlElem(info, 0x4D80, []byte("exhibit")) // MuxingApp
	info = ebmlElem(info, 0x5741, []byte("exhibit")) // WritingApp
	b = ebmlElem(b, 0x1549A966, info)
	var video []byte
	video = ebmlUint(video, 0xB0, uint64(w))          // PixelWidth
	video = ebmlUint(video, 0xBA, uint64(h))          // PixelHeight
	video = ebmlElem(video, 0x2EB524, []byte("I420")) // ColourSpace
	var te []byte
	te = ebmlUint(te, 0xD7, 1)                        // TrackNumber
	te = ebmlUint(te, 0x73C5, 1)                      // TrackUID
	te = ebmlUint(te, 0x83, 1)                        // TrackType: video
	te = ebmlUint(te, 0x9C, 0)                        // FlagLacing
	te = ebmlElem(te, 0x86, []byte("V_UNCOMPRESSED")) // CodecID
	te = ebmlElem(te, 0xE0, video)
	b = ebmlElem(b, 0x1654AE6B, ebmlElem(nil, 0xAE, te)) // Tracks, TrackEntry
	_, err := m.w.Write(b)
	return err
}

// frame writes one picture shown at pts for dur (nanoseconds).
func (m *mkvWriter) frame(pts, dur int64, data []byte) error {
	if dur <= 0 {
		dur = 1
	}
	ts := ebmlUint(nil, 0xE7, uint64(pts)) // Timestamp
	bd := ebmlUint(nil, 0x9B, uint64(dur)) // BlockDuration
	blockLen := 4 + len(data)              // track 1, relative timestamp 0, flags
	blockElem := 1 + 8 + blockLen          // Block (A1)
	group := blockElem + len(bd)           // BlockGroup payload
	cluster := len(ts) + 1 + 8 + group     // Cluster payload
	b := ebmlID(m.buf[:0], 0x1F43B675)
	b = ebmlSize(b, uint64(cluster))
	b = append(b, ts...)
	b = ebmlID(b, 0xA0)
	b = ebmlSize(b, uint64(group))
	b = ebmlID(b, 0xA1)
	b = ebmlSize(b, uint64(blockLen))
	b = append(b, 0x81, 0, 0, 0)
	m.buf = b
	if _, err := m.w.Write(b); err != nil {
		return err
	}
	if _, err := m.w.Write(data); err != nil {
		return err
	}
	_, err := m.w.Write(bd)
	return err
}

// AudioEditsNote describes edits for a recipe.
func AudioEditsNote(edits []AudioEdit) string {
	var parts []string
	for _, e := range edits {
		k := "muted"
		if e.Bleep {
			k = fmt.Sprintf("bleep %d Hz at %g full scale", BleepHz, BleepLevel)
		}
		parts = append(parts, fmt.Sprintf("%.6f-%.6f s %s", e.From, e.To, k))
	}
	return strings.Join(parts, "; ")
}

// setLastFrameDuration makes the last video frame of the MP4 at path last
// lastSec seconds, as in the master. ffmpeg's encoder loses the duration
// of the frames it is fed, and its MP4 muxer then gives the last sample a
// duration of 0 and ends the edit list on its start, so that players
// (and ffmpeg) never show it. Patched in place: the last stts entry (one
// sample), the mdhd duration, and the edit list, tkhd and mvhd durations
// (setVideoEdit). It returns a note for the recipe.
func setLastFrameDuration(path string, lastSec *big.Rat) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	m, err := parseMP4(b)
	if err != nil {
		return "", fmt.Errorf("read the encoded MP4: %w", err)
	}
	stts, mdhd, err := videoTableBoxes(b)
	if err != nil {
		return "", err
	}
	cts, ts, edits, err := m.videoPresentation()
	if err != nil {
		return "", err
	}
	if len(cts) == 0 || len(edits) == 0 || edits[len(edits)-1].mediaTime < 0 {
		return "", errors.New("the encoded MP4 has no video edit")
	}
	d := new(big.Rat).Mul(lastSec, big.NewRat(int64(ts), 1))
	d.Add(d, big.NewRat(1, 2))
	want := new(big.Int).Div(d.Num(), d.Denom()).Int64()
	if want <= 0 || want > 0xFFFFFFFF {
		return "", fmt.Errorf("last frame duration %d ticks", want)
	}
	n := int(binary.BigEndian.Uint32(b[stts.body+4:]))
	if n == 0 {
		return "", errors.New("empty stts")
	}
	last := stts.body + 8 + 8*(n-1)
	count, old := binary.BigEndian.Uint32(b[last:]), int64(binary.BigEndian.Uint32(b[last+4:]))
	if old != want {
		if count != 1 {
			return "", fmt.Errorf("the last %d video samples share a duration of %d ticks, the last frame needs %d", count, old, want)
		}
		binary.BigEndian.PutUint32(b[last+4:], uint32(want))
		if b[mdhd.body] == 1 {
			off := mdhd.body + 4 + 16 + 4
			binary.BigEndian.PutUint64(b[off:], uint64(int64(binary.BigEndian.Uint64(b[off:]))+want-old))
		} else {
			off := mdhd.body + 4 + 8 + 4
			if err := writeDur(b, off, false, int64(binary.BigEndian.Uint32(b[off:]))+want-old); err != nil {
				return "", err
			}
		}
	}
	start := edits[len(edits)-1].mediaTime
	mt, seg, err := m.setVideoEdit(start, cts[len(cts)-1]+want-start)
	if err != nil {
		return "", err
	}
	if err := writeAtInPlace(path, b, 0); err != nil {
		return "", err
	}
	return fmt.Sprintf("the last video sample's duration set to %d (track timescale %d), as the master frame's; video edit list media time %d, segment duration %d (movie timescale %d); mdhd, tkhd and mvhd durations to match",
		want, ts, mt, seg, m.movieTimescale), nil
}

// videoTableBoxes finds the video track's stts and mdhd boxes.
func videoTableBoxes(b []byte) (stts, mdhd mp4Box, err error) {
	top, err := mp4Children(b, 0, len(b))
	if err != nil {
		return stts, mdhd, err
	}
	for _, t := range top {
		if t.typ != "moov" {
			continue
		}
		kids, err := mp4Children(b, t.body, t.end)
		if err != nil {
			return stts, mdhd, err
		}
		for _, k := range kids {
			if k.typ != "trak" {
				continue
			}
			hdlr, err := mp4Path(b, k, "mdia", "hdlr")
			if err != nil {
				return stts, mdhd, err
			}
			if string(b[hdlr.body+8:hdlr.body+12]) != "vide" {
				continue
			}
			if mdhd, err = mp4Path(b, k, "mdia", "mdhd"); err != nil {
				return stts, mdhd, err
			}
			stts, err = mp4Path(b, k, "mdia", "minf", "stbl", "stts")
			return stts, mdhd, err
		}
	}
	return stts, mdhd, errors.New("no video track")
}
