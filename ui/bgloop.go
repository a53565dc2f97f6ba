package ui

import (
	"context"
	"sync"
)

// bgLoop is one sign-in's background job (the retention sweep, the frame
// check): a goroutine that runs until it is stopped and hands what the job
// reports to the UI goroutine coalesced, one call for whatever arrived
// since the last, never once per report.
type bgLoop[T any] struct {
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when the job has returned

	mu        sync.Mutex
	pending   []T
	scheduled bool
}

// newBgLoop returns a loop that has not started; the session keeps it
// before run starts it, so deliver can check it is still the session's.
func newBgLoop[T any]() *bgLoop[T] {
	ctx, cancel := context.WithCancel(context.Background())
	return &bgLoop[T]{ctx: ctx, cancel: cancel, done: make(chan struct{})}
}

// run starts job on its own goroutine. Each report is queued; do (the
// session's way onto the UI goroutine) then runs deliver with the batch,
// unless the loop was stopped in between.
func (l *bgLoop[T]) run(do func(func()), job func(ctx context.Context, report func(T)), deliver func([]T)) {
	go func() {
		defer close(l.done)
		job(l.ctx, func(v T) {
			l.mu.Lock()
			l.pending = append(l.pending, v)
			if l.scheduled {
				l.mu.Unlock()
				return
			}
			l.scheduled = true
			l.mu.Unlock()
			do(func() {
				l.mu.Lock()
				batch := l.pending
				l.pending, l.scheduled = nil, false
				l.mu.Unlock()
				if l.ctx.Err() == nil {
					deliver(batch)
				}
			})
		})
	}()
}

// stop cancels the job; the returned channel (nil for a nil loop) is
// closed once the job has returned.
func (l *bgLoop[T]) stop() <-chan struct{} {
	if l == nil {
		return nil
	}
	l.cancel()
	return l.done
}
