package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/minio/sio"
	"golang.org/x/sys/unix"
)

// blockSize is the unit the ingest pipeline reads, hashes and encrypts.
const blockSize = 1 << 20

// ErrVaultDamaged reports a vault file that is missing, has the wrong size or
// fails authentication.
var ErrVaultDamaged = errors.New("the encrypted master is damaged or missing")

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func sioConfig(key []byte) sio.Config {
	return sio.Config{Key: key, MinVersion: sio.Version20, MaxVersion: sio.Version20}
}

func (s *Store) vaultDir() string   { return filepath.Join(s.dir, "vault") }
func (s *Store) pendingDir() string { return filepath.Join(s.dir, "vault", "pending") }

// Pending is a master written to the vault but not yet part of the store.
// It is locked (flock) by this process until Commit or Discard, so a
// concurrent store opener never mistakes it for debris.
type Pending struct {
	s       *Store
	f       *os.File
	name    string
	key     []byte
	size    int64
	encSize int64
	sum     [sha256.Size]byte
	done    bool
	// synced delivers the result of making the file and its directory
	// durable; it runs while Verify reads the file back.
	synced  chan error
	syncErr error
	// check is the stored copy read back from the file, decrypted and
	// re-hashed while it was written.
	check verifyResult
}

type verifyResult struct {
	sum [sha256.Size]byte
	n   int64
	err error
}

// waitSynced waits until the pending file is durable on disk.
func (p *Pending) waitSynced() error {
	if p.synced != nil {
		p.syncErr = <-p.synced
		p.synced = nil
	}
	return p.syncErr
}

// SHA256 returns the hex SHA-256 of the master as read from the source.
func (p *Pending) SHA256() string { return hex.EncodeToString(p.sum[:]) }

// Size returns the size of the master in bytes.
func (p *Pending) Size() int64 { return p.size }

// Discard removes the pending file. It is safe to call after Commit (no-op).
func (p *Pending) Discard() error {
	if p.done {
		return nil
	}
	p.done = true
	_ = p.waitSynced() // the file is being discarded: whether it reached the disk no longer matters
	err := os.Remove(p.f.Name())
	_ = p.f.Close() // closing releases the flock
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// block is a buffer shared by the hashing goroutine and the caller's
// process step; whichever finishes with it last returns it to the pool.
type block struct {
	buf  []byte
	n    int
	refs atomic.Int32
}

// hashAndProcess reads src in blocks, hashes every block on a second
// goroutine while process consumes it on this one, and returns the SHA-256
// and byte count: two cores hash and encrypt (or decrypt) at once.
func hashAndProcess(ctx context.Context, src io.Reader, process func([]byte) error, progress func(int64)) ([sha256.Size]byte, int64, error) {
	var sum [sha256.Size]byte
	const nbuf = 4
	free := make(chan *block, nbuf)
	for range nbuf {
		free <- &block{buf: make([]byte, blockSize)}
	}
	release := func(b *block) {
		if b.refs.Add(-1) == 0 {
			free <- b
		}
	}
	toHash := make(chan *block, nbuf)
	h := sha256.New()
	hashDone := make(chan struct{})
	go func() {
		defer close(hashDone)
		for b := range toHash {
			h.Write(b.buf[:b.n])
			release(b)
		}
	}()
	var total int64
	var err error
	for {
		if err = ctx.Err(); err != nil {
			break
		}
		b := <-free
		var n int
		n, err = io.ReadFull(src, b.buf)
		if n == 0 {
			free <- b
			break
		}
		b.n = n
		b.refs.Store(2)
		toHash <- b
		perr := process(b.buf[:n])
		release(b)
		total += int64(n)
		if progress != nil {
			progress(total)
		}
		if perr != nil {
			err = perr
			break
		}
		if err != nil {
			break
		}
	}
	close(toHash)
	<-hashDone
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return sum, total, err
	}
	copy(sum[:], h.Sum(nil))
	return sum, total, nil
}

// newPending creates an empty vault file under vault/pending, locked by
// this process, with a fresh data key.
func (s *Store) newPending() (*Pending, error) {
	name, err := randomHex(16)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(s.pendingDir(), name)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create vault file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close() // failure path: nothing was written
		os.Remove(path)
		return nil, fmt.Errorf("lock vault file: %w", err)
	}
	key, err := newKey()
	if err != nil {
		_ = f.Close() // failure path: the error is returned
		os.Remove(path)
		return nil, err
	}
	return &Pending{s: s, f: f, name: name, key: key}, nil
}

// WriteMaster reads src once, computing its SHA-256 while encrypting it with
// a fresh data key into a locked file under vault/pending, then syncs the
// file and its directory. progress, when not nil, gets the bytes read so far.
func (s *Store) WriteMaster(ctx context.Context, src io.Reader, progress func(int64)) (*Pending, error) {
	p, err := s.newPending()
	if err != nil {
		return nil, err
	}
	f, key := p.f, p.key
	fail := func(err error) (*Pending, error) {
		_ = p.Discard() // failure path: err is returned
		return nil, err
	}
	cw := &countingWriter{w: f, fd: int(f.Fd())}
	aw := newAsyncWriter(cw)
	enc, err := sio.EncryptWriter(aw, sioConfig(key))
	if err != nil {
		_ = aw.Close() // failure path: err is returned
		return fail(err)
	}
	// Read the stored copy back from the file as it is written, decrypt it
	// and hash it again, on other goroutines: the check costs no second pass.
	checked := make(chan verifyResult, 1)
	go func() {
		var r verifyResult
		dec, err := sio.DecryptReader(&tailReader{ra: f, aw: aw}, sioConfig(key))
		if err == nil {
			r.sum, r.n, r.err = hashAndProcess(ctx, dec, func([]byte) error { return nil }, nil)
		} else {
			r.err = err
		}
		checked <- r
	}()
	sum, n, err := hashAndProcess(ctx, src, func(b []byte) error {
		_, err := enc.Write(b)
		return err
	}, progress)
	if err == nil {
		err = enc.Close()
	}
	if cerr := aw.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write vault file: %w", cerr)
	}
	p.check = <-checked // the writer has finished, so the reader has too
	if err != nil {
		return fail(fmt.Errorf("read and encrypt: %w", err))
	}
	p.sum, p.size, p.encSize = sum, n, cw.n
	// Make the file durable while the caller verifies it from the page
	// cache; Commit waits for this before the row may refer to the file.
	p.synced = make(chan error, 1)
	go func() {
		if err := f.Sync(); err != nil {
			p.synced <- fmt.Errorf("sync vault file: %w", err)
			return
		}
		p.synced <- SyncDir(s.pendingDir())
	}()
	return p, nil
}

// Verify decrypts the pending file as written and re-hashes it; it fails
// unless the result matches what was read from the source.
//
// The read-back runs while WriteMaster writes: each 1 MiB is read from the
// file once it has been written to it, decrypted (every 64 KiB package
// authenticated, the final one marked) and hashed again, so this only
// compares the results.
func (p *Pending) Verify(ctx context.Context, progress func(int64)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sum, n, err := p.check.sum, p.check.n, p.check.err
	if err != nil {
		var se sio.Error
		if errors.As(err, &se) {
			return fmt.Errorf("decrypt stored copy at byte %d: %w", n, ErrVaultDamaged)
		}
		return fmt.Errorf("read back stored copy: %w", err)
	}
	if progress != nil {
		progress(n)
	}
	if n != p.size || sum != p.sum {
		return fmt.Errorf("stored copy does not match the source (%d of %d bytes): %w", n, p.size, ErrVaultDamaged)
	}
	return nil
}

// decryptAndHash decrypts the encrypted master in f and hashes the plaintext.
func decryptAndHash(ctx context.Context, f io.ReaderAt, encSize int64, key []byte, progress func(int64)) ([sha256.Size]byte, int64, error) {
	dec, err := sio.DecryptReader(io.NewSectionReader(f, 0, encSize), sioConfig(key))
	if err != nil {
		return [sha256.Size]byte{}, 0, err
	}
	sum, n, err := hashAndProcess(ctx, dec, func([]byte) error { return nil }, progress)
	if err != nil {
		var se sio.Error
		if errors.As(err, &se) {
			return sum, n, fmt.Errorf("decrypt at byte %d: %w", n, ErrVaultDamaged)
		}
		return sum, n, err
	}
	return sum, n, nil
}

// recoverPending finishes or removes what a killed ingest left under
// vault/pending: a file whose row was committed is moved into the vault; any
// other unlocked file is debris and removed. Files still locked belong to a
// live ingest in another process and are left alone.
func (s *Store) recoverPending() error {
	ents, err := os.ReadDir(s.pendingDir())
	if err != nil {
		return fmt.Errorf("scan pending vault files: %w", err)
	}
	for _, e := range ents {
		path := filepath.Join(s.pendingDir(), e.Name())
		f, err := os.Open(path)
		if err != nil {
			continue // another process finished it meanwhile
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
			_ = f.Close() // opened only to test its lock
			continue
		}
		var n int
		err = s.db.QueryRow("SELECT (SELECT count(*) FROM recordings WHERE vault_name = ?1) + (SELECT count(*) FROM derivatives WHERE vault_name = ?1)", e.Name()).Scan(&n)
		if err == nil {
			if n > 0 {
				err = os.Rename(path, filepath.Join(s.vaultDir(), e.Name()))
			} else {
				err = os.Remove(path)
			}
		}
		_ = f.Close() // opened only to lock it
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("recover pending vault file %s: %w", e.Name(), err)
		}
	}
	return SyncDir(s.vaultDir())
}

// finishPending moves a committed pending file into the vault.
func (p *Pending) finish() error {
	p.done = true
	defer func() { _ = p.f.Close() }() // written and fsynced (waitSynced) before: closing releases the flock
	if err := p.waitSynced(); err != nil {
		return err
	}
	if err := os.Rename(p.f.Name(), filepath.Join(p.s.vaultDir(), p.name)); err != nil {
		return fmt.Errorf("move into vault: %w", err)
	}
	return SyncDir(p.s.vaultDir())
}

// Master is a read-only, random-access view of a decrypted master. Nothing
// decrypted is written anywhere: each ReadAt decrypts the packages it needs.
type Master struct {
	f    *os.File
	ra   io.ReaderAt
	size int64
}

// Size returns the size of the decrypted master in bytes.
func (m *Master) Size() int64 { return m.size }

// ReadAt reads decrypted bytes at off. A package that fails authentication
// gives an error wrapping ErrVaultDamaged.
func (m *Master) ReadAt(p []byte, off int64) (int, error) {
	if off >= m.size {
		return 0, io.EOF
	}
	want := len(p)
	if rem := m.size - off; int64(want) > rem {
		p = p[:rem]
	}
	n, err := m.ra.ReadAt(p, off)
	if err != nil {
		var se sio.Error
		if errors.As(err, &se) {
			return n, fmt.Errorf("decrypt at byte %d: %w", off, ErrVaultDamaged)
		}
		if err == io.EOF && n == len(p) {
			err = nil
		}
	}
	if err == nil && n < want {
		err = io.EOF
	}
	return n, err
}

// Close closes the vault file.
func (m *Master) Close() error { return m.f.Close() }

func (s *Store) openVaultFile(name string) (*os.File, error) {
	f, err := os.Open(filepath.Join(s.vaultDir(), name))
	if errors.Is(err, os.ErrNotExist) {
		// Committed but not yet moved: the writer may still be finishing.
		f, err = os.Open(filepath.Join(s.pendingDir(), name))
	}
	if err != nil {
		return nil, fmt.Errorf("open vault file: %w: %w", ErrVaultDamaged, err)
	}
	return f, nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// idAlphabet has no 0/O, 1/I/L or U: ids are read aloud and typed by hand.
const idAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// randomID returns n characters from idAlphabet.
func randomID(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	var sb strings.Builder
	for _, c := range b {
		// 256 = 8*30 + 16: reject the top values to stay uniform.
		for c >= 240 {
			var one [1]byte
			if _, err := rand.Read(one[:]); err != nil {
				return "", err
			}
			c = one[0]
		}
		sb.WriteByte(idAlphabet[int(c)%len(idAlphabet)])
	}
	return sb.String(), nil
}

// countingWriter counts what is written to a vault file and asks the
// kernel to start writing each piece back at once, so the final fsync has
// little left to wait for.
type countingWriter struct {
	w  io.Writer
	fd int
	n  int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if n > 0 && c.fd > 0 {
		// Advisory: errors only mean no early writeback.
		_ = unix.SyncFileRange(c.fd, c.n, int64(n), unix.SYNC_FILE_RANGE_WRITE)
	}
	c.n += int64(n)
	return n, err
}
