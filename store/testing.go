package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Test support, in a non-test file so that other packages' tests can use
// it (restic's testing.go habit). Nothing here is used by the program.

// TestArgon2 are Argon2id parameters cheap enough for tests (t=1, 8 MiB,
// one thread). Never use them for a real store: they protect nothing.
var TestArgon2 = Argon2Params{Time: 1, Memory: 8 * 1024, Threads: 1}

// UseTestArgon2 makes DefaultArgon2 TestArgon2, for passphrase wrapping
// and password hashing, and returns the function that puts the default
// back. It is the one fast-KDF switch for tests: call it from TestMain, or
// as t.Cleanup(store.UseTestArgon2()) in a test that runs on its own (it
// sets a package variable, so not while other goroutines create stores
// or hash passwords). A wrapped key or hash keeps its parameters, so what
// is made under it opens the same way afterwards.
func UseTestArgon2() (restore func()) {
	old := DefaultArgon2
	DefaultArgon2 = TestArgon2
	return func() { DefaultArgon2 = old }
}

// ProductionArgon2 are the Argon2id parameters of a real store
// (DefaultArgon2 before any test changed it), for measurements that must
// pay what a user pays.
var ProductionArgon2 = DefaultArgon2

// SeedTestRecordings inserts n synthetic recordings (ids S0000000, ...;
// no vault files, so they cannot be played) directly, in one transaction,
// sealed exactly as Commit seals them, recorded one a minute from base
// on: for list and start-up measurements on a large store.
func SeedTestRecordings(s *Store, n int, base time.Time) error {
	return s.withTx(context.Background(), func(tx *sql.Tx) error {
		for i := range n {
			id := fmt.Sprintf("S%07d", i)
			p := Personal{Officer: fmt.Sprintf("PC %04d Officer%d", i%500, i%500), DeviceSerial: fmt.Sprintf("X60A%04d", i%300),
				Make: "Axon", Model: "Body 3", SourceName: fmt.Sprintf("X60A%04d_%07d.MP4", i%300, i)}
			pj := p.marshal()
			_, err := tx.Exec(`INSERT INTO recordings (id, sha256, size, recorded_at, recorded_at_source, ingested_at,
				duration_ms, frame_count, width, height, fps_num, fps_den, container, video_codec, audio_codec,
				status, restricted, vault_name, vault_size, data_key, personal)
				VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
				id, fmt.Sprintf("%064x", i), 1000, base.Add(time.Duration(i)*time.Minute).UnixMilli(), "sidecar",
				base.UnixMilli(), 60000, 1500, 1920, 1080, 25, 1, "mp4", "h264", "aac", "unreviewed", i%50 == 0,
				fmt.Sprintf("v%07d", i), 1100, s.wrap.seal(make([]byte, KeySize), dataKeyAD(id)), s.fields.seal(pj, personalAD(id)))
			if err != nil {
				return fmt.Errorf("seed recording %d: %w", i, err)
			}
		}
		return nil
	})
}
