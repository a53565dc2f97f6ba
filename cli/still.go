package cli

import (
	"context"
	"flag"
	"time"

	"exhibit/app"
	"exhibit/store"
)

// still: render one exact frame to a PNG.

const stillUsage = "exhibit still: usage: exhibit still ID (--frame N | --time SECONDS) -o OUT.png [--caption]"

func stillFlags(fs *flag.FlagSet) action {
	frame := fs.Int("frame", -1, "frame number (0-based, presentation order)")
	at := fs.Float64("time", -1, "media time in seconds from the first frame")
	out := fs.String("o", "", "output PNG file")
	caption := fs.Bool("caption", false, "add a strip below the picture with the same facts")
	return action{
		check: func(ids []string) error {
			if len(ids) != 1 || *out == "" || (*frame < 0) == (*at < 0) {
				return usagef("%s", stillUsage)
			}
			return nil
		},
		run: func(ctx context.Context, s *session, ids []string) error {
			req := app.StillRequest{ID: ids[0], Frame: *frame, Time: -1, Caption: *caption}
			if *at >= 0 {
				req.Time = time.Duration(*at * float64(time.Second))
			}
			return runStill(ctx, s, req, *out)
		},
	}
}

func runStill(ctx context.Context, s *session, req app.StillRequest, out string) error {
	st, err := s.lib.RenderStill(ctx, req)
	if err != nil {
		return err
	}
	if err := store.WriteFileAtomic(out, st.PNG, 0o600); err != nil {
		return err
	}
	return s.printf("%s: recording %s frame %d at %s (camera time %s)\n", out, st.ID, st.Frame,
		app.FormatMediaTime(st.PTS), st.WallClock.Format(time.RFC3339Nano))
}
