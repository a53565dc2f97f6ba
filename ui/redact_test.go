package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"exhibit/app"
	"exhibit/app/media"
	"exhibit/app/redact"
)

// The redaction clip: 640x360, 25 fps, 60 frames, in a store of its own
// (the editor changes it).
const redactClipFrames = 60

// redactStore makes a store holding the redaction clip, a sergeant (who
// may export, so redact) signed in, and returns it with its directory and
// the recording's id.
func redactStore(t *testing.T) (*app.Library, string, string) {
	t.Helper()
	return redactStoreWith(t, media.IndexedClipOptions{Width: 640, Height: 360, Frames: redactClipFrames}, nil)
}

// redactStoreWith is redactStore with a clip of o's size and length (25
// fps, B-frames, sound) and overlays composited into it.
func redactStoreWith(t *testing.T, o media.IndexedClipOptions, overlays []media.Overlay) (*app.Library, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	lib, dir := newStore(t)
	src := filepath.Join(t.TempDir(), "X6001234_20261128_143320_0002.MP4")
	o.FPS, o.GOP, o.BFrames, o.Audio, o.CreationTime = media.Rational{Num: 25, Den: 1}, 25, 2, true, "2026-11-28T14:33:20Z"
	var err error
	if len(overlays) > 0 {
		err = media.WriteOverlaidClip(ctx, src, o, overlays)
	} else {
		err = media.WriteIndexedClip(ctx, src, o)
	}
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := json.Marshal(map[string]any{"officer": "PC 4521 Jones", "device_serial": "X6001234", "recorded_at": "2026-11-28T14:33:20Z"})
	if err := os.WriteFile(strings.TrimSuffix(src, ".MP4")+".json", sc, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := lib.Ingest(ctx, []string{src}, app.IngestOptions{})
	if err != nil || len(res) != 1 || res[0].Status != app.Imported {
		t.Fatalf("ingest: %+v %v", res, err)
	}
	recs, err := lib.List(ctx, app.Filter{}, app.SortRecordedAt, false)
	if err != nil || len(recs) != 1 {
		t.Fatalf("list: %d, %v", len(recs), err)
	}
	addUsers(t, lib, map[string]app.Role{"sgt": app.RoleSergeant})
	signIn(t, lib, "sgt")
	return lib, dir, recs[0].ID
}

// redactHarness drives an editor in a test window.
type redactHarness struct {
	t   *testing.T
	s   *redactScreen
	q   uiQueue
	w   fyne.Window
	lib *app.Library
}

// openRedactEditor opens the editor of recording id in a test window of
// the given size and waits for its first picture.
func openRedactEditor(t *testing.T, lib *app.Library, id string, size fyne.Size) *redactHarness {
	t.Helper()
	test.NewTempApp(t)
	q := newUIQueue()
	w := test.NewWindow(nil)
	w.Resize(size)
	s := newRedactScreen(lib, w, id, "", 0, -1, nil, nil)
	s.engOpt.AudioOutput = "null"
	s.do = q.do
	s.mods = func() fyne.KeyModifier { return 0 }
	w.SetContent(s.content)
	s.start()
	t.Cleanup(func() {
		done := s.close()
		for {
			select {
			case <-done:
				w.Close()
				return
			case f := <-q:
				f()
			}
		}
	})
	h := &redactHarness{t: t, s: s, q: q, w: w, lib: lib}
	q.until(t, "the editor to open", func() bool { return s.loaded && s.video.Image() != nil || s.failed })
	if s.failed {
		t.Fatalf("editor failed: %s", s.message.Text)
	}
	return h
}

// at goes to frame n and waits until the picture shows it.
func (h *redactHarness) at(n int) {
	h.t.Helper()
	h.s.seekFrame(n)
	h.q.until(h.t, "frame "+itoa(n), func() bool {
		if h.s.cur != n || h.s.nav.busy() || h.s.shownImg == nil {
			return false
		}
		got, err := media.DecodeIndexBand(h.s.shownImg)
		return err == nil && got == n
	})
}

// saved waits until every edit is stored and shown as stored.
func (h *redactHarness) saved() {
	h.t.Helper()
	h.q.until(h.t, "the edits to be saved", func() bool {
		n, _, err := h.s.saver.state()
		if err != nil {
			h.t.Fatalf("saving failed: %v (%s)", err, h.s.status.Text)
		}
		return n == 0 && len(h.q) == 0 && strings.HasPrefix(h.s.status.Text, "All changes saved")
	})
}

// stored is the project as the store holds it.
func (h *redactHarness) stored() redact.Project {
	h.t.Helper()
	p, err := h.lib.RedactionProject(context.Background(), h.s.projID)
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

// drag presses at source point a and releases at source point b, as the
// window's driver delivers a mouse drag: MouseDown, Dragged (position and
// move since the press), DragEnd.
func (h *redactHarness) drag(ax, ay, bx, by float64) {
	o := h.s.overlay
	m := o.picMap()
	a, b := m.toView(ax, ay), m.toView(bx, by)
	o.MouseDown(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: a}, Button: desktop.MouseButtonPrimary})
	mid := fyne.NewPos((a.X+b.X)/2, (a.Y+b.Y)/2)
	o.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: mid}, Dragged: fyne.NewDelta(mid.X-a.X, mid.Y-a.Y)})
	o.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: b}, Dragged: fyne.NewDelta(b.X-mid.X, b.Y-mid.Y)})
	o.DragEnd()
}

// drawnBoxes are the solid outlines the overlay draws (view coordinates).
func drawnBoxes(o *redactOverlay) []fyne.Position {
	var out []fyne.Position
	for _, obj := range test.WidgetRenderer(o).Objects() {
		if r, ok := obj.(*canvas.Rectangle); ok && r.StrokeWidth == 2 {
			out = append(out, r.Position(), fyne.NewPos(r.Size().Width, r.Size().Height))
		}
	}
	return out
}

// TestRedactEditorEdits opens the editor on generated footage over the
// real engine and store: a box drawn with the mouse is stored in source
// pixels as a new track's keyframe on the frame shown; a move on another
// frame adds a keyframe there; a frame between shows the interpolated box
// where the picture has it; Del removes a keyframe; undo and redo put it
// back and take it away in the store; the preview changes the pixels in
// the box only.
func TestRedactEditorEdits(t *testing.T) {
	lib, _, id := redactStore(t)
	h := openRedactEditor(t, lib, id, fyne.NewSize(1280, 800))
	s := h.s
	ps, err := lib.RedactionProjects(context.Background(), id)
	if err != nil || len(ps) != 1 || ps[0].From != 0 || ps[0].To != redactClipFrames-1 {
		t.Fatalf("projects of the recording: %+v %v", ps, err)
	}
	if s.count != redactClipFrames || s.srcW != 640 || s.srcH != 360 {
		t.Fatalf("editor on %d frames of %dx%d", s.count, s.srcW, s.srcH)
	}

	// Draw at frame 10.
	h.at(10)
	h.drag(100, 80, 220, 170)
	h.saved()
	box10 := redact.Box{X: 100, Y: 80, W: 120, H: 90}
	p := h.stored()
	if len(p.Tracks) != 1 {
		t.Fatalf("stored %d tracks, want 1", len(p.Tracks))
	}
	tr := p.Tracks[0]
	if len(tr.Keyframes) != 1 || tr.Keyframes[0] != (redact.Keyframe{Frame: 10, Box: box10}) || tr.Out() != redactClipFrames-1 ||
		tr.Method != redact.Solid || tr.Label != redact.Face {
		t.Fatalf("stored track %+v, want keyframe 10 %v to the last frame, solid, face", tr, box10)
	}
	if s.sel != tr.ID {
		t.Errorf("selected %q, want the new track %q", s.sel, tr.ID)
	}
	if !strings.HasPrefix(s.frameLbl.Text, formatFrameReadout(10, redactClipFrames)) {
		t.Errorf("readout %q", s.frameLbl.Text)
	}

	// Move it at frame 20: a keyframe there.
	h.at(20)
	h.drag(160, 125, 200, 145)
	h.saved()
	box20 := redact.Box{X: 140, Y: 100, W: 120, H: 90}
	if ks := h.stored().Tracks[0].Keyframes; len(ks) != 2 || ks[1] != (redact.Keyframe{Frame: 20, Box: box20}) {
		t.Fatalf("keyframes after the move: %+v, want frame 20 at %v", ks, box20)
	}
	// Resize by the bottom-right handle at frame 20.
	h.drag(260, 190, 270, 200)
	h.saved()
	box20 = redact.Box{X: 140, Y: 100, W: 130, H: 100}
	if ks := h.stored().Tracks[0].Keyframes; len(ks) != 2 || ks[1].Box != box20 {
		t.Fatalf("keyframes after the resize: %+v, want frame 20 at %v", ks, box20)
	}

	// Frame 15 shows the midpoint, drawn where the picture has it.
	h.at(15)
	mid := redact.Box{X: 120, Y: 90, W: 125, H: 95}
	checkDrawn := func(what string, want redact.Box) {
		t.Helper()
		pos, size, ok := s.video.PictureRect()
		if !ok {
			t.Fatalf("%s: no picture", what)
		}
		kx, ky := size.Width/640, size.Height/360
		got := drawnBoxes(s.overlay)
		if len(got) != 2 {
			t.Fatalf("%s: %d boxes drawn, want 1", what, len(got)/2)
		}
		wantPos := fyne.NewPos(pos.X+float32(want.X)*kx, pos.Y+float32(want.Y)*ky)
		wantSize := fyne.NewPos(float32(want.W)*kx, float32(want.H)*ky)
		if !nearf(got[0].X, wantPos.X) || !nearf(got[0].Y, wantPos.Y) || !nearf(got[1].X, wantSize.X) || !nearf(got[1].Y, wantSize.Y) {
			t.Errorf("%s: box drawn at %v size %v, want %v size %v (picture at %v size %v)", what, got[0], got[1], wantPos, wantSize, pos, size)
		}
	}
	checkDrawn("frame 15", mid)
	// The same at a small window (letterboxed differently).
	h.w.Resize(fyne.NewSize(1000, 900))
	h.q.run(50 * time.Millisecond)
	s.overlay.Refresh()
	checkDrawn("frame 15, window 1000x900", mid)
	h.w.Resize(fyne.NewSize(1280, 800))
	s.overlay.Refresh()

	// Preview: the picture changes inside the box (grown by the margin
	// and to whole cells) and nowhere else.
	s.typedRune('v')
	shown := s.video.Image()
	if shown == s.shownImg || !s.preview {
		t.Fatal("V did not show the preview")
	}
	grown := image.Rect(mid.X-redact.Margin, mid.Y-redact.Margin, mid.X+mid.W+redact.Margin, mid.Y+mid.H+redact.Margin)
	cells := image.Rect(grown.Min.X/redact.Cell*redact.Cell, grown.Min.Y/redact.Cell*redact.Cell,
		(grown.Max.X+redact.Cell-1)/redact.Cell*redact.Cell, (grown.Max.Y+redact.Cell-1)/redact.Cell*redact.Cell)
	inside, outsideSame, outside := map[[3]uint8]bool{}, 0, 0
	for y := 0; y < 360; y++ {
		for x := 0; x < 640; x++ {
			i := shown.PixOffset(x, y)
			c := [3]uint8{shown.Pix[i], shown.Pix[i+1], shown.Pix[i+2]}
			pt := image.Pt(x, y)
			switch {
			case pt.In(image.Rect(mid.X, mid.Y, mid.X+mid.W, mid.Y+mid.H)):
				inside[c] = true
			case !pt.In(cells):
				outside++
				j := s.shownImg.PixOffset(x, y)
				if c == [3]uint8{s.shownImg.Pix[j], s.shownImg.Pix[j+1], s.shownImg.Pix[j+2]} {
					outsideSame++
				}
			}
		}
	}
	if len(inside) != 1 {
		t.Errorf("preview: %d colours inside the solid box, want 1", len(inside))
	}
	if outsideSame != outside {
		t.Errorf("preview: %d of %d pixels outside the box changed", outside-outsideSame, outside)
	}
	if len(drawnBoxes(s.overlay)) != 0 {
		t.Error("preview: outlines drawn over the redacted picture")
	}
	s.typedRune('v')
	if s.video.Image() != s.shownImg {
		t.Error("V again: the picture is not the engine's")
	}

	// Del at frame 20 removes that keyframe; undo puts it back, redo
	// removes it again, in the store each time.
	h.at(20)
	s.typedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
	h.saved()
	if ks := h.stored().Tracks[0].Keyframes; len(ks) != 1 || ks[0].Frame != 10 {
		t.Fatalf("keyframes after Del at 20: %+v", ks)
	}
	s.undoEdit()
	h.saved()
	if ks := h.stored().Tracks[0].Keyframes; len(ks) != 2 || ks[1] != (redact.Keyframe{Frame: 20, Box: box20}) {
		t.Fatalf("keyframes after undo: %+v", ks)
	}
	s.redoEdit()
	h.saved()
	if ks := h.stored().Tracks[0].Keyframes; len(ks) != 1 {
		t.Fatalf("keyframes after redo: %+v", ks)
	}
	// Undo everything: the track goes, then comes back with redo.
	for len(s.undo) > 0 {
		s.undoEdit()
	}
	h.saved()
	if n := len(h.stored().Tracks); n != 0 {
		t.Fatalf("after undoing everything %d tracks are stored", n)
	}
	s.redoEdit()
	h.saved()
	if p := h.stored(); len(p.Tracks) != 1 || p.Tracks[0].Keyframes[0] != (redact.Keyframe{Frame: 10, Box: box10}) {
		t.Fatalf("after redo: %+v", p.Tracks)
	}
	if got := fmt.Sprint(s.proj.Tracks); got != fmt.Sprint(h.stored().Tracks) {
		t.Errorf("screen and store differ:\n%s\n%s", got, fmt.Sprint(h.stored().Tracks))
	}

	// Render…: a redacted derivative of the project's version.
	s.renderDialog()
	cd, ok := s.dlg.(*dialog.ConfirmDialog)
	if !ok {
		t.Fatalf("Render… showed %T", s.dlg)
	}
	cd.Confirm()
	h.q.until(t, "the render", func() bool {
		return !s.modal && strings.HasPrefix(s.status.Text, "Redacted copy") || strings.HasPrefix(s.status.Text, "No redacted copy")
	})
	ds, err := lib.Clips(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var red *app.Derivative
	for _, d := range ds {
		if d.Kind == "redacted" {
			red = d
		}
	}
	if v := h.stored().Version; red == nil || red.RedactionID != s.projID || red.RedactionVersion != v || !strings.Contains(s.status.Text, red.Ref) {
		t.Fatalf("after Render: %q, derivative %+v, want one of project %s version %d", s.status.Text, red, s.projID, v)
	}
}

// pigoSampleFace is the portrait that ships in the pigo module's testdata.
func pigoSampleFace(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-json", "github.com/esimov/pigo").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/esimov/pigo: %v", err)
	}
	var m struct{ Dir string }
	if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
		t.Fatalf("go list: %s: %v", out, err)
	}
	return filepath.Join(m.Dir, "testdata", "sample.jpg")
}

// shotTabs keeps a capture of the window with each of the panel's tabs in
// EXHIBIT_GUI_SHOT_DIR (when set), named prefix-<tab>.png.
func shotTabs(t *testing.T, h *redactHarness, prefix string) {
	t.Helper()
	if os.Getenv("EXHIBIT_GUI_SHOT_DIR") == "" {
		return
	}
	tabs := h.s.panel.tabs
	for i, name := range []string{"tracks", "faces", "ranges"} {
		tabs.SelectIndex(i)
		h.q.run(20 * time.Millisecond)
		saveShot(t, h.w.Canvas().Capture(), prefix+"-"+name+".png")
	}
	tabs.SelectIndex(0)
}

// TestRedactEditorFacesFollowRanges: on footage with a face composited
// into it, "This frame" proposes it (dashed, over the face) within a
// bound; accepting it makes a track; following the track forward adds
// keyframes and says where it stopped; the panel's reason and method
// are stored; a bleep over the frames marked with I and O is added
// through its dialog.
func TestRedactEditorFacesFollowRanges(t *testing.T) {
	face := media.Overlay{Image: pigoSampleFace(t), W: 240, H: 300, X: 100, Y: 100, DX: 4, DY: 2, From: 0, To: -1}
	lib, _, id := redactStoreWith(t, media.IndexedClipOptions{Width: 1280, Height: 720, Frames: 40}, []media.Overlay{face})
	h := openRedactEditor(t, lib, id, fyne.NewSize(1366, 768))
	s, p := h.s, h.s.panel

	// Faces on the frame shown.
	h.at(6)
	start := time.Now()
	p.hereBtn.OnTapped()
	h.q.until(t, "proposals", func() bool {
		return s.detecting == nil && len(p.pending) > 0 || strings.Contains(p.detectLbl.Text, "could not")
	})
	took := time.Since(start)
	if len(p.pending) != 1 {
		t.Fatalf("%d proposals (%s), want 1", len(p.pending), p.detectLbl.Text)
	}
	t.Logf("time to the first proposal on screen (This frame, 1280x720): %v", took)
	if took > 2*time.Second && !raceBuild {
		t.Errorf("the visible frame's proposals took %v, want < 2 s", took)
	}
	var dashed []overlayItem
	for _, it := range s.overlay.items {
		if it.Proposal {
			dashed = append(dashed, it)
		}
	}
	r, _ := face.At(6)
	fa := image.Rect(r.Min.X+r.Dx()/5, r.Min.Y+r.Dy()*2/5, r.Max.X-r.Dx()/5, r.Min.Y+r.Dy()*17/20)
	if len(dashed) != 1 || !fa.In(image.Rect(dashed[0].Box.X, dashed[0].Box.Y, dashed[0].Box.X+dashed[0].Box.W, dashed[0].Box.Y+dashed[0].Box.H)) {
		t.Fatalf("proposals drawn %+v, want one around the face %v", dashed, fa)
	}
	p.tabs.SelectIndex(1)
	if !slices.Contains(labelTexts(s.content), p.faceNote.Text) || !strings.Contains(p.faceNote.Text, "frontal faces only") {
		t.Error("the Faces tab does not say that detection finds frontal faces only")
	}
	shotTabs(t, h, "redact-proposal")

	// Accept it: a track with the detection as its keyframe.
	p.acceptAll.OnTapped()
	h.saved()
	pj := h.stored()
	if len(pj.Tracks) != 1 || pj.Proposals[0].State != redact.Accepted || len(p.pending) != 0 {
		t.Fatalf("after accepting: %d tracks, proposals %+v, %d pending on screen", len(pj.Tracks), pj.Proposals, len(p.pending))
	}
	tr := pj.Tracks[0]
	s.selectItem(tr.ID, false)

	// Reason and method from the panel.
	p.reason.SetText("Member of the public, not involved")
	p.saveReason()
	p.method.SetSelected(methodTitle(redact.Pixelate))
	h.saved()
	if tr = h.stored().Tracks[0]; tr.Reason != "Member of the public, not involved" || tr.Method != redact.Pixelate {
		t.Fatalf("stored track %+v, want the reason and pixelate", tr)
	}

	// Follow forward from frame 6.
	before := len(tr.Keyframes)
	p.followFw.OnTapped()
	h.q.until(t, "the follow", func() bool { return s.tracking == nil && !strings.HasPrefix(p.followLbl.Text, "Following") })
	h.saved()
	tr = h.stored().Tracks[0]
	if len(tr.Keyframes) <= before || !strings.HasPrefix(p.followLbl.Text, "Followed the object from frame 6") && !strings.HasPrefix(p.followLbl.Text, "Lost") {
		t.Fatalf("after following: %d keyframes (had %d), %q", len(tr.Keyframes), before, p.followLbl.Text)
	}
	for _, k := range tr.Keyframes {
		r, _ := face.At(k.Frame)
		c := image.Pt((r.Min.X+r.Max.X)/2, r.Min.Y+r.Dy()*3/5) // the middle of the face
		if !c.In(image.Rect(k.Box.X, k.Box.Y, k.Box.X+k.Box.W, k.Box.Y+k.Box.H)) {
			t.Errorf("followed keyframe %d at %v misses the face's middle %v", k.Frame, k.Box, c)
		}
	}
	// Undo takes the followed keyframes away as one edit.
	s.undoEdit()
	h.saved()
	if n := len(h.stored().Tracks[0].Keyframes); n != before {
		t.Errorf("undo of the follow: %d keyframes, want %d", n, before)
	}

	// A bleep over frames 10–20, through I, O and its dialog.
	h.at(10)
	s.typedRune('i')
	h.at(20)
	s.typedRune('o')
	if !p.bleepBtn.Disabled() && p.ioLbl.Text != "Marked: frames 10–20 (11 frames)." {
		t.Errorf("marked range label %q", p.ioLbl.Text)
	}
	p.bleepBtn.OnTapped()
	fd, ok := s.dlg.(*dialog.FormDialog)
	if !ok {
		t.Fatalf("no range dialog: %T", s.dlg)
	}
	test.Type(s.win.Canvas().Focused(), "Name and address said aloud")
	fd.Submit()
	h.saved()
	au := h.stored().Audio
	if len(au) != 1 || au[0].Kind != redact.Bleep || au[0].From != 400*time.Millisecond || au[0].To != 840*time.Millisecond ||
		au[0].Reason != "Name and address said aloud" {
		t.Fatalf("stored sound ranges %+v, want a bleep 0.4–0.84 s", au)
	}
	// Undo takes the bleep away, redo brings it back under its id.
	s.undoEdit()
	h.saved()
	if n := len(h.stored().Audio); n != 0 || len(s.proj.Audio) != 0 {
		t.Fatalf("after undo: %d sound ranges stored, %d on screen", n, len(s.proj.Audio))
	}
	s.redoEdit()
	h.saved()
	if back := h.stored().Audio; len(back) != 1 || back[0].ID != au[0].ID || back[0].Reason != au[0].Reason {
		t.Fatalf("after redo: %+v, want %+v", back, au)
	}
	shotTabs(t, h, "redact-edited")
}

// failingLib is the real library with AddKeyframe failing while fail is
// set, as a full disk or a locked store would make it.
type failingLib struct {
	*app.Library
	fail atomic.Bool
}

func (f *failingLib) AddKeyframe(ctx context.Context, projectID string, in app.KeyframeInput) (string, redact.Project, error) {
	if f.fail.Load() {
		return "", redact.Project{}, fmt.Errorf("add keyframe: %w", errDiskFull)
	}
	return f.Library.AddKeyframe(ctx, projectID, in)
}

var errDiskFull = errors.New("database or disk is full")

// TestRedactEditorSaveFailure: an edit the store refuses stays on screen,
// the status says so in a sentence with Save again, later edits wait
// behind it in order, leaving asks first, and Save again stores them all.
func TestRedactEditorSaveFailure(t *testing.T) {
	lib, _, id := redactStore(t)
	fl := &failingLib{Library: lib}
	test.NewTempApp(t)
	q := newUIQueue()
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1280, 800))
	left := false
	s := newRedactScreen(fl, w, id, "", 0, -1, nil, func() { left = true })
	s.engOpt.AudioOutput = "null"
	s.do = q.do
	w.SetContent(s.content)
	s.start()
	t.Cleanup(func() {
		done := s.close()
		for {
			select {
			case <-done:
				w.Close()
				return
			case f := <-q:
				f()
			}
		}
	})
	h := &redactHarness{t: t, s: s, q: q, w: w, lib: lib}
	q.until(t, "the editor to open", func() bool { return s.loaded && s.video.Image() != nil || s.failed })
	h.at(5)
	fl.fail.Store(true)
	h.drag(50, 50, 150, 120)
	q.until(t, "the failure shown", func() bool { _, _, err := s.saver.state(); return err != nil && s.retryBtn.Visible() })
	if !strings.HasPrefix(s.status.Text, "Not saved: the new box could not be stored") || !strings.Contains(s.status.Text, "Save again") {
		t.Errorf("status %q", s.status.Text)
	}
	if len(s.proj.Tracks) != 1 {
		t.Fatalf("the box is gone from the screen: %d tracks", len(s.proj.Tracks))
	}
	// A second edit waits behind the first (it needs the track's id).
	s.updateTrack("the reason", func() redact.Track {
		tr := cloneTrack(s.proj.Tracks[0])
		tr.Reason = "Bystander"
		return tr
	}())
	if n, _, _ := s.saver.state(); n != 2 {
		t.Errorf("%d edits waiting, want 2", n)
	}
	// Leaving asks first; staying keeps everything.
	s.goBack()
	if left || !s.modal {
		t.Fatal("left with unsaved edits without asking")
	}
	s.dlg.Hide() // Stay
	q.run(20 * time.Millisecond)
	fl.fail.Store(false)
	test.Tap(s.retryBtn)
	h.saved()
	p := h.stored()
	if len(p.Tracks) != 1 || p.Tracks[0].Reason != "Bystander" || p.Tracks[0].Keyframes[0] != (redact.Keyframe{Frame: 5, Box: redact.Box{X: 50, Y: 50, W: 100, H: 70}}) {
		t.Fatalf("stored after Save again: %+v", p.Tracks)
	}
	if s.retryBtn.Visible() {
		t.Error("Save again still shown")
	}
}
