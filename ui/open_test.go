package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// newTestSession starts a session on dir in a test window.
func newTestSession(t *testing.T, opts Options) (*session, uiQueue, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	q := newUIQueue()
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1200, 800))
	s := newSession(w, opts)
	s.do = q.do
	// The stores tests share must not lose recordings to retention; a test
	// of the sweep turns it on before the session signs in.
	s.retentionEvery = 0
	s.frameChecks = false
	s.start()
	t.Cleanup(func() {
		// Background work posts to q without blocking, so waiting for it
		// here on the test goroutine cannot deadlock.
		s.close()
		w.Close()
	})
	return s, q, w
}

func TestLockedStoreAsksForPassphrase(t *testing.T) {
	dir := seededStore(t)
	s, q, w := newTestSession(t, Options{StoreDir: dir, NoKeyring: true})
	q.until(t, "the passphrase form", func() bool { return s.lock != nil })
	if s.lock.msg.Visible() {
		t.Errorf("an error shown before any passphrase was tried: %q", s.lock.msg.Text)
	}
	if w.Canvas().Focused() != s.lock.entry {
		t.Errorf("passphrase entry not focused")
	}

	// A wrong passphrase: a sentence, and the form again.
	test.Type(s.lock.entry, "wrong")
	test.Tap(s.lock.open)
	q.until(t, "the wrong-passphrase message", func() bool { return s.lock != nil && s.lock.msg.Visible() })
	if got, want := s.lock.msg.Text, "That passphrase does not open this store."; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	if s.view != nil {
		t.Fatal("library opened with a wrong passphrase")
	}

	// The right one, submitted with Enter, then the sign-in screen.
	test.Type(s.lock.entry, testPassphrase)
	s.lock.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	q.until(t, "the sign-in screen", func() bool { return s.signin != nil })
	test.Type(s.signin.name, adminName)
	test.Type(s.signin.pass, adminPassword)
	s.signin.pass.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	q.until(t, "the library", func() bool { return s.view != nil && s.view.loaded })
	if got := len(s.view.recs); got != len(seedClips) {
		t.Errorf("%d recordings, want %d", got, len(seedClips))
	}
	if s.shown() != s.view.content || w.Content() != s.area {
		t.Error("library view not on screen")
	}
}

func TestPassphraseFromOptionsOpensDirectly(t *testing.T) {
	s, q, _ := newTestSession(t, Options{StoreDir: seededStore(t), NoKeyring: true, Passphrase: []byte(testPassphrase),
		User: adminName, Password: []byte(adminPassword)})
	q.until(t, "the library", func() bool { return s.view != nil && s.view.loaded })
	if s.lock != nil {
		t.Error("passphrase form shown although the passphrase was given")
	}
	if s.signin != nil {
		t.Error("sign-in screen shown although the user and password were given")
	}
}

func TestWrongPassphraseFromOptionsShowsForm(t *testing.T) {
	s, q, _ := newTestSession(t, Options{StoreDir: seededStore(t), NoKeyring: true, Passphrase: []byte("nope")})
	q.until(t, "the passphrase form", func() bool { return s.lock != nil })
	if !s.lock.msg.Visible() || s.lock.msg.Text != "That passphrase does not open this store." {
		t.Errorf("message %q (visible %v)", s.lock.msg.Text, s.lock.msg.Visible())
	}
}

func TestCreateStoreOffered(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new-store")
	s, q, _ := newTestSession(t, Options{StoreDir: dir, NoKeyring: true})
	q.until(t, "the create form", func() bool { return s.create != nil })
	f := s.create
	if !f.usePass.Checked || !f.usePass.Disabled() {
		t.Error("without a keyring the passphrase must be required")
	}
	test.Type(f.pass, "secret one")
	test.Type(f.confirm, "secret two")
	test.Tap(f.create)
	if !f.msg.Visible() || f.msg.Text != "The two passphrases differ; type them again." {
		t.Errorf("mismatch message %q (visible %v)", f.msg.Text, f.msg.Visible())
	}
	f.confirm.SetText("secret one")
	// The first administrator is asked for on the same form.
	test.Tap(f.create)
	if f.msg.Text != "Choose a user name." {
		t.Errorf("no administrator: message %q", f.msg.Text)
	}
	test.Type(f.adminName, "chief")
	test.Type(f.adminPass, "short")
	test.Type(f.adminConfirm, "short")
	test.Tap(f.create)
	if f.msg.Text != "A password needs at least 8 characters." {
		t.Errorf("short password: message %q", f.msg.Text)
	}
	f.adminPass.SetText("chief password")
	f.adminConfirm.SetText("chief passwort")
	test.Tap(f.create)
	if f.msg.Text != "The two passwords differ; type them again." {
		t.Errorf("passwords differ: message %q", f.msg.Text)
	}
	f.adminConfirm.SetText("chief password")
	test.Tap(f.create)
	q.until(t, "the new library", func() bool { return s.view != nil && s.view.loaded })
	if !s.view.empty.Visible() {
		t.Error("a new store does not show the import help")
	}
	if who, ok := s.lib.Who(); !ok || who.Name != "chief" || who.Role != app.RoleAdmin {
		t.Errorf("signed in after creating the store: %+v %v", who, ok)
	}
}

func TestOpenFailureIsASentence(t *testing.T) {
	// A store whose key file is damaged: neither locked nor missing.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "key.json"), []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, q, w := newTestSession(t, Options{StoreDir: dir, NoKeyring: true})
	q.until(t, "the failure", func() bool { return s.status != nil && s.status.Importance == widget.DangerImportance })
	if s.lock != nil || s.create != nil || s.view != nil {
		t.Fatal("a damaged store was taken for locked, missing or open")
	}
	if !strings.Contains(s.status.Text, "damaged") {
		t.Errorf("message %q does not say the store is damaged", s.status.Text)
	}
	findButton(t, w.Content(), "Try again")
}
