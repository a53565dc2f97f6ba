package ui

import (
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// TestAuditViewExports: the audit view exports the entries its filters
// show, as CSV and PDF, says so, and the export appears in the trail.
func TestAuditViewExports(t *testing.T) {
	lib := openSeeded(t)
	signIn(t, lib, "viewer")
	signIn(t, lib, adminName)
	test.NewTempApp(t)
	q := newUIQueue()
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1366, 768))
	v := newAuditView(lib, "", q.do, nil)
	v.show(w, nil)
	t.Cleanup(func() { v.close(); w.Close() })
	q.until(t, "the entries", func() bool { return !v.loading })
	if !hasButton(w.Canvas().Overlays().Top(), "Export CSV…") || !hasButton(w.Canvas().Overlays().Top(), "Export PDF…") {
		t.Fatal("no export buttons in the audit view")
	}

	gen := v.loadGen
	v.user.SetText("viewer")
	q.until(t, "the viewer's entries", func() bool { return v.loadGen > gen && !v.loading })
	shown := len(v.entries)
	if shown == 0 {
		t.Fatal("no entries of the viewer")
	}
	dir := t.TempDir()
	v.exportTo(app.AuditCSV, filepath.Join(dir, "viewer")) // the extension is added
	q.until(t, "the CSV export", func() bool { return !v.exporting })
	if v.exportMsg.Importance != widget.SuccessImportance || !strings.HasPrefix(v.exportMsg.Text, plural(shown, "entry", "entries")+" exported to ") {
		t.Fatalf("export says %q", v.exportMsg.Text)
	}
	f, err := os.Open(filepath.Join(dir, "viewer.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != shown+1 {
		t.Errorf("%d rows for %d entries shown", len(rows)-1, shown)
	}
	for _, r := range rows[1:] {
		if r[2] != "viewer" {
			t.Errorf("row of user %q in the viewer's export", r[2])
		}
	}

	// PDF of the whole trail; kept with the screenshots, as a picture too.
	v.user.SetText("")
	q.until(t, "all entries", func() bool { return !v.loading && len(v.entries) > shown })
	out := shotDir(t)
	pdf := filepath.Join(out, "audit-export.pdf")
	v.exportTo(app.AuditPDF, pdf)
	q.until(t, "the PDF export", func() bool { return !v.exporting })
	if v.exportMsg.Importance != widget.SuccessImportance {
		t.Fatalf("PDF export says %q", v.exportMsg.Text)
	}
	if p, err := exec.LookPath("pdftoppm"); err == nil {
		if b, err := exec.Command(p, "-png", "-r", "80", "-f", "1", "-l", "1", pdf, filepath.Join(out, "audit-export")).CombinedOutput(); err != nil {
			t.Errorf("pdftoppm: %v %s", err, b)
		}
		t.Logf("audit PDF %s, first page as PNG beside it", pdf)
	}
	entries, err := lib.AuditEntries(t.Context(), app.AuditFilter{Action: "audit.export"})
	if err != nil || len(entries) != 2 || entries[0].User != adminName {
		t.Errorf("export entries %+v, %v", entries, err)
	}
}
