package ui

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// auditAPI is what the audit view needs from the library; *app.Library
// provides it.
type auditAPI interface {
	AuditEntries(ctx context.Context, f app.AuditFilter) ([]app.AuditEntry, error)
	VerifyAudit(ctx context.Context) (*app.AuditReport, error)
	ExportAudit(ctx context.Context, f app.AuditFilter, format app.AuditFormat, path string) (int, error)
}

var _ auditAPI = (*app.Library)(nil)

// auditLimit is how many entries (the newest) the audit view lists.
const auditLimit = 5000

// auditActions are the action families the action filter offers.
var auditActions = []string{"signin", "signout", "store.open", "ingest", "view", "still", "verify",
	"restrict", "unrestrict", "user", "settings", "audit"}

// auditColumn is one column of the audit table.
type auditColumn struct {
	title string
	width float32
	text  func(e *app.AuditEntry) string
}

var auditColumns = []auditColumn{
	{"Seq", 70, func(e *app.AuditEntry) string { return strconv.FormatInt(e.Seq, 10) }},
	{"Time", 235, func(e *app.AuditEntry) string { return formatWhenSeconds(e.At) }},
	{"User", 110, func(e *app.AuditEntry) string { return orDash(e.User) }},
	{"Role", 180, func(e *app.AuditEntry) string {
		if e.Role == "" {
			return "—"
		}
		return app.Role(e.Role).Title()
	}},
	{"Action", 130, func(e *app.AuditEntry) string { return e.Action }},
	{"Recording", 110, func(e *app.AuditEntry) string { return orDash(e.RecordingID) }},
	{"Outcome", 90, func(e *app.AuditEntry) string { return outcomeLabel(e.Outcome) }},
	{"Detail", 400, func(e *app.AuditEntry) string { return e.Detail }},
}

func outcomeLabel(o string) string {
	switch o {
	case "", "ok":
		return "OK"
	case "failed":
		return "Failed"
	case "denied":
		return "Denied"
	}
	return o
}

// auditView lists audit entries (of one recording, or all), newest first,
// filtered by user and action, and checks the trail. Its fields are
// touched on the UI goroutine only.
type auditView struct {
	api   auditAPI
	recID string // "" for the whole trail
	do    func(func())
	log   *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc

	entries []app.AuditEntry // newest first
	loading bool
	loadGen int
	users   []string
	timer   *time.Timer

	content   fyne.CanvasObject
	user      *widget.SelectEntry
	action    *widget.SelectEntry
	table     *widget.Table
	count     *widget.Label
	verifyBtn *widget.Button
	verifyMsg *widget.Label
	csvBtn    *widget.Button
	pdfBtn    *widget.Button
	exportMsg *widget.Label
	dlg       dialog.Dialog
	win       fyne.Window
	// exporting is the export running (tests wait on it).
	exporting bool
}

func newAuditView(api auditAPI, recID string, do func(func()), log *slog.Logger) *auditView {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	v := &auditView{api: api, recID: recID, do: do, log: log}
	v.ctx, v.cancel = context.WithCancel(context.Background())
	v.build()
	return v
}

func (v *auditView) build() {
	v.user = widget.NewSelectEntry(nil)
	v.user.SetPlaceHolder("Any user")
	v.user.OnChanged = func(string) { v.filtersChanged() }
	v.action = widget.NewSelectEntry(auditActions)
	v.action.SetPlaceHolder("Any action")
	v.action.OnChanged = func(string) { v.filtersChanged() }
	clearBtn := widget.NewButtonWithIcon("Clear", theme.ContentClearIcon(), func() {
		v.user.SetText("")
		v.action.SetText("")
	})
	clearBtn.Importance = widget.LowImportance
	v.count = widget.NewLabel("Loading…")
	fixed := func(o fyne.CanvasObject, w float32) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
	}
	filters := container.NewHBox(widget.NewLabel("User"), fixed(v.user, 180),
		widget.NewLabel("Action"), fixed(v.action, 180), clearBtn, v.count)

	v.table = &widget.Table{
		Length: func() (int, int) { return len(v.entries), len(auditColumns) },
		CreateCell: func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		UpdateCell:    v.updateCell,
		ShowHeaderRow: true,
		CreateHeader: func() fyne.CanvasObject {
			return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		},
		UpdateHeader: func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Col >= 0 && id.Col < len(auditColumns) {
				o.(*widget.Label).SetText(auditColumns[id.Col].title)
			}
		},
	}
	v.table.ExtendBaseWidget(v.table)
	for i, c := range auditColumns {
		v.table.SetColumnWidth(i, c.width)
	}

	v.verifyBtn = widget.NewButtonWithIcon("Verify audit trail", theme.ConfirmIcon(), v.verify)
	v.verifyMsg = widget.NewLabel("Checks every entry and signed checkpoint: an edited, missing or inserted entry is found.")
	v.verifyMsg.Wrapping = fyne.TextWrapWord
	v.csvBtn = widget.NewButtonWithIcon("Export CSV…", theme.DocumentSaveIcon(), func() { v.chooseExport(app.AuditCSV) })
	v.pdfBtn = widget.NewButtonWithIcon("Export PDF…", theme.DocumentPrintIcon(), func() { v.chooseExport(app.AuditPDF) })
	v.exportMsg = widget.NewLabel("")
	v.exportMsg.Wrapping = fyne.TextWrapWord
	v.exportMsg.Hide()
	bottom := container.NewVBox(v.exportMsg,
		container.NewBorder(nil, nil, v.verifyBtn, container.NewHBox(v.csvBtn, v.pdfBtn), v.verifyMsg))
	v.content = container.NewBorder(filters, bottom, nil, nil, v.table)
}

func (v *auditView) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row < 0 || id.Row >= len(v.entries) || id.Col < 0 || id.Col >= len(auditColumns) {
		l.SetText("")
		return
	}
	e := &v.entries[id.Row]
	imp := widget.MediumImportance
	if id.Col == 6 && e.Outcome != "" && e.Outcome != "ok" {
		imp = widget.DangerImportance
	}
	if l.Importance != imp {
		l.Importance = imp
	}
	l.SetText(auditColumns[id.Col].text(e))
}

// title is the dialog's title.
func (v *auditView) title() string {
	if v.recID != "" {
		return "Audit trail of recording " + v.recID
	}
	return "Audit trail"
}

// show opens the view in a dialog over win; wrap (may be nil) wraps its
// content (the session's activity area).
func (v *auditView) show(win fyne.Window, wrap func(fyne.CanvasObject) fyne.CanvasObject) {
	content := v.content
	if wrap != nil {
		content = wrap(content)
	}
	v.win = win
	v.dlg = dialog.NewCustom(v.title(), "Close", content, win)
	escapeCloses(win, v.dlg, v.close)
	size := win.Canvas().Size()
	v.dlg.Resize(fyne.NewSize(min(1400, max(800, size.Width-60)), min(820, max(500, size.Height-60))))
	v.dlg.Show()
	v.reload()
}

// close stops the view's background work.
func (v *auditView) close() {
	v.cancel()
	if v.timer != nil {
		v.timer.Stop()
	}
}

func (v *auditView) filter() app.AuditFilter {
	return app.AuditFilter{RecordingID: v.recID, User: strings.TrimSpace(v.user.Text),
		Action: strings.TrimSpace(v.action.Text), Limit: auditLimit}
}

func (v *auditView) filtersChanged() {
	if v.timer != nil {
		v.timer.Stop()
	}
	v.timer = time.AfterFunc(250*time.Millisecond, func() { v.do(v.reload) })
}

// reload reads the entries again off the UI goroutine.
func (v *auditView) reload() {
	if v.ctx.Err() != nil {
		return
	}
	v.loadGen++
	gen, f := v.loadGen, v.filter()
	v.loading = true
	go func() {
		entries, err := v.api.AuditEntries(v.ctx, f)
		if v.ctx.Err() != nil {
			return
		}
		v.do(func() { v.loaded(gen, f, entries, err) })
	}()
}

func (v *auditView) loaded(gen int, f app.AuditFilter, entries []app.AuditEntry, err error) {
	if gen != v.loadGen || v.ctx.Err() != nil {
		return
	}
	v.loading = false
	if err != nil {
		v.log.Error("read the audit trail", "error", err)
		v.entries = nil
		v.count.SetText("Could not read the audit trail: " + app.UserMessage(err))
		v.table.Refresh()
		return
	}
	slices.Reverse(entries) // newest first
	v.entries = entries
	if f.User == "" && f.Action == "" {
		// Offer the users this trail names.
		seen := map[string]bool{}
		var users []string
		for _, e := range entries {
			if e.User != "" && !seen[e.User] {
				seen[e.User] = true
				users = append(users, e.User)
			}
		}
		slices.Sort(users)
		if !slices.Equal(users, v.users) {
			v.users = users
			v.user.SetOptions(users)
		}
	}
	msg := plural(len(entries), "entry", "entries") + ", newest first"
	if len(entries) >= auditLimit {
		msg = fmt.Sprintf("The newest %d entries, newest first", auditLimit)
	}
	v.count.SetText(msg)
	v.table.Refresh()
	v.table.ScrollToTop()
}

// verify checks the whole trail in the background and says what it found.
func (v *auditView) verify() {
	v.verifyBtn.Disable()
	v.verifyMsg.Importance = widget.MediumImportance
	v.verifyMsg.SetText("Checking the audit trail…")
	go func() {
		rep, err := v.api.VerifyAudit(v.ctx)
		if v.ctx.Err() != nil {
			return
		}
		v.do(func() {
			v.verifyBtn.Enable()
			msg, ok := auditVerdict(rep, err)
			v.verifyMsg.Importance = widget.SuccessImportance
			if !ok {
				v.verifyMsg.Importance = widget.DangerImportance
				v.log.Error("audit trail check", "error", err)
			}
			v.verifyMsg.SetText(msg)
			v.reload() // the check is itself recorded
		})
	}()
}

// auditVerdict says in words what VerifyAudit found; ok is false for a
// trail that failed or could not be read.
func auditVerdict(rep *app.AuditReport, err error) (msg string, ok bool) {
	switch {
	case err != nil:
		return "The audit trail could not be checked: " + app.UserMessage(err), false
	case rep.Problem != nil && rep.Problem.Seq > 0:
		return fmt.Sprintf("The audit trail FAILED its check at entry %d: %s. It may have been altered; tell your administrator.",
			rep.Problem.Seq, strings.TrimSuffix(rep.Problem.Reason, ".")), false
	case rep.Problem != nil:
		return "The audit trail FAILED its check: " + strings.TrimSuffix(rep.Problem.Reason, ".") +
			". It may have been altered; tell your administrator.", false
	}
	return fmt.Sprintf("The audit trail is intact: %s and %s check out.",
		plural(int(rep.Entries), "entry", "entries"), plural(rep.Checkpoints, "signed checkpoint", "signed checkpoints")), true
}

// showAudit opens the audit trail of recording id ("" for all of it).
func (s *session) showAudit(id string) {
	if s.closed || s.who.Name == "" {
		return
	}
	v := newAuditView(s.lib, id, s.do, s.log)
	s.audit = v
	v.show(s.win, s.wrapActivity)
}

// wrapActivity puts o in an activity area, so that pointer movement over a
// dialog keeps the session awake.
func (s *session) wrapActivity(o fyne.CanvasObject) fyne.CanvasObject {
	return newActivityArea(o, s.idle.touch)
}
