package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestExportAudit: the shown entries go to CSV and PDF with UTC times, the
// export is audited as audit.export, and an empty selection is refused.
func TestExportAudit(t *testing.T) {
	lib := newTestLibrary(t)
	ctx := context.Background()
	rec := addRecording(t, lib, "PC Smith", "BWV-1", time.Now(), time.Second)
	signInAs(t, lib, "sgt", RoleSergeant)
	if _, err := lib.Hold(ctx, rec.ID, "=cmd|' /C calc'!A0"); err != nil { // a reason is never in the trail
		t.Fatal(err)
	}
	f := AuditFilter{RecordingID: rec.ID}
	want, err := lib.AuditEntries(ctx, f)
	if err != nil || len(want) == 0 {
		t.Fatalf("entries %d, %v", len(want), err)
	}
	dir := t.TempDir()

	csvPath := filepath.Join(dir, "audit.csv")
	n, err := lib.ExportAudit(ctx, f, AuditCSV, csvPath)
	if err != nil || n != len(want) {
		t.Fatalf("csv: %d, %v (want %d)", n, err, len(want))
	}
	b, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want)+1 || strings.Join(rows[0], ",") != "seq,time_utc,user,role,role_title,action,recording_id,sha256,outcome,detail" {
		t.Fatalf("csv rows %d, header %q", len(rows), rows[0])
	}
	last, row := want[len(want)-1], rows[len(rows)-1]
	if row[0] != itoa64(last.Seq) || row[1] != last.At.UTC().Format("2006-01-02T15:04:05.000Z07:00") || !strings.HasSuffix(row[1], "Z") ||
		row[2] != "sgt" || row[4] != "Reviewer" || row[5] != last.Action || row[6] != rec.ID {
		t.Errorf("last row %q for %+v", row, last)
	}
	if strings.Contains(string(b), "calc") {
		t.Error("a hold reason reached the export")
	}
	if fi, err := os.Stat(csvPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("csv file mode %v, %v", fi.Mode(), err)
	}

	pdfPath := filepath.Join(dir, "audit.pdf")
	// The CSV export is itself an entry about the recording now.
	if n, err := lib.ExportAudit(ctx, f, AuditPDF, pdfPath); err != nil || n != len(want)+1 {
		t.Fatalf("pdf: %d, %v", n, err)
	}
	out, err := exec.Command("pdftotext", "-layout", pdfPath, "-").Output() // make deps installs poppler-utils
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, s := range []string{"Exhibit audit trail", "recording " + rec.ID, "Times below are UTC", last.At.UTC().Format("2006-01-02 15:04:05.000"), "Reviewer", "hold"} {
		if !strings.Contains(text, s) {
			t.Errorf("the PDF lacks %q:\n%s", s, text)
		}
	}

	// Both exports are in the trail, as exports.
	got, err := lib.AuditEntries(ctx, AuditFilter{Action: "audit.export"})
	if err != nil || len(got) != 2 || !strings.Contains(got[0].Detail, "as csv") || !strings.Contains(got[1].Detail, "as pdf") || got[0].RecordingID != rec.ID {
		t.Errorf("export entries %+v, %v", got, err)
	}
	if _, err := lib.ExportAudit(ctx, AuditFilter{User: "nobody"}, AuditCSV, filepath.Join(dir, "none.csv")); !errors.Is(err, ErrNothingToExport) {
		t.Errorf("empty export: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "none.csv")); !os.IsNotExist(err) {
		t.Errorf("an empty export left a file: %v", err)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
