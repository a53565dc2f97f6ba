package ui

import (
	"context"
	"encoding/json"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"exhibit/app"
	"exhibit/app/media"
	"exhibit/player"
)

// auditEntries reads the audit entries of the store in dir matching f,
// as the administrator.
func auditEntries(t *testing.T, dir, pass string, f app.AuditFilter) []app.AuditEntry {
	t.Helper()
	lib := openStoreAs(t, dir, pass, adminName)
	entries, err := lib.AuditEntries(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// markClipFrames is the length of the clips of markStore.
const markClipFrames = 60

// agedClip is a clip recorded a given time ago (negative: in the future).
type agedClip struct {
	name string
	age  time.Duration
}

// writeAgedClips writes small distinct clips with dock sidecars giving
// each its recorded-at, into a new folder.
func writeAgedClips(t *testing.T, clips []agedClip) string {
	t.Helper()
	ctx := context.Background()
	src := t.TempDir()
	for i, c := range clips {
		p := filepath.Join(src, c.name+".mp4")
		at := time.Now().Add(-c.age).UTC().Format(time.RFC3339)
		if err := media.WriteIndexedClip(ctx, p, media.IndexedClipOptions{Frames: markClipFrames + i, CreationTime: at}); err != nil {
			t.Fatal(err)
		}
		sc, _ := json.Marshal(map[string]any{"officer": "PC " + c.name, "device_serial": "X" + itoa(i), "recorded_at": at})
		if err := os.WriteFile(filepath.Join(src, c.name+".json"), sc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return src
}

// markStore makes a store of its own with the accounts of seedUsers and
// the given clips, signed in as the sergeant; ids are by clip name.
func markStore(t *testing.T, clips ...agedClip) (lib *app.Library, dir string, ids map[string]string) {
	t.Helper()
	ctx := context.Background()
	lib, dir = newStore(t)
	addUsers(t, lib, seedUsers)
	res, err := lib.Ingest(ctx, []string{writeAgedClips(t, clips)}, app.IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ids = map[string]string{}
	for _, r := range res {
		if r.Status != app.Imported {
			t.Fatalf("ingest %s: %s %s", r.File, r.Status, r.Error)
		}
		ids[strings.TrimSuffix(filepath.Base(r.File), ".mp4")] = r.ID
	}
	signIn(t, lib, "sgt")
	return lib, dir, ids
}

// newMarkReview shows the review screen of recording id over lib, with a
// fake engine of n frames standing in for the player.
func newMarkReview(t *testing.T, lib *app.Library, id string, n int) *reviewHarness {
	t.Helper()
	test.NewTempApp(t)
	eng := newFakeEngine(n)
	h := &reviewHarness{q: newUIQueue(), eng: eng}
	h.w = test.NewWindow(nil)
	h.w.Resize(fyne.NewSize(1400, 900))
	s := newReviewScreen(lib, h.w, id, nil, func() { h.backs++ })
	s.do = h.q.do
	s.mods = func() fyne.KeyModifier { return 0 }
	s.openMed = func(ctx context.Context) (*reviewMedia, error) {
		rec, err := lib.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		return &reviewMedia{rec: rec, src: player.Source{Name: "fake", Frames: fakeFrames(n)}, close: func() error { return nil }}, nil
	}
	s.openEng = func(player.Source, player.Options) (reviewEngine, error) { return eng, nil }
	h.s = s
	h.w.SetContent(s.content)
	s.start()
	t.Cleanup(func() {
		done := s.close()
		for {
			select {
			case <-done:
				h.w.Close()
				return
			case f := <-h.q:
				f()
			}
		}
	})
	h.q.until(t, "the review and its markers", func() bool { return s.count > 0 && s.side.loaded || s.failed })
	if s.failed {
		t.Fatalf("review failed: %s", s.message.Text)
	}
	return h
}

// goFrame shows frame n and waits for it.
func (h *reviewHarness) goFrame(t *testing.T, n int) {
	t.Helper()
	h.s.seekFrame(n)
	h.q.until(t, "frame "+itoa(n), func() bool { return h.s.cur == n && !h.s.nav.busy() })
}

// typeKeys types text as the keyboard does: to the focused widget, or to
// the screen's keys when nothing is focused.
func (h *reviewHarness) typeKeys(text string) {
	c := h.w.Canvas()
	for _, r := range text {
		if f := c.Focused(); f != nil {
			f.TypedRune(r)
		} else if hook := c.OnTypedRune(); hook != nil {
			hook(r)
		}
	}
}

// drained waits until every side-panel library call asked for so far has
// run, and the UI update each posted: a barrier, so a test can check that
// something did not happen (the queue runs in order).
func (h *reviewHarness) drained(t *testing.T) {
	t.Helper()
	var done atomic.Bool
	h.s.data.push(dataJob{run: func(context.Context) { h.s.do(func() { done.Store(true) }) }})
	h.q.until(t, "the side panel's work to drain", done.Load)
}

func (h *reviewHarness) markCount(t *testing.T, n int) {
	t.Helper()
	h.q.until(t, plural(n, "marker", "markers"), func() bool { return len(h.s.side.marks) == n })
}

func TestReviewMarkersByKeysAndList(t *testing.T) {
	lib, dir, ids := markStore(t, agedClip{"a", time.Hour})
	id := ids["a"]
	h := newMarkReview(t, lib, id, markClipFrames)
	s, p := h.s, h.s.side
	cats, err := lib.Categories(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	// M: a new point marker at the frame shown, on the timeline and in
	// the editor with the cursor in its note; stored with its note on
	// Enter, as one revision (not "edited").
	h.goFrame(t, 10)
	h.typeKeys("m")
	a := p.selected
	if !isNew(a) || a.FrameIn != 10 || a.FrameOut != 10 || a.Category != cats[0] || len(s.timeline.Marks()) != 1 {
		t.Fatalf("new marker %+v, timeline %d, want a %s point at 10", a, len(s.timeline.Marks()), cats[0])
	}
	if h.w.Canvas().Focused() != p.note {
		t.Fatal("the note of the new marker is not focused")
	}
	// Letters typed into the note are the note's, not keys (m, n, p, i, o).
	h.typeKeys("Man points knife at PC")
	h.drained(t)
	if len(p.marks) != 0 || s.cur != 10 || s.nav.busy() || !isNew(p.selected) {
		t.Fatalf("typing a note acted as keys: %d markers, frame %d", len(p.marks), s.cur)
	}
	p.note.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.markCount(t, 1)
	h.q.until(t, "the note saved", func() bool { return p.marks[0].Note == "Man points knife at PC" && p.selected == p.marks[0] })
	if p.marks[0].Revision != 1 || strings.Contains(markAuthor(p.marks[0]), "edited") {
		t.Errorf("the first note made a revision: %d, %q", p.marks[0].Revision, markAuthor(p.marks[0]))
	}
	if h.w.Canvas().Focused() != s.video {
		t.Error("Enter did not give the keys back to the video")
	}
	if got, _ := lib.Marks(context.Background(), id); len(got) != 1 || got[0].Note != "Man points knife at PC" || got[0].Revision != 1 {
		t.Errorf("stored marks %+v", got)
	}
	// Escape while changing a stored note drops the change: no revision.
	s.win.Canvas().Focus(p.note)
	h.typeKeys(" half typed")
	p.note.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	h.drained(t)
	if p.note.Text != "Man points knife at PC" || p.marks[0].Revision != 1 || h.w.Canvas().Focused() != s.video {
		t.Errorf("Escape kept the half-typed note: %q, revision %d", p.note.Text, p.marks[0].Revision)
	}

	// I and O: a range; O before I gives the range the right way round.
	h.goFrame(t, 20)
	h.typeKeys("i")
	if p.in != 20 || s.timeline.marks.pending != 20 {
		t.Errorf("in point %d, drawn %d", p.in, s.timeline.marks.pending)
	}
	h.goFrame(t, 30)
	h.typeKeys("o")
	// Escape on a new marker's note keeps a plain marker, no note.
	h.typeKeys("half")
	p.note.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	h.markCount(t, 2)
	if m := p.marks[1]; m.Note != "" || m.Revision != 1 || m.FrameIn != 20 || m.FrameOut != 30 {
		t.Errorf("range after Escape %+v", m)
	}
	h.drained(t)
	if p.count.Text != "2 markers" || p.msg.Visible() || len(s.timeline.Marks()) != 2 {
		t.Errorf("after Escape: count %q, message %q (shown %v), %d on the timeline", p.count.Text, p.msg.Text, p.msg.Visible(), len(s.timeline.Marks()))
	}
	h.goFrame(t, 45)
	h.typeKeys("I")
	h.goFrame(t, 40)
	h.typeKeys("O")
	if !strings.Contains(p.msg.Text, "Out was before in") {
		t.Errorf("message %q", p.msg.Text)
	}
	s.refocus() // leaving the note stores the new marker
	h.markCount(t, 3)
	var spans []string
	for _, a := range p.marks {
		spans = append(spans, markSpan(a))
	}
	if want := []string{"Frame 10", "Frames 20–30", "Frames 40–45"}; !slices.Equal(spans, want) {
		t.Errorf("markers %q, want %q", spans, want)
	}
	// O with no in point is refused in words.
	h.typeKeys("o")
	if !strings.HasPrefix(p.msg.Text, "Press I at the start") || len(p.marks) != 3 {
		t.Errorf("O without I: %q, %d markers", p.msg.Text, len(p.marks))
	}

	// The timeline draws them, in the category's colour.
	tm := s.timeline.Marks()
	if len(tm) != 3 || tm[1].In != 20 || tm[1].Out != 30 || tm[0].Color != color.Color(categoryPalette[0]) {
		t.Errorf("timeline marks %+v", tm)
	}

	// N and P go from marker to marker.
	h.goFrame(t, 0)
	for _, st := range []struct {
		key  string
		want int
	}{{"n", 10}, {"n", 20}, {"N", 40}, {"p", 20}, {"P", 10}} {
		h.typeKeys(st.key)
		h.q.until(t, st.key+" to "+itoa(st.want), func() bool { return s.cur == st.want && !s.nav.busy() })
	}
	h.typeKeys("p") // says so at once, on the UI goroutine, instead of seeking
	if s.cur != 10 || s.nav.busy() || p.msg.Text != "No marker before this frame." {
		t.Errorf("P before the first marker: frame %d, %q", s.cur, p.msg.Text)
	}

	// A click on a row goes to its marker; the editor shows it.
	p.list.Select(2)
	h.q.until(t, "the click's frame", func() bool { return s.cur == 40 && !s.nav.busy() })
	if p.selected != p.marks[2] || !p.editor.Visible() || h.w.Canvas().Focused() != s.video {
		t.Error("the clicked marker is not in the editor, or the video lost the keys")
	}
	// Its category changes at once.
	p.editCat.SetSelected(categoryTitle(cats[3]))
	h.q.until(t, "the new category", func() bool { return p.marks[2].Category == cats[3] && p.marks[2].Revision == 2 })
	if c := s.timeline.Marks()[2].Color; c != color.Color(categoryPalette[3]) {
		t.Errorf("timeline colour %v after the category change", c)
	}

	// Escape closes the confirmation as Cancel does.
	test.Tap(p.delBtn)
	if !s.modal {
		t.Fatal("no confirmation")
	}
	h.key(fyne.KeyEscape)
	if s.modal || h.w.Canvas().Overlays().Top() != nil || s.closed || len(p.marks) != 3 {
		t.Fatalf("Escape on the confirmation: modal %v closed %v marks %d", s.modal, s.closed, len(p.marks))
	}

	// Delete, after a confirmation.
	test.Tap(p.delBtn)
	test.Tap(overlayButton(t, h.w, "Delete"))
	h.markCount(t, 2)
	if got, _ := lib.Marks(context.Background(), id); len(got) != 2 {
		t.Errorf("%d stored marks after the deletion", len(got))
	}

	// Each change is in the audit trail.
	for _, e := range []struct{ action, detail string }{
		{"annotate.add", "frame 10, " + cats[0]},
		{"annotate.add", "frames 20-30, " + cats[0]},
		{"annotate.edit", "frames 40-45, " + cats[3]},
		{"annotate.delete", "deleted"},
	} {
		found := false
		for _, got := range auditEntries(t, dir, "x", app.AuditFilter{RecordingID: id, User: "sgt", Action: e.action}) {
			found = found || strings.HasSuffix(got.Detail, e.detail)
		}
		if !found {
			t.Errorf("no %s entry ending %q in the audit trail", e.action, e.detail)
		}
	}
}

func TestReviewNoteKeptWhenClosing(t *testing.T) {
	lib, _, ids := markStore(t, agedClip{"a", time.Hour})
	h := newMarkReview(t, lib, ids["a"], markClipFrames)
	h.q.until(t, "the panel", func() bool { return h.s.side.loaded })
	h.typeKeys("m")
	if !isNew(h.s.side.selected) {
		t.Fatal("M did not start a new marker")
	}
	h.typeKeys("half typed")
	// Leaving the screen while typing a new marker's note keeps the
	// marker and the note.
	<-func() <-chan struct{} {
		done := h.s.close()
		for {
			select {
			case <-done:
				return done
			case f := <-h.q:
				f()
			}
		}
	}()
	got, err := lib.Marks(context.Background(), ids["a"])
	if err != nil || len(got) != 1 || got[0].Note != "half typed" || got[0].Revision != 1 {
		t.Fatalf("marks after closing %+v, %v", got, err)
	}
}

func TestReviewMarkersReadOnlyForViewer(t *testing.T) {
	lib, _, ids := markStore(t, agedClip{"a", time.Hour})
	id := ids["a"]
	if _, err := lib.AddMark(context.Background(), id, app.MarkInput{FrameIn: 5, FrameOut: 9, Category: "arrest", Note: "cuffs"}); err != nil {
		t.Fatal(err)
	}
	signIn(t, lib, "viewer")
	h := newMarkReview(t, lib, id, markClipFrames)
	p := h.s.side
	if len(p.marks) != 1 || p.marks[0].Note != "cuffs" {
		t.Fatalf("viewer sees %+v", p.marks)
	}
	for _, b := range []string{"Mark (M)", "In (I)", "Out (O)", "Delete", "Record decision", "Place legal hold"} {
		if hasButton(h.w.Content(), b) {
			t.Errorf("viewer is offered %q", b)
		}
	}
	h.typeKeys("m")
	h.drained(t)
	if len(p.marks) != 1 {
		t.Error("M added a marker for a viewer")
	}
	// N still goes to the marker.
	h.typeKeys("n")
	h.q.until(t, "the marker", func() bool { return h.s.cur == 5 })
}

func TestReviewDecisionPanel(t *testing.T) {
	lib, dir, ids := markStore(t, agedClip{"a", 2 * 24 * time.Hour})
	id := ids["a"]
	h := newMarkReview(t, lib, id, markClipFrames)
	s := h.s
	w := &h.s.side.dec
	if w.current.Text != "Unreviewed" || !strings.HasPrefix(w.retention.Text, "Deleted automatically in 29 days") {
		t.Errorf("before a decision: %q, %q", w.current.Text, w.retention.Text)
	}

	// A reason is required.
	w.choice.SetSelected("Evidence")
	test.Tap(w.record)
	if w.msg.Text != "Give a reason: it is kept with the decision." {
		t.Errorf("no reason: %q", w.msg.Text)
	}
	test.Type(w.reason, "Assault on PC captured clearly")
	test.Tap(w.record)
	h.q.until(t, "the decision", func() bool { return w.current.Text == "Evidence" })
	if w.retention.Text != "Kept: evidence." || !strings.HasPrefix(w.currentBy.Text, "by sgt, ") ||
		!strings.HasSuffix(w.currentBy.Text, ": Assault on PC captured clearly") {
		t.Errorf("after the decision: %q / %q", w.currentBy.Text, w.retention.Text)
	}
	ds, err := lib.Decisions(context.Background(), id)
	if err != nil || len(ds) != 1 || ds[0].Decision != app.DecisionEvidence || ds[0].Reason != "Assault on PC captured clearly" || ds[0].Reviewer != "sgt" {
		t.Fatalf("stored decisions %+v, %v", ds, err)
	}
	if !auditHas(t, dir, "x", app.AuditFilter{RecordingID: id, User: "sgt", Action: "decide"}, "") {
		t.Error("no decide entry in the audit trail")
	}

	// A second decision: the history shows both, newest first.
	w.choice.SetSelected("No further action (NFA)")
	test.Type(w.reason, "Not needed after all")
	test.Tap(w.record)
	h.q.until(t, "the second decision", func() bool { return w.current.Text == "No further action (NFA)" })
	hist := labelTexts(w.history)
	if len(hist) != 4 || !strings.HasPrefix(hist[0], "No further action (NFA) — sgt, ") || !strings.HasPrefix(hist[2], "Evidence — sgt, ") {
		t.Errorf("history %q", hist)
	}

	// A legal hold needs a reason too, then keeps the recording.
	test.Tap(w.holdBtn)
	if w.holdMsg.Text != "Give a reason for the hold." {
		t.Errorf("hold without reason: %q", w.holdMsg.Text)
	}
	test.Type(w.holdReason, "Civil claim expected")
	test.Tap(w.holdBtn)
	h.q.until(t, "the hold", func() bool { return w.held })
	if w.retention.Text != "Held: kept until the legal hold is released." || w.holdBtn.Text != "Release hold" {
		t.Errorf("held: %q, button %q", w.retention.Text, w.holdBtn.Text)
	}
	r, err := lib.Get(context.Background(), id)
	if err != nil || !r.Held || app.DisplayStatus(r) != app.StatusHeld {
		t.Errorf("stored recording held %v (%v)", r != nil && r.Held, err)
	}
	// Releasing needs a reason, asks first, and says when the footage
	// would then be deleted; Escape and "Keep the hold" keep it.
	test.Tap(w.holdBtn)
	if w.holdMsg.Text != "Give a reason for the release." || s.modal {
		t.Errorf("release without reason: %q (dialog %v)", w.holdMsg.Text, s.modal)
	}
	test.Type(w.holdReason, "Claim settled")
	test.Tap(w.holdBtn)
	h.q.until(t, "the release confirmation", func() bool { return s.modal })
	top := h.w.Canvas().Overlays().Top()
	if !overlayHasText(top, "Once released, this recording will be deleted in ") || !overlayHasText(top, "Claim settled") {
		t.Errorf("the confirmation does not say when the footage would be deleted: %q", labelTexts(top))
	}
	h.key(fyne.KeyEscape)
	if s.modal || !w.held {
		t.Fatalf("Escape on the release confirmation: modal %v held %v", s.modal, w.held)
	}
	test.Tap(w.holdBtn)
	h.q.until(t, "the release confirmation", func() bool { return s.modal })
	test.Tap(overlayButton(t, h.w, "Release hold"))
	h.q.until(t, "the release", func() bool { return !w.held })
	if hs, err := lib.Holds(context.Background(), id); err != nil || len(hs) != 1 || hs[0].ReleaseReason != "Claim settled" {
		t.Errorf("stored holds %+v, %v", hs, err)
	}
	for _, a := range []string{"hold", "hold.release"} {
		if !auditHas(t, dir, "x", app.AuditFilter{RecordingID: id, User: "sgt", Action: a}, "") {
			t.Errorf("no %s entry in the audit trail", a)
		}
	}
}

func TestRetentionWords(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		r    app.Recording
		want string
	}{
		{app.Recording{Retention: string(app.RetentionDelete), DeleteAt: now.Add(12*24*time.Hour - time.Minute)}, "in 12 days"},
		{app.Recording{Retention: string(app.RetentionDelete), DeleteAt: now.Add(time.Hour)}, "in 1 day"},
		{app.Recording{Retention: string(app.RetentionDelete), DeleteAt: now.Add(-time.Hour)}, "due now"},
		{app.Recording{Status: app.StatusEvidence, Retention: string(app.RetentionKeptEvidence)}, "kept: evidence"},
		{app.Recording{Held: true, Retention: string(app.RetentionKeptHold)}, "kept: legal hold"},
		{app.Recording{Status: app.StatusReferred, Retention: string(app.RetentionKeptReferred)}, "kept: referred to PSD"},
		{app.Recording{Retention: string(app.RetentionClockFuture)}, "check clock"},
	} {
		if got := app.RecordingDeletionLabel(&c.r, now); got != c.want {
			t.Errorf("%+v: %q, want %q", c.r, got, c.want)
		}
	}
	for _, c := range []struct {
		it   app.RetentionItem
		want string
	}{
		{app.RetentionItem{Outcome: app.RetentionKeptReferred, Status: app.StatusReferred}, "Kept: referred to professional standards, until they record another decision."},
		{app.RetentionItem{Outcome: app.RetentionKeptEvidence}, "Kept: evidence."},
		{app.RetentionItem{Outcome: app.RetentionClockImplausible}, "Not deleted automatically: the recording time cannot be trusted (before 2005: camera clock not set?). Ask an administrator to check it."},
		{app.RetentionItem{Outcome: app.RetentionDelete, DeleteAt: now.Add(-time.Hour), Rule: "nfa: 31 days after recorded-at"}, "Due for deletion now (nfa: 31 days after recorded-at): the next retention sweep deletes it."},
	} {
		if got := retentionWords(c.it, now); got != c.want {
			t.Errorf("%s: %q, want %q", c.it.Outcome, got, c.want)
		}
	}
	for s, want := range map[string]string{"unreviewed": "Unreviewed", "nfa": "NFA", "held": "Held", "referred": "Referred"} {
		if got := displayStatusLabel(s); got != want {
			t.Errorf("%s: %q", s, got)
		}
	}
}

func TestLibraryDeletionColumnAndBanner(t *testing.T) {
	day := 24 * time.Hour
	lib, _, ids := markStore(t, agedClip{"old", 40 * day}, agedClip{"aging", 25 * day}, agedClip{"kept", 35 * day},
		agedClip{"fresh", day}, agedClip{"future", -3 * day})
	ctx := context.Background()
	if _, err := lib.Decide(ctx, ids["kept"], app.DecisionEvidence, "needed at court"); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Hold(ctx, ids["fresh"], "civil claim"); err != nil {
		t.Fatal(err)
	}
	lv, q, w := newTestView(t, lib)
	q.until(t, "the banner", func() bool { return lv.banner.Visible() && lv.clockNote.Visible() })

	cell := func(id, col int) string {
		return columns[col].text(lv.recs[id])
	}
	want := map[string][2]string{
		ids["old"]:    {"Unreviewed", "due now"},
		ids["aging"]:  {"Unreviewed", "in 6 days"},
		ids["kept"]:   {"Evidence", "kept: evidence"},
		ids["fresh"]:  {"Held", "kept: legal hold"},
		ids["future"]: {"Unreviewed", "check clock"},
	}
	for i, r := range lv.recs {
		if got := [2]string{cell(i, colStatus), cell(i, colDeletion)}; got != want[r.ID] {
			t.Errorf("%s: status and deletion %q, want %q", r.Personal.Officer, got, want[r.ID])
		}
	}
	texts := labelTexts(w.Content())
	for _, s := range []string{"Deletion", "due now", "in 6 days", "check clock", "Held"} {
		if !slices.Contains(texts, s) && !hasButton(w.Content(), s) {
			t.Errorf("%q not on screen", s)
		}
	}
	if got := lv.bannerLbl.Text; !strings.HasPrefix(got, "2 recordings will be deleted within 7 days (1 is due now).") {
		t.Errorf("banner %q", got)
	}
	if got := lv.clockNote.Text; !strings.HasPrefix(got, "1 recording has a recording time that cannot be trusted") {
		t.Errorf("clock note %q", got)
	}

	// The banner's button shows only those, and all again.
	test.Tap(lv.bannerBtn)
	if len(lv.recs) != 2 || lv.count.Text != "2 recordings" || lv.bannerBtn.Text != "Show all" {
		t.Errorf("due only: %d rows, %q, button %q", len(lv.recs), lv.count.Text, lv.bannerBtn.Text)
	}
	test.Tap(lv.bannerBtn)
	if len(lv.recs) != 5 {
		t.Errorf("all again: %d rows", len(lv.recs))
	}

	// The status filter offers every status, held included.
	if want := []string{anyStatus, "Unreviewed", "Evidence", "Policing", "NFA", "Referred", "Held", "Due within 7 days"}; !slices.Equal(lv.status.Options, want) {
		t.Errorf("status filter offers %q", lv.status.Options)
	}
	lv.status.SetSelected("Held")
	q.until(t, "the held recordings", func() bool { return !lv.loading && len(lv.recs) == 1 })
	if lv.recs[0].ID != ids["fresh"] {
		t.Errorf("held filter lists %s", lv.recs[0].ID)
	}

	// A decision made elsewhere shows after a reload: the banner counts one fewer.
	if _, err := lib.Decide(ctx, ids["aging"], app.DecisionPolicing, "intelligence"); err != nil {
		t.Fatal(err)
	}
	lv.status.SetSelected(anyStatus)
	q.until(t, "the new banner", func() bool {
		return !lv.loading && strings.HasPrefix(lv.bannerLbl.Text, "1 recording will be deleted within 7 days (1 is due now).")
	})
}

// TestLibraryShowsReferredKept: footage referred to professional standards
// is past its period but kept; the library says why, in the Deletion
// column and the detail pane, and counts it in no deletion warning.
func TestLibraryShowsReferredKept(t *testing.T) {
	day := 24 * time.Hour
	lib, _, ids := markStore(t, agedClip{"referred", 40 * day})
	ctx := context.Background()
	if _, err := lib.Decide(ctx, ids["referred"], app.DecisionReferPSD, "complaint about the officer"); err != nil {
		t.Fatal(err)
	}
	signIn(t, lib, "psd")
	lv, q, _ := newTestView(t, lib)
	if len(lv.recs) != 1 {
		t.Fatalf("psd lists %d recordings", len(lv.recs))
	}
	if got := columns[colDeletion].text(lv.recs[0]); got != "kept: referred to PSD" {
		t.Errorf("deletion column %q", got)
	}
	lv.selectRow(0)
	q.until(t, "the detail pane", func() bool {
		return strings.HasPrefix(lv.detail.values["Deletion"].Text, "Kept: referred to professional standards")
	})
	q.until(t, "the retention plan", func() bool { return lv.soonIDs != nil })
	if lv.banner.Visible() {
		t.Errorf("banner shown for a referred recording: %q", lv.bannerLbl.Text)
	}
}

func TestRetentionSweepOnSignIn(t *testing.T) {
	day := 24 * time.Hour
	lib, dir, ids := markStore(t, agedClip{"old", 40 * day}, agedClip{"aging", 25 * day})
	lib.Close()
	s, q, _ := newTestSession(t, Options{StoreDir: dir, NoKeyring: true, Passphrase: []byte("x"),
		User: "sgt", Password: []byte(userPassword("sgt"))})
	s.retentionEvery = 200 * time.Millisecond
	q.until(t, "the sweep at sign-in", func() bool {
		return s.view != nil && strings.HasPrefix(s.view.sweepLbl.Text, "Retention: deleted 1 recording at ")
	})
	q.until(t, "the list without it", func() bool { return !s.view.loading && len(s.view.recs) == 1 })
	if s.view.recs[0].ID != ids["aging"] {
		t.Errorf("left %s, want %s", s.view.recs[0].ID, ids["aging"])
	}
	// Later sweeps (here every 200 ms) find nothing more.
	q.until(t, "a later sweep", func() bool { return strings.HasPrefix(s.view.sweepLbl.Text, "Retention: nothing due at ") })
	if es := auditEntries(t, dir, "x", app.AuditFilter{Action: "retention.delete"}); len(es) != 1 || es[0].RecordingID != ids["old"] {
		t.Errorf("retention.delete entries %+v", es)
	}
	// Signing out stops it.
	loop := s.retention
	test.Tap(findButton(t, s.shown(), "Sign out"))
	q.until(t, "the sign-in screen", func() bool { return s.signin != nil })
	select {
	case <-loop.done:
	default:
		t.Error("the retention loop still runs after sign-out")
	}
	if s.retention != nil {
		t.Error("the session still has a retention loop")
	}
}

// `exhibit review ID` on a recording the sign-in sweep deletes says so,
// whether the sweep ends before the review opens or after.
func TestReviewOfRecordingDeletedAtSignIn(t *testing.T) {
	day := 24 * time.Hour
	lib, dir, ids := markStore(t, agedClip{"old", 40 * day}, agedClip{"aging", 25 * day})
	lib.Close()
	s, q, w := newTestSession(t, Options{StoreDir: dir, NoKeyring: true, Passphrase: []byte("x"),
		User: "sgt", Password: []byte(userPassword("sgt")), ReviewID: strings.ToLower(ids["old"][:6])})
	s.retentionEvery = time.Hour
	said := ""
	defer func() {
		if said == "" && s.review != nil {
			t.Logf("review failed %v: %q; view %v", s.review.failed, s.review.message.Text, s.view != nil)
		} else if said == "" {
			t.Logf("no review; top %v", w.Canvas().Overlays().Top() != nil)
		}
	}()
	q.until(t, "a word about the deleted recording", func() bool {
		if top := w.Canvas().Overlays().Top(); top != nil {
			for _, l := range labelTexts(top) {
				if strings.Contains(l, "Recording "+ids["old"]+" was deleted by the retention check") {
					said = l
				}
			}
		}
		if r := s.review; r != nil && r.failed && strings.HasPrefix(r.message.Text, "Recording "+ids["old"]+" was deleted on ") {
			said = r.message.Text
		}
		return said != ""
	})
	t.Log(said)
}
