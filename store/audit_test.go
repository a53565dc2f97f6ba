package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

func appendN(t *testing.T, s *Store, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		e := &AuditEntry{User: "alice", Role: "sergeant", Action: "view.start", RecordingID: fmt.Sprintf("REC%05d", i%3),
			Detail: fmt.Sprintf("entry %d", i)}
		if err := s.Audit(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
}

func verifyAudit(t *testing.T, s *Store) *AuditReport {
	t.Helper()
	rep, err := s.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// tamper runs SQL on the store's database as someone with the file would:
// with the append-only triggers dropped.
func tamper(t *testing.T, s *Store, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(s.Dir(), DBName))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	for _, q := range append([]string{"DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"}, stmts...) {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestAuditAppendAndVerify(t *testing.T) {
	s := newTestStore(t)
	if rep := verifyAudit(t, s); rep.Problem != nil || rep.Entries != 0 {
		t.Fatalf("empty trail: %+v", rep)
	}
	appendN(t, s, 20)
	rep := verifyAudit(t, s)
	if rep.Problem != nil {
		t.Fatalf("untouched trail fails: %v", rep.Problem)
	}
	if rep.Entries != 20 || rep.Checkpoints != 20 || rep.FileSize != 20 || rep.Latest.Size != 20 {
		t.Fatalf("report %+v", rep)
	}
	es, err := s.AuditEntries(context.Background(), AuditQuery{RecordingID: "REC00001"})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 7 || es[0].Seq != 2 || es[0].Outcome != OutcomeOK {
		t.Fatalf("entries for REC00001: %d, first %+v", len(es), es[0])
	}
	last, err := s.AuditEntries(context.Background(), AuditQuery{Limit: 3})
	if err != nil || len(last) != 3 || last[0].Seq != 18 || last[2].Seq != 20 {
		t.Fatalf("newest 3: %+v %v", last, err)
	}
	// The application cannot change or remove an entry.
	if _, err := s.db.Exec("UPDATE audit SET user = 'mallory' WHERE seq = 3"); err == nil {
		t.Fatal("an audit entry could be updated")
	}
	if _, err := s.db.Exec("DELETE FROM audit WHERE seq = 20"); err == nil {
		t.Fatal("an audit entry could be deleted")
	}
}

func TestAuditTamperDetected(t *testing.T) {
	cases := []struct {
		name  string
		sql   []string
		seq   int64
		match string
	}{
		{"edit user", []string{"UPDATE audit SET user = 'mallory' WHERE seq = 7"}, 7, "does not match"},
		{"edit detail", []string{"UPDATE audit SET detail = detail || ' ' WHERE seq = 12"}, 12, "does not match"},
		{"edit time", []string{"UPDATE audit SET at = at + 1 WHERE seq = 1"}, 1, "does not match"},
		{"edit outcome", []string{"UPDATE audit SET outcome = 'failed' WHERE seq = 15"}, 15, "does not match"},
		{"delete middle", []string{"DELETE FROM audit WHERE seq = 9"}, 9, "missing"},
		{"delete and renumber", []string{"DELETE FROM audit WHERE seq = 9", "UPDATE audit SET seq = seq - 1 WHERE seq > 9"}, 9, "does not match"},
		{"reorder", []string{
			"UPDATE audit SET seq = -1 WHERE seq = 5", "UPDATE audit SET seq = 5 WHERE seq = 6", "UPDATE audit SET seq = 6 WHERE seq = -1"}, 5, "does not match"},
		{"truncate table", []string{"DELETE FROM audit WHERE seq > 17"}, 18, "missing"},
		{"truncate with checkpoints and tree", []string{"DELETE FROM audit WHERE seq > 17", "DELETE FROM audit_checkpoints WHERE size > 17",
			"DELETE FROM audit_tree WHERE idx >= 32"}, 18, "truncated"},
		{"forged checkpoint", []string{"UPDATE audit_checkpoints SET note = replace(note, '\n10\n', '\n11\n') WHERE size = 10"}, 10, "signed checkpoint"},
		{"checkpoint removed", []string{"DELETE FROM audit_checkpoints WHERE size = 4"}, 4, "missing"},
		{"stored tree edited", []string{"UPDATE audit_tree SET hash = zeroblob(32) WHERE idx = 3"}, 0, "stored audit tree"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestStore(t)
			appendN(t, s, 20)
			tamper(t, s, c.sql...)
			rep := verifyAudit(t, s)
			if rep.Problem == nil {
				t.Fatal("tampering not detected")
			}
			if rep.Problem.Seq != c.seq || !strings.Contains(rep.Problem.Error(), c.match) {
				t.Fatalf("problem %q (entry %d), want entry %d and %q", rep.Problem, rep.Problem.Seq, c.seq, c.match)
			}
		})
	}
}

func TestAuditCheckpointFile(t *testing.T) {
	s := newTestStore(t)
	appendN(t, s, 5)
	path := filepath.Join(s.Dir(), CheckpointFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// It is a signed note any holder of the verifier key can check.
	v, err := note.NewVerifier(s.AuditVerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(b, note.VerifierList(v))
	if err != nil {
		t.Fatalf("checkpoint file does not verify: %v", err)
	}
	if !strings.HasPrefix(n.Text, s.checkpointOrigin()+"\n5\n") {
		t.Fatalf("checkpoint text %q", n.Text)
	}
	// A missing file with a non-empty trail is reported; an edited one too.
	os.Remove(path)
	if rep := verifyAudit(t, s); rep.Problem == nil || !strings.Contains(rep.Problem.Reason, "missing") {
		t.Fatalf("missing checkpoint file: %+v", rep.Problem)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), "\n5\n", "\n4\n", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if rep := verifyAudit(t, s); rep.Problem == nil || !strings.Contains(rep.Problem.Reason, "does not verify") {
		t.Fatalf("edited checkpoint file: %+v", rep.Problem)
	}
	// An older checkpoint never replaces a newer one.
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	old, _ := s.db.QueryContext(context.Background(), "SELECT note FROM audit_checkpoints WHERE size = 2")
	var two string
	old.Next()
	if err := old.Scan(&two); err != nil {
		t.Fatal(err)
	}
	old.Close()
	if err := s.writeCheckpointFile(two); err != nil {
		t.Fatal(err)
	}
	if now, _ := os.ReadFile(path); string(now) != string(b) {
		t.Fatal("an older checkpoint replaced a newer one")
	}
	// Checkpoints of another store do not verify here.
	other := newTestStore(t)
	appendN(t, other, 1)
	ob, _ := os.ReadFile(filepath.Join(other.Dir(), CheckpointFile))
	if _, err := s.ParseCheckpoint(string(ob)); err == nil {
		t.Fatal("another store's checkpoint verified")
	}
}

func TestAuditInclusionProofIndependent(t *testing.T) {
	s := newTestStore(t)
	for size := 1; size <= 17; size++ {
		appendN(t, s, 1)
		for seq := int64(1); seq <= int64(size); seq++ {
			p, err := s.ProveInclusion(context.Background(), seq)
			if err != nil {
				t.Fatal(err)
			}
			// Checked with transparency-dev/merkle, not with tlog.
			h := rfc6962.DefaultHasher
			leaf := h.HashLeaf(p.Entry.LeafData())
			path := make([][]byte, len(p.Hashes))
			for i := range p.Hashes {
				path[i] = p.Hashes[i][:]
			}
			if err := proof.VerifyInclusion(h, uint64(p.LeafIndex), uint64(p.TreeSize), leaf, path, p.Root[:]); err != nil {
				t.Fatalf("size %d entry %d: %v", size, seq, err)
			}
			cp, err := s.ParseCheckpoint(p.Checkpoint)
			if err != nil || cp.Root != p.Root || cp.Size != int64(size) {
				t.Fatalf("proof checkpoint %+v %v", cp, err)
			}
			// A proof for another entry's data fails.
			other := p.Entry
			other.Detail += "x"
			if proof.VerifyInclusion(h, uint64(p.LeafIndex), uint64(p.TreeSize), h.HashLeaf(other.LeafData()), path, p.Root[:]) == nil {
				t.Fatal("a proof verified an edited entry")
			}
		}
	}
	if _, err := s.ProveInclusion(context.Background(), 18); err == nil {
		t.Fatal("proof of a missing entry")
	}
}

// TestAuditConcurrentAppends appends from several store handles at once
// (each its own connection pool, as separate processes would be).
func TestAuditConcurrentAppends(t *testing.T) {
	s := newTestStore(t)
	const handles, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, handles)
	for h := 0; h < handles; h++ {
		st, err := Open(s.Dir(), KeyOptions{Passphrase: []byte("correct horse")})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = st.Close() }()
		wg.Add(1)
		go func(h int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if err := st.Audit(context.Background(), &AuditEntry{User: fmt.Sprintf("u%d", h), Role: "sergeant", Action: "view.start", Detail: fmt.Sprint(i)}); err != nil {
					errs <- err
					return
				}
			}
		}(h)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rep := verifyAudit(t, s)
	if rep.Problem != nil || rep.Entries != handles*each || rep.FileSize != handles*each {
		t.Fatalf("after concurrent appends: %+v %v", rep, rep.Problem)
	}
}

func TestUsersAndLockout(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	pw, err := HashPassword([]byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	if !pw.Matches([]byte("s3cret")) || pw.Matches([]byte("s3cret ")) {
		t.Fatal("password hash does not match the right password only")
	}
	if err := s.AddFirstUser(ctx, "root", "admin", pw, &AuditEntry{User: "root", Role: "admin", Action: "user.add"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddFirstUser(ctx, "other", "admin", pw, &AuditEntry{Action: "user.add"}); err == nil {
		t.Fatal("a second first user")
	}
	if err := s.AddUser(ctx, "root", "viewer", pw, &AuditEntry{Action: "user.add"}); err == nil {
		t.Fatal("duplicate user name accepted")
	}
	for i := 1; i <= 3; i++ {
		n, err := s.SignInFailed(ctx, "root", 3, time.Now().Add(time.Minute), "signin.lockout", &AuditEntry{User: "root", Action: "signin.failed", Outcome: OutcomeFailed})
		if err != nil || n != i {
			t.Fatalf("failure %d: %d %v", i, n, err)
		}
	}
	u, err := s.GetUser(ctx, "root")
	if err != nil || u.Failures != 3 || u.LockedUntil.IsZero() {
		t.Fatalf("after 3 failures: %+v %v", u, err)
	}
	es, _ := s.AuditEntries(ctx, AuditQuery{Action: "signin."})
	if len(es) != 3 || es[2].Action != "signin.lockout" {
		t.Fatalf("sign-in entries: %+v", es)
	}
	if err := s.SetUserDisabled(ctx, "root", false, &AuditEntry{Action: "user.enable"}); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.GetUser(ctx, "root"); u.Failures != 0 || !u.LockedUntil.IsZero() {
		t.Fatalf("enable does not clear the lockout: %+v", u)
	}
	if err := s.SetUserDisabled(ctx, "nobody", true, &AuditEntry{Action: "user.disable"}); err == nil {
		t.Fatal("disabled a missing user")
	}
	if rep := verifyAudit(t, s); rep.Problem != nil || rep.Entries != 5 {
		t.Fatalf("audit after user changes: %+v %v", rep, rep.Problem)
	}
}
