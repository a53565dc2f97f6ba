package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"exhibit/app"
)

// The review workflow's commands: mark, marks, unmark, decide, hold,
// release, categories (retention is in retention.go).

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

// needArgs is a check accepting n positional arguments, printing usage
// otherwise.
func needArgs(n int, usage string) func([]string) error {
	return exactlyArgs(n, "exhibit: usage: "+usage)
}

const markUsage = "exhibit mark ID --frame N [--to M] --category C [--note TEXT]"

func markFlags(fs *flag.FlagSet) action {
	frame := fs.Int("frame", -1, "frame of the marker, or first frame of the range (0-based)")
	to := fs.Int("to", -1, "last frame of the range (omit for a point marker)")
	category := fs.String("category", "", "category (see `exhibit categories`)")
	note := fs.String("note", "", "note")
	return action{
		check: func(pos []string) error {
			if len(pos) != 1 || *frame < 0 || *category == "" {
				return usagef("exhibit: usage: %s", markUsage)
			}
			return nil
		},
		run: func(ctx context.Context, s *session, pos []string) error {
			a, err := s.lib.AddMark(ctx, pos[0], app.MarkInput{FrameIn: *frame, FrameOut: *to, Category: *category, Note: *note})
			if err != nil {
				return err
			}
			return s.printf("%s\n", a.ID)
		},
	}
}

func marksFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "one JSON object per annotation")
	history := fs.Bool("history", false, "every revision of each annotation, deleted ones too")
	return action{
		check: needArgs(1, "exhibit marks ID [--json] [--history]"),
		run: func(ctx context.Context, s *session, pos []string) error {
			return runMarks(ctx, s, pos[0], *asJSON, *history)
		},
	}
}

func runMarks(ctx context.Context, s *session, id string, asJSON, history bool) error {
	var marks []*app.Annotation
	var err error
	if history {
		marks, err = s.lib.MarksHistory(ctx, id)
	} else {
		marks, err = s.lib.Marks(ctx, id)
	}
	if err != nil {
		return err
	}
	if asJSON {
		for _, a := range marks {
			if err := s.json(toMarkJSON(a)); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
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
			app.FormatStamp(a.At), note)
	}
	return s.flush(tw)
}

func unmarkFlags(fs *flag.FlagSet) action {
	return action{
		check: needArgs(1, "exhibit unmark ANNOTATION_ID"),
		run: func(ctx context.Context, s *session, pos []string) error {
			if err := s.lib.DeleteMark(ctx, pos[0]); err != nil {
				return err
			}
			return s.printf("annotation %s deleted (its history is kept)\n", strings.ToUpper(pos[0]))
		},
	}
}

func decideFlags(fs *flag.FlagSet) action {
	reason := fs.String("reason", "", "why (required)")
	asJSON := fs.Bool("json", false, "JSON output")
	return action{
		check: func(pos []string) error {
			if err := needArgs(2, "exhibit decide ID evidence|policing|nfa|refer-psd --reason TEXT")(pos); err != nil {
				return err
			}
			if _, err := app.ParseDecision(pos[1]); err != nil {
				return usagef("exhibit decide: %v", err)
			}
			return nil
		},
		run: func(ctx context.Context, s *session, pos []string) error {
			d, err := s.lib.Decide(ctx, pos[0], pos[1], *reason)
			if err != nil {
				return err
			}
			if *asJSON {
				return s.json(map[string]any{"id": d.RecordingID, "seq": d.Seq, "decision": d.Decision,
					"reviewer": d.Reviewer, "at": d.At})
			}
			if err := s.printf("%s: %s (decision %d)\n", d.RecordingID, d.Decision, d.Seq); err != nil {
				return err
			}
			if d.Decision == app.DecisionReferPSD {
				return s.printf("%s is now restricted to professional standards\n", d.RecordingID)
			}
			return nil
		},
	}
}

func holdFlags(hold bool) func(*flag.FlagSet) action {
	return func(fs *flag.FlagSet) action {
		reason := fs.String("reason", "", "why")
		return action{
			check: func(pos []string) error {
				if err := needArgs(1, "exhibit hold ID --reason TEXT | exhibit release ID --reason TEXT")(pos); err != nil {
					return err
				}
				if strings.TrimSpace(*reason) == "" {
					return usagef("exhibit: give a reason: exhibit %s ID --reason TEXT", map[bool]string{true: "hold", false: "release"}[hold])
				}
				return nil
			},
			run: func(ctx context.Context, s *session, pos []string) error {
				if hold {
					h, err := s.lib.Hold(ctx, pos[0], *reason)
					if err != nil {
						return err
					}
					return s.printf("%s is under legal hold (hold %d): retention will not delete it\n", h.RecordingID, h.ID)
				}
				id, err := s.lib.Release(ctx, pos[0], *reason)
				if err != nil {
					return err
				}
				if err := s.printf("%s: legal hold released; retention applies again\n", id); err != nil {
					return err
				}
				// When it would now be deleted is for the person (stderr).
				if it, err := s.lib.RecordingRetention(ctx, id); err == nil {
					s.warnf("exhibit: %s\n", app.AfterReleaseWords(it, time.Now()))
				}
				return nil
			},
		}
	}
}

const categoriesUsage = "exhibit: usage: exhibit categories [--json] | exhibit categories set NAME..."

func categoriesFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "JSON output")
	return action{
		check: exactlyArgs(0, categoriesUsage),
		run: func(ctx context.Context, s *session, _ []string) error {
			return printCategories(ctx, s, *asJSON)
		},
	}
}

func categoriesSetFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "JSON output")
	return action{
		check: func(pos []string) error {
			if len(pos) == 0 {
				return usagef("%s", categoriesUsage)
			}
			return nil
		},
		run: func(ctx context.Context, s *session, pos []string) error {
			if err := s.lib.SetCategories(ctx, pos); err != nil {
				return err
			}
			return printCategories(ctx, s, *asJSON)
		},
	}
}

func printCategories(ctx context.Context, s *session, asJSON bool) error {
	cats, err := s.lib.Categories(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return s.json(cats)
	}
	for _, k := range cats {
		if err := s.printf("%s\n", k); err != nil {
			return err
		}
	}
	return nil
}
