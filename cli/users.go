package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"exhibit/app"
)

// user add, list, disable, enable, passwd: accounts.

// newAccount returns the name and password for the first administrator:
// from --user / EXHIBIT_USER and EXHIBIT_PASSWORD, else asked twice on the
// terminal.
func (s *session) newAccount(purpose string) (string, []byte, error) {
	name, pw, err := s.credentialsNew(purpose)
	if err != nil {
		return "", nil, err
	}
	if len(pw) < app.MinPasswordLength {
		return "", nil, fmt.Errorf("%s: a password needs at least %d characters", purpose, app.MinPasswordLength)
	}
	return name, pw, nil
}

func (s *session) credentialsNew(purpose string) (string, []byte, error) {
	name := s.user
	_, tty := s.terminal()
	if name == "" {
		if !tty {
			return "", nil, fmt.Errorf("%s: set EXHIBIT_USER and EXHIBIT_PASSWORD, or run on a terminal", purpose)
		}
		s.warnf("User name for %s: ", purpose)
		line, err := s.readLine()
		if err != nil {
			return "", nil, err
		}
		name = line
	}
	if pw := s.envPassword(); pw != nil {
		return name, pw, nil
	}
	if !tty {
		return "", nil, fmt.Errorf("%s: no password (set EXHIBIT_PASSWORD or run on a terminal)", purpose)
	}
	pw, err := s.newPassword("Password for " + name + ": ")
	return name, pw, err
}

// newPassword asks for a new password twice on the terminal.
func (s *session) newPassword(label string) ([]byte, error) {
	pw, err := s.prompt(label)
	if err != nil {
		return nil, err
	}
	again, err := s.prompt("Same password again: ")
	if err != nil {
		return nil, err
	}
	if string(again) != string(pw) {
		return nil, errors.New("the passwords differ; nothing was changed")
	}
	return pw, nil
}

// passwordFromStdin reads one line from stdin as a password.
func (s *session) passwordFromStdin() ([]byte, error) {
	line, err := bufio.NewReader(s.stdin).ReadString('\n')
	if err != nil && line == "" {
		return nil, errors.New("--password-stdin: nothing on standard input")
	}
	return []byte(strings.TrimRight(line, "\r\n")), nil
}

// newUserPassword returns the new password of account who: from stdin
// with --password-stdin, else asked twice on the terminal.
func (s *session) newUserPassword(who string, fromStdin bool) ([]byte, error) {
	if fromStdin {
		return s.passwordFromStdin()
	}
	if _, tty := s.terminal(); !tty {
		return nil, errors.New("no terminal to ask for the new password: use --password-stdin")
	}
	return s.newPassword("New password for " + who + ": ")
}

func userAddFlags(fs *flag.FlagSet) action {
	role := fs.String("role", "", "role of the new user")
	stdinPW := fs.Bool("password-stdin", false, "read the new password from the first line of standard input")
	var r app.Role
	return action{
		check: func(names []string) error {
			if len(names) != 1 {
				return &usageError{msg: groupUsage("user")}
			}
			var err error
			if r, err = app.ParseRole(*role); err != nil {
				return usagef("exhibit user add: %v", err)
			}
			return nil
		},
		run: func(ctx context.Context, s *session, names []string) error {
			return runUserAdd(ctx, s, names[0], r, *stdinPW)
		},
	}
}

func runUserAdd(ctx context.Context, s *session, name string, r app.Role, stdinPW bool) error {
	lib := s.lib
	has, err := lib.HasUsers(ctx)
	if err != nil {
		return err
	}
	if !has {
		// A store made before accounts existed: its key holder creates
		// the first administrator.
		if r != app.RoleAdmin {
			return errors.New("this store has no users yet: the first one must be an administrator (--role admin)")
		}
		pw, err := s.newUserPassword(name, stdinPW)
		if err != nil {
			return err
		}
		if _, err := lib.CreateFirstAdmin(ctx, name, pw, "cli user add"); err != nil {
			return err
		}
		return s.printf("Added %s as the first administrator\n", strings.ToLower(name))
	}
	if err := s.signIn(lib); err != nil {
		return err
	}
	if !lib.Can(app.PermUsers) {
		return lib.AddUser(ctx, name, r, nil) // audited refusal
	}
	pw, err := s.newUserPassword(name, stdinPW)
	if err != nil {
		return err
	}
	if err := lib.AddUser(ctx, name, r, pw); err != nil {
		return err
	}
	return s.printf("Added %s as %s\n", strings.ToLower(name), r.Title())
}

func userListFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "JSON output")
	return action{
		check: func(names []string) error {
			if len(names) != 0 {
				return &usageError{msg: groupUsage("user")}
			}
			return nil
		},
		run: func(ctx context.Context, s *session, _ []string) error {
			return runUserList(ctx, s, *asJSON)
		},
	}
}

func runUserList(ctx context.Context, s *session, asJSON bool) error {
	users, err := s.lib.Users(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		for _, u := range users {
			j := map[string]any{"name": u.Name, "role": u.Role, "role_title": app.Role(u.Role).Title(),
				"disabled": u.Disabled, "created_at": u.CreatedAt}
			if u.LockedUntil.After(time.Now()) {
				j["locked_until"] = u.LockedUntil
			}
			if err := s.json(j); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tSTATE\tCREATED")
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, app.Role(u.Role).Title(), app.UserState(u, time.Now()), u.CreatedAt.Local().Format("2006-01-02"))
	}
	return s.flush(tw)
}

func userDisableFlags(disable bool) func(*flag.FlagSet) action {
	verb := "enable"
	if disable {
		verb = "disable"
	}
	return func(fs *flag.FlagSet) action {
		return action{
			check: func(names []string) error {
				if len(names) != 1 {
					return &usageError{msg: groupUsage("user")}
				}
				return nil
			},
			run: func(ctx context.Context, s *session, names []string) error {
				if err := s.lib.SetUserDisabled(ctx, names[0], disable); err != nil {
					return err
				}
				return s.printf("%s %sd\n", strings.ToLower(names[0]), verb)
			},
		}
	}
}

func userPasswdFlags(fs *flag.FlagSet) action {
	stdinPW := fs.Bool("password-stdin", false, "read the new password from the first line of standard input")
	return action{
		check: func(names []string) error {
			if len(names) > 1 {
				return &usageError{msg: groupUsage("user")}
			}
			return nil
		},
		run: func(ctx context.Context, s *session, names []string) error {
			lib := s.lib
			who, _ := lib.Who()
			target := who.Name
			if len(names) == 1 {
				target = names[0]
			}
			if !strings.EqualFold(target, who.Name) && !lib.Can(app.PermUsers) {
				return lib.SetPassword(ctx, target, nil) // audited refusal
			}
			pw, err := s.newUserPassword(target, *stdinPW)
			if err != nil {
				return err
			}
			if err := lib.SetPassword(ctx, target, pw); err != nil {
				return err
			}
			return s.printf("Password of %s changed\n", strings.ToLower(target))
		},
	}
}

func userUnlockFlags(fs *flag.FlagSet) action {
	return action{
		check: exactlyArgs(1, groupUsage("user")),
		run: func(ctx context.Context, s *session, names []string) error {
			if err := s.lib.UnlockUser(ctx, names[0]); err != nil {
				return err
			}
			return s.printf("%s unlocked\n", strings.ToLower(names[0]))
		},
	}
}

func userRoleFlags(fs *flag.FlagSet) action {
	var r app.Role
	return action{
		check: func(args []string) error {
			if len(args) != 2 {
				return &usageError{msg: groupUsage("user")}
			}
			var err error
			if r, err = app.ParseRole(args[1]); err != nil {
				return usagef("exhibit user role: %v", err)
			}
			return nil
		},
		run: func(ctx context.Context, s *session, args []string) error {
			if err := s.lib.SetUserRole(ctx, args[0], r); err != nil {
				return err
			}
			return s.printf("%s is %s\n", strings.ToLower(args[0]), r.Title())
		},
	}
}

func userRolesFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "JSON output")
	return action{
		check: exactlyArgs(0, groupUsage("user")),
		run: func(ctx context.Context, s *session, _ []string) error {
			if *asJSON {
				for _, r := range app.Roles {
					if err := s.json(map[string]string{"role": string(r), "title": r.Title(), "may": r.Description()}); err != nil {
						return err
					}
				}
				return nil
			}
			tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ROLE\tKEYWORD\tMAY")
			for _, r := range app.Roles {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Title(), r, r.Description())
			}
			return s.flush(tw)
		},
	}
}
