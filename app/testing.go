package app

// Test fixtures shared by the test suites of app's consumers (cli, ui):
// restic's testing.go habit. Nothing here is used by the program itself.

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"exhibit/app/media"
	"exhibit/store"
)

// TestPassphrase is the passphrase of the stores NewTestStore makes.
const TestPassphrase = "test passphrase"

// TestAdmin is the first administrator of the stores NewTestStore makes.
const TestAdmin = "admin"

// TestPassword returns the password NewTestStore gives the account name:
// name + " password" ("admin password" for TestAdmin).
func TestPassword(name string) string { return name + " password" }

// TestUserName returns the name of the account NewTestStore makes for a
// role: TestAdmin for RoleAdmin, else the role's name ("sergeant", "psd",
// "viewer").
func TestUserName(r Role) string {
	if r == RoleAdmin {
		return TestAdmin
	}
	return string(r)
}

var fastKDFOnce sync.Once

// UseFastKDFForTests makes every Argon2id derivation made from now on in
// this process (passphrase wraps, password hashes) use the weakest
// parameters (store.TestArgon2 through store.UseTestArgon2, the one
// switch), and takes the pause out of failed
// sign-ins (the lockout still counts). It is for tests only, is never
// undone, and must be called before tests start in parallel (TestMain, or
// through NewTestStore). A hash keeps its parameters, so stores made with
// it open the same way in any process, the exhibit binary included: a test
// that makes its store this way pays for no slow derivation at all.
func UseFastKDFForTests() {
	fastKDFOnce.Do(func() {
		store.UseTestArgon2() // never undone (see above): its restore is not kept
		DefaultSignInPolicy.Delay = func(int) time.Duration { return 0 }
	})
}

// NewTestStore makes a store in a new folder under t.TempDir(), protected
// by TestPassphrase only (no OS keyring), with fast Argon2id parameters
// (see UseFastKDFForTests), its first administrator TestAdmin, and one
// account per other role named by TestUserName (passwords by TestPassword).
// It returns the store folder; the store is closed.
func NewTestStore(t testing.TB) string {
	t.Helper()
	UseFastKDFForTests()
	dir := filepath.Join(t.TempDir(), "store")
	lib, err := Create(dir, TestKeySource(), nil)
	if err != nil {
		t.Fatalf("create test store: %v", err)
	}
	ctx := context.Background()
	if _, err := lib.CreateFirstAdmin(ctx, TestAdmin, []byte(TestPassword(TestAdmin)), "test"); err != nil {
		t.Fatalf("test store: first administrator: %v", err)
	}
	for _, r := range []Role{RoleSergeant, RolePSD, RoleViewer} {
		name := TestUserName(r)
		if err := lib.AddUser(ctx, name, r, []byte(TestPassword(name))); err != nil {
			t.Fatalf("test store: add %s: %v", name, err)
		}
	}
	if err := lib.Close(); err != nil {
		t.Fatalf("test store: close: %v", err)
	}
	return dir
}

// TestKeySource is the key source that opens a store NewTestStore made.
func TestKeySource() KeySource {
	return KeySource{Passphrase: []byte(TestPassphrase), NoKeyring: true}
}

// OpenTestLibrary opens the store in dir (made by NewTestStore) and signs
// in the account of role (RoleAdmin when omitted). The library is closed
// when the test ends.
func OpenTestLibrary(t testing.TB, dir string, role ...Role) *Library {
	t.Helper()
	UseFastKDFForTests()
	r := RoleAdmin
	if len(role) > 0 {
		r = role[0]
	}
	lib, err := Open(dir, TestKeySource(), nil)
	if err != nil {
		t.Fatalf("open test store: %v", err)
	}
	t.Cleanup(func() {
		if err := lib.Close(); err != nil {
			t.Errorf("close test library: %v", err)
		}
	})
	name := TestUserName(r)
	if _, err := lib.SignIn(context.Background(), name, []byte(TestPassword(name)), "test"); err != nil {
		t.Fatalf("test store: sign in %s: %v", name, err)
	}
	return lib
}

// NewTestLibrary makes a store with NewTestStore and returns it open, with
// the account of role (RoleAdmin when omitted) signed in; it is closed
// when the test ends. Its folder is lib.Dir().
func NewTestLibrary(t testing.TB, role ...Role) *Library {
	t.Helper()
	return OpenTestLibrary(t, NewTestStore(t), role...)
}

// NewTestBundle exports an evidence bundle (masters included) of one
// generated recording with frame-index band (frames frames, 640×360, a
// GOP of 25 with B-frames) and two markers (frames 7 and 30–41; frames must be at least 42) into a new
// folder, and returns the folder and the recording's id.
func NewTestBundle(t testing.TB, frames int) (dir, id string) {
	t.Helper()
	return NewTestBundleVFR(t, frames, false)
}

// NewTestBundleVFR is NewTestBundle, from variable frame rate footage when
// vfr is set (frame durations alternate 0.5 and 1.5 nominal frames, so
// nominal-rate times are wrong for every other frame). The export also
// writes dir+".zip".
func NewTestBundleVFR(t testing.TB, frames int, vfr bool) (dir, id string) {
	t.Helper()
	ctx := context.Background()
	lib := NewTestLibrary(t, RoleSergeant)
	src := filepath.Join(t.TempDir(), "cam.mp4")
	if err := media.WriteIndexedClip(ctx, src, media.IndexedClipOptions{Width: 640, Height: 360, Frames: frames, GOP: 25, BFrames: 2, VFR: vfr}); err != nil {
		t.Fatal(err)
	}
	res, err := lib.Ingest(ctx, []string{src}, IngestOptions{})
	if err != nil || len(res) != 1 || res[0].Status != Imported {
		t.Fatalf("ingest %s: %+v %v", src, res, err)
	}
	id = res[0].ID
	for _, m := range []MarkInput{{FrameIn: 7, FrameOut: -1, Category: "arrest", Note: "handcuffs applied"},
		{FrameIn: 30, FrameOut: min(41, frames-1), Category: "use of force", Note: "takedown"}} {
		if _, err := lib.AddMark(ctx, id, m); err != nil {
			t.Fatal(err)
		}
	}
	dir = filepath.Join(t.TempDir(), "OP-1")
	if _, err := lib.Export(ctx, ExportRequest{CaseRef: "OP/2026/1", Out: dir, Specs: []string{id}, Masters: true, Zip: true}, nil); err != nil {
		t.Fatal(err)
	}
	return dir, id
}

// TestSARReceived returns a received day (local midnight, before now)
// whose SAR is due about dueInDays calendar days after now's local date
// (negative: overdue), for SAR tests, and exactly how many days that is.
// Some days are nobody's due day (a month's 29th to 31st after a shorter
// month), so it may be one day either side; tests print labels from n.
func TestSARReceived(now time.Time, dueInDays int) (received time.Time, n int) {
	today := calendarDay(now.In(time.Local))
	for _, n := range []int{dueInDays, dueInDays - 1, dueInDays + 1, dueInDays - 2, dueInDays + 2} {
		target := today.AddDate(0, 0, n)
		for back := 28; back <= 31; back++ {
			r := target.AddDate(0, 0, -back)
			if SARDueDate(r).Equal(target) {
				return time.Date(r.Year(), r.Month(), r.Day(), 0, 0, 0, 0, time.Local), n
			}
		}
	}
	panic("TestSARReceived: no day within two days of the target is a due day")
}
