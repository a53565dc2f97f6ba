package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The clip check queue: derivatives.frame_check (see
// migrations/0010_clip_check.sql). A clip is committed pending, with the
// structure proven; the check adds the decoded-frame hashes and sets
// checked or failed, once, in one transaction with its audit entry.

// PendingClipChecks returns the ids of derivatives whose clip check has not
// run, oldest first.
func (s *Store) PendingClipChecks(ctx context.Context) ([]string, error) {
	ids, err := queryStrings(ctx, s.db, "SELECT id FROM derivatives WHERE frame_check = ? ORDER BY created_at, id", FramesPending)
	if err != nil {
		return nil, fmt.Errorf("pending clip checks: %w", err)
	}
	return ids, nil
}

// FinishClipCheck records the outcome of a pending clip's check: state
// FramesChecked or FramesFailed, the clip's decoded-frame hashes
// (frameHash) and, when not nil, the master range's (masterFrameHash; nil
// keeps what the clip was made with), in one transaction with e (may be
// nil; its recording and master hash are filled in). It gives
// ErrFrameCheckDone unless the clip was pending (another process checked
// it first, or it went with its recording).
func (s *Store) FinishClipCheck(ctx context.Context, id, state string, frameHash, masterFrameHash []byte, e *AuditEntry) error {
	if state != FramesChecked && state != FramesFailed {
		return fmt.Errorf("finish clip check of %s: invalid state %q", id, state)
	}
	if frameHash == nil {
		frameHash = []byte{}
	}
	var entries []*AuditEntry
	if e != nil {
		entries = append(entries, e)
	}
	return s.withAudit(ctx, func(tx *sql.Tx) error {
		var rec, sum, st, ref, sha string
		err := tx.QueryRowContext(ctx, "SELECT recording_id, master_sha256, frame_check, ref, sha256 FROM derivatives WHERE id = ?", id).
			Scan(&rec, &sum, &st, &ref, &sha)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && st != FramesPending) {
			return fmt.Errorf("clip %s: %w", id, ErrFrameCheckDone)
		}
		if err != nil {
			return err
		}
		if e != nil {
			e.RecordingID, e.SHA256 = rec, sum
			d := fmt.Sprintf("%s %s sha256 %s", ref, id, sha)
			if e.Detail != "" {
				d += ": " + e.Detail
			}
			e.Detail = d
		}
		if masterFrameHash != nil {
			_, err = tx.ExecContext(ctx, "UPDATE derivatives SET frame_check = ?, frame_hash = ?, master_frame_hash = ? WHERE id = ?",
				state, frameHash, masterFrameHash, id)
		} else {
			_, err = tx.ExecContext(ctx, "UPDATE derivatives SET frame_check = ?, frame_hash = ? WHERE id = ?", state, frameHash, id)
		}
		return err
	}, entries...)
}
