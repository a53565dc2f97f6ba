package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"exhibit/app"
	"exhibit/app/media"
)

const (
	courtChildEnv      = "EXHIBIT_UI_COURT_CHILD" // the bundle folder
	courtChildStateEnv = "EXHIBIT_UI_COURT_CHILD_STATE"
)

// courtState is what the court child reports about its windows.
type courtState struct {
	Verdict     string
	Green       bool
	Readout     string
	Frame       int
	Band        int // frame number read from the control window's picture (-1: none)
	Presenting  bool
	PresentBand int // from the court screen's picture (-1: none)
	Blanked     bool
	Pointer     bool // the pointer circle is shown on the court screen
}

// courtGUIChild runs RunCourt for the real-window test.
func courtGUIChild() int {
	path := os.Getenv(courtChildStateEnv)
	courtStarted = func(s *courtScreen) {
		go func() {
			for range time.Tick(200 * time.Millisecond) {
				fyne.Do(func() { writeState(path, s.state()) })
			}
		}()
	}
	if err := RunCourt(CourtOptions{Dir: os.Getenv(courtChildEnv), Log: slog.New(slog.NewTextHandler(os.Stderr, nil))}); err != nil {
		fmt.Fprintln(os.Stderr, "court child:", err)
		return 1
	}
	return 0
}

// state describes the court windows (Fyne goroutine).
func (s *courtScreen) state() courtState {
	st := courtState{Verdict: s.verdict.Text, Green: s.verdict.Color == courtGreen, Readout: s.readout.Text, Frame: s.frame, Band: -1, PresentBand: -1}
	if img := s.video.Image(); img != nil {
		if n, err := media.DecodeIndexBand(img); err == nil {
			st.Band = n
		}
	}
	if p := s.present; p != nil {
		st.Presenting, st.Blanked, st.Pointer = true, p.blanked, p.pointer.Visible()
		if img := p.video.Image(); img != nil {
			if n, err := media.DecodeIndexBand(img); err == nil {
				st.PresentBand = n
			}
		}
	}
	return st
}

// listing is every path under dir with its mode, size and mtime.
func listing(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		lines = append(lines, fmt.Sprintf("%s %v %d %d", p, fi.Mode(), fi.Size(), fi.ModTime().UnixNano()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestCourtRealWindow opens court playback on a real exported bundle under
// X with a read-only bundle and a read-only HOME: the verdict is green,
// a key steps one frame and the readout's master frame is the one in the
// picture, Ctrl+P opens the court screen showing the same frame, B blanks
// it, and nothing is written to HOME or the bundle.
func TestCourtRealWindow(t *testing.T) {
	if os.Getenv("EXHIBIT_GUI_TEST") != "1" || os.Getenv("DISPLAY") == "" {
		t.Skip("real-window test: set EXHIBIT_GUI_TEST=1 and DISPLAY (an X server such as Xvfb) to run it")
	}
	bundleDir, _ := app.NewTestBundle(t, 60)
	tmp := t.TempDir()
	home := filepath.Join(tmp, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{home, bundleDir} {
		if out, err := exec.Command("chmod", "-R", "a-w", d).CombinedOutput(); err != nil {
			t.Fatalf("chmod: %v %s", err, out)
		}
		t.Cleanup(func() { _ = exec.Command("chmod", "-R", "u+w", d).Run() }) // so t.TempDir can remove it
	}
	before := listing(t, home) + "\n" + listing(t, bundleDir)

	statePath := filepath.Join(tmp, "state.json")
	var childLog syncBuffer
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), courtChildEnv+"="+bundleDir, courtChildStateEnv+"="+statePath, "FYNE_SCALE=1",
		"HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local/share"))
	cmd.Stdout, cmd.Stderr = &childLog, &childLog
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("application output:\n%s", childLog.String())
		}
	})
	findWindow := func(name string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "xdotool", "search", "--sync", "--onlyvisible", "--name", name).Output()
		if err != nil {
			t.Fatalf("window %q did not appear: %v", name, err)
		}
		return strings.Fields(string(out))[0]
	}
	wid := findWindow("Exhibit court")
	wait := func(what string, cond func(courtState) bool) courtState {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		var st courtState
		for time.Now().Before(deadline) {
			if b, err := os.ReadFile(statePath); err == nil && json.Unmarshal(b, &st) == nil && cond(st) {
				return st
			}
			select {
			case err := <-exited:
				exited <- err
				t.Fatalf("%s: the application exited: %v", what, err)
			case <-time.After(50 * time.Millisecond): // poll interval of the state file
			}
		}
		t.Fatalf("timed out waiting for %s; last state %+v", what, st)
		return st
	}
	key := func(win, k string) {
		t.Helper()
		if out, err := exec.Command("xdotool", "key", "--window", win, k).CombinedOutput(); err != nil {
			t.Fatalf("xdotool key %s: %v %s", k, err, out)
		}
	}
	shot := func(name string) {
		t.Helper()
		dir := os.Getenv("EXHIBIT_COURT_SHOTS")
		if dir == "" {
			return
		}
		if err := exec.Command("import", "-window", "root", filepath.Join(dir, name)).Run(); err != nil {
			t.Fatalf("screenshot: %v", err)
		}
	}

	st := wait("the verdict and frame 0", func(s courtState) bool { return s.Band == 0 && s.Readout != "" })
	if !st.Green || !strings.HasPrefix(st.Verdict, "Verified: ") {
		t.Fatalf("verdict %q (green %v)", st.Verdict, st.Green)
	}
	shot("court-control.png")
	key(wid, "Right")
	st = wait("frame 1", func(s courtState) bool { return s.Frame == 1 && s.Band == 1 })
	if !strings.Contains(st.Readout, "master frame 1 ") {
		t.Fatalf("readout %q at frame 1", st.Readout)
	}
	key(wid, "ctrl+p")
	pid := findWindow("court screen")
	wait("the court screen", func(s courtState) bool { return s.Presenting && s.PresentBand == 1 })
	key(pid, "period")
	wait("frame 2 on the court screen", func(s courtState) bool { return s.Frame == 2 && s.PresentBand == 2 })
	if out, err := exec.Command("xdotool", "mousemove", "--window", pid, "400", "300", "click", "1").CombinedOutput(); err != nil {
		t.Fatalf("xdotool click: %v %s", err, out)
	}
	wait("the pointer", func(s courtState) bool { return s.Pointer })
	// The circle (yellow stroke, 255,214,0: not a colour of the test
	// picture) is on the court screen.
	yellow := func() bool {
		b, err := exec.Command("import", "-window", pid, "png:-").Output()
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		bnd := img.Bounds()
		for y := bnd.Min.Y; y < bnd.Max.Y; y += 2 {
			for x := bnd.Min.X; x < bnd.Max.X; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				if r>>8 > 235 && g>>8 > 195 && g>>8 < 230 && bl>>8 < 40 {
					t.Logf("pointer stroke at %d,%d", x, y)
					return true
				}
			}
		}
		return false
	}
	for deadline := time.Now().Add(10 * time.Second); !yellow(); {
		if time.Now().After(deadline) {
			t.Fatal("the pointer circle is not drawn on the court screen")
		}
	}
	shot("court-present.png")
	key(pid, "b")
	wait("black-out", func(s courtState) bool { return s.Blanked })
	shot("court-blackout.png")

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if after := listing(t, home) + "\n" + listing(t, bundleDir); after != before {
		t.Errorf("court playback wrote to HOME or the bundle:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if log := childLog.String(); strings.Contains(log, "Fyne error") {
		t.Errorf("Fyne tried to write (HOME is read only):\n%s", log)
	}
}
