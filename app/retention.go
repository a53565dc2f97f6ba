package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"exhibit/store"
)

// Retention, as this package applies it:
//
//   - footage with an evidence or policing decision, footage whose decision
//     in force is refer-psd (until professional standards record another),
//     and footage under a legal hold, is kept;
//   - any other footage (unreviewed, nfa) is deleted when its period has
//     passed since it was recorded (recorded-at, not ingest): the default
//     period (31 days unless an administrator changes it), or the longest
//     period an administrator set for a category of its annotations (so
//     "use of force" footage can be kept longer);
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

// RetentionOutcome is what retention does with a recording: delete it when
// its period has passed, keep it (and why), or leave it alone because its
// recorded-at is not trusted. Its value is a stable name for JSON output.
type RetentionOutcome string

// Retention outcomes.
const (
	RetentionDelete           RetentionOutcome = "delete"            // deleted when its period has passed (RetentionItem.DeleteAt)
	RetentionKeptHold         RetentionOutcome = "kept-hold"         // a legal hold is in force
	RetentionKeptSAR          RetentionOutcome = "kept-sar"          // part of an open subject access request
	RetentionKeptEvidence     RetentionOutcome = "kept-evidence"     // decision in force: evidence
	RetentionKeptPolicing     RetentionOutcome = "kept-policing"     // decision in force: policing purpose
	RetentionKeptReferred     RetentionOutcome = "kept-referred"     // decision in force: refer-psd
	RetentionClockFuture      RetentionOutcome = "clock-future"      // recorded-at in the future: not acted on
	RetentionClockImplausible RetentionOutcome = "clock-implausible" // recorded-at before ClockFloor: not acted on
)

// keepOutcomes maps the store's keep reasons to outcomes.
var keepOutcomes = map[store.KeepReason]RetentionOutcome{
	store.KeepHold: RetentionKeptHold, store.KeepSAR: RetentionKeptSAR, store.KeepEvidence: RetentionKeptEvidence,
	store.KeepPolicing: RetentionKeptPolicing, store.KeepReferred: RetentionKeptReferred,
}

// Kept reports whether retention keeps the recording whatever its age.
func (o RetentionOutcome) Kept() bool {
	switch o {
	case RetentionKeptHold, RetentionKeptSAR, RetentionKeptEvidence, RetentionKeptPolicing, RetentionKeptReferred:
		return true
	}
	return false
}

// ClockProblem reports whether the recording's recorded-at is not trusted,
// so retention reports it and never acts on it.
func (o RetentionOutcome) ClockProblem() bool {
	return o == RetentionClockFuture || o == RetentionClockImplausible
}

// Label is the outcome as the library shows it ("kept: referred to PSD",
// "check clock"); for RetentionDelete, see DeletionLabel, which adds when.
func (o RetentionOutcome) Label() string {
	switch o {
	case RetentionKeptHold:
		return "kept: legal hold"
	case RetentionKeptSAR:
		return "kept: subject access request"
	case RetentionKeptEvidence:
		return "kept: evidence"
	case RetentionKeptPolicing:
		return "kept: policing purpose"
	case RetentionKeptReferred:
		return "kept: referred to PSD"
	case RetentionClockFuture, RetentionClockImplausible:
		return "check clock"
	case RetentionDelete:
		return "deleted when its period ends"
	}
	return string(o)
}

// DeletionLabel is the library's deletion column, in the GUI and the CLI:
// "in 12 days", "in 1 day", "due now" for a recording retention will
// delete at deleteAt, else the outcome's Label.
func DeletionLabel(o RetentionOutcome, deleteAt, now time.Time) string {
	if o != RetentionDelete {
		return o.Label()
	}
	switch n, _ := DaysLeft(deleteAt, now); n {
	case 0:
		return "due now"
	case 1:
		return "in 1 day"
	default:
		return fmt.Sprintf("in %d days", n)
	}
}

// RetentionOf returns the retention outcome List filled in for r.
func RetentionOf(r *Recording) RetentionOutcome { return RetentionOutcome(r.Retention) }

// RecordingDeletionLabel is DeletionLabel for a listed recording.
func RecordingDeletionLabel(r *Recording, now time.Time) string {
	return DeletionLabel(RetentionOf(r), r.DeleteAt, now)
}

// DueSoon reports whether a recording retention deletes at deleteAt (zero:
// never) goes within RetentionWarning of now, or is due already: what the
// library's "will be deleted within 7 days" warning counts.
func DueSoon(deleteAt, now time.Time) bool {
	return !deleteAt.IsZero() && deleteAt.Before(now.Add(RetentionWarning))
}

// CountDueSoon counts the listed recordings for which DueSoon holds.
func CountDueSoon(recs []*Recording, now time.Time) int {
	n := 0
	for _, r := range recs {
		if DueSoon(r.DeleteAt, now) {
			n++
		}
	}
	return n
}

// RetentionWarningWords is RetentionWarning in words: "within 7 days".
func RetentionWarningWords() string {
	return fmt.Sprintf("within %d days", int(RetentionWarning/(24*time.Hour)))
}

// RetentionItem is one recording as retention sees it.
type RetentionItem struct {
	ID         string           `json:"id"`
	SHA256     string           `json:"sha256"`
	RecordedAt time.Time        `json:"recorded_at"`
	Status     string           `json:"status"`
	Held       bool             `json:"held,omitempty"`
	Restricted bool             `json:"restricted,omitempty"`
	Categories []string         `json:"categories,omitempty"`
	Outcome    RetentionOutcome `json:"outcome"`
	// DeleteAt is when it is due (zero: kept by decision or hold, or a
	// clock problem).
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

// clockProblem returns the outcome and rule for a recorded-at retention
// must not act on ("" when it may).
func clockProblem(at, now time.Time) (RetentionOutcome, string) {
	switch {
	case at.After(now.Add(ClockSkew)):
		return RetentionClockFuture, RuleClockFuture
	case at.Before(ClockFloor):
		return RetentionClockImplausible, RuleClockImplausible
	}
	return "", ""
}

// judge applies the policy and the clock rule to one recording's state:
// the outcome, when it is due (zero unless RetentionDelete) and the rule.
// The sweep's re-check inside the deleting transaction uses it too.
func judge(p RetentionPolicy, st *store.RetentionState, now time.Time) (RetentionOutcome, time.Time, string) {
	at, rule := p.Evaluate(st)
	if at.IsZero() {
		o, ok := keepOutcomes[st.Keeps()]
		if !ok {
			o = RetentionKeptHold // Evaluate keeps only for a keep reason
		}
		return o, at, rule
	}
	if o, c := clockProblem(st.RecordedAt, now); c != "" {
		return o, time.Time{}, c
	}
	return RetentionDelete, at, rule
}

func evaluate(p RetentionPolicy, st *store.RetentionState, now time.Time) RetentionItem {
	it := RetentionItem{ID: st.ID, SHA256: st.SHA256, RecordedAt: st.RecordedAt, Status: st.Status, Held: st.Held,
		Restricted: st.Restricted, Categories: st.Categories}
	it.Outcome, it.DeleteAt, it.Rule = judge(p, st, now)
	return it
}

// RetentionPlan is what retention would do now.
type RetentionPlan struct {
	Now   time.Time
	Due   []RetentionItem // deletable now
	Soon  []RetentionItem // due within RetentionWarning
	Clock []RetentionItem // recorded-at not trusted: reported, not acted on
	// Referred are kept only because their decision in force is
	// refer-psd (a hold or another decision would keep them anyway).
	Referred []RetentionItem
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
		case it.Outcome.ClockProblem():
			p.Clock = append(p.Clock, it)
		case it.Outcome == RetentionKeptReferred:
			p.Referred = append(p.Referred, it)
		case it.Outcome != RetentionDelete:
		case !it.DeleteAt.After(now):
			p.Due = append(p.Due, it)
		case DueSoon(it.DeleteAt, now):
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
		return RetentionItem{}, fmt.Errorf("retention of recording %s: %w", full, err)
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
		// The same judgement as the plan's, re-run on the state read
		// inside the deleting transaction: a hold, a decision (a referral
		// to PSD included) or a changed policy made meanwhile wins.
		check := func(pol RetentionPolicy, st *store.RetentionState) (string, error) {
			now := time.Now()
			o, at, rule := judge(pol, st, now)
			switch {
			case o != RetentionDelete:
				return "", fmt.Errorf("%w: %s", store.ErrNotDue, rule)
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

// fillRetention sets DeleteAt, RetentionRule and Retention on recordings.
func (l *Library) fillRetention(ctx context.Context, recs []*Recording) error {
	pol, err := l.st.RetentionPolicy(ctx)
	if err != nil {
		return err
	}
	cats, err := l.st.AnnotatedCategories(ctx)
	if err != nil {
		return err
	}
	sars, err := l.st.OpenSARRecordings(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, r := range recs {
		st := store.RetentionState{ID: r.ID, RecordedAt: r.RecordedAt, Status: r.Status, Held: r.Held, Categories: cats[r.ID], SAR: sars[r.ID]}
		it := evaluate(pol, &st, now)
		r.DeleteAt, r.RetentionRule, r.Retention = it.DeleteAt, it.Rule, string(it.Outcome)
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
