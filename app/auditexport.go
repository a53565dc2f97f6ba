package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"exhibit/store"
)

// Audit exports: the entries an audit filter shows, as CSV (for a
// spreadsheet) or PDF (to print or attach to a file), written crash-safe
// and recorded in the trail as audit.export. Times are UTC, as evidence
// needs them; the PDF also says when it was made in local time.

// AuditFormat is a file format of ExportAudit.
type AuditFormat string

// Audit export formats.
const (
	AuditCSV AuditFormat = "csv"
	AuditPDF AuditFormat = "pdf"
)

// ErrNothingToExport reports an export of a filter that shows no entries.
var ErrNothingToExport = errors.New("there are no audit entries to export")

// ExportAudit writes the entries f selects (as AuditEntries returns them,
// oldest first) to path in format, and records the export (format, count
// and the sequence numbers covered) as audit.export. It returns how many
// entries it wrote.
func (l *Library) ExportAudit(ctx context.Context, f AuditFilter, format AuditFormat, path string) (int, error) {
	if _, err := l.require(ctx, PermView, "audit.export"); err != nil {
		return 0, err
	}
	entries, err := l.AuditEntries(ctx, f)
	if err != nil {
		return 0, err
	}
	if len(entries) == 0 {
		return 0, ErrNothingToExport
	}
	var data []byte
	switch format {
	case AuditCSV:
		data, err = AuditCSVBytes(entries)
	case AuditPDF:
		data, err = AuditPDFBytes(entries, auditFilterWords(f), time.Now())
	default:
		return 0, fmt.Errorf("unknown audit export format %q (csv or pdf)", format)
	}
	if err != nil {
		return 0, err
	}
	if err := store.WriteFileAtomic(path, data, 0o600); err != nil {
		return 0, err
	}
	e := l.entry("audit.export")
	if f.RecordingID != "" {
		e.RecordingID = entries[0].RecordingID
	}
	e.Detail = fmt.Sprintf("%d entries (seq %d–%d) as %s; %s", len(entries), entries[0].Seq, entries[len(entries)-1].Seq,
		format, auditFilterWords(f))
	if err := l.st.Audit(ctx, e); err != nil {
		return 0, fmt.Errorf("the export was written but could not be recorded in the audit trail: %w", err)
	}
	return len(entries), nil
}

// auditFilterWords says what an audit filter selects: "all entries",
// "recording X, user sgt, action view".
func auditFilterWords(f AuditFilter) string {
	var parts []string
	if f.RecordingID != "" {
		parts = append(parts, "recording "+f.RecordingID)
	}
	if f.User != "" {
		parts = append(parts, "user "+f.User)
	}
	if f.Action != "" {
		parts = append(parts, "action "+f.Action)
	}
	sel := "all entries"
	if len(parts) > 0 {
		sel = strings.Join(parts, ", ")
	}
	if f.Limit > 0 {
		sel += " (at most the newest " + strconv.Itoa(f.Limit) + ")"
	}
	return sel
}

// auditCSVHeader is the CSV's first row; the columns are a contract.
var auditCSVHeader = []string{"seq", "time_utc", "user", "role", "role_title", "action", "recording_id", "sha256", "outcome", "detail"}

// AuditCSVBytes renders entries as CSV (RFC 4180), one row per entry,
// times in UTC (RFC 3339 with milliseconds).
func AuditCSVBytes(entries []AuditEntry) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(auditCSVHeader); err != nil {
		return nil, err
	}
	for _, e := range entries {
		title := ""
		if e.Role != "" {
			title = Role(e.Role).Title()
		}
		outcome := e.Outcome
		if outcome == "" {
			outcome = store.OutcomeOK
		}
		if err := w.Write([]string{strconv.FormatInt(e.Seq, 10), e.At.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
			e.User, e.Role, title, e.Action, e.RecordingID, e.SHA256, outcome, csvSafe(e.Detail)}); err != nil {
			return nil, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// csvSafe keeps a spreadsheet from reading a value as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// AuditPDFBytes renders entries as an A4 landscape PDF: a heading with what
// was selected, when it was made (UTC and local time), and a table of the
// entries with UTC times. Details are wrapped, never cut.
func AuditPDFBytes(entries []AuditEntry, selection string, made time.Time) ([]byte, error) {
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetTitle("Exhibit audit trail", true)
	pdf.SetCreator("Exhibit", true)
	pdf.SetCreationDate(made.UTC())
	pdf.SetModificationDate(made.UTC())
	pdf.SetAutoPageBreak(false, 12)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // UTF-8 to the core fonts' cp1252
	cols := []struct {
		title string
		w     float64
	}{{"Seq", 14}, {"Time (UTC)", 40}, {"User", 24}, {"Role", 34}, {"Action", 30}, {"Recording", 22}, {"Outcome", 16}, {"Detail", 97}}
	const lineH = 4.5
	_, pageH := pdf.GetPageSize()
	_, _, _, bottom := pdf.GetMargins()
	header := func() {
		pdf.SetFont("Helvetica", "B", 8)
		pdf.SetFillColor(230, 230, 230)
		for _, c := range cols {
			pdf.CellFormat(c.w, 6, tr(c.title), "1", 0, "L", true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 8)
	}
	pdf.SetFooterFunc(func() {
		pdf.SetY(-10)
		pdf.SetFont("Helvetica", "", 7)
		pdf.CellFormat(0, 4, tr(fmt.Sprintf("Exhibit audit trail, %s — page %d of {nb}", selection, pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AliasNbPages("")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 14)
	pdf.CellFormat(0, 8, tr("Exhibit audit trail"), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 9)
	pdf.CellFormat(0, 5, tr("Selection: "+selection+"; "+strconv.Itoa(len(entries))+" entries, oldest first, "+
		fmt.Sprintf("sequence %d to %d.", entries[0].Seq, entries[len(entries)-1].Seq)), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 5, tr("Made "+FormatUTC(made)+" ("+FormatLocal(made)+"). Times below are UTC. "+
		"The trail itself is checked with “exhibit audit verify”."), "", 1, "L", false, 0, "")
	pdf.Ln(2)
	header()
	for _, e := range entries {
		role := ""
		if e.Role != "" {
			role = Role(e.Role).Title()
		}
		outcome := e.Outcome
		if outcome == "" {
			outcome = store.OutcomeOK
		}
		vals := []string{strconv.FormatInt(e.Seq, 10), e.At.UTC().Format("2006-01-02 15:04:05.000"), e.User, role,
			e.Action, e.RecordingID, outcome, e.Detail}
		// The row is as tall as its longest wrapped value.
		lines := make([][]string, len(cols))
		n := 1
		for i, c := range cols {
			lines[i] = wrapPDF(pdf, tr(vals[i]), c.w-2)
			n = max(n, len(lines[i]))
		}
		h := float64(n) * lineH
		if pdf.GetY()+h > pageH-bottom-8 {
			pdf.AddPage()
			header()
		}
		x, y := pdf.GetXY()
		for i, c := range cols {
			pdf.Rect(x, y, c.w, h, "D")
			for j, line := range lines[i] {
				pdf.SetXY(x+1, y+float64(j)*lineH)
				pdf.CellFormat(c.w-2, lineH, line, "", 0, "L", false, 0, "")
			}
			x += c.w
		}
		pdf.SetXY(pdf.GetX(), y+h)
		pdf.SetX(10)
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("make the audit PDF: %w", err)
	}
	return b.Bytes(), nil
}

// wrapPDF breaks s (already in the font's encoding, one byte a character)
// into lines no wider than w at spaces, and inside a word too long for a
// line. It never drops text; it returns at least one line.
func wrapPDF(pdf *fpdf.Fpdf, s string, w float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Split(para, " ") {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if pdf.GetStringWidth(try) <= w {
				line = try
				continue
			}
			if line != "" {
				lines = append(lines, line)
			}
			// A word wider than the column is cut where it fills a line.
			for pdf.GetStringWidth(word) > w && len(word) > 1 {
				n := 1
				for n < len(word) && pdf.GetStringWidth(word[:n+1]) <= w {
					n++
				}
				lines = append(lines, word[:n])
				word = word[n:]
			}
			line = word
		}
		lines = append(lines, line)
	}
	return lines
}
