package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"exhibit/app"
)

// The review workflow's commands: mark, marks, unmark, decide, hold,
// release, retention, categories.

// needArgs prints usage and returns false unless exactly n positional
// arguments were given.
func (c *cli) needArgs(pos []string, n int, usage string) bool {
	if len(pos) != n {
		fmt.Fprintln(c.stderr, "exhibit: usage: "+usage)
		return false
	}
	return true
}

// markJSON is the JSON form of an annotation.
type markJSON struct {
	ID          string    `json:"id"`
	Revision    int       `json:"revision"`
	RecordingID string    `json:"recording_id"`
	FrameIn     int       `json:"frame"`
	FrameOut    int       `json:"to"`
	Category    string    `json:"category"`
	Note        string    `json:"note"`
	Deleted     bool      `json:"deleted,omitempty"`
	Author      string    `json:"author"`
	At          time.Time `json:"at"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

func toMarkJSON(a *app.Annotation) markJSON {
	return markJSON{ID: a.ID, Revision: a.Revision, RecordingID: a.RecordingID, FrameIn: a.FrameIn, FrameOut: a.FrameOut,
		Category: a.Category, Note: a.Note, Deleted: a.Deleted, Author: a.Author, At: a.At, CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt}
}

const markUsage = "exhibit mark ID --frame N [--to M] --category C [--note TEXT]"

func (c *cli) cmdMark(ctx context.Context, args []string) int {
	fs := newFlags("mark", c)
	frame := fs.Int("frame", -1, "frame of the marker, or first frame of the range (0-based)")
	to := fs.Int("to", -1, "last frame of the range (omit for a point marker)")
	category := fs.String("category", "", "category (see `exhibit categories`)")
	note := fs.String("note", "", "note")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	if !c.needArgs(pos, 1, markUsage) || *frame < 0 || *category == "" {
		if len(pos) == 1 {
			fmt.Fprintln(c.stderr, "exhibit: usage: "+markUsage)
		}
		return exitUsage
	}
	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	a, err := lib.AddMark(ctx, pos[0], app.MarkInput{FrameIn: *frame, FrameOut: *to, Category: *category, Note: *note})
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintln(c.stdout, a.ID)
	return exitOK
}

func (c *cli) cmdMarks(ctx context.Context, args []string) int {
	fs := newFlags("marks", c)
	asJSON := fs.Bool("json", false, "one JSON object per annotation")
	history := fs.Bool("history", false, "every revision of each annotation, deleted ones too")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	if !c.needArgs(pos, 1, "exhibit marks ID [--json] [--history]") {
		return exitUsage
	}
	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	marks, err := lib.Marks(ctx, pos[0])
	if err != nil {
		return c.fail(err)
	}
	if *history {
		full, err := lib.Get(ctx, pos[0])
		if err != nil {
			return c.fail(err)
		}
		cur, err := lib.Store().Annotations(ctx, full.ID, true)
		if err != nil {
			return c.fail(err)
		}
		marks = nil
		for _, a := range cur {
			h, err := lib.MarkHistory(ctx, a.ID)
			if err != nil {
				return c.fail(err)
			}
			marks = append(marks, h...)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		for _, a := range marks {
			enc.Encode(toMarkJSON(a))
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ANNOTATION\tREV\tFRAMES\tCATEGORY\tBY\tAT\tNOTE")
	for _, a := range marks {
		frames := strconv.Itoa(a.FrameIn)
		if a.FrameOut != a.FrameIn {
			frames += "-" + strconv.Itoa(a.FrameOut)
		}
		note := strings.ReplaceAll(a.Note, "\n", " ")
		if a.Deleted {
			note = "(deleted)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Revision, frames, a.Category, a.Author,
			a.At.Local().Format("2006-01-02 15:04:05"), note)
	}
	tw.Flush()
	return exitOK
}

func (c *cli) cmdUnmark(ctx context.Context, args []string) int {
	fs := newFlags("unmark", c)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	if !c.needArgs(pos, 1, "exhibit unmark ANNOTATION_ID") {
		return exitUsage
	}
	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	if err := lib.DeleteMark(ctx, pos[0]); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stdout, "annotation %s deleted (its history is kept)\n", strings.ToUpper(pos[0]))
	return exitOK
}

func (c *cli) cmdDecide(ctx context.Context, args []string) int {
	fs := newFlags("decide", c)
	reason := fs.String("reason", "", "why (required)")
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	if !c.needArgs(pos, 2, "exhibit decide ID evidence|policing|nfa|refer-psd --reason TEXT") {
		return exitUsage
	}
	if _, err := app.ParseDecision(pos[1]); err != nil {
		fmt.Fprintf(c.stderr, "exhibit decide: %v\n", err)
		return exitUsage
	}
	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	d, err := lib.Decide(ctx, pos[0], pos[1], *reason)
	if err != nil {
		return c.fail(err)
	}
	if *asJSON {
		json.NewEncoder(c.stdout).Encode(map[string]any{"id": d.RecordingID, "seq": d.Seq, "decision": d.Decision,
			"reviewer": d.Reviewer, "at": d.At})
		return exitOK
	}
	fmt.Fprintf(c.stdout, "%s: %s (decision %d)\n", d.RecordingID, d.Decision, d.Seq)
	if d.Decision == app.DecisionReferPSD {
		fmt.Fprintf(c.stdout, "%s is now restricted to professional standards\n", d.RecordingID)
	}
	return exitOK
}

func (c *cli) cmdHold(ctx context.Context, hold bool, args []string) int {
	name := "release"
	if hold {
		name = "hold"
	}
	fs := newFlags(name, c)
	reason := fs.String("reason", "", "why")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	if !c.needArgs(pos, 1, "exhibit hold ID --reason TEXT | exhibit release ID [--reason TEXT]") {
		return exitUsage
	}
	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	if hold {
		h, err := lib.Hold(ctx, pos[0], *reason)
		if err != nil {
			return c.fail(err)
		}
		fmt.Fprintf(c.stdout, "%s is under legal hold (hold %d): retention will not delete it\n", h.RecordingID, h.ID)
		return exitOK
	}
	id, err := lib.Release(ctx, pos[0], *reason)
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stdout, "%s: legal hold released; retention applies again\n", id)
	return exitOK
}

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

const retentionUsage = `usage:
  exhibit retention [--dry-run] [--json]     delete what is due now (administrators), or list it
  exhibit retention policy [--json]          show the retention periods
  exhibit retention set [--category C] DAYS  set the default period, or a category's (0 removes it)
`

func (c *cli) cmdRetention(ctx context.Context, args []string) int {
	sub := ""
	if len(args) > 0 && (args[0] == "policy" || args[0] == "set") {
		sub, args = args[0], args[1:]
	}
	fs := newFlags("retention", c)
	dry := fs.Bool("dry-run", false, "list what is due, delete nothing")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	category := fs.String("category", "", "annotation category (retention set)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	if (sub == "set") != (len(pos) == 1) || len(pos) > 1 {
		fmt.Fprint(c.stderr, retentionUsage)
		return exitUsage
	}
	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	enc := json.NewEncoder(c.stdout)
	switch sub {
	case "set":
		days, err := strconv.Atoi(pos[0])
		if err != nil {
			fmt.Fprintf(c.stderr, "exhibit retention set: %q is not a number of days\n", pos[0])
			return exitUsage
		}
		if err := lib.SetRetentionDays(ctx, *category, days); err != nil {
			return c.fail(err)
		}
		fmt.Fprintln(c.stdout, "retention policy changed")
		return exitOK
	case "policy":
		p, err := lib.RetentionPolicy(ctx)
		if err != nil {
			return c.fail(err)
		}
		cats := make([]string, 0, len(p.Categories))
		for k := range p.Categories {
			cats = append(cats, k)
		}
		sort.Strings(cats)
		if *asJSON {
			m := map[string]int{}
			for _, k := range cats {
				m[k] = int(p.Categories[k] / (24 * time.Hour))
			}
			enc.Encode(map[string]any{"default_days": int(p.Default / (24 * time.Hour)), "category_days": m})
			return exitOK
		}
		fmt.Fprintf(c.stdout, "default: %d days after recorded-at (unreviewed, nfa)\n", int(p.Default/(24*time.Hour)))
		for _, k := range cats {
			fmt.Fprintf(c.stdout, "category %q: %d days\n", k, int(p.Categories[k]/(24*time.Hour)))
		}
		fmt.Fprintln(c.stdout, "evidence, policing, held and referred-to-PSD footage is kept")
		return exitOK
	}

	if *dry {
		plan, err := lib.RetentionPlan(ctx)
		if err != nil {
			return c.fail(err)
		}
		for _, it := range plan.Due {
			c.retentionLine(enc, *asJSON, retentionJSON{Action: "due", ID: it.ID, SHA256: it.SHA256, RecordedAt: it.RecordedAt,
				Rule: it.Rule, Time: it.DeleteAt, Status: it.Status})
		}
		for _, it := range plan.Soon {
			c.retentionLine(enc, *asJSON, retentionJSON{Action: "due_soon", ID: it.ID, SHA256: it.SHA256, RecordedAt: it.RecordedAt,
				Rule: it.Rule, Time: it.DeleteAt, Status: it.Status})
		}
		for _, it := range plan.Clock {
			c.retentionLine(enc, *asJSON, retentionJSON{Action: "skipped", ID: it.ID, SHA256: it.SHA256, RecordedAt: it.RecordedAt,
				Rule: it.Rule, Time: plan.Now, Status: it.Status})
		}
		for _, it := range plan.Referred {
			c.retentionLine(enc, *asJSON, retentionJSON{Action: "kept", ID: it.ID, SHA256: it.SHA256, RecordedAt: it.RecordedAt,
				Rule: it.Outcome.Label(), Time: plan.Now, Status: it.Status})
		}
		if !*asJSON {
			fmt.Fprintf(c.stdout, "%d due now, %d due %s, %d with an untrusted recorded-at (not acted on), %d kept: referred to PSD\n",
				len(plan.Due), len(plan.Soon), app.RetentionWarningWords(), len(plan.Clock), len(plan.Referred))
		}
		return exitOK
	}
	res, err := lib.SweepRetention(ctx)
	if err != nil {
		return c.fail(err)
	}
	for _, d := range res.Deleted {
		c.retentionLine(enc, *asJSON, retentionJSON{Action: "deleted", ID: d.RecordingID, SHA256: d.SHA256, RecordedAt: d.RecordedAt,
			Rule: d.Rule, Time: d.DeletedAt, DeletedBy: d.DeletedBy, Status: d.Status})
	}
	for _, it := range res.Skipped {
		c.retentionLine(enc, *asJSON, retentionJSON{Action: "skipped", ID: it.ID, SHA256: it.SHA256, RecordedAt: it.RecordedAt,
			Rule: it.Rule, Time: time.Now().UTC(), Status: it.Status})
	}
	for _, e := range res.Errors {
		fmt.Fprintf(c.stderr, "exhibit retention: %v\n", e)
	}
	if !*asJSON {
		fmt.Fprintf(c.stdout, "%d deleted, %d not acted on (untrusted recorded-at), %d failed\n",
			len(res.Deleted)+res.Hidden, len(res.Skipped), len(res.Errors))
	}
	if len(res.Errors) > 0 {
		return exitFailed
	}
	return exitOK
}

func (c *cli) retentionLine(enc *json.Encoder, asJSON bool, j retentionJSON) {
	j.RecordedAt, j.Time = j.RecordedAt.UTC(), j.Time.UTC()
	if asJSON {
		enc.Encode(j)
		return
	}
	fmt.Fprintf(c.stdout, "%-8s  %s  %s  recorded %s  %s  (%s)\n", j.Action, j.ID, j.SHA256,
		j.RecordedAt.Format(time.RFC3339), j.Time.Format(time.RFC3339), j.Rule)
}

func (c *cli) cmdCategories(ctx context.Context, args []string) int {
	sub := ""
	if len(args) > 0 && args[0] == "set" {
		sub, args = args[0], args[1:]
	}
	fs := newFlags("categories", c)
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	if (sub == "") != (len(pos) == 0) {
		fmt.Fprintln(c.stderr, "exhibit: usage: exhibit categories [--json] | exhibit categories set NAME...")
		return exitUsage
	}
	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	if sub == "set" {
		if err := lib.SetCategories(ctx, pos); err != nil {
			return c.fail(err)
		}
	}
	cats, err := lib.Categories(ctx)
	if err != nil {
		return c.fail(err)
	}
	if *asJSON {
		json.NewEncoder(c.stdout).Encode(cats)
		return exitOK
	}
	for _, k := range cats {
		fmt.Fprintln(c.stdout, k)
	}
	return exitOK
}
