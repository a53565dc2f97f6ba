package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
	"github.com/minio/sio"
)

// ErrNoDerivative reports an id or reference that names no derivative.
var ErrNoDerivative = errors.New("clip not found")

// DerivativeIDLength is the length of derivative ids.
const DerivativeIDLength = 10

// DerivativeKind says what a derivative is.
type DerivativeKind string

// Kinds of derivatives.
const (
	KindClipCourt    DerivativeKind = "clip-court"    // re-encoded H.264/AAC MP4 that plays anywhere
	KindClipLossless DerivativeKind = "clip-lossless" // the master's own coded frames with an edit list
	KindRedacted     DerivativeKind = "redacted"      // drawn from a redaction project (RedactionID, RedactionVersion)
)

// Recipe is exactly how a derivative was made, so a third party can repeat it.
type Recipe struct {
	Tool string   `json:"tool"` // first line of `ffmpeg -version`
	Args []string `json:"args"` // the full argument list (the input named master-<recording id>)
	// Notes are steps beyond ffmpeg (the edit list a lossless cut is given).
	Notes []string `json:"notes,omitempty"`
}

// Derivative is a file made from a master (a clip), kept as an exhibit of
// its own: encrypted in the vault, traceable to its master.
type Derivative struct {
	ID           string
	Ref          string // exhibit reference, unique: <recording id>-C<n> (-R<n> for a redacted copy)
	RecordingID  string
	MasterSHA256 string
	Kind         DerivativeKind
	From, To     int // master frames, inclusive, 0-based
	SHA256       string
	Size         int64
	Recipe       Recipe
	CreatedBy    string
	CreatedAt    time.Time // UTC
	// FrameHash is ffmpeg's framehash (sha256) of the clip's decoded video;
	// empty until the clip check has run (FrameCheck pending).
	FrameHash []byte
	// MasterFrameHash is the same for master frames From..To; empty until
	// the clip check has run (a court copy made by an earlier build may
	// carry it from when it was made).
	MasterFrameHash []byte
	// FrameCheck is the state of the clip check (FramesPending,
	// FramesChecked or FramesFailed): whether the clip's decoded frames
	// were hashed and found as its structure promised.
	FrameCheck string
	// FrameMap is the master frame number of each clip frame, in order.
	FrameMap []int
	// Restricted is the parent recording's restriction (filled on reads).
	Restricted bool
	// RedactionID and RedactionVersion name the redaction project and the
	// version of it a KindRedacted derivative drew ("" and 0 otherwise).
	RedactionID      string
	RedactionVersion int
}

func derivativeKeyAD(id string) string { return "derivatives.data_key|" + id }

const derivativeColumns = `d.id, d.ref, d.recording_id, d.master_sha256, d.kind, d.frame_from, d.frame_to, d.sha256, d.size,
	d.recipe, d.frame_hash, d.master_frame_hash, d.frame_map, d.created_by, d.created_at, d.frame_check, r.restricted,
	d.redaction_id, d.redaction_version`

func scanDerivative(row scanner) (*Derivative, error) {
	d := &Derivative{}
	var recipe, fmap string
	var at int64
	if err := row.Scan(&d.ID, &d.Ref, &d.RecordingID, &d.MasterSHA256, &d.Kind, &d.From, &d.To, &d.SHA256, &d.Size,
		&recipe, &d.FrameHash, &d.MasterFrameHash, &fmap, &d.CreatedBy, &at, &d.FrameCheck, &d.Restricted,
		&d.RedactionID, &d.RedactionVersion); err != nil {
		return nil, err
	}
	d.CreatedAt = time.UnixMilli(at).UTC()
	if err := json.Unmarshal([]byte(recipe), &d.Recipe); err != nil {
		return nil, fmt.Errorf("derivative %s recipe: %w", d.ID, err)
	}
	if err := json.Unmarshal([]byte(fmap), &d.FrameMap); err != nil {
		return nil, fmt.Errorf("derivative %s frame map: %w", d.ID, err)
	}
	return d, nil
}

// CommitDerivative adds the verified pending file p as derivative d of its
// recording (d.RecordingID) in one transaction with the audit entry e
// (recording, master hash and the new reference filled in), then moves the
// vault file into place. d.ID, d.Ref, d.SHA256, d.Size, d.MasterSHA256
// and d.CreatedAt are set. The master's hash must still be d.MasterSHA256
// when it is not empty. d.FrameCheck is stored as given (FramesChecked
// when empty); a pending clip awaits the clip check.
func (s *Store) CommitDerivative(ctx context.Context, p *Pending, d *Derivative, e *AuditEntry) error {
	if p.done {
		return errors.New("commit derivative: pending file already finished")
	}
	if err := p.waitSynced(); err != nil {
		_ = p.Discard() // failure path: that error is returned; a leftover is removed at the next open
		return err
	}
	d.SHA256, d.Size = p.SHA256(), p.size
	if d.CreatedAt.IsZero() {
		d.CreatedAt = time.Now()
	}
	d.CreatedAt = d.CreatedAt.UTC().Truncate(time.Millisecond)
	recipe, err := json.Marshal(d.Recipe)
	if err != nil {
		_ = p.Discard() // failure path: that error is returned; a leftover is removed at the next open
		return err
	}
	fmap, err := json.Marshal(d.FrameMap)
	if err != nil {
		_ = p.Discard() // failure path: that error is returned; a leftover is removed at the next open
		return err
	}
	if d.FrameMap == nil {
		fmap = []byte("[]")
	}
	switch d.FrameCheck {
	case "":
		d.FrameCheck = FramesChecked
	case FramesPending, FramesChecked, FramesFailed:
	default:
		_ = p.Discard() // failure path: that error is returned; a leftover is removed at the next open
		return fmt.Errorf("commit derivative: invalid clip check state %q", d.FrameCheck)
	}
	if d.FrameHash == nil {
		d.FrameHash = []byte{}
	}
	if d.MasterFrameHash == nil {
		d.MasterFrameHash = []byte{}
	}
	detail := e.Detail
	for attempt := 0; ; attempt++ {
		if d.ID, err = randomID(DerivativeIDLength); err != nil {
			break
		}
		err = s.withAudit(ctx, func(tx *sql.Tx) error {
			sum, err := recordingSHA(ctx, tx, d.RecordingID)
			if err != nil {
				return err
			}
			if d.MasterSHA256 != "" && d.MasterSHA256 != sum {
				return fmt.Errorf("master %s changed while the clip was made", d.RecordingID)
			}
			d.MasterSHA256 = sum
			var seq int
			if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM derivatives WHERE recording_id = ?",
				d.RecordingID).Scan(&seq); err != nil {
				return err
			}
			d.Ref = fmt.Sprintf("%s-C%d", d.RecordingID, seq)
			if d.Kind == KindRedacted {
				if err := checkRedactionSource(ctx, tx, d); err != nil {
					return err
				}
				d.Ref = fmt.Sprintf("%s-R%d", d.RecordingID, seq)
			} else {
				d.RedactionID, d.RedactionVersion = "", 0
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO derivatives (id, ref, recording_id, seq, master_sha256, kind,
				frame_from, frame_to, sha256, size, recipe, frame_hash, master_frame_hash, frame_map, created_by, created_at,
				vault_name, vault_size, data_key, redaction_id, redaction_version, frame_check) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
				d.ID, d.Ref, d.RecordingID, seq, d.MasterSHA256, string(d.Kind), d.From, d.To, d.SHA256, d.Size,
				string(recipe), d.FrameHash, d.MasterFrameHash, string(fmap), d.CreatedBy, d.CreatedAt.UnixMilli(),
				p.name, p.encSize, s.wrap.seal(p.key, derivativeKeyAD(d.ID)), d.RedactionID, d.RedactionVersion, d.FrameCheck); err != nil {
				return err
			}
			e.RecordingID, e.SHA256 = d.RecordingID, d.MasterSHA256
			e.Detail = fmt.Sprintf("%s %s %s frames %d-%d sha256 %s", d.Ref, d.ID, d.Kind, d.From, d.To, d.SHA256)
			if d.Kind == KindRedacted {
				e.Detail += fmt.Sprintf(" redaction %s version %d", d.RedactionID, d.RedactionVersion)
			}
			if detail != "" {
				e.Detail += " " + detail
			}
			return nil
		}, e)
		var se sqlite3.Error
		if attempt < 5 && errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey {
			continue
		}
		break
	}
	if err != nil {
		_ = p.Discard() // failure path: that error is returned; a leftover is removed at the next open
		d.ID, d.Ref = "", ""
		return err
	}
	return p.finish()
}

// checkRedactionSource checks, inside a redacted derivative's commit, that
// its redaction project belongs to its recording and has the version.
func checkRedactionSource(ctx context.Context, tx *sql.Tx, d *Derivative) error {
	d.RedactionID = normRedactionID(d.RedactionID)
	var rec string
	var v int
	err := tx.QueryRowContext(ctx, "SELECT recording_id, version FROM redaction_projects WHERE id = ?", d.RedactionID).Scan(&rec, &v)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && rec != d.RecordingID) {
		return fmt.Errorf("redacted copy of %s: redaction %q: %w", d.RecordingID, d.RedactionID, ErrNoRedaction)
	}
	if err != nil {
		return err
	}
	if d.RedactionVersion < 1 || d.RedactionVersion > v {
		return fmt.Errorf("redacted copy of %s: redaction %s version %d (the newest is %d): %w",
			d.RecordingID, d.RedactionID, d.RedactionVersion, v, ErrNoRedactionVersion)
	}
	return nil
}

// Derivatives returns the derivatives of a recording, oldest first.
func (s *Store) Derivatives(ctx context.Context, recordingID string) ([]*Derivative, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+derivativeColumns+
		" FROM derivatives d JOIN recordings r ON r.id = d.recording_id WHERE d.recording_id = ? ORDER BY d.seq", recordingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Derivative
	for rows.Next() {
		d, err := scanDerivative(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// GetDerivative returns the derivative with this id or exhibit reference
// (any case).
func (s *Store) GetDerivative(ctx context.Context, idOrRef string) (*Derivative, error) {
	k := strings.ToUpper(strings.TrimSpace(idOrRef))
	d, err := scanDerivative(s.db.QueryRowContext(ctx, "SELECT "+derivativeColumns+
		" FROM derivatives d JOIN recordings r ON r.id = d.recording_id WHERE d.id = ? OR d.ref = ?", k, k))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", idOrRef, ErrNoDerivative)
	}
	return d, err
}

// OpenDerivative opens the decrypted, random-access view of a derivative's
// file in the vault.
func (s *Store) OpenDerivative(ctx context.Context, id string) (*Master, error) {
	var name string
	var size, encSize int64
	var sealed []byte
	err := s.db.QueryRowContext(ctx, "SELECT vault_name, size, vault_size, data_key FROM derivatives WHERE id = ?", id).
		Scan(&name, &size, &encSize, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", id, ErrNoDerivative)
	}
	if err != nil {
		return nil, err
	}
	key, err := s.wrap.open(sealed, derivativeKeyAD(id))
	if err != nil {
		return nil, fmt.Errorf("%s data key: %w", id, err)
	}
	f, err := s.openVaultFile(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close() // read only, failure path: that error is returned
		return nil, err
	}
	if st.Size() != encSize {
		_ = f.Close() // read only, failure path: that error is returned
		return nil, fmt.Errorf("%s: vault file is %d bytes, expected %d: %w", id, st.Size(), encSize, ErrVaultDamaged)
	}
	ra, err := sio.DecryptReaderAt(f, sioConfig(key))
	if err != nil {
		_ = f.Close() // read only, failure path: that error is returned
		return nil, err
	}
	return &Master{f: f, ra: ra, size: size}, nil
}

// DerivativeVaultPath returns the path of a derivative's encrypted vault
// file (for integrity tooling and tests; the content is ciphertext).
func (s *Store) DerivativeVaultPath(ctx context.Context, id string) (string, error) {
	var name string
	err := s.db.QueryRowContext(ctx, "SELECT vault_name FROM derivatives WHERE id = ?", id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%s: %w", id, ErrNoDerivative)
	}
	if err != nil {
		return "", err
	}
	f, err := s.openVaultFile(name)
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }() // opened read only, to resolve its name
	return f.Name(), nil
}

// noteDerivativeDeletions records, inside a recording's deletion, the
// derivatives that go with it (their rows go by cascade) and returns
// their references.
func noteDerivativeDeletions(ctx context.Context, tx *sql.Tx, recordingID string) ([]string, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO derivative_deletions (id, ref, recording_id, kind, sha256, vault_name)
		SELECT id, ref, recording_id, kind, sha256, vault_name FROM derivatives WHERE recording_id = ?`, recordingID); err != nil {
		return nil, err
	}
	return queryStrings(ctx, tx, "SELECT ref FROM derivatives WHERE recording_id = ? ORDER BY seq", recordingID)
}

// derivativeVaultFiles returns the vault names of a deleted recording's
// derivatives whose files are not yet removed.
func (s *Store) derivativeVaultFiles(ctx context.Context, recordingID string) ([]string, error) {
	return queryStrings(ctx, s.db, "SELECT vault_name FROM derivative_deletions WHERE recording_id = ? AND vault_removed = 0", recordingID)
}
