package store

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"unsafe"

	"github.com/minio/sio"
	"golang.org/x/sys/unix"
)

// Writing a vault file out of order.
//
// A vault file is a DARE 2.0 stream (github.com/minio/sio): the plaintext in
// 64 KiB packages, each sealed on its own with AES-256-GCM under the file's
// data key. A package is a 16-byte header (version, cipher, payload length
// - 1, the file's random 12-byte nonce with the final flag in the top bit
// of its first byte), the ciphertext and the 16-byte tag; the GCM nonce is
// the header's with the package's sequence number XORed into its last four
// bytes (little endian), and the first four header bytes are the
// additional data. Every package but the last holds exactly 64 KiB, so
// package i always lies at i × 65568 bytes and can be sealed in any order.
//
// PackageWriter does that, so that a file another program is still
// writing can be encrypted as it grows: a clip written by ffmpeg, whose
// MP4 muxer comes back to the start only at the end (to fill in the mdat
// size).
//
// A file made this way is held to what WriteMaster and Verify hold a
// master to: every byte stored is read back, and the stored copy must be
// the source. Here that is done in two halves, so that most of it happens
// while the source is still being written. Each run of packages is read
// back as soon as it is written and compared with what was sealed, byte
// for byte, and each package's GCM tag is kept. Finish seals what is left
// the same way (the last package marked final), then reads the finished
// source once, in order: it hashes all of it (the file's SHA-256) on one
// core and, on another, seals again every package written before Finish
// with the same key and nonce: the tag must be the one kept. Under one key
// and nonce two different plaintexts give the same tag with a chance of
// about 2^-116 for a 64 KiB package (GCM's authentication bound; the key
// never leaves this process), so an equal tag means the package stored is
// the finished source's; where the source changed after a package was
// sealed, Verify fails and the file must be discarded. That the packages
// are DARE 2.0 that sio reads is held by the tests, and by every later
// read of the file, which goes through sio.

const (
	packagePlain  = 64 << 10 // plaintext bytes in every package but the last
	packageHeader = 16       // version, cipher, length, nonce
	packageTag    = 16       // GCM tag
	packageSealed = packageHeader + packagePlain + packageTag
)

// PackagePlain is the plaintext size of a vault package: WriteFull takes
// whole packages, at multiples of it.
const PackagePlain = packagePlain

// PackageRun is how many packages WriteFull best takes at a time, starting
// at a multiple of it: such a run is written past the page cache.
const PackageRun = directRun

// PackageWriter writes a pending vault file package by package, in any
// order. It is not safe for concurrent use.
type PackageWriter struct {
	p      *Pending
	aead   cipher.AEAD
	nonce  [12]byte           // the header nonce, final flag clear
	sealed []bool             // packages written (and read back)
	early  []bool             // packages written before Finish
	tags   [][packageTag]byte // of every package written
	buf    []byte             // sealed packages written through the page cache
	back   []byte             // and read back
	done   bool
	// direct is the file opened again with O_DIRECT (nil where the file
	// system does not take it): whole runs of directRun packages are
	// written and read back through it, past the page cache (below).
	direct    *os.File
	directOff atomic.Bool // O_DIRECT refused after all: through the page cache from then on
	dbufs     [2][]byte   // sealed direct runs, page aligned: one in flight, one being sealed
	cur       int         // the one being sealed
	dback     []byte      // the run in flight read back
	inflight  chan error  // the direct run in flight, or nil
	failed    error       // a direct run that failed: every write and Finish fail then
}

// afterWrite, when set (by tests), runs between writing a run of packages
// at off and reading it back.
var afterWrite func(path string, off int64)

// Direct I/O. A clip is written once into the vault, read back once and
// then left alone, so caching its ciphertext only costs: on a machine
// whose memory is touched for the first time, filling fresh page-cache
// pages is the most expensive part of storing a clip (measured: 117 MB
// written with dd took 0.30-0.38 s of system time buffered, 0.03 s with
// O_DIRECT). O_DIRECT wants page-aligned offsets, lengths and buffers:
// 128 sealed packages are exactly 2049 pages of 4 KiB, so a run of
// directRun packages starting at a multiple of directRun is aligned on
// both ends, and no page is shared between a direct run and any other
// write. Everything else (package 0, a partial run, the last package) is
// written through the page cache; the kernel keeps the two coherent (a
// direct read first writes back dirty cached pages in its range). A
// direct run is read back from the device, not from a cache.
const (
	directRun   = 128
	directAlign = 4096
	directBytes = directRun * packageSealed // 8 MiB + 4 KiB, a multiple of directAlign
)

// directIO turns direct I/O on; tests turn it off to cover the buffered
// path (taken anyway where the file system refuses O_DIRECT).
var directIO = true

// alignedBuffer returns n bytes starting on a directAlign boundary.
func alignedBuffer(n int) []byte {
	b := make([]byte, n+directAlign)
	off := 0
	if r := int(uintptr(unsafe.Pointer(&b[0])) % directAlign); r != 0 {
		off = directAlign - r
	}
	return b[off : off+n : off+n]
}

// NewPackageWriter starts a pending vault file with a fresh data key, to be
// written with WriteFull and Finish (or dropped with Discard).
func (s *Store) NewPackageWriter() (*PackageWriter, error) {
	p, err := s.newPending()
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(p.key)
	if err == nil {
		var aead cipher.AEAD
		if aead, err = cipher.NewGCM(block); err == nil {
			w := &PackageWriter{p: p, aead: aead}
			if _, err = rand.Read(w.nonce[:]); err == nil {
				w.nonce[0] &^= 0x80
				if directIO {
					// Not fatal: without it every write goes through the page cache.
					if f, derr := os.OpenFile(p.f.Name(), os.O_RDWR|unix.O_DIRECT, 0); derr == nil {
						w.direct = f
					}
				}
				return w, nil
			}
		}
	}
	_ = p.Discard() // failure path: err is returned
	return nil, fmt.Errorf("vault file key: %w", err)
}

// seal appends package i of plain (final: the last one) to dst.
func (w *PackageWriter) seal(dst []byte, i int64, plain []byte, final bool) []byte {
	var h [packageHeader]byte
	h[0] = sio.Version20
	h[1] = sio.AES_256_GCM
	binary.LittleEndian.PutUint16(h[2:4], uint16(len(plain)-1))
	copy(h[4:], w.nonce[:])
	if final {
		h[4] |= 0x80
	}
	var nonce [12]byte
	copy(nonce[:], h[4:])
	binary.LittleEndian.PutUint32(nonce[8:], binary.LittleEndian.Uint32(nonce[8:])^uint32(i))
	dst = append(dst, h[:]...)
	return w.aead.Seal(dst, nonce[:], plain, h[:4])
}

// WriteFull seals whole packages first, first+1, ... of plain (a multiple
// of PackagePlain bytes, none of it the file's last package), writes them
// in place and reads them back (an error wrapping ErrVaultDamaged when
// they do not hold what was written). A package may be written once only.
func (w *PackageWriter) WriteFull(first int64, plain []byte) error {
	if w.done {
		return errors.New("vault file already finished")
	}
	if first < 0 || len(plain)%packagePlain != 0 {
		return fmt.Errorf("vault packages: %d bytes at package %d are not whole packages", len(plain), first)
	}
	n := int64(len(plain) / packagePlain)
	if n == 0 {
		return nil
	}
	for i := first; i < first+n; i++ {
		if w.Written(i) {
			return fmt.Errorf("vault package %d written twice", i)
		}
	}
	if err := w.write(first, plain, false); err != nil {
		return err
	}
	for i := first; i < first+n; i++ {
		w.early[i] = true
	}
	return nil
}

// write seals packages first, first+1, ... of plain (whole ones; final:
// plain is the file's last package, whole or not), writes them in place
// and reads them back: a whole aligned run of directRun packages past the
// page cache (on another goroutine, while the caller goes on: see
// directRunIO), anything else through it.
func (w *PackageWriter) write(first int64, plain []byte, final bool) error {
	if w.failed != nil {
		return w.failed
	}
	n := max(int64(len(plain)/packagePlain), 1)
	if need := first + n; int64(len(w.sealed)) < need {
		grow := need - int64(len(w.sealed))
		w.sealed = append(w.sealed, make([]bool, grow)...)
		w.early = append(w.early, make([]bool, grow)...)
		w.tags = append(w.tags, make([][packageTag]byte, grow)...)
	}
	sealAll := func(dst []byte) []byte {
		if final {
			return w.seal(dst, first, plain, true)
		}
		for i := int64(0); i < n; i++ {
			dst = w.seal(dst, first+i, plain[i*packagePlain:(i+1)*packagePlain], false)
		}
		return dst
	}
	off := first * packageSealed
	var sealed []byte
	if w.Direct() && !final && first%directRun == 0 && n == directRun {
		if w.dbufs[0] == nil {
			w.dbufs = [2][]byte{alignedBuffer(directBytes), alignedBuffer(directBytes)}
			w.dback = alignedBuffer(directBytes)
		}
		// Sealed into the buffer the run in flight does not use, then
		// handed over once that run is done.
		sealed = sealAll(w.dbufs[w.cur][:0])
		if err := w.wait(); err != nil {
			return err
		}
		done := make(chan error, 1)
		go func() { done <- w.directRunIO(sealed, off, first, n) }()
		w.inflight, w.cur = done, 1-w.cur
	} else {
		w.buf = sealAll(w.buf[:0])
		sealed = w.buf
		if _, err := w.p.f.WriteAt(sealed, off); err != nil {
			return fmt.Errorf("write vault file: %w", err)
		}
		// Advisory: errors only mean no early writeback.
		_ = unix.SyncFileRange(int(w.p.f.Fd()), off, int64(len(sealed)), unix.SYNC_FILE_RANGE_WRITE)
		if cap(w.back) < len(sealed) {
			w.back = make([]byte, len(sealed))
		}
		if err := w.readBack(w.p.f, w.back[:len(sealed)], sealed, off, first, n); err != nil {
			return err
		}
	}
	// A run in flight counts as written: if it fails, so do the next
	// write and Finish.
	for i := int64(0); i < n; i++ {
		end := min((i+1)*packageSealed, int64(len(sealed)))
		w.tags[first+i] = [packageTag]byte(sealed[end-packageTag : end])
		w.sealed[first+i] = true
	}
	return nil
}

// readBack reads len(back) bytes at off from f (p.f, through the page
// cache, or w.direct, from the device) and compares them with sealed.
func (w *PackageWriter) readBack(f *os.File, back, sealed []byte, off, first, n int64) error {
	if afterWrite != nil {
		afterWrite(w.p.f.Name(), off)
	}
	if _, err := f.ReadAt(back, off); err != nil {
		return fmt.Errorf("read back vault packages %d-%d: %w: %w", first, first+n-1, ErrVaultDamaged, err)
	}
	if !bytes.Equal(back, sealed) {
		return fmt.Errorf("vault packages %d-%d read back differ from what was written: %w", first, first+n-1, ErrVaultDamaged)
	}
	return nil
}

// directRunIO writes a sealed direct run at off and reads it back from the
// device. It runs on its own goroutine, one run at a time, while the
// writer seals the next run: the device's time is then not added to the
// sealing's. It uses w.direct, w.dback and w.p.f only.
func (w *PackageWriter) directRunIO(sealed []byte, off, first, n int64) error {
	_, err := w.direct.WriteAt(sealed, off)
	if errors.Is(err, unix.EINVAL) {
		// The file system took O_DIRECT at open but not this write (a
		// larger alignment): through the page cache, now and from now on.
		w.directOff.Store(true)
		if _, err := w.p.f.WriteAt(sealed, off); err != nil {
			return fmt.Errorf("write vault file: %w", err)
		}
		return w.readBack(w.p.f, make([]byte, len(sealed)), sealed, off, first, n)
	}
	if err != nil {
		return fmt.Errorf("write vault file: %w", err)
	}
	// dback is aligned and a run's length is a multiple of directAlign.
	return w.readBack(w.direct, w.dback[:len(sealed)], sealed, off, first, n)
}

// wait waits for the direct run in flight, if any; its error sticks.
func (w *PackageWriter) wait() error {
	if w.inflight != nil {
		if err := <-w.inflight; err != nil && w.failed == nil {
			w.failed = err
		}
		w.inflight = nil
	}
	return w.failed
}

// closeDirect stops direct I/O, once the run in flight is done.
func (w *PackageWriter) closeDirect() {
	_ = w.wait() // its error has been or will be returned by Finish; here the file is being let go
	if w.direct != nil {
		_ = w.direct.Close() // the same file stays open as p.f; nothing is buffered in this one
		w.direct = nil
	}
}

// Direct reports whether whole aligned runs are written past the page
// cache (for tests and benchmarks).
func (w *PackageWriter) Direct() bool { return w.direct != nil && !w.directOff.Load() }

// Written reports whether package i has been written.
func (w *PackageWriter) Written(i int64) bool {
	return i >= 0 && i < int64(len(w.sealed)) && w.sealed[i]
}

// Discard removes the file.
func (w *PackageWriter) Discard() error {
	w.done = true
	w.closeDirect()
	return w.p.Discard()
}

// Finish completes the file as a copy of src (size bytes): it seals,
// writes and reads back every package not written yet, the last one
// marked final; starts making the file durable; and then reads src once
// in order, hashing all of it on a second core and sealing again here
// every package written before Finish, whose tag must be the one it was
// written with. The result is a Pending like WriteMaster's: its SHA256 is
// src's, and Verify fails unless the stored copy equals src. Packages
// written earlier must hold src's bytes: when they do not, Verify says so
// (ErrVaultDamaged) and the file must be discarded. On error the file is
// discarded.
func (w *PackageWriter) Finish(ctx context.Context, src io.ReaderAt, size int64) (*Pending, error) {
	if w.done {
		return nil, errors.New("vault file already finished")
	}
	w.done = true
	defer w.closeDirect()
	p := w.p
	fail := func(err error) (*Pending, error) {
		_ = w.wait()    // the run in flight, if any, is done with the file; err is what counts
		_ = p.Discard() // failure path: err is returned
		return nil, err
	}
	if size <= 0 {
		return fail(errors.New("vault file: nothing to store"))
	}
	last := (size - 1) / packagePlain
	for i := last; i < int64(len(w.sealed)); i++ {
		if w.sealed[i] {
			return fail(fmt.Errorf("vault package %d was written before the end of the file was known", i))
		}
	}
	// Runs of packages not written yet, then the last. A run ends at the
	// next multiple of directRun, so that whole aligned runs go past the
	// page cache.
	plain := make([]byte, directRun*packagePlain)
	for i := int64(0); i < last; {
		if w.Written(i) {
			i++
			continue
		}
		j := i
		for j < last && j < (i/directRun+1)*directRun && !w.Written(j) {
			j++
		}
		b := plain[:(j-i)*packagePlain]
		if _, err := src.ReadAt(b, i*packagePlain); err != nil {
			return fail(fmt.Errorf("read the source: %w", err))
		}
		if err := w.write(i, b, false); err != nil {
			return fail(err)
		}
		i = j
	}
	tail := plain[:size-last*packagePlain]
	if m, err := src.ReadAt(tail, last*packagePlain); err != nil && !(err == io.EOF && m == len(tail)) {
		return fail(fmt.Errorf("read the source: %w", err))
	}
	if err := w.write(last, tail, true); err != nil {
		return fail(err)
	}
	if err := w.wait(); err != nil {
		return fail(err)
	}
	p.encSize = last*packageSealed + packageHeader + int64(len(tail)) + packageTag
	// Nothing may follow the final package.
	if err := p.f.Truncate(p.encSize); err != nil {
		return fail(fmt.Errorf("write vault file: %w", err))
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	p.synced = make(chan error, 1)
	go func() {
		if err := p.f.Sync(); err != nil {
			p.synced <- fmt.Errorf("sync vault file: %w", err)
			return
		}
		p.synced <- SyncDir(p.s.pendingDir())
	}()
	// The finished source, in order, against the packages written early.
	var (
		at      int64
		scratch []byte
		differs error // the stored copy is not the source
	)
	sum, n, err := hashAndProcess(ctx, io.NewSectionReader(src, 0, size), func(b []byte) error {
		// b is whole packages (blockSize is a multiple of packagePlain),
		// or the file's tail.
		for k := 0; k < len(b); k += packagePlain {
			i := (at + int64(k)) / packagePlain
			if !w.early[i] {
				continue // sealed in Finish from the finished source
			}
			scratch = w.seal(scratch[:0], i, b[k:min(k+packagePlain, len(b))], false)
			if [packageTag]byte(scratch[len(scratch)-packageTag:]) != w.tags[i] {
				differs = fmt.Errorf("stored copy differs from the source in bytes %d-%d: %w", i*packagePlain, (i+1)*packagePlain-1, ErrVaultDamaged)
				return differs
			}
		}
		at += int64(len(b))
		return nil
	}, nil)
	if ctx.Err() != nil {
		return fail(ctx.Err())
	}
	if err != nil && err != differs {
		return fail(fmt.Errorf("read the source: %w", err))
	}
	if err == nil && n != size {
		return fail(fmt.Errorf("read the source: %d of %d bytes: %w", n, size, io.ErrUnexpectedEOF))
	}
	p.sum, p.size = sum, size
	p.check = verifyResult{sum: sum, n: n, err: differs}
	return p, nil
}
