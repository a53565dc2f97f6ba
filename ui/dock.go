package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// pathQueue collects settled files from the watcher for the dock worker.
// push never blocks: the watcher must keep reading events.
type pathQueue struct {
	mu     sync.Mutex
	paths  []string
	signal chan struct{}
}

func newPathQueue() *pathQueue { return &pathQueue{signal: make(chan struct{}, 1)} }

func (q *pathQueue) push(paths []string) {
	q.mu.Lock()
	for _, p := range paths {
		if !slices.Contains(q.paths, p) {
			q.paths = append(q.paths, p)
		}
	}
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *pathQueue) take() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	p := q.paths
	q.paths = nil
	return p
}

// dockState is the dock folder watcher and its status bar.
type dockState struct {
	lv      *libraryView
	watcher *dockWatcher
	cancel  context.CancelFunc // ends the dock worker and its import
	done    chan struct{}      // closed when the dock worker has ended

	icon      *widget.Icon
	label     *widget.Label
	stopBtn   *widget.Button
	activity  *widget.Label
	progress  *widget.ProgressBar
	details   *widget.Button
	noteLabel *widget.Label
	noteTimer *time.Timer
	last      []app.IngestResult
	lastErr   error
}

func (d *dockState) build(lv *libraryView) fyne.CanvasObject {
	d.lv = lv
	d.icon = widget.NewIcon(theme.VisibilityOffIcon())
	d.label = widget.NewLabel("Not watching a dock folder.")
	d.stopBtn = widget.NewButtonWithIcon("Stop watching", theme.MediaStopIcon(), func() { d.lv.stopWatching(true) })
	d.stopBtn.Importance = widget.LowImportance
	d.stopBtn.Hide()
	d.activity = widget.NewLabel("")
	d.progress = widget.NewProgressBar()
	d.progress.Hide()
	d.details = widget.NewButton("Details…", func() { d.lv.showImportResults(d.last, d.lastErr, false) })
	d.details.Importance = widget.LowImportance
	d.details.Hide()
	d.noteLabel = widget.NewLabel("")
	d.noteLabel.Importance = widget.SuccessImportance
	d.noteLabel.Truncation = fyne.TextTruncateEllipsis
	d.label.Truncation = fyne.TextTruncateOff
	left := container.NewHBox(d.icon, d.label, d.stopBtn)
	right := container.NewHBox(lv.sweepLbl, d.activity,
		container.NewGridWrap(fyne.NewSize(180, d.progress.MinSize().Height), d.progress), d.details)
	return container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, left, right, d.noteLabel))
}

// setActivity shows what the dock import is doing, kept to one short line.
func (d *dockState) setActivity(msg string, imp widget.Importance) {
	if r := []rune(msg); len(r) > 90 {
		msg = string(r[:89]) + "…"
	}
	d.activity.Text, d.activity.Importance = msg, imp
	d.activity.Refresh()
}

// note shows msg in the status bar for a few seconds.
func (d *dockState) note(msg string) {
	d.noteLabel.SetText(msg)
	if d.noteTimer != nil {
		d.noteTimer.Stop()
	}
	d.noteTimer = time.AfterFunc(6*time.Second, func() {
		d.lv.do(func() {
			if d.noteLabel.Text == msg {
				d.noteLabel.SetText("")
			}
		})
	})
}

// stop ends watching and the dock worker, and waits for the worker.
func (d *dockState) stop() { <-d.stopAsync() }

// stopAsync ends watching and the dock worker without waiting: the
// returned channel is closed once the worker has ended.
func (d *dockState) stopAsync() <-chan struct{} {
	if d.noteTimer != nil {
		d.noteTimer.Stop()
	}
	if d.watcher != nil {
		d.watcher.Stop()
		d.watcher = nil
	}
	if d.cancel == nil {
		done := make(chan struct{})
		close(done)
		return done
	}
	d.cancel()
	d.cancel = nil
	return d.done
}

// chooseDockFolder asks for the dock folder and starts watching it.
func (lv *libraryView) chooseDockFolder() {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil {
			lv.showError("Could not open the folder chooser", err)
			return
		}
		if u != nil {
			lv.startWatching(u.Path())
		}
	}, lv.win)
	d.SetConfirmText("Watch this folder")
	d.SetTitleText("Choose the dock folder to watch")
	escapeCloses(lv.win, d, nil)
	if l := lv.startLocation(prefDockFolder); l != nil {
		d.SetLocation(l)
	} else if l := lv.startLocation(prefImportDir); l != nil {
		d.SetLocation(l)
	}
	d.Resize(lv.dialogSize())
	d.Show()
}

// resumeDock watches the dock folder chosen in an earlier session.
func (lv *libraryView) resumeDock() {
	if lv.prefs == nil {
		return
	}
	dir := lv.prefs.String(prefDockFolder)
	if dir == "" {
		return
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		lv.log.Warn("dock folder unavailable", "error", err)
		lv.dock.label.SetText("The dock folder " + dir + " is not available; not watching.")
		lv.dock.icon.SetResource(theme.WarningIcon())
		return
	}
	lv.startWatching(dir)
}

// startWatching watches dir (instead of any earlier folder), imports
// footage as it settles, and remembers dir for the next session.
func (lv *libraryView) startWatching(dir string) {
	lv.stopWatching(false)
	d := &lv.dock
	q := newPathQueue()
	w, err := startDockWatcher(dir, watcherConfig{
		Ready: q.push,
		Error: func(err error) {
			lv.log.Warn("dock watcher", "error", err)
			lv.do(func() { d.note(sentence(err)) })
		},
		Log: lv.log,
	})
	if err != nil {
		lv.showError("Cannot watch that folder", err)
		return
	}
	ctx, cancel := context.WithCancel(lv.ctx)
	d.watcher, d.cancel, d.done = w, cancel, make(chan struct{})
	go lv.dockWorker(ctx, q, d.done)
	if lv.prefs != nil {
		lv.prefs.SetString(prefDockFolder, dir)
	}
	d.icon.SetResource(theme.VisibilityIcon())
	d.label.SetText("Watching " + dir + " for new footage")
	d.stopBtn.Show()
}

// stopWatching stops the watcher; forget also drops the remembered folder.
func (lv *libraryView) stopWatching(forget bool) {
	d := &lv.dock
	d.stop()
	d.progress.Hide()
	d.setActivity("", widget.MediumImportance)
	d.icon.SetResource(theme.VisibilityOffIcon())
	d.label.SetText("Not watching a dock folder.")
	d.stopBtn.Hide()
	if forget && lv.prefs != nil {
		lv.prefs.RemoveValue(prefDockFolder)
	}
}

// dockWorker imports what the watcher hands over, one batch at a time.
func (lv *libraryView) dockWorker(ctx context.Context, q *pathQueue, done chan struct{}) {
	defer close(done)
	d := &lv.dock
	for {
		select {
		case <-ctx.Done():
			return
		case <-q.signal:
		}
		paths := q.take()
		if len(paths) == 0 {
			continue
		}
		if !lv.acquireJob(ctx) {
			return
		}
		lv.do(func() {
			d.setActivity(fmt.Sprintf("Dock: importing %s…", plural(len(paths), "file", "files")), widget.MediumImportance)
			d.progress.SetValue(0)
			d.progress.Show()
		})
		c := newCoalescer(progressEvery, lv.do, func(p app.IngestProgress) {
			d.setActivity(fmt.Sprintf("Dock: %s (%d of %d)", filepath.Base(p.File), p.FileIndex+1, p.FileCount), widget.MediumImportance)
			d.progress.SetValue(p.Overall01)
		})
		results, err := lv.lib.Ingest(ctx, paths, app.IngestOptions{Progress: c.set})
		c.stop()
		lv.releaseJob()
		if ctx.Err() != nil {
			return // stopped watching or closing; the files stay for next time
		}
		if err != nil {
			lv.log.Error("dock import", "error", err)
		}
		lv.do(func() { lv.dockImported(results, err) })
	}
}

// dockImported reports a finished dock batch in the status bar.
func (lv *libraryView) dockImported(results []app.IngestResult, err error) {
	d := &lv.dock
	d.progress.Hide()
	d.last, d.lastErr = results, err
	imported, dup, rejected, _ := importSummary(results)
	msg := fmt.Sprintf("Dock %s: %d imported", time.Now().Format("15:04"), imported)
	if dup > 0 {
		msg += fmt.Sprintf(", %d already in the store", dup)
	}
	if rejected > 0 {
		msg += fmt.Sprintf(", %d rejected", rejected)
	}
	if err != nil {
		msg += " — stopped: " + app.UserMessage(err)
	}
	imp := widget.MediumImportance
	if rejected > 0 || err != nil {
		imp = widget.DangerImportance
	}
	d.setActivity(msg, imp)
	d.details.Show()
	if imported > 0 {
		lv.reload()
	}
}
