package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
	"github.com/minio/sio"
)

// ErrNotFound reports an id that names no recording.
var ErrNotFound = errors.New("recording not found")

// ErrAmbiguous reports an id prefix that matches more than one recording.
var ErrAmbiguous = errors.New("id prefix matches more than one recording")

// ErrDuplicate reports a master whose SHA-256 is already in the store.
var ErrDuplicate = errors.New("already in the store")

// IDLength is the length of recording ids.
const IDLength = 8

// GPS is a position fix in decimal degrees (WGS 84).
type GPS struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Personal is the personal data of a recording. It is stored sealed.
type Personal struct {
	Officer      string `json:"officer,omitempty"`
	DeviceSerial string `json:"device_serial,omitempty"`
	Make         string `json:"make,omitempty"`
	Model        string `json:"model,omitempty"`
	SourceName   string `json:"source_name,omitempty"` // file name on the camera
	GPS          *GPS   `json:"gps,omitempty"`
}

// Recording is one ingested master and what is known about it.
type Recording struct {
	ID               string
	SHA256           string
	Size             int64
	RecordedAt       time.Time // UTC
	RecordedAtSource string    // sidecar, container or mtime
	IngestedAt       time.Time // UTC
	Duration         time.Duration
	Frames           int
	Width, Height    int
	FPSNum, FPSDen   int64
	Container        string
	VideoCodec       string
	AudioCodec       string
	Status           string // unreviewed, evidence, policing, nfa or referred
	Restricted       bool
	Held             bool // under legal hold: retention never deletes it
	VaultSize        int64
	Personal         Personal
	// DeleteAt is when retention deletes the recording (zero: kept, by
	// decision or hold, or not acted on). The store leaves it zero;
	// app.Library fills it in from the retention policy.
	DeleteAt time.Time
	// RetentionRule says why DeleteAt is what it is (set with DeleteAt).
	RetentionRule string
	// Retention is the retention outcome (an app.RetentionOutcome), set
	// with DeleteAt; read it with app.RetentionOf.
	Retention string
	// FrameCheck is the state of the frame table's check by decoding
	// (FramesPending, FramesChecked, FramesCorrected, FramesFailed). Get
	// sets it; List summaries leave it empty (app fills it in from
	// UncheckedFrames).
	FrameCheck string
	// Marks is the number of markers (annotations not deleted). The store
	// leaves it zero in List; app.Library fills it in from MarkCounts.
	Marks int
	// SARID and SARDue name the open subject access request including the
	// recording that is due first (SARID 0: none the user may see; SARDue
	// is a calendar day, midnight UTC). The store leaves them zero;
	// app.Library fills them in from OpenSARDues.
	SARID  int64
	SARDue time.Time
}

// FPS returns the frame rate as a float (0 when unknown).
func (r *Recording) FPS() float64 {
	if r.FPSDen == 0 {
		return 0
	}
	return float64(r.FPSNum) / float64(r.FPSDen)
}

func personalAD(id string) string  { return "recordings.personal|" + id }
func dataKeyAD(id string) string   { return "recordings.data_key|" + id }
func thumbnailAD(id string) string { return "thumbnails.image|" + id }

// Commit adds the verified pending master to the store as a new recording
// with its frame table and thumbnail (either may be nil) in one transaction,
// then moves the vault file into place. rec.ID is set to the new id.
// A master whose SHA-256 is already stored gives ErrDuplicate and the pending
// file is discarded. The audit entry e (may be nil) is appended in the same
// transaction with the new id and the master's SHA-256 filled in.
func (s *Store) Commit(ctx context.Context, p *Pending, rec *Recording, frameTable, thumbnail []byte, e *AuditEntry) error {
	if p.done {
		return errors.New("commit: pending master already finished")
	}
	rec.SHA256, rec.Size, rec.VaultSize = p.SHA256(), p.size, p.encSize
	// The row may only refer to a file that is already durable.
	if err := p.waitSynced(); err != nil {
		_ = p.Discard() // failure path: that error is returned; a leftover is removed at the next open
		return err
	}
	if rec.Status == "" {
		rec.Status = "unreviewed"
	}
	var err error
	for attempt := 0; ; attempt++ {
		if rec.ID, err = randomID(IDLength); err != nil {
			break
		}
		var entries []*AuditEntry
		if e != nil {
			entries = append(entries, e)
		}
		err = s.withAudit(ctx, func(tx *sql.Tx) error {
			if err := s.insert(tx, p, rec, frameTable, thumbnail); err != nil {
				return err
			}
			if e != nil {
				e.RecordingID, e.SHA256 = rec.ID, rec.SHA256
			}
			return nil
		}, entries...)
		var se sqlite3.Error
		if attempt < 5 && errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey {
			continue // id collision: draw another
		}
		break
	}
	if err != nil {
		_ = p.Discard() // failure path: that error is returned; a leftover is removed at the next open
		rec.ID = ""
		return err
	}
	return p.finish()
}

func (s *Store) insert(tx *sql.Tx, p *Pending, rec *Recording, frameTable, thumbnail []byte) error {
	var existing string
	err := tx.QueryRow("SELECT id FROM recordings WHERE sha256 = ?", rec.SHA256).Scan(&existing)
	if err == nil {
		return fmt.Errorf("%w as %s", ErrDuplicate, existing)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	pj := rec.Personal.marshal()
	if rec.FrameCheck == "" {
		rec.FrameCheck = FramesChecked
	}
	_, err = tx.Exec(`INSERT INTO recordings (id, sha256, size, recorded_at, recorded_at_source, ingested_at,
		duration_ms, frame_count, width, height, fps_num, fps_den, container, video_codec, audio_codec,
		status, restricted, vault_name, vault_size, data_key, personal, frame_check)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		rec.ID, rec.SHA256, rec.Size, rec.RecordedAt.UnixMilli(), rec.RecordedAtSource, rec.IngestedAt.UnixMilli(),
		rec.Duration.Milliseconds(), rec.Frames, rec.Width, rec.Height, rec.FPSNum, rec.FPSDen,
		rec.Container, rec.VideoCodec, rec.AudioCodec, rec.Status, rec.Restricted, p.name, rec.VaultSize,
		s.wrap.seal(p.key, dataKeyAD(rec.ID)), s.fields.seal(pj, personalAD(rec.ID)), rec.FrameCheck)
	if err != nil {
		return err
	}
	if frameTable != nil {
		if _, err := tx.Exec("INSERT INTO frame_tables (recording_id, data) VALUES (?, ?)", rec.ID, frameTable); err != nil {
			return err
		}
	}
	if thumbnail != nil {
		if _, err := tx.Exec("INSERT INTO thumbnails (recording_id, image) VALUES (?, ?)",
			rec.ID, s.fields.seal(thumbnail, thumbnailAD(rec.ID))); err != nil {
			return err
		}
	}
	return nil
}

// HasSHA256 returns the id of the recording whose master has this hex
// SHA-256, or "" when there is none.
func (s *Store) HasSHA256(ctx context.Context, sum string) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, "SELECT id FROM recordings WHERE sha256 = ?", sum).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// HasSize reports whether any stored master has exactly size bytes: only
// then can a new source be a duplicate, and worth hashing before encrypting.
func (s *Store) HasSize(ctx context.Context, size int64) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM recordings WHERE size = ? LIMIT 1", size).Scan(&n)
	return n > 0, err
}

const recordingColumns = `id, sha256, size, recorded_at, recorded_at_source, ingested_at, duration_ms,
	frame_count, width, height, fps_num, fps_den, container, video_codec, audio_codec, status, restricted,
	held, vault_size, frame_check, personal`

type scanner interface{ Scan(...any) error }

// summaryColumns are what List reads: what a library row shows. Listing
// 100,000 recordings costs per column read, so the rest waits for Get.
const summaryColumns = `id, sha256, recorded_at, duration_ms, frame_count, status, restricted, held, personal`

// scanSummary reads one row of summaryColumns, leaving the personal data
// sealed in *sealed.
func scanSummary(row scanner, r *Recording, sealed *[]byte) error {
	var rec, dur int64
	if err := row.Scan(&r.ID, &r.SHA256, &rec, &dur, &r.Frames, &r.Status, &r.Restricted, &r.Held, sealed); err != nil {
		return err
	}
	r.RecordedAt = time.UnixMilli(rec).UTC()
	r.Duration = time.Duration(dur) * time.Millisecond
	return nil
}

// scanSealed reads one row of recordingColumns, leaving the personal data
// sealed in *sealed.
func scanSealed(row scanner, r *Recording, sealed *[]byte) error {
	var rec, ing, dur int64
	if err := row.Scan(&r.ID, &r.SHA256, &r.Size, &rec, &r.RecordedAtSource, &ing, &dur, &r.Frames,
		&r.Width, &r.Height, &r.FPSNum, &r.FPSDen, &r.Container, &r.VideoCodec, &r.AudioCodec, &r.Status,
		&r.Restricted, &r.Held, &r.VaultSize, &r.FrameCheck, sealed); err != nil {
		return err
	}
	r.RecordedAt = time.UnixMilli(rec).UTC()
	r.IngestedAt = time.UnixMilli(ing).UTC()
	r.Duration = time.Duration(dur) * time.Millisecond
	return nil
}

// openPersonal decrypts and decodes a recording's sealed personal data.
func (s *Store) openPersonal(r *Recording, sealed []byte) error {
	pj, err := s.fields.open(sealed, personalAD(r.ID))
	if err != nil {
		return fmt.Errorf("recording %s personal data: %w", r.ID, err)
	}
	if err := r.Personal.unmarshal(pj); err != nil {
		return fmt.Errorf("recording %s personal data: %w", r.ID, err)
	}
	return nil
}

func (s *Store) scanRecording(row scanner) (*Recording, error) {
	var r Recording
	var sealed []byte
	if err := scanSealed(row, &r, &sealed); err != nil {
		return nil, err
	}
	if err := s.openPersonal(&r, sealed); err != nil {
		return nil, err
	}
	return &r, nil
}

// ListOptions narrows List.
type ListOptions struct {
	IncludeRestricted bool      // restricted recordings are left out unless set
	From, To          time.Time // recorded-at range, zero = open
	Status            string    // "" = any
	Limit             int       // 0 = no limit
}

// List returns summaries of recordings, newest recorded first: ID, SHA256,
// RecordedAt, Duration, Frames, Status, Restricted and Personal are set;
// Get returns everything about one. It reads the sealed list snapshot when
// it is current (see listcache.go), and otherwise scans the table and
// leaves a new snapshot for the next call.
func (s *Store) List(ctx context.Context, o ListOptions) ([]*Recording, error) {
	gen, err := s.listGeneration(ctx)
	if err != nil {
		return nil, fmt.Errorf("list recordings: %w", err)
	}
	all, ok := s.cachedList(ctx, gen)
	if !ok {
		if all, err = s.scanList(ctx); err != nil {
			return nil, err
		}
		if now, err := s.listGeneration(ctx); err == nil && now == gen {
			s.storeListCache(ctx, gen, all)
		}
	}
	out := all[:0]
	for _, r := range all {
		switch {
		case r.Restricted && !o.IncludeRestricted,
			!o.From.IsZero() && r.RecordedAt.Before(o.From),
			!o.To.IsZero() && !r.RecordedAt.Before(o.To),
			o.Status != "" && r.Status != o.Status:
			continue
		}
		out = append(out, r)
		if o.Limit > 0 && len(out) == o.Limit {
			break
		}
	}
	return out, nil
}

// scanList reads every recording's summary from the table, newest first.
func (s *Store) scanList(ctx context.Context) ([]*Recording, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+summaryColumns+" FROM recordings ORDER BY recorded_at DESC, id DESC")
	if err != nil {
		return nil, fmt.Errorf("list recordings: %w", err)
	}
	defer rows.Close()
	// This goroutine steps SQLite while a second one decrypts and decodes
	// the personal data of the rows already read, in batches.
	type batch struct {
		recs   []Recording
		sealed [][]byte
	}
	const batchSize = 512
	batches := make(chan batch, 4)
	var out []*Recording
	var openErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range batches {
			if openErr != nil {
				continue
			}
			for i := range b.recs {
				if err := s.openPersonal(&b.recs[i], b.sealed[i]); err != nil {
					openErr = err
					break
				}
				out = append(out, &b.recs[i])
			}
		}
	}()
	cur := batch{recs: make([]Recording, 0, batchSize), sealed: make([][]byte, 0, batchSize)}
	var scanErr error
	for rows.Next() {
		cur.recs = append(cur.recs, Recording{})
		cur.sealed = append(cur.sealed, nil)
		if scanErr = scanSummary(rows, &cur.recs[len(cur.recs)-1], &cur.sealed[len(cur.sealed)-1]); scanErr != nil {
			break
		}
		if len(cur.recs) == batchSize {
			batches <- cur
			cur = batch{recs: make([]Recording, 0, batchSize), sealed: make([][]byte, 0, batchSize)}
		}
	}
	batches <- cur
	close(batches)
	<-done
	if scanErr == nil {
		scanErr = rows.Err()
	}
	if scanErr != nil {
		return nil, fmt.Errorf("list recordings: %w", scanErr)
	}
	return out, openErr
}

// ErrRestricted reports a recording that exists but is restricted, asked
// for without IncludeRestricted. Callers show it as "not found or not
// permitted" and audit the attempt.
type ErrRestricted struct{ ID string }

func (e *ErrRestricted) Error() string { return e.ID + ": recording is restricted" }

// Resolve turns a full id or a unique prefix of one (any case) into an id.
// Unless includeRestricted, restricted recordings are invisible to prefixes
// and a request that can only mean one of them gives *ErrRestricted.
func (s *Store) Resolve(ctx context.Context, idOrPrefix string, includeRestricted bool) (string, error) {
	p := strings.ToUpper(strings.TrimSpace(idOrPrefix))
	if p == "" || strings.ContainsAny(p, "%_") {
		return "", fmt.Errorf("%q: %w", idOrPrefix, ErrNotFound)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT id, restricted FROM recordings WHERE id LIKE ? ORDER BY id", p+"%")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var ids, hidden []string
	for rows.Next() {
		var id string
		var restricted bool
		if err := rows.Scan(&id, &restricted); err != nil {
			return "", err
		}
		if id == p && (includeRestricted || !restricted) {
			return id, nil
		}
		if restricted && !includeRestricted {
			hidden = append(hidden, id)
			continue
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	switch {
	case len(ids) == 1:
		return ids[0], nil
	case len(ids) > 1:
		return "", fmt.Errorf("%q: %w", idOrPrefix, ErrAmbiguous)
	case len(hidden) == 1:
		return "", &ErrRestricted{ID: hidden[0]}
	}
	return "", fmt.Errorf("%q: %w", idOrPrefix, ErrNotFound)
}

// SetRestricted restricts a recording to professional standards (or lifts
// that) and appends e in the same transaction.
func (s *Store) SetRestricted(ctx context.Context, id string, restricted bool, e *AuditEntry) error {
	return s.withAudit(ctx, func(tx *sql.Tx) error {
		var sum string
		err := tx.QueryRowContext(ctx, "UPDATE recordings SET restricted = ? WHERE id = ? RETURNING sha256", restricted, id).Scan(&sum)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s: %w", id, ErrNotFound)
		}
		e.RecordingID, e.SHA256 = id, sum
		return err
	}, e)
}

// Get returns the recording with this exact id.
func (s *Store) Get(ctx context.Context, id string) (*Recording, error) {
	r, err := s.scanRecording(s.db.QueryRowContext(ctx, "SELECT "+recordingColumns+" FROM recordings WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	return r, err
}

// Count returns the number of recordings (restricted ones only when asked).
func (s *Store) Count(ctx context.Context, includeRestricted bool) (int, error) {
	q := "SELECT count(*) FROM recordings"
	if !includeRestricted {
		q += " WHERE restricted = 0"
	}
	var n int
	err := s.db.QueryRowContext(ctx, q).Scan(&n)
	return n, err
}

// FrameTable returns the stored frame table of a recording (nil if none).
func (s *Store) FrameTable(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, "SELECT data FROM frame_tables WHERE recording_id = ?", id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return b, err
}

// Thumbnail returns the decrypted thumbnail of a recording (nil if none).
func (s *Store) Thumbnail(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, "SELECT image FROM thumbnails WHERE recording_id = ?", id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.fields.open(b, thumbnailAD(id))
}

type vaultEntry struct {
	name    string
	size    int64
	encSize int64
	key     []byte
}

func (s *Store) vaultEntry(ctx context.Context, id string) (*vaultEntry, error) {
	var v vaultEntry
	var sealed []byte
	err := s.db.QueryRowContext(ctx, "SELECT vault_name, size, vault_size, data_key FROM recordings WHERE id = ?", id).
		Scan(&v.name, &v.size, &v.encSize, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if v.key, err = s.wrap.open(sealed, dataKeyAD(id)); err != nil {
		return nil, fmt.Errorf("%s data key: %w", id, err)
	}
	return &v, nil
}

// OpenMaster opens the decrypted, random-access view of a recording's master.
func (s *Store) OpenMaster(ctx context.Context, id string) (*Master, error) {
	v, err := s.vaultEntry(ctx, id)
	if err != nil {
		return nil, err
	}
	f, err := s.openVaultFile(v.name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close() // failure path, opened for reading
		return nil, err
	}
	if st.Size() != v.encSize {
		_ = f.Close() // failure path, opened for reading
		return nil, fmt.Errorf("%s: vault file is %d bytes, expected %d: %w", id, st.Size(), v.encSize, ErrVaultDamaged)
	}
	ra, err := sio.DecryptReaderAt(f, sioConfig(v.key))
	if err != nil {
		_ = f.Close() // failure path, opened for reading
		return nil, err
	}
	return &Master{f: f, ra: ra, size: v.size}, nil
}

// VerifyMaster decrypts a recording's whole master and re-hashes it. It
// returns ErrVaultDamaged (wrapped) when the result does not match the
// SHA-256 taken at ingest.
func (s *Store) VerifyMaster(ctx context.Context, id string, progress func(int64)) error {
	v, err := s.vaultEntry(ctx, id)
	if err != nil {
		return err
	}
	var want string
	if err := s.db.QueryRowContext(ctx, "SELECT sha256 FROM recordings WHERE id = ?", id).Scan(&want); err != nil {
		return err
	}
	f, err := s.openVaultFile(v.name)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // opened for reading: nothing to lose
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() != v.encSize {
		return fmt.Errorf("vault file is %d bytes, expected %d: %w", st.Size(), v.encSize, ErrVaultDamaged)
	}
	sum, n, err := decryptAndHash(ctx, f, v.encSize, v.key, progress)
	if err != nil {
		return err
	}
	if n != v.size || fmt.Sprintf("%x", sum) != want {
		return fmt.Errorf("SHA-256 %x (%d bytes) differs from %s taken at ingest: %w", sum, n, want, ErrVaultDamaged)
	}
	return nil
}

// VaultPath returns the path of a recording's encrypted vault file (for
// integrity tooling and tests; the content is ciphertext).
func (s *Store) VaultPath(ctx context.Context, id string) (string, error) {
	v, err := s.vaultEntry(ctx, id)
	if err != nil {
		return "", err
	}
	f, err := s.openVaultFile(v.name)
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }() // opened for reading: nothing to lose
	return f.Name(), nil
}

var _ io.ReaderAt = (*Master)(nil)
