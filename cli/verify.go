package cli

import (
	"context"
	"flag"

	"exhibit/app"
)

// verify: decrypt and re-hash masters, re-count frames.

func verifyFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "one JSON object per recording")
	return action{run: func(ctx context.Context, s *session, ids []string) error {
		return runVerify(ctx, s, ids, *asJSON)
	}}
}

func runVerify(ctx context.Context, s *session, ids []string, asJSON bool) error {
	results, err := s.lib.Verify(ctx, ids, nil)
	failed := 0
	for _, r := range results {
		if !r.OK {
			failed++
		}
		if werr := verifyLine(s, r, asJSON); werr != nil {
			return werr
		}
	}
	if err != nil {
		return err
	}
	if !asJSON {
		if err := s.printf("%d verified, %d failed\n", len(results)-failed, failed); err != nil {
			return err
		}
	}
	if failed > 0 {
		return errFailed
	}
	return nil
}

func verifyLine(s *session, r app.VerifyResult, asJSON bool) error {
	switch {
	case asJSON:
		return s.json(r)
	case r.OK:
		return s.printf("OK    %s  %s  %d frames\n", r.ID, r.SHA256, r.Frames)
	default:
		return s.printf("FAIL  %s  %s\n", r.ID, r.Error)
	}
}
