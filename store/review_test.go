package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAnnotationRevisions(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	rec := ingestBytes(t, s, randomBytes(t, 3000), "PC 1 Able")
	a := &Annotation{RecordingID: rec.ID, FrameIn: 10, FrameOut: 10, Category: "arrest", Note: "suspect detained", Author: "sgt"}
	if err := s.AddAnnotation(ctx, a, &AuditEntry{User: "sgt", Action: "annotate.add"}); err != nil {
		t.Fatal(err)
	}
	b := &Annotation{ID: a.ID, FrameIn: 5, FrameOut: 20, Category: "use of force", Note: "restraint", Author: "sgt2"}
	if err := s.ReviseAnnotation(ctx, b, false, &AuditEntry{User: "sgt2", Action: "annotate.edit"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Annotations(ctx, rec.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Revision != 2 || got[0].Note != "restraint" || got[0].CreatedBy != "sgt" || got[0].Author != "sgt2" {
		t.Fatalf("annotations = %+v", got[0])
	}
	if err := s.ReviseAnnotation(ctx, &Annotation{ID: a.ID, Author: "sgt"}, true, &AuditEntry{User: "sgt", Action: "annotate.delete"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Annotations(ctx, rec.ID, false); len(got) != 0 {
		t.Fatalf("deleted annotation still listed: %+v", got)
	}
	if err := s.ReviseAnnotation(ctx, &Annotation{ID: a.ID, Author: "sgt"}, true, &AuditEntry{User: "sgt"}); !errors.Is(err, ErrAnnotationDeleted) {
		t.Fatalf("second delete: %v", err)
	}
	h, err := s.AnnotationHistory(ctx, a.ID)
	if err != nil || len(h) != 3 || h[0].Note != "suspect detained" || !h[2].Deleted {
		t.Fatalf("history: %v %+v", err, h)
	}
	// A sealed note moved to another revision does not open.
	if _, err := s.db.Exec("UPDATE annotations SET note = (SELECT note FROM annotations WHERE revision = 1) WHERE revision = 2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AnnotationHistory(ctx, a.ID); err == nil {
		t.Fatal("a note moved to another row opened")
	}
}

func TestDecisionsAndHolds(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	rec := ingestBytes(t, s, randomBytes(t, 3000), "PC 2 Baker")
	if err := s.Decide(ctx, &Decision{RecordingID: rec.ID, Decision: DecisionNFA, Reason: "nothing", Reviewer: "sgt"}, &AuditEntry{User: "sgt"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Decide(ctx, &Decision{RecordingID: rec.ID, Decision: DecisionReferPSD, Reason: "complaint", Reviewer: "sgt"}, &AuditEntry{User: "sgt"}); err != nil {
		t.Fatal(err)
	}
	r, _ := s.Get(ctx, rec.ID)
	if r.Status != "referred" || !r.Restricted {
		t.Fatalf("after refer-psd: status %s restricted %v", r.Status, r.Restricted)
	}
	ds, err := s.Decisions(ctx, rec.ID)
	if err != nil || len(ds) != 2 || ds[1].Reason != "complaint" || ds[0].Seq != 1 {
		t.Fatalf("decisions: %v %+v", err, ds)
	}
	if err := s.PlaceHold(ctx, &Hold{RecordingID: rec.ID, Reason: "civil claim", PlacedBy: "adm"}, &AuditEntry{User: "adm"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PlaceHold(ctx, &Hold{RecordingID: rec.ID, Reason: "again", PlacedBy: "adm"}, &AuditEntry{User: "adm"}); !errors.Is(err, ErrHeld) {
		t.Fatalf("second hold: %v", err)
	}
	list, _ := s.List(ctx, ListOptions{IncludeRestricted: true})
	if len(list) != 1 || !list[0].Held {
		t.Fatal("list does not show the hold")
	}
	if err := s.ReleaseHold(ctx, rec.ID, "adm", "settled", &AuditEntry{User: "adm"}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseHold(ctx, rec.ID, "adm", "settled", &AuditEntry{User: "adm"}); !errors.Is(err, ErrNotHeld) {
		t.Fatalf("second release: %v", err)
	}
	hs, err := s.Holds(ctx, rec.ID)
	if err != nil || len(hs) != 1 || hs[0].ReleaseReason != "settled" || hs[0].ReleasedAt.IsZero() {
		t.Fatalf("holds: %v %+v", err, hs)
	}
	list, _ = s.List(ctx, ListOptions{IncludeRestricted: true})
	if list[0].Held {
		t.Fatal("list still shows the hold")
	}
}

func TestRetentionPolicyEvaluate(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := RetentionPolicy{Default: DefaultRetention, Categories: map[string]time.Duration{"use of force": 90 * 24 * time.Hour}}
	for _, c := range []struct {
		st   RetentionState
		want time.Time
	}{
		{RetentionState{Status: "unreviewed"}, at.Add(DefaultRetention)},
		{RetentionState{Status: "nfa", Categories: []string{"arrest"}}, at.Add(DefaultRetention)},
		{RetentionState{Status: "nfa", Categories: []string{"arrest", "use of force"}}, at.Add(90 * 24 * time.Hour)},
		{RetentionState{Status: StatusReferred}, time.Time{}}, // kept until PSD decide otherwise
		{RetentionState{Status: StatusReferred, Categories: []string{"use of force"}}, time.Time{}},
		{RetentionState{Status: "evidence"}, time.Time{}},
		{RetentionState{Status: "policing"}, time.Time{}},
		{RetentionState{Status: "nfa", Held: true}, time.Time{}},
	} {
		c.st.RecordedAt = at
		if got, rule := p.Evaluate(&c.st); !got.Equal(c.want) {
			t.Errorf("%+v: %v (%s), want %v", c.st, got, rule, c.want)
		}
	}
}

// TestDeleteShredsDataKey deletes a recording and shows that a copy of its
// vault file taken before is useless: the data key is gone from the
// database, from its free pages and from the WAL.
func TestDeleteShredsDataKey(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	data := randomBytes(t, 200000)
	rec := ingestBytes(t, s, data, "PC 3 Charlie")
	keep := ingestBytes(t, s, randomBytes(t, 5000), "PC 4 Delta")
	if err := s.Decide(ctx, &Decision{RecordingID: rec.ID, Decision: DecisionReferPSD, Reason: "r", Reviewer: "sgt"}, &AuditEntry{User: "sgt"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, &AuditEntry{User: "sgt", Action: "view.start", RecordingID: rec.ID}); err != nil {
		t.Fatal(err)
	}
	var sealedKey []byte
	if err := s.db.QueryRow("SELECT data_key FROM recordings WHERE id = ?", rec.ID).Scan(&sealedKey); err != nil {
		t.Fatal(err)
	}
	path, err := s.VaultPath(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	vaultCopy, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// A hold stops the deletion inside its transaction.
	if err := s.PlaceHold(ctx, &Hold{RecordingID: rec.ID, Reason: "claim", PlacedBy: "adm"}, &AuditEntry{User: "adm"}); err != nil {
		t.Fatal(err)
	}
	check := func(p RetentionPolicy, st *RetentionState) (string, error) {
		if why := st.Keeps(); why != KeepNone {
			return "", fmt.Errorf("%w: %s", ErrNotDue, why)
		}
		_, rule := p.Evaluate(st)
		return rule, nil
	}
	if _, err := s.DeleteRecording(ctx, rec.ID, "retention", check, &AuditEntry{User: "retention", Action: "retention.delete"}); err == nil {
		t.Fatal("a held recording was deleted")
	}
	if err := s.ReleaseHold(ctx, rec.ID, "adm", "", &AuditEntry{User: "adm"}); err != nil {
		t.Fatal(err)
	}
	// Without the hold, the referral to professional standards still keeps
	// it, re-read inside the deleting transaction.
	if _, err := s.DeleteRecording(ctx, rec.ID, "retention", check, &AuditEntry{User: "retention", Action: "retention.delete"}); !errors.Is(err, ErrNotDue) ||
		!strings.Contains(err.Error(), string(KeepReferred)) {
		t.Fatalf("a recording referred to PSD was deleted, or the wrong reason: %v", err)
	}
	// Professional standards record another decision: retention applies.
	if err := s.Decide(ctx, &Decision{RecordingID: rec.ID, Decision: DecisionNFA, Reason: "r2", Reviewer: "psd"}, &AuditEntry{User: "psd"}); err != nil {
		t.Fatal(err)
	}
	d, err := s.DeleteRecording(ctx, rec.ID, "retention", check, &AuditEntry{User: "retention", Action: "retention.delete"})
	if err != nil {
		t.Fatal(err)
	}
	if d.SHA256 != rec.SHA256 || !d.VaultRemoved || !d.Restricted || d.Status != DecisionNFA {
		t.Fatalf("deletion record %+v", d)
	}
	if err := s.ScrubFreedPages(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("vault file still there: %v", err)
	}
	if _, err := s.Get(ctx, rec.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get deleted: %v", err)
	}
	if _, err := s.Resolve(ctx, rec.ID, true); !errors.Is(err, ErrNotFound) {
		t.Fatalf("resolve deleted: %v", err)
	}
	// Put the old copy back: nothing can open it any more.
	if err := os.WriteFile(path, vaultCopy, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenMaster(ctx, rec.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("open master of deleted: %v", err)
	}
	// Nor can anyone with the database files and the master key: the
	// sealed key is nowhere on disk.
	for _, name := range []string{DBName, DBName + "-wal"} {
		b, err := os.ReadFile(filepath.Join(s.dir, name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if bytes.Contains(b, sealedKey) {
			t.Errorf("%s still holds the sealed data key", name)
		}
	}
	// Its audit stays hidden from those who may not read restricted ones,
	// and the deletion entry carries the hash.
	es, err := s.AuditEntries(ctx, AuditQuery{RecordingID: rec.ID})
	if err != nil || len(es) != 0 {
		t.Fatalf("restricted deleted recording's audit visible: %v %v", err, es)
	}
	es, _ = s.AuditEntries(ctx, AuditQuery{RecordingID: rec.ID, Action: "retention.delete", IncludeRestricted: true})
	if len(es) != 1 || es[0].SHA256 != rec.SHA256 {
		t.Fatalf("deletion audit: %+v", es)
	}
	if rep := verifyAudit(t, s); rep.Problem != nil {
		t.Fatal(rep.Problem)
	}
	// The other recording is untouched.
	m, err := s.OpenMaster(ctx, keep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, io.NewSectionReader(m, 0, m.Size())); err != nil {
		t.Fatal(err)
	}
	_ = m.Close()
	if ds, _ := s.Deletions(ctx, false); len(ds) != 0 {
		t.Fatal("restricted deletion listed to others")
	}
	if got, _ := s.DeletionOf(ctx, strings.ToLower(rec.ID)); got == nil || got.Rule == "" {
		t.Fatalf("deletion of: %+v", got)
	}
}
