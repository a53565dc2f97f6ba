package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Frame check states (recordings.frame_check).
const (
	FramesPending   = "pending"   // the table is from the demuxer's packets, not yet checked by decoding
	FramesChecked   = "checked"   // a decode of the stored copy confirmed the table
	FramesCorrected = "corrected" // a decode disagreed and replaced the table
	FramesFailed    = "failed"    // the stored copy could not be decoded to check it
)

// ErrFrameCheckDone reports a frame check whose recording is no longer
// pending (another process checked it first, or it was deleted).
var ErrFrameCheckDone = errors.New("frame check already done")

// PendingFrameChecks returns the ids of recordings whose frame table awaits
// its check, oldest ingest first.
func (s *Store) PendingFrameChecks(ctx context.Context) ([]string, error) {
	ids, err := queryStrings(ctx, s.db, "SELECT id FROM recordings WHERE frame_check = ? ORDER BY ingested_at, id", FramesPending)
	if err != nil {
		return nil, fmt.Errorf("pending frame checks: %w", err)
	}
	return ids, nil
}

// UncheckedFrames returns the frame check state of every recording whose
// table is not confirmed (pending or failed), by id. List summaries do not
// carry the state; callers merge this small map in.
func (s *Store) UncheckedFrames(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, frame_check FROM recordings WHERE frame_check IN (?, ?)", FramesPending, FramesFailed)
	if err != nil {
		return nil, fmt.Errorf("frame check states: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, st string
		if err := rows.Scan(&id, &st); err != nil {
			return nil, fmt.Errorf("frame check states: %w", err)
		}
		out[id] = st
	}
	return out, rows.Err()
}

// FailFrameCheck records that a pending recording's stored copy could not
// be decoded to check its frame table, with e (may be nil) in the same
// transaction. It gives ErrFrameCheckDone unless the recording was pending.
func (s *Store) FailFrameCheck(ctx context.Context, id string, e *AuditEntry) error {
	var entries []*AuditEntry
	if e != nil {
		entries = append(entries, e)
	}
	return s.withAudit(ctx, func(tx *sql.Tx) error {
		sum, err := pendingCheck(ctx, tx, id)
		if err != nil {
			return err
		}
		if e != nil {
			e.RecordingID, e.SHA256 = id, sum
		}
		_, err = tx.ExecContext(ctx, "UPDATE recordings SET frame_check = ? WHERE id = ?", FramesFailed, id)
		return err
	}, entries...)
}

// pendingCheck returns the SHA-256 of a recording whose frame check is
// pending, or ErrFrameCheckDone.
func pendingCheck(ctx context.Context, tx *sql.Tx, id string) (string, error) {
	var sum, st string
	err := tx.QueryRowContext(ctx, "SELECT sha256, frame_check FROM recordings WHERE id = ?", id).Scan(&sum, &st)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && st != FramesPending) {
		return "", fmt.Errorf("%s: %w", id, ErrFrameCheckDone)
	}
	return sum, err
}

// FinishFrameCheck stores the frame table a decode of a pending
// recording's stored copy produced (frames entries; it carries picture
// types) and sets its state, FramesChecked (the decode agreed with the
// packet table) or FramesCorrected, in one transaction with e (may be nil).
// For a correction remap takes a frame number of the old table to the
// number of the frame with the same presentation time in the new one, and
// every revision of every annotation of the recording is renumbered (all
// were made against the old table), so a mark stays on the picture it was
// put on. It returns how many annotations changed, and gives
// ErrFrameCheckDone unless the recording was pending.
func (s *Store) FinishFrameCheck(ctx context.Context, id, state string, table []byte, frames int, remap func(int) int, e *AuditEntry) (int, error) {
	if state != FramesChecked && state != FramesCorrected {
		return 0, fmt.Errorf("finish frame check of %s: invalid state %q", id, state)
	}
	changed := 0
	var entries []*AuditEntry
	if e != nil {
		entries = append(entries, e)
	}
	detail := ""
	if e != nil {
		detail = e.Detail
	}
	err := s.withAudit(ctx, func(tx *sql.Tx) error {
		changed = 0
		sum, err := pendingCheck(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE frame_tables SET data = ? WHERE recording_id = ?", table, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE recordings SET frame_check = ?, frame_count = ? WHERE id = ?", state, frames, id); err != nil {
			return err
		}
		if state == FramesCorrected && remap != nil {
			if changed, err = renumberAnnotations(ctx, tx, id, remap); err != nil {
				return err
			}
		}
		if e != nil {
			e.RecordingID, e.SHA256 = id, sum
			e.Detail = detail
			if changed > 0 {
				e.Detail = strings.TrimSpace(fmt.Sprintf("%s; %d annotations renumbered by PTS", detail, changed))
			}
		}
		return nil
	}, entries...)
	return changed, err
}

// renumberAnnotations applies remap to the frames of every revision of the
// recording's annotations and returns how many annotations changed.
func renumberAnnotations(ctx context.Context, tx *sql.Tx, id string, remap func(int) int) (int, error) {
	type rev struct {
		id                 string
		revision           int
		in, out, nin, nout int
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, revision, frame_in, frame_out FROM annotations WHERE recording_id = ?", id)
	if err != nil {
		return 0, err
	}
	var revs []rev
	for rows.Next() {
		var r rev
		if err := rows.Scan(&r.id, &r.revision, &r.in, &r.out); err != nil {
			rows.Close()
			return 0, err
		}
		r.nin, r.nout = remap(r.in), remap(r.out)
		r.nout = max(r.nout, r.nin)
		if r.nin != r.in || r.nout != r.out {
			revs = append(revs, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	ids := map[string]bool{}
	for _, r := range revs {
		if _, err := tx.ExecContext(ctx, "UPDATE annotations SET frame_in = ?, frame_out = ? WHERE id = ? AND revision = ?",
			r.nin, r.nout, r.id, r.revision); err != nil {
			return 0, err
		}
		ids[r.id] = true
	}
	return len(ids), nil
}

// DeletionOfSHA256 returns the newest deletion record of a master with this
// hex SHA-256 (nil when none was deleted).
func (s *Store) DeletionOfSHA256(ctx context.Context, sum string) (*Deletion, error) {
	ds, err := s.deletions(ctx, " WHERE sha256 = ?", sum)
	if err != nil || len(ds) == 0 {
		return nil, err
	}
	return ds[len(ds)-1], nil
}

// HasDeletedSize reports whether a deleted master had exactly size bytes:
// only then can a new source be footage deleted before, and worth hashing
// before encrypting.
func (s *Store) HasDeletedSize(ctx context.Context, size int64) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM deletions WHERE size = ? LIMIT 1", size).Scan(&n)
	return n > 0, err
}
