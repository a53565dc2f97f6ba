package cli

import (
	"context"
	"flag"
	"sort"
	"strconv"
	"time"

	"exhibit/app"
)

// retention, retention policy, retention set: deleting footage when its
// period is over.

// retentionJSON is one line of `exhibit retention --json`.
type retentionJSON struct {
	Action     string    `json:"action"` // deleted, due (dry run), skipped (clock), due_soon (dry run), kept (dry run: referred to PSD)
	ID         string    `json:"id"`
	SHA256     string    `json:"sha256"`
	RecordedAt time.Time `json:"recorded_at"`
	Rule       string    `json:"rule"`
	Time       time.Time `json:"time"` // when deleted, or when due
	DeletedBy  string    `json:"deleted_by,omitempty"`
	Status     string    `json:"status,omitempty"`
}

func retentionFlags(fs *flag.FlagSet) action {
	dry := fs.Bool("dry-run", false, "list what is due, delete nothing")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	return action{
		check: func(pos []string) error {
			if len(pos) != 0 {
				return &usageError{msg: groupUsage("retention")}
			}
			return nil
		},
		run: func(ctx context.Context, s *session, _ []string) error {
			return runRetention(ctx, s, *dry, *asJSON)
		},
	}
}

func retentionSetFlags(fs *flag.FlagSet) action {
	category := fs.String("category", "", "annotation category")
	var days int
	return action{
		check: func(pos []string) error {
			if len(pos) != 1 {
				return &usageError{msg: groupUsage("retention")}
			}
			var err error
			if days, err = strconv.Atoi(pos[0]); err != nil {
				return usagef("exhibit retention set: %q is not a number of days", pos[0])
			}
			return nil
		},
		run: func(ctx context.Context, s *session, _ []string) error {
			if err := s.lib.SetRetentionDays(ctx, *category, days); err != nil {
				return err
			}
			return s.printf("retention policy changed\n")
		},
	}
}

func retentionPolicyFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "JSON output")
	return action{
		check: func(pos []string) error {
			if len(pos) != 0 {
				return &usageError{msg: groupUsage("retention")}
			}
			return nil
		},
		run: func(ctx context.Context, s *session, _ []string) error {
			return runRetentionPolicy(ctx, s, *asJSON)
		},
	}
}

func runRetentionPolicy(ctx context.Context, s *session, asJSON bool) error {
	p, err := s.lib.RetentionPolicy(ctx)
	if err != nil {
		return err
	}
	cats := make([]string, 0, len(p.Categories))
	for k := range p.Categories {
		cats = append(cats, k)
	}
	sort.Strings(cats)
	if asJSON {
		m := map[string]int{}
		for _, k := range cats {
			m[k] = int(p.Categories[k] / (24 * time.Hour))
		}
		return s.json(map[string]any{"default_days": int(p.Default / (24 * time.Hour)), "category_days": m})
	}
	if err := s.printf("default: %d days after recorded-at (unreviewed, nfa)\n", int(p.Default/(24*time.Hour))); err != nil {
		return err
	}
	for _, k := range cats {
		if err := s.printf("category %q: %d days\n", k, int(p.Categories[k]/(24*time.Hour))); err != nil {
			return err
		}
	}
	return s.printf("evidence, policing, held and referred-to-PSD footage is kept\n")
}

func runRetention(ctx context.Context, s *session, dry, asJSON bool) error {
	if dry {
		plan, err := s.lib.RetentionPlan(ctx)
		if err != nil {
			return err
		}
		var lines []retentionJSON
		for _, it := range plan.Due {
			lines = append(lines, retentionJSON{Action: "due", ID: it.ID, SHA256: it.SHA256, RecordedAt: it.RecordedAt,
				Rule: it.Rule, Time: it.DeleteAt, Status: it.Status})
		}
		for _, it := range plan.Soon {
			lines = append(lines, retentionJSON{Action: "due_soon", ID: it.ID, SHA256: it.SHA256, RecordedAt: it.RecordedAt,
				Rule: it.Rule, Time: it.DeleteAt, Status: it.Status})
		}
		for _, it := range plan.Clock {
			lines = append(lines, retentionJSON{Action: "skipped", ID: it.ID, SHA256: it.SHA256, RecordedAt: it.RecordedAt,
				Rule: it.Rule, Time: plan.Now, Status: it.Status})
		}
		for _, it := range plan.Referred {
			lines = append(lines, retentionJSON{Action: "kept", ID: it.ID, SHA256: it.SHA256, RecordedAt: it.RecordedAt,
				Rule: it.Outcome.Label(), Time: plan.Now, Status: it.Status})
		}
		for _, l := range lines {
			if err := s.retentionLine(asJSON, l); err != nil {
				return err
			}
		}
		if !asJSON {
			return s.printf("%d due now, %d due %s, %d with an untrusted recorded-at (not acted on), %d kept: referred to PSD\n",
				len(plan.Due), len(plan.Soon), app.RetentionWarningWords(), len(plan.Clock), len(plan.Referred))
		}
		return nil
	}
	res, err := s.lib.SweepRetention(ctx)
	if err != nil {
		return err
	}
	var lines []retentionJSON
	for _, d := range res.Deleted {
		lines = append(lines, retentionJSON{Action: "deleted", ID: d.RecordingID, SHA256: d.SHA256, RecordedAt: d.RecordedAt,
			Rule: d.Rule, Time: d.DeletedAt, DeletedBy: d.DeletedBy, Status: d.Status})
	}
	for _, it := range res.Skipped {
		lines = append(lines, retentionJSON{Action: "skipped", ID: it.ID, SHA256: it.SHA256, RecordedAt: it.RecordedAt,
			Rule: it.Rule, Time: time.Now().UTC(), Status: it.Status})
	}
	for _, l := range lines {
		if err := s.retentionLine(asJSON, l); err != nil {
			return err
		}
	}
	for _, e := range res.Errors {
		s.warnf("exhibit retention: %v\n", e)
	}
	if !asJSON {
		if err := s.printf("%d deleted, %d not acted on (untrusted recorded-at), %d failed\n",
			len(res.Deleted)+res.Hidden, len(res.Skipped), len(res.Errors)); err != nil {
			return err
		}
	}
	if len(res.Errors) > 0 {
		return errFailed
	}
	return nil
}

func (s *session) retentionLine(asJSON bool, j retentionJSON) error {
	j.RecordedAt, j.Time = j.RecordedAt.UTC(), j.Time.UTC()
	if asJSON {
		return s.json(j)
	}
	return s.printf("%-8s  %s  %s  recorded %s  %s  (%s)\n", j.Action, j.ID, j.SHA256,
		j.RecordedAt.Format(time.RFC3339), j.Time.Format(time.RFC3339), j.Rule)
}
