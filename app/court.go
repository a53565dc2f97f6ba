package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"exhibit/app/media"
	"exhibit/bundle"
	"exhibit/player"
)

// Court is an evidence bundle opened read-only for court-room playback:
// no store, no keyring, no sign-in, nothing written. Its methods are safe
// to call from any goroutine (it does not change after OpenCourt).
type Court struct {
	// Dir is the bundle folder or .zip (absolute).
	Dir string
	// zip is the open .zip (nil for a folder): its files are read in
	// place, never extracted.
	zip *bundle.Archive
	// Summary is what the bundle says about itself.
	Summary *bundle.Summary
	// Exhibits are the playable items (masters and clips), in manifest order.
	Exhibits []*CourtExhibit
}

// CourtExhibit is one playable item of a bundle.
type CourtExhibit struct {
	Ref         string      // exhibit reference
	Kind        bundle.Kind // master, clip-court or clip-lossless
	Path        string      // slash-separated, relative to the bundle
	RecordingID string
	RecordedAt  time.Time // camera clock of master frame 0 (UTC)
	Officer     string
	Duration    time.Duration // of this item (a clip: its frame range)
	// From is the master frame of the item's frame 0; FrameMap, when set,
	// the master frame of each item frame (a court clip).
	From     int
	FrameMap []int
	// MasterTimes, when set (clips of newer bundles), is the real time of
	// the master frame each item frame shows, since master frame 0.
	MasterTimes []time.Duration
	// Markers are the recording's markers that fall in this item.
	Markers []CourtMarker
	// FPS is the master's frame rate ("num/den").
	FPS string
}

// CourtMarker is a marker listed in the bundle's manifest (master frames).
type CourtMarker = bundle.PlayerMarker

// OpenCourt reads the bundle in dir (a folder or its .zip, read in place)
// for court playback, without verifying it (see Court.Verify). Close it
// when done.
func OpenCourt(dir string) (*Court, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	var s *bundle.Summary
	c := &Court{Dir: abs}
	if bundle.IsZip(abs) {
		if c.zip, err = bundle.OpenZip(abs); err != nil {
			return nil, err
		}
		s, err = c.zip.Summary()
	} else if fi, lerr := os.Lstat(abs); lerr != nil {
		return nil, fmt.Errorf("open the bundle: %w", lerr)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("open the bundle %s: not a folder or a .zip", dir)
	} else {
		s, err = bundle.ReadSummary(abs)
	}
	if err != nil {
		_ = c.Close() // read only
		return nil, fmt.Errorf("open the bundle %s: %w", dir, err)
	}
	c.Summary = s
	for _, it := range s.Manifest.Items {
		switch it.Kind {
		case bundle.KindMaster, bundle.KindClipCourt, bundle.KindClipLossless, bundle.KindClipRedacted:
		default:
			continue
		}
		ex := &CourtExhibit{Ref: it.ExhibitRef, Kind: it.Kind, Path: it.Path, RecordingID: it.MasterID, FrameMap: it.FrameMap}
		for _, us := range it.MasterTimeUS {
			ex.MasterTimes = append(ex.MasterTimes, time.Duration(us)*time.Microsecond)
		}
		if ex.Ref == "" {
			ex.Ref = it.Path
		}
		to := -1
		if it.Recording != nil {
			ex.RecordedAt, ex.Officer, ex.FPS = it.Recording.RecordedAt.UTC(), it.Recording.Officer, it.Recording.FPS
			ex.Duration = time.Duration(it.Recording.DurationMS) * time.Millisecond
			to = it.Recording.Frames - 1
		}
		if it.Frames != nil {
			ex.From, to = it.Frames.From, it.Frames.To
			if it.Kind != bundle.KindMaster {
				ex.Duration = frameSpan(it.Frames.To-it.Frames.From+1, ex.FPS)
			}
		}
		for _, m := range s.Manifest.Markers {
			if m.RecordingID == ex.RecordingID && (to < 0 || m.From <= to) && m.To >= ex.From {
				ex.Markers = append(ex.Markers, m)
			}
		}
		sort.SliceStable(ex.Markers, func(i, j int) bool { return ex.Markers[i].From < ex.Markers[j].From })
		c.Exhibits = append(c.Exhibits, ex)
	}
	return c, nil
}

// Close closes the bundle's .zip (nothing to do for a folder).
func (c *Court) Close() error {
	if c.zip == nil {
		return nil
	}
	return c.zip.Close()
}

// IsZip reports whether the bundle is read from its .zip.
func (c *Court) IsZip() bool { return c.zip != nil }

// frameSpan is the duration of n frames at fps ("num/den"); 0 if unknown.
func frameSpan(n int, fps string) time.Duration {
	var num, den int64
	if _, err := fmt.Sscanf(fps, "%d/%d", &num, &den); err != nil || num <= 0 || den <= 0 {
		return 0
	}
	return time.Duration(int64(n) * den * int64(time.Second) / num)
}

// MasterFrame returns the master frame that item frame i shows.
func (ex *CourtExhibit) MasterFrame(i int) int {
	if i >= 0 && i < len(ex.FrameMap) {
		return ex.FrameMap[i]
	}
	return ex.From + i
}

// ItemFrame returns the item frame that shows master frame m (the first
// one at or after m), and whether m is in the item.
func (ex *CourtExhibit) ItemFrame(m int, count int) (int, bool) {
	if len(ex.FrameMap) > 0 {
		for i, f := range ex.FrameMap {
			if f >= m {
				return i, f == m
			}
		}
		return len(ex.FrameMap) - 1, false
	}
	i := m - ex.From
	if i < 0 {
		return 0, false
	}
	if i >= count {
		return count - 1, false
	}
	return i, true
}

// CourtVerdict is the result of Court.Verify.
type CourtVerdict struct {
	OK       bool
	Problems []bundle.Problem
	// Failed names the exhibits (by path) that a problem concerns: the
	// item itself, or its framehash files.
	Failed map[string]bool
}

// Verify runs bundle.Verify (the same checks as `exhibit verify-bundle`)
// with progress (0..1, from Verify's goroutine; may be nil).
func (c *Court) Verify(ctx context.Context, progress func(float64)) CourtVerdict {
	opt := bundle.VerifyOptions{}
	if progress != nil {
		opt.Progress = func(done, total int64) {
			if total > 0 {
				progress(float64(done) / float64(total))
			}
		}
	}
	probs := bundle.Verify(ctx, c.Dir, opt)
	v := CourtVerdict{OK: len(probs) == 0, Problems: probs, Failed: map[string]bool{}}
	items := map[string]bundle.Item{}
	for _, it := range c.Summary.Manifest.Items {
		items[it.Path] = it
	}
	for _, p := range probs {
		for _, ex := range c.Exhibits {
			it := items[ex.Path]
			if p.Path == ex.Path || (p.Path != "" && (p.Path == it.FrameHash || p.Path == it.MasterFrameHash)) || p.Path == "." || p.Path == bundle.ManifestFile {
				v.Failed[ex.Path] = true
			}
		}
	}
	return v
}

// Headline is the verdict's one line: "Verified: 5 items, audit checkpoint
// of 2026-12-01 (tree 412), key exhibit-audit-…" or what failed.
func (c *Court) Headline(v CourtVerdict) string {
	if !v.OK {
		if len(v.Problems) == 1 {
			return "NOT VERIFIED: " + v.Problems[0].String()
		}
		return fmt.Sprintf("NOT VERIFIED: %d problems, first %s", len(v.Problems), v.Problems[0].String())
	}
	s := c.Summary
	line := fmt.Sprintf("Verified: %d items", len(s.Manifest.Items))
	if s.Checkpoint != nil {
		line += ", audit checkpoint"
		if !s.AuditTime.IsZero() {
			line += " of " + s.AuditTime.Format("2006-01-02")
		}
		line += fmt.Sprintf(" (tree %d)", s.Checkpoint.Size)
	}
	if s.KeyName != "" {
		line += ", key " + s.KeyName
	}
	return line
}

// CourtSource opens ex's file as a player source: a plain file (read
// only) or, in a .zip, the stored entry's byte range of the zip (an
// io.ReaderAt section; ffprobe reads it as an ffmpeg subfile), with its
// frame table from the file's packet table (ffprobe). An entry compressed
// inside the zip is refused (bundle.ErrCompressed: it cannot be read as a
// byte range, and decompressing a master into memory could take
// gigabytes).
func (c *Court) CourtSource(ctx context.Context, ex *CourtExhibit) (player.Source, error) {
	if err := bundle.CheckPath(ex.Path); err != nil {
		return player.Source{}, err
	}
	var sec *io.SectionReader
	var p, input string
	if c.zip != nil {
		var off int64
		var err error
		if sec, off, err = c.zip.Stored(ex.Path); err != nil {
			return player.Source{}, fmt.Errorf("exhibit %s: %w", ex.Ref, err)
		}
		input = bundle.SubfileURL(c.zip.Path(), off, sec.Size())
	} else {
		p = filepath.Join(c.Dir, filepath.FromSlash(ex.Path))
		if fi, err := os.Lstat(p); err != nil {
			return player.Source{}, fmt.Errorf("exhibit %s: %w", ex.Ref, err)
		} else if !fi.Mode().IsRegular() {
			return player.Source{}, fmt.Errorf("exhibit %s: not a regular file", ex.Ref)
		}
		input = p
	}
	ft, err := media.ReadPacketTable(ctx, input)
	if err != nil {
		return player.Source{}, fmt.Errorf("exhibit %s: read its frame table: %w", ex.Ref, err)
	}
	if ft.Len() == 0 {
		return player.Source{}, fmt.Errorf("exhibit %s: no video frames", ex.Ref)
	}
	src := PlayerSource(&Recording{ID: ex.Ref, RecordedAt: ex.RecordedAt}, ft, nil, 0)
	src.Reader, src.Path = nil, p
	if sec != nil {
		src.Reader, src.Size, src.Name = sec, sec.Size(), ex.Ref
	}
	// Wall clock of item frame 0 is the master's at ex.MasterFrame(0): the
	// engine's own wall clock is not used for clips (see WallClock).
	return src, nil
}

// WallClock returns the camera wall-clock time of item frame i, whose
// own time in the item is itemPTS (from its frame table), and whether it
// is exact: a master's frame times are its own; a clip's are the master
// times of its frames from the manifest (master_time_us); a clip of an
// older bundle without them falls back to the nominal rate from its
// master frame (not exact).
func (ex *CourtExhibit) WallClock(i int, itemPTS time.Duration) (time.Time, bool) {
	switch {
	case ex.Kind == bundle.KindMaster:
		return ex.RecordedAt.Add(itemPTS), true
	case i >= 0 && i < len(ex.MasterTimes):
		return ex.RecordedAt.Add(ex.MasterTimes[i]), true
	}
	return ex.RecordedAt.Add(frameSpan(ex.MasterFrame(i), ex.FPS)), false
}
