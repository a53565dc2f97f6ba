package store

import (
	"io"
	"sync"
)

// asyncWriter collects writes into 1 MiB buffers and hands full buffers to
// a goroutine that writes them to w, so that encrypting the next block and
// the write system call for the last one run on separate cores. It also
// tells a tailReader how far the file has been written, so the stored copy
// can be read back and checked while it is still being written.
type asyncWriter struct {
	w    io.Writer
	cur  []byte
	free chan []byte
	full chan []byte
	done chan error

	closed bool
	err    error

	mu       sync.Mutex
	cond     *sync.Cond
	flushed  int64 // bytes written to w so far
	finished bool  // the writer goroutine has stopped
	werr     error // its first write error
}

func newAsyncWriter(w io.Writer) *asyncWriter {
	const nbuf = 3
	a := &asyncWriter{w: w, free: make(chan []byte, nbuf), full: make(chan []byte, nbuf), done: make(chan error, 1)}
	a.cond = sync.NewCond(&a.mu)
	for range nbuf {
		a.free <- make([]byte, 0, blockSize)
	}
	a.cur = <-a.free
	go func() {
		var err error
		for b := range a.full {
			if err == nil {
				_, err = w.Write(b)
				a.mu.Lock()
				if err == nil {
					a.flushed += int64(len(b))
				} else {
					a.werr = err
				}
				a.cond.Broadcast()
				a.mu.Unlock()
			}
			a.free <- b[:0]
		}
		a.mu.Lock()
		a.finished = true
		a.cond.Broadcast()
		a.mu.Unlock()
		a.done <- err
	}()
	return a
}

// Write copies p into the current buffer, handing off buffers as they fill.
func (a *asyncWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := copy(a.cur[len(a.cur):cap(a.cur)], p)
		a.cur = a.cur[:len(a.cur)+k]
		p = p[k:]
		if len(a.cur) == cap(a.cur) {
			a.full <- a.cur
			a.cur = <-a.free
		}
	}
	return n, nil
}

// Close writes what is buffered, waits for the writer goroutine and returns
// the first write error. Calling it again returns the same result (sio's
// writer closes the writer it wraps).
func (a *asyncWriter) Close() error {
	if a.closed {
		return a.err
	}
	a.closed = true
	if len(a.cur) > 0 {
		a.full <- a.cur
	}
	a.cur = nil
	close(a.full)
	a.err = <-a.done
	return a.err
}

// tailReader reads back, through ra, what an asyncWriter has written so far,
// waiting for more until the writer has finished.
type tailReader struct {
	ra  io.ReaderAt
	aw  *asyncWriter
	off int64
}

func (t *tailReader) Read(p []byte) (int, error) {
	a := t.aw
	a.mu.Lock()
	for a.flushed <= t.off && !a.finished && a.werr == nil {
		a.cond.Wait()
	}
	avail, werr := a.flushed-t.off, a.werr
	a.mu.Unlock()
	if avail <= 0 {
		if werr != nil {
			return 0, werr
		}
		return 0, io.EOF
	}
	if int64(len(p)) > avail {
		p = p[:avail]
	}
	n, err := t.ra.ReadAt(p, t.off)
	t.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}
