package cli

import (
	"context"
	"flag"
)

// review ID: the GUI on one recording (no arguments at all opens the GUI
// on the library: Main).

func reviewFlags(fs *flag.FlagSet) action {
	return action{
		check: exactlyArgs(1, "exhibit review: name one recording id"),
		run: func(_ context.Context, s *session, ids []string) error {
			return s.runGUI(ids[0])
		},
	}
}
