package cli

import (
	"context"
	"flag"

	"exhibit/app"
)

// check-frames: run the frame check now (the GUI runs it in the
// background): each named recording, or every one still pending, is
// decoded from its stored copy at idle priority and its frame table,
// built at ingest from packets, is confirmed or corrected. Without ids it
// then runs the clip check of every pending clip (one line per clip:
// state, recording, "clip REF").

func checkFramesFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "one JSON object per recording")
	limit := fs.Int("limit", 0, "check at most N pending recordings (oldest first)")
	return action{
		check: func([]string) error {
			if *limit < 0 {
				return usagef("exhibit check-frames: --limit must not be negative")
			}
			return nil
		},
		run: func(ctx context.Context, s *session, ids []string) error {
			return runCheckFrames(ctx, s, ids, *limit, *asJSON)
		},
	}
}

func runCheckFrames(ctx context.Context, s *session, ids []string, limit int, asJSON bool) error {
	results, err := s.lib.CheckFrames(ctx, ids, limit, nil)
	failed := 0
	for _, r := range results {
		if r.State == app.FramesFailed {
			failed++
		}
		var werr error
		switch {
		case asJSON:
			werr = s.json(r)
		case r.Clip != "" && r.State == app.FramesFailed:
			werr = s.printf("failed     %s  clip %s  %s\n", r.ID, r.Clip, r.Error)
		case r.Clip != "":
			werr = s.printf("%-9s  %s  clip %s  %d frames decoded (%.0f frames/s)\n", r.State, r.ID, r.Clip, r.DecodedFrames, r.FramesPerSecond)
		case r.Already:
			werr = s.printf("%-9s  %s  (already)\n", r.State, r.ID)
		case r.State == app.FramesFailed:
			werr = s.printf("failed     %s  %s\n", r.ID, r.Error)
		case r.State == app.FramesCorrected:
			werr = s.printf("corrected  %s  %d frames from packets, %d decoded, %d annotations renumbered (%.0f frames/s)\n",
				r.ID, r.PacketFrames, r.DecodedFrames, r.Renumbered, r.FramesPerSecond)
		default:
			werr = s.printf("checked    %s  %d frames (%.0f frames/s)\n", r.ID, r.DecodedFrames, r.FramesPerSecond)
		}
		if werr != nil {
			return werr
		}
	}
	if err != nil {
		return err
	}
	if !asJSON {
		if err := s.printf("%d recordings checked\n", len(results)); err != nil {
			return err
		}
	}
	if failed > 0 {
		return errFailed
	}
	return nil
}

// statusWithFrames is the list's status column: the decision or hold, and
// whether the frame table is still being checked.
func statusWithFrames(r *app.Recording) string {
	st := app.DisplayStatus(r)
	if l := app.FrameCheckLabel(r); l != "" {
		st += " (" + l + ")"
	}
	return st
}

// frameCheckText is the "Frame table" row of show.
func frameCheckText(r *app.Recording) string {
	switch r.FrameCheck {
	case app.FramesPending:
		return "from packets; frames being checked"
	case app.FramesCorrected:
		return "corrected by decoding the stored copy"
	case app.FramesFailed:
		return "from packets; the check could not decode the stored copy"
	}
	return "checked by decoding"
}
