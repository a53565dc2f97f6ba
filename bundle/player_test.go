package bundle_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"exhibit/app/media"
	"exhibit/bundle"
)

// wsConn is a minimal RFC 6455 client (text frames) for the Chrome
// DevTools protocol.
type wsConn struct {
	c  net.Conn
	br *bufio.Reader
}

func wsDial(u string) (*wsConn, error) {
	pu, err := url.Parse(u)
	if err != nil {
		return nil, err
	}
	c, err := net.Dial("tcp", pu.Host)
	if err != nil {
		return nil, err
	}
	key := make([]byte, 16)
	rand.Read(key)
	_, _ = fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
		pu.RequestURI(), pu.Host, base64.StdEncoding.EncodeToString(key))
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		_ = c.Close()
		return nil, fmt.Errorf("websocket handshake: %s", resp.Status)
	}
	return &wsConn{c: c, br: br}, nil
}

func (w *wsConn) send(p []byte) error {
	hdr := []byte{0x81}
	switch n := len(p); {
	case n < 126:
		hdr = append(hdr, 0x80|byte(n))
	case n < 65536:
		hdr = append(hdr, 0x80|126, byte(n>>8), byte(n))
	default:
		hdr = append(hdr, 0x80|127)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	mask := make([]byte, 4)
	rand.Read(mask)
	hdr = append(hdr, mask...)
	body := make([]byte, len(p))
	for i := range p {
		body[i] = p[i] ^ mask[i%4]
	}
	_, err := w.c.Write(append(hdr, body...))
	return err
}

func (w *wsConn) recv() ([]byte, error) {
	var msg []byte
	for {
		var h [2]byte
		if _, err := io.ReadFull(w.br, h[:]); err != nil {
			return nil, err
		}
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var b [2]byte
			if _, err := io.ReadFull(w.br, b[:]); err != nil {
				return nil, err
			}
			n = uint64(binary.BigEndian.Uint16(b[:]))
		case 127:
			var b [8]byte
			if _, err := io.ReadFull(w.br, b[:]); err != nil {
				return nil, err
			}
			n = binary.BigEndian.Uint64(b[:])
		}
		p := make([]byte, n)
		if _, err := io.ReadFull(w.br, p); err != nil {
			return nil, err
		}
		switch h[0] & 0x0f {
		case 0x8:
			return nil, errors.New("websocket closed")
		case 0x9, 0xa:
			continue // ping/pong
		}
		msg = append(msg, p...)
		if h[0]&0x80 != 0 {
			return msg, nil
		}
	}
}

// cdp evaluates JavaScript in a page through the DevTools protocol.
type cdp struct {
	ws *wsConn
	id int
}

func (c *cdp) eval(expr string, out any) error {
	c.id++
	req, _ := json.Marshal(map[string]any{"id": c.id, "method": "Runtime.evaluate",
		"params": map[string]any{"expression": expr, "returnByValue": true}})
	if err := c.ws.send(req); err != nil {
		return err
	}
	for {
		b, err := c.ws.recv()
		if err != nil {
			return err
		}
		var r struct {
			ID     int `json:"id"`
			Result struct {
				Result struct {
					Value json.RawMessage `json:"value"`
				} `json:"result"`
				Exception *json.RawMessage `json:"exceptionDetails"`
			} `json:"result"`
		}
		if json.Unmarshal(b, &r) != nil || r.ID != c.id {
			continue // an event
		}
		if r.Result.Exception != nil {
			return fmt.Errorf("javascript: %s", *r.Result.Exception)
		}
		return json.Unmarshal(r.Result.Result.Value, out)
	}
}

// startChromium opens pageURL in headless Chromium with no network and
// returns a DevTools connection to the page.
func startChromium(t *testing.T, pageURL string) *cdp {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed (make deps installs it: apt-get install chromium)")
	}
	// The profile folder is not t.TempDir: a helper Chromium starts in a
	// session of its own (crashpad) may still write there as the test
	// ends, and t.TempDir would fail the test over that.
	profile, err := os.MkdirTemp("", "exhibit-chromium-")
	check(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(profile) }) // best effort, see above
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--no-first-run", "--user-data-dir="+profile, "--remote-debugging-port=0",
		"--autoplay-policy=no-user-gesture-required", "--allow-file-access-from-files", "--mute-audio", pageURL)
	// Its own process group, killed whole: the renderer and zygote
	// processes must not outlive the test (they write to the profile).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() }) // killed: its exit status says so
	sc := bufio.NewScanner(stderr)
	var port string
	for sc.Scan() {
		if s, ok := strings.CutPrefix(sc.Text(), "DevTools listening on ws://"); ok {
			port = strings.Split(strings.Split(s, "/")[0], ":")[1]
			break
		}
	}
	if port == "" {
		t.Fatal("chromium did not start its DevTools endpoint")
	}
	go func() { _, _ = io.Copy(io.Discard, stderr) }() // drain chromium's log
	resp, err := http.Get("http://127.0.0.1:" + port + "/json/list")
	if err != nil {
		t.Fatal(err)
	}
	var targets []struct{ Type, URL, WebSocketDebuggerURL string }
	err = json.NewDecoder(resp.Body).Decode(&targets)
	_ = resp.Body.Close()
	check(t, err)
	for _, tg := range targets {
		if tg.Type == "page" {
			ws, err := wsDial(tg.WebSocketDebuggerURL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = ws.c.Close() })
			return &cdp{ws: ws}
		}
	}
	t.Fatalf("no page target in %+v", targets)
	return nil
}

// TestPlayerInChromium loads index.html with a court clip in headless
// Chromium from file://, seeks to master frames, steps and plays, and
// reads the frame-index band of each picture shown: the readout's master
// frame must be the frame on screen.
func TestPlayerInChromium(t *testing.T) {
	f := getFixture(t)
	dir := t.TempDir()
	check(t, os.MkdirAll(filepath.Join(dir, "clips"), 0o755))
	run(t, "cp", f.court, filepath.Join(dir, "clips", "court.mp4"))
	rows, err := bundle.ParseFrameHash(f.courtFH)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := bundle.FrameHashTimeBase(f.courtFH)
	if err != nil {
		t.Fatal(err)
	}
	// The court clip shows master frames 0..59; pretend it was cut at 100.
	const off = 100
	pc := bundle.PlayerClip{Path: "clips/court.mp4", Ref: "JS/1/C", RecordingID: "ABCD2345"}
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for i, r := range rows {
		pts, _ := strconv.ParseInt(r.PTS, 10, 64)
		pc.Time = append(pc.Time, float64(pts)*tb)
		pc.Frame = append(pc.Frame, off+i)
		pc.Wall = append(pc.Wall, t0.Add(time.Duration(off+i)*40*time.Millisecond).Format("2006-01-02T15:04:05.000Z"))
	}
	page, err := bundle.PlayerPage(bundle.PlayerData{CaseRef: "C/1", BundleID: "B1", Clips: []bundle.PlayerClip{pc},
		Markers: []bundle.PlayerMarker{{RecordingID: "ABCD2345", From: 130, To: 130, Category: "arrest", Note: "here"}}})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(page, []byte("http://")) || bytes.Contains(page, []byte("https://")) || bytes.Contains(page, []byte(" src=\"/")) {
		t.Fatal("the page refers to the network")
	}
	check(t, os.WriteFile(filepath.Join(dir, "index.html"), page, 0o644))
	script := []string{"master:ABCD2345:130", "step:1", "step:-1", "step:-1", "master:ABCD2345:100", "step:-1", "master:ABCD2345:159", "step:1", "master:ABCD2345:125", "play:0.6", "step:1"}
	want := []int{130, 131, 130, 129, 100, 100, 159, 159, 125}
	c := startChromium(t, "file://"+filepath.Join(dir, "index.html")+"#grab=1&run="+url.QueryEscape(strings.Join(script, ",")))
	deadline := time.Now().Add(60 * time.Second)
	var title string
	for time.Now().Before(deadline) {
		if err := c.eval("document.title", &title); err == nil && title == "DONE" {
			break
		}
		time.Sleep(50 * time.Millisecond) // polling for a condition, bounded by the deadline
	}
	var logText string
	if err := c.eval("document.getElementById('testlog').textContent", &logText); err != nil {
		t.Fatal(err)
	}
	if title != "DONE" {
		var diag string
		_ = c.eval("JSON.stringify({src: v.currentSrc, rs: v.readyState, err: v.error && v.error.code, cur: cur, hash: location.hash, ro: ro.textContent})", &diag)
		t.Fatalf("the page's script did not finish (%s); log so far:\n%s", diag, logText)
	}
	if strings.Contains(logText, "error") {
		t.Fatalf("chromium cannot play the court clip (H.264/AAC MP4): %s", logText)
	}
	lines := strings.Split(strings.TrimSpace(logText), "\n")
	var grabs []string
	if err := c.eval("window.grabs || []", &grabs); err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, l := range lines {
		if n, err := strconv.Atoi(l); err == nil {
			got = append(got, n)
		}
	}
	t.Logf("log:\n%s", logText)
	if len(got) < len(want)+1 || fmt.Sprint(got[:len(want)]) != fmt.Sprint(want) {
		t.Fatalf("readout frames %v, want %v then the frame after playing", got, want)
	}
	if !strings.Contains(logText, "played") || got[len(want)] <= 125 {
		t.Errorf("playback did not advance: %v", got)
	}
	if len(grabs) != len(got) {
		t.Fatalf("%d pictures grabbed for %d readouts", len(grabs), len(got))
	}
	for i, g := range grabs {
		b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(g, "data:image/png;base64,"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		n, err := media.DecodeIndexBand(img)
		if err != nil {
			t.Fatalf("readout %d: band: %v", i, err)
		}
		if n+off != got[i] {
			t.Errorf("readout %d says master frame %d, the picture shown is master frame %d", i, got[i], n+off)
		}
	}
}
