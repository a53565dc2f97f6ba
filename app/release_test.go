package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// Releasing a hold needs a reason, and says beforehand when the footage
// would then be deleted.
func TestReleaseNeedsReasonAndSaysWhen(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	young := addRecording(t, lib, "PC 1 Able", "X1", time.Now().Add(-2*24*time.Hour), time.Minute)
	old := addRecording(t, lib, "PC 2 Baker", "X2", time.Now().Add(-40*24*time.Hour), time.Minute)
	signInAs(t, lib, "sgt1", RoleSergeant)
	for _, id := range []string{young.ID, old.ID} {
		if _, err := lib.Hold(ctx, id, "civil claim"); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	it, err := lib.RetentionAfterRelease(ctx, young.ID)
	if err != nil || it.Outcome != RetentionDelete {
		t.Fatalf("after release of the young one: %+v, %v", it, err)
	}
	if n, _ := DaysLeft(it.DeleteAt, now); n != 29 {
		t.Errorf("deleted in %d days after release, want 29", n)
	}
	if w := AfterReleaseWords(it, now); !strings.HasPrefix(w, "Once released, this recording will be deleted in 29 days, on ") {
		t.Errorf("words %q", w)
	}
	it, err = lib.RetentionAfterRelease(ctx, old.ID)
	if err != nil || it.Outcome != RetentionDelete || it.DeleteAt.After(now) {
		t.Fatalf("after release of the old one: %+v, %v", it, err)
	}
	if w := AfterReleaseWords(it, now); !strings.Contains(w, "already past its retention period") {
		t.Errorf("words %q", w)
	}
	// Asking changes nothing.
	if r, _ := lib.Get(ctx, old.ID); DisplayStatus(r) != StatusHeld {
		t.Fatalf("status %q after asking", DisplayStatus(r))
	}
	if _, err := lib.Release(ctx, old.ID, "  "); !errors.Is(err, ErrReasonRequired) {
		t.Fatalf("release without a reason: %v", err)
	}
	if r, _ := lib.Get(ctx, old.ID); DisplayStatus(r) != StatusHeld {
		t.Fatal("a release without a reason released the hold")
	}
	// A recording kept by its decision stays kept.
	if _, err := lib.Decide(ctx, young.ID, "evidence", "charge"); err != nil {
		t.Fatal(err)
	}
	if it, err := lib.RetentionAfterRelease(ctx, young.ID); err != nil || it.Outcome != RetentionKeptEvidence ||
		AfterReleaseWords(it, now) != "Once released, this recording is still kept (kept: evidence)." {
		t.Errorf("kept by evidence: %+v, %v", it, err)
	}
	if _, err := lib.Release(ctx, young.ID, "claim settled"); err != nil {
		t.Fatal(err)
	}
}

// A refused action on a recording names the recording in its audit entry.
func TestDeniedEntryNamesRecording(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	rec := addRecording(t, lib, "PC 1 Able", "X1", time.Now().Add(-2*24*time.Hour), time.Minute)
	signInAs(t, lib, "viewer1", RoleViewer)
	if _, err := lib.AddMark(ctx, rec.ID[:6], MarkInput{FrameIn: 1, FrameOut: -1, Category: "arrest"}); err == nil {
		t.Fatal("a viewer marked")
	}
	if _, err := lib.Release(ctx, rec.ID, "why not"); err == nil {
		t.Fatal("a viewer released")
	}
	signInAs(t, lib, "admin1", RoleAdmin)
	for _, action := range []string{"annotate.add", "hold.release"} {
		es, err := lib.AuditEntries(ctx, AuditFilter{User: "viewer1", Action: action})
		if err != nil || len(es) != 1 || es[0].Outcome != "denied" || es[0].RecordingID != rec.ID {
			t.Errorf("%s: denied entries %+v, %v; want one naming %s", action, es, err, rec.ID)
		}
	}
}
