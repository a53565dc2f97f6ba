package player

import (
	"sync"
	"time"
)

// EventKind says what an Event reports.
type EventKind int

const (
	// EventPosition reports the frame now shown. Position events are
	// coalesced: a slow reader only sees the latest.
	EventPosition EventKind = iota
	// EventEnd reports that playback reached the end of the media (the last
	// frame stays shown, paused).
	EventEnd
	// EventError reports a failure outside a method call, e.g. the media
	// could not be read during playback. Err is set.
	EventError
)

// String returns the kind's name.
func (k EventKind) String() string {
	switch k {
	case EventPosition:
		return "position"
	case EventEnd:
		return "end"
	case EventError:
		return "error"
	}
	return "unknown"
}

// Event is a notification from the Engine.
type Event struct {
	// Kind is what happened.
	Kind EventKind
	// Frame, Media and Wall give the position (frame number, time since
	// frame 0, wall-clock time) for EventPosition and EventEnd.
	Frame int
	// Media is Source.Frames[Frame].
	Media time.Duration
	// Wall is Source.RecordedAt plus Media (zero without RecordedAt).
	Wall time.Time
	// Playing reports whether playback is running.
	Playing bool
	// Err is set for EventError.
	Err error
}

// eventQueue delivers events without ever blocking the producer: position
// events replace each other; other events queue (bounded).
type eventQueue struct {
	mu     sync.Mutex
	pos    *Event
	others []Event
	signal chan struct{}
	out    chan Event
	done   <-chan struct{}
}

const maxQueuedEvents = 64

func newEventQueue(done <-chan struct{}) *eventQueue {
	q := &eventQueue{signal: make(chan struct{}, 1), out: make(chan Event), done: done}
	go q.forward()
	return q
}

func (q *eventQueue) push(ev Event) {
	q.mu.Lock()
	if ev.Kind == EventPosition {
		q.pos = &ev
	} else {
		if len(q.others) >= maxQueuedEvents {
			q.others = q.others[1:]
		}
		q.others = append(q.others, ev)
	}
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *eventQueue) pop() (Event, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.others) > 0 {
		// A pending position goes first: arrival order between kinds is
		// not tracked, and an end or error event should be the last word.
		if q.pos != nil {
			ev := *q.pos
			q.pos = nil
			return ev, true
		}
		ev := q.others[0]
		q.others = q.others[1:]
		return ev, true
	}
	if q.pos != nil {
		ev := *q.pos
		q.pos = nil
		return ev, true
	}
	return Event{}, false
}

// forward moves events to out until done; then closes out.
func (q *eventQueue) forward() {
	defer close(q.out)
	for {
		ev, ok := q.pop()
		if !ok {
			select {
			case <-q.signal:
				continue
			case <-q.done:
				return
			}
		}
		select {
		case q.out <- ev:
		case <-q.done:
			return
		}
	}
}
