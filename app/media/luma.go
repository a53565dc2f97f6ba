package media

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"strconv"
)

// LumaOptions select the frames ReadLuma decodes and their size.
type LumaOptions struct {
	// Table is the input's frame table (ReadFrameTable): it numbers the
	// frames and lets the decode start near From instead of at frame 0.
	Table *FrameTable
	// From and To are the first and last frame (0-based, inclusive). To
	// below 0 or past the end means the last frame.
	From, To int
	// Every takes every Nth frame counted from From: From, From+N, ...
	// (0 or 1: every frame).
	Every int
	// Width and Height are the size of the pictures delivered (the source
	// is scaled with area averaging); both are required.
	Width, Height int
	// Idle runs ffmpeg at the lowest CPU priority (nice 19), for work in
	// the background.
	Idle bool
}

// LumaFrame is one decoded frame: its number in the input's frame table and
// its luma (Y) plane at the requested size. The image is the caller's to
// keep.
type LumaFrame struct {
	Frame int
	Image *image.Gray
}

// ReadLuma decodes frames From..To (every Nth) of the first video stream of
// input (a path or a loopback http URL) to gray pictures of Width x Height
// and calls fn with each, in increasing frame order. ffmpeg streams raw
// luma through a pipe; nothing is written to disk. An error from fn stops
// the decode and is returned; cancelling ctx kills ffmpeg.
//
// Frame numbers are exact: ffmpeg keeps the stream's timestamps (-copyts),
// a first select passes the frames whose PTS lies between those of frames
// From and To in the frame table, and a second select takes every Nth of
// them by its count n. The input is seeked (with a second of margin) to
// before frame From, so a range late in a long recording does not decode
// it from the start.
func ReadLuma(ctx context.Context, input string, o LumaOptions, fn func(LumaFrame) error) error {
	t := o.Table
	if t == nil || t.Len() == 0 {
		return fmt.Errorf("read luma %s: no frame table", input)
	}
	if o.To < 0 || o.To >= t.Len() {
		o.To = t.Len() - 1
	}
	if o.From < 0 || o.From > o.To {
		return fmt.Errorf("read luma %s: frames %d to %d: %w", input, o.From, o.To, ErrNoFrame)
	}
	if o.Every < 1 {
		o.Every = 1
	}
	if o.Width < 1 || o.Height < 1 || o.Width > 8192 || o.Height > 8192 {
		return fmt.Errorf("read luma %s: invalid size %dx%d", input, o.Width, o.Height)
	}
	want := (o.To-o.From)/o.Every + 1
	pa, pb := t.Frames[o.From].PTS, t.Frames[o.To].PTS

	arg, wl := toolInput(input)
	args := []string{"-nostdin", "-hide_banner", "-v", "error", "-protocol_whitelist", wl}
	if ss := ticksToSeconds(pa-t.Frames[0].PTS, t.TimeBase) - 1; ss > 0 {
		// Relative to the file's start, a second early: the PTS gate below
		// decides exactly which frames count.
		args = append(args, "-ss", strconv.FormatFloat(ss, 'f', 6, 64))
	}
	vf := fmt.Sprintf("select='between(pts\\,%d\\,%d)',select='not(mod(n\\,%d))',scale=%d:%d:flags=area,format=gray",
		pa, pb, o.Every, o.Width, o.Height)
	args = append(args, "-copyts", "-i", arg, "-map", "0:v:0", "-an", "-sn", "-dn",
		"-vf", vf, "-fps_mode", "passthrough", "-frames:v", strconv.Itoa(want),
		"-f", "rawvideo", "-pix_fmt", "gray", "pipe:1")
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd, se := command(ctx, FFmpegPath, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("read luma %s: %w", input, err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("read luma %s: %w", input, toolError(ctx, FFmpegPath, err, ""))
	}
	if o.Idle {
		lowerPriority(cmd.Process.Pid)
	}
	r := bufio.NewReaderSize(stdout, 1<<20)
	size := o.Width * o.Height
	got := 0
	var ferr error
	for got < want {
		img := image.NewGray(image.Rect(0, 0, o.Width, o.Height))
		if _, err := io.ReadFull(r, img.Pix[:size]); err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				ferr = fmt.Errorf("read luma %s: %w", input, err)
			}
			break
		}
		if err := fn(LumaFrame{Frame: o.From + got*o.Every, Image: img}); err != nil {
			ferr = err
			break
		}
		got++
	}
	if ferr != nil {
		cancel() // stop ffmpeg; its exit status no longer matters
		_, _ = io.Copy(io.Discard, stdout)
		_ = cmd.Wait()
		return ferr
	}
	werr := cmd.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("read luma %s: %w", input, err)
	}
	if werr != nil {
		return fmt.Errorf("read luma %s: %w", input, toolError(ctx, FFmpegPath, werr, se.String()))
	}
	if got < want {
		return fmt.Errorf("read luma %s: %w: ffmpeg delivered %d of frames %d to %d every %d (%d)",
			input, ErrNoFrame, got, o.From, o.To, o.Every, want)
	}
	return nil
}
