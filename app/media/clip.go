package media

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrNotLossless reports a range that cannot be cut from its source without
// re-encoding so that it decodes to exactly the master's frames.
var ErrNotLossless = errors.New("this range cannot be cut losslessly")

// CourtPreset is the libx264 preset of court-playable clips.
const CourtPreset = "veryfast"

// ClipRange is a range of a master's frames, inclusive, 0-based, with the
// master's frame table (times and key frames).
type ClipRange struct {
	Table    *FrameTable
	From, To int
	// Container is the master's container as Probe names it ("mp4",
	// "mkv", "mpegts", ...). Containers without an index (MPEG-TS, PS)
	// are seeked well before the key frame: ffmpeg's timestamp search
	// there can land on a packet after it.
	Container string
}

// indexedContainers seek exactly to the key frame at or before a time.
var indexedContainers = map[string]bool{"mp4": true, "mov": true, "3gp": true, "3g2": true, "mkv": true, "webm": true, "avi": true}

// timedContainers store a presentation timestamp for every frame, so a
// frame is found by its time after a seek. In others (AVI) timestamps are
// guessed by the decoder and may differ after a seek: frames are counted
// from the start instead (select=between(n,From,To)), slower but exact.
var timedContainers = map[string]bool{"mp4": true, "mov": true, "3gp": true, "3g2": true, "mkv": true, "webm": true, "mpegts": true}

func (r ClipRange) countFromStart() bool { return !timedContainers[r.Container] }

// selectFilter keeps frames From..To, counted from the start, timed from 0.
func (r ClipRange) selectFilter() string {
	return fmt.Sprintf("select=between(n\\,%d\\,%d),setpts=PTS-STARTPTS", r.From, r.To)
}

// keyBefore returns the key frame at or before frame n (-1 if none).
func (r ClipRange) keyBefore(n int) int {
	for n >= 0 && !r.Table.Frames[n].Key {
		n--
	}
	return n
}

// seek returns the input seek point (microseconds, in the stream's own
// timestamps) that makes ffmpeg start reading at or before key frame k, and
// the frame a whose display interval holds it (-1: before frame 0). The
// point lies halfway between two frames, so rounding cannot move it across
// one.
func (r ClipRange) seek(k int) (us int64, a int) {
	a = k
	if !indexedContainers[r.Container] {
		// Demuxers without an index search timestamps and may land on the
		// packet after the key frame's; 17 frames cover any B-frame delay.
		a = k - 17
	} else if k+1 >= r.Table.Len() {
		a = k - 1
	}
	if a < 0 {
		return floorMicro(new(big.Rat).Sub(r.seconds(0), big.NewRat(1, 1))), -1
	}
	return floorMicro(midpoint(r.seconds(a), r.seconds(a+1))), a
}

// floorMicro rounds t (seconds) down to whole microseconds.
func floorMicro(t *big.Rat) int64 {
	us := new(big.Rat).Mul(t, big.NewRat(1_000_000, 1))
	q := new(big.Int).Quo(us.Num(), us.Denom()) // truncates toward zero
	if us.Sign() < 0 && !us.IsInt() {
		q.Sub(q, big.NewInt(1))
	}
	return q.Int64()
}

// usArg formats microseconds for an ffmpeg time option.
func usArg(us int64) string {
	sign := ""
	if us < 0 {
		sign, us = "-", -us
	}
	return fmt.Sprintf("%s%d.%06d", sign, us/1_000_000, us%1_000_000)
}

// trimFrom returns the decode-side seek: the input -ss point before the key
// frame ahead of frame From, and the offset from it (microseconds) at which
// frame From starts, for a trim filter.
func (r ClipRange) trimFrom() (seekUS, startUS int64) {
	seekUS, a := r.seek(r.keyBefore(r.From))
	if a >= r.From {
		// The seek point must come before frame From itself.
		if r.From == 0 {
			seekUS = floorMicro(new(big.Rat).Sub(r.seconds(0), big.NewRat(1, 1)))
		} else {
			seekUS = floorMicro(midpoint(r.seconds(r.From-1), r.seconds(r.From)))
		}
	}
	return seekUS, floorMicro(r.seconds(r.From)) - seekUS
}

func (r ClipRange) check() error {
	if r.Table == nil || r.Table.Len() == 0 {
		return errors.New("no frame table")
	}
	if r.From < 0 || r.To < r.From || r.To >= r.Table.Len() {
		return fmt.Errorf("frames %d-%d are outside the recording (frames 0 to %d)", r.From, r.To, r.Table.Len()-1)
	}
	return nil
}

// ticks returns a frame's PTS as an exact rational number of seconds.
func (r ClipRange) seconds(n int) *big.Rat {
	tb := r.Table.TimeBase
	return new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(r.Table.Frames[n].PTS), big.NewInt(tb.Num)), big.NewInt(tb.Den))
}

// end returns the time at which frame n stops being shown: the next frame's
// PTS, or for the last frame its PTS plus the previous interval.
func (r ClipRange) end(n int) *big.Rat {
	if n+1 < r.Table.Len() {
		return r.seconds(n + 1)
	}
	tb := r.Table.TimeBase
	d := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(r.Table.lastDuration()), big.NewInt(tb.Num)), big.NewInt(tb.Den))
	if d.Sign() == 0 {
		d.SetFrac64(1, 1000)
	}
	return d.Add(d, r.seconds(n))
}

func midpoint(a, b *big.Rat) *big.Rat {
	m := new(big.Rat).Add(a, b)
	return m.Quo(m, big.NewRat(2, 1))
}

var (
	versionMu   sync.Mutex
	versionLine string
)

// FFmpegVersion returns the first line of `ffmpeg -version`, for recipes
// (read once per process; a failure is not remembered).
func FFmpegVersion(ctx context.Context) (string, error) {
	versionMu.Lock()
	defer versionMu.Unlock()
	if versionLine != "" {
		return versionLine, nil
	}
	var out bytes.Buffer
	if _, err := run(ctx, &out, FFmpegPath, "-version"); err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(out.String(), "\n")
	versionLine = strings.TrimSpace(line)
	return versionLine, nil
}

// FrameHashArgs returns the ffmpeg arguments that write the frame hashes
// of input's first video stream (ffmpeg's framehash format, SHA-256,
// software decoding on one thread, bit-exact, every frame with its own
// timestamp) to standard output. pre go before -i (a seek).
func FrameHashArgs(input string, pre ...string) []string {
	arg, wl := toolInput(input)
	args := []string{"-nostdin", "-v", "error", "-threads", "1", "-flags:v", "+bitexact", "-protocol_whitelist", wl}
	args = append(args, pre...)
	return append(args, "-i", arg, "-map", "0:v:0", "-fps_mode", "passthrough", "-enc_time_base:v", "-1",
		"-flags:v", "+bitexact", "-fflags", "+bitexact", "-f", "framehash", "-hash", "sha256", "-")
}

// FrameHash returns the framehash text of every decoded frame of input's
// first video stream (see FrameHashArgs).
func FrameHash(ctx context.Context, input string) ([]byte, error) {
	return frameHash(ctx, input, false, FrameHashArgs(input))
}

// FrameHashIdle is FrameHash with ffmpeg at the lowest CPU priority (nice
// 19), for the background clip check.
func FrameHashIdle(ctx context.Context, input string) ([]byte, error) {
	return frameHash(ctx, input, true, FrameHashArgs(input))
}

func frameHash(ctx context.Context, input string, idle bool, args []string) ([]byte, error) {
	var out bytes.Buffer
	cmd, se := command(ctx, FFmpegPath, args...)
	cmd.Stdout = &out
	err := cmd.Start()
	if err == nil {
		if idle {
			lowerPriority(cmd.Process.Pid)
		}
		err = cmd.Wait()
	}
	if err != nil {
		return nil, classify(ctx, FFmpegPath, "frame hashes", input, err, se.String())
	}
	return out.Bytes(), nil
}

// RangeFrameHash returns the framehash text of master frames r.From..r.To
// of input (decoded from the key frame before From; timestamps counted
// from frame From).
func RangeFrameHash(ctx context.Context, input string, r ClipRange) ([]byte, error) {
	return rangeFrameHash(ctx, input, r, false)
}

// RangeFrameHashIdle is RangeFrameHash at the lowest CPU priority.
func RangeFrameHashIdle(ctx context.Context, input string, r ClipRange) ([]byte, error) {
	return rangeFrameHash(ctx, input, r, true)
}

func rangeFrameHash(ctx context.Context, input string, r ClipRange, idle bool) ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var args []string
	if r.countFromStart() {
		args = FrameHashArgs(input)
		args = append(args[:len(args)-1], "-vf", r.selectFilter(), "-frames:v", strconv.Itoa(r.To-r.From+1), "-")
	} else {
		seekUS, startUS := r.trimFrom()
		args = FrameHashArgs(input, "-seek_timestamp", "1", "-noaccurate_seek", "-ss", usArg(seekUS))
		// Keep frames From..To: insert the trim and the count before "-".
		args = append(args[:len(args)-1], "-vf", "trim=start="+usArg(startUS)+",setpts=PTS-STARTPTS",
			"-frames:v", strconv.Itoa(r.To-r.From+1), "-")
	}
	return frameHash(ctx, input, idle, args)
}

// FrameHashRow is one row of framehash output.
type FrameHashRow struct {
	Stream             int
	DTS, PTS, Duration int64
	Size               int64
	Hash               string
}

// ParseFrameHash reads framehash text: '#' comment lines, then rows
// "stream, dts, pts, duration, size, hash".
func ParseFrameHash(b []byte) ([]FrameHashRow, error) {
	var rows []FrameHashRow
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		if len(f) != 6 {
			return nil, fmt.Errorf("framehash row %q: want 6 fields", line)
		}
		var r FrameHashRow
		var ints [5]int64
		for i := 0; i < 5; i++ {
			v, err := strconv.ParseInt(strings.TrimSpace(f[i]), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("framehash row %q: %w", line, err)
			}
			ints[i] = v
		}
		r.Stream, r.DTS, r.PTS, r.Duration, r.Size = int(ints[0]), ints[1], ints[2], ints[3], ints[4]
		r.Hash = strings.TrimSpace(f[5])
		rows = append(rows, r)
	}
	return rows, sc.Err()
}

// SameFrames compares two framehash texts row for row on what identifies a
// picture (size and hash; timestamps may use different time bases). It
// returns nil or an error naming the first difference.
func SameFrames(clip, master []byte) error {
	a, err := ParseFrameHash(clip)
	if err != nil {
		return err
	}
	b, err := ParseFrameHash(master)
	if err != nil {
		return err
	}
	for i := 0; i < min(len(a), len(b)); i++ {
		if a[i].Size != b[i].Size || a[i].Hash != b[i].Hash {
			return fmt.Errorf("clip frame %d differs from the master's", i)
		}
	}
	if len(a) != len(b) {
		return fmt.Errorf("the clip decodes to %d frames, the master range has %d", len(a), len(b))
	}
	return nil
}

// ClipResult is what a cut or transcode did.
type ClipResult struct {
	Args     []string // the ffmpeg arguments that made the clip
	Notes    []string // steps beyond ffmpeg (the edit list written)
	FrameMap []int    // master frame of each clip frame
	// Proof says how the clip was proven when written, without decoding
	// it; empty when it could not be (Unproven says why): the caller must
	// then compare decoded frames before keeping it.
	Proof    string
	Unproven string
	// FFmpegTime and ProofTime are how long ffmpeg, and the edit list and
	// proof after it, took.
	FFmpegTime, ProofTime time.Duration
	// Prove, set when the proof was deferred (Master.DeferProof), makes
	// the proof: the note for the recipe, or why it could not be made.
	Prove func() (string, error)
}

// progressArgs makes ffmpeg report progress on standard output.
var progressArgs = []string{"-progress", "pipe:1", "-nostats"}

// runWithProgress runs ffmpeg and reports the fraction of total seconds of
// output written so far. fds are the child's ends of pipes it writes to as
// pipe:3, pipe:4, ...; they are closed here once ffmpeg has started (or
// failed to), so their readers see the end when ffmpeg exits.
func runWithProgress(ctx context.Context, args []string, total float64, progress func(float64), fds ...*os.File) (string, error) {
	cmd, se := command(ctx, FFmpegPath, args...)
	closeFds := func() {
		for _, f := range fds {
			_ = f.Close() // our copy of the child's end; the child keeps its own
		}
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		closeFds()
		return "", err
	}
	cmd.ExtraFiles = fds
	err = cmd.Start()
	closeFds()
	if err != nil {
		return "", toolError(ctx, FFmpegPath, err, "")
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok || k != "out_time_us" || progress == nil || total <= 0 {
			continue
		}
		if us, err := strconv.ParseInt(v, 10, 64); err == nil {
			progress(math.Min(1, math.Max(0, float64(us)/1e6/total)))
		}
	}
	_, _ = io.Copy(io.Discard, out)
	err = cmd.Wait()
	if err == nil && progress != nil {
		progress(1)
	}
	return se.String(), toolError(ctx, FFmpegPath, err, se.String())
}

// pipeInto returns the child's end of a pipe whose output is copied into w
// by a goroutine, and a function that waits for that copy.
func pipeInto(w io.Writer) (*os.File, func() error, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	done := make(chan error, 1)
	go func() {
		_, err := io.Copy(w, pr)
		_ = pr.Close() // drained
		done <- err
	}()
	return pw, func() error { return <-done }, nil
}

// mp4Audio lists audio codecs copied into a lossless MP4 clip.
var mp4Audio = map[string]bool{"aac": true, "mp3": true, "ac3": true, "eac3": true, "opus": true, "alac": true}

// mp4Family are the masters whose packets a lossless cut compares with the
// clip's directly, reading the master's own sample table.
var mp4Family = map[string]bool{"mp4": true, "mov": true, "3gp": true, "3g2": true}

// Master is the master a clip is cut from: its URL (or path) for ffmpeg
// and, when not nil, a reader of the same bytes (the decrypting vault
// reader) through which a lossless cut of an MP4/MOV master compares the
// clip's packets with the master's.
type Master struct {
	URL    string
	Reader io.ReaderAt
	Size   int64
	// DeferProof leaves the proof to the caller: CutLosslessFrom returns
	// after the cut and the edit list with ClipResult.Prove set, so the
	// caller can run it beside other work (storing the clip).
	DeferProof bool
}

// CutLossless writes frames r.From..r.To of input to out (an MP4 path)
// without re-encoding (see CutLosslessFrom). A local input is compared
// packet for packet with the clip through the file itself.
func CutLossless(ctx context.Context, input, out, audioCodec string, r ClipRange, progress func(float64)) (*ClipResult, error) {
	m := Master{URL: input}
	if !isURL(input) {
		f, err := os.Open(input)
		if err != nil {
			return nil, err
		}
		defer f.Close() // read only
		st, err := f.Stat()
		if err != nil {
			return nil, err
		}
		m.Reader, m.Size = f, st.Size()
	}
	return CutLosslessFrom(ctx, m, out, audioCodec, r, progress)
}

// CutLosslessFrom writes frames r.From..r.To of the master to out (an MP4
// path) without re-encoding: the coded frames from the key frame before
// From to the last packet needed to decode To, and an edit list that
// starts the presentation on From and ends it after To. audioCodec names
// the master's audio (copied when MP4 can carry it; "" for none). The
// moov box stays at the end (a lossless clip is for forensic players,
// not the web; the court copy has +faststart), so the edit list is
// patched in place and the file is written once.
//
// The cut is then proven without decoding (see proveLossless): for an
// MP4/MOV master with a Reader, every video sample is compared byte for
// byte with the master's; otherwise ffmpeg writes the SHA-256 of each
// packet it copies beside the cut (-f framehash of the copied packets,
// not part of the recipe). res.Proof says how; when the proof could not
// be made (a container that frames the codec's units differently), Proof
// is empty, Unproven says why, and the caller must compare decoded
// frames. Errors that mean the source cannot be cut losslessly wrap
// ErrNotLossless.
func CutLosslessFrom(ctx context.Context, master Master, out, audioCodec string, r ClipRange, progress func(float64)) (*ClipResult, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	k := r.keyBefore(r.From)
	if k < 0 {
		return nil, fmt.Errorf("%w: no key frame at or before frame %d", ErrNotLossless, r.From)
	}
	input := master.URL
	// Seek halfway between two frames at or before the key frame (ffmpeg
	// copies from the first key frame it reads); stop halfway after To.
	seekUS, _ := r.seek(k)
	stopUS := floorMicro(midpoint(r.seconds(r.To), r.end(r.To)))
	arg, wl := toolInput(input)
	args := []string{"-nostdin", "-v", "error", "-protocol_whitelist", wl, "-seek_timestamp", "1", "-ss", usArg(seekUS),
		"-i", arg, "-map", "0:v:0"}
	if mp4Audio[audioCodec] {
		args = append(args, "-map", "0:a:0?")
	}
	args = append(args, "-c", "copy", "-t", usArg(stopUS-seekUS), "-use_editlist", "1", "-map_metadata", "-1",
		"-fflags", "+bitexact", "-f", "mp4")
	args = append(args, progressArgs...)
	args = append(args, "file:"+out)
	run := args
	var packets bytes.Buffer
	var fds []*os.File
	wait := func() error { return nil }
	byBytes := master.Reader != nil && mp4Family[r.Container]
	if !byBytes {
		run = append(append([]string(nil), args...), "-map", "0:v:0", "-c", "copy", "-t", usArg(stopUS-seekUS),
			"-f", "framehash", "-hash", "sha256", "pipe:3")
		fd, w, err := pipeInto(&packets)
		if err != nil {
			return nil, err
		}
		fds, wait = []*os.File{fd}, w
	}
	t0 := time.Now()
	se, err := runWithProgress(ctx, run, float64(stopUS-seekUS)/1e6, progress, fds...)
	if werr := wait(); err == nil && werr != nil {
		err = fmt.Errorf("read the packet hashes: %w", werr)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w into MP4: %s", ErrNotLossless, reason(se, input))
	}
	t1 := time.Now()
	note, m, first, err := fixEditList(out, r, seekUS)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotLossless, err)
	}
	res := &ClipResult{Args: args, Notes: []string{note}}
	for n := r.From; n <= r.To; n++ {
		res.FrameMap = append(res.FrameMap, n)
	}
	prove := func() (string, error) {
		var mp *masterPackets
		var err error
		if byBytes {
			mp, err = packetsFromMP4(master.Reader, master.Size, first)
		} else {
			mp, err = packetsFromFrameHash(packets.Bytes())
		}
		if err != nil {
			return "", err
		}
		return proveLossless(out, m, mp, r, first)
	}
	res.FFmpegTime = t1.Sub(t0)
	if master.DeferProof {
		res.Prove = prove
		return res, nil
	}
	if res.Proof, err = prove(); err != nil {
		res.Proof, res.Unproven = "", err.Error()
	}
	res.ProofTime = time.Since(t1)
	return res, nil
}

// fixEditList sets the video edit list of the MP4 at path to frames
// r.From..r.To exactly. ffmpeg's own edit list starts the presentation at
// the seek point seekUS (halfway between two master frames) and ends it
// with the last packet copied, which with B-frames is later than To. The
// first sample is identified by its time from the seek point. Only the
// moov box is read and written back (in place: no box changes size). It
// returns the note for the recipe, the patched movie and the master frame
// of the first sample (a key frame).
func fixEditList(path string, r ClipRange, seekUS int64) (string, *mp4Movie, int, error) {
	m, off, err := openMP4(path)
	if err != nil {
		return "", nil, 0, fmt.Errorf("read the cut MP4: %w", err)
	}
	cts, ts, edits, err := m.videoPresentation()
	if err != nil {
		return "", nil, 0, err
	}
	if len(cts) == 0 {
		return "", nil, 0, errors.New("the cut holds no video")
	}
	// Presentation time of the first sample after the seek point, seconds.
	var delay float64
	var mediaTime int64 = -1
	for _, e := range edits {
		if e.mediaTime == -1 {
			delay += float64(e.dur) / float64(m.movieTimescale)
			continue
		}
		mediaTime = e.mediaTime
		break
	}
	if mediaTime < 0 {
		return "", nil, 0, errors.New("ffmpeg wrote no edit list")
	}
	p0 := delay + float64(cts[0]-mediaTime)/float64(ts)
	// The master frame shown at seek point + p0.
	want := float64(seekUS)/1e6 + p0
	first, best := -1, math.Inf(1)
	for n := max(0, r.keyBefore(r.From)-300); n <= r.From; n++ {
		t, _ := r.seconds(n).Float64()
		if d := math.Abs(t - want); d < best {
			first, best = n, d
		}
	}
	if first < 0 || best > 0.002+1/float64(ts) || !r.Table.Frames[first].Key {
		return "", nil, 0, fmt.Errorf("the cut does not start on a key frame at or before frame %d", r.From)
	}
	iFrom, iTo := r.From-first, r.To-first
	if iTo >= len(cts) {
		return "", nil, 0, fmt.Errorf("the cut holds %d frames, frame %d is not among them", len(cts), r.To)
	}
	start := cts[iFrom]
	var end int64
	if iTo+1 < len(cts) {
		end = cts[iTo+1]
	} else {
		// Frame To is the last frame copied: it lasts as long as in the master.
		d := new(big.Rat).Sub(r.end(r.To), r.seconds(r.To))
		d.Mul(d, big.NewRat(int64(ts), 1))
		f, _ := d.Float64()
		end = cts[iTo] + int64(math.Round(f))
	}
	mt, seg, err := m.setVideoEdit(start, end-start)
	if err != nil {
		return "", nil, 0, err
	}
	if err := writeAtInPlace(path, m.b, off); err != nil {
		return "", nil, 0, err
	}
	return fmt.Sprintf("video edit list set to media time %d (track timescale %d), segment duration %d (movie timescale %d); tkhd and mvhd durations to match",
		mt, ts, seg, m.movieTimescale), m, first, nil
}

// writeAtInPlace writes b at off in the existing file path.
func writeAtInPlace(path string, b []byte, off int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(b, off); err != nil {
		_ = f.Close() // failure path: the write error is returned
		return err
	}
	return f.Close()
}

// CourtOptions are the choices of a court-playable clip.
type CourtOptions struct {
	// Overlay, when not empty, adds a strip below the picture with this
	// text (an exhibit reference), the master frame number and the camera
	// wall-clock time of each frame.
	Overlay string
	// WallClock0 is the camera wall-clock time of frame r.From as Unix
	// seconds (for the overlay).
	WallClock0 float64
	// Height is the master's picture height (sizes the overlay strip).
	Height int
	// Preset is the libx264 preset (default CourtPreset).
	Preset string
	// Audio adds the master's first audio track, cut to the same interval.
	Audio bool
}

// drawtextEscape escapes a literal for drawtext's text inside a quoted
// filter option.
func drawtextEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\\\`, `'`, `'\\\''`, `%`, `\\%`, `:`, `\\:`, `,`, `\,`)
	return r.Replace(s)
}

// TranscodeCourt writes master frames r.From..r.To of input to out as a
// court-playable MP4: H.264 High yuv420p (libx264, o.Preset) and AAC,
// +faststart, every master frame exactly once with its own timestamp
// (variable frame rates stay variable), audio cut to the same interval.
// One ffmpeg process; the clip is then proven from its sample table (one
// sample per master frame, each at its frame's time: res.FrameMap). No
// frame is hashed here: the decoded-frame hashes of the clip and of the
// master range are left to the caller's clip check.
func TranscodeCourt(ctx context.Context, input, out string, r ClipRange, o CourtOptions, progress func(float64)) (*ClipResult, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if o.Preset == "" {
		o.Preset = CourtPreset
	}
	seekUS, startUS := r.trimFrom()
	durUS := floorMicro(new(big.Rat).Sub(r.end(r.To), r.seconds(r.From)))
	arg, wl := toolInput(input)
	pick := "trim=start=" + usArg(startUS) + ",setpts=PTS-STARTPTS"
	var args []string
	if r.countFromStart() {
		// Timestamps as stored (-copyts), frames counted from the start.
		pick = r.selectFilter()
		args = []string{"-nostdin", "-v", "error", "-protocol_whitelist", wl, "-copyts", "-i", arg, "-map", "0:v:0"}
		if o.Audio {
			args = append(args, "-map", "0:a:0?", "-af", "atrim=start="+usArg(floorMicro(r.seconds(r.From)))+
				":end="+usArg(floorMicro(r.end(r.To)))+",asetpts=PTS-STARTPTS")
		}
		args = append(args, "-frames:v", strconv.Itoa(r.To-r.From+1))
	} else {
		args = []string{"-nostdin", "-v", "error", "-protocol_whitelist", wl, "-seek_timestamp", "1", "-noaccurate_seek",
			"-ss", usArg(seekUS), "-i", arg, "-map", "0:v:0"}
		if o.Audio {
			args = append(args, "-map", "0:a:0?", "-af", "atrim=start="+usArg(startUS)+",asetpts=PTS-STARTPTS")
		}
		// -t, not -frames:v: a frame limit ends the file before audio that
		// a container interleaves late (MPEG-TS) is written. The frame
		// count is checked afterwards.
		args = append(args, "-t", usArg(durUS))
	}
	// The picked frames end after To: the graph's end ends the decode
	// there (the output's -t alone also does, a little later).
	pick += ",trim=end_frame=" + strconv.Itoa(r.To-r.From+1)
	args = append(args, "-fps_mode", "passthrough", "-enc_time_base:v", "-1")
	rest := "format=yuv420p"
	if o.Overlay != "" {
		font := captionFont()
		if font == "" {
			return nil, errors.New("no font for the overlay (install fonts-dejavu-core)")
		}
		wc := strconv.FormatFloat(o.WallClock0, 'f', 3, 64)
		text := drawtextEscape("Exhibit "+o.Overlay+"   master frame ") + `%{eif\:n+` + strconv.Itoa(r.From) + `\:d}` +
			drawtextEscape("   camera time ") + `%{pts\:gmtime\:` + wc + `\:%Y-%m-%d %H\\\:%M\\\:%S}` + drawtextEscape(" UTC")
		strip := max(24, o.Height/18) &^ 1
		rest = fmt.Sprintf("pad=iw:ih+%d:0:0:black,", strip) +
			"drawtext=fontfile='" + escapeFilterValue(font) + "':text='" + text +
			fmt.Sprintf("':fontcolor=white:fontsize=%d:x=%d:y=h-%d+(%d-th)/2,format=yuv420p", strip*3/5, strip/3, strip, strip)
	}
	enc := []string{"-c:v", "libx264", "-preset", o.Preset, "-profile:v", "high", "-pix_fmt", "yuv420p", "-crf", "18"}
	if o.Audio {
		enc = append(enc, "-c:a", "aac", "-b:a", "128k")
	}
	enc = append(enc, "-map_metadata", "-1", "-movflags", "+faststart", "-f", "mp4")
	enc = append(enc, progressArgs...)
	enc = append(enc, "file:"+out)
	// The recipe, as run: one output, the frames picked by -vf. Nothing
	// else is decoded or hashed here; the decoded-frame hashes (the
	// clip's and the master range's) are the clip check's.
	recipe := append(append(append([]string(nil), args...), "-vf", pick+","+rest), enc...)
	t0 := time.Now()
	se, err := runWithProgress(ctx, recipe, float64(durUS)/1e6, progress)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("court copy: %s", reason(se, input))
	}
	t1 := time.Now()
	fm, err := proveCourt(out, r)
	if err != nil {
		return nil, fmt.Errorf("court copy: %w", err)
	}
	return &ClipResult{Args: recipe, FrameMap: fm,
		Proof:      fmt.Sprintf("proven when written: %d video samples, one per master frame %d-%d, each at its master frame's time", r.To-r.From+1, r.From, r.To),
		FFmpegTime: t1.Sub(t0), ProofTime: time.Since(t1)}, nil
}

// CheckCourtFrames checks a court clip's decoded frames against master
// frames r.From..r.To: the same number, and each frame shown for the same
// time as in the master (to within one tick of the coarser time base), so
// no frame was dropped, duplicated or moved.
func CheckCourtFrames(clipHash []byte, clipTB Rational, r ClipRange) error {
	rows, err := ParseFrameHash(clipHash)
	if err != nil {
		return err
	}
	want := r.To - r.From + 1
	if len(rows) != want {
		return fmt.Errorf("the court copy decodes to %d frames, the range has %d", len(rows), want)
	}
	tol := math.Max(clipTB.Float(), r.Table.TimeBase.Float()) + 1e-6
	for i := range rows {
		got := float64(rows[i].PTS-rows[0].PTS) * clipTB.Float()
		exp := r.Table.Seconds(r.From+i) - r.Table.Seconds(r.From)
		if math.Abs(got-exp) > tol {
			return fmt.Errorf("court copy frame %d is at %.6f s, master frame %d at %.6f s", i, got, r.From+i, exp)
		}
	}
	return nil
}

// FrameHashTimeBase returns the time base named in framehash text's
// "#tb 0:" header.
func FrameHashTimeBase(b []byte) (Rational, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "#tb 0:"); ok {
			return ParseRational(strings.TrimSpace(v))
		}
	}
	return Rational{}, errors.New("framehash has no time base")
}
