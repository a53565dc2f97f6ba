package store

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/zalando/go-keyring"
)

// TestOSKeyring runs against the real Secret Service (gnome-keyring in a
// D-Bus session, as `make test` provides).
func TestOSKeyring(t *testing.T) {
	if os.Getenv("EXHIBIT_KEYRING_TEST") != "1" {
		t.Skip("needs a Secret Service: run through `make test` (gnome-keyring in dbus-run-session)")
	}
	dir := t.TempDir()
	s, err := Init(dir, KeyOptions{Keyring: OSKeyring{}})
	if err != nil {
		t.Fatal(err)
	}
	rec := ingestBytes(t, s, randomBytes(t, 70000), "PC 99 Keyring")
	_ = s.Close()

	kf, err := readKeyFile(dir)
	if err != nil || !kf.Keyring || kf.Passphrase != nil {
		t.Fatalf("key file %+v, %v: want keyring only", kf, err)
	}
	s, err = Open(dir, KeyOptions{Keyring: OSKeyring{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyMaster(context.Background(), rec.ID, nil); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()

	// Without the keyring entry the store cannot be opened, and says how.
	if err := keyring.Delete(KeyringService, keyringUser(kf.StoreID)); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, KeyOptions{Keyring: OSKeyring{}}); !errors.Is(err, ErrNoKey) {
		t.Fatalf("open after deleting the keyring entry: %v", err)
	}
}
