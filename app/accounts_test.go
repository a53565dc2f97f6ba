package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"exhibit/store"
)

// TestParseRoleNames: the command line's keywords and the names people see
// both read as the same role; Title is the one name shown everywhere.
func TestParseRoleNames(t *testing.T) {
	for in, want := range map[string]Role{
		"sergeant": RoleSergeant, "Reviewer": RoleSergeant, "REVIEWER": RoleSergeant,
		"psd": RolePSD, "professional-standards": RolePSD, "Professional standards": RolePSD,
		"admin": RoleAdmin, "administrator": RoleAdmin, "viewer": RoleViewer,
	} {
		if got, err := ParseRole(in); err != nil || got != want {
			t.Errorf("ParseRole(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := ParseRole("constable")
	if err == nil || !strings.Contains(err.Error(), "reviewer (sergeant)") {
		t.Errorf("ParseRole(constable): %v", err)
	}
	for _, r := range Roles {
		if r.Description() == "" {
			t.Errorf("role %s has no description", r)
		}
	}
}

// TestUnlockAndRole: an administrator unlocks a locked-out account (audited
// as user.unlock, not as enable) and changes a role (audited as user.role
// with both roles); not their own role; others may do neither.
func TestUnlockAndRole(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	signInAs(t, lib, "sgt", RoleSergeant)
	if err := lib.UnlockUser(ctx, "sgt"); !errors.As(err, new(*PermissionError)) {
		t.Errorf("a reviewer unlocked: %v", err)
	}
	if err := lib.SetUserRole(ctx, "sgt", RoleAdmin); !errors.As(err, new(*PermissionError)) {
		t.Errorf("a reviewer changed a role: %v", err)
	}
	lib.SignOut(ctx, "test")
	for range lib.policy.LockAfter {
		if _, err := lib.SignIn(ctx, "sgt", []byte("wrong password"), "test"); err == nil {
			t.Fatal("signed in with a wrong password")
		}
	}
	if _, err := lib.SignIn(ctx, "sgt", []byte("sgt password"), "test"); !errors.As(err, new(*LockedError)) {
		t.Fatalf("not locked after %d failures: %v", lib.policy.LockAfter, err)
	}
	signInAs(t, lib, "admin", RoleAdmin)
	if err := lib.UnlockUser(ctx, "sgt"); err != nil {
		t.Fatal(err)
	}
	u, err := lib.st.GetUser(ctx, "sgt")
	if err != nil || u.Failures != 0 || u.LockedUntil.After(time.Now()) || u.Disabled {
		t.Errorf("after unlock: %+v, %v", u, err)
	}
	if err := lib.SetUserRole(ctx, "sgt", "professional-standards"); err != nil {
		t.Fatal(err)
	}
	if u, _ := lib.st.GetUser(ctx, "sgt"); u.Role != string(RolePSD) {
		t.Errorf("role %q after the change", u.Role)
	}
	if err := lib.SetUserRole(ctx, "admin", RoleViewer); !errors.Is(err, ErrOwnRole) {
		t.Errorf("own role: %v", err)
	}
	entries, err := lib.AuditEntries(ctx, AuditFilter{User: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action+" "+e.Outcome+" "+e.Detail)
	}
	all := strings.Join(actions, "\n")
	for _, want := range []string{"user.unlock ok sgt", "user.role ok sgt from sergeant to psd", "user.role denied"} {
		if !strings.Contains(all, want) {
			t.Errorf("no audit entry %q in:\n%s", want, all)
		}
	}
	if strings.Contains(all, "user.enable") {
		t.Errorf("unlock audited as enable:\n%s", all)
	}
	if _, err := lib.SignIn(ctx, "sgt", []byte("sgt password"), "test"); err != nil {
		t.Errorf("sign-in after unlock: %v", err)
	}
}

// TestListDueSoonAndDeletionOrder: the "due" filter keeps the recordings
// retention deletes within 7 days, SortDeletion puts the soonest first and
// kept ones last (the UI tests count markers on real footage).
func TestListDueSoonAndDeletionOrder(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	day := 24 * time.Hour
	old := addRecording(t, lib, "PC Old", "B1", time.Now().Add(-29*day), time.Second)
	mid := addRecording(t, lib, "PC Mid", "B2", time.Now().Add(-26*day), time.Second)
	fresh := addRecording(t, lib, "PC Fresh", "B3", time.Now().Add(-day), time.Second)
	kept := addRecording(t, lib, "PC Kept", "B4", time.Now().Add(-30*day), time.Second)
	signInAs(t, lib, "sgt", RoleSergeant)
	if _, err := lib.Hold(ctx, kept.ID, "civil claim"); err != nil {
		t.Fatal(err)
	}
	due, err := lib.List(ctx, Filter{Status: StatusDueSoon}, SortDeletion, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 || due[0].ID != old.ID || due[1].ID != mid.ID {
		t.Errorf("due within 7 days: %v", recIDs(due))
	}
	all, err := lib.List(ctx, Filter{}, SortDeletion, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := recIDs(all); len(got) != 4 || got[0] != old.ID || got[1] != mid.ID || got[2] != fresh.ID || got[3] != kept.ID {
		t.Errorf("by deletion: %v", got)
	}
}

func recIDs(recs []*Recording) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.ID)
	}
	return out
}

// TestBulkHoldAndDecide: each recording of a bulk action gets its own hold
// or decision and its own audit entry; one already held fails alone; a
// refusal for the role stops the batch at the first recording.
func TestBulkHoldAndDecide(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	a := addRecording(t, lib, "PC A", "B1", time.Now().Add(-time.Hour), time.Second)
	b := addRecording(t, lib, "PC B", "B2", time.Now().Add(-2*time.Hour), time.Second)
	c := addRecording(t, lib, "PC C", "B3", time.Now().Add(-3*time.Hour), time.Second)
	signInAs(t, lib, "sgt", RoleSergeant)
	if _, err := lib.Hold(ctx, b.ID, "earlier"); err != nil {
		t.Fatal(err)
	}
	rs := lib.HoldEach(ctx, []string{a.ID, b.ID, c.ID}, "civil claim")
	if len(rs) != 3 || rs[0].Err != nil || !errors.Is(rs[1].Err, store.ErrHeld) || rs[2].Err != nil || BulkFailed(rs) != 1 {
		t.Fatalf("hold each: %+v", rs)
	}
	rs = lib.DecideEach(ctx, []string{a.ID, b.ID, c.ID}, DecisionEvidence, "affray outside the club")
	if BulkFailed(rs) != 0 {
		t.Fatalf("decide each: %+v", rs)
	}
	for _, id := range []string{a.ID, c.ID} {
		n := 0
		es, _ := lib.AuditEntries(ctx, AuditFilter{RecordingID: id})
		for _, e := range es {
			if e.Action == "hold" || e.Action == "decide" {
				n++
			}
		}
		if n != 2 {
			t.Errorf("recording %s: %d hold/decide entries, want 2", id, n)
		}
	}
	signInAs(t, lib, "view", RoleViewer)
	rs = lib.HoldEach(ctx, []string{a.ID, b.ID, c.ID}, "x")
	if len(rs) != 1 || !errors.As(rs[0].Err, new(*PermissionError)) {
		t.Errorf("a viewer's bulk hold: %+v", rs)
	}
}
