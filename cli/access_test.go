package cli

import (
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// Access control and the audit trail, through the command line.

// The accounts of app.NewTestStore.
const (
	admin    = "admin"
	sergeant = "sergeant"
	psd      = "psd"
	viewer   = "viewer"
)

// accessEnv is a store with an account of every role and two ingested
// recordings.
func accessEnv(t *testing.T) (*tenv, []ingestLine) {
	e := newTestEnv(t)
	recs := e.ingest(e.dock("--cameras", "2", "--minutes", "0.1", "--seed", "11"))
	if len(recs) != 2 {
		t.Fatalf("ingested %d", len(recs))
	}
	return e, recs
}

func TestRoleMatrix(t *testing.T) {
	t.Parallel()
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
	users := map[byte]string{'A': admin, 'S': sergeant, 'P': psd, 'V': viewer}
	for _, c := range cases {
		for _, role := range []byte("ASPV") {
			r := e.runAs(users[role], "", c.args...)
			allowed := strings.IndexByte(c.roles, role) >= 0
			denied := strings.Contains(r.err, "Your role (")
			switch {
			case allowed && denied:
				t.Errorf("%s %v: refused, should be allowed: %v", users[role], c.args, r)
			case allowed && r.code != 0 && !(c.args[0] == "user" && c.args[1] == "disable"):
				t.Errorf("%s %v: %v", users[role], c.args, r)
			case !allowed && (!denied || r.code != 3):
				t.Errorf("%s %v: want a refusal (exit 3): %v", users[role], c.args, r)
			}
			// A refusal is one sentence, without a second line repeating
			// it ("(a administrator may not annotate)").
			if denied && strings.Count(strings.TrimSpace(r.err), "\n") != 0 {
				t.Errorf("%s %v: the refusal is more than one line: %q", users[role], c.args, r.err)
			}
		}
	}
	// Each refusal is in the audit trail as denied.
	audit := parseLines[auditJSON](t, e.mustRun("audit", "--json", "--user", viewer))
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
	if r := e.runAs(viewer, "x password\n", "user", "add", "x", "--role", "viewer", "--password-stdin"); r.code != 3 || !strings.Contains(r.err, "Your role (") {
		t.Errorf("viewer added a user: %v", r)
	}
}

// TestFlagsPerSubcommand: each subcommand has its own flags; another's is
// a usage error (exit 2) and nothing is opened.
func TestFlagsPerSubcommand(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	before := len(parseLines[auditJSON](t, e.mustRun("audit", "--json")))
	for _, args := range [][]string{
		{"user", "list", "--role", "x"},
		{"user", "disable", "x", "--json"},
		{"retention", "policy", "--dry-run"},
		{"retention", "set", "--json", "30"},
		{"audit", "verify", "--limit", "3"},
		{"list", "--history"},
		{"ls", "--reason", "x"},
	} {
		r := e.run(args...)
		if r.code != 2 || !strings.Contains(r.err, "flag provided but not defined") || !strings.Contains(r.err, "usage: exhibit ") {
			t.Errorf("%v: %v", args, r)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"user"}, "exhibit user passwd [NAME]"},
		{[]string{"users", "frob"}, `exhibit user: unknown subcommand "frob"`},
		{[]string{"frob"}, `exhibit: unknown command "frob"`},
		{[]string{"retention", "7"}, "exhibit retention set [--category C] DAYS"},
		{[]string{"retention", "set", "x"}, `"x" is not a number of days`},
		{[]string{"show"}, "exhibit show: name one recording id"},
		{[]string{"categories", "set"}, "exhibit categories set NAME..."},
		{[]string{"audit", "prove", "x"}, `"x" is not an entry number`},
		{[]string{"decide", "X", "maybe", "--reason", "r"}, "exhibit decide:"},
		{[]string{"list", "--from", "yesterday"}, `--from "yesterday" is not a date`},
	} {
		if r := e.run(tc.args...); r.code != 2 || !strings.Contains(r.err, tc.want) {
			t.Errorf("%v: want exit 2 and %q: %v", tc.args, tc.want, r)
		}
	}
	// Usage errors are refused before the store is opened: no sign-in.
	if after := len(parseLines[auditJSON](t, e.mustRun("audit", "--json"))); after != before+2 {
		t.Errorf("%d audit entries after the usage errors, want %d (the second audit's sign-in only)", after, before+2)
	}
	// -h prints the command's usage and flags, and is not an error.
	if r := e.run("user", "list", "-h"); r.code != 0 || r.out != "" || !strings.HasPrefix(r.err, "usage: exhibit user list [--json]\n") || !strings.Contains(r.err, "-json") {
		t.Errorf("user list -h: %v", r)
	}
	// Aliases still work.
	if out := e.mustRun("ls"); !strings.Contains(out, "0 recordings") {
		t.Errorf("ls: %s", out)
	}
	if out := e.mustRun("users", "ls"); !strings.Contains(out, "sergeant") {
		t.Errorf("users ls: %s", out)
	}
}

// TestHelp: the help is made from the table: every command is in it.
func TestHelp(t *testing.T) {
	t.Parallel()
	e := newEmptyEnv(t)
	r := e.run("help")
	if r.code != 0 || r.err != "" {
		t.Fatalf("help: %v", r)
	}
	for _, c := range commands {
		if !strings.Contains(r.out, "\n  "+c.name+" ") && !strings.Contains(r.out, "\n  "+c.name+"\n") {
			t.Errorf("help does not list %q:\n%s", c.name, r.out)
		}
	}
	for _, want := range []string{"--passphrase-file", "Exit codes:"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// TestGUILaunch: no command opens the GUI; review ID opens it on the
// recording, with the sign-in from the environment.
func TestGUILaunch(t *testing.T) {
	t.Parallel()
	e := newEmptyEnv(t)
	if r := e.run(); r.code != 0 {
		t.Fatalf("gui: %v", r)
	}
	if r := e.run("review", "ABCD"); r.code != 0 {
		t.Fatalf("review: %v", r)
	}
	if r := e.run("review"); r.code != 2 {
		t.Fatalf("review without an id: %v", r)
	}
	if len(e.gui) != 2 || e.gui[0].ReviewID != "" || e.gui[1].ReviewID != "ABCD" || e.gui[1].StoreDir != e.store ||
		!e.gui[1].NoKeyring || string(e.gui[1].Passphrase) != "test passphrase" || e.gui[1].User != admin ||
		string(e.gui[1].Password) != "admin password" {
		t.Fatalf("GUI options: %+v", e.gui)
	}
}

func TestRestrictionLeaks(t *testing.T) {
	t.Parallel()
	e, recs := accessEnv(t)
	secret, open := recs[0].ID, recs[1].ID
	if r := e.runAs(psd, "", "restrict", strings.ToLower(secret[:6])); r.code != 0 || r.out != secret+" is now restricted to professional standards\n" {
		t.Fatalf("restrict: %v", r)
	}
	for _, u := range []string{admin, sergeant, viewer} {
		r := e.runAs(u, "", "list", "--json")
		if r.code != 0 || strings.Contains(r.out, secret) || !strings.Contains(r.out, open) {
			t.Errorf("%s list shows the restricted recording or misses the other: %v", u, r)
		}
		if r := e.runAs(u, "", "list"); !strings.Contains(r.out, "1 recordings") {
			t.Errorf("%s list counts the restricted recording: %v", u, r)
		}
		for _, q := range []string{secret, secret[:5], strings.ToLower(secret)} {
			if r := e.runAs(u, "", "show", q); r.code == 0 || !strings.Contains(r.err, "not permitted") {
				t.Errorf("%s show %s: %v", u, q, r)
			}
		}
		png := filepath.Join(t.TempDir(), u+".png")
		if r := e.runAs(u, "", "still", secret, "--frame", "0", "-o", png); r.code == 0 || !strings.Contains(r.err, "not permitted") {
			t.Errorf("%s still of the restricted recording: %v", u, r)
		}
		if _, err := os.Stat(png); err == nil {
			t.Errorf("%s: a still of the restricted recording was written", u)
		}
		if r := e.runAs(u, "", "audit", secret); u != admin && (r.code == 0 || !strings.Contains(r.err, "not permitted")) {
			t.Errorf("%s audit of the restricted recording: %v", u, r)
		}
		for _, args := range [][]string{{"marks", secret}, {"marks", secret, "--history"}} {
			if r := e.runAs(u, "", args...); r.code == 0 || !strings.Contains(r.err, "not permitted") {
				t.Errorf("%s %v of the restricted recording: %v", u, args, r)
			}
		}
	}
	if r := e.runAs(viewer, "", "verify", secret); r.code == 0 || !strings.Contains(r.err, "not permitted") {
		t.Errorf("viewer verify of the restricted recording: %v", r)
	}
	// Professional standards sees it and the refused attempts.
	if r := e.runAs(psd, "", "show", secret); r.code != 0 || !strings.Contains(r.out, secret) {
		t.Errorf("psd cannot see the restricted recording: %v", r)
	}
	entries := parseLines[auditJSON](t, e.must(psd, "audit", "--json", secret))
	denied := map[string]bool{}
	for _, a := range entries {
		if a.Outcome == "denied" {
			denied[a.User] = true
		}
	}
	if !denied[admin] || !denied[sergeant] || !denied[viewer] {
		t.Errorf("refused attempts not all audited: %+v", entries)
	}
	// Entries about it are not shown to a sergeant or viewer at all.
	for _, u := range []string{sergeant, viewer} {
		if r := e.runAs(u, "", "audit", "--json"); strings.Contains(r.out, secret) {
			t.Errorf("%s reads audit entries about the restricted recording", u)
		}
	}
	// The administrator may read them, though not the recording itself.
	if r := e.run("audit", "--json"); !strings.Contains(r.out, secret) {
		t.Error("admin cannot read the audit of the restricted recording")
	}
	if r := e.runAs(psd, "", "unrestrict", secret); r.code != 0 || r.out != secret+" is no longer restricted\n" {
		t.Fatalf("unrestrict: %v", r)
	}
	if r := e.runAs(sergeant, "", "list", "--json"); !strings.Contains(r.out, secret) {
		t.Error("unrestricted recording still hidden")
	}
}

func TestSignInFailuresAndLockout(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	wrong := func(user, pw string) result {
		e.env = map[string]string{"EXHIBIT_USER": user, "EXHIBIT_PASSWORD": pw}
		defer func() { e.env = nil }()
		return e.run("list")
	}
	unknown, bad := wrong("nobody", "whatever1"), wrong(admin, "not the password")
	if unknown.code != 3 || bad.code != 3 || unknown.err != bad.err || !strings.Contains(bad.err, "Wrong user name or password") {
		t.Fatalf("unknown user and wrong password must get one message:\n%v\n%v", unknown, bad)
	}
	var last result
	for i := 0; i < 4; i++ {
		last = wrong(admin, "not the password")
	}
	if !strings.Contains(last.err, "locked") {
		t.Fatalf("after 5 failures: %v", last)
	}
	// Locked: even the right password is refused for now.
	if r := e.run("list"); r.code != 3 || !strings.Contains(r.err, "locked") {
		t.Fatalf("right password while locked: %v", r)
	}
	// No user named and no terminal: said so.
	e.env = map[string]string{"EXHIBIT_USER": ""}
	if r := e.run("list"); r.code != 3 || !strings.Contains(r.err, "name a user with --user NAME or EXHIBIT_USER") {
		t.Fatalf("no user: %v", r)
	}
	e.env = nil
	// Every failure and the lockout are audited (read from the database:
	// the only administrator is locked out).
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(e.store, "exhibit.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	counts := map[string]int{}
	rows, err := db.Query("SELECT action, user FROM audit WHERE action LIKE 'signin%'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a, u string
		if err := rows.Scan(&a, &u); err != nil {
			t.Fatal(err)
		}
		counts[a+" "+u]++
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if counts["signin.failed nobody"] != 1 || counts["signin.failed admin"] != 5 || counts["signin.lockout admin"] != 1 {
		t.Fatalf("sign-in audit: %v", counts)
	}
}

func TestAuditTamperAndProof(t *testing.T) {
	t.Parallel()
	e, _ := accessEnv(t)
	if r := e.run("audit", "verify"); r.code != 0 || !strings.HasPrefix(r.out, "OK") {
		t.Fatalf("untouched trail: %v", r)
	}
	if r := e.run("audit", "checkpoint"); r.code != 0 || !strings.Contains(r.out, "\n— ") {
		t.Fatalf("checkpoint: %v", r)
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
	if out := e.mustRun("audit", "prove", "3"); !strings.HasPrefix(out, "entry:      3 (leaf index 2 of ") {
		t.Errorf("audit prove 3:\n%s", out)
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
	mustExec := func(db *sql.DB, q string) {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustExec(db, "DROP TRIGGER audit_no_update")
	mustExec(db, "DROP TRIGGER audit_no_delete")
	mustExec(db, "UPDATE audit SET outcome = 'ok', detail = 'nothing' WHERE seq = 4")
	if r := e.run("audit", "verify"); r.code != 1 || !strings.Contains(r.out, "audit entry 4:") {
		t.Fatalf("edited entry 4: %v", r)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Truncate a fresh trail: rows, checkpoints and tree all cut consistently.
	e2, _ := accessEnv(t)
	db2, err := sql.Open("sqlite3", "file:"+filepath.Join(e2.store, "exhibit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db2.Close() }()
	var n int64
	if err := db2.QueryRow("SELECT max(seq) FROM audit").Scan(&n); err != nil {
		t.Fatal(err)
	}
	mustExec(db2, "DROP TRIGGER audit_no_delete")
	mustExec(db2, fmt.Sprintf("DELETE FROM audit WHERE seq > %d", n-3))
	mustExec(db2, fmt.Sprintf("DELETE FROM audit_checkpoints WHERE size > %d", n-3))
	// (The verify run itself signs in first, appending two entries.)
	if r := e2.run("audit", "verify"); r.code != 1 || !strings.Contains(r.out, "truncated") || !strings.Contains(r.out, fmt.Sprintf("covers %d entries", n)) {
		t.Fatalf("truncated trail: %v", r)
	}
	// Appending past the cut (each command signs in) does not hide it:
	// the checkpoint file is not replaced by the diverging tree.
	for i := 0; i < 3; i++ {
		e2.mustRun("list")
	}
	if r := e2.run("audit", "verify", "--json"); r.code != 1 || !strings.Contains(r.out, "checkpoint file") || !strings.Contains(r.out, `"ok":false`) {
		t.Fatalf("trail cut then appended to: %v", r)
	}
}

// TestUsers: accounts through the command line.
func TestUsers(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	if r := e.runAs(admin, "newone password\n", "user", "add", "NewOne", "--role", "viewer", "--password-stdin"); r.code != 0 || r.out != "Added newone as Viewer\n" {
		t.Fatalf("user add: %v", r)
	}
	if r := e.runAs(admin, "", "user", "add", "x", "--role", "king"); r.code != 2 {
		t.Fatalf("user add with a bad role: %v", r)
	}
	if r := e.runAs(admin, "", "user", "add", "other", "--role", "viewer"); r.code != 3 || !strings.Contains(r.err, "--password-stdin") {
		t.Fatalf("user add with no terminal: %v", r)
	}
	if r := e.runAs("newone", "", "list"); r.code != 0 {
		t.Fatalf("new user signs in: %v", r)
	}
	users := parseLines[map[string]any](t, e.mustRun("user", "list", "--json"))
	if len(users) != 5 {
		t.Fatalf("user list: %v", users)
	}
	if out := e.mustRun("user", "disable", "NewOne"); out != "newone disabled\n" {
		t.Fatalf("disable: %q", out)
	}
	if out := e.mustRun("user", "list"); !regexp.MustCompile(`(?m)^newone\s+Viewer\s+Disabled\s`).MatchString(out) {
		t.Fatalf("user list:\n%s", out)
	}
	if r := e.runAs("newone", "", "list"); r.code != 3 {
		t.Fatalf("disabled user signed in: %v", r)
	}
	if out := e.mustRun("user", "enable", "newone"); out != "newone enabled\n" {
		t.Fatalf("enable: %q", out)
	}
	// A viewer may change only their own password.
	if r := e.runAs(viewer, "other password\n", "user", "passwd", "newone", "--password-stdin"); r.code != 3 || !strings.Contains(r.err, "Your role (") {
		t.Fatalf("viewer changed another's password: %v", r)
	}
	if r := e.runAs("newone", "changed password\n", "user", "passwd", "--password-stdin"); r.code != 0 || r.out != "Password of newone changed\n" {
		t.Fatalf("passwd: %v", r)
	}
	e.env = map[string]string{"EXHIBIT_PASSWORD": "changed password"}
	if r := e.runAs("newone", "", "list"); r.code != 0 {
		t.Fatalf("sign in with the new password: %v", r)
	}
}
