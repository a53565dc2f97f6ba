package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"exhibit/store"
)

// Role is what a signed-in user may do.
type Role string

// Roles.
const (
	// RoleAdmin manages users and retention, verifies and ingests, and views
	// unrestricted footage.
	RoleAdmin Role = "admin"
	// RoleSergeant reviews: ingest, view, annotate, decide, clip and export
	// unrestricted footage.
	RoleSergeant Role = "sergeant"
	// RolePSD (professional standards) may do all a sergeant may, on
	// restricted recordings too, restricts and unrestricts, verifies
	// (restricted recordings included) and resolves verify references.
	RolePSD Role = "psd"
	// RoleViewer (court, CPS) views and verifies; it changes nothing.
	RoleViewer Role = "viewer"
)

// Roles lists the roles in the order they are offered.
var Roles = []Role{RoleSergeant, RolePSD, RoleViewer, RoleAdmin}

// ParseRole reads a role: its keyword (admin, sergeant, psd, viewer, as the
// command line has always taken them) or the name people see (Title:
// "Reviewer", "Administrator", "Professional standards", also
// "professional-standards"), in any case.
func ParseRole(s string) (Role, error) {
	s = strings.TrimSpace(s)
	norm := strings.ReplaceAll(s, "-", " ")
	for _, r := range Roles {
		if strings.EqualFold(s, string(r)) || strings.EqualFold(norm, r.Title()) {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (one of %s)", s, RoleChoices())
}

// RoleChoices lists the roles as a command line takes them:
// "reviewer (sergeant), professional-standards (psd), viewer, administrator (admin)".
func RoleChoices() string {
	var out []string
	for _, r := range Roles {
		title := strings.ToLower(strings.ReplaceAll(r.Title(), " ", "-"))
		if title == string(r) {
			out = append(out, title)
		} else {
			out = append(out, title+" ("+string(r)+")")
		}
	}
	return strings.Join(out, ", ")
}

// Title is the role's name as shown to people, in the GUI and in the
// command line's output alike. It is the one mapping from a stored role
// to words.
func (r Role) Title() string {
	switch r {
	case RoleAdmin:
		return "Administrator"
	case RoleSergeant:
		return "Reviewer"
	case RolePSD:
		return "Professional standards"
	case RoleViewer:
		return "Viewer"
	}
	return string(r)
}

// Description says in one sentence what the role may do, from its
// permissions, for the role list of the account screens and the CLI.
func (r Role) Description() string {
	switch r {
	case RoleAdmin:
		return "Manages accounts, retention and legal holds, imports and verifies footage; watches unrestricted footage but does not annotate, decide or export."
	case RoleSergeant:
		return "Imports and reviews footage: watches, marks, records decisions, places legal holds, clips and exports, handles subject access requests; not restricted recordings."
	case RolePSD:
		return "Everything a reviewer may do, on restricted recordings too; restricts and unrestricts, verifies, and reads their audit trail."
	case RoleViewer:
		return "Watches and verifies unrestricted footage (court, CPS); changes nothing."
	}
	return ""
}

// Permission is one kind of action the access rules decide on.
type Permission int

// Permissions.
const (
	PermView            Permission = iota // list and watch unrestricted recordings
	PermIngest                            // import footage
	PermVerify                            // re-check stored masters
	PermAnnotate                          // add and remove markers
	PermDecide                            // record review decisions
	PermExport                            // clips and exports
	PermRestricted                        // see restricted recordings; restrict and unrestrict
	PermUsers                             // manage accounts
	PermRetention                         // retention settings and sweeps
	PermHold                              // place and release legal holds
	PermAuditRestricted                   // read audit entries about restricted recordings
	PermSAR                               // see and handle subject access requests (sar.go)
)

var permNames = map[Permission]string{
	PermView: "view recordings", PermIngest: "import footage", PermVerify: "verify stored footage",
	PermAnnotate: "annotate", PermDecide: "record decisions", PermExport: "clip or export",
	PermRestricted: "see or change restricted recordings", PermUsers: "manage users",
	PermRetention: "change retention or run deletions", PermHold: "place or release legal holds",
	PermAuditRestricted: "read the audit of restricted recordings",
	PermSAR:             "handle subject access requests",
}

var rolePerms = map[Role][]Permission{
	RoleAdmin:    {PermView, PermIngest, PermVerify, PermUsers, PermRetention, PermHold, PermAuditRestricted},
	RoleSergeant: {PermView, PermIngest, PermAnnotate, PermDecide, PermExport, PermHold, PermSAR},
	RolePSD:      {PermView, PermIngest, PermVerify, PermAnnotate, PermDecide, PermExport, PermHold, PermRestricted, PermAuditRestricted, PermSAR},
	RoleViewer:   {PermView, PermVerify},
}

// Can reports whether role r has permission p.
func (r Role) Can(p Permission) bool {
	for _, q := range rolePerms[r] {
		if q == p {
			return true
		}
	}
	return false
}

// Principal is the signed-in user.
type Principal struct {
	Name string
	Role Role
}

// ErrNotSignedIn reports a use case called with nobody signed in.
var ErrNotSignedIn = errors.New("nobody is signed in")

// ErrSignInFailed is the one message for a wrong user name or password (or
// a disabled account): it does not tell which.
var ErrSignInFailed = errors.New("wrong user name or password")

// ErrNoUsers reports a store with no accounts yet (made before accounts
// existed): its first administrator must be created.
var ErrNoUsers = errors.New("this store has no users yet")

// ErrNotPermitted is what a request for a recording the user may not see
// gets: the same answer as for one that does not exist.
var ErrNotPermitted = errors.New("recording not found or not permitted")

// LockedError reports an account locked after repeated failed sign-ins.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return "this account is locked after repeated failed sign-ins until " + e.Until.Local().Format("15:04 MST")
}

// PermissionError reports an action the signed-in role may not take.
type PermissionError struct {
	Role Role
	What Permission
}

func (e *PermissionError) Error() string {
	role := strings.ToLower(e.Role.Title())
	article := "a"
	if role != "" && strings.ContainsRune("aeiou", rune(role[0])) {
		article = "an"
	}
	return fmt.Sprintf("%s %s may not %s", article, role, permNames[e.What])
}

// SignInPolicy throttles and locks out repeated failed sign-ins.
type SignInPolicy struct {
	LockAfter int           // failures in a row that lock the account
	LockFor   time.Duration // how long it stays locked
	// Delay is the pause before answering the failed-th failure in a row.
	Delay func(failures int) time.Duration
}

// DefaultSignInPolicy locks after 5 failures in a row for 15 minutes and
// answers the second and later failures after 0.5, 1, 2, 4 s.
var DefaultSignInPolicy = SignInPolicy{LockAfter: 5, LockFor: 15 * time.Minute, Delay: func(n int) time.Duration {
	if n < 2 {
		return 0
	}
	return min(4*time.Second, 500*time.Millisecond<<(n-2))
}}

// dummyHash is compared against when the user does not exist, so a missing
// user costs the same time as a wrong password.
var dummyHash = func() store.PasswordHash {
	h, _ := store.HashPassword([]byte("exhibit timing equaliser"))
	return h
}

// SignIn checks a user's password and makes them the library's user.
// Failures are audited and slowed; enough in a row lock the account.
// via says where from ("cli list", "gui") for the audit trail.
func (l *Library) SignIn(ctx context.Context, name string, password []byte, via string) (Principal, error) {
	pol := l.policy
	norm, nerr := store.NormalizeUserName(name)
	shown := name
	if len(shown) > 64 {
		shown = shown[:64]
	}
	var u *store.User
	var hash store.PasswordHash
	var err error
	if nerr == nil {
		u, hash, err = l.st.UserPassword(ctx, norm)
	}
	if nerr != nil || errors.Is(err, store.ErrNoUser) {
		l.dummyOnce.Do(func() { l.dummy = dummyHash() })
		l.dummy.Matches(password)
		if n, cerr := l.st.CountUsers(ctx); cerr == nil && n == 0 {
			return Principal{}, ErrNoUsers
		}
		if err := l.st.Audit(ctx, &store.AuditEntry{User: strings.ToLower(shown), Action: "signin.failed",
			Outcome: store.OutcomeFailed, Detail: "unknown user (via " + via + ")"}); err != nil {
			return Principal{}, fmt.Errorf("audit a failed sign-in: %w", err)
		}
		sleep(ctx, pol.Delay(2))
		return Principal{}, ErrSignInFailed
	}
	if err != nil {
		return Principal{}, err
	}
	now := time.Now()
	ok := hash.Matches(password)
	switch {
	case u.Disabled:
		if err := l.st.Audit(ctx, &store.AuditEntry{User: u.Name, Role: u.Role, Action: "signin.failed",
			Outcome: store.OutcomeFailed, Detail: "account disabled (via " + via + ")"}); err != nil {
			return Principal{}, fmt.Errorf("audit a failed sign-in: %w", err)
		}
		sleep(ctx, pol.Delay(2))
		return Principal{}, ErrSignInFailed
	case u.LockedUntil.After(now):
		if err := l.st.Audit(ctx, &store.AuditEntry{User: u.Name, Role: u.Role, Action: "signin.failed",
			Outcome: store.OutcomeDenied, Detail: "account locked (via " + via + ")"}); err != nil {
			return Principal{}, fmt.Errorf("audit a failed sign-in: %w", err)
		}
		return Principal{}, &LockedError{Until: u.LockedUntil}
	case !ok:
		until := now.Add(pol.LockFor)
		n, err := l.st.SignInFailed(ctx, u.Name, pol.LockAfter, until, "signin.lockout", &store.AuditEntry{
			User: u.Name, Role: u.Role, Action: "signin.failed", Outcome: store.OutcomeFailed, Detail: "wrong password (via " + via + ")"})
		if err != nil {
			return Principal{}, err
		}
		sleep(ctx, pol.Delay(n))
		if n >= pol.LockAfter {
			return Principal{}, &LockedError{Until: until}
		}
		return Principal{}, ErrSignInFailed
	}
	p := Principal{Name: u.Name, Role: Role(u.Role)}
	if err := l.st.SignInSucceeded(ctx, u.Name,
		&store.AuditEntry{User: p.Name, Role: string(p.Role), Action: "signin", Detail: "via " + via},
		&store.AuditEntry{User: p.Name, Role: string(p.Role), Action: "store.open", Detail: "via " + via}); err != nil {
		return Principal{}, err
	}
	l.mu.Lock()
	l.who = &p
	l.mu.Unlock()
	return p, nil
}

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// SignOut ends the session (audited as reason, e.g. "signed out", "idle lock").
func (l *Library) SignOut(ctx context.Context, reason string) error {
	l.mu.Lock()
	p := l.who
	l.who = nil
	l.mu.Unlock()
	if p == nil {
		return nil
	}
	return l.st.Audit(ctx, &store.AuditEntry{User: p.Name, Role: string(p.Role), Action: "signout", Detail: reason})
}

// Who returns the signed-in user (ok false when nobody is).
func (l *Library) Who() (Principal, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.who == nil {
		return Principal{}, false
	}
	return *l.who, true
}

// Can reports whether the signed-in user has permission p.
func (l *Library) Can(p Permission) bool {
	who, ok := l.Who()
	return ok && who.Role.Can(p)
}

// entry starts an audit entry by the signed-in user.
func (l *Library) entry(action string) *store.AuditEntry {
	who, _ := l.Who()
	return &store.AuditEntry{User: who.Name, Role: string(who.Role), Action: action}
}

// require returns the signed-in user when they have p. A missing
// permission is audited as a denied attempt at action.
func (l *Library) require(ctx context.Context, p Permission, action string) (Principal, error) {
	return l.requireOn(ctx, p, action, "")
}

// requireOn is require for an action on one recording (an id or prefix,
// "" for none): a denied attempt's audit entry names the recording, when
// the id names exactly one the user may see, so that the audit trail's
// recording column is not blank for it.
func (l *Library) requireOn(ctx context.Context, p Permission, action, idOrPrefix string) (Principal, error) {
	who, ok := l.Who()
	if !ok {
		return who, ErrNotSignedIn
	}
	if !who.Role.Can(p) {
		e := l.entry(action)
		if idOrPrefix != "" {
			if id, err := l.st.Resolve(ctx, idOrPrefix, who.Role.Can(PermRestricted)); err == nil {
				e.RecordingID = id
			}
		}
		e.Outcome, e.Detail = store.OutcomeDenied, "role may not "+permNames[p]
		if err := l.st.Audit(ctx, e); err != nil {
			return who, err
		}
		return who, &PermissionError{Role: who.Role, What: p}
	}
	return who, nil
}

// annotationRecording returns the recording of an annotation, for naming
// it in a denied attempt's audit entry ("" when there is no such
// annotation). requireOn names it only when the user may see it, so a
// restricted recording is not revealed.
func (l *Library) annotationRecording(ctx context.Context, annotationID string) string {
	a, err := l.st.Annotation(ctx, strings.ToUpper(strings.TrimSpace(annotationID)))
	if err != nil {
		return ""
	}
	return a.RecordingID
}

// onlyRecording returns the recording named by specs (recording ids or
// prefixes, "ID:N-M" ranges or annotation ids) when they all name the
// same one, else "": for naming it in a denied attempt's audit entry.
func (l *Library) onlyRecording(ctx context.Context, specs []string) string {
	one := ""
	for _, s := range specs {
		s = strings.TrimSpace(s)
		var r string
		if IsAnnotationID(s) {
			r = l.annotationRecording(ctx, s)
		} else {
			r, _, _ = strings.Cut(s, ":")
		}
		if r == "" || (one != "" && r != one) {
			return ""
		}
		one = r
	}
	return one
}

// resolve turns an id or prefix into the id of a recording the signed-in
// user may see for action. A restricted recording asked for by someone
// who may not see it gets ErrNotPermitted, as a missing one does, and the
// attempt is audited.
func (l *Library) resolve(ctx context.Context, idOrPrefix, action string) (string, error) {
	who, err := l.require(ctx, PermView, action)
	if err != nil {
		return "", err
	}
	id, err := l.st.Resolve(ctx, idOrPrefix, who.Role.Can(PermRestricted))
	var re *store.ErrRestricted
	switch {
	case errors.As(err, &re):
		e := l.entry(action)
		e.RecordingID, e.Outcome, e.Detail = re.ID, store.OutcomeDenied, "restricted recording"
		if aerr := l.st.Audit(ctx, e); aerr != nil {
			return "", aerr
		}
		return "", fmt.Errorf("%s: %w", idOrPrefix, ErrNotPermitted)
	case errors.Is(err, store.ErrNotFound):
		if d, derr := l.st.DeletionOf(ctx, idOrPrefix); derr == nil && d != nil &&
			(!d.Restricted || who.Role.Can(PermRestricted) || who.Role.Can(PermAuditRestricted)) {
			return "", &DeletedError{Deletion: d}
		}
		return "", fmt.Errorf("%s: %w", idOrPrefix, ErrNotPermitted)
	case err != nil:
		return "", fmt.Errorf("find recording %s: %w", idOrPrefix, err)
	}
	return id, nil
}

// Restrict makes a recording visible only to professional standards (psd).
func (l *Library) Restrict(ctx context.Context, id string, restricted bool) (string, error) {
	action := "restrict"
	if !restricted {
		action = "unrestrict"
	}
	if _, err := l.requireOn(ctx, PermRestricted, action, id); err != nil {
		return "", err
	}
	full, err := l.resolve(ctx, id, action)
	if err != nil {
		return "", err
	}
	return full, l.st.SetRestricted(ctx, full, restricted, l.entry(action))
}
