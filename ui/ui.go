package ui

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
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
	w := newMainWindow(a, opts.StoreDir)
	w.SetMaster()
	w.Resize(fyne.NewSize(1440, 900))
	s := newSession(w, opts)
	if sessionStarted != nil {
		sessionStarted(s)
	}
	w.SetOnClosed(s.close)
	s.start()
	w.ShowAndRun()
	s.close()
	return nil
}

func windowTitle(dir string) string { return "Exhibit — " + dir }

// sessionStarted, when set (tests), is called on the main goroutine with
// the session Run has made, before the window shows.
var sessionStarted func(*session)

// session is one window's life: opening the store, signing in, then the
// library and review screens until someone signs out or the session locks,
// and signing in again. All fields are touched on the UI goroutine only.
type session struct {
	win  fyne.Window
	opts Options
	log  *slog.Logger
	do   func(func())

	lib    *app.Library
	who    app.Principal // the signed-in user; Name "" while nobody is
	view   *libraryView
	review *reviewScreen
	redact *redactScreen // the redaction editor, while shown

	// area holds whatever the window shows and reports pointer activity.
	area *activityArea
	// idleAfter, when > 0, replaces the store's idle lock time (tests);
	// idleTick is how often idleness is checked.
	idleAfter time.Duration
	idleTick  time.Duration
	idle      *idleWatch
	idleLimit time.Duration // the idle lock time of this sign-in
	idleStop  chan struct{} // closed to stop the idle ticker
	lastFocus focusSig
	// signingOut is closed when a sign-out's background work has ended.
	signingOut chan struct{}
	// retentionEvery is how often the retention sweep runs while someone
	// is signed in (app.RetentionInterval; 0: never, as in tests that
	// share a store); retention is the loop of this sign-in.
	retentionEvery time.Duration
	retention      *bgLoop[sweepReport]
	retentionLast  string // the last sweep, in words
	// frameChecks runs the background frame check while someone is signed
	// in (false in tests that share a store); frameLoop is this sign-in's.
	frameChecks bool
	frameLoop   *bgLoop[app.FrameCheckResult]

	// The form on screen before the library opens (for tests).
	lock       *lockForm
	create     *createForm
	signin     *signInForm
	firstAdmin *firstAdminForm
	status     *widget.Label // "Opening…" or an error sentence
	audit      *auditView    // the audit dialog opened last (tests)
	users      *usersView    // the users dialog opened last (tests)
	closed     bool
}

func newSession(win fyne.Window, opts Options) *session {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &session{win: win, opts: opts, log: log, do: fyne.Do, idleTick: time.Second, idle: newIdleWatch(),
		retentionEvery: app.RetentionInterval, frameChecks: true}
	s.area = newActivityArea(nil, s.idle.touch)
	if dc, ok := win.Canvas().(desktop.Canvas); ok {
		dc.SetOnKeyDown(func(*fyne.KeyEvent) { s.idle.touch() })
	}
	return s
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
	s.stopIdle()
	if done := s.stopFrameChecks(); done != nil {
		select {
		case <-done:
		case <-time.After(8 * time.Second):
			s.log.Warn("frame check still running")
		}
	}
	if done := s.stopRetention(); done != nil {
		select {
		case <-done:
		case <-time.After(8 * time.Second):
			s.log.Warn("retention sweep still running")
		}
	}
	if s.signingOut != nil {
		select {
		case <-s.signingOut:
		case <-time.After(8 * time.Second):
			s.log.Warn("sign-out still running")
		}
	}
	if s.review != nil {
		select {
		case <-s.review.close():
		case <-time.After(6 * time.Second): // Engine.Close gives up after 5 s
			s.log.Warn("review engine still closing")
		}
	}
	select {
	case <-s.closeRedaction():
	case <-time.After(6 * time.Second):
		s.log.Warn("redaction editor still closing")
	}
	if s.view != nil {
		s.view.close()
	}
	if s.lib != nil {
		if s.who.Name != "" {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := s.lib.SignOut(ctx, "window closed"); err != nil {
				s.log.Warn("sign out", "error", err)
			}
			cancel()
		}
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
			_ = lib.Close() // the window is closed: nobody to tell
		}
		return
	}
	switch {
	case err == nil:
		s.lib = lib
		s.afterOpen()
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

// setContent shows o in the window, inside the activity area.
func (s *session) setContent(o fyne.CanvasObject) {
	s.area.SetContent(o)
	if s.win.Content() != s.area {
		s.win.SetContent(s.area)
	}
}

// shown is what the window shows.
func (s *session) shown() fyne.CanvasObject { return s.area.Content() }

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
	s.clearForms()
	s.lock = f
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
	if c := s.shown(); c != nil {
		c.Refresh()
	}
}

// createForm offers to create a store in the folder, with its first
// administrator.
type createForm struct {
	usePass      *widget.Check
	pass         *widget.Entry
	confirm      *widget.Entry
	adminName    *widget.Entry
	adminPass    *widget.Entry
	adminConfirm *widget.Entry
	create       *widget.Button
	msg          *widget.Label
	act          *widget.Activity
}

func (s *session) showCreate() {
	f := &createForm{pass: widget.NewPasswordEntry(), confirm: widget.NewPasswordEntry(),
		adminName: widget.NewEntry(), adminPass: widget.NewPasswordEntry(), adminConfirm: widget.NewPasswordEntry(),
		msg: widget.NewLabel(""), act: widget.NewActivity()}
	s.clearForms()
	s.create = f
	f.pass.SetPlaceHolder("Passphrase")
	f.confirm.SetPlaceHolder("Passphrase again")
	f.adminName.SetPlaceHolder("Administrator's user name")
	f.adminName.SetText(s.opts.User)
	f.adminPass.SetPlaceHolder(fmt.Sprintf("Administrator's password (at least %d characters)", app.MinPasswordLength))
	f.adminConfirm.SetPlaceHolder("Password again")
	f.adminConfirm.OnSubmitted = func(string) { s.createStore(f) }
	f.msg.Wrapping = fyne.TextWrapWord
	f.msg.Importance = widget.DangerImportance
	f.msg.Hide()
	f.act.Hide()
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
	adminHead := widget.NewLabelWithStyle("First administrator", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	adminIntro := widget.NewLabel("Everyone signs in to use the store. The administrator adds the other users.")
	adminIntro.Wrapping = fyne.TextWrapWord
	f.create = widget.NewButtonWithIcon("Create store", theme.ContentAddIcon(), func() { s.createStore(f) })
	f.create.Importance = widget.HighImportance
	s.setContent(panel(theme.FolderNewIcon(), "Create a store here?", intro, f.usePass, f.pass, f.confirm,
		widget.NewSeparator(), adminHead, adminIntro, f.adminName, f.adminPass, f.adminConfirm, f.msg,
		container.NewHBox(layout.NewSpacer(), f.act, f.create)))
}

// checkNewAccount checks a new account's name and password pair before
// anything is done with them; it returns a sentence, or "" when they will do.
func checkNewAccount(name, pass, again string) string {
	switch {
	case strings.TrimSpace(name) == "":
		return "Choose a user name."
	case len(pass) < app.MinPasswordLength:
		return fmt.Sprintf("A password needs at least %d characters.", app.MinPasswordLength)
	case pass != again:
		return "The two passwords differ; type them again."
	}
	return ""
}

func (s *session) createStore(f *createForm) {
	if !f.create.Visible() || f.create.Disabled() {
		return
	}
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
	if msg := checkNewAccount(f.adminName.Text, f.adminPass.Text, f.adminConfirm.Text); msg != "" {
		s.say(f.msg, msg)
		return
	}
	name, pw := f.adminName.Text, []byte(f.adminPass.Text)
	f.msg.Hide()
	f.create.Disable()
	f.act.Show()
	f.act.Start()
	k := app.KeySource{Passphrase: pass, NoKeyring: s.opts.NoKeyring}
	dir := s.opts.StoreDir
	go func() {
		lib, err := app.Create(dir, k, s.log)
		var who app.Principal
		var adminErr error
		if err == nil {
			// Argon2id hashing and the first sign-in: off the UI goroutine.
			who, adminErr = lib.CreateFirstAdmin(context.Background(), name, pw, "gui")
			clear(pw)
		}
		s.do(func() {
			if s.closed {
				if lib != nil {
					_ = lib.Close() // the window is closed: nobody to tell
				}
				return
			}
			f.act.Stop()
			f.act.Hide()
			if err != nil {
				s.log.Error("create store", "dir", dir, "error", err)
				f.create.Enable()
				s.say(f.msg, createMessage(err, pass != nil))
				return
			}
			s.lib = lib
			if adminErr != nil {
				// The store exists; its first administrator is still to come.
				s.log.Warn("create the first administrator", "error", adminErr)
				s.showFirstAdmin(name, "The store was created, but not its administrator: "+formMessage(adminErr))
				return
			}
			s.signedIn(who)
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

// showLibrary shows a new library view for the signed-in user.
func (s *session) showLibrary() {
	s.clearForms()
	v := newLibraryView(s.lib, s.win, s.log)
	v.do = s.do
	v.touch = s.idle.touch
	s.view = v
	v.accountSlot.Objects = s.accountBar(nil)
	v.onReview = s.showReview
	v.onAudit = s.showAudit
	if s.retentionLast != "" {
		v.sweepLbl.SetText(s.retentionLast)
	}
	s.setContent(v.content)
	s.win.SetTitle(windowTitle(s.opts.StoreDir))
	s.win.SetMainMenu(s.mainMenu(v))
	s.win.SetOnDropped(v.dropped)
	v.start()
	if id := s.opts.ReviewID; id != "" {
		s.opts.ReviewID = ""
		s.showReview(id)
	}
}

// showReview swaps the review screen of recording id in; its Back button
// and Escape return to the library.
func (s *session) showReview(id string) {
	if s.closed || s.lib == nil || s.who.Name == "" {
		return
	}
	if s.review != nil {
		s.review.close()
	}
	s.closeRedaction()
	r := newReviewScreen(s.lib, s.win, id, s.log, s.showLibraryAgain)
	r.do = s.do
	r.onRedact = s.showRedaction
	r.touch = s.idle.touch
	r.notify = func(msg string) {
		if s.view != nil {
			s.view.flash(msg)
		}
	}
	r.accountSlot.Objects = s.accountBar(&id)
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
	s.view.reload() // decisions and marks change statuses and deletion dates
}
