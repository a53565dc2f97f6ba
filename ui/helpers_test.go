package ui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
	"exhibit/app/media"
	"exhibit/store"
)

// testPassphrase protects the seeded store.
const testPassphrase = "pw"

// Accounts of the test stores: the first administrator, and in the seeded
// store one user of each other role, whose password is userPassword(name).
const (
	adminName     = "admin"
	adminPassword = "admin password"
)

// seedUsers are the seeded store's accounts besides the administrator.
var seedUsers = map[string]app.Role{"sgt": app.RoleSergeant, "psd": app.RolePSD, "viewer": app.RoleViewer}

// userPassword is the password of a test account.
func userPassword(name string) string { return name + " password" }

// seedClip is one recording of the seeded store.
type seedClip struct {
	name, officer, device, recordedAt string
	frames                            int
	gps                               bool
}

// seedClips are made distinct in every sortable column.
var seedClips = []seedClip{
	{"X6001234_20261102_093000_0001.MP4", "PC 4521 Jones", "X6001234", "2026-11-02T09:30:00Z", 50, true},
	{"VB4000321_20261103_140500_0007.MP4", "PS 1187 Patel", "VB4000321", "2026-11-03T14:05:00Z", 25, false},
	{"D5R00042_20261020_221500_0003.MP4", "PC 2210 Okafor", "D5R00042", "2026-10-20T22:15:00Z", 75, false},
}

var (
	tmpRoot  string
	seedOnce sync.Once
	seedDir  string            // store folder with seedClips imported
	seedSrc  string            // the source clips
	seedSHA  map[string]string // officer -> SHA-256 of the source file
	seedErr  error
)

func TestMain(m *testing.M) {
	restore := fastAccounts()
	if os.Getenv(guiChildEnv) != "" {
		os.Exit(guiChild())
	}
	if os.Getenv(reviewChildEnv) != "" {
		os.Exit(reviewGUIChild())
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		fmt.Fprintln(os.Stderr, "ui tests need ffmpeg on PATH:", err)
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "exhibit-ui-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tmpRoot = dir
	code := m.Run()
	restore()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fastAccounts makes password hashing cheap and takes the pause out of
// failed sign-ins for the whole test binary, the GUI children included
// (app/library_test.go does the same per test): the tests create accounts
// and sign in many times. A hash keeps its parameters, so accounts made
// here verify the same way under any settings. It returns the undo.
func fastAccounts() (restore func()) {
	restoreArgon, oldPolicy := store.UseTestArgon2(), app.DefaultSignInPolicy
	app.DefaultSignInPolicy.Delay = func(int) time.Duration { return 0 }
	return func() { restoreArgon(); app.DefaultSignInPolicy = oldPolicy }
}

// createStore makes a passphrase store in dir with its first administrator
// (signed in), as the window's store form does.
func createStore(ctx context.Context, dir, pass string) (*app.Library, error) {
	lib, err := app.Create(dir, app.KeySource{Passphrase: []byte(pass), NoKeyring: true}, nil)
	if err != nil {
		return nil, err
	}
	if _, err := lib.CreateFirstAdmin(ctx, adminName, []byte(adminPassword), "test"); err != nil {
		lib.Close()
		return nil, err
	}
	return lib, nil
}

// The one store-and-sign-in fixture of the ui tests: a test store is made
// by newStore (empty, its own), markStore (its own, with aged clips) or
// seededStore (shared, read-only); users are added by addUsers; a store is
// (re)opened with a user signed in by openStoreAs. All use the passphrase
// and accounts above, and TestMain's fast Argon2 (store.UseTestArgon2).

// newStore makes an empty store for one test, the administrator signed in.
func newStore(t *testing.T) (*app.Library, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store")
	lib, err := createStore(context.Background(), dir, "x")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return lib, dir
}

// signIn signs user name (adminName or one of seedUsers) into lib.
func signIn(t *testing.T, lib *app.Library, name string) {
	t.Helper()
	pw := userPassword(name)
	if name == adminName {
		pw = adminPassword
	}
	if _, err := lib.SignIn(context.Background(), name, []byte(pw), "test"); err != nil {
		t.Fatalf("sign in as %s: %v", name, err)
	}
}

// writeSeedSources writes the seed clips and their dock sidecars into dir.
func writeSeedSources(ctx context.Context, dir string) (map[string]string, error) {
	sums := map[string]string{}
	for _, c := range seedClips {
		path := filepath.Join(dir, c.device, "DCIM", "100BWV", c.name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		err := media.WriteIndexedClip(ctx, path, media.IndexedClipOptions{Frames: c.frames, BFrames: 2, Audio: true,
			CreationTime: c.recordedAt, Metadata: map[string]string{"make": "Axon", "model": "Axon Body 3"}})
		if err != nil {
			return nil, err
		}
		sc := map[string]any{"officer": c.officer, "device_serial": c.device, "recorded_at": c.recordedAt}
		if c.gps {
			sc["gps"] = map[string]float64{"lat": 51.50135, "lon": -0.14189}
		}
		b, _ := json.Marshal(sc)
		if err := os.WriteFile(strings.TrimSuffix(path, filepath.Ext(path))+".json", b, 0o644); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		h := sha256.Sum256(data)
		sums[c.officer] = hex.EncodeToString(h[:])
	}
	return sums, nil
}

// seededStore returns a passphrase store holding seedClips. It is made
// once per test binary; tests must not change it.
func seededStore(t testing.TB) string {
	t.Helper()
	seedOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		seedSrc = filepath.Join(tmpRoot, "dock")
		seedDir = filepath.Join(tmpRoot, "store")
		if seedSHA, seedErr = writeSeedSources(ctx, seedSrc); seedErr != nil {
			return
		}
		lib, err := createStore(ctx, seedDir, testPassphrase)
		if err != nil {
			seedErr = err
			return
		}
		defer lib.Close()
		for name, role := range seedUsers {
			if seedErr = lib.AddUser(ctx, name, role, []byte(userPassword(name))); seedErr != nil {
				return
			}
		}
		res, err := lib.Ingest(ctx, []string{seedSrc}, app.IngestOptions{})
		if err != nil {
			seedErr = err
			return
		}
		for _, r := range res {
			if r.Status != app.Imported {
				seedErr = fmt.Errorf("seed %s: %s %s", r.File, r.Status, r.Error)
				return
			}
		}
		if len(res) != len(seedClips) {
			seedErr = fmt.Errorf("seed: %d results, want %d", len(res), len(seedClips))
		}
	})
	if seedErr != nil {
		t.Fatalf("seed store: %v", seedErr)
	}
	return seedDir
}

// openSeeded opens the seeded store for one test, the administrator
// signed in.
func openSeeded(t *testing.T) *app.Library { return openSeededAs(t, adminName) }

// openSeededAs opens the seeded store for one test with user name signed in.
func openSeededAs(t *testing.T, name string) *app.Library {
	t.Helper()
	return openStoreAs(t, seededStore(t), testPassphrase, name)
}

// openStoreAs opens the passphrase store in dir with user name (adminName
// or an account made by addUsers) signed in; it is closed when the test
// ends.
func openStoreAs(t *testing.T, dir, pass, name string) *app.Library {
	t.Helper()
	lib, err := app.Open(dir, app.KeySource{Passphrase: []byte(pass), NoKeyring: true}, nil)
	if err != nil {
		t.Fatalf("open store %s: %v", dir, err)
	}
	t.Cleanup(func() { lib.Close() })
	signIn(t, lib, name)
	return lib
}

// addUsers adds accounts (name -> role, password userPassword(name)) to
// lib, whose signed-in user must be the administrator.
func addUsers(t *testing.T, lib *app.Library, users map[string]app.Role) {
	t.Helper()
	for name, role := range users {
		if err := lib.AddUser(context.Background(), name, role, []byte(userPassword(name))); err != nil {
			t.Fatalf("add user %s: %v", name, err)
		}
	}
}

// uiQueue stands in for Fyne's event loop in headless tests: background
// work posts to it, and the test goroutine runs what was posted, so
// widgets are only ever touched by one goroutine.
type uiQueue chan func()

func newUIQueue() uiQueue { return make(chan func(), 1<<14) }

func (q uiQueue) do(f func()) { q <- f }

// until runs posted functions until cond holds, failing after a minute.
// cond is also checked every few milliseconds: what it waits for may
// change off the UI goroutine (an engine setting) with nothing posted.
func (q uiQueue) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(time.Minute)
	poll := time.NewTicker(5 * time.Millisecond)
	defer poll.Stop()
	for !cond() {
		select {
		case f := <-q:
			f()
		case <-poll.C:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// run runs posted functions for d.
func (q uiQueue) run(d time.Duration) {
	end := time.After(d)
	for {
		select {
		case f := <-q:
			f()
		case <-end:
			return
		}
	}
}

// newTestView shows a library view over lib in a test window.
func newTestView(t *testing.T, lib libraryAPI) (*libraryView, uiQueue, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	q := newUIQueue()
	w := test.NewWindow(nil)
	lv := newLibraryView(lib, w, nil)
	lv.do = q.do
	w.SetContent(lv.content)
	w.Resize(fyne.NewSize(1500, 900))
	lv.start()
	t.Cleanup(func() {
		// Background work posts to q without blocking, so waiting for it
		// here on the test goroutine cannot deadlock.
		lv.close()
		w.Close()
	})
	q.until(t, "the first list", func() bool { return lv.loaded && !lv.loading })
	return lv, q, w
}

// visibleObjects lists o and everything drawn inside it, skipping hidden
// subtrees.
func visibleObjects(o fyne.CanvasObject) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		out = append(out, o)
		switch c := o.(type) {
		case fyne.Widget:
			for _, child := range test.WidgetRenderer(c).Objects() {
				walk(child)
			}
		case *fyne.Container:
			for _, child := range c.Objects {
				walk(child)
			}
		}
	}
	walk(o)
	return out
}

// labelTexts returns the text of every visible label in o.
func labelTexts(o fyne.CanvasObject) []string {
	var out []string
	for _, x := range visibleObjects(o) {
		if l, ok := x.(*widget.Label); ok {
			out = append(out, l.Text)
		}
	}
	return out
}

// findButton returns the visible button whose text starts with prefix.
func findButton(t *testing.T, o fyne.CanvasObject, prefix string) *widget.Button {
	t.Helper()
	for _, x := range visibleObjects(o) {
		if b, ok := x.(*widget.Button); ok && b.Text != "" && strings.HasPrefix(b.Text, prefix) {
			return b
		}
	}
	t.Fatalf("no button %q on screen", prefix)
	return nil
}

func officers(recs []*app.Recording) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Personal.Officer)
	}
	return out
}
