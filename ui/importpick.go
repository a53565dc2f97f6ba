package ui

import (
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// importBasket is "Import files…" for several files: Fyne's file chooser
// picks one file, so each pick goes into a list the user can add to
// ("Add another file…", which opens the chooser again in the same folder)
// before importing them all at once. A folder is imported with "Import
// folder…".
type importBasket struct {
	paths []string
	list  *widget.Label
	dlg   *dialog.ConfirmDialog
}

// baskets is the open basket of each library view (UI goroutine only).
var baskets = map[*libraryView]*importBasket{}

// addToBasket puts path into the basket, showing the basket first.
func (lv *libraryView) addToBasket(path string) {
	b := baskets[lv]
	if b == nil {
		b = &importBasket{list: widget.NewLabel("")}
		baskets[lv] = b
		add := widget.NewButtonWithIcon("Add another file…", theme.ContentAddIcon(), lv.chooseImportFile)
		hint := widget.NewLabel("Add as many files as you need, then Import. A whole card or folder: File > Import folder….")
		hint.Wrapping = fyne.TextWrapWord
		content := container.NewBorder(nil, container.NewVBox(add, hint), nil, nil, container.NewVScroll(b.list))
		b.dlg = dialog.NewCustomConfirm("Files to import", "Import", "Cancel", content, func(ok bool) {
			delete(baskets, lv)
			if ok && len(b.paths) > 0 {
				lv.startImport(b.paths)
			}
		}, lv.win)
		escapeCloses(lv.win, b.dlg, nil)
		b.dlg.Resize(fyne.NewSize(620, 320))
		b.dlg.Show()
	}
	for _, p := range b.paths {
		if p == path {
			return // picked twice: once is enough
		}
	}
	b.paths = append(b.paths, path)
	names := make([]string, len(b.paths))
	for i, p := range b.paths {
		names[i] = filepath.Base(p) + "   (" + filepath.Dir(p) + ")"
	}
	b.list.SetText(plural(len(b.paths), "file", "files") + ":\n" + strings.Join(names, "\n"))
}
