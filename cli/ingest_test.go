package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	imagepng "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"exhibit/app/media"
)

func TestInitIngestListShowVerify(t *testing.T) {
	t.Parallel()
	e := newEmptyEnv(t)
	dock := e.dock("--junk", "--cameras", "2", "--minutes", "0.4", "--seed", "7")

	// A command before init says what to do.
	if r := e.run("list"); r.code != 3 || !strings.Contains(r.err, "exhibit init") {
		t.Fatalf("list before init: %v", r)
	}
	e.mustRun("init")
	if r := e.run("init"); r.code != 3 || !strings.Contains(r.err, "already") {
		t.Fatalf("second init: %v", r)
	}

	r := e.run("ingest", "--json", dock)
	if r.code != 1 {
		t.Fatalf("ingest with junk: want exit 1 (something rejected): %v", r)
	}
	res := parseLines[ingestLine](t, r.out)
	var imported, rejected []ingestLine
	for _, r := range res {
		switch r.Status {
		case "imported":
			imported = append(imported, r)
		case "rejected":
			rejected = append(rejected, r)
		default:
			t.Errorf("unexpected status %+v", r)
		}
	}
	if len(imported) < 2 {
		t.Fatalf("imported %d files, want at least 2:\n%s", len(imported), r.out)
	}
	if len(rejected) < 4 {
		t.Fatalf("rejected %d junk files, want 4 (empty, noise, text, truncated):\n%s", len(rejected), r.out)
	}
	for _, r := range rejected {
		if r.Error == "" || strings.Contains(r.Error, "\n") || !strings.Contains(r.File, "_junk") {
			t.Errorf("rejection without a one-line reason, or of a good file: %+v", r)
		}
	}
	for _, r := range imported {
		if len(r.ID) != 8 || len(r.SHA256) != 64 || r.Width == 0 || r.FPS == 0 || r.Duration <= 0 || r.RecordedAt == "" {
			t.Errorf("incomplete result %+v", r)
		}
		if want := ffmpegFrameCount(t, r.File); r.Frames != want {
			t.Errorf("%s: %d frames in the frame table, ffmpeg decodes %d", r.File, r.Frames, want)
		}
		checkRecordedAt(t, r)
		sum, err := exec.Command("sha256sum", r.File).Output()
		if err != nil || !strings.HasPrefix(string(sum), r.SHA256) {
			t.Errorf("%s: sha256 %s, sha256sum says %s (%v)", r.File, r.SHA256, sum, err)
		}
	}

	// Again: every video is a duplicate and nothing new is stored; the
	// text form counts them.
	r = e.run("ingest", dock)
	if r.code != 1 || !strings.Contains(r.out, fmt.Sprintf("0 imported, %d duplicate, %d rejected\n", len(imported), len(rejected))) {
		t.Errorf("re-ingest: %v", r)
	}

	// list --json: one object per line, all imported recordings.
	list := parseLines[map[string]any](t, e.mustRun("list", "--json"))
	if len(list) != len(imported) {
		t.Fatalf("list shows %d, imported %d", len(list), len(imported))
	}
	if out := e.mustRun("list"); !strings.HasPrefix(out, "ID  ") || !strings.HasSuffix(out, fmt.Sprintf("\n%d recordings\n", len(imported))) {
		t.Errorf("list:\n%s", out)
	}
	// show by lower-case prefix.
	id := imported[0].ID
	var shown map[string]any
	readJSON(t, e.mustRun("show", "--json", strings.ToLower(id[:5])), &shown)
	if shown["id"] != id || shown["sha256"] != imported[0].SHA256 || shown["officer"] == "" {
		t.Fatalf("show: %v", shown)
	}
	if out := e.mustRun("show", id); !strings.Contains(out, "SHA-256:") || !strings.Contains(out, imported[0].SHA256) {
		t.Errorf("show:\n%s", out)
	}

	// verify passes, then catches one flipped byte and names the recording.
	if out := e.mustRun("verify"); !strings.HasSuffix(out, fmt.Sprintf("%d verified, 0 failed\n", len(imported))) {
		t.Errorf("verify:\n%s", out)
	}
	vault := vaultFileOf(t, e, id)
	flip := func() {
		b, err := os.ReadFile(vault)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/3] ^= 0x10
		if err := os.WriteFile(vault, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	flip()
	r = e.run("verify")
	if r.code != 1 || !strings.Contains(r.out, "FAIL  "+id) || strings.Count(r.out, "FAIL") != 1 {
		t.Fatalf("verify after a flipped byte: %v", r)
	}
	flip()
	e.mustRun("verify", id)

	// Nothing readable at rest: no officer, device, file name or media header.
	var needles []string
	for _, r := range list {
		for _, k := range []string{"officer", "device_serial", "source_name"} {
			if v, ok := r[k].(string); ok {
				needles = append(needles, v)
			}
		}
	}
	needles = append(needles, "ftypisom", "Lavf", "libx264", "x264 - core")
	assertNotInStore(t, e.store, needles)

	// Wrong passphrase: a clear message and nothing opened.
	e.env = map[string]string{"EXHIBIT_PASSPHRASE": "wrong"}
	if r := e.run("list"); r.code != 3 || !strings.Contains(r.err, "passphrase") {
		t.Fatalf("wrong passphrase: %v", r)
	}
	// No passphrase and no keyring: the message names both ways, and the
	// command line's own advice.
	e.env = map[string]string{"EXHIBIT_PASSPHRASE": ""}
	if r := e.run("list"); r.code != 3 || !strings.Contains(r.err, "keyring") || !strings.Contains(r.err, "EXHIBIT_PASSPHRASE") ||
		!strings.Contains(r.err, "--passphrase-file") {
		t.Fatalf("no key: %v", r)
	}
}

// checkRecordedAt checks where recorded-at came from: the sidecar when
// there is one, else the container's creation_time.
func checkRecordedAt(t *testing.T, r ingestLine) {
	t.Helper()
	got, err := time.Parse(time.RFC3339Nano, r.RecordedAt)
	if err != nil {
		t.Fatalf("%s: recorded_at %q: %v", r.File, r.RecordedAt, err)
	}
	if b, err := os.ReadFile(strings.TrimSuffix(r.File, filepath.Ext(r.File)) + ".json"); err == nil {
		var sc struct {
			RecordedAt time.Time `json:"recorded_at"`
		}
		if err := json.Unmarshal(b, &sc); err != nil {
			t.Fatal(err)
		}
		if !got.Equal(sc.RecordedAt) {
			t.Errorf("%s: recorded_at %v, sidecar says %v", r.File, got, sc.RecordedAt)
		}
		return
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format_tags=creation_time", "-of", "csv=p=0", r.File).Output()
	if err != nil {
		t.Fatal(err)
	}
	want, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("%s has neither sidecar nor creation_time (%q)", r.File, out)
	}
	if !got.Equal(want) {
		t.Errorf("%s: recorded_at %v, container says %v", r.File, got, want)
	}
}

func vaultFileOf(t *testing.T, e *tenv, id string) string {
	t.Helper()
	var shown struct {
		VaultFile string `json:"vault_file"`
	}
	readJSON(t, e.mustRun("show", "--json", id), &shown)
	if shown.VaultFile == "" {
		t.Fatalf("show --json gives no vault_file for %s", id)
	}
	return shown.VaultFile
}

func assertNotInStore(t *testing.T, dir string, needles []string) {
	t.Helper()
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if n != "" && bytes.Contains(b, []byte(n)) {
				t.Errorf("%s holds %q in the clear", p, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRemoveSource(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	dock := e.dock("--cameras", "1", "--minutes", "0.2", "--seed", "3")
	var before []string
	if err := filepath.Walk(dock, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			before = append(before, p)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	res := parseLines[ingestLine](t, e.mustRun("ingest", "--json", "--remove-source", dock))
	if len(res) == 0 {
		t.Fatal("nothing ingested")
	}
	for _, p := range before {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s still on the dock after a verified import", p)
		}
	}
	e.mustRun("verify")
}

// TestStill renders stills by frame and by time, and checks that an
// out-of-range request fails clearly and writes nothing.
func TestStill(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	if err := media.WriteIndexedClip(context.Background(), clip, media.IndexedClipOptions{Width: 640, Height: 360,
		Frames: 50, GOP: 25, BFrames: 2}); err != nil {
		t.Fatal(err)
	}
	id := e.ingest(clip)[0].ID
	out := t.TempDir()
	for _, tc := range []struct {
		args  []string
		frame int
	}{
		{[]string{"--frame", "26"}, 26},
		{[]string{"--time", "1.0"}, 25},
		{[]string{"--time", "0"}, 0},
		{[]string{"--frame", "49", "--caption"}, 49},
	} {
		png := filepath.Join(out, fmt.Sprintf("still-%d.png", tc.frame))
		line := e.mustRun(append(append([]string{"still", id}, tc.args...), "-o", png)...)
		if want := fmt.Sprintf("%s: recording %s frame %d at ", png, id, tc.frame); !strings.HasPrefix(line, want) {
			t.Errorf("still %v says %q, want %q...", tc.args, line, want)
		}
		f, err := os.Open(png)
		if err != nil {
			t.Fatal(err)
		}
		img, err := imagepng.Decode(f)
		_ = f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got, err := media.DecodeIndexBand(img); err != nil || got != tc.frame {
			t.Errorf("still %v shows frame %d (%v), want %d", tc.args, got, err, tc.frame)
		}
	}
	for _, args := range [][]string{{"--frame", "50"}, {"--time", "2.0"}} {
		png := filepath.Join(out, "bad.png")
		r := e.run(append(append([]string{"still", id}, args...), "-o", png)...)
		if r.code != 3 || !strings.Contains(r.err, "outside the recording") {
			t.Errorf("still %v: %v", args, r)
		}
		if _, err := os.Stat(png); !os.IsNotExist(err) {
			t.Errorf("still %v left a file", args)
		}
	}
	// Both or neither of --frame and --time: a usage error, nothing opened.
	for _, args := range [][]string{{"--frame", "1", "--time", "1"}, {}} {
		if r := e.run(append(append([]string{"still", id}, args...), "-o", filepath.Join(out, "x.png"))...); r.code != 2 ||
			!strings.Contains(r.err, "usage: exhibit still") {
			t.Errorf("still %v: %v", args, r)
		}
	}
}
