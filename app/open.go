package app

import (
	"context"
	"errors"
	"log/slog"

	"exhibit/app/media"
	"exhibit/store"
)

// KeySource says where the store master key may come from.
type KeySource struct {
	// Passphrase, when not nil, unwraps (or, at creation, wraps) the key.
	Passphrase []byte
	// NoKeyring skips the OS keyring (court laptops, servers, tests).
	NoKeyring bool
}

func (k KeySource) options() store.KeyOptions {
	o := store.KeyOptions{Passphrase: k.Passphrase}
	if !k.NoKeyring {
		o.Keyring = store.OSKeyring{}
	}
	return o
}

// Open opens the library in the store folder dir.
func Open(dir string, k KeySource, log *slog.Logger) (*Library, error) {
	st, err := store.Open(dir, k.options())
	if err != nil {
		return nil, err
	}
	return NewLibrary(st, log), nil
}

// Create makes a new store in dir and opens it. The key goes to the OS
// keyring unless k.NoKeyring, and is wrapped by k.Passphrase when given.
func Create(dir string, k KeySource, log *slog.Logger) (*Library, error) {
	st, err := store.Init(dir, k.options())
	if err != nil {
		return nil, err
	}
	return NewLibrary(st, log), nil
}

// CheckNoStore returns an error wrapping store.ErrExists when dir already
// holds a store (so `init` refuses before asking for an administrator).
func CheckNoStore(dir string) error { return store.CheckNoStore(dir) }

// KeyProtection reports where the store's master key is kept: in the OS
// keyring, wrapped by a passphrase, or both (any signed-in user).
func (l *Library) KeyProtection(ctx context.Context) (keyring, passphrase bool, err error) {
	if _, err := l.require(ctx, PermView, "store.key"); err != nil {
		return false, false, err
	}
	return l.st.KeyProtection()
}

// IsLocked reports an error that a passphrase could cure.
func IsLocked(err error) bool {
	return errors.Is(err, store.ErrNoKey) || errors.Is(err, store.ErrWrongPassphrase)
}

// IsNoKey reports that neither the OS keyring nor a passphrase supplied
// the store's key.
func IsNoKey(err error) bool { return errors.Is(err, store.ErrNoKey) }

// IsToolMissing reports that ffmpeg or ffprobe is not installed.
func IsToolMissing(err error) bool { return errors.Is(err, media.ErrToolNotFound) }

// IsWrongPassphrase reports a passphrase that does not open the store.
func IsWrongPassphrase(err error) bool { return errors.Is(err, store.ErrWrongPassphrase) }

// IsNoPassphraseSet reports a passphrase given for a store that has none:
// its key is only in the OS keyring of the machine that made it.
func IsNoPassphraseSet(err error) bool { return errors.Is(err, store.ErrNoPassphraseSet) }

// IsKeyringUnavailable reports that the OS keyring could not keep a new
// store's key (no Secret Service running, or it refused).
func IsKeyringUnavailable(err error) bool { return errors.Is(err, store.ErrKeyringUnavailable) }

// IsNotInitialized reports an error from opening a folder with no store.
func IsNotInitialized(err error) bool { return errors.Is(err, store.ErrNotInitialized) }
