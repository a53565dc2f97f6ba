package ui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// progressEvery is how often progress reaches the screen: often enough to
// look live, rarely enough not to flood the UI goroutine.
const progressEvery = 100 * time.Millisecond

// coalescer passes on only the latest of a stream of values, at most once
// per period, on the UI goroutine. set may be called from any goroutine.
type coalescer[T any] struct {
	apply func(T)
	do    func(func())

	mu    sync.Mutex
	v     T
	dirty bool

	stopOnce sync.Once
	stopCh   chan struct{}
	done     chan struct{}
}

func newCoalescer[T any](every time.Duration, do func(func()), apply func(T)) *coalescer[T] {
	c := &coalescer[T]{apply: apply, do: do, stopCh: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-c.stopCh:
				return
			case <-t.C:
				c.flush()
			}
		}
	}()
	return c
}

func (c *coalescer[T]) set(v T) {
	c.mu.Lock()
	c.v, c.dirty = v, true
	c.mu.Unlock()
}

func (c *coalescer[T]) flush() {
	c.mu.Lock()
	v, dirty := c.v, c.dirty
	c.dirty = false
	c.mu.Unlock()
	if dirty {
		c.do(func() { c.apply(v) })
	}
}

// stop ends the ticker and passes on the last value not yet shown.
func (c *coalescer[T]) stop() {
	c.stopOnce.Do(func() {
		close(c.stopCh)
		<-c.done
		c.flush()
	})
}

// acquireJob waits for the one import-or-verify slot; false when ctx ends
// first. Imports and verifies run one at a time so that a dock import and
// a manual one do not compete for the disk.
func (lv *libraryView) acquireJob(ctx context.Context) bool {
	select {
	case lv.jobs <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (lv *libraryView) releaseJob() { <-lv.jobs }

// videoFilter is the file chooser's filter: the names ingest expects.
func videoFilter() storage.FileFilter {
	return storage.NewExtensionFileFilter(app.VideoExtensions())
}

// startLocation is the folder a chooser opens in: the last one used.
func (lv *libraryView) startLocation(key string) fyne.ListableURI {
	if lv.prefs == nil {
		return nil
	}
	dir := lv.prefs.String(key)
	if dir == "" {
		return nil
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return nil
	}
	l, err := storage.ListerForURI(storage.NewFileURI(dir))
	if err != nil {
		return nil
	}
	return l
}

func (lv *libraryView) rememberDir(key, dir string) {
	if lv.prefs != nil {
		lv.prefs.SetString(key, dir)
	}
}

func (lv *libraryView) dialogSize() fyne.Size {
	s := lv.win.Canvas().Size()
	return fyne.NewSize(max(640, s.Width*0.8), max(480, s.Height*0.8))
}

// chooseImportFile asks for a video file and puts it in the list of
// files to import (importBasket), where more can be added.
func (lv *libraryView) chooseImportFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			lv.showError("Could not open the file chooser", err)
			return
		}
		if r == nil {
			return // cancelled
		}
		path := r.URI().Path()
		_ = r.Close() // the chooser's reader: only its path is used
		lv.rememberDir(prefImportDir, filepath.Dir(path))
		lv.addToBasket(path) // several files: see importBasket
	}, lv.win)
	d.SetFilter(videoFilter())
	d.SetConfirmText("Import")
	d.SetTitleText("Import a video file")
	escapeCloses(lv.win, d, nil)
	if l := lv.startLocation(prefImportDir); l != nil {
		d.SetLocation(l)
	}
	d.Resize(lv.dialogSize())
	d.Show()
}

// chooseImportFolder asks for a folder and imports the videos in it and
// its subfolders.
func (lv *libraryView) chooseImportFolder() {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil {
			lv.showError("Could not open the folder chooser", err)
			return
		}
		if u == nil {
			return
		}
		lv.rememberDir(prefImportDir, u.Path())
		lv.startImport([]string{u.Path()})
	}, lv.win)
	d.SetConfirmText("Import this folder")
	d.SetTitleText("Import every video in a folder")
	escapeCloses(lv.win, d, nil)
	if l := lv.startLocation(prefImportDir); l != nil {
		d.SetLocation(l)
	}
	d.Resize(lv.dialogSize())
	d.Show()
}

// dropped imports files and folders dropped onto the window.
func (lv *libraryView) dropped(_ fyne.Position, uris []fyne.URI) {
	if !lv.canIngest {
		lv.flash("Your role may not import footage.")
		return
	}
	var paths []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	if len(paths) > 0 {
		lv.startImport(paths)
	}
}

// stageWords says what an ingest stage is doing.
func stageWords(stage string) string {
	switch stage {
	case "probe":
		return "Reading the file"
	case "frames":
		return "Reading the frame index"
	case "encrypt":
		return "Copying into the encrypted store and indexing frames"
	case "verify":
		return "Checking the stored copy against the original"
	case "done":
		return "Done"
	case "":
		return "Starting"
	}
	return stage
}

// progressPanel is the modal shown while an import or verify runs.
type progressPanel struct {
	dlg       *dialog.CustomDialog
	heading   *widget.Label
	file      *widget.Label
	stage     *widget.Label
	fileBar   *widget.ProgressBar
	overall   *widget.Label
	allBar    *widget.ProgressBar
	cancelBtn *widget.Button
}

func newProgressPanel(title string, win fyne.Window, withFileBar bool, cancel func()) *progressPanel {
	p := &progressPanel{
		heading: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		file:    widget.NewLabel(""),
		stage:   widget.NewLabel(""),
		fileBar: widget.NewProgressBar(),
		overall: widget.NewLabel(""),
		allBar:  widget.NewProgressBar(),
	}
	p.file.Truncation = fyne.TextTruncateEllipsis
	p.cancelBtn = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() {
		p.cancelBtn.Disable()
		p.cancelBtn.SetText("Cancelling…")
		cancel()
	})
	body := container.NewVBox(p.heading, p.file)
	if withFileBar {
		body.Add(p.stage)
		body.Add(p.fileBar)
	}
	body.Add(p.overall)
	body.Add(p.allBar)
	body.Add(container.NewCenter(p.cancelBtn))
	p.dlg = dialog.NewCustomWithoutButtons(title, container.NewGridWrap(fyne.NewSize(560, body.MinSize().Height), body), win)
	return p
}

func (p *progressPanel) showIngest(pr app.IngestProgress) {
	if pr.Running > 1 {
		p.heading.SetText(fmt.Sprintf("File %d of %d (%d at once)", pr.FileIndex+1, pr.FileCount, pr.Running))
	} else {
		p.heading.SetText(fmt.Sprintf("File %d of %d", pr.FileIndex+1, pr.FileCount))
	}
	p.file.SetText(filepath.Base(pr.File))
	p.stage.SetText(stageWords(pr.Stage))
	p.fileBar.SetValue(pr.File01)
	p.overall.SetText(fmt.Sprintf("All files: %.0f%%", 100*pr.Overall01))
	p.allBar.SetValue(pr.Overall01)
}

// startImport imports paths in the background with a progress panel, then
// shows what happened and refreshes the library.
func (lv *libraryView) startImport(paths []string) {
	if !lv.canIngest {
		return
	}
	ctx, cancel := context.WithCancel(lv.ctx)
	p := newProgressPanel("Importing footage", lv.win, true, cancel)
	p.heading.SetText("Looking for video files…")
	p.file.SetText(strings.Join(baseNames(paths), ", "))
	p.overall.SetText("All files")
	p.dlg.Show()
	lv.goBackground(func() {
		defer cancel()
		if !lv.acquireJob(ctx) {
			lv.do(func() { p.dlg.Hide() })
			return
		}
		defer lv.releaseJob()
		c := newCoalescer(progressEvery, lv.do, p.showIngest)
		results, err := lv.lib.Ingest(ctx, paths, app.IngestOptions{Progress: c.set})
		c.stop()
		cancelled := ctx.Err() != nil
		if err != nil && !cancelled {
			lv.log.Error("import", "paths", len(paths), "error", err)
		}
		lv.do(func() {
			p.dlg.Hide()
			lv.reload()
			lv.showImportResults(results, err, cancelled)
		})
	})
}

func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

// importSummary counts results: "3 imported · 1 already in the store · 2 rejected".
func importSummary(results []app.IngestResult) (imported, duplicate, rejected int, line string) {
	for _, r := range results {
		switch r.Status {
		case app.Imported:
			imported++
		case app.Duplicate:
			duplicate++
		case app.Rejected:
			rejected++
		}
	}
	line = fmt.Sprintf("%d imported · %d already in the store · %d rejected", imported, duplicate, rejected)
	return imported, duplicate, rejected, line
}

// importReport builds the results content: the counts, then each rejected
// file with its reason and each duplicate with the recording it matches.
func importReport(results []app.IngestResult, err error, cancelled bool) (title string, content fyne.CanvasObject) {
	_, _, rejected, line := importSummary(results)
	title = "Import finished"
	var head []fyne.CanvasObject
	switch {
	case cancelled:
		title = "Import cancelled"
		head = append(head, widget.NewLabel("The import was cancelled. Files finished before that are in the store; nothing half-imported was kept."))
	case err != nil:
		title = "Import stopped"
		msg := widget.NewLabel(app.UserMessage(err))
		msg.Importance = widget.DangerImportance
		msg.Wrapping = fyne.TextWrapWord
		head = append(head, msg)
	case len(results) == 0:
		head = append(head, widget.NewLabel("No video files were found there."))
	}
	for _, o := range head {
		o.(*widget.Label).Wrapping = fyne.TextWrapWord
	}
	summary := widget.NewLabelWithStyle(line, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	items := container.NewVBox()
	section := func(heading string, status string, imp widget.Importance) {
		// One line per file: its name, then why (wrapped when long).
		form := container.New(layout.NewFormLayout())
		for _, r := range results {
			if r.Status != status {
				continue
			}
			name := widget.NewLabelWithStyle(filepath.Base(r.File), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			why := widget.NewLabel(orDash(r.Error))
			why.Wrapping = fyne.TextWrapWord
			why.Importance = imp
			form.Add(name)
			form.Add(why)
		}
		if len(form.Objects) == 0 {
			return
		}
		items.Add(widget.NewLabelWithStyle(heading, fyne.TextAlignLeading, fyne.TextStyle{Bold: true, Italic: true}))
		items.Add(form)
	}
	section("Rejected — not imported", app.Rejected, widget.DangerImportance)
	section("Already in the store", app.Duplicate, widget.MediumImportance)
	var imported []string
	for _, r := range results {
		if r.Status == app.Imported {
			imported = append(imported, fmt.Sprintf("%s  →  %s", filepath.Base(r.File), r.ID))
		}
	}
	if len(imported) > 0 {
		items.Add(widget.NewLabelWithStyle("Imported", fyne.TextAlignLeading, fyne.TextStyle{Bold: true, Italic: true}))
		l := widget.NewLabel(strings.Join(imported, "\n"))
		items.Add(l)
	}
	top := container.NewVBox(append(head, summary)...)
	if rejected == 0 && len(items.Objects) == 0 {
		return title, top
	}
	return title, container.NewBorder(top, nil, nil, nil, container.NewVScroll(items))
}

func (lv *libraryView) showImportResults(results []app.IngestResult, err error, cancelled bool) {
	title, content := importReport(results, err, cancelled)
	d := dialog.NewCustom(title, "Close", content, lv.win)
	escapeCloses(lv.win, d, nil)
	size := fyne.NewSize(560, 240)
	if len(results) > 0 {
		size = fyne.NewSize(760, 520) // room for the list of files
	}
	d.Resize(size)
	d.Show()
}

// showError shows a sentence for err in a dialog; the detail goes to the log.
func (lv *libraryView) showError(title string, err error) {
	lv.log.Error(strings.ToLower(title), "error", err)
	showSentence(title, sentence(err), lv.win)
}

// showSentence shows a message in words, wrapped to a readable width.
func showSentence(title, msg string, win fyne.Window) {
	l := widget.NewLabel(msg)
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(title, "Close", l, win)
	escapeCloses(win, d, nil)
	d.Resize(fyne.NewSize(520, 220))
	d.Show()
}

// sentence is app.UserMessage with the file-system cases a chooser or a
// watcher meets put in words.
func sentence(err error) string {
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist) && errors.As(err, &pe):
		return pe.Path + " does not exist (any more)."
	case errors.Is(err, fs.ErrNotExist):
		return "That file or folder does not exist (any more)."
	}
	return app.UserMessage(err)
}
