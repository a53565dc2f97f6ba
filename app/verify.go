package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"exhibit/app/media"
	"exhibit/store"
)

// VerifyResult is the outcome of re-checking one recording.
type VerifyResult struct {
	ID     string `json:"id"`
	OK     bool   `json:"ok"`
	SHA256 string `json:"sha256"`
	Frames int    `json:"frames"`
	Error  string `json:"error,omitempty"`
}

// VerifyReport is the outcome of a verify run.
type VerifyReport struct {
	// Results has one entry per recording the signed-in user may see, in
	// the order checked.
	Results []VerifyResult
	// Restricted counts the restricted recordings a bulk run checked for a
	// user who may not see them: nothing about them but the counts and,
	// per failure, an opaque reference professional standards can resolve
	// (Library.ResolveVerifyReference).
	Restricted RestrictedVerify
}

// RestrictedVerify is what a bulk verify tells a user who may not see
// restricted recordings about them.
type RestrictedVerify struct {
	Verified, Failed int
	References       []string // one per failure, e.g. "VR-7KQ2-M9XD"
}

// Failed counts the failures of the run, restricted ones included.
func (r *VerifyReport) Failed() int {
	n := r.Restricted.Failed
	for _, v := range r.Results {
		if !v.OK {
			n++
		}
	}
	return n
}

// Checked counts the recordings the run checked, restricted ones included.
func (r *VerifyReport) Checked() int {
	return len(r.Results) + r.Restricted.Verified + r.Restricted.Failed
}

// Summary of the restricted recordings, for a user who may not see them:
// "3 restricted recordings verified, 0 failed" ("" when there were none).
func (v RestrictedVerify) Summary() string {
	n := v.Verified + v.Failed
	if n == 0 {
		return ""
	}
	what := "restricted recordings"
	if n == 1 {
		what = "restricted recording"
	}
	s := fmt.Sprintf("%d %s verified, %d failed", n, what, v.Failed)
	if len(v.References) > 0 {
		s += " (references " + strings.Join(v.References, ", ") + ": professional standards can identify them)"
	}
	return s
}

// idAlphabet is the alphabet of recording ids: no look-alikes.
const idAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// verifyRefPrefix starts a verify reference; its 8 characters come from
// the recording id alphabet (no look-alikes).
const verifyRefPrefix = "VR-"

// newVerifyReference returns a random reference for a failure a user may
// not be told the recording of: 8 characters from a 30-letter alphabet
// (about 39 bits), random rather than derived from the id so two
// references say nothing about whether they name the same recording.
func newVerifyReference() (string, error) {
	const alphabet = idAlphabet
	b := make([]byte, 0, 8)
	var buf [16]byte
	for len(b) < cap(b) {
		if _, err := rand.Read(buf[:]); err != nil {
			return "", fmt.Errorf("verify reference: %w", err)
		}
		for _, c := range buf {
			// 240 is the largest multiple of 30 below 256: no bias.
			if c < 240 && len(b) < cap(b) {
				b = append(b, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return verifyRefPrefix + string(b[:4]) + "-" + string(b[4:]), nil
}

// validVerifyReference reports whether ref has the shape of a reference.
func validVerifyReference(ref string) bool {
	body, ok := strings.CutPrefix(ref, verifyRefPrefix)
	if !ok || len(body) != 9 || body[4] != '-' {
		return false
	}
	for i, c := range body {
		if i != 4 && !strings.ContainsRune(idAlphabet, c) {
			return false
		}
	}
	return true
}

// verifyRefNote is how a reference is written in the failure's audit entry.
func verifyRefNote(ref string) string { return " [reference " + ref + "]" }

// Verify decrypts and re-hashes the master of each recording (all when ids
// is empty) and decodes it again to check its frame count against the frame
// table. It trusts nothing it stored: a flipped byte in a vault file, a
// moved key or a damaged frame table each fail the recording. The error is
// for the batch (cancelled, unknown id); per-recording failures are results.
//
// A run over all recordings checks restricted ones too. For a user who may
// not see them they are only counted (Report.Restricted), and progress
// gets "" for their ids; each failure among them gets a random reference,
// written with the recording in the failure's audit entry (hidden from
// that user), which professional standards resolve with
// ResolveVerifyReference. Naming a restricted recording needs the right to
// see it, as everywhere.
func (l *Library) Verify(ctx context.Context, ids []string, progress func(id string, i, n int)) (*VerifyReport, error) {
	who, err := l.requireOn(ctx, PermVerify, "verify", l.onlyRecording(ctx, ids))
	if err != nil {
		return nil, err
	}
	sees := who.Role.Can(PermRestricted)
	all := len(ids) == 0
	hidden := map[string]bool{}
	if all {
		recs, err := l.st.List(ctx, store.ListOptions{IncludeRestricted: true})
		if err != nil {
			return nil, fmt.Errorf("verify: list recordings: %w", err)
		}
		sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
		for _, r := range recs {
			ids = append(ids, r.ID)
			if r.Restricted && !sees {
				hidden[r.ID] = true
			}
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
	rep := &VerifyReport{Results: make([]VerifyResult, 0, len(ids)-len(hidden))}
	var checked []checkedRecording
	for i, id := range ids {
		if progress != nil {
			shown := id
			if hidden[id] {
				shown = ""
			}
			progress(shown, i, len(ids))
		}
		r := VerifyResult{ID: id}
		err := l.verifyOne(ctx, &r)
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		c := checkedRecording{VerifyResult: r, hidden: hidden[id]}
		if err != nil {
			c.Error = oneLine(err)
			l.log.Warn("verify failed", "id", id, "error", err)
		} else {
			c.OK = true
		}
		switch {
		case !c.hidden:
			rep.Results = append(rep.Results, c.VerifyResult)
		case c.OK:
			rep.Restricted.Verified++
		default:
			if c.ref, err = newVerifyReference(); err != nil {
				return rep, err
			}
			rep.Restricted.Failed++
			rep.Restricted.References = append(rep.Restricted.References, c.ref)
		}
		checked = append(checked, c)
	}
	return rep, l.auditVerify(ctx, checked, rep, all)
}

// checkedRecording is one recording's verify result as audited.
type checkedRecording struct {
	VerifyResult
	hidden bool   // restricted, and the user may not see it
	ref    string // its failure's reference (hidden failures only)
}

// auditVerify records a verify run: an entry per recording named (per
// failed recording for a run over all), and one for a run over all. A
// failure the user may not be told of carries its reference; its entry
// names the recording, so only roles that may read restricted audit see it.
func (l *Library) auditVerify(ctx context.Context, out []checkedRecording, rep *VerifyReport, all bool) error {
	var entries []*store.AuditEntry
	for _, r := range out {
		if r.OK && all {
			continue
		}
		e := l.entry("verify")
		e.RecordingID, e.SHA256 = r.ID, r.SHA256
		if r.OK {
			e.Detail = "stored master verified"
		} else {
			e.Outcome, e.Detail = store.OutcomeFailed, r.Error
			if r.ref != "" {
				e.Detail += verifyRefNote(r.ref)
			}
		}
		entries = append(entries, e)
	}
	if all {
		e := l.entry("verify")
		e.Detail = fmt.Sprintf("all recordings: %d verified, %d failed", rep.Checked()-rep.Failed(), rep.Failed())
		if s := rep.Restricted.Summary(); s != "" {
			e.Detail += "; of them " + s
		}
		if rep.Failed() > 0 {
			e.Outcome = store.OutcomeFailed
		}
		entries = append(entries, e)
	}
	if err := l.st.Audit(ctx, entries...); err != nil {
		return fmt.Errorf("verify: audit the run: %w", err)
	}
	return nil
}

// VerifyReference is what a verify reference stands for.
type VerifyReference struct {
	Reference   string
	RecordingID string
	SHA256      string
	At          time.Time // when the failure was recorded
	By          string    // who ran the verify
	Error       string    // what failed
}

// ErrUnknownReference reports a verify reference no failure carries.
var ErrUnknownReference = errors.New("no verify failure has that reference")

// ResolveVerifyReference tells professional standards which recording a
// verify reference (from a bulk verify by someone who may not see
// restricted recordings) stands for. It is audited.
func (l *Library) ResolveVerifyReference(ctx context.Context, ref string) (*VerifyReference, error) {
	if _, err := l.require(ctx, PermRestricted, "verify.resolve"); err != nil {
		return nil, err
	}
	ref = strings.ToUpper(strings.TrimSpace(ref))
	if !strings.HasPrefix(ref, verifyRefPrefix) {
		ref = verifyRefPrefix + ref
	}
	es, err := l.st.AuditEntries(ctx, store.AuditQuery{Action: "verify", IncludeRestricted: true})
	if err != nil {
		return nil, fmt.Errorf("resolve verify reference %s: %w", ref, err)
	}
	note := verifyRefNote(ref)
	for _, e := range es {
		if e.Outcome != store.OutcomeFailed || e.RecordingID == "" || !strings.HasSuffix(e.Detail, note) {
			continue
		}
		a := l.entry("verify.resolve")
		a.RecordingID, a.SHA256, a.Detail = e.RecordingID, e.SHA256, fmt.Sprintf("reference %s (audit entry %d)", ref, e.Seq)
		if err := l.st.Audit(ctx, a); err != nil {
			return nil, fmt.Errorf("resolve verify reference %s: %w", ref, err)
		}
		return &VerifyReference{Reference: ref, RecordingID: e.RecordingID, SHA256: e.SHA256, At: e.At, By: e.User,
			Error: strings.TrimSuffix(e.Detail, note)}, nil
	}
	a := l.entry("verify.resolve")
	a.Outcome, a.Detail = store.OutcomeFailed, "unknown reference"
	if validVerifyReference(ref) { // typed text goes into the audit only in this shape
		a.Detail += " " + ref
	}
	if err := l.st.Audit(ctx, a); err != nil {
		return nil, fmt.Errorf("resolve verify reference %s: %w", ref, err)
	}
	return nil, fmt.Errorf("%s: %w", ref, ErrUnknownReference)
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
//
// Each request reads ra in aligned 1 MiB chunks (chunkReader), so a
// decrypting reader authenticates each 64 KiB package once per pass, not
// once per 32 KiB the HTTP server copies.
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
		http.ServeContent(w, req, "", time.Time{}, newChunkReader(ra, size))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the client sees the failure as a read error
		}
	}()
	return "http://" + ln.Addr().String() + path, func() { _ = srv.Close() }, nil
}
