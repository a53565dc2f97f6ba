package store

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// The audit trail is a table of append-only entries. Each entry's canonical
// JSON (AuditEntry.LeafData) is a leaf of an RFC 6962 Merkle tree kept with
// golang.org/x/mod/sumdb/tlog; after every append the store signs a
// checkpoint (origin, tree size, root hash) as a signed note
// (golang.org/x/mod/sumdb/note) with an Ed25519 key derived from the master
// key, and keeps it in audit_checkpoints and, the newest one, in the file
// audit.checkpoint beside the database, so that cutting entries off the end
// of the table is detected.

// CheckpointFile is the file in the store folder that holds the newest
// signed audit checkpoint.
const CheckpointFile = "audit.checkpoint"

// AuditEntry is one entry of the audit trail.
type AuditEntry struct {
	Seq         int64     `json:"seq"` // 1-based; leaf index + 1
	At          time.Time `json:"time"`
	User        string    `json:"user"`
	Role        string    `json:"role"`
	Action      string    `json:"action"`
	RecordingID string    `json:"recording_id"`
	SHA256      string    `json:"sha256"`
	Outcome     string    `json:"outcome"`
	Detail      string    `json:"detail"`
}

// Outcomes of audited actions.
const (
	OutcomeOK     = "ok"
	OutcomeFailed = "failed"
	OutcomeDenied = "denied"
)

// LeafData returns the bytes hashed into the Merkle tree for e: its JSON
// with the fields in a fixed order and the time in UTC milliseconds.
func (e *AuditEntry) LeafData() []byte {
	c := *e
	c.At = c.At.UTC().Truncate(time.Millisecond)
	b, err := json.Marshal(&c)
	if err != nil {
		panic(err) // only strings, ints and a time: cannot fail
	}
	return b
}

// auditSigner is the Ed25519 note signer of a store's checkpoints.
type auditSigner struct {
	name   string
	signer note.Signer
	vkey   string
}

func newAuditSigner(master []byte, storeID string) (*auditSigner, error) {
	seed, err := deriveKey(master, "audit checkpoint signing")
	if err != nil {
		return nil, err
	}
	priv := ed25519.NewKeyFromSeed(seed)
	name := "exhibit-audit-" + storeID
	vkey, err := note.NewEd25519VerifierKey(name, priv.Public().(ed25519.PublicKey))
	if err != nil {
		return nil, err
	}
	// vkey is name+hash+base64(alg||pub); the signer key has the same
	// name and hash and the seed in place of the public key.
	parts := strings.Split(vkey, "+")
	skey := "PRIVATE+KEY+" + name + "+" + parts[1] + "+" +
		base64.StdEncoding.EncodeToString(append([]byte{1}, seed...))
	sg, err := note.NewSigner(skey)
	if err != nil {
		return nil, err
	}
	return &auditSigner{name: name, signer: sg, vkey: vkey}, nil
}

// AuditVerifierKey returns the public key that verifies this store's
// checkpoints, in golang.org/x/mod/sumdb/note verifier-key form.
func (s *Store) AuditVerifierKey() string { return s.audit.vkey }

// Checkpoint is a signed statement of the audit tree at one size.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	Note   string // the signed note, as written
}

func (s *Store) checkpointOrigin() string { return "exhibit audit " + s.id }

func (s *Store) signCheckpoint(size int64, root tlog.Hash) (string, error) {
	text := fmt.Sprintf("%s\n%d\n%s\n", s.checkpointOrigin(), size, root)
	b, err := note.Sign(&note.Note{Text: text}, s.audit.signer)
	if err != nil {
		return "", fmt.Errorf("sign audit checkpoint: %w", err)
	}
	return string(b), nil
}

// ParseCheckpoint verifies a signed checkpoint note with the store's key
// and returns what it states.
func (s *Store) ParseCheckpoint(signed string) (*Checkpoint, error) {
	v, err := note.NewVerifier(s.audit.vkey)
	if err != nil {
		return nil, err
	}
	n, err := note.Open([]byte(signed), note.VerifierList(v))
	if err != nil {
		return nil, fmt.Errorf("checkpoint signature: %w", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) != 4 || lines[3] != "" || lines[0] != s.checkpointOrigin() {
		return nil, errors.New("checkpoint is not one of this store's")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return nil, errors.New("checkpoint size is not a number")
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return nil, fmt.Errorf("checkpoint root: %w", err)
	}
	return &Checkpoint{Origin: lines[0], Size: size, Root: root, Note: signed}, nil
}

// txHashes reads stored tree hashes inside a transaction.
type txHashes struct {
	ctx context.Context
	tx  *sql.Tx
}

func (r txHashes) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		var b []byte
		if err := r.tx.QueryRowContext(r.ctx, "SELECT hash FROM audit_tree WHERE idx = ?", x).Scan(&b); err != nil {
			return nil, fmt.Errorf("audit tree hash %d: %w", x, err)
		}
		if len(b) != tlog.HashSize {
			return nil, fmt.Errorf("audit tree hash %d is damaged", x)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// dbHashes reads stored tree hashes outside a transaction (hashes of
// existing entries never change).
type dbHashes struct{ db *sql.DB }

func (r dbHashes) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		var b []byte
		if err := r.db.QueryRow("SELECT hash FROM audit_tree WHERE idx = ?", x).Scan(&b); err != nil {
			return nil, fmt.Errorf("audit tree hash %d: %w", x, err)
		}
		if len(b) != tlog.HashSize {
			return nil, fmt.Errorf("audit tree hash %d is damaged", x)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// appendAudit appends e inside tx: the entry, its tree hashes and a signed
// checkpoint of the new tree. It sets e.Seq and e.At and returns the
// checkpoint note.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, e *AuditEntry) (string, error) {
	var n int64
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM audit").Scan(&n); err != nil {
		return "", fmt.Errorf("audit: %w", err)
	}
	e.Seq = n + 1
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = e.At.UTC().Truncate(time.Millisecond)
	if e.Outcome == "" {
		e.Outcome = OutcomeOK
	}
	r := txHashes{ctx, tx}
	hashes, err := tlog.StoredHashes(n, e.LeafData(), r)
	if err != nil {
		return "", fmt.Errorf("audit tree: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit (seq, at, user, role, action, recording_id, sha256, outcome, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.Seq, e.At.UnixMilli(), e.User, e.Role, e.Action, e.RecordingID,
		e.SHA256, e.Outcome, e.Detail); err != nil {
		return "", fmt.Errorf("audit: %w", err)
	}
	base := tlog.StoredHashCount(n)
	for i, h := range hashes {
		// REPLACE: hashes left behind by a trail cut short outside the
		// application are overwritten (verify reports the cut through the
		// checkpoint file, which is never replaced by a diverging tree).
		if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO audit_tree (idx, hash) VALUES (?, ?)", base+int64(i), h[:]); err != nil {
			return "", fmt.Errorf("audit tree: %w", err)
		}
	}
	root, err := tlog.TreeHash(n+1, r)
	if err != nil {
		return "", fmt.Errorf("audit tree: %w", err)
	}
	cp, err := s.signCheckpoint(n+1, root)
	if err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO audit_checkpoints (size, note) VALUES (?, ?)", n+1, cp); err != nil {
		return "", fmt.Errorf("audit checkpoint: %w", err)
	}
	return cp, nil
}

// withAudit runs f and appends the entries in one immediate transaction, so
// a change and its audit entries are committed together or not at all. The
// entries are appended after f returns, so f may fill them in. After the
// commit the newest checkpoint is written to the checkpoint file.
func (s *Store) withAudit(ctx context.Context, f func(*sql.Tx) error, entries ...*AuditEntry) error {
	var cp string
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if f != nil {
			if err := f(tx); err != nil {
				return err
			}
		}
		for _, e := range entries {
			var err error
			if cp, err = s.appendAudit(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || cp == "" {
		return err
	}
	return s.writeCheckpointFile(cp)
}

// Audit appends entries that record no other change in the database (a
// view, a still, a denied request, a verify run). It sets their Seq and At.
func (s *Store) Audit(ctx context.Context, entries ...*AuditEntry) error {
	return s.withAudit(ctx, nil, entries...)
}

// writeCheckpointFile replaces the checkpoint file with cp unless it already
// holds a larger tree (another process may have appended since), or holds
// a tree that is not a prefix of cp's (the trail was cut or rewritten
// outside the application: the file keeps the evidence for verify).
// Writers take an flock on a lock file beside it, so the file only grows.
func (s *Store) writeCheckpointFile(cp string) error {
	c, err := s.ParseCheckpoint(cp)
	if err != nil {
		return err
	}
	lf, err := os.OpenFile(filepath.Join(s.dir, CheckpointFile+".lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit checkpoint file: %w", err)
	}
	defer func() { _ = lf.Close() }() // the lock file: closing releases the lock; nothing is written through it
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("audit checkpoint file: %w", err)
	}
	path := filepath.Join(s.dir, CheckpointFile)
	if old, err := os.ReadFile(path); err == nil {
		if oc, err := s.ParseCheckpoint(string(old)); err == nil {
			if oc.Size >= c.Size {
				return nil
			}
			if oc.Size > 0 {
				root, err := tlog.TreeHash(oc.Size, dbHashes{s.db})
				if err != nil || root != oc.Root {
					return nil
				}
			}
		}
	}
	return WriteFileAtomic(path, []byte(cp), 0o600)
}

// LatestCheckpoint returns the newest signed checkpoint in the database
// (nil for an empty trail).
func (s *Store) LatestCheckpoint(ctx context.Context) (*Checkpoint, error) {
	var text string
	err := s.db.QueryRowContext(ctx, "SELECT note FROM audit_checkpoints ORDER BY size DESC LIMIT 1").Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.ParseCheckpoint(text)
}

// AuditQuery narrows AuditEntries. Empty fields match everything.
type AuditQuery struct {
	RecordingID string
	User        string
	Action      string // exact, or a prefix ending in "." (e.g. "signin.")
	// IncludeRestricted includes entries about recordings that are
	// restricted (or were, when deleted).
	IncludeRestricted bool
	Limit             int // 0 = all; with a limit the newest entries are returned
}

// AuditEntries returns the entries matching q in sequence order.
func (s *Store) AuditEntries(ctx context.Context, q AuditQuery) ([]AuditEntry, error) {
	where := []string{"1=1"}
	var args []any
	if q.RecordingID != "" {
		where = append(where, "a.recording_id = ?")
		args = append(args, q.RecordingID)
	}
	if q.User != "" {
		where = append(where, "a.user = ?")
		args = append(args, strings.ToLower(q.User))
	}
	if q.Action != "" {
		if strings.HasSuffix(q.Action, ".") {
			where = append(where, "substr(a.action, 1, ?) = ?")
			args = append(args, len(q.Action), q.Action)
		} else {
			where = append(where, "(a.action = ? OR substr(a.action, 1, ?) = ?)")
			args = append(args, q.Action, len(q.Action)+1, q.Action+".")
		}
	}
	if !q.IncludeRestricted {
		where = append(where, "a.recording_id NOT IN (SELECT id FROM restricted_ids)")
	}
	query := "WITH restricted_ids AS (" + restrictedIDsSQL + ") SELECT a.seq, a.at, a.user, a.role, a.action, " +
		"a.recording_id, a.sha256, a.outcome, a.detail FROM audit a WHERE " + strings.Join(where, " AND ")
	if q.Limit > 0 {
		query = "SELECT * FROM (" + query + " ORDER BY a.seq DESC LIMIT " + strconv.Itoa(q.Limit) + ") ORDER BY seq"
	} else {
		query += " ORDER BY a.seq"
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read audit trail: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// restrictedIDsSQL selects the ids of recordings whose audit entries only
// psd and admin may read: restricted ones, and deleted ones that were
// restricted when they were deleted.
const restrictedIDsSQL = "SELECT id FROM recordings WHERE restricted = 1 UNION ALL SELECT recording_id FROM deletions WHERE restricted = 1"

func scanAudit(row scanner) (AuditEntry, error) {
	var e AuditEntry
	var at int64
	if err := row.Scan(&e.Seq, &at, &e.User, &e.Role, &e.Action, &e.RecordingID, &e.SHA256, &e.Outcome, &e.Detail); err != nil {
		return e, fmt.Errorf("read audit trail: %w", err)
	}
	e.At = time.UnixMilli(at).UTC()
	return e, nil
}

// AuditProblem is the first thing wrong with an audit trail.
type AuditProblem struct {
	Seq    int64  // first entry that fails (0 when the problem is not one entry's)
	Reason string // a sentence
}

func (p *AuditProblem) Error() string {
	if p.Seq > 0 {
		return fmt.Sprintf("audit entry %d: %s", p.Seq, p.Reason)
	}
	return p.Reason
}

// AuditReport is the result of VerifyAudit.
type AuditReport struct {
	Entries     int64       // entries in the table
	Checkpoints int         // signed checkpoints checked
	FileSize    int64       // tree size the checkpoint file states (-1: no file)
	Root        tlog.Hash   // recomputed root of the whole trail
	Latest      *Checkpoint // newest checkpoint in the database
	Problem     *AuditProblem
}

// VerifyAudit recomputes every leaf and the whole tree from the entries,
// checks every signed checkpoint against it and checks the checkpoint file.
// It trusts nothing stored but the signatures: an edited field, a deleted,
// reordered or inserted entry, a truncated trail, a damaged stored tree or
// a forged checkpoint is reported (Problem) with the first entry that
// fails. The error is for failures to read at all.
func (s *Store) VerifyAudit(ctx context.Context) (*AuditReport, error) {
	rep := &AuditReport{FileSize: -1}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// A read transaction in WAL mode is one snapshot; the checkpoint file
	// is read first, so entries appended meanwhile only make the table longer.
	fileCP, fileErr := os.ReadFile(filepath.Join(s.dir, CheckpointFile))
	rows, err := tx.QueryContext(ctx, "SELECT seq, at, user, role, action, recording_id, sha256, outcome, detail FROM audit ORDER BY seq")
	if err != nil {
		return nil, fmt.Errorf("read audit trail: %w", err)
	}
	var hashes []tlog.Hash
	mem := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x < 0 || x >= int64(len(hashes)) {
				return nil, fmt.Errorf("no hash %d", x)
			}
			out[i] = hashes[x]
		}
		return out, nil
	})
	fail := func(seq int64, format string, a ...any) (*AuditReport, error) {
		rep.Problem = &AuditProblem{Seq: seq, Reason: fmt.Sprintf(format, a...)}
		return rep, nil
	}
	var n int64
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if e.Seq != n+1 {
			rows.Close()
			if e.Seq > n+1 {
				return fail(n+1, "missing: the trail goes from entry %d to entry %d", n, e.Seq)
			}
			return fail(e.Seq, "out of order")
		}
		hs, err := tlog.StoredHashes(n, e.LeafData(), mem)
		if err != nil {
			rows.Close()
			return nil, err
		}
		hashes = append(hashes, hs...)
		n++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit trail: %w", err)
	}
	rep.Entries = n
	if n > 0 {
		if rep.Root, err = tlog.TreeHash(n, mem); err != nil {
			return nil, err
		}
	}

	// Every size 1..n must have a checkpoint whose signature holds and
	// whose root is the recomputed one. An edited or reordered entry k
	// makes the checkpoints from size k on disagree.
	crows, err := tx.QueryContext(ctx, "SELECT size, note FROM audit_checkpoints ORDER BY size")
	if err != nil {
		return nil, fmt.Errorf("read audit checkpoints: %w", err)
	}
	defer crows.Close()
	var want int64 = 1
	for crows.Next() {
		var size int64
		var text string
		if err := crows.Scan(&size, &text); err != nil {
			return nil, err
		}
		cp, err := s.ParseCheckpoint(text)
		if err != nil {
			return fail(size, "its signed checkpoint does not verify (%v)", err)
		}
		if cp.Size != size {
			return fail(size, "its checkpoint row says size %d but is signed for %d", size, cp.Size)
		}
		if size > n {
			return fail(n+1, "missing: a signed checkpoint covers %d entries but the trail ends at entry %d", size, n)
		}
		if size != want {
			return fail(want, "its signed checkpoint is missing")
		}
		root, err := tlog.TreeHash(size, mem)
		if err != nil {
			return nil, err
		}
		if root != cp.Root {
			return fail(size, "does not match the signed checkpoint for %d entries (edited, replaced or reordered)", size)
		}
		rep.Checkpoints++
		rep.Latest = cp
		want++
	}
	if err := crows.Err(); err != nil {
		return nil, err
	}
	if want <= n {
		return fail(want, "its signed checkpoint is missing")
	}

	switch {
	case errors.Is(fileErr, os.ErrNotExist):
		if n > 0 {
			return fail(0, "the checkpoint file %s is missing", CheckpointFile)
		}
	case fileErr != nil:
		return nil, fmt.Errorf("read %s: %w", CheckpointFile, fileErr)
	default:
		cp, err := s.ParseCheckpoint(string(fileCP))
		if err != nil {
			return fail(0, "the checkpoint file %s does not verify (%v)", CheckpointFile, err)
		}
		rep.FileSize = cp.Size
		if cp.Size > n {
			return fail(n+1, "missing: the trail ends at entry %d but the signed checkpoint file covers %d entries (truncated)", n, cp.Size)
		}
		if cp.Size > 0 {
			root, err := tlog.TreeHash(cp.Size, mem)
			if err != nil {
				return nil, err
			}
			if root != cp.Root {
				return fail(cp.Size, "does not match the signed checkpoint file")
			}
		}
	}

	// The stored tree must be the recomputed one (proofs are read from it).
	var stored int64
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM audit_tree").Scan(&stored); err != nil {
		return nil, err
	}
	if stored != int64(len(hashes)) {
		return fail(0, "the stored audit tree has %d hashes, the entries make %d", stored, len(hashes))
	}
	trows, err := tx.QueryContext(ctx, "SELECT idx, hash FROM audit_tree ORDER BY idx")
	if err != nil {
		return nil, err
	}
	defer trows.Close()
	for trows.Next() {
		var idx int64
		var h []byte
		if err := trows.Scan(&idx, &h); err != nil {
			return nil, err
		}
		if idx < 0 || idx >= int64(len(hashes)) || !bytes.Equal(h, hashes[idx][:]) {
			return fail(0, "the stored audit tree is damaged at hash %d", idx)
		}
	}
	return rep, trows.Err()
}

// InclusionProof proves that one entry is in the tree of a signed checkpoint.
type InclusionProof struct {
	Seq        int64       // entry
	LeafIndex  int64       // Seq - 1
	TreeSize   int64       // size of the checkpoint's tree
	LeafHash   tlog.Hash   // RFC 6962 leaf hash of the entry's LeafData
	Hashes     []tlog.Hash // audit path, from the leaf up
	Root       tlog.Hash
	Checkpoint string // signed note stating TreeSize and Root
	Entry      AuditEntry
}

// newestCheckpoint reads and checks the newest signed checkpoint in tx.
func (s *Store) newestCheckpoint(ctx context.Context, tx *sql.Tx) (*Checkpoint, error) {
	var text string
	if err := tx.QueryRowContext(ctx, "SELECT note FROM audit_checkpoints ORDER BY size DESC LIMIT 1").Scan(&text); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, errors.New("the audit trail is empty")
		}
		return nil, err
	}
	return s.ParseCheckpoint(text)
}

// ProveInclusion returns the inclusion proof of entry seq in the newest
// signed tree.
func (s *Store) ProveInclusion(ctx context.Context, seq int64) (*InclusionProof, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	cp, err := s.newestCheckpoint(ctx, tx)
	if err != nil {
		return nil, err
	}
	if seq < 1 || seq > cp.Size {
		return nil, fmt.Errorf("no audit entry %d (the trail has %d)", seq, cp.Size)
	}
	e, err := scanAudit(tx.QueryRowContext(ctx, "SELECT seq, at, user, role, action, recording_id, sha256, outcome, detail FROM audit WHERE seq = ?", seq))
	if err != nil {
		return nil, err
	}
	r := txHashes{ctx, tx}
	p, err := tlog.ProveRecord(cp.Size, seq-1, r)
	if err != nil {
		return nil, fmt.Errorf("prove entry %d: %w", seq, err)
	}
	leaf := tlog.RecordHash(e.LeafData())
	if err := tlog.CheckRecord(p, cp.Size, cp.Root, seq-1, leaf); err != nil {
		return nil, fmt.Errorf("entry %d does not prove against the signed checkpoint (run `exhibit audit verify`): %w", seq, err)
	}
	return &InclusionProof{Seq: seq, LeafIndex: seq - 1, TreeSize: cp.Size, LeafHash: leaf, Hashes: p,
		Root: cp.Root, Checkpoint: cp.Note, Entry: e}, nil
}
