package main

import (
	"context"
	"encoding/json"
	"fmt"

	"exhibit/app"
)

// cmdCheckFrames runs the frame check now (the GUI runs it in the
// background): each named recording, or every one still pending, is
// decoded from its stored copy at idle priority and its frame table,
// built at ingest from packets, is confirmed or corrected.
func (c *cli) cmdCheckFrames(ctx context.Context, args []string) int {
	fs := newFlags("check-frames", c)
	asJSON := fs.Bool("json", false, "one JSON object per recording")
	limit := fs.Int("limit", 0, "check at most N pending recordings (oldest first)")
	ids, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	results, err := lib.CheckFrames(ctx, ids, *limit, nil)
	enc := json.NewEncoder(c.stdout)
	failed := 0
	for _, r := range results {
		if r.State == app.FramesFailed {
			failed++
		}
		if *asJSON {
			if eerr := enc.Encode(r); eerr != nil {
				return c.fail(eerr)
			}
			continue
		}
		switch {
		case r.Already:
			fmt.Fprintf(c.stdout, "%-9s  %s  (already)\n", r.State, r.ID)
		case r.State == app.FramesFailed:
			fmt.Fprintf(c.stdout, "failed     %s  %s\n", r.ID, r.Error)
		case r.State == app.FramesCorrected:
			fmt.Fprintf(c.stdout, "corrected  %s  %d frames from packets, %d decoded, %d annotations renumbered (%.0f frames/s)\n",
				r.ID, r.PacketFrames, r.DecodedFrames, r.Renumbered, r.FramesPerSecond)
		default:
			fmt.Fprintf(c.stdout, "checked    %s  %d frames (%.0f frames/s)\n", r.ID, r.DecodedFrames, r.FramesPerSecond)
		}
	}
	if err != nil {
		return c.fail(err)
	}
	if !*asJSON {
		fmt.Fprintf(c.stdout, "%d recordings checked\n", len(results))
	}
	if failed > 0 {
		return exitFailed
	}
	return exitOK
}

// statusWithFrames is the list's status column: the decision or hold, and
// whether the frame table is still being checked.
func statusWithFrames(r *app.Recording) string {
	s := app.DisplayStatus(r)
	if l := app.FrameCheckLabel(r); l != "" {
		s += " (" + l + ")"
	}
	return s
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
