package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"exhibit/app/media"
	"exhibit/store"
)

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(DayLayout, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSARDueDate: one calendar month, the ICO's way: the corresponding
// date in the next month, else that month's last day.
func TestSARDueDate(t *testing.T) {
	for _, c := range []struct{ received, due string }{
		{"2026-09-03", "2026-10-03"}, // the ICO's own example
		{"2026-01-31", "2026-02-28"},
		{"2028-01-31", "2028-02-29"}, // leap year
		{"2026-01-30", "2026-02-28"},
		{"2028-01-30", "2028-02-29"},
		{"2026-01-29", "2026-02-28"},
		{"2028-01-29", "2028-02-29"},
		{"2026-01-28", "2026-02-28"},
		{"2026-03-31", "2026-04-30"},
		{"2026-05-31", "2026-06-30"},
		{"2026-08-31", "2026-09-30"},
		{"2026-02-28", "2026-03-28"},
		{"2028-02-29", "2028-03-29"},
		{"2026-12-31", "2027-01-31"}, // across the year
		{"2026-12-15", "2027-01-15"},
		{"2100-01-31", "2100-02-28"}, // not a leap year (century)
		{"2000-01-31", "2000-02-29"}, // a leap year (400)
		{"2026-11-26", "2026-12-26"},
	} {
		if got := SARDueDate(day(t, c.received)).Format(DayLayout); got != c.due {
			t.Errorf("received %s: due %s, want %s", c.received, got, c.due)
		}
	}
	// The day typed as UK users type it, through the app's day parser (local
	// midnight).
	d, err := ParseDay("31/1/2028")
	if err != nil {
		t.Fatal(err)
	}
	if got := SARDueDate(d).Format(DayLayout); got != "2028-02-29" {
		t.Errorf("31/1/2028 due %s", got)
	}
	// The calendar date is taken as written, whatever the zone (no
	// conversion to UTC moves it a day).
	for _, loc := range []string{"Europe/London", "Pacific/Kiritimati", "Pacific/Pago_Pago"} {
		z, err := time.LoadLocation(loc)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			at  time.Time
			due string
		}{
			{time.Date(2026, 3, 31, 23, 59, 0, 0, z), "2026-04-30"},
			{time.Date(2026, 3, 31, 0, 0, 0, 0, z), "2026-04-30"},
			{time.Date(2028, 1, 31, 0, 30, 0, 0, z), "2028-02-29"},
		} {
			if got := SARDueDate(c.at).Format(DayLayout); got != c.due {
				t.Errorf("%s: received %s due %s, want %s", loc, c.at, got, c.due)
			}
		}
	}
}

func TestSARReceivedFixture(t *testing.T) {
	for now := time.Date(2027, 1, 1, 12, 0, 0, 0, time.Local); now.Year() < 2029; now = now.AddDate(0, 0, 1) {
		for _, want := range []int{6, -2, 10} {
			r, n := TestSARReceived(now, want)
			if n < want-2 || n > want+2 || !r.Before(now) || SARDaysLeft(SARDueDate(r), now) != n {
				t.Fatalf("%s, %d days: received %s, %d days (due %s)", now.Format(DayLayout), want, r.Format(DayLayout), n,
					SARDueDate(r).Format(DayLayout))
			}
		}
	}
}

func TestSARDueLabel(t *testing.T) {
	now := time.Date(2026, 12, 2, 23, 30, 0, 0, time.Local)
	for _, c := range []struct {
		due, want string
		overdue   bool
	}{
		{"2026-12-08", "SAR due in 6 days", false},
		{"2026-12-03", "SAR due tomorrow", false},
		{"2026-12-02", "SAR due today", false},
		{"2026-12-01", "SAR overdue by 1 day", true},
		{"2026-11-30", "SAR overdue by 2 days", true},
		{"2027-01-02", "SAR due in 31 days", false},
	} {
		d := day(t, c.due)
		if got := SARDueLabel(d, now); got != c.want {
			t.Errorf("due %s: %q, want %q", c.due, got, c.want)
		}
		if SAROverdueAt(d, now) != c.overdue {
			t.Errorf("due %s: overdue %v", c.due, !c.overdue)
		}
	}
}

// receivedFor is TestSARReceived for now, with the label the library
// shows for it.
func receivedFor(days int) (time.Time, string) {
	r, n := TestSARReceived(time.Now(), days)
	if n < 0 {
		return r, fmt.Sprintf("SAR overdue by %d days", -n)
	}
	return r, fmt.Sprintf("SAR due in %d days", n)
}

// sarFixture is a store (NewTestStore's accounts) with two generated
// recordings ingested by the sergeant; the second is restricted.
func sarFixture(t *testing.T) (lib *Library, open, restricted string) {
	t.Helper()
	ctx := context.Background()
	lib = NewTestLibrary(t, RoleSergeant)
	var ids []string
	for i, name := range []string{"a.mp4", "b.mp4"} {
		src := filepath.Join(t.TempDir(), name)
		if err := media.WriteIndexedClip(ctx, src, media.IndexedClipOptions{Frames: 30 + i, GOP: 25}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ingestOne(t, lib, src).ID)
	}
	switchTo(t, lib, RolePSD)
	if _, err := lib.Restrict(ctx, ids[1], true); err != nil {
		t.Fatal(err)
	}
	switchTo(t, lib, RoleSergeant)
	return lib, ids[0], ids[1]
}

func switchTo(t testing.TB, lib *Library, r Role) {
	t.Helper()
	name := TestUserName(r)
	if _, err := lib.SignIn(context.Background(), name, []byte(TestPassword(name)), "test"); err != nil {
		t.Fatal(err)
	}
}

// TestSARSealedAndNotAudited: the subject's name is not in the database
// file (nor its WAL) in clear, and no audit entry carries it; every change
// is audited by id.
func TestSARSealedAndNotAudited(t *testing.T) {
	ctx := context.Background()
	lib, rec, _ := sarFixture(t)
	const name = "Philomena Quarterbridge-Ambleside"
	received, _ := receivedFor(6)
	s, err := lib.NewSAR(ctx, name, received)
	if err != nil {
		t.Fatal(err)
	}
	id := FormatSARID(s.ID)
	if _, _, err := lib.AddToSAR(ctx, id, []string{rec}); err != nil {
		t.Fatal(err)
	}
	got, err := lib.GetSAR(ctx, id)
	if err != nil || got.Subject != name || len(got.Recordings) != 1 || got.Recordings[0].RecordingID != rec {
		t.Fatalf("GetSAR: %+v %v", got, err)
	}
	if _, err := lib.CloseSAR(ctx, id); err != nil {
		t.Fatal(err)
	}
	switchTo(t, lib, RoleAdmin) // reads every audit entry
	es, err := lib.AuditEntries(ctx, AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"sar.create": id + " received ", "sar.add": id, "sar.close": id + " closed (was open)"}
	for _, e := range es {
		for _, part := range strings.Fields(name) {
			if strings.Contains(string(e.LeafData()), part) {
				t.Errorf("audit entry %d carries the subject: %s", e.Seq, e.LeafData())
			}
		}
		if p, ok := want[e.Action]; ok {
			if !strings.HasPrefix(e.Detail, p) {
				t.Errorf("%s detail %q", e.Action, e.Detail)
			}
			if e.Action == "sar.add" && e.RecordingID != rec {
				t.Errorf("sar.add names recording %q", e.RecordingID)
			}
			delete(want, e.Action)
		}
	}
	if len(want) != 0 {
		t.Errorf("not audited: %v", want)
	}
	dir := lib.Dir()
	if err := lib.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "exhibit.db*"))
	if len(files) == 0 {
		t.Fatal("no database file")
	}
	seen := false
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		seen = seen || bytes.Contains(b, []byte(id+" received"))
		for _, part := range strings.Fields(name) {
			if bytes.Contains(b, []byte(part)) || bytes.Contains(bytes.ToLower(b), []byte(strings.ToLower(part))) {
				t.Errorf("%s holds %q in clear", filepath.Base(f), part)
			}
		}
	}
	if !seen { // the grep can find what is there in clear
		t.Error("the audit detail is not in the database files either: the grep reads nothing")
	}
}

// TestSARGate: reviewers and professional standards handle SARs;
// administrators and viewers may not, and are audited as denied. A SAR
// including a restricted recording is not found for a reviewer.
func TestSARGate(t *testing.T) {
	ctx := context.Background()
	lib, rec, restricted := sarFixture(t)
	received, label := receivedFor(6)
	mine, err := lib.NewSAR(ctx, "Subject One", received)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := lib.AddToSAR(ctx, FormatSARID(mine.ID), []string{rec}); err != nil {
		t.Fatal(err)
	}
	// The reviewer may not add a restricted recording: not found.
	if _, _, err := lib.AddToSAR(ctx, FormatSARID(mine.ID), []string{restricted}); !errors.Is(err, ErrNotPermitted) {
		t.Fatalf("reviewer adds a restricted recording: %v", err)
	}

	switchTo(t, lib, RolePSD)
	received, overLabel := receivedFor(-2)
	psds, err := lib.NewSAR(ctx, "Subject Two", received)
	if err != nil {
		t.Fatal(err)
	}
	psdID := FormatSARID(psds.ID)
	if added, _, err := lib.AddToSAR(ctx, psdID, []string{rec, restricted}); err != nil || len(added) != 2 {
		t.Fatalf("psd adds: %v %v", added, err)
	}
	// The psd sees both SARs; the open recording is in both, and the label
	// names the one due first (overdue).
	if all, err := lib.SARs(ctx, ""); err != nil || len(all) != 2 {
		t.Fatalf("psd lists %d SARs: %v", len(all), err)
	}
	if over, err := lib.SARs(ctx, SAROverdue); err != nil || len(over) != 1 || over[0].ID != psds.ID {
		t.Fatalf("psd overdue: %v %v", over, err)
	}
	r, err := lib.Get(ctx, rec)
	if err != nil || r.SARID != psds.ID || RecordingSARLabel(r, time.Now()) != overLabel {
		t.Fatalf("psd sees %s: SAR %d %q %v", rec, r.SARID, RecordingSARLabel(r, time.Now()), err)
	}

	switchTo(t, lib, RoleSergeant)
	list, err := lib.SARs(ctx, "")
	if err != nil || len(list) != 1 || list[0].ID != mine.ID {
		t.Fatalf("reviewer lists %v %v", list, err)
	}
	if _, err := lib.GetSAR(ctx, psdID); !errors.Is(err, store.ErrNoSAR) {
		t.Fatalf("reviewer reads a restricted SAR: %v", err)
	}
	if _, err := lib.CloseSAR(ctx, psdID); !errors.Is(err, store.ErrNoSAR) {
		t.Fatalf("reviewer closes a restricted SAR: %v", err)
	}
	recs, err := lib.List(ctx, Filter{}, SortRecordedAt, false)
	if err != nil || len(recs) != 1 {
		t.Fatalf("reviewer lists %d recordings: %v", len(recs), err)
	}
	if got := RecordingSARLabel(recs[0], time.Now()); recs[0].SARID != mine.ID || got != label {
		t.Errorf("reviewer's label: SAR %d %q", recs[0].SARID, got)
	}

	for _, role := range []Role{RoleAdmin, RoleViewer} {
		switchTo(t, lib, role)
		var pe *PermissionError
		if _, err := lib.NewSAR(ctx, "x", time.Now()); !errors.As(err, &pe) {
			t.Errorf("%s creates a SAR: %v", role, err)
		}
		if _, err := lib.SARs(ctx, ""); !errors.As(err, &pe) {
			t.Errorf("%s lists SARs: %v", role, err)
		}
		if _, err := lib.GetSAR(ctx, FormatSARID(mine.ID)); !errors.As(err, &pe) {
			t.Errorf("%s reads a SAR: %v", role, err)
		}
		recs, err := lib.List(ctx, Filter{}, SortRecordedAt, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.SARID != 0 {
				t.Errorf("%s sees %s in %s", role, r.ID, FormatSARID(r.SARID))
			}
		}
	}
	switchTo(t, lib, RoleAdmin)
	es, err := lib.AuditEntries(ctx, AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	denied := map[string]int{}
	for _, e := range es {
		if e.Outcome == store.OutcomeDenied && strings.HasPrefix(e.Action, "sar.") {
			denied[e.User+" "+e.Action]++
		}
	}
	for _, k := range []string{"admin sar.create", "viewer sar.list", "sergeant sar.show", "sergeant sar.close"} {
		if denied[k] == 0 {
			t.Errorf("no denied entry for %s: %v", k, denied)
		}
	}
	// A SAR created in the future is refused; a later change to a closed
	// SAR too.
	switchTo(t, lib, RoleSergeant)
	if _, err := lib.NewSAR(ctx, "x", time.Now().AddDate(0, 0, 2)); err == nil {
		t.Error("a SAR received in the future was accepted")
	}
	if _, err := lib.NewSAR(ctx, "  ", time.Now()); !errors.Is(err, ErrSubjectMissing) {
		t.Errorf("no subject: %v", err)
	}
	if _, err := lib.CloseSAR(ctx, FormatSARID(mine.ID)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := lib.AddToSAR(ctx, FormatSARID(mine.ID), []string{rec}); !errors.Is(err, store.ErrSARNotOpen) {
		t.Errorf("add to a closed SAR: %v", err)
	}
	if _, err := lib.CloseSAR(ctx, FormatSARID(mine.ID)); !errors.Is(err, store.ErrSARClosed) {
		t.Errorf("close twice: %v", err)
	}
	if r, err := lib.Get(ctx, rec); err != nil || r.SARID != 0 {
		t.Errorf("a closed SAR still labels the recording: %v %v", r.SARID, err)
	}
}

// TestSARRespond: the response is an export bundle of this store that
// verifies; unredacted footage only when asked for.
func TestSARRespond(t *testing.T) {
	ctx := context.Background()
	lib, rec, _ := sarFixture(t)
	received, _ := receivedFor(10)
	s, err := lib.NewSAR(ctx, "Subject", received)
	if err != nil {
		t.Fatal(err)
	}
	id := FormatSARID(s.ID)
	if _, _, err := lib.AddToSAR(ctx, id, []string{rec}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "SAR-1")
	exp, err := lib.Export(ctx, ExportRequest{CaseRef: "SAR/2026/1", Out: out, Specs: []string{rec}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A bundle from another store is not this store's response.
	other, _ := NewTestBundle(t, 42)
	if _, err := lib.RespondSAR(ctx, id, other, true); !errors.Is(err, store.ErrBundleNotExported) {
		t.Fatalf("another store's bundle: %v", err)
	}
	// An altered bundle does not verify.
	readme := filepath.Join(out, "README.txt")
	orig, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(readme, append(bytes.Clone(orig), '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	var bad *BundleFailedError
	if _, err := lib.RespondSAR(ctx, id, out, true); !errors.As(err, &bad) {
		t.Fatalf("altered bundle: %v", err)
	}
	if err := os.WriteFile(readme, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	// Its court clip is unredacted footage: refused unless asked for.
	if _, err := lib.RespondSAR(ctx, id, out, false); !errors.Is(err, ErrBundleUnredacted) {
		t.Fatalf("unredacted bundle: %v", err)
	}
	res, err := lib.RespondSAR(ctx, id, out, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.BundleID != exp.BundleID || res.ManifestSHA256 != exp.ManifestSHA256 || len(res.Missing) != 0 ||
		res.SAR.Status != SARResponded || res.SAR.BundleID != exp.BundleID || res.SAR.RespondedAt.IsZero() {
		t.Fatalf("response %+v (export %s %s)", res, exp.BundleID, exp.ManifestSHA256)
	}
	if _, err := lib.RespondSAR(ctx, id, out, true); !errors.Is(err, store.ErrSARNotOpen) {
		t.Errorf("second response: %v", err)
	}
	es, err := lib.AuditEntries(ctx, AuditFilter{Action: "sar.respond"})
	if err != nil || len(es) != 1 || es[0].SHA256 != exp.ManifestSHA256 || es[0].Outcome != store.OutcomeOK ||
		!strings.Contains(es[0].Detail, exp.BundleID) {
		t.Fatalf("sar.respond entries %+v %v", es, err)
	}
	// Responded: no longer labelled in the library, closed later.
	if r, err := lib.Get(ctx, rec); err != nil || r.SARID != 0 {
		t.Errorf("a responded SAR still labels the recording: %v", err)
	}
	c, err := lib.CloseSAR(ctx, id)
	if err != nil || c.Status != SARClosed || c.BundleID != exp.BundleID {
		t.Fatalf("close: %+v %v", c, err)
	}
}

// TestSARProject: a redaction project is linked by id with its recording;
// a project of a restricted recording is not found for a reviewer; a
// second link is refused.
func TestSARProject(t *testing.T) {
	ctx := context.Background()
	lib, open, restricted := sarFixture(t)
	received, _ := receivedFor(6)
	s, err := lib.NewSAR(ctx, "Subject", received)
	if err != nil {
		t.Fatal(err)
	}
	id := FormatSARID(s.ID)
	p, err := lib.NewRedaction(ctx, open, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := lib.AddProjectToSAR(ctx, id, strings.ToLower(p.ID))
	if err != nil || rec != open {
		t.Fatalf("link project: %q %v", rec, err)
	}
	if _, err := lib.AddProjectToSAR(ctx, id, p.ID); !errors.Is(err, store.ErrSARLinked) {
		t.Errorf("second link: %v", err)
	}
	got, err := lib.GetSAR(ctx, id)
	if err != nil || len(got.Projects) != 1 || got.Projects[0].ProjectID != p.ID || got.Projects[0].RecordingID != open ||
		len(got.Recordings) != 1 || got.Recordings[0].RecordingID != open {
		t.Fatalf("SAR after link: %+v %v", got, err)
	}
	es, err := lib.AuditEntries(ctx, AuditFilter{Action: "sar.project"})
	if err != nil || len(es) != 1 || es[0].RecordingID != open || es[0].Detail != id+" redaction project "+p.ID+" (recording added)" {
		t.Fatalf("sar.project entries: %+v %v", es, err)
	}

	switchTo(t, lib, RolePSD)
	hidden, err := lib.NewRedaction(ctx, restricted, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	switchTo(t, lib, RoleSergeant)
	if _, err := lib.AddProjectToSAR(ctx, id, hidden.ID); !errors.Is(err, store.ErrNoRedaction) {
		t.Errorf("reviewer links a restricted recording's project: %v", err)
	}
	if _, err := lib.AddProjectToSAR(ctx, id, "NOSUCHPROJ"); !errors.Is(err, store.ErrNoRedaction) {
		t.Errorf("unknown project: %v", err)
	}
}

// TestSARKeepsFromRetention: a recording past its retention period is
// kept while it is part of an open SAR ("kept: subject access request"),
// and the sweep deletes it once the SAR is closed.
func TestSARKeepsFromRetention(t *testing.T) {
	ctx := context.Background()
	lib := NewTestLibrary(t, RoleSergeant)
	src := filepath.Join(t.TempDir(), "old.mp4")
	old := time.Now().AddDate(0, 0, -40).UTC().Format(time.RFC3339)
	if err := media.WriteIndexedClip(ctx, src, media.IndexedClipOptions{Frames: 30, GOP: 25, CreationTime: old}); err != nil {
		t.Fatal(err)
	}
	id := ingestOne(t, lib, src).ID
	received, _ := receivedFor(6)
	s, err := lib.NewSAR(ctx, "Subject", received)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := lib.AddToSAR(ctx, FormatSARID(s.ID), []string{id}); err != nil {
		t.Fatal(err)
	}
	r, err := lib.Get(ctx, id)
	if err != nil || RetentionOf(r) != RetentionKeptSAR || RecordingDeletionLabel(r, time.Now()) != "kept: subject access request" {
		t.Fatalf("in an open SAR: %v %q %v", RetentionOf(r), RecordingDeletionLabel(r, time.Now()), err)
	}
	switchTo(t, lib, RoleAdmin)
	res, err := lib.SweepRetention(ctx)
	if err != nil || len(res.Deleted) != 0 {
		t.Fatalf("sweep with the SAR open: %+v %v", res, err)
	}
	// The administrator does not see SARs, but sees why the recording is kept.
	if r, err := lib.Get(ctx, id); err != nil || RetentionOf(r) != RetentionKeptSAR || r.SARID != 0 {
		t.Fatalf("administrator: %v SAR %d %v", RetentionOf(r), r.SARID, err)
	}
	switchTo(t, lib, RoleSergeant)
	if _, err := lib.CloseSAR(ctx, FormatSARID(s.ID)); err != nil {
		t.Fatal(err)
	}
	if r, err := lib.Get(ctx, id); err != nil || RetentionOf(r) != RetentionDelete {
		t.Fatalf("after close: %v %v", RetentionOf(r), err)
	}
	switchTo(t, lib, RoleAdmin)
	res, err = lib.SweepRetention(ctx)
	if err != nil || len(res.Deleted) != 1 || res.Deleted[0].RecordingID != id {
		t.Fatalf("sweep after close: %+v %v", res, err)
	}
	// The SAR's record of its recording outlives the recording.
	switchTo(t, lib, RoleSergeant)
	got, err := lib.GetSAR(ctx, FormatSARID(s.ID))
	if err != nil || len(got.Recordings) != 1 || got.Recordings[0].RecordingID != id {
		t.Fatalf("SAR after the deletion: %+v %v", got, err)
	}
}
