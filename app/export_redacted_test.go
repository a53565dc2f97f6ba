package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"exhibit/app/redact"
	"exhibit/bundle"
)

// TestExportRedacted: a bundle made with Redacted alone holds the redacted
// copy (the stored render, reused while the project is unchanged), its
// frame hashes and its log, and no unredacted footage; it verifies. After
// a change the copy is rendered again; Masters adds the master only when
// asked for.
func TestExportRedacted(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	rec, p := redactedFixture(t, lib)
	d, err := lib.RenderRedaction(ctx, p.ID, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "SAR-1")
	if _, err := lib.Export(ctx, ExportRequest{CaseRef: "SAR-1", Out: out, Redacted: []string{strings.ToLower(p.ID)}}, nil); err != nil {
		t.Fatal(err)
	}
	if probs := bundle.Verify(ctx, out, bundle.VerifyOptions{}); len(probs) > 0 {
		t.Fatalf("bundle fails: %v", probs)
	}
	man := readManifest(t, out)
	kinds := map[bundle.Kind]int{}
	var clip bundle.Item
	for _, it := range man.Items {
		kinds[it.Kind]++
		if it.Kind == bundle.KindClipRedacted {
			clip = it
		}
		if it.Kind == bundle.KindFrameHash && strings.HasPrefix(it.Of, "master ") {
			t.Errorf("a master range's frame hashes in a redacted-only bundle: %s", it.Path)
		}
	}
	if kinds[bundle.KindClipRedacted] != 1 || kinds[bundle.KindRedactionLog] != 2 || kinds[bundle.KindMaster] != 0 ||
		kinds[bundle.KindClipCourt] != 0 || kinds[bundle.KindClipLossless] != 0 || kinds[bundle.KindStill] != 0 {
		t.Fatalf("items by kind %v", kinds)
	}
	if clip.SHA256 != d.SHA256 || clip.ExhibitRef != d.Ref || len(clip.FrameMap) != 28 || clip.MasterFrameHash != "" ||
		clip.Path != "clips/"+rec.ID+"_3-30_redacted-"+p.ID+".mp4" {
		t.Fatalf("redacted item %+v (render %s %s)", clip, d.Ref, d.SHA256)
	}
	var lg RedactionLog
	if b, err := os.ReadFile(filepath.Join(out, "redaction", d.Ref+"_log.json")); err != nil || json.Unmarshal(b, &lg) != nil {
		t.Fatalf("log JSON: %v", err)
	}
	if lg.Render.SHA256 != d.SHA256 || len(lg.Tracks) != 1 {
		t.Fatalf("log %+v", lg)
	}
	if readme, _ := os.ReadFile(filepath.Join(out, "README.txt")); !strings.Contains(string(readme), "redaction/") {
		t.Error("README does not explain the redaction log")
	}
	// A redacted copy is checked by its frame hashes.
	fh := filepath.Join(out, filepath.FromSlash(clip.FrameHash))
	b, err := os.ReadFile(fh)
	if err != nil {
		t.Fatal(err)
	}
	// The last row's hash, its final hex digit changed.
	rows := []byte(strings.TrimRight(string(b), "\n"))
	last := len(rows) - 1
	rows[last] = "01"[(rows[last]-'0'+1)%2]
	if err := os.Chmod(fh, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fh, append(rows, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, pr := range bundle.Verify(ctx, out, bundle.VerifyOptions{}) {
		found = found || (pr.Path == clip.Path && strings.Contains(pr.Reason, "decoded frames do not match"))
	}
	if !found {
		t.Fatal("a redacted copy whose frame hashes differ passed its frame check")
	}

	// Changed since the render: rendered again into the bundle; with
	// Masters the master is there too, because it was asked for.
	if _, _, err := lib.AddFrameRange(ctx, p.ID, 5, 6, redact.Blur, "a screen"); err != nil {
		t.Fatal(err)
	}
	out2 := filepath.Join(t.TempDir(), "SAR-2")
	if _, err := lib.Export(ctx, ExportRequest{CaseRef: "SAR-2", Out: out2, Redacted: []string{p.ID}, Masters: true}, nil); err != nil {
		t.Fatal(err)
	}
	if probs := bundle.Verify(ctx, out2, bundle.VerifyOptions{}); len(probs) > 0 {
		t.Fatalf("second bundle fails: %v", probs)
	}
	rs, err := lib.RedactedRenders(ctx, p.ID)
	if err != nil || len(rs) != 2 || rs[0].Ref != rec.ID+"-R2" {
		t.Fatalf("renders %v %v", rs, err)
	}
	kinds = map[bundle.Kind]int{}
	for _, it := range readManifest(t, out2).Items {
		kinds[it.Kind]++
		if it.Kind == bundle.KindClipRedacted && it.SHA256 != rs[0].SHA256 {
			t.Fatalf("the second bundle holds %s, not the new render", it.SHA256)
		}
	}
	if kinds[bundle.KindMaster] != 1 || kinds[bundle.KindClipRedacted] != 1 {
		t.Fatalf("second bundle items by kind %v", kinds)
	}
}

func readManifest(t *testing.T, dir string) bundle.Manifest {
	t.Helper()
	var man bundle.Manifest
	if b, err := os.ReadFile(filepath.Join(dir, "manifest.json")); err != nil || json.Unmarshal(b, &man) != nil {
		t.Fatalf("manifest: %v", err)
	}
	return man
}
