package store

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the size in bytes of the store master key and of every data key.
const KeySize = 32

// ErrDecrypt reports that encrypted data failed authentication: it was
// altered, truncated, or sealed under another key.
var ErrDecrypt = errors.New("encrypted data failed authentication (tampered, truncated or wrong key)")

// newKey returns KeySize random bytes from the operating system's CSPRNG.
func newKey() ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return k, nil
}

// deriveKey derives an independent subkey of the master key for one purpose,
// so that the key that wraps data keys never encrypts fields and vice versa.
func deriveKey(master []byte, purpose string) ([]byte, error) {
	k, err := hkdf.Key(sha256.New, master, nil, "exhibit v1 "+purpose, KeySize)
	if err != nil {
		return nil, fmt.Errorf("derive %s key: %w", purpose, err)
	}
	return k, nil
}

// sealer encrypts small values (wrapped keys, personal fields) with
// XChaCha20-Poly1305 under a random 192-bit nonce. The associated data binds
// every ciphertext to its place (table, column, row), so a value copied to
// another row or column fails to open.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	a, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: a}, nil
}

// seal returns nonce || ciphertext || tag.
func (s *sealer) seal(plain []byte, ad string) []byte {
	out := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		// crypto/rand.Read never returns an error on supported platforms.
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return s.aead.Seal(out, out, plain, []byte(ad))
}

// open reverses seal; it returns ErrDecrypt when the value was altered or
// sealed for another place.
func (s *sealer) open(sealed []byte, ad string) ([]byte, error) {
	ns := s.aead.NonceSize()
	if len(sealed) < ns+s.aead.Overhead() {
		return nil, ErrDecrypt
	}
	p, err := s.aead.Open(nil, sealed[:ns], sealed[ns:], []byte(ad))
	if err != nil {
		return nil, ErrDecrypt
	}
	return p, nil
}
