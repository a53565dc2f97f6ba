package cli

import (
	"context"
	"flag"

	"exhibit/app"
	"exhibit/ui"
)

// court BUNDLE: court-room playback (ui.RunCourt). It opens no store, asks
// for no key or sign-in and writes nothing. With --check it prints the
// verdict instead of opening the window: the headline ("Verified: N items,
// audit checkpoint of DATE (tree N), key NAME" or "NOT VERIFIED: ...")
// then one "FAIL path: reason" line per problem; exit 1 when not verified.

func courtFlags(fs *flag.FlagSet) action {
	check := fs.Bool("check", false, "verify and print the verdict; open no window")
	return action{
		check: exactlyArgs(1, "exhibit court: usage: exhibit court [--check] BUNDLE\n"),
		run: func(ctx context.Context, s *session, args []string) error {
			if !*check {
				return s.env.Court(ui.CourtOptions{Dir: args[0], Log: s.log})
			}
			c, err := app.OpenCourt(args[0])
			if err != nil {
				return err
			}
			defer func() { _ = c.Close() }() // read only
			v := c.Verify(ctx, nil)
			if ctx.Err() != nil {
				return errInterrupted
			}
			if err := s.printf("%s\n", c.Headline(v)); err != nil {
				return err
			}
			for _, p := range v.Problems {
				if err := s.printf("FAIL %s: %s\n", p.Path, p.Reason); err != nil {
					return err
				}
			}
			if !v.OK {
				return errFailed
			}
			return nil
		},
	}
}
