package ui

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestLibraryKeyboardGUIUnderXvfb drives the real library window with the
// keyboard only (xdotool): typing with nothing focused filters, Escape
// clears the filter, and Enter typed straight after a search opens the one
// recording it finds. It also keeps a screenshot of the window at
// 1366×768 (EXHIBIT_GUI_SHOT_DIR, else the test's folder; logged). Run it
// like TestGUIWindowUnderXvfb, e.g. inside
// packaging/scripts/with-test-session.sh.
func TestLibraryKeyboardGUIUnderXvfb(t *testing.T) {
	if os.Getenv("EXHIBIT_GUI_TEST") != "1" || os.Getenv("DISPLAY") == "" {
		t.Skip("real-window test: set EXHIBIT_GUI_TEST=1 and DISPLAY (an X server such as Xvfb) to run it")
	}
	dir := seededStore(t)
	statePath := filepath.Join(t.TempDir(), "state.json")
	p := startGUIChild(t, guiChildEnv+"=1", guiChildStoreEnv+"="+dir, guiChildPassEnv+"="+testPassphrase,
		guiChildUserEnv+"="+adminName, guiChildPwEnv+"="+adminPassword, guiChildStateEnv+"="+statePath, "FYNE_SCALE=1",
		"TZ=Europe/London") // as on the stations: times show GMT or BST
	wid := p.window(t, "^Exhibit")
	until := func(what string, ok func(sessionState) bool) sessionState {
		t.Helper()
		var st sessionState
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if b, err := os.ReadFile(statePath); err == nil && json.Unmarshal(b, &st) == nil && ok(st) {
				return st
			}
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %s: the window reports %+v", what, st)
			}
			p.running(t)
		}
	}
	xdo := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
			t.Fatalf("xdotool %v: %v %s", args, err, out)
		}
	}
	until("the library", func(st sessionState) bool { return st.Screen == "library" && st.Rows == len(seedClips) })
	xdo("windowsize", "--sync", wid, "1366", "768")
	xdo("windowfocus", "--sync", wid)

	// Typing with nothing focused goes to the search box and filters.
	xdo("type", "--delay", "40", "okafor")
	until("the search", func(st sessionState) bool { return st.Screen == "library" && st.Rows == 1 })
	shot := filepath.Join(shotDir(t), "library-keyboard-1366x768.png")
	if err := exec.Command("import", "-window", wid, shot).Run(); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	st, err := measure(shot)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s: %dx%d", shot, st.w, st.h)
	if st.w != 1366 || st.h != 768 {
		t.Errorf("window is %dx%d, want 1366x768", st.w, st.h)
	}

	// Escape clears the filter.
	xdo("key", "Escape")
	until("all recordings again", func(st sessionState) bool { return st.Screen == "library" && st.Rows == len(seedClips) })

	// Enter at once after typing (before the search has run) opens the
	// recording found.
	xdo("type", "--delay", "20", "patel")
	xdo("key", "Return")
	until("the review screen", func(st sessionState) bool { return st.Screen == "other" })
	p.running(t)
}
