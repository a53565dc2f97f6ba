package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// ErrNoAnnotation reports an annotation id that names no annotation.
var ErrNoAnnotation = errors.New("annotation not found")

// ErrAnnotationDeleted reports a change to an annotation already deleted.
var ErrAnnotationDeleted = errors.New("the annotation has been deleted")

// ErrHeld reports a hold placed on a recording already held.
var ErrHeld = errors.New("the recording is already under a legal hold")

// ErrNotHeld reports a release of a recording that is not held.
var ErrNotHeld = errors.New("the recording is not under a legal hold")

// AnnotationIDLength is the length of annotation ids.
const AnnotationIDLength = 10

// Annotation is one revision of a marker (FrameIn == FrameOut) or a range
// on a recording's frames. Notes are sealed in the database.
type Annotation struct {
	ID          string
	Revision    int // 1 for the first version; each edit or deletion adds one
	RecordingID string
	FrameIn     int // 0-based, presentation order
	FrameOut    int // = FrameIn for a point marker
	Category    string
	Note        string
	Deleted     bool      // this revision deleted the annotation
	Author      string    // who made this revision
	At          time.Time // when this revision was made (UTC)
	// CreatedBy and CreatedAt are those of revision 1 (set by Annotations
	// and AnnotationHistory).
	CreatedBy string
	CreatedAt time.Time
}

func annotationNoteAD(rec, id string, rev int) string {
	return "annotations.note|" + rec + "|" + id + "|" + strconv.Itoa(rev)
}
func decisionReasonAD(rec string, seq int) string {
	return "decisions.reason|" + rec + "|" + strconv.Itoa(seq)
}
func holdReasonAD(rec string, id int64) string {
	return "holds.reason|" + rec + "|" + strconv.FormatInt(id, 10)
}
func holdReleaseAD(rec string, id int64) string {
	return "holds.release_reason|" + rec + "|" + strconv.FormatInt(id, 10)
}

// recordingSHA reads a recording's hash inside tx (ErrNotFound when gone).
func recordingSHA(ctx context.Context, tx *sql.Tx, id string) (string, error) {
	var sum string
	err := tx.QueryRowContext(ctx, "SELECT sha256 FROM recordings WHERE id = ?", id).Scan(&sum)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	return sum, err
}

// AddAnnotation stores a as revision 1 of a new annotation and appends e
// (its recording, hash and the new id filled in) in the same transaction.
// a.ID, a.Revision and a.At are set.
func (s *Store) AddAnnotation(ctx context.Context, a *Annotation, e *AuditEntry) error {
	if a.At.IsZero() {
		a.At = time.Now()
	}
	a.At = a.At.UTC().Truncate(time.Millisecond)
	a.Revision, a.Deleted = 1, false
	for attempt := 0; ; attempt++ {
		id, err := randomID(AnnotationIDLength)
		if err != nil {
			return err
		}
		a.ID = id
		err = s.withAudit(ctx, func(tx *sql.Tx) error {
			sum, err := recordingSHA(ctx, tx, a.RecordingID)
			if err != nil {
				return err
			}
			e.RecordingID, e.SHA256 = a.RecordingID, sum
			e.Detail = "annotation " + a.ID + " " + e.Detail
			return s.insertAnnotation(ctx, tx, a)
		}, e)
		var se sqlite3.Error
		if attempt < 5 && errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey {
			continue
		}
		if err == nil {
			a.CreatedBy, a.CreatedAt = a.Author, a.At
		}
		return err
	}
}

func (s *Store) insertAnnotation(ctx context.Context, tx *sql.Tx, a *Annotation) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO annotations (id, revision, recording_id, frame_in, frame_out, category, note, deleted, author, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.Revision, a.RecordingID, a.FrameIn, a.FrameOut, a.Category,
		s.fields.seal([]byte(a.Note), annotationNoteAD(a.RecordingID, a.ID, a.Revision)), a.Deleted, a.Author, a.At.UnixMilli())
	return err
}

const annotationColumns = "id, revision, recording_id, frame_in, frame_out, category, note, deleted, author, at"

func (s *Store) scanAnnotation(row scanner, extra ...any) (*Annotation, error) {
	var a Annotation
	var sealed []byte
	var at int64
	if err := row.Scan(append([]any{&a.ID, &a.Revision, &a.RecordingID, &a.FrameIn, &a.FrameOut, &a.Category, &sealed,
		&a.Deleted, &a.Author, &at}, extra...)...); err != nil {
		return nil, err
	}
	a.At = time.UnixMilli(at).UTC()
	note, err := s.fields.open(sealed, annotationNoteAD(a.RecordingID, a.ID, a.Revision))
	if err != nil {
		return nil, fmt.Errorf("annotation %s revision %d note: %w", a.ID, a.Revision, err)
	}
	a.Note = string(note)
	return &a, nil
}

// currentAnnotation reads the newest revision of annotation id.
func (s *Store) currentAnnotation(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string) (*Annotation, error) {
	a, err := s.scanAnnotation(q.QueryRowContext(ctx, "SELECT "+annotationColumns+
		" FROM annotations WHERE id = ? ORDER BY revision DESC LIMIT 1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", id, ErrNoAnnotation)
	}
	return a, err
}

// Annotation returns the current revision of an annotation (deleted or
// not); RecordingID tells the caller whose it is.
func (s *Store) Annotation(ctx context.Context, id string) (*Annotation, error) {
	a, err := s.currentAnnotation(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	var at int64
	if err := s.db.QueryRowContext(ctx, "SELECT author, at FROM annotations WHERE id = ? AND revision = 1", id).Scan(&a.CreatedBy, &at); err != nil {
		return nil, fmt.Errorf("annotation %s: %w", id, err)
	}
	a.CreatedAt = time.UnixMilli(at).UTC()
	return a, nil
}

// ReviseAnnotation adds a revision to annotation a.ID: the new frames,
// category and note, or a deletion when del. It fails with
// ErrAnnotationDeleted when the annotation is already deleted. a's
// Revision, At and RecordingID are set; e is appended in the same
// transaction.
func (s *Store) ReviseAnnotation(ctx context.Context, a *Annotation, del bool, e *AuditEntry) error {
	if a.At.IsZero() {
		a.At = time.Now()
	}
	a.At = a.At.UTC().Truncate(time.Millisecond)
	return s.withAudit(ctx, func(tx *sql.Tx) error {
		cur, err := s.currentAnnotation(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		if cur.Deleted {
			return fmt.Errorf("%s: %w", a.ID, ErrAnnotationDeleted)
		}
		if del {
			a.FrameIn, a.FrameOut, a.Category, a.Note = cur.FrameIn, cur.FrameOut, cur.Category, ""
		}
		a.RecordingID, a.Revision, a.Deleted = cur.RecordingID, cur.Revision+1, del
		sum, err := recordingSHA(ctx, tx, a.RecordingID)
		if err != nil {
			return err
		}
		e.RecordingID, e.SHA256 = a.RecordingID, sum
		e.Detail = fmt.Sprintf("annotation %s revision %d %s", a.ID, a.Revision, e.Detail)
		return s.insertAnnotation(ctx, tx, a)
	}, e)
}

// MarkCounts returns, per recording id, how many annotations it has whose
// current revision is not deleted; recordings with none are left out.
func (s *Store) MarkCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT a.recording_id, count(*) FROM annotations a "+
		"WHERE a.revision = (SELECT max(revision) FROM annotations m WHERE m.id = a.id) AND a.deleted = 0 "+
		"GROUP BY a.recording_id")
	if err != nil {
		return nil, fmt.Errorf("count annotations: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("count annotations: %w", err)
		}
		out[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count annotations: %w", err)
	}
	return out, nil
}

// Annotations returns the current revision of each annotation of a
// recording, ordered by frame, leaving out deleted ones unless asked.
func (s *Store) Annotations(ctx context.Context, recordingID string, includeDeleted bool) ([]*Annotation, error) {
	q := "SELECT a.id, a.revision, a.recording_id, a.frame_in, a.frame_out, a.category, a.note, a.deleted, a.author, a.at, " +
		"f.author, f.at FROM annotations a JOIN annotations f ON f.id = a.id AND f.revision = 1 " +
		"WHERE a.recording_id = ? AND a.revision = (SELECT max(revision) FROM annotations m WHERE m.id = a.id)"
	if !includeDeleted {
		q += " AND a.deleted = 0"
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY a.frame_in, a.frame_out, f.at, a.id", recordingID)
	if err != nil {
		return nil, fmt.Errorf("read annotations: %w", err)
	}
	defer rows.Close()
	var out []*Annotation
	for rows.Next() {
		var by string
		var at int64
		a, err := s.scanAnnotation(rows, &by, &at)
		if err != nil {
			return nil, err
		}
		a.CreatedBy, a.CreatedAt = by, time.UnixMilli(at).UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// AnnotationHistory returns every revision of an annotation, oldest first.
func (s *Store) AnnotationHistory(ctx context.Context, id string) ([]*Annotation, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+annotationColumns+" FROM annotations WHERE id = ? ORDER BY revision", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Annotation
	for rows.Next() {
		a, err := s.scanAnnotation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %w", id, ErrNoAnnotation)
	}
	for _, a := range out {
		a.CreatedBy, a.CreatedAt = out[0].Author, out[0].At
	}
	return out, nil
}

// Decision values.
const (
	DecisionEvidence = "evidence"
	DecisionPolicing = "policing"
	DecisionNFA      = "nfa"
	DecisionReferPSD = "refer-psd"
)

// DecisionStatus maps a decision to the recording status it sets.
func DecisionStatus(decision string) string {
	if decision == DecisionReferPSD {
		return StatusReferred
	}
	return decision
}

// Decision is one review decision about a recording. The newest is in force.
type Decision struct {
	RecordingID string
	Seq         int // 1, 2, ... per recording
	Decision    string
	Reason      string
	Reviewer    string
	At          time.Time
}

// Decide records a decision about a recording, sets its status (and
// restricts it for refer-psd) and appends e, all in one transaction.
// d.Seq and d.At are set.
func (s *Store) Decide(ctx context.Context, d *Decision, e *AuditEntry) error {
	if d.At.IsZero() {
		d.At = time.Now()
	}
	d.At = d.At.UTC().Truncate(time.Millisecond)
	return s.withAudit(ctx, func(tx *sql.Tx) error {
		sum, err := recordingSHA(ctx, tx, d.RecordingID)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM decisions WHERE recording_id = ?",
			d.RecordingID).Scan(&d.Seq); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO decisions (recording_id, seq, decision, reason, reviewer, at) VALUES (?, ?, ?, ?, ?, ?)",
			d.RecordingID, d.Seq, d.Decision, s.fields.seal([]byte(d.Reason), decisionReasonAD(d.RecordingID, d.Seq)),
			d.Reviewer, d.At.UnixMilli()); err != nil {
			return err
		}
		set := "status = ?"
		if d.Decision == DecisionReferPSD {
			set += ", restricted = 1"
		}
		if _, err := tx.ExecContext(ctx, "UPDATE recordings SET "+set+" WHERE id = ?", DecisionStatus(d.Decision), d.RecordingID); err != nil {
			return err
		}
		e.RecordingID, e.SHA256 = d.RecordingID, sum
		e.Detail = fmt.Sprintf("decision %d: %s%s", d.Seq, d.Decision, e.Detail)
		return nil
	}, e)
}

// Decisions returns a recording's decisions, oldest first.
func (s *Store) Decisions(ctx context.Context, recordingID string) ([]*Decision, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT seq, decision, reason, reviewer, at FROM decisions WHERE recording_id = ? ORDER BY seq", recordingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Decision
	for rows.Next() {
		d := &Decision{RecordingID: recordingID}
		var sealed []byte
		var at int64
		if err := rows.Scan(&d.Seq, &d.Decision, &sealed, &d.Reviewer, &at); err != nil {
			return nil, err
		}
		r, err := s.fields.open(sealed, decisionReasonAD(recordingID, d.Seq))
		if err != nil {
			return nil, fmt.Errorf("decision %s/%d reason: %w", recordingID, d.Seq, err)
		}
		d.Reason, d.At = string(r), time.UnixMilli(at).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// Hold is a legal hold on a recording. ReleasedAt is zero while it is in force.
type Hold struct {
	ID            int64
	RecordingID   string
	Reason        string
	PlacedBy      string
	PlacedAt      time.Time
	ReleasedBy    string
	ReleasedAt    time.Time
	ReleaseReason string
}

// PlaceHold puts a recording under a legal hold (ErrHeld when it already
// is) and appends e in the same transaction. h.ID and h.PlacedAt are set.
func (s *Store) PlaceHold(ctx context.Context, h *Hold, e *AuditEntry) error {
	if h.PlacedAt.IsZero() {
		h.PlacedAt = time.Now()
	}
	h.PlacedAt = h.PlacedAt.UTC().Truncate(time.Millisecond)
	return s.withAudit(ctx, func(tx *sql.Tx) error {
		sum, err := recordingSHA(ctx, tx, h.RecordingID)
		if err != nil {
			return err
		}
		var open int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM holds WHERE recording_id = ? AND released_at = 0", h.RecordingID).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return fmt.Errorf("%s: %w", h.RecordingID, ErrHeld)
		}
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM holds").Scan(&h.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO holds (id, recording_id, reason, placed_by, placed_at) VALUES (?, ?, ?, ?, ?)",
			h.ID, h.RecordingID, s.fields.seal([]byte(h.Reason), holdReasonAD(h.RecordingID, h.ID)), h.PlacedBy, h.PlacedAt.UnixMilli()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE recordings SET held = 1 WHERE id = ?", h.RecordingID); err != nil {
			return err
		}
		e.RecordingID, e.SHA256 = h.RecordingID, sum
		e.Detail = fmt.Sprintf("hold %d%s", h.ID, e.Detail)
		return nil
	}, e)
}

// ReleaseHold lifts a recording's legal hold (ErrNotHeld when there is
// none) and appends e in the same transaction.
func (s *Store) ReleaseHold(ctx context.Context, recordingID, by, reason string, e *AuditEntry) error {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return s.withAudit(ctx, func(tx *sql.Tx) error {
		sum, err := recordingSHA(ctx, tx, recordingID)
		if err != nil {
			return err
		}
		var id int64
		err = tx.QueryRowContext(ctx, "SELECT id FROM holds WHERE recording_id = ? AND released_at = 0", recordingID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s: %w", recordingID, ErrNotHeld)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE holds SET released_by = ?, released_at = ?, release_reason = ? WHERE id = ?",
			by, now.UnixMilli(), s.fields.seal([]byte(reason), holdReleaseAD(recordingID, id)), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE recordings SET held = 0 WHERE id = ?", recordingID); err != nil {
			return err
		}
		e.RecordingID, e.SHA256 = recordingID, sum
		e.Detail = fmt.Sprintf("hold %d released%s", id, e.Detail)
		return nil
	}, e)
}

// Holds returns a recording's legal holds, oldest first.
func (s *Store) Holds(ctx context.Context, recordingID string) ([]*Hold, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, reason, placed_by, placed_at, released_by, released_at, release_reason
		FROM holds WHERE recording_id = ? ORDER BY id`, recordingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Hold
	for rows.Next() {
		h := &Hold{RecordingID: recordingID}
		var reason, release []byte
		var placed, released int64
		if err := rows.Scan(&h.ID, &reason, &h.PlacedBy, &placed, &h.ReleasedBy, &released, &release); err != nil {
			return nil, err
		}
		r, err := s.fields.open(reason, holdReasonAD(recordingID, h.ID))
		if err != nil {
			return nil, fmt.Errorf("hold %d reason: %w", h.ID, err)
		}
		h.Reason, h.PlacedAt = string(r), time.UnixMilli(placed).UTC()
		if released > 0 {
			h.ReleasedAt = time.UnixMilli(released).UTC()
			if release != nil {
				r, err := s.fields.open(release, holdReleaseAD(recordingID, h.ID))
				if err != nil {
					return nil, fmt.Errorf("hold %d release reason: %w", h.ID, err)
				}
				h.ReleaseReason = string(r)
			}
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
