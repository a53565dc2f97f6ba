package bundle

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// ErrExists reports that the bundle folder (or its zip) already exists.
var ErrExists = errors.New("already exists")

// Writer writes a bundle into a temporary folder beside its destination
// and renames it into place on Commit, so a cancelled or failed export
// leaves no partial folder. Use: Add the content files, WriteManifest,
// audit the export with the manifest's SHA-256, WriteAudit, Add the files
// declared for after the manifest (report), Commit. A Writer is not safe
// for concurrent use.
type Writer struct {
	dir, tmp string
	man      Manifest
	sums     map[string]string // path -> hex SHA-256 of every written file
	sealed   bool              // manifest written
	declared map[string]bool   // paths named in the manifest without a hash, not yet written
	summing  bool              // Commit is writing SHA256SUMS
	done     bool
}

// NewWriter starts a bundle that will appear at dir. dir must not exist;
// its parent must. m's Items are filled by Add and Declare.
func NewWriter(dir string, m Manifest) (*Writer, error) {
	dir = filepath.Clean(dir)
	if _, err := os.Lstat(dir); err == nil {
		return nil, fmt.Errorf("bundle folder %s: %w", dir, ErrExists)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("bundle folder: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".partial-")
	if err != nil {
		return nil, fmt.Errorf("bundle folder: %w", err)
	}
	m.Format = Format
	m.CreatedAt = m.CreatedAt.UTC()
	m.Items = nil
	return &Writer{dir: dir, tmp: tmp, man: m, sums: map[string]string{}, declared: map[string]bool{}}, nil
}

// Manifest returns the manifest as it stands.
func (w *Writer) Manifest() Manifest { return w.man }

// CheckPath reports whether p is a plain relative bundle path: slash-
// separated, clean, not absolute, no "..", no backslash or control
// characters.
func CheckPath(p string) error {
	switch {
	case p == "" || p == ".":
		return errors.New("empty path")
	case strings.HasPrefix(p, "/") || filepath.IsAbs(p) || (len(p) > 1 && p[1] == ':'):
		return errors.New("absolute path refused")
	case strings.ContainsAny(p, "\\\x00\n\r"):
		return errors.New("path with a backslash or control character refused")
	case path.Clean(p) != p:
		return errors.New("path is not clean")
	}
	for _, el := range strings.Split(p, "/") {
		if el == ".." {
			return errors.New(`path with ".." refused`)
		}
	}
	return nil
}

// create opens a new file of the bundle for writing.
func (w *Writer) create(p string) (*os.File, error) {
	if w.done {
		return nil, errors.New("bundle already committed or aborted")
	}
	if err := CheckPath(p); err != nil {
		return nil, fmt.Errorf("bundle file %q: %w", p, err)
	}
	if (p == SumsFile && !w.summing) || (p == ManifestFile && w.sealed) {
		return nil, fmt.Errorf("bundle file %q is written by the Writer", p)
	}
	if _, dup := w.sums[p]; dup {
		return nil, fmt.Errorf("bundle file %q written twice", p)
	}
	full := filepath.Join(w.tmp, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return nil, err
	}
	return os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
}

// writeFile writes one file with write, fsyncs it and records its hash.
func (w *Writer) writeFile(p string, write func(io.Writer) error) (sum string, size int64, err error) {
	f, err := w.create(p)
	if err != nil {
		return "", 0, err
	}
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(f, h)}
	err = write(cw)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, fmt.Errorf("bundle file %s: %w", p, err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	w.sums[p] = sum
	return sum, cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Add writes the file it.Path with write and lists it in the manifest with
// its SHA-256 and size. Before the manifest is written any item may be
// added; after it, only the paths named by Declare.
func (w *Writer) Add(it Item, write func(io.Writer) error) error {
	if w.sealed {
		if !w.declared[it.Path] {
			return fmt.Errorf("bundle file %q: not declared in the manifest", it.Path)
		}
		if _, _, err := w.writeFile(it.Path, write); err != nil {
			return err
		}
		delete(w.declared, it.Path)
		return nil
	}
	sum, size, err := w.writeFile(it.Path, write)
	if err != nil {
		return err
	}
	it.SHA256, it.Size = sum, size
	w.man.Items = append(w.man.Items, it)
	return nil
}

// AddBytes is Add for a file held in memory.
func (w *Writer) AddBytes(it Item, data []byte) error {
	return w.Add(it, func(o io.Writer) error { _, err := o.Write(data); return err })
}

// AddFile is Add copying the file at src.
func (w *Writer) AddFile(it Item, src string) error {
	return w.Add(it, func(o io.Writer) error {
		f, err := os.Open(src)
		if err != nil {
			return err
		}
		defer func() { _ = f.Close() }() // read only
		_, err = io.Copy(o, f)
		return err
	})
}

// Declare names in the manifest a file that is written after it (its hash
// is then in SHA256SUMS only).
func (w *Writer) Declare(it Item) error {
	if w.sealed {
		return errors.New("bundle: Declare after the manifest")
	}
	if err := CheckPath(it.Path); err != nil {
		return fmt.Errorf("bundle file %q: %w", it.Path, err)
	}
	it.SHA256, it.Size = "", 0
	w.man.Items = append(w.man.Items, it)
	if it.Kind != KindProofs {
		w.declared[it.Path] = true
	}
	return nil
}

// WriteManifest declares the audit files, writes manifest.json and
// returns its SHA-256 (hex), which the export's audit entry records.
func (w *Writer) WriteManifest() (string, error) {
	if w.sealed {
		return "", errors.New("bundle: manifest already written")
	}
	for _, it := range []Item{{Path: EntriesFile, Kind: KindAuditEntries}, {Path: CheckpointFile, Kind: KindCheckpoint},
		{Path: KeyFile, Kind: KindVerifierKey}, {Path: ProofsDir, Kind: KindProofs}} {
		if err := w.Declare(it); err != nil {
			return "", err
		}
	}
	b, err := json.MarshalIndent(&w.man, "", "  ")
	if err != nil {
		return "", fmt.Errorf("manifest: %w", err)
	}
	b = append(b, '\n')
	sum, _, err := w.writeFile(ManifestFile, func(o io.Writer) error { _, err := o.Write(b); return err })
	if err != nil {
		return "", err
	}
	w.sealed = true
	return sum, nil
}

// AuditLog is what WriteAudit puts in audit/: entries with their
// inclusion proofs against one signed checkpoint.
type AuditLog struct {
	Entries     []AuditLeaf
	Checkpoint  []byte // signed note
	VerifierKey string // note verifier key
}

// AuditLeaf is one audit entry: its 1-based sequence number (leaf index
// + 1), its exact leaf data and its audit path in the checkpoint's tree.
type AuditLeaf struct {
	Seq  int64
	Data []byte
	Path []tlog.Hash
}

// WriteAudit writes audit/entries.jsonl, audit/checkpoint, audit/log.vkey
// and one proof per entry, after checking that each proof verifies against
// the checkpoint and the checkpoint's signature against the key, so that
// no bundle is written that its own check would fail.
func (w *Writer) WriteAudit(a *AuditLog) error {
	if !w.sealed {
		return errors.New("bundle: WriteAudit before the manifest")
	}
	cp, err := openCheckpoint(a.Checkpoint, []byte(a.VerifierKey))
	if err != nil {
		return err
	}
	var entries bytes.Buffer
	seen := map[int64]bool{}
	for _, e := range a.Entries {
		if bytes.ContainsAny(e.Data, "\n\r") {
			return fmt.Errorf("audit entry %d: leaf data holds a line break", e.Seq)
		}
		if seen[e.Seq] || e.Seq < 1 {
			return fmt.Errorf("audit entry %d: repeated or not a sequence number", e.Seq)
		}
		seen[e.Seq] = true
		if err := tlog.CheckRecord(e.Path, cp.Size, cp.Root, e.Seq-1, tlog.RecordHash(e.Data)); err != nil {
			return fmt.Errorf("audit entry %d does not prove against the checkpoint: %w", e.Seq, err)
		}
		entries.Write(e.Data)
		entries.WriteByte('\n')
	}
	files := []struct {
		p    string
		data []byte
	}{{EntriesFile, entries.Bytes()}, {CheckpointFile, a.Checkpoint}, {KeyFile, []byte(a.VerifierKey + "\n")}}
	for _, e := range a.Entries {
		pr := Proof{Index: e.Seq - 1, Path: e.Path, Checkpoint: a.Checkpoint}
		files = append(files, struct {
			p    string
			data []byte
		}{ProofPath(e.Seq), pr.Marshal()})
	}
	for _, f := range files {
		if _, _, err := w.writeFile(f.p, func(o io.Writer) error { _, err := o.Write(f.data); return err }); err != nil {
			return err
		}
		delete(w.declared, f.p)
	}
	return nil
}

// ProofPath returns the bundle path of the proof of entry seq.
func ProofPath(seq int64) string { return fmt.Sprintf("%s/%d%s", ProofsDir, seq, ProofSuffix) }

// openCheckpoint verifies a checkpoint note with the verifier key (as in
// audit/log.vkey, trailing newline allowed) and parses its text.
func openCheckpoint(signed, vkey []byte) (*CheckpointBody, error) {
	v, err := note.NewVerifier(strings.TrimSpace(string(vkey)))
	if err != nil {
		return nil, fmt.Errorf("verifier key: %w", err)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return nil, fmt.Errorf("checkpoint signature: %w", err)
	}
	return parseCheckpointText(n.Text)
}

// Commit writes SHA256SUMS, makes everything durable and renames the
// temporary folder to the bundle folder; with zipToo it also writes
// DIR.zip (through a temporary file, renamed). Every declared file must
// have been written.
func (w *Writer) Commit(zipToo bool) error {
	if !w.sealed {
		return errors.New("bundle: Commit before the manifest")
	}
	if len(w.declared) > 0 {
		var miss []string
		for p := range w.declared {
			miss = append(miss, p)
		}
		sort.Strings(miss)
		return fmt.Errorf("bundle: declared files not written: %s", strings.Join(miss, ", "))
	}
	paths := make([]string, 0, len(w.sums))
	for p := range w.sums {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var sums bytes.Buffer
	for _, p := range paths {
		fmt.Fprintf(&sums, "%s  %s\n", w.sums[p], p)
	}
	w.summing = true
	if _, _, err := w.writeFile(SumsFile, func(o io.Writer) error { _, err := o.Write(sums.Bytes()); return err }); err != nil {
		return err
	}
	// fsync every folder, deepest first, then publish.
	var dirs []string
	if err := filepath.WalkDir(w.tmp, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return err
	}); err != nil {
		return err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := syncDir(dirs[i]); err != nil {
			return err
		}
	}
	if zipToo {
		if err := w.writeZip(append(paths, SumsFile)); err != nil {
			return err
		}
	}
	if _, err := os.Lstat(w.dir); err == nil {
		if zipToo {
			os.Remove(w.dir + ".zip")
		}
		return fmt.Errorf("bundle folder %s: %w", w.dir, ErrExists)
	}
	if err := os.Rename(w.tmp, w.dir); err != nil {
		if zipToo {
			os.Remove(w.dir + ".zip")
		}
		return fmt.Errorf("bundle folder: %w", err)
	}
	w.done = true
	return syncDir(filepath.Dir(w.dir))
}

func (w *Writer) writeZip(paths []string) error {
	dst := w.dir + ".zip"
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("bundle zip %s: %w", dst, ErrExists)
	}
	f, err := os.CreateTemp(filepath.Dir(w.dir), "."+filepath.Base(dst)+".partial-")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok { // a failure is being returned already
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	zw := zip.NewWriter(f)
	base := filepath.Base(w.dir)
	// manifest.json first: a desktop recognises a bundle zip by that name
	// in the first entry (packaging/linux/uk.police.exhibit.mime.xml).
	first := []string{ManifestFile}
	for _, p := range paths {
		if p != ManifestFile {
			first = append(first, p)
		}
	}
	for _, p := range first {
		src, err := os.Open(filepath.Join(w.tmp, filepath.FromSlash(p)))
		if err != nil {
			return err
		}
		method := zip.Deflate
		if strings.HasPrefix(p, "masters/") || strings.HasPrefix(p, "clips/") || strings.HasSuffix(p, ".png") {
			method = zip.Store // already compressed
		}
		hw, err := zw.CreateHeader(&zip.FileHeader{Name: base + "/" + p, Method: method, Modified: w.man.CreatedAt})
		if err == nil {
			_, err = io.Copy(hw, src)
		}
		_ = src.Close() // read only
		if err != nil {
			return fmt.Errorf("bundle zip: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("bundle zip: %w", err)
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), dst); err != nil {
		return err
	}
	ok = true
	return nil
}

// Abort removes the temporary folder. It is a no-op after Commit, so it
// may be deferred.
func (w *Writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	return os.RemoveAll(w.tmp)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// AddProduced lists in the manifest a file that produce writes itself at
// the path it is given (inside the bundle's temporary folder, e.g. an
// ffmpeg output), then hashes it. Only before the manifest.
func (w *Writer) AddProduced(it Item, produce func(path string) error) error {
	return w.AddProducedFunc(&it, produce)
}

// AddProducedFunc is AddProduced where produce may still fill in *it (its
// exhibit reference, recipe, ...) before it is listed.
func (w *Writer) AddProducedFunc(it *Item, produce func(path string) error) error {
	if w.sealed {
		return fmt.Errorf("bundle file %q: produced after the manifest", it.Path)
	}
	f, err := w.create(it.Path)
	if err != nil {
		return err
	}
	full := f.Name()
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Remove(full); err != nil {
		return err
	}
	if err := produce(full); err != nil {
		os.Remove(full)
		return fmt.Errorf("bundle file %s: %w", it.Path, err)
	}
	src, err := os.Open(full)
	if err != nil {
		return fmt.Errorf("bundle file %s: %w", it.Path, err)
	}
	h := sha256.New()
	n, err := io.Copy(h, src)
	if err == nil {
		err = src.Sync()
	}
	if cerr := src.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("bundle file %s: %w", it.Path, err)
	}
	it.SHA256, it.Size = hex.EncodeToString(h.Sum(nil)), n
	w.sums[it.Path] = it.SHA256
	w.man.Items = append(w.man.Items, *it)
	return nil
}

// SHA256 returns the hex SHA-256 of a file written to the bundle ("" if none).
func (w *Writer) SHA256(path string) string { return w.sums[path] }

// Has reports whether the bundle already has a file at path.
func (w *Writer) Has(path string) bool { _, ok := w.sums[path]; return ok }
