package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"exhibit/app"
)

// newAccount returns the name and password for the first administrator:
// from --user / EXHIBIT_USER and EXHIBIT_PASSWORD, else asked twice on the
// terminal.
func (c *cli) newAccount(purpose string) (string, []byte, error) {
	name, pw, err := c.credentialsNew(purpose)
	if err != nil {
		return "", nil, err
	}
	if len(pw) < app.MinPasswordLength {
		return "", nil, fmt.Errorf("%s: a password needs at least %d characters", purpose, app.MinPasswordLength)
	}
	return name, pw, nil
}

func (c *cli) credentialsNew(purpose string) (string, []byte, error) {
	name := c.user
	_, tty := c.terminal()
	if name == "" {
		if !tty {
			return "", nil, fmt.Errorf("%s: set EXHIBIT_USER and EXHIBIT_PASSWORD, or run on a terminal", purpose)
		}
		fmt.Fprintf(c.stderr, "User name for %s: ", purpose)
		line, err := bufio.NewReader(c.stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", nil, err
		}
		name = strings.TrimSpace(line)
	}
	if pw := envPassword(); pw != nil {
		return name, pw, nil
	}
	if !tty {
		return "", nil, fmt.Errorf("%s: no password (set EXHIBIT_PASSWORD or run on a terminal)", purpose)
	}
	pw, err := c.newPassword("Password for " + name + ": ")
	return name, pw, err
}

// newPassword asks for a new password twice on the terminal.
func (c *cli) newPassword(label string) ([]byte, error) {
	pw, err := c.prompt(label)
	if err != nil {
		return nil, err
	}
	again, err := c.prompt("Same password again: ")
	if err != nil {
		return nil, err
	}
	if string(again) != string(pw) {
		return nil, errors.New("the passwords differ; nothing was changed")
	}
	return pw, nil
}

// passwordFromStdin reads one line from stdin as a password.
func (c *cli) passwordFromStdin() ([]byte, error) {
	line, err := bufio.NewReader(c.stdin).ReadString('\n')
	if err != nil && line == "" {
		return nil, errors.New("--password-stdin: nothing on standard input")
	}
	return []byte(strings.TrimRight(line, "\r\n")), nil
}

func (c *cli) cmdRestrict(ctx context.Context, restrict bool, args []string) int {
	name := "unrestrict"
	if restrict {
		name = "restrict"
	}
	fs := newFlags(name, c)
	ids, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(ids) != 1 {
		fmt.Fprintf(c.stderr, "exhibit %s: name one recording id\n", name)
		return exitUsage
	}
	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	id, err := lib.Restrict(ctx, ids[0], restrict)
	if err != nil {
		return c.fail(err)
	}
	if restrict {
		fmt.Fprintf(c.stdout, "%s is now restricted to professional standards\n", id)
	} else {
		fmt.Fprintf(c.stdout, "%s is no longer restricted\n", id)
	}
	return exitOK
}

const userUsage = `usage:
  exhibit user add NAME --role admin|sergeant|psd|viewer [--password-stdin]
  exhibit user list [--json]
  exhibit user disable NAME
  exhibit user enable NAME        (also clears a lockout)
  exhibit user passwd [NAME] [--password-stdin]
`

func (c *cli) cmdUser(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, userUsage)
		return exitUsage
	}
	sub, args := args[0], args[1:]
	fs := newFlags("user "+sub, c)
	role := fs.String("role", "", "role of the new user")
	stdinPW := fs.Bool("password-stdin", false, "read the new password from the first line of standard input")
	asJSON := fs.Bool("json", false, "JSON output")
	names, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	switch sub {
	case "add", "disable", "enable":
		if len(names) != 1 {
			fmt.Fprint(c.stderr, userUsage)
			return exitUsage
		}
	case "list", "ls":
		if len(names) != 0 {
			fmt.Fprint(c.stderr, userUsage)
			return exitUsage
		}
	case "passwd":
		if len(names) > 1 {
			fmt.Fprint(c.stderr, userUsage)
			return exitUsage
		}
	default:
		fmt.Fprintf(c.stderr, "exhibit user: unknown subcommand %q\n%s", sub, userUsage)
		return exitUsage
	}
	newPW := func(who string) ([]byte, error) {
		if *stdinPW {
			return c.passwordFromStdin()
		}
		if _, tty := c.terminal(); !tty {
			return nil, errors.New("no terminal to ask for the new password: use --password-stdin")
		}
		return c.newPassword("New password for " + who + ": ")
	}

	if sub == "add" {
		r, err := app.ParseRole(*role)
		if err != nil {
			fmt.Fprintf(c.stderr, "exhibit user add: %v\n", err)
			return exitUsage
		}
		lib, err := c.openStore()
		if err != nil {
			return c.fail(err)
		}
		defer lib.Close()
		has, err := lib.HasUsers(ctx)
		if err != nil {
			return c.fail(err)
		}
		if !has {
			// A store made before accounts existed: its key holder creates
			// the first administrator.
			if r != app.RoleAdmin {
				return c.fail(errors.New("this store has no users yet: the first one must be an administrator (--role admin)"))
			}
			pw, err := newPW(names[0])
			if err != nil {
				return c.fail(err)
			}
			if _, err := lib.CreateFirstAdmin(ctx, names[0], pw, "cli user add"); err != nil {
				return c.fail(err)
			}
			fmt.Fprintf(c.stdout, "Added %s as the first administrator\n", strings.ToLower(names[0]))
			return exitOK
		}
		if err := c.signIn(lib); err != nil {
			return c.fail(err)
		}
		if !lib.Can(app.PermUsers) {
			return c.fail(lib.AddUser(ctx, names[0], r, nil)) // audited refusal
		}
		pw, err := newPW(names[0])
		if err != nil {
			return c.fail(err)
		}
		if err := lib.AddUser(ctx, names[0], r, pw); err != nil {
			return c.fail(err)
		}
		fmt.Fprintf(c.stdout, "Added %s as %s\n", strings.ToLower(names[0]), r)
		return exitOK
	}

	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	switch sub {
	case "list", "ls":
		users, err := lib.Users(ctx)
		if err != nil {
			return c.fail(err)
		}
		if *asJSON {
			enc := json.NewEncoder(c.stdout)
			for _, u := range users {
				j := map[string]any{"name": u.Name, "role": u.Role, "disabled": u.Disabled, "created_at": u.CreatedAt}
				if u.LockedUntil.After(time.Now()) {
					j["locked_until"] = u.LockedUntil
				}
				enc.Encode(j)
			}
			return exitOK
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tSTATE\tCREATED")
		for _, u := range users {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Role, app.UserState(u, time.Now()), u.CreatedAt.Local().Format("2006-01-02"))
		}
		tw.Flush()
	case "disable", "enable":
		if err := lib.SetUserDisabled(ctx, names[0], sub == "disable"); err != nil {
			return c.fail(err)
		}
		fmt.Fprintf(c.stdout, "%s %sd\n", strings.ToLower(names[0]), sub)
	case "passwd":
		who, _ := lib.Who()
		target := who.Name
		if len(names) == 1 {
			target = names[0]
		}
		if !strings.EqualFold(target, who.Name) && !lib.Can(app.PermUsers) {
			return c.fail(lib.SetPassword(ctx, target, nil)) // audited refusal
		}
		pw, err := newPW(target)
		if err != nil {
			return c.fail(err)
		}
		if err := lib.SetPassword(ctx, target, pw); err != nil {
			return c.fail(err)
		}
		fmt.Fprintf(c.stdout, "Password of %s changed\n", strings.ToLower(target))
	}
	return exitOK
}

// auditJSON is the JSON form of an audit entry.
type auditJSON struct {
	Seq         int64     `json:"seq"`
	Time        time.Time `json:"time"`
	User        string    `json:"user"`
	Role        string    `json:"role"`
	Action      string    `json:"action"`
	RecordingID string    `json:"recording_id,omitempty"`
	SHA256      string    `json:"sha256,omitempty"`
	Outcome     string    `json:"outcome"`
	Detail      string    `json:"detail,omitempty"`
}

func toAuditJSON(e app.AuditEntry) auditJSON {
	return auditJSON{Seq: e.Seq, Time: e.At, User: e.User, Role: e.Role, Action: e.Action,
		RecordingID: e.RecordingID, SHA256: e.SHA256, Outcome: e.Outcome, Detail: e.Detail}
}

func (c *cli) cmdAudit(ctx context.Context, args []string) int {
	sub := ""
	if len(args) > 0 && (args[0] == "verify" || args[0] == "checkpoint" || args[0] == "prove") {
		sub, args = args[0], args[1:]
	}
	fs := newFlags("audit", c)
	asJSON := fs.Bool("json", false, "JSON output")
	user := fs.String("user", "", "only entries by this user")
	action := fs.String("action", "", "only this action (or family, e.g. signin)")
	limit := fs.Int("limit", 0, "only the newest N entries")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	switch {
	case sub == "" && len(pos) > 1, sub == "verify" && len(pos) != 0, sub == "checkpoint" && len(pos) != 0,
		sub == "prove" && len(pos) != 1:
		fmt.Fprintln(c.stderr, "exhibit audit: usage: exhibit audit [ID] [--json] [--user U] [--action A] [--limit N] | audit verify | audit checkpoint | audit prove SEQ")
		return exitUsage
	}
	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	enc := json.NewEncoder(c.stdout)
	switch sub {
	case "verify":
		rep, err := lib.VerifyAudit(ctx)
		if err != nil {
			return c.fail(err)
		}
		if *asJSON {
			j := map[string]any{"ok": rep.Problem == nil, "entries": rep.Entries, "checkpoints": rep.Checkpoints,
				"root": rep.Root.String()}
			if rep.Problem != nil {
				j["first_bad_entry"], j["problem"] = rep.Problem.Seq, rep.Problem.Reason
			}
			enc.Encode(j)
		} else if rep.Problem != nil {
			fmt.Fprintf(c.stdout, "FAIL  %s\n", rep.Problem.Error())
		} else {
			fmt.Fprintf(c.stdout, "OK    %d entries, %d signed checkpoints, root %s\n", rep.Entries, rep.Checkpoints, rep.Root)
		}
		if rep.Problem != nil {
			return exitFailed
		}
		return exitOK
	case "checkpoint":
		cp, vkey, err := lib.AuditCheckpoint(ctx)
		if err != nil {
			return c.fail(err)
		}
		if cp == nil {
			return c.fail(errors.New("the audit trail is empty"))
		}
		if *asJSON {
			enc.Encode(map[string]any{"size": cp.Size, "root": cp.Root.String(), "note": cp.Note, "verifier_key": vkey})
			return exitOK
		}
		fmt.Fprint(c.stdout, cp.Note)
		return exitOK
	case "prove":
		seq, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil {
			fmt.Fprintf(c.stderr, "exhibit audit prove: %q is not an entry number\n", pos[0])
			return exitUsage
		}
		p, err := lib.AuditProof(ctx, seq)
		if err != nil {
			return c.fail(err)
		}
		hashes := make([]string, len(p.Hashes))
		for i, h := range p.Hashes {
			hashes[i] = h.String()
		}
		if *asJSON {
			enc.Encode(map[string]any{"seq": p.Seq, "leaf_index": p.LeafIndex, "tree_size": p.TreeSize,
				"leaf_data": string(p.Entry.LeafData()), "leaf_hash": p.LeafHash.String(), "path": hashes,
				"root": p.Root.String(), "checkpoint": p.Checkpoint})
			return exitOK
		}
		fmt.Fprintf(c.stdout, "entry:      %d (leaf index %d of %d)\nleaf data:  %s\nleaf hash:  %s\nroot:       %s\n",
			p.Seq, p.LeafIndex, p.TreeSize, p.Entry.LeafData(), p.LeafHash, p.Root)
		for i, h := range hashes {
			fmt.Fprintf(c.stdout, "path[%d]:    %s\n", i, h)
		}
		fmt.Fprintf(c.stdout, "hashes are base64 SHA-256, RFC 6962 (leaf = SHA-256(0x00 || leaf data))\ncheckpoint:\n%s", p.Checkpoint)
		return exitOK
	}
	f := app.AuditFilter{User: *user, Action: *action, Limit: *limit}
	if len(pos) == 1 {
		f.RecordingID = pos[0]
	}
	entries, err := lib.AuditEntries(ctx, f)
	if err != nil {
		return c.fail(err)
	}
	w := bufio.NewWriter(c.stdout)
	defer w.Flush()
	if *asJSON {
		enc := json.NewEncoder(w)
		for _, e := range entries {
			enc.Encode(toAuditJSON(e))
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tUSER\tROLE\tACTION\tRECORDING\tOUTCOME\tDETAIL")
	for _, e := range entries {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.At.Local().Format("2006-01-02 15:04:05"), e.User, e.Role,
			e.Action, e.RecordingID, e.Outcome, e.Detail)
	}
	tw.Flush()
	return exitOK
}

// envPassword returns EXHIBIT_PASSWORD, or nil when it is unset or empty.
func envPassword() []byte {
	if pw := os.Getenv("EXHIBIT_PASSWORD"); pw != "" {
		return []byte(pw)
	}
	return nil
}
