package ui

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// libraryAPI is what the library view needs from the application core;
// *app.Library provides it.
type libraryAPI interface {
	List(ctx context.Context, f app.Filter, key app.SortKey, ascending bool) ([]*app.Recording, error)
	Get(ctx context.Context, id string) (*app.Recording, error)
	Thumbnail(ctx context.Context, id string) ([]byte, error)
	Ingest(ctx context.Context, paths []string, opt app.IngestOptions) ([]app.IngestResult, error)
	Verify(ctx context.Context, ids []string, progress func(id string, i, n int)) (*app.VerifyReport, error)
	ResolveVerifyReference(ctx context.Context, ref string) (*app.VerifyReference, error)
	Can(p app.Permission) bool
	Restrict(ctx context.Context, id string, restricted bool) (string, error)
	RetentionPlan(ctx context.Context) (*app.RetentionPlan, error)
	HoldEach(ctx context.Context, ids []string, reason string) []app.BulkResult
	DecideEach(ctx context.Context, ids []string, decision, reason string) []app.BulkResult
	Clips(ctx context.Context, recordingID string) ([]*app.Derivative, error)
}

var _ libraryAPI = (*app.Library)(nil)

// Choices of the status and date filters.
const (
	anyStatus  = "Any status"
	anyDate    = "Any date"
	today      = "Today"
	last7Days  = "Last 7 days"
	last31Days = "Last 31 days"
	customDate = "Custom dates"
)

// Preference keys.
const (
	prefDockFolder = "dock.folder"
	prefImportDir  = "import.lastDir"
)

// libraryView is the main screen: toolbar, filters, the recordings table,
// the detail pane and a status bar. All its fields are touched only on the
// UI goroutine, except those noted.
type libraryView struct {
	lib   libraryAPI
	win   fyne.Window
	log   *slog.Logger
	prefs fyne.Preferences
	// do runs a function on the UI goroutine (fyne.Do; tests pump a queue).
	do func(func())
	// now is the clock for the quick date ranges.
	now func() time.Time
	// touch reports keyboard activity to the idle lock.
	touch func()
	// mods says which modifier keys are held (the desktop driver; tests
	// set it).
	mods func() fyne.KeyModifier
	// bulk is the multi-selection and its actions.
	bulk bulkState
	// What the signed-in user may do, fixed when the view is made (a view
	// lives for one sign-in).
	canIngest, canVerify, canRestrict bool
	// refDialog is the open "Find a verify reference" dialog, if any.
	refDialog *verifyRefDialog

	// exportBtn is Export… (the selected recording; roles that may export).
	exportBtn *widget.Button

	ctx    context.Context // cancelled by close
	cancel context.CancelFunc
	wg     sync.WaitGroup // background work that uses lib
	jobs   chan struct{}  // holds a token while an import or verify runs

	recs      []*app.Recording // the rows shown
	listed    []*app.Recording // what the last List returned
	loading   bool
	loaded    bool // a list has come back at least once
	loadGen   int
	sortKey   app.SortKey
	ascending bool
	selected  string
	statuses  []string // raw statuses offered by the status filter
	// Retention warning: the plan last read, the ids it says go within
	// the warning period, and whether only those are shown.
	planGen   int
	soonIDs   map[string]bool
	dueOnly   bool
	banner    fyne.CanvasObject
	bannerLbl *widget.Label
	bannerBtn *widget.Button
	clockNote *widget.Label
	sweepLbl  *widget.Label
	thumbs    *thumbCache
	// full holds complete recordings (List returns summaries) by id.
	full     map[string]*app.Recording
	clips    map[string][]*app.Derivative // by recording id, read with full
	fetching map[string]bool

	searchTimer *time.Timer
	syncing     bool // filter widgets being set by code, not the user
	// openOnLoad opens the selected recording once the list on its way is
	// shown (Enter pressed while a filter was being applied).
	openOnLoad bool
	// filterLoading: the list on its way is for changed filters.
	filterLoading bool

	content   fyne.CanvasObject
	table     *recordTable
	detail    *detailPane
	search    *searchEntry
	status    *widget.Select
	dates     *widget.Select
	from, to  *widget.Entry
	count     *widget.Label
	message   *widget.Label
	split     *container.Split
	empty     fyne.CanvasObject
	noMatch   fyne.CanvasObject
	importBtn *widget.Button
	folderBtn *widget.Button
	watchBtn  *widget.Button
	verifyBtn *widget.Button
	// accountSlot holds the session's account controls (right of the toolbar).
	accountSlot *fyne.Container

	dock dockState

	// onReview opens a recording's review screen (set by the session).
	onReview func(id string)
	// onAudit shows the audit trail of a recording (set by the session).
	onAudit func(id string)
}

// newLibraryView builds the library screen over lib. Nothing runs until
// start is called; set do (and prefs) before that when testing.
func newLibraryView(lib libraryAPI, win fyne.Window, log *slog.Logger) *libraryView {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	lv := &libraryView{
		lib: lib, win: win, log: log, do: fyne.Do, now: time.Now, touch: func() {}, mods: currentModifiers,
		canIngest: lib.Can(app.PermIngest), canVerify: lib.Can(app.PermVerify), canRestrict: lib.Can(app.PermRestricted),
		ctx: ctx, cancel: cancel, jobs: make(chan struct{}, 1),
		sortKey: app.SortRecordedAt, statuses: listStatuses,
		full: map[string]*app.Recording{}, clips: map[string][]*app.Derivative{}, fetching: map[string]bool{},
	}
	if a := fyne.CurrentApp(); a != nil {
		lv.prefs = a.Preferences()
	}
	lv.build()
	return lv
}

func (lv *libraryView) build() {
	lv.thumbs = newThumbCache(lv.ctx, lv.lib.Thumbnail, func(f func()) { lv.do(f) }, lv.log, lv.thumbsChanged)
	lv.table = newRecordTable(lv)
	lv.detail = newDetailPane(lv.flash)
	lv.detail.onReview = lv.review
	lv.detail.onAudit = lv.showAudit
	if lv.canRestrict {
		lv.detail.onRestrict = lv.confirmRestrict
	}

	lv.importBtn = widget.NewButtonWithIcon("Import files…", theme.FileVideoIcon(), lv.chooseImportFile)
	lv.importBtn.Importance = widget.HighImportance
	lv.folderBtn = widget.NewButtonWithIcon("Import folder…", theme.FolderOpenIcon(), lv.chooseImportFolder)
	lv.watchBtn = widget.NewButtonWithIcon("Watch dock folder…", theme.VisibilityIcon(), lv.chooseDockFolder)
	lv.verifyBtn = widget.NewButtonWithIcon("Verify all", theme.ConfirmIcon(), lv.verifyAll)
	// Actions the signed-in role may not take are not offered.
	var tools []fyne.CanvasObject
	if lv.canIngest {
		tools = append(tools, lv.importBtn, lv.folderBtn, lv.watchBtn)
	}
	if lv.canVerify {
		if len(tools) > 0 {
			tools = append(tools, widget.NewSeparator())
		}
		tools = append(tools, lv.verifyBtn)
	}
	if _, ok := lv.lib.(exportAPI); ok && lv.lib.Can(app.PermExport) {
		lv.exportBtn = widget.NewButtonWithIcon("Export…", theme.DocumentSaveIcon(), lv.exportSelected)
		if len(tools) > 0 {
			tools = append(tools, widget.NewSeparator())
		}
		tools = append(tools, lv.exportBtn)
	}
	lv.accountSlot = container.NewHBox()
	toolbar := container.NewBorder(nil, nil, container.NewHBox(tools...), lv.accountSlot)

	lv.search = newSearchEntry(lv)
	lv.search.SetPlaceHolder("Search officer, device, id or file name")
	lv.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	lv.search.OnChanged = func(string) { lv.filtersChanged(searchDelay) }

	lv.status = widget.NewSelect(nil, func(string) { lv.filtersChanged(0) })
	lv.setStatusOptions()

	lv.from = newDateEntry(lv.datesEdited)
	lv.to = newDateEntry(lv.datesEdited)
	lv.dates = widget.NewSelect([]string{anyDate, today, last7Days, last31Days, customDate}, lv.quickRange)
	lv.syncing = true
	lv.dates.SetSelected(anyDate)
	lv.syncing = false
	clear := widget.NewButtonWithIcon("Clear", theme.ContentClearIcon(), func() {
		lv.clearFilters()
		lv.focusSearch() // so Enter, the arrows and typing work on
	})
	clear.Importance = widget.LowImportance

	lv.count = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	// Room for the date, the entry's padding and its validation mark.
	dateW := fyne.MeasureText("DD/MM/YYYY", theme.TextSize(), fyne.TextStyle{}).Width +
		4*theme.InnerPadding() + theme.IconInlineSize() + 2*theme.Padding()
	fixed := func(o fyne.CanvasObject, w float32) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
	}
	filters := container.NewBorder(nil, nil, nil,
		container.NewHBox(
			fixed(lv.status, 150),
			widget.NewLabel("Recorded"), fixed(lv.dates, 150),
			fixed(lv.from, dateW), widget.NewLabel("to"), fixed(lv.to, dateW),
			clear, fixed(lv.count, 110)),
		// The search box keeps room for its words at the narrowest window.
		container.New(minWidth(searchMinWidth()), lv.search))

	lv.message = widget.NewLabel("")
	lv.message.Importance = widget.DangerImportance
	lv.message.Wrapping = fyne.TextWrapWord
	lv.message.Hide()

	lv.split = container.NewHSplit(lv.table, lv.detail.root)
	// At 1366×768 the table keeps every column up to Marks in sight.
	lv.split.Offset = 0.72
	lv.empty = lv.emptyState()
	lv.noMatch = container.NewCenter(container.NewVBox(
		widget.NewLabelWithStyle("No recordings match these filters.", fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		container.NewCenter(widget.NewButtonWithIcon("Clear filters", theme.ContentClearIcon(), lv.clearFilters)),
	))
	lv.empty.Hide()
	lv.noMatch.Hide()

	lv.bannerLbl = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	lv.bannerLbl.Importance = widget.WarningImportance
	lv.bannerLbl.Wrapping = fyne.TextWrapWord
	lv.bannerBtn = widget.NewButtonWithIcon("Show them", theme.VisibilityIcon(), lv.toggleDueOnly)
	lv.banner = container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), lv.bannerBtn, lv.bannerLbl)
	lv.banner.Hide()
	lv.clockNote = widget.NewLabel("")
	lv.clockNote.Wrapping = fyne.TextWrapWord
	lv.clockNote.Importance = widget.WarningImportance
	lv.clockNote.Hide()
	lv.sweepLbl = widget.NewLabel("")

	top := container.NewVBox(toolbar, filters, lv.message, lv.banner, lv.clockNote, lv.buildBulk())
	lv.content = container.NewBorder(top, lv.dock.build(lv), nil, nil,
		container.NewStack(lv.split, lv.empty, lv.noMatch))
}

func newDateEntry(changed func()) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder("DD/MM/YYYY")
	e.Validator = func(s string) error { _, err := app.ParseDay(s); return err }
	e.OnChanged = func(string) { changed() }
	return e
}

// emptyState explains how footage gets in when the store holds none.
func (lv *libraryView) emptyState() fyne.CanvasObject {
	if !lv.canIngest {
		text := widget.NewRichTextFromMarkdown("## No recordings yet\n\n" +
			"There is no footage in this store that you may see. Footage is imported by reviewers and administrators.")
		text.Wrapping = fyne.TextWrapWord
		return container.NewCenter(container.NewGridWrap(fyne.NewSize(640, text.MinSize().Height+80), text))
	}
	text := widget.NewRichTextFromMarkdown(`## No recordings yet

Footage gets into Exhibit in three ways:

- **Import files…** or **Import folder…** above copies footage from a camera, a card or a folder into the encrypted store. You can also drop files or folders onto this window.
- **Watch dock folder…** imports new footage from a docking station's folder on its own, as cameras are docked.
- To try Exhibit without a camera, run ` + "`exhibit testmedia DIR`" + ` in a terminal, then import that folder.

The original file is never changed: Exhibit keeps a verified, encrypted copy and its SHA-256.`)
	text.Wrapping = fyne.TextWrapWord
	buttons := container.NewHBox(
		widget.NewButtonWithIcon("Import folder…", theme.FolderOpenIcon(), lv.chooseImportFolder),
		widget.NewButtonWithIcon("Watch dock folder…", theme.VisibilityIcon(), lv.chooseDockFolder),
	)
	box := container.NewVBox(text, container.NewCenter(buttons))
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(640, box.MinSize().Height+80), box))
}

// start loads the list and resumes watching the dock folder.
func (lv *libraryView) start() {
	lv.hookKeys()
	lv.reload()
	if lv.canIngest {
		lv.resumeDock()
	}
}

// close stops background work and waits for it; the library can be closed
// afterwards.
func (lv *libraryView) close() { <-lv.shutdown() }

// shutdown stops background work without waiting: the returned channel is
// closed once all of it has ended (imports and the dock worker included).
func (lv *libraryView) shutdown() <-chan struct{} {
	lv.cancel()
	lv.unhookKeys()
	dockDone := lv.dock.stopAsync()
	if lv.searchTimer != nil {
		lv.searchTimer.Stop()
	}
	done := make(chan struct{})
	go func() {
		<-dockDone
		lv.wg.Wait()
		close(done)
	}()
	return done
}

// review opens the review screen of recording id.
func (lv *libraryView) review(id string) {
	if id != "" && lv.onReview != nil {
		lv.onReview(id)
	}
}

// reviewSelected opens the review screen of the selected recording.
func (lv *libraryView) reviewSelected() { lv.review(lv.selected) }

// focusTable gives the keyboard focus back to the recordings table.
func (lv *libraryView) focusTable() {
	lv.hookKeys()
	if c := lv.win.Canvas(); c != nil {
		c.Focus(lv.table)
	}
}

// flash shows a short message in the status bar.
func (lv *libraryView) flash(msg string) { lv.dock.note(msg) }

// go runs f in the background, tracked for close.
func (lv *libraryView) goBackground(f func()) {
	lv.wg.Add(1)
	go func() {
		defer lv.wg.Done()
		f()
	}()
}

// filter reads the filter widgets. ok is false when a date is unreadable.
func (lv *libraryView) filter() (f app.Filter, ok bool) {
	f.Text = strings.TrimSpace(lv.search.Text)
	if i := lv.status.SelectedIndex(); i > 0 && i <= len(lv.statuses) {
		f.Status = lv.statuses[i-1]
	}
	from, err1 := app.ParseDay(lv.from.Text)
	to, err2 := app.ParseDayEnd(lv.to.Text) // the To day is included
	if err1 != nil || err2 != nil {
		return f, false
	}
	f.From, f.To = from, to
	return f, true
}

func (lv *libraryView) filtering() bool {
	f, _ := lv.filter()
	return f.Text != "" || f.Status != "" || lv.from.Text != "" || lv.to.Text != "" || lv.dueOnly
}

func (lv *libraryView) setStatusOptions() {
	opts := []string{anyStatus}
	for _, s := range lv.statuses {
		opts = append(opts, displayStatusLabel(s))
	}
	sel := lv.status.Selected
	lv.syncing = true
	lv.status.SetOptions(opts)
	if sel == "" || !slices.Contains(opts, sel) {
		sel = anyStatus
	}
	lv.status.SetSelected(sel)
	lv.syncing = false
}

// filtersChanged reloads after delay (typing) or at once.
func (lv *libraryView) filtersChanged(delay time.Duration) {
	if lv.syncing {
		return
	}
	if lv.searchTimer != nil {
		lv.searchTimer.Stop()
		lv.searchTimer = nil
	}
	if delay <= 0 {
		lv.filterLoading = true
		lv.reload()
		return
	}
	var timer *time.Timer
	timer = time.AfterFunc(delay, func() {
		lv.do(func() {
			if lv.searchTimer != timer {
				return // stopped or replaced meanwhile
			}
			lv.searchTimer = nil
			lv.filterLoading = true
			lv.reload()
		})
	})
	lv.searchTimer = timer
}

// quickRange fills the date entries from a quick choice.
func (lv *libraryView) quickRange(choice string) {
	if lv.syncing {
		return
	}
	day := startOfDay(lv.now())
	var from, to string
	switch choice {
	case anyDate:
	case today:
		from, to = app.FormatDay(day), app.FormatDay(day)
	case last7Days:
		from, to = app.FormatDay(day.AddDate(0, 0, -6)), app.FormatDay(day)
	case last31Days:
		from, to = app.FormatDay(day.AddDate(0, 0, -30)), app.FormatDay(day)
	default:
		return // custom: the entries say
	}
	lv.syncing = true
	lv.from.SetText(from)
	lv.to.SetText(to)
	lv.syncing = false
	lv.filtersChanged(0)
}

// datesEdited marks the range custom and reloads once both dates read.
func (lv *libraryView) datesEdited() {
	if lv.syncing {
		return
	}
	lv.syncing = true
	if lv.from.Text == "" && lv.to.Text == "" {
		lv.dates.SetSelected(anyDate)
	} else {
		lv.dates.SetSelected(customDate)
	}
	lv.syncing = false
	if _, ok := lv.filter(); ok {
		lv.dateProblem("")
		lv.filtersChanged(searchDelay)
		return
	}
	// Say why the list does not change, rather than ignore the date.
	for _, e := range []*widget.Entry{lv.from, lv.to} {
		if _, err := app.ParseDay(e.Text); err != nil {
			lv.dateProblem("The list is not filtered by date: " + err.Error() + ".")
			return
		}
	}
}

// dateProblem shows (or, with "", clears) why a typed date is not used.
func (lv *libraryView) dateProblem(msg string) {
	if msg == "" {
		if lv.message.Visible() && strings.HasPrefix(lv.message.Text, "The list is not filtered by date") {
			lv.message.Hide()
		}
		return
	}
	lv.message.SetText(msg)
	lv.message.Show()
}

func (lv *libraryView) clearFilters() {
	lv.syncing = true
	lv.search.SetText("")
	lv.status.SetSelected(anyStatus)
	lv.dates.SetSelected(anyDate)
	lv.from.SetText("")
	lv.to.SetText("")
	lv.syncing = false
	lv.dateProblem("")
	lv.setDueOnly(false)
	lv.filtersChanged(0)
}

// sortByColumn sorts by a column; a second click reverses the order.
func (lv *libraryView) sortByColumn(col int) {
	key := columns[col].key
	if key == "" {
		return
	}
	if key == lv.sortKey {
		lv.ascending = !lv.ascending
	} else {
		// Newest or longest first; names and ids A to Z.
		// Deletion: the most urgent first; markers: the most first.
		lv.sortKey, lv.ascending = key, key != app.SortRecordedAt && key != app.SortDuration && key != app.SortMarks
	}
	lv.reload()
}

// reload lists the recordings again, off the UI goroutine. A later reload
// supersedes an earlier one still running.
func (lv *libraryView) reload() {
	f, ok := lv.filter()
	if !ok {
		return
	}
	lv.loadGen++
	gen, key, asc := lv.loadGen, lv.sortKey, lv.ascending
	lv.loading = true
	lv.goBackground(func() {
		recs, err := lv.lib.List(lv.ctx, f, key, asc)
		if lv.ctx.Err() != nil {
			return
		}
		lv.do(func() { lv.loadedList(gen, recs, err) })
	})
	lv.loadPlan()
}

// loadPlan reads what retention will delete soon, off the UI goroutine,
// for the warning banner.
func (lv *libraryView) loadPlan() {
	lv.planGen++
	gen := lv.planGen
	lv.goBackground(func() {
		plan, err := lv.lib.RetentionPlan(lv.ctx)
		if lv.ctx.Err() != nil {
			return
		}
		lv.do(func() { lv.loadedPlan(gen, plan, err) })
	})
}

// loadedPlan shows the retention warning banner and the clock note.
func (lv *libraryView) loadedPlan(gen int, plan *app.RetentionPlan, err error) {
	if gen != lv.planGen {
		return
	}
	if err != nil {
		lv.log.Warn("retention plan", "error", err)
		return
	}
	ids := map[string]bool{}
	for _, it := range append(append([]app.RetentionItem(nil), plan.Due...), plan.Soon...) {
		ids[it.ID] = true
	}
	lv.soonIDs = ids
	if n := len(ids); n > 0 {
		text := plural(n, "recording", "recordings") + " will be deleted " + app.RetentionWarningWords()
		if d := len(plan.Due); d > 0 {
			text += " (" + plural(d, "is", "are") + " due now)"
		}
		lv.bannerLbl.SetText(text + ". Record a decision, or place a legal hold, on any that must be kept.")
		lv.banner.Show()
	} else {
		lv.banner.Hide()
		if lv.dueOnly {
			lv.setDueOnly(false)
		}
	}
	if n := len(plan.Clock); n > 0 {
		them := "them"
		if n == 1 {
			them = "it"
		}
		lv.clockNote.SetText(plural(n, "recording has", "recordings have") + " a recording time that cannot be trusted " +
			"(a camera clock in the future, or never set). Retention will not delete " + them +
			" until an administrator checks " + them + "; the Deletion column says “check clock”.")
		lv.clockNote.Show()
	} else {
		lv.clockNote.Hide()
	}
	if lv.dueOnly {
		lv.showList()
	}
}

// toggleDueOnly shows only the recordings due within 7 days, or all again.
func (lv *libraryView) toggleDueOnly() {
	lv.setDueOnly(!lv.dueOnly)
	lv.showList()
}

func (lv *libraryView) setDueOnly(on bool) {
	lv.dueOnly = on
	if on {
		lv.bannerBtn.SetText("Show all")
		lv.bannerBtn.SetIcon(theme.ListIcon())
	} else {
		lv.bannerBtn.SetText("Show them")
		lv.bannerBtn.SetIcon(theme.VisibilityIcon())
	}
}

// swept reports a retention sweep in the status bar and lists again.
func (lv *libraryView) swept(msg string) {
	lv.sweepLbl.SetText(msg)
	lv.reload()
}

func (lv *libraryView) loadedList(gen int, recs []*app.Recording, err error) {
	if gen != lv.loadGen {
		return // a newer reload is on its way
	}
	lv.loading, lv.filterLoading = false, false
	if err != nil {
		lv.log.Error("list recordings", "error", err)
		lv.message.SetText("Could not list the recordings: " + app.UserMessage(err))
		lv.message.Show()
		return
	}
	lv.message.Hide()
	lv.loaded = true
	lv.listed = recs
	clear(lv.full) // a status may have changed
	clear(lv.clips)
	lv.showList()
	lv.log.Debug("library listed", "recordings", len(recs))
	if lv.openOnLoad {
		lv.openOnLoad = false
		lv.reviewSelected()
	}
}

// showList shows what the last List returned, only the recordings due
// within 7 days when those are asked for.
func (lv *libraryView) showList() {
	recs := lv.listed
	if lv.dueOnly {
		recs = nil
		for _, r := range lv.listed {
			if lv.soonIDs[r.ID] {
				recs = append(recs, r)
			}
		}
	}
	lv.recs = recs
	lv.count.SetText(plural(len(recs), "recording", "recordings"))
	switch {
	case len(recs) == 0 && lv.filtering():
		lv.split.Hide()
		lv.empty.Hide()
		lv.noMatch.Show()
	case len(recs) == 0:
		lv.split.Hide()
		lv.noMatch.Hide()
		lv.empty.Show()
	default:
		lv.empty.Hide()
		lv.noMatch.Hide()
		lv.split.Show()
	}
	lv.table.fitColumns(recs)
	lv.table.Refresh()
	// Keep the selection when the recording is still listed; else take
	// the first row, so the detail pane is never stale.
	row := lv.rowOf(lv.selected)
	if row < 0 && len(recs) > 0 {
		row = 0
	}
	lv.selectRow(row)
	lv.bulkChanged() // rows no longer listed leave the selection's count
}

func (lv *libraryView) rowOf(id string) int {
	if id == "" {
		return -1
	}
	for i, r := range lv.recs {
		if r.ID == id {
			return i
		}
	}
	return -1
}

// selectRow selects a row (-1: none) and shows it in the detail pane.
func (lv *libraryView) selectRow(row int) {
	if row < 0 || row >= len(lv.recs) {
		lv.selected = ""
		lv.detail.show(nil, nil, true)
		lv.table.Refresh()
		return
	}
	r := lv.recs[row]
	changed := r.ID != lv.selected
	lv.selected = r.ID
	lv.showDetail(r.ID)
	if changed {
		lv.table.Refresh()
		lv.table.ScrollTo(widget.TableCellID{Row: row, Col: colRecorded})
	}
}

// showDetail shows recording id in the detail pane: at once from the list
// row, then in full once Get has returned (the list holds summaries).
func (lv *libraryView) showDetail(id string) {
	img, _ := lv.thumbs.get(id)
	if full := lv.full[id]; full != nil {
		lv.detail.show(full, img, true)
		lv.detail.showClips(lv.clips[id])
		return
	}
	if row := lv.rowOf(id); row >= 0 {
		lv.detail.show(lv.recs[row], img, false)
	}
	if lv.fetching[id] {
		return
	}
	lv.fetching[id] = true
	lv.goBackground(func() {
		full, err := lv.lib.Get(lv.ctx, id)
		var clips []*app.Derivative
		if err == nil {
			var cerr error
			if clips, cerr = lv.lib.Clips(lv.ctx, id); cerr != nil && lv.ctx.Err() == nil {
				lv.log.Warn("list clips", "id", id, "error", cerr)
			}
		}
		if lv.ctx.Err() != nil {
			return
		}
		lv.do(func() {
			delete(lv.fetching, id)
			if err != nil {
				lv.log.Error("get recording", "id", id, "error", err)
				if lv.selected == id {
					lv.detail.failed("Could not read this recording: " + app.UserMessage(err))
				}
				return
			}
			lv.full[id] = full
			lv.clips[id] = clips
			if lv.selected == id {
				lv.showDetail(id)
			}
		})
	})
}

func (lv *libraryView) moveSelection(delta int) {
	if len(lv.recs) == 0 {
		return
	}
	row := max(0, min(len(lv.recs)-1, lv.rowOf(lv.selected)+delta))
	lv.selectRow(row)
	lv.pickOnly(lv.selected) // moving with the keys selects one row, as in a file list
}

// thumbsChanged redraws after thumbnails have loaded.
func (lv *libraryView) thumbsChanged() {
	lv.table.Refresh()
	if lv.selected != "" {
		img, _ := lv.thumbs.get(lv.selected)
		lv.detail.setImage(img)
	}
}

// mainMenu is the window menu while a library is open.
// Only what the signed-in role may do is offered.
func (lv *libraryView) mainMenu() *fyne.MainMenu {
	var menus []*fyne.Menu
	if lv.canIngest {
		menus = append(menus, fyne.NewMenu("File",
			fyne.NewMenuItem("Import files…", lv.chooseImportFile),
			fyne.NewMenuItem("Import folder…", lv.chooseImportFolder),
			fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem("Watch dock folder…", lv.chooseDockFolder),
			fyne.NewMenuItem("Stop watching", func() { lv.stopWatching(true) }),
		))
	}
	var items []*fyne.MenuItem
	if lv.canVerify {
		items = append(items, fyne.NewMenuItem("Verify all", lv.verifyAll))
	}
	if lv.canRestrict {
		items = append(items, fyne.NewMenuItem("Find a verify reference…", lv.askVerifyReference))
	}
	items = append(items,
		fyne.NewMenuItem("Refresh", lv.reload),
		fyne.NewMenuItem("Clear filters", lv.clearFilters))
	return fyne.NewMainMenu(append(menus, fyne.NewMenu("Library", items...))...)
}

// showAudit shows the audit trail of recording id.
func (lv *libraryView) showAudit(id string) {
	if id != "" && lv.onAudit != nil {
		lv.onAudit(id)
	}
}

// confirmRestrict asks before restricting (or unrestricting) r, then does
// it in the background and lists again.
func (lv *libraryView) confirmRestrict(r *app.Recording) {
	if !lv.canRestrict || r == nil {
		return
	}
	id, restrict := r.ID, !r.Restricted
	title, msg, verb := "Restrict recording "+id+"?",
		"Only professional standards will be able to find, play or export it; it disappears from everyone else's list. "+
			"The change is recorded in the audit trail.", "Restrict"
	if !restrict {
		title, msg, verb = "Unrestrict recording "+id+"?",
			"Everyone who may view recordings will be able to find and play it again. "+
				"The change is recorded in the audit trail.", "Unrestrict"
	}
	text := widget.NewLabel(msg)
	text.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(title, verb, "Cancel", text, func(ok bool) {
		if ok {
			lv.setRestricted(id, restrict)
		}
	}, lv.win)
	d.Resize(fyne.NewSize(520, 240))
	d.Show()
}

// setRestricted restricts or unrestricts recording id in the background.
func (lv *libraryView) setRestricted(id string, restrict bool) {
	lv.goBackground(func() {
		_, err := lv.lib.Restrict(lv.ctx, id, restrict)
		if lv.ctx.Err() != nil {
			return
		}
		lv.do(func() {
			if err != nil {
				lv.showError("Could not change the restriction", err)
				return
			}
			delete(lv.full, id)
			delete(lv.clips, id)
			if restrict {
				lv.flash("Recording " + id + " is restricted to professional standards.")
			} else {
				lv.flash("Recording " + id + " is no longer restricted.")
			}
			lv.reload()
		})
	})
}
