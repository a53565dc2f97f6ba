package cli

import (
	"context"
	"flag"

	"exhibit/app"
)

// version: what made this binary and what it runs with (also `exhibit
// --version`).

func versionFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "JSON output (the fields a bundle's manifest records)")
	return action{
		check: exactlyArgs(0, "exhibit version: usage: exhibit version [--json]"),
		run: func(ctx context.Context, s *session, _ []string) error {
			v, verr := app.Versions(ctx)
			var err error
			if *asJSON {
				err = s.json(v)
			} else {
				err = s.printf("%s", v)
			}
			if err != nil {
				return err
			}
			if verr != nil {
				s.warnf("exhibit: %v\n", verr)
				return errFailed
			}
			return nil
		},
	}
}
