package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"exhibit/store"
)

// Retention, as this package applies it:
//
//   - footage with an evidence or policing decision, or under a legal hold,
//     is kept;
//   - any other footage (unreviewed, nfa, referred) is deleted when its
//     period has passed since it was recorded (recorded-at, not ingest):
//     the default period (31 days unless an administrator changes it), or
//     the longest period an administrator set for a category of its
//     annotations (so "use of force" footage can be kept longer);
//   - a recorded-at in the future, or before ClockFloor, is a clock
//     problem: reported, never acted on.

// RetentionWarning is how far ahead the library warns of deletions.
const RetentionWarning = 7 * 24 * time.Hour

// RetentionInterval is how often the GUI sweeps while it is open.
const RetentionInterval = time.Hour

// ClockFloor is the earliest recorded-at retention trusts: earlier ones
// come from cameras whose clock was never set.
var ClockFloor = time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC)

// ClockSkew is how far in the future a recorded-at may be before it counts
// as a clock problem.
const ClockSkew = time.Hour

// RetentionPolicy is the retention policy in force.
type RetentionPolicy = store.RetentionPolicy

// Deletion is the record of a deleted recording.
type Deletion = store.Deletion

// Rules of a RetentionItem that are not a period.
const (
	RuleClockFuture      = "clock: recorded-at is in the future"
	RuleClockImplausible = "clock: recorded-at is before 2005 (camera clock not set?)"
)

// RetentionItem is one recording as retention sees it.
type RetentionItem struct {
	ID         string    `json:"id"`
	SHA256     string    `json:"sha256"`
	RecordedAt time.Time `json:"recorded_at"`
	Status     string    `json:"status"`
	Held       bool      `json:"held,omitempty"`
	Restricted bool      `json:"restricted,omitempty"`
	Categories []string  `json:"categories,omitempty"`
	// DeleteAt is when it is due (zero: kept by decision or hold).
	DeleteAt time.Time `json:"delete_at,omitzero"`
	Rule     string    `json:"rule"`
}

// DaysLeft returns the whole days left before a recording is deleted,
// counting a part day as a day (0 when due now), and false when it is kept.
func DaysLeft(deleteAt, now time.Time) (int, bool) {
	if deleteAt.IsZero() {
		return 0, false
	}
	left := deleteAt.Sub(now)
	if left <= 0 {
		return 0, true
	}
	return int((left + 24*time.Hour - 1) / (24 * time.Hour)), true
}

// clockProblem returns the rule for a recorded-at retention must not act on.
func clockProblem(at, now time.Time) string {
	switch {
	case at.After(now.Add(ClockSkew)):
		return RuleClockFuture
	case at.Before(ClockFloor):
		return RuleClockImplausible
	}
	return ""
}

func evaluate(p RetentionPolicy, st *store.RetentionState, now time.Time) RetentionItem {
	it := RetentionItem{ID: st.ID, SHA256: st.SHA256, RecordedAt: st.RecordedAt, Status: st.Status, Held: st.Held,
		Restricted: st.Restricted, Categories: st.Categories}
	it.DeleteAt, it.Rule = p.Evaluate(st)
	if !it.DeleteAt.IsZero() {
		if c := clockProblem(st.RecordedAt, now); c != "" {
			it.DeleteAt, it.Rule = time.Time{}, c
		}
	}
	return it
}

// RetentionPlan is what retention would do now.
type RetentionPlan struct {
	Now   time.Time
	Due   []RetentionItem // deletable now
	Soon  []RetentionItem // due within RetentionWarning
	Clock []RetentionItem // recorded-at not trusted: reported, not acted on
}

// seesRestricted reports whether the signed-in user may see retention
// items of restricted recordings (professional standards, and the
// administrators who run retention).
func (l *Library) seesRestricted() bool {
	return l.Can(PermRestricted) || l.Can(PermAuditRestricted)
}

func (l *Library) plan(ctx context.Context, now time.Time, all bool) (*RetentionPlan, error) {
	states, pol, err := l.st.RetentionStates(ctx)
	if err != nil {
		return nil, err
	}
	p := &RetentionPlan{Now: now}
	for _, st := range states {
		if st.Restricted && !all {
			continue
		}
		it := evaluate(pol, st, now)
		switch {
		case strings.HasPrefix(it.Rule, "clock:"):
			p.Clock = append(p.Clock, it)
		case it.DeleteAt.IsZero():
		case !it.DeleteAt.After(now):
			p.Due = append(p.Due, it)
		case it.DeleteAt.Before(now.Add(RetentionWarning)):
			p.Soon = append(p.Soon, it)
		}
	}
	sort.SliceStable(p.Soon, func(i, j int) bool { return p.Soon[i].DeleteAt.Before(p.Soon[j].DeleteAt) })
	return p, nil
}

// RetentionPlan returns what retention deletes now, what it will delete
// within RetentionWarning, and the recordings whose clock it does not
// trust, among those the signed-in user may see.
func (l *Library) RetentionPlan(ctx context.Context) (*RetentionPlan, error) {
	if _, err := l.require(ctx, PermView, "retention.plan"); err != nil {
		return nil, err
	}
	return l.plan(ctx, time.Now(), l.seesRestricted())
}

// RecordingRetention returns when retention deletes one recording and why.
func (l *Library) RecordingRetention(ctx context.Context, id string) (RetentionItem, error) {
	full, err := l.resolve(ctx, id, "retention.show")
	if err != nil {
		return RetentionItem{}, err
	}
	states, pol, err := l.st.RetentionStates(ctx)
	if err != nil {
		return RetentionItem{}, err
	}
	for _, st := range states {
		if st.ID == full {
			return evaluate(pol, st, time.Now()), nil
		}
	}
	return RetentionItem{}, fmt.Errorf("%s: %w", id, ErrNotPermitted)
}

// SweepResult is what a retention sweep did.
type SweepResult struct {
	Deleted []*Deletion     // deleted by this sweep (those the user may see)
	Hidden  int             // deleted restricted recordings not listed to this user
	Skipped []RetentionItem // due by age but not deleted (clock problems)
	Errors  []error         // per-recording failures; the sweep goes on past them
}

// SweepRetention deletes what the retention policy says is due now
// (administrators). Each deletion is its own transaction with its audit
// entry, and re-checks the recording is still due (a hold or decision made
// meanwhile wins).
func (l *Library) SweepRetention(ctx context.Context) (*SweepResult, error) {
	who, err := l.require(ctx, PermRetention, "retention.sweep")
	if err != nil {
		return nil, err
	}
	return l.sweep(ctx, who.Name, "by "+who.Name)
}

// AutoSweep runs the retention sweep on the policy's behalf, whoever is
// signed in: the GUI calls it when it opens and every RetentionInterval.
// Deletions are recorded as done by "retention" in that user's session.
func (l *Library) AutoSweep(ctx context.Context) (*SweepResult, error) {
	who, ok := l.Who()
	if !ok {
		return nil, ErrNotSignedIn
	}
	return l.sweep(ctx, "retention", "automatic, in the session of "+who.Name)
}

// RunRetention calls AutoSweep now and every interval until ctx ends,
// reporting each result (report may be nil; it runs on RunRetention's
// goroutine). It returns when ctx ends.
func (l *Library) RunRetention(ctx context.Context, interval time.Duration, report func(*SweepResult, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		res, err := l.AutoSweep(ctx)
		if err != nil {
			l.log.Warn("retention sweep failed", "error", err)
		}
		if report != nil && ctx.Err() == nil {
			report(res, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (l *Library) sweep(ctx context.Context, by, how string) (*SweepResult, error) {
	if n, err := l.st.RemoveLeftoverVaultFiles(ctx); err != nil {
		l.log.Warn("retention: leftover vault files", "error", err)
	} else if n > 0 {
		l.log.Info("retention: removed vault files a crash left behind", "files", n)
	}
	now := time.Now()
	plan, err := l.plan(ctx, now, true)
	if err != nil {
		return nil, err
	}
	res := &SweepResult{}
	all := l.seesRestricted()
	for _, it := range plan.Clock {
		l.log.Warn("retention: recorded-at not trusted; not acted on", "id", it.ID, "recorded_at", it.RecordedAt, "rule", it.Rule)
		if !it.Restricted || all {
			res.Skipped = append(res.Skipped, it)
		}
	}
	who, _ := l.Who()
	for _, it := range plan.Due {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		check := func(pol RetentionPolicy, st *store.RetentionState) (string, error) {
			now := time.Now()
			at, rule := pol.Evaluate(st)
			switch {
			case at.IsZero():
				return "", fmt.Errorf("%w: %s", store.ErrNotDue, rule)
			case clockProblem(st.RecordedAt, now) != "":
				return "", fmt.Errorf("%w: %s", store.ErrNotDue, clockProblem(st.RecordedAt, now))
			case at.After(now):
				return "", fmt.Errorf("%w until %s", store.ErrNotDue, at.Format(time.RFC3339))
			}
			return rule, nil
		}
		e := &store.AuditEntry{User: by, Role: string(who.Role), Action: "retention.delete"}
		if by == "retention" {
			e.Role = "system"
		}
		d, err := l.st.DeleteRecording(ctx, it.ID, by, func(pol RetentionPolicy, st *store.RetentionState) (string, error) {
			rule, err := check(pol, st)
			e.Detail = rule + " (" + how + ")"
			return rule, err
		}, e)
		switch {
		case errors.Is(err, store.ErrNotDue), errors.Is(err, store.ErrNotFound):
			continue // a hold, a decision or another sweep came first
		case err != nil && d == nil:
			res.Errors = append(res.Errors, fmt.Errorf("delete %s: %w", it.ID, err))
			continue
		case err != nil:
			// Deleted; only the vault file's removal failed (retried by
			// the next sweep). The data key is gone already.
			l.log.Warn("retention: vault file not removed yet", "id", it.ID, "error", err)
		}
		l.log.Info("retention: deleted", "id", d.RecordingID, "sha256", d.SHA256, "rule", d.Rule)
		if d.Restricted && !all {
			res.Hidden++
			continue
		}
		res.Deleted = append(res.Deleted, d)
	}
	if len(res.Deleted)+res.Hidden > 0 {
		if err := l.st.ScrubFreedPages(ctx); err != nil {
			l.log.Warn("retention: WAL not truncated", "error", err)
		}
	}
	return res, nil
}

// Deletions returns the records of deleted recordings the signed-in user
// may see, oldest first.
func (l *Library) Deletions(ctx context.Context) ([]*Deletion, error) {
	if _, err := l.require(ctx, PermView, "retention.deletions"); err != nil {
		return nil, err
	}
	return l.st.Deletions(ctx, l.seesRestricted())
}

// RetentionPolicy returns the retention policy in force.
func (l *Library) RetentionPolicy(ctx context.Context) (RetentionPolicy, error) {
	if _, err := l.require(ctx, PermView, "retention.policy"); err != nil {
		return RetentionPolicy{}, err
	}
	return l.st.RetentionPolicy(ctx)
}

// MaxRetentionDays bounds a retention period (ten years).
const MaxRetentionDays = 3653

// SetRetentionDays sets the retention period, in days, of an annotation
// category, or the default period when category is "" (administrators).
// days 0 removes a category's own period (the default applies again).
func (l *Library) SetRetentionDays(ctx context.Context, category string, days int) error {
	if _, err := l.require(ctx, PermRetention, "settings"); err != nil {
		return err
	}
	if category != "" {
		var err error
		if category, err = l.category(ctx, category); err != nil {
			return err
		}
	}
	if days < 0 || days > MaxRetentionDays || (category == "" && days == 0) {
		return fmt.Errorf("retention period %d days: choose between 1 and %d", days, MaxRetentionDays)
	}
	e := l.entry("settings")
	what := "default"
	if category != "" {
		what = "category " + category
	}
	e.Detail = fmt.Sprintf("retention %s: %d days", what, days)
	if days == 0 {
		e.Detail = fmt.Sprintf("retention %s: default period", what)
	}
	return l.st.SetRetentionDays(ctx, category, days, e)
}

// fillRetention sets DeleteAt and RetentionRule on recordings.
func (l *Library) fillRetention(ctx context.Context, recs []*Recording) error {
	pol, err := l.st.RetentionPolicy(ctx)
	if err != nil {
		return err
	}
	cats, err := l.st.AnnotatedCategories(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, r := range recs {
		st := store.RetentionState{ID: r.ID, RecordedAt: r.RecordedAt, Status: r.Status, Held: r.Held, Categories: cats[r.ID]}
		it := evaluate(pol, &st, now)
		r.DeleteAt, r.RetentionRule = it.DeleteAt, it.Rule
	}
	return nil
}

// DeletedError reports a recording that retention (or an administrator)
// deleted.
type DeletedError struct{ Deletion *Deletion }

func (e *DeletedError) Error() string {
	return fmt.Sprintf("recording %s was deleted on %s (%s)", e.Deletion.RecordingID,
		e.Deletion.DeletedAt.Local().Format("2 Jan 2006 15:04 MST"), e.Deletion.Rule)
}
