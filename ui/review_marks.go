package ui

import (
	"context"
	"errors"
	"image/color"
	"slices"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// The review screen's side panel: the markers of the recording (a list
// beside the video, drawn on the timeline too) and its decision, legal
// hold and retention. Every change is one library call, committed with its
// audit entry when it returns; there is no save button. Calls run on the
// screen's data queue, in order, and each change is followed by a reload
// of everything the panel shows, published with one UI update.

// categoryPalette colours annotation categories by their position in the
// store's list (cycling after the last). None is the blue of the played
// part of the timeline.
var categoryPalette = []color.NRGBA{
	{R: 0xe5, G: 0x39, B: 0x35, A: 0xff}, // red
	{R: 0xfb, G: 0x8c, B: 0x00, A: 0xff}, // orange
	{R: 0xfd, G: 0xd8, B: 0x35, A: 0xff}, // yellow
	{R: 0x43, G: 0xa0, B: 0x47, A: 0xff}, // green
	{R: 0xd8, G: 0x1b, B: 0x60, A: 0xff}, // pink
	{R: 0x00, G: 0xac, B: 0xc1, A: 0xff}, // cyan
	{R: 0x8e, G: 0x24, B: 0xaa, A: 0xff}, // purple
	{R: 0x8d, G: 0x6e, B: 0x63, A: 0xff}, // brown
}

// otherCategoryColor is the colour of a category no longer in the list.
var otherCategoryColor = color.NRGBA{R: 0x9e, G: 0x9e, B: 0x9e, A: 0xff}

// categoryColor is the colour of category c among cats.
func categoryColor(cats []string, c string) color.NRGBA {
	if i := slices.Index(cats, c); i >= 0 {
		return categoryPalette[i%len(categoryPalette)]
	}
	return otherCategoryColor
}

// categoryTitle is a category as a label: "Use of force".
func categoryTitle(c string) string { return statusLabel(c) }

// markFrames says where a mark is: "Frame 37 · 00:00:01.480" or
// "Frames 37–60 · 00:00:01.480–00:00:02.400".
func markFrames(a *app.Annotation, frames []time.Duration) string {
	at := func(n int) string {
		if n >= 0 && n < len(frames) {
			return app.FormatMediaTime(frames[n])
		}
		return "?"
	}
	if a.FrameOut <= a.FrameIn {
		return markSpan(a) + " · " + at(a.FrameIn)
	}
	return markSpan(a) + " · " + at(a.FrameIn) + "–" + at(a.FrameOut)
}

// markSpan is "Frame 37" or "Frames 37–60".
func markSpan(a *app.Annotation) string {
	if a.FrameOut <= a.FrameIn {
		return "Frame " + itoa(a.FrameIn)
	}
	return "Frames " + itoa(a.FrameIn) + "–" + itoa(a.FrameOut)
}

// markAuthor says who made a mark and when, and who changed it last.
func markAuthor(a *app.Annotation) string {
	by, at := a.CreatedBy, a.CreatedAt
	if by == "" {
		by, at = a.Author, a.At
	}
	s := "by " + by
	if !at.IsZero() {
		s += " · " + at.In(time.Local).Format("2 Jan 15:04")
	}
	switch {
	case a.Revision > 1 && a.Author != "" && a.Author != by:
		s += " · edited by " + a.Author
	case a.Revision > 1:
		s += " · edited"
	}
	return s
}

// reviewData is what the side panel shows, read in one go.
type reviewData struct {
	cats      []string
	marks     []*app.Annotation
	decisions []*app.Decision
	holds     []*app.Hold
	ret       app.RetentionItem
	retErr    error
	err       error
}

// loadData reads what the side panel shows (data queue).
func (s *reviewScreen) loadData(ctx context.Context) *reviewData {
	d := &reviewData{}
	if d.cats, d.err = s.lib.Categories(ctx); d.err != nil {
		return d
	}
	if d.marks, d.err = s.lib.Marks(ctx, s.id); d.err != nil {
		return d
	}
	if d.decisions, d.err = s.lib.Decisions(ctx, s.id); d.err != nil {
		return d
	}
	if d.holds, d.err = s.lib.Holds(ctx, s.id); d.err != nil {
		return d
	}
	d.ret, d.retErr = s.lib.RecordingRetention(ctx, s.id)
	return d
}

// reload reads the panel's data again and shows it.
func (s *reviewScreen) reload() {
	if s.lib == nil {
		return
	}
	s.data.push(dataJob{run: func(ctx context.Context) {
		d := s.loadData(ctx)
		s.do(func() { s.showData(d, "") })
	}})
}

// change runs op (a library call that changes the recording) on the data
// queue, then reads the panel's data again and shows it with one UI
// update, selecting the mark whose id op returned (if any); after (may be
// nil) then runs on the UI goroutine with op's error.
func (s *reviewScreen) change(what string, op func(ctx context.Context) (string, error), after func(err error)) {
	if s.lib == nil {
		return
	}
	s.data.push(dataJob{change: true, run: func(ctx context.Context) {
		sel, err := op(ctx)
		if err != nil {
			s.log.Warn("review: "+what, "id", s.id, "error", err)
		}
		var d *reviewData
		if err == nil || !errors.Is(err, context.Canceled) {
			d = s.loadData(ctx)
		}
		s.do(func() {
			if s.closed {
				return
			}
			if d != nil {
				s.showData(d, sel)
			}
			if after != nil {
				after(err)
			}
		})
	}})
}

// showData shows what loadData read (UI goroutine), selecting mark sel.
func (s *reviewScreen) showData(d *reviewData, sel string) {
	if s.closed || s.side == nil {
		return
	}
	p := s.side
	if d.err != nil {
		s.log.Warn("review: read markers and decisions", "id", s.id, "error", d.err)
		p.loadErr.SetText("Could not read the markers and decisions: " + app.UserMessage(d.err))
		p.loadErr.Show()
		return
	}
	p.loadErr.Hide()
	p.loaded = true
	if !slices.Equal(p.cats, d.cats) {
		p.cats = d.cats
		var titles []string
		for _, c := range p.cats {
			titles = append(titles, categoryTitle(c))
		}
		p.newCat.SetOptions(titles)
		p.editCat.SetOptions(titles)
		if p.lastCat == "" || !slices.Contains(p.cats, p.lastCat) {
			if len(p.cats) > 0 {
				p.lastCat = p.cats[0]
			}
		}
		p.syncing = true
		p.newCat.SetSelected(categoryTitle(p.lastCat))
		p.syncing = false
	}
	if isNew(p.selected) {
		sel = "" // a new mark being noted stays in the editor
	}
	if sel != "" && p.selected != nil && sel != p.selected.ID {
		s.saveEdit() // the note being typed belongs to the mark selected until now
	}
	p.marks = d.marks
	if !isNew(p.selected) {
		if sel == "" && p.selected != nil {
			sel = p.selected.ID
		}
		p.selected = nil
		for _, a := range p.marks {
			if a.ID == sel {
				p.selected = a
			}
		}
	}
	p.count.SetText(plural(len(p.marks), "marker", "markers"))
	p.list.Refresh()
	if i := slices.Index(p.marks, p.selected); i >= 0 {
		p.list.ScrollTo(i)
	}
	s.showEditor()
	s.drawMarks()
	s.showDecision(d)
}

// drawMarks puts the markers on the timeline.
func (s *reviewScreen) drawMarks() {
	if s.side == nil || s.timeline == nil {
		return
	}
	var tm []TimelineMark
	for _, a := range s.side.marks {
		tm = append(tm, TimelineMark{In: a.FrameIn, Out: a.FrameOut, Color: categoryColor(s.side.cats, a.Category)})
	}
	if a := s.side.selected; isNew(a) {
		tm = append(tm, TimelineMark{In: a.FrameIn, Out: a.FrameOut, Color: categoryColor(s.side.cats, a.Category)})
	}
	s.timeline.SetMarks(tm)
	s.timeline.SetPendingIn(s.side.in)
}

// markMessage shows a line under the marker buttons (danger: a refusal or
// a failure).
func (s *reviewScreen) markMessage(msg string, danger bool) {
	p := s.side
	p.msg.Importance = widget.MediumImportance
	if danger {
		p.msg.Importance = widget.DangerImportance
	}
	p.msg.SetText(msg)
	if msg == "" {
		p.msg.Hide()
	} else {
		p.msg.Show()
	}
}

// canMark reports whether marks can be made now, saying why not.
func (s *reviewScreen) canMark() bool {
	if s.side == nil || !s.side.canAnnotate {
		return false
	}
	if !s.ready() || !s.side.loaded {
		return false
	}
	return true
}

// markHere (M) adds a point marker at the frame shown, in the category
// last used, then puts the cursor in its note.
func (s *reviewScreen) markHere() {
	if !s.canMark() {
		return
	}
	s.addMark(app.MarkInput{FrameIn: s.cur, FrameOut: -1, Category: s.side.lastCat})
}

// setIn (I) remembers the frame shown as the start of a range.
func (s *reviewScreen) setIn() {
	if !s.canMark() {
		return
	}
	s.side.in = s.cur
	s.timeline.SetPendingIn(s.cur)
	s.markMessage("In at frame "+itoa(s.cur)+". Go to the end of the range and press O.", false)
}

// setOut (O) makes the range from the in point to the frame shown.
func (s *reviewScreen) setOut() {
	if !s.canMark() {
		return
	}
	p := s.side
	in, out := p.in, s.cur
	switch {
	case in < 0:
		s.markMessage("Press I at the start of the range first, then O at its end.", true)
		return
	case in == out:
		s.markMessage("In and out are the same frame. Go to the end of the range, or press M for a single marker.", true)
		return
	}
	swapped := out < in
	if swapped {
		in, out = out, in
	}
	p.in = -1
	s.timeline.SetPendingIn(-1)
	s.addMark(app.MarkInput{FrameIn: in, FrameOut: out, Category: p.lastCat})
	if swapped {
		s.markMessage("Out was before in, so the range runs from frame "+itoa(in)+" to "+itoa(out)+".", false)
	}
}

// addMark starts a new mark m: it is shown on the timeline and in the
// editor with the cursor in its note, and stored when the note is done:
// Enter (or leaving the note) stores it with its note, Escape without one.
// Its first note is thus part of the mark, not a revision of it.
func (s *reviewScreen) addMark(m app.MarkInput) {
	p := s.side
	s.saveEdit() // what was being edited first (a new mark included)
	s.markMessage("New marker: type its note and press Enter, or press Escape for a marker without a note.", false)
	out := m.FrameOut
	if out < 0 {
		out = m.FrameIn
	}
	p.selected = &app.Annotation{RecordingID: s.id, FrameIn: m.FrameIn, FrameOut: out, Category: m.Category}
	p.list.Refresh()
	s.showEditor()
	s.drawMarks()
	if !s.modal {
		s.win.Canvas().Focus(p.note)
	}
}

// isNew reports whether a is a new mark not stored yet (see addMark).
func isNew(a *app.Annotation) bool { return a != nil && a.ID == "" }

// storeNew stores the new mark in the editor with note and category cat,
// and selects it once stored unless another mark is selected meanwhile.
func (s *reviewScreen) storeNew(note, cat string) {
	p := s.side
	a := p.selected
	p.selected = nil
	s.showEditor()
	follow := new(atomic.Bool)
	follow.Store(true)
	p.follow = follow
	m := app.MarkInput{FrameIn: a.FrameIn, FrameOut: a.FrameOut, Category: cat, Note: note}
	if m.FrameOut <= m.FrameIn {
		m.FrameOut = -1
	}
	id := s.id
	s.change("add a marker", func(ctx context.Context) (string, error) {
		added, err := s.lib.AddMark(ctx, id, m)
		if err != nil {
			return "", err
		}
		if !follow.Load() {
			return "", nil
		}
		return added.ID, nil
	}, func(err error) {
		if err != nil {
			s.markMessage("The marker was not added: "+formMessage(err), true)
			return
		}
		s.markMessage("", false)
	})
}

// cancelEdit (Escape in the note) drops the note being typed: a new mark
// is stored without a note, a stored mark keeps the note it had.
func (s *reviewScreen) cancelEdit() {
	p := s.side
	a := p.selected
	if p == nil || !p.canAnnotate || a == nil {
		return
	}
	p.filling = true
	p.note.SetText(a.Note)
	p.filling = false
	if isNew(a) {
		s.storeNew("", s.editCategory(a))
	}
}

// editCategory is the category chosen in the editor, else a's.
func (s *reviewScreen) editCategory(a *app.Annotation) string {
	p := s.side
	if i := p.editCat.SelectedIndex(); i >= 0 && i < len(p.cats) {
		return p.cats[i]
	}
	return a.Category
}

// jumpMark (N, P) shows the start of the next (dir > 0) or previous
// marker.
func (s *reviewScreen) jumpMark(dir int) {
	if s.side == nil || !s.ready() {
		return
	}
	target := -1
	for _, a := range s.side.marks {
		switch {
		case dir > 0 && a.FrameIn > s.cur && (target < 0 || a.FrameIn < target):
			target = a.FrameIn
		case dir < 0 && a.FrameIn < s.cur && a.FrameIn > target:
			target = a.FrameIn
		}
	}
	if target < 0 {
		if dir > 0 {
			s.markMessage("No marker after this frame.", false)
		} else {
			s.markMessage("No marker before this frame.", false)
		}
		return
	}
	s.markMessage("", false)
	for _, a := range s.side.marks {
		if a.FrameIn == target {
			s.selectMark(a)
			break
		}
	}
	s.seekFrame(target)
}

// selectMark shows a mark in the editor (nil: none), saving the note of
// the one shown before.
func (s *reviewScreen) selectMark(a *app.Annotation) {
	p := s.side
	if p.selected != a {
		s.saveEdit()
		if p.follow != nil {
			p.follow.Store(false) // the mark chosen now stays selected
		}
	}
	p.selected = a
	p.list.Refresh()
	if i := slices.Index(p.marks, a); i >= 0 {
		p.list.ScrollTo(i)
	}
	s.showEditor()
}

// markTapped is a click on a row of the list: show that mark and go to
// its first frame.
func (s *reviewScreen) markTapped(i int) {
	p := s.side
	p.list.Unselect(i) // the row highlight is ours, so a second click jumps again
	if i < 0 || i >= len(p.marks) {
		return
	}
	a := p.marks[i]
	s.selectMark(a)
	s.seekFrame(a.FrameIn)
	s.refocus()
}

// saveEdit commits the note and category in the editor when they differ
// from the mark's (Enter, leaving the note, another mark).
func (s *reviewScreen) saveEdit() {
	p := s.side
	if p == nil || !p.canAnnotate || p.selected == nil || p.filling {
		return
	}
	a := p.selected
	note := p.note.Text
	cat := s.editCategory(a)
	if isNew(a) {
		s.storeNew(note, cat)
		return
	}
	if note == a.Note && cat == a.Category {
		return
	}
	// Shown as saved at once; the reload after the call confirms it.
	a.Note, a.Category = note, cat
	p.list.Refresh()
	s.drawMarks()
	m := app.MarkInput{FrameIn: a.FrameIn, FrameOut: a.FrameOut, Category: cat, Note: note}
	annID := a.ID
	s.change("edit a marker", func(ctx context.Context) (string, error) {
		_, err := s.lib.EditMark(ctx, annID, m)
		return "", err
	}, func(err error) {
		if err != nil {
			s.markMessage("The change to the marker was not saved: "+formMessage(err), true)
		}
	})
}

// confirmDelete asks before deleting the selected mark.
func (s *reviewScreen) confirmDelete() {
	p := s.side
	if p.selected == nil || !p.canAnnotate || s.modal {
		return
	}
	a := p.selected
	if isNew(a) { // not stored yet: nothing to record
		p.selected = nil
		s.showEditor()
		s.drawMarks()
		s.markMessage("", false)
		s.refocus()
		return
	}
	text := widget.NewLabel("Delete the " + categoryTitle(a.Category) + " marker at " + markFrames(a, s.frames) +
		"? The deletion is recorded in the audit trail, and the marker's history is kept.")
	text.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("Delete marker?", "Delete", "Cancel", text, func(ok bool) {
		s.endModal()
		if ok {
			id := a.ID
			if p.selected == a {
				p.selected = nil
			}
			s.change("delete a marker", func(ctx context.Context) (string, error) {
				return "", s.lib.DeleteMark(ctx, id)
			}, func(err error) {
				if err != nil {
					s.markMessage("The marker was not deleted: "+formMessage(err), true)
				}
			})
		}
		s.refocus()
	}, s.win)
	d.Resize(fyne.NewSize(460, 200))
	s.showModal(d)
}

// noteEntry is the note of the selected mark: Enter and leaving it save
// it, Escape drops what was typed.
type noteEntry struct {
	widget.Entry
	onDone   func() // Enter
	onCancel func() // Escape
	onLeft   func() // focus lost
}

func newNoteEntry() *noteEntry {
	e := &noteEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// FocusLost saves the note.
func (e *noteEntry) FocusLost() {
	e.Entry.FocusLost()
	if e.onLeft != nil {
		e.onLeft()
	}
}

// TypedKey saves on Enter, drops the edit on Escape, and then gives the
// keys back to the video.
func (e *noteEntry) TypedKey(k *fyne.KeyEvent) {
	if (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && e.onDone != nil {
		e.onDone()
		return
	}
	if k.Name == fyne.KeyEscape && e.onCancel != nil {
		e.onCancel()
		return
	}
	e.Entry.TypedKey(k)
}

// reviewSide is the side panel's widgets and state (UI goroutine).
type reviewSide struct {
	canAnnotate, canDecide, canHold bool

	root    fyne.CanvasObject
	loadErr *widget.Label
	loaded  bool

	// Markers.
	cats     []string
	marks    []*app.Annotation
	selected *app.Annotation
	lastCat  string       // category of new marks
	in       int          // in point waiting for O (-1: none)
	syncing  bool         // selects being set by code
	filling  bool         // the editor being filled by code
	editing  string       // id of the mark whose note is in the editor
	follow   *atomic.Bool // the new mark being stored is selected once stored
	newCat   *widget.Select
	count    *widget.Label
	msg      *widget.Label
	list     *widget.List
	editor   fyne.CanvasObject
	editHead *widget.Label
	editChip *canvas.Rectangle
	editCat  *widget.Select
	note     *noteEntry
	noteRO   *widget.Label
	delBtn   *widget.Button
	clipBtn  *widget.Button // clips the selected marker's frames (roles that may export)
	// exportBtn exports the selected marker's frames (roles that may export).
	exportBtn *widget.Button

	dec decisionWidgets
}

// panelWidth is the width of the side panel.
const panelWidth = 380

// buildSide makes the side panel (markers, decision) for the signed-in
// role.
func (s *reviewScreen) buildSide() {
	p := &reviewSide{in: -1, canAnnotate: s.lib.Can(app.PermAnnotate), canDecide: s.lib.Can(app.PermDecide),
		canHold: s.lib.Can(app.PermHold)}
	s.side = p
	p.loadErr = widget.NewLabel("")
	p.loadErr.Wrapping = fyne.TextWrapWord
	p.loadErr.Importance = widget.DangerImportance
	p.loadErr.Hide()

	p.newCat = widget.NewSelect(nil, func(string) {
		if i := p.newCat.SelectedIndex(); !p.syncing && i >= 0 && i < len(p.cats) {
			p.lastCat = p.cats[i]
		}
		s.refocus()
	})
	p.count = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{})
	p.msg = widget.NewLabel("")
	p.msg.Wrapping = fyne.TextWrapWord
	p.msg.Hide()

	p.list = widget.NewList(func() int { return len(p.marks) }, newMarkRow, s.updateMarkRow)
	p.list.OnSelected = s.markTapped

	p.editChip = canvas.NewRectangle(otherCategoryColor)
	p.editChip.SetMinSize(fyne.NewSize(14, 14))
	p.editChip.CornerRadius = 3
	p.editHead = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.editHead.Truncation = fyne.TextTruncateEllipsis
	p.editCat = widget.NewSelect(nil, func(string) {
		if !p.filling {
			s.saveEdit()
			if i := p.editCat.SelectedIndex(); i >= 0 && i < len(p.cats) {
				p.lastCat = p.cats[i]
				p.syncing = true
				p.newCat.SetSelected(categoryTitle(p.lastCat))
				p.syncing = false
			}
			s.refocus()
		}
	})
	p.note = newNoteEntry()
	p.note.SetPlaceHolder("Note (Enter saves, Escape cancels)")
	p.note.onDone = func() { s.saveEdit(); s.refocus() }
	p.note.onCancel = func() { s.cancelEdit(); s.refocus() }
	p.note.onLeft = s.saveEdit
	p.noteRO = widget.NewLabel("")
	p.noteRO.Wrapping = fyne.TextWrapWord
	p.delBtn = widget.NewButtonWithIcon("Delete…", theme.DeleteIcon(), s.confirmDelete)
	p.delBtn.Importance = widget.LowImportance
	p.clipBtn = widget.NewButtonWithIcon("Clip…", theme.MediaVideoIcon(), s.clipMark)
	p.clipBtn.Importance = widget.LowImportance
	p.exportBtn = widget.NewButtonWithIcon("Export…", theme.DocumentSaveIcon(), s.exportMark)
	p.exportBtn.Importance = widget.LowImportance
	if _, ok := s.lib.(exportAPI); !ok || !s.lib.Can(app.PermExport) {
		p.exportBtn.Hide()
	}
	if !s.lib.Can(app.PermExport) {
		p.clipBtn.Hide()
	}

	prev := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { s.jumpMark(-1); s.refocus() })
	next := widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { s.jumpMark(1); s.refocus() })
	var top []fyne.CanvasObject
	if p.canAnnotate {
		markBtn := widget.NewButtonWithIcon("Mark (M)", theme.ContentAddIcon(), func() { s.markHere(); s.refocus() })
		markBtn.Importance = widget.HighImportance
		inBtn := widget.NewButton("In (I)", func() { s.setIn(); s.refocus() })
		outBtn := widget.NewButton("Out (O)", func() { s.setOut(); s.refocus() })
		top = append(top,
			container.NewBorder(nil, nil, widget.NewLabel("New marks"), nil, p.newCat),
			container.NewHBox(markBtn, inBtn, outBtn, layout.NewSpacer(), prev, next))
		// The selected row of the list says which mark this is.
		p.editor = container.NewVBox(widget.NewSeparator(),
			container.NewBorder(nil, nil, container.NewCenter(p.editChip), container.NewHBox(p.clipBtn, p.exportBtn, p.delBtn), p.editCat), p.note)
	} else {
		info := widget.NewLabel("Your role can view markers but not add or change them.")
		info.Wrapping = fyne.TextWrapWord
		top = append(top, container.NewBorder(nil, nil, nil, container.NewHBox(prev, next), info))
		p.editor = container.NewVBox(widget.NewSeparator(),
			container.NewBorder(nil, nil, container.NewCenter(p.editChip), container.NewHBox(p.clipBtn, p.exportBtn), p.editHead), p.noteRO)
	}
	p.editor.Hide()
	head := container.NewVBox(append(top, p.msg, container.NewBorder(nil, nil,
		widget.NewLabelWithStyle("Markers", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), p.count))...)
	markers := container.NewBorder(head, p.editor, nil, nil, p.list)

	// Markers above, the decision below: both in sight, the decision and
	// hold forms whole (see sideLayout).
	p.root = container.New(widthLayout(panelWidth), container.NewBorder(p.loadErr, nil, widget.NewSeparator(), nil,
		s.decisionBelow(container.NewPadded(markers))))
}

// widthLayout gives its objects a fixed width and all the height there is.
type widthLayout float32

// MinSize is the width and the tallest object's minimum height.
func (w widthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(float32(w), h)
}

// Layout fills the space with each object.
func (w widthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// newMarkRow is the template of a row of the marker list: a highlight, a
// colour chip, where the mark is, its category and note, and its author.
func newMarkRow() fyne.CanvasObject {
	bg := canvas.NewRectangle(color.Transparent)
	bg.CornerRadius = 4
	chip := canvas.NewRectangle(otherCategoryColor)
	chip.SetMinSize(fyne.NewSize(12, 28))
	chip.CornerRadius = 3
	where := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	where.Truncation = fyne.TextTruncateEllipsis
	what := widget.NewLabel("")
	what.Truncation = fyne.TextTruncateEllipsis
	who := widget.NewLabel("")
	who.Truncation = fyne.TextTruncateEllipsis
	who.SizeName = theme.SizeNameCaptionText
	lines := container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()-2), where, what, who)
	return container.NewStack(bg, container.NewBorder(nil, nil, container.NewCenter(chip), nil, lines))
}

func (s *reviewScreen) updateMarkRow(i widget.ListItemID, o fyne.CanvasObject) {
	p := s.side
	if i < 0 || i >= len(p.marks) {
		return
	}
	a := p.marks[i]
	st := o.(*fyne.Container)
	bg := st.Objects[0].(*canvas.Rectangle)
	row := st.Objects[1].(*fyne.Container)
	var chip *canvas.Rectangle
	var lines *fyne.Container
	for _, c := range row.Objects {
		c := c.(*fyne.Container)
		if r, ok := c.Objects[0].(*canvas.Rectangle); ok {
			chip = r
		} else {
			lines = c
		}
	}
	var want color.Color = color.Transparent
	if a == p.selected {
		want = theme.Color(theme.ColorNameSelection)
	}
	if bg.FillColor != want {
		bg.FillColor = want
		bg.Refresh()
	}
	if c := categoryColor(p.cats, a.Category); chip.FillColor != c {
		chip.FillColor = c
		chip.Refresh()
	}
	what := categoryTitle(a.Category)
	if a.Note != "" {
		what += " — " + a.Note
	}
	lines.Objects[0].(*widget.Label).SetText(markFrames(a, s.frames))
	lines.Objects[1].(*widget.Label).SetText(what)
	lines.Objects[2].(*widget.Label).SetText(markAuthor(a))
}

// showEditor fills the editor for the selected mark, or hides it. A note
// being typed is left alone.
func (s *reviewScreen) showEditor() {
	p := s.side
	a := p.selected
	if a == nil {
		p.editor.Hide()
		return
	}
	p.filling = true
	defer func() { p.filling = false }()
	p.editChip.FillColor = categoryColor(p.cats, a.Category)
	p.editChip.Refresh()
	p.editHead.SetText(markSpan(a) + " · " + categoryTitle(a.Category))
	if slices.Contains(p.cats, a.Category) {
		p.editCat.SetSelected(categoryTitle(a.Category))
	} else {
		p.editCat.ClearSelected()
		p.editCat.PlaceHolder = categoryTitle(a.Category) + " (no longer a category)"
		p.editCat.Refresh()
	}
	typing := p.editing == a.ID && s.win.Canvas().Focused() == p.note
	if p.note.Text != a.Note && !typing {
		p.note.SetText(a.Note)
	}
	p.editing = a.ID
	p.noteRO.SetText(orDash(a.Note))
	p.editor.Show()
}
