package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"exhibit/app"
	"exhibit/app/media"
)

// End-to-end tests of the exhibit binary: what needs a real process (a
// kill, several processes on one store, a terminal, the process's exit
// code and streams). The command line itself is tested in process, under
// the race detector, in package cli. The binary is built once per test
// binary, without -race (its code is race-tested in process; a race build
// would run Argon2 and the crypto ten times slower), and the tests run in
// parallel.

var exhibitBin string

func TestMain(m *testing.M) {
	app.UseFastKDFForTests() // for the stores the tests make in process
	dir, err := os.MkdirTemp("", "exhibit-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	exhibitBin = filepath.Join(dir, "exhibit")
	var out []byte
	if b := os.Getenv("EXHIBIT_TEST_BIN"); b != "" {
		// A binary built elsewhere (e.g. make dist's PIE build) under test.
		exhibitBin = b
	} else {
		out, err = exec.Command("go", "build", "-trimpath", "-tags", "migrated_fynedo", "-o", exhibitBin, ".").CombinedOutput()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	if err := os.RemoveAll(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

// invocation is one run of the binary.
type invocation struct {
	store   string
	user    string // signs in as user with app.TestPassword(user); "" sets neither
	keyring bool   // use the OS keyring (default: --no-keyring)
	stdin   io.Reader
	env     []string // added last (e.g. "EXHIBIT_PASSPHRASE=" to unset it)
	args    []string
}

// result is what a run gave.
type result struct {
	out, err string
	code     int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.out, r.err)
}

// command returns the exec.Cmd for inv: the environment is this
// process's without any EXHIBIT_ variable, then the store passphrase
// app.TestPassphrase, the user's sign-in, and inv.env.
func (inv invocation) command(ctx context.Context) *exec.Cmd {
	args := []string{"--store", inv.store}
	if !inv.keyring {
		args = append(args, "--no-keyring")
	}
	cmd := exec.CommandContext(ctx, exhibitBin, append(args, inv.args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "EXHIBIT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "EXHIBIT_PASSPHRASE="+app.TestPassphrase)
	if inv.user != "" {
		cmd.Env = append(cmd.Env, "EXHIBIT_USER="+inv.user, "EXHIBIT_PASSWORD="+app.TestPassword(inv.user))
	}
	cmd.Env = append(cmd.Env, inv.env...)
	cmd.Stdin = inv.stdin
	return cmd
}

// exhibit runs the binary and returns its output and exit code. It never
// fails the test itself, so it may be called from any goroutine; err is
// set only when the process could not be run at all.
func exhibit(inv invocation) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := inv.command(ctx)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{out: out.String(), err: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		return r, fmt.Errorf("exhibit %v: %w", inv.args, err)
	}
	return r, nil
}

// mustExhibit runs the binary and fails the test unless it exits 0 (call
// it from the test's goroutine only).
func mustExhibit(t *testing.T, inv invocation) string {
	t.Helper()
	r, err := exhibit(inv)
	if err != nil {
		t.Fatal(err)
	}
	if r.code != 0 {
		t.Fatalf("exhibit %v: %v", inv.args, r)
	}
	return r.out
}

type ingestLine struct {
	File   string `json:"file"`
	Status string `json:"status"`
	ID     string `json:"id"`
	Frames int    `json:"frames"`
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

// TestBinary runs the binary through a store's life with the production
// Argon2id parameters (init makes them), and checks the process-level
// contracts: exit codes, stdout/stderr, a full disk as stdout.
func TestBinary(t *testing.T) {
	t.Parallel()
	store := filepath.Join(t.TempDir(), "store")
	inv := func(args ...string) invocation { return invocation{store: store, user: app.TestAdmin, args: args} }
	dock := filepath.Join(t.TempDir(), "dock")
	mustExhibit(t, inv("testmedia", "--small", "--junk", "--cameras", "1", "--minutes", "0.1", "--seed", "7", dock))
	if r, err := exhibit(inv("list")); err != nil || r.code != 3 || !strings.Contains(r.err, "exhibit init") {
		t.Fatalf("list before init: %v %v", r, err)
	}
	if out := mustExhibit(t, inv("init")); !strings.Contains(out, "Its administrator is admin.") {
		t.Fatalf("init: %s", out)
	}
	r, err := exhibit(inv("ingest", "--json", dock))
	if err != nil || r.code != 1 {
		t.Fatalf("ingest with junk: want exit 1: %v %v", r, err)
	}
	var id string
	for _, l := range parseLines[ingestLine](t, r.out) {
		if l.Status == "imported" {
			id = l.ID
		}
	}
	if id == "" {
		t.Fatalf("nothing imported: %v", r)
	}
	if out := mustExhibit(t, inv("list")); !strings.HasSuffix(out, "\n1 recordings\n") {
		t.Fatalf("list: %s", out)
	}
	if out := mustExhibit(t, inv("verify")); !strings.HasPrefix(out, "OK    "+id+"  ") || !strings.HasSuffix(out, "1 verified, 0 failed\n") {
		t.Fatalf("verify: %s", out)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"help"}, 0, ""},
		{[]string{"frob"}, 2, `unknown command "frob"`},
		{[]string{"user", "list", "--role", "x"}, 2, "flag provided but not defined: -role"},
	} {
		r, err := exhibit(inv(tc.args...))
		if err != nil || r.code != tc.code || !strings.Contains(r.err, tc.want) {
			t.Errorf("%v: want exit %d and %q: %v %v", tc.args, tc.code, tc.want, r, err)
		}
	}
	// A full disk as standard output: the results are lost, so the
	// command fails.
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Fatalf("/dev/full: %v", err)
	}
	defer func() { _ = full.Close() }()
	cmd := inv("list", "--json").command(context.Background())
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = full, &errb
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 || !strings.Contains(errb.String(), "no space left on device") {
		t.Fatalf("list --json onto a full disk: %v %q", err, errb.String())
	}
}

// TestKilledIngestRecovers kills an ingest with SIGKILL while it writes the
// vault and checks that nothing half-made remains and a rerun completes it.
func TestKilledIngestRecovers(t *testing.T) {
	t.Parallel()
	store := app.NewTestStore(t)
	src := filepath.Join(t.TempDir(), "big.mkv")
	// Raw video: ~140 MB written fast, so the kill lands mid-encryption.
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25",
		"-frames:v", "100", "-c:v", "rawvideo", "-pix_fmt", "yuv420p", src).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	pending := filepath.Join(store, "vault", "pending")
	killed := false
	for attempt := 0; attempt < 5 && !killed; attempt++ {
		cmd := invocation{store: store, user: app.TestAdmin, args: []string{"ingest", src}}.command(context.Background())
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			if ents, _ := os.ReadDir(pending); len(ents) > 0 {
				if err := cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				killed = true
				break
			}
			time.Sleep(2 * time.Millisecond) // polling the folder, not a synchronisation sleep
		}
		err := cmd.Wait()
		if !killed && err == nil {
			t.Fatalf("ingest finished before it could be killed")
		}
	}
	if !killed {
		t.Fatal("never caught the ingest writing the vault")
	}
	inv := func(args ...string) invocation { return invocation{store: store, user: app.TestAdmin, args: args} }
	if l := parseLines[map[string]any](t, mustExhibit(t, inv("list", "--json"))); len(l) != 0 {
		t.Fatalf("a killed ingest left a recording: %v", l)
	}
	// Opening the store again removes the debris; the rerun completes.
	res := parseLines[ingestLine](t, mustExhibit(t, inv("ingest", "--json", src)))
	if len(res) != 1 || res[0].Status != "imported" || res[0].Frames != 100 {
		t.Fatalf("rerun: %+v", res)
	}
	if ents, _ := os.ReadDir(pending); len(ents) != 0 {
		t.Fatalf("debris left in vault/pending: %d files", len(ents))
	}
	ents, err := os.ReadDir(filepath.Join(store, "vault"))
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, ent := range ents {
		if !ent.IsDir() {
			files++
		}
	}
	if files != 1 {
		t.Fatalf("vault holds %d files, want 1", files)
	}
	mustExhibit(t, inv("verify"))
}

// TestKeyring creates and opens a store with the key in the real OS
// keyring (gnome-keyring in the test session) and no passphrase at all.
func TestKeyring(t *testing.T) {
	if os.Getenv("EXHIBIT_KEYRING_TEST") != "1" {
		t.Skip("needs a Secret Service: run through `make test` (gnome-keyring in dbus-run-session)")
	}
	t.Parallel()
	store := filepath.Join(t.TempDir(), "store")
	run := func(args ...string) result {
		t.Helper()
		r, err := exhibit(invocation{store: store, user: app.TestAdmin, keyring: true, env: []string{"EXHIBIT_PASSPHRASE="}, args: args})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := run("init"); r.code != 0 || !strings.Contains(r.out, "keyring") {
		t.Fatalf("init with the keyring: %v", r)
	}
	if r := run("list"); r.code != 0 || !strings.Contains(r.out, "0 recordings") {
		t.Fatalf("list with the key from the keyring: %v", r)
	}
	if r := run("--no-keyring", "list"); r.code == 0 || !strings.Contains(r.err, "EXHIBIT_PASSPHRASE") {
		t.Fatalf("list without the keyring should fail naming both ways: %v", r)
	}
}

// TestConcurrentMarks: 24 processes mark at once while this process holds
// the store open as the GUI would (reading and marking) and an
// administrator runs a retention sweep; every mark is there and the audit
// trail verifies.
func TestConcurrentMarks(t *testing.T) {
	t.Parallel()
	store := app.NewTestStore(t)
	users := []string{"sgt1", "sgt2", "sgt3", "sgt4"}
	adminLib := app.OpenTestLibrary(t, store)
	ctx := context.Background()
	for _, u := range users {
		if err := adminLib.AddUser(ctx, u, app.RoleSergeant, []byte(app.TestPassword(u))); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	now := time.Now().UTC()
	for name, at := range map[string]time.Time{"target": now.AddDate(0, 0, -2), "old": now.AddDate(0, 0, -40)} {
		if err := media.WriteIndexedClip(ctx, filepath.Join(dir, name+".MP4"), media.IndexedClipOptions{Frames: 25,
			CreationTime: at.Format(time.RFC3339)}); err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]string{}
	for _, l := range parseLines[ingestLine](t, mustExhibit(t, invocation{store: store, user: app.TestAdmin, args: []string{"ingest", "--json", dir}})) {
		ids[strings.TrimSuffix(filepath.Base(l.File), ".MP4")] = l.ID
	}
	target := ids["target"]
	if target == "" || ids["old"] == "" {
		t.Fatalf("ingested %v", ids)
	}

	gui := app.OpenTestLibrary(t, store, app.RoleSergeant)
	stop := make(chan struct{})
	guiMarks := 0
	var guiErr error
	var guiDone sync.WaitGroup
	guiDone.Add(1)
	go func() {
		defer guiDone.Done()
		tick := time.NewTicker(50 * time.Millisecond) // a reviewer's pace, not synchronisation
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if _, err := gui.List(ctx, app.Filter{}, app.SortRecordedAt, false); err != nil {
				guiErr = err
				return
			}
			if _, err := gui.AddMark(ctx, target, app.MarkInput{FrameIn: 1, FrameOut: -1, Category: "search", Note: "gui"}); err != nil {
				guiErr = err
				return
			}
			guiMarks++
		}
	}()

	const n = 24
	var wg sync.WaitGroup
	errs := make([]string, n+1)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := exhibit(invocation{store: store, user: users[i%len(users)], args: []string{"mark", target,
				"--frame", fmt.Sprint(i), "--category", "significant statement", "--note", fmt.Sprintf("process %d", i)}})
			if err != nil || r.code != 0 || len(strings.TrimSpace(r.out)) != 10 {
				errs[i] = fmt.Sprintf("mark %d: %v %v", i, r, err)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		r, err := exhibit(invocation{store: store, user: app.TestAdmin, args: []string{"retention", "--json"}})
		if err != nil || r.code != 0 || !strings.Contains(r.out, ids["old"]) {
			errs[n] = fmt.Sprintf("retention: %v %v", r, err)
		}
	}()
	wg.Wait()
	close(stop)
	guiDone.Wait()
	if guiErr != nil {
		t.Error(guiErr)
	}
	for _, s := range errs {
		if s != "" {
			t.Error(s)
		}
	}
	type mark struct {
		Note string `json:"note"`
	}
	marks := parseLines[mark](t, mustExhibit(t, invocation{store: store, user: "sgt2", args: []string{"marks", target, "--json"}}))
	got := map[string]bool{}
	for _, m := range marks {
		got[m.Note] = true
	}
	for i := range n {
		if !got[fmt.Sprintf("process %d", i)] {
			t.Errorf("mark of process %d missing", i)
		}
	}
	if len(marks) != n+guiMarks {
		t.Errorf("%d marks, want %d + %d from the GUI", len(marks), n, guiMarks)
	}
	if out := mustExhibit(t, invocation{store: store, user: app.TestAdmin, args: []string{"audit", "verify"}}); !strings.HasPrefix(out, "OK") {
		t.Fatalf("audit verify: %s", out)
	}
	added := parseLines[map[string]any](t, mustExhibit(t, invocation{store: store, user: app.TestAdmin,
		args: []string{"audit", target, "--json", "--action", "annotate.add"}}))
	if len(added) != n+guiMarks {
		t.Errorf("%d annotate.add audit entries, want %d", len(added), n+guiMarks)
	}
}

// TestConcurrentAudit runs many exhibit processes at once; every sign-in
// appends entries. None may fail with "database is locked" and none may
// be lost.
func TestConcurrentAudit(t *testing.T) {
	t.Parallel()
	store := app.NewTestStore(t)
	inv := func(args ...string) invocation { return invocation{store: store, user: app.TestAdmin, args: args} }
	type entry struct {
		Seq int64 `json:"seq"`
	}
	before := len(parseLines[entry](t, mustExhibit(t, inv("audit", "--json"))))
	const procs, each = 12, 3
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for i := 0; i < procs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < each; j++ {
				r, err := exhibit(inv("list"))
				if err != nil || r.code != 0 {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("%v %v", r, err))
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	after := parseLines[entry](t, mustExhibit(t, inv("audit", "--json")))
	// Each list signs in: "signin" and "store.open"; the audit listing
	// before added two more.
	if want := before + 2 + procs*each*2; len(after) < want {
		t.Fatalf("%d entries, want at least %d", len(after), want)
	}
	for i, a := range after {
		if a.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i+1, a.Seq)
		}
	}
	if r, err := exhibit(inv("audit", "verify")); err != nil || r.code != 0 {
		t.Fatalf("audit verify after concurrent appends: %v %v", r, err)
	}
}

// TestPromptInterrupt: Ctrl-C at a password or passphrase prompt ends the
// command at once (exit 130, "interrupted"), with the terminal's echo
// restored; it used to wait for Enter. The prompt reads a real
// pseudo-terminal.
func TestPromptInterrupt(t *testing.T) {
	t.Parallel()
	store := app.NewTestStore(t)
	for _, tc := range []struct {
		name   string
		env    []string
		prompt string
	}{
		{"password", []string{"EXHIBIT_USER=admin"}, "Password for admin: "},
		{"passphrase", []string{"EXHIBIT_PASSPHRASE=", "EXHIBIT_USER=admin"}, "Store passphrase: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ptm, pts := openPTY(t)
			cmd := invocation{store: store, env: tc.env, stdin: pts, args: []string{"list"}}.command(context.Background())
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			cmd.Stdout = &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait for the prompt (the read is then under way).
			seen := make(chan string, 1)
			rest := make(chan string, 1)
			go func() {
				br := bufio.NewReader(stderr)
				var got []byte
				for !bytes.HasSuffix(got, []byte(tc.prompt)) {
					b, err := br.ReadByte()
					if err != nil {
						break
					}
					got = append(got, b)
				}
				seen <- string(got)
				all, _ := io.ReadAll(br)
				rest <- string(all)
			}()
			select {
			case got := <-seen:
				if !strings.HasSuffix(got, tc.prompt) {
					t.Fatalf("no prompt %q: %q", tc.prompt, got)
				}
			case <-time.After(60 * time.Second):
				t.Fatal("no prompt within 60 s")
			}
			waitFor(t, func() bool { return !echoOn(t, pts) }, "the prompt turning echo off")
			start := time.Now()
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var werr error
			select {
			case werr = <-done:
			case <-time.After(20 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("Ctrl-C at the prompt did not end the command (it waits for Enter)")
			}
			took := time.Since(start)
			var ee *exec.ExitError
			if !errors.As(werr, &ee) || ee.ExitCode() != 130 {
				t.Fatalf("exit after Ctrl-C: %v", werr)
			}
			if msg := <-rest; !strings.Contains(msg, "exhibit: interrupted") {
				t.Errorf("stderr after Ctrl-C: %q", msg)
			}
			if !echoOn(t, pts) {
				t.Error("the terminal's echo was left off")
			}
			if out.Len() != 0 {
				t.Errorf("stdout: %q", out.String())
			}
			t.Logf("ended %v after Ctrl-C", took)
			if err := ptm.Close(); err != nil {
				t.Error(err)
			}
		})
	}
}

// openPTY opens a pseudo-terminal pair; both ends are closed at the end of
// the test.
func openPTY(t *testing.T) (ptm, pts *os.File) {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { _ = ptm.Close() })
	if err := unix.IoctlSetPointerInt(int(ptm.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(ptm.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("ptsname: %v", err)
	}
	pts, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open the terminal: %v", err)
	}
	t.Cleanup(func() { _ = pts.Close() })
	return ptm, pts
}

func echoOn(t *testing.T, f *os.File) bool {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatalf("tcgetattr: %v", err)
	}
	return tio.Lflag&unix.ECHO != 0
}

// waitFor polls cond until it holds, failing the test after 30 s.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition
	}
}
