package app

import (
	"context"
	"fmt"
	"time"
)

// RetentionAfterRelease returns what retention would do with a recording
// if its legal hold were released now: kept by its decision, deleted at a
// time (possibly already passed: the next sweep deletes it), or a clock
// problem. It changes nothing.
func (l *Library) RetentionAfterRelease(ctx context.Context, id string) (RetentionItem, error) {
	full, err := l.resolve(ctx, id, "retention.show")
	if err != nil {
		return RetentionItem{}, err
	}
	states, pol, err := l.st.RetentionStates(ctx)
	if err != nil {
		return RetentionItem{}, fmt.Errorf("retention of recording %s: %w", full, err)
	}
	for _, st := range states {
		if st.ID == full {
			released := *st
			released.Held = false
			return evaluate(pol, &released, time.Now()), nil
		}
	}
	return RetentionItem{}, fmt.Errorf("%s: %w", id, ErrNotPermitted)
}

// AfterReleaseWords says in a sentence what retention does with footage
// once its hold is released, given RetentionAfterRelease's item: "Once
// released, it will be deleted in 12 days, on Mon 14 Dec 2026 at 15:17
// GMT.", "…it is already past its retention period and will be deleted
// at the next retention sweep (within the hour).", or that it stays kept
// by its decision.
func AfterReleaseWords(it RetentionItem, now time.Time) string {
	switch {
	case it.Outcome == RetentionDelete && !it.DeleteAt.After(now):
		return "Once released, this recording is already past its retention period (" + it.Rule +
			") and will be deleted at the next retention sweep (within the hour, or at the next sign-in)."
	case it.Outcome == RetentionDelete:
		return "Once released, this recording will be deleted " + DeletionLabel(it.Outcome, it.DeleteAt, now) +
			", on " + it.DeleteAt.Local().Format("Mon 2 Jan 2006 at 15:04 MST") + " (" + it.Rule + "), unless a decision keeps it."
	case it.Outcome.ClockProblem():
		return "Once released, retention will not act on this recording until its clock problem is sorted out (" + it.Rule + ")."
	}
	return "Once released, this recording is still kept (" + it.Outcome.Label() + ")."
}
