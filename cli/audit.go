package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"exhibit/app"
)

// audit, audit verify, audit checkpoint, audit prove: the audit trail.

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

const auditUsage = "exhibit audit: usage: exhibit audit [ID] [--json] [--user U] [--action A] [--limit N] | audit verify | audit checkpoint | audit prove SEQ"

func auditFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "JSON output")
	user := fs.String("user", "", "only entries by this user")
	act := fs.String("action", "", "only this action (or family, e.g. signin)")
	limit := fs.Int("limit", 0, "only the newest N entries")
	return action{
		check: func(pos []string) error {
			if len(pos) > 1 {
				return usagef("%s", auditUsage)
			}
			return nil
		},
		run: func(ctx context.Context, s *session, pos []string) error {
			f := app.AuditFilter{User: *user, Action: *act, Limit: *limit}
			if len(pos) == 1 {
				f.RecordingID = pos[0]
			}
			return runAudit(ctx, s, f, *asJSON)
		},
	}
}

func runAudit(ctx context.Context, s *session, f app.AuditFilter, asJSON bool) error {
	entries, err := s.lib.AuditEntries(ctx, f)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(s.out)
	if asJSON {
		for _, e := range entries {
			if err := writeJSON(w, toAuditJSON(e)); err != nil {
				return err
			}
		}
		return s.flush(w)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tUSER\tROLE\tACTION\tRECORDING\tOUTCOME\tDETAIL")
	for _, e := range entries {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Seq, app.FormatStamp(e.At), e.User, e.Role,
			e.Action, e.RecordingID, e.Outcome, e.Detail)
	}
	if err := s.flush(tw); err != nil {
		return err
	}
	return s.flush(w)
}

func auditVerifyFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "JSON output")
	return action{check: exactlyArgs(0, auditUsage), run: func(ctx context.Context, s *session, _ []string) error {
		rep, err := s.lib.VerifyAudit(ctx)
		if err != nil {
			return err
		}
		switch {
		case *asJSON:
			j := map[string]any{"ok": rep.Problem == nil, "entries": rep.Entries, "checkpoints": rep.Checkpoints,
				"root": rep.Root.String()}
			if rep.Problem != nil {
				j["first_bad_entry"], j["problem"] = rep.Problem.Seq, rep.Problem.Reason
			}
			err = s.json(j)
		case rep.Problem != nil:
			err = s.printf("FAIL  %s\n", rep.Problem.Error())
		default:
			err = s.printf("OK    %d entries, %d signed checkpoints, root %s\n", rep.Entries, rep.Checkpoints, rep.Root)
		}
		if err != nil {
			return err
		}
		if rep.Problem != nil {
			return errFailed
		}
		return nil
	}}
}

func auditCheckpointFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "JSON output")
	return action{check: exactlyArgs(0, auditUsage), run: func(ctx context.Context, s *session, _ []string) error {
		cp, vkey, err := s.lib.AuditCheckpoint(ctx)
		if err != nil {
			return err
		}
		if cp == nil {
			return errors.New("the audit trail is empty")
		}
		if *asJSON {
			return s.json(map[string]any{"size": cp.Size, "root": cp.Root.String(), "note": cp.Note, "verifier_key": vkey})
		}
		return s.printf("%s", cp.Note)
	}}
}

func auditProveFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "JSON output")
	var seq int64
	return action{
		check: func(pos []string) error {
			if len(pos) != 1 {
				return usagef("%s", auditUsage)
			}
			var err error
			if seq, err = strconv.ParseInt(pos[0], 10, 64); err != nil {
				return usagef("exhibit audit prove: %q is not an entry number", pos[0])
			}
			return nil
		},
		run: func(ctx context.Context, s *session, _ []string) error {
			p, err := s.lib.AuditProof(ctx, seq)
			if err != nil {
				return err
			}
			hashes := make([]string, len(p.Hashes))
			for i, h := range p.Hashes {
				hashes[i] = h.String()
			}
			if *asJSON {
				return s.json(map[string]any{"seq": p.Seq, "leaf_index": p.LeafIndex, "tree_size": p.TreeSize,
					"leaf_data": string(p.Entry.LeafData()), "leaf_hash": p.LeafHash.String(), "path": hashes,
					"root": p.Root.String(), "checkpoint": p.Checkpoint})
			}
			if err := s.printf("entry:      %d (leaf index %d of %d)\nleaf data:  %s\nleaf hash:  %s\nroot:       %s\n",
				p.Seq, p.LeafIndex, p.TreeSize, p.Entry.LeafData(), p.LeafHash, p.Root); err != nil {
				return err
			}
			for i, h := range hashes {
				if err := s.printf("path[%d]:    %s\n", i, h); err != nil {
					return err
				}
			}
			return s.printf("hashes are base64 SHA-256, RFC 6962 (leaf = SHA-256(0x00 || leaf data))\ncheckpoint:\n%s", p.Checkpoint)
		},
	}
}
