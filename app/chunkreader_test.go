package app

import (
	"bytes"
	"io"
	"math/rand"
	"testing"
)

// countingReaderAt counts the bytes read from it.
type countingReaderAt struct {
	r *bytes.Reader
	n int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}

// TestChunkReader: reads of every size at chunk boundaries (size-1, size,
// size+1) return the source's bytes, sequential small reads touch each
// source byte once, and Read/Seek behave as io.ReadSeeker.
func TestChunkReader(t *testing.T) {
	for _, size := range []int{0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 3*chunkSize + 12345} {
		data := make([]byte, size)
		rand.New(rand.NewSource(int64(size))).Read(data)
		src := &countingReaderAt{r: bytes.NewReader(data)}
		c := newChunkReader(src, int64(size))
		got, err := io.ReadAll(struct{ io.Reader }{c}) // small reads
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("size %d: ReadAll %v, equal %v", size, err, bytes.Equal(got, data))
		}
		if src.n != int64(size) {
			t.Errorf("size %d: read %d source bytes for one pass", size, src.n)
		}
		for _, off := range []int{0, 1, chunkSize - 1, chunkSize, chunkSize + 1, size - 1, size} {
			for _, n := range []int{1, 100, chunkSize - 1, chunkSize, chunkSize + 1, 2 * chunkSize} {
				if off < 0 || off > size {
					continue
				}
				p := make([]byte, n)
				m, err := c.ReadAt(p, int64(off))
				want := min(n, size-off)
				if m != want || !bytes.Equal(p[:m], data[off:off+want]) || (m < n && err != io.EOF) || (m == n && err != nil) {
					t.Fatalf("size %d ReadAt(%d, %d) = %d, %v", size, n, off, m, err)
				}
			}
		}
		if size > 10 {
			if pos, err := c.Seek(-10, io.SeekEnd); err != nil || pos != int64(size-10) {
				t.Fatal(pos, err)
			}
			rest, err := io.ReadAll(c)
			if err != nil || !bytes.Equal(rest, data[size-10:]) {
				t.Fatalf("after Seek: %v", err)
			}
		}
	}
}
