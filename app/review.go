package app

import (
	"context"
	"fmt"
	"math/big"
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
}

// Close releases the master.
func (r *Review) Close() error { return r.master.Close() }

// OpenReview opens recording id (a full id or unique prefix) for review.
func (l *Library) OpenReview(ctx context.Context, id string) (*Review, error) {
	rec, err := l.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	ft, err := l.FrameTable(ctx, rec.ID)
	if err != nil {
		return nil, err
	}
	if ft.Len() == 0 {
		return nil, fmt.Errorf("recording %s has an empty frame table", rec.ID)
	}
	m, err := l.st.OpenMaster(ctx, rec.ID)
	if err != nil {
		return nil, err
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
