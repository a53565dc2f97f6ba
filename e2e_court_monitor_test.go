package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"exhibit/app"
	"exhibit/app/media"
)

// twoMonitorConf is an Xorg configuration with the dummy video driver: one
// screen whose RandR outputs DUMMY0..15 the test switches on side by side.
const twoMonitorConf = `Section "Device"
  Identifier "dummy"
  Driver "dummy"
  VideoRam 65536
EndSection
Section "Screen"
  Identifier "screen"
  Device "dummy"
  DefaultDepth 24
  SubSection "Display"
    Depth 24
    Virtual 2560 720
  EndSubSection
EndSection
Section "ServerFlags"
  Option "AutoAddDevices" "false"
  Option "AutoEnableDevices" "false"
EndSection
`

// startTwoMonitorX starts an X server with two 1280x720 monitors side by
// side, as RandR outputs (DUMMY0 primary at 0,0; DUMMY1 at 1280,0), the
// way a laptop with a court display attached looks to GLFW and to Exhibit.
// Xvfb cannot: its +xinerama screens all sit at 0,0, and it ignores
// `xrandr --setmonitor`. It returns the DISPLAY value.
//
// GLFW reads the outputs' connection state without asking the driver to
// probe (XRRGetScreenResourcesCurrent), and the dummy driver's DUMMY1
// counts as connected only once something has probed (`xrandr --query`,
// as a desktop's display settings do when a display is plugged in): with
// probed false GLFW sees one monitor while RandR 1.5 lists two.
func startTwoMonitorX(t *testing.T, probed bool) string {
	t.Helper()
	for _, tool := range []string{"Xorg", "xrandr"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s (xserver-xorg-core, x11-xserver-utils)", tool)
		}
	}
	if _, err := os.Stat("/usr/lib/xorg/modules/drivers/dummy_drv.so"); err != nil {
		t.Skip("needs Xorg's dummy video driver (xserver-xorg-video-dummy)")
	}
	if os.Geteuid() != 0 {
		t.Skip("starts Xorg with a configuration from a temporary folder, which Xorg allows only root")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "xorg.conf")
	if err := os.WriteFile(conf, []byte(twoMonitorConf), 0o644); err != nil {
		t.Fatal(err)
	}
	n := 150
	for ; n < 250; n++ {
		_, e1 := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n))
		_, e2 := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n))
		if os.IsNotExist(e1) && os.IsNotExist(e2) {
			break
		}
	}
	disp := fmt.Sprintf(":%d", n)
	xorg := exec.Command("Xorg", disp, "-config", conf, "-logfile", filepath.Join(dir, "Xorg.log"), "-nolisten", "tcp", "-noreset")
	var xout bytes.Buffer
	xorg.Stdout, xorg.Stderr = &xout, &xout
	if err := xorg.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = xorg.Process.Kill()
		_ = xorg.Wait()
	})
	xrandr := func(args ...string) error {
		cmd := exec.Command("xrandr", args...)
		cmd.Env = append(os.Environ(), "DISPLAY="+disp)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("xrandr %v: %v %s", args, err, out)
		}
		return nil
	}
	waitFor(t, func() bool { return xrandr("--query") == nil }, "Xorg "+disp+" to answer")
	for _, args := range [][]string{
		{"--newmode", "1280x720", "74.48", "1280", "1336", "1472", "1664", "720", "721", "724", "746", "-hsync", "+vsync"},
		{"--addmode", "DUMMY0", "1280x720"},
		{"--addmode", "DUMMY1", "1280x720"},
		{"--output", "DUMMY0", "--mode", "1280x720", "--pos", "0x0", "--primary", "--output", "DUMMY1", "--mode", "1280x720", "--pos", "1280x0"},
	} {
		if err := xrandr(args...); err != nil {
			t.Fatalf("%v\nXorg: %s", err, xout.String())
		}
	}
	if probed {
		if err := xrandr("--query"); err != nil {
			t.Fatal(err)
		}
	}
	return disp
}

// courtOn starts `exhibit -v court` on a test bundle on X display disp;
// it returns a function that waits for a log line (each wait looks at the
// lines after the previous one's) and one that runs an X tool there.
func courtOn(t *testing.T, disp string) (log *courtLog, wait func(string, func(map[string]string) bool) map[string]string, x func(string, ...string) string) {
	t.Helper()
	dir, _ := app.NewTestBundle(t, 42)
	log = &courtLog{}
	cmd := exec.Command(exhibitBin, "-v", "court", dir)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISPLAY=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "DISPLAY="+disp, "FYNE_SCALE=1", "LIBGL_ALWAYS_SOFTWARE=1")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		t.Log("exhibit court ended:", <-exited)
		if t.Failed() {
			t.Logf("exhibit court output:\n%s", log.String())
		}
	})
	x = func(name string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		c := exec.CommandContext(ctx, name, args...)
		c.Env = cmd.Env
		out, err := c.Output()
		if err != nil {
			t.Fatalf("%s %v: %v", name, args, err)
		}
		return string(out)
	}
	wait = log.waiter(t, exited)
	return log, wait, x
}

// courtMonitorTools skips a test without what the two-monitor tests use.
func courtMonitorTools(t *testing.T) {
	t.Helper()
	if os.Getenv("EXHIBIT_GUI_TEST") != "1" {
		t.Skip("real-window test: set EXHIBIT_GUI_TEST=1 (packaging/scripts/with-test-session.sh)")
	}
	for _, tool := range []string{"xdotool", "import", "xwininfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
}

// TestCourtMonitorChooser runs `exhibit court` on an X server with two
// monitors: the chooser lists both and picks the non-primary one on the
// right, Ctrl+P puts the court screen full screen there (its X11 window
// at 1280,0, 1280x720: xwininfo and xdotool), the picture on it is the
// readout's frame, Escape makes it a window again and F11 fills the
// chosen monitor again.
func TestCourtMonitorChooser(t *testing.T) {
	courtMonitorTools(t)
	disp := startTwoMonitorX(t, true)
	log, wait, x := courtOn(t, disp)
	msg := func(m string) func(map[string]string) bool {
		return func(l map[string]string) bool { return l["msg"] == m }
	}

	// The chooser lists both monitors and picks the one on the right.
	labels := map[string]string{}
	for len(labels) < 2 {
		l := wait("the monitors", msg("court monitors"))
		labels[l["index"]] = l["label"]
	}
	if labels["0"] != "DUMMY0 1280×720 (primary)" || labels["1"] != "DUMMY1 1280×720 (right)" {
		t.Fatalf("monitor labels %v", labels)
	}
	if l := wait("the chosen monitor", msg("court monitor chosen")); l["index"] != "1" {
		t.Fatalf("chosen by default: %v", l)
	}
	wait("frame 0", func(l map[string]string) bool { return l["msg"] == "court frame" && l["master"] == "0" })
	control := strings.Fields(x("xdotool", "search", "--sync", "--onlyvisible", "--name", "Exhibit court"))[0]
	x("xdotool", "key", "--window", control, "ctrl+p")
	full := wait("full screen on DUMMY1", func(l map[string]string) bool { return l["msg"] == "court screen" && l["full"] == "true" })
	if full["monitor"] != "DUMMY1" {
		t.Fatalf("full screen on %v", full)
	}
	court := strings.Fields(x("xdotool", "search", "--sync", "--onlyvisible", "--name", "court screen"))[0]

	// Where X says the court screen is.
	onRight := func() {
		t.Helper()
		info := x("xwininfo", "-id", court)
		field := func(name string) int {
			m := regexp.MustCompile(name + `:\s+(-?\d+)`).FindStringSubmatch(info)
			if m == nil {
				t.Fatalf("xwininfo without %s:\n%s", name, info)
			}
			n, _ := strconv.Atoi(m[1])
			return n
		}
		got := image.Rectangle{Min: image.Pt(field("Absolute upper-left X"), field("Absolute upper-left Y"))}
		got.Max = got.Min.Add(image.Pt(field("Width"), field("Height")))
		if got != image.Rect(1280, 0, 2560, 720) {
			t.Fatalf("court screen at %v, want the right monitor (1280,0)-(2560,720):\n%s", got, info)
		}
		geom := x("xdotool", "getwindowgeometry", court)
		if !strings.Contains(geom, "Position: 1280,0") || !strings.Contains(geom, "Geometry: 1280x720") {
			t.Fatalf("xdotool getwindowgeometry: %s", geom)
		}
		t.Logf("court screen: xwininfo %v; %s", got, strings.Join(strings.Fields(geom), " "))
	}
	onRight()

	// The right monitor shows the picture: the frame band in the root
	// window's screenshot, at the picture's place on the court screen
	// moved by the monitor's 1280 px, is the readout's frame 0.
	var pic image.Rectangle
	waitFor(t, func() bool {
		for _, l := range log.after(0) {
			if l["msg"] == "court screen picture" {
				px, _ := strconv.Atoi(l["x"])
				py, _ := strconv.Atoi(l["y"])
				pw, _ := strconv.Atoi(l["w"])
				ph, _ := strconv.Atoi(l["h"])
				pic = image.Rect(px, py, px+pw, py+ph)
			}
		}
		return pic.Dx() > 1000 // laid out full screen (1280 wide, less the readout strip's height)
	}, "the picture laid out full screen")
	var got int
	var gerr error
	waitFor(t, func() bool {
		b, err := exec.Command("import", "-display", disp, "-window", "root", "png:-").Output()
		if err != nil {
			return false
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds() != image.Rect(0, 0, 2560, 720) {
			return false
		}
		got, gerr = media.DecodeIndexBand(img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(pic.Add(image.Pt(1280, 0))))
		if gerr == nil && got == 0 {
			if d := os.Getenv("EXHIBIT_COURT_SHOTS"); d != "" {
				if err := os.WriteFile(filepath.Join(d, "court-two-monitors.png"), b, 0o644); err != nil {
					t.Error(err)
				}
			}
			return true
		}
		return false
	}, "frame 0 on the right monitor")

	// Escape: a window again; F11: full screen on the chosen monitor again.
	x("xdotool", "key", "--window", court, "Escape")
	waitFor(t, func() bool {
		return !strings.Contains(x("xdotool", "getwindowgeometry", court), "Geometry: 1280x720")
	}, "the court screen to be a window again")
	x("xdotool", "key", "--window", court, "F11")
	if l := wait("full screen again", func(l map[string]string) bool { return l["msg"] == "court screen" && l["full"] == "true" }); l["monitor"] != "DUMMY1" {
		t.Fatalf("F11: %v", l)
	}
	onRight()
}

// TestCourtMonitorGLFWUnaware: when GLFW does not know the chosen monitor
// (DUMMY1 listed by RandR 1.5 but not probed, so not among GLFW's
// monitors), Fyne's full screen lands on the other one; the court screen
// gives up after a second try, stays a window to drag, and says so.
func TestCourtMonitorGLFWUnaware(t *testing.T) {
	courtMonitorTools(t)
	disp := startTwoMonitorX(t, false)
	_, wait, x := courtOn(t, disp)
	if l := wait("the chosen monitor", func(l map[string]string) bool { return l["msg"] == "court monitor chosen" }); l["index"] != "1" {
		t.Fatalf("chosen by default: %v", l)
	}
	wait("frame 0", func(l map[string]string) bool { return l["msg"] == "court frame" && l["master"] == "0" })
	control := strings.Fields(x("xdotool", "search", "--sync", "--onlyvisible", "--name", "Exhibit court"))[0]
	x("xdotool", "key", "--window", control, "ctrl+p")
	l := wait("the placement to fail", func(l map[string]string) bool { return l["msg"] == "court screen placement failed" })
	if !strings.Contains(l["err"], "did not land") {
		t.Fatalf("placement failed with %v", l)
	}
	court := strings.Fields(x("xdotool", "search", "--sync", "--onlyvisible", "--name", "court screen"))[0]
	waitFor(t, func() bool {
		return !strings.Contains(x("xdotool", "getwindowgeometry", court), "Geometry: 1280x720")
	}, "the court screen to be a window")
}
