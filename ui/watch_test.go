package ui

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// collector gathers what a dockWatcher hands over.
type collector struct {
	mu    sync.Mutex
	paths []string
	at    []time.Time
}

func (c *collector) ready(p []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.paths = append(c.paths, p...)
	for range p {
		c.at = append(c.at, time.Now())
	}
}

func (c *collector) snapshot() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.paths)
}

func (c *collector) wait(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if p := c.snapshot(); len(p) >= n {
			return p
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("watcher handed over %q, want %d files", c.snapshot(), n)
	return nil
}

// waitWatched waits until the watcher watches dir (it adds new folders as
// their events arrive).
func waitWatched(t *testing.T, w *dockWatcher, dir string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !slices.Contains(w.fw.WatchList(), dir); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the watcher does not watch %s: %q", dir, w.fw.WatchList())
		}
	}
}

func TestDockWatcherWaitsForFilesToSettle(t *testing.T) {
	root := t.TempDir()
	existing := filepath.Join(root, "old.MP4")
	if err := os.WriteFile(existing, []byte("already docked"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "dock.log"), []byte("not video"), 0o644); err != nil {
		t.Fatal(err)
	}
	var c collector
	const settle = 400 * time.Millisecond
	w, err := startDockWatcher(root, watcherConfig{Settle: settle, Poll: 50 * time.Millisecond, Ready: c.ready,
		Error: func(err error) { t.Errorf("watcher error: %v", err) }})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	// Footage already in the folder is handed over once it is quiet.
	if got := c.wait(t, 1); !slices.Equal(got, []string{existing}) {
		t.Fatalf("first hand-over %q, want %q", got, existing)
	}

	// A camera docks: a new folder tree appears and a file grows in it.
	sub := filepath.Join(root, "X6001234", "DCIM", "100BWV")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	waitWatched(t, w, sub)
	video := filepath.Join(sub, "clip.mp4")
	f, err := os.Create(video)
	if err != nil {
		t.Fatal(err)
	}
	var lastWrite time.Time
	for range 6 {
		if _, err := f.Write(make([]byte, 4096)); err != nil {
			t.Fatal(err)
		}
		lastWrite = time.Now()
		time.Sleep(150 * time.Millisecond) // slower than settle would allow if growth were ignored
	}
	f.Close()
	os.WriteFile(filepath.Join(sub, "clip.json"), []byte(`{}`), 0o644)
	os.WriteFile(filepath.Join(sub, ".hidden.mp4"), []byte("x"), 0o644)

	got := c.wait(t, 2)
	if !slices.Equal(got, []string{existing, video}) {
		t.Fatalf("handed over %q, want %q then %q", got, existing, video)
	}
	c.mu.Lock()
	waited := c.at[1].Sub(lastWrite)
	c.mu.Unlock()
	if waited < settle {
		t.Errorf("handed over %v after the last write, want at least %v", waited, settle)
	}

	// Nothing more: unchanged files are not handed over twice, and the
	// log, the sidecar and the hidden file never are. A video written
	// after them all settles last, so once it is handed over, any of those
	// would have been too.
	later := filepath.Join(sub, "later.mp4")
	if err := os.WriteFile(later, []byte("docked later"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := c.wait(t, 3); !slices.Equal(got, []string{existing, video, later}) {
		t.Errorf("hand-overs %q, want %q, %q, %q", got, existing, video, later)
	}
}

func TestCoalescerPassesOnTheLatest(t *testing.T) {
	q := newUIQueue()
	var seen []int
	const every = 20 * time.Millisecond
	start := time.Now()
	c := newCoalescer(every, q.do, func(v int) { seen = append(seen, v) })
	for i := 1; i <= 100000; i++ {
		c.set(i)
	}
	time.Sleep(60 * time.Millisecond)
	c.set(-1)
	c.stop()
	elapsed := time.Since(start)
	q.until(t, "the final value", func() bool { return len(seen) > 0 && seen[len(seen)-1] == -1 })
	// At most one update per tick (a ticker never bursts), plus the final
	// flush: however slow the machine, 100,000 sets never mean 100,000
	// trips to the UI goroutine.
	if limit := int(elapsed/every) + 2; len(seen) == 0 || len(seen) > limit {
		t.Fatalf("%d updates reached the UI in %v (%v), want 1 to %d", len(seen), elapsed, seen, limit)
	}
	if seen[len(seen)-1] != -1 {
		t.Errorf("last update %d, want the final value -1", seen[len(seen)-1])
	}
}
