package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"exhibit/app"
)

// TestUsersUnlockRoleAndAdminConfirm: a locked-out account is unlocked
// (audited as user.unlock), a role is changed with what it may do shown,
// and making an administrator, by adding or by a change of role, is asked
// about first.
func TestUsersUnlockRoleAndAdminConfirm(t *testing.T) {
	lib, dir := newStore(t)
	addUsers(t, lib, map[string]app.Role{"sgt": app.RoleSergeant})
	ctx := context.Background()
	lib.SignOut(ctx, "test")
	for range app.DefaultSignInPolicy.LockAfter {
		lib.SignIn(ctx, "sgt", []byte("wrong password"), "test")
	}
	signIn(t, lib, adminName)

	test.NewTempApp(t)
	q := newUIQueue()
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1366, 768))
	v := newUsersView(lib, w, q.do, nil, nil)
	v.show()
	t.Cleanup(func() { v.cancel(); w.Close() })
	q.until(t, "the users", func() bool { return !v.loading && len(v.users) == 2 })
	row := func(name string) int {
		return slices.IndexFunc(v.users, func(u *app.User) bool { return u.Name == name })
	}

	v.selectRow(row(adminName))
	if !v.unlockBtn.Disabled() {
		t.Error("Unlock offered for an account that is not locked")
	}
	v.selectRow(row("sgt"))
	if v.unlockBtn.Disabled() {
		t.Fatalf("Unlock not offered for a locked account (%s)", app.UserState(v.users[row("sgt")], v.now()))
	}
	test.Tap(v.unlockBtn)
	q.until(t, "the unlock", func() bool { return !v.loading && strings.Contains(v.msg.Text, "sgt is unlocked") })
	if got := app.UserState(v.users[row("sgt")], v.now()); got != "Active" {
		t.Errorf("after unlock: %q", got)
	}
	if !auditHas(t, dir, "x", app.AuditFilter{User: adminName, Action: "user.unlock"}, "sgt") {
		t.Error("no user.unlock entry")
	}
	if auditHas(t, dir, "x", app.AuditFilter{User: adminName, Action: "user.enable"}, "") {
		t.Error("the unlock was audited as an enable")
	}

	// Change of role: the form says what the role may do.
	v.selectRow(row("sgt"))
	test.Tap(v.roleBtn)
	f := v.roleForm
	if f.info.Text != app.RoleSergeant.Description() || !f.apply.Disabled() {
		t.Errorf("role form: %q, apply enabled %v", f.info.Text, !f.apply.Disabled())
	}
	f.role.SetSelected(app.RoleViewer.Title())
	if f.info.Text != app.RoleViewer.Description() {
		t.Errorf("viewer described as %q", f.info.Text)
	}
	test.Tap(f.apply)
	q.until(t, "the new role", func() bool { return !v.loading && v.users[row("sgt")].Role == string(app.RoleViewer) })
	if !auditHas(t, dir, "x", app.AuditFilter{User: adminName, Action: "user.role"}, "sgt from sergeant to viewer") {
		t.Error("no user.role entry")
	}

	// To administrator: asked first; Cancel changes nothing.
	test.Tap(v.roleBtn)
	f = v.roleForm
	f.role.SetSelected(app.RoleAdmin.Title())
	test.Tap(f.apply)
	if v.confirmDlg == nil {
		t.Fatal("no confirmation before making an administrator")
	}
	v.confirmDlg.Dismiss()
	q.run(100e6)
	if got := v.users[row("sgt")].Role; got != string(app.RoleViewer) {
		t.Errorf("cancelled, yet the role is %q", got)
	}
	f.dlg.Hide()

	// Adding an administrator is asked about too.
	test.Tap(v.addBtn)
	a := v.form
	test.Type(a.name, "boss")
	a.role.SetSelected(app.RoleAdmin.Title())
	if a.roleInfo.Text != app.RoleAdmin.Description() {
		t.Errorf("add form describes admin as %q", a.roleInfo.Text)
	}
	test.Type(a.pass, "boss password")
	test.Type(a.confirm, "boss password")
	test.Tap(a.submit)
	if v.confirmDlg == nil {
		t.Fatal("no confirmation before adding an administrator")
	}
	if row("boss") >= 0 || a.pass.Disabled() {
		t.Error("the administrator was added before the confirmation")
	}
	d := v.confirmDlg.(interface{ Confirm() })
	d.Confirm()
	q.until(t, "the new administrator", func() bool { return !v.loading && row("boss") >= 0 })
	if got := v.users[row("boss")].Role; got != string(app.RoleAdmin) {
		t.Errorf("boss is %q", got)
	}
}
