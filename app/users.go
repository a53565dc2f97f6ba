package app

import (
	"context"
	"errors"
	"fmt"

	"exhibit/store"
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 8

// User is a local account as shown to administrators.
type User = store.User

func checkPassword(pw []byte) error {
	if len(pw) < MinPasswordLength {
		return fmt.Errorf("a password needs at least %d characters", MinPasswordLength)
	}
	return nil
}

// CreateFirstAdmin creates the store's first account, an administrator,
// and signs it in. It works only while the store has no accounts (a new
// store, or one made before accounts existed).
func (l *Library) CreateFirstAdmin(ctx context.Context, name string, pw []byte, via string) (Principal, error) {
	norm, err := store.NormalizeUserName(name)
	if err != nil {
		return Principal{}, err
	}
	if err := checkPassword(pw); err != nil {
		return Principal{}, err
	}
	h, err := store.HashPassword(pw)
	if err != nil {
		return Principal{}, err
	}
	if err := l.st.AddFirstUser(ctx, norm, string(RoleAdmin), h, &store.AuditEntry{User: norm, Role: string(RoleAdmin),
		Action: "user.add", Detail: "first administrator " + norm + " (via " + via + ")"}); err != nil {
		return Principal{}, err
	}
	return l.SignIn(ctx, norm, pw, via)
}

// HasUsers reports whether the store has any account.
func (l *Library) HasUsers(ctx context.Context) (bool, error) {
	n, err := l.st.CountUsers(ctx)
	return n > 0, err
}

// AddUser creates an account (administrators only).
func (l *Library) AddUser(ctx context.Context, name string, role Role, pw []byte) error {
	if _, err := l.require(ctx, PermUsers, "user.add"); err != nil {
		return err
	}
	norm, err := store.NormalizeUserName(name)
	if err != nil {
		return err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	if err := checkPassword(pw); err != nil {
		return err
	}
	h, err := store.HashPassword(pw)
	if err != nil {
		return err
	}
	e := l.entry("user.add")
	e.Detail = fmt.Sprintf("%s as %s", norm, role)
	return l.st.AddUser(ctx, norm, string(role), h, e)
}

// Users lists the accounts (administrators only).
func (l *Library) Users(ctx context.Context) ([]*User, error) {
	if _, err := l.require(ctx, PermUsers, "user.list"); err != nil {
		return nil, err
	}
	return l.st.Users(ctx)
}

// SetUserDisabled disables an account, or enables it again and clears a
// lockout (administrators only). Administrators cannot disable themselves.
func (l *Library) SetUserDisabled(ctx context.Context, name string, disabled bool) error {
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	who, err := l.require(ctx, PermUsers, action)
	if err != nil {
		return err
	}
	norm, err := store.NormalizeUserName(name)
	if err != nil {
		return err
	}
	if disabled && norm == who.Name {
		return errors.New("you cannot disable your own account")
	}
	e := l.entry(action)
	e.Detail = norm
	return l.st.SetUserDisabled(ctx, norm, disabled, e)
}

// SetPassword changes a password: anyone's own, or any account's for an
// administrator.
func (l *Library) SetPassword(ctx context.Context, name string, pw []byte) error {
	who, ok := l.Who()
	if !ok {
		return ErrNotSignedIn
	}
	norm, err := store.NormalizeUserName(name)
	if err != nil {
		return err
	}
	if norm != who.Name {
		if _, err := l.require(ctx, PermUsers, "user.passwd"); err != nil {
			return err
		}
	}
	if err := checkPassword(pw); err != nil {
		return err
	}
	h, err := store.HashPassword(pw)
	if err != nil {
		return err
	}
	e := l.entry("user.passwd")
	e.Detail = norm
	return l.st.SetUserPassword(ctx, norm, h, e)
}

// UnlockUser ends an account's lockout after too many failed sign-ins and
// clears its count (administrators only); audited as user.unlock. A
// disabled account stays disabled.
func (l *Library) UnlockUser(ctx context.Context, name string) error {
	if _, err := l.require(ctx, PermUsers, "user.unlock"); err != nil {
		return err
	}
	norm, err := store.NormalizeUserName(name)
	if err != nil {
		return err
	}
	e := l.entry("user.unlock")
	e.Detail = norm
	return l.st.UnlockUser(ctx, norm, e)
}

// ErrOwnRole refuses an administrator's change of their own role, which
// could leave the store with no administrator.
var ErrOwnRole = errors.New("you cannot change your own role: ask another administrator")

// SetUserRole changes an account's role (administrators only; not their
// own); audited as user.role with the old and new role.
func (l *Library) SetUserRole(ctx context.Context, name string, role Role) error {
	who, err := l.require(ctx, PermUsers, "user.role")
	if err != nil {
		return err
	}
	norm, err := store.NormalizeUserName(name)
	if err != nil {
		return err
	}
	if role, err = ParseRole(string(role)); err != nil {
		return err
	}
	if norm == who.Name {
		e := l.entry("user.role")
		e.Outcome, e.Detail = store.OutcomeDenied, norm+": own role"
		if err := l.st.Audit(ctx, e); err != nil {
			return err
		}
		return ErrOwnRole
	}
	u, err := l.st.GetUser(ctx, norm)
	if err != nil {
		return err
	}
	if Role(u.Role) == role {
		return nil
	}
	e := l.entry("user.role")
	e.Detail = fmt.Sprintf("%s from %s to %s", norm, u.Role, role)
	return l.st.SetUserRole(ctx, norm, string(role), e)
}
