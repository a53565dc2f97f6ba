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
// size). Finish seals what is left (the last package marked final), then
// reads the whole stored copy back through sio's own reader, compares it
// with the source byte for byte and hashes the source in order: a file
// made this way is held to what WriteMaster and Verify hold a master to.

const (
	packagePlain  = 64 << 10 // plaintext bytes in every package but the last
	packageHeader = 16       // version, cipher, length, nonce
	packageTag    = 16       // GCM tag
	packageSealed = packageHeader + packagePlain + packageTag
)

// PackagePlain is the plaintext size of a vault package: WriteFull takes
// whole packages, at multiples of it.
const PackagePlain = packagePlain

// PackageWriter writes a pending vault file package by package, in any
// order. It is not safe for concurrent use.
type PackageWriter struct {
	p      *Pending
	aead   cipher.AEAD
	nonce  [12]byte // the header nonce, final flag clear
	sealed []bool   // packages written
	buf    []byte
	done   bool
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
// of PackagePlain bytes, none of it the file's last package) and writes
// them in place, asking the kernel to start writing them back. A package
// may be written once only.
func (w *PackageWriter) WriteFull(first int64, plain []byte) error {
	if w.done {
		return errors.New("vault file already finished")
	}
	if first < 0 || len(plain)%packagePlain != 0 {
		return fmt.Errorf("vault packages: %d bytes at package %d are not whole packages", len(plain), first)
	}
	n := int64(len(plain) / packagePlain)
	for i := first; i < first+n; i++ {
		if w.Written(i) {
			return fmt.Errorf("vault package %d written twice", i)
		}
	}
	return w.write(first, plain)
}

// write seals and writes whole packages first, first+1, ... of plain.
func (w *PackageWriter) write(first int64, plain []byte) error {
	n := int64(len(plain) / packagePlain)
	if need := first + n; int64(len(w.sealed)) < need {
		w.sealed = append(w.sealed, make([]bool, need-int64(len(w.sealed)))...)
	}
	w.buf = w.buf[:0]
	for i := int64(0); i < n; i++ {
		w.buf = w.seal(w.buf, first+i, plain[i*packagePlain:(i+1)*packagePlain], false)
	}
	off := first * packageSealed
	if _, err := w.p.f.WriteAt(w.buf, off); err != nil {
		return fmt.Errorf("write vault file: %w", err)
	}
	// Advisory: errors only mean no early writeback.
	_ = unix.SyncFileRange(int(w.p.f.Fd()), off, int64(len(w.buf)), unix.SYNC_FILE_RANGE_WRITE)
	for i := first; i < first+n; i++ {
		w.sealed[i] = true
	}
	return nil
}

// Written reports whether package i has been written.
func (w *PackageWriter) Written(i int64) bool {
	return i >= 0 && i < int64(len(w.sealed)) && w.sealed[i]
}

// Discard removes the file.
func (w *PackageWriter) Discard() error {
	w.done = true
	return w.p.Discard()
}

// Finish completes the file as a copy of src (size bytes): it seals and
// writes every package not written yet, the last one marked final; starts
// making the file durable; and then reads the stored copy back through
// sio's reader (every package authenticated, in order, the final one
// marked) and compares it with src byte for byte, hashing src in order on
// a second core. The result is a Pending like WriteMaster's: its SHA256
// is src's, and Verify fails unless the stored copy equals src. Packages
// written earlier must hold src's bytes: when they do not, Verify says so
// (ErrVaultDamaged) and the file must be discarded. On error the file is
// discarded.
func (w *PackageWriter) Finish(ctx context.Context, src io.ReaderAt, size int64) (*Pending, error) {
	if w.done {
		return nil, errors.New("vault file already finished")
	}
	w.done = true
	p := w.p
	fail := func(err error) (*Pending, error) {
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
	// Runs of packages not written yet, up to 16 at a time, then the last.
	plain := make([]byte, blockSize)
	for i := int64(0); i < last; {
		if w.Written(i) {
			i++
			continue
		}
		j := i
		for j < last && j-i < blockSize/packagePlain && !w.Written(j) {
			j++
		}
		b := plain[:(j-i)*packagePlain]
		if _, err := src.ReadAt(b, i*packagePlain); err != nil {
			return fail(fmt.Errorf("read the source: %w", err))
		}
		if err := w.write(i, b); err != nil {
			return fail(err)
		}
		i = j
	}
	tail := plain[:size-last*packagePlain]
	if m, err := src.ReadAt(tail, last*packagePlain); err != nil && !(err == io.EOF && m == len(tail)) {
		return fail(fmt.Errorf("read the source: %w", err))
	}
	w.buf = w.seal(w.buf[:0], last, tail, true)
	if _, err := p.f.WriteAt(w.buf, last*packageSealed); err != nil {
		return fail(fmt.Errorf("write vault file: %w", err))
	}
	p.encSize = last*packageSealed + int64(len(w.buf))
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
	dec, err := sio.DecryptReader(io.NewSectionReader(p.f, 0, p.encSize), sioConfig(p.key))
	if err != nil {
		return fail(err)
	}
	stored := make([]byte, blockSize)
	var at int64
	var differs error // the stored copy is not the source
	sum, n, err := hashAndProcess(ctx, io.NewSectionReader(src, 0, size), func(b []byte) error {
		m, err := io.ReadFull(dec, stored[:len(b)])
		switch {
		case err != nil:
			var se sio.Error
			if errors.As(err, &se) {
				differs = fmt.Errorf("decrypt stored copy at byte %d: %w", at+int64(m), ErrVaultDamaged)
			} else {
				differs = fmt.Errorf("read back stored copy at byte %d: %w: %w", at+int64(m), ErrVaultDamaged, err)
			}
		case !bytes.Equal(stored[:len(b)], b):
			differs = fmt.Errorf("stored copy differs from the source in bytes %d-%d: %w", at, at+int64(len(b))-1, ErrVaultDamaged)
		}
		at += int64(len(b))
		return differs
	}, nil)
	if err == nil {
		// Nothing may follow the final package.
		var one [1]byte
		if m, rerr := dec.Read(one[:]); m != 0 || rerr != io.EOF {
			differs = fmt.Errorf("stored copy is longer than the source: %w", ErrVaultDamaged)
		}
	}
	if ctx.Err() != nil {
		return fail(ctx.Err())
	}
	if err != nil && err != differs {
		return fail(fmt.Errorf("read the source: %w", err))
	}
	p.sum, p.size = sum, size
	p.check = verifyResult{sum: sum, n: n, err: differs}
	return p, nil
}
