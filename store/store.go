// Package store keeps Exhibit's evidence: a folder holding an SQLite
// database, an encrypted vault of masters and a key file.
//
// Layout of a store folder:
//
//	key.json          where the master key is kept (OS keyring and/or a passphrase wrap)
//	exhibit.db        SQLite, WAL mode, synchronous=FULL, foreign keys on
//	vault/NAME        one encrypted master per recording (DARE 2.0, sio)
//	vault/pending/    masters being written; locked by their writer with flock
//	audit.checkpoint  the newest signed checkpoint of the audit trail
//
// A random 256-bit master key never touches the disk in the clear. Subkeys
// derived from it (HKDF-SHA256) seal each recording's random data key and the
// personal fields in the database (XChaCha20-Poly1305, bound to their row).
// Each master is encrypted with its data key in 64 KiB authenticated packages
// so any byte range can be read without decrypting the rest; deleting the
// sealed data key makes the vault file unreadable for good.
//
// The store never imports the app, the player or Fyne.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// driverName is go-sqlite3 with per-connection tuning: a 64 MiB page cache
// and memory-mapped reads, so listing a large library does not re-read
// pages through system calls row by row.
const driverName = "sqlite3-exhibit"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec("PRAGMA cache_size = -65536; PRAGMA mmap_size = 1073741824", nil)
		return err
	}})
}

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrNotInitialized reports a folder that holds no store yet.
var ErrNotInitialized = errors.New("no Exhibit store here yet (run `exhibit init`)")

// ErrExists reports an attempt to create a store where one already is.
var ErrExists = errors.New("an Exhibit store already exists here")

// DBName is the database file inside a store folder.
const DBName = "exhibit.db"

// Store is an open store. Its methods are safe for concurrent use, and
// several processes may open the same store at once.
type Store struct {
	dir    string
	db     *sql.DB
	master []byte
	wrap   *sealer // seals data keys
	fields *sealer // seals personal fields and thumbnails
	id     string  // store id from key.json
	audit  *auditSigner
}

// CheckNoStore returns ErrExists (wrapped with dir) when dir already holds
// a store, so a caller can refuse before asking for anything.
func CheckNoStore(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, keyFileName)); err == nil {
		return fmt.Errorf("%s: %w", dir, ErrExists)
	}
	return nil
}

// Init creates a new store in dir (created if needed; it must not hold a
// store). The master key is kept in opt.Keyring when given and it works, and
// wrapped by opt.Passphrase when given; at least one must succeed.
func Init(dir string, opt KeyOptions) (*Store, error) {
	if err := CheckNoStore(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "vault", "pending"), 0o700); err != nil {
		return nil, fmt.Errorf("create store: %w", err)
	}
	master, err := newKey()
	if err != nil {
		return nil, err
	}
	id, err := randomID(16)
	if err != nil {
		return nil, err
	}
	kf := &keyFile{Version: 1, StoreID: strings.ToLower(id), Check: keyCheck(master)}
	var kerr error
	if opt.Keyring != nil {
		kerr = opt.Keyring.Set(KeyringService, keyringUser(kf.StoreID), b64(master))
		kf.Keyring = kerr == nil
	}
	if opt.Passphrase != nil {
		if len(opt.Passphrase) == 0 {
			return nil, errors.New("create store: empty passphrase")
		}
		if kf.Passphrase, err = wrapWithPassphrase(master, opt.Passphrase, DefaultArgon2); err != nil {
			return nil, err
		}
	}
	if !kf.Keyring && kf.Passphrase == nil {
		if kerr != nil {
			return nil, fmt.Errorf("create store: %w (%v) and no passphrase was given "+
				"(set EXHIBIT_PASSPHRASE or use --passphrase-file FILE)", ErrKeyringUnavailable, kerr)
		}
		return nil, fmt.Errorf("create store: %w", ErrNoKey)
	}
	if err := writeKeyFile(dir, kf); err != nil {
		return nil, err
	}
	return openWithKey(dir, master, kf.StoreID)
}

// Open opens the store in dir with the master key from opt.
func Open(dir string, opt KeyOptions) (*Store, error) {
	kf, err := readKeyFile(dir)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	master, err := unlock(kf, opt)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	return openWithKey(dir, master, kf.StoreID)
}

func openWithKey(dir string, master []byte, id string) (*Store, error) {
	s := &Store{dir: dir, master: master, id: id}
	var err error
	if s.audit, err = newAuditSigner(master, id); err != nil {
		return nil, err
	}
	wk, err := deriveKey(master, "data key wrap")
	if err != nil {
		return nil, err
	}
	fk, err := deriveKey(master, "fields")
	if err != nil {
		return nil, err
	}
	if s.wrap, err = newSealer(wk); err != nil {
		return nil, err
	}
	if s.fields, err = newSealer(fk); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "vault", "pending"), 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	dsn := "file:" + filepath.Join(dir, DBName) +
		"?_journal_mode=WAL&_synchronous=FULL&_foreign_keys=on&_busy_timeout=30000&_txlock=immediate"
	if s.db, err = sql.Open(driverName, dsn); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := s.migrate(); err != nil {
		_ = s.db.Close() // failure path: the migration's error is returned
		return nil, err
	}
	if err := s.recoverPending(); err != nil {
		_ = s.db.Close() // failure path: that error is returned
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Dir returns the store folder.
func (s *Store) Dir() string { return s.dir }

// SchemaVersion returns the database schema version.
func (s *Store) SchemaVersion() (int, error) {
	var v int
	err := s.db.QueryRow("PRAGMA user_version").Scan(&v)
	return v, err
}

type migration struct {
	version int
	name    string
}

func migrations() ([]migration, error) {
	ents, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range ents {
		n, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(n)
		if !ok || err != nil {
			return nil, fmt.Errorf("bad migration name %s", e.Name())
		}
		ms = append(ms, migration{v, e.Name()})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate applies the embedded migrations newer than the database's
// user_version, each in its own immediate transaction, so two processes
// opening a new store at once do not both apply one.
func (s *Store) migrate() error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := s.withTx(context.Background(), func(tx *sql.Tx) error {
			var cur int
			if err := tx.QueryRow("PRAGMA user_version").Scan(&cur); err != nil {
				return err
			}
			if cur >= m.version {
				return nil
			}
			body, err := migrationFS.ReadFile("migrations/" + m.name)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			_, err = tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", m.version))
			return err
		}); err != nil {
			return fmt.Errorf("migrate database: %w", err)
		}
	}
	latest := ms[len(ms)-1].version
	if v, err := s.SchemaVersion(); err != nil {
		return err
	} else if v > latest {
		return fmt.Errorf("the store was written by a newer Exhibit (schema %d, this one knows %d)", v, latest)
	}
	return nil
}

// withTx runs f in an immediate transaction and commits it when f returns nil.
func (s *Store) withTx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
