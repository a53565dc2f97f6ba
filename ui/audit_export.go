package ui

import (
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// prefAuditExportDir remembers the folder of the last audit export.
const prefAuditExportDir = "audit.exportDir"

// exportName is the file name an audit export suggests:
// "exhibit-audit-REC-20261126-1517.csv".
func (v *auditView) exportName(format app.AuditFormat, now time.Time) string {
	name := "exhibit-audit"
	if v.recID != "" {
		name += "-" + v.recID
	}
	return name + "-" + now.UTC().Format("20060102-1504") + "." + string(format)
}

// chooseExport asks where to save the shown entries, then exports them.
func (v *auditView) chooseExport(format app.AuditFormat) {
	if v.win == nil || len(v.entries) == 0 {
		v.exportSaid("There are no entries to export.", true)
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			v.exportSaid("Could not choose the file: "+app.UserMessage(err), true)
			return
		}
		if w == nil {
			return // cancelled
		}
		path := w.URI().Path()
		// The export writes the file itself, crash-safe; the chooser's
		// empty file is replaced.
		if err := w.Close(); err != nil {
			v.log.Warn("audit export: close the chosen file", "error", err)
		}
		if a := fyne.CurrentApp(); a != nil {
			a.Preferences().SetString(prefAuditExportDir, filepath.Dir(path))
		}
		v.exportTo(format, path)
	}, v.win)
	d.SetFileName(v.exportName(format, time.Now()))
	d.SetFilter(storage.NewExtensionFileFilter([]string{"." + string(format)}))
	if a := fyne.CurrentApp(); a != nil {
		if dir := a.Preferences().String(prefAuditExportDir); dir != "" {
			if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
				d.SetLocation(l)
			}
		}
	}
	d.Show()
}

// exportTo writes the entries the filters show to path, off the UI
// goroutine, and says how it went.
func (v *auditView) exportTo(format app.AuditFormat, path string) {
	if !strings.HasSuffix(strings.ToLower(path), "."+string(format)) {
		path += "." + string(format)
	}
	f := v.filter()
	v.exporting = true
	v.csvBtn.Disable()
	v.pdfBtn.Disable()
	v.exportSaid("Exporting…", false)
	go func() {
		n, err := v.api.ExportAudit(v.ctx, f, format, path)
		if v.ctx.Err() != nil {
			return
		}
		v.do(func() {
			v.exporting = false
			v.csvBtn.Enable()
			v.pdfBtn.Enable()
			if err != nil {
				v.log.Error("audit export", "error", err)
				v.exportSaid("The audit entries were not exported: "+app.UserMessage(err), true)
				return
			}
			v.exportSaid(plural(n, "entry", "entries")+" exported to "+path+" (times in UTC). The export is recorded in the audit trail.", false)
			v.reload() // the export is itself an entry
		})
	}()
}

// exportSaid shows how an export went.
func (v *auditView) exportSaid(msg string, isErr bool) {
	v.exportMsg.Importance = widget.SuccessImportance
	if isErr {
		v.exportMsg.Importance = widget.DangerImportance
	}
	v.exportMsg.SetText(msg)
	v.exportMsg.Show()
}
