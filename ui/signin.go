package ui

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// The sign-in flow. Once the store is open the session finds out whether
// it has users (none: the first administrator is created), signs in with
// Options.User and Options.Password when both are given, and otherwise
// shows the sign-in screen. Password checks (Argon2id, and the throttle
// after failures) take a while, so they run off the UI goroutine and the
// form shows it is busy; the answer comes back through s.do.

// signInForm asks for a user name and password.
type signInForm struct {
	name   *widget.Entry
	pass   *widget.Entry
	submit *widget.Button
	msg    *widget.Label
	act    *widget.Activity
}

// firstAdminForm creates the first administrator of a store without users.
type firstAdminForm struct {
	name    *widget.Entry
	pass    *widget.Entry
	confirm *widget.Entry
	submit  *widget.Button
	msg     *widget.Label
	act     *widget.Activity
}

// clearForms forgets the forms of screens no longer shown.
func (s *session) clearForms() {
	s.lock, s.create, s.signin, s.firstAdmin = nil, nil, nil, nil
}

// afterOpen runs once the store is open: off the UI goroutine it asks
// whether the store has users and, when Options.User and Options.Password
// are both set, signs in with them (once: signing out later shows the
// sign-in screen).
func (s *session) afterOpen() {
	lib := s.lib
	name, pw := s.opts.User, s.opts.Password
	s.opts.Password = nil
	go func() {
		ctx := context.Background()
		has, err := lib.HasUsers(ctx)
		var who app.Principal
		var signErr error
		tried := err == nil && has && name != "" && len(pw) > 0
		if tried {
			who, signErr = lib.SignIn(ctx, name, pw, "gui")
		}
		clear(pw)
		s.do(func() {
			if s.closed {
				return
			}
			switch {
			case err != nil:
				s.log.Error("read the store's users", "error", err)
				s.lib = nil
				_ = lib.Close() // failure path: err is shown
				s.showFailure("Exhibit could not read the users of the store in "+s.opts.StoreDir+".", app.UserMessage(err))
			case !has:
				s.showFirstAdmin(name, "")
			case tried && signErr == nil:
				s.signedIn(who)
			case tried:
				s.log.Info("sign-in refused", "error", signErr)
				s.showSignIn(name, app.UserMessage(signErr), true)
			default:
				s.showSignIn(name, "", false)
			}
		})
	}()
}

// showSignIn shows the sign-in screen with the name filled in and a
// message (isErr: why the last attempt failed; else a notice such as the
// idle lock's).
func (s *session) showSignIn(name, msg string, isErr bool) {
	s.clearForms()
	f := &signInForm{name: widget.NewEntry(), pass: widget.NewPasswordEntry(), msg: widget.NewLabel(msg), act: widget.NewActivity()}
	s.signin = f
	s.win.SetMainMenu(nil)
	s.win.SetOnDropped(nil)
	f.name.SetPlaceHolder("User name")
	f.name.SetText(name)
	f.pass.SetPlaceHolder("Password")
	f.msg.Wrapping = fyne.TextWrapWord
	f.msg.Importance = widget.MediumImportance
	if isErr {
		f.msg.Importance = widget.DangerImportance
	}
	if msg == "" {
		f.msg.Hide()
	}
	f.act.Hide()
	f.name.OnSubmitted = func(string) {
		if f.pass.Text == "" {
			s.win.Canvas().Focus(f.pass)
			return
		}
		s.signIn(f)
	}
	f.pass.OnSubmitted = func(string) { s.signIn(f) }
	f.submit = widget.NewButtonWithIcon("Sign in", theme.LoginIcon(), func() { s.signIn(f) })
	f.submit.Importance = widget.HighImportance
	intro := widget.NewLabel("Sign in to use the footage in this store. What you do is recorded in its audit trail.")
	intro.Wrapping = fyne.TextWrapWord
	where := widget.NewLabel(s.opts.StoreDir)
	where.TextStyle.Monospace = true
	where.Truncation = fyne.TextTruncateEllipsis
	s.setContent(panel(theme.AccountIcon(), "Sign in", intro, where, f.name, f.pass, f.msg,
		container.NewHBox(layout.NewSpacer(), f.act, f.submit)))
	if f.name.Text == "" {
		s.win.Canvas().Focus(f.name)
	} else {
		s.win.Canvas().Focus(f.pass)
	}
}

// formBusy shows that a form's request is running, or has ended.
func formBusy(on bool, act *widget.Activity, button *widget.Button, entries ...*widget.Entry) {
	for _, e := range entries {
		if on {
			e.Disable()
		} else {
			e.Enable()
		}
	}
	if on {
		button.Disable()
		act.Show()
		act.Start()
	} else {
		button.Enable()
		act.Stop()
		act.Hide()
	}
}

// signIn checks the form's name and password in the background.
func (s *session) signIn(f *signInForm) {
	if f.submit.Disabled() {
		return // already checking
	}
	f.msg.Importance = widget.DangerImportance
	name := strings.TrimSpace(f.name.Text)
	switch {
	case name == "":
		s.say(f.msg, "Type your user name.")
		s.win.Canvas().Focus(f.name)
		return
	case f.pass.Text == "":
		s.say(f.msg, "Type your password.")
		s.win.Canvas().Focus(f.pass)
		return
	}
	pw := []byte(f.pass.Text)
	f.msg.Hide()
	formBusy(true, f.act, f.submit, f.name, f.pass)
	lib := s.lib
	go func() {
		who, err := lib.SignIn(context.Background(), name, pw, "gui")
		clear(pw)
		s.do(func() {
			if s.closed || s.signin != f {
				return
			}
			formBusy(false, f.act, f.submit, f.name, f.pass)
			switch {
			case err == nil:
				s.signedIn(who)
			case errors.Is(err, app.ErrNoUsers):
				s.showFirstAdmin(name, "")
			default:
				s.log.Info("sign-in refused", "error", err)
				f.pass.SetText("")
				s.say(f.msg, app.UserMessage(err))
				s.win.Canvas().Focus(f.pass)
			}
		})
	}()
}

// showFirstAdmin asks for the first administrator of a store that has no
// users yet.
func (s *session) showFirstAdmin(name, msg string) {
	s.clearForms()
	f := &firstAdminForm{name: widget.NewEntry(), pass: widget.NewPasswordEntry(), confirm: widget.NewPasswordEntry(),
		msg: widget.NewLabel(msg), act: widget.NewActivity()}
	s.firstAdmin = f
	s.win.SetMainMenu(nil)
	f.name.SetPlaceHolder("User name")
	f.name.SetText(name)
	f.pass.SetPlaceHolder("Password (at least 8 characters)")
	f.confirm.SetPlaceHolder("Password again")
	f.msg.Wrapping = fyne.TextWrapWord
	f.msg.Importance = widget.DangerImportance
	if msg == "" {
		f.msg.Hide()
	}
	f.act.Hide()
	f.confirm.OnSubmitted = func(string) { s.createFirstAdmin(f) }
	f.submit = widget.NewButtonWithIcon("Create administrator", theme.ContentAddIcon(), func() { s.createFirstAdmin(f) })
	f.submit.Importance = widget.HighImportance
	intro := widget.NewLabel("This store has no user accounts yet. Everyone signs in to use it. " +
		"Create the first administrator here; they add the other users.")
	intro.Wrapping = fyne.TextWrapWord
	s.setContent(panel(theme.AccountIcon(), "Create the first administrator", intro, f.name, f.pass, f.confirm, f.msg,
		container.NewHBox(layout.NewSpacer(), f.act, f.submit)))
	s.win.Canvas().Focus(f.name)
}

func (s *session) createFirstAdmin(f *firstAdminForm) {
	if f.submit.Disabled() {
		return
	}
	if msg := checkNewAccount(f.name.Text, f.pass.Text, f.confirm.Text); msg != "" {
		s.say(f.msg, msg)
		return
	}
	name, pw := f.name.Text, []byte(f.pass.Text)
	f.msg.Hide()
	formBusy(true, f.act, f.submit, f.name, f.pass, f.confirm)
	lib := s.lib
	go func() {
		who, err := lib.CreateFirstAdmin(context.Background(), name, pw, "gui")
		clear(pw)
		s.do(func() {
			if s.closed || s.firstAdmin != f {
				return
			}
			formBusy(false, f.act, f.submit, f.name, f.pass, f.confirm)
			if err != nil {
				s.log.Warn("create the first administrator", "error", err)
				s.say(f.msg, formMessage(err))
				return
			}
			s.signedIn(who)
		})
	}()
}

// signedIn shows the library for the user who has just signed in and
// starts watching for idleness.
func (s *session) signedIn(who app.Principal) {
	s.who = who
	s.log.Info("signed in", "role", who.Role)
	s.showLibrary()
	s.startIdle()
	s.startRetention()
	s.startFrameChecks()
}

// accountBar builds the signed-in user's part of a toolbar: the audit
// trail (of recording *recID when given), Users for administrators, who is
// signed in, and Sign out.
func (s *session) accountBar(recID *string) []fyne.CanvasObject {
	var objs []fyne.CanvasObject
	if recID != nil {
		id := *recID
		objs = append(objs, widget.NewButtonWithIcon("Audit trail", theme.ListIcon(), func() { s.showAudit(id) }))
	} else {
		objs = append(objs, widget.NewButtonWithIcon("Audit trail", theme.ListIcon(), func() { s.showAudit("") }))
	}
	if s.who.Role.Can(app.PermUsers) {
		objs = append(objs, widget.NewButtonWithIcon("Users", theme.AccountIcon(), s.showUsers))
	}
	who := widget.NewLabelWithStyle(whoText(s.who), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	out := widget.NewButtonWithIcon("Sign out", theme.LogoutIcon(), s.signOutNow)
	out.Importance = widget.LowImportance
	return append(objs, widget.NewSeparator(), widget.NewIcon(theme.AccountIcon()), who, out)
}

// whoText names the signed-in user and their role.
func whoText(p app.Principal) string { return p.Name + " · " + p.Role.Title() }

// mainMenu is the window menu while v is shown: v's menus and Account.
func (s *session) mainMenu(v *libraryView) *fyne.MainMenu {
	m := v.mainMenu()
	who := fyne.NewMenuItem("Signed in as "+whoText(s.who), nil)
	who.Disabled = true
	items := []*fyne.MenuItem{who, fyne.NewMenuItemSeparator(), fyne.NewMenuItem("Audit trail…", func() { s.showAudit("") })}
	if s.who.Role.Can(app.PermUsers) {
		items = append(items, fyne.NewMenuItem("Users…", s.showUsers))
	}
	items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem("Sign out", s.signOutNow))
	m.Items = append(m.Items, fyne.NewMenu("Account", items...))
	return m
}

// signOutNow signs the user out at their request.
func (s *session) signOutNow() { s.signOut("signed out", "You have signed out.") }

// signOut closes the review and the library (stopping their background
// work, imports and the dock watch included), records reason in the audit
// trail and shows the sign-in screen with the name filled in and msg.
// The store stays open.
func (s *session) signOut(reason, msg string) {
	if s.closed || s.who.Name == "" {
		return
	}
	name := s.who.Name
	s.who = app.Principal{}
	s.stopIdle()
	retDone := s.stopRetention()
	frameDone := s.stopFrameChecks()
	s.dismissOverlays()
	if s.audit != nil {
		s.audit.close()
		s.audit = nil
	}
	if s.users != nil {
		s.users.cancel()
		s.users = nil
	}
	var waits []<-chan struct{}
	if retDone != nil {
		waits = append(waits, retDone)
	}
	if frameDone != nil {
		waits = append(waits, frameDone)
	}
	if s.review != nil {
		waits = append(waits, s.review.close())
		s.review = nil
	}
	waits = append(waits, s.closeRedaction())
	if s.view != nil {
		waits = append(waits, s.view.shutdown())
		s.view = nil
	}
	s.win.SetMainMenu(nil)
	s.win.SetOnDropped(nil)
	s.win.SetTitle(windowTitle(s.opts.StoreDir))
	s.showBusy("Signing out…")
	done := make(chan struct{})
	s.signingOut = done
	lib := s.lib
	go func() {
		defer close(done)
		for _, w := range waits {
			select {
			case <-w:
			case <-time.After(6 * time.Second): // Engine.Close gives up after 5 s
				s.log.Warn("still closing after sign-out")
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := lib.SignOut(ctx, reason)
		cancel()
		s.do(func() {
			if s.closed {
				return
			}
			if err != nil {
				s.log.Error("sign out", "error", err)
			}
			s.showSignIn(name, msg, false)
		})
	}()
}

// dismissOverlays closes dialogs and pop-ups over the window.
func (s *session) dismissOverlays() {
	ov := s.win.Canvas().Overlays()
	for o := ov.Top(); o != nil; o = ov.Top() {
		o.Hide()
		if ov.Top() == o {
			ov.Remove(o)
		}
	}
}

// startIdle starts the idle lock for the signed-in user: a ticker checks
// once per idleTick on the UI goroutine and locks after the store's idle
// lock time (or idleAfter) without activity.
func (s *session) startIdle() {
	s.stopIdle()
	stop := make(chan struct{})
	s.idleStop = stop
	s.idle.touch()
	s.lastFocus = focusSignature(s.win.Canvas())
	lib, limit, tick := s.lib, s.idleAfter, s.idleTick
	go func() {
		if limit <= 0 {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			limit = lib.IdleLock(ctx)
			cancel()
		}
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				s.do(func() { s.checkIdle(stop, limit) })
			}
		}
	}()
}

// stopIdle stops the idle ticker.
func (s *session) stopIdle() {
	if s.idleStop != nil {
		close(s.idleStop)
		s.idleStop = nil
	}
}

// checkIdle notices typing in the focused entry and playback, and locks
// the session once it has been idle for limit.
func (s *session) checkIdle(ticker chan struct{}, limit time.Duration) {
	if s.closed || s.idleStop != ticker || s.who.Name == "" {
		return
	}
	s.idleLimit = limit
	if sig := focusSignature(s.win.Canvas()); sig != s.lastFocus {
		s.lastFocus = sig
		s.idle.touch()
	}
	if s.review != nil && s.review.isPlaying || s.redact != nil && s.redact.isPlaying {
		s.idle.touch()
	}
	if s.idle.idleFor(time.Now()) >= limit {
		s.log.Info("idle lock", "after", limit)
		s.signOut("idle lock", "Locked after "+idleWords(limit)+" idle. Sign in again to continue.")
	}
}

// formMessage is app.UserMessage as a sentence: capital first, full stop
// last (some errors from app are lower-case fragments).
func formMessage(err error) string {
	m := strings.TrimSpace(app.UserMessage(err))
	if m == "" {
		return m
	}
	r, n := utf8.DecodeRuneInString(m)
	m = string(unicode.ToUpper(r)) + m[n:]
	if !strings.HasSuffix(m, ".") {
		m += "."
	}
	return m
}
