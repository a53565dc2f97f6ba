package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"exhibit/app/media"
	"exhibit/store"
)

// growingFile writes a file the way ffmpeg's MP4 muxer does: a header
// with a blank size, the body in pieces, then the header filled in and a
// tail appended. It returns the file's final bytes.
type growingFile struct {
	t    *testing.T
	f    *os.File
	data []byte
}

func newGrowingFile(t *testing.T, path string, size int) *growingFile {
	data := make([]byte, size)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return &growingFile{t: t, f: f, data: data}
}

func (g *growingFile) write(b []byte, off int) {
	if _, err := g.f.WriteAt(b, int64(off)); err != nil {
		g.t.Fatal(err)
	}
}

// waitSealed waits until the follower has sealed at least n packages.
func waitSealed(t *testing.T, c *clipFollower, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for c.sealed.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("the follower sealed %d packages, want %d", c.sealed.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func traceVault(t *testing.T) map[string]int64 {
	got := map[string]int64{}
	clipVaultTrace = func(what string, n int64) { got[what] += n }
	t.Cleanup(func() { clipVaultTrace = nil })
	return got
}

// A file encrypted into the vault as it grows (package 0 and the tail
// left for the end) is stored whole and exactly: the packages sealed
// early are not sealed again and the stored copy reads back as the file.
func TestFollowerSealsWhileWritten(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	const margin = 256 << 10
	traced := traceVault(t)

	path := filepath.Join(t.TempDir(), "clip.mp4")
	const size = 18<<20 + 12345
	c, err := lib.followClip(ctx, path, margin, true)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // the file does not exist yet: the follower waits for it
	g := newGrowingFile(t, path, size)
	header := bytes.Clone(g.data[:48])
	blank := make([]byte, 48)
	g.write(blank, 0)
	g.write(g.data[48:3<<20], 48)
	// 3 MiB written, 256 KiB kept clear: packages 1-31 (two runs: 1-15
	// and 16-31).
	waitSealed(t, c, 31)
	g.write(g.data[3<<20:size-20000], 3<<20)
	// All but the tail written: up to package 255, the last run a whole
	// one (128-255), which the writer takes past the page cache.
	waitSealed(t, c, 255)
	g.write(header, 0)                       // the mdat size, filled in last
	g.write(g.data[size-20000:], size-20000) // the moov
	if err := c.finish(); err != nil {
		t.Fatal(err)
	}
	early := c.sealed.Load()
	if early < 255 || early >= (size-margin)/store.PackagePlain {
		t.Fatalf("%d packages sealed early", early)
	}
	p := storeFollowed(t, lib, c, path)
	if traced["stored again from the start"] != 0 {
		t.Fatal("stored again although the early packages held")
	}
	checkPending(t, lib, p, g.data)
}

// When the writer changes bytes the follower has already sealed (it went
// back further than package 0), the stored copy differs from the finished
// file: it is discarded and the file stored again from the start, right.
func TestFollowerFallsBackWhenSealedBytesChange(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	traced := traceVault(t)

	path := filepath.Join(t.TempDir(), "clip.mp4")
	const size = 3<<20 + 7
	g := newGrowingFile(t, path, size)
	g.write(g.data[:2<<20], 0)
	c, err := lib.followClip(ctx, path, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	waitSealed(t, c, 15) // packages 1-15
	g.data[store.PackagePlain+5] ^= 0xff
	g.write(g.data, 0)
	if err := c.finish(); err != nil {
		t.Fatal(err)
	}
	p := storeFollowed(t, lib, c, path)
	if traced["stored again from the start"] != 1 {
		t.Fatalf("not stored again: %v", traced)
	}
	// The first file is gone: only the second is in vault/pending.
	ents, err := os.ReadDir(filepath.Join(lib.st.Dir(), "vault", "pending"))
	if err != nil || len(ents) != 1 {
		t.Fatalf("pending files %v %v", ents, err)
	}
	checkPending(t, lib, p, g.data)
}

// storeFollowed finishes storing the file at path from what the follower
// sealed (lib.vaultCopy).
func storeFollowed(t *testing.T, lib *Library, c *clipFollower, path string) *store.Pending {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }() // read only
	p, err := lib.vaultCopy(context.Background(), f, c.pw)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// checkPending commits p as a clip of a fresh recording and reads it back
// through the store.
func checkPending(t *testing.T, lib *Library, p *store.Pending, want []byte) {
	t.Helper()
	ctx := context.Background()
	if p.Size() != int64(len(want)) {
		t.Fatalf("stored %d bytes, want %d", p.Size(), len(want))
	}
	src := filepath.Join(t.TempDir(), "cam.mp4")
	if err := media.WriteIndexedClip(ctx, src, media.IndexedClipOptions{Frames: 10}); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	rec := ingestOne(t, lib, src)
	d := &Derivative{RecordingID: rec.ID, MasterSHA256: rec.SHA256, Kind: KindClipLossless, From: 0, To: 0, CreatedBy: "test", FrameMap: []int{0}}
	if err := lib.st.CommitDerivative(ctx, p, d, lib.entry("clip.create")); err != nil {
		t.Fatal(err)
	}
	m, err := lib.st.OpenDerivative(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.Close() }() // read only
	got, err := io.ReadAll(io.NewSectionReader(m, 0, m.Size()))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("stored copy reads back %d bytes (%v), not the file", len(got), err)
	}
}
