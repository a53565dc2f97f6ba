package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Summary is what a bundle says about itself, read without verifying the
// file hashes: its manifest, the signed checkpoint (its signature checked
// with audit/log.vkey), the signer's key name and the time of the newest
// audit entry. Court playback shows it beside Verify's verdict.
type Summary struct {
	Manifest   *Manifest
	Checkpoint *CheckpointBody // nil when the checkpoint did not verify
	KeyName    string          // the note key name from audit/log.vkey
	AuditTime  time.Time       // time of the newest audit entry (UTC); zero if none
}

// ReadSummary reads dir's manifest, checkpoint, key and audit entries.
// Only the manifest is required: an error means it could not be read or
// parsed. A bad checkpoint leaves Checkpoint nil (Verify names why).
// Symlinks are not followed. dir may be the bundle's .zip (IsZip).
func ReadSummary(dir string) (*Summary, error) {
	if IsZip(dir) {
		a, err := OpenZip(dir)
		if err != nil {
			return nil, err
		}
		defer func() { _ = a.Close() }() // read only
		return a.Summary()
	}
	return readSummary(func(p string, max int64) ([]byte, error) { return readRegular(dir, p, max) })
}

// Summary is ReadSummary of the zip.
func (a *Archive) Summary() (*Summary, error) {
	return readSummary(func(p string, max int64) ([]byte, error) {
		r, err := a.Open(p)
		if err != nil {
			return nil, err
		}
		defer func() { _ = r.Close() }() // read only
		return readMax(r, p, max)
	})
}

func readSummary(readRegular func(p string, max int64) ([]byte, error)) (*Summary, error) {
	data, err := readRegular(ManifestFile, 64<<20)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", ManifestFile, err)
	}
	s := &Summary{Manifest: &m}
	key, kerr := readRegular(KeyFile, 4096)
	if kerr == nil {
		s.KeyName, _, _ = strings.Cut(strings.TrimSpace(string(key)), "+")
		if cp, err := readRegular(CheckpointFile, 1<<20); err == nil {
			s.Checkpoint, _ = openCheckpoint(cp, key) // nil: Verify reports the reason
		}
	}
	if entries, err := readRegular(EntriesFile, 1<<30); err == nil {
		var maxSeq int64
		for _, line := range bytes.Split(entries, []byte("\n")) {
			var e struct {
				Seq  int64     `json:"seq"`
				Time time.Time `json:"time"`
			}
			if json.Unmarshal(line, &e) == nil && e.Seq > maxSeq {
				maxSeq, s.AuditTime = e.Seq, e.Time.UTC()
			}
		}
	}
	return s, nil
}

// readRegular reads the bundle file p (slash-separated) if it is a regular
// file of at most max bytes.
func readRegular(dir, p string, max int64) ([]byte, error) {
	full := filepath.Join(dir, filepath.FromSlash(p))
	fi, err := os.Lstat(full)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (a symlink is not followed)", p)
	}
	f, err := os.Open(full)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	defer func() { _ = f.Close() }() // read only
	return readMax(f, p, max)
}

// readMax reads r, at most max bytes.
func readMax(r io.Reader, p string, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: %w", p, errTooLarge)
	}
	return data, nil
}

var errTooLarge = errors.New("larger than a bundle file of its kind can be")
