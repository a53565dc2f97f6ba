package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"exhibit/app/media"
	"exhibit/bundle"
)

// exportFixture is a store with one generated recording, marked and decided.
func exportFixture(t *testing.T) (*Library, string, []byte) {
	t.Helper()
	lib := newTestLibrary(t)
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "cam.mp4")
	if err := media.WriteIndexedClip(ctx, src, media.IndexedClipOptions{Width: 640, Height: 360, Frames: 60, GOP: 25, BFrames: 2, Audio: true}); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	id := ingestOne(t, lib, src).ID
	if _, err := lib.AddMark(ctx, id, MarkInput{FrameIn: 7, FrameOut: -1, Category: "arrest", Note: "handcuffs applied"}); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.AddMark(ctx, id, MarkInput{FrameIn: 30, FrameOut: 41, Category: "use of force", Note: "takedown"}); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Decide(ctx, id, "evidence", "shows the arrest"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	return lib, id, b
}

func TestExportBundle(t *testing.T) {
	lib, id, master := exportFixture(t)
	ctx := context.Background()
	parent := t.TempDir()
	out := filepath.Join(parent, "OP-17")
	var last float64
	res, err := lib.Export(ctx, ExportRequest{CaseRef: "OP/2026/17", Out: out, Specs: []string{id}, Masters: true, Stills: true, Zip: true},
		func(f float64) { last = f })
	if err != nil {
		t.Fatal(err)
	}
	if d := os.Getenv("EXHIBIT_KEEP_BUNDLE"); d != "" {
		if err := exec.Command("cp", "-a", out, d).Run(); err != nil {
			t.Fatal(err)
		}
	}
	if last != 1 {
		t.Errorf("last progress %v", last)
	}
	if probs := bundle.Verify(ctx, out, bundle.VerifyOptions{}); len(probs) > 0 {
		t.Fatalf("exported bundle fails: %v", probs)
	}
	cmd := exec.Command("sha256sum", "--strict", "-c", "SHA256SUMS")
	cmd.Dir = out
	if o, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, o)
	}
	got, err := os.ReadFile(filepath.Join(out, "masters", id+".mp4"))
	if err != nil || !bytes.Equal(got, master) {
		t.Fatalf("master in the bundle is not bit-identical to the camera file (%v)", err)
	}
	checkBundleClips(t, out, id, 0, 59, false)
	// The export forced the clip check of the clip it made: the bundle's
	// framehash is the stored clip's decoded hashes, and nothing waits.
	if cs, err := lib.Clips(ctx, id); err != nil || len(cs) != 1 || cs[0].FrameCheck != FramesChecked {
		t.Fatalf("clips after the export: %+v %v", cs, err)
	} else if fh, err := os.ReadFile(filepath.Join(out, "framehash", fmt.Sprintf("%s_0-59_court.framehash", id))); err != nil || !bytes.Equal(fh, cs[0].FrameHash) {
		t.Fatalf("bundle framehash is not the clip check's (%v)", err)
	}
	if es, err := lib.AuditEntries(ctx, AuditFilter{Action: "clip.checked"}); err != nil || len(es) != 1 {
		t.Fatalf("clip.checked entries %+v %v", es, err)
	}
	// The manifest says what made the bundle, as `exhibit --version` does.
	var man bundle.Manifest
	if b, err := os.ReadFile(filepath.Join(out, "manifest.json")); err != nil || json.Unmarshal(b, &man) != nil {
		t.Fatalf("manifest: %v", err)
	}
	if sw := man.Software; sw == nil || !strings.HasPrefix(sw.FFmpeg, "ffmpeg version") || !strings.HasPrefix(sw.Libmpv, "mpv ") || sw.Go == "" || sw.Exhibit == "" {
		t.Errorf("manifest software: %+v", man.Software)
	}
	for _, f := range []string{"stills/" + id + "_f000007.png", "stills/" + id + "_f000030.png", "README.txt", "index.html", "report.pdf", "report.html", "audit/log.vkey"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("bundle lacks %s", f)
		}
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 2 {
		t.Errorf("parent holds %d entries, want the folder and its zip", len(ents))
	}
	// The export's own entry is in the bundle, with the manifest's hash.
	entries, _ := os.ReadFile(filepath.Join(out, bundle.EntriesFile))
	if !bytes.Contains(entries, []byte(`"action":"export.create","recording_id":"`+id+`","sha256":"`+res.ManifestSHA256+`"`)) {
		t.Fatalf("entries lack the export:\n%s", entries)
	}
	for _, a := range []string{`"action":"ingest"`, `"action":"decide"`, `"action":"annotate.add"`, `"action":"still"`} {
		if !bytes.Contains(entries, []byte(a)) {
			t.Errorf("entries lack %s", a)
		}
	}
	// The offline page and the HTML report stand alone.
	page, _ := os.ReadFile(filepath.Join(out, "index.html"))
	rh, _ := os.ReadFile(filepath.Join(out, "report.html"))
	for _, b := range [][]byte{page, rh} {
		for _, bad := range []string{"http:", "https:", "<link", "@import", "url("} {
			if bytes.Contains(b, []byte(bad)) {
				t.Errorf("a page refers outside the bundle (%q)", bad)
			}
		}
	}
	if !bytes.Contains(rh, []byte("OP/2026/17")) || !bytes.Contains(rh, []byte(res.ManifestSHA256)) || !bytes.Contains(page, []byte(`"case_ref":"OP/2026/17"`)) {
		t.Error("report.html or index.html lacks the case or the manifest hash")
	}
	// The report's text, page by page.
	txt, err := exec.Command("pdftotext", "-layout", filepath.Join(out, "report.pdf"), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(strings.TrimRight(string(txt), "\f\n"), "\f")
	if len(pages) < 3 {
		t.Fatalf("report has %d pages", len(pages))
	}
	rec, _ := lib.Get(ctx, id)
	for i, p := range pages {
		if !strings.Contains(p, "Case OP/2026/17") || !strings.Contains(p, "page "+itoa(i+1)+" of "+itoa(len(pages))) {
			t.Errorf("page %d lacks the case ref or its number:\n%s", i+1, p)
		}
	}
	all := strings.Join(strings.Fields(string(txt)), " ")
	for _, want := range []string{rec.SHA256, "shows the arrest", "handcuffs applied", "takedown", "export.create", "sgt1",
		"c2sp", "Chain of custody", "Frames 30-41", "masters/" + id + ".mp4", "tree size", "libmpv: mpv", "ffmpeg version"} {
		if !strings.Contains(all, want) && !strings.Contains(strings.ReplaceAll(all, " ", ""), strings.ReplaceAll(want, " ", "")) {
			t.Errorf("report text lacks %q", want)
		}
	}
}

func itoa(i int) string { return fmtInt(i) }

func fmtInt(i int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
		if i == 0 {
			return string(b)
		}
	}
}

func TestExportRefusedAndCancelled(t *testing.T) {
	lib, id, _ := exportFixture(t)
	ctx := context.Background()
	parent := t.TempDir()
	out := filepath.Join(parent, "B")
	// A viewer may not export.
	signInAs(t, lib, "viewer1", RoleViewer)
	var pe *PermissionError
	if _, err := lib.Export(ctx, ExportRequest{CaseRef: "C1", Out: out, Specs: []string{id}}, nil); !errors.As(err, &pe) {
		t.Fatalf("viewer export: %v", err)
	}
	// A restricted recording is not there for a sergeant.
	signInAs(t, lib, "psd1", RolePSD)
	if _, err := lib.Restrict(ctx, id, true); err != nil {
		t.Fatal(err)
	}
	signInAs(t, lib, "sgt1", RoleSergeant)
	if _, err := lib.Export(ctx, ExportRequest{CaseRef: "C1", Out: out, Specs: []string{id}}, nil); !errors.Is(err, ErrNotPermitted) {
		t.Fatalf("restricted export by a sergeant: %v", err)
	}
	if _, err := lib.Export(ctx, ExportRequest{CaseRef: "no spaces", Out: out, Specs: []string{id}}, nil); !errors.Is(err, ErrBadCaseRef) {
		t.Fatalf("bad case ref: %v", err)
	}
	// Professional standards may; a cancel half-way leaves nothing.
	signInAs(t, lib, "psd1", RolePSD)
	cctx, cancel := context.WithCancel(ctx)
	_, err := lib.Export(cctx, ExportRequest{CaseRef: "C1", Out: out, Specs: []string{id}, Masters: true, Stills: true},
		func(f float64) {
			if f > 0 {
				cancel()
			}
		})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled export: %v", err)
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 0 {
		t.Fatalf("cancelled export left %v", ents)
	}
	res, err := lib.Export(ctx, ExportRequest{CaseRef: "C1", Out: out, Specs: []string{id + ":5-20"}, Stills: true, Lossless: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if probs := bundle.Verify(ctx, res.Dir, bundle.VerifyOptions{}); len(probs) > 0 {
		t.Fatalf("restricted export fails: %v", probs)
	}
	checkBundleClips(t, out, id, 5, 20, true)
	if _, err := os.Stat(filepath.Join(out, "stills", id+"_f000007.png")); err != nil {
		t.Errorf("the marker at frame 7 in range 5-20 has no still")
	}
	if _, err := os.Stat(filepath.Join(out, "stills", id+"_f000030.png")); err == nil {
		t.Errorf("the marker at frame 30 outside range 5-20 has a still")
	}
}

// TestExportAddClip puts clips made by plain ffmpeg (a re-encode and a
// stream copy of the whole recording) through the bundle plumbing the
// clips feature uses, and checks the bundle and the player's frame data.
func TestExportAddClip(t *testing.T) {
	lib, id, master := exportFixture(t)
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "src.mp4")
	if err := os.WriteFile(src, master, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := lib.resolveSpec(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	mfh, err := bundle.ComputeFrameHash(ctx, "", src)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "B")
	w, err := bundle.NewWriter(out, bundle.Manifest{CaseRef: "C"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Abort() }() // a no-op after Commit
	var pcs []*playerClip
	for _, c := range []struct {
		kind bundle.Kind
		args []string
	}{{bundle.KindClipCourt, []string{"-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac"}}, {bundle.KindClipLossless, []string{"-c", "copy"}}} {
		pc, err := addClip(w, p, c.kind, func(full string) (*clipOutput, error) {
			args := append(append([]string{"-v", "error", "-i", src, "-map", "0"}, c.args...), "-f", "mp4", full)
			if o, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
				return nil, errors.New(string(o))
			}
			fh, err := bundle.ComputeFrameHash(ctx, "", full)
			if err != nil {
				return nil, err
			}
			fm := make([]int, p.to+1)
			for i := range fm {
				fm[i] = i
			}
			return &clipOutput{Kind: c.kind, Ref: id + "/" + string(c.kind), From: 0, To: p.to, Recipe: bundle.Recipe{Tool: "ffmpeg", Args: args},
				FrameHash: fh, MasterFrameHash: mfh, FrameMap: fm}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		pcs = append(pcs, pc)
	}
	if pcs[1] != nil || pcs[0] == nil || len(pcs[0].Frame) != 60 || pcs[0].Frame[59] != 59 {
		t.Fatalf("player clips %+v", pcs)
	}
	if want := p.rec.RecordedAt.Add(p.times[30]).UTC().Format("2006-01-02T15:04:05.000Z"); pcs[0].Wall[30] != want || pcs[0].Time[0] != 0 {
		t.Fatalf("frame 30 at %s, want %s (time[0] %v)", pcs[0].Wall[30], want, pcs[0].Time[0])
	}
	sum, err := w.WriteManifest()
	if err != nil {
		t.Fatal(err)
	}
	e := lib.entry("export.create")
	e.RecordingID, e.SHA256 = id, sum
	if err := lib.st.Audit(ctx, e); err != nil {
		t.Fatal(err)
	}
	ax, err := lib.st.ExportAudit(ctx, []string{id}, []int64{e.Seq})
	if err != nil {
		t.Fatal(err)
	}
	al := &bundle.AuditLog{Checkpoint: []byte(ax.Checkpoint.Note), VerifierKey: ax.VerifierKey}
	for i, x := range ax.Entries {
		al.Entries = append(al.Entries, bundle.AuditLeaf{Seq: x.Seq, Data: x.LeafData(), Path: ax.Proofs[i]})
	}
	if err := w.WriteAudit(al); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(false); err != nil {
		t.Fatal(err)
	}
	if probs := bundle.Verify(ctx, out, bundle.VerifyOptions{}); len(probs) > 0 {
		t.Fatalf("bundle with clips fails: %v", probs)
	}
}

// TestExportAnnotationSpec exports a marked range by its annotation id.
func TestExportAnnotationSpec(t *testing.T) {
	lib, id, _ := exportFixture(t)
	ctx := context.Background()
	marks, err := lib.Marks(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var rangeID string
	for _, a := range marks {
		if a.FrameIn == 30 {
			rangeID = a.ID
		}
	}
	out := filepath.Join(t.TempDir(), "B")
	if _, err := lib.Export(ctx, ExportRequest{CaseRef: "C2", Out: out, Specs: []string{strings.ToLower(rangeID)}, Stills: true}, nil); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(filepath.Join(out, "stills"))
	if len(ents) != 1 || ents[0].Name() != id+"_f000030.png" {
		t.Fatalf("stills %v, want only the marker at frame 30", ents)
	}
	if _, err := lib.Export(ctx, ExportRequest{CaseRef: "C2", Out: filepath.Join(t.TempDir(), "X"), Specs: []string{id + ":50-60"}}, nil); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("range past the end: %v", err)
	}
	if _, err := lib.Export(ctx, ExportRequest{CaseRef: "C2", Out: out, Specs: []string{id}}, nil); !errors.Is(err, bundle.ErrExists) {
		t.Fatalf("export over an existing folder: %v", err)
	}
}

// checkBundleClips checks that the bundle at dir holds the court clip (and,
// with lossless, the lossless clip) of recording id's frames from-to, each
// listed in the manifest with its exhibit reference, recipe and frame-hash
// files, those files present and the clip.create entries in the bundle's
// audit entries.
func checkBundleClips(t *testing.T, dir, id string, from, to int, lossless bool) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m bundle.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	byPath := map[string]bundle.Item{}
	for _, it := range m.Items {
		byPath[it.Path] = it
	}
	base := fmt.Sprintf("%s_%d-%d", id, from, to)
	want := map[string]bundle.Kind{"court": bundle.KindClipCourt}
	if lossless {
		want["lossless"] = bundle.KindClipLossless
	}
	nclips := 0
	for _, it := range m.Items {
		if it.Kind == bundle.KindClipCourt || it.Kind == bundle.KindClipLossless {
			nclips++
		}
	}
	if nclips != len(want) {
		t.Errorf("manifest lists %d clips, want %d", nclips, len(want))
	}
	mfh := "framehash/" + base + "_master.framehash"
	if it, ok := byPath[mfh]; !ok || it.Kind != bundle.KindFrameHash || it.SHA256 == "" || it.Frames == nil || it.Frames.From != from || it.Frames.To != to {
		t.Errorf("manifest entry of the master range's framehash: %+v (listed %v)", it, ok)
	}
	for suffix, kind := range want {
		path := "clips/" + base + "_" + suffix + ".mp4"
		own := "framehash/" + base + "_" + suffix + ".framehash"
		it, ok := byPath[path]
		if !ok {
			t.Errorf("manifest lacks %s", path)
			continue
		}
		if it.Kind != kind || it.MasterID != id || it.SHA256 == "" || it.Size == 0 || it.ExhibitRef == "" || it.Recipe == nil ||
			it.Frames == nil || it.Frames.From != from || it.Frames.To != to || it.FrameHash != own || it.MasterFrameHash != mfh {
			t.Errorf("manifest entry of %s: %+v", path, it)
		}
		if kind == bundle.KindClipCourt && len(it.FrameMap) == 0 {
			t.Errorf("court clip %s has no frame map", path)
		}
		if fh, ok := byPath[own]; !ok || fh.Kind != bundle.KindFrameHash || fh.Of != path {
			t.Errorf("manifest entry of %s: %+v (listed %v)", own, fh, ok)
		}
		for _, f := range []string{path, own, mfh} {
			if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
				t.Errorf("bundle lacks %s (%v)", f, err)
			}
		}
		rows, err := os.ReadFile(filepath.Join(dir, own))
		if err != nil {
			t.Fatal(err)
		}
		if fr, err := bundle.ParseFrameHash(rows); err != nil || (kind == bundle.KindClipLossless && len(fr) != to-from+1) || len(fr) == 0 {
			t.Errorf("%s: %d rows for frames %d-%d (%v)", own, len(fr), from, to, err)
		}
	}
	entries, err := os.ReadFile(filepath.Join(dir, bundle.EntriesFile))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(entries, []byte(`"action":"clip.create"`)); n < len(want) {
		t.Errorf("bundle's audit entries hold %d clip.create, want at least %d", n, len(want))
	}
}
