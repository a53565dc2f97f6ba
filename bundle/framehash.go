package bundle

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// FrameHashArgs returns the ffmpeg arguments that write the frame hashes
// of the first video stream of input to standard output in ffmpeg's
// framehash format: software decoding, every decoded frame as it comes
// (-fps_mode passthrough), bit-exact flags, SHA-256 of each frame's raw
// pixels. Only local files may be opened (-protocol_whitelist file), so
// a crafted clip (say, a playlist named .mp4) cannot make ffmpeg fetch
// anything. The same command is printed in README.txt.
func FrameHashArgs(input string) []string {
	return []string{"-hide_banner", "-loglevel", "error", "-nostdin", "-protocol_whitelist", "file",
		"-flags", "+bitexact", "-fflags", "+bitexact", "-i", input,
		"-map", "0:v:0", "-fps_mode", "passthrough", "-flags", "+bitexact",
		"-f", "framehash", "-hash", "sha256", "-"}
}

// ComputeFrameHash runs ffmpeg (the binary named ffmpeg on PATH, or
// ffmpegPath when not empty) over input and returns its framehash output.
func ComputeFrameHash(ctx context.Context, ffmpegPath, input string) ([]byte, error) {
	return computeFrameHash(ctx, ffmpegPath, input, "file", nil)
}

// computeFrameHash is ComputeFrameHash with the protocols input needs
// ("file"; "subfile,file" for an entry of a zip; "pipe" for stdin, which
// is closed when done).
func computeFrameHash(ctx context.Context, ffmpegPath, input, protocols string, stdin io.ReadCloser) ([]byte, error) {
	if ffmpegPath == "" {
		ffmpegPath = "ffmpeg"
	}
	args := FrameHashArgs(input)
	for i := range args {
		if args[i] == "-protocol_whitelist" {
			args[i+1] = protocols
		}
	}
	cmd := exec.CommandContext(ctx, ffmpegPath, args...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if stdin != nil {
		defer func() { _ = stdin.Close() }() // read only
		cmd.Stdin = stdin
	}
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 300 {
			msg = msg[:300]
		}
		return nil, fmt.Errorf("ffmpeg framehash: %w: %s", err, msg)
	}
	return out.Bytes(), nil
}

// FrameRow is one data line of a framehash file.
type FrameRow struct {
	Stream, DTS, PTS, Duration, Size, Hash string
}

// ParseFrameHash returns the data rows of a framehash file (lines not
// starting with '#').
func ParseFrameHash(data []byte) ([]FrameRow, error) {
	var rows []FrameRow
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for ln := 1; sc.Scan(); ln++ {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Split(l, ",")
		if len(f) != 6 {
			return nil, fmt.Errorf("framehash line %d: %d fields, want 6", ln, len(f))
		}
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		if len(f[5]) != 64 {
			return nil, fmt.Errorf("framehash line %d: not a SHA-256 hash", ln)
		}
		rows = append(rows, FrameRow{f[0], f[1], f[2], f[3], f[4], f[5]})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errors.New("framehash has no frames")
	}
	return rows, nil
}

// comparePictures reports the first frame whose decoded picture (size and
// hash) differs between a and b, or a different frame count.
func comparePictures(a, b []FrameRow) error {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i].Size != b[i].Size || a[i].Hash != b[i].Hash {
			return fmt.Errorf("frame %d differs", i)
		}
	}
	if len(a) != len(b) {
		return fmt.Errorf("%d frames, want %d", len(a), len(b))
	}
	return nil
}

// FrameHashTimeBase returns the time base (seconds per tick) of stream 0
// in a framehash file ("#tb 0: 1/12800").
func FrameHashTimeBase(data []byte) (float64, error) {
	for _, l := range strings.Split(string(data), "\n") {
		if s, ok := strings.CutPrefix(l, "#tb 0: "); ok {
			var num, den float64
			if _, err := fmt.Sscanf(s, "%g/%g", &num, &den); err != nil || den == 0 {
				return 0, fmt.Errorf("framehash time base %q", s)
			}
			return num / den, nil
		}
	}
	return 0, errors.New("framehash has no time base line")
}
