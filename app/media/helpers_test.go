package media

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fixtureDir holds clips shared by the tests of this package; each clip is
// generated once, on first use.
var fixtureDir string

func TestMain(m *testing.M) {
	for _, tool := range []string{FFmpegPath, FFprobePath} {
		if _, err := exec.LookPath(tool); err != nil {
			fmt.Fprintf(os.Stderr, "media tests need %s on PATH: %v\n", tool, err)
			os.Exit(1)
		}
	}
	dir, err := os.MkdirTemp("", "exhibit-media-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixtureDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type fixtureResult struct {
	once sync.Once
	path string
	err  error
}

var fixtures sync.Map // name -> *fixtureResult

// fixture returns the path of the shared clip called name (its extension
// selects the container), writing it with o on first use.
func fixture(t testing.TB, name string, o IndexedClipOptions) string {
	t.Helper()
	v, _ := fixtures.LoadOrStore(name, &fixtureResult{})
	f := v.(*fixtureResult)
	f.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		f.path = filepath.Join(fixtureDir, name)
		f.err = WriteIndexedClip(ctx, f.path, o)
	})
	if f.err != nil {
		t.Fatalf("fixture %s: %v", name, f.err)
	}
	return f.path
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// ffmpegNullCount decodes the first video stream of path with
// `ffmpeg -i X -map 0:v:0 -f null -` and returns the frame count it reports.
func ffmpegNullCount(t testing.TB, path string) int {
	t.Helper()
	cmd := exec.Command(FFmpegPath, "-nostdin", "-v", "error", "-nostats", "-i", path,
		"-map", "0:v:0", "-f", "null", "-progress", "pipe:1", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ffmpeg -f null %s: %v: %s", path, err, stderr.String())
	}
	n := -1
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "frame="); ok {
			if n, err = strconv.Atoi(strings.TrimSpace(v)); err != nil {
				t.Fatalf("parse ffmpeg progress %q: %v", sc.Text(), err)
			}
		}
	}
	if n < 0 {
		t.Fatalf("ffmpeg -f null %s: no frame count in %q", path, out)
	}
	return n
}

// extractFrames decodes frames ns (ascending) of path with
// select=eq(n\,N), optionally followed by extra filters, and returns them as
// images in the same order.
func extractFrames(t testing.TB, path string, ns []int, extra string) []image.Image {
	t.Helper()
	sel := make([]string, len(ns))
	for i, n := range ns {
		sel[i] = fmt.Sprintf("eq(n\\,%d)", n)
	}
	vf := "select=" + strings.Join(sel, "+")
	if extra != "" {
		vf += "," + extra
	}
	dir := t.TempDir()
	cmd := exec.Command(FFmpegPath, "-nostdin", "-v", "error", "-i", path, "-map", "0:v:0",
		"-vf", vf, "-fps_mode", "passthrough", "-compression_level", "0", "-f", "image2", filepath.Join(dir, "f%04d.png"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("extract frames %v of %s: %v: %s", ns, path, err, out)
	}
	imgs := make([]image.Image, len(ns))
	for i := range ns {
		imgs[i] = readPNG(t, filepath.Join(dir, fmt.Sprintf("f%04d.png", i+1)))
	}
	return imgs
}

func readPNG(t testing.TB, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return img
}

func nowNano() int64 { return time.Now().UnixNano() }
