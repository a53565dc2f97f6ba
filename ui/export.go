package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// exportAPI is what Export… needs from the application core;
// *app.Library provides it.
type exportAPI interface {
	Can(p app.Permission) bool
	Export(ctx context.Context, req app.ExportRequest, progress func(float64)) (*app.ExportResult, error)
}

var _ exportAPI = (*app.Library)(nil)

// exportFlow is the GUI's Export…: a dialog asking the case reference,
// the output folder and the options, then a progress bar with Cancel
// while app.Library.Export runs off the UI goroutine, then the result.
// A cancelled or failed export leaves no folder (Export's own guarantee).
type exportFlow struct {
	win   fyne.Window
	lib   exportAPI
	specs []string // what to export: "ID", "ID:N-M" or an annotation id
	what  string   // a sentence naming it, for the dialog
	// parent is the context the export runs under (closing the screen
	// cancels it); run starts a goroutine the screen waits for on close.
	parent context.Context
	run    func(func())
	// do runs a function on the UI goroutine (fyne.Do if nil).
	do func(func())
	// done, if set, gets the outcome sentence (on the UI goroutine).
	done func(msg string, failed bool)
	// shown, if set, shows each of the flow's dialogs (the review screen
	// turns its keys off); hidden is then called when one closes.
	shown  func(d dialog.Dialog)
	hidden func()

	caseRef  *widget.Entry
	folder   *widget.Entry
	masters  *widget.Check
	lossless *widget.Check
	stills   *widget.Check
	zip      *widget.Check
	problem  *widget.Label
	form     *dialog.CustomDialog
	progress *dialog.CustomDialog
	bar      *widget.ProgressBar
	cancel   context.CancelFunc
	result   *dialog.CustomDialog
}

// show opens the export dialog (nothing for roles without the export
// permission).
func (f *exportFlow) show() {
	if f.lib == nil || !f.lib.Can(app.PermExport) || len(f.specs) == 0 {
		return
	}
	if f.parent == nil {
		f.parent = context.Background()
	}
	if f.run == nil {
		f.run = func(fn func()) { go fn() }
	}
	if f.do == nil {
		f.do = fyne.Do
	}
	text := widget.NewLabel(f.what)
	text.Wrapping = fyne.TextWrapWord
	f.caseRef = widget.NewEntry()
	f.caseRef.SetPlaceHolder("e.g. OP/2026/17")
	f.folder = widget.NewEntry()
	f.folder.SetPlaceHolder("a new folder for the bundle")
	browse := widget.NewButton("Choose…", f.chooseParent)
	f.masters = widget.NewCheck("Masters: the camera files, bit-identical", nil)
	f.lossless = widget.NewCheck("Lossless clip beside each court clip", nil)
	f.stills = widget.NewCheck("A still at each marker", nil)
	f.stills.SetChecked(true)
	f.zip = widget.NewCheck("Also write a .zip of the folder", nil)
	f.problem = widget.NewLabel("")
	f.problem.Importance = widget.DangerImportance
	f.problem.Wrapping = fyne.TextWrapWord
	f.problem.Hide()
	form := widget.NewForm(
		widget.NewFormItem("Case reference", f.caseRef),
		widget.NewFormItem("Bundle folder", container.NewBorder(nil, nil, nil, browse, f.folder)),
	)
	exportBtn := widget.NewButton("Export", f.submit)
	exportBtn.Importance = widget.HighImportance
	cancelBtn := widget.NewButton("Cancel", func() { f.form.Hide() })
	body := container.NewVBox(text, form, f.masters, f.lossless, f.stills, f.zip, f.problem)
	f.form = dialog.NewCustomWithoutButtons("Export evidence bundle", body, f.win)
	f.form.SetButtons([]fyne.CanvasObject{cancelBtn, exportBtn})
	f.form.Resize(fyne.NewSize(560, 420))
	f.present(f.form, nil)
	f.win.Canvas().Focus(f.caseRef)
}

// chooseParent picks the folder the bundle folder is made in; the bundle
// folder is named after the case reference.
func (f *exportFlow) chooseParent() {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		name := strings.NewReplacer("/", "-", "\\", "-").Replace(strings.TrimSpace(f.caseRef.Text))
		if name == "" {
			name = "bundle"
		}
		f.folder.SetText(filepath.Join(u.Path(), name))
	}, f.win)
	d.Resize(fyne.NewSize(700, 480))
	d.Show()
}

// validate returns a sentence saying what is wrong with the form, or "".
func (f *exportFlow) validate() string {
	ref := strings.TrimSpace(f.caseRef.Text)
	if ref == "" {
		return "Enter the case reference."
	}
	if err := app.CheckCaseRef(ref); err != nil {
		return "The case reference may hold only letters, digits and / - _ . (at most 64)."
	}
	out := strings.TrimSpace(f.folder.Text)
	if out == "" {
		return "Choose the folder to write the bundle to."
	}
	if !filepath.IsAbs(out) {
		return "The bundle folder must be a full path (use Choose…)."
	}
	if _, err := os.Stat(out); err == nil {
		return "That folder already exists; choose a new one."
	}
	if st, err := os.Stat(filepath.Dir(out)); err != nil || !st.IsDir() {
		return "The folder to put the bundle in does not exist."
	}
	return ""
}

// submit validates the form and starts the export.
func (f *exportFlow) submit() {
	if msg := f.validate(); msg != "" {
		f.problem.SetText(msg)
		f.problem.Show()
		return
	}
	req := app.ExportRequest{CaseRef: strings.TrimSpace(f.caseRef.Text), Out: filepath.Clean(strings.TrimSpace(f.folder.Text)),
		Specs: f.specs, Masters: f.masters.Checked, Lossless: f.lossless.Checked, Stills: f.stills.Checked, Zip: f.zip.Checked}
	f.form.Hide()
	f.start(req)
}

// start runs the export with a progress bar and Cancel.
func (f *exportFlow) start(req app.ExportRequest) {
	ctx, cancel := context.WithCancel(f.parent)
	f.cancel = cancel
	f.bar = widget.NewProgressBar()
	label := widget.NewLabel(fmt.Sprintf("Writing the bundle for case %s…", req.CaseRef))
	stop := widget.NewButton("Cancel", func() { f.progress.Hide() })
	f.progress = dialog.NewCustomWithoutButtons("Export", container.NewVBox(label, f.bar, container.NewCenter(stop)), f.win)
	f.progress.Resize(fyne.NewSize(440, 160))
	f.present(f.progress, cancel) // cancel is a no-op once the export is done

	progress := barProgress(f.do, f.bar)
	f.run(func() {
		res, err := f.lib.Export(ctx, req, progress)
		cancelled := ctx.Err() != nil && errors.Is(err, context.Canceled)
		f.do(func() {
			f.progress.Hide()
			switch {
			case err == nil:
				f.showResult(res, req)
			case cancelled:
				f.finish("The export was cancelled; no folder was left behind.", false)
			default:
				f.finish("The export failed: "+app.UserMessage(err)+" No folder was left behind.", true)
				dialog.ShowInformation("Export failed", "The export failed: "+app.UserMessage(err), f.win)
			}
		})
	})
}

// showResult says where the bundle is and offers its path.
func (f *exportFlow) showResult(res *app.ExportResult, req app.ExportRequest) {
	msg := fmt.Sprintf("Bundle for case %s written to %s (%d files, manifest SHA-256 %s…).", req.CaseRef, res.Dir, res.Items, res.ManifestSHA256[:16])
	if req.Zip {
		msg += " A .zip of it is beside it."
	}
	path := widget.NewEntry()
	path.SetText(res.Dir)
	text := widget.NewLabel(msg)
	text.Wrapping = fyne.TextWrapWord
	copyBtn := widget.NewButton("Copy path", func() { fyne.CurrentApp().Clipboard().SetContent(res.Dir) })
	closeBtn := widget.NewButton("Close", func() { f.result.Hide() })
	f.result = dialog.NewCustomWithoutButtons("Export done", container.NewVBox(text, path), f.win)
	f.result.SetButtons([]fyne.CanvasObject{copyBtn, closeBtn})
	f.result.Resize(fyne.NewSize(560, 220))
	f.present(f.result, nil)
	f.finish(msg, false)
}

// present shows d through shown (or plainly) and reports its closing.
func (f *exportFlow) present(d *dialog.CustomDialog, onClosed func()) {
	d.SetOnClosed(func() {
		if onClosed != nil {
			onClosed()
		}
		if f.hidden != nil {
			f.hidden()
		}
	})
	if f.shown != nil {
		f.shown(d)
		return
	}
	d.Show()
}

func (f *exportFlow) finish(msg string, failed bool) {
	if f.done != nil {
		f.done(msg, failed)
	}
}

// exportSelected opens Export… for the library's selected recording.
func (lv *libraryView) exportSelected() {
	ex, ok := lv.lib.(exportAPI)
	if !ok {
		return
	}
	if lv.selected == "" {
		lv.flash("Select a recording to export.")
		return
	}
	f := &exportFlow{win: lv.win, lib: ex, specs: []string{lv.selected}, parent: lv.ctx, run: lv.goBackground, do: lv.do,
		what: fmt.Sprintf("Export recording %s: its court clip, frame hashes, report and audit proofs.", lv.selected),
		done: func(msg string, failed bool) { lv.flash(msg) }}
	f.show()
}

// exportMark opens Export… for the selected marker: its I–O range (or
// its one frame) of this recording.
func (s *reviewScreen) exportMark() {
	p := s.side
	if p == nil || p.selected == nil || s.modal || s.lib == nil || !s.lib.Can(app.PermExport) {
		return
	}
	ex, ok := s.lib.(exportAPI)
	if !ok {
		return
	}
	a := p.selected
	f := &exportFlow{win: s.win, lib: ex, specs: []string{a.ID}, parent: s.ctx, do: s.do,
		what: fmt.Sprintf("Export %s of recording %s: its court clip, frame hashes, report and audit proofs.", markFrames(a, s.frames), s.id),
		run: func(fn func()) {
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				fn()
			}()
		},
		shown:  s.showModal,
		hidden: func() { s.endModal(); s.refocus() },
		done: func(msg string, failed bool) {
			if !s.closed {
				s.markMessage(msg, failed)
			}
		}}
	f.show()
}
