package cli

import (
	"context"
	"flag"
)

// The redaction group's render commands: redact render, redact log.
//
// Output (contracts; add, never change):
//   - render prints one line: the file (or "(store only)"), the exhibit
//     reference, "redacted", the frames, the recording, the redaction and
//     version, and the SHA-256; --json one clipJSON object with
//     "redaction_id" and "redaction_version".
//   - log prints the redaction log of a redacted copy as JSON (standard
//     output), or with --pdf writes its PDF page set and prints the path.

const (
	redactRenderArgs = "PROJECT [-o OUT.mp4] [--json]"
	redactLogArgs    = "REDACTED_REF [--pdf OUT.pdf]"
)

// redactedJSON is a redacted copy: a clip with its redaction project.
type redactedJSON struct {
	clipJSON
	RedactionID      string `json:"redaction_id"`
	RedactionVersion int    `json:"redaction_version"`
}

func redactRenderFlags(fs *flag.FlagSet) action {
	out := fs.String("o", "", "output MP4 (omit to keep the redacted copy in the store only)")
	asJSON := fs.Bool("json", false, "one JSON object (recipe, frame hashes, frame map)")
	return action{
		check: exactlyArgs(1, "exhibit: usage: exhibit redact render "+redactRenderArgs),
		run: func(ctx context.Context, s *session, pos []string) error {
			var progress func(float64)
			if _, ok := s.stderrTerminal(); ok {
				progress = func(x float64) { s.warnf("\r\033[Krender %3.0f%%", 100*x) }
				defer s.warnf("\r\033[K")
			}
			d, err := s.lib.RenderRedaction(ctx, pos[0], *out, progress)
			if err != nil {
				return err
			}
			if *asJSON {
				return s.json(redactedJSON{toClipJSON(d), d.RedactionID, d.RedactionVersion})
			}
			where := *out
			if where == "" {
				where = "(store only)"
			}
			return s.printf("%s: %s %s frames %d-%d of %s, redaction %s version %d, sha256 %s\n",
				where, d.Ref, d.Kind, d.From, d.To, d.RecordingID, d.RedactionID, d.RedactionVersion, d.SHA256)
		},
	}
}

func redactLogFlags(fs *flag.FlagSet) action {
	pdf := fs.String("pdf", "", "write the log's PDF page set here instead of JSON to standard output")
	return action{
		check: exactlyArgs(1, "exhibit: usage: exhibit redact log "+redactLogArgs),
		run: func(ctx context.Context, s *session, pos []string) error {
			d, err := s.lib.Derivative(ctx, pos[0])
			if err != nil {
				return err
			}
			lg, err := s.lib.RedactionLogOf(ctx, d)
			if err != nil {
				return err
			}
			if *pdf != "" {
				if err := lg.WriteFiles("", *pdf); err != nil {
					return err
				}
				return s.printf("%s\n", *pdf)
			}
			return s.json(lg)
		},
	}
}
