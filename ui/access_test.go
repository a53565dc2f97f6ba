package ui

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
	"exhibit/app/media"
	"exhibit/store"
)

// hasButton reports whether a button whose text starts with prefix is on
// screen in o.
func hasButton(o fyne.CanvasObject, prefix string) bool {
	for _, x := range visibleObjects(o) {
		if b, ok := x.(*widget.Button); ok && b.Text != "" && strings.HasPrefix(b.Text, prefix) {
			return true
		}
	}
	return false
}

// overlayButton returns the button labelled text in the top overlay.
func overlayButton(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog on screen (looking for %q)", text)
	}
	for _, o := range visibleObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no button %q in the dialog", text)
	return nil
}

// auditHas reports whether the store in dir has an audit entry matching f
// whose detail is detail ("": any), read as the administrator.
func auditHas(t *testing.T, dir, pass string, f app.AuditFilter, detail string) bool {
	t.Helper()
	lib := openStoreAs(t, dir, pass, adminName)
	entries, err := lib.AuditEntries(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if detail == "" || e.Detail == detail {
			return true
		}
	}
	return false
}

func TestSignInScreen(t *testing.T) {
	dir := seededStore(t)
	s, q, w := newTestSession(t, Options{StoreDir: dir, NoKeyring: true, Passphrase: []byte(testPassphrase)})
	q.until(t, "the sign-in screen", func() bool { return s.signin != nil })
	f := s.signin
	if f.msg.Visible() {
		t.Errorf("a message before any attempt: %q", f.msg.Text)
	}
	if w.Canvas().Focused() != f.name {
		t.Error("the user name field is not focused")
	}
	if s.lib.Can(app.PermView) {
		t.Fatal("someone is signed in before the form was used")
	}

	test.Tap(f.submit)
	if f.msg.Text != "Type your user name." || !f.msg.Visible() {
		t.Errorf("empty form: %q", f.msg.Text)
	}

	// A wrong password and an unknown user get the same words.
	for _, name := range []string{adminName, "nobody"} {
		f.name.SetText(name)
		f.pass.SetText("not the password")
		f.pass.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		if !f.submit.Disabled() || !f.act.Visible() {
			t.Errorf("%s: the form does not show it is busy", name)
		}
		q.until(t, "the refusal", func() bool { return !f.submit.Disabled() })
		if got, want := f.msg.Text, "Wrong user name or password."; got != want || f.msg.Importance != widget.DangerImportance {
			t.Errorf("%s: message %q, want %q", name, got, want)
		}
		if f.pass.Text != "" || w.Canvas().Focused() != f.pass {
			t.Errorf("%s: the password is not cleared and focused for another try", name)
		}
		if s.view != nil {
			t.Fatalf("%s: the library opened with a wrong password", name)
		}
	}

	// Enter in the name field moves to the password; Enter there signs in.
	f.name.SetText(adminName)
	f.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if w.Canvas().Focused() != f.pass {
		t.Error("Enter in the name field did not move to the password")
	}
	test.Type(f.pass, adminPassword)
	f.pass.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	q.until(t, "the library", func() bool { return s.view != nil && s.view.loaded })
	if s.shown() != s.view.content || s.signin != nil {
		t.Fatal("the library is not on screen")
	}
	if texts := labelTexts(s.shown()); !slices.Contains(texts, "admin · Administrator") {
		t.Errorf("no user and role on screen: %q", texts)
	}
	if !hasButton(s.shown(), "Sign out") || !hasButton(s.shown(), "Users") {
		t.Error("no Sign out or Users button for the administrator")
	}
	menus := w.MainMenu().Items
	if last := menus[len(menus)-1]; last.Label != "Account" || last.Items[0].Label != "Signed in as admin · Administrator" {
		t.Errorf("account menu %q %q", last.Label, last.Items[0].Label)
	}
}

func TestSignInLockout(t *testing.T) {
	lib, dir := newStore(t)
	addUsers(t, lib, map[string]app.Role{"locky": app.RoleSergeant})
	s, q, _ := newTestSession(t, Options{StoreDir: dir, NoKeyring: true, Passphrase: []byte("x"), User: "locky"})
	q.until(t, "the sign-in screen", func() bool { return s.signin != nil })
	f := s.signin
	if f.name.Text != "locky" || s.win.Canvas().Focused() != f.pass {
		t.Errorf("Options.User alone: name %q, focus on the password %v", f.name.Text, s.win.Canvas().Focused() == f.pass)
	}
	for i := range app.DefaultSignInPolicy.LockAfter {
		f.pass.SetText("wrong password")
		test.Tap(f.submit)
		q.until(t, "the refusal", func() bool { return !f.submit.Disabled() })
		if i < app.DefaultSignInPolicy.LockAfter-1 && f.msg.Text != "Wrong user name or password." {
			t.Errorf("failure %d: %q", i+1, f.msg.Text)
		}
	}
	locked := "This account is locked after too many failed sign-ins. Try again after "
	if !strings.HasPrefix(f.msg.Text, locked) || !strings.HasSuffix(f.msg.Text, ", or ask an administrator to unlock it.") {
		t.Errorf("after %d failures: %q", app.DefaultSignInPolicy.LockAfter, f.msg.Text)
	}
	// Now even the right password is refused until the lock ends.
	f.pass.SetText(userPassword("locky"))
	test.Tap(f.submit)
	q.until(t, "the refusal", func() bool { return !f.submit.Disabled() })
	if !strings.HasPrefix(f.msg.Text, locked) || s.view != nil {
		t.Errorf("right password while locked: %q", f.msg.Text)
	}
}

func TestWrongPasswordFromOptionsShowsForm(t *testing.T) {
	s, q, _ := newTestSession(t, Options{StoreDir: seededStore(t), NoKeyring: true, Passphrase: []byte(testPassphrase),
		User: "viewer", Password: []byte("not it at all")})
	q.until(t, "the sign-in screen", func() bool { return s.signin != nil })
	if f := s.signin; f.name.Text != "viewer" || f.msg.Text != "Wrong user name or password." || !f.msg.Visible() {
		t.Errorf("name %q, message %q", f.name.Text, f.msg.Text)
	}
	// Put the failure count back to zero for the other tests.
	s.signin.pass.SetText(userPassword("viewer"))
	test.Tap(s.signin.submit)
	q.until(t, "the library", func() bool { return s.view != nil })
}

func TestFirstAdministratorForm(t *testing.T) {
	// A store made before accounts existed: no users.
	dir := filepath.Join(t.TempDir(), "store")
	lib, err := app.Create(dir, app.KeySource{Passphrase: []byte("x"), NoKeyring: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	lib.Close()
	s, q, _ := newTestSession(t, Options{StoreDir: dir, NoKeyring: true, Passphrase: []byte("x"), User: "boss"})
	q.until(t, "the first-administrator form", func() bool { return s.firstAdmin != nil })
	f := s.firstAdmin
	if f.name.Text != "boss" {
		t.Errorf("name %q", f.name.Text)
	}
	test.Type(f.pass, "boss password")
	test.Type(f.confirm, "boss passw0rd")
	test.Tap(f.submit)
	if f.msg.Text != "The two passwords differ; type them again." {
		t.Errorf("message %q", f.msg.Text)
	}
	f.name.SetText("Bad Name!")
	f.confirm.SetText("boss password")
	test.Tap(f.submit)
	q.until(t, "the refusal", func() bool { return !f.submit.Disabled() })
	if !strings.HasPrefix(f.msg.Text, "User name ") || !strings.HasSuffix(f.msg.Text, ".") {
		t.Errorf("bad name: message %q", f.msg.Text)
	}
	f.name.SetText("boss")
	f.confirm.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	q.until(t, "the library", func() bool { return s.view != nil && s.view.loaded })
	if !slices.Contains(labelTexts(s.shown()), "boss · Administrator") {
		t.Errorf("labels %q", labelTexts(s.shown()))
	}
}

func TestSignOutReturnsToSignIn(t *testing.T) {
	dir := seededStore(t)
	s, q, w := newTestSession(t, Options{StoreDir: dir, NoKeyring: true, Passphrase: []byte(testPassphrase),
		User: "sgt", Password: []byte(userPassword("sgt"))})
	q.until(t, "the library", func() bool { return s.view != nil && s.view.loaded })
	test.Tap(findButton(t, s.shown(), "Sign out"))
	q.until(t, "the sign-in screen", func() bool { return s.signin != nil })
	if s.signin.name.Text != "sgt" || s.signin.msg.Text != "You have signed out." {
		t.Errorf("name %q, message %q", s.signin.name.Text, s.signin.msg.Text)
	}
	if _, ok := s.lib.Who(); ok || s.view != nil || w.MainMenu() != nil {
		t.Error("still signed in, or the library or its menu still there")
	}
	if w.Title() != windowTitle(dir) {
		t.Errorf("title %q", w.Title())
	}
	if !auditHas(t, dir, testPassphrase, app.AuditFilter{User: "sgt", Action: "signout"}, "signed out") {
		t.Error("no signout entry in the audit trail")
	}
	// Signing in again (here as someone else) shows a fresh library.
	s.signin.name.SetText("viewer")
	test.Type(s.signin.pass, userPassword("viewer"))
	test.Tap(s.signin.submit)
	q.until(t, "the library", func() bool { return s.view != nil && s.view.loaded })
	if !slices.Contains(labelTexts(s.shown()), "viewer · Viewer") {
		t.Errorf("labels %q", labelTexts(s.shown()))
	}
}

func TestRolesSeeOnlyTheirActions(t *testing.T) {
	for _, c := range []struct {
		user                      string
		imports, verify, restrict bool
	}{
		{adminName, true, true, false},
		{"sgt", true, false, false},
		{"psd", true, true, true},
		{"viewer", false, true, false},
	} {
		t.Run(c.user, func(t *testing.T) {
			lv, q, w := newTestView(t, openSeededAs(t, c.user))
			lv.selectRow(0)
			id := lv.recs[0].ID
			q.until(t, "the full record in the detail pane", func() bool { return lv.full[id] != nil && lv.detail.rec == lv.full[id] })
			root := w.Content()
			for _, b := range []struct {
				name string
				want bool
			}{{"Import files", c.imports}, {"Import folder", c.imports}, {"Watch dock folder", c.imports},
				{"Verify all", c.verify}, {"Restrict", c.restrict}} {
				if got := hasButton(root, b.name); got != b.want {
					t.Errorf("%s: button %q offered %v, want %v", c.user, b.name, got, b.want)
				}
			}
			var menuItems []string
			for _, m := range lv.mainMenu().Items {
				for _, it := range m.Items {
					menuItems = append(menuItems, it.Label)
				}
			}
			if got := slices.Contains(menuItems, "Import files…"); got != c.imports {
				t.Errorf("%s: import menu item %v", c.user, got)
			}
			if got := slices.Contains(menuItems, "Verify all"); got != c.verify {
				t.Errorf("%s: verify menu item %v", c.user, got)
			}
			if !hasButton(root, "Audit trail") || !hasButton(root, "Review") {
				t.Errorf("%s: no Review or Audit trail button", c.user)
			}
		})
	}
}

func TestRestrictedRecordingHiddenFromSergeant(t *testing.T) {
	lib, dir := newStore(t)
	ctx := context.Background()
	src := t.TempDir()
	for i, n := range []int{25, 30} {
		p := filepath.Join(src, []string{"a.mp4", "b.mp4"}[i])
		if err := media.WriteIndexedClip(ctx, p, media.IndexedClipOptions{Frames: n}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := lib.Ingest(ctx, []string{src}, app.IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	addUsers(t, lib, map[string]app.Role{"psd": app.RolePSD, "sgt": app.RoleSergeant})

	// Professional standards restricts one, with a confirmation.
	signIn(t, lib, "psd")
	lv, q, w := newTestView(t, lib)
	if len(lv.recs) != 2 {
		t.Fatalf("%d recordings", len(lv.recs))
	}
	lv.selectRow(0)
	id := lv.selected
	test.Tap(lv.detail.restrict)
	test.Tap(overlayButton(t, w, "Restrict"))
	q.until(t, "the restricted recording", func() bool {
		full := lv.full[id]
		return !lv.loading && full != nil && full.Restricted
	})
	if !lv.detail.restricted.Visible() || lv.detail.restrict.Text != "Unrestrict…" {
		t.Errorf("detail pane: banner %v, button %q", lv.detail.restricted.Visible(), lv.detail.restrict.Text)
	}
	if len(lv.recs) != 2 {
		t.Errorf("professional standards sees %d recordings, want 2", len(lv.recs))
	}
	lv.close()

	// A sergeant's table no longer lists it.
	signIn(t, lib, "sgt")
	sv, _, _ := newTestView(t, lib)
	if len(sv.recs) != 1 || sv.recs[0].ID == id {
		t.Errorf("the sergeant sees %d recordings (%v), restricted %s", len(sv.recs), sv.recs, id)
	}
	if !auditHas(t, dir, "x", app.AuditFilter{Action: "restrict"}, "") {
		t.Error("no restrict entry in the audit trail")
	}
}

func TestIdleLock(t *testing.T) {
	dir := seededStore(t)
	s, q, _ := newTestSession(t, Options{StoreDir: dir, NoKeyring: true, Passphrase: []byte(testPassphrase),
		User: "psd", Password: []byte(userPassword("psd"))})
	s.idleAfter, s.idleTick = time.Second, 100*time.Millisecond
	q.until(t, "the library", func() bool { return s.view != nil && s.view.loaded })

	// Pointer movement over the window keeps the session awake.
	for range 8 {
		s.area.Cursor()
		q.run(250 * time.Millisecond)
	}
	if s.signin != nil || s.view == nil {
		t.Fatal("locked although the pointer was moving")
	}
	// Typing in an entry does too.
	for _, r := range "patel!" {
		s.win.Canvas().Focus(s.view.search)
		s.view.search.TypedRune(r)
		q.run(250 * time.Millisecond)
	}
	if s.signin != nil {
		t.Fatal("locked although someone was typing")
	}

	// Then nothing: the session locks.
	start := time.Now()
	q.until(t, "the idle lock", func() bool { return s.signin != nil })
	if d := time.Since(start); d < 700*time.Millisecond {
		t.Errorf("locked after %v idle", d)
	}
	f := s.signin
	if f.name.Text != "psd" || f.msg.Text != "Locked after 1 second idle. Sign in again to continue." {
		t.Errorf("lock screen: name %q, message %q", f.name.Text, f.msg.Text)
	}
	if _, ok := s.lib.Who(); ok || s.view != nil {
		t.Error("still signed in after the idle lock")
	}
	if !auditHas(t, dir, testPassphrase, app.AuditFilter{User: "psd", Action: "signout"}, "idle lock") {
		t.Error("no signout entry with detail \"idle lock\" in the audit trail")
	}
}

func TestIdleLockClosesReview(t *testing.T) {
	dir, id := reviewStore(t)
	s, q, _ := newTestSession(t, Options{StoreDir: dir, NoKeyring: true, Passphrase: []byte(testPassphrase), ReviewID: id,
		User: adminName, Password: []byte(adminPassword)})
	s.idleAfter, s.idleTick = time.Hour, 100*time.Millisecond
	q.until(t, "the review screen", func() bool { return s.review != nil && (s.review.count > 0 || s.review.failed) })
	r := s.review
	s.idleAfter = time.Second
	s.startIdle()   // from now
	s.showAudit(id) // a dialog over it goes too
	q.until(t, "the idle lock", func() bool { return s.signin != nil })
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the review engine did not close")
	}
	if s.review != nil || s.win.Canvas().Overlays().Top() != nil {
		t.Error("the review or a dialog is still there after the lock")
	}
}

func TestAuditView(t *testing.T) {
	lib := openSeeded(t)
	// Something to find: a viewer's sign-in on this store.
	signIn(t, lib, "viewer")
	signIn(t, lib, adminName)
	test.NewTempApp(t)
	q := newUIQueue()
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1440, 900))
	v := newAuditView(lib, "", q.do, nil)
	v.show(w, nil)
	t.Cleanup(func() { v.close(); w.Close() })
	q.until(t, "the entries", func() bool { return !v.loading })
	if len(v.entries) < 5 {
		t.Fatalf("%d entries", len(v.entries))
	}
	for i := 1; i < len(v.entries); i++ {
		if v.entries[i-1].Seq <= v.entries[i].Seq {
			t.Fatalf("not newest first at row %d", i)
		}
	}
	if !slices.Contains(v.users, "viewer") || !slices.Contains(v.users, adminName) {
		t.Errorf("user filter offers %v", v.users)
	}
	// The table shows the columns in words.
	cell := widget.NewLabel("")
	v.updateCell(widget.TableCellID{Row: 0, Col: 3}, cell)
	if cell.Text != "Administrator" {
		t.Errorf("role cell %q", cell.Text)
	}

	reloadedWith := func(what string, ok func(e app.AuditEntry) bool) {
		t.Helper()
		gen := v.loadGen
		q.until(t, what, func() bool { return v.loadGen > gen && !v.loading })
		if len(v.entries) == 0 {
			t.Fatalf("%s: no entries", what)
		}
		for _, e := range v.entries {
			if !ok(e) {
				t.Fatalf("%s: entry %+v", what, e)
			}
		}
	}
	v.user.SetText("viewer")
	reloadedWith("the viewer's entries", func(e app.AuditEntry) bool { return e.User == "viewer" })
	v.action.SetText("signin")
	reloadedWith("the viewer's sign-ins", func(e app.AuditEntry) bool {
		return e.User == "viewer" && (e.Action == "signin" || strings.HasPrefix(e.Action, "signin."))
	})
	v.user.SetText("")
	v.action.SetText("ingest")
	reloadedWith("the imports", func(e app.AuditEntry) bool { return e.Action == "ingest" })
	if len(v.entries) != len(seedClips) {
		t.Errorf("%d ingest entries, want %d", len(v.entries), len(seedClips))
	}

	// The check of the whole trail.
	test.Tap(v.verifyBtn)
	q.until(t, "the check", func() bool { return !v.verifyBtn.Disabled() })
	if !strings.HasPrefix(v.verifyMsg.Text, "The audit trail is intact: ") || v.verifyMsg.Importance != widget.SuccessImportance {
		t.Errorf("verify says %q", v.verifyMsg.Text)
	}

	// One recording's trail.
	recs, err := lib.List(context.Background(), app.Filter{}, app.SortRecordedAt, false)
	if err != nil {
		t.Fatal(err)
	}
	one := newAuditView(lib, recs[0].ID, q.do, nil)
	one.show(w, nil)
	t.Cleanup(one.close)
	q.until(t, "the recording's entries", func() bool { return !one.loading })
	if len(one.entries) == 0 || one.title() != "Audit trail of recording "+recs[0].ID {
		t.Fatalf("%d entries, title %q", len(one.entries), one.title())
	}
	for _, e := range one.entries {
		if e.RecordingID != recs[0].ID {
			t.Errorf("entry about %q in the trail of %s", e.RecordingID, recs[0].ID)
		}
	}
}

func TestAuditVerdictInWords(t *testing.T) {
	bad := &app.AuditReport{Entries: 9, Problem: &store.AuditProblem{Seq: 4, Reason: "the entry does not match the signed tree"}}
	msg, ok := auditVerdict(bad, nil)
	if ok || msg != "The audit trail FAILED its check at entry 4: the entry does not match the signed tree. "+
		"It may have been altered; tell your administrator." {
		t.Errorf("%v %q", ok, msg)
	}
	msg, ok = auditVerdict(&app.AuditReport{Entries: 1, Checkpoints: 2}, nil)
	if !ok || msg != "The audit trail is intact: 1 entry and 2 signed checkpoints check out." {
		t.Errorf("%v %q", ok, msg)
	}
}

func TestUsersDialog(t *testing.T) {
	lib, _ := newStore(t)
	test.NewTempApp(t)
	q := newUIQueue()
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1440, 900))
	v := newUsersView(lib, w, q.do, nil, nil)
	v.show()
	t.Cleanup(func() { v.cancel(); w.Close() })
	q.until(t, "the users", func() bool { return !v.loading && len(v.users) == 1 && !v.idleSel.Disabled() })
	if v.idleSel.Selected != "10 minutes" {
		t.Errorf("idle lock shows %q", v.idleSel.Selected)
	}

	test.Tap(v.addBtn)
	f := v.form
	test.Type(f.name, "court1")
	f.role.SetSelected(app.RoleViewer.Title())
	test.Type(f.pass, "court password")
	test.Type(f.confirm, "court password")
	test.Tap(f.submit)
	q.until(t, "the new user", func() bool { return len(v.users) == 2 && !v.loading })
	u := v.users[slices.IndexFunc(v.users, func(u *app.User) bool { return u.Name == "court1" })]
	if u.Role != string(app.RoleViewer) || !strings.Contains(v.msg.Text, "court1 can now sign in as Viewer") {
		t.Errorf("role %q, message %q", u.Role, v.msg.Text)
	}

	// Adding the same name again keeps the form open with the reason.
	test.Tap(v.addBtn)
	f = v.form
	test.Type(f.name, "court1")
	test.Type(f.pass, "court password")
	test.Type(f.confirm, "court password")
	test.Tap(f.submit)
	q.until(t, "the refusal", func() bool { return !f.submit.Disabled() && f.msg.Visible() })
	if f.msg.Text != "A user with that name already exists." {
		t.Errorf("duplicate: %q", f.msg.Text)
	}
	f.dlg.Hide()

	// Disable it: it can no longer sign in.
	v.selectRow(slices.Index(v.users, u))
	test.Tap(v.disableBtn)
	q.until(t, "the disabled user", func() bool {
		i := slices.IndexFunc(v.users, func(u *app.User) bool { return u.Name == "court1" })
		return !v.loading && i >= 0 && v.users[i].Disabled
	})
	if v.disableBtn.Text != "Enable" {
		t.Errorf("button says %q for a disabled user", v.disableBtn.Text)
	}
	if _, err := lib.SignIn(context.Background(), "court1", []byte("court password"), "test"); err == nil {
		t.Error("a disabled user signed in")
	}
	signIn(t, lib, adminName)

	// The idle lock setting.
	v.idleSel.SetSelected("30 minutes")
	q.until(t, "the setting", func() bool { return v.msg.Text == "Idle sessions will lock after 30 minutes (from the next sign-in)." })
	if d := lib.IdleLock(context.Background()); d != 30*time.Minute {
		t.Errorf("idle lock %v", d)
	}
}
