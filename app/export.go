package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"exhibit/app/media"
	"exhibit/bundle"
	"exhibit/store"
)

// ExhibitVersion is the version written into bundle manifests.
const ExhibitVersion = "0.1.0"

// ExportRequest describes an evidence bundle to write.
type ExportRequest struct {
	CaseRef string   // case reference: letters, digits and / - _ . (at most 64)
	Out     string   // bundle folder to create (must not exist)
	Specs   []string // "ID" (whole recording), "ID:N-M" (frames N..M), or an annotation id
	Masters bool     // include the decrypted masters
	// Lossless adds a lossless clip beside each court clip.
	Lossless bool
	Stills   bool // a still at each marker
	// Redacted names redaction projects: each one's redacted copy (the
	// newest render if it drew the current version, else rendered now),
	// its frame hashes and its redaction log (JSON and PDF). Nothing
	// unredacted is added for them: masters only with Masters, court clips
	// only for Specs.
	Redacted []string
	// WithNotes keeps the free text (marker notes, decision and legal
	// hold reasons) in a bundle that carries redacted copies. Without it
	// such a bundle withholds it from the report, the offline player and
	// the manifest, which says so (Manifest.Notes): the text can name the
	// people the redaction hides. A bundle without Redacted always
	// carries it.
	WithNotes bool
	Zip       bool // also write Out.zip
}

// CheckCaseRef returns ErrBadCaseRef unless ref is a valid case reference.
func CheckCaseRef(ref string) error {
	if !caseRefRE.MatchString(ref) {
		return ErrBadCaseRef
	}
	return nil
}

// ExportResult is what Export wrote.
type ExportResult struct {
	Dir            string
	BundleID       string
	ManifestSHA256 string
	Items          int   // files listed in the manifest
	AuditEntries   int   // audit entries with proofs in the bundle
	ExportSeq      int64 // the first export.create entry
}

// ErrBadCaseRef reports a case reference with characters other than
// letters, digits and / - _ . (it goes into the audit trail, which takes no
// free text).
var ErrBadCaseRef = errors.New("a case reference is letters, digits and / - _ . (at most 64)")

var caseRefRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9/_.-]{0,63}$`)

// exportPart is one SPEC resolved to a recording and a frame range.
type exportPart struct {
	spec     string
	rec      *Recording
	from, to int  // inclusive
	whole    bool // the whole recording
	table    *media.FrameTable
	times    []time.Duration // frame times since frame 0
}

// exportRecording gathers what the report says about one master.
type exportRecording struct {
	rec       *Recording
	table     *media.FrameTable
	times     []time.Duration
	marks     []*Annotation
	decisions []*Decision
	holds     []*Hold
	stills    map[string]string // annotation id -> bundle path
	stillPNG  map[string][]byte // annotation id -> the still
	// redStills are the stills taken from redacted copies, by annotation
	// id (a bundle with Redacted has no other stills).
	redStills map[string][]redactedStill
}

// newExportRecording starts the report's record of a master.
func newExportRecording(p *exportPart) *exportRecording {
	return &exportRecording{rec: p.rec, table: p.table, times: p.times, stills: map[string]string{},
		stillPNG: map[string][]byte{}, redStills: map[string][]redactedStill{}}
}

var rangeSpecRE = regexp.MustCompile(`^([^:]+):(\d+)-(\d+)$`)

// resolveSpec turns one SPEC into a part, through the access gate.
func (l *Library) resolveSpec(ctx context.Context, spec string) (*exportPart, error) {
	spec = strings.TrimSpace(spec)
	p := &exportPart{spec: spec}
	var id string
	if m := rangeSpecRE.FindStringSubmatch(spec); m != nil {
		from, err1 := strconv.Atoi(m[2])
		to, err2 := strconv.Atoi(m[3])
		if err1 != nil || err2 != nil || to < from {
			return nil, fmt.Errorf("%s: a frame range is N-M with N <= M", spec)
		}
		id, p.from, p.to = m[1], from, to
	} else if a, err := l.st.Annotation(ctx, strings.ToUpper(spec)); err == nil && !a.Deleted {
		if _, err := l.resolve(ctx, a.RecordingID, "export.create"); err != nil {
			return nil, fmt.Errorf("annotation %s: %w", spec, err)
		}
		id, p.from, p.to = a.RecordingID, a.FrameIn, a.FrameOut
	} else {
		id, p.whole = spec, true
	}
	full, err := l.resolve(ctx, id, "export.create")
	if err != nil {
		return nil, err
	}
	if p.rec, err = l.st.Get(ctx, full); err != nil {
		return nil, err
	}
	if p.table, err = l.frameTable(ctx, full); err != nil {
		return nil, err
	}
	if p.table.Len() == 0 {
		return nil, fmt.Errorf("recording %s has an empty frame table", full)
	}
	p.times = PlayerSource(p.rec, p.table, nil, 0).Frames
	if p.whole {
		p.from, p.to = 0, p.table.Len()-1
	}
	if p.to >= p.table.Len() {
		return nil, fmt.Errorf("%s: frame %d: %w (frames 0 to %d)", spec, p.to, ErrOutOfRange, p.table.Len()-1)
	}
	return p, nil
}

// Export writes an evidence bundle (see package bundle for the layout):
// the masters (with Masters), the clips of each part, their frame hashes,
// a still at each marker (with Stills), README.txt, the offline player,
// the continuity report and the audit entries about the exported
// recordings with inclusion proofs against one signed checkpoint. The
// export is audited (export.create, one entry per recording, with the
// manifest's SHA-256) before the audit files are written, so its own
// entries are in the bundle and proven. The bundle is written beside Out
// and renamed into place at the end: a cancelled or failed export leaves
// no folder. progress gets the fraction done (may be nil).
func (l *Library) Export(ctx context.Context, req ExportRequest, progress func(float64)) (*ExportResult, error) {
	who, err := l.requireOn(ctx, PermExport, "export.create", l.onlyRecording(ctx, req.Specs))
	if err != nil {
		return nil, err
	}
	if err := CheckCaseRef(req.CaseRef); err != nil {
		return nil, err
	}
	if len(req.Specs) == 0 && len(req.Redacted) == 0 {
		return nil, errors.New("export: nothing to export (give recordings, ranges, annotations or redactions)")
	}
	if progress == nil {
		progress = func(float64) {}
	}
	var parts []*exportPart
	recs := map[string]*exportRecording{}
	var order []string
	for _, s := range req.Specs {
		p, err := l.resolveSpec(ctx, s)
		if err != nil {
			return nil, err
		}
		parts = append(parts, p)
		if recs[p.rec.ID] == nil {
			recs[p.rec.ID] = newExportRecording(p)
			order = append(order, p.rec.ID)
		}
	}
	var redactions []*exportPart
	for _, pid := range req.Redacted {
		recID, err := l.redactionRecording(ctx, pid, "export.create")
		if err != nil {
			return nil, err
		}
		p, err := l.resolveSpec(ctx, recID)
		if err != nil {
			return nil, err
		}
		p.spec = strings.ToUpper(strings.TrimSpace(pid))
		redactions = append(redactions, p)
		if recs[p.rec.ID] == nil {
			recs[p.rec.ID] = newExportRecording(p)
			order = append(order, p.rec.ID)
		}
	}
	for _, id := range order {
		er := recs[id]
		if er.marks, err = l.st.Annotations(ctx, id, false); err != nil {
			return nil, err
		}
		if er.decisions, err = l.st.Decisions(ctx, id); err != nil {
			return nil, err
		}
		if er.holds, err = l.st.Holds(ctx, id); err != nil {
			return nil, err
		}
	}
	notes := notesPolicy(order, recs, len(redactions) > 0, req.WithNotes)

	idb := make([]byte, 8)
	if _, err := rand.Read(idb); err != nil {
		return nil, err
	}
	bundleID := strings.ToUpper(hex.EncodeToString(idb))
	// A version that cannot be asked says "unavailable: …" in its field;
	// the export goes on (the clips' recipes name their ffmpeg anyway).
	sv, err := Versions(ctx)
	if err != nil {
		l.log.Warn("export: software versions", "error", err)
	}
	w, err := bundle.NewWriter(req.Out, bundle.Manifest{CaseRef: req.CaseRef, BundleID: bundleID,
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond), CreatedBy: who.Name, ExhibitVersion: ExhibitVersion,
		Software: &bundle.Software{Exhibit: sv.Exhibit, Commit: sv.Commit, Go: sv.Go, Libmpv: sv.Libmpv, FFmpeg: sv.FFmpeg},
		Markers:  bundleMarkers(order, recs), Notes: notes})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := w.Abort(); err != nil { // after Commit a no-op
			l.log.Warn("remove the unfinished bundle folder", "error", err)
		}
	}()

	// Work estimate: master bytes + a share per still and clip.
	var total, done float64
	for _, id := range order {
		if req.Masters {
			total += float64(recs[id].rec.Size)
		}
	}
	const unit = 4 << 20 // weight of a still or a report
	total += unit * float64(len(parts)+len(redactions)+2)
	step := func(n float64) {
		done += n
		progress(min(done/total, 0.99))
	}

	if req.Masters {
		for _, id := range order {
			if err := l.exportMaster(ctx, w, recs[id], step); err != nil {
				return nil, err
			}
		}
	}
	var clips []playerClip
	var copies []*redactedCopy
	for _, p := range parts {
		cs, err := l.exportClips(ctx, w, p, req.Lossless)
		if err != nil {
			return nil, err
		}
		clips = append(clips, cs...)
		step(unit)
	}
	for _, p := range redactions {
		rc, err := l.exportRedacted(ctx, w, p)
		if err != nil {
			return nil, err
		}
		clips = append(clips, *rc.clip)
		copies = append(copies, rc)
		step(unit)
	}
	switch {
	case req.Stills && len(copies) > 0:
		// A bundle with redacted copies takes its stills from them only,
		// never from the master (not even for a SPEC's range).
		for _, rc := range copies {
			if err := l.exportRedactedStills(ctx, w, recs[rc.part.rec.ID], rc); err != nil {
				return nil, err
			}
		}
	case req.Stills:
		for _, p := range parts {
			if err := l.exportStills(ctx, w, recs[p.rec.ID], p); err != nil {
				return nil, err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := w.AddBytes(bundle.Item{Path: bundle.ReadmeFile, Kind: bundle.KindReadme}, []byte(bundle.Readme(w.Manifest()))); err != nil {
		return nil, err
	}
	page, err := playerPage(w.Manifest(), clips)
	if err != nil {
		return nil, err
	}
	if err := w.AddBytes(bundle.Item{Path: bundle.PlayerFile, Kind: bundle.KindPlayer}, page); err != nil {
		return nil, err
	}
	for _, it := range []bundle.Item{{Path: bundle.ReportPDF, Kind: bundle.KindReport}, {Path: bundle.ReportHTML, Kind: bundle.KindReportHTML}} {
		if err := w.Declare(it); err != nil {
			return nil, err
		}
	}
	sum, err := w.WriteManifest()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Audit the export, then prove its entries with the rest.
	entries := make([]*store.AuditEntry, 0, len(order))
	for _, id := range order {
		e := l.entry("export.create")
		e.RecordingID, e.SHA256 = id, sum
		e.Detail = fmt.Sprintf("case %s bundle %s: manifest.json SHA-256 (master %s)", req.CaseRef, bundleID, recs[id].rec.SHA256)
		entries = append(entries, e)
	}
	if err := l.st.Audit(ctx, entries...); err != nil {
		return nil, err
	}
	committed := false
	defer func() {
		if !committed {
			// The entries above say an export was made; say it did not
			// complete (context.Background: a cancel must still be recorded).
			e := l.entry("export.abort")
			e.SHA256, e.Outcome = sum, store.OutcomeFailed
			e.Detail = fmt.Sprintf("case %s bundle %s not written", req.CaseRef, bundleID)
			if err := l.st.Audit(context.Background(), e); err != nil {
				l.log.Error("audit export.abort", "error", err)
			}
		}
	}()
	seqs := make([]int64, len(entries))
	for i, e := range entries {
		seqs[i] = e.Seq
	}
	ax, err := l.st.ExportAudit(ctx, order, seqs)
	if err != nil {
		return nil, err
	}
	al := &bundle.AuditLog{Checkpoint: []byte(ax.Checkpoint.Note), VerifierKey: ax.VerifierKey}
	for i, e := range ax.Entries {
		al.Entries = append(al.Entries, bundle.AuditLeaf{Seq: e.Seq, Data: e.LeafData(), Path: ax.Proofs[i]})
	}
	if err := w.WriteAudit(al); err != nil {
		return nil, err
	}
	rd := &reportData{man: w.Manifest(), manifestSHA: sum, order: order, recs: recs, audit: ax, dir: w,
		stills: req.Stills, redactedStills: len(copies) > 0}
	pdf, html, err := renderReport(rd)
	if err != nil {
		return nil, err
	}
	if err := w.AddBytes(bundle.Item{Path: bundle.ReportPDF}, pdf); err != nil {
		return nil, err
	}
	if err := w.AddBytes(bundle.Item{Path: bundle.ReportHTML}, html); err != nil {
		return nil, err
	}
	step(unit)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := w.Commit(req.Zip); err != nil {
		return nil, err
	}
	committed = true
	progress(1)
	return &ExportResult{Dir: req.Out, BundleID: bundleID, ManifestSHA256: sum, Items: len(w.Manifest().Items),
		AuditEntries: len(ax.Entries), ExportSeq: seqs[0]}, nil
}

// recordingFacts returns the manifest's facts of a master.
func recordingFacts(rec *Recording) *bundle.Recording {
	dev := rec.Personal.DeviceSerial
	if mm := MakeModel(rec.Personal.Make, rec.Personal.Model); mm != "" {
		dev = strings.TrimSpace(mm + " " + dev)
	}
	return &bundle.Recording{RecordedAt: rec.RecordedAt.UTC(), RecordedAtSource: rec.RecordedAtSource,
		DurationMS: rec.Duration.Milliseconds(), FPS: fmt.Sprintf("%d/%d", rec.FPSNum, rec.FPSDen), Frames: rec.Frames,
		Officer: rec.Personal.Officer, Device: dev}
}

// masterExt is the file extension of a master in the bundle.
func masterExt(rec *Recording) string {
	switch c := strings.ToLower(rec.Container); {
	case strings.Contains(c, "mp4"), strings.Contains(c, "mov"):
		if strings.HasSuffix(strings.ToLower(rec.Personal.SourceName), ".mov") {
			return ".mov"
		}
		return ".mp4"
	case strings.Contains(c, "matroska"):
		return ".mkv"
	case strings.Contains(c, "mpegts"):
		return ".ts"
	case strings.Contains(c, "avi"):
		return ".avi"
	}
	return ".bin"
}

// exportMaster copies the decrypted master into masters/ (through the
// vault's reader; the copy's SHA-256 must be the ingest hash).
func (l *Library) exportMaster(ctx context.Context, w *bundle.Writer, er *exportRecording, step func(float64)) error {
	m, err := l.st.OpenMaster(ctx, er.rec.ID)
	if err != nil {
		return fmt.Errorf("master %s: %w", er.rec.ID, err)
	}
	defer func() { _ = m.Close() }() // read only: nothing to lose
	p := "masters/" + er.rec.ID + masterExt(er.rec)
	it := bundle.Item{Path: p, Kind: bundle.KindMaster, ExhibitRef: er.rec.ID, MasterID: er.rec.ID,
		MasterSHA256: er.rec.SHA256, Recording: recordingFacts(er.rec)}
	err = w.Add(it, func(o io.Writer) error {
		_, err := io.Copy(&progressWriter{ctx: ctx, w: o, step: step}, io.NewSectionReader(m, 0, m.Size()))
		return err
	})
	if err != nil {
		return fmt.Errorf("master %s: %w", er.rec.ID, err)
	}
	items := w.Manifest().Items
	if got := items[len(items)-1].SHA256; got != er.rec.SHA256 {
		return fmt.Errorf("master %s: the stored copy's SHA-256 %s is not the ingest hash %s (run `exhibit verify`)", er.rec.ID, got, er.rec.SHA256)
	}
	return nil
}

type progressWriter struct {
	ctx  context.Context
	w    io.Writer
	step func(float64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	if err := p.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := p.w.Write(b)
	p.step(float64(n))
	return n, err
}

// exportStills renders a still at the first frame of each marker of the
// part's range (stills/REC_fFRAME.png, the PNG with its text chunks).
func (l *Library) exportStills(ctx context.Context, w *bundle.Writer, er *exportRecording, p *exportPart) error {
	for _, a := range er.marks {
		if a.FrameIn < p.from || a.FrameIn > p.to {
			continue
		}
		path := fmt.Sprintf("stills/%s_f%06d.png", er.rec.ID, a.FrameIn)
		if _, dup := er.stills[a.ID]; dup {
			continue
		}
		if other, taken := stillPathTaken(er, path); taken {
			er.stills[a.ID], er.stillPNG[a.ID] = path, er.stillPNG[other]
			continue
		}
		st, err := l.RenderStill(ctx, StillRequest{ID: er.rec.ID, Frame: a.FrameIn, Time: -1})
		if err != nil {
			return fmt.Errorf("still of marker %s: %w", a.ID, err)
		}
		f := a.FrameIn
		if err := w.AddBytes(bundle.Item{Path: path, Kind: bundle.KindStill, ExhibitRef: er.rec.ID + "/F" + strconv.Itoa(f),
			MasterID: er.rec.ID, MasterSHA256: er.rec.SHA256, Frame: &f}, st.PNG); err != nil {
			return err
		}
		er.stills[a.ID], er.stillPNG[a.ID] = path, st.PNG
	}
	return nil
}

// stillPathTaken returns the marker whose still is already at path.
func stillPathTaken(er *exportRecording, path string) (string, bool) {
	for id, p := range er.stills {
		if p == path {
			return id, true
		}
	}
	return "", false
}

// sortedMarks returns the marks in frame order.
func sortedMarks(ms []*Annotation) []*Annotation {
	out := append([]*Annotation(nil), ms...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].FrameIn < out[j].FrameIn })
	return out
}
