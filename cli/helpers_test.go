package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"exhibit/app"
	"exhibit/ui"
)

// In-process tests of the command line: Main runs with its streams and
// environment given here, on stores made by app's test fixture (fast
// Argon2id), so they run under -race at the speed of the work itself.
// The root package's tests run the real binary for what needs a process
// (a kill, several processes at once, a terminal).

func TestMain(m *testing.M) {
	app.UseFastKDFForTests()
	os.Exit(m.Run())
}

// result is what one run of the command line gave.
type result struct {
	out, err string
	code     int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.out, r.err)
}

// tenv runs exhibit commands in process on one store.
type tenv struct {
	t     *testing.T
	store string
	// env is added to every run's environment (after the sign-in's).
	env map[string]string
	// gui records what the GUI launcher was asked to open.
	gui []ui.Options
}

// newTestEnv returns an environment on a store made by app.NewTestStore:
// passphrase app.TestPassphrase, accounts admin, sergeant, psd, viewer.
func newTestEnv(t *testing.T) *tenv {
	return &tenv{t: t, store: app.NewTestStore(t)}
}

// newEmptyEnv returns an environment whose store folder does not exist yet.
func newEmptyEnv(t *testing.T) *tenv {
	return &tenv{t: t, store: filepath.Join(t.TempDir(), "store")}
}

// runAs runs exhibit --store S --no-keyring ARGS signed in as user (its
// password from app.TestPassword), with stdin.
func (e *tenv) runAs(user, stdin string, args ...string) result {
	vars := map[string]string{"EXHIBIT_PASSPHRASE": app.TestPassphrase}
	if user != "" {
		vars["EXHIBIT_USER"], vars["EXHIBIT_PASSWORD"] = user, app.TestPassword(user)
	}
	for k, v := range e.env {
		vars[k] = v
	}
	var out, errb bytes.Buffer
	code := Main(append([]string{"--store", e.store, "--no-keyring"}, args...), Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		LookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
		GUI:       func(o ui.Options) error { e.gui = append(e.gui, o); return nil },
	})
	return result{out: out.String(), err: errb.String(), code: code}
}

// run runs exhibit as the administrator.
func (e *tenv) run(args ...string) result { return e.runAs(app.TestAdmin, "", args...) }

// must runs exhibit as user and fails the test unless it exits 0.
func (e *tenv) must(user string, args ...string) string {
	e.t.Helper()
	r := e.runAs(user, "", args...)
	if r.code != 0 {
		e.t.Fatalf("exhibit %v as %s: %v", args, user, r)
	}
	return r.out
}

// mustRun runs exhibit as the administrator and fails unless it exits 0.
func (e *tenv) mustRun(args ...string) string {
	e.t.Helper()
	return e.must(app.TestAdmin, args...)
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
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
		"-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var n int
	if _, err := fmt.Sscan(strings.TrimSpace(string(out)), &n); err != nil {
		t.Fatalf("ffprobe %s: %q: %v", path, out, err)
	}
	return n
}

// dock writes a synthetic dock folder with exhibit testmedia.
func (e *tenv) dock(args ...string) string {
	e.t.Helper()
	dir := filepath.Join(e.t.TempDir(), "dock")
	e.mustRun(append(append([]string{"testmedia", "--small"}, args...), dir)...)
	return dir
}

// ingest ingests paths as the administrator and returns the result lines.
func (e *tenv) ingest(paths ...string) []ingestLine {
	e.t.Helper()
	return parseLines[ingestLine](e.t, e.mustRun(append([]string{"ingest", "--json"}, paths...)...))
}

func readJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%q: %v", s, err)
	}
}
