package store

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/zalando/go-keyring"
	"golang.org/x/crypto/argon2"
)

// KeyringService is the service name under which store master keys are kept
// in the OS keyring (Secret Service on Linux).
const KeyringService = "exhibit"

// keyFileName is the file, inside the store folder, that describes where the
// master key is kept. It never holds the key in the clear.
const keyFileName = "key.json"

// ErrNoKey reports that neither the OS keyring nor a passphrase could supply
// the store master key.
var ErrNoKey = errors.New("no key to open the store: the OS keyring has none for it " +
	"(is a Secret Service such as gnome-keyring running and unlocked?) and no passphrase was given " +
	"(set EXHIBIT_PASSPHRASE or use --passphrase-file FILE)")

// ErrWrongPassphrase reports a passphrase that does not unwrap the master key.
var ErrWrongPassphrase = errors.New("wrong passphrase for this store")

// ErrNoPassphraseSet reports a passphrase given for a store whose key is
// kept only in an OS keyring.
var ErrNoPassphraseSet = errors.New("a passphrase was given but this store has no passphrase set")

// ErrKeyringUnavailable reports an OS keyring that could not keep a key.
var ErrKeyringUnavailable = errors.New("the OS keyring could not keep the store key")

// Keyring is the narrow view of an OS keyring that the store needs.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// OSKeyring is the operating system's keyring through go-keyring
// (Secret Service over D-Bus on Linux).
type OSKeyring struct{}

// Get returns the secret stored for service and user.
func (OSKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }

// Set stores secret for service and user.
func (OSKeyring) Set(service, user, secret string) error { return keyring.Set(service, user, secret) }

// Delete removes the secret for service and user.
func (OSKeyring) Delete(service, user string) error { return keyring.Delete(service, user) }

// KeyOptions says how the store master key may be found or kept.
type KeyOptions struct {
	// Passphrase, when not nil, wraps (Init) or unwraps (Open) the master key.
	Passphrase []byte
	// Keyring, when not nil, keeps (Init) or supplies (Open) the master key.
	Keyring Keyring
}

// Argon2Params are the Argon2id parameters stored beside a passphrase-wrapped key.
type Argon2Params struct {
	Time    uint32 `json:"time"`
	Memory  uint32 `json:"memory_kib"`
	Threads uint8  `json:"threads"`
}

// DefaultArgon2 is the second recommended option of RFC 9106 section 4
// (t=3, m=64 MiB, p=4), for machines where 2 GiB per derivation is too much.
var DefaultArgon2 = Argon2Params{Time: 3, Memory: 64 * 1024, Threads: 4}

type passphraseWrap struct {
	KDF     string       `json:"kdf"`
	Params  Argon2Params `json:"params"`
	Salt    []byte       `json:"salt"`
	Wrapped []byte       `json:"wrapped"`
}

type keyFile struct {
	Version    int             `json:"version"`
	StoreID    string          `json:"store_id"`
	Keyring    bool            `json:"keyring"`
	Passphrase *passphraseWrap `json:"passphrase,omitempty"`
	// Check is HMAC-SHA256(master, "exhibit key check"): it tells a wrong key
	// from the keyring apart from a damaged database.
	Check []byte `json:"check"`
}

func keyCheck(master []byte) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte("exhibit key check"))
	return m.Sum(nil)
}

func keyringUser(storeID string) string { return "store-" + storeID }

func wrapWithPassphrase(master, pass []byte, p Argon2Params) (*passphraseWrap, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	kek := argon2.IDKey(pass, salt, p.Time, p.Memory, p.Threads, KeySize)
	s, err := newSealer(kek)
	if err != nil {
		return nil, err
	}
	return &passphraseWrap{KDF: "argon2id", Params: p, Salt: salt, Wrapped: s.seal(master, "exhibit master key")}, nil
}

func (w *passphraseWrap) unwrap(pass []byte) ([]byte, error) {
	if w.KDF != "argon2id" {
		return nil, fmt.Errorf("unknown key derivation %q", w.KDF)
	}
	p := w.Params
	if p.Time == 0 || p.Memory < 8*uint32(p.Threads) || p.Threads == 0 || p.Memory > 4<<20 {
		return nil, fmt.Errorf("implausible Argon2id parameters in %s", keyFileName)
	}
	kek := argon2.IDKey(pass, w.Salt, p.Time, p.Memory, p.Threads, KeySize)
	s, err := newSealer(kek)
	if err != nil {
		return nil, err
	}
	m, err := s.open(w.Wrapped, "exhibit master key")
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	return m, nil
}

func readKeyFile(dir string) (*keyFile, error) {
	b, err := os.ReadFile(filepath.Join(dir, keyFileName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotInitialized
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", keyFileName, err)
	}
	var kf keyFile
	if err := json.Unmarshal(b, &kf); err != nil {
		return nil, fmt.Errorf("%s is damaged: %w", keyFileName, err)
	}
	if kf.Version != 1 || kf.StoreID == "" || len(kf.Check) != sha256.Size {
		return nil, fmt.Errorf("%s is damaged or from an unknown version", keyFileName)
	}
	return &kf, nil
}

func writeKeyFile(dir string, kf *keyFile) error {
	b, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, keyFileName), append(b, '\n'), 0o600)
}

// unlock finds the master key for kf with opt: the passphrase first when one
// was given, then the keyring.
func unlock(kf *keyFile, opt KeyOptions) ([]byte, error) {
	var errs []error
	if opt.Passphrase != nil {
		if kf.Passphrase == nil {
			errs = append(errs, ErrNoPassphraseSet)
		} else {
			m, err := kf.Passphrase.unwrap(opt.Passphrase)
			if err != nil {
				return nil, err
			}
			if !hmac.Equal(keyCheck(m), kf.Check) {
				return nil, fmt.Errorf("%s: passphrase key does not match the store check value", keyFileName)
			}
			return m, nil
		}
	}
	if opt.Keyring != nil && kf.Keyring {
		s, err := opt.Keyring.Get(KeyringService, keyringUser(kf.StoreID))
		if err == nil {
			m, derr := base64.StdEncoding.DecodeString(s)
			if derr == nil && len(m) == KeySize && hmac.Equal(keyCheck(m), kf.Check) {
				return m, nil
			}
			errs = append(errs, errors.New("the OS keyring holds a key for this store that does not match it"))
		} else {
			errs = append(errs, fmt.Errorf("OS keyring: %w", err))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w (%w)", ErrNoKey, errors.Join(errs...))
	}
	return nil, ErrNoKey
}

// SetPassphrase adds or replaces the passphrase that wraps the master key, so
// the store can be opened on a machine without a keyring.
func (s *Store) SetPassphrase(pass []byte) error {
	if len(pass) == 0 {
		return errors.New("empty passphrase")
	}
	kf, err := readKeyFile(s.dir)
	if err != nil {
		return err
	}
	w, err := wrapWithPassphrase(s.master, pass, DefaultArgon2)
	if err != nil {
		return err
	}
	kf.Passphrase = w
	return writeKeyFile(s.dir, kf)
}

// SaveToKeyring stores the master key in kr and records that it is there.
func (s *Store) SaveToKeyring(kr Keyring) error {
	kf, err := readKeyFile(s.dir)
	if err != nil {
		return err
	}
	if err := kr.Set(KeyringService, keyringUser(kf.StoreID), base64.StdEncoding.EncodeToString(s.master)); err != nil {
		return fmt.Errorf("save key to OS keyring: %w", err)
	}
	kf.Keyring = true
	return writeKeyFile(s.dir, kf)
}

// KeyProtection reports where the master key is kept: in the OS keyring,
// wrapped by a passphrase, or both.
func (s *Store) KeyProtection() (keyring, passphrase bool, err error) {
	kf, err := readKeyFile(s.dir)
	if err != nil {
		return false, false, err
	}
	return kf.Keyring, kf.Passphrase != nil, nil
}
