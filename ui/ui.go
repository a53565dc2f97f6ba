package ui

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
	_ "exhibit/ui/locale" // before Fyne reads the locale
)

// AppID is the application id Exhibit registers with Fyne (preferences,
// desktop integration).
const AppID = "uk.police.exhibit"

// Options configures Run.
type Options struct {
	// StoreDir is the store folder; "" means app.DefaultStoreDir().
	StoreDir string
	// Passphrase, when not nil, is tried first to open the store. When it
	// is nil or wrong the window asks for one if the keyring cannot help.
	Passphrase []byte
	// NoKeyring keeps the OS keyring out of it (court laptops, servers).
	NoKeyring bool
	// Log receives the detail behind what the window says; nil discards it.
	Log *slog.Logger
	// App is the Fyne application to use; nil creates one with AppID.
	App fyne.App
	// ReviewID, when set, opens that recording's review screen (paused at
	// frame 0) as soon as the store is open, instead of the library.
	ReviewID string
	// User and Password, when both set (EXHIBIT_USER and EXHIBIT_PASSWORD),
	// sign in without showing the sign-in screen; User alone fills its name.
	User     string
	Password []byte
}

// Run opens the main window "Exhibit — <store dir>", opens the store in it
// (asking for a passphrase, or offering to create a store, as needed) and
// runs until the window is closed.
func Run(opts Options) error {
	if opts.StoreDir == "" {
		dir, err := app.DefaultStoreDir()
		if err != nil {
			return err
		}
		opts.StoreDir = dir
	}
	if abs, err := filepath.Abs(opts.StoreDir); err == nil {
		opts.StoreDir = abs
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	a := opts.App
	if a == nil {
		a = fyneapp.NewWithID(AppID)
	}
	w := a.NewWindow(windowTitle(opts.StoreDir))
	w.SetMaster()
	w.Resize(fyne.NewSize(1440, 900))
	s := newSession(w, opts)
	w.SetOnClosed(s.close)
	s.start()
	w.ShowAndRun()
	s.close()
	return nil
}

func windowTitle(dir string) string { return "Exhibit — " + dir }

// session is one window's life: opening the store, then the library view.
type session struct {
	win  fyne.Window
	opts Options
	log  *slog.Logger
	do   func(func())

	lib    *app.Library
	view   *libraryView
	review *reviewScreen

	// The form on screen before the library opens (for tests).
	lock   *lockForm
	create *createForm
	status *widget.Label // "Opening…" or an error sentence
	closed bool
}

func newSession(win fyne.Window, opts Options) *session {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &session{win: win, opts: opts, log: log, do: fyne.Do}
}

// start opens the store in the background.
func (s *session) start() {
	s.open(s.opts.Passphrase, false)
}

// close stops the library view and closes the store. It may be called
// more than once.
func (s *session) close() {
	if s.closed {
		return
	}
	s.closed = true
	if s.review != nil {
		select {
		case <-s.review.close():
		case <-time.After(6 * time.Second): // Engine.Close gives up after 5 s
			s.log.Warn("review engine still closing")
		}
	}
	if s.view != nil {
		s.view.close()
	}
	if s.lib != nil {
		if err := s.lib.Close(); err != nil {
			s.log.Warn("close store", "error", err)
		}
	}
}

// open opens the store with pass (nil: keyring only) off the UI goroutine.
// typed says the passphrase came from the form.
func (s *session) open(pass []byte, typed bool) {
	if !typed {
		s.showBusy("Opening the store in " + s.opts.StoreDir + "…")
	}
	k := app.KeySource{Passphrase: pass, NoKeyring: s.opts.NoKeyring}
	go func() {
		lib, err := app.Open(s.opts.StoreDir, k, s.log)
		s.do(func() { s.opened(lib, err, pass != nil) })
	}()
}

func (s *session) opened(lib *app.Library, err error, triedPass bool) {
	if s.closed {
		if lib != nil {
			lib.Close()
		}
		return
	}
	switch {
	case err == nil:
		s.showLibrary(lib)
	case app.IsLocked(err):
		s.log.Info("store locked", "error", err)
		msg := ""
		if triedPass {
			msg = lockedMessage(err)
		}
		s.showLock(msg)
	case app.IsNotInitialized(err):
		s.showCreate()
	default:
		s.log.Error("open store", "dir", s.opts.StoreDir, "error", err)
		s.showFailure("Exhibit could not open the store in "+s.opts.StoreDir+".", app.UserMessage(err))
	}
}

// lockedMessage says why a passphrase did not open the store.
func lockedMessage(err error) string {
	if app.IsNoPassphraseSet(err) {
		return "This store has no passphrase: it opens only with the key kept in this computer's keyring. " +
			"Log in to the desktop session that unlocks the keyring, and try again."
	}
	return app.UserMessage(err)
}

func (s *session) setContent(o fyne.CanvasObject) {
	s.win.SetContent(o)
}

// showBusy shows a spinner and a line of text.
func (s *session) showBusy(msg string) {
	act := widget.NewActivity()
	act.Start()
	s.status = widget.NewLabel(msg)
	s.setContent(container.NewCenter(container.NewVBox(container.NewCenter(act), s.status)))
}

// showFailure shows an error in words with a Try again button.
func (s *session) showFailure(heading, msg string) {
	s.status = widget.NewLabel(msg)
	s.status.Wrapping = fyne.TextWrapWord
	s.status.Importance = widget.DangerImportance
	retry := widget.NewButtonWithIcon("Try again", theme.ViewRefreshIcon(), func() { s.open(s.opts.Passphrase, false) })
	s.setContent(panel(theme.ErrorIcon(), heading, s.status, container.NewCenter(retry)))
}

// panel is a centred, fixed-width box with an icon and a heading.
func panel(icon fyne.Resource, heading string, body ...fyne.CanvasObject) fyne.CanvasObject {
	h := widget.NewLabelWithStyle(heading, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	h.SizeName = theme.SizeNameSubHeadingText
	h.Wrapping = fyne.TextWrapWord
	head := container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(icon)), nil, h)
	box := container.NewVBox(append([]fyne.CanvasObject{head, widget.NewSeparator()}, body...)...)
	return container.NewCenter(container.New(&fixedWidth{w: 520}, container.NewPadded(box)))
}

// fixedWidth lays out its objects stacked at width w and their height.
type fixedWidth struct{ w float32 }

func (f *fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objs {
		o.Resize(fyne.NewSize(f.w, o.MinSize().Height))
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(f.w, h)
}

func (f *fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(fyne.NewSize(size.Width, size.Height))
	}
}

// lockForm asks for the store passphrase.
type lockForm struct {
	entry *widget.Entry
	open  *widget.Button
	msg   *widget.Label
	act   *widget.Activity
}

func (s *session) showLock(msg string) {
	f := &lockForm{entry: widget.NewPasswordEntry(), msg: widget.NewLabel(msg), act: widget.NewActivity()}
	s.lock, s.create = f, nil
	f.entry.SetPlaceHolder("Store passphrase")
	f.msg.Wrapping = fyne.TextWrapWord
	f.msg.Importance = widget.DangerImportance
	if msg == "" {
		f.msg.Hide()
	}
	submit := func() {
		if f.entry.Text == "" {
			s.say(f.msg, "Type the passphrase first.")
			return
		}
		f.open.Disable()
		f.entry.Disable()
		f.msg.Hide()
		f.act.Show()
		f.act.Start()
		s.open([]byte(f.entry.Text), true)
	}
	f.entry.OnSubmitted = func(string) { submit() }
	f.open = widget.NewButtonWithIcon("Open", theme.LoginIcon(), submit)
	f.open.Importance = widget.HighImportance
	f.act.Hide()
	intro := widget.NewLabel("Exhibit could not get this store's key from the system keyring. " +
		"Enter the store passphrase to open it.")
	if s.opts.NoKeyring {
		intro.SetText("The system keyring is not in use. Enter the store passphrase to open it.")
	}
	intro.Wrapping = fyne.TextWrapWord
	where := widget.NewLabel(s.opts.StoreDir)
	where.TextStyle.Monospace = true
	where.Truncation = fyne.TextTruncateEllipsis
	s.setContent(panel(theme.AccountIcon(), "This store is locked", intro, where, f.entry, f.msg,
		container.NewHBox(layout.NewSpacer(), f.act, f.open)))
	s.win.Canvas().Focus(f.entry)
}

// say shows msg in a form's message label and lays the form out again
// around it.
func (s *session) say(l *widget.Label, msg string) {
	l.SetText(msg)
	l.Show()
	if c := s.win.Content(); c != nil {
		c.Refresh()
	}
}

// createForm offers to create a store in the folder.
type createForm struct {
	usePass *widget.Check
	pass    *widget.Entry
	confirm *widget.Entry
	create  *widget.Button
	msg     *widget.Label
}

func (s *session) showCreate() {
	f := &createForm{pass: widget.NewPasswordEntry(), confirm: widget.NewPasswordEntry(), msg: widget.NewLabel("")}
	s.create, s.lock = f, nil
	f.pass.SetPlaceHolder("Passphrase")
	f.confirm.SetPlaceHolder("Passphrase again")
	f.msg.Wrapping = fyne.TextWrapWord
	f.msg.Importance = widget.DangerImportance
	f.msg.Hide()
	f.usePass = widget.NewCheck("Also protect it with a passphrase", func(on bool) {
		if on {
			f.pass.Enable()
			f.confirm.Enable()
		} else {
			f.pass.Disable()
			f.confirm.Disable()
		}
	})
	f.usePass.SetChecked(s.opts.NoKeyring)
	if s.opts.NoKeyring {
		f.usePass.Disable()
	}
	f.usePass.OnChanged(f.usePass.Checked)
	intro := widget.NewLabel(fmt.Sprintf("There is no Exhibit store in %s yet. Create one here? "+
		"Footage you import is kept in this folder, encrypted.", s.opts.StoreDir))
	if s.opts.NoKeyring {
		intro.SetText(intro.Text + " The system keyring is not in use, so the store needs a passphrase: " +
			"without it the footage cannot be opened, so keep it safe.")
	} else {
		intro.SetText(intro.Text + " Its key is kept in this computer's keyring, unlocked when you log in. " +
			"Add a passphrase as well to open the store where that keyring is not available.")
	}
	intro.Wrapping = fyne.TextWrapWord
	f.create = widget.NewButtonWithIcon("Create store", theme.ContentAddIcon(), func() { s.createStore(f) })
	f.create.Importance = widget.HighImportance
	s.setContent(panel(theme.FolderNewIcon(), "Create a store here?", intro, f.usePass, f.pass, f.confirm, f.msg,
		container.NewHBox(layout.NewSpacer(), f.create)))
}

func (s *session) createStore(f *createForm) {
	var pass []byte
	if f.usePass.Checked {
		switch {
		case f.pass.Text == "":
			f.msg.SetText("Choose a passphrase, or untick the box.")
		case f.pass.Text != f.confirm.Text:
			f.msg.SetText("The two passphrases differ; type them again.")
		default:
			pass = []byte(f.pass.Text)
		}
		if pass == nil {
			s.say(f.msg, f.msg.Text)
			return
		}
	}
	f.msg.Hide()
	f.create.Disable()
	k := app.KeySource{Passphrase: pass, NoKeyring: s.opts.NoKeyring}
	dir := s.opts.StoreDir
	go func() {
		lib, err := app.Create(dir, k, s.log)
		s.do(func() {
			if s.closed {
				if lib != nil {
					lib.Close()
				}
				return
			}
			if err != nil {
				s.log.Error("create store", "dir", dir, "error", err)
				f.create.Enable()
				s.say(f.msg, createMessage(err, pass != nil))
				return
			}
			s.showLibrary(lib)
		})
	}()
}

// createMessage says why a store could not be created.
func createMessage(err error, withPass bool) string {
	if !withPass && app.IsKeyringUnavailable(err) {
		return "The system keyring could not keep the store's key. Tick “Also protect it with a passphrase” and choose one."
	}
	return "The store could not be created: " + app.UserMessage(err)
}

// showLibrary swaps the open library in.
func (s *session) showLibrary(lib *app.Library) {
	s.lib, s.lock, s.create = lib, nil, nil
	v := newLibraryView(lib, s.win, s.log)
	v.do = s.do
	s.view = v
	s.setContent(v.content)
	s.win.SetMainMenu(v.mainMenu())
	s.win.SetOnDropped(v.dropped)
	v.onReview = s.showReview
	v.start()
	if id := s.opts.ReviewID; id != "" {
		s.opts.ReviewID = ""
		s.showReview(id)
	}
}

// showReview swaps the review screen of recording id in; its Back button
// and Escape return to the library.
func (s *session) showReview(id string) {
	if s.closed || s.lib == nil {
		return
	}
	if s.review != nil {
		s.review.close()
	}
	r := newReviewScreen(s.lib, s.win, id, s.log, s.showLibraryAgain)
	r.do = s.do
	s.review = r
	s.win.SetOnDropped(nil)
	s.setContent(r.content)
	r.start()
}

// showLibraryAgain returns from the review screen to the library.
func (s *session) showLibraryAgain() {
	if s.review != nil {
		s.review.close()
		s.review = nil
	}
	if s.closed || s.view == nil {
		return
	}
	s.win.SetTitle(windowTitle(s.opts.StoreDir))
	s.setContent(s.view.content)
	s.win.SetOnDropped(s.view.dropped)
	s.view.focusTable()
}
