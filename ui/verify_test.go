package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"exhibit/app"
)

// overlayLabels are the label texts of the window's top overlay.
func overlayLabels(w fyne.Window) []string {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return nil
	}
	return labelTexts(top)
}

// TestVerifyRestrictedByReference: a viewer's "Verify all" checks a
// restricted recording it may not see, reports it by count, and its
// failure by a reference only; professional standards find the recording
// from the reference (Library > Find a verify reference…).
func TestVerifyRestrictedByReference(t *testing.T) {
	lib, dir, ids := markStore(t, agedClip{"secret", time.Hour})
	secret := ids["secret"]
	signIn(t, lib, "psd")
	if _, err := lib.Restrict(t.Context(), secret, true); err != nil {
		t.Fatal(err)
	}
	// Damage its stored copy (the store's only vault file).
	files, _ := filepath.Glob(filepath.Join(dir, "vault", "*"))
	files = slices.DeleteFunc(files, func(f string) bool { return filepath.Base(f) == "pending" })
	if len(files) != 1 {
		t.Fatalf("vault files %q", files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(files[0], b, 0o600); err != nil {
		t.Fatal(err)
	}

	signIn(t, lib, "viewer")
	lv, q, w := newTestView(t, lib)
	if hasMenuItem(lv.mainMenu(), "Find a verify reference…") {
		t.Error("a viewer is offered to resolve verify references")
	}
	lv.verifyAll()
	var ref string
	q.until(t, "the verify report", func() bool {
		for _, s := range overlayLabels(w) {
			if r, ok := strings.CutPrefix(s, "A restricted recording, reference "); ok {
				ref, _, _ = strings.Cut(r, ":")
				return true
			}
		}
		return false
	})
	texts := overlayLabels(w)
	for _, s := range texts {
		if strings.Contains(s, secret) {
			t.Errorf("the viewer's report names the restricted recording: %q", s)
		}
	}
	if !slices.Contains(texts, "Restricted recordings (you may not see them): 1 restricted recording verified, 1 failed.") ||
		!slices.Contains(texts, "1 of 1 recording FAILED verification. Do not rely on them; tell your administrator.") {
		t.Errorf("report %q", texts)
	}
	test.Tap(overlayButton(t, w, "Close"))

	signIn(t, lib, "psd")
	pv, pq, pw := newTestView(t, lib)
	if !hasMenuItem(pv.mainMenu(), "Find a verify reference…") {
		t.Fatal("professional standards are not offered to resolve verify references")
	}
	pv.askVerifyReference()
	d := pv.refDialog
	d.entry.SetText("VR-2222-2222")
	test.Tap(d.find)
	pq.until(t, "the unknown reference message", func() bool {
		return d.msg.Visible() && strings.HasPrefix(d.msg.Text, "No verify failure has that reference")
	})
	d.entry.SetText(strings.ToLower(ref))
	test.Tap(d.find)
	pq.until(t, "the resolved reference", func() bool {
		return slices.ContainsFunc(overlayLabels(pw), func(s string) bool {
			return strings.HasPrefix(s, "Reference "+ref+" is recording "+secret+" ") && strings.Contains(s, "by viewer")
		})
	})
	test.Tap(overlayButton(t, pw, "Show in library"))
	if pv.search.Text != secret {
		t.Errorf("search %q after Show in library", pv.search.Text)
	}
	es := auditEntries(t, dir, "x", app.AuditFilter{Action: "verify.resolve"})
	if len(es) != 2 || es[1].RecordingID != secret || es[1].User != "psd" {
		t.Errorf("resolutions audited: %+v", es)
	}
}

// hasMenuItem reports whether any menu of m has an item labelled label.
func hasMenuItem(m *fyne.MainMenu, label string) bool {
	for _, menu := range m.Items {
		for _, it := range menu.Items {
			if it.Label == label {
				return true
			}
		}
	}
	return false
}

func TestVerifyReportWords(t *testing.T) {
	rep := &app.VerifyReport{Results: []app.VerifyResult{{ID: "AAAAAAAA", OK: true}},
		Restricted: app.RestrictedVerify{Verified: 3}}
	title, content := verifyReport(rep, nil, false)
	texts := labelTexts(content)
	if title != "Verify finished" || !slices.Contains(texts, "All 4 recordings are intact.") ||
		!slices.Contains(texts, "Restricted recordings (you may not see them): 3 restricted recordings verified, 0 failed.") {
		t.Errorf("%q %q", title, texts)
	}
}
