package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"exhibit/app"
	"exhibit/app/media"
	"exhibit/store"
	"exhibit/ui"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1 // something was rejected or failed verification
	exitUsage   = 2
	exitAborted = 3 // the command could not run (store locked, I/O error, ...)
)

const usageText = `Exhibit: review station for body-worn video evidence.

Usage:
  exhibit [global flags]                 open the GUI on the store
  exhibit [global flags] COMMAND [flags] [args]

Commands:
  init                          create a store (key in the OS keyring and/or wrapped by a passphrase)
                                and its first administrator
  ingest [--json] [--remove-source] PATH...
                                import video files and folders (a docked camera's volume)
  list [--json] [--officer S] [--status S] [--from D] [--to D]
                                list recordings, newest first
  show [--json] ID              show one recording
  verify [--json] [ID...]       decrypt and re-hash masters, re-count frames; exit 1 on any failure
  review ID                     open the GUI on that recording, paused at frame 0
  still ID (--frame N | --time SECONDS) -o OUT.png [--caption]
                                render one exact frame at source resolution (PNG text
                                chunks carry id, master SHA-256, frame, PTS, wall clock)
  clip ID --from N --to M [--lossless] [--overlay] [-o OUT.mp4]
                                clip master frames N..M (inclusive; or --from-time/--to-time
                                seconds, or ANNOTATION_ID for a marked range): a court-playable
                                H.264/AAC MP4, or --lossless the master's own frames; kept
                                encrypted in the store as a derivative, checked by frame hashes
  clips ID [--json]             list a recording's clips (--json: recipe, frame hashes, frame map)
  restrict ID / unrestrict ID   make a recording visible only to professional standards (psd), or lift it
  mark ID --frame N [--to M] --category C [--note TEXT]
                                add a marker (or the range N..M); prints the annotation id
  marks ID [--json] [--history] list a recording's annotations (--history: every revision)
  unmark ANNOTATION_ID          delete an annotation (recorded; its history is kept)
  decide ID evidence|policing|nfa|refer-psd --reason TEXT
                                record a review decision (refer-psd restricts the recording)
  hold ID --reason TEXT / release ID [--reason TEXT]
                                place or lift a legal hold (suspends deletion)
  retention [--dry-run] [--json]
                                delete footage the retention policy says is due (or list it)
  retention policy | retention set [--category C] DAYS
                                show or change the retention periods (administrators)
  categories [--json] | categories set NAME...
                                list or replace the annotation categories
  user add NAME --role ROLE [--password-stdin]
                                add an account (roles: admin, sergeant, psd, viewer)
  user list [--json] | user disable NAME | user enable NAME | user passwd [NAME] [--password-stdin]
  audit [ID] [--json] [--user U] [--action A] [--limit N]
                                list audit entries (all, or about one recording)
  audit verify [--json]         recompute the audit trail's Merkle tree and check every signed checkpoint
  audit checkpoint [--json]     print the newest signed checkpoint (a signed note)
  audit prove SEQ [--json]      print an RFC 6962 inclusion proof of entry SEQ
  testmedia [--cameras N] [--minutes M] [--small] DIR
                                write a synthetic dock folder to try Exhibit with
  help                          this text

Global flags (before the command):
  --store DIR            store folder (default $EXHIBIT_STORE or ~/.local/share/exhibit)
  --passphrase-file F    read the store passphrase from F (or set EXHIBIT_PASSPHRASE)
  --no-keyring           do not use the OS keyring (or set EXHIBIT_NO_KEYRING=1)
  --user NAME            sign in as NAME (or set EXHIBIT_USER); the password is asked
                         on the terminal, or read from EXHIBIT_PASSWORD
  -v, --verbose          log progress detail to stderr

IDs may be typed in any case, and shortened to any unique prefix.
`

type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	storeDir       string
	passFile       string
	noKeyring      bool
	user           string
	cmd            string
	log            *slog.Logger
}

func runCLI(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
	g := flag.NewFlagSet("exhibit", flag.ContinueOnError)
	g.SetOutput(stderr)
	g.Usage = func() { fmt.Fprint(stderr, usageText) }
	g.StringVar(&c.storeDir, "store", "", "store folder")
	g.StringVar(&c.passFile, "passphrase-file", "", "file holding the store passphrase")
	g.BoolVar(&c.noKeyring, "no-keyring", os.Getenv("EXHIBIT_NO_KEYRING") == "1", "do not use the OS keyring")
	g.StringVar(&c.user, "user", os.Getenv("EXHIBIT_USER"), "sign in as this user")
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
	c.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if c.storeDir == "" {
		d, err := app.DefaultStoreDir()
		if err != nil {
			return c.fail(err)
		}
		c.storeDir = d
	}
	rest := g.Args()
	if len(rest) == 0 {
		return c.gui()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd, cargs := rest[0], rest[1:]
	c.cmd = cmd
	switch cmd {
	case "init":
		return c.cmdInit(cargs)
	case "ingest":
		return c.cmdIngest(ctx, cargs)
	case "list", "ls":
		return c.cmdList(ctx, cargs)
	case "show":
		return c.cmdShow(ctx, cargs)
	case "verify":
		return c.cmdVerify(ctx, cargs)
	case "testmedia":
		return c.cmdTestMedia(ctx, cargs)
	case "still":
		return c.cmdStill(ctx, cargs)
	case "clip":
		return c.cmdClip(ctx, cargs)
	case "clips":
		return c.cmdClips(ctx, cargs)
	case "review":
		return c.cmdReview(cargs)
	case "restrict", "unrestrict":
		return c.cmdRestrict(ctx, cmd == "restrict", cargs)
	case "user", "users":
		return c.cmdUser(ctx, cargs)
	case "audit":
		return c.cmdAudit(ctx, cargs)
	case "mark":
		return c.cmdMark(ctx, cargs)
	case "marks":
		return c.cmdMarks(ctx, cargs)
	case "unmark":
		return c.cmdUnmark(ctx, cargs)
	case "decide":
		return c.cmdDecide(ctx, cargs)
	case "hold", "release":
		return c.cmdHold(ctx, cmd == "hold", cargs)
	case "retention":
		return c.cmdRetention(ctx, cargs)
	case "categories":
		return c.cmdCategories(ctx, cargs)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usageText)
		return exitOK
	}
	fmt.Fprintf(stderr, "exhibit: unknown command %q (try `exhibit help`)\n", cmd)
	return exitUsage
}

// fail prints err as a sentence and returns the exit code for an aborted command.
func (c *cli) fail(err error) int {
	c.log.Debug("command failed", "error", err)
	msg := app.UserMessage(err)
	if msg != err.Error() && !strings.Contains(msg, err.Error()) {
		fmt.Fprintf(c.stderr, "exhibit: %s\n  (%v)\n", msg, err)
	} else {
		fmt.Fprintf(c.stderr, "exhibit: %s\n", msg)
	}
	return exitAborted
}

// passphrase returns the passphrase from --passphrase-file or
// EXHIBIT_PASSPHRASE, or nil when neither is set.
func (c *cli) passphrase() ([]byte, error) {
	if c.passFile != "" {
		b, err := os.ReadFile(c.passFile)
		if err != nil {
			return nil, fmt.Errorf("read passphrase file: %w", err)
		}
		p := strings.TrimRight(string(b), "\r\n")
		if p == "" {
			return nil, fmt.Errorf("passphrase file %s is empty", c.passFile)
		}
		return []byte(p), nil
	}
	if p, ok := os.LookupEnv("EXHIBIT_PASSPHRASE"); ok && p != "" {
		return []byte(p), nil
	}
	return nil, nil
}

func (c *cli) keySource() (app.KeySource, error) {
	p, err := c.passphrase()
	return app.KeySource{Passphrase: p, NoKeyring: c.noKeyring}, err
}

// terminal returns the file descriptor of stdin when it is a terminal.
func (c *cli) terminal() (int, bool) {
	f, ok := c.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	return int(f.Fd()), true
}

func (c *cli) prompt(label string) ([]byte, error) {
	fd, ok := c.terminal()
	if !ok {
		return nil, errors.New("no terminal to ask for a passphrase")
	}
	fmt.Fprint(c.stderr, label)
	p, err := term.ReadPassword(fd)
	fmt.Fprintln(c.stderr)
	return p, err
}

// open opens the library, asking for the passphrase on a terminal when the
// keyring cannot supply the key, and signs the user in.
func (c *cli) open() (*app.Library, error) {
	lib, err := c.openStore()
	if err != nil {
		return nil, err
	}
	if err := c.signIn(lib); err != nil {
		lib.Close()
		return nil, err
	}
	return lib, nil
}

// credentials returns the user name and password from --user /
// EXHIBIT_USER and EXHIBIT_PASSWORD, asking on the terminal for what is
// missing.
func (c *cli) credentials(purpose string) (string, []byte, error) {
	name := c.user
	if name == "" {
		if _, tty := c.terminal(); !tty {
			return "", nil, errors.New(purpose + ": name a user with --user NAME or EXHIBIT_USER")
		}
		fmt.Fprint(c.stderr, "User name: ")
		line, err := bufio.NewReader(c.stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", nil, err
		}
		name = strings.TrimSpace(line)
	}
	if pw, ok := os.LookupEnv("EXHIBIT_PASSWORD"); ok && pw != "" {
		return name, []byte(pw), nil
	}
	if _, tty := c.terminal(); !tty {
		return "", nil, errors.New(purpose + ": no password (set EXHIBIT_PASSWORD or run on a terminal)")
	}
	pw, err := c.prompt("Password for " + name + ": ")
	return name, pw, err
}

func (c *cli) signIn(lib *app.Library) error {
	if ok, err := lib.HasUsers(context.Background()); err != nil {
		return err
	} else if !ok {
		return app.ErrNoUsers
	}
	name, pw, err := c.credentials("sign in")
	if err != nil {
		return err
	}
	_, err = lib.SignIn(context.Background(), name, pw, "cli "+c.cmd)
	return err
}

// openStore opens the library without signing in.
func (c *cli) openStore() (*app.Library, error) {
	ks, err := c.keySource()
	if err != nil {
		return nil, err
	}
	lib, err := app.Open(c.storeDir, ks, c.log)
	if err != nil && app.IsLocked(err) && ks.Passphrase == nil {
		if _, tty := c.terminal(); tty {
			p, perr := c.prompt("Store passphrase: ")
			if perr != nil {
				return nil, perr
			}
			ks.Passphrase = p
			lib, err = app.Open(c.storeDir, ks, c.log)
		}
	}
	return lib, err
}

func (c *cli) gui() int { return c.runGUI("") }

// runGUI opens the window on the store, and on recording reviewID when set.
func (c *cli) runGUI(reviewID string) int {
	ks, err := c.keySource()
	if err != nil {
		return c.fail(err)
	}
	opt := ui.Options{StoreDir: c.storeDir, Passphrase: ks.Passphrase, NoKeyring: ks.NoKeyring,
		Log: c.log, ReviewID: reviewID, User: c.user}
	if pw := os.Getenv("EXHIBIT_PASSWORD"); pw != "" && c.user != "" {
		opt.Password = []byte(pw)
	}
	if err := ui.Run(opt); err != nil {
		return c.fail(err)
	}
	return exitOK
}

func (c *cli) cmdReview(args []string) int {
	fs := newFlags("review", c)
	ids, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(ids) != 1 {
		fmt.Fprintln(c.stderr, "exhibit review: name one recording id")
		return exitUsage
	}
	return c.runGUI(ids[0])
}

// stderrTerminal returns stderr when it is a terminal (for progress lines).
func (c *cli) stderrTerminal() (*os.File, bool) {
	f, ok := c.stderr.(*os.File)
	return f, ok && term.IsTerminal(int(f.Fd()))
}

// progressLine returns a "label N of M" progress callback drawing on the
// terminal, or nil when stderr is not one.
func (c *cli) progressLine(label string) func(done, total int) {
	f, ok := c.stderrTerminal()
	if !ok {
		return nil
	}
	return func(done, total int) {
		if done >= total {
			fmt.Fprint(f, "\r\033[K")
			return
		}
		fmt.Fprintf(f, "\r\033[K%s %d of %d", label, done+1, total)
	}
}

func newFlags(name string, c *cli) *flag.FlagSet {
	fs := flag.NewFlagSet("exhibit "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	return fs
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

func (c *cli) cmdInit(args []string) int {
	fs := newFlags("init", c)
	if _, err := parseInterleaved(fs, args); err != nil {
		return exitUsage
	}
	ks, err := c.keySource()
	if err != nil {
		return c.fail(err)
	}
	if _, err := os.Stat(filepath.Join(c.storeDir, "key.json")); err == nil {
		return c.fail(fmt.Errorf("%s: %w", c.storeDir, store.ErrExists))
	}
	admin, adminPW, err := c.newAccount("the first administrator")
	if err != nil {
		return c.fail(err)
	}
	if ks.Passphrase == nil {
		if _, tty := c.terminal(); tty {
			p, err := c.prompt("Passphrase to also protect the store key (empty: OS keyring only): ")
			if err != nil {
				return c.fail(err)
			}
			if len(p) > 0 {
				again, err := c.prompt("Same passphrase again: ")
				if err != nil {
					return c.fail(err)
				}
				if string(again) != string(p) {
					fmt.Fprintln(c.stderr, "exhibit: the passphrases differ; nothing was created")
					return exitAborted
				}
				ks.Passphrase = p
			}
		}
	}
	lib, err := app.Create(c.storeDir, ks, c.log)
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	if _, err := lib.CreateFirstAdmin(context.Background(), admin, adminPW, "cli init"); err != nil {
		return c.fail(fmt.Errorf("the store was created but its first administrator was not: %w "+
			"(create one with `exhibit user add NAME --role admin`)", err))
	}
	inKeyring, withPass, err := lib.Store().KeyProtection()
	if err != nil {
		return c.fail(err)
	}
	where := []string{}
	if inKeyring {
		where = append(where, "the OS keyring")
	}
	if withPass {
		where = append(where, "your passphrase")
	}
	fmt.Fprintf(c.stdout, "Created an Exhibit store in %s\nIts key is protected by %s.\nIts administrator is %s.\n",
		c.storeDir, strings.Join(where, " and "), strings.ToLower(admin))
	return exitOK
}

func (c *cli) cmdIngest(ctx context.Context, args []string) int {
	fs := newFlags("ingest", c)
	asJSON := fs.Bool("json", false, "one JSON object per file")
	remove := fs.Bool("remove-source", false, "delete each source once its stored copy is verified")
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(paths) == 0 {
		fmt.Fprintln(c.stderr, "exhibit ingest: name at least one file or folder")
		return exitUsage
	}
	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	opt := app.IngestOptions{RemoveSource: *remove}
	if f, ok := c.stderrTerminal(); ok {
		last := time.Time{}
		opt.Progress = func(p app.IngestProgress) {
			if time.Since(last) < 200*time.Millisecond && p.Stage != "done" {
				return
			}
			last = time.Now()
			fmt.Fprintf(f, "\r\033[K[%d/%d] %3.0f%% %s %s", p.FileIndex+1, p.FileCount, 100*p.Overall01, p.Stage, filepath.Base(p.File))
		}
	}
	results, err := lib.Ingest(ctx, paths, opt)
	if opt.Progress != nil {
		fmt.Fprint(c.stderr, "\r\033[K")
	}
	counts := map[string]int{}
	enc := json.NewEncoder(c.stdout)
	for _, r := range results {
		counts[r.Status]++
		if *asJSON {
			enc.Encode(r)
			continue
		}
		switch r.Status {
		case app.Rejected:
			fmt.Fprintf(c.stdout, "rejected   %-8s  %s: %s\n", "", r.File, r.Error)
		default:
			fmt.Fprintf(c.stdout, "%-9s  %s  %s  %dx%d %.3g fps %s %d frames%s\n", r.Status, r.ID, r.File,
				r.Width, r.Height, r.FPS, formatDuration(time.Duration(r.Duration*float64(time.Second))), r.Frames, removedNote(r))
		}
	}
	if !*asJSON {
		fmt.Fprintf(c.stdout, "%d imported, %d duplicate, %d rejected\n", counts[app.Imported], counts[app.Duplicate], counts[app.Rejected])
	}
	if err != nil {
		return c.fail(err)
	}
	if counts[app.Rejected] > 0 {
		return exitFailed
	}
	return exitOK
}

func removedNote(r app.IngestResult) string {
	if r.Removed {
		return " (source removed)"
	}
	return ""
}

// recordingJSON is the JSON form of a recording in list and show.
type recordingJSON struct {
	ID               string    `json:"id"`
	SHA256           string    `json:"sha256"`
	Size             int64     `json:"size"`
	RecordedAt       time.Time `json:"recorded_at"`
	RecordedAtSource string    `json:"recorded_at_source"`
	IngestedAt       time.Time `json:"ingested_at"`
	Duration         float64   `json:"duration"`
	Frames           int       `json:"frames"`
	FPS              float64   `json:"fps"`
	Width            int       `json:"width"`
	Height           int       `json:"height"`
	Container        string    `json:"container"`
	VideoCodec       string    `json:"video_codec"`
	AudioCodec       string    `json:"audio_codec,omitempty"`
	Status           string    `json:"status"`
	Officer          string    `json:"officer,omitempty"`
	DeviceSerial     string    `json:"device_serial,omitempty"`
	Make             string    `json:"make,omitempty"`
	Model            string    `json:"model,omitempty"`
	SourceName       string    `json:"source_name,omitempty"`
	GPS              *app.GPS  `json:"gps,omitempty"`
	Restricted       bool      `json:"restricted,omitempty"`
	VaultFile        string    `json:"vault_file,omitempty"`
}

func toJSON(r *app.Recording) recordingJSON {
	return recordingJSON{ID: r.ID, SHA256: r.SHA256, Size: r.Size, RecordedAt: r.RecordedAt,
		RecordedAtSource: r.RecordedAtSource, IngestedAt: r.IngestedAt, Duration: r.Duration.Seconds(),
		Frames: r.Frames, FPS: r.FPS(), Width: r.Width, Height: r.Height, Container: r.Container,
		VideoCodec: r.VideoCodec, AudioCodec: r.AudioCodec, Status: r.Status, Officer: r.Personal.Officer,
		DeviceSerial: r.Personal.DeviceSerial, Make: r.Personal.Make, Model: r.Personal.Model,
		SourceName: r.Personal.SourceName, GPS: r.Personal.GPS, Restricted: r.Restricted}
}

// summaryJSON is one line of `exhibit list --json`: what a library row shows
// (`exhibit show --json ID` gives everything).
type summaryJSON struct {
	ID           string    `json:"id"`
	SHA256       string    `json:"sha256"`
	RecordedAt   time.Time `json:"recorded_at"`
	Duration     float64   `json:"duration"`
	Frames       int       `json:"frames"`
	Status       string    `json:"status"`
	Officer      string    `json:"officer,omitempty"`
	DeviceSerial string    `json:"device_serial,omitempty"`
	SourceName   string    `json:"source_name,omitempty"`
	Restricted   bool      `json:"restricted,omitempty"`
	Held         bool      `json:"held,omitempty"`
	DeleteAt     time.Time `json:"delete_at,omitzero"` // when retention deletes it; absent: kept
}

func toSummaryJSON(r *app.Recording) summaryJSON {
	return summaryJSON{ID: r.ID, SHA256: r.SHA256, RecordedAt: r.RecordedAt, Duration: r.Duration.Seconds(),
		Frames: r.Frames, Status: r.Status, Officer: r.Personal.Officer, DeviceSerial: r.Personal.DeviceSerial,
		SourceName: r.Personal.SourceName, Restricted: r.Restricted, Held: r.Held, DeleteAt: r.DeleteAt}
}

func parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02", s, time.Local)
}

func (c *cli) cmdList(ctx context.Context, args []string) int {
	fs := newFlags("list", c)
	asJSON := fs.Bool("json", false, "one JSON object per line")
	officer := fs.String("officer", "", "officer name contains")
	status := fs.String("status", "", "status is")
	from := fs.String("from", "", "recorded on or after (YYYY-MM-DD)")
	to := fs.String("to", "", "recorded on or before (YYYY-MM-DD)")
	if _, err := parseInterleaved(fs, args); err != nil {
		return exitUsage
	}
	f := app.Filter{Officer: *officer, Status: *status}
	var err error
	if f.From, err = parseDay(*from); err != nil {
		fmt.Fprintf(c.stderr, "exhibit list: --from %q is not a date (YYYY-MM-DD)\n", *from)
		return exitUsage
	}
	if f.To, err = parseDay(*to); err != nil {
		fmt.Fprintf(c.stderr, "exhibit list: --to %q is not a date (YYYY-MM-DD)\n", *to)
		return exitUsage
	}
	if !f.To.IsZero() && len(*to) == 10 {
		f.To = f.To.AddDate(0, 0, 1) // the whole named day
	}
	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	recs, err := lib.List(ctx, f, app.SortRecordedAt, false)
	if err != nil {
		return c.fail(err)
	}
	w := bufio.NewWriterSize(c.stdout, 1<<16)
	defer w.Flush()
	if *asJSON {
		enc := json.NewEncoder(w)
		for _, r := range recs {
			enc.Encode(toSummaryJSON(r))
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRECORDED\tOFFICER\tDEVICE\tDURATION\tSTATUS\tDELETION")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.RecordedAt.Local().Format("2006-01-02 15:04:05 MST"),
			r.Personal.Officer, r.Personal.DeviceSerial, formatDuration(r.Duration), app.DisplayStatus(r), daysLeftText(r))
	}
	tw.Flush()
	fmt.Fprintf(w, "%d recordings\n", len(recs))
	if n := dueWithinWarning(recs); n > 0 {
		fmt.Fprintf(c.stderr, "exhibit: %d recordings will be deleted by the retention policy within 7 days\n", n)
	}
	return exitOK
}

func (c *cli) cmdShow(ctx context.Context, args []string) int {
	fs := newFlags("show", c)
	asJSON := fs.Bool("json", false, "JSON output")
	ids, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(ids) != 1 {
		fmt.Fprintln(c.stderr, "exhibit show: name one recording id")
		return exitUsage
	}
	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	r, err := lib.Get(ctx, ids[0])
	if err != nil {
		return c.fail(err)
	}
	if *asJSON {
		j := toJSON(r)
		if p, err := lib.Store().VaultPath(ctx, r.ID); err == nil {
			j.VaultFile = p
		}
		json.NewEncoder(c.stdout).Encode(j)
		return exitOK
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, v)
		}
	}
	row("ID", r.ID)
	row("SHA-256", r.SHA256)
	row("Recorded", fmt.Sprintf("%s (%s; from %s)", r.RecordedAt.Local().Format("Mon 2 Jan 2006 15:04:05 MST"),
		r.RecordedAt.Format(time.RFC3339), r.RecordedAtSource))
	row("Ingested", r.IngestedAt.Local().Format("Mon 2 Jan 2006 15:04:05 MST"))
	row("Officer", r.Personal.Officer)
	row("Device", r.Personal.DeviceSerial)
	row("Make/model", app.MakeModel(r.Personal.Make, r.Personal.Model))
	if g := r.Personal.GPS; g != nil {
		row("GPS", fmt.Sprintf("%.6f, %.6f", g.Lat, g.Lon))
	}
	row("Source file", r.Personal.SourceName)
	row("Duration", formatDuration(r.Duration))
	row("Video", fmt.Sprintf("%s %dx%d %.3f fps, %d frames", r.VideoCodec, r.Width, r.Height, r.FPS(), r.Frames))
	row("Audio", r.AudioCodec)
	row("Container", r.Container)
	row("Size", fmt.Sprintf("%d bytes", r.Size))
	row("Status", r.Status)
	tw.Flush()
	return exitOK
}

func (c *cli) cmdVerify(ctx context.Context, args []string) int {
	fs := newFlags("verify", c)
	asJSON := fs.Bool("json", false, "one JSON object per recording")
	ids, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	results, err := lib.Verify(ctx, ids, nil)
	failed := 0
	enc := json.NewEncoder(c.stdout)
	for _, r := range results {
		if !r.OK {
			failed++
		}
		switch {
		case *asJSON:
			enc.Encode(r)
		case r.OK:
			fmt.Fprintf(c.stdout, "OK    %s  %s  %d frames\n", r.ID, r.SHA256, r.Frames)
		default:
			fmt.Fprintf(c.stdout, "FAIL  %s  %s\n", r.ID, r.Error)
		}
	}
	if err != nil {
		return c.fail(err)
	}
	if !*asJSON {
		fmt.Fprintf(c.stdout, "%d verified, %d failed\n", len(results)-failed, failed)
	}
	if failed > 0 {
		return exitFailed
	}
	return exitOK
}

func (c *cli) cmdStill(ctx context.Context, args []string) int {
	fs := newFlags("still", c)
	frame := fs.Int("frame", -1, "frame number (0-based, presentation order)")
	at := fs.Float64("time", -1, "media time in seconds from the first frame")
	out := fs.String("o", "", "output PNG file")
	caption := fs.Bool("caption", false, "add a strip below the picture with the same facts")
	ids, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(ids) != 1 || *out == "" || (*frame < 0) == (*at < 0) {
		fmt.Fprintln(c.stderr, "exhibit still: usage: exhibit still ID (--frame N | --time SECONDS) -o OUT.png [--caption]")
		return exitUsage
	}
	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	req := app.StillRequest{ID: ids[0], Frame: *frame, Time: -1, Caption: *caption}
	if *at >= 0 {
		req.Time = time.Duration(*at * float64(time.Second))
	}
	st, err := lib.RenderStill(ctx, req)
	if err != nil {
		return c.fail(err)
	}
	if err := store.WriteFileAtomic(*out, st.PNG, 0o600); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stdout, "%s: recording %s frame %d at %s (camera time %s)\n", *out, st.ID, st.Frame,
		app.FormatMediaTime(st.PTS), st.WallClock.Format(time.RFC3339Nano))
	return exitOK
}

func (c *cli) cmdTestMedia(ctx context.Context, args []string) int {
	fs := newFlags("testmedia", c)
	cameras := fs.Int("cameras", 3, "number of cameras")
	minutes := fs.Float64("minutes", 1, "minutes of footage per camera")
	small := fs.Bool("small", false, "320x180 pictures (fast, for tests)")
	junk := fs.Bool("junk", false, "also write bad inputs (empty, noise, text, truncated) under _junk/")
	seed := fs.Int64("seed", time.Now().UnixNano(), "random seed")
	dirs, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(dirs) != 1 || *cameras < 1 || *minutes <= 0 {
		fmt.Fprintln(c.stderr, "exhibit testmedia: usage: exhibit testmedia [--cameras N] [--minutes M] DIR")
		return exitUsage
	}
	files, err := media.GenerateTestMedia(ctx, dirs[0], media.TestMediaOptions{Cameras: *cameras, Minutes: *minutes,
		Seed: *seed, Sidecars: true, Small: *small, Junk: *junk}, c.progressLine("writing clip"))
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stdout, "Wrote %d clips under %s\nImport them with: exhibit ingest %s\n", len(files), dirs[0], dirs[0])
	return exitOK
}

// formatDuration renders H:MM:SS.
func formatDuration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
}
