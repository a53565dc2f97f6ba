package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Subject access requests (SARs): a member of the public asks for the
// footage of themselves. The subject's name is sealed like other personal
// free text; audit entries name the SAR by id only.

// ErrNoSAR reports a SAR id that names no SAR (or one the caller may not
// see: the same answer).
var ErrNoSAR = errors.New("subject access request not found")

// ErrSARNotOpen reports a change to a SAR that is no longer open
// (responded or closed), or a response to one already responded to.
var ErrSARNotOpen = errors.New("the subject access request is not open")

// ErrSARClosed reports closing a SAR that is already closed.
var ErrSARClosed = errors.New("the subject access request is already closed")

// ErrSARLinked reports a recording or redaction project already part of
// the SAR.
var ErrSARLinked = errors.New("already part of the subject access request")

// ErrBundleNotExported reports a response bundle whose manifest this
// store's audit trail has no export.create entry for: it was not made here.
var ErrBundleNotExported = errors.New("no export from this store has that manifest")

// SARRestrictedError reports a SAR that includes a recording the caller
// may not see; callers answer it as ErrNoSAR after auditing the attempt.
type SARRestrictedError struct{ ID int64 }

func (e *SARRestrictedError) Error() string {
	return fmt.Sprintf("SAR-%d: %v", e.ID, ErrNoSAR)
}

// SAR statuses.
const (
	SAROpen      = "open"
	SARResponded = "responded"
	SARClosed    = "closed"
)

// DayLayout is how a calendar day (a SAR's received and due days) is
// stored: 2026-11-26.
const DayLayout = "2006-01-02"

// SAR is a subject access request.
type SAR struct {
	ID      int64
	Subject string // the data subject's name (sealed in the database)
	// Received and Due are calendar days: midnight UTC of the date.
	Received, Due time.Time
	Status        string // SAROpen, SARResponded or SARClosed
	CreatedBy     string
	CreatedAt     time.Time // UTC
	RespondedBy   string
	RespondedAt   time.Time // zero until responded
	// BundleID and ManifestSHA256 name the export bundle that answered it.
	BundleID       string
	ManifestSHA256 string
	ClosedBy       string
	ClosedAt       time.Time // zero until closed
	Recordings     []SARRecording
	Projects       []SARProject
}

// SARRecording is one recording of a SAR.
type SARRecording struct {
	RecordingID string
	AddedBy     string
	AddedAt     time.Time // UTC
}

// SARProject is one redaction project of a SAR.
type SARProject struct {
	ProjectID   string
	RecordingID string
	AddedBy     string
	AddedAt     time.Time // UTC
}

// SARDue is the open SAR a recording is part of that is due first.
type SARDue struct {
	SARID int64
	Due   time.Time // a calendar day, midnight UTC
}

// FormatSARID writes a SAR id as people see it: SAR-12.
func FormatSARID(id int64) string { return "SAR-" + strconv.FormatInt(id, 10) }

// ParseSARID reads "SAR-12", "sar-12", "SAR12" or "12".
func ParseSARID(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if len(t) >= 3 && strings.EqualFold(t[:3], "SAR") {
		t = strings.TrimPrefix(t[3:], "-")
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a subject access request id (write SAR-12 or 12)", s)
	}
	return n, nil
}

func sarSubjectAD(id int64) string { return "sars.subject|" + strconv.FormatInt(id, 10) }

// hiddenSARsSQL selects the SARs with a restricted recording (or one
// that was restricted when it was deleted): only who may see restricted
// recordings sees them.
const hiddenSARsSQL = "SELECT sar_id FROM sar_recordings WHERE recording_id IN (" + restrictedIDsSQL + ")"

// openSARRecordingsSQL selects the recordings in an open SAR, which
// retention keeps (KeepSAR) whoever may see the SAR.
const openSARRecordingsSQL = "SELECT sr.recording_id FROM sar_recordings sr JOIN sars s ON s.id = sr.sar_id WHERE s.status = 'open'"

// OpenSARRecordings returns the recordings in an open SAR (any SAR,
// restricted or not: for retention).
func (s *Store) OpenSARRecordings(ctx context.Context) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, openSARRecordingsSQL)
	if err != nil {
		return nil, fmt.Errorf("read open subject access requests: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

func msOrZero(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func parseDay(s string) (time.Time, error) {
	t, err := time.Parse(DayLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored day %q: %w", s, err)
	}
	return t, nil
}

// sarState reads a SAR's status inside tx, and whether it is hidden from
// a caller who may not see restricted recordings.
func sarState(ctx context.Context, tx *sql.Tx, id int64, includeRestricted bool) (string, error) {
	var status string
	var hidden bool
	err := tx.QueryRowContext(ctx, "SELECT status, id IN ("+hiddenSARsSQL+") FROM sars WHERE id = ?", id).Scan(&status, &hidden)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%s: %w", FormatSARID(id), ErrNoSAR)
	}
	if err != nil {
		return "", err
	}
	if hidden && !includeRestricted {
		return "", &SARRestrictedError{ID: id}
	}
	return status, nil
}

// CreateSAR stores a new open SAR (s.Subject, s.Received, s.Due,
// s.CreatedBy) and appends e in the same transaction; e's detail names
// the SAR and its days, never the subject. s.ID, s.Status and s.CreatedAt
// are set.
func (s *Store) CreateSAR(ctx context.Context, r *SAR, e *AuditEntry) error {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return s.withAudit(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM sars").Scan(&id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO sars (id, subject, received, due, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			id, s.fields.seal([]byte(r.Subject), sarSubjectAD(id)), r.Received.Format(DayLayout), r.Due.Format(DayLayout),
			r.CreatedBy, now.UnixMilli()); err != nil {
			return fmt.Errorf("store the subject access request: %w", err)
		}
		r.ID, r.Status, r.CreatedAt = id, SAROpen, now
		e.Detail = fmt.Sprintf("%s received %s due %s%s", FormatSARID(id), r.Received.Format(DayLayout), r.Due.Format(DayLayout), e.Detail)
		return nil
	}, e)
}

// AddSARRecording adds a recording to an open SAR and appends e (its
// recording and hash filled in) in the same transaction.
// includeRestricted says whether the caller may see restricted recordings
// (a SAR including one is otherwise not found).
func (s *Store) AddSARRecording(ctx context.Context, id int64, recordingID, by string, includeRestricted bool, e *AuditEntry) error {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return s.withAudit(ctx, func(tx *sql.Tx) error {
		status, err := sarState(ctx, tx, id, includeRestricted)
		if err != nil {
			return err
		}
		if status != SAROpen {
			return fmt.Errorf("%s is %s: %w", FormatSARID(id), status, ErrSARNotOpen)
		}
		sum, err := recordingSHA(ctx, tx, recordingID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO sar_recordings (sar_id, recording_id, added_by, added_at) VALUES (?, ?, ?, ?)",
			id, recordingID, by, now.UnixMilli())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("recording %s: %w", recordingID, ErrSARLinked)
		}
		e.RecordingID, e.SHA256 = recordingID, sum
		e.Detail = FormatSARID(id) + e.Detail
		return nil
	}, e)
}

// AddSARProject links a redaction project (of recording recordingID) to
// an open SAR, adds the recording too when it is not yet part of it, and
// appends e (its recording and hash filled in) in the same transaction.
func (s *Store) AddSARProject(ctx context.Context, id int64, projectID, recordingID, by string, includeRestricted bool, e *AuditEntry) error {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return s.withAudit(ctx, func(tx *sql.Tx) error {
		status, err := sarState(ctx, tx, id, includeRestricted)
		if err != nil {
			return err
		}
		if status != SAROpen {
			return fmt.Errorf("%s is %s: %w", FormatSARID(id), status, ErrSARNotOpen)
		}
		sum, err := recordingSHA(ctx, tx, recordingID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO sar_projects (sar_id, project_id, recording_id, added_by, added_at) VALUES (?, ?, ?, ?, ?)",
			id, projectID, recordingID, by, now.UnixMilli())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("redaction project %s: %w", projectID, ErrSARLinked)
		}
		res, err = tx.ExecContext(ctx, "INSERT OR IGNORE INTO sar_recordings (sar_id, recording_id, added_by, added_at) VALUES (?, ?, ?, ?)",
			id, recordingID, by, now.UnixMilli())
		if err != nil {
			return err
		}
		added, err := res.RowsAffected()
		if err != nil {
			return err
		}
		e.RecordingID, e.SHA256 = recordingID, sum
		e.Detail = FormatSARID(id) + " redaction project " + projectID
		if added > 0 {
			e.Detail += " (recording added)"
		}
		return nil
	}, e)
}

// RespondSAR records the response to an open SAR: the export bundle
// bundleID whose manifest.json has SHA-256 manifestSHA, which must be an
// export from this store (an export.create entry records that hash;
// ErrBundleNotExported otherwise). e is appended in the same transaction.
func (s *Store) RespondSAR(ctx context.Context, id int64, bundleID, manifestSHA, by string, includeRestricted bool, e *AuditEntry) error {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return s.withAudit(ctx, func(tx *sql.Tx) error {
		status, err := sarState(ctx, tx, id, includeRestricted)
		if err != nil {
			return err
		}
		if status != SAROpen {
			return fmt.Errorf("%s is %s: %w", FormatSARID(id), status, ErrSARNotOpen)
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM audit WHERE action = 'export.create' AND sha256 = ? AND outcome = ?",
			manifestSHA, OutcomeOK).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("bundle %s: %w", bundleID, ErrBundleNotExported)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sars SET status = 'responded', responded_by = ?, responded_at = ?,
			bundle_id = ?, manifest_sha256 = ? WHERE id = ?`, by, now.UnixMilli(), bundleID, manifestSHA, id); err != nil {
			return err
		}
		e.SHA256 = manifestSHA
		e.Detail = fmt.Sprintf("%s responded with bundle %s%s", FormatSARID(id), bundleID, e.Detail)
		return nil
	}, e)
}

// CloseSAR closes a SAR (open or responded; ErrSARClosed when it already
// is) and appends e in the same transaction.
func (s *Store) CloseSAR(ctx context.Context, id int64, by string, includeRestricted bool, e *AuditEntry) error {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return s.withAudit(ctx, func(tx *sql.Tx) error {
		status, err := sarState(ctx, tx, id, includeRestricted)
		if err != nil {
			return err
		}
		if status == SARClosed {
			return fmt.Errorf("%s: %w", FormatSARID(id), ErrSARClosed)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE sars SET status = 'closed', closed_by = ?, closed_at = ? WHERE id = ?",
			by, now.UnixMilli(), id); err != nil {
			return err
		}
		e.Detail = fmt.Sprintf("%s closed (was %s)%s", FormatSARID(id), status, e.Detail)
		return nil
	}, e)
}

const sarColumns = "id, subject, received, due, status, created_by, created_at, responded_by, responded_at, bundle_id, manifest_sha256, closed_by, closed_at"

func (s *Store) scanSAR(row scanner) (*SAR, error) {
	var r SAR
	var sealed []byte
	var received, due string
	var created, responded, closed int64
	if err := row.Scan(&r.ID, &sealed, &received, &due, &r.Status, &r.CreatedBy, &created, &r.RespondedBy, &responded,
		&r.BundleID, &r.ManifestSHA256, &r.ClosedBy, &closed); err != nil {
		return nil, err
	}
	name, err := s.fields.open(sealed, sarSubjectAD(r.ID))
	if err != nil {
		return nil, fmt.Errorf("%s subject: %w", FormatSARID(r.ID), err)
	}
	r.Subject = string(name)
	if r.Received, err = parseDay(received); err != nil {
		return nil, err
	}
	if r.Due, err = parseDay(due); err != nil {
		return nil, err
	}
	r.CreatedAt, r.RespondedAt, r.ClosedAt = time.UnixMilli(created).UTC(), msOrZero(responded), msOrZero(closed)
	return &r, nil
}

// SAR returns one SAR with its recordings and projects. A SAR including a
// restricted recording is a *SARRestrictedError unless includeRestricted.
func (s *Store) SAR(ctx context.Context, id int64, includeRestricted bool) (*SAR, error) {
	var hidden bool
	r, err := s.scanSAR(rowWithExtra{s.db.QueryRowContext(ctx, "SELECT "+sarColumns+", id IN ("+hiddenSARsSQL+") FROM sars WHERE id = ?", id), &hidden})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", FormatSARID(id), ErrNoSAR)
	}
	if err != nil {
		return nil, err
	}
	if hidden && !includeRestricted {
		return nil, &SARRestrictedError{ID: id}
	}
	if err := s.fillSARLinks(ctx, map[int64]*SAR{r.ID: r}); err != nil {
		return nil, err
	}
	return r, nil
}

// rowWithExtra scans a row whose last column goes to extra.
type rowWithExtra struct {
	row   scanner
	extra any
}

func (r rowWithExtra) Scan(dest ...any) error { return r.row.Scan(append(dest, r.extra)...) }

// SARs returns the SARs (of status, "" for all), oldest due first, with
// their recordings and projects. SARs including a restricted recording
// are left out unless includeRestricted.
func (s *Store) SARs(ctx context.Context, status string, includeRestricted bool) ([]*SAR, error) {
	q := "SELECT " + sarColumns + " FROM sars WHERE 1"
	var args []any
	if status != "" {
		q += " AND status = ?"
		args = append(args, status)
	}
	if !includeRestricted {
		q += " AND id NOT IN (" + hiddenSARsSQL + ")"
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY due, id", args...)
	if err != nil {
		return nil, fmt.Errorf("list subject access requests: %w", err)
	}
	defer rows.Close()
	var out []*SAR
	byID := map[int64]*SAR{}
	for rows.Next() {
		r, err := s.scanSAR(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
		byID[r.ID] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.fillSARLinks(ctx, byID)
}

// fillSARLinks reads the recordings and projects of the SARs in byID.
func (s *Store) fillSARLinks(ctx context.Context, byID map[int64]*SAR) error {
	if len(byID) == 0 {
		return nil
	}
	rows, err := s.db.QueryContext(ctx, "SELECT sar_id, recording_id, added_by, added_at FROM sar_recordings ORDER BY added_at, recording_id")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, at int64
		var l SARRecording
		if err := rows.Scan(&id, &l.RecordingID, &l.AddedBy, &at); err != nil {
			return err
		}
		if r := byID[id]; r != nil {
			l.AddedAt = time.UnixMilli(at).UTC()
			r.Recordings = append(r.Recordings, l)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	prow, err := s.db.QueryContext(ctx, "SELECT sar_id, project_id, recording_id, added_by, added_at FROM sar_projects ORDER BY added_at, project_id")
	if err != nil {
		return err
	}
	defer prow.Close()
	for prow.Next() {
		var id, at int64
		var p SARProject
		if err := prow.Scan(&id, &p.ProjectID, &p.RecordingID, &p.AddedBy, &at); err != nil {
			return err
		}
		if r := byID[id]; r != nil {
			p.AddedAt = time.UnixMilli(at).UTC()
			r.Projects = append(r.Projects, p)
		}
	}
	return prow.Err()
}

// OpenSARDues maps each recording in an open SAR to the one due first
// (ties: the lower id). SARs including a restricted recording count only
// when includeRestricted.
func (s *Store) OpenSARDues(ctx context.Context, includeRestricted bool) (map[string]SARDue, error) {
	q := `SELECT sr.recording_id, s.id, s.due FROM sar_recordings sr JOIN sars s ON s.id = sr.sar_id
		WHERE s.status = 'open'`
	if !includeRestricted {
		q += " AND s.id NOT IN (" + hiddenSARsSQL + ")"
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY s.due DESC, s.id DESC")
	if err != nil {
		return nil, fmt.Errorf("read open subject access requests: %w", err)
	}
	defer rows.Close()
	out := map[string]SARDue{}
	for rows.Next() {
		var rec, due string
		var d SARDue
		if err := rows.Scan(&rec, &d.SARID, &due); err != nil {
			return nil, err
		}
		if d.Due, err = parseDay(due); err != nil {
			return nil, err
		}
		out[rec] = d // the rows come latest first: the earliest wins
	}
	return out, rows.Err()
}

// ExportedManifest reports whether an export.create entry of this store
// records manifestSHA: whether the bundle with that manifest was made here
// (RespondSAR checks it again in its transaction).
func (s *Store) ExportedManifest(ctx context.Context, manifestSHA string) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM audit WHERE action = 'export.create' AND sha256 = ? AND outcome = ?",
		manifestSHA, OutcomeOK).Scan(&n); err != nil {
		return false, fmt.Errorf("look up the export of a bundle: %w", err)
	}
	return n > 0, nil
}
