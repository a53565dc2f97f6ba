package app

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"exhibit/store"
)

// Encrypting a lossless clip into the vault while ffmpeg writes it.
//
// ffmpeg's MP4 muxer (no faststart) writes a cut front to back: the ftyp,
// the mdat header with its size left blank, the samples, then the moov;
// only at the very end does it go back to fill in the mdat size, in the
// first few dozen bytes. The edit-list patch then rewrites the moov in
// place. Everything else is written once. So a follower reads the file as
// it grows and seals whole vault packages (store.PackageWriter) of what
// is already there, except package 0 and the last followMargin bytes (the
// moov lands there), and keepClip only has the rest to seal. Whether the
// packages sealed early still hold the clip's bytes does not rest on that
// description of the muxer: the stored copy is read back and compared
// with the finished clip byte for byte, and when it differs the clip is
// written into the vault again from the start (with a fresh key).

// followMargin is how far behind the end of the growing file the follower
// stays for a clip of the given length: the moov lands there. A moov takes
// about 0.7 KiB a second of 1080p25 H.264 with AAC (measured: 43 KB for
// 60 s), so 2 KiB a second plus 1 MiB holds it with room to spare. A
// margin too small is only slower: the sealed packages do not hold, and
// the clip is stored again from the start.
func followMargin(clip time.Duration) int64 {
	return 1<<20 + 2<<10*int64(clip.Seconds()+1)
}

// followPoll is how often the follower looks for more of the file.
const followPoll = 3 * time.Millisecond

// clipFollower encrypts the file at path into a vault file as another
// process writes it.
type clipFollower struct {
	pw     *store.PackageWriter
	stop   chan struct{}
	done   chan error
	sealed atomic.Int64 // packages sealed so far
}

// followClip starts encrypting path (not there yet, or growing) into a
// new vault file, margin bytes behind its end. writeback also asks the
// kernel to start writing the clip's own pages to disk as they are read
// (the copy the user gets is made durable before it is renamed into
// place).
func (l *Library) followClip(ctx context.Context, path string, margin int64, writeback bool) (*clipFollower, error) {
	pw, err := l.st.NewPackageWriter()
	if err != nil {
		return nil, err
	}
	c := &clipFollower{pw: pw, stop: make(chan struct{}), done: make(chan error, 1)}
	go func() { c.done <- c.follow(ctx, path, margin, writeback) }()
	return c, nil
}

// followRun is the follower's run before the writer's first whole run:
// 16 packages (1 MiB).
const followRun = 16

func (c *clipFollower) follow(ctx context.Context, path string, margin int64, writeback bool) error {
	// Runs end on multiples of followRun packages up to the first
	// multiple of store.PackageRun, then on multiples of that (8 MiB
	// runs, which the writer takes past the page cache).
	buf := make([]byte, store.PackageRun*store.PackagePlain)
	next := int64(1) // package 0 holds the mdat size, filled in last
	var f *os.File
	defer func() {
		if f != nil {
			_ = f.Close() // read only
		}
	}()
	tick := time.NewTicker(followPoll)
	defer tick.Stop()
	for {
		if f == nil {
			var err error
			if f, err = os.Open(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		progressed := false
		if f != nil {
			st, err := f.Stat()
			if err != nil {
				return err
			}
			for {
				run := int64(store.PackageRun)
				if next < store.PackageRun {
					run = followRun
				}
				n := (next/run+1)*run - next // packages to the end of this run
				off, b := next*store.PackagePlain, buf[:n*store.PackagePlain]
				if off+int64(len(b)) > st.Size()-margin {
					break
				}
				if _, err := f.ReadAt(b, off); err != nil {
					return err // io.EOF too: the file shrank, so nothing sealed from it can be trusted
				}
				if err := c.pw.WriteFull(next, b); err != nil {
					return err
				}
				if writeback {
					// Advisory: errors only mean no early writeback.
					_ = unix.SyncFileRange(int(f.Fd()), off, int64(len(b)), unix.SYNC_FILE_RANGE_WRITE)
				}
				next += n
				c.sealed.Add(n)
				progressed = true
				select {
				case <-c.stop:
					return nil
				default:
				}
			}
		}
		if progressed {
			continue
		}
		select {
		case <-c.stop:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// finish stops following; the writer's packages are then the caller's.
// It returns the follower's error (nothing more can be relied on from the
// vault file then: discard it).
func (c *clipFollower) finish() error {
	close(c.stop)
	return <-c.done
}
