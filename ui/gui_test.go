package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
)

// The real-window tests re-run this test binary as the application: the
// child's TestMain calls Run on the main goroutine, as GLFW requires.
const (
	guiChildEnv      = "EXHIBIT_UI_GUI_CHILD"
	guiChildStoreEnv = "EXHIBIT_UI_GUI_CHILD_STORE"
	guiChildPassEnv  = "EXHIBIT_UI_GUI_CHILD_PASSPHRASE"
	guiChildUserEnv  = "EXHIBIT_UI_GUI_CHILD_USER"
	guiChildPwEnv    = "EXHIBIT_UI_GUI_CHILD_PASSWORD"
	guiChildStateEnv = "EXHIBIT_UI_GUI_CHILD_STATE"
)

// childOptions are the Options a GUI child runs with, from its environment.
func childOptions() Options {
	opts := Options{
		StoreDir:   os.Getenv(guiChildStoreEnv),
		Passphrase: []byte(os.Getenv(guiChildPassEnv)),
		NoKeyring:  true,
		Log:        slog.New(slog.NewTextHandler(os.Stderr, nil)),
		User:       os.Getenv(guiChildUserEnv),
	}
	if pw := os.Getenv(guiChildPwEnv); pw != "" {
		opts.Password = []byte(pw)
	}
	return opts
}

// sessionState is what the application child reports about its window.
type sessionState struct {
	Screen string // "signin", "library" (listed) or "other"
	Who    string // the account label, when signed in
	Rows   int
	// Message is the sign-in screen's message.
	Message string
	// NameFocused: the sign-in screen's name field has the keyboard.
	NameFocused bool
}

// guiChild runs the application window for the real-window tests; with
// guiChildStateEnv set it reports what the window shows to that file a
// few times a second.
func guiChild() int {
	sessionStarted = noRetention
	if path := os.Getenv(guiChildStateEnv); path != "" {
		sessionStarted = func(s *session) {
			noRetention(s)
			go func() {
				for range time.Tick(250 * time.Millisecond) {
					fyne.Do(func() { writeState(path, s.state()) })
				}
			}()
		}
	}
	if err := Run(childOptions()); err != nil {
		fmt.Fprintln(os.Stderr, "gui child:", err)
		return 1
	}
	return 0
}

// noRetention keeps the retention sweep out of a child's session: the
// stores the tests share must not lose recordings (the seeded footage is
// older than the retention period).
func noRetention(s *session) { s.retentionEvery, s.frameChecks = 0, false }

// state describes what the session shows (UI goroutine).
func (s *session) state() sessionState {
	st := sessionState{Screen: "other"}
	switch {
	case s.signin != nil:
		st.Screen = "signin"
		if s.signin.msg.Visible() {
			st.Message = s.signin.msg.Text
		}
		st.NameFocused = s.win.Canvas().Focused() == s.signin.name
	case s.view != nil && s.view.loaded && s.shown() == s.view.content:
		st.Screen, st.Rows = "library", len(s.view.recs)
	}
	if s.who.Name != "" {
		st.Who = whoText(s.who)
	}
	return st
}

// writeState replaces the state file atomically, so the test never reads
// half of it.
func writeState(path string, v any) {
	b, _ := json.Marshal(v)
	tmp := path + ".tmp"
	if os.WriteFile(tmp, b, 0o644) == nil {
		os.Rename(tmp, path)
	}
}

// guiProc is the application running in a child process under X.
type guiProc struct {
	dir    string // the test's folder (the child's HOME is inside)
	exited chan error
}

// startGUIChild skips the test unless real-window tests are asked for
// (EXHIBIT_GUI_TEST=1 and DISPLAY), checks the tools they use, and runs
// this test binary as the application with env added. The application is
// stopped when the test ends, and its output shown if the test failed.
func startGUIChild(t *testing.T, env ...string) *guiProc {
	t.Helper()
	if os.Getenv("EXHIBIT_GUI_TEST") != "1" {
		t.Skip("real-window test: set EXHIBIT_GUI_TEST=1 and DISPLAY (an X server such as Xvfb) to run it")
	}
	if os.Getenv("DISPLAY") == "" {
		t.Skip("real-window test: DISPLAY is not set; start Xvfb and set DISPLAY")
	}
	for _, tool := range []string{"xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("real-window test needs %s: %v", tool, err)
		}
	}
	p := &guiProc{dir: t.TempDir(), exited: make(chan error, 1)}
	var childLog syncBuffer
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), env...),
		"HOME="+filepath.Join(p.dir, "home")) // keep Fyne preferences out of the real home
	cmd.Stdout, cmd.Stderr = &childLog, &childLog
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("application output:\n%s", childLog.String())
		}
	})
	return p
}

// window waits for a window whose name matches pattern and returns its id.
func (p *guiProc) window(t *testing.T, pattern string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "xdotool", "search", "--sync", "--onlyvisible", "--name", pattern).Output()
	if err != nil {
		t.Fatalf("window %q did not appear: %v", pattern, err)
	}
	return strings.Fields(string(out))[0]
}

// running fails the test if the application has exited.
func (p *guiProc) running(t *testing.T) {
	t.Helper()
	select {
	case err := <-p.exited:
		p.exited <- err
		t.Fatalf("application exited early: %v", err)
	default:
	}
}

// syncBuffer is a bytes.Buffer safe for the child's two output streams.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestGUIWindowUnderXvfb opens the real window on a seeded store under an
// X server and checks from outside that it appeared and draws something.
// Run it with EXHIBIT_GUI_TEST=1 and DISPLAY set (EXHIBIT_GUI_SHOT_DIR
// keeps the screenshot there instead of in the test's temporary folder), e.g.
//
//	Xvfb :99 -screen 0 1600x1000x24 & EXHIBIT_GUI_TEST=1 DISPLAY=:99 go test -tags migrated_fynedo -run GUI ./ui/
func TestGUIWindowUnderXvfb(t *testing.T) {
	if os.Getenv("EXHIBIT_GUI_TEST") != "1" || os.Getenv("DISPLAY") == "" {
		t.Skip("real-window test: set EXHIBIT_GUI_TEST=1 and DISPLAY (an X server such as Xvfb) to run it")
	}
	dir := seededStore(t)
	p := startGUIChild(t, guiChildEnv+"=1", guiChildStoreEnv+"="+dir, guiChildPassEnv+"="+testPassphrase,
		guiChildUserEnv+"="+adminName, guiChildPwEnv+"="+adminPassword)
	shotDir := p.dir
	if d := os.Getenv("EXHIBIT_GUI_SHOT_DIR"); d != "" {
		shotDir = d // keep the screenshot after the test
	}

	// The window appears with the store folder in its title.
	// xdotool matches --name against WM_NAME too, whose COMPOUND_TEXT drops
	// the em dash, so search the plain prefix and check the UTF-8 title below.
	id := p.window(t, "^Exhibit")
	name, err := exec.Command("xdotool", "getwindowname", id).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(string(name)), "Exhibit — "+dir; got != want {
		t.Errorf("window title %q, want %q", got, want)
	}
	// The window carries the application icon (_NET_WM_ICON, what a
	// window manager shows in the title bar and task switcher; Xvfb has no
	// title bar to take a picture of).
	// Its first two numbers are the icon's width and height.
	icon, err := exec.Command("xprop", "-id", id, "-len", "16", "-f", "_NET_WM_ICON", "32c", "_NET_WM_ICON").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(icon)); !strings.HasPrefix(got, "_NET_WM_ICON(CARDINAL) = 256, 256") {
		t.Errorf("window icon: %q, want a 256×256 icon", got)
	}

	// Screenshots until the library has drawn (thumbnails and text make
	// the picture busy), or time runs out.
	shot := filepath.Join(shotDir, "exhibit-window.png")
	var st shotStats
	for deadline := time.Now().Add(45 * time.Second); ; {
		time.Sleep(time.Second)
		if err := exec.Command("import", "-window", "root", shot).Run(); err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		st, err = measure(shot)
		if err != nil {
			t.Fatal(err)
		}
		if (st.stddev > 20 && st.colours > 500) || time.Now().After(deadline) {
			break
		}
	}
	t.Logf("screenshot %s: %dx%d, luminance stddev %.1f, %d colours", shot, st.w, st.h, st.stddev, st.colours)
	if st.stddev < 20 || st.colours < 500 {
		t.Errorf("the screen looks blank (luminance stddev %.1f, %d colours)", st.stddev, st.colours)
	}
	p.running(t)
}

// TestSignInGUIUnderXvfb types a user name and password into the real
// sign-in screen with xdotool (a wrong password first) and checks that the
// library appears with the user's name and role. Run it like
// TestGUIWindowUnderXvfb; EXHIBIT_GUI_SHOT_DIR keeps signin.png there.
func TestSignInGUIUnderXvfb(t *testing.T) {
	if os.Getenv("EXHIBIT_GUI_TEST") != "1" || os.Getenv("DISPLAY") == "" {
		t.Skip("real-window test: set EXHIBIT_GUI_TEST=1 and DISPLAY (an X server such as Xvfb) to run it")
	}
	dir := seededStore(t)
	statePath := filepath.Join(t.TempDir(), "state.json")
	p := startGUIChild(t, guiChildEnv+"=1", guiChildStoreEnv+"="+dir, guiChildPassEnv+"="+testPassphrase,
		guiChildStateEnv+"="+statePath, "FYNE_SCALE=1")
	wid := p.window(t, "^Exhibit")

	// until waits for the window to report a state that satisfies ok.
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
	until("the sign-in screen, its name field focused", func(st sessionState) bool { return st.Screen == "signin" && st.NameFocused })
	xdo("windowfocus", "--sync", wid)

	// A wrong password: the one message for any wrong name or password.
	xdo("type", "--delay", "30", adminName)
	xdo("key", "Tab")
	xdo("type", "--delay", "30", "not the password")
	xdo("key", "Return")
	st := until("the refusal", func(st sessionState) bool { return st.Message != "" })
	if st.Message != "Wrong user name or password." || st.Who != "" {
		t.Errorf("after a wrong password: %+v", st)
	}
	if d := os.Getenv("EXHIBIT_GUI_SHOT_DIR"); d != "" {
		shot := filepath.Join(d, "signin.png")
		if err := exec.Command("import", "-window", wid, shot).Run(); err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		t.Logf("screenshot %s", shot)
	}

	// The name stays; the focus is back in the password field.
	xdo("type", "--delay", "30", adminPassword)
	xdo("key", "Return")
	st = until("the library", func(st sessionState) bool { return st.Screen == "library" })
	if st.Who != "admin · Administrator" || st.Rows != len(seedClips) {
		t.Errorf("library shows %+v, want admin · Administrator and %d recordings", st, len(seedClips))
	}
	p.running(t)
}

type shotStats struct {
	w, h    int
	stddev  float64
	colours int
}

func measure(path string) (shotStats, error) {
	f, err := os.Open(path)
	if err != nil {
		return shotStats{}, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return shotStats{}, fmt.Errorf("%s: %w", path, err)
	}
	return stats(img), nil
}

func stats(img image.Image) shotStats {
	b := img.Bounds()
	var sum, sq float64
	colours := map[uint32]bool{}
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			l := (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(bl)) / 257
			sum += l
			sq += l * l
			n++
			colours[(r>>8)<<16|(g>>8)<<8|bl>>8] = true
		}
	}
	mean := sum / float64(n)
	return shotStats{w: b.Dx(), h: b.Dy(), stddev: math.Sqrt(max(0, sq/float64(n)-mean*mean)), colours: len(colours)}
}
