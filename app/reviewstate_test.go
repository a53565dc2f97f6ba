package app

import (
	"bytes"
	"context"
	"errors"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"exhibit/app/media"
)

// Stills saved from the review go to the folder each user chose; an
// adjusted still is adjusted exactly by the display LUT and says so in
// its text chunks, its caption and the audit trail.
func TestSaveStillAdjustedAndFolderPerUser(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "night.mp4")
	if err := media.WriteIndexedClip(ctx, p, media.IndexedClipOptions{Frames: 30}); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	id := ingestOne(t, lib, p).ID
	if d, err := lib.StillFolder(ctx); err != nil || d != "" {
		t.Fatalf("folder before choosing: %q %v", d, err)
	}
	if err := lib.SetStillFolder(ctx, filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing folder was accepted")
	}
	dir := t.TempDir()
	if err := lib.SetStillFolder(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if d, _ := lib.StillFolder(ctx); d != dir {
		t.Fatalf("folder %q, want %q", d, dir)
	}
	plain, st, err := lib.SaveStill(ctx, StillRequest{ID: id, Frame: 5, Time: -1}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(plain) != id+"_frame5.png" || st.Frame != 5 {
		t.Errorf("plain still at %s (frame %d)", plain, st.Frame)
	}
	adj := PictureAdjust{Brightness: 30, Contrast: 20, Gamma: 1.8}
	adjPath, _, err := lib.SaveStill(ctx, StillRequest{ID: id, Frame: 5, Time: -1, Adjust: adj}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(adjPath) != id+"_frame5_adjusted.png" {
		t.Errorf("adjusted still at %s", adjPath)
	}
	again, _, err := lib.SaveStill(ctx, StillRequest{ID: id, Frame: 5, Time: -1}, dir)
	if err != nil || filepath.Base(again) != id+"_frame5_2.png" {
		t.Errorf("second still of the same frame at %s (%v): an existing still must not be overwritten", again, err)
	}
	pb, _ := os.ReadFile(plain)
	ab, _ := os.ReadFile(adjPath)
	if bytes.Contains(pb, []byte("Exhibit-Display-Adjustment")) {
		t.Error("the plain still claims an adjustment")
	}
	if !bytes.Contains(ab, []byte("Exhibit-Display-Adjustment\x00"+adj.String())) {
		t.Error("the adjusted still does not say how it was adjusted")
	}
	pi, ai := decodeStill(t, pb), decodeStill(t, ab)
	lut := adj.LUT()
	for _, pt := range []image.Point{{10, 10}, {100, 60}, {300, 170}} {
		r0, g0, b0, _ := pi.At(pt.X, pt.Y).RGBA()
		r1, g1, b1, _ := ai.At(pt.X, pt.Y).RGBA()
		if uint32(lut[r0>>8]) != r1>>8 || uint32(lut[g0>>8]) != g1>>8 || uint32(lut[b0>>8]) != b1>>8 {
			t.Errorf("pixel %v: %d,%d,%d adjusted to %d,%d,%d, not by the display LUT", pt, r0>>8, g0>>8, b0>>8, r1>>8, g1>>8, b1>>8)
		}
	}
	// Captioned and adjusted: the caption has a line more.
	capPlain, err := lib.RenderStill(ctx, StillRequest{ID: id, Frame: 5, Time: -1, Caption: true})
	if err != nil {
		t.Fatal(err)
	}
	capAdj, err := lib.RenderStill(ctx, StillRequest{ID: id, Frame: 5, Time: -1, Caption: true, Adjust: adj})
	if err != nil {
		t.Fatal(err)
	}
	if decodeStill(t, capAdj.PNG).Bounds().Dy() <= decodeStill(t, capPlain.PNG).Bounds().Dy() {
		t.Error("the caption of an adjusted still has no line saying so")
	}
	var stills, adjusted int
	for _, e := range auditActions(t, lib, id) {
		if e.Action == "still" {
			stills++
			if strings.Contains(e.Detail, "adjusted for display: "+adj.String()) {
				adjusted++
			}
		}
	}
	if stills != 5 || adjusted != 2 {
		t.Errorf("audit: %d stills, %d adjusted; want 5 and 2", stills, adjusted)
	}
	// Another user has not chosen a folder.
	signInAs(t, lib, "sgt2", RoleSergeant)
	if d, _ := lib.StillFolder(ctx); d != "" {
		t.Errorf("sgt2 sees sgt1's still folder %q", d)
	}
}

func TestPictureAdjustLUT(t *testing.T) {
	if !(PictureAdjust{Gamma: 1}).Neutral() || (PictureAdjust{Contrast: 1}).Neutral() {
		t.Error("Neutral")
	}
	n := PictureAdjust{}.LUT()
	for i, v := range n {
		if int(v) != i {
			t.Fatalf("neutral LUT maps %d to %d", i, v)
		}
	}
	up := PictureAdjust{Gamma: 2}.LUT()
	if up[0] != 0 || up[255] != 255 || up[40] <= 40 {
		t.Errorf("gamma 2 must lift the shadows: 40 -> %d", up[40])
	}
	b := PictureAdjust{Brightness: 100}.LUT()
	if b[0] < 120 || b[200] != 255 {
		t.Errorf("brightness +100: 0 -> %d, 200 -> %d", b[0], b[200])
	}
}

// Resume positions are per user, not audited, and forgotten at frame 0.
func TestResumePositionPerUser(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	signInAs(t, lib, "sgt1", RoleSergeant)
	rec := addRecording(t, lib, "PC 1", "D1", time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), time.Minute)
	if _, ok, err := lib.ResumePosition(ctx, rec.ID); err != nil || ok {
		t.Fatalf("position before any: %v %v", ok, err)
	}
	before := len(auditActions(t, lib, rec.ID))
	if err := lib.SaveResumePosition(ctx, rec.ID, 1234); err != nil {
		t.Fatal(err)
	}
	if n, ok, err := lib.ResumePosition(ctx, rec.ID); err != nil || !ok || n != 1234 {
		t.Fatalf("position %d %v %v, want 1234", n, ok, err)
	}
	if after := len(auditActions(t, lib, rec.ID)); after != before {
		t.Errorf("saving a position wrote %d audit entries", after-before)
	}
	signInAs(t, lib, "sgt2", RoleSergeant)
	if n, ok, _ := lib.ResumePosition(ctx, rec.ID); ok {
		t.Errorf("sgt2 sees sgt1's position %d", n)
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	if err := lib.SaveResumePosition(ctx, rec.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := lib.ResumePosition(ctx, rec.ID); ok {
		t.Error("position kept after leaving at the first frame")
	}
}

// The waveform is decoded once, audited once, and read from the sealed
// cache afterwards; it shows sound and silence where they are.
func TestWaveformCached(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	dir := t.TempDir()
	p := filepath.Join(dir, "bursts.mp4")
	if err := media.WriteIndexedClip(ctx, p, media.IndexedClipOptions{Frames: 100, Audio: true, ToneBursts: true}); err != nil {
		t.Fatal(err)
	}
	q := filepath.Join(dir, "mute.mp4")
	if err := media.WriteIndexedClip(ctx, q, media.IndexedClipOptions{Frames: 20}); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	id := ingestOne(t, lib, p).ID
	mute := ingestOne(t, lib, q).ID
	for range 2 {
		w, err := lib.Waveform(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		per := int(time.Second / w.Bucket)
		if quiet, loud := w.Levels[per/2], w.Levels[per+per/2]; quiet > 40 || loud < 200 {
			t.Errorf("levels: first second %d, second second %d; want silence then tone", quiet, loud)
		}
	}
	n := 0
	for _, e := range auditActions(t, lib, id) {
		if e.Action == "waveform" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d waveform decodes audited, want 1 (then the cache)", n)
	}
	b, err := lib.st.Waveform(ctx, id)
	if err != nil || len(b) == 0 {
		t.Fatalf("no cached waveform: %v", err)
	}
	for range 2 {
		if _, err := lib.Waveform(ctx, mute); !errors.Is(err, ErrNoAudio) {
			t.Errorf("recording without sound: %v", err)
		}
	}
}
