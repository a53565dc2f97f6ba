package app

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"exhibit/player"
)

// ErrOutOfRange reports a frame number or time outside a recording.
var ErrOutOfRange = errors.New("outside the recording")

// StillRequest names the frame of a still: Frame when Time is negative,
// else the frame whose display interval holds Time (media time since frame 0).
type StillRequest struct {
	ID      string
	Frame   int
	Time    time.Duration // < 0: use Frame
	Caption bool          // add a strip below the picture with the facts
	// Adjust, when not neutral, is the display adjustment the reviewer was
	// looking through: the still is adjusted the same way and says so in
	// its text chunks, its caption and the audit trail.
	Adjust PictureAdjust
}

// Still is a rendered frame and the facts that identify it.
type Still struct {
	ID        string
	SHA256    string
	Frame     int
	PTS       time.Duration // media time since frame 0
	WallClock time.Time     // UTC
	PNG       []byte
	// Adjusted is the display adjustment applied to the picture (neutral:
	// the recorded pixels).
	Adjusted PictureAdjust
}

// RenderStill renders one exact frame of a recording at its source
// resolution through the player engine, as a PNG whose text chunks carry
// the recording id, master SHA-256, frame number, PTS and wall-clock time.
func (l *Library) RenderStill(ctx context.Context, req StillRequest) (*Still, error) {
	rv, err := l.openReview(ctx, req.ID, "still")
	if err != nil {
		return nil, err
	}
	defer func() { _ = rv.Close() }() // read only: the still is already rendered or failed
	n := req.Frame
	last := rv.Table.Len() - 1
	if req.Time >= 0 {
		i, ok := rv.Table.FrameAt(req.Time.Seconds())
		if !ok {
			return nil, fmt.Errorf("time %.3f s: %w (0 to %.3f s)", req.Time.Seconds(), ErrOutOfRange, rv.Table.Duration())
		}
		n = i
	} else if n < 0 || n > last {
		return nil, fmt.Errorf("frame %d: %w (frames 0 to %d)", n, ErrOutOfRange, last)
	}
	id := rv.Recording.ID
	eng, err := player.Open(rv.Source, player.Options{AudioOutput: "null", CacheBytes: -1})
	if err != nil {
		return nil, fmt.Errorf("still of recording %s: open the player: %w", id, err)
	}
	defer func() { _ = eng.Close() }() // teardown of a read-only engine: the still is rendered or failed
	pic, err := confirmedFrame(ctx, eng, n, last)
	if err != nil {
		return nil, fmt.Errorf("still of recording %s: %w", id, err)
	}
	st := &Still{ID: rv.Recording.ID, SHA256: rv.Recording.SHA256, Frame: n, PTS: rv.Source.Frames[n],
		WallClock: rv.Recording.RecordedAt.Add(rv.Source.Frames[n]).UTC(), Adjusted: req.Adjust}
	if !req.Adjust.Neutral() {
		req.Adjust.ApplyTo(pic, pic)
	}
	var img image.Image = pic
	if req.Caption {
		img = withCaption(pic, st.captionLines())
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("still of recording %s, frame %d: encode PNG: %w", id, n, err)
	}
	if st.PNG, err = insertTextChunks(buf.Bytes(), st.textChunks()); err != nil {
		return nil, fmt.Errorf("still of recording %s, frame %d: %w", id, n, err)
	}
	e := l.entry("still")
	e.RecordingID, e.SHA256 = st.ID, st.SHA256
	e.Detail = fmt.Sprintf("frame %d at %s", st.Frame, FormatMediaTime(st.PTS))
	if !st.Adjusted.Neutral() {
		e.Detail += "; adjusted for display: " + st.Adjusted.String()
	}
	if err := l.st.Audit(ctx, e); err != nil {
		return nil, fmt.Errorf("still of recording %s, frame %d: audit: %w", id, n, err)
	}
	return st, nil
}

// confirmedFrame renders frame n twice, arriving from two different
// positions, and returns the picture only when both renders are identical
// (software rendering without dither is deterministic). A still is
// evidence: a picture left over from the previous position (seen under load
// with B-frames in MPEG-TS) must never be labelled as frame n, and a stale
// picture differs between the two approaches. It tries three times.
func confirmedFrame(ctx context.Context, eng *player.Engine, n, last int) (*image.RGBA, error) {
	other := last
	if n == last {
		other = 0
	}
	render := func(from int) (*image.RGBA, error) {
		if from != n {
			f, err := eng.SeekFrame(ctx, from)
			if err != nil {
				return nil, fmt.Errorf("frame %d: seek to frame %d first: %w", n, from, err)
			}
			f.Release()
		}
		fr, err := eng.SeekFrame(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("frame %d: %w", n, err)
		}
		defer fr.Release()
		if fr.Index != n {
			return nil, fmt.Errorf("the player showed frame %d for frame %d", fr.Index, n)
		}
		// A copy of our own: the engine's buffer goes back to its pool.
		return &image.RGBA{Pix: bytes.Clone(fr.Image.Pix), Stride: fr.Image.Stride, Rect: fr.Image.Rect}, nil
	}
	for range 3 {
		a, err := render(n) // fresh position on the first try
		if err != nil {
			return nil, err
		}
		b, err := render(other)
		if err != nil {
			return nil, err
		}
		if samePicture(a, b) {
			return a, nil
		}
	}
	return nil, fmt.Errorf("%w: frame %d rendered differently on each try; no still was written", player.ErrPlayback, n)
}

// samePicture compares the visible pixels of two pictures (rows may be
// padded for alignment; the padding is not compared).
func samePicture(a, b *image.RGBA) bool {
	if a.Rect != b.Rect {
		return false
	}
	w := 4 * a.Rect.Dx()
	for y := 0; y < a.Rect.Dy(); y++ {
		if !bytes.Equal(a.Pix[y*a.Stride:y*a.Stride+w], b.Pix[y*b.Stride:y*b.Stride+w]) {
			return false
		}
	}
	return true
}

func (s *Still) textChunks() [][2]string {
	kv := [][2]string{
		{"Title", fmt.Sprintf("Exhibit still: recording %s frame %d", s.ID, s.Frame)},
		{"Exhibit-Recording", s.ID},
		{"Exhibit-Master-SHA256", s.SHA256},
		{"Exhibit-Frame", fmt.Sprint(s.Frame)},
		{"Exhibit-PTS", fmt.Sprintf("%.6f", s.PTS.Seconds())},
		{"Exhibit-Wall-Clock", s.WallClock.Format(time.RFC3339Nano)},
		{"Software", "Exhibit"},
	}
	if !s.Adjusted.Neutral() {
		kv = append(kv, [2]string{"Exhibit-Display-Adjustment", s.Adjusted.String() +
			" (applied for viewing; the recorded pixels differ)"})
	}
	return kv
}

func (s *Still) captionLines() []string {
	lines := []string{
		fmt.Sprintf("Recording %s   frame %d   media time %s   camera time %s",
			s.ID, s.Frame, FormatMediaTime(s.PTS), s.WallClock.Format("2006-01-02 15:04:05.000 MST")),
		"Master SHA-256 " + s.SHA256,
	}
	if !s.Adjusted.Neutral() {
		lines = append(lines, "ADJUSTED FOR VIEWING ("+s.Adjusted.String()+"): not the recorded pixels")
	}
	return lines
}

// withCaption returns the picture with a white strip below it holding
// lines of text; nothing is drawn over the picture itself.
func withCaption(pic *image.RGBA, lines []string) *image.RGBA {
	face := basicfont.Face7x13
	scale := max(1, pic.Bounds().Dx()/960)
	lineH := 16
	strip := image.NewRGBA(image.Rect(0, 0, pic.Bounds().Dx()/scale, lineH*len(lines)+8))
	draw.Draw(strip, strip.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: strip, Src: image.NewUniform(color.Black), Face: face}
	for i, l := range lines {
		d.Dot = fixed.P(6, 4+lineH*i+12)
		d.DrawString(l)
	}
	b := pic.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()+strip.Bounds().Dy()*scale))
	draw.Draw(out, image.Rect(0, 0, b.Dx(), b.Dy()), pic, b.Min, draw.Src)
	draw.Draw(out, image.Rect(0, b.Dy(), b.Dx(), out.Bounds().Dy()), image.White, image.Point{}, draw.Src)
	for y := 0; y < strip.Bounds().Dy()*scale; y++ {
		for x := 0; x < min(b.Dx(), strip.Bounds().Dx()*scale); x++ {
			out.SetRGBA(x, b.Dy()+y, strip.RGBAAt(x/scale, y/scale))
		}
	}
	return out
}

// insertTextChunks adds tEXt chunks (Latin-1 key and value) right after the
// IHDR chunk of a PNG.
func insertTextChunks(p []byte, kv [][2]string) ([]byte, error) {
	const sigLen, ihdrLen = 8, 8 + 13 + 4
	if len(p) < sigLen+ihdrLen || string(p[12:16]) != "IHDR" {
		return nil, errors.New("not a PNG from the encoder")
	}
	out := append([]byte{}, p[:sigLen+ihdrLen]...)
	for _, c := range kv {
		data := append(append([]byte(c[0]), 0), c[1]...)
		out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
		chunk := append([]byte("tEXt"), data...)
		out = append(out, chunk...)
		out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(chunk))
	}
	return append(out, p[sigLen+ihdrLen:]...), nil
}
