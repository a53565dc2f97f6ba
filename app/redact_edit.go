package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"exhibit/app/redact"
	"exhibit/store"
)

// MaxPixelBlock is the largest pixelation block size accepted, in source pixels.
const MaxPixelBlock = 256

// changeRedaction runs one change of a redaction project through the
// gate (PermExport, the recording visible to the user) and saves it as
// the project's next version with its audit entry. f edits c.Project and
// returns the change's audit detail (ids and numbers, never a reason).
func (l *Library) changeRedaction(ctx context.Context, projectID, action string,
	f func(c *store.RedactionChange, rec *store.Recording) (string, error)) (redact.Project, error) {
	recID, _ := l.st.RedactionRecording(ctx, projectID) // for naming it in a denied entry only
	who, err := l.requireOn(ctx, PermExport, action, recID)
	if err != nil {
		return redact.Project{}, err
	}
	full, err := l.redactionRecording(ctx, projectID, action)
	if err != nil {
		return redact.Project{}, err
	}
	rec, err := l.st.Get(ctx, full)
	if err != nil {
		return redact.Project{}, fmt.Errorf("recording %s: %w", full, err)
	}
	id := strings.ToUpper(strings.TrimSpace(projectID))
	p, err := l.st.ChangeRedaction(ctx, id, who.Name, func(c *store.RedactionChange) error {
		d, err := f(c, rec)
		c.Detail = d
		return err
	}, l.entry(action))
	if err != nil {
		return redact.Project{}, fmt.Errorf("redaction %s: %w", id, err)
	}
	return p, nil
}

func normItemID(id string) string { return strings.ToUpper(strings.TrimSpace(id)) }

func trackIndex(p *redact.Project, id string) (int, error) {
	id = normItemID(id)
	for i, t := range p.Tracks {
		if t.ID == id {
			return i, nil
		}
	}
	return -1, fmt.Errorf("track %q: %w", id, ErrNoTrack)
}

func checkProjectFrame(p *redact.Project, what string, n int) error {
	if n < p.From || n > p.To {
		return fmt.Errorf("%s %d: %w (frames %d-%d)", what, n, ErrOutsideProject, p.From, p.To)
	}
	return nil
}

func checkBox(rec *store.Recording, b redact.Box) error {
	if b.Empty() {
		return fmt.Errorf("box %s: give a width and a height of at least one pixel", b)
	}
	if rec.Width > 0 && rec.Height > 0 && !b.Inside(rec.Width, rec.Height) {
		return fmt.Errorf("box %s: %w (the picture is %d×%d pixels)", b, ErrOutsidePicture, rec.Width, rec.Height)
	}
	return nil
}

// ParseShape reads a region shape: rect or ellipse.
func ParseShape(s string) (redact.Shape, error) {
	switch v := redact.Shape(strings.ToLower(strings.TrimSpace(s))); v {
	case redact.Rect, redact.Ellipse:
		return v, nil
	}
	return "", fmt.Errorf("shape %q: use rect or ellipse", s)
}

// ParseMethod reads how a region is hidden: solid, pixelate or blur.
func ParseMethod(s string) (redact.Method, error) {
	switch v := redact.Method(strings.ToLower(strings.TrimSpace(s))); v {
	case redact.Solid, redact.Pixelate, redact.Blur:
		return v, nil
	}
	return "", fmt.Errorf("method %q: use solid, pixelate or blur", s)
}

// RedactionLabels lists what a track may hide, in the order offered.
var RedactionLabels = []redact.Label{redact.Face, redact.Plate, redact.Screen, redact.Document, redact.Other}

// ParseLabel reads what a track hides: face, plate, screen, document or other.
func ParseLabel(s string) (redact.Label, error) {
	v := redact.Label(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(RedactionLabels, v) {
		return v, nil
	}
	return "", fmt.Errorf("label %q: use face, plate, screen, document or other", s)
}

func checkTrackFields(t *redact.Track) error {
	if _, err := ParseShape(string(t.Shape)); err != nil {
		return err
	}
	if _, err := ParseMethod(string(t.Method)); err != nil {
		return err
	}
	if _, err := ParseLabel(string(t.Label)); err != nil {
		return err
	}
	if t.Block < 0 || t.Block == 1 || t.Block > MaxPixelBlock {
		return fmt.Errorf("block size %d: use 2 to %d pixels (0 for the default, %d)", t.Block, MaxPixelBlock, redact.DefaultBlock)
	}
	r, err := checkText("the reason", t.Reason)
	t.Reason = r
	return err
}

// checkTrack validates a whole track against its project and recording.
func checkTrack(p *redact.Project, rec *store.Recording, t *redact.Track) error {
	if err := checkTrackFields(t); err != nil {
		return fmt.Errorf("track %s: %w", t.ID, err)
	}
	if len(t.Keyframes) == 0 {
		return fmt.Errorf("track %s: a track needs at least one keyframe", t.ID)
	}
	t.Keyframes = slices.Clone(t.Keyframes)
	sort.SliceStable(t.Keyframes, func(i, j int) bool { return t.Keyframes[i].Frame < t.Keyframes[j].Frame })
	for i, k := range t.Keyframes {
		if i > 0 && k.Frame == t.Keyframes[i-1].Frame {
			return fmt.Errorf("track %s: two keyframes at frame %d", t.ID, k.Frame)
		}
		if err := checkProjectFrame(p, "keyframe at frame", k.Frame); err != nil {
			return fmt.Errorf("track %s: %w", t.ID, err)
		}
		if err := checkBox(rec, k.Box); err != nil {
			return fmt.Errorf("track %s keyframe at frame %d: %w", t.ID, k.Frame, err)
		}
	}
	if t.End > p.To {
		return fmt.Errorf("track %s: end frame %d: %w (frames %d-%d)", t.ID, t.End, ErrOutsideProject, p.From, p.To)
	}
	return nil
}

// KeyframeInput is a keyframe for AddKeyframe.
type KeyframeInput struct {
	Track string // the track's id; "" starts a new track
	Frame int
	Box   redact.Box
	// Shape, Method, Block, Label and Reason: for a new track its
	// settings (defaults rect, solid, DefaultBlock, other, no reason); for
	// an existing track each one given (not zero, Reason not nil) changes
	// the track too.
	Shape  redact.Shape
	Method redact.Method
	Block  int
	Label  redact.Label
	Reason *string
	// To is a new track's last frame (from Frame, holding the box); below
	// Frame the track ends at its last keyframe.
	To int
}

// AddKeyframe sets a track's box at one frame (replacing a keyframe at
// that frame), or starts a new track there, and returns the track's id
// and the project's new state.
func (l *Library) AddKeyframe(ctx context.Context, projectID string, in KeyframeInput) (string, redact.Project, error) {
	var trackID string
	p, err := l.changeRedaction(ctx, projectID, actRedactBox, func(c *store.RedactionChange, rec *store.Recording) (string, error) {
		p := &c.Project
		if err := checkProjectFrame(p, "frame", in.Frame); err != nil {
			return "", err
		}
		if err := checkBox(rec, in.Box); err != nil {
			return "", err
		}
		if in.Track == "" {
			t := redact.Track{Shape: redact.Rect, Method: redact.Solid, Label: redact.Other, Block: in.Block, End: -1,
				Keyframes: []redact.Keyframe{{Frame: in.Frame, Box: in.Box}}}
			setTrackOptions(&t, in.Shape, in.Method, 0, in.Label, in.Reason)
			if in.To >= in.Frame {
				if err := checkProjectFrame(p, "end frame", in.To); err != nil {
					return "", err
				}
				t.End = in.To
			}
			if err := checkTrackFields(&t); err != nil {
				return "", err
			}
			t.ID = c.NewID(store.TrackPrefix)
			trackID = t.ID
			p.Tracks = append(p.Tracks, t)
			return fmt.Sprintf("track %s added: %s %s %s, keyframe at frame %d box %s, frames %d-%d",
				t.ID, t.Shape, t.Method, t.Label, in.Frame, in.Box, t.In(), t.Out()), nil
		}
		i, err := trackIndex(p, in.Track)
		if err != nil {
			return "", err
		}
		t := &p.Tracks[i]
		trackID = t.ID
		setTrackOptions(t, in.Shape, in.Method, in.Block, in.Label, in.Reason)
		if err := checkTrackFields(t); err != nil {
			return "", err
		}
		j := sort.Search(len(t.Keyframes), func(j int) bool { return t.Keyframes[j].Frame >= in.Frame })
		if j < len(t.Keyframes) && t.Keyframes[j].Frame == in.Frame {
			t.Keyframes[j].Box = in.Box
		} else {
			t.Keyframes = slices.Insert(t.Keyframes, j, redact.Keyframe{Frame: in.Frame, Box: in.Box})
		}
		return fmt.Sprintf("track %s keyframe at frame %d box %s, frames %d-%d", t.ID, in.Frame, in.Box, t.In(), t.Out()), nil
	})
	if err != nil {
		return "", redact.Project{}, err
	}
	return trackID, p, nil
}

func setTrackOptions(t *redact.Track, shape redact.Shape, method redact.Method, block int, label redact.Label, reason *string) {
	if shape != "" {
		t.Shape = shape
	}
	if method != "" {
		t.Method = method
	}
	if block != 0 {
		t.Block = block
	}
	if label != "" {
		t.Label = label
	}
	if reason != nil {
		t.Reason = *reason
	}
}

// SetTrackEnd sets a track's last frame: it holds its last keyframe's box
// until then. The frame may not be before the last keyframe.
func (l *Library) SetTrackEnd(ctx context.Context, projectID, trackID string, frame int) (redact.Project, error) {
	return l.changeRedaction(ctx, projectID, actRedactEnd, func(c *store.RedactionChange, _ *store.Recording) (string, error) {
		p := &c.Project
		i, err := trackIndex(p, trackID)
		if err != nil {
			return "", err
		}
		if err := checkProjectFrame(p, "end frame", frame); err != nil {
			return "", err
		}
		t := &p.Tracks[i]
		if last := t.Keyframes[len(t.Keyframes)-1].Frame; frame < last {
			return "", fmt.Errorf("track %s: end frame %d is before its last keyframe (frame %d); delete the later keyframes first", t.ID, frame, last)
		}
		t.End = frame
		return fmt.Sprintf("track %s end frame %d, frames %d-%d", t.ID, frame, t.In(), t.Out()), nil
	})
}

// TrackUpdate changes a track's settings: each field given (not zero,
// Reason not nil) replaces the track's.
type TrackUpdate struct {
	Shape  redact.Shape
	Method redact.Method
	Block  int
	Label  redact.Label
	Reason *string
}

// UpdateTrack changes a track's shape, method, block size, label or reason.
func (l *Library) UpdateTrack(ctx context.Context, projectID, trackID string, u TrackUpdate) (redact.Project, error) {
	return l.changeRedaction(ctx, projectID, actRedactTrack, func(c *store.RedactionChange, _ *store.Recording) (string, error) {
		p := &c.Project
		i, err := trackIndex(p, trackID)
		if err != nil {
			return "", err
		}
		t := &p.Tracks[i]
		setTrackOptions(t, u.Shape, u.Method, u.Block, u.Label, u.Reason)
		if err := checkTrackFields(t); err != nil {
			return "", fmt.Errorf("track %s: %w", t.ID, err)
		}
		d := fmt.Sprintf("track %s: %s %s %s", t.ID, t.Shape, t.Method, t.Label)
		if t.Method == redact.Pixelate {
			d += fmt.Sprintf(" block %d", max(t.Block, 0))
		}
		if u.Reason != nil {
			d += ", reason changed"
		}
		return d, nil
	})
}

// DeleteKeyframe removes a track's keyframe at frame. Removing its only
// keyframe deletes the track.
func (l *Library) DeleteKeyframe(ctx context.Context, projectID, trackID string, frame int) (redact.Project, error) {
	return l.changeRedaction(ctx, projectID, actRedactDelete, func(c *store.RedactionChange, _ *store.Recording) (string, error) {
		p := &c.Project
		i, err := trackIndex(p, trackID)
		if err != nil {
			return "", err
		}
		t := &p.Tracks[i]
		j := slices.IndexFunc(t.Keyframes, func(k redact.Keyframe) bool { return k.Frame == frame })
		if j < 0 {
			return "", fmt.Errorf("track %s has no keyframe at frame %d", t.ID, frame)
		}
		if len(t.Keyframes) == 1 {
			id := t.ID
			p.Tracks = slices.Delete(p.Tracks, i, i+1)
			return fmt.Sprintf("track %s keyframe at frame %d deleted, and the track with it", id, frame), nil
		}
		t.Keyframes = slices.Delete(t.Keyframes, j, j+1)
		return fmt.Sprintf("track %s keyframe at frame %d deleted, frames %d-%d", t.ID, frame, t.In(), t.Out()), nil
	})
}

// DeleteTrack removes a track (its earlier versions stay recoverable).
func (l *Library) DeleteTrack(ctx context.Context, projectID, trackID string) (redact.Project, error) {
	return l.changeRedaction(ctx, projectID, actRedactDelete, func(c *store.RedactionChange, _ *store.Recording) (string, error) {
		p := &c.Project
		i, err := trackIndex(p, trackID)
		if err != nil {
			return "", err
		}
		id := p.Tracks[i].ID
		p.Tracks = slices.Delete(p.Tracks, i, i+1)
		return "track " + id + " deleted", nil
	})
}

// PutTrack replaces a whole track in one change (the editor's undo and
// redo): t.ID names a track the project holds or has held (a deleted one
// comes back); with an empty ID it is added as a new track. Its keyframes
// are sorted by frame. It returns the track's id and the new state.
func (l *Library) PutTrack(ctx context.Context, projectID string, t redact.Track) (string, redact.Project, error) {
	var trackID string
	p, err := l.changeRedaction(ctx, projectID, actRedactTrack, func(c *store.RedactionChange, rec *store.Recording) (string, error) {
		p := &c.Project
		t.ID = normItemID(t.ID)
		if err := checkTrack(p, rec, &t); err != nil {
			return "", err
		}
		verb := "replaced"
		switch i, ierr := trackIndex(p, t.ID); {
		case t.ID == "":
			t.ID, verb = c.NewID(store.TrackPrefix), "added"
			t.CreatedBy, t.CreatedAt = "", time.Time{}
			p.Tracks = append(p.Tracks, t)
		case ierr == nil:
			p.Tracks[i] = t
		case c.Existed(t.ID) && strings.HasPrefix(t.ID, store.TrackPrefix):
			verb = "restored"
			p.Tracks = append(p.Tracks, t)
			sort.SliceStable(p.Tracks, func(a, b int) bool { return itemLess(p.Tracks[a].ID, p.Tracks[b].ID) })
		default:
			return "", ierr
		}
		trackID = t.ID
		return fmt.Sprintf("track %s %s: %s %s %s, %d keyframes, frames %d-%d", t.ID, verb, t.Shape, t.Method, t.Label,
			len(t.Keyframes), t.In(), t.Out()), nil
	})
	if err != nil {
		return "", redact.Project{}, err
	}
	return trackID, p, nil
}

// itemLess orders item ids by number (T2 before T10).
func itemLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// AddFrameRange hides the whole picture on frames from..to with method
// (solid when empty, or blur) and returns the range's id and the new state.
func (l *Library) AddFrameRange(ctx context.Context, projectID string, from, to int, method redact.Method, reason string) (string, redact.Project, error) {
	var id string
	p, err := l.changeRedaction(ctx, projectID, actRedactFrames, func(c *store.RedactionChange, _ *store.Recording) (string, error) {
		f := redact.FrameRange{From: from, To: to, Method: method, Reason: reason}
		if err := checkFrameRange(&c.Project, &f); err != nil {
			return "", err
		}
		f.ID = c.NewID(store.FramesPrefix)
		id = f.ID
		c.Project.Frames = append(c.Project.Frames, f)
		return fmt.Sprintf("frame range %s added: frames %d-%d %s", f.ID, f.From, f.To, f.Method), nil
	})
	if err != nil {
		return "", redact.Project{}, err
	}
	return id, p, nil
}

func needReason(reason string) (string, error) {
	r, err := checkText("the reason", reason)
	if err != nil {
		return "", err
	}
	if r == "" {
		return "", errors.New("give a reason: the redaction log says why each range was hidden")
	}
	return r, nil
}

// DeleteFrameRange removes a whole-frame range.
func (l *Library) DeleteFrameRange(ctx context.Context, projectID, rangeID string) (redact.Project, error) {
	return l.changeRedaction(ctx, projectID, actRedactDelete, func(c *store.RedactionChange, _ *store.Recording) (string, error) {
		p := &c.Project
		id := normItemID(rangeID)
		i := slices.IndexFunc(p.Frames, func(f redact.FrameRange) bool { return f.ID == id })
		if i < 0 {
			return "", fmt.Errorf("frame range %q: %w", id, ErrNoRange)
		}
		p.Frames = slices.Delete(p.Frames, i, i+1)
		return "frame range " + id + " deleted", nil
	})
}

// PutFrameRange replaces a whole-frame range in one change (the editor's
// undo and redo, or a range dragged on the timeline): f.ID names a range
// the project holds or has held (a deleted one comes back); with an empty
// ID it is added. It returns the range's id and the new state.
func (l *Library) PutFrameRange(ctx context.Context, projectID string, f redact.FrameRange) (string, redact.Project, error) {
	var id string
	p, err := l.changeRedaction(ctx, projectID, actRedactFrames, func(c *store.RedactionChange, _ *store.Recording) (string, error) {
		p := &c.Project
		f.ID = normItemID(f.ID)
		if err := checkFrameRange(p, &f); err != nil {
			return "", err
		}
		verb := "replaced"
		switch i := slices.IndexFunc(p.Frames, func(g redact.FrameRange) bool { return g.ID == f.ID }); {
		case f.ID == "":
			f.ID, verb = c.NewID(store.FramesPrefix), "added"
			f.CreatedBy, f.CreatedAt = "", time.Time{}
			p.Frames = append(p.Frames, f)
		case i >= 0:
			p.Frames[i] = f
		case c.Existed(f.ID) && strings.HasPrefix(f.ID, store.FramesPrefix):
			verb = "restored"
			p.Frames = append(p.Frames, f)
			sort.SliceStable(p.Frames, func(a, b int) bool { return itemLess(p.Frames[a].ID, p.Frames[b].ID) })
		default:
			return "", fmt.Errorf("frame range %q: %w", f.ID, ErrNoRange)
		}
		id = f.ID
		return fmt.Sprintf("frame range %s %s: frames %d-%d %s", f.ID, verb, f.From, f.To, f.Method), nil
	})
	if err != nil {
		return "", redact.Project{}, err
	}
	return id, p, nil
}

func checkFrameRange(p *redact.Project, f *redact.FrameRange) error {
	if f.Method == "" {
		f.Method = redact.Solid
	}
	if f.Method != redact.Solid && f.Method != redact.Blur {
		return fmt.Errorf("method %q: a whole-frame range is solid or blur", f.Method)
	}
	if f.To < f.From {
		return fmt.Errorf("frames %d-%d: the last frame is before the first", f.From, f.To)
	}
	if err := checkProjectFrame(p, "frame", f.From); err != nil {
		return err
	}
	if err := checkProjectFrame(p, "frame", f.To); err != nil {
		return err
	}
	r, err := needReason(f.Reason)
	f.Reason = r
	return err
}

// AddAudioRange hides the sound from from to to (media time from the
// start of the recording) by kind (mute or bleep) and returns the
// range's id and the new state.
func (l *Library) AddAudioRange(ctx context.Context, projectID string, from, to time.Duration, kind redact.AudioKind, reason string) (string, redact.Project, error) {
	var id string
	p, err := l.changeRedaction(ctx, projectID, actRedactAudio, func(c *store.RedactionChange, rec *store.Recording) (string, error) {
		a := redact.AudioRange{From: from, To: to, Kind: kind, Reason: reason}
		if err := checkAudioRange(rec, &a); err != nil {
			return "", err
		}
		a.ID = c.NewID(store.AudioPrefix)
		id = a.ID
		c.Project.Audio = append(c.Project.Audio, a)
		return fmt.Sprintf("audio range %s added: %s-%s s %s", a.ID, secs(a.From), secs(a.To), a.Kind), nil
	})
	if err != nil {
		return "", redact.Project{}, err
	}
	return id, p, nil
}

func checkAudioRange(rec *store.Recording, a *redact.AudioRange) error {
	if a.Kind != redact.Mute && a.Kind != redact.Bleep {
		return fmt.Errorf("audio %q: mute or bleep", a.Kind)
	}
	a.From, a.To = a.From.Truncate(time.Microsecond), a.To.Truncate(time.Microsecond)
	if a.From < 0 || a.To <= a.From {
		return fmt.Errorf("times %s-%s: the end must be after the start", fmtSeconds(a.From), fmtSeconds(a.To))
	}
	if rec.Duration > 0 && a.From >= rec.Duration {
		return fmt.Errorf("time %s: %w (it lasts %s)", fmtSeconds(a.From), ErrOutOfRange, fmtSeconds(rec.Duration))
	}
	r, err := needReason(a.Reason)
	a.Reason = r
	return err
}

// PutAudioRange replaces an audio range in one change (the editor's undo
// and redo, or a range dragged on the timeline): a.ID names a range the
// project holds or has held (a deleted one comes back); with an empty ID
// it is added. It returns the range's id and the new state.
func (l *Library) PutAudioRange(ctx context.Context, projectID string, a redact.AudioRange) (string, redact.Project, error) {
	var id string
	p, err := l.changeRedaction(ctx, projectID, actRedactAudio, func(c *store.RedactionChange, rec *store.Recording) (string, error) {
		p := &c.Project
		a.ID = normItemID(a.ID)
		if err := checkAudioRange(rec, &a); err != nil {
			return "", err
		}
		verb := "replaced"
		switch i := slices.IndexFunc(p.Audio, func(b redact.AudioRange) bool { return b.ID == a.ID }); {
		case a.ID == "":
			a.ID, verb = c.NewID(store.AudioPrefix), "added"
			a.CreatedBy, a.CreatedAt = "", time.Time{}
			p.Audio = append(p.Audio, a)
		case i >= 0:
			p.Audio[i] = a
		case c.Existed(a.ID) && strings.HasPrefix(a.ID, store.AudioPrefix):
			verb = "restored"
			p.Audio = append(p.Audio, a)
			sort.SliceStable(p.Audio, func(x, y int) bool { return itemLess(p.Audio[x].ID, p.Audio[y].ID) })
		default:
			return "", fmt.Errorf("audio range %q: %w", a.ID, ErrNoRange)
		}
		id = a.ID
		return fmt.Sprintf("audio range %s %s: %s-%s s %s", a.ID, verb, secs(a.From), secs(a.To), a.Kind), nil
	})
	if err != nil {
		return "", redact.Project{}, err
	}
	return id, p, nil
}

func secs(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }

func fmtSeconds(d time.Duration) string { return secs(d) + " s" }

// DeleteAudioRange removes an audio range.
func (l *Library) DeleteAudioRange(ctx context.Context, projectID, rangeID string) (redact.Project, error) {
	return l.changeRedaction(ctx, projectID, actRedactDelete, func(c *store.RedactionChange, _ *store.Recording) (string, error) {
		p := &c.Project
		id := normItemID(rangeID)
		i := slices.IndexFunc(p.Audio, func(a redact.AudioRange) bool { return a.ID == id })
		if i < 0 {
			return "", fmt.Errorf("audio range %q: %w", id, ErrNoRange)
		}
		p.Audio = slices.Delete(p.Audio, i, i+1)
		return "audio range " + id + " deleted", nil
	})
}

// SaveProposals stores face proposals from a detection run: they replace
// the project's pending proposals (accepted and rejected ones stay, with
// their tracks). Each gets a new id and the pending state; detections are
// sorted by frame, must be on the project's frames (one per frame), and
// their boxes are clipped to the picture (a detection wholly outside it,
// and a proposal left with none, are dropped). Proposals never redact by
// themselves: AcceptProposals makes tracks of them.
func (l *Library) SaveProposals(ctx context.Context, projectID string, ps []redact.Proposal) (redact.Project, error) {
	return l.changeRedaction(ctx, projectID, actRedactProposals, func(c *store.RedactionChange, rec *store.Recording) (string, error) {
		p := &c.Project
		var kept []redact.Proposal
		replaced := 0
		for _, pr := range p.Proposals {
			if pr.State == redact.Pending {
				replaced++
				continue
			}
			kept = append(kept, pr)
		}
		var added []string
		for n, pr := range ps {
			ds := slices.Clone(pr.Detections)
			sort.SliceStable(ds, func(i, j int) bool { return ds[i].Frame < ds[j].Frame })
			out := ds[:0]
			for i, d := range ds {
				if i > 0 && d.Frame == ds[i-1].Frame {
					return "", fmt.Errorf("proposal %d: two detections at frame %d", n+1, d.Frame)
				}
				if err := checkProjectFrame(p, "detection at frame", d.Frame); err != nil {
					return "", fmt.Errorf("proposal %d: %w", n+1, err)
				}
				if rec.Width > 0 && rec.Height > 0 {
					d.Box = d.Box.Clip(rec.Width, rec.Height)
				}
				if d.Box.Empty() {
					continue
				}
				out = append(out, d)
			}
			if len(out) == 0 {
				continue
			}
			id := c.NewID(store.ProposalPrefix)
			added = append(added, id)
			kept = append(kept, redact.Proposal{ID: id, Detections: out, State: redact.Pending})
		}
		p.Proposals = kept
		d := fmt.Sprintf("%d proposals saved", len(added))
		if len(added) > 0 {
			d += " (" + added[0] + "-" + added[len(added)-1] + ")"
		}
		return d + fmt.Sprintf(", %d pending replaced", replaced), nil
	})
}

// AcceptProposals makes a track of each pending proposal named (solid
// rectangles labelled face, its detections as keyframes, ending at the
// last one), in one change, and returns the new state and the tracks'
// ids in the order of the proposals.
func (l *Library) AcceptProposals(ctx context.Context, projectID string, proposalIDs ...string) ([]string, redact.Project, error) {
	var tracks []string
	p, err := l.decideProposals(ctx, projectID, actRedactAccept, proposalIDs, func(c *store.RedactionChange, pr *redact.Proposal) {
		t := redact.Track{ID: c.NewID(store.TrackPrefix), Shape: redact.Rect, Method: redact.Solid, Label: redact.Face, End: -1}
		for _, d := range pr.Detections {
			t.Keyframes = append(t.Keyframes, redact.Keyframe{Frame: d.Frame, Box: d.Box})
		}
		c.Project.Tracks = append(c.Project.Tracks, t)
		pr.State, pr.TrackID = redact.Accepted, t.ID
		tracks = append(tracks, t.ID)
	})
	if err != nil {
		return nil, redact.Project{}, err
	}
	return tracks, p, nil
}

// RejectProposals marks pending proposals rejected, in one change.
func (l *Library) RejectProposals(ctx context.Context, projectID string, proposalIDs ...string) (redact.Project, error) {
	return l.decideProposals(ctx, projectID, actRedactReject, proposalIDs, func(_ *store.RedactionChange, pr *redact.Proposal) {
		pr.State = redact.Rejected
	})
}

func (l *Library) decideProposals(ctx context.Context, projectID, action string, ids []string,
	decide func(c *store.RedactionChange, pr *redact.Proposal)) (redact.Project, error) {
	return l.changeRedaction(ctx, projectID, action, func(c *store.RedactionChange, _ *store.Recording) (string, error) {
		if len(ids) == 0 {
			return "", errors.New("name at least one proposal")
		}
		p := &c.Project
		var done []string
		for _, raw := range ids {
			id := normItemID(raw)
			i := slices.IndexFunc(p.Proposals, func(pr redact.Proposal) bool { return pr.ID == id })
			if i < 0 {
				return "", fmt.Errorf("proposal %q: %w", id, ErrNoProposal)
			}
			pr := &p.Proposals[i]
			if pr.State != redact.Pending {
				return "", fmt.Errorf("proposal %s is already %s", id, pr.State)
			}
			decide(c, pr)
			if pr.TrackID != "" {
				done = append(done, id+" as track "+pr.TrackID)
			} else {
				done = append(done, id)
			}
		}
		verb := "accepted"
		if action == actRedactReject {
			verb = "rejected"
		}
		return "proposals " + verb + ": " + strings.Join(done, ", "), nil
	})
}
