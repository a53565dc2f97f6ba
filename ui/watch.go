package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"exhibit/app"
)

// isVideoName reports whether the dock watcher hands a file to ingest: the
// names app.Ingest treats as promising a video. Other files in a dock (logs,
// firmware, sidecars) are left alone, sidecars being read beside their video.
func isVideoName(name string) bool { return app.IsVideoName(name) }

// isHidden reports a dot file or dot folder, which ingest skips as well.
func isHidden(name string) bool { return strings.HasPrefix(name, ".") }

// fileSig is what tells a file that is still being written from one that
// has settled.
type fileSig struct {
	size  int64
	mtime time.Time
}

type candidate struct {
	sig     fileSig
	changed time.Time // when sig last changed, or an event touched it
}

// watcherConfig configures a dockWatcher.
type watcherConfig struct {
	// Settle is how long a file and its folder must stay unchanged before
	// the file is handed over (default 2 s): cameras and docks copy large
	// files slowly, and write the sidecar after the video.
	Settle time.Duration
	// Poll is how often sizes are checked (default 500 ms).
	Poll time.Duration
	// Ready receives settled video files, sorted, on the watcher's goroutine.
	Ready func(paths []string)
	// Error receives problems that do not stop the watcher (a folder that
	// could not be watched, an event queue overflow).
	Error func(error)
	Log   *slog.Logger
}

// dockWatcher watches a dock folder and its subfolders (recursively, adding
// new ones as they appear) and hands over video files once they have
// stopped growing. Footage already in the folder when watching starts is
// handed over too: a dock fills up while the application is closed, and
// ingest recognises files it already holds by their SHA-256.
type dockWatcher struct {
	root string
	cfg  watcherConfig
	fw   *fsnotify.Watcher

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}

	// owned by the loop goroutine
	pending  map[string]*candidate
	dirEvent map[string]time.Time
	handed   map[string]fileSig
}

// startDockWatcher starts watching root.
func startDockWatcher(root string, cfg watcherConfig) (*dockWatcher, error) {
	if cfg.Settle <= 0 {
		cfg.Settle = 2 * time.Second
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 500 * time.Millisecond
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Ready == nil {
		return nil, errors.New("dock watcher: no Ready callback")
	}
	if cfg.Error == nil {
		cfg.Error = func(error) {}
	}
	info, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", root, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("watch %s: not a folder", root)
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", root, err)
	}
	d := &dockWatcher{
		root: root, cfg: cfg, fw: fw,
		stop: make(chan struct{}), done: make(chan struct{}),
		pending: map[string]*candidate{}, dirEvent: map[string]time.Time{}, handed: map[string]fileSig{},
	}
	// Watch first, then scan: a file created in between is seen twice,
	// never missed.
	if err := d.addTree(root, time.Now()); err != nil {
		_ = fw.Close() // failure path: err is returned
		return nil, err
	}
	go d.loop()
	return d, nil
}

// Root returns the watched folder.
func (d *dockWatcher) Root() string { return d.root }

// Stop stops watching and waits for the watcher's goroutine to end. Files
// not yet handed over are forgotten.
func (d *dockWatcher) Stop() {
	d.stopOnce.Do(func() {
		close(d.stop)
		<-d.done
		_ = d.fw.Close() // stopping: events are no longer read
	})
}

// addTree watches dir and every folder under it, and makes candidates of
// the video files already there. Only a failure on dir itself is returned;
// subfolders that cannot be watched are reported through cfg.Error.
func (d *dockWatcher) addTree(dir string, now time.Time) error {
	return filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return fmt.Errorf("watch %s: %w", path, err)
			}
			d.cfg.Error(fmt.Errorf("watch %s: %w", path, err))
			return nil
		}
		if path != dir && isHidden(e.Name()) {
			if e.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if e.IsDir() {
			if err := d.fw.Add(path); err != nil {
				if path == dir {
					return fmt.Errorf("watch %s: %w", path, err)
				}
				d.cfg.Error(fmt.Errorf("watch %s: %w", path, err))
				return filepath.SkipDir
			}
			return nil
		}
		if e.Type().IsRegular() && isVideoName(e.Name()) {
			d.touch(path, now)
		}
		return nil
	})
}

// touch makes path a candidate again (or for the first time).
func (d *dockWatcher) touch(path string, now time.Time) {
	c := d.pending[path]
	if c == nil {
		c = &candidate{sig: fileSig{size: -1}}
		d.pending[path] = c
	}
	c.changed = now
}

func (d *dockWatcher) loop() {
	defer close(d.done)
	tick := time.NewTicker(d.cfg.Poll)
	defer tick.Stop()
	for {
		select {
		case <-d.stop:
			return
		case ev, ok := <-d.fw.Events:
			if !ok {
				return
			}
			d.event(ev, time.Now())
		case err, ok := <-d.fw.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: rescan so nothing is missed.
				d.cfg.Log.Warn("dock watcher overflow; rescanning", "error", err)
				if err := d.addTree(d.root, time.Now()); err != nil {
					d.cfg.Error(err)
				}
				continue
			}
			d.cfg.Error(fmt.Errorf("watching %s: %w", d.root, err))
		case now := <-tick.C:
			if ready := d.settled(now); len(ready) > 0 {
				d.cfg.Ready(ready)
			}
		}
	}
}

func (d *dockWatcher) event(ev fsnotify.Event, now time.Time) {
	name := filepath.Base(ev.Name)
	if isHidden(name) {
		return
	}
	d.dirEvent[filepath.Dir(ev.Name)] = now
	switch {
	case ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename):
		delete(d.pending, ev.Name)
		delete(d.handed, ev.Name)
	case ev.Has(fsnotify.Create):
		info, err := os.Lstat(ev.Name)
		if err != nil {
			return
		}
		if info.IsDir() {
			// A new folder (a camera docked): watch it and take what was
			// copied into it before the watch was in place.
			if err := d.addTree(ev.Name, now); err != nil {
				d.cfg.Error(err)
			}
			return
		}
		if info.Mode().IsRegular() && isVideoName(name) {
			d.touch(ev.Name, now)
		}
	case ev.Has(fsnotify.Write) || ev.Has(fsnotify.Chmod):
		if isVideoName(name) {
			d.touch(ev.Name, now)
		}
	}
}

// settled returns the candidates whose size and modification time have not
// changed, and whose folder has had no events, for cfg.Settle.
func (d *dockWatcher) settled(now time.Time) []string {
	var ready []string
	for path, c := range d.pending {
		info, err := os.Stat(path)
		if err != nil || !info.Mode().IsRegular() {
			delete(d.pending, path)
			continue
		}
		sig := fileSig{size: info.Size(), mtime: info.ModTime()}
		if sig != c.sig {
			c.sig, c.changed = sig, now
			continue
		}
		quiet := c.changed
		if t := d.dirEvent[filepath.Dir(path)]; t.After(quiet) {
			quiet = t
		}
		if now.Sub(quiet) < d.cfg.Settle || sig.size == 0 {
			continue
		}
		delete(d.pending, path)
		if prev, ok := d.handed[path]; ok && prev == sig {
			continue // already handed over, unchanged since
		}
		d.handed[path] = sig
		ready = append(ready, path)
	}
	sort.Strings(ready)
	return ready
}
