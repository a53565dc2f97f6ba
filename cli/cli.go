// Package cli is exhibit's command line: the global flags, a table of
// commands, and one file per command group (ingest.go, list.go,
// review.go, users.go, audit.go, retention.go, ...). main.go only calls
// Main with the process's streams, environment and GUI launcher, so the
// whole command line is tested in process (cli's tests), and a few tests
// run the real binary end to end (the root package's).
//
// # Adding a command
//
// Write the command in one file: a function that declares the command's
// own flags on the flag set it is given and returns what to check before
// anything is opened and what to run:
//
//	func frobFlags(fs *flag.FlagSet) action {
//		asJSON := fs.Bool("json", false, "JSON output")
//		return action{
//			check: exactlyArgs(1, "exhibit frob: name one recording id"),
//			run: func(ctx context.Context, s *session, args []string) error {
//				r, err := s.lib.Frob(ctx, args[0]) // s.lib: opened and signed in by Main
//				if err != nil {
//					return err // printed as a sentence, exit 3
//				}
//				return s.printf("%s frobbed\n", r.ID)
//			},
//		}
//	}
//
// and add one row to the table in commands.go:
//
//	{name: "frob", args: "[--json] ID", help: "frob a recording", access: accessSignedIn, flags: frobFlags},
//
// Main parses the command's flags (a flag set per command: `user list
// --role x` is refused), runs check, opens the store as access says
// (accessNone, accessStore, accessSignedIn), runs the command, closes the store and maps the
// returned error to an exit code. The help text (`exhibit help`, a group's
// usage such as `exhibit user`) is generated from the table.
//
// # Output rules
//
//   - Standard output carries results only: one line per item, or with
//     --json one JSON object per line (or one object for single results).
//     Lines and JSON fields are contracts that scripts and tests rely on:
//     add, never change or remove.
//   - Standard error carries everything for a person: "exhibit: " and one
//     sentence (app.UserMessage, plus the CLI's own advice, plus the
//     technical detail in brackets), prompts, warnings, and progress (only
//     when standard error is a terminal).
//   - Every write to standard output is checked (s.printf, s.json,
//     s.flush): a result that could not be written (a full disk, a closed
//     pipe) fails the command.
//   - Exit codes, decided in one place (exitCode): 0 done; 1 done but
//     something was rejected or failed verification (errFailed, after the
//     results were printed); 2 usage error (usageError; nothing was opened);
//     3 the command could not run (any other error: locked store, refused
//     permission, I/O error, ...); 130 interrupted (Ctrl-C, SIGTERM),
//     including at a password prompt.
//   - Prompts read from the terminal only; scripts use EXHIBIT_USER,
//     EXHIBIT_PASSWORD, EXHIBIT_PASSPHRASE, --passphrase-file and
//     --password-stdin.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"exhibit/app"
	"exhibit/ui"
)

// Exit codes (see the output rules in the package doc).
const (
	exitOK          = 0
	exitFailed      = 1 // something was rejected or failed verification
	exitUsage       = 2
	exitAborted     = 3 // the command could not run (store locked, I/O error, ...)
	exitInterrupted = 130
)

// Env is what the command line runs with: the process's standard streams,
// its environment, its signals and the GUI. The zero value of a field
// means the process's own (os.Stdin, os.Getenv, ...).
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// LookupEnv reads an environment variable (os.LookupEnv when nil).
	LookupEnv func(string) (string, bool)
	// GUI opens the window and runs until it is closed (ui.Run when nil).
	GUI func(ui.Options) error
	// Interrupt, when not nil, is closed to interrupt the command as
	// Ctrl-C does; Main also listens for SIGINT and SIGTERM.
	Interrupt <-chan struct{}
}

func (e *Env) defaults() {
	if e.Stdin == nil {
		e.Stdin = os.Stdin
	}
	if e.Stdout == nil {
		e.Stdout = os.Stdout
	}
	if e.Stderr == nil {
		e.Stderr = os.Stderr
	}
	if e.LookupEnv == nil {
		e.LookupEnv = os.LookupEnv
	}
	if e.GUI == nil {
		e.GUI = ui.Run
	}
}

// getenv returns an environment variable, "" when unset.
func (e *Env) getenv(k string) string {
	v, _ := e.LookupEnv(k)
	return v
}

// access says what a command needs opened before it runs.
type access int

const (
	accessNone     access = iota // nothing: the command opens what it needs (init, testmedia, review)
	accessStore                  // the store, nobody signed in (user add signs in itself when the store has users)
	accessSignedIn               // the store, and the user signed in (--user / EXHIBIT_USER, password asked or EXHIBIT_PASSWORD)
)

// action is what a command's flags function returns.
type action struct {
	// check validates the arguments (and flags) before anything is
	// opened; it returns a usageError. nil accepts anything.
	check func(args []string) error
	// run does the command; s.lib is open as the command's access says.
	run func(ctx context.Context, s *session, args []string) error
}

// command is one row of the table.
type command struct {
	name    string   // "list", or "group sub" such as "user add"
	aliases []string // other names of the last word: "ls"
	args    string   // shown after the name in the help
	help    string   // one line; further lines after "\n"
	access  access
	flags   func(fs *flag.FlagSet) action
}

// usageError is a command line that cannot be run; msg (when not empty)
// is printed to standard error as is. Exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a usageError printing the formatted line.
func usagef(format string, a ...any) error {
	return &usageError{msg: fmt.Sprintf(format, a...)}
}

// errUsageShown: flag parsing already printed what is wrong.
var errUsageShown = &usageError{}

// errFailed: the command ran and printed its results, and some were
// rejected or failed. Exit code 1.
var errFailed = errors.New("some results failed")

// errInterrupted: Ctrl-C or SIGTERM. Exit code 130.
var errInterrupted = errors.New("interrupted")

// exactlyArgs is a check accepting n positional arguments; msg is printed
// otherwise.
func exactlyArgs(n int, msg string) func([]string) error {
	return func(args []string) error {
		if len(args) != n {
			return &usageError{msg: msg}
		}
		return nil
	}
}

// Main runs the command line args (without the program name) and returns
// the exit code.
func Main(args []string, env Env) int {
	env.defaults()
	s := &session{env: &env, stdin: env.Stdin, stderr: env.Stderr, out: &stickyWriter{w: env.Stdout}}
	g := flag.NewFlagSet("exhibit", flag.ContinueOnError)
	g.SetOutput(env.Stderr)
	g.Usage = func() { s.warnf("%s", usageText()) }
	g.StringVar(&s.storeDir, "store", "", "store folder")
	g.StringVar(&s.passFile, "passphrase-file", "", "file holding the store passphrase")
	g.BoolVar(&s.noKeyring, "no-keyring", env.getenv("EXHIBIT_NO_KEYRING") == "1", "do not use the OS keyring")
	g.StringVar(&s.user, "user", env.getenv("EXHIBIT_USER"), "sign in as this user")
	var verbose bool
	g.BoolVar(&verbose, "verbose", false, "log detail")
	g.BoolVar(&verbose, "v", false, "log detail")
	if err := g.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelDebug
	}
	s.log = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level}))
	if s.storeDir == "" {
		s.storeDir = env.getenv("EXHIBIT_STORE")
	}
	// verify-bundle needs no store (not even a home folder to find one in).
	if s.storeDir == "" && !(len(g.Args()) > 0 && g.Args()[0] == "verify-bundle") {
		d, err := app.DefaultStoreDir()
		if err != nil {
			return s.exitCode(err)
		}
		s.storeDir = d
	}
	rest := g.Args()
	if len(rest) == 0 {
		return s.exitCode(s.runGUI(""))
	}
	if h := rest[0]; h == "help" || h == "-h" || h == "--help" {
		if err := s.printf("%s", usageText()); err != nil {
			return s.exitCode(err)
		}
		return exitOK
	}
	cmd, cargs, err := lookup(rest)
	if err != nil {
		return s.exitCode(err)
	}
	s.cmd = rest[0]

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if env.Interrupt != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		go func() {
			select {
			case <-env.Interrupt:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	s.ctx = ctx
	return s.exitCode(s.runCommand(ctx, cmd, cargs))
}

// runCommand parses cmd's flags, checks its arguments, opens what its
// access needs, runs it and closes the store.
func (s *session) runCommand(ctx context.Context, cmd *command, args []string) (err error) {
	fs := flag.NewFlagSet("exhibit "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(s.stderr)
	fs.Usage = func() {
		s.warnf("usage: exhibit %s %s\n", cmd.name, cmd.args)
		fs.PrintDefaults()
	}
	act := cmd.flags(fs)
	pos, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil // `exhibit CMD -h`: the usage was asked for, and printed
	}
	if err != nil {
		return errUsageShown
	}
	if act.check != nil {
		if err := act.check(pos); err != nil {
			return err
		}
	}
	switch cmd.access {
	case accessStore:
		s.lib, err = s.openStore()
	case accessSignedIn:
		s.lib, err = s.open()
	}
	if err != nil {
		return err
	}
	defer func() {
		if s.lib == nil {
			return
		}
		if cerr := s.lib.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close the store: %w", cerr)
		}
		s.lib = nil
	}()
	return act.run(ctx, s, pos)
}

// lookup finds the command args name: "group sub" before "group", aliases
// included. A group named without a known subcommand is a usage error
// that prints the group's usage.
func lookup(args []string) (*command, []string, error) {
	first := args[0]
	if len(args) > 1 {
		if c := find(first, args[1]); c != nil {
			return c, args[2:], nil
		}
	}
	if c := find(first, ""); c != nil {
		return c, args[1:], nil
	}
	group := canonical(first)
	if u := groupUsage(group); u != "" && find(group, "") == nil {
		if len(args) == 1 {
			return nil, nil, &usageError{msg: u}
		}
		return nil, nil, usagef("exhibit %s: unknown subcommand %q\n%s", group, args[1], u)
	}
	return nil, nil, usagef("exhibit: unknown command %q (try `exhibit help`)\n", first)
}

// canonical returns the table's name for a first word typed as an alias.
func canonical(word string) string {
	for _, c := range commands {
		first, _, _ := strings.Cut(c.name, " ")
		if first == word {
			return first
		}
		if !strings.Contains(c.name, " ") {
			for _, a := range c.aliases {
				if a == word {
					return first
				}
			}
		}
	}
	for alias, name := range groupAliases {
		if alias == word {
			return name
		}
	}
	return word
}

// find returns the command named first [sub], or nil.
func find(first, sub string) *command {
	first = canonical(first)
	for _, c := range commands {
		g, last, grouped := strings.Cut(c.name, " ")
		switch {
		case sub == "" && !grouped && g == first:
			return c
		case sub != "" && grouped && g == first:
			if last == sub {
				return c
			}
			for _, a := range c.aliases {
				if a == sub {
					return c
				}
			}
		}
	}
	return nil
}

// groupUsage is the usage of the commands named group and "group ...",
// or "" when there are none.
func groupUsage(group string) string {
	var b strings.Builder
	for _, c := range commands {
		if g, _, _ := strings.Cut(c.name, " "); g == group {
			fmt.Fprintf(&b, "  exhibit %s %s\n", c.name, c.args)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "usage:\n" + b.String()
}

// usageText is `exhibit help`, generated from the table.
func usageText() string {
	var b strings.Builder
	b.WriteString(`Exhibit: review station for body-worn video evidence.

Usage:
  exhibit [global flags]                 open the GUI on the store
  exhibit [global flags] COMMAND [flags] [args]

Commands:
`)
	for _, c := range commands {
		use := c.name
		if len(c.aliases) > 0 && !strings.Contains(c.name, " ") {
			use += " (" + strings.Join(c.aliases, ", ") + ")"
		}
		if c.args != "" {
			use += " " + c.args
		}
		lines := strings.Split(c.help, "\n")
		if len(use) <= 28 {
			fmt.Fprintf(&b, "  %-28s  %s\n", use, lines[0])
		} else {
			fmt.Fprintf(&b, "  %s\n  %-28s  %s\n", use, "", lines[0])
		}
		for _, l := range lines[1:] {
			fmt.Fprintf(&b, "  %-28s  %s\n", "", l)
		}
	}
	b.WriteString(`  help                          this text

Global flags (before the command):
  --store DIR            store folder (default $EXHIBIT_STORE or ~/.local/share/exhibit)
  --passphrase-file F    read the store passphrase from F (or set EXHIBIT_PASSPHRASE)
  --no-keyring           do not use the OS keyring (or set EXHIBIT_NO_KEYRING=1)
  --user NAME            sign in as NAME (or set EXHIBIT_USER); the password is asked
                         on the terminal, or read from EXHIBIT_PASSWORD
  -v, --verbose          log progress detail to stderr

IDs may be typed in any case, and shortened to any unique prefix.
Exit codes: 0 done, 1 something was rejected or failed verification, 2 usage,
3 the command could not run, 130 interrupted.
`)
	return b.String()
}

// parseInterleaved parses flags that may come after positional arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// exitCode prints what err says and returns the process's exit code: the
// one place errors become exit codes.
func (s *session) exitCode(err error) int {
	if err == nil {
		if werr := s.out.err; werr != nil {
			return s.exitCode(werr)
		}
		return exitOK
	}
	var ue *usageError
	switch {
	case errors.As(err, &ue):
		if ue.msg != "" {
			s.warnf("%s", ue.msg)
			if !strings.HasSuffix(ue.msg, "\n") {
				s.warnf("\n")
			}
		}
		return exitUsage
	case errors.Is(err, errInterrupted), s.ctx != nil && s.ctx.Err() != nil && errors.Is(err, context.Canceled):
		s.warnf("exhibit: interrupted\n")
		return exitInterrupted
	case errors.Is(err, errFailed):
		if werr := s.out.err; werr != nil {
			return s.exitCode(werr)
		}
		return exitFailed
	}
	s.fail(err)
	return exitAborted
}

// fail prints err as a sentence, with the command line's own advice.
func (s *session) fail(err error) {
	s.log.Debug("command failed", "error", err)
	msg := app.UserMessage(err)
	if a := advice(err); a != "" {
		msg += " " + a
	}
	var perm *app.PermissionError
	if m := app.UserMessage(err); m != err.Error() && !strings.Contains(m, err.Error()) && !errors.As(err, &perm) {
		// The detail in brackets, unless the sentence already says it all
		// (a refusal: "Your role (Administrator) may not annotate.").
		s.warnf("exhibit: %s\n  (%v)\n", msg, err)
	} else {
		s.warnf("exhibit: %s\n", msg)
	}
}

// advice is what the command line adds to app.UserMessage: how to do it
// from a shell (the GUI has its own forms for these).
func advice(err error) string {
	switch {
	case app.IsNoKey(err):
		return "From a script: set EXHIBIT_PASSPHRASE, or use --passphrase-file FILE."
	case app.IsToolMissing(err):
		return "Install the ffmpeg package (`make run` installs what is missing)."
	case errors.Is(err, app.ErrNoUsers):
		return "Create it with: exhibit user add NAME --role admin"
	}
	return ""
}
