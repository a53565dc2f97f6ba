package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minio/sio"
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
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := randomBytes(t, tc.size)
			w, err := s.NewPackageWriter()
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range tc.early {
				if err := w.WriteFull(i, data[i*PackagePlain:(i+1)*PackagePlain]); err != nil {
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
// changed after them) are caught when the stored copy is read back.
func TestPackageWriterCatchesChangedSource(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	data := randomBytes(t, 10*PackagePlain+5)
	w, err := s.NewPackageWriter()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFull(3, data[3*PackagePlain:4*PackagePlain]); err != nil {
		t.Fatal(err)
	}
	changed := bytes.Clone(data)
	changed[3*PackagePlain+77] ^= 1
	p, err := w.Finish(ctx, bytes.NewReader(changed), int64(len(changed)))
	if err != nil {
		t.Fatal(err)
	}
	err = p.Verify(ctx, nil)
	if !errors.Is(err, ErrVaultDamaged) || !strings.Contains(err.Error(), "differs") {
		t.Fatalf("verify: %v", err)
	}
	name := p.f.Name()
	if err := p.Discard(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(name); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("discarded file still there: %v", err)
	}
}

// A tampered package on disk fails the read-back.
func TestPackageWriterCatchesTamperedFile(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	data := randomBytes(t, 6*PackagePlain)
	w, err := s.NewPackageWriter()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFull(1, data[PackagePlain:2*PackagePlain]); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(w.p.f.Name(), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{0xff}, packageSealed+packageHeader+9); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	p, err := w.Finish(ctx, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(ctx, nil); !errors.Is(err, ErrVaultDamaged) {
		t.Fatalf("verify: %v", err)
	}
	if err := p.Discard(); err != nil {
		t.Fatal(err)
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
