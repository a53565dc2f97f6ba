package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"exhibit/app/redact"
)

// Redaction projects (migration 0008). The model is app/redact's, a leaf
// package of plain data with no I/O, so the store keeps exactly what the
// render and the editor use. Every change is one transaction with its
// audit entry and adds a project version; the rows of every version stay,
// so any earlier state is recoverable (RedactionProjectAt).

// ErrNoRedaction reports an id that names no redaction project.
var ErrNoRedaction = errors.New("redaction project not found")

// ErrNoRedactionVersion reports a version a project never had.
var ErrNoRedactionVersion = errors.New("no such version of the redaction project")

// RedactionIDLength is the length of redaction project ids.
const RedactionIDLength = 10

// Id prefixes of a project's items: T1, F1, A1, P1, ... numbered per
// project and never reused.
const (
	TrackPrefix    = "T"
	FramesPrefix   = "F"
	AudioPrefix    = "A"
	ProposalPrefix = "P"
)

// RedactionVersion is one saved version of a redaction project.
type RedactionVersion struct {
	Version int
	// Change says what the version changed, by ids and numbers only (the
	// same words as its audit entry).
	Change string
	Author string
	At     time.Time // UTC
}

func trackReasonAD(p, id string, v int) string {
	return "redaction_tracks.reason|" + p + "|" + id + "|" + strconv.Itoa(v)
}
func framesReasonAD(p, id string, v int) string {
	return "redaction_frames.reason|" + p + "|" + id + "|" + strconv.Itoa(v)
}
func audioReasonAD(p, id string, v int) string {
	return "redaction_audio.reason|" + p + "|" + id + "|" + strconv.Itoa(v)
}

// CreateRedaction adds a redaction project of p.RecordingID covering
// frames p.From..p.To, as version 1 with nothing in it, and appends e in
// the same transaction (recording, hash and detail filled in). p.ID,
// p.Version and p.CreatedAt are set; p.CreatedBy is the author.
func (s *Store) CreateRedaction(ctx context.Context, p *redact.Project, e *AuditEntry) error {
	if p.From < 0 || p.To < p.From {
		return fmt.Errorf("create redaction: frames %d-%d are not a range", p.From, p.To)
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = time.Now()
	}
	p.CreatedAt = p.CreatedAt.UTC().Truncate(time.Millisecond)
	p.Version = 1
	p.Tracks, p.Frames, p.Audio, p.Proposals = nil, nil, nil, nil
	detail := e.Detail
	for attempt := 0; ; attempt++ {
		id, err := randomID(RedactionIDLength)
		if err != nil {
			return err
		}
		p.ID = id
		change := fmt.Sprintf("created, frames %d-%d", p.From, p.To)
		err = s.withAudit(ctx, func(tx *sql.Tx) error {
			sum, err := recordingSHA(ctx, tx, p.RecordingID)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO redaction_projects (id, recording_id, frame_from, frame_to, version,
				created_by, created_at) VALUES (?, ?, ?, ?, 1, ?, ?)`, p.ID, p.RecordingID, p.From, p.To, p.CreatedBy,
				p.CreatedAt.UnixMilli()); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO redaction_versions (project_id, version, change, author, at) VALUES (?, 1, ?, ?, ?)",
				p.ID, change, p.CreatedBy, p.CreatedAt.UnixMilli()); err != nil {
				return err
			}
			e.RecordingID, e.SHA256 = p.RecordingID, sum
			e.Detail = "redaction " + p.ID + " version 1: " + change
			if detail != "" {
				e.Detail += " " + detail
			}
			return nil
		}, e)
		var se sqlite3.Error
		if attempt < 5 && errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey {
			continue
		}
		if err != nil {
			p.ID = ""
		}
		return err
	}
}

// RedactionRecording returns the recording a redaction project belongs
// to (ErrNoRedaction when there is no such project).
func (s *Store) RedactionRecording(ctx context.Context, projectID string) (string, error) {
	var rec string
	err := s.db.QueryRowContext(ctx, "SELECT recording_id FROM redaction_projects WHERE id = ?", normRedactionID(projectID)).Scan(&rec)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%s: %w", projectID, ErrNoRedaction)
	}
	return rec, err
}

func normRedactionID(id string) string { return strings.ToUpper(strings.TrimSpace(id)) }

// RedactionProject returns the current state of a redaction project.
func (s *Store) RedactionProject(ctx context.Context, id string) (redact.Project, error) {
	return s.redactionAt(ctx, s.db, normRedactionID(id), 0)
}

// RedactionProjectAt returns a redaction project as it was at version
// (1 to its current version).
func (s *Store) RedactionProjectAt(ctx context.Context, id string, version int) (redact.Project, error) {
	if version < 1 {
		return redact.Project{}, fmt.Errorf("%s version %d: %w", id, version, ErrNoRedactionVersion)
	}
	return s.redactionAt(ctx, s.db, normRedactionID(id), version)
}

// RedactionProjects returns the current state of each redaction project
// of a recording, oldest first.
func (s *Store) RedactionProjects(ctx context.Context, recordingID string) ([]redact.Project, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id FROM redaction_projects WHERE recording_id = ? ORDER BY created_at, id", recordingID)
	if err != nil {
		return nil, fmt.Errorf("redaction projects of %s: %w", recordingID, err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			_ = rows.Close() // read only; the scan error is returned
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		_ = rows.Close() // read only; the iteration error is returned
		return nil, err
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	out := make([]redact.Project, 0, len(ids))
	for _, id := range ids {
		p, err := s.RedactionProject(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// RedactionRecordings returns the ids of the recordings that have
// redaction projects, by their oldest project.
func (s *Store) RedactionRecordings(ctx context.Context) ([]string, error) {
	return queryStrings(ctx, s.db, "SELECT recording_id FROM redaction_projects GROUP BY recording_id ORDER BY min(created_at), recording_id")
}

// RedactionVersions returns the versions of a redaction project, oldest first.
func (s *Store) RedactionVersions(ctx context.Context, id string) ([]RedactionVersion, error) {
	id = normRedactionID(id)
	rows, err := s.db.QueryContext(ctx, "SELECT version, change, author, at FROM redaction_versions WHERE project_id = ? ORDER BY version", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RedactionVersion
	for rows.Next() {
		var v RedactionVersion
		var at int64
		if err := rows.Scan(&v.Version, &v.Change, &v.Author, &at); err != nil {
			return nil, err
		}
		v.At = time.UnixMilli(at).UTC()
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %w", id, ErrNoRedaction)
	}
	return out, nil
}

// redactionAt reads project id at version (0: its current version).
func (s *Store) redactionAt(ctx context.Context, q queryer, id string, version int) (redact.Project, error) {
	var p redact.Project
	var at int64
	err := q.QueryRowContext(ctx, "SELECT id, recording_id, frame_from, frame_to, version, created_by, created_at FROM redaction_projects WHERE id = ?", id).
		Scan(&p.ID, &p.RecordingID, &p.From, &p.To, &p.Version, &p.CreatedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("%s: %w", id, ErrNoRedaction)
	}
	if err != nil {
		return p, fmt.Errorf("redaction %s: %w", id, err)
	}
	p.CreatedAt = time.UnixMilli(at).UTC()
	if version > p.Version {
		return redact.Project{}, fmt.Errorf("%s version %d (the newest is %d): %w", id, version, p.Version, ErrNoRedactionVersion)
	}
	if version > 0 {
		p.Version = version
	}
	if err := s.readTracks(ctx, q, &p); err != nil {
		return p, fmt.Errorf("redaction %s tracks: %w", id, err)
	}
	if err := s.readFrames(ctx, q, &p); err != nil {
		return p, fmt.Errorf("redaction %s frame ranges: %w", id, err)
	}
	if err := s.readAudio(ctx, q, &p); err != nil {
		return p, fmt.Errorf("redaction %s audio ranges: %w", id, err)
	}
	if err := readProposals(ctx, q, &p); err != nil {
		return p, fmt.Errorf("redaction %s proposals: %w", id, err)
	}
	return p, nil
}

// newest is the SQL condition that keeps, of table t (alias x), each
// item's newest row at or before version ?2 of project ?1 unless deleted.
func newest(t string) string {
	return "x.project_id = ?1 AND x.version = (SELECT max(m.version) FROM " + t +
		" m WHERE m.project_id = ?1 AND m.id = x.id AND m.version <= ?2) AND x.deleted = 0"
}

// byItem orders items by their number (T2 before T10).
const byItem = " ORDER BY length(x.id), x.id"

func (s *Store) readTracks(ctx context.Context, q queryer, p *redact.Project) error {
	rows, err := q.QueryContext(ctx, "SELECT x.id, x.version, x.shape, x.method, x.block, x.label, x.reason, x.end_frame, x.keyframes, "+
		"x.created_by, x.created_at FROM redaction_tracks x WHERE "+newest("redaction_tracks")+byItem, p.ID, p.Version)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var t redact.Track
		var v int
		var sealed, keys []byte
		var at int64
		if err := rows.Scan(&t.ID, &v, &t.Shape, &t.Method, &t.Block, &t.Label, &sealed, &t.End, &keys, &t.CreatedBy, &at); err != nil {
			return err
		}
		r, err := s.fields.open(sealed, trackReasonAD(p.ID, t.ID, v))
		if err != nil {
			return fmt.Errorf("track %s version %d reason: %w", t.ID, v, err)
		}
		if t.Keyframes, err = decodeKeyframes(keys); err != nil {
			return fmt.Errorf("track %s version %d keyframes: %w", t.ID, v, err)
		}
		t.Reason, t.CreatedAt = string(r), time.UnixMilli(at).UTC()
		p.Tracks = append(p.Tracks, t)
	}
	return rows.Err()
}

func (s *Store) readFrames(ctx context.Context, q queryer, p *redact.Project) error {
	rows, err := q.QueryContext(ctx, "SELECT x.id, x.version, x.frame_from, x.frame_to, x.method, x.reason, x.created_by, x.created_at FROM redaction_frames x WHERE "+
		newest("redaction_frames")+byItem, p.ID, p.Version)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var f redact.FrameRange
		var v int
		var sealed []byte
		var at int64
		if err := rows.Scan(&f.ID, &v, &f.From, &f.To, &f.Method, &sealed, &f.CreatedBy, &at); err != nil {
			return err
		}
		r, err := s.fields.open(sealed, framesReasonAD(p.ID, f.ID, v))
		if err != nil {
			return fmt.Errorf("frame range %s version %d reason: %w", f.ID, v, err)
		}
		f.Reason, f.CreatedAt = string(r), time.UnixMilli(at).UTC()
		p.Frames = append(p.Frames, f)
	}
	return rows.Err()
}

func (s *Store) readAudio(ctx context.Context, q queryer, p *redact.Project) error {
	rows, err := q.QueryContext(ctx, "SELECT x.id, x.version, x.from_us, x.to_us, x.kind, x.reason, x.created_by, x.created_at FROM redaction_audio x WHERE "+
		newest("redaction_audio")+byItem, p.ID, p.Version)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a redact.AudioRange
		var v int
		var from, to int64
		var sealed []byte
		var at int64
		if err := rows.Scan(&a.ID, &v, &from, &to, &a.Kind, &sealed, &a.CreatedBy, &at); err != nil {
			return err
		}
		r, err := s.fields.open(sealed, audioReasonAD(p.ID, a.ID, v))
		if err != nil {
			return fmt.Errorf("audio range %s version %d reason: %w", a.ID, v, err)
		}
		a.From, a.To = time.Duration(from)*time.Microsecond, time.Duration(to)*time.Microsecond
		a.Reason, a.CreatedAt = string(r), time.UnixMilli(at).UTC()
		p.Audio = append(p.Audio, a)
	}
	return rows.Err()
}

func readProposals(ctx context.Context, q queryer, p *redact.Project) error {
	rows, err := q.QueryContext(ctx, "SELECT x.id, x.version, x.state, x.track_id, x.detections FROM redaction_proposals x WHERE "+
		newest("redaction_proposals")+byItem, p.ID, p.Version)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pr redact.Proposal
		var v int
		var ds []byte
		if err := rows.Scan(&pr.ID, &v, &pr.State, &pr.TrackID, &ds); err != nil {
			return err
		}
		if pr.Detections, err = decodeDetections(ds); err != nil {
			return fmt.Errorf("proposal %s version %d detections: %w", pr.ID, v, err)
		}
		p.Proposals = append(p.Proposals, pr)
	}
	return rows.Err()
}

// RedactionChange is one saved change to a redaction project, made by the
// function given to ChangeRedaction: it edits Project (the current state,
// a copy) in place and says what it did in Detail.
type RedactionChange struct {
	// Project is the state to change. Items it no longer holds are
	// deleted, new or changed ones get a row at the new version.
	// ID, RecordingID, From, To, Version and the creation fields are
	// the store's and must not change.
	Project redact.Project
	// Detail says what changed, by ids and numbers only (never a
	// reason): it goes into the version row and the audit entry.
	Detail string

	next  map[string]int
	fresh map[string]bool
}

// NewID returns a new item id with prefix (TrackPrefix, FramesPrefix,
// AudioPrefix or ProposalPrefix): never used before in this project.
func (c *RedactionChange) NewID(prefix string) string {
	c.next[prefix]++
	id := prefix + strconv.Itoa(c.next[prefix])
	c.fresh[id] = true
	return id
}

// Existed reports whether id names an item the project has had at any
// version (a deleted one included), so a change may bring it back.
func (c *RedactionChange) Existed(id string) bool {
	prefix, n := splitItemID(id)
	return prefix != "" && n >= 1 && n <= c.next[prefix] && !c.fresh[id]
}

func splitItemID(id string) (string, int) {
	if len(id) < 2 {
		return "", 0
	}
	n, err := strconv.Atoi(id[1:])
	if err != nil || strconv.Itoa(n) != id[1:] {
		return "", 0
	}
	return id[:1], n
}

// ChangeRedaction runs change on the current state of project id and
// saves what it changed as the next version, with e (recording, hash and
// detail filled in), in one immediate transaction: rows are only added,
// so every earlier version stays readable. It returns the new state. When
// change leaves everything as it was, nothing is written or audited and
// the current state is returned. An error from change is returned as is.
func (s *Store) ChangeRedaction(ctx context.Context, id, author string, change func(*RedactionChange) error, e *AuditEntry) (redact.Project, error) {
	id = normRedactionID(id)
	var out redact.Project
	at := time.Now().UTC().Truncate(time.Millisecond)
	detail := e.Detail
	err := s.withAudit(ctx, func(tx *sql.Tx) error {
		old, err := s.redactionAt(ctx, tx, id, 0)
		if err != nil {
			return err
		}
		c := &RedactionChange{Project: cloneProject(old), next: map[string]int{}, fresh: map[string]bool{}}
		for _, t := range []struct{ table, prefix string }{{"redaction_tracks", TrackPrefix}, {"redaction_frames", FramesPrefix},
			{"redaction_audio", AudioPrefix}, {"redaction_proposals", ProposalPrefix}} {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(DISTINCT id) FROM "+t.table+" WHERE project_id = ?", id).Scan(&n); err != nil {
				return err
			}
			c.next[t.prefix] = n
		}
		if err := change(c); err != nil {
			return err
		}
		np := &c.Project
		if np.ID != old.ID || np.RecordingID != old.RecordingID || np.From != old.From || np.To != old.To || np.Version != old.Version {
			return fmt.Errorf("redaction %s: a change may not alter the project's recording, frames or version", id)
		}
		v := old.Version + 1
		w := &redactionWriter{s: s, ctx: ctx, tx: tx, project: id, version: v, author: author, at: at, c: c}
		if err := w.tracks(old.Tracks, np.Tracks); err != nil {
			return err
		}
		if err := w.frames(old.Frames, np.Frames); err != nil {
			return err
		}
		if err := w.audio(old.Audio, np.Audio); err != nil {
			return err
		}
		if err := w.proposals(old.Proposals, np.Proposals); err != nil {
			return err
		}
		if !w.wrote {
			out = old
			return errNoChange // rolls back: nothing to save or audit
		}
		if c.Detail == "" {
			c.Detail = "changed"
		}
		if _, err := tx.ExecContext(ctx, "UPDATE redaction_projects SET version = ? WHERE id = ?", v, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO redaction_versions (project_id, version, change, author, at) VALUES (?, ?, ?, ?, ?)",
			id, v, c.Detail, author, at.UnixMilli()); err != nil {
			return err
		}
		if out, err = s.redactionAt(ctx, tx, id, 0); err != nil {
			return err
		}
		sum, err := recordingSHA(ctx, tx, old.RecordingID)
		if err != nil {
			return err
		}
		e.RecordingID, e.SHA256 = old.RecordingID, sum
		e.Detail = fmt.Sprintf("redaction %s version %d: %s", id, v, c.Detail)
		if detail != "" {
			e.Detail += " " + detail
		}
		return nil
	}, e)
	if errors.Is(err, errNoChange) {
		return out, nil
	}
	if err != nil {
		return redact.Project{}, err
	}
	return out, nil
}

// errNoChange rolls back a ChangeRedaction that changed nothing.
var errNoChange = errors.New("no change")

// redactionWriter adds the rows of one project version.
type redactionWriter struct {
	s       *Store
	ctx     context.Context
	tx      *sql.Tx
	project string
	version int
	author  string
	at      time.Time
	c       *RedactionChange
	wrote   bool
}

// checkID says whether id may be written: an item the old state held, one
// the project had before (brought back), or one made by NewID now.
func (w *redactionWriter) checkID(kind, prefix, id string, old bool) error {
	if old || w.c.fresh[id] || w.c.Existed(id) {
		if p, _ := splitItemID(id); p == prefix {
			return nil
		}
	}
	return fmt.Errorf("redaction %s: unknown %s %q", w.project, kind, id)
}

func (w *redactionWriter) tracks(old, cur []redact.Track) error {
	was := map[string]redact.Track{}
	for _, t := range old {
		was[t.ID] = t
	}
	seen := map[string]bool{}
	for i := range cur {
		t := &cur[i]
		o, had := was[t.ID]
		if err := w.checkID("track", TrackPrefix, t.ID, had); err != nil {
			return err
		}
		if seen[t.ID] {
			return fmt.Errorf("redaction %s: track %s given twice", w.project, t.ID)
		}
		seen[t.ID] = true
		if had {
			t.CreatedBy, t.CreatedAt = o.CreatedBy, o.CreatedAt
			if trackEqual(o, *t) {
				continue
			}
		} else if t.CreatedBy == "" || t.CreatedAt.IsZero() {
			t.CreatedBy, t.CreatedAt = w.author, w.at
		}
		if len(t.Keyframes) > 0 && t.Keyframes[0].Frame < 0 {
			return fmt.Errorf("redaction %s: track %s has a keyframe before frame 0", w.project, t.ID)
		}
		for k := 1; k < len(t.Keyframes); k++ {
			if t.Keyframes[k].Frame <= t.Keyframes[k-1].Frame {
				return fmt.Errorf("redaction %s: track %s keyframes are not in frame order, one per frame", w.project, t.ID)
			}
		}
		if err := w.track(*t, false); err != nil {
			return err
		}
	}
	for _, o := range old {
		if !seen[o.ID] {
			o.Keyframes = nil
			if err := w.track(o, true); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *redactionWriter) track(t redact.Track, deleted bool) error {
	w.wrote = true
	if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO redaction_tracks (project_id, id, version, shape, method, block, label, reason,
		end_frame, keyframes, deleted, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.project, t.ID, w.version, string(t.Shape), string(t.Method), t.Block, string(t.Label),
		w.s.fields.seal([]byte(t.Reason), trackReasonAD(w.project, t.ID, w.version)), t.End, encodeKeyframes(t.Keyframes), deleted,
		t.CreatedBy, t.CreatedAt.UTC().UnixMilli()); err != nil {
		return fmt.Errorf("save track %s: %w", t.ID, err)
	}
	return nil
}

func trackEqual(a, b redact.Track) bool {
	return a.Shape == b.Shape && a.Method == b.Method && a.Block == b.Block && a.Label == b.Label &&
		a.Reason == b.Reason && a.End == b.End && slices.Equal(a.Keyframes, b.Keyframes)
}

func (w *redactionWriter) frames(old, cur []redact.FrameRange) error {
	was := map[string]redact.FrameRange{}
	for _, f := range old {
		was[f.ID] = f
	}
	seen := map[string]bool{}
	for i := range cur {
		f := &cur[i]
		o, had := was[f.ID]
		if err := w.checkID("frame range", FramesPrefix, f.ID, had); err != nil {
			return err
		}
		if seen[f.ID] {
			return fmt.Errorf("redaction %s: frame range %s given twice", w.project, f.ID)
		}
		seen[f.ID] = true
		if had {
			f.CreatedBy, f.CreatedAt = o.CreatedBy, o.CreatedAt
			if o == *f {
				continue
			}
		} else if f.CreatedBy == "" || f.CreatedAt.IsZero() {
			f.CreatedBy, f.CreatedAt = w.author, w.at
		}
		if err := w.frameRow(*f, false); err != nil {
			return err
		}
	}
	for _, o := range old {
		if !seen[o.ID] {
			if err := w.frameRow(o, true); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *redactionWriter) frameRow(f redact.FrameRange, deleted bool) error {
	w.wrote = true
	_, err := w.tx.ExecContext(w.ctx, `INSERT INTO redaction_frames (project_id, id, version, frame_from, frame_to, method, reason,
		deleted, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, w.project, f.ID, w.version, f.From, f.To,
		string(f.Method), w.s.fields.seal([]byte(f.Reason), framesReasonAD(w.project, f.ID, w.version)), deleted,
		f.CreatedBy, f.CreatedAt.UTC().UnixMilli())
	if err != nil {
		return fmt.Errorf("save frame range %s: %w", f.ID, err)
	}
	return nil
}

func (w *redactionWriter) audio(old, cur []redact.AudioRange) error {
	was := map[string]redact.AudioRange{}
	for _, a := range old {
		was[a.ID] = a
	}
	seen := map[string]bool{}
	for i := range cur {
		a := &cur[i]
		o, had := was[a.ID]
		if err := w.checkID("audio range", AudioPrefix, a.ID, had); err != nil {
			return err
		}
		if seen[a.ID] {
			return fmt.Errorf("redaction %s: audio range %s given twice", w.project, a.ID)
		}
		seen[a.ID] = true
		// Times are kept in microseconds.
		a.From, a.To = a.From.Truncate(time.Microsecond), a.To.Truncate(time.Microsecond)
		if had {
			a.CreatedBy, a.CreatedAt = o.CreatedBy, o.CreatedAt
			if o == *a {
				continue
			}
		} else if a.CreatedBy == "" || a.CreatedAt.IsZero() {
			a.CreatedBy, a.CreatedAt = w.author, w.at
		}
		if err := w.audioRow(*a, false); err != nil {
			return err
		}
	}
	for _, o := range old {
		if !seen[o.ID] {
			if err := w.audioRow(o, true); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *redactionWriter) audioRow(a redact.AudioRange, deleted bool) error {
	w.wrote = true
	_, err := w.tx.ExecContext(w.ctx, `INSERT INTO redaction_audio (project_id, id, version, from_us, to_us, kind, reason,
		deleted, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, w.project, a.ID, w.version,
		a.From.Microseconds(), a.To.Microseconds(), string(a.Kind),
		w.s.fields.seal([]byte(a.Reason), audioReasonAD(w.project, a.ID, w.version)), deleted,
		a.CreatedBy, a.CreatedAt.UTC().UnixMilli())
	if err != nil {
		return fmt.Errorf("save audio range %s: %w", a.ID, err)
	}
	return nil
}

func (w *redactionWriter) proposals(old, cur []redact.Proposal) error {
	was := map[string]redact.Proposal{}
	for _, p := range old {
		was[p.ID] = p
	}
	seen := map[string]bool{}
	for _, p := range cur {
		o, had := was[p.ID]
		if err := w.checkID("proposal", ProposalPrefix, p.ID, had); err != nil {
			return err
		}
		if seen[p.ID] {
			return fmt.Errorf("redaction %s: proposal %s given twice", w.project, p.ID)
		}
		seen[p.ID] = true
		if !had && !w.c.fresh[p.ID] {
			// Brought back: its detections are the ones it was saved with.
			var ds []byte
			if err := w.tx.QueryRowContext(w.ctx, "SELECT detections FROM redaction_proposals WHERE project_id = ? AND id = ? ORDER BY version LIMIT 1",
				w.project, p.ID).Scan(&ds); err != nil {
				return err
			}
			stored, err := decodeDetections(ds)
			if err != nil {
				return err
			}
			if !slices.Equal(stored, p.Detections) {
				return fmt.Errorf("redaction %s: the detections of proposal %s cannot change", w.project, p.ID)
			}
		}
		if had {
			if !slices.Equal(o.Detections, p.Detections) {
				return fmt.Errorf("redaction %s: the detections of proposal %s cannot change", w.project, p.ID)
			}
			if o.State == p.State && o.TrackID == p.TrackID {
				continue
			}
		}
		if len(p.Detections) > 0 && p.Detections[0].Frame < 0 {
			return fmt.Errorf("redaction %s: proposal %s has a detection before frame 0", w.project, p.ID)
		}
		for k := 1; k < len(p.Detections); k++ {
			if p.Detections[k].Frame <= p.Detections[k-1].Frame {
				return fmt.Errorf("redaction %s: proposal %s detections are not in frame order, one per frame", w.project, p.ID)
			}
		}
		if err := w.proposalRow(p, false); err != nil {
			return err
		}
	}
	for _, o := range old {
		if !seen[o.ID] {
			if err := w.proposalRow(o, true); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *redactionWriter) proposalRow(p redact.Proposal, deleted bool) error {
	w.wrote = true
	if p.State == "" {
		p.State = redact.Pending
	}
	_, err := w.tx.ExecContext(w.ctx, "INSERT INTO redaction_proposals (project_id, id, version, state, track_id, detections, deleted) VALUES (?, ?, ?, ?, ?, ?, ?)",
		w.project, p.ID, w.version, string(p.State), p.TrackID, encodeDetections(p.Detections), deleted)
	if err != nil {
		return fmt.Errorf("save proposal %s: %w", p.ID, err)
	}
	return nil
}

// cloneProject copies p deeply enough that changing the copy's slices
// leaves p as it was.
func cloneProject(p redact.Project) redact.Project {
	c := p
	c.Tracks = make([]redact.Track, len(p.Tracks))
	for i, t := range p.Tracks {
		t.Keyframes = slices.Clone(t.Keyframes)
		c.Tracks[i] = t
	}
	c.Frames = slices.Clone(p.Frames)
	c.Audio = slices.Clone(p.Audio)
	c.Proposals = make([]redact.Proposal, len(p.Proposals))
	for i, pr := range p.Proposals {
		pr.Detections = slices.Clone(pr.Detections)
		c.Proposals[i] = pr
	}
	return c
}

// Keyframes and detections are stored as one value per row (see
// 0008_redaction.sql): format byte 1, uvarint count, then per item the
// uvarint frame step, X, Y, W, H as zig-zag varints (and a detection's
// score as a big-endian float32).
const itemsFormat = 1

var errDamagedItems = errors.New("damaged value")

func encodeKeyframes(ks []redact.Keyframe) []byte {
	b := make([]byte, 0, 2+len(ks)*8)
	b = append(b, itemsFormat)
	b = binary.AppendUvarint(b, uint64(len(ks)))
	prev := 0
	for _, k := range ks {
		b = binary.AppendUvarint(b, uint64(k.Frame-prev))
		prev = k.Frame
		b = appendBox(b, k.Box)
	}
	return b
}

func appendBox(b []byte, x redact.Box) []byte {
	for _, v := range [4]int{x.X, x.Y, x.W, x.H} {
		b = binary.AppendVarint(b, int64(v))
	}
	return b
}

// itemReader reads the values encodeKeyframes and encodeDetections write;
// the first problem sticks in err.
type itemReader struct {
	b   []byte
	err error
}

func (r *itemReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err, r.b = errDamagedItems, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *itemReader) varint() int {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err, r.b = errDamagedItems, nil
		return 0
	}
	r.b = r.b[n:]
	return int(v)
}

func (r *itemReader) box() redact.Box {
	return redact.Box{X: r.varint(), Y: r.varint(), W: r.varint(), H: r.varint()}
}

// header reads the format byte and the count.
func (r *itemReader) header() int {
	if len(r.b) == 0 || r.b[0] != itemsFormat {
		r.err = fmt.Errorf("unknown format: %w", errDamagedItems)
		return 0
	}
	r.b = r.b[1:]
	n := r.uvarint()
	if n > uint64(len(r.b)) { // every item takes at least one byte
		r.err = errDamagedItems
		return 0
	}
	return int(n)
}

func (r *itemReader) end() error {
	if r.err == nil && len(r.b) != 0 {
		r.err = errDamagedItems
	}
	return r.err
}

func decodeKeyframes(b []byte) ([]redact.Keyframe, error) {
	r := &itemReader{b: b}
	n := r.header()
	if r.err != nil || n == 0 {
		return nil, r.end()
	}
	out := make([]redact.Keyframe, 0, n)
	frame := 0
	for i := 0; i < n && r.err == nil; i++ {
		frame += int(r.uvarint())
		out = append(out, redact.Keyframe{Frame: frame, Box: r.box()})
	}
	return out, r.end()
}

func encodeDetections(ds []redact.Detection) []byte {
	b := make([]byte, 0, 2+len(ds)*12)
	b = append(b, itemsFormat)
	b = binary.AppendUvarint(b, uint64(len(ds)))
	prev := 0
	for _, d := range ds {
		b = binary.AppendUvarint(b, uint64(d.Frame-prev))
		prev = d.Frame
		b = appendBox(b, d.Box)
		b = binary.BigEndian.AppendUint32(b, math.Float32bits(d.Score))
	}
	return b
}

func decodeDetections(b []byte) ([]redact.Detection, error) {
	r := &itemReader{b: b}
	n := r.header()
	if r.err != nil || n == 0 {
		return nil, r.end()
	}
	out := make([]redact.Detection, 0, n)
	frame := 0
	for i := 0; i < n && r.err == nil; i++ {
		frame += int(r.uvarint())
		d := redact.Detection{Frame: frame, Box: r.box()}
		if r.err == nil && len(r.b) < 4 {
			r.err = errDamagedItems
		}
		if r.err != nil {
			break
		}
		d.Score = math.Float32frombits(binary.BigEndian.Uint32(r.b))
		r.b = r.b[4:]
		out = append(out, d)
	}
	return out, r.end()
}
