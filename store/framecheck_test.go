package store

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

// TestFrameCheckStates: new recordings default to checked; a pending one
// is queued, listed as unchecked, finished once (a second finish, e.g. by
// another process, gives ErrFrameCheckDone) and its table replaced; a
// failed one leaves the queue but stays listed as unchecked.
func TestFrameCheckStates(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	add := func(state string) string {
		p, err := s.WriteMaster(ctx, bytes.NewReader(randomBytes(t, 5000)), nil)
		if err != nil {
			t.Fatal(err)
		}
		rec := &Recording{RecordedAt: time.Now(), IngestedAt: time.Now(), Frames: 3, FrameCheck: state}
		if err := s.Commit(ctx, p, rec, []byte("packets"), nil, nil); err != nil {
			t.Fatal(err)
		}
		return rec.ID
	}
	old, pend, bad := add(""), add(FramesPending), add(FramesPending)
	if r, err := s.Get(ctx, old); err != nil || r.FrameCheck != FramesChecked {
		t.Fatalf("default state: %v %q", err, r.FrameCheck)
	}
	q, err := s.PendingFrameChecks(ctx)
	if err != nil || len(q) != 2 || q[0] != pend || q[1] != bad {
		t.Fatalf("queue %v %v, want [%s %s]", err, q, pend, bad)
	}
	if _, err := s.FinishFrameCheck(ctx, old, FramesChecked, []byte("x"), 3, nil, nil); !errors.Is(err, ErrFrameCheckDone) {
		t.Fatalf("finishing a checked recording: %v", err)
	}
	e := &AuditEntry{User: "u", Role: "admin", Action: "frames.corrected", Detail: "frame table corrected"}
	if _, err := s.FinishFrameCheck(ctx, pend, FramesCorrected, []byte("decoded"), 2, func(n int) int { return n }, e); err != nil {
		t.Fatal(err)
	}
	if e.RecordingID != pend || e.SHA256 == "" {
		t.Fatalf("audit entry not filled in: %+v", e)
	}
	if _, err := s.FinishFrameCheck(ctx, pend, FramesChecked, []byte("again"), 2, nil, nil); !errors.Is(err, ErrFrameCheckDone) {
		t.Fatalf("second finish: %v", err)
	}
	if r, _ := s.Get(ctx, pend); r.FrameCheck != FramesCorrected || r.Frames != 2 {
		t.Fatalf("after correction: %q %d frames", r.FrameCheck, r.Frames)
	}
	if b, _ := s.FrameTable(ctx, pend); string(b) != "decoded" {
		t.Fatalf("table %q", b)
	}
	if err := s.FailFrameCheck(ctx, bad, nil); err != nil {
		t.Fatal(err)
	}
	if q, _ := s.PendingFrameChecks(ctx); len(q) != 0 {
		t.Fatalf("queue after both: %v", q)
	}
	un, err := s.UncheckedFrames(ctx)
	if err != nil || len(un) != 1 || un[bad] != FramesFailed {
		t.Fatalf("unchecked %v %v", err, un)
	}
	if _, err := s.FinishFrameCheck(ctx, bad, FramesFailed, nil, 0, nil, nil); err == nil {
		t.Fatal("FinishFrameCheck accepted the failed state")
	}
}
