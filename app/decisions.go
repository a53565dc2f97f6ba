package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"exhibit/store"
)

// Statuses a recording can have: unreviewed until a decision is recorded,
// then that of the decision in force. StatusHeld is shown instead while a
// legal hold is in force (Recording.Held); it is not stored as a status.
const (
	StatusEvidence = "evidence"
	StatusPolicing = "policing"
	StatusNFA      = "nfa"
	StatusReferred = "referred"
	StatusHeld     = "held"
	// StatusDueSoon is not a status but a Filter.Status value: the
	// recordings retention deletes within RetentionWarning (DueSoon).
	StatusDueSoon = "due"
)

// Decisions a reviewer can record.
const (
	DecisionEvidence = store.DecisionEvidence // evidence: kept until the decision changes
	DecisionPolicing = store.DecisionPolicing // retained for a policing purpose: kept likewise
	DecisionNFA      = store.DecisionNFA      // no further action: normal retention
	DecisionReferPSD = store.DecisionReferPSD // refer to professional standards: restricts the recording
)

// DecisionValues lists the decisions in the order they are offered.
var DecisionValues = []string{DecisionEvidence, DecisionPolicing, DecisionNFA, DecisionReferPSD}

// Decision is one review decision.
type Decision = store.Decision

// Hold is a legal hold.
type Hold = store.Hold

// ParseDecision checks a decision name.
func ParseDecision(s string) (string, error) {
	for _, d := range DecisionValues {
		if strings.EqualFold(s, d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("unknown decision %q (one of %s)", s, strings.Join(DecisionValues, ", "))
}

// DisplayStatus is the status a library row shows: "held" while a legal
// hold is in force, else the stored status.
func DisplayStatus(r *Recording) string {
	if r.Held {
		return StatusHeld
	}
	return r.Status
}

// ErrReasonRequired reports a decision or hold without a reason.
var ErrReasonRequired = errors.New("a reason is required")

// Decide records a review decision with its reason (reviewers). refer-psd
// also restricts the recording to professional standards. It is committed,
// with its audit entry, before Decide returns.
func (l *Library) Decide(ctx context.Context, id, decision, reason string) (*Decision, error) {
	who, err := l.requireOn(ctx, PermDecide, "decide", id)
	if err != nil {
		return nil, err
	}
	if decision, err = ParseDecision(decision); err != nil {
		return nil, err
	}
	if reason, err = checkText("the reason", reason); err != nil {
		return nil, err
	}
	if reason == "" {
		return nil, ErrReasonRequired
	}
	full, err := l.resolve(ctx, id, "decide")
	if err != nil {
		return nil, err
	}
	d := &Decision{RecordingID: full, Decision: decision, Reason: reason, Reviewer: who.Name}
	e := l.entry("decide")
	if decision == DecisionReferPSD {
		e.Detail = " (restricted to professional standards)"
	}
	if err := l.st.Decide(ctx, d, e); err != nil {
		return nil, fmt.Errorf("record decision %s on recording %s: %w", decision, full, err)
	}
	return d, nil
}

// Decisions returns the decision history of a recording, oldest first; the
// last is in force.
func (l *Library) Decisions(ctx context.Context, id string) ([]*Decision, error) {
	full, err := l.resolve(ctx, id, "decide.list")
	if err != nil {
		return nil, err
	}
	ds, err := l.st.Decisions(ctx, full)
	if err != nil {
		return nil, fmt.Errorf("decisions of recording %s: %w", full, err)
	}
	return ds, nil
}

// Hold places a legal hold on a recording: retention will not delete it,
// whatever its decision, until the hold is released.
func (l *Library) Hold(ctx context.Context, id, reason string) (*Hold, error) {
	who, err := l.requireOn(ctx, PermHold, "hold", id)
	if err != nil {
		return nil, err
	}
	if reason, err = checkText("the reason", reason); err != nil {
		return nil, err
	}
	if reason == "" {
		return nil, ErrReasonRequired
	}
	full, err := l.resolve(ctx, id, "hold")
	if err != nil {
		return nil, err
	}
	h := &Hold{RecordingID: full, Reason: reason, PlacedBy: who.Name}
	if err := l.st.PlaceHold(ctx, h, l.entry("hold")); err != nil {
		return nil, fmt.Errorf("hold recording %s: %w", full, err)
	}
	return h, nil
}

// Release lifts a recording's legal hold; the reason is required
// (ErrReasonRequired). Retention applies again from then on: see
// RetentionAfterRelease for what it would then do.
func (l *Library) Release(ctx context.Context, id, reason string) (string, error) {
	who, err := l.requireOn(ctx, PermHold, "hold.release", id)
	if err != nil {
		return "", err
	}
	if reason, err = checkText("the reason", reason); err != nil {
		return "", err
	}
	if reason == "" {
		return "", ErrReasonRequired
	}
	full, err := l.resolve(ctx, id, "hold.release")
	if err != nil {
		return "", err
	}
	if err := l.st.ReleaseHold(ctx, full, who.Name, reason, l.entry("hold.release")); err != nil {
		return full, fmt.Errorf("release the hold on recording %s: %w", full, err)
	}
	return full, nil
}

// Holds returns the legal holds of a recording, oldest first.
func (l *Library) Holds(ctx context.Context, id string) ([]*Hold, error) {
	full, err := l.resolve(ctx, id, "hold.list")
	if err != nil {
		return nil, err
	}
	hs, err := l.st.Holds(ctx, full)
	if err != nil {
		return nil, fmt.Errorf("holds of recording %s: %w", full, err)
	}
	return hs, nil
}
