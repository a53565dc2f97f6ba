package app

import (
	"context"
	"fmt"

	"exhibit/store"
)

// AuditEntry is one entry of the audit trail.
type AuditEntry = store.AuditEntry

// AuditFilter narrows AuditEntries. Empty fields match everything.
type AuditFilter struct {
	RecordingID string // id or unique prefix
	User        string
	Action      string // exact action, or its family ("signin" matches signin.failed)
	Limit       int    // newest n entries; 0 = all
}

// AuditEntries returns audit entries in sequence order. Entries about
// restricted recordings are only for professional standards and
// administrators.
func (l *Library) AuditEntries(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	who, err := l.require(ctx, PermView, "audit.list")
	if err != nil {
		return nil, err
	}
	q := store.AuditQuery{User: f.User, Action: f.Action, Limit: f.Limit,
		IncludeRestricted: who.Role.Can(PermAuditRestricted)}
	if f.RecordingID != "" {
		id, err := l.st.Resolve(ctx, f.RecordingID, q.IncludeRestricted)
		if err != nil {
			if _, rerr := l.resolve(ctx, f.RecordingID, "audit.list"); rerr != nil {
				return nil, rerr // audits a denied request
			}
			return nil, err
		}
		q.RecordingID = id
	}
	return l.st.AuditEntries(ctx, q)
}

// AuditReport is the result of VerifyAudit.
type AuditReport = store.AuditReport

// VerifyAudit checks the whole audit trail (see store.VerifyAudit) and
// records the run and its result in the trail.
func (l *Library) VerifyAudit(ctx context.Context) (*AuditReport, error) {
	if _, err := l.require(ctx, PermView, "audit.verify"); err != nil {
		return nil, err
	}
	rep, err := l.st.VerifyAudit(ctx)
	if err != nil {
		return nil, err
	}
	e := l.entry("audit.verify")
	e.Detail = fmt.Sprintf("%d entries, %d checkpoints: intact", rep.Entries, rep.Checkpoints)
	if rep.Problem != nil {
		e.Outcome, e.Detail = store.OutcomeFailed, rep.Problem.Error()
	}
	return rep, l.st.Audit(ctx, e)
}

// AuditCheckpoint returns the newest signed checkpoint of the audit trail
// and the key that verifies it.
func (l *Library) AuditCheckpoint(ctx context.Context) (cp *store.Checkpoint, verifierKey string, err error) {
	if _, err := l.require(ctx, PermView, "audit.checkpoint"); err != nil {
		return nil, "", err
	}
	cp, err = l.st.LatestCheckpoint(ctx)
	return cp, l.st.AuditVerifierKey(), err
}

// AuditProof proves that entry seq is in the newest signed tree.
func (l *Library) AuditProof(ctx context.Context, seq int64) (*store.InclusionProof, error) {
	who, err := l.require(ctx, PermView, "audit.prove")
	if err != nil {
		return nil, err
	}
	p, err := l.st.ProveInclusion(ctx, seq)
	if err != nil {
		return nil, err
	}
	if p.Entry.RecordingID != "" && !who.Role.Can(PermAuditRestricted) {
		if _, err := l.resolve(ctx, p.Entry.RecordingID, "audit.prove"); err != nil {
			return nil, fmt.Errorf("audit entry %d: %w", seq, ErrNotPermitted)
		}
	}
	return p, nil
}
