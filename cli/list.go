package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"exhibit/app"
)

// list and show: the library, and one recording.

// recordingJSON is the JSON form of a recording in list and show.
type recordingJSON struct {
	ID               string    `json:"id"`
	SHA256           string    `json:"sha256"`
	Size             int64     `json:"size"`
	RecordedAt       time.Time `json:"recorded_at"`
	RecordedAtSource string    `json:"recorded_at_source"`
	IngestedAt       time.Time `json:"ingested_at"`
	Duration         float64   `json:"duration"`
	Frames           int       `json:"frames"`
	FPS              float64   `json:"fps"`
	Width            int       `json:"width"`
	Height           int       `json:"height"`
	Container        string    `json:"container"`
	VideoCodec       string    `json:"video_codec"`
	AudioCodec       string    `json:"audio_codec,omitempty"`
	Status           string    `json:"status"`
	Officer          string    `json:"officer,omitempty"`
	DeviceSerial     string    `json:"device_serial,omitempty"`
	Make             string    `json:"make,omitempty"`
	Model            string    `json:"model,omitempty"`
	SourceName       string    `json:"source_name,omitempty"`
	GPS              *app.GPS  `json:"gps,omitempty"`
	Restricted       bool      `json:"restricted,omitempty"`
	VaultFile        string    `json:"vault_file,omitempty"`
	FrameCheck       string    `json:"frame_check,omitempty"`
}

func toJSON(r *app.Recording) recordingJSON {
	return recordingJSON{ID: r.ID, SHA256: r.SHA256, Size: r.Size, RecordedAt: r.RecordedAt,
		RecordedAtSource: r.RecordedAtSource, IngestedAt: r.IngestedAt, Duration: r.Duration.Seconds(),
		Frames: r.Frames, FPS: r.FPS(), Width: r.Width, Height: r.Height, Container: r.Container,
		VideoCodec: r.VideoCodec, AudioCodec: r.AudioCodec, Status: r.Status, Officer: r.Personal.Officer,
		DeviceSerial: r.Personal.DeviceSerial, Make: r.Personal.Make, Model: r.Personal.Model,
		SourceName: r.Personal.SourceName, GPS: r.Personal.GPS, Restricted: r.Restricted, FrameCheck: r.FrameCheck}
}

// summaryJSON is one line of `exhibit list --json`: what a library row shows
// (`exhibit show --json ID` gives everything).
type summaryJSON struct {
	ID           string    `json:"id"`
	SHA256       string    `json:"sha256"`
	RecordedAt   time.Time `json:"recorded_at"`
	Duration     float64   `json:"duration"`
	Frames       int       `json:"frames"`
	Status       string    `json:"status"`
	Officer      string    `json:"officer,omitempty"`
	DeviceSerial string    `json:"device_serial,omitempty"`
	SourceName   string    `json:"source_name,omitempty"`
	Restricted   bool      `json:"restricted,omitempty"`
	Held         bool      `json:"held,omitempty"`
	DeleteAt     time.Time `json:"delete_at,omitzero"` // when retention deletes it; absent: kept
	FrameCheck   string    `json:"frame_check,omitempty"`
	// SAR and SARDue name the open subject access request including the
	// recording that is due first (for roles that handle SARs).
	SAR    string `json:"sar,omitempty"`
	SARDue string `json:"sar_due,omitempty"` // YYYY-MM-DD
}

func toSummaryJSON(r *app.Recording) summaryJSON {
	j := summaryJSON{ID: r.ID, SHA256: r.SHA256, RecordedAt: r.RecordedAt, Duration: r.Duration.Seconds(),
		Frames: r.Frames, Status: r.Status, Officer: r.Personal.Officer, DeviceSerial: r.Personal.DeviceSerial,
		SourceName: r.Personal.SourceName, Restricted: r.Restricted, Held: r.Held, DeleteAt: r.DeleteAt,
		FrameCheck: r.FrameCheck}
	if r.SARID != 0 {
		j.SAR, j.SARDue = app.FormatSARID(r.SARID), r.SARDue.Format(app.DayLayout)
	}
	return j
}

func listFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "one JSON object per line")
	officer := fs.String("officer", "", "officer name contains")
	status := fs.String("status", "", "status is (unreviewed, evidence, policing, nfa, referred, held, or due: deleted within 7 days)")
	from := fs.String("from", "", "recorded on or after (DD/MM/YYYY or YYYY-MM-DD)")
	to := fs.String("to", "", "recorded on or before (DD/MM/YYYY or YYYY-MM-DD)")
	var f app.Filter
	return action{
		check: func([]string) error {
			f = app.Filter{Officer: *officer, Status: *status}
			var err error
			if f.From, err = app.ParseDay(*from); err != nil {
				return usagef("exhibit list: --from %v", err)
			}
			if f.To, err = app.ParseDayEnd(*to); err != nil { // the whole named day
				return usagef("exhibit list: --to %v", err)
			}
			return nil
		},
		run: func(ctx context.Context, s *session, _ []string) error {
			return runList(ctx, s, f, *asJSON)
		},
	}
}

func runList(ctx context.Context, s *session, f app.Filter, asJSON bool) error {
	recs, err := s.lib.List(ctx, f, app.SortRecordedAt, false)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(s.out, 1<<16)
	if asJSON {
		for _, r := range recs {
			if err := writeJSON(w, toSummaryJSON(r)); err != nil {
				return err
			}
		}
		return s.flush(w)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	// The SAR column (the open subject access request due first) only for
	// roles that handle SARs: for the others it would always be empty.
	sars := s.lib.Can(app.PermSAR)
	header := "ID\tRECORDED\tOFFICER\tDEVICE\tDURATION\tSTATUS\tDELETION"
	if sars {
		header += "\tSAR"
	}
	fmt.Fprintln(tw, header)
	now := time.Now()
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s", r.ID, r.RecordedAt.Local().Format("2006-01-02 15:04:05 MST"),
			r.Personal.Officer, r.Personal.DeviceSerial, formatDuration(r.Duration), statusWithFrames(r), app.RecordingDeletionLabel(r, now))
		if sars {
			fmt.Fprintf(tw, "\t%s", app.RecordingSARLabel(r, now))
		}
		fmt.Fprintln(tw)
	}
	if err := s.flush(tw); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d recordings\n", len(recs))
	if err := s.flush(w); err != nil {
		return err
	}
	if n := app.CountDueSoon(recs, time.Now()); n > 0 {
		s.warnf("exhibit: %d recordings will be deleted by the retention policy %s\n", n, app.RetentionWarningWords())
	}
	return nil
}

func showFlags(fs *flag.FlagSet) action {
	asJSON := fs.Bool("json", false, "JSON output")
	return action{
		check: exactlyArgs(1, "exhibit show: name one recording id"),
		run: func(ctx context.Context, s *session, ids []string) error {
			return runShow(ctx, s, ids[0], *asJSON)
		},
	}
}

func runShow(ctx context.Context, s *session, id string, asJSON bool) error {
	r, err := s.lib.Get(ctx, id)
	if err != nil {
		return err
	}
	if asJSON {
		j := toJSON(r)
		if p, err := s.lib.VaultFile(ctx, r.ID); err == nil {
			j.VaultFile = p
		}
		return s.json(j)
	}
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, v)
		}
	}
	row("ID", r.ID)
	row("SHA-256", r.SHA256)
	row("Recorded", fmt.Sprintf("%s (%s; from %s)", r.RecordedAt.Local().Format("Mon 2 Jan 2006 15:04:05 MST"),
		r.RecordedAt.Format(time.RFC3339), r.RecordedAtSource))
	row("Ingested", r.IngestedAt.Local().Format("Mon 2 Jan 2006 15:04:05 MST"))
	row("Officer", r.Personal.Officer)
	row("Device", r.Personal.DeviceSerial)
	row("Make/model", app.MakeModel(r.Personal.Make, r.Personal.Model))
	if g := r.Personal.GPS; g != nil {
		row("GPS", fmt.Sprintf("%.6f, %.6f", g.Lat, g.Lon))
	}
	row("Source file", r.Personal.SourceName)
	row("Duration", formatDuration(r.Duration))
	row("Video", fmt.Sprintf("%s %dx%d %.3f fps, %d frames", r.VideoCodec, r.Width, r.Height, r.FPS(), r.Frames))
	row("Audio", r.AudioCodec)
	row("Container", r.Container)
	row("Size", fmt.Sprintf("%d bytes", r.Size))
	row("Status", r.Status)
	row("Deletion", app.RecordingDeletionLabel(r, time.Now()))
	if r.SARID != 0 {
		row("Subject access", app.FormatSARID(r.SARID)+": "+app.RecordingSARLabel(r, time.Now()))
	}
	row("Frame table", frameCheckText(r))
	return s.flush(tw)
}

// formatDuration renders H:MM:SS.
func formatDuration(d time.Duration) string {
	sec := int64(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d:%02d", sec/3600, sec/60%60, sec%60)
}
