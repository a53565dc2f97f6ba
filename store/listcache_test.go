package store

import (
	"context"
	"reflect"
	"testing"
)

func listIDs(t *testing.T, s *Store, o ListOptions) []string {
	t.Helper()
	recs, err := s.List(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID + "/" + r.Status + "/" + r.Personal.Officer
	}
	return ids
}

func cacheGeneration(t *testing.T, s *Store) int64 {
	t.Helper()
	var g int64
	if err := s.db.QueryRow("SELECT generation FROM list_cache WHERE id = 1").Scan(&g); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestListCacheMatchesTable checks that the snapshot gives exactly what the
// table gives, and that every kind of change to recordings invalidates it.
func TestListCacheMatchesTable(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	seedRecordings(t, s, 40000) // more than two chunks
	scanned, err := s.scanList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.List(ctx, ListOptions{IncludeRestricted: true}) // scans, writes the snapshot
	if err != nil {
		t.Fatal(err)
	}
	gen, _ := s.listGeneration(ctx)
	cached, ok := s.cachedList(ctx, gen)
	if !ok {
		t.Fatal("no snapshot after a list")
	}
	if len(cached) != len(scanned) || len(first) != len(scanned) {
		t.Fatalf("snapshot %d, first list %d, table %d", len(cached), len(first), len(scanned))
	}
	for i := range scanned {
		if !reflect.DeepEqual(*cached[i], *scanned[i]) {
			t.Fatalf("record %d: snapshot %+v, table %+v", i, *cached[i], *scanned[i])
		}
	}
	// Filters give the same with and without the snapshot.
	o := ListOptions{Limit: 7, From: scanned[900].RecordedAt, To: scanned[100].RecordedAt}
	withCache := listIDs(t, s, o)
	if _, err := s.db.Exec("DELETE FROM list_cache"); err != nil {
		t.Fatal(err)
	}
	if got := listIDs(t, s, o); !reflect.DeepEqual(got, withCache) || len(got) != 7 {
		t.Fatalf("filtered list differs: %v vs %v", got, withCache)
	}

	// An insert through Commit, an update and a delete each show at once.
	rec := ingestBytes(t, s, randomBytes(t, 500), "PC 1 Newest")
	if got := listIDs(t, s, ListOptions{Limit: 40001, IncludeRestricted: true}); len(got) != 40001 {
		t.Fatalf("after an insert: %d listed", len(got))
	}
	if _, err := s.db.Exec("UPDATE recordings SET status = 'evidence' WHERE id = ?", rec.ID); err != nil {
		t.Fatal(err)
	}
	if got := listIDs(t, s, ListOptions{Status: "evidence"}); len(got) != 1 || got[0] != rec.ID+"/evidence/PC 1 Newest" {
		t.Fatalf("after an update: %v", got)
	}
	if _, err := s.db.Exec("UPDATE recordings SET restricted = 1 WHERE id = ?", rec.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range listIDs(t, s, ListOptions{}) {
		if id[:IDLength] == rec.ID {
			t.Fatal("a restricted recording listed after the snapshot")
		}
	}
	if _, err := s.db.Exec("DELETE FROM frame_tables WHERE recording_id = ?", rec.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec("DELETE FROM thumbnails WHERE recording_id = ?", rec.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec("DELETE FROM recordings WHERE id = ?", rec.ID); err != nil {
		t.Fatal(err)
	}
	if got := listIDs(t, s, ListOptions{IncludeRestricted: true}); len(got) != 40000 {
		t.Fatalf("after a delete: %d listed", len(got))
	}
}

// TestListCacheTamperedFallsBack: a snapshot that does not open is ignored.
func TestListCacheTamperedFallsBack(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	ingestBytes(t, s, randomBytes(t, 100), "PC 2 Real")
	want := listIDs(t, s, ListOptions{})
	gen := cacheGeneration(t, s)
	var blob []byte
	if err := s.db.QueryRow("SELECT data FROM list_cache").Scan(&blob); err != nil {
		t.Fatal(err)
	}
	blob[len(blob)-3] ^= 1
	if _, err := s.db.Exec("UPDATE list_cache SET data = ? WHERE id = 1", blob); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.cachedList(ctx, gen); ok {
		t.Fatal("a tampered snapshot opened")
	}
	if got := listIDs(t, s, ListOptions{}); !reflect.DeepEqual(got, want) {
		t.Fatalf("after tampering: %v, want %v", got, want)
	}
	// A snapshot of another generation is not used either.
	if _, err := s.db.Exec("UPDATE list_cache SET generation = generation + 5"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.cachedList(ctx, gen); ok {
		t.Fatal("a snapshot of another generation was used")
	}
}

// TestListCacheAcrossProcesses: a second opener's insert invalidates the
// first opener's snapshot (the generation lives in the database).
func TestListCacheAcrossProcesses(t *testing.T) {
	s := newTestStore(t)
	ingestBytes(t, s, randomBytes(t, 100), "A")
	if n := len(listIDs(t, s, ListOptions{})); n != 1 {
		t.Fatalf("%d listed", n)
	}
	other, err := Open(s.dir, KeyOptions{Passphrase: []byte("correct horse")})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Close() }()
	ingestBytes(t, other, randomBytes(t, 100), "B")
	if n := len(listIDs(t, s, ListOptions{})); n != 2 {
		t.Fatalf("the first store lists %d after the other's insert", n)
	}
}

func FuzzDecodeListCache(f *testing.F) {
	recs := []*Recording{{ID: "ABCDEFGH", SHA256: "00", Status: "unreviewed", Personal: Personal{Officer: "x"}}}
	f.Add(encodeListCache(recs))
	f.Add([]byte{1, 5, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeListCache(string(b)) // must not panic
	})
}
