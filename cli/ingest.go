package cli

import (
	"context"
	"flag"
	"path/filepath"
	"time"

	"exhibit/app"
)

// ingest: import video files and folders.

func ingestFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "one JSON object per file")
	remove := fs.Bool("remove-source", false, "delete each source once its stored copy is verified")
	allowDeleted := fs.Bool("allow-deleted", false, "ingest footage deleted before under retention again (audited)")
	jobs := fs.Int("jobs", 0, "files ingested at once (default 2)")
	return action{
		check: func(paths []string) error {
			if len(paths) == 0 {
				return usagef("exhibit ingest: name at least one file or folder")
			}
			return nil
		},
		run: func(ctx context.Context, s *session, paths []string) error {
			return runIngest(ctx, s, paths, *asJSON, app.IngestOptions{RemoveSource: *remove, AllowDeleted: *allowDeleted, Jobs: *jobs})
		},
	}
}

func runIngest(ctx context.Context, s *session, paths []string, asJSON bool, opt app.IngestOptions) error {
	if _, ok := s.stderrTerminal(); ok {
		last := time.Time{}
		opt.Progress = func(p app.IngestProgress) {
			if time.Since(last) < 200*time.Millisecond && p.Stage != "done" {
				return
			}
			last = time.Now()
			s.warnf("\r\033[K[%d/%d] %3.0f%% %s %s", p.FileIndex+1, p.FileCount, 100*p.Overall01, p.Stage, filepath.Base(p.File))
		}
	}
	results, err := s.lib.Ingest(ctx, paths, opt)
	if opt.Progress != nil {
		s.warnf("\r\033[K")
	}
	counts := map[string]int{}
	for _, r := range results {
		counts[r.Status]++
		var werr error
		switch {
		case asJSON:
			werr = s.json(r)
		case r.Status == app.Rejected:
			werr = s.printf("rejected   %-8s  %s: %s\n", "", r.File, r.Error)
		default:
			werr = s.printf("%-9s  %s  %s  %dx%d %.3g fps %s %d frames%s\n", r.Status, r.ID, r.File,
				r.Width, r.Height, r.FPS, formatDuration(time.Duration(r.Duration*float64(time.Second))), r.Frames, removedNote(r))
		}
		if werr != nil {
			return werr
		}
	}
	if !asJSON {
		if werr := s.printf("%d imported, %d duplicate, %d rejected\n", counts[app.Imported], counts[app.Duplicate], counts[app.Rejected]); werr != nil {
			return werr
		}
	}
	if err != nil {
		return err
	}
	if counts[app.Rejected] > 0 {
		return errFailed
	}
	return nil
}

func removedNote(r app.IngestResult) string {
	if r.Removed {
		return " (source removed)"
	}
	return ""
}
