package app

import (
	"context"
	"fmt"
	"time"
)

// DefaultIdleLock is how long a GUI session may sit idle before it locks.
const DefaultIdleLock = 10 * time.Minute

const idleLockKey = "idle_lock"

// IdleLock returns how long the GUI may sit idle before it locks (an
// administrator's setting; DefaultIdleLock when unset).
func (l *Library) IdleLock(ctx context.Context) time.Duration {
	v, err := l.st.Setting(ctx, idleLockKey)
	if err != nil || v == "" {
		return DefaultIdleLock
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Minute {
		return DefaultIdleLock
	}
	return d
}

// SetIdleLock changes the idle lock time (administrators only; at least a
// minute, at most a day).
func (l *Library) SetIdleLock(ctx context.Context, d time.Duration) error {
	if _, err := l.require(ctx, PermUsers, "settings"); err != nil {
		return err
	}
	if d < time.Minute || d > 24*time.Hour {
		return fmt.Errorf("idle lock %s: choose between 1 minute and 24 hours", d)
	}
	e := l.entry("settings")
	e.Detail = "idle lock " + d.String()
	return l.st.SetSetting(ctx, idleLockKey, d.String(), e)
}
