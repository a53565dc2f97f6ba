package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"exhibit/store"
)

// TestRolePermissions pins the role table of the access-control issue.
func TestRolePermissions(t *testing.T) {
	want := map[Role][]Permission{
		RoleAdmin:    {PermView, PermIngest, PermVerify, PermUsers, PermRetention, PermHold, PermAuditRestricted},
		RoleSergeant: {PermView, PermIngest, PermAnnotate, PermDecide, PermExport, PermHold, PermSAR},
		RolePSD:      {PermView, PermIngest, PermVerify, PermAnnotate, PermDecide, PermExport, PermHold, PermRestricted, PermAuditRestricted, PermSAR},
		RoleViewer:   {PermView, PermVerify},
	}
	for _, r := range Roles {
		for p := range permNames {
			allowed := false
			for _, q := range want[r] {
				allowed = allowed || q == p
			}
			if r.Can(p) != allowed {
				t.Errorf("%s may %s: %v, want %v", r, permNames[p], r.Can(p), allowed)
			}
		}
	}
}

func TestNothingWithoutSignIn(t *testing.T) {
	lib := newTestLibrary(t)
	rec := addRecording(t, lib, "PC Smith", "BWV-1", time.Now(), time.Second)
	ctx := context.Background()
	if err := lib.SignOut(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.List(ctx, Filter{}, SortRecordedAt, false); !errors.Is(err, ErrNotSignedIn) {
		t.Errorf("List: %v", err)
	}
	if _, err := lib.Get(ctx, rec.ID); !errors.Is(err, ErrNotSignedIn) {
		t.Errorf("Get: %v", err)
	}
	if _, err := lib.Thumbnail(ctx, rec.ID); !errors.Is(err, ErrNotSignedIn) {
		t.Errorf("Thumbnail: %v", err)
	}
	if _, err := lib.Ingest(ctx, []string{t.TempDir()}, IngestOptions{}); !errors.Is(err, ErrNotSignedIn) {
		t.Errorf("Ingest: %v", err)
	}
	if _, err := lib.OpenReview(ctx, rec.ID); !errors.Is(err, ErrNotSignedIn) {
		t.Errorf("OpenReview: %v", err)
	}
}

// TestRestrictedInvisible checks every way a sergeant could learn of a
// restricted recording through the library: list, search, counts,
// thumbnails, frame tables, prefixes, review and audit.
func TestRestrictedInvisible(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	secret := addRecording(t, lib, "PC Secret", "BWV-9", time.Now(), time.Second)
	open := addRecording(t, lib, "PC Open", "BWV-8", time.Now().Add(-time.Hour), time.Second)
	if err := lib.st.Audit(ctx, &store.AuditEntry{User: "admin", Role: "admin", Action: "view.start", RecordingID: secret.ID}); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "pro", RolePSD)
	if _, err := lib.Restrict(ctx, secret.ID, true); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "sgt", RoleSergeant)
	if _, err := lib.Restrict(ctx, open.ID, true); !errors.As(err, new(*PermissionError)) {
		t.Fatalf("a sergeant restricted: %v", err)
	}
	for _, f := range []Filter{{}, {Text: "secret"}, {Officer: "PC"}, {Text: secret.ID[:4]}} {
		recs, err := lib.List(ctx, f, SortRecordedAt, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.ID == secret.ID {
				t.Errorf("filter %+v lists the restricted recording", f)
			}
		}
	}
	if n, err := lib.Count(ctx); err != nil || n != 1 {
		t.Errorf("count %d %v, want 1", n, err)
	}
	for _, q := range []string{secret.ID, secret.ID[:3]} {
		if _, err := lib.Get(ctx, q); !errors.Is(err, ErrNotPermitted) {
			t.Errorf("Get %s: %v", q, err)
		}
		if _, err := lib.Thumbnail(ctx, q); !errors.Is(err, ErrNotPermitted) {
			t.Errorf("Thumbnail %s: %v", q, err)
		}
		if _, err := lib.FrameTable(ctx, q); !errors.Is(err, ErrNotPermitted) {
			t.Errorf("FrameTable %s: %v", q, err)
		}
		if _, err := lib.OpenReview(ctx, q); !errors.Is(err, ErrNotPermitted) {
			t.Errorf("OpenReview %s: %v", q, err)
		}
		if _, err := lib.RenderStill(ctx, StillRequest{ID: q, Frame: 0, Time: -1}); !errors.Is(err, ErrNotPermitted) {
			t.Errorf("RenderStill %s: %v", q, err)
		}
	}
	es, err := lib.AuditEntries(ctx, AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.RecordingID == secret.ID {
			t.Errorf("a sergeant reads audit entry %+v", e)
		}
	}
	// Professional standards sees the refusals.
	signInAs(t, lib, "pro", RolePSD)
	es, err = lib.AuditEntries(ctx, AuditFilter{RecordingID: secret.ID, User: "sgt"})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) < 8 {
		t.Errorf("%d refusals audited, want at least 8: %+v", len(es), es)
	}
	for _, e := range es {
		if e.Outcome != store.OutcomeDenied {
			t.Errorf("sergeant entry about the restricted recording not a refusal: %+v", e)
		}
	}
}
