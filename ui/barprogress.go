package ui

import (
	"math"
	"sync/atomic"

	"fyne.io/fyne/v2/widget"
)

// barProgress returns a progress callback for long work running off the
// UI goroutine: it keeps the newest fraction and sets bar to it through do
// (the screen's way onto the UI goroutine), with at most one update
// pending, so a fast stream of reports never floods the UI goroutine.
func barProgress(do func(func()), bar *widget.ProgressBar) func(float64) {
	var frac atomic.Uint64
	var pending atomic.Bool
	return func(f float64) {
		frac.Store(math.Float64bits(f))
		if pending.CompareAndSwap(false, true) {
			do(func() {
				pending.Store(false)
				bar.SetValue(math.Float64frombits(frac.Load()))
			})
		}
	}
}
