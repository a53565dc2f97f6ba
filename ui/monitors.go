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
// monitor is relative to the primary one, e.g. "HDMI-1 1920×1080 (right)".
func monitorLabels(ms []monitor) []string {
	var primary image.Rectangle
	for _, m := range ms {
		if m.Primary {
			primary = m.Rect
		}
	}
	if primary.Empty() && len(ms) > 0 {
		primary = ms[0].Rect
	}
	labels := make([]string, len(ms))
	for i, m := range ms {
		where := "primary"
		if !m.Primary {
			where = relativePlace(m.Rect, primary)
		}
		labels[i] = fmt.Sprintf("%s %d×%d (%s)", m.Name, m.Rect.Dx(), m.Rect.Dy(), where)
	}
	return labels
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
// primary), else the first; -1 when there is none.
func defaultMonitor(ms []monitor) int {
	for i, m := range ms {
		if !m.Primary {
			return i
		}
	}
	if len(ms) > 0 {
		return 0
	}
	return -1
}

// centredOn returns the top-left that centres a w x h window on r.
func centredOn(r image.Rectangle, w, h int) image.Point {
	return image.Pt(r.Min.X+(r.Dx()-w)/2, r.Min.Y+(r.Dy()-h)/2)
}
