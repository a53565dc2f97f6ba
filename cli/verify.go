package cli

import (
	"context"
	"flag"
	"time"

	"exhibit/app"
)

// verify: decrypt and re-hash masters, re-count frames; --resolve names
// the recording of a verify reference (professional standards).

func verifyFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "one JSON object per recording")
	resolve := fs.String("resolve", "", "professional standards: name the recording of a verify reference")
	return action{
		check: func(ids []string) error {
			if *resolve != "" && len(ids) > 0 {
				return usagef("exhibit verify: --resolve takes a reference, not recording ids")
			}
			return nil
		},
		run: func(ctx context.Context, s *session, ids []string) error {
			if *resolve != "" {
				return runResolve(ctx, s, *resolve, *asJSON)
			}
			return runVerify(ctx, s, ids, *asJSON)
		},
	}
}

func runResolve(ctx context.Context, s *session, reference string, asJSON bool) error {
	ref, err := s.lib.ResolveVerifyReference(ctx, reference)
	if err != nil {
		return err
	}
	if asJSON {
		return s.json(ref)
	}
	return s.printf("%s: recording %s (SHA-256 %s) failed verification run by %s at %s: %s\n", ref.Reference,
		ref.RecordingID, ref.SHA256, ref.By, ref.At.UTC().Format(time.RFC3339), ref.Error)
}

func runVerify(ctx context.Context, s *session, ids []string, asJSON bool) error {
	rep, err := s.lib.Verify(ctx, ids, nil)
	if rep == nil {
		rep = &app.VerifyReport{}
	}
	for _, r := range rep.Results {
		if werr := verifyLine(s, r, asJSON); werr != nil {
			return werr
		}
	}
	// Restricted recordings the user may not see: counted, and a failure
	// named by reference only.
	hidden := rep.Restricted
	if asJSON && hidden.Verified+hidden.Failed > 0 {
		if werr := s.json(map[string]any{"restricted_verified": hidden.Verified, "restricted_failed": hidden.Failed,
			"references": hidden.References}); werr != nil {
			return werr
		}
	}
	if err != nil {
		return err
	}
	if !asJSON {
		if line := hidden.Summary(); line != "" {
			if err := s.printf("%s\n", line); err != nil {
				return err
			}
		}
		if err := s.printf("%d verified, %d failed\n", rep.Checked()-rep.Failed(), rep.Failed()); err != nil {
			return err
		}
	}
	if rep.Failed() > 0 {
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
