package ui

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
	"exhibit/app/media"
)

func TestLibraryShowsRows(t *testing.T) {
	lib := openSeeded(t)
	lv, q, w := newTestView(t, lib)

	if got := len(lv.recs); got != len(seedClips) {
		t.Fatalf("%d rows, want %d", got, len(seedClips))
	}
	if got := lv.count.Text; got != "3 recordings" {
		t.Errorf("count %q, want %q", got, "3 recordings")
	}
	// Newest first by default.
	if got, want := officers(lv.recs), []string{"PS 1187 Patel", "PC 4521 Jones", "PC 2210 Okafor"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	if !lv.split.Visible() || lv.empty.Visible() {
		t.Error("table hidden or empty state shown for a store with recordings")
	}

	// The cells on screen show each recording's officer, device, time,
	// duration and id (at full HD every column is in sight).
	w.Resize(fyne.NewSize(1920, 1080))
	texts := labelTexts(w.Content())
	for _, r := range lv.recs {
		for _, want := range []string{r.Personal.Officer, r.Personal.DeviceSerial, formatWhen(r.RecordedAt), formatDuration(r.Duration), r.ID} {
			if !slices.Contains(texts, want) {
				t.Errorf("no cell %q on screen; labels: %q", want, texts)
			}
		}
	}
	if !slices.Contains(texts, "Unreviewed") {
		t.Errorf("no status cell on screen")
	}

	// Thumbnails load in the background, once each.
	q.until(t, "thumbnails", func() bool { return len(lv.thumbs.images) == len(seedClips) })
	for id, img := range lv.thumbs.images {
		if img == nil {
			t.Errorf("recording %s: no thumbnail decoded", id)
		} else if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 50 {
			t.Errorf("recording %s: thumbnail %v", id, b)
		}
	}
}

func TestLibrarySortToggles(t *testing.T) {
	lib := openSeeded(t)
	lv, q, w := newTestView(t, lib)
	waitLoaded := func() { q.until(t, "the list", func() bool { return !lv.loading }) }

	officer := findButton(t, w.Content(), "Officer")
	test.Tap(officer)
	waitLoaded()
	if got, want := officers(lv.recs), []string{"PC 2210 Okafor", "PC 4521 Jones", "PS 1187 Patel"}; !slices.Equal(got, want) {
		t.Errorf("officer A-Z: %v, want %v", got, want)
	}
	if officer.Icon != theme.MenuDropUpIcon() {
		t.Errorf("officer header shows no up arrow after sorting A-Z")
	}
	if rec := findButton(t, w.Content(), "Recorded"); rec.Icon != nil {
		t.Errorf("recorded header still shows an arrow")
	}

	test.Tap(findButton(t, w.Content(), "Officer"))
	waitLoaded()
	if got, want := officers(lv.recs), []string{"PS 1187 Patel", "PC 4521 Jones", "PC 2210 Okafor"}; !slices.Equal(got, want) {
		t.Errorf("officer Z-A: %v, want %v", got, want)
	}
	if officer.Icon != theme.MenuDropDownIcon() {
		t.Errorf("officer header shows no down arrow after sorting Z-A")
	}

	// Duration: longest first, then shortest first.
	test.Tap(findButton(t, w.Content(), "Duration"))
	waitLoaded()
	if got, want := officers(lv.recs), []string{"PC 2210 Okafor", "PC 4521 Jones", "PS 1187 Patel"}; !slices.Equal(got, want) {
		t.Errorf("duration longest first: %v, want %v", got, want)
	}
	test.Tap(findButton(t, w.Content(), "Duration"))
	waitLoaded()
	if lv.recs[0].Duration > lv.recs[len(lv.recs)-1].Duration {
		t.Errorf("duration did not toggle to shortest first")
	}
}

func TestLibraryFilterNarrows(t *testing.T) {
	lib := openSeeded(t)
	lv, q, _ := newTestView(t, lib)
	lv.now = func() time.Time { return time.Date(2026, 11, 4, 12, 0, 0, 0, time.Local) }
	count := func(want string) {
		t.Helper()
		q.until(t, "count "+want, func() bool { return !lv.loading && lv.count.Text == want })
	}

	test.Type(lv.search, "patel")
	count("1 recording")
	if lv.recs[0].Personal.Officer != "PS 1187 Patel" {
		t.Errorf("search patel found %s", lv.recs[0].Personal.Officer)
	}
	lv.search.SetText("D5R0004")
	count("1 recording")
	lv.search.SetText("zzz-nobody")
	count("0 recordings")
	if !lv.noMatch.Visible() || lv.empty.Visible() {
		t.Error("no-match message not shown (or the empty-store help shown instead)")
	}
	lv.search.SetText("")
	count("3 recordings")

	lv.status.SetSelected(statusLabel(app.StatusUnreviewed))
	count("3 recordings")

	lv.dates.SetSelected(last7Days)
	if lv.from.Text != "29/10/2026" || lv.to.Text != "04/11/2026" {
		t.Errorf("last 7 days: %s to %s", lv.from.Text, lv.to.Text)
	}
	count("2 recordings")

	test.Type(lv.from, "x") // unreadable: keeps the last list, marks the entry
	gen := lv.loadGen
	lv.reload() // what the typing timer runs
	if lv.loadGen != gen || lv.loading || lv.count.Text != "2 recordings" || lv.from.Validate() == nil {
		t.Errorf("unreadable date: listed again %v, count %q, validate %v", lv.loadGen != gen, lv.count.Text, lv.from.Validate())
	}
	// ... and says so in words.
	if !lv.message.Visible() || !strings.Contains(lv.message.Text, "not filtered by date") || !strings.Contains(lv.message.Text, "26/11/2026") {
		t.Errorf("unreadable date: message %q (shown %v)", lv.message.Text, lv.message.Visible())
	}
	// Day/month/year, as UK users type it.
	lv.from.SetText("2/11/2026")
	if lv.message.Visible() {
		t.Errorf("message %q stays after a readable date", lv.message.Text)
	}
	lv.to.SetText("02/11/2026")
	if lv.dates.Selected != customDate {
		t.Errorf("date choice %q after typing dates", lv.dates.Selected)
	}
	count("1 recording")
	if lv.recs[0].Personal.Officer != "PC 4521 Jones" {
		t.Errorf("2 Nov found %s", lv.recs[0].Personal.Officer)
	}

	lv.clearFilters()
	count("3 recordings")
}

func TestDetailPaneShowsSelected(t *testing.T) {
	lib := openSeeded(t)
	lv, q, w := newTestView(t, lib)

	row := slices.IndexFunc(lv.recs, func(r *app.Recording) bool { return r.Personal.Officer == "PC 4521 Jones" })
	lv.table.Select(widget.TableCellID{Row: row, Col: colOfficer})
	r := lv.recs[row]
	if lv.selected != r.ID {
		t.Fatalf("selected %q, want %q", lv.selected, r.ID)
	}
	// The list row shows at once; the full record follows from Get.
	q.until(t, "the full record", func() bool { return lv.full[r.ID] != nil })
	if got, want := lv.detail.sha.Text, seedSHA["PC 4521 Jones"]; got != want {
		t.Errorf("detail SHA-256 %q, want the source file's %q", got, want)
	}
	texts := labelTexts(w.Content())
	for _, want := range []string{"Recording " + r.ID, "X6001234_20261102_093000_0001.MP4", "Axon Body 3",
		"51.50135° N, 0.14189° W", recordedAtSource("sidecar"), "50", "H.264 · 320×180 · 25 fps", "AAC", formatSize(lv.full[r.ID].Size)} {
		if !slices.Contains(texts, want) {
			t.Errorf("detail pane lacks %q; labels: %q", want, texts)
		}
	}

	// The arrow keys move the selection; a recording without GPS hides it.
	lv.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	next := lv.recs[row+1]
	q.until(t, "the next full record", func() bool { return lv.full[next.ID] != nil })
	if lv.selected != next.ID || lv.detail.sha.Text != next.SHA256 {
		t.Errorf("down arrow: selected %s, want %s", lv.selected, next.ID)
	}
	if lv.full[next.ID].Size == 0 || lv.detail.values["Size"].Text != formatSize(lv.full[next.ID].Size) {
		t.Errorf("size %q for %d bytes", lv.detail.values["Size"].Text, lv.full[next.ID].Size)
	}
	if lv.detail.values["GPS"].Visible() {
		t.Errorf("GPS shown for a recording without a fix")
	}

	// Copy puts the hash on the clipboard.
	test.Tap(lv.detail.copy)
	if got := fyne.CurrentApp().Clipboard().Content(); got != next.SHA256 {
		t.Errorf("clipboard %q, want %q", got, next.SHA256)
	}
	q.run(0)
}

func TestEmptyStoreExplainsImport(t *testing.T) {
	lib, _ := newStore(t)
	lv, _, w := newTestView(t, lib)
	if !lv.empty.Visible() || lv.split.Visible() {
		t.Fatal("empty state not shown for an empty store")
	}
	md := lv.empty.(*fyne.Container)
	found := false
	for _, o := range visibleObjects(md) {
		if rt, ok := o.(*widget.RichText); ok && strings.Contains(segmentText(rt.Segments), "exhibit testmedia DIR") {
			found = true
		}
	}
	if !found {
		t.Error("empty state does not mention exhibit testmedia")
	}
	findButton(t, w.Content(), "Watch dock folder")
}

func TestImportShowsResults(t *testing.T) {
	src := t.TempDir()
	ctx := context.Background()
	if err := media.WriteIndexedClip(ctx, filepath.Join(src, "good.mp4"), media.IndexedClipOptions{Frames: 25}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "broken.mp4"), []byte("this is not a video at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	lib, _ := newStore(t)
	lv, q, w := newTestView(t, lib)

	lv.startImport([]string{src})
	summary := "1 imported · 0 already in the store · 1 rejected"
	q.until(t, "the import results", func() bool {
		top := w.Canvas().Overlays().Top()
		return top != nil && slices.Contains(labelTexts(top), summary)
	})
	texts := labelTexts(w.Canvas().Overlays().Top())
	if !slices.Contains(texts, "broken.mp4") {
		t.Errorf("rejected file not listed: %q", texts)
	}
	q.until(t, "the refreshed list", func() bool { return !lv.loading && len(lv.recs) == 1 })
	if !lv.split.Visible() {
		t.Error("table not shown after the import")
	}

	// Importing again finds a duplicate.
	w.Canvas().Overlays().Top().Hide()
	w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	lv.startImport([]string{filepath.Join(src, "good.mp4")})
	q.until(t, "the duplicate result", func() bool {
		top := w.Canvas().Overlays().Top()
		return top != nil && slices.Contains(labelTexts(top), "0 imported · 1 already in the store · 0 rejected")
	})
}

func TestImportCancel(t *testing.T) {
	src := t.TempDir()
	// Ingest reads at disk speed, so the files are large (uncompressed
	// video, ~100 MB each) and the cancel is pressed once the panel shows
	// the first file being copied.
	for i, n := range []string{"a.mkv", "b.mkv", "c.mkv"} {
		out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25",
			"-frames:v", strconv.Itoa(70+i), "-c:v", "rawvideo", "-pix_fmt", "yuv420p", filepath.Join(src, n)).CombinedOutput()
		if err != nil {
			t.Fatalf("ffmpeg: %v %s", err, out)
		}
	}
	lib, dir := newStore(t)
	lv, q, w := newTestView(t, lib)

	lv.startImport([]string{src})
	var cancelBtn *widget.Button
	q.until(t, "the progress panel copying the first file", func() bool {
		top := w.Canvas().Overlays().Top()
		if top == nil {
			return false
		}
		copying := false
		for _, o := range visibleObjects(top) {
			if b, ok := o.(*widget.Button); ok && b.Text == "Cancel" {
				cancelBtn = b
			}
			if l, ok := o.(*widget.Label); ok && l.Text == stageWords("encrypt") {
				copying = true
			}
		}
		return cancelBtn != nil && copying
	})
	test.Tap(cancelBtn)
	q.until(t, "the cancelled result", func() bool {
		top := w.Canvas().Overlays().Top()
		if top == nil {
			return false
		}
		for _, s := range labelTexts(top) {
			if strings.Contains(s, "nothing half-imported was kept") {
				return true
			}
		}
		return false
	})
	q.until(t, "the list", func() bool { return !lv.loading })
	if len(lv.recs) >= 3 {
		t.Errorf("all %d files imported despite cancel", len(lv.recs))
	}
	// Nothing half-written is left in the store.
	if left, _ := os.ReadDir(filepath.Join(dir, "vault", "pending")); len(left) > 0 {
		t.Errorf("cancelled import left %d pending files", len(left))
	}
}

func TestVerifyAllReportsIntact(t *testing.T) {
	lib := openSeeded(t)
	lv, q, w := newTestView(t, lib)
	lv.verifyAll()
	q.until(t, "the verify results", func() bool {
		top := w.Canvas().Overlays().Top()
		return top != nil && slices.Contains(labelTexts(top), "All 3 recordings are intact.")
	})
}

// segmentText is the text of rich text segments, lists and paragraphs included.
func segmentText(segs []widget.RichTextSegment) string {
	var b strings.Builder
	for _, s := range segs {
		switch s := s.(type) {
		case *widget.ListSegment:
			b.WriteString(segmentText(s.Items))
		case *widget.ParagraphSegment:
			b.WriteString(segmentText(s.Texts))
		default:
			b.WriteString(s.Textual())
		}
	}
	return b.String()
}

func TestDockFolderImportsNewFootage(t *testing.T) {
	lib, _ := newStore(t)
	lv, q, _ := newTestView(t, lib)
	dock := t.TempDir()

	lv.startWatching(dock)
	if got := lv.prefs.String(prefDockFolder); got != dock {
		t.Errorf("dock folder preference %q, want %q", got, dock)
	}
	if !strings.Contains(lv.dock.label.Text, dock) || !lv.dock.stopBtn.Visible() {
		t.Errorf("status bar says %q", lv.dock.label.Text)
	}

	// A camera docks: its folder appears, then a clip is copied in.
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	if err := media.WriteIndexedClip(context.Background(), clip, media.IndexedClipOptions{Frames: 25}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(clip)
	if err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dock, "X6001234", "DCIM", "100BWV")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	waitWatched(t, lv.dock.watcher, sub)
	if err := os.WriteFile(filepath.Join(sub, "X6001234_0001.MP4"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	q.until(t, "the dock import", func() bool { return len(lv.dock.last) == 1 })
	if r := lv.dock.last[0]; r.Status != app.Imported {
		t.Fatalf("dock import: %s %s", r.Status, r.Error)
	}
	if !strings.Contains(lv.dock.activity.Text, "1 imported") {
		t.Errorf("status bar says %q", lv.dock.activity.Text)
	}
	q.until(t, "the refreshed list", func() bool { return !lv.loading && len(lv.recs) == 1 })

	lv.stopWatching(true)
	if lv.prefs.String(prefDockFolder) != "" || lv.dock.stopBtn.Visible() {
		t.Error("stop watching left the folder remembered or the stop button shown")
	}
}
