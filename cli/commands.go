package cli

// commands is the table of exhibit's commands, in the order `exhibit help`
// lists them. A command is one row here and its flags function in its
// group's file (see the package doc).
var commands []*command

// groupAliases are other names of a command group's first word.
var groupAliases = map[string]string{"users": "user"}

func init() {
	commands = []*command{
		{name: "init", help: "create a store (key in the OS keyring and/or wrapped by a passphrase)\nand its first administrator",
			access: accessNone, flags: initFlags},
		{name: "ingest", args: "[--json] [--remove-source] [--jobs N] [--allow-deleted] PATH...",
			help: "import video files and folders (a docked camera's volume)", access: accessSignedIn, flags: ingestFlags},
		{name: "check-frames", args: "[--json] [--limit N] [ID...]",
			help: "decode stored copies now to check frame tables built at ingest", access: accessSignedIn, flags: checkFramesFlags},
		{name: "list", aliases: []string{"ls"}, args: "[--json] [--officer S] [--status S] [--from D] [--to D]",
			help: "list recordings, newest first", access: accessSignedIn, flags: listFlags},
		{name: "show", args: "[--json] ID", help: "show one recording", access: accessSignedIn, flags: showFlags},
		{name: "verify", args: "[--json] [ID...] | --resolve REF",
			help:   "decrypt and re-hash masters, re-count frames; exit 1 on any failure\n(all: restricted ones too, only counted for roles that may not see them;\n--resolve: professional standards name the recording of a verify reference)",
			access: accessSignedIn, flags: verifyFlags},
		{name: "review", args: "ID", help: "open the GUI on that recording, paused at frame 0", access: accessNone, flags: reviewFlags},
		{name: "still", args: "ID (--frame N | --time SECONDS) -o OUT.png [--caption]",
			help:   "render one exact frame at source resolution (PNG text\nchunks carry id, master SHA-256, frame, PTS, wall clock)",
			access: accessSignedIn, flags: stillFlags},
		{name: "restrict", args: "ID", help: "make a recording visible only to professional standards (psd)",
			access: accessSignedIn, flags: restrictFlags(true)},
		{name: "unrestrict", args: "ID", help: "lift a restriction", access: accessSignedIn, flags: restrictFlags(false)},
		{name: "mark", args: "ID --frame N [--to M] --category C [--note TEXT]",
			help: "add a marker (or the range N..M); prints the annotation id", access: accessSignedIn, flags: markFlags},
		{name: "marks", args: "ID [--json] [--history]", help: "list a recording's annotations (--history: every revision)",
			access: accessSignedIn, flags: marksFlags},
		{name: "unmark", args: "ANNOTATION_ID", help: "delete an annotation (recorded; its history is kept)",
			access: accessSignedIn, flags: unmarkFlags},
		{name: "decide", args: "ID evidence|policing|nfa|refer-psd --reason TEXT",
			help: "record a review decision (refer-psd restricts the recording)", access: accessSignedIn, flags: decideFlags},
		{name: "hold", args: "ID --reason TEXT", help: "place a legal hold (suspends deletion)", access: accessSignedIn, flags: holdFlags(true)},
		{name: "release", args: "ID [--reason TEXT]", help: "lift a legal hold", access: accessSignedIn, flags: holdFlags(false)},
		{name: "retention", args: "[--dry-run] [--json]", help: "delete footage the retention policy says is due (or list it)",
			access: accessSignedIn, flags: retentionFlags},
		{name: "retention policy", args: "[--json]", help: "show the retention periods", access: accessSignedIn, flags: retentionPolicyFlags},
		{name: "retention set", args: "[--category C] DAYS",
			help: "set the default period, or a category's (0 removes it; administrators)", access: accessSignedIn, flags: retentionSetFlags},
		{name: "categories", args: "[--json]", help: "list the annotation categories", access: accessSignedIn, flags: categoriesFlags},
		{name: "categories set", args: "NAME...", help: "replace the annotation categories", access: accessSignedIn, flags: categoriesSetFlags},
		{name: "user add", args: "NAME --role admin|sergeant|psd|viewer [--password-stdin]",
			help: "add an account", access: accessStore, flags: userAddFlags},
		{name: "user list", aliases: []string{"ls"}, args: "[--json]", help: "list the accounts", access: accessSignedIn, flags: userListFlags},
		{name: "user disable", args: "NAME", help: "disable an account", access: accessSignedIn, flags: userDisableFlags(true)},
		{name: "user enable", args: "NAME", help: "enable an account (also clears a lockout)", access: accessSignedIn, flags: userDisableFlags(false)},
		{name: "user passwd", args: "[NAME] [--password-stdin]", help: "change your password, or (administrators) anyone's",
			access: accessSignedIn, flags: userPasswdFlags},
		{name: "audit", args: "[ID] [--json] [--user U] [--action A] [--limit N]",
			help: "list audit entries (all, or about one recording)", access: accessSignedIn, flags: auditFlags},
		{name: "audit verify", args: "[--json]",
			help: "recompute the audit trail's Merkle tree and check every signed checkpoint", access: accessSignedIn, flags: auditVerifyFlags},
		{name: "audit checkpoint", args: "[--json]", help: "print the newest signed checkpoint (a signed note)",
			access: accessSignedIn, flags: auditCheckpointFlags},
		{name: "audit prove", args: "SEQ [--json]", help: "print an RFC 6962 inclusion proof of entry SEQ",
			access: accessSignedIn, flags: auditProveFlags},
		{name: "testmedia", args: "[--cameras N] [--minutes M] [--small] [--junk] [--seed N] DIR",
			help: "write a synthetic dock folder to try Exhibit with", access: accessNone, flags: testMediaFlags},
		{name: "version", args: "[--json]", help: "print the Exhibit version and commit, and the Go, libmpv and ffmpeg versions\n(also exhibit --version)",
			access: accessNone, flags: versionFlags},
	}
}
