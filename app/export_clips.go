package app

import (
	"context"
	"fmt"
	"strconv"

	"exhibit/bundle"
)

// playerClip is a court clip as the offline player shows it.
type playerClip = bundle.PlayerClip

// clipOutput is one clip made for an export and what the bundle records
// about it (from the derivative record).
type clipOutput struct {
	Kind            bundle.Kind
	Ref             string
	SHA256          string // of the clip file, as recorded
	From, To        int
	Recipe          bundle.Recipe
	FrameHash       []byte
	MasterFrameHash []byte
	FrameMap        []int
}

// addClip lists a made clip and its framehash files in the bundle and
// returns its player entry (court clips only).
//
// mk writes the clip at the path it is given and returns its record.
func addClip(w *bundle.Writer, p *exportPart, kind bundle.Kind, mk func(path string) (*clipOutput, error)) (*playerClip, error) {
	rec := p.rec
	base := fmt.Sprintf("%s_%d-%d", rec.ID, p.from, p.to)
	suffix := "court"
	switch kind {
	case bundle.KindClipLossless:
		suffix = "lossless"
	case bundle.KindClipRedacted:
		suffix = "redacted-" + p.spec // the project id: several may cover one range
	}
	path := "clips/" + base + "_" + suffix + ".mp4"
	mfh := "framehash/" + base + "_master.framehash"
	own := "framehash/" + base + "_" + suffix + ".framehash"
	var c *clipOutput
	it := bundle.Item{Path: path, Kind: kind, MasterID: rec.ID, MasterSHA256: rec.SHA256,
		Frames: &bundle.FrameRange{From: p.from, To: p.to}, Recording: recordingFacts(rec), FrameHash: own, MasterFrameHash: mfh}
	if kind == bundle.KindClipRedacted {
		it.MasterFrameHash = ""
	}
	err := w.AddProducedFunc(&it, func(full string) error {
		var err error
		c, err = mk(full)
		if err != nil {
			return err
		}
		if c.From != p.from || c.To != p.to || c.Kind != kind {
			return fmt.Errorf("clip is %s frames %d-%d, asked for %s %d-%d", c.Kind, c.From, c.To, kind, p.from, p.to)
		}
		it.ExhibitRef, it.Recipe = c.Ref, &c.Recipe
		if kind == bundle.KindClipCourt || kind == bundle.KindClipRedacted {
			it.FrameMap = c.FrameMap
		}
		// The master frame of each clip frame, and its real time.
		mfs := c.FrameMap
		if kind != bundle.KindClipCourt || len(mfs) == 0 {
			mfs = nil
			for m := c.From; m <= c.To; m++ {
				mfs = append(mfs, m)
			}
		}
		for _, mf := range mfs {
			if mf < 0 || mf >= len(p.times) {
				return fmt.Errorf("clip frame map names master frame %d, outside the recording", mf)
			}
			it.MasterTimeUS = append(it.MasterTimeUS, p.times[mf].Microseconds())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if c.SHA256 != "" && c.SHA256 != w.SHA256(path) {
		return nil, fmt.Errorf("clip %s: the file's SHA-256 is not the derivative record's", path)
	}
	if err := w.AddBytes(bundle.Item{Path: own, Kind: bundle.KindFrameHash, Of: path}, c.FrameHash); err != nil {
		return nil, err
	}
	// No master range hashes beside a redacted copy: it is checked by its
	// own frame hashes and frame map, like a court clip.
	if kind != bundle.KindClipRedacted && !w.Has(mfh) {
		if err := w.AddBytes(bundle.Item{Path: mfh, Kind: bundle.KindFrameHash, MasterID: rec.ID, MasterSHA256: rec.SHA256,
			Frames: &bundle.FrameRange{From: c.From, To: c.To}, Of: fmt.Sprintf("master %s frames %d-%d", rec.ID, c.From, c.To)},
			c.MasterFrameHash); err != nil {
			return nil, err
		}
	}
	if c.Kind != bundle.KindClipCourt && c.Kind != bundle.KindClipRedacted {
		return nil, nil
	}
	rows, err := bundle.ParseFrameHash(c.FrameHash)
	if err != nil {
		return nil, fmt.Errorf("clip %s: %w", path, err)
	}
	tb, err := bundle.FrameHashTimeBase(c.FrameHash)
	if err != nil {
		return nil, fmt.Errorf("clip %s: %w", path, err)
	}
	pc := &playerClip{Path: path, Ref: c.Ref, RecordingID: rec.ID, MasterSHA256: rec.SHA256}
	for i, r := range rows {
		mf := c.From + i
		if i < len(c.FrameMap) {
			mf = c.FrameMap[i]
		}
		if mf < 0 || mf >= len(p.times) {
			return nil, fmt.Errorf("clip %s: frame %d maps to master frame %d, outside the recording", path, i, mf)
		}
		pts, err := strconv.ParseInt(r.PTS, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("clip %s: framehash frame %d: pts %q", path, i, r.PTS)
		}
		pc.Time = append(pc.Time, float64(pts)*tb)
		pc.Frame = append(pc.Frame, mf)
		pc.Wall = append(pc.Wall, rec.RecordedAt.Add(p.times[mf]).UTC().Format("2006-01-02T15:04:05.000Z"))
	}
	return pc, nil
}

// exportClips makes the part's court clip (and lossless clip) as
// derivatives (Library.CreateClip: audited as clip.create, kept encrypted
// in the vault) written straight into the bundle's temporary folder, runs
// their clip checks at once (Library.CheckClip: the decoded-frame hashes;
// a clip that fails it fails the export), and adds them with their frame
// hashes.
func (l *Library) exportClips(ctx context.Context, w *bundle.Writer, p *exportPart, lossless bool) ([]playerClip, error) {
	kinds := []bundle.Kind{bundle.KindClipCourt}
	if lossless {
		kinds = append(kinds, bundle.KindClipLossless)
	}
	var out []playerClip
	for _, k := range kinds {
		pc, err := addClip(w, p, k, func(path string) (*clipOutput, error) {
			d, err := l.CreateClip(ctx, ClipRequest{RecordingID: p.rec.ID, From: p.from, To: p.to, Lossless: k == bundle.KindClipLossless}, path, nil)
			if err != nil {
				return nil, err
			}
			// A bundle always carries the decoded-frame hashes: the clip
			// check runs now rather than in the background.
			if d, err = l.CheckClip(ctx, d.ID); err != nil {
				return nil, err
			}
			return &clipOutput{Kind: bundle.Kind(d.Kind), Ref: d.Ref, SHA256: d.SHA256, From: d.From, To: d.To,
				Recipe:    bundle.Recipe{Tool: d.Recipe.Tool, Args: d.Recipe.Args, Notes: d.Recipe.Notes},
				FrameHash: d.FrameHash, MasterFrameHash: d.MasterFrameHash, FrameMap: d.FrameMap}, nil
		})
		if err != nil {
			return nil, err
		}
		if pc != nil {
			out = append(out, *pc)
		}
	}
	return out, nil
}
