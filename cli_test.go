package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	imagepng "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"exhibit/app/media"
)

// End-to-end tests of the exhibit binary on footage from its own generator.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func exhibitBin(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "exhibit-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "exhibit")
		args := []string{"build", "-trimpath", "-tags", "migrated_fynedo", "-o", binPath}
		if raceEnabled {
			args = append(args, "-race")
		}
		out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// adminPassword is the password of the first administrator ("admin") that
// `init` creates in the tests.
const adminPassword = "admin password"

// testEnv is the environment every test run of exhibit gets: the store
// passphrase and the administrator signed in.
var testEnv = []string{"EXHIBIT_PASSPHRASE=test passphrase", "EXHIBIT_USER=admin", "EXHIBIT_PASSWORD=" + adminPassword}

type env struct {
	t     *testing.T
	store string
	extra []string
}

func newEnv(t *testing.T) *env {
	return &env{t: t, store: filepath.Join(t.TempDir(), "store")}
}

// run runs exhibit with args and returns stdout, stderr and the exit code.
func (e *env) run(args ...string) (string, string, int) {
	e.t.Helper()
	cmd := exec.Command(exhibitBin(e.t), append([]string{"--store", e.store, "--no-keyring"}, args...)...)
	cmd.Env = append(os.Environ(), testEnv...)
	cmd.Env = append(cmd.Env, e.extra...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatalf("exhibit %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

func (e *env) mustRun(args ...string) string {
	e.t.Helper()
	out, errOut, code := e.run(args...)
	if code != 0 {
		e.t.Fatalf("exhibit %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out, errOut)
	}
	return out
}

type ingestLine struct {
	File       string  `json:"file"`
	Status     string  `json:"status"`
	ID         string  `json:"id"`
	SHA256     string  `json:"sha256"`
	Frames     int     `json:"frames"`
	Duration   float64 `json:"duration"`
	FPS        float64 `json:"fps"`
	Width      int     `json:"width"`
	Height     int     `json:"height"`
	RecordedAt string  `json:"recorded_at"`
	Error      string  `json:"error"`
}

func parseLines[T any](t *testing.T, out string) []T {
	t.Helper()
	var res []T
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("not one JSON object per line: %q: %v", sc.Text(), err)
		}
		res = append(res, v)
	}
	return res
}

// ffmpegFrameCount is the independent count: what ffmpeg decodes.
func ffmpegFrameCount(t *testing.T, path string) int {
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
		"-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var n int
	fmt.Sscan(strings.TrimSpace(string(out)), &n)
	return n
}

func TestCLIEndToEnd(t *testing.T) {
	e := newEnv(t)
	dock := filepath.Join(t.TempDir(), "dock")
	e.mustRun("testmedia", "--small", "--junk", "--cameras", "2", "--minutes", "0.4", "--seed", "7", dock)

	// A command before init says what to do.
	if _, errOut, code := e.run("list"); code == 0 || !strings.Contains(errOut, "exhibit init") {
		t.Fatalf("list before init: exit %d, %q", code, errOut)
	}
	e.mustRun("init")
	if _, errOut, code := e.run("init"); code == 0 || !strings.Contains(errOut, "already") {
		t.Fatalf("second init: exit %d, %q", code, errOut)
	}

	out, errOut, code := e.run("ingest", "--json", dock)
	if code != 1 {
		t.Fatalf("ingest with junk: exit %d, want 1 (something rejected)\n%s\n%s", code, out, errOut)
	}
	res := parseLines[ingestLine](t, out)
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
		t.Fatalf("imported %d files, want at least 2:\n%s", len(imported), out)
	}
	if len(rejected) < 4 {
		t.Fatalf("rejected %d junk files, want 4 (empty, noise, text, truncated):\n%s", len(rejected), out)
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
		sum, _ := exec.Command("sha256sum", r.File).Output()
		if !strings.HasPrefix(string(sum), r.SHA256) {
			t.Errorf("%s: sha256 %s, sha256sum says %s", r.File, r.SHA256, sum)
		}
	}

	// Again: every video is a duplicate and nothing new is stored.
	out, _, _ = e.run("ingest", "--json", filepath.Join(dock))
	for _, r := range parseLines[ingestLine](t, out) {
		if r.Status == "imported" {
			t.Errorf("re-ingest imported again: %+v", r)
		}
	}

	// list --json: one object per line, all imported recordings.
	list := parseLines[map[string]any](t, e.mustRun("list", "--json"))
	if len(list) != len(imported) {
		t.Fatalf("list shows %d, imported %d", len(list), len(imported))
	}
	// show by lower-case prefix.
	id := imported[0].ID
	var shown map[string]any
	json.Unmarshal([]byte(e.mustRun("show", "--json", strings.ToLower(id[:5]))), &shown)
	if shown["id"] != id || shown["sha256"] != imported[0].SHA256 || shown["officer"] == "" {
		t.Fatalf("show: %v", shown)
	}

	// verify passes, then catches one flipped byte and names the recording.
	e.mustRun("verify")
	vault := vaultFileOf(t, e, id)
	b, _ := os.ReadFile(vault)
	b[len(b)/3] ^= 0x10
	os.WriteFile(vault, b, 0o600)
	out, _, code = e.run("verify")
	if code != 1 || !strings.Contains(out, "FAIL  "+id) || strings.Count(out, "FAIL") != 1 {
		t.Fatalf("verify after a flipped byte: exit %d\n%s", code, out)
	}
	b[len(b)/3] ^= 0x10
	os.WriteFile(vault, b, 0o600)
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
	e.extra = []string{"EXHIBIT_PASSPHRASE=wrong"}
	if _, errOut, code := e.run("list"); code == 0 || !strings.Contains(errOut, "passphrase") {
		t.Fatalf("wrong passphrase: exit %d %q", code, errOut)
	}
	// No passphrase and no keyring: the message names both ways.
	e.extra = []string{"EXHIBIT_PASSPHRASE="}
	if _, errOut, code := e.run("list"); code == 0 || !strings.Contains(errOut, "keyring") || !strings.Contains(errOut, "EXHIBIT_PASSPHRASE") {
		t.Fatalf("no key: exit %d %q", code, errOut)
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

func vaultFileOf(t *testing.T, e *env, id string) string {
	t.Helper()
	var shown struct {
		VaultFile string `json:"vault_file"`
	}
	json.Unmarshal([]byte(e.mustRun("show", "--json", id)), &shown)
	if shown.VaultFile == "" {
		t.Fatalf("show --json gives no vault_file for %s", id)
	}
	return shown.VaultFile
}

func assertNotInStore(t *testing.T, dir string, needles []string) {
	t.Helper()
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		for _, n := range needles {
			if n != "" && bytes.Contains(b, []byte(n)) {
				t.Errorf("%s holds %q in the clear", p, n)
			}
		}
		return nil
	})
}

// TestKilledIngestRecovers kills an ingest with SIGKILL while it writes the
// vault and checks that nothing half-made remains and a rerun completes it.
func TestKilledIngestRecovers(t *testing.T) {
	e := newEnv(t)
	e.mustRun("init")
	src := filepath.Join(t.TempDir(), "big.mkv")
	// Raw video: ~140 MB written fast, so the kill lands mid-encryption.
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25",
		"-frames:v", "100", "-c:v", "rawvideo", "-pix_fmt", "yuv420p", src).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	pending := filepath.Join(e.store, "vault", "pending")
	killed := false
	for attempt := 0; attempt < 5 && !killed; attempt++ {
		cmd := exec.Command(exhibitBin(t), "--store", e.store, "--no-keyring", "ingest", src)
		cmd.Env = append(os.Environ(), testEnv...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			if ents, _ := os.ReadDir(pending); len(ents) > 0 {
				cmd.Process.Kill()
				killed = true
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		err := cmd.Wait()
		if !killed && err == nil {
			t.Fatalf("ingest finished before it could be killed")
		}
	}
	if !killed {
		t.Fatal("never caught the ingest writing the vault")
	}
	if ents, _ := os.ReadDir(pending); len(ents) == 0 {
		t.Log("the kill landed after the pending file was moved; recovery still checked below")
	}
	if l := parseLines[map[string]any](t, e.mustRun("list", "--json")); len(l) != 0 {
		t.Fatalf("a killed ingest left a recording: %v", l)
	}
	// Opening the store again removes the debris; the rerun completes.
	res := parseLines[ingestLine](t, e.mustRun("ingest", "--json", src))
	if len(res) != 1 || res[0].Status != "imported" || res[0].Frames != 100 {
		t.Fatalf("rerun: %+v", res)
	}
	if ents, _ := os.ReadDir(pending); len(ents) != 0 {
		t.Fatalf("debris left in vault/pending: %d files", len(ents))
	}
	ents, _ := os.ReadDir(filepath.Join(e.store, "vault"))
	files := 0
	for _, ent := range ents {
		if !ent.IsDir() {
			files++
		}
	}
	if files != 1 {
		t.Fatalf("vault holds %d files, want 1", files)
	}
	e.mustRun("verify")
}

func TestRemoveSource(t *testing.T) {
	e := newEnv(t)
	e.mustRun("init")
	dock := filepath.Join(t.TempDir(), "dock")
	e.mustRun("testmedia", "--small", "--cameras", "1", "--minutes", "0.2", "--seed", "3", dock)
	var before []string
	filepath.Walk(dock, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			before = append(before, p)
		}
		return err
	})
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

// TestCLIKeyring creates and opens a store with the key in the real OS
// keyring (gnome-keyring in the test session) and no passphrase at all.
func TestCLIKeyring(t *testing.T) {
	if os.Getenv("EXHIBIT_KEYRING_TEST") != "1" {
		t.Skip("needs a Secret Service: run through `make test` (gnome-keyring in dbus-run-session)")
	}
	store := filepath.Join(t.TempDir(), "store")
	run := func(args ...string) (string, int) {
		cmd := exec.Command(exhibitBin(t), append([]string{"--store", store}, args...)...)
		cmd.Env = append(os.Environ(), "EXHIBIT_PASSPHRASE=", "EXHIBIT_NO_KEYRING=", "EXHIBIT_USER=admin", "EXHIBIT_PASSWORD="+adminPassword)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return string(out), code
	}
	if out, code := run("init"); code != 0 || !strings.Contains(out, "keyring") {
		t.Fatalf("init with the keyring: exit %d\n%s", code, out)
	}
	if out, code := run("list"); code != 0 || !strings.Contains(out, "0 recordings") {
		t.Fatalf("list with the key from the keyring: exit %d\n%s", code, out)
	}
	if out, code := run("--no-keyring", "list"); code == 0 || !strings.Contains(out, "EXHIBIT_PASSPHRASE") {
		t.Fatalf("list without the keyring should fail naming both ways: exit %d\n%s", code, out)
	}
}

// TestCLIStill renders stills by frame and by time, and checks that an
// out-of-range request fails clearly and writes nothing.
func TestCLIStill(t *testing.T) {
	e := newEnv(t)
	e.mustRun("init")
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	if err := media.WriteIndexedClip(context.Background(), clip, media.IndexedClipOptions{Width: 640, Height: 360,
		Frames: 50, GOP: 25, BFrames: 2}); err != nil {
		t.Fatal(err)
	}
	res := parseLines[ingestLine](t, e.mustRun("ingest", "--json", clip))
	id := res[0].ID
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
		e.mustRun(append(append([]string{"still", id}, tc.args...), "-o", png)...)
		f, err := os.Open(png)
		if err != nil {
			t.Fatal(err)
		}
		img, err := imagepng.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got, err := media.DecodeIndexBand(img); err != nil || got != tc.frame {
			t.Errorf("still %v shows frame %d (%v), want %d", tc.args, got, err, tc.frame)
		}
	}
	for _, args := range [][]string{{"--frame", "50"}, {"--time", "2.0"}} {
		png := filepath.Join(out, "bad.png")
		_, errOut, code := e.run(append(append([]string{"still", id}, args...), "-o", png)...)
		if code == 0 || !strings.Contains(errOut, "outside the recording") {
			t.Errorf("still %v: exit %d %q", args, code, errOut)
		}
		if _, err := os.Stat(png); !os.IsNotExist(err) {
			t.Errorf("still %v left a file", args)
		}
	}
}
