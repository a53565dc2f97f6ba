package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"exhibit/app"
)

// sar: subject access requests (app/sar.go). Results on standard output:
//
//	sar new      "SAR-1 received 26/11/2026 due 26/12/2026"
//	sar add      "SAR-1 ID added" or "SAR-1 ID already included", one per
//	             recording; "SAR-1 project P added (recording ID)"
//	sar list     a table (ID, RECEIVED, DUE, STATUS, RECORDINGS, SUBJECT)
//	             and a count; --json one object per line
//	sar show     "Key: value" rows; --json one object
//	sar respond  "SAR-1 responded with bundle B (manifest SHA-256 H)";
//	             warnings (recordings the bundle lacks) on standard error
//	sar close    "SAR-1 closed"
//
// The subject's name is printed to the person handling the SAR (list,
// show) and nowhere else: never in the audit trail, never in errors.

// sarJSON is the JSON form of a SAR in sar list, show and new.
type sarJSON struct {
	ID             string           `json:"id"`
	Subject        string           `json:"subject"`
	Received       string           `json:"received"` // YYYY-MM-DD
	Due            string           `json:"due"`      // YYYY-MM-DD
	Status         string           `json:"status"`   // open, responded, closed
	DaysLeft       *int             `json:"days_left,omitempty"`
	CreatedBy      string           `json:"created_by"`
	CreatedAt      time.Time        `json:"created_at"`
	RespondedBy    string           `json:"responded_by,omitempty"`
	RespondedAt    time.Time        `json:"responded_at,omitzero"`
	BundleID       string           `json:"bundle_id,omitempty"`
	ManifestSHA256 string           `json:"manifest_sha256,omitempty"`
	ClosedBy       string           `json:"closed_by,omitempty"`
	ClosedAt       time.Time        `json:"closed_at,omitzero"`
	Recordings     []string         `json:"recordings"`
	Projects       []sarProjectJSON `json:"projects"`
}

type sarProjectJSON struct {
	ID          string `json:"id"`
	RecordingID string `json:"recording_id"`
}

func toSARJSON(r *app.SAR, now time.Time) sarJSON {
	j := sarJSON{ID: app.FormatSARID(r.ID), Subject: r.Subject, Received: r.Received.Format(app.DayLayout),
		Due: r.Due.Format(app.DayLayout), Status: r.Status, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
		RespondedBy: r.RespondedBy, RespondedAt: r.RespondedAt, BundleID: r.BundleID, ManifestSHA256: r.ManifestSHA256,
		ClosedBy: r.ClosedBy, ClosedAt: r.ClosedAt, Recordings: []string{}, Projects: []sarProjectJSON{}}
	if r.Status == app.SAROpen {
		n := app.SARDaysLeft(r.Due, now)
		j.DaysLeft = &n
	}
	for _, l := range r.Recordings {
		j.Recordings = append(j.Recordings, l.RecordingID)
	}
	for _, p := range r.Projects {
		j.Projects = append(j.Projects, sarProjectJSON{ID: p.ProjectID, RecordingID: p.RecordingID})
	}
	return j
}

// sarStatusText says where a SAR stands: "open, due in 6 days",
// "responded 20/12/2026 (on time)", "responded 28/12/2026 (2 days late)",
// "closed 30/12/2026".
func sarStatusText(r *app.SAR, now time.Time) string {
	switch r.Status {
	case app.SAROpen:
		return "open, " + strings.TrimPrefix(app.SARDueLabel(r.Due, now), "SAR ")
	case app.SARResponded:
		return "responded " + sarResponseText(r)
	case app.SARClosed:
		s := "closed " + app.FormatDay(r.ClosedAt.In(time.Local))
		if !r.RespondedAt.IsZero() {
			s += ", responded " + sarResponseText(r)
		} else {
			s += " without a response"
		}
		return s
	}
	return r.Status
}

func sarResponseText(r *app.SAR) string {
	day := r.RespondedAt.In(time.Local)
	late := -app.SARDaysLeft(r.Due, day)
	switch {
	case late <= 0:
		return app.FormatDay(day) + " (on time)"
	case late == 1:
		return app.FormatDay(day) + " (1 day late)"
	}
	return fmt.Sprintf("%s (%d days late)", app.FormatDay(day), late)
}

func sarNewFlags(fs *flag.FlagSet) action {
	subject := fs.String("subject", "", "the name of the person asking for their footage (sealed in the store)")
	received := fs.String("received", "", "the day the request was received (DD/MM/YYYY or YYYY-MM-DD)")
	asJSON := fs.Bool("json", false, "JSON output")
	var day time.Time
	return action{
		check: func(args []string) error {
			if len(args) != 0 {
				return usagef("exhibit sar new: takes no arguments (--subject NAME --received DATE)")
			}
			if strings.TrimSpace(*subject) == "" {
				return usagef("exhibit sar new: --subject NAME is required")
			}
			if strings.TrimSpace(*received) == "" {
				return usagef("exhibit sar new: --received DATE is required (the day the request arrived)")
			}
			var err error
			if day, err = app.ParseDay(*received); err != nil {
				return usagef("exhibit sar new: --received %v", err)
			}
			return nil
		},
		run: func(ctx context.Context, s *session, _ []string) error {
			r, err := s.lib.NewSAR(ctx, *subject, day)
			if err != nil {
				return err
			}
			if *asJSON {
				return s.json(toSARJSON(r, time.Now()))
			}
			return s.printf("%s received %s due %s\n", app.FormatSARID(r.ID), app.FormatDay(r.Received), app.FormatDay(r.Due))
		},
	}
}

func sarAddFlags(fs *flag.FlagSet) action {
	var projects stringList
	fs.Var(&projects, "project", "a redaction project to link (and its recording); may be repeated")
	return action{
		check: func(args []string) error {
			if len(args) < 1 || (len(args) == 1 && len(projects) == 0) {
				return usagef("exhibit sar add: name the SAR and at least one recording id (or --project P)")
			}
			return nil
		},
		run: func(ctx context.Context, s *session, args []string) error {
			id, err := app.ParseSARID(args[0])
			if err != nil {
				return err
			}
			name := app.FormatSARID(id)
			added, skipped, err := s.lib.AddToSAR(ctx, args[0], args[1:])
			for _, r := range added {
				if perr := s.printf("%s %s added\n", name, r); perr != nil {
					return perr
				}
			}
			for _, r := range skipped {
				if perr := s.printf("%s %s already included\n", name, r); perr != nil {
					return perr
				}
			}
			if err != nil {
				return err
			}
			for _, p := range projects {
				rec, err := s.lib.AddProjectToSAR(ctx, args[0], p)
				if err != nil {
					return err
				}
				if err := s.printf("%s project %s added (recording %s)\n", name, p, rec); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// stringList is a flag that may be given several times.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func sarListFlags(fs *flag.FlagSet) action {
	status := fs.String("status", "", "only SARs that are "+strings.Join(app.SARStatuses, ", ")+
		fmt.Sprintf(" (due: open and due within %d days, or overdue)", app.SARWarning))
	asJSON := fs.Bool("json", false, "one JSON object per line")
	return action{
		check: func(args []string) error {
			if len(args) != 0 {
				return usagef("exhibit sar list: takes no arguments")
			}
			for _, v := range app.SARStatuses {
				if *status == "" || *status == v {
					return nil
				}
			}
			return usagef("exhibit sar list: --status is one of %s", strings.Join(app.SARStatuses, ", "))
		},
		run: func(ctx context.Context, s *session, _ []string) error {
			sars, err := s.lib.SARs(ctx, *status)
			if err != nil {
				return err
			}
			now := time.Now()
			w := bufio.NewWriterSize(s.out, 1<<16)
			if *asJSON {
				for _, r := range sars {
					if err := writeJSON(w, toSARJSON(r, now)); err != nil {
						return err
					}
				}
				return s.flush(w)
			}
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tRECEIVED\tDUE\tSTATUS\tRECORDINGS\tSUBJECT")
			for _, r := range sars {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", app.FormatSARID(r.ID), app.FormatDay(r.Received),
					app.FormatDay(r.Due), sarStatusText(r, now), len(r.Recordings), r.Subject)
			}
			if err := s.flush(tw); err != nil {
				return err
			}
			fmt.Fprintf(w, "%d subject access requests\n", len(sars))
			return s.flush(w)
		},
	}
}

func sarShowFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "JSON output")
	return action{
		check: exactlyArgs(1, "exhibit sar show: name one SAR (e.g. SAR-3)"),
		run: func(ctx context.Context, s *session, args []string) error {
			r, err := s.lib.GetSAR(ctx, args[0])
			if err != nil {
				return err
			}
			now := time.Now()
			if *asJSON {
				return s.json(toSARJSON(r, now))
			}
			tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
			row := func(k, v string) {
				if v != "" {
					fmt.Fprintf(tw, "%s:\t%s\n", k, v)
				}
			}
			row("ID", app.FormatSARID(r.ID))
			row("Subject", r.Subject)
			row("Received", app.FormatDay(r.Received))
			row("Due", app.FormatDay(r.Due))
			row("Status", sarStatusText(r, now))
			row("Opened", r.CreatedBy+", "+app.FormatLocal(r.CreatedAt))
			if r.BundleID != "" {
				row("Response", fmt.Sprintf("bundle %s (manifest SHA-256 %s), by %s", r.BundleID, r.ManifestSHA256, r.RespondedBy))
			}
			if !r.ClosedAt.IsZero() {
				row("Closed", r.ClosedBy+", "+app.FormatLocal(r.ClosedAt))
			}
			for _, l := range r.Recordings {
				row("Recording", fmt.Sprintf("%s (added by %s, %s)", l.RecordingID, l.AddedBy, app.FormatLocal(l.AddedAt)))
			}
			for _, p := range r.Projects {
				row("Redaction", fmt.Sprintf("project %s of %s (added by %s, %s)", p.ProjectID, p.RecordingID, p.AddedBy, app.FormatLocal(p.AddedAt)))
			}
			return s.flush(tw)
		},
	}
}

func sarRespondFlags(fs *flag.FlagSet) action {
	dir := fs.String("bundle", "", "the export bundle folder that answers the request (made with exhibit export)")
	unredacted := fs.Bool("unredacted", false, "accept a bundle holding unredacted footage (masters, clips, stills)\nor notes and reasons it was exported with (--with-notes)")
	return action{
		check: func(args []string) error {
			if len(args) != 1 {
				return usagef("exhibit sar respond: name one SAR (e.g. SAR-3) and --bundle DIR")
			}
			if *dir == "" {
				return usagef("exhibit sar respond: --bundle DIR is required (an export bundle)")
			}
			return nil
		},
		run: func(ctx context.Context, s *session, args []string) error {
			res, err := s.lib.RespondSAR(ctx, args[0], *dir, *unredacted)
			if err != nil {
				return err
			}
			name := app.FormatSARID(res.SAR.ID)
			if len(res.Missing) > 0 {
				s.warnf("exhibit: warning: the bundle holds nothing of %d recordings of %s: %s\n", len(res.Missing), name, strings.Join(res.Missing, ", "))
			}
			return s.printf("%s responded with bundle %s (manifest SHA-256 %s)\n", name, res.BundleID, res.ManifestSHA256)
		},
	}
}

func sarCloseFlags(fs *flag.FlagSet) action {
	return action{
		check: exactlyArgs(1, "exhibit sar close: name one SAR (e.g. SAR-3)"),
		run: func(ctx context.Context, s *session, args []string) error {
			r, err := s.lib.CloseSAR(ctx, args[0])
			if err != nil {
				return err
			}
			return s.printf("%s closed\n", app.FormatSARID(r.ID))
		},
	}
}
