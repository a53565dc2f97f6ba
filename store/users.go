package store

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
	"golang.org/x/crypto/argon2"
)

// ErrNoUser reports a user name that names no account.
var ErrNoUser = errors.New("no such user")

// ErrUserExists reports an attempt to add an account whose name is taken.
var ErrUserExists = errors.New("a user with that name already exists")

// User is a local account.
type User struct {
	Name        string
	Role        string
	Disabled    bool
	Failures    int       // failed sign-ins in a row
	LockedUntil time.Time // zero when not locked
	CreatedAt   time.Time
	ChangedAt   time.Time
}

// PasswordHash is an Argon2id password hash with its parameters.
type PasswordHash struct {
	Hash   []byte
	Salt   []byte
	Params Argon2Params
}

// HashPassword hashes pw with Argon2id (DefaultArgon2 parameters, RFC 9106)
// and a random 16-byte salt.
func HashPassword(pw []byte) (PasswordHash, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return PasswordHash{}, err
	}
	p := DefaultArgon2
	return PasswordHash{Hash: argon2.IDKey(pw, salt, p.Time, p.Memory, p.Threads, 32), Salt: salt, Params: p}, nil
}

// Matches reports, in constant time, whether pw is the hashed password.
func (h PasswordHash) Matches(pw []byte) bool {
	p := h.Params
	if p.Time == 0 || p.Threads == 0 || p.Memory < 8*uint32(p.Threads) || p.Memory > 4<<20 || len(h.Hash) == 0 {
		return false
	}
	got := argon2.IDKey(pw, h.Salt, p.Time, p.Memory, p.Threads, uint32(len(h.Hash)))
	return subtle.ConstantTimeCompare(got, h.Hash) == 1
}

// NormalizeUserName returns the stored form of a user name (trimmed, lower
// case) or an error when it is not a plausible name.
func NormalizeUserName(name string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "" || len(n) > 64 {
		return "", errors.New("a user name has 1 to 64 characters")
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return "", fmt.Errorf("user name %q: use letters, digits, '.', '-' and '_'", name)
		}
	}
	return n, nil
}

const userColumns = "name, role, disabled, failures, locked_until, created_at, changed_at"

func scanUser(row scanner) (*User, error) {
	var u User
	var locked, created, changed int64
	if err := row.Scan(&u.Name, &u.Role, &u.Disabled, &u.Failures, &locked, &created, &changed); err != nil {
		return nil, err
	}
	if locked > 0 {
		u.LockedUntil = time.UnixMilli(locked).UTC()
	}
	u.CreatedAt, u.ChangedAt = time.UnixMilli(created).UTC(), time.UnixMilli(changed).UTC()
	return &u, nil
}

// CountUsers returns the number of accounts.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM users").Scan(&n)
	return n, err
}

// AddUser creates an account and appends e in the same transaction.
func (s *Store) AddUser(ctx context.Context, name, role string, pw PasswordHash, e *AuditEntry) error {
	now := time.Now().UnixMilli()
	return s.withAudit(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users (name, role, pw_hash, pw_salt, pw_time, pw_memory, pw_threads, created_at, changed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, name, role, pw.Hash, pw.Salt, pw.Params.Time, pw.Params.Memory, pw.Params.Threads, now, now)
		var se sqlite3.Error
		if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey {
			return fmt.Errorf("%s: %w", name, ErrUserExists)
		}
		return err
	}, e)
}

// AddFirstUser creates an account only when the store has none yet, in the
// same transaction as the check (two processes cannot both do it).
func (s *Store) AddFirstUser(ctx context.Context, name, role string, pw PasswordHash, e *AuditEntry) error {
	now := time.Now().UnixMilli()
	return s.withAudit(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errors.New("the store already has users: sign in as an administrator to add more")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO users (name, role, pw_hash, pw_salt, pw_time, pw_memory, pw_threads, created_at, changed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, name, role, pw.Hash, pw.Salt, pw.Params.Time, pw.Params.Memory, pw.Params.Threads, now, now)
		return err
	}, e)
}

// GetUser returns an account (ErrNoUser when there is none).
func (s *Store) GetUser(ctx context.Context, name string) (*User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE name = ?", name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", name, ErrNoUser)
	}
	return u, err
}

// UserPassword returns an account and its password hash.
func (s *Store) UserPassword(ctx context.Context, name string) (*User, PasswordHash, error) {
	var h PasswordHash
	var locked, created, changed int64
	var u User
	err := s.db.QueryRowContext(ctx, `SELECT name, role, disabled, failures, locked_until, created_at, changed_at,
		pw_hash, pw_salt, pw_time, pw_memory, pw_threads FROM users WHERE name = ?`, name).Scan(
		&u.Name, &u.Role, &u.Disabled, &u.Failures, &locked, &created, &changed,
		&h.Hash, &h.Salt, &h.Params.Time, &h.Params.Memory, &h.Params.Threads)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, h, fmt.Errorf("%s: %w", name, ErrNoUser)
	}
	if err != nil {
		return nil, h, err
	}
	if locked > 0 {
		u.LockedUntil = time.UnixMilli(locked).UTC()
	}
	u.CreatedAt, u.ChangedAt = time.UnixMilli(created).UTC(), time.UnixMilli(changed).UTC()
	return &u, h, nil
}

// Users returns every account, by name.
func (s *Store) Users(ctx context.Context) ([]*User, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+userColumns+" FROM users ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// updateUser runs one UPDATE of an account with its audit entry.
func (s *Store) updateUser(ctx context.Context, name, set string, args []any, e *AuditEntry) error {
	return s.withAudit(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET "+set+", changed_at = ? WHERE name = ?",
			append(args, time.Now().UnixMilli(), name)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%s: %w", name, ErrNoUser)
		}
		return nil
	}, e)
}

// SetUserDisabled disables or re-enables an account; enabling also clears a
// lockout.
func (s *Store) SetUserDisabled(ctx context.Context, name string, disabled bool, e *AuditEntry) error {
	if disabled {
		return s.updateUser(ctx, name, "disabled = 1", nil, e)
	}
	return s.updateUser(ctx, name, "disabled = 0, failures = 0, locked_until = 0", nil, e)
}

// SetUserPassword replaces an account's password hash.
func (s *Store) SetUserPassword(ctx context.Context, name string, pw PasswordHash, e *AuditEntry) error {
	return s.updateUser(ctx, name, "pw_hash = ?, pw_salt = ?, pw_time = ?, pw_memory = ?, pw_threads = ?",
		[]any{pw.Hash, pw.Salt, pw.Params.Time, pw.Params.Memory, pw.Params.Threads}, e)
}

// UnlockUser clears an account's lockout and its count of failed sign-ins
// (a disabled account stays disabled).
func (s *Store) UnlockUser(ctx context.Context, name string, e *AuditEntry) error {
	return s.updateUser(ctx, name, "failures = 0, locked_until = 0", nil, e)
}

// SetUserRole changes an account's role.
func (s *Store) SetUserRole(ctx context.Context, name, role string, e *AuditEntry) error {
	return s.updateUser(ctx, name, "role = ?", []any{role}, e)
}

// SignInSucceeded clears an account's failure count and appends e.
func (s *Store) SignInSucceeded(ctx context.Context, name string, e ...*AuditEntry) error {
	return s.withAudit(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE users SET failures = 0, locked_until = 0 WHERE name = ?", name)
		return err
	}, e...)
}

// SignInFailed counts a failed sign-in of an existing account. When the
// count reaches lockAfter the account is locked until lockUntil and e's
// Action gets lockAction. It appends e and returns the new count.
func (s *Store) SignInFailed(ctx context.Context, name string, lockAfter int, lockUntil time.Time, lockAction string, e *AuditEntry) (int, error) {
	var failures int
	err := s.withAudit(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "UPDATE users SET failures = failures + 1 WHERE name = ? RETURNING failures", name).Scan(&failures); err != nil {
			return err
		}
		if failures >= lockAfter {
			if _, err := tx.ExecContext(ctx, "UPDATE users SET locked_until = ? WHERE name = ?", lockUntil.UnixMilli(), name); err != nil {
				return err
			}
			if failures == lockAfter {
				e.Action = lockAction
			}
		}
		return nil
	}, e)
	return failures, err
}
