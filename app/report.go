package app

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"exhibit/bundle"
	"exhibit/store"
)

// reportData is what the continuity report (report.pdf, report.html) shows.
type reportData struct {
	man         bundle.Manifest
	manifestSHA string
	order       []string
	recs        map[string]*exportRecording
	audit       *store.AuditExport
	dir         *bundle.Writer
	// stills is set when stills were asked for; redactedStills when they
	// come from redacted copies (a bundle that carries them).
	stills, redactedStills bool
}

// withheld reports whether the bundle's free text was withheld.
func (d *reportData) withheld() bool { return d.man.Notes != nil && d.man.Notes.Withheld }

// disclosureText is what the report says about the free text and the
// stills of a bundle that carries redacted copies (nothing otherwise).
func (d *reportData) disclosureText() []string {
	var out []string
	if d.man.Notes != nil && d.man.Notes.Statement != "" {
		out = append(out, d.man.Notes.Statement)
	}
	if d.stills && d.redactedStills {
		n := 0
		for _, id := range d.order {
			for _, a := range d.recs[id].marks {
				if len(d.recs[id].redStills[a.ID]) == 0 {
					n++
				}
			}
		}
		s := "Stills are taken from the redacted copies in this bundle, never from the master."
		switch {
		case n == 1:
			s += " 1 marker lies outside the redacted copies' frames and has no still."
		case n > 1:
			s += fmt.Sprintf(" %d markers lie outside the redacted copies' frames and have no still.", n)
		}
		out = append(out, s)
	}
	return out
}

// markText is a marker's description in the report: its note (unless
// withheld), camera time and who marked it when.
func (d *reportData) markText(er *exportRecording, a *Annotation) string {
	wall := ""
	if a.FrameIn < len(er.times) {
		wall = utc(er.rec.RecordedAt.Add(er.times[a.FrameIn]))
	}
	facts := fmt.Sprintf("camera time of frame %d: %s; marked by %s at %s", a.FrameIn, wall, a.CreatedBy, utc(a.CreatedAt))
	switch {
	case d.withheld():
		return "Note withheld. " + strings.ToUpper(facts[:1]) + facts[1:]
	case a.Note == "":
		return "(" + facts + ")"
	}
	return a.Note + " (" + facts + ")"
}

// noStill is what the report says of a marker that has no still in a
// bundle whose stills come from redacted copies ("" when it has one or
// none was asked for).
func (d *reportData) noStill(er *exportRecording, a *Annotation) string {
	if !d.stills || !d.redactedStills || len(er.redStills[a.ID]) > 0 {
		return ""
	}
	return fmt.Sprintf("No still: frame %d is outside the redacted copies' frames.", a.FrameIn)
}

const reportTime = "2006-01-02 15:04:05.000 UTC"

func utc(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(reportTime)
}

// cameraClock shows recorded-at as the camera's clock gave it, in the
// station's local time zone (the store keeps UTC; cameras keep local
// time), with where the time came from.
func cameraClock(r *Recording) string {
	return fmt.Sprintf("%s local time (from the %s)", r.RecordedAt.Local().Format("2006-01-02 15:04:05.000 MST -07:00"), map[string]string{
		"sidecar": "camera's sidecar file", "container": "video file's creation time", "mtime": "file's modification time",
	}[r.RecordedAtSource])
}

// exhibitFacts are the facts listed for a master, as label/value rows.
func (d *reportData) exhibitFacts(er *exportRecording) [][2]string {
	r := er.rec
	ingestBy, verified := "", "SHA-256 computed while encrypting into the vault and again reading the vault copy back; both agreed"
	var checks []string
	for _, e := range d.audit.Entries {
		if e.RecordingID != r.ID {
			continue
		}
		switch e.Action {
		case "ingest":
			if ingestBy == "" {
				ingestBy = fmt.Sprintf("%s (%s), entry %d", e.User, e.Role, e.Seq)
			}
		case "verify":
			checks = append(checks, fmt.Sprintf("%s by %s: %s", utc(e.At), e.User, e.Outcome))
		}
	}
	if len(checks) > 0 {
		verified += "; later checks: " + strings.Join(checks, "; ")
	}
	restricted := "no"
	if r.Restricted {
		restricted = "YES: professional standards only"
	}
	return [][2]string{
		{"Exhibit (master)", r.ID},
		{"Master SHA-256", r.SHA256},
		{"Size", fmt.Sprintf("%d bytes", r.Size)},
		{"Officer", r.Personal.Officer},
		{"Device", strings.TrimSpace(MakeModel(r.Personal.Make, r.Personal.Model) + " " + r.Personal.DeviceSerial)},
		{"Camera file", r.Personal.SourceName},
		{"Recorded at (camera clock)", cameraClock(r)},
		{"Recorded at (UTC)", utc(r.RecordedAt)},
		{"Duration / frames", fmt.Sprintf("%s, %d frames at %d/%d fps, %dx%d %s %s", FormatMediaTime(r.Duration), r.Frames, r.FPSNum, r.FPSDen, r.Width, r.Height, r.VideoCodec, r.Container)},
		{"Ingested", utc(r.IngestedAt) + " by " + ingestBy},
		{"Ingest verification", verified},
		{"Status", DisplayStatus(r)},
		{"Restricted", restricted},
	}
}

func (d *reportData) itemsOf(id string) []bundle.Item {
	var out []bundle.Item
	for _, it := range d.man.Items {
		if it.MasterID == id {
			out = append(out, it)
		}
	}
	return out
}

func recipeText(it bundle.Item) string {
	if it.Recipe == nil {
		return ""
	}
	s := it.Recipe.Tool + " " + strings.Join(it.Recipe.Args, " ")
	if len(it.Recipe.Notes) > 0 {
		s += "; " + strings.Join(it.Recipe.Notes, "; ")
	}
	return s
}

func frameText(it bundle.Item) string {
	switch {
	case it.Frames != nil:
		return fmt.Sprintf("%d-%d", it.Frames.From, it.Frames.To)
	case it.Frame != nil:
		return fmt.Sprint(*it.Frame)
	}
	return ""
}

func markFrames(a *Annotation) string {
	if a.FrameOut != a.FrameIn {
		return fmt.Sprintf("%d-%d", a.FrameIn, a.FrameOut)
	}
	return fmt.Sprint(a.FrameIn)
}

// renderReport returns report.pdf and report.html.
func renderReport(d *reportData) (pdfBytes, htmlBytes []byte, err error) {
	if pdfBytes, err = renderReportPDF(d); err != nil {
		return nil, nil, fmt.Errorf("report.pdf: %w", err)
	}
	if htmlBytes, err = renderReportHTML(d); err != nil {
		return nil, nil, fmt.Errorf("report.html: %w", err)
	}
	return pdfBytes, htmlBytes, nil
}

type pdfDoc struct {
	*fpdf.Fpdf
	tr func(string) string
}

// row draws one table row of wrapped cells, breaking the page first when
// it would not fit.
func (p *pdfDoc) row(widths []float64, cells []string, bold bool, lh float64) {
	if bold {
		p.SetFontStyle("B")
	}
	n := 1
	for i, c := range cells {
		if k := len(p.SplitText(p.tr(c), widths[i]-2)); k > n {
			n = k
		}
	}
	h := float64(n) * lh
	_, pageH := p.GetPageSize()
	_, _, _, bottom := p.GetMargins()
	if p.GetY()+h > pageH-bottom-8 {
		p.AddPage()
	}
	x, y := p.GetX(), p.GetY()
	for i, c := range cells {
		p.Rect(x, y, widths[i], h, "D")
		p.SetXY(x+1, y)
		p.MultiCell(widths[i]-2, lh, p.tr(c), "", "L", false)
		x += widths[i]
	}
	left, _, _, _ := p.GetMargins()
	p.SetXY(left, y+h)
	p.SetFontStyle("")
}

func (p *pdfDoc) heading(s string, size float64) {
	if _, pageH := p.GetPageSize(); p.GetY() > pageH-45 {
		p.AddPage() // keep a heading with what follows it
	}
	p.SetFont("Helvetica", "B", size)
	p.Ln(2)
	p.MultiCell(0, size*0.5, p.tr(s), "", "L", false)
	p.Ln(1)
	p.SetFont("Helvetica", "", 9)
}

// still draws a still (a PNG registered as name) with its caption.
func (p *pdfDoc) still(name string, png []byte, caption string) {
	info := p.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	if info == nil || info.Width() <= 0 {
		return
	}
	wmm := 90.0
	hmm := wmm * info.Height() / info.Width()
	_, pageH := p.GetPageSize()
	if p.GetY()+hmm+6 > pageH-26 {
		p.AddPage()
	}
	p.ImageOptions(name, 15, p.GetY()+1, wmm, hmm, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	p.SetY(p.GetY() + hmm + 2)
	p.para(caption)
}

func (p *pdfDoc) para(s string) {
	p.SetFont("Helvetica", "", 9)
	p.MultiCell(0, 4.2, p.tr(s), "", "L", false)
	p.Ln(1)
}

func (p *pdfDoc) mono(s string) {
	p.SetFont("Courier", "", 7.5)
	p.MultiCell(0, 3.4, p.tr(s), "", "L", false)
	p.SetFont("Helvetica", "", 9)
	p.Ln(1)
}

func renderReportPDF(d *reportData) ([]byte, error) {
	f := fpdf.New("P", "mm", "A4", "")
	p := &pdfDoc{Fpdf: f, tr: f.UnicodeTranslatorFromDescriptor("")}
	f.SetMargins(15, 18, 15)
	f.SetAutoPageBreak(true, 18)
	f.AliasNbPages("{nb}")
	f.SetTitle("Continuity report, case "+d.man.CaseRef, true)
	f.SetCreator("Exhibit "+d.man.ExhibitVersion, true)
	f.SetHeaderFunc(func() {
		f.SetFont("Helvetica", "", 8)
		f.SetTextColor(80, 80, 80)
		f.CellFormat(0, 5, p.tr("Case "+d.man.CaseRef+"  ·  evidence bundle "+d.man.BundleID+"  ·  continuity report"), "B", 1, "L", false, 0, "")
		f.SetTextColor(0, 0, 0)
		f.Ln(3)
	})
	f.SetFooterFunc(func() {
		f.SetY(-13)
		f.SetFont("Helvetica", "", 8)
		f.CellFormat(0, 5, p.tr(fmt.Sprintf("Case %s  ·  page %d of {nb}", d.man.CaseRef, f.PageNo())), "T", 0, "C", false, 0, "")
	})
	f.AddPage()
	p.heading("Continuity report: case "+d.man.CaseRef, 15)
	lab := []float64{55, 125}
	f.SetFontSize(9)
	for _, kv := range [][2]string{
		{"Case reference", d.man.CaseRef}, {"Bundle", d.man.BundleID},
		{"Exported", utc(d.man.CreatedAt) + " by " + d.man.CreatedBy}, {"Software", softwareText(d.man)},
		{"manifest.json SHA-256", d.manifestSHA},
		{"Audit checkpoint", fmt.Sprintf("%s, tree size %d, root %s", d.audit.Checkpoint.Origin, d.audit.Checkpoint.Size, d.audit.Checkpoint.Root)},
	} {
		p.row(lab, []string{kv[0], kv[1]}, false, 4.2)
	}
	f.Ln(2)
	p.para("Masters are never altered: each was hashed (SHA-256) when it was ingested and is kept encrypted; every derivative below names its master and that hash, the frames it shows (0-based, presentation order, as ffmpeg's select=eq(n\\,N)) and the exact command that made it. All times are UTC unless marked as camera clock. README.txt in the bundle explains how to repeat every check with public tools.")
	for _, s := range d.disclosureText() {
		p.para(s)
	}

	for _, id := range d.order {
		er := d.recs[id]
		f.AddPage()
		p.heading("Exhibit "+id, 13)
		for _, kv := range d.exhibitFacts(er) {
			p.row(lab, []string{kv[0], kv[1]}, false, 4.2)
		}
		p.heading("Review decisions", 11)
		if len(er.decisions) == 0 {
			p.para("None recorded.")
		} else if d.withheld() {
			w := []float64{50, 60, 70}
			p.row(w, []string{"When", "Decision", "By"}, true, 4.2)
			for _, x := range er.decisions {
				p.row(w, []string{utc(x.At), x.Decision, x.Reviewer}, false, 4.2)
			}
			p.para("Reasons withheld.")
		} else {
			w := []float64{35, 25, 25, 95}
			p.row(w, []string{"When", "Decision", "By", "Reason"}, true, 4.2)
			for _, x := range er.decisions {
				p.row(w, []string{utc(x.At), x.Decision, x.Reviewer, x.Reason}, false, 4.2)
			}
		}
		if len(er.holds) > 0 {
			p.heading("Legal holds", 11)
			w := []float64{45, 45, 90}
			reason := "Reason"
			if d.withheld() {
				reason = "Reason (withheld)"
			}
			p.row(w, []string{"Placed", "Released", reason}, true, 4.2)
			for _, h := range er.holds {
				rel := ""
				if !h.ReleasedAt.IsZero() {
					rel = utc(h.ReleasedAt) + " by " + h.ReleasedBy
				}
				p.row(w, []string{utc(h.PlacedAt) + " by " + h.PlacedBy, rel, h.Reason}, false, 4.2)
			}
		}
		p.heading("Markers", 11)
		marks := sortedMarks(er.marks)
		if len(marks) == 0 {
			p.para("None.")
		}
		for _, a := range marks {
			p.row([]float64{25, 30, 125}, []string{"Frames " + markFrames(a), a.Category, d.markText(er, a)}, false, 4.2)
			if png, ok := er.stillPNG[a.ID]; ok {
				p.still("still-"+a.ID, png, fmt.Sprintf("Still %s: frame %d of %s", er.stills[a.ID], a.FrameIn, id))
			}
			for _, st := range er.redStills[a.ID] {
				p.still(st.path, st.png, fmt.Sprintf("Still %s: frame %d of %s, from redacted copy %s (its frame %d)", st.path, a.FrameIn, id, st.ref, st.clipFrame))
			}
			if s := d.noStill(er, a); s != "" {
				p.para(s)
			}
		}
		p.heading("Derivatives and files of this exhibit in the bundle", 11)
		items := d.itemsOf(id)
		if len(items) == 0 {
			p.para("None.")
		}
		for _, it := range items {
			if _, pageH := f.GetPageSize(); f.GetY()+22 > pageH-26 {
				f.AddPage() // keep a file's rows together
			}
			w := []float64{55, 125}
			p.row(w, []string{it.Path, fmt.Sprintf("%s  %s  frames %s", it.Kind, it.ExhibitRef, frameText(it))}, true, 4.2)
			p.row(w, []string{"SHA-256", it.SHA256}, false, 4.2)
			if it.MasterSHA256 != "" {
				p.row(w, []string{"Master SHA-256", it.MasterSHA256}, false, 4.2)
			}
			if r := recipeText(it); r != "" {
				p.row(w, []string{"Recipe", r}, false, 4.2)
			}
			if it.FrameHash != "" {
				fh := it.FrameHash
				if it.MasterFrameHash != "" {
					fh += " (master frames: " + it.MasterFrameHash + ")"
				}
				p.row(w, []string{"Frame hashes", fh}, false, 4.2)
			}
			f.Ln(1.5)
		}
	}

	f.AddPage()
	p.heading("Chain of custody: audit entries", 13)
	p.para(fmt.Sprintf("Every audit entry about the exported recordings and this export (%d entries), in order. Each is a leaf of the signed audit log; audit/proofs/SEQ.tlog-proof proves it is in the tree of the checkpoint below.", len(d.audit.Entries)))
	f.SetFontSize(7.5)
	w := []float64{9, 29, 18, 16, 22, 19, 14, 53}
	p.row(w, []string{"Seq", "Time (UTC)", "User", "Role", "Action", "Recording", "Result", "Detail"}, true, 3.4)
	for _, e := range d.audit.Entries {
		p.row(w, []string{fmt.Sprint(e.Seq), utc(e.At), e.User, e.Role, e.Action, e.RecordingID, e.Outcome, e.Detail}, false, 3.4)
	}
	f.SetFontSize(9)
	p.heading("Signed checkpoint and how to verify", 13)
	p.para("audit/checkpoint (a signed note: origin, tree size, root hash, signature):")
	p.mono(d.audit.Checkpoint.Note)
	p.para("audit/log.vkey (the key that verifies it; compare with the key published by the force):")
	p.mono(d.audit.VerifierKey)
	p.para("To verify: (1) sha256sum --strict -c SHA256SUMS in the bundle folder; (2) recompute each clip's frame hashes with ffmpeg -f framehash -hash sha256 and compare them with framehash/; (3) check each entry of audit/entries.jsonl against its proof (audit/proofs/SEQ.tlog-proof, c2sp.org/tlog-proof@v1) and this checkpoint with any RFC 6962 verifier (leaf hash SHA-256(0x00 || line)), and the checkpoint's Ed25519 signature with the key; (4) the export.create entries record the SHA-256 of manifest.json. README.txt gives the exact commands; `exhibit verify-bundle DIR` runs them all.")
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// softwareText names what made the bundle: Exhibit's version and commit,
// Go, libmpv and ffmpeg when the manifest records them.
func softwareText(m bundle.Manifest) string {
	if m.Software == nil {
		return "Exhibit " + m.ExhibitVersion
	}
	sw := m.Software
	return fmt.Sprintf("Exhibit %s (commit %s, %s); libmpv: %s; %s", sw.Exhibit, sw.Commit, sw.Go, sw.Libmpv, sw.FFmpeg)
}

var reportHTMLTmpl = template.Must(template.New("r").Funcs(template.FuncMap{
	"utc": utc, "software": softwareText, "recipe": recipeText, "frames": frameText, "markFrames": markFrames,
}).Parse(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Continuity report, case {{.Man.CaseRef}}</title>
<style>body{font:14px/1.4 sans-serif;margin:24px;max-width:1100px}table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top;word-break:break-all}th{background:#eee}pre{background:#f4f4f4;padding:8px;white-space:pre-wrap}img{max-width:480px;display:block}</style></head><body>
<h1>Continuity report: case {{.Man.CaseRef}}</h1>
<table><tr><th>Bundle</th><td>{{.Man.BundleID}}</td></tr><tr><th>Exported</th><td>{{utc .Man.CreatedAt}} by {{.Man.CreatedBy}}</td></tr>
<tr><th>Software</th><td>{{software .Man}}</td></tr><tr><th>manifest.json SHA-256</th><td>{{.ManifestSHA}}</td></tr></table>
{{range .Disclosure}}<p class="disclosure">{{.}}</p>{{end}}
{{range .Exhibits}}<h2>Exhibit {{.ID}}</h2><table>{{range .Facts}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>{{end}}</table>
<h3>Review decisions</h3>{{if .Decisions}}<table><tr><th>When</th><th>Decision</th><th>By</th>{{if not $.Withheld}}<th>Reason</th>{{end}}</tr>{{range .Decisions}}<tr><td>{{utc .At}}</td><td>{{.Decision}}</td><td>{{.Reviewer}}</td>{{if not $.Withheld}}<td>{{.Reason}}</td>{{end}}</tr>{{end}}</table>{{if $.Withheld}}<p>Reasons withheld.</p>{{end}}{{else}}<p>None recorded.</p>{{end}}
{{if .Holds}}<h3>Legal holds</h3><table><tr><th>Placed</th><th>Released</th>{{if not $.Withheld}}<th>Reason</th>{{end}}</tr>{{range .Holds}}<tr><td>{{utc .PlacedAt}} by {{.PlacedBy}}</td><td>{{utc .ReleasedAt}} {{.ReleasedBy}}</td>{{if not $.Withheld}}<td>{{.Reason}}</td>{{end}}</tr>{{end}}</table>{{if $.Withheld}}<p>Reasons withheld.</p>{{end}}{{end}}
<h3>Markers</h3>{{if .Marks}}<table><tr><th>Frames</th><th>Category</th>{{if not $.Withheld}}<th>Note</th>{{end}}<th>Camera time</th><th>Marked by</th><th>Still</th></tr>{{range .Marks}}<tr><td>{{markFrames .A}}</td><td>{{.A.Category}}</td>{{if not $.Withheld}}<td>{{.A.Note}}</td>{{end}}<td>{{.Wall}}</td><td>{{.A.CreatedBy}} {{utc .A.CreatedAt}}</td><td>{{range .Stills}}<img src="{{.Path}}" alt="{{.Alt}}">{{.Alt}}{{end}}{{.NoStill}}</td></tr>{{end}}</table>{{if $.Withheld}}<p>Notes withheld.</p>{{end}}{{else}}<p>None.</p>{{end}}
<h3>Derivatives and files</h3><table><tr><th>Path</th><th>Kind</th><th>Exhibit</th><th>Frames</th><th>SHA-256</th><th>Recipe</th><th>Frame hashes</th></tr>{{range .Items}}<tr><td>{{.Path}}</td><td>{{.Kind}}</td><td>{{.ExhibitRef}}</td><td>{{frames .}}</td><td>{{.SHA256}}</td><td>{{recipe .}}</td><td>{{.FrameHash}} {{.MasterFrameHash}}</td></tr>{{end}}</table>
{{end}}
<h2>Chain of custody: audit entries</h2><table><tr><th>Seq</th><th>Time (UTC)</th><th>User</th><th>Role</th><th>Action</th><th>Recording</th><th>Result</th><th>Detail</th></tr>
{{range .Audit.Entries}}<tr><td>{{.Seq}}</td><td>{{utc .At}}</td><td>{{.User}}</td><td>{{.Role}}</td><td>{{.Action}}</td><td>{{.RecordingID}}</td><td>{{.Outcome}}</td><td>{{.Detail}}</td></tr>{{end}}</table>
<h2>Signed checkpoint and how to verify</h2><pre>{{.Audit.Checkpoint.Note}}</pre><p>Verifier key (audit/log.vkey):</p><pre>{{.Audit.VerifierKey}}</pre>
<p>See README.txt for the step-by-step checks with sha256sum, ffmpeg and any RFC 6962 verifier, or run <code>exhibit verify-bundle DIR</code>.</p>
</body></html>
`))

func renderReportHTML(d *reportData) ([]byte, error) {
	type still struct{ Path, Alt string }
	type mark struct {
		A       *Annotation
		Wall    string
		Stills  []still
		NoStill string
	}
	type exhibit struct {
		ID        string
		Facts     [][2]string
		Decisions []*Decision
		Holds     []*Hold
		Marks     []mark
		Items     []bundle.Item
	}
	var ex []exhibit
	for _, id := range d.order {
		er := d.recs[id]
		e := exhibit{ID: id, Facts: d.exhibitFacts(er), Decisions: er.decisions, Holds: er.holds, Items: d.itemsOf(id)}
		for _, a := range sortedMarks(er.marks) {
			m := mark{A: a, NoStill: d.noStill(er, a)}
			if p := er.stills[a.ID]; p != "" {
				m.Stills = append(m.Stills, still{Path: p, Alt: fmt.Sprintf("still at frame %d", a.FrameIn)})
			}
			for _, st := range er.redStills[a.ID] {
				m.Stills = append(m.Stills, still{Path: st.path, Alt: fmt.Sprintf("frame %d from redacted copy %s", a.FrameIn, st.ref)})
			}
			if a.FrameIn < len(er.times) {
				m.Wall = utc(er.rec.RecordedAt.Add(er.times[a.FrameIn]))
			}
			e.Marks = append(e.Marks, m)
		}
		ex = append(ex, e)
	}
	var b bytes.Buffer
	err := reportHTMLTmpl.Execute(&b, map[string]any{"Man": d.man, "ManifestSHA": d.manifestSHA, "Exhibits": ex, "Audit": d.audit,
		"Withheld": d.withheld(), "Disclosure": d.disclosureText()})
	return b.Bytes(), err
}

// playerPage builds index.html for the export: the manifest's markers
// (their notes already left out when withheld) and what it says of them.
func playerPage(m bundle.Manifest, clips []playerClip) ([]byte, error) {
	d := bundle.PlayerData{CaseRef: m.CaseRef, BundleID: m.BundleID, Clips: clips, Items: m.Items, Markers: m.Markers}
	if m.Notes != nil && m.Notes.Withheld {
		d.Withheld = m.Notes.Statement
	}
	return bundle.PlayerPage(d)
}

// bundleMarkers lists the recordings' markers for the manifest and the
// offline player, in recording order.
func bundleMarkers(order []string, recs map[string]*exportRecording) []bundle.PlayerMarker {
	var ms []bundle.PlayerMarker
	for _, id := range order {
		for _, a := range sortedMarks(recs[id].marks) {
			ms = append(ms, bundle.PlayerMarker{RecordingID: id, From: a.FrameIn, To: a.FrameOut, Category: a.Category, Note: a.Note})
		}
	}
	return ms
}
