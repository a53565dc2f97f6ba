package app

import (
	"context"
	"fmt"
	"image"
	"strings"
	"sync"

	"exhibit/app/media"
	"exhibit/app/redact"
)

// RedactionPicture is the exact preview of one frame of a redaction
// project: the picture the render makes of that frame before it is
// encoded.
type RedactionPicture struct {
	// Image is the redacted frame at the recording's own size.
	Image *image.RGBA
	// Frame is the master frame; Version the project version drawn.
	Frame, Version int
	// Colour is the YUV→RGB conversion used for Image.
	Colour redact.Colour
}

// previewColours caches the colour of a master (by SHA-256: a master
// never changes) so that only the first exact preview probes it.
var previewColours sync.Map // string → redact.Colour

// RedactionPreview returns frame n of a redaction project exactly as
// RenderRedaction draws it: the master is read from the vault over the
// loopback URL (nothing decrypted touches the disk), frame n decoded to
// yuv420p by ffmpeg with the render's own decoder arguments and frame
// selection (media.DecodeFrame: the frame table's timestamps), the
// current version's regions drawn by the render's stage (RegionStage:
// redact.ApplyYUV420 with Project.RegionsAt), then converted to RGB for
// display with the master's colour matrix and range (redact.ColourOf,
// as ffmpeg converts it). Gated like reading the project.
func (l *Library) RedactionPreview(ctx context.Context, projectID string, n int) (*RedactionPicture, error) {
	f, p, c, err := l.redactionPreviewYUV(ctx, projectID, n)
	if err != nil {
		return nil, err
	}
	return &RedactionPicture{Image: redact.YUV420ToRGBA(f.Y, f.U, f.V, f.W, f.H, c), Frame: n, Version: p.Version, Colour: c}, nil
}

// redactionPreviewYUV is RedactionPreview before the RGB conversion: the
// redacted yuv420p frame, the project drawn and the master's colour.
func (l *Library) redactionPreviewYUV(ctx context.Context, projectID string, n int) (*media.YUVFrame, redact.Project, redact.Colour, error) {
	var c redact.Colour
	id, err := l.redactionRecording(ctx, projectID, actRedactShow)
	if err != nil {
		return nil, redact.Project{}, c, err
	}
	p, err := l.st.RedactionProject(ctx, projectID)
	if err != nil {
		return nil, p, c, fmt.Errorf("redaction %s: %w", strings.TrimSpace(projectID), err)
	}
	rec, err := l.st.Get(ctx, id)
	if err != nil {
		return nil, p, c, err
	}
	ft, err := l.frameTable(ctx, id)
	if err != nil {
		return nil, p, c, err
	}
	if n < 0 || n >= ft.Len() {
		return nil, p, c, fmt.Errorf("redaction %s frame %d: %w (frames 0 to %d)", p.ID, n, ErrOutOfRange, ft.Len()-1)
	}
	m, err := l.st.OpenMaster(ctx, id)
	if err != nil {
		return nil, p, c, err
	}
	defer func() { _ = m.Close() }() // read only
	url, stop, err := ServeReaderAt(m, m.Size(), "master")
	if err != nil {
		return nil, p, c, err
	}
	defer stop()

	// The colour is probed beside the decode (once per master).
	type probed struct {
		c   redact.Colour
		err error
	}
	pc := make(chan probed, 1)
	if v, ok := previewColours.Load(rec.SHA256); ok {
		pc <- probed{c: v.(redact.Colour)}
	} else {
		go func() {
			pr, err := media.ProbeURL(ctx, url)
			if err != nil {
				pc <- probed{err: fmt.Errorf("colour of recording %s: %w", id, err)}
				return
			}
			c := redact.ColourOf(pr.ColorSpace, pr.ColorRange, pr.PixelFormat)
			previewColours.Store(rec.SHA256, c)
			pc <- probed{c: c}
		}()
	}
	f, _, err := media.DecodeFrame(ctx, url, ft, rec.Container, n, rec.Width, rec.Height)
	got := <-pc
	if err != nil {
		return nil, p, c, fmt.Errorf("redaction %s preview: %w", p.ID, err)
	}
	if got.err != nil {
		return nil, p, c, got.err
	}
	if err := RegionStage(p, rec.Width, rec.Height)(n, f.Y, f.U, f.V); err != nil {
		return nil, p, c, err
	}
	return f, p, got.c, nil
}
