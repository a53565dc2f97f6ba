package bundle_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"exhibit/app/media"
	"exhibit/bundle"
)

// memLog is an in-memory RFC 6962 log signed like the store's audit trail.
type memLog struct {
	hashes []tlog.Hash
	leaves [][]byte
	signer note.Signer
	vkey   string
}

func (m *memLog) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = m.hashes[x]
	}
	return out, nil
}

func newMemLog(t testing.TB) *memLog {
	skey, vkey, err := note.GenerateKey(rand.Reader, "exhibit-audit-TEST")
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return &memLog{signer: s, vkey: vkey}
}

// add appends an entry shaped like store.AuditEntry's leaf data.
func (m *memLog) add(t testing.TB, action, rec, sum string) int64 {
	seq := int64(len(m.leaves)) + 1
	data, err := json.Marshal(map[string]any{"seq": seq, "time": time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		"user": "sgt.jones", "role": "reviewer", "action": action, "recording_id": rec, "sha256": sum,
		"outcome": "ok", "detail": ""})
	if err != nil {
		t.Fatal(err)
	}
	hs, err := tlog.StoredHashes(seq-1, data, m)
	if err != nil {
		t.Fatal(err)
	}
	m.hashes = append(m.hashes, hs...)
	m.leaves = append(m.leaves, data)
	return seq
}

func (m *memLog) export(t testing.TB) *bundle.AuditLog {
	n := int64(len(m.leaves))
	root, err := tlog.TreeHash(n, m)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := note.Sign(&note.Note{Text: fmt.Sprintf("exhibit audit TEST\n%d\n%s\n", n, root)}, m.signer)
	if err != nil {
		t.Fatal(err)
	}
	a := &bundle.AuditLog{Checkpoint: cp, VerifierKey: m.vkey}
	for i, d := range m.leaves {
		p, err := tlog.ProveRecord(n, int64(i), m)
		if err != nil {
			t.Fatal(err)
		}
		a.Entries = append(a.Entries, bundle.AuditLeaf{Seq: int64(i) + 1, Data: d, Path: p})
	}
	return a
}

// check fails the test on err.
func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func fileSHA(t testing.TB, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// fixture holds source files for bundles: a generated master with the
// frame-index band, a lossless copy of all its frames, a court re-encode.
type fixture struct {
	master, lossless, court string
	masterFH, courtFH       []byte
	frames                  int
}

var (
	fixOnce sync.Once
	fix     fixture
	fixErr  error
)

func getFixture(t testing.TB) fixture {
	fixOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bundle-fixture-")
		if err != nil {
			fixErr = err
			return
		}
		fix.frames = 60
		fix.master = filepath.Join(dir, "master.mp4")
		ctx := context.Background()
		if fixErr = media.WriteIndexedClip(ctx, fix.master, media.IndexedClipOptions{Frames: fix.frames, GOP: 25, BFrames: 2, Audio: true}); fixErr != nil {
			return
		}
		fix.lossless = filepath.Join(dir, "lossless.mp4")
		fix.court = filepath.Join(dir, "court.mp4")
		for _, c := range [][]string{
			{"-i", fix.master, "-map", "0", "-c", "copy", fix.lossless},
			{"-i", fix.master, "-map", "0", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", fix.court},
		} {
			if out, err := exec.Command("ffmpeg", append([]string{"-v", "error", "-nostdin"}, c...)...).CombinedOutput(); err != nil {
				fixErr = fmt.Errorf("%v: %s", err, out)
				return
			}
		}
		if fix.masterFH, fixErr = bundle.ComputeFrameHash(ctx, "", fix.master); fixErr != nil {
			return
		}
		fix.courtFH, fixErr = bundle.ComputeFrameHash(ctx, "", fix.court)
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return fix
}

// makeBundle writes a complete bundle at dir and returns the log behind it.
func makeBundle(t testing.TB, dir string, zipToo bool) *memLog {
	f := getFixture(t)
	log := newMemLog(t)
	msum := fileSHA(t, f.master)
	log.add(t, "ingest", "ABCD2345", msum)
	log.add(t, "review.open", "ABCD2345", msum)
	log.add(t, "signin", "", "")
	log.add(t, "annotation.add", "ABCD2345", "")

	w, err := bundle.NewWriter(dir, bundle.Manifest{CaseRef: "CASE/2026/001", BundleID: "B1", CreatedBy: "sgt.jones",
		CreatedAt: time.Now(), ExhibitVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Abort() }() // a no-op after Commit
	rec := &bundle.Recording{RecordedAt: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), DurationMS: 2400, FPS: "25/1", Frames: f.frames, Officer: "PC 123", Device: "CAM-1"}
	rng := &bundle.FrameRange{From: 0, To: f.frames - 1}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.AddFile(bundle.Item{Path: "masters/ABCD2345.mp4", Kind: bundle.KindMaster, ExhibitRef: "JS/1", MasterID: "ABCD2345", MasterSHA256: msum, Recording: rec}, f.master))
	must(w.AddBytes(bundle.Item{Path: "framehash/ABCD2345_0-59.framehash", Kind: bundle.KindFrameHash, Of: "master ABCD2345 frames 0-59"}, f.masterFH))
	must(w.AddBytes(bundle.Item{Path: "framehash/JS-1-L.framehash", Kind: bundle.KindFrameHash, Of: "clips/JS-1-L.mp4"}, f.masterFH))
	must(w.AddFile(bundle.Item{Path: "clips/JS-1-L.mp4", Kind: bundle.KindClipLossless, ExhibitRef: "JS/1/L", MasterID: "ABCD2345", MasterSHA256: msum,
		Frames: rng, Recording: rec, Recipe: &bundle.Recipe{Tool: "ffmpeg", Args: []string{"-c", "copy"}},
		FrameHash: "framehash/JS-1-L.framehash", MasterFrameHash: "framehash/ABCD2345_0-59.framehash"}, f.lossless))
	must(w.AddBytes(bundle.Item{Path: "framehash/JS-1-C.framehash", Kind: bundle.KindFrameHash, Of: "clips/JS-1-C.mp4"}, f.courtFH))
	must(w.AddFile(bundle.Item{Path: "clips/JS-1-C.mp4", Kind: bundle.KindClipCourt, ExhibitRef: "JS/1/C", MasterID: "ABCD2345", MasterSHA256: msum,
		Frames: rng, Recipe: &bundle.Recipe{Tool: "ffmpeg", Args: []string{"-c:v", "libx264"}}, FrameHash: "framehash/JS-1-C.framehash",
		MasterFrameHash: "framehash/ABCD2345_0-59.framehash"}, f.court))
	must(w.AddBytes(bundle.Item{Path: bundle.ReadmeFile, Kind: bundle.KindReadme}, []byte(bundle.Readme(w.Manifest()))))
	must(w.Declare(bundle.Item{Path: bundle.ReportHTML, Kind: bundle.KindReportHTML}))
	sum, err := w.WriteManifest()
	must(err)
	log.add(t, "export.create", "", sum)
	must(w.WriteAudit(log.export(t)))
	must(w.AddBytes(bundle.Item{Path: bundle.ReportHTML}, []byte("<html>report</html>")))
	must(w.Commit(zipToo))
	return log
}

func TestRoundTrip(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "B1")
	log := makeBundle(t, dir, true)
	if probs := bundle.Verify(context.Background(), dir, bundle.VerifyOptions{}); len(probs) > 0 {
		t.Fatalf("fresh bundle fails: %v", probs)
	}
	// Public tools: sha256sum -c, and the zip holds the same files.
	cmd := exec.Command("sha256sum", "--strict", "-c", "SHA256SUMS")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}
	ents, _ := os.ReadDir(parent)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "B1,B1.zip" {
		t.Fatalf("parent holds %v, want only B1 and B1.zip", names)
	}
	unz := t.TempDir()
	run(t, "python3", "-c", "import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", dir+".zip", unz)
	if probs := bundle.Verify(context.Background(), filepath.Join(unz, "B1"), bundle.VerifyOptions{}); len(probs) > 0 {
		t.Fatalf("unzipped bundle fails: %v", probs)
	}
	// Every proof also verifies with transparency-dev/merkle.
	cpb, _ := os.ReadFile(filepath.Join(dir, bundle.CheckpointFile))
	v, _ := note.NewVerifier(log.vkey)
	n, err := note.Open(cpb, note.VerifierList(v))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(n.Text, "\n")
	root, _ := tlog.ParseHash(lines[2])
	size, err := strconv.ParseUint(lines[1], 10, 64)
	check(t, err)
	entries, _ := os.ReadFile(filepath.Join(dir, bundle.EntriesFile))
	el := strings.Split(strings.TrimSuffix(string(entries), "\n"), "\n")
	if len(el) != 5 || uint64(len(el)) != size {
		t.Fatalf("%d entry lines, tree size %d; want 5", len(el), size)
	}
	for i, line := range el {
		pb, err := os.ReadFile(filepath.Join(dir, bundle.ProofPath(int64(i+1))))
		if err != nil {
			t.Fatal(err)
		}
		p, err := bundle.ParseProof(pb)
		if err != nil {
			t.Fatal(err)
		}
		var path [][]byte
		for _, h := range p.Path {
			path = append(path, h[:])
		}
		if !bytes.Equal([]byte(line), log.leaves[i]) {
			t.Fatalf("line %d is not the leaf data", i+1)
		}
		lh := rfc6962.DefaultHasher.HashLeaf([]byte(line))
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(p.Index), size, lh, path, root[:]); err != nil {
			t.Fatalf("entry %d: merkle: %v", i+1, err)
		}
		if !bytes.HasPrefix(pb, []byte("c2sp.org/tlog-proof@v1\nindex "+fmt.Sprint(i)+"\n")) || !bytes.HasSuffix(pb, append([]byte("\n\n"), cpb...)) {
			t.Fatalf("proof %d layout:\n%s", i+1, pb)
		}
	}
}

// TestReadmePython runs README.txt's RFC 6962 program on a bundle and on
// one with an edited entry line.
func TestReadmePython(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "B")
	makeBundle(t, dir, false)
	readme, _ := os.ReadFile(filepath.Join(dir, bundle.ReadmeFile))
	_, prog, ok := strings.Cut(string(readme), "----- verify_proofs.py -----\n")
	prog, _, ok2 := strings.Cut(prog, "----- end -----")
	if !ok || !ok2 {
		t.Fatal("README.txt has no verify_proofs.py")
	}
	py := func() string {
		cmd := exec.Command("python3", "-c", prog)
		cmd.Dir = dir
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	if out := py(); strings.Count(out, ": OK") != 5 || !strings.Contains(out, "all OK") {
		t.Fatalf("README program on a good bundle:\n%s", out)
	}
	p := filepath.Join(dir, bundle.EntriesFile)
	b, _ := os.ReadFile(p)
	check(t, os.WriteFile(p, bytes.Replace(b, []byte(`"action":"ingest"`), []byte(`"action":"ingesT"`), 1), 0o644))
	if out := py(); !strings.Contains(out, "entry 1: FAIL") || !strings.Contains(out, "all FAILED") || strings.Count(out, ": OK") != 4 {
		t.Fatalf("README program on an edited entry:\n%s", out)
	}
}

// TestReadmeFrameHashByHand runs README.txt's ffmpeg and diff commands on
// the clips of a bundle, as a defence expert would.
func TestReadmeFrameHashByHand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "B")
	makeBundle(t, dir, false)
	readme, _ := os.ReadFile(filepath.Join(dir, bundle.ReadmeFile))
	ff := "ffmpeg -protocol_whitelist file -flags +bitexact -fflags +bitexact -i CLIP -map 0:v:0 \\\n      -fps_mode passthrough -flags +bitexact -f framehash -hash sha256 - > /tmp/new.framehash"
	df := "diff <(grep -v '^#' /tmp/new.framehash | cut -d, -f5-) <(grep -v '^#' FRAMEHASH | cut -d, -f5-)"
	if !strings.Contains(string(readme), ff) || !strings.Contains(string(readme), df) {
		t.Fatalf("README.txt does not give the commands this test runs")
	}
	tmp := filepath.Join(t.TempDir(), "new.framehash")
	for _, c := range [][2]string{{"clips/JS-1-C.mp4", "framehash/JS-1-C.framehash"}, {"clips/JS-1-L.mp4", "framehash/JS-1-L.framehash"},
		{"clips/JS-1-L.mp4", "framehash/ABCD2345_0-59.framehash"}} {
		script := strings.NewReplacer("CLIP", c[0], "FRAMEHASH", c[1], "/tmp/new.framehash", tmp, "\\\n", "").Replace(ff + "\n" + df)
		cmd := exec.Command("bash", "-c", script)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s against %s: %v\n%s", c[0], c[1], err, out)
		}
	}
	// And it tells a different clip apart.
	script := strings.NewReplacer("CLIP", "clips/JS-1-C.mp4", "FRAMEHASH", "framehash/JS-1-L.framehash", "/tmp/new.framehash", tmp, "\\\n", "").Replace(ff + "\n" + df)
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = dir
	if err := cmd.Run(); err == nil {
		t.Error("the court clip's frames pass as the lossless clip's")
	}
}

func copyTree(t testing.TB, src, dst string) {
	run(t, "cp", "-a", src, dst)
}

func flip(t testing.TB, p string, at int64) {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if at < 0 {
		at = int64(len(b)) + at
	}
	b[at] ^= 0x01
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// resum rewrites SHA256SUMS to match the files (a forger's step).
func resum(t testing.TB, dir string) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			if rel != "SHA256SUMS" {
				files = append(files, rel)
			}
		}
		return err
	})
	check(t, err)
	var b strings.Builder
	for _, f := range files {
		fmt.Fprintf(&b, "%s  %s\n", fileSHA(t, filepath.Join(dir, f)), f)
	}
	check(t, os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(b.String()), 0o644))
}

func editManifest(t testing.TB, dir string, f func(m *bundle.Manifest)) {
	p := filepath.Join(dir, "manifest.json")
	b, _ := os.ReadFile(p)
	var m bundle.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	f(&m)
	b, _ = json.MarshalIndent(&m, "", "  ")
	check(t, os.WriteFile(p, b, 0o644))
}

func TestTamper(t *testing.T) {
	good := filepath.Join(t.TempDir(), "good")
	makeBundle(t, good, false)
	cases := []struct {
		name   string
		mutate func(t *testing.T, dir string)
		want   []string // paths that must be named (first is enough for sha256sum)
	}{
		{"court clip byte", func(t *testing.T, d string) { flip(t, filepath.Join(d, "clips/JS-1-C.mp4"), -100) }, []string{"clips/JS-1-C.mp4"}},
		{"lossless clip byte", func(t *testing.T, d string) { flip(t, filepath.Join(d, "clips/JS-1-L.mp4"), 2000) }, []string{"clips/JS-1-L.mp4"}},
		{"master byte", func(t *testing.T, d string) { flip(t, filepath.Join(d, "masters/ABCD2345.mp4"), 5000) }, []string{"masters/ABCD2345.mp4"}},
		{"manifest byte", func(t *testing.T, d string) { flip(t, filepath.Join(d, "manifest.json"), 30) }, []string{"manifest.json"}},
		{"entry line", func(t *testing.T, d string) {
			p := filepath.Join(d, bundle.EntriesFile)
			b, _ := os.ReadFile(p)
			check(t, os.WriteFile(p, bytes.Replace(b, []byte("sgt.jones"), []byte("sgt.jonez"), 1), 0o644))
			resum(t, d)
		}, []string{bundle.EntriesFile}},
		{"proof byte", func(t *testing.T, d string) { flip(t, filepath.Join(d, bundle.ProofPath(2)), 40) }, []string{bundle.ProofPath(2)}},
		{"checkpoint byte", func(t *testing.T, d string) {
			p := filepath.Join(d, bundle.CheckpointFile)
			b, _ := os.ReadFile(p)
			check(t, os.WriteFile(p, bytes.Replace(b, []byte("\n5\n"), []byte("\n4\n"), 1), 0o644))
			resum(t, d)
		}, []string{bundle.CheckpointFile}},
		{"extra file", func(t *testing.T, d string) {
			check(t, os.WriteFile(filepath.Join(d, "clips/extra.mp4"), []byte("x"), 0o644))
		}, []string{"clips/extra.mp4"}},
		{"missing file", func(t *testing.T, d string) { os.Remove(filepath.Join(d, "framehash/JS-1-C.framehash")) }, []string{"framehash/JS-1-C.framehash"}},
		{"renamed file", func(t *testing.T, d string) {
			check(t, os.Rename(filepath.Join(d, "clips/JS-1-C.mp4"), filepath.Join(d, "clips/JS-1-D.mp4")))
		}, []string{"clips/JS-1-C.mp4", "clips/JS-1-D.mp4"}},
		{"dotdot in manifest", func(t *testing.T, d string) {
			editManifest(t, d, func(m *bundle.Manifest) {
				for i := range m.Items {
					if m.Items[i].Kind == bundle.KindClipCourt {
						m.Items[i].Path = "../outside/JS-1-C.mp4"
					}
				}
			})
			resum(t, d)
		}, []string{"../outside/JS-1-C.mp4", "clips/JS-1-C.mp4"}},
		{"absolute in manifest", func(t *testing.T, d string) {
			editManifest(t, d, func(m *bundle.Manifest) { m.Items[0].Path = "/etc/passwd" })
			resum(t, d)
		}, []string{"/etc/passwd"}},
		{"symlink", func(t *testing.T, d string) {
			p := filepath.Join(d, "clips/JS-1-C.mp4")
			check(t, os.Rename(p, filepath.Join(filepath.Dir(d), "elsewhere.mp4")))
			check(t, os.Symlink(filepath.Join(filepath.Dir(d), "elsewhere.mp4"), p))
		}, []string{"clips/JS-1-C.mp4"}},
		{"symlinked folder", func(t *testing.T, d string) {
			other := filepath.Join(filepath.Dir(d), "framehash-elsewhere")
			check(t, os.Rename(filepath.Join(d, "framehash"), other))
			check(t, os.Symlink(other, filepath.Join(d, "framehash")))
		}, []string{"framehash", "framehash/JS-1-C.framehash"}},
		{"consistent forgery", func(t *testing.T, d string) {
			// Replace the court clip by another encode and fix every hash
			// the forger can: only the signed log catches it.
			f := getFixture(t)
			p := filepath.Join(d, "clips/JS-1-C.mp4")
			run(t, "ffmpeg", "-v", "error", "-y", "-i", f.master, "-c:v", "libx264", "-crf", "40", p)
			fh, err := bundle.ComputeFrameHash(context.Background(), "", p)
			if err != nil {
				t.Fatal(err)
			}
			check(t, os.WriteFile(filepath.Join(d, "framehash/JS-1-C.framehash"), fh, 0o644))
			editManifest(t, d, func(m *bundle.Manifest) {
				for i := range m.Items {
					if fi, err := os.Stat(filepath.Join(d, m.Items[i].Path)); err == nil && m.Items[i].SHA256 != "" {
						m.Items[i].SHA256, m.Items[i].Size = fileSHA(t, filepath.Join(d, m.Items[i].Path)), fi.Size()
					}
				}
			})
			resum(t, d)
		}, []string{"manifest.json"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := filepath.Join(t.TempDir(), "b")
			copyTree(t, good, d)
			c.mutate(t, d)
			probs := bundle.Verify(context.Background(), d, bundle.VerifyOptions{})
			if len(probs) == 0 {
				t.Fatal("tampered bundle verifies")
			}
			for _, w := range c.want {
				found := false
				for _, p := range probs {
					found = found || p.Path == w
				}
				if !found {
					t.Errorf("no problem names %s: %v", w, probs)
				}
			}
			for _, p := range probs {
				if strings.HasPrefix(p.Reason, "cannot decode") && strings.Contains(p.Path, "..") {
					t.Errorf("followed a refused path: %v", p)
				}
			}
			t.Logf("%v", probs)
		})
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	w, err := bundle.NewWriter(filepath.Join(parent, "B"), bundle.Manifest{CaseRef: "C"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.AddBytes(bundle.Item{Path: "clips/a.mp4", Kind: bundle.KindClipCourt}, []byte("abc")); err != nil {
		t.Fatal(err)
	}
	if err := w.AddBytes(bundle.Item{Path: "../x", Kind: bundle.KindStill}, []byte("abc")); err == nil {
		t.Fatal("wrote ../x")
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 0 {
		t.Fatalf("abort left %v", ents)
	}
	if err := os.Mkdir(filepath.Join(parent, "B"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := bundle.NewWriter(filepath.Join(parent, "B"), bundle.Manifest{}); err == nil {
		t.Fatal("NewWriter over an existing folder")
	}
}
