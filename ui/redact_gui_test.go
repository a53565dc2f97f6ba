package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"exhibit/app/redact"
)

// redactStateEnv, set in the review child (reviewGUIChild), makes it
// report the redaction editor's state to that file once R opened it.
const redactStateEnv = "EXHIBIT_UI_REDACT_CHILD_STATE"

// redactState is what the child reports: the frame shown, where the
// picture is in the window (pixels), the project on screen, the save
// status and whether the preview is shown.
type redactState struct {
	Frame               int
	X, Y, Width, Height int
	Tracks              []redact.Track
	Status              string
	Preview             bool
	CanvasW, CanvasH    int
	// Bottom of the window's content (the status line), in pixels.
	StatusBottom int
	// The reason's entry: its middle, and whether it is whole within the
	// panel's visible part.
	ReasonX, ReasonY int
	ReasonShown      bool
	// The track form's visible part: top and bottom, in pixels.
	FormTop, FormBottom int
}

func init() {
	path := os.Getenv(redactStateEnv)
	if os.Getenv(reviewChildEnv) == "" || path == "" {
		return
	}
	var last *redactScreen
	report := func(s *redactScreen) {
		pos, size, _ := s.video.PictureRect()
		d := fyne.CurrentApp().Driver()
		abs := d.AbsolutePositionForObject(s.video)
		sc := s.win.Canvas().Scale()
		cs := s.win.Canvas().Size()
		sa := d.AbsolutePositionForObject(s.status)
		ra := d.AbsolutePositionForObject(s.panel.reason)
		rs := s.panel.reason.Size()
		va := d.AbsolutePositionForObject(s.panel.detailScroll)
		vs := s.panel.detailScroll.Size()
		shown := s.panel.detail.Visible() && ra.Y >= va.Y && ra.Y+rs.Height <= va.Y+vs.Height && rs.Height > 0
		writeState(path, redactState{ReasonX: int((ra.X + rs.Width/2) * sc), ReasonY: int((ra.Y + rs.Height/2) * sc), ReasonShown: shown,
			FormTop: int(va.Y * sc), FormBottom: int((va.Y + vs.Height) * sc),
			Frame: s.cur, X: int((abs.X + pos.X) * sc), Y: int((abs.Y + pos.Y) * sc),
			Width: int(size.Width * sc), Height: int(size.Height * sc), Tracks: s.proj.Tracks, Status: s.status.Text,
			Preview: s.preview, CanvasW: int(cs.Width * sc), CanvasH: int(cs.Height * sc),
			StatusBottom: int((sa.Y + s.status.Size().Height) * sc)})
	}
	redactShown = func(s *redactScreen) { last = s; report(s) }
	// The layout settles after the first frame: report again a few times a
	// second.
	go func() {
		for range time.Tick(250 * time.Millisecond) {
			if fyne.CurrentApp() == nil {
				continue
			}
			fyne.Do(func() {
				if last != nil && !last.closed {
					report(last)
				}
			})
		}
	}()
}

// TestRedactGUIUnderXvfb opens the review screen in a real window as a
// sergeant, presses R, and in the redaction editor that opens steps to a
// frame, draws a box with the mouse (xdotool), checks the keyframe stored
// in source pixels, and that V shows the box filled on screen. With
// EXHIBIT_GUI_SHOT_DIR set it keeps screenshots at 1366×768 and, when the
// X screen is large enough, 1920×1080.
func TestRedactGUIUnderXvfb(t *testing.T) {
	if os.Getenv("EXHIBIT_GUI_TEST") != "1" || os.Getenv("DISPLAY") == "" {
		t.Skip("real-window test: set EXHIBIT_GUI_TEST=1 and DISPLAY (an X server such as Xvfb) to run it")
	}
	lib, dir, id := redactStore(t)
	lib.Close()
	reviewPath := filepath.Join(t.TempDir(), "review.json")
	statePath := filepath.Join(t.TempDir(), "redact.json")
	p := startGUIChild(t, reviewChildEnv+"=1", guiChildStoreEnv+"="+dir, guiChildPassEnv+"=x",
		guiChildUserEnv+"=sgt", guiChildPwEnv+"="+userPassword("sgt"),
		reviewChildIDEnv+"="+id, reviewChildStateEnv+"="+reviewPath, redactStateEnv+"="+statePath,
		"FYNE_SCALE=1", "TZ=Europe/London")
	wid := p.window(t, "Review "+id)
	xdo := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
			t.Fatalf("xdotool %v: %v %s", args, err, out)
		}
	}
	wait := func(what string, ok func(st redactState) bool) redactState {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			var st redactState
			if b, err := os.ReadFile(statePath); err == nil && json.Unmarshal(b, &st) == nil && ok(st) {
				return st
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the editor reports %+v", what, st)
			}
			p.running(t)
			time.Sleep(30 * time.Millisecond)
		}
	}
	shot := func() image.Image {
		t.Helper()
		b, err := exec.Command("import", "-window", wid, "png:-").Output()
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		return img
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(reviewPath); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the review screen did not open")
		}
	}
	xdo("key", "--window", wid, "r")
	wait("the editor", func(st redactState) bool { return st.Width > 0 && st.Status != "" })
	xdo("windowsize", "--sync", wid, "1366", "768")
	wait("1366x768", func(st redactState) bool { return st.CanvasW == 1366 && st.CanvasH == 768 })
	for n := 1; n <= 10; n++ {
		xdo("key", "--window", wid, "Right")
		wait("frame "+itoa(n), func(st redactState) bool { return st.Frame == n })
	}
	st := wait("the layout at 1366x768", func(st redactState) bool { return st.Frame == 10 && st.Width > 0 })
	if st.StatusBottom > st.CanvasH {
		t.Errorf("the status line ends at %d, below the window's %d", st.StatusBottom, st.CanvasH)
	}
	// Drag from source 100,80 to 220,170 (through XTEST to the window).
	at := func(x, y float64) (string, string) {
		return strconv.Itoa(st.X + int(x*float64(st.Width)/640+0.5)), strconv.Itoa(st.Y + int(y*float64(st.Height)/360+0.5))
	}
	x0, y0 := at(100, 80)
	xm, ym := at(160, 125)
	x1, y1 := at(220, 170)
	xdo("windowfocus", "--sync", wid, "mousemove", "--window", wid, x0, y0, "mousedown", "1",
		"mousemove", "--window", wid, xm, ym, "mousemove", "--window", wid, x1, y1, "mouseup", "1")
	st = wait("the box stored", func(st redactState) bool {
		return len(st.Tracks) == 1 && len(st.Tracks[0].Keyframes) == 1 && st.Status != "Saving…" &&
			!isProvisional(st.Tracks[0].ID)
	})
	k := st.Tracks[0].Keyframes[0]
	// One screen pixel is 640/Width source pixels: the box is within that
	// (and the pixels it touches) of the drag.
	tol := int(640/float64(st.Width)) + 2
	want := redact.Box{X: 100, Y: 80, W: 120, H: 90}
	if k.Frame != 10 || abs(k.Box.X-want.X) > tol || abs(k.Box.Y-want.Y) > tol || abs(k.Box.W-want.W) > 2*tol || abs(k.Box.H-want.H) > 2*tol {
		t.Errorf("stored keyframe %+v, want frame 10 box near %v (±%d)", k, want, tol)
	}
	// The reason, typed into the panel (a "v" in it is text, not the
	// preview), is stored when Enter is pressed.
	st = wait("the track form", func(st redactState) bool { return st.ReasonShown })
	xdo("mousemove", "--window", wid, strconv.Itoa(st.ReasonX), strconv.Itoa(st.ReasonY), "click", "1")
	xdo("type", "--window", wid, "--delay", "20", "Bystander, not involved")
	xdo("key", "--window", wid, "Return")
	st = wait("the reason stored", func(st redactState) bool {
		return len(st.Tracks) == 1 && st.Tracks[0].Reason == "Bystander, not involved" && st.Status != "Saving…"
	})
	if st.Preview {
		t.Error("typing the reason toggled the preview")
	}
	saveShot(t, shot(), "redact-1366.png")

	// V: the box is filled with one colour on screen.
	xdo("key", "--window", wid, "v")
	wait("the preview", func(st redactState) bool { return st.Preview })
	deadline := time.Now().Add(30 * time.Second)
	for {
		img := shot()
		colours := map[[3]uint32]bool{}
		for y := k.Box.Y + 4; y < k.Box.Y+k.Box.H-4; y += 3 {
			for x := k.Box.X + 4; x < k.Box.X+k.Box.W-4; x += 3 {
				r, g, b, _ := img.At(st.X+x*st.Width/640, st.Y+y*st.Height/360).RGBA()
				colours[[3]uint32{r >> 8, g >> 8, b >> 8}] = true
			}
		}
		if len(colours) == 1 {
			saveShot(t, img, "redact-preview-1366.png")
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("preview: %d colours on screen inside the box", len(colours))
		}
		time.Sleep(100 * time.Millisecond)
	}
	xdo("key", "--window", wid, "v")
	wait("editing again", func(st redactState) bool { return !st.Preview })

	if os.Getenv("EXHIBIT_GUI_SHOT_DIR") != "" {
		out, err := exec.Command("xdotool", "getdisplaygeometry").Output()
		var sw, sh int
		if _, serr := fmt.Sscan(string(out), &sw, &sh); err != nil || serr != nil || sw < 1920 || sh < 1080 {
			t.Logf("the X screen is %dx%d (%v): no 1920x1080 screenshot", sw, sh, err)
		} else {
			xdo("windowsize", "--sync", wid, "1920", "1080")
			st := wait("1920x1080", func(st redactState) bool { return st.CanvasW == 1920 && st.CanvasH == 1080 })
			if st.StatusBottom > st.CanvasH {
				t.Errorf("1920x1080: the status line ends at %d, below the window's %d", st.StatusBottom, st.CanvasH)
			}
			time.Sleep(300 * time.Millisecond) // for the picture only: nothing is checked on it
			saveShot(t, shot(), "redact-1920.png")
		}
	}
	p.running(t)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
