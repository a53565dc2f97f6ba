package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/term"

	"exhibit/app"
	"exhibit/ui"
)

// session is one run of the command line: the global flags, the streams,
// and the library its command's access opened.
type session struct {
	env       *Env
	stdin     io.Reader
	stderr    io.Writer
	out       *stickyWriter // standard output; its first write error fails the command
	storeDir  string
	passFile  string
	noKeyring bool
	user      string
	cmd       string // the command's first word as typed (the audit trail's "via cli CMD")
	log       *slog.Logger
	ctx       context.Context

	lib *app.Library // open while the command runs when its access is store or signedIn
}

// stickyWriter remembers the first write error; later writes are dropped.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (w *stickyWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.w.Write(p)
	if err != nil {
		w.err = fmt.Errorf("write the output: %w", err)
	}
	return n, err
}

// printf writes a result to standard output.
func (s *session) printf(format string, a ...any) error {
	if _, err := fmt.Fprintf(s.out, format, a...); err != nil {
		return s.out.err
	}
	return nil
}

// json writes v as one JSON line to standard output.
func (s *session) json(v any) error {
	if err := json.NewEncoder(s.out).Encode(v); err != nil {
		if s.out.err != nil {
			return s.out.err
		}
		return fmt.Errorf("encode the output: %w", err)
	}
	return nil
}

// flusher is a buffered writer (bufio, tabwriter).
type flusher interface{ Flush() error }

// flush flushes a buffered writer over standard output.
func (s *session) flush(f flusher) error {
	if err := f.Flush(); err != nil {
		if s.out.err != nil {
			return s.out.err
		}
		return fmt.Errorf("write the output: %w", err)
	}
	return nil
}

// warnf writes a message for the person at the terminal to standard
// error. A message that cannot be written has nowhere else to go, so its
// error is dropped on purpose.
func (s *session) warnf(format string, a ...any) {
	_, _ = fmt.Fprintf(s.stderr, format, a...)
}

// passphrase returns the passphrase from --passphrase-file or
// EXHIBIT_PASSPHRASE, or nil when neither is set.
func (s *session) passphrase() ([]byte, error) {
	if s.passFile != "" {
		b, err := os.ReadFile(s.passFile)
		if err != nil {
			return nil, fmt.Errorf("read passphrase file: %w", err)
		}
		p := strings.TrimRight(string(b), "\r\n")
		if p == "" {
			return nil, fmt.Errorf("passphrase file %s is empty", s.passFile)
		}
		return []byte(p), nil
	}
	if p, ok := s.env.LookupEnv("EXHIBIT_PASSPHRASE"); ok && p != "" {
		return []byte(p), nil
	}
	return nil, nil
}

func (s *session) keySource() (app.KeySource, error) {
	p, err := s.passphrase()
	return app.KeySource{Passphrase: p, NoKeyring: s.noKeyring}, err
}

// envPassword returns EXHIBIT_PASSWORD, or nil when it is unset or empty.
func (s *session) envPassword() []byte {
	if pw := s.env.getenv("EXHIBIT_PASSWORD"); pw != "" {
		return []byte(pw)
	}
	return nil
}

// terminal returns the file descriptor of stdin when it is a terminal.
func (s *session) terminal() (int, bool) {
	f, ok := s.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	return int(f.Fd()), true
}

// prompt asks for a secret on the terminal, without echo. Ctrl-C (or
// SIGTERM) ends it at once with errInterrupted, the terminal restored.
func (s *session) prompt(label string) ([]byte, error) {
	fd, ok := s.terminal()
	if !ok {
		return nil, errors.New("no terminal to ask for a passphrase")
	}
	s.warnf("%s", label)
	p, err := readPassword(s.context(), fd)
	s.warnf("\n")
	return p, err
}

// context is the command's context (Background before one exists).
func (s *session) context() context.Context {
	if s.ctx == nil {
		return context.Background()
	}
	return s.ctx
}

// readPassword reads a line from the terminal fd without echo, and gives
// up at once when ctx ends (Ctrl-C: the terminal is in its cooked mode
// with ISIG, so the signal reaches us, but term.ReadPassword itself would
// go on waiting for Enter). The terminal's state is restored either way;
// the abandoned read ends with the process (or with the next line typed).
func readPassword(ctx context.Context, fd int) ([]byte, error) {
	old, err := term.GetState(fd)
	if err != nil {
		return nil, err
	}
	type result struct {
		p   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		p, err := term.ReadPassword(fd)
		done <- result{p, err}
	}()
	select {
	case r := <-done:
		return r.p, r.err
	case <-ctx.Done():
		if rerr := term.Restore(fd, old); rerr != nil {
			return nil, fmt.Errorf("%w (and the terminal could not be restored: %v)", errInterrupted, rerr)
		}
		return nil, errInterrupted
	}
}

// readLine reads one line from stdin (a user name typed at the terminal).
func (s *session) readLine() (string, error) {
	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(s.stdin).ReadString('\n')
		done <- result{line, err}
	}()
	select {
	case r := <-done:
		if r.err != nil && r.line == "" {
			return "", r.err
		}
		return strings.TrimSpace(r.line), nil
	case <-s.context().Done():
		return "", errInterrupted
	}
}

// open opens the library, asking for the passphrase on a terminal when the
// keyring cannot supply the key, and signs the user in.
func (s *session) open() (*app.Library, error) {
	lib, err := s.openStore()
	if err != nil {
		return nil, err
	}
	if err := s.signIn(lib); err != nil {
		if cerr := lib.Close(); cerr != nil {
			s.log.Debug("close after a failed sign-in", "error", cerr)
		}
		return nil, err
	}
	return lib, nil
}

// credentials returns the user name and password from --user /
// EXHIBIT_USER and EXHIBIT_PASSWORD, asking on the terminal for what is
// missing.
func (s *session) credentials(purpose string) (string, []byte, error) {
	name := s.user
	if name == "" {
		if _, tty := s.terminal(); !tty {
			return "", nil, errors.New(purpose + ": name a user with --user NAME or EXHIBIT_USER")
		}
		s.warnf("User name: ")
		line, err := s.readLine()
		if err != nil {
			return "", nil, err
		}
		name = line
	}
	if pw := s.envPassword(); pw != nil {
		return name, pw, nil
	}
	if _, tty := s.terminal(); !tty {
		return "", nil, errors.New(purpose + ": no password (set EXHIBIT_PASSWORD or run on a terminal)")
	}
	pw, err := s.prompt("Password for " + name + ": ")
	return name, pw, err
}

func (s *session) signIn(lib *app.Library) error {
	ctx := s.context()
	if ok, err := lib.HasUsers(ctx); err != nil {
		return err
	} else if !ok {
		return app.ErrNoUsers
	}
	name, pw, err := s.credentials("sign in")
	if err != nil {
		return err
	}
	_, err = lib.SignIn(ctx, name, pw, "cli "+s.cmd)
	return err
}

// openStore opens the library without signing in.
func (s *session) openStore() (*app.Library, error) {
	ks, err := s.keySource()
	if err != nil {
		return nil, err
	}
	lib, err := app.Open(s.storeDir, ks, s.log)
	if err != nil && app.IsLocked(err) && ks.Passphrase == nil {
		if _, tty := s.terminal(); tty {
			p, perr := s.prompt("Store passphrase: ")
			if perr != nil {
				return nil, perr
			}
			ks.Passphrase = p
			lib, err = app.Open(s.storeDir, ks, s.log)
		}
	}
	return lib, err
}

// runGUI opens the window on the store, and on recording reviewID when set.
func (s *session) runGUI(reviewID string) error {
	ks, err := s.keySource()
	if err != nil {
		return err
	}
	opt := ui.Options{StoreDir: s.storeDir, Passphrase: ks.Passphrase, NoKeyring: ks.NoKeyring,
		Log: s.log, ReviewID: reviewID, User: s.user}
	if pw := s.envPassword(); pw != nil && s.user != "" {
		opt.Password = pw
	}
	return s.env.GUI(opt)
}

// stderrTerminal returns stderr when it is a terminal (for progress lines).
func (s *session) stderrTerminal() (*os.File, bool) {
	f, ok := s.stderr.(*os.File)
	return f, ok && term.IsTerminal(int(f.Fd()))
}

// progressLine returns a "label N of M" progress callback drawing on the
// terminal, or nil when stderr is not one.
func (s *session) progressLine(label string) func(done, total int) {
	if _, ok := s.stderrTerminal(); !ok {
		return nil
	}
	return func(done, total int) {
		if done >= total {
			s.warnf("\r\033[K")
			return
		}
		s.warnf("\r\033[K%s %d of %d", label, done+1, total)
	}
}

// writeJSON writes v as one JSON line to w (a buffer over standard
// output: s.flush reports what the buffer could not write).
func writeJSON(w io.Writer, v any) error {
	if err := json.NewEncoder(w).Encode(v); err != nil {
		return fmt.Errorf("write the output: %w", err)
	}
	return nil
}
