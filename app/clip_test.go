package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"exhibit/app/media"
	"exhibit/store"
)

// clipBand decodes every frame of a video (a path or URL) as players show
// it and reads each frame's index band.
func clipBand(t *testing.T, input string, w, h int) []int {
	t.Helper()
	cmd := exec.Command(media.FFmpegPath, "-nostdin", "-v", "error", "-i", input, "-map", "0:v:0",
		"-fps_mode", "passthrough", "-vf", "crop=iw:"+strconv.Itoa(h)+":0:0", "-f", "rawvideo", "-pix_fmt", "rgba", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("decode %s: %v: %s", input, err, stderr.String())
	}
	size := w * h * 4
	var ns []int
	for off := 0; off+size <= len(out); off += size {
		n, err := media.DecodeIndexBand(&image.RGBA{Pix: out[off : off+size], Stride: w * 4, Rect: image.Rect(0, 0, w, h)})
		if err != nil {
			t.Fatalf("%s frame %d: %v", input, len(ns), err)
		}
		ns = append(ns, n)
	}
	return ns
}

func isRange(ns []int, from, to int) bool {
	if len(ns) != to-from+1 {
		return false
	}
	for i, n := range ns {
		if n != from+i {
			return false
		}
	}
	return true
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestClips(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "cam.mp4")
	old := time.Now().Add(-40 * 24 * time.Hour).UTC().Format(time.RFC3339)
	if err := media.WriteIndexedClip(ctx, src, media.IndexedClipOptions{Frames: 100, GOP: 25, BFrames: 2, Audio: true,
		CreationTime: old}); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	rec := ingestOne(t, lib, src)

	// Lossless, to a file and the vault.
	out := filepath.Join(dir, "out", "lossless.mp4")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	var fracs []float64
	d, err := lib.CreateClip(ctx, ClipRequest{RecordingID: rec.ID[:5], From: 30, To: 60, Lossless: true}, out,
		func(f float64) { fracs = append(fracs, f) })
	if err != nil {
		t.Fatal(err)
	}
	if len(fracs) < 2 || fracs[len(fracs)-1] != 1 {
		t.Errorf("progress %v", fracs)
	}
	if d.Ref != rec.ID+"-C1" || d.Kind != KindClipLossless || d.RecordingID != rec.ID || d.MasterSHA256 != rec.SHA256 ||
		d.From != 30 || d.To != 60 || len(d.FrameMap) != 31 || d.FrameMap[0] != 30 || d.CreatedBy != "sgt1" {
		t.Fatalf("derivative %+v", d)
	}
	if got := sha256File(t, out); got != d.SHA256 {
		t.Fatalf("file sha256 %s, record %s", got, d.SHA256)
	}
	if got := clipBand(t, out, 320, 180); !isRange(got, 30, 60) {
		t.Fatalf("lossless clip shows %v", got)
	}
	// Proven from its packets when written; its decoded frames wait for
	// the clip check.
	if d.FrameCheck != FramesPending || len(d.FrameHash) != 0 || len(d.MasterFrameHash) != 0 || ClipCheckLabel(d) != "frames being checked" {
		t.Fatalf("lossless clip before its check: state %q, %d+%d bytes of frame hashes", d.FrameCheck, len(d.FrameHash), len(d.MasterFrameHash))
	}
	if !strings.HasPrefix(d.Recipe.Tool, "ffmpeg version") || !strings.Contains(strings.Join(d.Recipe.Args, " "), "master-"+rec.ID) ||
		!strings.Contains(strings.Join(d.Recipe.Notes, " "), "byte for byte the master's samples") {
		t.Errorf("recipe %+v", d.Recipe)
	}
	if d, err = lib.CheckClip(ctx, d.Ref); err != nil {
		t.Fatal(err)
	}
	if d.FrameCheck != FramesChecked || ClipCheckLabel(d) != "" {
		t.Fatalf("after the check: %q", d.FrameCheck)
	}
	if err := media.SameFrames(d.FrameHash, d.MasterFrameHash); err != nil {
		t.Fatal(err)
	}
	if rows, _ := media.ParseFrameHash(d.FrameHash); len(rows) != 31 {
		t.Fatalf("%d frame hashes", len(rows))
	}
	if ents, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".exhibit-clip-*")); len(ents) != 0 {
		t.Errorf("left behind %v", ents)
	}

	// Court copy with the overlay, vault only: read it back decrypted.
	if media.CaptionSupported() {
		c, err := lib.CreateClip(ctx, ClipRequest{RecordingID: rec.ID, From: 0, To: 99, Overlay: true}, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.Ref != rec.ID+"-C2" || c.Kind != KindClipCourt || len(c.FrameMap) != 100 {
			t.Fatalf("court derivative %+v", c)
		}
		// The clip job only transcodes and proves from the sample times;
		// both frame hashes (the clip's and the master range's) come
		// from the check.
		if c.FrameCheck != FramesPending || len(c.FrameHash) != 0 || len(c.MasterFrameHash) != 0 ||
			strings.Contains(strings.Join(c.Recipe.Notes, " "), "framehash") {
			t.Fatalf("court clip before its check: %q, %d+%d bytes of frame hashes, notes %v", c.FrameCheck, len(c.FrameHash), len(c.MasterFrameHash), c.Recipe.Notes)
		}
		if c, err = lib.CheckClip(ctx, c.ID); err != nil || c.FrameCheck != FramesChecked {
			t.Fatalf("court clip check: %v", err)
		}
		if rows, _ := media.ParseFrameHash(c.FrameHash); len(rows) != 100 {
			t.Fatalf("court clip: %d frame hashes", len(rows))
		}
		if rows, _ := media.ParseFrameHash(c.MasterFrameHash); len(rows) != 100 {
			t.Fatalf("court clip: %d master frame hashes", len(rows))
		}
		ra, size, closeFn, err := lib.OpenDerivative(ctx, c.Ref)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(io.NewSectionReader(ra, 0, size))
		if err != nil {
			t.Fatal(err)
		}
		if s := sha256.Sum256(b); hex.EncodeToString(s[:]) != c.SHA256 {
			t.Fatal("decrypted court clip differs from its record")
		}
		url, stop, err := ServeReaderAt(ra, size, "clip.mp4")
		if err != nil {
			t.Fatal(err)
		}
		if got := clipBand(t, url, 320, 180); !isRange(got, 0, 99) {
			t.Fatalf("court clip shows %v", got)
		}
		stop()
		if err := closeFn(); err != nil {
			t.Fatal(err)
		}
	}
	list, err := lib.Clips(ctx, rec.ID)
	if err != nil || len(list) < 1 || list[0].ID != d.ID {
		t.Fatalf("clips %v %v", list, err)
	}
	got, err := lib.Derivative(ctx, strings.ToLower(d.Ref))
	if err != nil || got.SHA256 != d.SHA256 || got.Recipe.Tool != d.Recipe.Tool {
		t.Fatalf("derivative by ref: %+v %v", got, err)
	}

	// Audit: clip.create with both hashes.
	es, err := lib.AuditEntries(ctx, AuditFilter{Action: "clip.create"})
	if err != nil || len(es) < 1 {
		t.Fatalf("audit %v %v", es, err)
	}
	if es[0].SHA256 != rec.SHA256 || !strings.Contains(es[0].Detail, d.SHA256) || !strings.Contains(es[0].Detail, d.Ref) {
		t.Errorf("clip.create entry %+v", es[0])
	}
	if es, _ := lib.AuditEntries(ctx, AuditFilter{Action: "clip.open"}); media.CaptionSupported() && len(es) != 1 {
		t.Errorf("clip.open entries %v", es)
	}

	// A viewer may list but not clip.
	signInAs(t, lib, "viewer1", RoleViewer)
	if _, err := lib.Clips(ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	var pe *PermissionError
	if _, err := lib.CreateClip(ctx, ClipRequest{RecordingID: rec.ID, From: 0, To: 1}, "", nil); !errors.As(err, &pe) {
		t.Fatalf("viewer clipped: %v", err)
	}

	// Restricted master: its clips are restricted too.
	signInAs(t, lib, "psd1", RolePSD)
	if _, err := lib.Restrict(ctx, rec.ID, true); err != nil {
		t.Fatal(err)
	}
	if l, err := lib.Clips(ctx, rec.ID); err != nil || len(l) == 0 || !l[0].Restricted {
		t.Fatalf("psd clips %v %v", l, err)
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	if _, err := lib.Clips(ctx, rec.ID); !errors.Is(err, ErrNotPermitted) {
		t.Fatalf("sergeant listed clips of a restricted recording: %v", err)
	}
	if _, err := lib.Derivative(ctx, d.Ref); !errors.Is(err, store.ErrNoDerivative) {
		t.Fatalf("sergeant saw a restricted clip: %v", err)
	}
	if _, _, _, err := lib.OpenDerivative(ctx, d.ID); !errors.Is(err, store.ErrNoDerivative) {
		t.Fatalf("sergeant opened a restricted clip: %v", err)
	}
	signInAs(t, lib, "psd1", RolePSD)
	if _, err := lib.Restrict(ctx, rec.ID, false); err != nil {
		t.Fatal(err)
	}

	// Retention: the clips go with their master, vault files included.
	paths := []string{}
	for _, c := range list {
		p, err := lib.st.DerivativeVaultPath(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	signInAs(t, lib, "admin", RoleAdmin)
	res, err := lib.SweepRetention(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Deleted) != 1 {
		t.Fatalf("sweep %+v", res)
	}
	for _, p := range paths {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("clip vault file %s still there: %v", p, err)
		}
	}
	if _, err := lib.st.GetDerivative(ctx, d.ID); !errors.Is(err, store.ErrNoDerivative) {
		t.Errorf("derivative survived its master: %v", err)
	}
	es, _ = lib.AuditEntries(ctx, AuditFilter{Action: "retention.delete"})
	if len(es) != 1 || !strings.Contains(es[0].Detail, d.Ref) {
		t.Errorf("retention entry %+v does not name the clips", es)
	}
}

// TestClipRefused: a source that cannot be cut losslessly gets a sentence,
// no file and no record.
func TestClipRefused(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "cam.avi")
	if err := media.WriteIndexedClip(ctx, src, media.IndexedClipOptions{Frames: 60, GOP: 25, BFrames: 2}); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	rec := ingestOne(t, lib, src)
	out := filepath.Join(dir, "clip.mp4")
	_, err := lib.CreateClip(ctx, ClipRequest{RecordingID: rec.ID, From: 30, To: 40, Lossless: true}, out, nil)
	if !errors.Is(err, ErrNotLossless) {
		t.Fatalf("lossless cut of AVI with B-frames: %v", err)
	}
	if msg := UserMessage(err); !strings.Contains(msg, "cannot be cut losslessly") {
		t.Errorf("message %q", msg)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("output written: %v", err)
	}
	if ents, _ := filepath.Glob(filepath.Join(dir, ".exhibit-clip-*")); len(ents) != 0 {
		t.Errorf("left behind %v", ents)
	}
	if l, err := lib.Clips(ctx, rec.ID); err != nil || len(l) != 0 {
		t.Errorf("clips %v %v", l, err)
	}
	es, _ := lib.AuditEntries(ctx, AuditFilter{Action: "clip.create"})
	if len(es) != 1 || es[0].Outcome != store.OutcomeFailed {
		t.Errorf("audit %+v", es)
	}
	// The court copy of the same range works.
	d, err := lib.CreateClip(ctx, ClipRequest{RecordingID: rec.ID, From: 30, To: 40}, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := clipBand(t, out, 320, 180); !isRange(got, 30, 40) || d.Kind != KindClipCourt {
		t.Fatalf("court clip of AVI shows %v", got)
	}
	if _, err := lib.CreateClip(ctx, ClipRequest{RecordingID: rec.ID, From: 50, To: 60}, "", nil); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("frame 60 of 60: %v", err)
	}
}

// TestClipChecksPendingFrames: a recording clipped straight after ingest
// (frame table from packets, check pending) is checked first, by the frame
// check's own code, and the clip is cut against the confirmed table. When
// that check corrects the table, the clip is refused with a sentence (the
// range was chosen by the old numbering) and nothing is kept; clipping
// again then works on the corrected table.
func TestClipChecksPendingFrames(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "cam.mp4")
	if err := media.WriteIndexedClip(ctx, src, media.IndexedClipOptions{Frames: 60, GOP: 25, BFrames: 2}); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	rec := ingestOne(t, lib, src)
	if r, err := lib.Get(ctx, rec.ID); err != nil || r.FrameCheck != FramesPending {
		t.Fatalf("after ingest: %v %+v", err, r)
	}
	out := filepath.Join(dir, "clip.mp4")
	if _, err := lib.CreateClip(ctx, ClipRequest{RecordingID: rec.ID, From: 20, To: 40, Lossless: true}, out, nil); err != nil {
		t.Fatal(err)
	}
	if got := clipBand(t, out, 320, 180); !isRange(got, 20, 40) {
		t.Fatalf("clip shows %v", got)
	}
	if r, err := lib.Get(ctx, rec.ID); err != nil || r.FrameCheck != FramesChecked {
		t.Fatalf("after the clip the frame check should be done: %v %+v", err, r)
	}
	es := auditActions(t, lib, rec.ID)
	checked, clipped := -1, -1
	for i, e := range es {
		switch e.Action {
		case "frames.checked":
			checked = i
		case "clip.create":
			clipped = i
		}
	}
	if checked < 0 || clipped < 0 || es[checked].Seq >= es[clipped].Seq || es[checked].User != "sgt1" {
		t.Fatalf("audit should hold frames.checked (by sgt1) before clip.create: %+v", es)
	}

	// A table the check corrects: a transport stream cut mid-GOP has
	// packets that decode to no frame.
	full := filepath.Join(dir, "full.ts")
	if err := media.WriteIndexedClip(ctx, full, media.IndexedClipOptions{Frames: 75, GOP: 25, BFrames: 2}); err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut", "midgop.ts")
	if err := os.MkdirAll(filepath.Dir(cut), 0o755); err != nil {
		t.Fatal(err)
	}
	cutTS(t, full, cut)
	res := ingestOne(t, lib, cut)
	out2 := filepath.Join(dir, "clip2.mp4")
	_, err := lib.CreateClip(ctx, ClipRequest{RecordingID: res.ID, From: 5, To: 15}, out2, nil)
	if !errors.Is(err, ErrFramesCorrected) {
		t.Fatalf("clip of a table the check corrects: %v", err)
	}
	if msg := UserMessage(err); !strings.Contains(msg, "No clip was made") || !strings.Contains(msg, "clip again") {
		t.Errorf("message %q", msg)
	}
	if _, err := os.Stat(out2); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("output written: %v", err)
	}
	if l, err := lib.Clips(ctx, res.ID); err != nil || len(l) != 0 {
		t.Errorf("clips %v %v", l, err)
	}
	r2, err := lib.Get(ctx, res.ID)
	if err != nil || r2.FrameCheck != FramesCorrected {
		t.Fatalf("after the refused clip: %v %+v", err, r2)
	}
	failed := 0
	for _, e := range auditActions(t, lib, res.ID) {
		if e.Action == "clip.create" && e.Outcome == store.OutcomeFailed {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("the refusal should be audited once as a failed clip.create, got %d", failed)
	}
	ft, err := lib.FrameTable(ctx, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	d, err := lib.CreateClip(ctx, ClipRequest{RecordingID: res.ID, From: 5, To: 15}, out2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.To >= ft.Len() || len(d.FrameMap) != 11 {
		t.Errorf("second clip %+v against %d frames", d, ft.Len())
	}
	if _, err := os.Stat(out2); err != nil {
		t.Errorf("second clip not written: %v", err)
	}
}
