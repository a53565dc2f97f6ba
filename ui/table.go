package ui

import (
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// column is one column of the recordings table.
type column struct {
	title  string
	key    app.SortKey // "" = not sortable
	sample string      // a wide value, to size the column
	mono   bool
	text   func(r *app.Recording) string
}

// Column indexes. The id comes first after the picture, so it is never the
// column cut off at 1366×768.
// What a sergeant decides on (status, deletion, hold, markers) comes before
// what identifies the camera (duration, device), which a narrow window
// scrolls to.
const (
	colThumb = iota
	colID
	colRecorded
	colOfficer
	colStatus
	colDeletion
	colHold
	colSAR
	colMarks
	colDuration
	colDevice
	colCount // the number of columns
)

// Thumbnail size in the table (16:9, the shape of camera footage).
const thumbW, thumbH = 96, 54

var columns = []column{
	colThumb:    {title: ""},
	colID:       {title: "ID", key: app.SortID, sample: "WWWWWWWW", mono: true, text: func(r *app.Recording) string { return r.ID }},
	colRecorded: {title: "Recorded", key: app.SortRecordedAt, sample: "Wed 30 Sep 2026 23:59 BST", text: func(r *app.Recording) string { return formatWhen(r.RecordedAt) }},
	colOfficer:  {title: "Officer", key: app.SortOfficer, sample: "PC 9999 Williams", text: func(r *app.Recording) string { return orDash(r.Personal.Officer) }},
	colDevice:   {title: "Device", key: app.SortDevice, sample: "WW0000000", text: func(r *app.Recording) string { return orDash(r.Personal.DeviceSerial) }},
	colDuration: {title: "Duration", key: app.SortDuration, sample: "00:00:00", text: func(r *app.Recording) string { return formatDuration(r.Duration) }},
	colStatus: {title: "Status", key: app.SortStatus, sample: "Unreviewed", text: func(r *app.Recording) string {
		if r.Restricted {
			return displayStatusLabel(app.DisplayStatus(r)) + " · restricted"
		}
		return displayStatusLabel(app.DisplayStatus(r))
	}},
	colHold: {title: "Hold", sample: "Hold", text: func(r *app.Recording) string {
		if r.Held {
			return "Hold"
		}
		return ""
	}},
	// No sample: the column is as narrow as its title until a listed
	// recording is in an open SAR, so Duration and Device stay on screen.
	colSAR: {title: "SAR", sample: "", text: func(r *app.Recording) string { return app.RecordingSARLabel(r, time.Now()) }},
	colMarks: {title: "Marks", key: app.SortMarks, sample: "999", text: func(r *app.Recording) string {
		if r.Marks == 0 {
			return ""
		}
		return fmt.Sprint(r.Marks)
	}},
	colDeletion: {title: "Deletion", key: app.SortDeletion, sample: "kept: referred to PSD", text: func(r *app.Recording) string { return app.RecordingDeletionLabel(r, time.Now()) }},
}

// Urgency of a deletion, as the Deletion column colours it.
const (
	urgencyNone   = iota // kept, or more than 7 days left
	urgencySoon          // within RetentionWarning (7 days)
	urgencyUrgent        // due now or within 3 days
)

// urgentDays is how close a deletion is before the table shows it in red.
const urgentDays = 3

// deletionUrgency says how urgent r's deletion is at now.
func deletionUrgency(r *app.Recording, now time.Time) int {
	if app.RetentionOf(r) != app.RetentionDelete || !app.DueSoon(r.DeleteAt, now) {
		return urgencyNone
	}
	if n, _ := app.DaysLeft(r.DeleteAt, now); n <= urgentDays {
		return urgencyUrgent
	}
	return urgencySoon
}

// sarImportance is how the SAR column shows a recording in an open SAR:
// red and bold when the SAR is overdue, amber when it is due within
// SARWarning days, plain otherwise.
func sarImportance(r *app.Recording, now time.Time) (widget.Importance, bool) {
	switch n := app.SARDaysLeft(r.SARDue, now); {
	case n < 0:
		return widget.DangerImportance, true
	case n <= app.SARWarning:
		return widget.WarningImportance, false
	}
	return widget.MediumImportance, false
}

// recordTable is the recordings table: one recording per row, a header row
// whose buttons sort, and whole-row selection that the arrow keys move.
type recordTable struct {
	widget.Table
	lv     *libraryView
	widths [colCount]float32 // as last set by fitColumns
}

// columnWidth is the width fitColumns gave column col.
func (t *recordTable) columnWidth(col int) float32 { return t.widths[col] }

func (t *recordTable) setWidth(col int, w float32) {
	t.widths[col] = w
	t.SetColumnWidth(col, w)
}

func newRecordTable(lv *libraryView) *recordTable {
	t := &recordTable{lv: lv}
	t.Length = func() (int, int) { return len(lv.recs), len(columns) }
	t.CreateCell = newCell
	t.UpdateCell = lv.updateCell
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject {
		b := widget.NewButton("", nil)
		b.Importance = widget.LowImportance
		b.Alignment = widget.ButtonAlignLeading
		b.IconPlacement = widget.ButtonIconTrailingText
		return b
	}
	t.UpdateHeader = lv.updateHeader
	t.OnSelected = func(id widget.TableCellID) {
		// The row is the selection; drop the table's own single-cell mark.
		t.Unselect(id)
		lv.tapRow(id.Row)
	}
	t.ExtendBaseWidget(t)
	t.fitColumns(nil)
	return t
}

// maxColumnWidth caps a column sized to its content; longer values are
// shortened with an ellipsis (the detail pane shows them whole).
const maxColumnWidth = 360

// fitColumns sizes each column to its header with the sort arrow and to
// the widest of a sample value and the values in recs (the first 1000).
func (t *recordTable) fitColumns(recs []*app.Recording) {
	th := t.Theme()
	textSize := th.Size(theme.SizeNameText)
	pad := th.Size(theme.SizeNameInnerPadding)
	slack := 2 * th.Size(theme.SizeNamePadding)
	for i, c := range columns {
		if i == colThumb {
			t.setWidth(i, thumbW+2*th.Size(theme.SizeNamePadding))
			continue
		}
		style := fyne.TextStyle{Monospace: c.mono}
		w := fyne.MeasureText(c.sample, textSize, style).Width
		for _, r := range recs[:min(len(recs), 1000)] {
			w = max(w, fyne.MeasureText(c.text(r), textSize, style).Width)
		}
		w = min(w+2*pad+slack, maxColumnWidth)
		// A sortable column's header has room for its arrow.
		h := widget.NewButton(c.title, nil)
		if c.key != "" {
			h.SetIcon(theme.MenuDropDownIcon())
		}
		t.setWidth(i, max(w, h.MinSize().Width+slack))
	}
}

// TypedKey moves the selection with the arrow keys, like a file list.
func (t *recordTable) TypedKey(ev *fyne.KeyEvent) {
	t.lv.touch()
	switch ev.Name {
	case fyne.KeyUp:
		t.lv.moveSelection(-1)
	case fyne.KeyDown:
		t.lv.moveSelection(1)
	case fyne.KeyPageUp:
		t.lv.moveSelection(-10)
	case fyne.KeyPageDown:
		t.lv.moveSelection(10)
	case fyne.KeyHome:
		t.lv.moveSelection(-len(t.lv.recs))
	case fyne.KeyEnd:
		t.lv.moveSelection(len(t.lv.recs))
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyEscape:
		t.lv.listKey(ev.Name)
	case fyne.KeySpace:
		if row := t.lv.rowOf(t.lv.selected); row >= 0 {
			t.lv.togglePick(row)
		}
	default:
		t.Table.TypedKey(ev)
	}
}

// TypedRune starts a search: the character goes to the search box, which
// takes the focus.
func (t *recordTable) TypedRune(r rune) {
	if r == ' ' {
		return // Space adds the row to the selection (TypedKey)
	}
	t.lv.typeToSearch(r)
}

// DoubleTapped selects the row under the pointer and opens its review.
func (t *recordTable) DoubleTapped(ev *fyne.PointEvent) {
	t.Table.Tapped(ev)
	t.lv.reviewSelected()
}

// newCell is the template of every cell: a background that marks the
// selected row, a thumbnail (first column) and a label (the others).
func newCell() fyne.CanvasObject {
	bg := canvas.NewRectangle(color.Transparent)
	img := canvas.NewImageFromResource(theme.FileVideoIcon())
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScaleSmooth
	img.SetMinSize(fyne.NewSize(thumbW, thumbH))
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	text := container.NewVBox(layout.NewSpacer(), l, layout.NewSpacer())
	return container.NewStack(bg, container.NewPadded(img), text)
}

type cellParts struct {
	bg    *canvas.Rectangle
	img   *canvas.Image
	imgC  *fyne.Container
	label *widget.Label
	textC *fyne.Container
}

func partsOf(o fyne.CanvasObject) cellParts {
	c := o.(*fyne.Container)
	imgC := c.Objects[1].(*fyne.Container)
	textC := c.Objects[2].(*fyne.Container)
	return cellParts{
		bg: c.Objects[0].(*canvas.Rectangle), imgC: imgC, img: imgC.Objects[0].(*canvas.Image),
		textC: textC, label: textC.Objects[1].(*widget.Label),
	}
}

func (lv *libraryView) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	p := partsOf(o)
	if id.Row < 0 || id.Row >= len(lv.recs) || id.Col < 0 || id.Col >= len(columns) {
		p.imgC.Hide()
		p.textC.Hide()
		return
	}
	r := lv.recs[id.Row]
	var bg color.Color = color.Transparent
	switch {
	case lv.isPicked(r.ID):
		bg = theme.Color(theme.ColorNameSelection)
	case id.Row%2 == 1:
		// Faint stripes help the eye along a wide row.
		bg = theme.Color(theme.ColorNameHover)
	}
	if p.bg.FillColor != bg {
		p.bg.FillColor = bg
		p.bg.Refresh()
	}
	if id.Col == colThumb {
		p.textC.Hide()
		p.imgC.Show()
		img, ok := lv.thumbs.get(r.ID)
		switch {
		case ok && img != nil:
			if p.img.Image != img {
				p.img.Resource, p.img.Image = nil, img
				p.img.Refresh()
			}
		case p.img.Resource != theme.FileVideoIcon() || p.img.Image != nil:
			p.img.Image, p.img.Resource = nil, theme.FileVideoIcon()
			p.img.Refresh()
		}
		return
	}
	p.imgC.Hide()
	p.textC.Show()
	c := columns[id.Col]
	imp, bold := widget.MediumImportance, false
	switch {
	case id.Col == colDeletion:
		switch deletionUrgency(r, time.Now()) {
		case urgencyUrgent:
			imp, bold = widget.DangerImportance, true
		case urgencySoon:
			imp = widget.WarningImportance
		}
	case id.Col == colHold && r.Held:
		imp, bold = widget.HighImportance, true
	case id.Col == colSAR && r.SARID != 0:
		imp, bold = sarImportance(r, time.Now())
	}
	// Cells are reused across columns: set the whole style every time.
	style := fyne.TextStyle{Monospace: c.mono, Bold: bold && !c.mono}
	if p.label.Importance != imp || p.label.TextStyle != style {
		p.label.Importance, p.label.TextStyle = imp, style
		p.label.Refresh()
	}
	p.label.SetText(c.text(r))
}

func (lv *libraryView) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	b := o.(*widget.Button)
	if id.Col < 0 || id.Col >= len(columns) || columns[id.Col].title == "" {
		b.Hide()
		return
	}
	c := columns[id.Col]
	b.Show()
	b.SetText(c.title)
	var icon fyne.Resource
	if c.key != "" && c.key == lv.sortKey {
		icon = theme.MenuDropDownIcon()
		if lv.ascending {
			icon = theme.MenuDropUpIcon()
		}
	}
	b.SetIcon(icon)
	col := id.Col
	b.OnTapped = func() { lv.sortByColumn(col) }
}
