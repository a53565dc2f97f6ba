package ui

import (
	"errors"
	"fmt"
	"image"
)

// errNoX11 is returned where the court screen cannot be placed through
// X11: not Linux, a Wayland-native build, or no X display.
var errNoX11 = errors.New("monitor placement is not supported here (needs X11)")

// monitor is one display of the X server (a RandR 1.5 monitor or a
// Xinerama head), in root-window pixels.
type monitor struct {
	Name    string
	Rect    image.Rectangle
	Primary bool
}

// monitorLabels returns the chooser's lines: name, size and where each
// monitor is relative to the primary one (the first when none is marked
// primary), e.g. "HDMI-1 1920×1080 (right)".
func monitorLabels(ms []monitor) []string {
	ref := referenceMonitor(ms)
	labels := make([]string, len(ms))
	for i, m := range ms {
		var where string
		switch {
		case m.Primary:
			where = "primary"
		case i == ref:
			where = "first"
		default:
			where = relativePlace(m.Rect, ms[ref].Rect)
		}
		labels[i] = fmt.Sprintf("%s %d×%d (%s)", m.Name, m.Rect.Dx(), m.Rect.Dy(), where)
	}
	return labels
}

// referenceMonitor is the index of the primary monitor, else 0 (-1 for
// none).
func referenceMonitor(ms []monitor) int {
	for i, m := range ms {
		if m.Primary {
			return i
		}
	}
	if len(ms) > 0 {
		return 0
	}
	return -1
}

// relativePlace says where r lies from p: left, right, above, below, or
// "same place" (a mirror).
func relativePlace(r, p image.Rectangle) string {
	dx := (r.Min.X + r.Max.X - p.Min.X - p.Max.X) / 2
	dy := (r.Min.Y + r.Max.Y - p.Min.Y - p.Max.Y) / 2
	switch {
	case dx == 0 && dy == 0:
		return "same place"
	case iabs(dx) >= iabs(dy) && dx > 0:
		return "right"
	case iabs(dx) >= iabs(dy):
		return "left"
	case dy > 0:
		return "below"
	default:
		return "above"
	}
}

func iabs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// defaultMonitor is the chooser's first choice: the first monitor that is
// not the primary one (the court's display, with the advocate's laptop
// primary; with none marked primary, the second), else the only one; -1
// when there is none.
func defaultMonitor(ms []monitor) int {
	ref := referenceMonitor(ms)
	for i := range ms {
		if i != ref {
			return i
		}
	}
	return ref
}

// centredOn returns the top-left that centres a w x h window on r.
func centredOn(r image.Rectangle, w, h int) image.Point {
	return image.Pt(r.Min.X+(r.Dx()-w)/2, r.Min.Y+(r.Dy()-h)/2)
}
