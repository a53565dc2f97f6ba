package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"exhibit/store"
)

// TestNewTestLibrary checks the shared fixture: every role signs in, the
// store opens with its passphrase only, and it was made with the fast
// parameters (a derivation takes milliseconds, not the default's ~0.1 s+).
func TestNewTestLibrary(t *testing.T) {
	lib := NewTestLibrary(t, RoleSergeant)
	if who, ok := lib.Who(); !ok || who.Role != RoleSergeant || who.Name != TestUserName(RoleSergeant) {
		t.Fatalf("signed in as %+v %v", who, ok)
	}
	if store.DefaultArgon2.Time != 1 || store.DefaultArgon2.Memory != 8*1024 {
		t.Fatalf("fast KDF not in use: %+v", store.DefaultArgon2)
	}
	for _, r := range Roles {
		start := time.Now()
		l := OpenTestLibrary(t, lib.Dir(), r)
		if who, _ := l.Who(); who.Role != r {
			t.Errorf("role %s signed in as %+v", r, who)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("opening as %s took %v", r, d)
		}
	}
	if _, err := Open(lib.Dir(), KeySource{Passphrase: []byte("wrong"), NoKeyring: true}, nil); !errors.Is(err, store.ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if _, err := lib.SignIn(context.Background(), TestAdmin, []byte("nope"), "test"); !errors.Is(err, ErrSignInFailed) {
		t.Fatalf("wrong password: %v", err)
	}
}
