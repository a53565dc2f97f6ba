package cli

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"exhibit/app"
	"exhibit/bundle"
)

// TestExportDisclosure: export --redacted withholds a marker's note and a
// decision's reason from every file of the bundle (the PDFs read with
// pdftotext) and takes its still from the redacted copy; --with-notes
// keeps them; both verify; sar respond takes the first as it is and the
// second only with --unredacted.
func TestExportDisclosure(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	id := e.ingestOne(30)
	sgt := app.TestUserName(app.RoleSergeant)
	const note, reason = "Alice Thirdparty shouted her address", "kept for Bob Neighbour's complaint"
	e.must(sgt, "mark", id, "--frame", "5", "--category", "arrest", "--note", note)
	e.must(sgt, "mark", id, "--frame", "25", "--category", "arrest", "--note", "outside the copy")
	e.must(sgt, "decide", id, "evidence", "--reason", reason)
	proj := strings.TrimSpace(e.must(sgt, "redact", "new", id, "--from", "2", "--to", "20"))
	e.must(sgt, "redact", "box", proj, "--frame", "2", "--rect", "10,30,60,40", "--reason", "a face", "--to", "20")

	grep := func(dir string) string {
		t.Helper()
		var all bytes.Buffer
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			all.Write(b)
			if strings.HasSuffix(p, ".pdf") {
				txt, err := exec.Command("pdftotext", p, "-").Output()
				if err != nil {
					t.Fatalf("pdftotext %s: %v", p, err)
				}
				all.Write(txt)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(all.String()), " ")
	}

	plain := filepath.Join(t.TempDir(), "SAR")
	e.must(sgt, "export", "--case", "SAR-1", "--out", plain, "--redacted", proj, "--stills")
	if out := e.must(sgt, "verify-bundle", plain); !strings.HasPrefix(out, "OK") {
		t.Fatalf("verify-bundle: %q", out)
	}
	text := grep(plain)
	for _, s := range []string{note, reason, "outside the copy", "Thirdparty", "Neighbour"} {
		if strings.Contains(text, s) {
			t.Errorf("the bundle holds %q", s)
		}
	}
	if !strings.Contains(text, "Notes and reasons are withheld from this disclosure bundle; 2 markers, 1 decision.") {
		t.Error("the bundle does not say what was withheld")
	}
	var man bundle.Manifest
	if b, err := os.ReadFile(filepath.Join(plain, "manifest.json")); err != nil || json.Unmarshal(b, &man) != nil {
		t.Fatalf("manifest: %v", err)
	}
	var stills []bundle.Item
	for _, it := range man.Items {
		if it.Kind == bundle.KindStill || it.Kind == bundle.KindStillRedacted {
			stills = append(stills, it)
		}
	}
	if len(stills) != 1 || stills[0].Kind != bundle.KindStillRedacted || *stills[0].Frame != 5 {
		t.Fatalf("stills %+v", stills)
	}
	f, err := os.Open(filepath.Join(plain, filepath.FromSlash(stills[0].Path)))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	_ = f.Close() // read only
	if err != nil {
		t.Fatal(err)
	}
	for _, pt := range [][2]int{{14, 34}, {40, 50}, {65, 65}} { // inside the box 10,30 60x40
		if r, g, b, _ := img.At(pt[0], pt[1]).RGBA(); r>>8 > 24 || g>>8 > 24 || b>>8 > 24 {
			t.Errorf("the still is not the solid fill at %v: %d %d %d", pt, r>>8, g>>8, b>>8)
		}
	}

	withNotes := filepath.Join(t.TempDir(), "SAR-notes")
	e.must(sgt, "export", "--case", "SAR-2", "--out", withNotes, "--redacted", proj, "--with-notes")
	if out := e.must(sgt, "verify-bundle", withNotes); !strings.HasPrefix(out, "OK") {
		t.Fatalf("verify-bundle with notes: %q", out)
	}
	if text := grep(withNotes); !strings.Contains(text, note) || !strings.Contains(text, reason) {
		t.Error("the bundle made --with-notes lacks the note or the reason")
	}

	day := time.Now().Format("2/1/2006")
	e.must(sgt, "sar", "new", "--subject", "Subject One", "--received", day)
	e.must(sgt, "sar", "new", "--subject", "Subject Two", "--received", day)
	if r := e.runAs(sgt, "", "sar", "respond", "SAR-1", "--bundle", withNotes); r.code != exitAborted || !strings.Contains(r.err, "notes and reasons") {
		t.Fatalf("respond with notes, without --unredacted: %v", r)
	}
	if out := e.must(sgt, "sar", "respond", "SAR-1", "--bundle", withNotes, "--unredacted"); !strings.HasPrefix(out, "SAR-1 responded") {
		t.Fatalf("respond with notes: %q", out)
	}
	if out := e.must(sgt, "sar", "respond", "SAR-2", "--bundle", plain); !strings.HasPrefix(out, "SAR-2 responded") {
		t.Fatalf("respond without notes: %q", out)
	}
}
