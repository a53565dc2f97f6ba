package cli

import (
	"context"
	"flag"
	"time"

	"exhibit/app/media"
)

// testmedia: write a synthetic dock folder.

func testMediaFlags(fs *flag.FlagSet) action {
	cameras := fs.Int("cameras", 3, "number of cameras")
	minutes := fs.Float64("minutes", 1, "minutes of footage per camera")
	small := fs.Bool("small", false, "320x180 pictures (fast, for tests)")
	junk := fs.Bool("junk", false, "also write bad inputs (empty, noise, text, truncated) under _junk/")
	seed := fs.Int64("seed", time.Now().UnixNano(), "random seed")
	return action{
		check: func(dirs []string) error {
			if len(dirs) != 1 || *cameras < 1 || *minutes <= 0 {
				return usagef("exhibit testmedia: usage: exhibit testmedia [--cameras N] [--minutes M] DIR")
			}
			return nil
		},
		run: func(ctx context.Context, s *session, dirs []string) error {
			files, err := media.GenerateTestMedia(ctx, dirs[0], media.TestMediaOptions{Cameras: *cameras, Minutes: *minutes,
				Seed: *seed, Sidecars: true, Small: *small, Junk: *junk}, s.progressLine("writing clip"))
			if err != nil {
				return err
			}
			return s.printf("Wrote %d clips under %s\nImport them with: exhibit ingest %s\n", len(files), dirs[0], dirs[0])
		},
	}
}
