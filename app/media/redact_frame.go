package media

import (
	"bytes"
	"context"
	"fmt"
)

// YUVFrame is one decoded yuv420p picture, rows packed: Y holds W×H
// samples, U and V (W+1)/2 × (H+1)/2 each.
type YUVFrame struct {
	W, H    int
	Y, U, V []byte
}

// NewYUVFrame splits a packed yuv420p buffer of a w×h picture into its
// planes (buf is used, not copied); it returns nil when buf has another
// size.
func NewYUVFrame(buf []byte, w, h int) *YUVFrame {
	ySize, cSize := w*h, ((w+1)/2)*((h+1)/2)
	if w <= 0 || h <= 0 || len(buf) != ySize+2*cSize {
		return nil
	}
	return &YUVFrame{W: w, H: h, Y: buf[:ySize:ySize], U: buf[ySize : ySize+cSize : ySize+cSize], V: buf[ySize+cSize:]}
}

// DecodeFrame decodes master frame n of input (a w×h picture) to yuv420p
// exactly as RenderRedacted decodes the frames it redacts: the same ffmpeg
// arguments (ClipRange.decodeArgs) for the range n..n, so the seek, the
// trim by the frame table's timestamps (or the frame count in containers
// without timestamps) and the pixel format conversion are the render's.
// It returns the frame and the decoder's arguments.
func DecodeFrame(ctx context.Context, input string, ft *FrameTable, container string, n, w, h int) (*YUVFrame, []string, error) {
	r := ClipRange{Table: ft, From: n, To: n, Container: container}
	if err := r.check(); err != nil {
		return nil, nil, err
	}
	if w <= 0 || h <= 0 {
		return nil, nil, fmt.Errorf("decode frame %d: no picture size", n)
	}
	args := r.decodeArgs(input)
	size := w*h + 2*((w+1)/2)*((h+1)/2)
	out := bytes.NewBuffer(make([]byte, 0, size))
	cmd, se := command(ctx, FFmpegPath, args...)
	cmd.Stdout = out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, args, ctx.Err()
		}
		return nil, args, fmt.Errorf("decode frame %d: %s", n, reason(se.String(), input))
	}
	f := NewYUVFrame(out.Bytes(), w, h)
	if f == nil {
		return nil, args, fmt.Errorf("decode frame %d: the decoder gave %d bytes, a %dx%d frame has %d", n, out.Len(), w, h, size)
	}
	return f, args, nil
}
