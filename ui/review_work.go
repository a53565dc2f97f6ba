package ui

import (
	"context"
	"sync"
	"time"
)

// dataJob is one call to the library made for the review screen's side
// panel. A change (a mark, a decision, a hold) must not be lost when the
// screen closes: changes still queued then run anyway, with a context of
// their own, before the screen reports it is closed (and so before a
// sign-out); loads are dropped.
type dataJob struct {
	change bool
	run    func(ctx context.Context)
}

// dataQueue runs the side panel's library calls one at a time, in the
// order they were asked for, off the UI goroutine. Being in order, the last
// reload shown is always the newest.
type dataQueue struct {
	mu   sync.Mutex
	jobs []dataJob
	wake chan struct{}
}

func newDataQueue() *dataQueue { return &dataQueue{wake: make(chan struct{}, 1)} }

// push queues a job. It never blocks.
func (q *dataQueue) push(j dataJob) {
	q.mu.Lock()
	q.jobs = append(q.jobs, j)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *dataQueue) take() (dataJob, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.jobs) == 0 {
		return dataJob{}, false
	}
	j := q.jobs[0]
	q.jobs = q.jobs[1:]
	return j, true
}

// changeTimeout bounds a change that runs after its screen has closed.
const changeTimeout = 10 * time.Second

// run executes jobs until ctx ends, then the changes still queued.
func (q *dataQueue) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			for j, ok := q.take(); ok; j, ok = q.take() {
				if j.change {
					c, cancel := context.WithTimeout(context.WithoutCancel(ctx), changeTimeout)
					j.run(c)
					cancel()
				}
			}
			return
		case <-q.wake:
		}
		for j, ok := q.take(); ok; j, ok = q.take() {
			if ctx.Err() != nil && !j.change {
				continue
			}
			c := ctx
			var cancel context.CancelFunc = func() {}
			if j.change {
				// A change started is finished, even if the screen closes.
				c, cancel = context.WithTimeout(context.WithoutCancel(ctx), changeTimeout)
			}
			j.run(c)
			cancel()
		}
	}
}
