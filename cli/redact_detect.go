package cli

import (
	"context"
	"flag"

	"exhibit/app"
)

// redact detect: face proposals for a redaction project. Detection finds
// frontal faces only and never redacts by itself: the proposals are
// pending until accepted (redact accept) or rejected (redact reject).
//
// Output: one line per proposal saved,
//
//	PROPOSAL  frames A-B  N detections  X,Y,W,H
//
// (the box on its first frame, source pixels), then a summary line; with
// --json one object per proposal, as in redact show --json (proposalJSON).

const redactDetectUsage = "exhibit redact detect: usage: exhibit redact detect PROJECT [--every N | --frame N] [--json]"

func redactDetectFlags(fs *flag.FlagSet) action {
	every := fs.Int("every", app.DefaultDetectEvery, "examine every Nth frame of the project")
	frame := fs.Int("frame", -1, "examine this one frame only (the fast path)")
	asJSON := fs.Bool("json", false, "one JSON object per proposal")
	return action{
		check: func(args []string) error {
			if len(args) != 1 || *every < 1 {
				return usagef("%s", redactDetectUsage)
			}
			return nil
		},
		run: func(ctx context.Context, s *session, args []string) error {
			var res app.DetectResult
			var err error
			if *frame >= 0 {
				res, err = s.lib.DetectFacesAt(ctx, args[0], *frame)
			} else {
				res, err = s.lib.DetectFaces(ctx, args[0], *every, s.progressLine("frame"))
			}
			if err != nil {
				return err
			}
			return printDetect(s, res, *asJSON)
		},
	}
}

func printDetect(s *session, res app.DetectResult, asJSON bool) error {
	for _, p := range res.Proposals {
		ds := p.Detections
		var err error
		if asJSON {
			j := proposalJSON{ID: p.ID, State: string(p.State), Track: p.TrackID, Detections: []detectionJSON{}}
			for _, d := range ds {
				j.Detections = append(j.Detections, detectionJSON{boxJSON: toBoxJSON(d.Frame, d.Box), Score: d.Score})
			}
			err = s.json(j)
		} else {
			err = s.printf("%s  frames %d-%d  %d detections  %s\n", p.ID, ds[0].Frame, ds[len(ds)-1].Frame, len(ds), ds[0].Box)
		}
		if err != nil {
			return err
		}
	}
	if asJSON {
		return nil
	}
	return s.printf("%d proposals from %d faces on %d frames, pending until accepted (frontal faces only: check the footage for others)\n",
		len(res.Proposals), res.Detections, res.Frames)
}
