package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DefaultRetention is how long footage that is neither evidence nor kept
// for a policing purpose, and not held, is kept after it was recorded.
const DefaultRetention = 31 * 24 * time.Hour

// Settings keys of the retention policy: the default period, and one per
// annotation category, in whole days.
const (
	retentionDefaultKey  = "retention.default_days"
	retentionCategoryKey = "retention.days." // + category
)

// RetentionPolicy says how long footage that retention may delete is kept
// after it was recorded: Default, or the longest period of the categories
// of its annotations (as Axon-style "retention categories" work). Evidence
// and policing footage, footage referred to professional standards and
// footage under a legal hold is kept whatever the policy says.
type RetentionPolicy struct {
	Default    time.Duration
	Categories map[string]time.Duration // annotation category -> period
}

// RetentionState is what the retention rule looks at for one recording.
type RetentionState struct {
	ID         string
	SHA256     string
	RecordedAt time.Time
	Status     string
	Held       bool
	Restricted bool
	Categories []string // of its current, undeleted annotations
	// SAR: the recording is part of an open subject access request.
	SAR bool
}

// KeepReason says why retention keeps a recording whatever its age ("" when
// it does not). Its value is the rule as people read it.
type KeepReason string

// Reasons retention keeps a recording, strongest first.
const (
	KeepNone KeepReason = ""
	KeepHold KeepReason = "legal hold"
	// KeepSAR: the recording is part of an open subject access request;
	// it is kept until the request is answered or closed.
	KeepSAR      KeepReason = "subject access request open"
	KeepEvidence KeepReason = "decision: evidence"
	KeepPolicing KeepReason = "decision: policing purpose"
	// KeepReferred: a refer-psd decision is in force; professional
	// standards must record another decision before retention applies.
	KeepReferred KeepReason = "decision: referred to professional standards"
)

// StatusReferred is the status a refer-psd decision sets.
const StatusReferred = "referred"

// Keeps returns why the recording is kept whatever its age (KeepNone when
// its period applies).
func (st *RetentionState) Keeps() KeepReason {
	switch {
	case st.Held:
		return KeepHold
	case st.SAR:
		return KeepSAR
	case st.Status == DecisionEvidence:
		return KeepEvidence
	case st.Status == DecisionPolicing:
		return KeepPolicing
	case st.Status == StatusReferred:
		return KeepReferred
	}
	return KeepNone
}

// Evaluate returns when the policy deletes the recording (zero when it is
// kept) and the rule, as a phrase for people and the deletion record.
func (p RetentionPolicy) Evaluate(st *RetentionState) (time.Time, string) {
	if why := st.Keeps(); why != KeepNone {
		return time.Time{}, string(why)
	}
	period := p.Default
	if period <= 0 {
		period = DefaultRetention
	}
	rule := fmt.Sprintf("%s: %d days after recorded-at", st.Status, days(period))
	for _, c := range st.Categories {
		if d, ok := p.Categories[c]; ok && d > period {
			period = d
			rule = fmt.Sprintf("%s, category %q: %d days after recorded-at", st.Status, c, days(period))
		}
	}
	return st.RecordedAt.Add(period), rule
}

func days(d time.Duration) int { return int(d / (24 * time.Hour)) }

type queryer interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// queryStrings runs a query of one text column and returns its values in
// the order the query gives.
func queryStrings(ctx context.Context, q queryer, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// RetentionPolicy reads the retention policy from the settings.
func (s *Store) RetentionPolicy(ctx context.Context) (RetentionPolicy, error) {
	return retentionPolicy(ctx, s.db)
}

func retentionPolicy(ctx context.Context, q queryer) (RetentionPolicy, error) {
	p := RetentionPolicy{Default: DefaultRetention, Categories: map[string]time.Duration{}}
	rows, err := q.QueryContext(ctx, "SELECT key, value FROM settings WHERE substr(key, 1, 10) = 'retention.'")
	if err != nil {
		return p, fmt.Errorf("read retention policy: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return p, err
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, fmt.Errorf("retention setting %s = %q is not a number of days", k, v)
		}
		d := time.Duration(n) * 24 * time.Hour
		switch {
		case k == retentionDefaultKey:
			p.Default = d
		case strings.HasPrefix(k, retentionCategoryKey):
			p.Categories[strings.TrimPrefix(k, retentionCategoryKey)] = d
		}
	}
	return p, rows.Err()
}

// SetRetentionDays sets the retention period of an annotation category
// (the default period when category is ""), or removes the category's own
// period when days is 0, and appends e in the same transaction.
func (s *Store) SetRetentionDays(ctx context.Context, category string, days int, e *AuditEntry) error {
	key := retentionDefaultKey
	if category != "" {
		key = retentionCategoryKey + category
	}
	return s.withAudit(ctx, func(tx *sql.Tx) error {
		if days == 0 {
			_, err := tx.ExecContext(ctx, "DELETE FROM settings WHERE key = ?", key)
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			key, strconv.Itoa(days))
		return err
	}, e)
}

// currentCategoriesSQL selects (recording_id, category) of every current,
// undeleted annotation.
const currentCategoriesSQL = `SELECT DISTINCT a.recording_id, a.category FROM annotations a
	WHERE a.deleted = 0 AND a.revision = (SELECT max(revision) FROM annotations m WHERE m.id = a.id)`

func readCategories(ctx context.Context, q queryer, where string, args ...any) (map[string][]string, error) {
	rows, err := q.QueryContext(ctx, currentCategoriesSQL+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read annotation categories: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var id, c string
		if err := rows.Scan(&id, &c); err != nil {
			return nil, err
		}
		out[id] = append(out[id], c)
	}
	return out, rows.Err()
}

// AnnotatedCategories returns, per recording that has any, the categories
// of its current annotations.
func (s *Store) AnnotatedCategories(ctx context.Context) (map[string][]string, error) {
	return readCategories(ctx, s.db, "")
}

// RetentionStates returns the retention state of every recording (one
// consistent snapshot) and the policy in force.
func (s *Store) RetentionStates(ctx context.Context) ([]*RetentionState, RetentionPolicy, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, RetentionPolicy{}, err
	}
	defer tx.Rollback()
	pol, err := retentionPolicy(ctx, tx)
	if err != nil {
		return nil, pol, err
	}
	cats, err := readCategories(ctx, tx, "")
	if err != nil {
		return nil, pol, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, sha256, recorded_at, status, held, restricted, id IN ("+openSARRecordingsSQL+
		") FROM recordings ORDER BY recorded_at, id")
	if err != nil {
		return nil, pol, err
	}
	defer rows.Close()
	var out []*RetentionState
	for rows.Next() {
		st := &RetentionState{}
		var at int64
		if err := rows.Scan(&st.ID, &st.SHA256, &at, &st.Status, &st.Held, &st.Restricted, &st.SAR); err != nil {
			return nil, pol, err
		}
		st.RecordedAt = time.UnixMilli(at).UTC()
		st.Categories = cats[st.ID]
		sort.Strings(st.Categories)
		out = append(out, st)
	}
	return out, pol, rows.Err()
}

// Deletion is the record kept of a deleted recording: what proves it
// existed (its master's SHA-256, size and technical metadata), who or what
// deleted it, when and under which rule. Nothing personal is kept.
type Deletion struct {
	RecordingID      string
	SHA256           string
	Size             int64
	RecordedAt       time.Time
	RecordedAtSource string
	IngestedAt       time.Time
	Duration         time.Duration
	Frames           int
	Width, Height    int
	Container        string
	VideoCodec       string
	Status           string // decision in force when it was deleted
	Restricted       bool
	Rule             string
	DeletedBy        string
	DeletedAt        time.Time
	VaultName        string
	VaultRemoved     bool
}

// ErrNotDue reports a recording that the retention check, re-run inside
// the deletion's transaction, no longer finds due (a hold or a decision
// came first).
var ErrNotDue = errors.New("not due for deletion")

// DeleteRecording deletes a recording for good, in one transaction: it
// re-reads the recording's retention state and the policy and asks check
// whether it is due (check returns the rule applied, or an error that
// stops the deletion, e.g. ErrNotDue); it then keeps a deletion record,
// deletes the row with its sealed data key (crypto-shredding: copies of
// the vault file can no longer be decrypted), frame table, thumbnail,
// annotations, decisions and holds, and appends e with the master's
// SHA-256. SQLite's secure_delete overwrites the freed bytes. After the
// commit the vault file is removed and its directory synced.
func (s *Store) DeleteRecording(ctx context.Context, id, by string, check func(RetentionPolicy, *RetentionState) (string, error), e *AuditEntry) (*Deletion, error) {
	d := &Deletion{RecordingID: id, DeletedBy: by, DeletedAt: time.Now().UTC().Truncate(time.Millisecond)}
	err := s.withAudit(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "PRAGMA secure_delete = ON"); err != nil {
			return err
		}
		defer func() { _, _ = tx.ExecContext(context.Background(), "PRAGMA secure_delete = OFF") }() // resets a per-connection setting; the transaction's result is what counts
		var rec, ing, dur int64
		var held, sar bool
		err := tx.QueryRowContext(ctx, `SELECT sha256, size, recorded_at, recorded_at_source, ingested_at, duration_ms, frame_count,
			width, height, container, video_codec, status, restricted, held, vault_name, id IN (`+openSARRecordingsSQL+`)
			FROM recordings WHERE id = ?`, id).Scan(
			&d.SHA256, &d.Size, &rec, &d.RecordedAtSource, &ing, &dur, &d.Frames, &d.Width, &d.Height, &d.Container,
			&d.VideoCodec, &d.Status, &d.Restricted, &held, &d.VaultName, &sar)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		d.RecordedAt, d.IngestedAt = time.UnixMilli(rec).UTC(), time.UnixMilli(ing).UTC()
		d.Duration = time.Duration(dur) * time.Millisecond
		st := &RetentionState{ID: id, SHA256: d.SHA256, RecordedAt: d.RecordedAt, Status: d.Status, Held: held, Restricted: d.Restricted, SAR: sar}
		pol, err := retentionPolicy(ctx, tx)
		if err != nil {
			return err
		}
		cats, err := readCategories(ctx, tx, " AND a.recording_id = ?", id)
		if err != nil {
			return err
		}
		st.Categories = cats[id]
		sort.Strings(st.Categories)
		if d.Rule, err = check(pol, st); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO deletions (recording_id, sha256, size, recorded_at, recorded_at_source, ingested_at,
			duration_ms, frame_count, width, height, container, video_codec, status, restricted, rule, deleted_by, deleted_at, vault_name)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, d.SHA256, d.Size, rec, d.RecordedAtSource, ing,
			dur, d.Frames, d.Width, d.Height, d.Container, d.VideoCodec, d.Status, d.Restricted, d.Rule, d.DeletedBy,
			d.DeletedAt.UnixMilli(), d.VaultName); err != nil {
			return err
		}
		clips, err := noteDerivativeDeletions(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM recordings WHERE id = ?", id); err != nil {
			return err
		}
		e.RecordingID, e.SHA256 = id, d.SHA256
		if e.Detail == "" {
			e.Detail = d.Rule
		}
		if len(clips) > 0 {
			e.Detail += "; with its clips " + strings.Join(clips, ", ")
		}
		return nil
	}, e)
	if err != nil {
		return nil, err
	}
	return d, s.removeVaultFile(ctx, d)
}

// removeVaultFile removes a deleted recording's vault file and those of
// its derivatives, syncs the directory and notes it in the deletion records.
func (s *Store) removeVaultFile(ctx context.Context, d *Deletion) error {
	clips, err := s.derivativeVaultFiles(ctx, d.RecordingID)
	if err != nil {
		return err
	}
	for _, name := range append([]string{d.VaultName}, clips...) {
		for _, dir := range []string{s.vaultDir(), s.pendingDir()} {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("remove vault file of deleted recording %s: %w", d.RecordingID, err)
			}
		}
	}
	if err := SyncDir(s.vaultDir()); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, "UPDATE derivative_deletions SET vault_removed = 1 WHERE recording_id = ?", d.RecordingID); err != nil {
		return fmt.Errorf("note removal of clip vault files of %s: %w", d.RecordingID, err)
	}
	if _, err := s.db.ExecContext(ctx, "UPDATE deletions SET vault_removed = 1 WHERE recording_id = ?", d.RecordingID); err != nil {
		return fmt.Errorf("note removal of vault file of %s: %w", d.RecordingID, err)
	}
	d.VaultRemoved = true
	return nil
}

// RemoveLeftoverVaultFiles removes the vault files of deleted recordings
// that a crash left behind (their data keys are already gone). It returns
// how many it removed.
func (s *Store) RemoveLeftoverVaultFiles(ctx context.Context) (int, error) {
	ds, err := s.deletions(ctx, " WHERE vault_removed = 0")
	if err != nil {
		return 0, err
	}
	for i, d := range ds {
		if err := s.removeVaultFile(ctx, d); err != nil {
			return i, err
		}
	}
	return len(ds), nil
}

// ScrubFreedPages checkpoints the WAL and truncates it, so the page images
// that still held deleted data keys leave the disk (waiting at most a few
// seconds for readers; it is retried after the next deletion otherwise).
func (s *Store) ScrubFreedPages(ctx context.Context) error {
	c, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }() // returns the connection to the pool
	if _, err := c.ExecContext(ctx, "PRAGMA busy_timeout = 3000"); err != nil {
		return err
	}
	defer func() { _, _ = c.ExecContext(context.Background(), "PRAGMA busy_timeout = 30000") }() // resets a per-connection setting
	var busy, logFrames, done int
	if err := c.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if busy != 0 {
		return errors.New("checkpoint: the database is busy; the WAL will be truncated after a later deletion")
	}
	return nil
}

const deletionColumns = `recording_id, sha256, size, recorded_at, recorded_at_source, ingested_at, duration_ms, frame_count,
	width, height, container, video_codec, status, restricted, rule, deleted_by, deleted_at, vault_name, vault_removed`

func (s *Store) deletions(ctx context.Context, where string, args ...any) ([]*Deletion, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+deletionColumns+" FROM deletions"+where+" ORDER BY deleted_at, recording_id", args...)
	if err != nil {
		return nil, fmt.Errorf("read deletion records: %w", err)
	}
	defer rows.Close()
	var out []*Deletion
	for rows.Next() {
		d := &Deletion{}
		var rec, ing, dur, del int64
		if err := rows.Scan(&d.RecordingID, &d.SHA256, &d.Size, &rec, &d.RecordedAtSource, &ing, &dur, &d.Frames, &d.Width,
			&d.Height, &d.Container, &d.VideoCodec, &d.Status, &d.Restricted, &d.Rule, &d.DeletedBy, &del, &d.VaultName,
			&d.VaultRemoved); err != nil {
			return nil, err
		}
		d.RecordedAt, d.IngestedAt = time.UnixMilli(rec).UTC(), time.UnixMilli(ing).UTC()
		d.Duration, d.DeletedAt = time.Duration(dur)*time.Millisecond, time.UnixMilli(del).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// Deletions returns the deletion records, oldest first (restricted ones
// only when asked).
func (s *Store) Deletions(ctx context.Context, includeRestricted bool) ([]*Deletion, error) {
	if includeRestricted {
		return s.deletions(ctx, "")
	}
	return s.deletions(ctx, " WHERE restricted = 0")
}

// DeletionOf returns the deletion record of a recording id (nil when it
// was never deleted).
func (s *Store) DeletionOf(ctx context.Context, id string) (*Deletion, error) {
	ds, err := s.deletions(ctx, " WHERE recording_id = ?", strings.ToUpper(strings.TrimSpace(id)))
	if err != nil || len(ds) == 0 {
		return nil, err
	}
	return ds[0], nil
}
