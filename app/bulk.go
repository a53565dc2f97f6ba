package app

import (
	"context"
	"errors"
)

// Bulk actions: one action on several recordings, as the library's
// multi-selection asks. Each recording goes through the same use case as
// one at a time (Hold, Decide): its own access check, its own transaction
// and its own audit entry, with the one reason given for all of them.

// BulkResult is what became of one recording of a bulk action.
type BulkResult struct {
	ID  string
	Err error // nil: done
}

// BulkFailed counts the results that failed.
func BulkFailed(rs []BulkResult) int {
	n := 0
	for _, r := range rs {
		if r.Err != nil {
			n++
		}
	}
	return n
}

// stopsBulk reports an error that every other recording of the batch would
// meet too (no permission, no reason, a cancelled context), so the batch
// ends there rather than record the same refusal many times.
func stopsBulk(ctx context.Context, err error) bool {
	var pe *PermissionError
	return errors.As(err, &pe) || errors.Is(err, ErrReasonRequired) || errors.Is(err, ErrNotSignedIn) || ctx.Err() != nil
}

// HoldEach places a legal hold with reason on each recording of ids, in
// order, each audited as hold. A recording already held is reported as
// failed (store.ErrHeld) and the others go on.
func (l *Library) HoldEach(ctx context.Context, ids []string, reason string) []BulkResult {
	var out []BulkResult
	for _, id := range ids {
		_, err := l.Hold(ctx, id, reason)
		out = append(out, BulkResult{ID: id, Err: err})
		if err != nil && stopsBulk(ctx, err) {
			break
		}
	}
	return out
}

// DecideEach records decision with reason on each recording of ids, in
// order, each audited as decide.
func (l *Library) DecideEach(ctx context.Context, ids []string, decision, reason string) []BulkResult {
	var out []BulkResult
	for _, id := range ids {
		_, err := l.Decide(ctx, id, decision, reason)
		out = append(out, BulkResult{ID: id, Err: err})
		if err != nil && stopsBulk(ctx, err) {
			break
		}
	}
	return out
}
