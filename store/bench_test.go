package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// benchFile returns a file of random bytes of the size the benchmark asks
// for (EXHIBIT_BENCH_SIZE_MB, default 1024), kept in dir.
func benchFile(b *testing.B, dir string) (string, int64) {
	b.Helper()
	mb := 1024
	if s := os.Getenv("EXHIBIT_BENCH_SIZE_MB"); s != "" {
		if _, err := fmt.Sscan(s, &mb); err != nil {
			b.Fatal(err)
		}
	}
	size := int64(mb) << 20
	path := filepath.Join(dir, "master.bin")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.Reader, size); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path, size
}

func timeIt(f func() error) (time.Duration, error) {
	t := time.Now()
	err := f()
	return time.Since(t), err
}

// BenchmarkIngestPipeline measures hash + encrypt + verify of one large
// master (store.WriteMaster and Pending.Verify) against two peers on the same
// file in the same run: Go's SHA-256 alone, and `sha256sum FILE && age -e -r
// KEY -o /dev/null FILE`. Set EXHIBIT_BENCH_DIR to place the store on a given
// file system (default: the temp dir).
func BenchmarkIngestPipeline(b *testing.B) {
	work := os.Getenv("EXHIBIT_BENCH_DIR")
	if work == "" {
		work = b.TempDir()
	} else {
		var err error
		if work, err = os.MkdirTemp(work, "exhibit-bench-"); err != nil {
			b.Fatal(err)
		}
		defer func() { _ = os.RemoveAll(work) }()
	}
	src, size := benchFile(b, work)
	restore := UseTestArgon2()
	s, err := Init(filepath.Join(work, "store"), KeyOptions{Passphrase: []byte("bench")})
	restore()
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	ctx := context.Background()

	// Warm the page cache so every contender reads from memory.
	if err := exec.Command("sh", "-c", `cat "$1" >/dev/null`, "sh", src).Run(); err != nil {
		b.Fatal(err)
	}
	var ours, shaAlone, peer time.Duration
	for b.Loop() {
		d, err := timeIt(func() error {
			f, err := os.Open(src)
			if err != nil {
				return err
			}
			defer func() { _ = f.Close() }()
			p, err := s.WriteMaster(ctx, f, nil)
			if err != nil {
				return err
			}
			defer func() { _ = p.Discard() }()
			return p.Verify(ctx, nil)
		})
		if err != nil {
			b.Fatal(err)
		}
		ours += d
		d, err = timeIt(func() error {
			f, err := os.Open(src)
			if err != nil {
				return err
			}
			defer func() { _ = f.Close() }()
			h := sha256.New()
			_, err = io.CopyBuffer(h, f, make([]byte, blockSize))
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		shaAlone += d
		if _, err := exec.LookPath("age"); err == nil {
			d, err = timeIt(func() error {
				cmd := exec.Command("sh", "-c", `sha256sum "$1" >/dev/null && age -e -r "$2" -o /dev/null "$1"`, "sh", src,
					"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p")
				out, err := cmd.CombinedOutput()
				if err != nil {
					return fmt.Errorf("%v: %s", err, out)
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			peer += d
		}
	}
	n := float64(b.N)
	mbps := func(d time.Duration) float64 { return float64(size) / 1e6 / (d.Seconds() / n) }
	b.ReportMetric(mbps(ours), "ingest_MB/s")
	b.ReportMetric(mbps(shaAlone), "sha256_MB/s")
	b.ReportMetric(mbps(ours)/mbps(shaAlone), "x_sha256_alone")
	if peer > 0 {
		b.ReportMetric(mbps(peer), "sha256sum+age_MB/s")
		b.ReportMetric(mbps(ours)/mbps(peer), "x_sha256sum+age")
	}
	b.ReportMetric(0, "ns/op")
}

// seedRecordings inserts n synthetic recordings (SeedTestRecordings).
func seedRecordings(b testing.TB, s *Store, n int) {
	b.Helper()
	if err := SeedTestRecordings(s, n, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkList100k lists 100,000 recordings against the peer: a bare
// SQLite scan of the same rows and columns, without decryption. It reports
// the first list after a change (table scan, decryption, new snapshot)
// and the lists that follow (the sealed snapshot).
func BenchmarkList100k(b *testing.B) {
	restore := UseTestArgon2()
	s, err := Init(b.TempDir(), KeyOptions{Passphrase: []byte("bench")})
	restore()
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	const n = 100_000
	seedRecordings(b, s, n)
	ctx := context.Background()
	// The first List after a change scans the table and leaves the sealed
	// snapshot; the loop measures the lists that follow.
	cold, err := timeIt(func() error { _, err := s.List(ctx, ListOptions{IncludeRestricted: true}); return err })
	if err != nil {
		b.Fatal(err)
	}
	var list, scan time.Duration
	for b.Loop() {
		d, err := timeIt(func() error {
			recs, err := s.List(ctx, ListOptions{IncludeRestricted: true})
			if err == nil && len(recs) != n {
				err = fmt.Errorf("listed %d", len(recs))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		list += d
		d, err = timeIt(func() error {
			rows, err := s.db.QueryContext(ctx, "SELECT "+summaryColumns+" FROM recordings ORDER BY recorded_at DESC, id DESC")
			if err != nil {
				return err
			}
			defer rows.Close()
			var r Recording
			var sealed []byte
			for rows.Next() {
				if err := scanSummary(rows, &r, &sealed); err != nil {
					return err
				}
			}
			return rows.Err()
		})
		if err != nil {
			b.Fatal(err)
		}
		scan += d
	}
	k := float64(b.N)
	b.ReportMetric(cold.Seconds()*1000, "first_list_after_change_ms")
	b.ReportMetric(list.Seconds()*1000/k, "list_ms")
	b.ReportMetric(scan.Seconds()*1000/k, "sqlite_scan_ms")
	b.ReportMetric(list.Seconds()/scan.Seconds(), "x_sqlite_scan")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkAuditAppend measures one audit entry (a transaction that
// appends the entry, its tree hashes and a signed checkpoint, then the
// checkpoint file) against the peer: a transaction inserting one plain row
// of the same size into the same database, in the same run.
func BenchmarkAuditAppend(b *testing.B) {
	s, err := Init(b.TempDir(), KeyOptions{Passphrase: []byte("bench")})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	ctx := context.Background()
	if _, err := s.db.Exec("CREATE TABLE peer (seq INTEGER PRIMARY KEY, data TEXT NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	const n = 300
	// A trail that is not tiny: 2,000 entries before measuring.
	for i := 0; i < 2000; i++ {
		if err := s.Audit(ctx, &AuditEntry{User: "warmup", Role: "sergeant", Action: "view.start", RecordingID: "ABCDEFGH"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		audit, err := timeIt(func() error {
			for i := 0; i < n; i++ {
				if err := s.Audit(ctx, &AuditEntry{User: "alice", Role: "sergeant", Action: "view.start",
					RecordingID: "ABCDEFGH", SHA256: fmt.Sprintf("%064x", i), Detail: "viewed"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		peer, err := timeIt(func() error {
			for i := 0; i < n; i++ {
				e := &AuditEntry{User: "alice", Role: "sergeant", Action: "view.start", RecordingID: "ABCDEFGH",
					SHA256: fmt.Sprintf("%064x", i), Detail: "viewed"}
				if err := s.withTx(ctx, func(tx *sql.Tx) error {
					_, err := tx.Exec("INSERT INTO peer (data) VALUES (?)", string(e.LeafData()))
					return err
				}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(audit.Microseconds())/n/1000, "audit_ms/entry")
		b.ReportMetric(float64(peer.Microseconds())/n/1000, "plain_insert_ms/entry")
		b.ReportMetric(float64(audit)/float64(peer), "ratio_vs_plain_insert")
	}
}
