package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"golang.org/x/mod/sumdb/tlog"
)

// AuditExport is a set of audit entries with their inclusion proofs, all
// against one signed checkpoint, for an evidence bundle.
type AuditExport struct {
	Checkpoint  *Checkpoint
	VerifierKey string       // note verifier key of the checkpoint signer
	Entries     []AuditEntry // in sequence order
	Proofs      [][]tlog.Hash
}

// ExportAudit returns every audit entry about the recordings ids and the
// entries seqs, each with its RFC 6962 audit path in the tree of the
// newest signed checkpoint, read in one snapshot (so every proof is
// against that one checkpoint, and every entry in seqs must be in it).
func (s *Store) ExportAudit(ctx context.Context, ids []string, seqs []int64) (*AuditExport, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	cp, err := s.newestCheckpoint(ctx, tx)
	if err != nil {
		return nil, err
	}
	want := map[int64]bool{}
	for _, q := range seqs {
		if q < 1 || q > cp.Size {
			return nil, fmt.Errorf("audit entry %d is not in the signed tree of %d entries", q, cp.Size)
		}
		want[q] = true
	}
	const cols = "SELECT seq, at, user, role, action, recording_id, sha256, outcome, detail FROM audit"
	for _, id := range ids {
		rows, err := tx.QueryContext(ctx, "SELECT seq FROM audit WHERE recording_id = ? AND seq <= ?", id, cp.Size)
		if err != nil {
			return nil, fmt.Errorf("read audit trail: %w", err)
		}
		for rows.Next() {
			var q int64
			if err := rows.Scan(&q); err != nil {
				rows.Close()
				return nil, err
			}
			want[q] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	order := make([]int64, 0, len(want))
	for q := range want {
		order = append(order, q)
	}
	sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })
	out := &AuditExport{Checkpoint: cp, VerifierKey: s.audit.vkey}
	r := txHashes{ctx, tx}
	for _, q := range order {
		e, err := scanAudit(tx.QueryRowContext(ctx, cols+" WHERE seq = ?", q))
		if err != nil {
			return nil, fmt.Errorf("audit entry %d: %w", q, err)
		}
		p, err := tlog.ProveRecord(cp.Size, q-1, r)
		if err != nil {
			return nil, fmt.Errorf("prove entry %d: %w", q, err)
		}
		if err := tlog.CheckRecord(p, cp.Size, cp.Root, q-1, tlog.RecordHash(e.LeafData())); err != nil {
			return nil, fmt.Errorf("entry %d does not prove against the signed checkpoint (run `exhibit audit verify`): %w", q, err)
		}
		out.Entries = append(out.Entries, e)
		out.Proofs = append(out.Proofs, p)
	}
	return out, nil
}
