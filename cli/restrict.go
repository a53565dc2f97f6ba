package cli

import (
	"context"
	"flag"
)

// restrict and unrestrict: recordings only professional standards sees.

func restrictFlags(restrict bool) func(*flag.FlagSet) action {
	name := "unrestrict"
	if restrict {
		name = "restrict"
	}
	return func(fs *flag.FlagSet) action {
		return action{
			check: exactlyArgs(1, "exhibit "+name+": name one recording id"),
			run: func(ctx context.Context, s *session, ids []string) error {
				id, err := s.lib.Restrict(ctx, ids[0], restrict)
				if err != nil {
					return err
				}
				if restrict {
					return s.printf("%s is now restricted to professional standards\n", id)
				}
				return s.printf("%s is no longer restricted\n", id)
			},
		}
	}
}
