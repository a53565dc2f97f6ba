package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"exhibit/bundle"
	"exhibit/store"
)

// Subject access requests (SARs): a member of the public asks for the
// footage of themselves (Data Protection Act 2018 / UK GDPR, Article 15).
// A SAR is a case of its own: the subject (sealed), the day it was
// received, the day it is due, its recordings and redaction projects, and
// its status (open, responded with an export bundle, closed).
//
// Access: reviewers (sergeant) and professional standards handle SARs
// (PermSAR): they are the roles that export, and the answer to a SAR is an
// export bundle. Administrators and viewers neither see nor handle them
// (the subject's name is personal data they have no need for). A SAR that
// includes a restricted recording follows the restriction: only roles that
// may see restricted recordings see it at all, and to the others it is
// "not found", as a restricted recording is.

// SAR is a subject access request.
type SAR = store.SAR

// SAR statuses, and the list filters beyond them.
const (
	SAROpen      = store.SAROpen
	SARResponded = store.SARResponded
	SARClosed    = store.SARClosed
	// SARDueSoon is a SARs filter: open SARs due within SARWarning or
	// overdue.
	SARDueSoon = "due"
	// SAROverdue is a SARs filter: open SARs past their due day.
	SAROverdue = "overdue"
)

// SARStatuses are the values the SARs filter takes.
var SARStatuses = []string{SAROpen, SARDueSoon, SAROverdue, SARResponded, SARClosed}

// DayLayout is how a calendar day is written in JSON and the store:
// 2026-11-26.
const DayLayout = store.DayLayout

// FormatSARID writes a SAR id as people see it: SAR-12.
func FormatSARID(id int64) string { return store.FormatSARID(id) }

// ParseSARID reads a SAR id: "SAR-12", "sar-12", "SAR12" or "12".
func ParseSARID(s string) (int64, error) { return store.ParseSARID(s) }

// SARWarning is how close a SAR's due day is before the "due" filter
// includes it: 7 days, as for deletions.
const SARWarning = 7

// SARDueDate is the day a SAR received on the day received must be
// answered by: one calendar month later (UK GDPR Art. 12(3), as the ICO
// reads it: "the corresponding calendar date in the next month"; when the
// next month has no such date, its last day). 3 Sep → 3 Oct; 31 Jan → 28
// Feb (29 Feb in a leap year); 30 Jan → 28/29 Feb; 31 Mar → 30 Apr; 31 Dec
// → 31 Jan. The day of receipt counts as day one whatever day of the week
// it is. The date is not moved off a weekend or bank holiday (the ICO
// allows the next working day then): the due day shown is never later
// than the law's. Extensions (two further months for complex requests)
// are not modelled. received's calendar date is taken as it is written
// (its own location); the result is midnight UTC of the due day.
func SARDueDate(received time.Time) time.Time {
	y, m, d := received.Date()
	// The first of the next month, then the same day or the month's last.
	first := time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), 0, 0, 0, 0, time.UTC)
}

// calendarDay is midnight UTC of t's date in t's location.
func calendarDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// SARDaysLeft is the number of calendar days from now's local date to the
// due day: 0 due today, negative overdue.
func SARDaysLeft(due, now time.Time) int {
	today := calendarDay(now.In(time.Local))
	return int(calendarDay(due).Sub(today).Hours() / 24)
}

// SARDueLabel is what the library (GUI and `exhibit list`) shows for a
// recording in an open SAR: "SAR due in 6 days", "SAR due tomorrow",
// "SAR due today", "SAR overdue by 2 days".
func SARDueLabel(due, now time.Time) string {
	switch n := SARDaysLeft(due, now); {
	case n == 0:
		return "SAR due today"
	case n == 1:
		return "SAR due tomorrow"
	case n == -1:
		return "SAR overdue by 1 day"
	case n < 0:
		return fmt.Sprintf("SAR overdue by %d days", -n)
	default:
		return fmt.Sprintf("SAR due in %d days", n)
	}
}

// RecordingSARLabel is SARDueLabel for a listed recording, "" when it is
// in no open SAR the user may see.
func RecordingSARLabel(r *Recording, now time.Time) string {
	if r.SARID == 0 {
		return ""
	}
	return SARDueLabel(r.SARDue, now)
}

// SAROverdueAt reports whether an open SAR due on due is late at now.
func SAROverdueAt(due, now time.Time) bool { return SARDaysLeft(due, now) < 0 }

// ErrSubjectMissing reports a SAR without the subject's name.
var ErrSubjectMissing = errors.New("a subject access request needs the name of the person asking")

// ErrBundleUnredacted reports a response bundle that holds unredacted
// footage when that was not asked for explicitly.
var ErrBundleUnredacted = errors.New("the bundle holds unredacted footage")

// ErrBundleNotes reports a response bundle that carries free text (marker
// notes, decision or legal hold reasons) when that was not asked for
// explicitly: at export (--with-notes) and at the response (unredacted).
var ErrBundleNotes = errors.New("the bundle carries free-text notes and reasons (they can name the people the redaction hides)")

// BundleFailedError reports a response bundle that does not verify.
type BundleFailedError struct{ Problems []bundle.Problem }

func (e *BundleFailedError) Error() string {
	if len(e.Problems) == 0 {
		return "the bundle does not verify"
	}
	return fmt.Sprintf("the bundle does not verify (%d problems; first: %s)", len(e.Problems), e.Problems[0])
}

// sarError turns a store's answer about a SAR the user may not see into
// the not-found answer, auditing the attempt at action.
func (l *Library) sarError(ctx context.Context, err error, action string) error {
	var re *store.SARRestrictedError
	if errors.As(err, &re) {
		e := l.entry(action)
		e.Outcome, e.Detail = store.OutcomeDenied, store.FormatSARID(re.ID)+": not permitted"
		if aerr := l.st.Audit(ctx, e); aerr != nil {
			return aerr
		}
		return fmt.Errorf("%s: %w", store.FormatSARID(re.ID), store.ErrNoSAR)
	}
	return err
}

// requireSAR is the gate of every SAR use case: PermSAR, and the SAR's id
// parsed. It returns whether the user may see restricted recordings.
func (l *Library) requireSAR(ctx context.Context, action, sarID string) (int64, bool, error) {
	who, err := l.require(ctx, PermSAR, action)
	if err != nil {
		return 0, false, err
	}
	if sarID == "" {
		return 0, who.Role.Can(PermRestricted), nil
	}
	id, err := store.ParseSARID(sarID)
	if err != nil {
		return 0, false, err
	}
	return id, who.Role.Can(PermRestricted), nil
}

// NewSAR records a subject access request received on the day received
// (its calendar date; see SARDueDate for the due day). The subject's name
// is sealed in the store and never written to the audit trail, whose
// entry (sar.create) names the SAR by id.
func (l *Library) NewSAR(ctx context.Context, subject string, received time.Time) (*SAR, error) {
	if _, _, err := l.requireSAR(ctx, "sar.create", ""); err != nil {
		return nil, err
	}
	subject = strings.TrimSpace(subject)
	if subject == "" {
		return nil, ErrSubjectMissing
	}
	if received.IsZero() {
		return nil, errors.New("a subject access request needs the day it was received")
	}
	if calendarDay(received).After(calendarDay(time.Now().In(received.Location()))) {
		return nil, fmt.Errorf("the received day %s is in the future", FormatDay(received))
	}
	who, _ := l.Who()
	r := &SAR{Subject: subject, Received: calendarDay(received), Due: SARDueDate(received), CreatedBy: who.Name}
	if err := l.st.CreateSAR(ctx, r, l.entry("sar.create")); err != nil {
		return nil, fmt.Errorf("record the subject access request: %w", err)
	}
	return r, nil
}

// AddToSAR adds recordings (ids or prefixes, each resolved through the
// access gate: a restricted recording only by who may see it) to an open
// SAR, one audited transaction each (sar.add, naming the recording). It
// returns the full ids added; ones already in the SAR are skipped and
// listed in skipped.
func (l *Library) AddToSAR(ctx context.Context, sarID string, recordings []string) (added, skipped []string, err error) {
	id, restricted, err := l.requireSAR(ctx, "sar.add", sarID)
	if err != nil {
		return nil, nil, err
	}
	if _, err := l.st.SAR(ctx, id, restricted); err != nil {
		return nil, nil, l.sarError(ctx, err, "sar.add")
	}
	who, _ := l.Who()
	for _, spec := range recordings {
		full, err := l.resolve(ctx, spec, "sar.add")
		if err != nil {
			return added, skipped, err
		}
		err = l.st.AddSARRecording(ctx, id, full, who.Name, restricted, l.entry("sar.add"))
		switch {
		case errors.Is(err, store.ErrSARLinked):
			skipped = append(skipped, full)
		case err != nil:
			return added, skipped, l.sarError(ctx, err, "sar.add")
		default:
			added = append(added, full)
		}
	}
	return added, skipped, nil
}

// AddProjectToSAR links a redaction project (by id, read through its own
// gated use case RedactionProject, so a project of a restricted recording
// only by who may see it) to an open SAR, with its recording. Audited as
// sar.project, naming the recording. The link has no foreign key to the
// redaction tables: a project goes with its recording (retention), and
// the SAR's record of what it covered outlives both.
func (l *Library) AddProjectToSAR(ctx context.Context, sarID, projectID string) (recordingID string, err error) {
	id, restricted, err := l.requireSAR(ctx, "sar.project", sarID)
	if err != nil {
		return "", err
	}
	if _, err := l.st.SAR(ctx, id, restricted); err != nil {
		return "", l.sarError(ctx, err, "sar.project")
	}
	p, err := l.RedactionProject(ctx, strings.TrimSpace(projectID))
	if err != nil {
		return "", err
	}
	who, _ := l.Who()
	if err := l.st.AddSARProject(ctx, id, p.ID, p.RecordingID, who.Name, restricted, l.entry("sar.project")); err != nil {
		return "", l.sarError(ctx, err, "sar.project")
	}
	return p.RecordingID, nil
}

// SARs lists the SARs the user may see, due first. status is "" (all),
// one of the statuses, SARDueSoon (open and due within SARWarning days or
// overdue) or SAROverdue.
func (l *Library) SARs(ctx context.Context, status string) ([]*SAR, error) {
	_, restricted, err := l.requireSAR(ctx, "sar.list", "")
	if err != nil {
		return nil, err
	}
	st := status
	switch status {
	case "", SAROpen, SARResponded, SARClosed:
	case SARDueSoon, SAROverdue:
		st = SAROpen
	default:
		return nil, fmt.Errorf("unknown status %q (one of %s)", status, strings.Join(SARStatuses, ", "))
	}
	out, err := l.st.SARs(ctx, st, restricted)
	if err != nil {
		return nil, err
	}
	if st != status {
		now := time.Now()
		kept := out[:0]
		for _, r := range out {
			n := SARDaysLeft(r.Due, now)
			if (status == SAROverdue && n < 0) || (status == SARDueSoon && n <= SARWarning) {
				kept = append(kept, r)
			}
		}
		out = kept
	}
	return out, nil
}

// GetSAR returns one SAR (its subject unsealed) the user may see.
func (l *Library) GetSAR(ctx context.Context, sarID string) (*SAR, error) {
	id, restricted, err := l.requireSAR(ctx, "sar.show", sarID)
	if err != nil {
		return nil, err
	}
	r, err := l.st.SAR(ctx, id, restricted)
	if err != nil {
		return nil, l.sarError(ctx, err, "sar.show")
	}
	return r, nil
}

// SARResponse is what RespondSAR recorded.
type SARResponse struct {
	SAR            *SAR
	BundleID       string
	ManifestSHA256 string
	// Unredacted lists the bundle's unredacted footage (masters, clips,
	// stills) accepted because it was asked for.
	Unredacted []string
	// Missing lists the SAR's recordings the bundle holds nothing of.
	Missing []string
	// Notes is set when the bundle carries free text (marker notes,
	// decision or legal hold reasons), accepted because it was asked for
	// at export and at the response.
	Notes bool
}

// bundleCarriesNotes reports whether a bundle with manifest m carries
// free text, and whether it was asked for at export (--with-notes). A
// bundle without the manifest's record of it (older) is taken to carry
// it, not asked for.
func bundleCarriesNotes(m bundle.Manifest) (carries, asked bool) {
	n := m.Notes
	if n == nil {
		return true, false
	}
	return !n.Withheld && n.Markers+n.Decisions+n.Holds > 0, n.Asked
}

// unredactedKinds are the bundle items that show footage as recorded.
var unredactedKinds = map[bundle.Kind]bool{bundle.KindMaster: true, bundle.KindClipCourt: true,
	bundle.KindClipLossless: true, bundle.KindStill: true}

// RespondSAR records the response to an open SAR: the export bundle in
// dir, made with Export from this store. The bundle is verified first
// (bundle.Verify: every hash, frame hash and audit proof), its manifest's
// SHA-256 must be one an export.create entry of this store records, and
// it may hold unredacted footage (masters, court or lossless clips,
// stills) only when allowUnredacted says so; a SAR's answer is redacted
// footage. Free text (marker notes, decision and legal hold reasons),
// which can name the people the redaction hides, is refused likewise
// (ErrBundleNotes) unless the bundle was made asking for it (export
// --with-notes; a bundle with redacted copies withholds it otherwise) and
// allowUnredacted is given. The SAR's status becomes responded, with the bundle's id and
// manifest hash, audited as sar.respond.
func (l *Library) RespondSAR(ctx context.Context, sarID, dir string, allowUnredacted bool) (*SARResponse, error) {
	id, restricted, err := l.requireSAR(ctx, "sar.respond", sarID)
	if err != nil {
		return nil, err
	}
	r, err := l.st.SAR(ctx, id, restricted)
	if err != nil {
		return nil, l.sarError(ctx, err, "sar.respond")
	}
	if r.Status != SAROpen {
		return nil, fmt.Errorf("%s is %s: %w", store.FormatSARID(id), r.Status, store.ErrSARNotOpen)
	}
	data, err := os.ReadFile(filepath.Join(dir, bundle.ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("read the response bundle: %w", err)
	}
	sum := sha256.Sum256(data)
	var m bundle.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("read the response bundle's %s: %w", bundle.ManifestFile, err)
	}
	if problems := bundle.Verify(ctx, dir, bundle.VerifyOptions{}); len(problems) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return nil, &BundleFailedError{Problems: problems}
	}
	res := &SARResponse{BundleID: m.BundleID, ManifestSHA256: hex.EncodeToString(sum[:])}
	covered := map[string]bool{}
	for _, it := range m.Items {
		if it.MasterID != "" {
			covered[it.MasterID] = true
		}
		if unredactedKinds[it.Kind] {
			res.Unredacted = append(res.Unredacted, it.Path)
		}
	}
	if len(res.Unredacted) > 0 && !allowUnredacted {
		return nil, fmt.Errorf("%w (%d files, e.g. %s)", ErrBundleUnredacted, len(res.Unredacted), res.Unredacted[0])
	}
	// Whether it was made here is the first thing to say of a bundle that
	// carries notes (the store checks it again as it records the answer).
	if ok, err := l.st.ExportedManifest(ctx, res.ManifestSHA256); err != nil {
		return nil, err
	} else if !ok {
		return nil, fmt.Errorf("bundle %s: %w", res.BundleID, store.ErrBundleNotExported)
	}
	if carries, asked := bundleCarriesNotes(m); carries {
		switch {
		case !asked:
			return nil, fmt.Errorf("%w: export it again (with --redacted they are withheld; with --with-notes, and --unredacted here, they go with it)", ErrBundleNotes)
		case !allowUnredacted:
			return nil, fmt.Errorf("%w: it was exported with --with-notes; accept it only with --unredacted", ErrBundleNotes)
		}
		res.Notes = true
	}
	for _, rec := range r.Recordings {
		if !covered[rec.RecordingID] {
			res.Missing = append(res.Missing, rec.RecordingID)
		}
	}
	e := l.entry("sar.respond")
	if len(res.Unredacted) > 0 {
		e.Detail = fmt.Sprintf(" (unredacted footage asked for: %d files)", len(res.Unredacted))
	}
	if res.Notes {
		e.Detail += " (notes and reasons asked for)"
	}
	who, _ := l.Who()
	if err := l.st.RespondSAR(ctx, id, res.BundleID, res.ManifestSHA256, who.Name, restricted, e); err != nil {
		return nil, l.sarError(ctx, err, "sar.respond")
	}
	if res.SAR, err = l.st.SAR(ctx, id, restricted); err != nil {
		return nil, err
	}
	return res, nil
}

// CloseSAR closes a SAR (responded, or open: withdrawn or refused),
// audited as sar.close.
func (l *Library) CloseSAR(ctx context.Context, sarID string) (*SAR, error) {
	id, restricted, err := l.requireSAR(ctx, "sar.close", sarID)
	if err != nil {
		return nil, err
	}
	who, _ := l.Who()
	if err := l.st.CloseSAR(ctx, id, who.Name, restricted, l.entry("sar.close")); err != nil {
		return nil, l.sarError(ctx, err, "sar.close")
	}
	return l.st.SAR(ctx, id, restricted)
}

// fillSAR sets SARID and SARDue of recs in an open SAR the user may see
// (none for roles without PermSAR).
func (l *Library) fillSAR(ctx context.Context, recs []*Recording) error {
	who, ok := l.Who()
	if !ok || !who.Role.Can(PermSAR) || len(recs) == 0 {
		return nil
	}
	dues, err := l.st.OpenSARDues(ctx, who.Role.Can(PermRestricted))
	if err != nil {
		return err
	}
	for _, r := range recs {
		d := dues[r.ID]
		r.SARID, r.SARDue = d.SARID, d.Due
	}
	return nil
}
