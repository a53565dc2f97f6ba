package app

import (
	"errors"
	"io"
)

// chunkSize is what a chunkReader reads from its source at once: a whole
// number of the vault's 64 KiB packages.
const chunkSize = 1 << 20

// chunkReader reads an io.ReaderAt in aligned chunks and serves small reads
// from the chunk it holds. It is an io.ReadSeeker (for http.ServeContent)
// and an io.ReaderAt (for sequential ReadAt calls, e.g. a packet
// comparison). It is not safe for concurrent use.
type chunkReader struct {
	ra       io.ReaderAt
	size     int64
	off      int64 // Read/Seek position
	buf      []byte
	bufStart int64
}

func newChunkReader(ra io.ReaderAt, size int64) *chunkReader {
	return &chunkReader{ra: ra, size: size}
}

// fill makes buf hold the chunk containing off.
func (c *chunkReader) fill(off int64) error {
	start := off &^ (chunkSize - 1)
	n := min(int64(chunkSize), c.size-start)
	if c.buf == nil {
		c.buf = make([]byte, chunkSize)
	}
	c.buf = c.buf[:n]
	m, err := c.ra.ReadAt(c.buf, start)
	if int64(m) == n && (err == nil || err == io.EOF) {
		err = nil
	}
	if err != nil {
		c.buf = c.buf[:0]
		return err
	}
	c.bufStart = start
	return nil
}

// ReadAt reads len(p) bytes at off through the chunk cache.
func (c *chunkReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("chunkReader: negative offset")
	}
	n := 0
	for n < len(p) {
		at := off + int64(n)
		if at >= c.size {
			return n, io.EOF
		}
		if at < c.bufStart || at >= c.bufStart+int64(len(c.buf)) {
			// Whole chunks: straight from the source.
			if want := min(int64(len(p)-n), c.size-at) &^ (chunkSize - 1); want > 0 && at&(chunkSize-1) == 0 {
				m, err := c.ra.ReadAt(p[n:n+int(want)], at)
				n += m
				if err != nil && !(err == io.EOF && int64(m) == want) {
					return n, err
				}
				continue
			}
			if err := c.fill(at); err != nil {
				return n, err
			}
		}
		n += copy(p[n:], c.buf[at-c.bufStart:])
	}
	return n, nil
}

// Read reads from the current position.
func (c *chunkReader) Read(p []byte) (int, error) {
	if c.off >= c.size {
		return 0, io.EOF
	}
	if rem := c.size - c.off; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := c.ReadAt(p, c.off)
	c.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// Seek sets the position.
func (c *chunkReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += c.off
	case io.SeekEnd:
		offset += c.size
	default:
		return 0, errors.New("chunkReader: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("chunkReader: negative position")
	}
	c.off = offset
	return offset, nil
}
