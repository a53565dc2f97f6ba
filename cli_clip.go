package main

// The clip commands: clip, clips.
//
// Output rules: `clip` prints one line naming the file (or the vault only),
// the exhibit reference, frames and SHA-256; `clips` prints a table, or
// one JSON object per clip with --json. Errors go to stderr as sentences.

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"exhibit/app"
)

const clipUsage = "exhibit clip (ID (--from N --to M | --from-time S --to-time S) | ANNOTATION_ID) [--lossless] [--overlay] [-o OUT.mp4]"

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
}

func toClipJSON(d *app.Derivative) clipJSON {
	return clipJSON{ID: d.ID, Ref: d.Ref, RecordingID: d.RecordingID, MasterSHA256: d.MasterSHA256, Kind: string(d.Kind),
		From: d.From, To: d.To, SHA256: d.SHA256, Size: d.Size, Recipe: d.Recipe, CreatedBy: d.CreatedBy,
		CreatedAt: d.CreatedAt, FrameHash: string(d.FrameHash), MasterFrameHash: string(d.MasterFrameHash), FrameMap: d.FrameMap}
}

func (c *cli) cmdClip(ctx context.Context, args []string) int {
	fs := newFlags("clip", c)
	from := fs.Int("from", -1, "first frame (0-based, inclusive)")
	to := fs.Int("to", -1, "last frame (inclusive)")
	fromTime := fs.Float64("from-time", -1, "start: the frame shown at this media time (seconds from the first frame)")
	toTime := fs.Float64("to-time", -1, "end: the frame shown at this media time (seconds)")
	lossless := fs.Bool("lossless", false, "copy the master's own coded frames (no re-encoding)")
	overlay := fs.Bool("overlay", false, "court copy: a strip with exhibit ref, master frame and camera time")
	out := fs.String("o", "", "output MP4 (omit to keep the clip in the store only)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	byFrame, byTime := *from >= 0 || *to >= 0, *fromTime >= 0 || *toTime >= 0
	mark := len(pos) == 1 && app.IsAnnotationID(pos[0]) && !byFrame && !byTime
	if len(pos) != 1 || (byFrame && byTime) || (!mark && byFrame && (*from < 0 || *to < 0)) ||
		(!mark && byTime && (*fromTime < 0 || *toTime < 0)) || (!mark && !byFrame && !byTime) {
		fmt.Fprintln(c.stderr, "exhibit: usage: "+clipUsage)
		return exitUsage
	}
	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	req := app.ClipRequest{RecordingID: pos[0], From: *from, To: *to, Lossless: *lossless, Overlay: *overlay}
	switch {
	case mark:
		if req.RecordingID, req.From, req.To, err = lib.MarkRange(ctx, pos[0]); err != nil {
			return c.fail(err)
		}
	case byTime:
		ft, err := lib.FrameTable(ctx, pos[0])
		if err != nil {
			return c.fail(err)
		}
		var ok1, ok2 bool
		req.From, ok1 = ft.FrameAt(*fromTime)
		req.To, ok2 = ft.FrameAt(*toTime)
		if !ok1 || !ok2 {
			return c.fail(fmt.Errorf("times %.3f-%.3f s: %w (0 to %.3f s)", *fromTime, *toTime, app.ErrOutOfRange, ft.Duration()))
		}
	}
	var progress func(float64)
	if f, ok := c.stderrTerminal(); ok {
		progress = func(x float64) { fmt.Fprintf(f, "\r\033[Kclip %3.0f%%", 100*x) }
		defer fmt.Fprint(f, "\r\033[K")
	}
	d, err := lib.CreateClip(ctx, req, *out, progress)
	if err != nil {
		return c.fail(err)
	}
	where := *out
	if where == "" {
		where = "(store only)"
	}
	fmt.Fprintf(c.stdout, "%s: %s %s frames %d-%d of %s, sha256 %s\n", where, d.Ref, d.Kind, d.From, d.To, d.RecordingID, d.SHA256)
	return exitOK
}

func (c *cli) cmdClips(ctx context.Context, args []string) int {
	fs := newFlags("clips", c)
	asJSON := fs.Bool("json", false, "one JSON object per clip (recipe, frame hashes and frame map included)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	if !c.needArgs(pos, 1, "exhibit clips ID [--json]") {
		return exitUsage
	}
	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	list, err := lib.Clips(ctx, pos[0])
	if err != nil {
		return c.fail(err)
	}
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		for _, d := range list {
			if err := enc.Encode(toClipJSON(d)); err != nil {
				return c.fail(err)
			}
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tKIND\tFRAMES\tSIZE\tSHA-256\tBY\tAT")
	for _, d := range list {
		fmt.Fprintf(tw, "%s\t%s\t%d-%d\t%d\t%s\t%s\t%s\n", d.Ref, d.Kind, d.From, d.To, d.Size, d.SHA256, d.CreatedBy,
			d.CreatedAt.Local().Format("2006-01-02 15:04:05"))
	}
	if err := tw.Flush(); err != nil {
		return c.fail(err)
	}
	return exitOK
}
