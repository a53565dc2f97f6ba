package store

import "io"

// asyncWriter collects writes into 1 MiB buffers and hands full buffers to
// a goroutine that writes them to w, so that encrypting the next block and
// the write system call for the last one run on separate cores.
type asyncWriter struct {
	w       io.Writer
	cur     []byte
	free    chan []byte
	full    chan []byte
	done    chan error
	closed  bool
	err     error
	written int64
}

func newAsyncWriter(w io.Writer) *asyncWriter {
	const nbuf = 3
	a := &asyncWriter{w: w, free: make(chan []byte, nbuf), full: make(chan []byte, nbuf), done: make(chan error, 1)}
	for range nbuf {
		a.free <- make([]byte, 0, blockSize)
	}
	a.cur = <-a.free
	go func() {
		var err error
		for b := range a.full {
			if err == nil {
				_, err = w.Write(b)
			}
			a.free <- b[:0]
		}
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
	a.written += int64(n)
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
