package ui

import (
	"context"
	"fmt"
	"strings"

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
// progress panel, then reports which, if any, failed. Restricted
// recordings are checked too; a role that may not see them gets counts
// and references only.
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
			p.overall.SetText(fmt.Sprintf("Recording %d of %d: %s", s.i+1, s.n, orWords(s.id, "a restricted recording")))
			p.allBar.SetValue(float64(s.i) / float64(max(s.n, 1)))
		})
		rep, err := lv.lib.Verify(ctx, nil, func(id string, i, n int) { c.set(verifyStep{id, i, n}) })
		c.stop()
		cancelled := ctx.Err() != nil
		if err != nil && !cancelled {
			lv.log.Error("verify", "error", err)
		}
		lv.do(func() {
			p.dlg.Hide()
			lv.showVerifyResults(rep, err, cancelled)
		})
	})
}

// orWords is s, or words when s is empty.
func orWords(s, words string) string {
	if s == "" {
		return words
	}
	return s
}

// verifyReport builds the verify results: a headline and the failures.
// Restricted recordings the user may not see are counted, and their
// failures named by reference only.
func verifyReport(rep *app.VerifyReport, err error, cancelled bool) (title string, content fyne.CanvasObject) {
	if rep == nil {
		rep = &app.VerifyReport{}
	}
	checked, failed := rep.Checked(), rep.Failed()
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
		add(fmt.Sprintf("Cancelled after %s.", plural(checked, "recording", "recordings")), widget.MediumImportance, false)
	case err != nil:
		title = "Verify stopped"
		add(app.UserMessage(err), widget.DangerImportance, false)
	case checked == 0:
		add("There are no recordings to verify.", widget.MediumImportance, false)
	case failed == 0:
		head := fmt.Sprintf("All %d recordings are intact.", checked)
		if checked == 1 {
			head = "The recording is intact."
		}
		add(head, widget.SuccessImportance, true)
		add("Each stored copy matches the SHA-256 taken when it was imported and decodes to the same number of frames.", widget.MediumImportance, false)
	}
	if failed > 0 {
		title = "Verify found problems"
		add(fmt.Sprintf("%d of %s FAILED verification. Do not rely on them; tell your administrator.",
			failed, plural(checked, "recording", "recordings")), widget.DangerImportance, true)
		for _, r := range rep.Results {
			if !r.OK {
				add(r.ID+": "+r.Error, widget.DangerImportance, false)
			}
		}
		for _, ref := range rep.Restricted.References {
			add("A restricted recording, reference "+ref+": give this reference to professional standards, who can identify it.",
				widget.DangerImportance, false)
		}
		if ok := checked - failed; ok > 0 {
			add(fmt.Sprintf("The other %d verified intact.", ok), widget.MediumImportance, false)
		}
	}
	if s := rep.Restricted.Summary(); s != "" && !cancelled && err == nil {
		add("Restricted recordings (you may not see them): "+strings.SplitN(s, " (", 2)[0]+".", widget.MediumImportance, false)
	}
	return title, container.NewVScroll(container.NewVBox(lines...))
}

func (lv *libraryView) showVerifyResults(rep *app.VerifyReport, err error, cancelled bool) {
	title, content := verifyReport(rep, err, cancelled)
	d := dialog.NewCustom(title, "Close", content, lv.win)
	escapeCloses(lv.win, d, nil)
	d.Resize(fyne.NewSize(640, 320))
	d.Show()
}

// askVerifyReference lets professional standards find the recording
// behind a verify reference that someone who may not see restricted
// recordings was given.
func (lv *libraryView) askVerifyReference() {
	entry := widget.NewEntry()
	entry.SetPlaceHolder("VR-7KQ2-M9XD")
	msg := widget.NewLabel("")
	msg.Wrapping = fyne.TextWrapWord
	msg.Importance = widget.DangerImportance
	msg.Hide()
	var d *dialog.CustomDialog
	findBtn := widget.NewButton("Find", nil)
	findBtn.Importance = widget.HighImportance
	find := func() {
		ref := strings.TrimSpace(entry.Text)
		if ref == "" {
			return
		}
		findBtn.Disable()
		lv.goBackground(func() {
			r, err := lv.lib.ResolveVerifyReference(lv.ctx, ref)
			if lv.ctx.Err() != nil {
				return
			}
			lv.do(func() {
				findBtn.Enable()
				if err != nil {
					msg.SetText(app.UserMessage(err))
					msg.Show()
					return
				}
				d.Hide()
				lv.showVerifyReference(r)
			})
		})
	}
	findBtn.OnTapped = find
	entry.OnSubmitted = func(string) { find() }
	content := container.NewVBox(widget.NewLabel("Reference from a verify report:"), entry, msg)
	d = dialog.NewCustomWithoutButtons("Find a verify reference", content, lv.win)
	d.SetButtons([]fyne.CanvasObject{widget.NewButton("Cancel", d.Hide), findBtn})
	d.Resize(fyne.NewSize(460, 200))
	lv.refDialog = &verifyRefDialog{dlg: d, entry: entry, msg: msg, find: findBtn}
	d.Show()
	lv.win.Canvas().Focus(entry)
}

// verifyRefDialog is the open "Find a verify reference" dialog (for tests).
type verifyRefDialog struct {
	dlg   *dialog.CustomDialog
	entry *widget.Entry
	msg   *widget.Label
	find  *widget.Button
}

// verifyReferenceText says what a verify reference stands for.
func verifyReferenceText(r *app.VerifyReference) string {
	return fmt.Sprintf("Reference %s is recording %s (SHA-256 %s). It failed the verify run by %s on %s: %s",
		r.Reference, r.RecordingID, r.SHA256, r.By, formatWhen(r.At), r.Error)
}

// showVerifyReference shows the recording a reference stands for and
// offers to find it in the library.
func (lv *libraryView) showVerifyReference(r *app.VerifyReference) {
	l := widget.NewLabel(verifyReferenceText(r))
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("Verify reference", "Show in library", "Close", l, func(show bool) {
		if show {
			lv.search.SetText(r.RecordingID)
		}
	}, lv.win)
	d.Resize(fyne.NewSize(560, 240))
	d.Show()
}
