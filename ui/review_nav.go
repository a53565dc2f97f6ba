package ui

import (
	"sync"
	"time"
)

// navKind says what a navigation command does.
type navKind int

const (
	navSeek     navKind = iota // show frame n
	navSeekTime                // show the frame displayed at media time d
	navSeekRel                 // show the frame displayed at the current media time + d
	navStep                    // step n frames
	navPlay                    // start playback
	navPause                   // stop playback
)

// navCmd is one navigation request for the engine worker.
type navCmd struct {
	kind navKind
	n    int
	d    time.Duration
}

// navQueue holds at most one pending navigation command for the worker:
// a newer command replaces an older one (a stale seek is dropped), except
// that a step arriving while a step the same way is pending is dropped, so
// holding an arrow key queues at most one step behind the one running, and
// a relative seek arriving while one is pending is added to it.
//
// It also holds the wanted A–B loop, which the worker applies before the
// next command, so that a loop set before a play is in force when it
// starts.
type navQueue struct {
	mu      sync.Mutex
	pending navCmd
	has     bool
	wake    chan struct{}

	loopA, loopB int // wanted loop (loopB < 0: none)
	loopNew      bool
}

func newNavQueue() *navQueue { return &navQueue{wake: make(chan struct{}, 1), loopB: -1} }

// setLoop asks for frames a..b to repeat (b < 0: no loop). It never blocks.
func (q *navQueue) setLoop(a, b int) {
	q.mu.Lock()
	q.loopA, q.loopB, q.loopNew = a, b, true
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// takeLoop returns the wanted loop if it changed since the last take.
func (q *navQueue) takeLoop() (a, b int, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	ok, q.loopNew = q.loopNew, false
	return q.loopA, q.loopB, ok
}

// push queues c, coalescing with what is pending. It never blocks.
// Relative seeks add up: two ±1 s presses made while the engine is busy
// move two seconds, as the user asked.
func (q *navQueue) push(c navCmd) {
	q.mu.Lock()
	if q.has && q.pending.kind == navStep && c.kind == navStep && (q.pending.n > 0) == (c.n > 0) {
		q.mu.Unlock()
		return
	}
	if q.has && q.pending.kind == navSeekRel && c.kind == navSeekRel {
		c.d += q.pending.d
	}
	q.pending, q.has = c, true
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take removes the pending command.
func (q *navQueue) take() (navCmd, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	c, ok := q.pending, q.has
	q.has = false
	return c, ok
}

// busy reports whether a command is pending.
func (q *navQueue) busy() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.has
}

// propState is the latest wanted speed, volume and mute; a goroutine
// applies it to the engine so that slider drags never wait on libmpv on
// the UI goroutine and only the newest value matters.
type propState struct {
	mu     sync.Mutex
	speed  float64
	volume int
	mute   bool
	dirty  bool
	wake   chan struct{}
}

func newPropState() *propState {
	return &propState{speed: 1, volume: 100, wake: make(chan struct{}, 1)}
}

func (p *propState) set(f func(*propState)) {
	p.mu.Lock()
	f(p)
	p.dirty = true
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// take returns the wanted values if they changed since the last take.
func (p *propState) take() (speed float64, volume int, mute, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ok, p.dirty = p.dirty, false
	return p.speed, p.volume, p.mute, ok
}
