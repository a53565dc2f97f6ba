package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minio/sio"
	"golang.org/x/sys/unix"
)

// A file written out of order by PackageWriter is a DARE 2.0 stream that
// sio's own reader decrypts, whatever its size, and the store opens and
// reads it like any other derivative.
func TestPackageWriterOutOfOrder(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	rec := ingestBytes(t, s, randomBytes(t, 5000), "PC 1 Able")
	for _, tc := range []struct {
		name  string
		size  int
		early []int64 // packages written before Finish, in this order
	}{
		{"one short package", 1000, nil},
		{"exactly one package", PackagePlain, nil},
		{"whole packages only", 4 * PackagePlain, []int64{2, 1}},
		{"ragged end", 37*PackagePlain + 123, []int64{5, 1, 2, 30, 17, 18, 19}},
		{"nothing early", 3*PackagePlain + 1, nil},
		// Whole aligned runs (past the page cache), a partial run before
		// them, and the rest left to Finish, some of it whole runs too.
		{"direct runs", (3*PackageRun+7)*PackagePlain + 99, []int64{PackageRun, 1}},
		{"direct runs, no direct I/O", (2*PackageRun+1)*PackagePlain + 1, []int64{PackageRun, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if strings.HasSuffix(tc.name, "no direct I/O") {
				directIO = false
				defer func() { directIO = true }()
			}
			data := randomBytes(t, tc.size)
			w, err := s.NewPackageWriter()
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "direct runs" && !w.Direct() && directIOWorks(t, s.Dir()) {
				t.Fatal("O_DIRECT works in the store's folder but the writer does not use it")
			}
			for _, i := range tc.early {
				n := int64(1) // a package, or a whole run at a multiple of PackageRun
				if i > 0 && i%PackageRun == 0 {
					n = PackageRun
				} else if i == 1 && tc.size > PackageRun*PackagePlain {
					n = PackageRun - 1 // the rest of the first run
				}
				if err := w.WriteFull(i, data[i*PackagePlain:(i+n)*PackagePlain]); err != nil {
					t.Fatal(err)
				}
			}
			p, err := w.Finish(ctx, bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Verify(ctx, nil); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			if p.SHA256() != hex.EncodeToString(sum[:]) || p.Size() != int64(len(data)) {
				t.Fatalf("sha256 %s size %d", p.SHA256(), p.Size())
			}
			// sio's own reader, from the raw file.
			raw, err := os.ReadFile(p.f.Name())
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(raw, data[:64]) {
				t.Fatal("stored in the clear")
			}
			dec, err := sio.DecryptReader(bytes.NewReader(raw), sioConfig(p.key))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(dec)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("sio read %d bytes: %v", len(got), err)
			}
			d := &Derivative{RecordingID: rec.ID, Kind: KindClipLossless, From: 0, To: 1, CreatedBy: "sgt", FrameMap: []int{0, 1}}
			if err := s.CommitDerivative(ctx, p, d, &AuditEntry{User: "sgt", Action: "clip.create"}); err != nil {
				t.Fatal(err)
			}
			m, err := s.OpenDerivative(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = m.Close() }() // read only
			back := make([]byte, len(data))
			if _, err := m.ReadAt(back, 0); err != nil || !bytes.Equal(back, data) {
				t.Fatalf("store read: %v", err)
			}
		})
	}
}

// Packages written early that do not hold the source's bytes (the source
// changed after them) are caught when Finish reads the finished source,
// naming the package: one written through the page cache, and one deep
// in a whole run written past it.
func TestPackageWriterCatchesChangedSource(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	data := randomBytes(t, (2*PackageRun+10)*PackagePlain+5)
	for _, tc := range []struct {
		first, n int64
		changed  int64 // byte
		want     string
	}{
		{3, 1, 3*PackagePlain + 77, fmt.Sprintf("bytes %d-%d", 3*PackagePlain, 4*PackagePlain-1)},
		{PackageRun, PackageRun, (PackageRun+100)*PackagePlain + 5,
			fmt.Sprintf("bytes %d-%d", (PackageRun+100)*PackagePlain, (PackageRun+101)*PackagePlain-1)},
	} {
		w, err := s.NewPackageWriter()
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteFull(tc.first, data[tc.first*PackagePlain:(tc.first+tc.n)*PackagePlain]); err != nil {
			t.Fatal(err)
		}
		changed := bytes.Clone(data)
		changed[tc.changed] ^= 1
		p, err := w.Finish(ctx, bytes.NewReader(changed), int64(len(changed)))
		if err != nil {
			t.Fatal(err)
		}
		err = p.Verify(ctx, nil)
		if !errors.Is(err, ErrVaultDamaged) || !strings.Contains(err.Error(), "differs") || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("verify: %v; want the bytes of the run: %s", err, tc.want)
		}
		name := p.f.Name()
		if err := p.Discard(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(name); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("discarded file still there: %v", err)
		}
	}
}

// A package that does not read back as it was written (changed on disk
// between the write and the read-back) fails the write that made it,
// whether it went past the page cache (a whole aligned run) or through
// it; the file is then discarded.
func TestPackageWriterCatchesTamperedFile(t *testing.T) {
	s := newTestStore(t)
	data := randomBytes(t, (2*PackageRun+3)*PackagePlain)
	for _, tc := range []struct {
		name        string
		first, n    int64
		wantDirect  bool
		directOnOff bool
	}{
		{"through the page cache", 1, 2, false, true},
		{"past the page cache", PackageRun, PackageRun, true, true},
		{"no direct I/O", PackageRun, PackageRun, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			directIO = tc.directOnOff
			defer func() { directIO = true }()
			w, err := s.NewPackageWriter()
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantDirect && !w.Direct() {
				t.Skip("this file system does not take O_DIRECT")
			}
			tampered := 0
			afterWrite = func(path string, off int64) {
				f, err := os.OpenFile(path, os.O_RDWR, 0)
				if err != nil {
					t.Error(err)
					return
				}
				defer func() { _ = f.Close() }() // a test file
				b := []byte{0}
				at := off + packageSealed + packageHeader + 9
				if _, err := f.ReadAt(b, at); err != nil {
					t.Error(err)
				}
				b[0] ^= 0xff // a changed byte, whatever it was
				if _, err := f.WriteAt(b, at); err != nil {
					t.Error(err)
				}
				tampered++
			}
			defer func() { afterWrite = nil }()
			err = w.WriteFull(tc.first, data[tc.first*PackagePlain:(tc.first+tc.n)*PackagePlain])
			if err == nil {
				// A direct run is written and read back while the caller
				// goes on: its failure is the next write's, or Finish's.
				_, err = w.Finish(context.Background(), bytes.NewReader(data), int64(len(data)))
			}
			if tampered != 1 || !errors.Is(err, ErrVaultDamaged) || !strings.Contains(err.Error(), "read back differ") {
				t.Fatalf("tampered %d times; write: %v", tampered, err)
			}
			if err := w.Discard(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The writer refuses what would make a wrong file: a package twice, a
// piece that is not whole packages, and a package written early that
// turns out to be the last (it must be marked final).
func TestPackageWriterRefuses(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	data := randomBytes(t, 4*PackagePlain+10)
	w, err := s.NewPackageWriter()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFull(1, data[PackagePlain:2*PackagePlain]); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFull(1, data[PackagePlain:2*PackagePlain]); err == nil {
		t.Fatal("package written twice")
	}
	if err := w.WriteFull(2, data[:100]); err == nil {
		t.Fatal("a piece of a package written")
	}
	name := w.p.f.Name()
	// The source turned out shorter: package 1 is its last.
	if _, err := w.Finish(ctx, bytes.NewReader(data[:PackagePlain+5]), PackagePlain+5); err == nil || !strings.Contains(err.Error(), "before the end") {
		t.Fatalf("finish: %v", err)
	}
	if _, err := os.Stat(name); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("file left after a failed finish: %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Dir(name)); len(ents) != 0 {
		t.Fatalf("pending files left: %v", ents)
	}
}

// A source shorter than the size given is an error, never a padded file.
func TestPackageWriterShortSource(t *testing.T) {
	s := newTestStore(t)
	data := randomBytes(t, 2*PackagePlain+100)
	w, err := s.NewPackageWriter()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Finish(context.Background(), bytes.NewReader(data[:2*PackagePlain+50]), int64(len(data))); err == nil || !strings.Contains(err.Error(), "read the source") {
		t.Fatalf("finish: %v", err)
	}
}

// directIOWorks reports whether a file in dir can be opened with O_DIRECT.
func directIOWorks(t *testing.T, dir string) bool {
	f, err := os.OpenFile(filepath.Join(dir, "direct-probe"), os.O_RDWR|os.O_CREATE|unix.O_DIRECT, 0o600)
	if err != nil {
		return false
	}
	_ = f.Close() // a probe
	return os.Remove(f.Name()) == nil
}
