package store

import (
	"context"
	"database/sql"
	"errors"
)

// Setting returns a store-wide setting ("" when unset).
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting changes a store-wide setting and appends e in the same
// transaction.
func (s *Store) SetSetting(ctx context.Context, key, value string, e *AuditEntry) error {
	return s.withAudit(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
		return err
	}, e)
}
