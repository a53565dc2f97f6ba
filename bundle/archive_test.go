package bundle_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"exhibit/bundle"
)

// rezip copies the entries of the zip src into a new zip at dst, letting
// edit change each entry's header or data (or drop it: return false), and
// add more entries at the end.
func rezip(t *testing.T, src, dst string, edit func(h *zip.FileHeader, data []byte) ([]byte, bool), add func(zw *zip.Writer)) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	check(t, err)
	defer func() { _ = zr.Close() }()
	f, err := os.Create(dst)
	check(t, err)
	zw := zip.NewWriter(f)
	for _, e := range zr.File {
		r, err := e.Open()
		check(t, err)
		data, err := io.ReadAll(r)
		check(t, err)
		h := e.FileHeader
		keep := true
		if edit != nil {
			data, keep = edit(&h, data)
		}
		if !keep {
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: h.Name, Method: h.Method, Modified: h.Modified, ExternalAttrs: h.ExternalAttrs, CreatorVersion: h.CreatorVersion})
		check(t, err)
		_, err = w.Write(data)
		check(t, err)
	}
	if add != nil {
		add(zw)
	}
	check(t, zw.Close())
	check(t, f.Close())
}

// TestVerifyZip verifies a bundle .zip in place, as its folder: the fresh
// zip passes (and Verify writes nothing beside it); a flipped byte in a
// stored clip, "..", absolute names, a symlink, a duplicate name and an
// entry outside the bundle folder are each reported; a zip made again with
// its entries deflated still verifies (faststart clips are decoded from a
// pipe).
func TestVerifyZip(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "B1")
	makeBundle(t, dir, true)
	zp := dir + ".zip"
	check(t, os.RemoveAll(dir))
	ctx := context.Background()
	if probs := bundle.Verify(ctx, zp, bundle.VerifyOptions{}); len(probs) > 0 {
		t.Fatalf("fresh zip fails: %v", probs)
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 1 {
		t.Fatalf("verifying the zip wrote beside it: %v", ents)
	}
	s, err := bundle.ReadSummary(zp)
	check(t, err)
	if s.Manifest.BundleID != "B1" || s.Checkpoint == nil || s.KeyName == "" {
		t.Fatalf("summary of the zip: %+v", s)
	}

	// Clips and masters are stored: a section of the zip equals the file.
	a, err := bundle.OpenZip(zp)
	check(t, err)
	defer func() { _ = a.Close() }()
	for _, p := range []string{"clips/JS-1-C.mp4", "masters/ABCD2345.mp4"} {
		sr, _, err := a.Stored(p)
		check(t, err)
		want, err := os.ReadFile(map[string]string{"clips/JS-1-C.mp4": getFixture(t).court, "masters/ABCD2345.mp4": getFixture(t).master}[p])
		check(t, err)
		got, err := io.ReadAll(sr)
		check(t, err)
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: the stored section is not the file", p)
		}
	}
	if _, _, err := a.Stored(bundle.ManifestFile); !errors.Is(err, bundle.ErrCompressed) {
		t.Fatalf("manifest.json (deflated) as a section: %v", err)
	}

	cases := []struct {
		name string
		edit func(h *zip.FileHeader, data []byte) ([]byte, bool)
		add  func(zw *zip.Writer)
		want string // a problem's path and reason contain it
	}{
		{name: "flipped", edit: func(h *zip.FileHeader, d []byte) ([]byte, bool) {
			if strings.HasSuffix(h.Name, "clips/JS-1-C.mp4") {
				d = append([]byte(nil), d...)
				d[len(d)/2] ^= 0x10
			}
			return d, true
		}, want: "clips/JS-1-C.mp4: changed"},
		{name: "dotdot", add: func(zw *zip.Writer) {
			w, _ := zw.Create("B1/../evil.txt")
			_, _ = w.Write([]byte("x"))
		}, want: `B1/../evil.txt: zip entry name: path is not clean`},
		{name: "absolute", add: func(zw *zip.Writer) {
			w, _ := zw.Create("/etc/evil")
			_, _ = w.Write([]byte("x"))
		}, want: "/etc/evil: zip entry name: absolute path refused"},
		{name: "symlink", add: func(zw *zip.Writer) {
			h := &zip.FileHeader{Name: "B1/link"}
			h.SetMode(os.ModeSymlink | 0o777)
			w, _ := zw.CreateHeader(h)
			_, _ = w.Write([]byte("/etc/passwd"))
		}, want: "B1/link: is a symlink"},
		{name: "duplicate", add: func(zw *zip.Writer) {
			w, _ := zw.Create("B1/README.txt")
			_, _ = w.Write([]byte("another readme"))
		}, want: "B1/README.txt: zip entry listed twice"},
		{name: "outside", add: func(zw *zip.Writer) {
			w, _ := zw.Create("other/file.txt")
			_, _ = w.Write([]byte("x"))
		}, want: "other/file.txt: outside the bundle folder B1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "B1.zip")
			rezip(t, zp, bad, c.edit, c.add)
			probs := bundle.Verify(ctx, bad, bundle.VerifyOptions{})
			for _, p := range probs {
				if strings.Contains(p.String(), c.want) {
					return
				}
			}
			t.Fatalf("want a problem %q, got %v", c.want, probs)
		})
	}

	t.Run("deflated", func(t *testing.T) {
		re := filepath.Join(t.TempDir(), "B1.zip")
		rezip(t, zp, re, func(h *zip.FileHeader, d []byte) ([]byte, bool) {
			// Every entry but the lossless clip, which the fixture cut
			// without +faststart (Exhibit's own lossless clips have it).
			if !strings.HasSuffix(h.Name, "-L.mp4") {
				h.Method = zip.Deflate
			}
			return d, true
		}, nil)
		if probs := bundle.Verify(ctx, re, bundle.VerifyOptions{}); len(probs) > 0 {
			t.Fatalf("deflated zip fails: %v", probs)
		}
		a, err := bundle.OpenZip(re)
		check(t, err)
		defer func() { _ = a.Close() }()
		if _, _, err := a.Stored("clips/JS-1-C.mp4"); !errors.Is(err, bundle.ErrCompressed) {
			t.Fatalf("a deflated clip as a section: %v", err)
		}
	})
}

// TestReadmeBrowser: README.txt tells someone with only a browser, in two
// lines near the top, to open index.html, which the bundle holds.
func TestReadmeBrowser(t *testing.T) {
	r := bundle.Readme(bundle.Manifest{BundleID: "B1", CaseRef: "C"})
	lines := strings.Split(bundle.ReadmeBrowserLines, "\n")
	if len(lines) != 2 || !strings.Contains(bundle.ReadmeBrowserLines, bundle.PlayerFile) {
		t.Fatalf("browser lines: %q", bundle.ReadmeBrowserLines)
	}
	i := strings.Index(r, bundle.ReadmeBrowserLines)
	if i < 0 || strings.Count(r[:i], "\n") > 6 {
		t.Fatalf("README.txt does not start with the browser lines:\n%s", r[:min(len(r), 600)])
	}
	for _, l := range lines {
		if len(l) > 80 {
			t.Errorf("line longer than 80 characters: %q", l)
		}
	}
}
