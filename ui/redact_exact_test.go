package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"exhibit/app"
	"exhibit/app/media"
	"exhibit/app/redact"
)

// TestRedactEditorExactPreview1080p: on a paused 1080p recording (the
// player draws 1280×720) V shows the approximate preview at once, then
// the exact picture, at the source's size, of the frame on screen (its
// index band reads it), equal to the library's RedactionPreview and black
// inside the box; a step shows the approximate one of the next frame and
// then its exact one; V again shows the player's frame.
func TestRedactEditorExactPreview1080p(t *testing.T) {
	if testing.Short() {
		t.Skip("1080p footage")
	}
	lib, _, id := redactStoreWith(t, media.IndexedClipOptions{Width: 1920, Height: 1080, Frames: 40}, nil)
	ctx := context.Background()
	p, err := lib.NewRedaction(ctx, id, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	box := redact.Box{X: 701, Y: 403, W: 333, H: 250}
	if _, _, err := lib.AddKeyframe(ctx, p.ID, app.KeyframeInput{Frame: 0, Box: box, To: 39}); err != nil {
		t.Fatal(err)
	}
	h := openRedactEditor(t, lib, id, fyne.NewSize(1280, 800))
	s := h.s
	if s.projID != p.ID || len(s.proj.Tracks) != 1 {
		t.Fatalf("editor on project %s with %d tracks, want %s with 1", s.projID, len(s.proj.Tracks), p.ID)
	}
	if img := s.shownImg; img.Rect.Dx() != 1280 || img.Rect.Dy() != 720 {
		t.Fatalf("the player draws %v, this test needs a frame smaller than the source", img.Rect)
	}

	exactShown := func(n int) {
		t.Helper()
		h.q.until(t, "the exact preview of frame "+itoa(n), func() bool {
			img := s.video.Image()
			return img != nil && img.Rect.Dx() == 1920 && s.exactLbl.Text == "Preview: exact" && s.cur == n
		})
		img := s.video.Image()
		if got, err := media.DecodeIndexBand(img); err != nil || got != n {
			t.Fatalf("the exact preview shows frame %d (%v), want %d", got, err, n)
		}
		want, err := lib.RedactionPreview(ctx, p.ID, n)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(img.Pix, want.Image.Pix) {
			t.Fatalf("frame %d: the picture shown is not RedactionPreview's", n)
		}
		for y := box.Y; y < box.Y+box.H; y++ {
			for x := box.X; x < box.X+box.W; x++ {
				if o := img.PixOffset(x, y); img.Pix[o] != 0 || img.Pix[o+1] != 0 || img.Pix[o+2] != 0 {
					t.Fatalf("frame %d: pixel %d,%d inside the box is %v", n, x, y, img.Pix[o:o+4])
				}
			}
		}
	}

	// Paused on frame 30 (after the key frame at 25), V.
	h.at(30)
	s.typedRune('v')
	if img := s.video.Image(); !s.preview || img == s.shownImg || img.Rect.Dx() != 1280 ||
		!strings.HasPrefix(s.exactLbl.Text, "Preview: approximate") || !s.exactBox.Visible() {
		t.Fatalf("V: preview %v, picture %v, readout %q", s.preview, img.Rect, s.exactLbl.Text)
	}
	exactShown(30)

	// A step: the next frame's approximate preview at once, then its exact one.
	s.typedRune('.')
	h.q.until(t, "frame 31", func() bool { return s.cur == 31 })
	if img := s.video.Image(); img.Rect.Dx() != 1280 || !strings.HasPrefix(s.exactLbl.Text, "Preview: approximate") {
		t.Fatalf("after a step: picture %v, readout %q", img.Rect, s.exactLbl.Text)
	}
	exactShown(31)

	// Another frame while its exact picture is on its way: the request is
	// cancelled at once, and the picture ends exact on the newer frame.
	s.seekFrame(20)
	h.q.until(t, "frame 20 asked for", func() bool { return s.cur == 20 && s.exact.cancel != nil && s.exact.frame == 20 })
	s.seekFrame(29)
	if s.exact.cancel != nil {
		t.Fatal("the request for frame 20 was not cancelled by the seek")
	}
	exactShown(29)

	// V again: the player's frame, no preview readout.
	s.typedRune('v')
	if s.video.Image() != s.shownImg || s.exactBox.Visible() || s.exact.cancel != nil {
		t.Fatalf("V again: picture %v, readout shown %v", s.video.Image().Rect, s.exactBox.Visible())
	}
}
