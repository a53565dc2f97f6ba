package app

import (
	"context"
	"fmt"
	"math/big"
	"sync"
	"time"

	"exhibit/app/media"
	"exhibit/player"
	"exhibit/store"
)

// Review is one recording opened for frame-exact review: its metadata, its
// frame table and a player.Source that reads the encrypted master on demand
// (nothing decrypted is written to disk). Close it when done.
type Review struct {
	Recording *Recording
	Table     *media.FrameTable
	Source    player.Source
	master    *store.Master
	lib       *Library // set when the view is audited
	closeOnce sync.Once
	opened    time.Time
}

// Close releases the master (and audits the end of the view).
func (r *Review) Close() error {
	err := r.master.Close()
	if err != nil {
		err = fmt.Errorf("close recording %s: %w", r.Recording.ID, err)
	}
	r.closeOnce.Do(func() {
		if r.lib != nil {
			e := r.lib.entry("view.stop")
			e.RecordingID, e.SHA256 = r.Recording.ID, r.Recording.SHA256
			e.Detail = fmt.Sprintf("viewed for %s", time.Since(r.opened).Round(time.Second))
			if aerr := r.lib.st.Audit(context.Background(), e); aerr != nil && err == nil {
				err = fmt.Errorf("audit the end of the view of recording %s: %w", r.Recording.ID, aerr)
			}
		}
	})
	return err
}

// OpenReview opens recording id (a full id or unique prefix) for review,
// if the signed-in user may see it. The view is audited from here to Close.
func (l *Library) OpenReview(ctx context.Context, id string) (*Review, error) {
	rv, err := l.openReview(ctx, id, "view.start")
	if err != nil {
		return nil, err
	}
	e := l.entry("view.start")
	e.RecordingID, e.SHA256 = rv.Recording.ID, rv.Recording.SHA256
	if err := l.st.Audit(ctx, e); err != nil {
		_ = rv.master.Close() // read only; the audit error is the one returned
		return nil, fmt.Errorf("open recording %s for review: audit: %w", rv.Recording.ID, err)
	}
	rv.lib, rv.opened = l, time.Now()
	return rv, nil
}

func (l *Library) openReview(ctx context.Context, id, action string) (*Review, error) {
	full, err := l.resolve(ctx, id, action)
	if err != nil {
		return nil, err
	}
	rec, err := l.st.Get(ctx, full)
	if err != nil {
		return nil, fmt.Errorf("recording %s: %w", full, err)
	}
	ft, err := l.frameTable(ctx, rec.ID)
	if err != nil {
		return nil, err // names the recording
	}
	if ft.Len() == 0 {
		return nil, fmt.Errorf("recording %s has an empty frame table", rec.ID)
	}
	m, err := l.st.OpenMaster(ctx, rec.ID)
	if err != nil {
		return nil, fmt.Errorf("open the master of recording %s: %w", rec.ID, err)
	}
	return &Review{Recording: rec, Table: ft, master: m, Source: PlayerSource(rec, ft, m, m.Size())}, nil
}

// PlayerSource builds the player's view of a recording from its frame
// table: frame times relative to frame 0, key frames, and frame 0's
// timestamp in the container timeline.
func PlayerSource(rec *Recording, ft *media.FrameTable, ra interface {
	ReadAt([]byte, int64) (int, error)
}, size int64) player.Source {
	frames := make([]time.Duration, ft.Len())
	keys := make([]bool, ft.Len())
	first := ft.Frames[0].PTS
	for i, f := range ft.Frames {
		frames[i] = ticksToDuration(f.PTS-first, ft.TimeBase)
		keys[i] = f.Key
	}
	return player.Source{
		Name:           rec.ID,
		Reader:         ra,
		Size:           size,
		Frames:         frames,
		Keyframes:      keys,
		FramePTSOffset: ticksToDuration(first, ft.TimeBase),
		RecordedAt:     rec.RecordedAt,
	}
}

// ticksToDuration converts a timestamp in time base tb to a Duration,
// rounding to the nearest nanosecond without overflow.
func ticksToDuration(ticks int64, tb media.Rational) time.Duration {
	if tb.Den == 0 {
		return 0
	}
	ns := new(big.Rat).SetInt64(ticks)
	ns.Mul(ns, big.NewRat(tb.Num*int64(time.Second), tb.Den))
	f, _ := ns.Float64()
	if f >= 0 {
		return time.Duration(f + 0.5)
	}
	return time.Duration(f - 0.5)
}

// NotePlayback audits the start ("play.start") or stop ("play.stop") of
// playback at frame n during a review opened with OpenReview.
func (r *Review) NotePlayback(ctx context.Context, playing bool, n int) error {
	if r.lib == nil {
		return nil
	}
	e := r.lib.entry("play.stop")
	if playing {
		e.Action = "play.start"
	}
	e.RecordingID, e.SHA256 = r.Recording.ID, r.Recording.SHA256
	e.Detail = fmt.Sprintf("at frame %d", n)
	if err := r.lib.st.Audit(ctx, e); err != nil {
		return fmt.Errorf("audit %s of recording %s at frame %d: %w", e.Action, r.Recording.ID, n, err)
	}
	return nil
}
