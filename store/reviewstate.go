package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// UserPref returns one preference of user ("" when unset). Preferences are
// not evidence and are not audited.
func (s *Store) UserPref(ctx context.Context, user, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, "SELECT value FROM user_prefs WHERE user_name = ? AND key = ?",
		strings.ToLower(user), key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("preference %s of %s: %w", key, user, err)
	}
	return v, nil
}

// SetUserPref changes one preference of user ("" removes it).
func (s *Store) SetUserPref(ctx context.Context, user, key, value string) error {
	var err error
	if value == "" {
		_, err = s.db.ExecContext(ctx, "DELETE FROM user_prefs WHERE user_name = ? AND key = ?", strings.ToLower(user), key)
	} else {
		_, err = s.db.ExecContext(ctx, `INSERT INTO user_prefs (user_name, key, value) VALUES (?, ?, ?)
			ON CONFLICT (user_name, key) DO UPDATE SET value = excluded.value`, strings.ToLower(user), key, value)
	}
	if err != nil {
		return fmt.Errorf("save preference %s of %s: %w", key, user, err)
	}
	return nil
}

// ResumePosition returns the frame where user last left recording id
// (ok false when there is none).
func (s *Store) ResumePosition(ctx context.Context, user, id string) (frame int, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, "SELECT frame FROM resume_positions WHERE user_name = ? AND recording_id = ?",
		strings.ToLower(user), id).Scan(&frame)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("resume position of %s in %s: %w", user, id, err)
	}
	return frame, true, nil
}

// SetResumePosition remembers frame as where user left recording id
// (frame < 0 forgets it).
func (s *Store) SetResumePosition(ctx context.Context, user, id string, frame int) error {
	var err error
	if frame < 0 {
		_, err = s.db.ExecContext(ctx, "DELETE FROM resume_positions WHERE user_name = ? AND recording_id = ?", strings.ToLower(user), id)
	} else {
		_, err = s.db.ExecContext(ctx, `INSERT INTO resume_positions (user_name, recording_id, frame, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_name, recording_id) DO UPDATE SET frame = excluded.frame, updated_at = excluded.updated_at`,
			strings.ToLower(user), id, frame, time.Now().UnixMilli())
	}
	if err != nil {
		return fmt.Errorf("save resume position of %s in %s: %w", user, id, err)
	}
	return nil
}

func waveformAD(id string) string { return "waveforms.peaks|" + id }

// Waveform returns the decrypted cached waveform of a recording (nil if
// none was cached).
func (s *Store) Waveform(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, "SELECT peaks FROM waveforms WHERE recording_id = ?", id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("waveform of %s: %w", id, err)
	}
	p, err := s.fields.open(b, waveformAD(id))
	if err != nil {
		return nil, fmt.Errorf("waveform of %s: %w", id, err)
	}
	return p, nil
}

// PutWaveform caches the waveform of a recording, sealed like thumbnails.
func (s *Store) PutWaveform(ctx context.Context, id string, peaks []byte) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO waveforms (recording_id, peaks) VALUES (?, ?)
		ON CONFLICT (recording_id) DO UPDATE SET peaks = excluded.peaks`, id, s.fields.seal(peaks, waveformAD(id)))
	if err != nil {
		return fmt.Errorf("cache the waveform of %s: %w", id, err)
	}
	return nil
}
