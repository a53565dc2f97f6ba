package ui

import (
	"fmt"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// How the idle lock sees activity. Fyne 2.7 has no window-wide input hook:
// key events go to the focused widget, or to the canvas hooks only when
// nothing is focused, and pointer events go to the top-most widget under
// the pointer that handles them. So activity is gathered from four places:
//
//   - pointer: every window's content (and the content of the dialogs the
//     session opens) sits inside an activityArea. The desktop driver asks
//     every object under the pointer for its cursor (desktop.Cursorable) on
//     each pointer move, children included, so the area sees movement
//     anywhere over it, whatever widget handles the event; it is also
//     Hoverable for the parts no child claims;
//   - keys with nothing focused: desktop.Canvas OnKeyDown;
//   - keys in our own focusable widgets (the recordings table, the review
//     screen's video view): they call the touch hook they are given;
//   - typing in any entry: once a tick the session compares the focused
//     object and, for entries, their text and cursor with the last tick.
//
// Playback counts as activity: someone watching footage is not idle.

// idleWatch records when the user last did something. touch may be called
// from any goroutine.
type idleWatch struct {
	last atomic.Int64 // Unix nanoseconds
}

func newIdleWatch() *idleWatch {
	w := &idleWatch{}
	w.touch()
	return w
}

// touch records activity now.
func (w *idleWatch) touch() { w.last.Store(time.Now().UnixNano()) }

// idleFor says how long ago the last activity was.
func (w *idleWatch) idleFor(now time.Time) time.Duration {
	return now.Sub(time.Unix(0, w.last.Load()))
}

// activityArea shows one object and reports pointer activity over it.
type activityArea struct {
	widget.BaseWidget
	stack  *fyne.Container
	active func()
}

var (
	_ desktop.Cursorable = (*activityArea)(nil)
	_ desktop.Hoverable  = (*activityArea)(nil)
)

// newActivityArea shows o (may be nil) and calls active (from Fyne's
// goroutine) whenever the pointer moves over it.
func newActivityArea(o fyne.CanvasObject, active func()) *activityArea {
	a := &activityArea{stack: container.NewStack(), active: active}
	if o != nil {
		a.stack.Objects = []fyne.CanvasObject{o}
	}
	a.ExtendBaseWidget(a)
	return a
}

// SetContent replaces what the area shows.
func (a *activityArea) SetContent(o fyne.CanvasObject) {
	a.stack.Objects = []fyne.CanvasObject{o}
	a.stack.Refresh()
}

// Content returns what the area shows (nil when nothing).
func (a *activityArea) Content() fyne.CanvasObject {
	if len(a.stack.Objects) == 0 {
		return nil
	}
	return a.stack.Objects[0]
}

// Cursor is asked by the desktop driver on every pointer move over the
// area; the area answers the default, which any child's cursor overrides.
func (a *activityArea) Cursor() desktop.Cursor {
	a.active()
	return desktop.DefaultCursor
}

// MouseIn is part of desktop.Hoverable.
func (a *activityArea) MouseIn(*desktop.MouseEvent) { a.active() }

// MouseMoved is part of desktop.Hoverable.
func (a *activityArea) MouseMoved(*desktop.MouseEvent) { a.active() }

// MouseOut is part of desktop.Hoverable.
func (a *activityArea) MouseOut() {}

// CreateRenderer is part of fyne.Widget.
func (a *activityArea) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(a.stack)
}

// focusSig is what the idle check compares between ticks to notice typing.
type focusSig struct {
	obj       fyne.Focusable
	text      string
	row, col  int
	hasCursor bool
}

func focusSignature(c fyne.Canvas) focusSig {
	f := c.Focused()
	s := focusSig{obj: f}
	var e *widget.Entry
	switch x := f.(type) {
	case *widget.Entry:
		e = x
	case *widget.SelectEntry:
		e = &x.Entry
	}
	if e != nil {
		s.text, s.row, s.col, s.hasCursor = e.Text, e.CursorRow, e.CursorColumn, true
	}
	return s
}

// idleWords says how long the idle lock waited: "10 minutes", "1 second".
func idleWords(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour", "hours")
	case d >= time.Minute:
		return plural(int(d.Round(time.Minute)/time.Minute), "minute", "minutes")
	}
	return plural(max(1, int(d.Round(time.Second)/time.Second)), "second", "seconds")
}

// idleChoices are the idle lock times an administrator can choose.
var idleChoices = []time.Duration{5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 4 * time.Hour}

func idleChoiceNames(current time.Duration) (names []string, selected string) {
	for _, d := range idleChoices {
		names = append(names, idleWords(d))
		if d == current {
			selected = idleWords(d)
		}
	}
	if selected == "" {
		selected = idleWords(current)
		names = append(names, selected)
	}
	return names, selected
}

func parseIdleChoice(name string) (time.Duration, error) {
	for _, d := range idleChoices {
		if idleWords(d) == name {
			return d, nil
		}
	}
	return 0, fmt.Errorf("unknown idle time %q", name)
}
