package cli

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"exhibit/app"
)

// The clip commands: clip, clips.
//
// Output: `clip` prints one line naming the file (or "(store only)"), the
// exhibit reference, kind, frames, recording and SHA-256 (and "frames
// being checked" while its clip check is pending); `clips` prints a
// table (its CHECK column: checked, frames being checked, frame check
// failed), or one JSON object per clip with --json.

const clipUsage = "exhibit: usage: exhibit clip (ID (--from N --to M | --from-time S --to-time S) | ANNOTATION_ID) [--lossless] [--overlay] [-o OUT.mp4]"

// clipJSON is the JSON form of a derivative.
type clipJSON struct {
	ID              string     `json:"id"`
	Ref             string     `json:"ref"`
	RecordingID     string     `json:"recording_id"`
	MasterSHA256    string     `json:"master_sha256"`
	Kind            string     `json:"kind"`
	From            int        `json:"from"`
	To              int        `json:"to"`
	SHA256          string     `json:"sha256"`
	Size            int64      `json:"size"`
	Recipe          app.Recipe `json:"recipe"`
	CreatedBy       string     `json:"created_by"`
	CreatedAt       time.Time  `json:"created_at"`
	FrameHash       string     `json:"framehash"`
	MasterFrameHash string     `json:"master_framehash"`
	FrameMap        []int      `json:"frame_map"`
	FrameCheck      string     `json:"frame_check"`
}

func toClipJSON(d *app.Derivative) clipJSON {
	return clipJSON{ID: d.ID, Ref: d.Ref, RecordingID: d.RecordingID, MasterSHA256: d.MasterSHA256, Kind: string(d.Kind),
		From: d.From, To: d.To, SHA256: d.SHA256, Size: d.Size, Recipe: d.Recipe, CreatedBy: d.CreatedBy,
		CreatedAt: d.CreatedAt, FrameHash: string(d.FrameHash), MasterFrameHash: string(d.MasterFrameHash), FrameMap: d.FrameMap,
		FrameCheck: d.FrameCheck}
}

func clipFlags(fs *flag.FlagSet) action {
	from := fs.Int("from", -1, "first frame (0-based, inclusive)")
	to := fs.Int("to", -1, "last frame (inclusive)")
	fromTime := fs.Float64("from-time", -1, "start: the frame shown at this media time (seconds from the first frame)")
	toTime := fs.Float64("to-time", -1, "end: the frame shown at this media time (seconds)")
	lossless := fs.Bool("lossless", false, "copy the master's own coded frames (no re-encoding)")
	overlay := fs.Bool("overlay", false, "court copy: a strip with exhibit ref, master frame and camera time")
	out := fs.String("o", "", "output MP4 (omit to keep the clip in the store only)")
	byFrame := func() bool { return *from >= 0 || *to >= 0 }
	byTime := func() bool { return *fromTime >= 0 || *toTime >= 0 }
	byMark := func(pos []string) bool {
		return len(pos) == 1 && app.IsAnnotationID(pos[0]) && !byFrame() && !byTime()
	}
	return action{
		check: func(pos []string) error {
			mark := byMark(pos)
			if len(pos) != 1 || (byFrame() && byTime()) || (!mark && byFrame() && (*from < 0 || *to < 0)) ||
				(!mark && byTime() && (*fromTime < 0 || *toTime < 0)) || (!mark && !byFrame() && !byTime()) {
				return usagef("%s", clipUsage)
			}
			return nil
		},
		run: func(ctx context.Context, s *session, pos []string) error {
			req := app.ClipRequest{RecordingID: pos[0], From: *from, To: *to, Lossless: *lossless, Overlay: *overlay}
			switch {
			case byMark(pos):
				var err error
				if req.RecordingID, req.From, req.To, err = s.lib.MarkRange(ctx, pos[0]); err != nil {
					return err
				}
			case byTime():
				ft, err := s.lib.FrameTable(ctx, pos[0])
				if err != nil {
					return err
				}
				var ok1, ok2 bool
				req.From, ok1 = ft.FrameAt(*fromTime)
				req.To, ok2 = ft.FrameAt(*toTime)
				if !ok1 || !ok2 {
					return fmt.Errorf("times %.3f-%.3f s: %w (0 to %.3f s)", *fromTime, *toTime, app.ErrOutOfRange, ft.Duration())
				}
			}
			var progress func(float64)
			if _, ok := s.stderrTerminal(); ok {
				progress = func(x float64) { s.warnf("\r\033[Kclip %3.0f%%", 100*x) }
				defer s.warnf("\r\033[K")
			}
			d, err := s.lib.CreateClip(ctx, req, *out, progress)
			if err != nil {
				return err
			}
			where := *out
			if where == "" {
				where = "(store only)"
			}
			check := ""
			if l := app.ClipCheckLabel(d); l != "" {
				check = " (" + l + ")"
			}
			return s.printf("%s: %s %s frames %d-%d of %s, sha256 %s%s\n", where, d.Ref, d.Kind, d.From, d.To, d.RecordingID, d.SHA256, check)
		},
	}
}

func clipsFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "one JSON object per clip (recipe, frame hashes and frame map included)")
	return action{
		check: needArgs(1, "exhibit clips ID [--json]"),
		run: func(ctx context.Context, s *session, pos []string) error {
			list, err := s.lib.Clips(ctx, pos[0])
			if err != nil {
				return err
			}
			if *asJSON {
				for _, d := range list {
					if err := s.json(toClipJSON(d)); err != nil {
						return err
					}
				}
				return nil
			}
			tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tKIND\tFRAMES\tSIZE\tSHA-256\tBY\tAT\tCHECK")
			for _, d := range list {
				check := app.ClipCheckLabel(d)
				if check == "" {
					check = "checked"
				}
				fmt.Fprintf(tw, "%s\t%s\t%d-%d\t%d\t%s\t%s\t%s\t%s\n", d.Ref, d.Kind, d.From, d.To, d.Size, d.SHA256, d.CreatedBy,
					app.FormatStamp(d.CreatedAt), check)
			}
			return s.flush(tw)
		},
	}
}
