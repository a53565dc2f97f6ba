package cli

import (
	"strings"
	"testing"

	"exhibit/app"
)

// TestUserUnlockAndRole: `user unlock` ends a lockout (audited as
// user.unlock, not enable), `user role` changes a role by keyword or by the
// name people see, and the user list shows the one name of each role.
func TestUserUnlockAndRole(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	sgt := "sergeant"
	// Lock the reviewer out: wrong passwords.
	e.env = map[string]string{"EXHIBIT_USER": sgt, "EXHIBIT_PASSWORD": "wrong password"}
	for range app.DefaultSignInPolicy.LockAfter {
		if r := e.runAs("", "", "list"); r.code == 0 {
			t.Fatalf("signed in with a wrong password: %v", r)
		}
	}
	e.env = nil
	if r := e.runAs(sgt, "", "list"); r.code == 0 || !strings.Contains(r.err, "locked") {
		t.Fatalf("not locked out: %v", r)
	}
	if r := e.runAs(sgt, "", "user", "unlock", sgt); r.code != 3 {
		t.Errorf("a reviewer unlocked: %v", r)
	}
	if out := e.mustRun("user", "unlock", sgt); out != "sergeant unlocked\n" {
		t.Errorf("unlock: %q", out)
	}
	e.must(sgt, "list")
	audit := e.mustRun("audit", "--action", "user.unlock")
	if !strings.Contains(audit, "user.unlock") || !strings.Contains(audit, sgt) {
		t.Errorf("no user.unlock entry:\n%s", audit)
	}

	// The list says "Reviewer", the name the GUI uses.
	if out := e.mustRun("user", "list"); !strings.Contains(out, "Reviewer") || strings.Contains(out, "sergeant  sergeant") {
		t.Errorf("user list: %s", out)
	}
	// Change of role: the new name, or the old keyword.
	if out := e.mustRun("user", "role", sgt, "viewer"); out != "sergeant is Viewer\n" {
		t.Errorf("role: %q", out)
	}
	if out := e.mustRun("user", "role", sgt, "Reviewer"); out != "sergeant is Reviewer\n" {
		t.Errorf("role by title: %q", out)
	}
	if out := e.mustRun("user", "role", sgt, "sergeant"); out != "sergeant is Reviewer\n" {
		t.Errorf("role by keyword: %q", out)
	}
	if r := e.run("user", "role", sgt, "constable"); r.code != 2 || !strings.Contains(r.err, "reviewer (sergeant)") {
		t.Errorf("unknown role: %v", r)
	}
	if r := e.run("user", "role", app.TestAdmin, "viewer"); r.code != 3 || !strings.Contains(r.err, "own role") {
		t.Errorf("own role: %v", r)
	}
	if audit := e.mustRun("audit", "--action", "user.role"); !strings.Contains(audit, "sergeant from sergeant to viewer") {
		t.Errorf("no user.role entry:\n%s", audit)
	}
	// The roles and what each may do.
	roles := e.mustRun("user", "roles")
	for _, r := range app.Roles {
		if !strings.Contains(roles, r.Title()) || !strings.Contains(roles, r.Description()) {
			t.Errorf("user roles lacks %s:\n%s", r.Title(), roles)
		}
	}
}

// TestListDayMonthYear: --from and --to take 26/11/2026 as UK users write
// it; an unreadable date is refused with how to write one.
func TestListDayMonthYear(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	if r := e.run("list", "--from", "26/11/2026", "--to", "27/11/2026"); r.code != 0 {
		t.Errorf("day/month/year: %v", r)
	}
	if r := e.run("list", "--from", "11/26/2026"); r.code != 2 || !strings.Contains(r.err, "day/month/year") {
		t.Errorf("month/day/year: %v", r)
	}
}
