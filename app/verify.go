package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"exhibit/store"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"exhibit/app/media"
)

// VerifyResult is the outcome of re-checking one recording.
type VerifyResult struct {
	ID     string `json:"id"`
	OK     bool   `json:"ok"`
	SHA256 string `json:"sha256"`
	Frames int    `json:"frames"`
	Error  string `json:"error,omitempty"`
}

// Verify decrypts and re-hashes the master of each recording (all when ids
// is empty) and decodes it again to check its frame count against the frame
// table. It trusts nothing it stored: a flipped byte in a vault file, a
// moved key or a damaged frame table each fail the recording. The error is
// for the batch (cancelled, unknown id); per-recording failures are results.
func (l *Library) Verify(ctx context.Context, ids []string, progress func(id string, i, n int)) ([]VerifyResult, error) {
	if _, err := l.require(ctx, PermVerify, "verify"); err != nil {
		return nil, err
	}
	all := len(ids) == 0
	if all {
		recs, err := l.List(ctx, Filter{}, SortID, true)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			ids = append(ids, r.ID)
		}
	} else {
		resolved := make([]string, len(ids))
		for i, id := range ids {
			full, err := l.resolve(ctx, id, "verify")
			if err != nil {
				return nil, err
			}
			resolved[i] = full
		}
		ids = resolved
	}
	out := make([]VerifyResult, 0, len(ids))
	for i, id := range ids {
		if progress != nil {
			progress(id, i, len(ids))
		}
		r := VerifyResult{ID: id}
		err := l.verifyOne(ctx, &r)
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		if err != nil {
			r.Error = oneLine(err)
			l.log.Warn("verify failed", "id", id, "error", err)
		} else {
			r.OK = true
		}
		out = append(out, r)
	}
	return out, l.auditVerify(ctx, out, all)
}

// auditVerify records a verify run: an entry per recording named (per
// failed recording for a run over all), and one for a run over all.
func (l *Library) auditVerify(ctx context.Context, out []VerifyResult, all bool) error {
	var entries []*store.AuditEntry
	failed := 0
	for _, r := range out {
		if r.OK && all {
			continue
		}
		e := l.entry("verify")
		e.RecordingID, e.SHA256 = r.ID, r.SHA256
		if r.OK {
			e.Detail = "stored master verified"
		} else {
			failed++
			e.Outcome, e.Detail = store.OutcomeFailed, r.Error
		}
		entries = append(entries, e)
	}
	if all {
		e := l.entry("verify")
		e.Detail = fmt.Sprintf("all recordings: %d verified, %d failed", len(out)-failed, failed)
		if failed > 0 {
			e.Outcome = store.OutcomeFailed
		}
		entries = append(entries, e)
	}
	return l.st.Audit(ctx, entries...)
}

func (l *Library) verifyOne(ctx context.Context, r *VerifyResult) error {
	rec, err := l.st.Get(ctx, r.ID)
	if err != nil {
		return err
	}
	r.SHA256, r.Frames = rec.SHA256, rec.Frames
	if err := l.st.VerifyMaster(ctx, r.ID, nil); err != nil {
		return fmt.Errorf("master: %w", err)
	}
	ft, err := l.frameTable(ctx, r.ID)
	if err != nil {
		return err
	}
	if ft.Len() != rec.Frames {
		return fmt.Errorf("frame table holds %d frames, the recording says %d", ft.Len(), rec.Frames)
	}
	m, err := l.st.OpenMaster(ctx, r.ID)
	if err != nil {
		return fmt.Errorf("master: %w", err)
	}
	defer func() { _ = m.Close() }() // opened for reading: nothing to lose
	url, stop, err := ServeReaderAt(m, m.Size(), "")
	if err != nil {
		return err
	}
	defer stop()
	n, err := media.CountDecodedFrames(ctx, url)
	if err != nil {
		return fmt.Errorf("decode stored copy: %w", err)
	}
	if n != rec.Frames {
		return fmt.Errorf("stored copy decodes to %d frames, %d were counted at ingest", n, rec.Frames)
	}
	return nil
}

// ServeReaderAt serves ra (size bytes) read-only over HTTP on the loopback
// interface at a random, unguessable URL, so ffmpeg and ffprobe can read a
// decrypted master with seeking (Range requests) while nothing decrypted is
// written to disk. stop shuts the server down. name is a hint for the URL's
// last path element (ffmpeg picks demuxers partly by extension).
func ServeReaderAt(ra io.ReaderAt, size int64, name string) (url string, stop func(), err error) {
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return "", nil, err
	}
	path := "/" + hex.EncodeToString(tok) + "/" + name
	if name == "" {
		path += "master"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("serve master on loopback: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(path, func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		http.ServeContent(w, req, "", time.Time{}, io.NewSectionReader(ra, 0, size))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the client sees the failure as a read error
		}
	}()
	return "http://" + ln.Addr().String() + path, func() { _ = srv.Close() }, nil
}
