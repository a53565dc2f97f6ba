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
)

func addDerivative(t *testing.T, s *Store, recID string, data []byte) *Derivative {
	t.Helper()
	ctx := context.Background()
	p, err := s.WriteMaster(ctx, bytes.NewReader(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(ctx, nil); err != nil {
		t.Fatal(err)
	}
	d := &Derivative{RecordingID: recID, Kind: KindClipLossless, From: 3, To: 7, CreatedBy: "sgt",
		Recipe:    Recipe{Tool: "ffmpeg version test", Args: []string{"-i", "master-" + recID}, Notes: []string{"edit list"}},
		FrameHash: []byte("#format: frame checksums\n"), MasterFrameHash: []byte("#format: frame checksums\n"),
		FrameMap: []int{3, 4, 5, 6, 7}}
	if err := s.CommitDerivative(ctx, p, d, &AuditEntry{User: "sgt", Action: "clip.create"}); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDerivatives(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	rec := ingestBytes(t, s, randomBytes(t, 5000), "PC 1 Able")
	other := ingestBytes(t, s, randomBytes(t, 5000), "PC 2 Baker")
	data := randomBytes(t, 200_000)
	d1 := addDerivative(t, s, rec.ID, data)
	d2 := addDerivative(t, s, rec.ID, randomBytes(t, 1000))
	keep := addDerivative(t, s, other.ID, randomBytes(t, 1000))
	if d1.Ref != rec.ID+"-C1" || d2.Ref != rec.ID+"-C2" || keep.Ref != other.ID+"-C1" || d1.MasterSHA256 != rec.SHA256 {
		t.Fatalf("refs %s %s %s", d1.Ref, d2.Ref, keep.Ref)
	}
	sum := sha256.Sum256(data)
	if d1.SHA256 != hex.EncodeToString(sum[:]) || d1.Size != int64(len(data)) {
		t.Fatalf("hash %s size %d", d1.SHA256, d1.Size)
	}
	got, err := s.GetDerivative(ctx, strings.ToLower(d1.Ref))
	if err != nil || got.ID != d1.ID || got.Recipe.Notes[0] != "edit list" || len(got.FrameMap) != 5 || got.FrameMap[4] != 7 {
		t.Fatalf("get %+v %v", got, err)
	}
	m, err := s.OpenDerivative(ctx, d1.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(io.NewSectionReader(m, 0, m.Size()))
	if cerr := m.Close(); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil || !bytes.Equal(b, data) {
		t.Fatalf("read back %d bytes, %v", len(b), err)
	}
	// Encrypted at rest.
	vp, err := s.DerivativeVaultPath(ctx, d1.ID)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(vp)
	if bytes.Contains(raw, data[:64]) {
		t.Fatal("clip stored in the clear")
	}
	// The audit entry holds both hashes.
	es, err := s.AuditEntries(ctx, AuditQuery{Action: "clip.create", IncludeRestricted: true})
	if err != nil || len(es) != 3 || es[0].SHA256 != rec.SHA256 || !strings.Contains(es[0].Detail, d1.SHA256) {
		t.Fatalf("audit %+v %v", es, err)
	}

	// A committed clip whose file was not yet moved is recovered on open.
	p, err := s.WriteMaster(ctx, bytes.NewReader(randomBytes(t, 3000)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.waitSynced(); err != nil {
		t.Fatal(err)
	}
	pendingName := p.name
	if _, err := s.db.Exec(`INSERT INTO derivatives (id, ref, recording_id, seq, master_sha256, kind, frame_from, frame_to,
		sha256, size, recipe, frame_hash, master_frame_hash, frame_map, created_by, created_at, vault_name, vault_size, data_key)
		VALUES ('PENDING234', ?, ?, 9, ?, 'clip-court', 0, 1, ?, ?, '{}', x'', x'', '[]', 'sgt', 0, ?, ?, ?)`,
		rec.ID+"-C9", rec.ID, rec.SHA256, p.SHA256(), p.size, p.name, p.encSize, s.wrap.seal(p.key, derivativeKeyAD("PENDING234"))); err != nil {
		t.Fatal(err)
	}
	_ = p.f.Close() // killed before the move: nothing more is written
	s2, err := Open(s.dir, KeyOptions{Passphrase: []byte("correct horse")})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s2.Close() }() // the test is over
	if _, err := os.Stat(filepath.Join(s.vaultDir(), pendingName)); err != nil {
		t.Fatalf("committed clip not moved into the vault: %v", err)
	}

	// Deleting the recording deletes its clips and their vault files, not others'.
	var paths []string
	for _, id := range []string{d1.ID, d2.ID, "PENDING234"} {
		p, err := s.DerivativeVaultPath(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	del, err := s.DeleteRecording(ctx, rec.ID, "retention", func(RetentionPolicy, *RetentionState) (string, error) { return "test", nil },
		&AuditEntry{User: "retention", Action: "retention.delete"})
	if err != nil || !del.VaultRemoved {
		t.Fatalf("delete %+v %v", del, err)
	}
	for _, p := range paths {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("clip vault file %s survived: %v", p, err)
		}
	}
	if _, err := s.GetDerivative(ctx, d1.ID); !errors.Is(err, ErrNoDerivative) {
		t.Errorf("clip row survived: %v", err)
	}
	if l, err := s.Derivatives(ctx, other.ID); err != nil || len(l) != 1 {
		t.Errorf("the other recording's clips: %v %v", l, err)
	}
	if _, err := s.DerivativeVaultPath(ctx, keep.ID); err != nil {
		t.Errorf("the other recording's clip file: %v", err)
	}
	var left int
	if err := s.db.QueryRow("SELECT count(*) FROM derivative_deletions WHERE recording_id = ? AND vault_removed = 1", rec.ID).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 3 {
		t.Errorf("%d derivative deletions noted removed, want 3", left)
	}
	if v, _ := s.SchemaVersion(); v < 6 {
		t.Errorf("schema %d", v)
	}
}
