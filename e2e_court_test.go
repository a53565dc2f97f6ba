package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"exhibit/app"
	"exhibit/app/media"
)

// courtLog collects the court window's debug log lines (`exhibit -v
// court`: slog text, one event a line) as they arrive.
type courtLog struct {
	mu    sync.Mutex
	lines []map[string]string
	raw   bytes.Buffer
}

var logField = regexp.MustCompile(`(\w[\w.-]*)=("(?:[^"\\]|\\.)*"|\S*)`)

func (l *courtLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.raw.Write(p)
	for {
		i := bytes.IndexByte(l.raw.Bytes()[l.consumed():], '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(l.raw.Bytes()[l.consumed() : l.consumed()+i])
		m := map[string]string{"_len": strconv.Itoa(l.consumed() + i + 1)}
		for _, f := range logField.FindAllStringSubmatch(line, -1) {
			v := f[2]
			if u, err := strconv.Unquote(v); err == nil {
				v = u
			}
			m[f[1]] = v
		}
		l.lines = append(l.lines, m)
	}
}

// consumed is how many bytes of raw are parsed lines (mu held).
func (l *courtLog) consumed() int {
	if len(l.lines) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(l.lines[len(l.lines)-1]["_len"])
	return n
}

// after returns the lines from index from on.
func (l *courtLog) after(from int) []map[string]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]map[string]string(nil), l.lines[min(from, len(l.lines)):]...)
}

// waiter returns a function that waits (up to 60 s) for the next log line
// cond accepts, looking only at the lines after the previous wait's, and
// fails the test if exhibit court exits first (exited gets its Wait
// result, which is put back for the test's cleanup).
func (l *courtLog) waiter(t *testing.T, exited chan error) func(what string, cond func(map[string]string) bool) map[string]string {
	seen := 0 // log lines looked at so far
	return func(what string, cond func(map[string]string) bool) map[string]string {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			for i, l := range l.after(seen) {
				if cond(l) {
					seen += i + 1
					return l
				}
			}
			select {
			case err := <-exited:
				exited <- err
				t.Fatalf("%s: exhibit court exited: %v", what, err)
			case <-time.After(20 * time.Millisecond): // polling the log
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
}

func (l *courtLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.raw.String()
}

// treeListing is every path under dir with its mode, size and mtime.
func treeListing(t *testing.T, dir string) string {
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

// TestCourtBinary plays a bundle .zip made by `exhibit export` with the
// real binary under X (`exhibit -v court B.zip`, whose debug log says
// what the windows show), with the bundle and HOME read only: the verdict
// is green; keys step the court screen frame by frame and the frame band
// in its screenshot is the readout's master frame, for the master and for
// the court clip (master frames from its frame map); F11 makes it fill
// the display; the pointer circle is drawn where the court screen is
// clicked; B blanks the court screen and B again brings the picture
// back; nothing is written to HOME, the bundle or beside the zip.
func TestCourtBinary(t *testing.T) {
	if os.Getenv("EXHIBIT_GUI_TEST") != "1" || os.Getenv("DISPLAY") == "" {
		t.Skip("real-window test: set EXHIBIT_GUI_TEST=1 and DISPLAY (an X server such as Xvfb) to run it")
	}
	for _, tool := range []string{"xdotool", "import", "xwininfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	dir, _ := app.NewTestBundle(t, 60)
	zipPath := dir + ".zip"
	parent := filepath.Dir(dir)
	tmp := t.TempDir()
	home := filepath.Join(tmp, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{home, parent} {
		if out, err := exec.Command("chmod", "-R", "a-w", d).CombinedOutput(); err != nil {
			t.Fatalf("chmod: %v %s", err, out)
		}
		t.Cleanup(func() { _ = exec.Command("chmod", "-R", "u+w", d).Run() }) // so t.TempDir can remove it
	}
	before := treeListing(t, home) + "\n" + treeListing(t, parent)

	var log courtLog
	cmd := exec.Command(exhibitBin, "-v", "court", zipPath)
	env := []string{"FYNE_SCALE=1", "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"), "XDG_DATA_HOME=" + filepath.Join(home, ".local/share")}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "EXHIBIT_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "XDG_RUNTIME_DIR="+os.Getenv("XDG_RUNTIME_DIR"))
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()                  // may have exited already
		t.Log("exhibit court ended:", <-exited) // "signal: killed" is expected
		if t.Failed() {
			t.Logf("exhibit court output:\n%s", log.String())
		}
	})
	findWindow := func(name string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "xdotool", "search", "--sync", "--onlyvisible", "--name", name).Output()
		if err != nil {
			t.Fatalf("window %q did not appear: %v", name, err)
		}
		return strings.Fields(string(out))[0]
	}
	wait := log.waiter(t, exited)
	msg := func(m string) func(map[string]string) bool {
		return func(l map[string]string) bool { return l["msg"] == m }
	}
	key := func(win, k string) {
		t.Helper()
		if out, err := exec.Command("xdotool", "key", "--window", win, k).CombinedOutput(); err != nil {
			t.Fatalf("xdotool key %s: %v %s", k, err, out)
		}
	}
	capture := func(win string) image.Image {
		t.Helper()
		b, err := exec.Command("import", "-window", win, "png:-").Output()
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		return img
	}
	shotsDir := os.Getenv("EXHIBIT_COURT_SHOTS")
	shot := func(win, name string) {
		if shotsDir == "" {
			return
		}
		if err := exec.Command("import", "-window", win, filepath.Join(shotsDir, name)).Run(); err != nil {
			t.Fatalf("screenshot: %v", err)
		}
	}
	frameOf := func(l map[string]string) int {
		n, err := strconv.Atoi(l["master"])
		if err != nil {
			t.Fatalf("log line without a master frame: %v", l)
		}
		return n
	}

	last, masterRef := 1, "" // the master frame shown last; the master's exhibit ref
	v := wait("the verdict", msg("court verdict"))
	if v["ok"] != "true" || !strings.HasPrefix(v["headline"], "Verified: ") {
		t.Fatalf("verdict %v", v)
	}
	wait("frame 0", func(l map[string]string) bool { return l["msg"] == "court frame" && l["master"] == "0" })
	control := findWindow("Exhibit court")
	shot(control, "court-control.png")
	key(control, "Right")
	masterRef = wait("frame 1", func(l map[string]string) bool { return l["msg"] == "court frame" && l["master"] == "1" })["exhibit"]
	key(control, "ctrl+p")
	wait("the court screen", msg("court screen"))
	court := findWindow("court screen")
	key(court, "F11")
	if l := wait("full screen", msg("court screen")); l["full"] != "true" {
		t.Fatalf("F11: %v", l)
	}
	// The window fills the display.
	var geom string
	waitFor(t, func() bool {
		out, err := exec.Command("xwininfo", "-id", court).Output()
		geom = string(out)
		return err == nil && strings.Contains(geom, "Width: 1600") && strings.Contains(geom, "Height: 1000")
	}, "the court screen to fill the 1600x1000 display")

	// The picture's place on the court screen (window pixels), as laid
	// out last.
	var pic image.Rectangle
	picture := func() image.Rectangle {
		for _, l := range log.after(0) {
			if l["msg"] == "court screen picture" {
				x, _ := strconv.Atoi(l["x"])
				y, _ := strconv.Atoi(l["y"])
				w, _ := strconv.Atoi(l["w"])
				h, _ := strconv.Atoi(l["h"])
				pic = image.Rect(x, y, x+w, y+h)
			}
		}
		return pic
	}
	// bandIs waits until the court screen's screenshot shows frame want in
	// its index band.
	bandIs := func(want int) {
		t.Helper()
		got, gerr := -1, error(nil)
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			r := picture()
			img := capture(court)
			if r.Empty() || !r.In(img.Bounds()) {
				continue
			}
			got, gerr = media.DecodeIndexBand(img.(interface {
				SubImage(image.Rectangle) image.Image
			}).SubImage(r))
			if gerr == nil && got == want {
				return
			}
		}
		t.Fatalf("the court screen's picture shows frame %d (%v), the readout says master frame %d", got, gerr, want)
	}
	step := func(win, k string) {
		t.Helper()
		key(win, k)
		l := wait("the frame after "+k, msg("court frame"))
		m := frameOf(l)
		last = m
		if !strings.Contains(l["readout"], fmt.Sprintf("master frame %d ", m)) {
			t.Fatalf("readout %q for master frame %d", l["readout"], m)
		}
		bandIs(m)
	}
	bandIs(1)
	for _, k := range []string{"period", "period", "comma", "Right", "n", "Right", "Left"} {
		step(court, k)
	}

	// The pointer: a circle where the court screen is clicked.
	if out, err := exec.Command("xdotool", "mousemove", "--window", court, "400", "300", "click", "1").CombinedOutput(); err != nil {
		t.Fatalf("xdotool click: %v %s", err, out)
	}
	pl := wait("the pointer", msg("court pointer"))
	px, _ := strconv.Atoi(pl["x"])
	py, _ := strconv.Atoi(pl["y"])
	r, _ := strconv.Atoi(pl["r"])
	sw, _ := strconv.Atoi(pl["stroke"])
	if abs(px-400) > 1 || abs(py-300) > 1 || r < 10 {
		t.Fatalf("pointer logged at %d,%d r %d for a click at 400,300", px, py, r)
	}
	// Its stroke (255,214,0) is drawn on the ring around the click.
	ring := func(img image.Image) int {
		n := 0
		for a := 0; a < 360; a += 30 {
			rad := float64(r) - float64(sw)/2
			x := 400 + int(math.Round(rad*math.Cos(float64(a)*math.Pi/180)))
			y := 300 + int(math.Round(rad*math.Sin(float64(a)*math.Pi/180)))
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if c.R > 220 && c.G > 190 && c.G < 235 && c.B < 60 {
				n++
			}
		}
		return n
	}
	waitFor(t, func() bool { return ring(capture(court)) >= 11 }, "the pointer circle drawn around the click")
	shot(court, "court-present.png")

	// Black-out blanks the court screen at once; B again shows the picture.
	key(court, "b")
	if l := wait("black-out", msg("court black-out")); l["on"] != "true" {
		t.Fatalf("b: %v", l)
	}
	blackShare := func() float64 {
		img := capture(court)
		b := img.Bounds()
		black, all := 0, 0
		for y := b.Min.Y; y < b.Max.Y; y += 4 {
			for x := b.Min.X; x < b.Max.X; x += 4 {
				rr, gg, bb, _ := img.At(x, y).RGBA()
				if rr>>8 < 8 && gg>>8 < 8 && bb>>8 < 8 {
					black++
				}
				all++
			}
		}
		return float64(black) / float64(all)
	}
	waitFor(t, func() bool { return blackShare() == 1 }, "the court screen to be black")
	shot(court, "court-blackout.png")
	key(court, "b")
	if l := wait("black-out off", msg("court black-out")); l["on"] != "false" {
		t.Fatalf("b again: %v", l)
	}
	bandIs(last)

	// The court clip (Page Down: next exhibit): its readout's master frame
	// comes from the frame map and is the frame in its picture.
	key(court, "Next")
	first := wait("the court clip", func(l map[string]string) bool { return l["msg"] == "court frame" && l["exhibit"] != masterRef })
	if !strings.Contains(first["exhibit"], "-C") {
		t.Fatalf("after Page Down: %v", first)
	}
	bandIs(frameOf(first))
	for _, k := range []string{"n", "period", "period", "comma"} {
		step(court, k)
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	t.Log("exhibit court ended:", <-exited) // "signal: killed"
	exited <- nil                           // for the cleanup
	if after := treeListing(t, home) + "\n" + treeListing(t, parent); after != before {
		t.Errorf("court playback wrote to HOME or beside the bundle:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if out := log.String(); strings.Contains(out, "Fyne error") {
		t.Errorf("Fyne tried to write (HOME is read only):\n%s", out)
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
