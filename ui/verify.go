package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

type verifyStep struct {
	id   string
	i, n int
}

// verifyAll re-checks every stored master in the background with a
// progress panel, then reports which, if any, failed.
func (lv *libraryView) verifyAll() {
	ctx, cancel := context.WithCancel(lv.ctx)
	p := newProgressPanel("Verifying the store", lv.win, false, cancel)
	p.heading.SetText("Each stored copy is decrypted, hashed and decoded again.")
	p.overall.SetText("Waiting…")
	p.dlg.Show()
	lv.goBackground(func() {
		defer cancel()
		if !lv.acquireJob(ctx) {
			lv.do(func() { p.dlg.Hide() })
			return
		}
		defer lv.releaseJob()
		c := newCoalescer(progressEvery, lv.do, func(s verifyStep) {
			p.overall.SetText(fmt.Sprintf("Recording %d of %d: %s", s.i+1, s.n, s.id))
			p.allBar.SetValue(float64(s.i) / float64(max(s.n, 1)))
		})
		results, err := lv.lib.Verify(ctx, nil, func(id string, i, n int) { c.set(verifyStep{id, i, n}) })
		c.stop()
		cancelled := ctx.Err() != nil
		if err != nil && !cancelled {
			lv.log.Error("verify", "error", err)
		}
		lv.do(func() {
			p.dlg.Hide()
			lv.showVerifyResults(results, err, cancelled)
		})
	})
}

// verifyReport builds the verify results: a headline and the failures.
func verifyReport(results []app.VerifyResult, err error, cancelled bool) (title string, content fyne.CanvasObject) {
	failed := 0
	for _, r := range results {
		if !r.OK {
			failed++
		}
	}
	var lines []fyne.CanvasObject
	add := func(text string, imp widget.Importance, bold bool) {
		l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: bold})
		l.Wrapping = fyne.TextWrapWord
		l.Importance = imp
		lines = append(lines, l)
	}
	title = "Verify finished"
	switch {
	case cancelled:
		title = "Verify cancelled"
		add(fmt.Sprintf("Cancelled after %s.", plural(len(results), "recording", "recordings")), widget.MediumImportance, false)
	case err != nil:
		title = "Verify stopped"
		add(app.UserMessage(err), widget.DangerImportance, false)
	case len(results) == 0:
		add("There are no recordings to verify.", widget.MediumImportance, false)
	case failed == 0:
		head := fmt.Sprintf("All %d recordings are intact.", len(results))
		if len(results) == 1 {
			head = "The recording is intact."
		}
		add(head, widget.SuccessImportance, true)
		add("Each stored copy matches the SHA-256 taken when it was imported and decodes to the same number of frames.", widget.MediumImportance, false)
	}
	if failed > 0 {
		title = "Verify found problems"
		add(fmt.Sprintf("%d of %s FAILED verification. Do not rely on them; tell your administrator.",
			failed, plural(len(results), "recording", "recordings")), widget.DangerImportance, true)
		for _, r := range results {
			if !r.OK {
				add(r.ID+": "+r.Error, widget.DangerImportance, false)
			}
		}
		if ok := len(results) - failed; ok > 0 {
			add(fmt.Sprintf("The other %d verified intact.", ok), widget.MediumImportance, false)
		}
	}
	return title, container.NewVScroll(container.NewVBox(lines...))
}

func (lv *libraryView) showVerifyResults(results []app.VerifyResult, err error, cancelled bool) {
	title, content := verifyReport(results, err, cancelled)
	d := dialog.NewCustom(title, "Close", content, lv.win)
	d.Resize(fyne.NewSize(640, 320))
	d.Show()
}
