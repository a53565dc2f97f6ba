package app

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"exhibit/app/media"
	"exhibit/bundle"
)

// bundleText returns every file of a bundle, the PDFs as pdftotext
// reads them (their streams are compressed), by path.
func bundleText(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if strings.HasSuffix(p, ".pdf") {
			txt, err := exec.Command("pdftotext", "-layout", p, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext %s: %v", rel, err)
			}
			b = append(b, txt...)
		}
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// stillTextChunk returns a tEXt value of a PNG ("" if none).
func stillTextChunk(b []byte, key string) string {
	for i := 8; i+12 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		if i+12+n > len(b) {
			break
		}
		if string(b[i+4:i+8]) == "tEXt" {
			if k, v, ok := bytes.Cut(b[i+8:i+8+n], []byte{0}); ok && string(k) == key {
				return string(v)
			}
		}
		i += 12 + n
	}
	return ""
}

// TestExportDisclosure: a bundle with a redacted copy carries no marker
// note or decision reason anywhere (the PDFs read with pdftotext) and says
// what was withheld; its stills come from the redacted copy (the region
// is the solid fill where the master shows the marker), a marker outside
// the copy gets none; with WithNotes the text is there. Both verify. A SAR
// takes the first, and the second only with unredacted allowed.
func TestExportDisclosure(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	rec, p := redactedFixture(t, lib) // project frames 3-30; a face track on marker 0
	const note, outside, reason = "Mary Witness gave her address", "Zed Quux at the door", "Joe Bystander identified"
	if _, err := lib.AddMark(ctx, rec.ID, MarkInput{FrameIn: 10, FrameOut: -1, Category: "arrest", Note: note}); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.AddMark(ctx, rec.ID, MarkInput{FrameIn: 35, FrameOut: -1, Category: "arrest", Note: outside}); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Decide(ctx, rec.ID, DecisionEvidence, reason); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(t.TempDir(), "SAR-1")
	if _, err := lib.Export(ctx, ExportRequest{CaseRef: "SAR-1", Out: out, Redacted: []string{p.ID}, Stills: true}, nil); err != nil {
		t.Fatal(err)
	}
	if probs := bundle.Verify(ctx, out, bundle.VerifyOptions{}); len(probs) > 0 {
		t.Fatalf("bundle fails: %v", probs)
	}
	files := bundleText(t, out)
	for path, b := range files {
		for _, s := range []string{note, outside, reason, "Mary Witness", "Bystander"} {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q", path, s)
			}
		}
	}
	const said = "Notes and reasons are withheld from this disclosure bundle; 2 markers, 1 decision."
	for _, f := range []string{"report.html", "report.pdf", "index.html", "manifest.json", "README.txt"} {
		if !bytes.Contains(bytes.Join(bytes.Fields(files[f]), []byte(" ")), []byte(said)) {
			t.Errorf("%s does not say what was withheld", f)
		}
	}
	man := readManifest(t, out)
	if n := man.Notes; n == nil || !n.Withheld || n.Asked || n.Markers != 2 || n.Decisions != 1 {
		t.Fatalf("manifest notes %+v", n)
	}
	if len(man.Markers) != 2 || man.Markers[0].From != 10 || man.Markers[0].Category != "arrest" || man.Markers[0].Note != "" {
		t.Fatalf("manifest markers %+v", man.Markers)
	}
	// The facts stay: who decided what, who marked.
	html := string(files["report.html"])
	if !strings.Contains(html, "<td>"+DecisionEvidence+"</td><td>sgt1</td>") || !strings.Contains(html, "Reasons withheld.") {
		t.Errorf("report.html lost the decision's facts")
	}
	pdf := strings.Join(strings.Fields(string(files["report.pdf"])), " ")
	if !strings.Contains(pdf, "1 marker lies outside the redacted copies' frames and has no still") ||
		!strings.Contains(pdf, "No still: frame 35 is outside") || !strings.Contains(pdf, "marked by sgt1") {
		t.Errorf("report.pdf does not account for the stills:\n%s", pdf)
	}

	// One still, of frame 10, from the redacted copy.
	var still, clip bundle.Item
	for _, it := range man.Items {
		switch it.Kind {
		case bundle.KindStill:
			t.Fatalf("a still from the master: %s", it.Path)
		case bundle.KindStillRedacted:
			if still.Path != "" {
				t.Fatalf("two stills: %s %s", still.Path, it.Path)
			}
			still = it
		case bundle.KindClipRedacted:
			clip = it
		}
	}
	if still.Frame == nil || *still.Frame != 10 || still.Of != clip.Path || still.MasterSHA256 != rec.SHA256 {
		t.Fatalf("still item %+v (clip %s)", still, clip.Path)
	}
	b := files[still.Path]
	if stillTextChunk(b, "Exhibit-Redacted-Copy-SHA256") != clip.SHA256 || stillTextChunk(b, "Exhibit-Frame") != "10" ||
		stillTextChunk(b, "Exhibit-Redacted-Copy-Frame") != "7" {
		t.Fatalf("still text chunks: copy %q frame %q", stillTextChunk(b, "Exhibit-Redacted-Copy-SHA256"), stillTextChunk(b, "Exhibit-Frame"))
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := media.DecodeIndexBand(img); err != nil || n != 10 {
		t.Fatalf("the still shows master frame %d (%v)", n, err)
	}
	proj, err := lib.RedactionProject(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	regs := proj.RegionsAt(10, w, h)
	if len(regs) != 1 {
		t.Fatalf("regions at frame 10: %+v", regs)
	}
	master, err := lib.RenderStill(ctx, StillRequest{ID: rec.ID, Frame: 10, Time: -1})
	if err != nil {
		t.Fatal(err)
	}
	mimg, err := png.Decode(bytes.NewReader(master.PNG))
	if err != nil {
		t.Fatal(err)
	}
	box := regs[0].Box
	inner := image.Rect(box.X+2, box.Y+2, box.X+box.W-2, box.Y+box.H-2)
	lit := 0
	for y := inner.Min.Y; y < inner.Max.Y; y++ {
		for x := inner.Min.X; x < inner.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 > 24 || g>>8 > 24 || bl>>8 > 24 {
				t.Fatalf("the still's region is not the solid fill at %d,%d: %d %d %d", x, y, r>>8, g>>8, bl>>8)
			}
			if r, g, bl, _ := mimg.At(x, y).RGBA(); r>>8 > 24 || g>>8 > 24 || bl>>8 > 24 {
				lit++
			}
		}
	}
	if lit < inner.Dx()*inner.Dy()/2 {
		t.Fatalf("the master's picture is dark where the region is (%d of %d pixels lit): the check proves nothing", lit, inner.Dx()*inner.Dy())
	}

	// With WithNotes the text goes with it, and the manifest says it was asked for.
	out2 := filepath.Join(t.TempDir(), "SAR-2")
	if _, err := lib.Export(ctx, ExportRequest{CaseRef: "SAR-2", Out: out2, Redacted: []string{p.ID}, WithNotes: true}, nil); err != nil {
		t.Fatal(err)
	}
	if probs := bundle.Verify(ctx, out2, bundle.VerifyOptions{}); len(probs) > 0 {
		t.Fatalf("bundle with notes fails: %v", probs)
	}
	files2 := bundleText(t, out2)
	for _, f := range []string{"report.html", "report.pdf", "index.html", "manifest.json"} {
		if !bytes.Contains(files2[f], []byte(note)) {
			t.Errorf("%s made with notes lacks the note", f)
		}
	}
	for _, f := range []string{"report.html", "report.pdf"} {
		if !bytes.Contains(files2[f], []byte(reason)) {
			t.Errorf("%s made with notes lacks the decision's reason", f)
		}
	}
	if n := readManifest(t, out2).Notes; n == nil || n.Withheld || !n.Asked || n.Markers != 2 {
		t.Fatalf("manifest notes with notes %+v", n)
	}

	// A SAR answer: the bundle with notes only with unredacted allowed;
	// the one without them as it is.
	s, err := lib.NewSAR(ctx, "Subject", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	id := FormatSARID(s.ID)
	if _, err := lib.RespondSAR(ctx, id, out2, false); !errors.Is(err, ErrBundleNotes) {
		t.Fatalf("respond with notes, not allowed: %v", err)
	}
	res, err := lib.RespondSAR(ctx, id, out2, true)
	if err != nil || !res.Notes || len(res.Unredacted) != 0 {
		t.Fatalf("respond with notes, allowed: %+v %v", res, err)
	}
	s2, err := lib.NewSAR(ctx, "Subject", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if res, err := lib.RespondSAR(ctx, FormatSARID(s2.ID), out, false); err != nil || res.Notes || len(res.Unredacted) != 0 {
		t.Fatalf("respond without notes: %+v %v", res, err)
	}
}
