package cli

import (
	"context"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"exhibit/app"
	"exhibit/app/redact"
)

// The redaction group's commands: redact new, box, end, frames, audio,
// accept, reject, show, list. Each is one row "redact SUB" in
// commands.go; `redact detect` (redact_detect.go) and `redact render`
// (redact_render.go) are rows of the same group, added the same way.
//
// Output (contracts; add, never change):
//   - new prints the project id; box the track id; frames the range id;
//     audio the range id; accept one "PROPOSAL TRACK" line per proposal;
//     end and reject one confirmation line.
//   - show: a heading line, then one table per kind of item; --json one
//     object (redactionJSON) whose tracks carry the interpolated box of
//     every frame they cover ("boxes").
//   - list: one line per project (--json: one object per line, no items).

func redactUsage(sub, args string) error {
	return usagef("exhibit: usage: exhibit redact %s %s", sub, args)
}

const (
	redactNewArgs    = "ID [--from N --to M]"
	redactBoxArgs    = "PROJECT --frame N --rect X,Y,W,H [--track T] [--shape rect|ellipse] [--method solid|pixelate|blur] [--block N] [--label L] [--reason R] [--to M]"
	redactEndArgs    = "PROJECT --track T --frame N"
	redactFramesArgs = "PROJECT --from N --to M [--method solid|blur] --reason R"
	redactAudioArgs  = "PROJECT --from-time S --to-time S (--mute|--bleep) --reason R"
	redactShowArgs   = "PROJECT [--json]"
	redactListArgs   = "[ID] [--json]"
)

func redactNewFlags(fs *flag.FlagSet) action {
	from := fs.Int("from", 0, "first frame of the project (0-based)")
	to := fs.Int("to", -1, "last frame of the project (default: the recording's last)")
	return action{
		check: func(pos []string) error {
			if len(pos) != 1 || *from < 0 || (*to >= 0 && *to < *from) {
				return redactUsage("new", redactNewArgs)
			}
			return nil
		},
		run: func(ctx context.Context, s *session, pos []string) error {
			p, err := s.lib.NewRedaction(ctx, pos[0], *from, *to)
			if err != nil {
				return err
			}
			return s.printf("%s\n", p.ID)
		},
	}
}

// parseRect reads X,Y,W,H.
func parseRect(v string) (redact.Box, error) {
	parts := strings.Split(v, ",")
	if len(parts) != 4 {
		return redact.Box{}, fmt.Errorf("--rect %q: give X,Y,W,H in source pixels", v)
	}
	var n [4]int
	for i, p := range parts {
		x, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return redact.Box{}, fmt.Errorf("--rect %q: give X,Y,W,H in source pixels", v)
		}
		n[i] = x
	}
	return redact.Box{X: n[0], Y: n[1], W: n[2], H: n[3]}, nil
}

// stringFlag is a string flag that knows whether it was given.
type stringFlag struct {
	v   string
	set bool
}

func (f *stringFlag) String() string     { return f.v }
func (f *stringFlag) Set(v string) error { f.v, f.set = v, true; return nil }

func redactBoxFlags(fs *flag.FlagSet) action {
	frame := fs.Int("frame", -1, "the keyframe's frame (0-based)")
	rect := fs.String("rect", "", "the box: X,Y,W,H in source pixels")
	track := fs.String("track", "", "the track to keyframe (default: a new track)")
	shape := fs.String("shape", "", "rect (default for a new track) or ellipse")
	method := fs.String("method", "", "solid (default for a new track), pixelate or blur")
	block := fs.Int("block", 0, "pixelation block size in source pixels (default 16)")
	label := fs.String("label", "", "face, plate, screen, document or other (default for a new track)")
	var reason stringFlag
	fs.Var(&reason, "reason", "why it is hidden (kept sealed, never in the audit trail)")
	to := fs.Int("to", -1, "a new track's last frame (default: the keyframe's)")
	var in app.KeyframeInput
	return action{
		check: func(pos []string) error {
			if len(pos) != 1 || *frame < 0 || *rect == "" {
				return redactUsage("box", redactBoxArgs)
			}
			var err error
			if in.Box, err = parseRect(*rect); err != nil {
				return usagef("exhibit redact box: %v", err)
			}
			if *shape != "" {
				if in.Shape, err = app.ParseShape(*shape); err != nil {
					return usagef("exhibit redact box: %v", err)
				}
			}
			if *method != "" {
				if in.Method, err = app.ParseMethod(*method); err != nil {
					return usagef("exhibit redact box: %v", err)
				}
			}
			if *label != "" {
				if in.Label, err = app.ParseLabel(*label); err != nil {
					return usagef("exhibit redact box: %v", err)
				}
			}
			if *to >= 0 && *track != "" {
				return usagef("exhibit redact box: --to sets a new track's last frame; for a track use exhibit redact end")
			}
			return nil
		},
		run: func(ctx context.Context, s *session, pos []string) error {
			in.Track, in.Frame, in.Block, in.To = *track, *frame, *block, *to
			if reason.set {
				in.Reason = &reason.v
			}
			id, _, err := s.lib.AddKeyframe(ctx, pos[0], in)
			if err != nil {
				return err
			}
			return s.printf("%s\n", id)
		},
	}
}

func redactEndFlags(fs *flag.FlagSet) action {
	track := fs.String("track", "", "the track")
	frame := fs.Int("frame", -1, "its last frame (0-based)")
	return action{
		check: func(pos []string) error {
			if len(pos) != 1 || *track == "" || *frame < 0 {
				return redactUsage("end", redactEndArgs)
			}
			return nil
		},
		run: func(ctx context.Context, s *session, pos []string) error {
			p, err := s.lib.SetTrackEnd(ctx, pos[0], *track, *frame)
			if err != nil {
				return err
			}
			for _, t := range p.Tracks {
				if t.ID == strings.ToUpper(strings.TrimSpace(*track)) {
					return s.printf("track %s covers frames %d-%d\n", t.ID, t.In(), t.Out())
				}
			}
			return nil
		},
	}
}

func redactFramesFlags(fs *flag.FlagSet) action {
	from := fs.Int("from", -1, "first frame (0-based)")
	to := fs.Int("to", -1, "last frame (inclusive)")
	method := fs.String("method", "solid", "solid or blur")
	reason := fs.String("reason", "", "why (required; kept sealed, never in the audit trail)")
	return action{
		check: func(pos []string) error {
			if len(pos) != 1 || *from < 0 || *to < 0 || strings.TrimSpace(*reason) == "" {
				return redactUsage("frames", redactFramesArgs)
			}
			if m := redact.Method(*method); m != redact.Solid && m != redact.Blur {
				return usagef("exhibit redact frames: --method %q: a whole-frame range is solid or blur", *method)
			}
			if *to < *from {
				return usagef("exhibit redact frames: --to %d is before --from %d", *to, *from)
			}
			return nil
		},
		run: func(ctx context.Context, s *session, pos []string) error {
			id, _, err := s.lib.AddFrameRange(ctx, pos[0], *from, *to, redact.Method(*method), *reason)
			if err != nil {
				return err
			}
			return s.printf("%s\n", id)
		},
	}
}

// seconds turns a flag's seconds into a duration (µs precision).
func seconds(v float64) time.Duration {
	return time.Duration(math.Round(v*1e6)) * time.Microsecond
}

func redactAudioFlags(fs *flag.FlagSet) action {
	from := fs.Float64("from-time", -1, "start, seconds of media time from the start of the recording")
	to := fs.Float64("to-time", -1, "end (not included), seconds")
	mute := fs.Bool("mute", false, "silence the range")
	bleep := fs.Bool("bleep", false, "replace the range with a 1 kHz tone")
	reason := fs.String("reason", "", "why (required; kept sealed, never in the audit trail)")
	return action{
		check: func(pos []string) error {
			if len(pos) != 1 || *from < 0 || *to < 0 || *mute == *bleep || strings.TrimSpace(*reason) == "" {
				return redactUsage("audio", redactAudioArgs)
			}
			if *to <= *from {
				return usagef("exhibit redact audio: --to-time %g is not after --from-time %g", *to, *from)
			}
			return nil
		},
		run: func(ctx context.Context, s *session, pos []string) error {
			kind := redact.Mute
			if *bleep {
				kind = redact.Bleep
			}
			id, _, err := s.lib.AddAudioRange(ctx, pos[0], seconds(*from), seconds(*to), kind, *reason)
			if err != nil {
				return err
			}
			return s.printf("%s\n", id)
		},
	}
}

func redactAcceptFlags(fs *flag.FlagSet) action {
	return action{
		check: func(pos []string) error {
			if len(pos) < 2 {
				return redactUsage("accept", "PROJECT PROPOSAL...")
			}
			return nil
		},
		run: func(ctx context.Context, s *session, pos []string) error {
			tracks, _, err := s.lib.AcceptProposals(ctx, pos[0], pos[1:]...)
			if err != nil {
				return err
			}
			for i, t := range tracks {
				if err := s.printf("%s %s\n", strings.ToUpper(strings.TrimSpace(pos[1+i])), t); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

func redactRejectFlags(fs *flag.FlagSet) action {
	return action{
		check: func(pos []string) error {
			if len(pos) < 2 {
				return redactUsage("reject", "PROJECT PROPOSAL...")
			}
			return nil
		},
		run: func(ctx context.Context, s *session, pos []string) error {
			if _, err := s.lib.RejectProposals(ctx, pos[0], pos[1:]...); err != nil {
				return err
			}
			return s.printf("%d proposals rejected\n", len(pos)-1)
		},
	}
}

// boxJSON is a box in source pixels, with its frame.
type boxJSON struct {
	Frame int `json:"frame"`
	X     int `json:"x"`
	Y     int `json:"y"`
	W     int `json:"w"`
	H     int `json:"h"`
}

func toBoxJSON(n int, b redact.Box) boxJSON { return boxJSON{Frame: n, X: b.X, Y: b.Y, W: b.W, H: b.H} }

type trackJSON struct {
	ID        string    `json:"id"`
	Shape     string    `json:"shape"`
	Method    string    `json:"method"`
	Block     int       `json:"block"` // pixelation block size in effect
	Label     string    `json:"label"`
	Reason    string    `json:"reason"`
	In        int       `json:"in"`
	Out       int       `json:"out"`
	Keyframes []boxJSON `json:"keyframes"`
	// Boxes is the box on every frame In..Out: keyframes as set,
	// interpolated between them, the last held until Out.
	Boxes     []boxJSON `json:"boxes"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

type frameRangeJSON struct {
	ID        string    `json:"id"`
	From      int       `json:"from"`
	To        int       `json:"to"`
	Method    string    `json:"method"`
	Reason    string    `json:"reason"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

type audioRangeJSON struct {
	ID        string    `json:"id"`
	From      float64   `json:"from_time"` // seconds of media time
	To        float64   `json:"to_time"`   // not included
	Kind      string    `json:"kind"`
	Reason    string    `json:"reason"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

type detectionJSON struct {
	boxJSON
	Score float32 `json:"score"`
}

type proposalJSON struct {
	ID         string          `json:"id"`
	State      string          `json:"state"`
	Track      string          `json:"track,omitempty"`
	Detections []detectionJSON `json:"detections"`
}

// redactionJSON is `redact show --json` (and, without items, a line of
// `redact list --json`).
type redactionJSON struct {
	ID          string           `json:"id"`
	RecordingID string           `json:"recording_id"`
	From        int              `json:"from"`
	To          int              `json:"to"`
	Version     int              `json:"version"`
	CreatedBy   string           `json:"created_by"`
	CreatedAt   time.Time        `json:"created_at"`
	Tracks      []trackJSON      `json:"tracks"`
	Frames      []frameRangeJSON `json:"frames"`
	Audio       []audioRangeJSON `json:"audio"`
	Proposals   []proposalJSON   `json:"proposals"`
}

func toRedactionJSON(p redact.Project, items bool) redactionJSON {
	out := redactionJSON{ID: p.ID, RecordingID: p.RecordingID, From: p.From, To: p.To, Version: p.Version,
		CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt}
	if !items {
		return out
	}
	out.Tracks, out.Frames, out.Audio, out.Proposals = []trackJSON{}, []frameRangeJSON{}, []audioRangeJSON{}, []proposalJSON{}
	for _, t := range p.Tracks {
		block := 0
		if t.Method == redact.Pixelate {
			block = t.Block
			if block <= 0 {
				block = redact.DefaultBlock
			}
		}
		tj := trackJSON{ID: t.ID, Shape: string(t.Shape), Method: string(t.Method), Block: block, Label: string(t.Label),
			Reason: t.Reason, In: t.In(), Out: t.Out(), Keyframes: []boxJSON{}, Boxes: []boxJSON{},
			CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt}
		for _, k := range t.Keyframes {
			tj.Keyframes = append(tj.Keyframes, toBoxJSON(k.Frame, k.Box))
		}
		for n := t.In(); n >= 0 && n <= t.Out(); n++ {
			if b, ok := t.BoxAt(n); ok {
				tj.Boxes = append(tj.Boxes, toBoxJSON(n, b))
			}
		}
		out.Tracks = append(out.Tracks, tj)
	}
	for _, f := range p.Frames {
		out.Frames = append(out.Frames, frameRangeJSON{ID: f.ID, From: f.From, To: f.To, Method: string(f.Method), Reason: f.Reason,
			CreatedBy: f.CreatedBy, CreatedAt: f.CreatedAt})
	}
	for _, a := range p.Audio {
		out.Audio = append(out.Audio, audioRangeJSON{ID: a.ID, From: a.From.Seconds(), To: a.To.Seconds(), Kind: string(a.Kind),
			Reason: a.Reason, CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt})
	}
	for _, pr := range p.Proposals {
		pj := proposalJSON{ID: pr.ID, State: string(pr.State), Track: pr.TrackID, Detections: []detectionJSON{}}
		for _, d := range pr.Detections {
			pj.Detections = append(pj.Detections, detectionJSON{boxJSON: toBoxJSON(d.Frame, d.Box), Score: d.Score})
		}
		out.Proposals = append(out.Proposals, pj)
	}
	return out
}

func redactShowFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "one JSON object, with every track's box on every frame it covers")
	return action{
		check: func(pos []string) error {
			if len(pos) != 1 {
				return redactUsage("show", redactShowArgs)
			}
			return nil
		},
		run: func(ctx context.Context, s *session, pos []string) error {
			p, err := s.lib.RedactionProject(ctx, pos[0])
			if err != nil {
				return err
			}
			if *asJSON {
				return s.json(toRedactionJSON(p, true))
			}
			return printRedaction(s, p)
		},
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func printRedaction(s *session, p redact.Project) error {
	if err := s.printf("redaction %s of recording %s, frames %d-%d, version %d, by %s at %s\n", p.ID, p.RecordingID,
		p.From, p.To, p.Version, p.CreatedBy, p.CreatedAt.Local().Format("2006-01-02 15:04:05")); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	if len(p.Tracks) > 0 {
		fmt.Fprintln(tw, "TRACK\tFRAMES\tSHAPE\tMETHOD\tLABEL\tKEYFRAMES\tREASON")
		for _, t := range p.Tracks {
			method := string(t.Method)
			if t.Method == redact.Pixelate {
				block := t.Block
				if block <= 0 {
					block = redact.DefaultBlock
				}
				method += " " + strconv.Itoa(block)
			}
			var ks []string
			for _, k := range t.Keyframes {
				ks = append(ks, fmt.Sprintf("%d:%s", k.Frame, k.Box))
			}
			fmt.Fprintf(tw, "%s\t%d-%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.In(), t.Out(), t.Shape, method, t.Label,
				strings.Join(ks, " "), oneLine(t.Reason))
		}
	}
	if len(p.Frames) > 0 {
		fmt.Fprintln(tw, "RANGE\tFRAMES\tMETHOD\tREASON")
		for _, f := range p.Frames {
			fmt.Fprintf(tw, "%s\t%d-%d\t%s\t%s\n", f.ID, f.From, f.To, f.Method, oneLine(f.Reason))
		}
	}
	if len(p.Audio) > 0 {
		fmt.Fprintln(tw, "AUDIO\tTIME\tKIND\tREASON")
		for _, a := range p.Audio {
			fmt.Fprintf(tw, "%s\t%s-%s s\t%s\t%s\n", a.ID, fmtSec(a.From), fmtSec(a.To), a.Kind, oneLine(a.Reason))
		}
	}
	if len(p.Proposals) > 0 {
		fmt.Fprintln(tw, "PROPOSAL\tSTATE\tFRAMES\tDETECTIONS\tTRACK")
		for _, pr := range p.Proposals {
			frames := "-"
			if n := len(pr.Detections); n > 0 {
				frames = fmt.Sprintf("%d-%d", pr.Detections[0].Frame, pr.Detections[n-1].Frame)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", pr.ID, pr.State, frames, len(pr.Detections), pr.TrackID)
		}
	}
	return s.flush(tw)
}

func fmtSec(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }

func redactListFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "one JSON object per project (without its items)")
	return action{
		check: func(pos []string) error {
			if len(pos) > 1 {
				return redactUsage("list", redactListArgs)
			}
			return nil
		},
		run: func(ctx context.Context, s *session, pos []string) error {
			rec := ""
			if len(pos) == 1 {
				rec = pos[0]
			}
			ps, err := s.lib.RedactionProjects(ctx, rec)
			if err != nil {
				return err
			}
			if *asJSON {
				for _, p := range ps {
					if err := s.json(toRedactionJSON(p, false)); err != nil {
						return err
					}
				}
				return nil
			}
			tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "PROJECT\tRECORDING\tFRAMES\tVERSION\tTRACKS\tRANGES\tAUDIO\tPENDING\tBY\tCREATED")
			for _, p := range ps {
				pending := 0
				for _, pr := range p.Proposals {
					if pr.State == redact.Pending {
						pending++
					}
				}
				fmt.Fprintf(tw, "%s\t%s\t%d-%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", p.ID, p.RecordingID, p.From, p.To, p.Version,
					len(p.Tracks), len(p.Frames), len(p.Audio), pending, p.CreatedBy, p.CreatedAt.Local().Format("2006-01-02 15:04:05"))
			}
			return s.flush(tw)
		},
	}
}
