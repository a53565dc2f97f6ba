package cli

import (
	"context"
	"flag"
	"strings"

	"exhibit/app"
	"exhibit/bundle"
)

// export and verify-bundle: evidence bundles.
//
// verify-bundle reads a bundle folder or its .zip in place (nothing is
// extracted). Output (a contract): an intact bundle prints one line
// "OK    DIR: every check passed" and exits 0; otherwise one line
// "FAIL path: reason" per problem (path relative to the bundle, "." for the
// folder), sorted by path, exit 1. --json prints one object
// {"ok": bool, "bundle": DIR, "problems": [{"path", "reason"}]}. It opens
// no store, asks for no key and no sign-in.

const exportUsage = "exhibit export: usage: exhibit export --case REF --out DIR [--masters] [--lossless] [--stills] [--zip] [--redacted PROJECT]... [--with-notes] [SPEC...]\n" +
	"  SPEC: ID (whole recording), ID:N-M (frames N..M), or an annotation id (at least one SPEC or --redacted)"

func exportFlags(fs *flag.FlagSet) action {
	caseRef := fs.String("case", "", "case reference")
	out := fs.String("out", "", "bundle folder to create")
	masters := fs.Bool("masters", false, "include the decrypted masters")
	lossless := fs.Bool("lossless", false, "add lossless clips beside the court clips")
	stills := fs.Bool("stills", false, "a still at each marker (with --redacted: from the redacted copies only)")
	withNotes := fs.Bool("with-notes", false, "keep marker notes and decision reasons in a bundle with --redacted\n(withheld without it: they can name the people the redaction hides)")
	zipToo := fs.Bool("zip", false, "also write DIR.zip")
	var redacted listFlag
	fs.Var(&redacted, "redacted", "a redaction project: its redacted copy and redaction log (repeatable); nothing\nunredacted is added for it (masters only with --masters, court clips only for SPECs)")
	return action{
		check: func(specs []string) error {
			if *caseRef == "" || *out == "" || (len(specs) == 0 && len(redacted) == 0) {
				return usagef("%s\n", exportUsage)
			}
			return nil
		},
		run: func(ctx context.Context, s *session, specs []string) error {
			var progress func(float64)
			if bar := s.progressLine("export"); bar != nil {
				progress = func(f float64) { bar(int(f*1000), 1000) }
			}
			res, err := s.lib.Export(ctx, app.ExportRequest{CaseRef: *caseRef, Out: *out, Specs: specs, Masters: *masters,
				Lossless: *lossless, Stills: *stills, Zip: *zipToo, Redacted: redacted, WithNotes: *withNotes}, progress)
			if err != nil {
				return err
			}
			if err := s.printf("%s: bundle %s, %d files, %d audit entries with proofs; manifest.json SHA-256 %s (audit entry %d)\n",
				res.Dir, res.BundleID, res.Items, res.AuditEntries, res.ManifestSHA256, res.ExportSeq); err != nil {
				return err
			}
			if *zipToo {
				return s.printf("%s.zip\n", res.Dir)
			}
			return nil
		},
	}
}

func verifyBundleFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "JSON output")
	return action{
		check: exactlyArgs(1, "exhibit verify-bundle: usage: exhibit verify-bundle DIR|DIR.zip [--json]\n"),
		run: func(ctx context.Context, s *session, args []string) error {
			probs := bundle.Verify(ctx, args[0], bundle.VerifyOptions{})
			if ctx.Err() != nil {
				return errInterrupted
			}
			if *asJSON {
				if probs == nil {
					probs = []bundle.Problem{}
				}
				if err := s.json(map[string]any{"ok": len(probs) == 0, "bundle": args[0], "problems": probs}); err != nil {
					return err
				}
			} else if len(probs) == 0 {
				return s.printf("OK    %s: every check passed\n", args[0])
			} else {
				for _, p := range probs {
					if err := s.printf("FAIL %s: %s\n", p.Path, p.Reason); err != nil {
						return err
					}
				}
			}
			if len(probs) > 0 {
				return errFailed
			}
			return nil
		},
	}
}

// listFlag is a repeatable string flag.
type listFlag []string

func (f *listFlag) String() string { return strings.Join(*f, ",") }

// Set adds one value.
func (f *listFlag) Set(v string) error { *f = append(*f, v); return nil }
