package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The real-window test re-runs this test binary as the application: the
// child's TestMain calls Run on the main goroutine, as GLFW requires.
const (
	guiChildEnv      = "EXHIBIT_UI_GUI_CHILD"
	guiChildStoreEnv = "EXHIBIT_UI_GUI_CHILD_STORE"
	guiChildPassEnv  = "EXHIBIT_UI_GUI_CHILD_PASSPHRASE"
)

// guiChild runs the application window for TestGUIWindowUnderXvfb.
func guiChild() int {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	err := Run(Options{
		StoreDir:   os.Getenv(guiChildStoreEnv),
		Passphrase: []byte(os.Getenv(guiChildPassEnv)),
		NoKeyring:  true,
		Log:        log,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gui child:", err)
		return 1
	}
	return 0
}

// TestGUIWindowUnderXvfb opens the real window on a seeded store under an
// X server and checks from outside that it appeared and draws something.
// Run it with EXHIBIT_GUI_TEST=1 and DISPLAY set (EXHIBIT_GUI_SHOT_DIR
// keeps the screenshot there instead of in the test's temporary folder), e.g.
//
//	Xvfb :99 -screen 0 1600x1000x24 & EXHIBIT_GUI_TEST=1 DISPLAY=:99 go test -tags migrated_fynedo -run GUI ./ui/
func TestGUIWindowUnderXvfb(t *testing.T) {
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
	dir := seededStore(t)
	out := t.TempDir()
	shotDir := out
	if d := os.Getenv("EXHIBIT_GUI_SHOT_DIR"); d != "" {
		shotDir = d // keep the screenshot after the test
	}

	var childLog bytes.Buffer
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), guiChildEnv+"=1", guiChildStoreEnv+"="+dir, guiChildPassEnv+"="+testPassphrase,
		"HOME="+filepath.Join(out, "home")) // keep Fyne preferences out of the real home
	cmd.Stdout, cmd.Stderr = &childLog, &childLog
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("application output:\n%s", childLog.String())
		}
	}()

	// The window appears with the store folder in its title.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// xdotool matches --name against WM_NAME too, whose COMPOUND_TEXT drops
	// the em dash, so search the plain prefix and check the UTF-8 title below.
	search, err := exec.CommandContext(ctx, "xdotool", "search", "--sync", "--onlyvisible", "--name", "^Exhibit").Output()
	if err != nil {
		t.Fatalf("window did not appear: %v", err)
	}
	id := strings.Fields(string(search))[0]
	name, err := exec.Command("xdotool", "getwindowname", id).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(string(name)), "Exhibit — "+dir; got != want {
		t.Errorf("window title %q, want %q", got, want)
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
	select {
	case err := <-exited:
		t.Fatalf("application exited early: %v", err)
	default:
	}
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
