package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// memKeyring is an in-memory Keyring for unit tests; the real Secret Service
// is exercised in keyring_test.go.
type memKeyring struct {
	mu  sync.Mutex
	m   map[string]string
	err error
}

func (k *memKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.err != nil {
		return "", k.err
	}
	v, ok := k.m[service+"/"+user]
	if !ok {
		return "", errors.New("secret not found in keyring")
	}
	return v, nil
}

func (k *memKeyring) Set(service, user, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.err != nil {
		return k.err
	}
	if k.m == nil {
		k.m = map[string]string{}
	}
	k.m[service+"/"+user] = secret
	return nil
}

func (k *memKeyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.m, service+"/"+user)
	return nil
}

// fastArgon keeps unit tests quick; the default parameters are tested once.
func fastArgon(t *testing.T) { t.Cleanup(UseTestArgon2()) }

func newTestStore(t *testing.T) *Store {
	t.Helper()
	fastArgon(t)
	s, err := Init(t.TempDir(), KeyOptions{Passphrase: []byte("correct horse")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func randomBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func ingestBytes(t *testing.T, s *Store, data []byte, officer string) *Recording {
	t.Helper()
	ctx := context.Background()
	p, err := s.WriteMaster(ctx, bytes.NewReader(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(ctx, nil); err != nil {
		t.Fatal(err)
	}
	rec := &Recording{RecordedAt: time.Date(2026, 11, 1, 9, 30, 0, 0, time.UTC), RecordedAtSource: "sidecar",
		IngestedAt: time.Now().UTC(), Duration: 2 * time.Second, Frames: 50, Width: 1920, Height: 1080,
		FPSNum: 25, FPSDen: 1, Container: "mp4", VideoCodec: "h264", AudioCodec: "aac",
		Personal: Personal{Officer: officer, DeviceSerial: "BWV-000123", SourceName: "FILE0001.MP4"}}
	if err := s.Commit(ctx, p, rec, []byte{1, 2, 3}, []byte("thumbnail jpeg bytes"), nil); err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestInitOpenPassphrase(t *testing.T) {
	fastArgon(t)
	dir := t.TempDir()
	s, err := Init(dir, KeyOptions{Passphrase: []byte("pw one")})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	if _, err := Init(dir, KeyOptions{Passphrase: []byte("x")}); !errors.Is(err, ErrExists) {
		t.Fatalf("second init: %v, want ErrExists", err)
	}
	if _, err := Open(dir, KeyOptions{Passphrase: []byte("pw two")}); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	_, err = Open(dir, KeyOptions{})
	if !errors.Is(err, ErrNoKey) {
		t.Fatalf("no key: %v", err)
	}
	for _, want := range []string{"keyring", "EXHIBIT_PASSPHRASE", "--passphrase-file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("no-key message %q does not name %q", err, want)
		}
	}
	s, err = Open(dir, KeyOptions{Passphrase: []byte("pw one")})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if v, err := s.SchemaVersion(); err != nil || v < 1 {
		t.Fatalf("schema version %d, %v", v, err)
	}
	if _, err := Open(t.TempDir(), KeyOptions{}); !errors.Is(err, ErrNotInitialized) {
		t.Fatalf("empty dir: %v", err)
	}
}

func TestDefaultArgon2IsRFC9106(t *testing.T) {
	if DefaultArgon2 != (Argon2Params{Time: 3, Memory: 64 * 1024, Threads: 4}) {
		t.Fatalf("DefaultArgon2 = %+v", DefaultArgon2)
	}
	w, err := wrapWithPassphrase(make([]byte, KeySize), []byte("pw"), DefaultArgon2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.unwrap([]byte("pw")); err != nil {
		t.Fatal(err)
	}
}

func TestKeyringAndAddPassphrase(t *testing.T) {
	fastArgon(t)
	dir := t.TempDir()
	kr := &memKeyring{}
	s, err := Init(dir, KeyOptions{Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	rec := ingestBytes(t, s, randomBytes(t, 1000), "PC 1234 Smith")
	if err := s.SetPassphrase([]byte("court laptop")); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	// From the keyring alone.
	s, err = Open(dir, KeyOptions{Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	// On a machine without the keyring entry: the passphrase alone.
	s, err = Open(dir, KeyOptions{Passphrase: []byte("court laptop"), Keyring: &memKeyring{}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(context.Background(), rec.ID)
	if err != nil || got.Personal.Officer != "PC 1234 Smith" {
		t.Fatalf("get after passphrase open: %+v %v", got, err)
	}
	_ = s.Close()
	// A keyring that holds another store's key must not open this one.
	other := &memKeyring{}
	kf, _ := readKeyFile(dir)
	if err := other.Set(KeyringService, keyringUser(kf.StoreID), b64(make([]byte, KeySize))); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, KeyOptions{Keyring: other}); !errors.Is(err, ErrNoKey) {
		t.Fatalf("mismatched keyring key: %v", err)
	}
}

func TestInitWithoutAnyKeyFails(t *testing.T) {
	_, err := Init(t.TempDir(), KeyOptions{Keyring: &memKeyring{err: errors.New("no D-Bus session")}})
	if err == nil || !strings.Contains(err.Error(), "EXHIBIT_PASSPHRASE") {
		t.Fatalf("init with a broken keyring and no passphrase: %v", err)
	}
}

// TestMasterRoundTrip checks sizes around the 64 KiB package and the 1 MiB
// pipeline block boundaries, and random-access reads across them.
func TestMasterRoundTrip(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	for _, n := range []int{1, 65535, 65536, 65537, blockSize - 1, blockSize, blockSize + 1, 3*blockSize + 12345} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			data := randomBytes(t, n)
			rec := ingestBytes(t, s, data, "x")
			want := sha256.Sum256(data)
			if rec.SHA256 != hex.EncodeToString(want[:]) || rec.Size != int64(n) {
				t.Fatalf("sha/size = %s/%d", rec.SHA256, rec.Size)
			}
			m, err := s.OpenMaster(ctx, rec.ID)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = m.Close() }()
			got, err := io.ReadAll(io.NewSectionReader(m, 0, m.Size()))
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("read all: %v, equal=%v", err, bytes.Equal(got, data))
			}
			for _, off := range []int{0, n / 2, n - 1, 65535, 65536, 65537} {
				if off >= n {
					continue
				}
				buf := make([]byte, 70000)
				k, err := m.ReadAt(buf, int64(off))
				end := min(off+len(buf), n)
				if k != end-off || !bytes.Equal(buf[:k], data[off:end]) {
					t.Fatalf("ReadAt(%d) = %d, %v", off, k, err)
				}
				if end < off+len(buf) && err != io.EOF {
					t.Fatalf("ReadAt(%d) past end: err %v, want EOF", off, err)
				}
			}
			if err := s.VerifyMaster(ctx, rec.ID, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestDuplicateRejected(t *testing.T) {
	s := newTestStore(t)
	data := randomBytes(t, 5000)
	first := ingestBytes(t, s, data, "a")
	p, err := s.WriteMaster(context.Background(), bytes.NewReader(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Commit(context.Background(), p, &Recording{}, nil, nil, nil)
	if !errors.Is(err, ErrDuplicate) || !strings.Contains(err.Error(), first.ID) {
		t.Fatalf("duplicate commit: %v", err)
	}
	if ents, _ := os.ReadDir(s.pendingDir()); len(ents) != 0 {
		t.Fatalf("duplicate left %d pending files", len(ents))
	}
	if n, _ := s.Count(context.Background(), true); n != 1 {
		t.Fatalf("count %d", n)
	}
}

func TestTamperedVaultDetected(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	data := randomBytes(t, 300000)
	rec := ingestBytes(t, s, data, "a")
	path, err := s.VaultPath(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := os.ReadFile(path)

	flipped := bytes.Clone(orig)
	flipped[len(flipped)/2] ^= 0x01
	if err := os.WriteFile(path, flipped, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyMaster(ctx, rec.ID, nil); !errors.Is(err, ErrVaultDamaged) {
		t.Fatalf("flipped byte: %v", err)
	}
	m, err := s.OpenMaster(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(io.NewSectionReader(m, 0, m.Size())); !errors.Is(err, ErrVaultDamaged) {
		t.Fatalf("read of flipped vault: %v", err)
	}
	_ = m.Close()

	// Truncated at a package boundary (size check) and mid-package.
	for _, cut := range []int{65536 + 32, len(orig) - 7} {
		if err := os.WriteFile(path, orig[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		if err := s.VerifyMaster(ctx, rec.ID, nil); !errors.Is(err, ErrVaultDamaged) {
			t.Fatalf("truncated to %d: %v", cut, err)
		}
		if _, err := s.OpenMaster(ctx, rec.ID); !errors.Is(err, ErrVaultDamaged) {
			t.Fatalf("open truncated: %v", err)
		}
	}
	os.Remove(path)
	if err := s.VerifyMaster(ctx, rec.ID, nil); !errors.Is(err, ErrVaultDamaged) {
		t.Fatalf("missing vault file: %v", err)
	}
	if err := os.WriteFile(path, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyMaster(ctx, rec.ID, nil); err != nil {
		t.Fatalf("restored: %v", err)
	}
}

func TestDataKeyBoundToRow(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := ingestBytes(t, s, randomBytes(t, 1000), "a")
	b := ingestBytes(t, s, randomBytes(t, 1000), "b")
	// Copy a's sealed data key and personal data onto b: both must fail to open.
	if _, err := s.db.Exec(`UPDATE recordings SET data_key = (SELECT data_key FROM recordings WHERE id = ?),
		personal = (SELECT personal FROM recordings WHERE id = ?) WHERE id = ?`, a.ID, a.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenMaster(ctx, b.ID); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("moved data key: %v", err)
	}
	if _, err := s.Get(ctx, b.ID); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("moved personal data: %v", err)
	}
}

func TestRecoverPending(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	// A killed writer: a pending file with no row and no lock.
	debris := filepath.Join(s.pendingDir(), "deadbeef")
	if err := os.WriteFile(debris, []byte("half written"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A live writer in progress: locked pending file must survive.
	live, err := s.WriteMaster(ctx, bytes.NewReader(randomBytes(t, 2000)), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Killed between commit and the move into the vault.
	data := randomBytes(t, 3000)
	p, err := s.WriteMaster(ctx, bytes.NewReader(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &Recording{RecordedAt: time.Now(), IngestedAt: time.Now()}
	rec.SHA256, rec.Size, rec.VaultSize = p.SHA256(), p.size, p.encSize
	rec.ID, _ = randomID(IDLength)
	if err := s.withTx(ctx, func(tx *sql.Tx) error { return s.insert(tx, p, rec, nil, nil) }); err != nil {
		t.Fatal(err)
	}
	_ = p.f.Close() // the process dies: lock released, file stays in pending

	s2, err := Open(s.dir, KeyOptions{Passphrase: []byte("correct horse")})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s2.Close() }()
	if _, err := os.Stat(debris); !os.IsNotExist(err) {
		t.Fatalf("debris not removed: %v", err)
	}
	if _, err := os.Stat(live.f.Name()); err != nil {
		t.Fatalf("live pending file removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.vaultDir(), p.name)); err != nil {
		t.Fatalf("committed pending not moved into vault: %v", err)
	}
	if err := s2.VerifyMaster(ctx, rec.ID, nil); err != nil {
		t.Fatal(err)
	}
	_ = live.Discard()
}

func TestResolvePrefix(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	r := ingestBytes(t, s, randomBytes(t, 100), "a")
	for _, q := range []string{r.ID, strings.ToLower(r.ID), r.ID[:4]} {
		if id, err := s.Resolve(ctx, q, false); err != nil || id != r.ID {
			t.Fatalf("Resolve(%q) = %q, %v", q, id, err)
		}
	}
	if _, err := s.Resolve(ctx, "ZZZZZZZZZ", false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	if _, err := s.Resolve(ctx, "%", false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("wildcard: %v", err)
	}
}

func TestNothingPlainAtRest(t *testing.T) {
	s := newTestStore(t)
	marker := []byte("ftypisomEXHIBITPLAINTEXTMARKER")
	data := append(bytes.Repeat([]byte{0}, 100), marker...)
	ingestBytes(t, s, data, "Sergeant Unique-Officer-Name")
	_ = s.Close()
	_ = filepath.Walk(s.dir, func(path string, info os.FileInfo, err error) error { // errors are reported inside
		if err != nil || info.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		for _, needle := range [][]byte{marker, []byte("Unique-Officer-Name"), []byte("BWV-000123"), []byte("FILE0001"), []byte("thumbnail jpeg")} {
			if bytes.Contains(b, needle) {
				t.Errorf("%s holds %q in the clear", path, needle)
			}
		}
		return nil
	})
}

func TestRandomIDAlphabet(t *testing.T) {
	for range 1000 {
		id, err := randomID(IDLength)
		if err != nil || len(id) != IDLength || strings.ContainsAny(id, "01OILU") {
			t.Fatalf("bad id %q %v", id, err)
		}
	}
}
