package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"exhibit/app/media"
	"exhibit/bundle"
	"exhibit/player"
)

// Court is an evidence bundle opened read-only for court-room playback:
// no store, no keyring, no sign-in, nothing written. Its methods are safe
// to call from any goroutine (it does not change after OpenCourt).
type Court struct {
	// Dir is the bundle folder (absolute).
	Dir string
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
	// Markers are the recording's markers that fall in this item.
	Markers []CourtMarker
	// FPS is the master's frame rate ("num/den").
	FPS string
}

// CourtMarker is a marker listed in the bundle's manifest (master frames).
type CourtMarker = bundle.PlayerMarker

// ErrCourtZip is returned by OpenCourt for a .zip: court playback needs
// the bundle folder (unzip it; the zip's own SHA256SUMS still apply).
var ErrCourtZip = errors.New("court playback opens a bundle folder, not its .zip: unzip it first")

// OpenCourt reads the bundle in dir for court playback (without verifying
// it: see Court.Verify).
func OpenCourt(dir string) (*Court, error) {
	if strings.EqualFold(filepath.Ext(dir), ".zip") {
		return nil, ErrCourtZip
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Lstat(abs); err != nil {
		return nil, fmt.Errorf("open the bundle: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("open the bundle %s: not a folder", dir)
	}
	s, err := bundle.ReadSummary(abs)
	if err != nil {
		return nil, fmt.Errorf("open the bundle %s: %w", dir, err)
	}
	c := &Court{Dir: abs, Summary: s}
	for _, it := range s.Manifest.Items {
		switch it.Kind {
		case bundle.KindMaster, bundle.KindClipCourt, bundle.KindClipLossless, bundle.KindClipRedacted:
		default:
			continue
		}
		ex := &CourtExhibit{Ref: it.ExhibitRef, Kind: it.Kind, Path: it.Path, RecordingID: it.MasterID, FrameMap: it.FrameMap}
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
// only), with its frame table from the file's packet table (ffprobe).
func (c *Court) CourtSource(ctx context.Context, ex *CourtExhibit) (player.Source, error) {
	if err := bundle.CheckPath(ex.Path); err != nil {
		return player.Source{}, err
	}
	p := filepath.Join(c.Dir, filepath.FromSlash(ex.Path))
	if fi, err := os.Lstat(p); err != nil {
		return player.Source{}, fmt.Errorf("exhibit %s: %w", ex.Ref, err)
	} else if !fi.Mode().IsRegular() {
		return player.Source{}, fmt.Errorf("exhibit %s: not a regular file", ex.Ref)
	}
	ft, err := media.ReadPacketTable(ctx, p)
	if err != nil {
		return player.Source{}, fmt.Errorf("exhibit %s: read its frame table: %w", ex.Ref, err)
	}
	if ft.Len() == 0 {
		return player.Source{}, fmt.Errorf("exhibit %s: no video frames", ex.Ref)
	}
	src := PlayerSource(&Recording{ID: ex.Ref, RecordedAt: ex.RecordedAt}, ft, nil, 0)
	src.Reader, src.Path = nil, p
	// Wall clock of item frame 0 is the master's at ex.MasterFrame(0): the
	// engine's own wall clock is not used for clips (see WallClock).
	return src, nil
}

// WallClock returns the camera wall-clock time of master frame m, given
// the master's frame rate (times of a master come from its frame table:
// use masterPTS when known, else the nominal rate).
func (ex *CourtExhibit) WallClock(m int, masterPTS time.Duration, known bool) time.Time {
	if known {
		return ex.RecordedAt.Add(masterPTS)
	}
	return ex.RecordedAt.Add(frameSpan(m, ex.FPS))
}
