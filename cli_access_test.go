package main

import (
	"bytes"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "github.com/mattn/go-sqlite3"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// End-to-end tests of access control and the audit trail.

// runAs runs exhibit signed in as user (password "<user> password"; the
// administrator's is adminPassword) with stdin.
func (e *env) runAs(user, stdin string, args ...string) (string, string, int) {
	e.t.Helper()
	pw := user + " password"
	if user == "admin" {
		pw = adminPassword
	}
	cmd := exec.Command(exhibitBin(e.t), append([]string{"--store", e.store, "--no-keyring"}, args...)...)
	cmd.Env = append(os.Environ(), testEnv...)
	cmd.Env = append(cmd.Env, "EXHIBIT_USER="+user, "EXHIBIT_PASSWORD="+pw)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatalf("exhibit %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// accessEnv is a store with an administrator, a user of every other role
// and two ingested recordings.
func accessEnv(t *testing.T) (*env, []ingestLine) {
	e := newEnv(t)
	e.mustRun("init")
	for _, u := range [][2]string{{"sgt", "sergeant"}, {"pro", "psd"}, {"court", "viewer"}} {
		if out, errOut, code := e.runAs("admin", u[0]+" password\n", "user", "add", u[0], "--role", u[1], "--password-stdin"); code != 0 {
			t.Fatalf("user add %s: exit %d\n%s%s", u[0], code, out, errOut)
		}
	}
	dock := filepath.Join(t.TempDir(), "dock")
	e.mustRun("testmedia", "--small", "--cameras", "2", "--minutes", "0.1", "--seed", "11", dock)
	recs := parseLines[ingestLine](t, e.mustRun("ingest", "--json", dock))
	if len(recs) != 2 {
		t.Fatalf("ingested %d", len(recs))
	}
	return e, recs
}

func TestCLIRoleMatrix(t *testing.T) {
	e, recs := accessEnv(t)
	id, other := recs[0].ID, recs[1].ID
	dock := filepath.Join(t.TempDir(), "dock2")
	e.mustRun("testmedia", "--small", "--cameras", "1", "--minutes", "0.05", "--seed", "12", dock)
	png := filepath.Join(t.TempDir(), "still.png")
	// Which roles may run each command ("A"dmin, "S"ergeant, "P"sd, "V"iewer).
	cases := []struct {
		args  []string
		roles string
	}{
		{[]string{"list"}, "ASPV"},
		{[]string{"show", id}, "ASPV"},
		{[]string{"still", id, "--frame", "1", "-o", png}, "ASPV"},
		{[]string{"verify", id}, "APV"},
		{[]string{"ingest", dock}, "ASP"},
		{[]string{"restrict", other}, "P"},
		{[]string{"unrestrict", other}, "P"},
		{[]string{"user", "list"}, "A"},
		{[]string{"user", "disable", "nobody"}, "A"}, // denied before it is found missing
		{[]string{"audit"}, "ASPV"},
		{[]string{"audit", "verify"}, "ASPV"},
		{[]string{"audit", "checkpoint"}, "ASPV"},
	}
	users := map[byte]string{'A': "admin", 'S': "sgt", 'P': "pro", 'V': "court"}
	for _, c := range cases {
		for _, r := range []byte("ASPV") {
			out, errOut, code := e.runAs(users[r], "", c.args...)
			allowed := strings.IndexByte(c.roles, r) >= 0
			denied := strings.Contains(errOut, "Your role (")
			switch {
			case allowed && denied:
				t.Errorf("%s %v: refused, should be allowed: %s", users[r], c.args, errOut)
			case allowed && code != 0 && !(c.args[0] == "user" && c.args[1] == "disable"):
				t.Errorf("%s %v: exit %d: %s%s", users[r], c.args, code, out, errOut)
			case !allowed && (!denied || code == 0):
				t.Errorf("%s %v: exit %d, want a refusal: %s%s", users[r], c.args, code, out, errOut)
			}
		}
	}
	// Each refusal is in the audit trail as denied.
	audit := parseLines[auditJSON](t, e.mustRun("audit", "--json", "--user", "court"))
	denied := 0
	for _, a := range audit {
		if a.Outcome == "denied" {
			denied++
		}
	}
	if denied != 5 { // ingest, restrict, unrestrict, user list, user disable
		t.Errorf("viewer has %d denied entries, want 5: %+v", denied, audit)
	}
	// A viewer changes nothing: no user add either.
	if _, errOut, code := e.runAs("court", "x password\n", "user", "add", "x", "--role", "viewer", "--password-stdin"); code == 0 || !strings.Contains(errOut, "Your role (") {
		t.Errorf("viewer added a user: exit %d %s", code, errOut)
	}
}

func TestCLIRestrictionLeaks(t *testing.T) {
	e, recs := accessEnv(t)
	secret, open := recs[0].ID, recs[1].ID
	if out, errOut, code := e.runAs("pro", "", "restrict", strings.ToLower(secret[:6])); code != 0 {
		t.Fatalf("restrict: exit %d %s%s", code, out, errOut)
	}
	for _, u := range []string{"admin", "sgt", "court"} {
		out, _, code := e.runAs(u, "", "list", "--json")
		if code != 0 || strings.Contains(out, secret) || !strings.Contains(out, open) {
			t.Errorf("%s list shows the restricted recording or misses the other: %s", u, out)
		}
		if out, _, _ := e.runAs(u, "", "list"); !strings.Contains(out, "1 recordings") {
			t.Errorf("%s list counts the restricted recording: %s", u, out)
		}
		for _, q := range []string{secret, secret[:5], strings.ToLower(secret)} {
			_, errOut, code := e.runAs(u, "", "show", q)
			if code == 0 || !strings.Contains(errOut, "not permitted") {
				t.Errorf("%s show %s: exit %d %s", u, q, code, errOut)
			}
		}
		png := filepath.Join(t.TempDir(), u+".png")
		if _, errOut, code := e.runAs(u, "", "still", secret, "--frame", "0", "-o", png); code == 0 || !strings.Contains(errOut, "not permitted") {
			t.Errorf("%s still of the restricted recording: exit %d %s", u, code, errOut)
		}
		if _, err := os.Stat(png); err == nil {
			t.Errorf("%s: a still of the restricted recording was written", u)
		}
		if _, errOut, code := e.runAs(u, "", "audit", secret); u != "admin" && (code == 0 || !strings.Contains(errOut, "not permitted")) {
			t.Errorf("%s audit of the restricted recording: exit %d %s", u, code, errOut)
		}
	}
	if _, errOut, code := e.runAs("court", "", "verify", secret); code == 0 || !strings.Contains(errOut, "not permitted") {
		t.Errorf("viewer verify of the restricted recording: exit %d %s", code, errOut)
	}
	// Professional standards sees it and the refused attempts.
	if out, _, code := e.runAs("pro", "", "show", secret); code != 0 || !strings.Contains(out, secret) {
		t.Errorf("psd cannot see the restricted recording: %s", out)
	}
	entries := parseLines[auditJSON](t, func() string { o, _, _ := e.runAs("pro", "", "audit", "--json", secret); return o }())
	denied := map[string]bool{}
	for _, a := range entries {
		if a.Outcome == "denied" {
			denied[a.User] = true
		}
	}
	if !denied["admin"] || !denied["sgt"] || !denied["court"] {
		t.Errorf("refused attempts not all audited: %+v", entries)
	}
	// Entries about it are not shown to a sergeant or viewer at all.
	for _, u := range []string{"sgt", "court"} {
		if out, _, _ := e.runAs(u, "", "audit", "--json"); strings.Contains(out, secret) {
			t.Errorf("%s reads audit entries about the restricted recording", u)
		}
	}
	// The administrator may read them, though not the recording itself.
	if out, _, _ := e.runAs("admin", "", "audit", "--json"); !strings.Contains(out, secret) {
		t.Error("admin cannot read the audit of the restricted recording")
	}
	if _, _, code := e.runAs("pro", "", "unrestrict", secret); code != 0 {
		t.Fatal("unrestrict failed")
	}
	if out, _, _ := e.runAs("sgt", "", "list", "--json"); !strings.Contains(out, secret) {
		t.Error("unrestricted recording still hidden")
	}
}

func TestCLISignInFailuresAndLockout(t *testing.T) {
	e := newEnv(t)
	e.mustRun("init")
	wrong := func(user, pw string) (string, int) {
		e.extra = []string{"EXHIBIT_USER=" + user, "EXHIBIT_PASSWORD=" + pw}
		defer func() { e.extra = nil }()
		_, errOut, code := e.run("list")
		return errOut, code
	}
	msgUnknown, code1 := wrong("nobody", "whatever1")
	msgWrong, code2 := wrong("admin", "not the password")
	if code1 == 0 || code2 == 0 || msgUnknown != msgWrong || !strings.Contains(msgWrong, "Wrong user name or password") {
		t.Fatalf("unknown user and wrong password must get one message:\n%q\n%q", msgUnknown, msgWrong)
	}
	var last string
	for i := 0; i < 4; i++ {
		last, _ = wrong("admin", "not the password")
	}
	if !strings.Contains(last, "locked") {
		t.Fatalf("after 5 failures: %q", last)
	}
	// Locked: even the right password is refused for now.
	if _, errOut, code := e.run("list"); code == 0 || !strings.Contains(errOut, "locked") {
		t.Fatalf("right password while locked: exit %d %q", code, errOut)
	}
	// Every failure and the lockout are audited (read from the database:
	// the only administrator is locked out).
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(e.store, "exhibit.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts := map[string]int{}
	rows, err := db.Query("SELECT action, user FROM audit WHERE action LIKE 'signin%'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a, u string
		rows.Scan(&a, &u)
		counts[a+" "+u]++
	}
	rows.Close()
	if counts["signin.failed nobody"] != 1 || counts["signin.failed admin"] != 5 || counts["signin.lockout admin"] != 1 {
		t.Fatalf("sign-in audit: %v", counts)
	}
}

func TestCLIAuditTamperAndProof(t *testing.T) {
	e, _ := accessEnv(t)
	if out, _, code := e.run("audit", "verify"); code != 0 || !strings.HasPrefix(out, "OK") {
		t.Fatalf("untouched trail: exit %d %s", code, out)
	}
	// An inclusion proof checked with an independent implementation.
	var p struct {
		LeafIndex  uint64   `json:"leaf_index"`
		TreeSize   uint64   `json:"tree_size"`
		LeafData   string   `json:"leaf_data"`
		Path       []string `json:"path"`
		Root       string   `json:"root"`
		Checkpoint string   `json:"checkpoint"`
	}
	if err := json.Unmarshal([]byte(e.mustRun("audit", "prove", "3", "--json")), &p); err != nil {
		t.Fatal(err)
	}
	dec := func(s string) []byte {
		x, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	path := make([][]byte, len(p.Path))
	for i, h := range p.Path {
		path[i] = dec(h)
	}
	h := rfc6962.DefaultHasher
	if err := proof.VerifyInclusion(h, p.LeafIndex, p.TreeSize, h.HashLeaf([]byte(p.LeafData)), path, dec(p.Root)); err != nil {
		t.Fatalf("proof does not verify independently: %v", err)
	}
	if !strings.Contains(p.Checkpoint, fmt.Sprintf("\n%d\n%s\n", p.TreeSize, p.Root)) {
		t.Fatalf("checkpoint does not state the proof's tree: %q", p.Checkpoint)
	}

	// Edit one entry directly in the database file.
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(e.store, "exhibit.db"))
	if err != nil {
		t.Fatal(err)
	}
	mustExec := func(q string) {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustExec("DROP TRIGGER audit_no_update")
	mustExec("DROP TRIGGER audit_no_delete")
	mustExec("UPDATE audit SET outcome = 'ok', detail = 'nothing' WHERE seq = 4")
	out, _, code := e.run("audit", "verify")
	if code != 1 || !strings.Contains(out, "audit entry 4:") {
		t.Fatalf("edited entry 4: exit %d %s", code, out)
	}
	db.Close()

	// Truncate a fresh trail: rows, checkpoints and tree all cut consistently.
	e2, _ := accessEnv(t)
	db2, err := sql.Open("sqlite3", "file:"+filepath.Join(e2.store, "exhibit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	var n int64
	db2.QueryRow("SELECT max(seq) FROM audit").Scan(&n)
	for _, q := range []string{"DROP TRIGGER audit_no_delete", fmt.Sprintf("DELETE FROM audit WHERE seq > %d", n-3),
		fmt.Sprintf("DELETE FROM audit_checkpoints WHERE size > %d", n-3)} {
		if _, err := db2.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	out, errOut, code := e2.run("audit", "verify")
	// (The verify run itself signs in first, appending two entries.)
	if code != 1 || !strings.Contains(out, "truncated") || !strings.Contains(out, fmt.Sprintf("covers %d entries", n)) {
		t.Fatalf("truncated trail: exit %d %s%s", code, out, errOut)
	}
	// Appending past the cut (each command signs in) does not hide it:
	// the checkpoint file is not replaced by the diverging tree.
	for i := 0; i < 3; i++ {
		e2.mustRun("list")
	}
	out, errOut, code = e2.run("audit", "verify")
	if code != 1 || !strings.Contains(out, "checkpoint file") {
		t.Fatalf("trail cut then appended to: exit %d %s%s", code, out, errOut)
	}
}

// TestCLIConcurrentAudit runs many exhibit processes at once; every
// sign-in appends entries. None may fail with "database is locked" and
// none may be lost.
func TestCLIConcurrentAudit(t *testing.T) {
	e := newEnv(t)
	e.mustRun("init")
	before := len(parseLines[auditJSON](t, e.mustRun("audit", "--json")))
	const procs, each = 12, 3
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for i := 0; i < procs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < each; j++ {
				out, errOut, code := e.run("list")
				if code != 0 {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("exit %d: %s%s", code, out, errOut))
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	after := parseLines[auditJSON](t, e.mustRun("audit", "--json"))
	// Each list signs in: "signin" and "store.open"; the audit listing
	// before added two more.
	if want := before + 2 + procs*each*2; len(after) < want {
		t.Fatalf("%d entries, want at least %d", len(after), want)
	}
	for i, a := range after {
		if a.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i+1, a.Seq)
		}
	}
	if out, _, code := e.run("audit", "verify"); code != 0 {
		t.Fatalf("audit verify after concurrent appends: %s", out)
	}
}
