package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"exhibit/app"
	"exhibit/store"
)

// TestStartupTime measures the GUI's start-up with the real binary on a
// store of 10,000 recordings made with a real store's Argon2id
// parameters (EXHIBIT_STARTUP_TEST=1 under X; make startup runs it):
// from process start to the main window mapped (xdotool search, polled)
// and to the library listing all recordings (signed in from
// EXHIBIT_USER/EXHIBIT_PASSWORD, the -v log line "library listed"). It
// fails when the window is not mapped within 1.5 s (the median of five
// starts).
func TestStartupTime(t *testing.T) {
	var lastLog *courtLog
	t.Cleanup(func() {
		if t.Failed() && lastLog != nil {
			t.Logf("exhibit output:\n%s", lastLog.String())
		}
	})
	if os.Getenv("EXHIBIT_STARTUP_TEST") != "1" || os.Getenv("DISPLAY") == "" {
		t.Skip("start-up measurement: set EXHIBIT_STARTUP_TEST=1 and DISPLAY (packaging/scripts/startup.sh)")
	}
	const n = 10000
	dir := filepath.Join(t.TempDir(), "store")
	// A store as a user has it: the production Argon2id parameters for
	// the key and the password (TestMain set the fast ones).
	fast := store.DefaultArgon2
	store.DefaultArgon2 = store.ProductionArgon2
	lib, err := app.Create(dir, app.KeySource{Passphrase: []byte(app.TestPassphrase), NoKeyring: true}, nil)
	if err == nil {
		_, err = lib.CreateFirstAdmin(context.Background(), app.TestAdmin, []byte(app.TestPassword(app.TestAdmin)), "startup")
		if cerr := lib.Close(); err == nil {
			err = cerr
		}
	}
	store.DefaultArgon2 = fast
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(dir, store.KeyOptions{Passphrase: []byte(app.TestPassphrase)})
	if err != nil {
		t.Fatal(err)
	}
	seedStart := time.Now()
	// Recorded over the last week: none is due for deletion, so the
	// retention sweep after sign-in leaves them all.
	if err := store.SeedTestRecordings(st, n, time.Now().Add(-n*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d recordings in %v", n, time.Since(seedStart).Round(time.Millisecond))

	var mapped, listed []time.Duration
	for run := range 5 {
		var log courtLog
		cmd := exec.Command(exhibitBin, "-v", "--store", dir, "--no-keyring")
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "EXHIBIT_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "EXHIBIT_PASSPHRASE="+app.TestPassphrase, "EXHIBIT_USER="+app.TestAdmin,
			"EXHIBIT_PASSWORD="+app.TestPassword(app.TestAdmin), "FYNE_SCALE=1")
		cmd.Stdout, cmd.Stderr = &log, &log
		lastLog = &log
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Polled every 5 ms: xdotool's own --sync retries only every 0.5 s.
		var out []byte
		var err error
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			out, err = exec.CommandContext(ctx, "xdotool", "search", "--onlyvisible", "--name", "^Exhibit").Output()
			cancel()
			if err == nil && len(strings.Fields(string(out))) > 0 {
				break
			}
		}
		m := time.Since(start)
		if err != nil || len(strings.Fields(string(out))) == 0 {
			all, _ := exec.Command("xdotool", "search", "--name", ".").Output()
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("the window did not appear: %v (windows %q)\n%s", err, all, log.String())
		}
		var l time.Duration
		if d := os.Getenv("EXHIBIT_STARTUP_SHOT"); d != "" {
			time.Sleep(3 * time.Second) // debugging: what the window shows
			_ = exec.Command("import", "-window", "root", filepath.Join(d, "startup.png")).Run()
		}
		waitFor(t, func() bool {
			for _, line := range log.after(0) {
				// Every 50th seeded recording is restricted: not listed
				// for an administrator without the restricted role.
				if line["msg"] == "library listed" && line["recordings"] == strconv.Itoa(n-n/50) {
					l = time.Since(start)
					return true
				}
			}
			return false
		}, "the library to list the recordings")
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		// Where the time goes: the log's own times of sign-in (the key
		// and password Argon2id) and of the listing.
		var signed time.Duration
		for _, line := range log.after(0) {
			if at, err := time.Parse(time.RFC3339Nano, line["time"]); err == nil && line["msg"] == "signed in" {
				signed = at.Sub(start)
			}
		}
		t.Logf("run %d: window mapped %v, signed in %v, library listed %v", run+1, m.Round(time.Millisecond), signed.Round(time.Millisecond), l.Round(time.Millisecond))
		mapped, listed = append(mapped, m), append(listed, l)
	}
	median := func(d []time.Duration) time.Duration {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[len(d)/2]
	}
	t.Logf("median of 5: window mapped %v, library of %d listed %v", median(mapped).Round(time.Millisecond), n, median(listed).Round(time.Millisecond))
	if median(mapped) > 1500*time.Millisecond {
		t.Errorf("the window took %v to appear, more than 1.5 s", median(mapped))
	}
}
