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
	"exhibit/app/redact"
)

// redactedFixture ingests generated footage (constant rate: the VFR case
// is in TestRedactedRenderProofs) with markers and audio
// and starts a project on frames 3-30 hiding marker 0 (a solid track
// keyframed at both ends), frames 20-21 whole, and a muted range.
func redactedFixture(t *testing.T, lib *Library) (*Recording, redact.Project) {
	t.Helper()
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "cam.mp4")
	if err := media.WriteIndexedClip(ctx, src, media.IndexedClipOptions{Frames: 40, BFrames: 2, Audio: true, Markers: true}); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	res := ingestOne(t, lib, src)
	rec, err := lib.st.Get(ctx, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	p, err := lib.NewRedaction(ctx, rec.ID, 3, 30)
	if err != nil {
		t.Fatal(err)
	}
	reason := "a bystander's face"
	x, y, s := media.MarkerBox(0, 3, 320, 180)
	tr, _, err := lib.AddKeyframe(ctx, p.ID, KeyframeInput{Frame: 3, Box: redact.Box{X: x, Y: y, W: s, H: s}, Label: redact.Face, Reason: &reason})
	if err != nil {
		t.Fatal(err)
	}
	x, y, s = media.MarkerBox(0, 30, 320, 180)
	if _, _, err := lib.AddKeyframe(ctx, p.ID, KeyframeInput{Track: tr, Frame: 30, Box: redact.Box{X: x, Y: y, W: s, H: s}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := lib.AddFrameRange(ctx, p.ID, 20, 21, redact.Solid, "a document held up"); err != nil {
		t.Fatal(err)
	}
	if _, p, err = lib.AddAudioRange(ctx, p.ID, 300*time.Millisecond, 700*time.Millisecond, redact.Mute, "a name spoken"); err != nil {
		t.Fatal(err)
	}
	return rec, p
}

func TestRenderRedaction(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	rec, p := redactedFixture(t, lib)
	dir := t.TempDir()
	out := filepath.Join(dir, "redacted.mp4")

	// Cancelled half way: nothing is left, nothing is recorded.
	cctx, cancel := context.WithCancel(ctx)
	_, err := lib.RenderRedaction(cctx, p.ID, out, func(f float64) {
		if f > 0.3 {
			cancel()
		}
	})
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled render: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("a cancelled render left %v", ents)
	}
	if ds, err := lib.RedactedRenders(ctx, p.ID); err != nil || len(ds) != 0 {
		t.Fatalf("renders after a cancel: %v %v", ds, err)
	}

	// A viewer may not render.
	signInAs(t, lib, "viewer1", RoleViewer)
	if _, err := lib.RenderRedaction(ctx, p.ID, "", nil); err == nil {
		t.Fatal("a viewer rendered a redaction")
	}
	signInAs(t, lib, "sgt1", RoleSergeant)

	var last float64
	d, err := lib.RenderRedaction(ctx, strings.ToLower(p.ID), out, func(f float64) { last = f })
	if err != nil {
		t.Fatal(err)
	}
	if last != 1 || d.Kind != KindRedacted || d.Ref != rec.ID+"-R1" || d.RedactionID != p.ID || d.RedactionVersion != p.Version ||
		d.MasterSHA256 != rec.SHA256 || d.From != 3 || d.To != 30 || len(d.FrameMap) != 28 || d.FrameMap[0] != 3 {
		t.Fatalf("derivative %+v (progress %v)", d, last)
	}
	if got := sha256File(t, out); got != d.SHA256 {
		t.Fatalf("file SHA-256 %s, record %s", got, d.SHA256)
	}
	// Every frame is the master frame its frame map says (by its index
	// band; frames 20-21 are hidden whole).
	frames := decodeYUVSize(t, out, 320, 180)
	if len(frames) != 28 {
		t.Fatalf("%d frames", len(frames))
	}
	for k, f := range frames {
		if n := 3 + k; n == 20 || n == 21 {
			continue
		}
		img := &image.YCbCr{Y: f[:320*180], Cb: f[320*180 : 320*180*5/4], Cr: f[320*180*5/4:], YStride: 320, CStride: 160,
			SubsampleRatio: image.YCbCrSubsampleRatio420, Rect: image.Rect(0, 0, 320, 180)}
		if n, err := media.DecodeIndexBand(img); err != nil || n != d.FrameMap[k] {
			t.Fatalf("frame %d shows master frame %d (%v), its frame map says %d", k, n, err, d.FrameMap[k])
		}
	}
	notes := strings.Join(d.Recipe.Notes, " ")
	if !strings.Contains(notes, "ApplyYUV420") || !strings.Contains(notes, "redaction "+p.ID+" version ") ||
		!strings.Contains(notes, "decoded by: ffmpeg") || !strings.Contains(strings.Join(d.Recipe.Args, " "), "libx264") {
		t.Fatalf("recipe %+v", d.Recipe)
	}
	// Marker 0 is black in the render at frames 3 and 30 (the keyframes)
	// and on the whole-frame range.
	for _, k := range []int{0, 27} {
		x, y, s := media.MarkerBox(0, 3+k, 320, 180)
		if v := frames[k][(y+s/2)*320+x+s/2]; v > 24 {
			t.Fatalf("frame %d: marker 0's centre has luma %d", 3+k, v)
		}
	}
	for _, v := range frames[17][:320*180] {
		if v > 24 {
			t.Fatalf("frame 20 (whole picture hidden) has luma %d", v)
		}
	}

	// Audited by ids and hashes, never the reasons.
	ents, err := lib.AuditEntries(ctx, AuditFilter{Action: "redaction.render"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 2 || ents[0].Outcome != "denied" {
		t.Fatalf("audit %+v", ents)
	}
	ents = ents[1:]
	if !strings.Contains(ents[0].Detail, d.ID) || !strings.Contains(ents[0].Detail, d.SHA256) ||
		!strings.Contains(ents[0].Detail, p.ID) || ents[0].RecordingID != rec.ID {
		t.Fatalf("audit %+v", ents)
	}
	for _, e := range ents {
		if strings.Contains(e.Detail, "bystander") {
			t.Fatal("a reason went into the audit trail")
		}
	}

	// The log lists every region with reason, who and when, and the
	// render's hash; the PDF holds no image.
	lg, err := lib.RedactionLogOf(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(lg.Tracks) != 1 || lg.Tracks[0].Reason != "a bystander's face" || lg.Tracks[0].In != 3 || lg.Tracks[0].Out != 30 ||
		len(lg.Tracks[0].Keyframes) != 2 || lg.Tracks[0].CreatedBy != "sgt1" || len(lg.FrameRanges) != 1 || lg.FrameRanges[0].AddedBy != "sgt1" ||
		len(lg.AudioRanges) != 1 || lg.AudioRanges[0].Reason != "a name spoken" || lg.Render.SHA256 != d.SHA256 || lg.Version != p.Version ||
		len(lg.History) != p.Version {
		t.Fatalf("log %+v", lg)
	}
	js, err := lg.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(js, []byte(`"reason": "a document held up"`)) || !bytes.Contains(js, []byte(d.SHA256)) {
		t.Fatalf("log JSON %s", js)
	}
	pdf, err := lg.PDF()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || bytes.Contains(pdf, []byte("/Subtype /Image")) {
		t.Fatal("the log PDF is not a PDF without images")
	}
}

// decodeYUVSize decodes a video to yuv420p frames of w×h.
func decodeYUVSize(t *testing.T, path string, w, h int) [][]byte {
	t.Helper()
	out := runOut(t, "-nostdin", "-v", "error", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-")
	size := w * h * 3 / 2
	var frames [][]byte
	for off := 0; off+size <= len(out); off += size {
		frames = append(frames, out[off:off+size])
	}
	return frames
}
