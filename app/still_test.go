package app

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"exhibit/app/media"
)

func ingestOne(t *testing.T, lib *Library, path string) IngestResult {
	t.Helper()
	res, err := lib.Ingest(context.Background(), []string{path}, IngestOptions{})
	if err != nil || len(res) != 1 || res[0].Status != Imported {
		t.Fatalf("ingest %s: %+v %v", path, res, err)
	}
	return res[0]
}

func decodeStill(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestStillFrameExact renders stills through the player from the encrypted
// vault and reads each frame's own index back from its pixels.
func TestStillFrameExact(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	dir := t.TempDir()
	clips := map[string]media.IndexedClipOptions{
		"bframes.mp4": {Width: 640, Height: 360, Frames: 75, GOP: 25, BFrames: 2, Audio: true},
		"vfr.mkv":     {Width: 480, Height: 270, Frames: 40, GOP: 20, VFR: true},
		"start.ts":    {Width: 480, Height: 270, Frames: 40, GOP: 20, BFrames: 2, Audio: true},
	}
	for name, o := range clips {
		p := filepath.Join(dir, name)
		if err := media.WriteIndexedClip(ctx, p, o); err != nil {
			t.Fatal(err)
		}
		r := ingestOne(t, lib, p)
		ft, err := lib.FrameTable(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 1, o.GOP - 1, o.GOP, o.GOP + 1, o.Frames - 1} {
			st, err := lib.RenderStill(ctx, StillRequest{ID: r.ID, Frame: n, Time: -1})
			if err != nil {
				t.Fatalf("%s frame %d: %v", name, n, err)
			}
			img := decodeStill(t, st.PNG)
			if got, err := media.DecodeIndexBand(img); err != nil || got != n {
				t.Errorf("%s: still of frame %d shows frame %d (%v)", name, n, got, err)
			}
			if b := img.Bounds(); b.Dx() != o.Width || b.Dy() != o.Height {
				t.Errorf("%s: still is %v, want source size %dx%d", name, b, o.Width, o.Height)
			}
		}
		// --time: the frame whose display interval holds the time.
		for _, n := range []int{0, 7, o.Frames - 1} {
			mid := (ft.Seconds(n) + 0.0005)
			st, err := lib.RenderStill(ctx, StillRequest{ID: r.ID, Time: time.Duration(mid * float64(time.Second))})
			if err != nil || st.Frame != n {
				t.Errorf("%s: time %.4f gave frame %v, want %d (%v)", name, mid, st, n, err)
			}
		}
	}
}

func TestStillMetadataCaptionAndRange(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "a.mp4")
	if err := media.WriteIndexedClip(ctx, p, media.IndexedClipOptions{Width: 640, Height: 360, Frames: 30, GOP: 10, CreationTime: "2026-11-20T08:15:00Z"}); err != nil {
		t.Fatal(err)
	}
	r := ingestOne(t, lib, p)
	plain, err := lib.RenderStill(ctx, StillRequest{ID: r.ID, Frame: 12, Time: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Exhibit-Recording\x00" + r.ID, "Exhibit-Master-SHA256\x00" + r.SHA256, "Exhibit-Frame\x0012",
		"Exhibit-PTS\x000.480000", "Exhibit-Wall-Clock\x002026-11-20T08:15:00.48Z"} {
		if !bytes.Contains(plain.PNG, []byte(want)) {
			t.Errorf("PNG lacks text chunk %q", strings.ReplaceAll(want, "\x00", "="))
		}
	}
	capt, err := lib.RenderStill(ctx, StillRequest{ID: r.ID, Frame: 12, Time: -1, Caption: true})
	if err != nil {
		t.Fatal(err)
	}
	a, b := decodeStill(t, plain.PNG), decodeStill(t, capt.PNG)
	if b.Bounds().Dy() <= a.Bounds().Dy() || b.Bounds().Dx() != a.Bounds().Dx() {
		t.Fatalf("caption strip: %v vs %v", b.Bounds(), a.Bounds())
	}
	// The caption is below the picture: the picture's pixels are untouched.
	for y := 0; y < a.Bounds().Dy(); y += 7 {
		for x := 0; x < a.Bounds().Dx(); x += 7 {
			if a.At(x, y) != b.At(x, y) {
				t.Fatalf("caption changed the picture at %d,%d", x, y)
			}
		}
	}
	for _, req := range []StillRequest{{ID: r.ID, Frame: 30, Time: -1}, {ID: r.ID, Frame: -1, Time: -1},
		{ID: r.ID, Time: 5 * time.Second}} {
		if _, err := lib.RenderStill(ctx, req); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("%+v: %v, want ErrOutOfRange", req, err)
		}
	}
}

// TestStillTamperedVault: a flipped byte in the vault gives a clean error.
func TestStillTamperedVault(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "a.mp4")
	if err := media.WriteIndexedClip(ctx, p, media.IndexedClipOptions{Width: 640, Height: 360, Frames: 30, GOP: 10}); err != nil {
		t.Fatal(err)
	}
	r := ingestOne(t, lib, p)
	vp, err := lib.st.VaultPath(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(vp)
	for i := 100; i < len(b); i += 4096 {
		b[i] ^= 0x40
	}
	if err := os.WriteFile(vp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = lib.RenderStill(ctx, StillRequest{ID: r.ID, Frame: 20, Time: -1})
	if err == nil {
		t.Fatal("a still from a tampered vault succeeded")
	}
	if msg := UserMessage(err); !strings.Contains(msg, "damaged") {
		t.Errorf("message %q (from %v) does not say the copy is damaged", msg, err)
	}
	if !strings.Contains(err.Error(), "recording "+r.ID) {
		t.Errorf("the error does not name the recording: %v", err)
	}
}
