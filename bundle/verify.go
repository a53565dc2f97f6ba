package bundle

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/mod/sumdb/tlog"
)

// VerifyOptions tunes Verify.
type VerifyOptions struct {
	FFmpeg string // ffmpeg binary ("" = ffmpeg on PATH)
	// Progress, when set, is called from Verify's goroutine with the bytes
	// hashed so far and the total to hash (frame hashes are recomputed
	// alongside and are not counted).
	Progress func(done, total int64)
}

// Verify checks the bundle in dir and returns one Problem per failed check
// (none: the bundle is intact). It needs no store and no key beyond the
// bundle's own audit/log.vkey. Checks:
//   - every file is a regular file (a symlink anywhere is refused, never
//     followed); SHA256SUMS lists every other file with its right SHA-256;
//   - manifest.json lists every file (bar itself and SHA256SUMS) with
//     plain relative paths, and its hashes and sizes agree with the files;
//   - a master's SHA-256 equals its ingest hash; the frame hashes of every
//     clip, recomputed with ffmpeg, equal its framehash file, and for a
//     lossless clip the master range's framehash picture for picture;
//   - the checkpoint's signature verifies with audit/log.vkey; every entry
//     line has a proof that verifies against that checkpoint (RFC 6962),
//     every proof has an entry line; an export.create entry records the
//     SHA-256 of manifest.json.
func Verify(ctx context.Context, dir string, opt VerifyOptions) []Problem {
	v := &verifier{ctx: ctx, dir: dir, opt: opt, files: map[string]int64{}, sums: map[string]string{}}
	v.run()
	sort.SliceStable(v.problems, func(i, j int) bool { return v.problems[i].Path < v.problems[j].Path })
	return v.problems
}

type verifier struct {
	ctx      context.Context
	dir      string
	opt      VerifyOptions
	mu       sync.Mutex
	problems []Problem
	files    map[string]int64  // regular files found, relative path -> size
	sums     map[string]string // SHA256SUMS: path -> hex
	actual   map[string]string // computed SHA-256 of listed files
}

func (v *verifier) fail(p, format string, args ...any) {
	v.mu.Lock()
	v.problems = append(v.problems, Problem{Path: p, Reason: fmt.Sprintf(format, args...)})
	v.mu.Unlock()
}

func (v *verifier) run() {
	if fi, err := os.Lstat(v.dir); err != nil {
		v.fail(".", "cannot read the bundle folder: %v", err)
		return
	} else if !fi.IsDir() {
		v.fail(".", "not a folder (a symlink is not followed)")
		return
	}
	v.walk()
	v.readSums()
	man := v.readManifest()
	items := map[string]*Item{}
	proofsDeclared := false
	if man != nil {
		for i := range man.Items {
			it := &man.Items[i]
			if err := CheckPath(it.Path); err != nil {
				v.fail(it.Path, "manifest.json: %v", err)
				continue
			}
			if items[it.Path] != nil {
				v.fail(it.Path, "listed twice in manifest.json")
			}
			items[it.Path] = it
			if it.Kind == KindProofs {
				proofsDeclared = it.Path == ProofsDir
			}
		}
	}

	// Hash every listed file while ffmpeg recomputes the frame hashes.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); v.hashAll() }()
	if man != nil {
		for _, it := range man.Items {
			if !IsClip(it.Kind) {
				continue
			}
			if _, ok := v.files[it.Path]; !ok || CheckPath(it.Path) != nil {
				continue // reported as missing/refused
			}
			wg.Add(1)
			go func(it Item) { defer wg.Done(); v.checkClip(it) }(it)
		}
	}
	wg.Wait()

	// Coverage and agreement.
	for p := range v.files {
		if p == SumsFile {
			continue
		}
		if _, ok := v.sums[p]; !ok {
			v.fail(p, "extra file: not listed in SHA256SUMS")
		}
	}
	for p, want := range v.sums {
		if _, ok := v.files[p]; !ok {
			continue // reported by readSums
		}
		if got, ok := v.actual[p]; ok && got != want {
			v.fail(p, "changed: SHA-256 %s, SHA256SUMS says %s", got, want)
		}
		if man == nil || p == ManifestFile {
			continue
		}
		if items[p] == nil && !(proofsDeclared && path.Dir(p) == ProofsDir) {
			v.fail(p, "not listed in manifest.json")
		}
	}
	for p, it := range items {
		if it.Kind == KindProofs {
			continue
		}
		if _, ok := v.sums[p]; !ok {
			if _, onDisk := v.files[p]; onDisk || !v.missingReported(p) {
				v.fail(p, "listed in manifest.json but not in SHA256SUMS")
			}
			continue
		}
		got, ok := v.actual[p]
		if !ok {
			continue
		}
		if it.SHA256 != "" && it.SHA256 != got {
			v.fail(p, "changed: SHA-256 %s, manifest.json says %s", got, it.SHA256)
		}
		if it.SHA256 != "" && it.Size != v.files[p] {
			v.fail(p, "size %d, manifest.json says %d", v.files[p], it.Size)
		}
		if it.Kind == KindMaster && got != it.MasterSHA256 {
			v.fail(p, "master SHA-256 %s is not the ingest hash %s", got, it.MasterSHA256)
		}
	}
	v.checkAudit()
}

func (v *verifier) missingReported(p string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, pr := range v.problems {
		if pr.Path == p {
			return true
		}
	}
	return false
}

// walk lists the bundle's regular files without following symlinks.
func (v *verifier) walk() {
	err := filepath.WalkDir(v.dir, func(p string, d fs.DirEntry, err error) error {
		rel, rerr := filepath.Rel(v.dir, p)
		if rerr != nil {
			return rerr
		}
		rel = filepath.ToSlash(rel)
		if err != nil {
			v.fail(rel, "cannot read: %v", err)
			return nil
		}
		if rel == "." {
			return nil
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			v.fail(rel, "is a symlink: refused, not followed")
		case d.IsDir():
		case d.Type().IsRegular():
			fi, err := d.Info()
			if err != nil {
				v.fail(rel, "cannot read: %v", err)
				return nil
			}
			v.files[rel] = fi.Size()
		default:
			v.fail(rel, "not a regular file")
		}
		return nil
	})
	if err != nil {
		v.fail(".", "cannot list the bundle: %v", err)
	}
}

// open opens a bundle file found by walk, refusing symlinks at the last
// component (walk refused them everywhere else).
func (v *verifier) open(p string) (*os.File, error) {
	if _, ok := v.files[p]; !ok {
		return nil, errors.New("missing")
	}
	return os.OpenFile(filepath.Join(v.dir, filepath.FromSlash(p)), os.O_RDONLY|syscall.O_NOFOLLOW, 0)
}

func (v *verifier) readFile(p string, max int64) ([]byte, error) {
	f, err := v.open(p)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read only
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err == nil && int64(len(b)) > max {
		err = fmt.Errorf("larger than %d bytes", max)
	}
	return b, err
}

// readSums parses SHA256SUMS (`sha256sum` format: hex, two spaces or
// space-star, path).
func (v *verifier) readSums() {
	b, err := v.readFile(SumsFile, 64<<20)
	if err != nil {
		v.fail(SumsFile, "%v", err)
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for ln := 1; sc.Scan(); ln++ {
		l := sc.Text()
		if len(l) < 67 || (l[64:66] != "  " && l[64:66] != " *") {
			v.fail(SumsFile, "line %d is not `HASH  PATH`", ln)
			continue
		}
		sum, p := l[:64], l[66:]
		if _, err := hex.DecodeString(sum); err != nil || strings.ToLower(sum) != sum {
			v.fail(SumsFile, "line %d: not a lower-case hex SHA-256", ln)
			continue
		}
		if err := CheckPath(p); err != nil {
			v.fail(p, "SHA256SUMS: %v", err)
			continue
		}
		if _, dup := v.sums[p]; dup {
			v.fail(p, "listed twice in SHA256SUMS")
			continue
		}
		v.sums[p] = sum
		if p == SumsFile {
			v.fail(p, "SHA256SUMS lists itself")
		} else if _, ok := v.files[p]; !ok {
			v.fail(p, "missing (listed in SHA256SUMS)")
		}
	}
}

func (v *verifier) readManifest() *Manifest {
	b, err := v.readFile(ManifestFile, 64<<20)
	if err != nil {
		v.fail(ManifestFile, "%v", err)
		return nil
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		v.fail(ManifestFile, "not a bundle manifest: %v", err)
		return nil
	}
	if m.Format != Format {
		v.fail(ManifestFile, "format %q, want %q", m.Format, Format)
		return nil
	}
	return &m
}

// hashAll computes the SHA-256 of every file listed in SHA256SUMS.
func (v *verifier) hashAll() {
	actual := map[string]string{}
	paths := make([]string, 0, len(v.sums))
	for p := range v.sums {
		if _, ok := v.files[p]; ok {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	var total, done int64
	for _, p := range paths {
		total += v.files[p]
	}
	report := func() {
		if v.opt.Progress != nil {
			v.opt.Progress(done, total)
		}
	}
	report()
	buf := make([]byte, 1<<20)
	for _, p := range paths {
		if v.ctx.Err() != nil {
			v.fail(p, "not checked: %v", v.ctx.Err())
			continue
		}
		f, err := v.open(p)
		if err != nil {
			v.fail(p, "cannot read: %v", err)
			continue
		}
		h := sha256.New()
		var n int64
		n, err = io.CopyBuffer(h, f, buf)
		_ = f.Close() // read only
		done += n
		report()
		if err != nil {
			v.fail(p, "cannot read: %v", err)
			continue
		}
		actual[p] = hex.EncodeToString(h.Sum(nil))
	}
	v.actual = actual
}

// checkClip recomputes a clip's frame hashes and compares them with its
// framehash file and, for a lossless clip, the master range's.
func (v *verifier) checkClip(it Item) {
	own, err := v.frameHashFile(it.Path, it.FrameHash)
	if err != nil {
		return
	}
	var master []FrameRow
	if it.Kind == KindClipLossless || it.MasterFrameHash != "" {
		if master, err = v.frameHashFile(it.Path, it.MasterFrameHash); err != nil {
			return
		}
		if it.Frames != nil && len(master) != it.Frames.To-it.Frames.From+1 {
			v.fail(it.MasterFrameHash, "%d frames, the manifest's range %d-%d of %s has %d", len(master), it.Frames.From, it.Frames.To, it.Path, it.Frames.To-it.Frames.From+1)
		}
	}
	abs, err := filepath.Abs(filepath.Join(v.dir, filepath.FromSlash(it.Path)))
	if err != nil {
		v.fail(it.Path, "%v", err)
		return
	}
	out, err := ComputeFrameHash(v.ctx, v.opt.FFmpeg, "file:"+abs)
	if err != nil {
		v.fail(it.Path, "cannot decode: %v", err)
		return
	}
	got, err := ParseFrameHash(out)
	if err != nil {
		v.fail(it.Path, "decoded frames: %v", err)
		return
	}
	if err := comparePictures(got, own); err != nil {
		v.fail(it.Path, "decoded frames do not match %s: %v", it.FrameHash, err)
	}
	if master != nil && it.Kind == KindClipLossless {
		if err := comparePictures(got, master); err != nil {
			v.fail(it.Path, "lossless clip is not bit-identical to the master frames in %s: %v", it.MasterFrameHash, err)
		}
	}
	if it.Frames != nil && it.Kind == KindClipLossless && len(got) != it.Frames.To-it.Frames.From+1 {
		v.fail(it.Path, "%d frames, the manifest's range %d-%d has %d", len(got), it.Frames.From, it.Frames.To, it.Frames.To-it.Frames.From+1)
	}
	if len(it.FrameMap) > 0 && len(it.FrameMap) != len(got) {
		v.fail(it.Path, "%d frames, the manifest's frame map has %d", len(got), len(it.FrameMap))
	}
}

func (v *verifier) frameHashFile(clip, p string) ([]FrameRow, error) {
	if p == "" {
		v.fail(clip, "manifest.json names no framehash file for this clip")
		return nil, errors.New("none")
	}
	if err := CheckPath(p); err != nil {
		v.fail(clip, "framehash path %q: %v", p, err)
		return nil, err
	}
	b, err := v.readFile(p, 256<<20)
	if err != nil {
		v.fail(clip, "framehash %s: %v", p, err)
		return nil, err
	}
	rows, err := ParseFrameHash(b)
	if err != nil {
		v.fail(p, "%v", err)
	}
	return rows, err
}

// checkAudit verifies the checkpoint, the entries and their proofs.
func (v *verifier) checkAudit() {
	key, kerr := v.readFile(KeyFile, 4096)
	if kerr != nil {
		v.fail(KeyFile, "%v", kerr)
	}
	cpText, err := v.readFile(CheckpointFile, 1<<20)
	if err != nil {
		v.fail(CheckpointFile, "%v", err)
		return
	}
	if kerr != nil {
		return
	}
	cp, err := openCheckpoint(cpText, key)
	if err != nil {
		v.fail(CheckpointFile, "%v", err)
		return
	}
	entries, err := v.readFile(EntriesFile, 1<<30)
	if err != nil {
		v.fail(EntriesFile, "%v", err)
		return
	}
	manifestSum := v.actual[ManifestFile]
	exportFound := false
	seqs := map[int64]bool{}
	lines := bytes.Split(entries, []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	for i, line := range lines {
		var e struct {
			Seq    int64  `json:"seq"`
			Action string `json:"action"`
			SHA256 string `json:"sha256"`
		}
		if err := json.Unmarshal(line, &e); err != nil || e.Seq < 1 {
			v.fail(EntriesFile, "line %d is not an audit entry", i+1)
			continue
		}
		if seqs[e.Seq] {
			v.fail(EntriesFile, "line %d: entry %d repeated", i+1, e.Seq)
			continue
		}
		seqs[e.Seq] = true
		pp := ProofPath(e.Seq)
		b, err := v.readFile(pp, 1<<20)
		if err != nil {
			v.fail(pp, "proof of entry %d (line %d): %v", e.Seq, i+1, err)
			continue
		}
		pr, err := ParseProof(b)
		if err != nil {
			v.fail(pp, "%v", err)
			continue
		}
		if !bytes.Equal(pr.Checkpoint, cpText) {
			v.fail(pp, "its checkpoint is not audit/checkpoint")
			continue
		}
		if pr.Index != e.Seq-1 {
			v.fail(pp, "index %d, entry %d has leaf index %d", pr.Index, e.Seq, e.Seq-1)
			continue
		}
		if err := tlog.CheckRecord(pr.Path, cp.Size, cp.Root, pr.Index, tlog.RecordHash(line)); err != nil {
			v.fail(EntriesFile, "line %d (entry %d) does not prove against the checkpoint with %s", i+1, e.Seq, pp)
			continue
		}
		if e.Action == "export.create" && manifestSum != "" && e.SHA256 == manifestSum {
			exportFound = true
		}
	}
	for p := range v.files {
		if path.Dir(p) != ProofsDir {
			continue
		}
		s := strings.TrimSuffix(path.Base(p), ProofSuffix)
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || !strings.HasSuffix(p, ProofSuffix) || strconv.FormatInt(n, 10) != s {
			v.fail(p, "not a proof file name (SEQ.tlog-proof)")
		} else if !seqs[n] {
			v.fail(p, "proof of an entry that is not in audit/entries.jsonl")
		}
	}
	if manifestSum != "" && !exportFound {
		v.fail(ManifestFile, "no proven export.create entry records this manifest's SHA-256 %s", manifestSum)
	}
}
