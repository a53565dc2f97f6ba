package ui

import (
	"context"
	"log/slog"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"exhibit/app"
)

// usersAPI is what the users dialog needs from the library; *app.Library
// provides it.
type usersAPI interface {
	Users(ctx context.Context) ([]*app.User, error)
	AddUser(ctx context.Context, name string, role app.Role, pw []byte) error
	SetUserDisabled(ctx context.Context, name string, disabled bool) error
	SetPassword(ctx context.Context, name string, pw []byte) error
	UnlockUser(ctx context.Context, name string) error
	SetUserRole(ctx context.Context, name string, role app.Role) error
	IdleLock(ctx context.Context) time.Duration
	SetIdleLock(ctx context.Context, d time.Duration) error
}

var _ usersAPI = (*app.Library)(nil)

var userColumns = []struct {
	title string
	width float32
}{{"User", 160}, {"Role", 200}, {"State", 260}, {"Created", 230}}

// usersView is the administrator's dialog: the accounts, adding one,
// disabling and enabling, resetting a password, and the idle lock time.
// Its fields are touched on the UI goroutine only.
type usersView struct {
	api  usersAPI
	win  fyne.Window
	do   func(func())
	log  *slog.Logger
	wrap func(fyne.CanvasObject) fyne.CanvasObject
	now  func() time.Time

	ctx    context.Context
	cancel context.CancelFunc

	users    []*app.User
	selected int
	loading  bool

	content    fyne.CanvasObject
	table      *widget.Table
	addBtn     *widget.Button
	disableBtn *widget.Button
	passwdBtn  *widget.Button
	unlockBtn  *widget.Button
	roleBtn    *widget.Button
	idleSel    *widget.Select
	msg        *widget.Label
	dlg        dialog.Dialog
	// form is the add-user or password form on screen (tests).
	form *accountForm
	// roleForm is the change-of-role form on screen (tests).
	roleForm *roleForm
	// confirmDlg is the confirmation on screen (tests).
	confirmDlg dialog.Dialog
}

func newUsersView(api usersAPI, win fyne.Window, do func(func()), log *slog.Logger, wrap func(fyne.CanvasObject) fyne.CanvasObject) *usersView {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	v := &usersView{api: api, win: win, do: do, log: log, wrap: wrap, now: time.Now, selected: -1}
	v.ctx, v.cancel = context.WithCancel(context.Background())
	v.build()
	return v
}

func (v *usersView) build() {
	v.table = &widget.Table{
		Length: func() (int, int) { return len(v.users), len(userColumns) },
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
			if id.Col >= 0 && id.Col < len(userColumns) {
				o.(*widget.Label).SetText(userColumns[id.Col].title)
			}
		},
		OnSelected: func(id widget.TableCellID) { v.selectRow(id.Row) },
	}
	v.table.ExtendBaseWidget(v.table)
	for i, c := range userColumns {
		v.table.SetColumnWidth(i, c.width)
	}
	v.addBtn = widget.NewButtonWithIcon("Add user…", theme.ContentAddIcon(), v.showAdd)
	v.addBtn.Importance = widget.HighImportance
	v.disableBtn = widget.NewButtonWithIcon("Disable", theme.CancelIcon(), v.toggleDisabled)
	v.passwdBtn = widget.NewButtonWithIcon("Reset password…", theme.ViewRefreshIcon(), v.showPassword)
	v.unlockBtn = widget.NewButtonWithIcon("Unlock", theme.LoginIcon(), v.unlock)
	v.roleBtn = widget.NewButtonWithIcon("Change role…", theme.AccountIcon(), v.showRole)
	v.disableBtn.Disable()
	v.passwdBtn.Disable()
	v.unlockBtn.Disable()
	v.roleBtn.Disable()
	v.msg = widget.NewLabel("")
	v.msg.Wrapping = fyne.TextWrapWord
	v.msg.Hide()
	v.idleSel = widget.NewSelect(nil, nil)
	v.idleSel.Disable()
	actions := container.NewHBox(v.addBtn, v.roleBtn, v.unlockBtn, v.disableBtn, v.passwdBtn)
	idle := container.NewHBox(widget.NewLabel("Lock an idle session after"),
		container.NewGridWrap(fyne.NewSize(150, v.idleSel.MinSize().Height), v.idleSel))
	v.content = container.NewBorder(container.NewVBox(container.NewBorder(nil, nil, actions, idle), v.msg), nil, nil, nil, v.table)
}

func (v *usersView) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row < 0 || id.Row >= len(v.users) {
		l.SetText("")
		return
	}
	u := v.users[id.Row]
	l.TextStyle.Bold = id.Row == v.selected
	l.Importance = widget.MediumImportance
	switch id.Col {
	case 0:
		l.SetText(u.Name)
	case 1:
		l.SetText(app.Role(u.Role).Title())
	case 2:
		if u.Disabled || u.LockedUntil.After(v.now()) {
			l.Importance = widget.DangerImportance
		}
		l.SetText(app.UserState(u, v.now()))
	case 3:
		l.SetText(formatWhenSeconds(u.CreatedAt))
	}
}

// show opens the dialog over the window and loads the users.
func (v *usersView) show() {
	content := v.content
	if v.wrap != nil {
		content = v.wrap(content)
	}
	v.dlg = dialog.NewCustom("Users", "Close", content, v.win)
	v.dlg.SetOnClosed(v.cancel)
	v.dlg.Resize(fyne.NewSize(960, 560))
	v.dlg.Show()
	v.reload()
	go func() {
		d := v.api.IdleLock(v.ctx)
		v.do(func() { v.setIdleOptions(d) })
	}()
}

func (v *usersView) setIdleOptions(d time.Duration) {
	names, sel := idleChoiceNames(d)
	v.idleSel.OnChanged = nil
	v.idleSel.SetOptions(names)
	v.idleSel.SetSelected(sel)
	v.idleSel.OnChanged = v.idleChanged
	v.idleSel.Enable()
}

func (v *usersView) idleChanged(name string) {
	d, err := parseIdleChoice(name)
	if err != nil {
		return
	}
	v.run(func(ctx context.Context) error { return v.api.SetIdleLock(ctx, d) },
		"Idle sessions will lock after "+idleWords(d)+" (from the next sign-in).", false)
}

// say shows a sentence above the table.
func (v *usersView) say(msg string, isErr bool) {
	v.msg.Importance = widget.SuccessImportance
	if isErr {
		v.msg.Importance = widget.DangerImportance
	}
	v.msg.SetText(msg)
	v.msg.Show()
}

// reload lists the users again, off the UI goroutine.
func (v *usersView) reload() {
	v.loading = true
	go func() {
		users, err := v.api.Users(v.ctx)
		if v.ctx.Err() != nil {
			return
		}
		v.do(func() {
			v.loading = false
			if err != nil {
				v.log.Error("list users", "error", err)
				v.say("Could not list the users: "+formMessage(err), true)
				return
			}
			name := ""
			if v.selected >= 0 && v.selected < len(v.users) {
				name = v.users[v.selected].Name
			}
			v.users = users
			v.selected = -1
			for i, u := range users {
				if u.Name == name {
					v.selected = i
				}
			}
			v.selectRow(v.selected)
		})
	}()
}

// run does f in the background; on success it says ok and lists again.
func (v *usersView) run(f func(ctx context.Context) error, ok string, reload bool) {
	go func() {
		err := f(v.ctx)
		if v.ctx.Err() != nil {
			return
		}
		v.do(func() {
			if err != nil {
				v.log.Warn("users", "error", err)
				v.say(formMessage(err), true)
				return
			}
			v.say(ok, false)
			if reload {
				v.reload()
			}
		})
	}()
}

func (v *usersView) selectRow(row int) {
	if row < 0 || row >= len(v.users) {
		v.selected = -1
		v.disableBtn.Disable()
		v.passwdBtn.Disable()
		v.unlockBtn.Disable()
		v.roleBtn.Disable()
		v.table.Refresh()
		return
	}
	v.selected = row
	u := v.users[row]
	if u.Disabled {
		v.disableBtn.SetText("Enable")
		v.disableBtn.SetIcon(theme.ConfirmIcon())
	} else {
		v.disableBtn.SetText("Disable")
		v.disableBtn.SetIcon(theme.CancelIcon())
	}
	v.disableBtn.Enable()
	v.passwdBtn.Enable()
	v.roleBtn.Enable()
	// Unlock is offered while the account is locked out or counts failures.
	if !u.Disabled && (u.LockedUntil.After(v.now()) || u.Failures > 0) {
		v.unlockBtn.Enable()
	} else {
		v.unlockBtn.Disable()
	}
	v.table.Refresh()
}

func (v *usersView) selectedUser() *app.User {
	if v.selected < 0 || v.selected >= len(v.users) {
		return nil
	}
	return v.users[v.selected]
}

// toggleDisabled disables the selected account, or enables it again (which
// also ends a lockout).
func (v *usersView) toggleDisabled() {
	u := v.selectedUser()
	if u == nil {
		return
	}
	name, disable := u.Name, !u.Disabled
	ok := name + " is enabled again and may sign in."
	if disable {
		ok = name + " is disabled and can no longer sign in."
	}
	v.run(func(ctx context.Context) error { return v.api.SetUserDisabled(ctx, name, disable) }, ok, true)
}

// accountForm is the add-user or reset-password form.
type accountForm struct {
	name    *widget.Entry
	role    *widget.Select
	pass    *widget.Entry
	confirm *widget.Entry
	submit  *widget.Button
	msg     *widget.Label
	act     *widget.Activity
	dlg     dialog.Dialog
	// roleInfo says what the chosen role may do.
	roleInfo *widget.Label
	// confirmAdmin reports whether the form makes an administrator, which
	// is asked about before it is done.
	confirmAdmin   func() bool
	adminConfirmed bool
}

// showAdd asks for a new account: name, role and password twice.
func (v *usersView) showAdd() {
	var roles []string
	for _, r := range app.Roles {
		roles = append(roles, r.Title())
	}
	f := v.newAccountForm(true)
	f.roleInfo = roleDescription()
	f.role = widget.NewSelect(roles, func(title string) { f.roleInfo.SetText(roleByTitle(title).Description()) })
	f.role.SetSelected(app.Roles[0].Title())
	f.confirmAdmin = func() bool { return roleByTitle(f.role.Selected) == app.RoleAdmin }
	items := container.New(layout.NewFormLayout(),
		widget.NewLabel("User name"), f.name,
		widget.NewLabel("Role"), container.NewVBox(f.role, f.roleInfo),
		widget.NewLabel("Password"), f.pass,
		widget.NewLabel("Again"), f.confirm)
	v.openForm(f, "Add a user", "Add", items, func() (func(ctx context.Context) error, string) {
		role := roleByTitle(f.role.Selected)
		name, pw := f.name.Text, []byte(f.pass.Text)
		return func(ctx context.Context) error {
			defer clear(pw)
			return v.api.AddUser(ctx, name, role, pw)
		}, name + " can now sign in as " + role.Title() + "."
	})
}

// showPassword sets a new password for the selected account.
func (v *usersView) showPassword() {
	u := v.selectedUser()
	if u == nil {
		return
	}
	f := v.newAccountForm(false)
	f.name.SetText(u.Name)
	items := container.New(layout.NewFormLayout(),
		widget.NewLabel("New password"), f.pass,
		widget.NewLabel("Again"), f.confirm)
	v.openForm(f, "New password for "+u.Name, "Set password", items, func() (func(ctx context.Context) error, string) {
		name, pw := u.Name, []byte(f.pass.Text)
		return func(ctx context.Context) error {
			defer clear(pw)
			return v.api.SetPassword(ctx, name, pw)
		}, "The password of " + name + " has been changed."
	})
}

func (v *usersView) newAccountForm(withName bool) *accountForm {
	f := &accountForm{name: widget.NewEntry(), pass: widget.NewPasswordEntry(), confirm: widget.NewPasswordEntry(),
		msg: widget.NewLabel(""), act: widget.NewActivity()}
	if withName {
		f.name.SetPlaceHolder("letters, digits, . - _")
	}
	f.pass.SetPlaceHolder("At least 8 characters")
	f.msg.Wrapping = fyne.TextWrapWord
	f.msg.Importance = widget.DangerImportance
	f.msg.Hide()
	f.act.Hide()
	return f
}

// openForm shows f in a dialog that stays open until its request has
// succeeded; request reads the form and returns the work and what to say
// after it.
func (v *usersView) openForm(f *accountForm, title, verb string, items fyne.CanvasObject,
	request func() (func(ctx context.Context) error, string)) {
	v.form = f
	var submit func()
	cancel := widget.NewButton("Cancel", func() { f.dlg.Hide() })
	f.submit = widget.NewButtonWithIcon(verb, theme.ConfirmIcon(), func() { submit() })
	f.submit.Importance = widget.HighImportance
	f.confirm.OnSubmitted = func(string) { submit() }
	submit = func() {
		if f.submit.Disabled() {
			return
		}
		if m := checkNewAccount(f.name.Text, f.pass.Text, f.confirm.Text); m != "" {
			f.msg.SetText(m)
			f.msg.Show()
			return
		}
		if f.confirmAdmin != nil && f.confirmAdmin() && !f.adminConfirmed {
			v.confirmAdministrator(f.name.Text, func() {
				f.adminConfirmed = true
				submit()
			})
			return
		}
		f.adminConfirmed = false
		work, ok := request()
		f.msg.Hide()
		formBusy(true, f.act, f.submit, f.name, f.pass, f.confirm)
		go func() {
			err := work(v.ctx)
			if v.ctx.Err() != nil {
				return
			}
			v.do(func() {
				formBusy(false, f.act, f.submit, f.name, f.pass, f.confirm)
				if err != nil {
					v.log.Warn(title, "error", err)
					f.msg.SetText(formMessage(err))
					f.msg.Show()
					return
				}
				f.dlg.Hide()
				v.say(ok, false)
				v.reload()
			})
		}()
	}
	body := container.NewVBox(items, f.msg, container.NewHBox(layout.NewSpacer(), f.act, cancel, f.submit))
	var content fyne.CanvasObject = container.New(&fixedWidth{w: 460}, body)
	if v.wrap != nil {
		content = v.wrap(content)
	}
	f.dlg = dialog.NewCustomWithoutButtons(title, content, v.win)
	f.dlg.Show()
	if f.role != nil {
		v.win.Canvas().Focus(f.name)
	} else {
		v.win.Canvas().Focus(f.pass)
	}
}

// showUsers opens the users dialog (administrators).
func (s *session) showUsers() {
	if s.closed || !s.who.Role.Can(app.PermUsers) {
		return
	}
	v := newUsersView(s.lib, s.win, s.do, s.log, s.wrapActivity)
	s.users = v
	v.show()
}

// roleByTitle is the role shown as title ("" when none is).
func roleByTitle(title string) app.Role {
	for _, r := range app.Roles {
		if r.Title() == title {
			return r
		}
	}
	return ""
}

// roleDescription is the label under a role choice saying what it may do.
func roleDescription() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.LowImportance
	return l
}

// confirmAdministrator asks before an account becomes an administrator.
func (v *usersView) confirmAdministrator(name string, yes func()) {
	text := widget.NewLabel(name + " will be an administrator: they may manage every account (including yours), " +
		"change retention and run deletions, and place and release legal holds. Make " + name + " an administrator?")
	text.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("Make an administrator?", "Make administrator", "Cancel", text, func(ok bool) {
		v.confirmDlg = nil
		if ok {
			yes()
		}
	}, v.win)
	d.Resize(fyne.NewSize(480, 220))
	v.confirmDlg = d
	d.Show()
}

// unlock ends the selected account's lockout (audited as an unlock).
func (v *usersView) unlock() {
	u := v.selectedUser()
	if u == nil {
		return
	}
	name := u.Name
	v.run(func(ctx context.Context) error { return v.api.UnlockUser(ctx, name) },
		name+" is unlocked and may sign in again.", true)
}

// roleForm is the change-of-role form.
type roleForm struct {
	role  *widget.Select
	info  *widget.Label
	apply *widget.Button
	dlg   dialog.Dialog
}

// showRole changes the selected account's role; every role says what it
// may do, and making an administrator is asked about.
func (v *usersView) showRole() {
	u := v.selectedUser()
	if u == nil {
		return
	}
	name, old := u.Name, app.Role(u.Role)
	f := &roleForm{info: roleDescription()}
	var titles []string
	for _, r := range app.Roles {
		titles = append(titles, r.Title())
	}
	f.role = widget.NewSelect(titles, func(title string) {
		f.info.SetText(roleByTitle(title).Description())
		if roleByTitle(title) == old {
			f.apply.Disable()
		} else {
			f.apply.Enable()
		}
	})
	cancel := widget.NewButton("Cancel", func() { f.dlg.Hide() })
	f.apply = widget.NewButtonWithIcon("Change role", theme.ConfirmIcon(), func() {
		role := roleByTitle(f.role.Selected)
		if role == "" || role == old {
			return
		}
		do := func() {
			f.dlg.Hide()
			v.run(func(ctx context.Context) error { return v.api.SetUserRole(ctx, name, role) },
				name+" is now "+role.Title()+".", true)
		}
		if role == app.RoleAdmin {
			v.confirmAdministrator(name, do)
			return
		}
		do()
	})
	f.apply.Importance = widget.HighImportance
	f.role.SetSelected(old.Title())
	body := container.NewVBox(
		widget.NewLabel(name+" is "+old.Title()+" now."),
		container.New(layout.NewFormLayout(), widget.NewLabel("New role"), container.NewVBox(f.role, f.info)),
		container.NewHBox(layout.NewSpacer(), cancel, f.apply))
	var content fyne.CanvasObject = container.New(&fixedWidth{w: 460}, body)
	if v.wrap != nil {
		content = v.wrap(content)
	}
	f.dlg = dialog.NewCustomWithoutButtons("Role of "+name, content, v.win)
	v.roleForm = f
	f.dlg.Show()
}
