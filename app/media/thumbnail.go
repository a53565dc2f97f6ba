package media

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"
)

// Thumbnail returns one JPEG picture of the first video stream of input (a
// path or an http(s) URL): the first frame whose timestamp is at or after
// at, measured from the start of the file as with ffmpeg -ss. The picture is
// scaled to width pixels keeping the aspect ratio (width <= 0 keeps the
// original size). A position beyond the last frame yields an error wrapping
// ErrNoFrame.
func Thumbnail(ctx context.Context, input string, at time.Duration, width int) ([]byte, error) {
	if at < 0 {
		at = 0
	}
	arg, wl := toolInput(input)
	vf := "scale=iw*sar:ih" // square pixels
	if width > 0 {
		vf = "scale=" + strconv.Itoa(width) + ":-2"
	}
	var out bytes.Buffer
	cmd, se := command(ctx, FFmpegPath, "-nostdin", "-hide_banner", "-v", "error",
		"-protocol_whitelist", wl,
		"-ss", strconv.FormatFloat(at.Seconds(), 'f', 6, 64), "-i", arg,
		"-map", "0:v:0", "-an", "-sn", "-dn", "-frames:v", "1",
		"-vf", vf, "-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "3", "pipe:1")
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return nil, classify(ctx, FFmpegPath, fmt.Sprintf("thumbnail at %v of", at), input, err, se.String())
	}
	if out.Len() == 0 {
		return nil, fmt.Errorf("thumbnail of %s at %v: %w", input, at, ErrNoFrame)
	}
	return out.Bytes(), nil
}
