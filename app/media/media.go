// Package media wraps the ffprobe and ffmpeg command-line tools: probing
// files, building exact frame tables, extracting thumbnails and generating
// test footage that looks like docked body-worn-video cameras.
//
// Every function runs the tools with os/exec under the caller's context, so
// cancelling the context kills the child process. Nothing here alters its
// input: all work reads the input and writes new files or buffers.
//
// Frame numbers are 0-based in presentation order, the numbering of ffmpeg's
// select=eq(n\,N) filter, everywhere in this package.
package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/big"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrNotMedia reports that an input has no decodable video stream: an empty
// file, random bytes, a text file named .mp4, a truncated MP4 whose moov index
// is missing, an audio-only file and so on. It is always wrapped together with
// the tool's one-line reason.
var ErrNotMedia = errors.New("not a playable video file")

// ErrToolNotFound reports that ffmpeg or ffprobe could not be executed
// because it is not installed (or not on PATH). It is wrapped together with
// the underlying exec error.
var ErrToolNotFound = errors.New("ffmpeg/ffprobe not found")

// ErrNoFrame reports that a request for a picture produced no frame, for
// example a thumbnail asked for beyond the end of the video.
var ErrNoFrame = errors.New("no video frame at the requested position")

// FFprobePath and FFmpegPath are the executables run by this package. They
// may be set to absolute paths once at start-up, before any other function of
// the package is called; they must not be changed while calls are running.
var (
	FFprobePath = "ffprobe"
	FFmpegPath  = "ffmpeg"
)

// waitDelay bounds how long a killed child may keep its pipes open.
const waitDelay = 5 * time.Second

// Rational is an exact fraction such as a frame rate (30000/1001) or a time
// base (1/12800), as reported by ffprobe.
type Rational struct{ Num, Den int64 }

// Float returns r as a float64, or 0 when the denominator is 0.
func (r Rational) Float() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// String formats r the way ffmpeg does, e.g. "30000/1001".
func (r Rational) String() string {
	return strconv.FormatInt(r.Num, 10) + "/" + strconv.FormatInt(r.Den, 10)
}

// IsZero reports whether r is unknown or zero (ffprobe prints "0/0" for an
// unknown rate).
func (r Rational) IsZero() bool { return r.Num == 0 || r.Den == 0 }

// ParseRational parses "num/den", "num:den" or a plain integer.
func ParseRational(s string) (Rational, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, "/:")
	if i < 0 {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return Rational{}, fmt.Errorf("parse rational %q: %w", s, err)
		}
		return Rational{n, 1}, nil
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return Rational{}, fmt.Errorf("parse rational %q: %w", s, err)
	}
	d, err := strconv.ParseInt(s[i+1:], 10, 64)
	if err != nil {
		return Rational{}, fmt.Errorf("parse rational %q: %w", s, err)
	}
	return Rational{n, d}, nil
}

// ticksToSeconds converts ticks of time base tb to seconds. It is exact for
// the integers of any real stream and falls back to big arithmetic only when
// the product would overflow.
func ticksToSeconds(ticks int64, tb Rational) float64 {
	if tb.Den == 0 {
		return 0
	}
	if ticks == 0 {
		return 0
	}
	overflow, p := mulInt64(ticks, tb.Num)
	if !overflow {
		return float64(p) / float64(tb.Den)
	}
	f, _ := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(ticks), big.NewInt(tb.Num)), big.NewInt(tb.Den)).Float64()
	return f
}

// mulInt64 returns a*b and whether it overflowed.
func mulInt64(a, b int64) (overflow bool, p int64) {
	if a == 0 || b == 0 {
		return false, 0
	}
	p = a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return true, 0
	}
	return false, p
}

// isURL reports whether input names a network resource rather than a path.
func isURL(input string) bool {
	l := strings.ToLower(input)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// toolInput turns a path or http(s) URL into an argument for ffmpeg/ffprobe.
// Local paths get the "file:" protocol prefix so that names beginning with
// "-" or containing ":" are never mistaken for options or other protocols.
func toolInput(input string) (arg string, whitelist string) {
	if isURL(input) {
		return input, "http,https,tcp,tls"
	}
	if strings.HasPrefix(input, "subfile,") {
		// A byte range of a local file (a stored entry of a bundle .zip):
		// subfile,,start,N,end,M,,:file:/abs/path.
		return input, "subfile,file"
	}
	if !filepath.IsAbs(input) {
		if abs, err := filepath.Abs(input); err == nil {
			input = abs
		}
	}
	return "file:" + input, "file"
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.buf) }

// command prepares tool with args under ctx, capturing the tail of stderr.
func command(ctx context.Context, tool string, args ...string) (*exec.Cmd, *tailBuffer) {
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.WaitDelay = waitDelay
	stderr := &tailBuffer{max: 16 << 10}
	cmd.Stderr = stderr
	return cmd, stderr
}

// run executes tool with args, writing its standard output to stdout (which
// may be nil), and returns a descriptive error on failure.
func run(ctx context.Context, stdout io.Writer, tool string, args ...string) (stderr string, err error) {
	cmd, se := command(ctx, tool, args...)
	cmd.Stdout = stdout
	err = cmd.Run()
	return se.String(), toolError(ctx, tool, err, se.String())
}

// toolError turns the outcome of running tool into an error with context:
// nil stays nil, a cancelled context yields the context error, a missing
// executable yields ErrToolNotFound, and otherwise the last line of stderr is
// included.
func toolError(ctx context.Context, tool string, err error, stderr string) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", filepath.Base(tool), ctx.Err())
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) && (errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission)) {
		return fmt.Errorf("%w: %w", ErrToolNotFound, err)
	}
	if line := lastLine(stderr); line != "" {
		return fmt.Errorf("%s: %w: %s", filepath.Base(tool), err, line)
	}
	return fmt.Errorf("%s: %w", filepath.Base(tool), err)
}

// lastLine returns the last non-blank line of s.
func lastLine(s string) string {
	s = strings.TrimRight(s, " \r\n\t")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSpace(s)
}

// reason extracts a short human-readable reason from a tool's stderr: the
// last line with the input name (which the tools print as a prefix) removed,
// preceded by the line before it when that adds detail (such as the mov
// demuxer's "moov atom not found").
func reason(stderr, input string) string {
	var lines []string
	for _, l := range strings.Split(stderr, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return "no details from the tool"
	}
	clean := func(l string) string {
		arg, _ := toolInput(input)
		for _, p := range []string{arg, input} {
			if p != "" && strings.HasPrefix(l, p+": ") {
				return strings.TrimPrefix(l, p+": ")
			}
		}
		// "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5566] moov atom not found"
		if strings.HasPrefix(l, "[") {
			if i := strings.Index(l, "] "); i > 0 && strings.Contains(l[:i], " @ ") {
				return l[i+2:]
			}
		}
		return l
	}
	last := clean(lines[len(lines)-1])
	if len(lines) > 1 {
		if prev := clean(lines[len(lines)-2]); prev != last && len(prev) < 200 {
			return prev + " (" + last + ")"
		}
	}
	return last
}

// ioFailures are stderr fragments that mean "could not read the input" rather
// than "the input is not video".
var ioFailures = []string{
	"Connection refused",
	"Connection timed out",
	"Connection reset",
	"Network is unreachable",
	"Server returned",
	"Input/output error",
	"No such file or directory",
	"Permission denied",
	"Is a directory",
	"Immediate exit requested",
	"Protocol not on whitelist",
	"Protocol not found",
}

// classify decides whether a failed tool run means ErrNotMedia. A tool that
// ran and exited with an error is taken to have rejected the input
// (ErrNotMedia) unless stderr shows an I/O problem; a tool that could not be
// started or was killed is reported as such.
func classify(ctx context.Context, tool, what, input string, err error, stderr string) error {
	terr := toolError(ctx, tool, err, stderr)
	var exitErr *exec.ExitError
	if ctx.Err() != nil || !errors.As(err, &exitErr) {
		// The tool did not run to completion on its own: not a verdict
		// on the input.
		return fmt.Errorf("%s %s: %w", what, input, terr)
	}
	last := lastLine(stderr)
	for _, f := range ioFailures {
		if strings.Contains(last, f) {
			return fmt.Errorf("%s %s: %w", what, input, terr)
		}
	}
	return fmt.Errorf("%s %s: %w: %s", what, input, ErrNotMedia, reason(stderr, input))
}

// trimOutput shortens tool output for inclusion in an error message.
func trimOutput(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 200 {
		b = append(b[:200:200], "..."...)
	}
	return string(b)
}
