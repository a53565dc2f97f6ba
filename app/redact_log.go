package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"exhibit/app/redact"
	"exhibit/store"
)

// RedactionLog lists what a redacted render hides and why: every region
// (frames, shape, method, label, reason, who and when), whole-frame and
// audio ranges, the project's change history and the render's SHA-256.
// It describes regions by their coordinates only: nothing of the picture
// or sound under them is in it. It goes into a bundle beside the redacted
// clip as JSON and as a PDF page set.
type RedactionLog struct {
	Project      string    `json:"project"`
	Version      int       `json:"version"`
	RecordingID  string    `json:"recording_id"`
	MasterSHA256 string    `json:"master_sha256"`
	From         int       `json:"frame_from"`
	To           int       `json:"frame_to"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	// Render is the redacted derivative the log belongs to.
	Render LogRender `json:"render"`
	// Drawing says how regions are drawn (margin, cells, fill, methods).
	Drawing     string          `json:"drawing"`
	Tracks      []LogTrack      `json:"tracks"`
	FrameRanges []LogFrameRange `json:"frame_ranges"`
	AudioRanges []LogAudioRange `json:"audio_ranges"`
	History     []LogVersion    `json:"history"`
}

// LogRender identifies the render a log belongs to.
type LogRender struct {
	ID        string    `json:"id"`
	Ref       string    `json:"exhibit_ref"`
	SHA256    string    `json:"sha256"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// LogTrack is one track of regions: its box at each keyframe (source
// pixels, X,Y,W,H), interpolated between them and held to Out.
type LogTrack struct {
	ID        string        `json:"id"`
	In        int           `json:"frame_in"`
	Out       int           `json:"frame_out"`
	Shape     redact.Shape  `json:"shape"`
	Method    redact.Method `json:"method"`
	Block     int           `json:"block,omitempty"`
	Label     redact.Label  `json:"label"`
	Reason    string        `json:"reason"`
	Keyframes []LogKeyframe `json:"keyframes"`
	CreatedBy string        `json:"created_by"`
	CreatedAt time.Time     `json:"created_at"`
}

// LogKeyframe is a track's box at one frame.
type LogKeyframe struct {
	Frame int    `json:"frame"`
	Box   string `json:"box"` // X,Y,W,H
}

// LogFrameRange hides whole pictures.
type LogFrameRange struct {
	ID      string        `json:"id"`
	From    int           `json:"frame_from"`
	To      int           `json:"frame_to"`
	Method  redact.Method `json:"method"`
	Reason  string        `json:"reason"`
	AddedBy string        `json:"added_by,omitempty"`
	AddedAt *time.Time    `json:"added_at,omitempty"`
}

// LogAudioRange hides sound (media time from frame 0).
type LogAudioRange struct {
	ID      string           `json:"id"`
	From    string           `json:"from"`
	To      string           `json:"to"`
	FromS   float64          `json:"from_seconds"`
	ToS     float64          `json:"to_seconds"`
	Kind    redact.AudioKind `json:"kind"`
	Reason  string           `json:"reason"`
	AddedBy string           `json:"added_by,omitempty"`
	AddedAt *time.Time       `json:"added_at,omitempty"`
}

// LogVersion is one saved change of the project (by ids, as audited).
type LogVersion struct {
	Version int       `json:"version"`
	Change  string    `json:"change"`
	Author  string    `json:"author"`
	At      time.Time `json:"at"`
}

// RedactionLogOf builds the log of a redacted derivative: the project as
// it was at the version the render drew, with its history to then.
func (l *Library) RedactionLogOf(ctx context.Context, d *Derivative) (*RedactionLog, error) {
	if d.Kind != KindRedacted || d.RedactionID == "" {
		return nil, fmt.Errorf("%s is not a redacted copy", d.Ref)
	}
	p, err := l.RedactionProjectAt(ctx, d.RedactionID, d.RedactionVersion)
	if err != nil {
		return nil, err
	}
	vs, err := l.RedactionVersions(ctx, d.RedactionID)
	if err != nil {
		return nil, err
	}
	lg := &RedactionLog{Project: p.ID, Version: p.Version, RecordingID: p.RecordingID, MasterSHA256: d.MasterSHA256,
		From: p.From, To: p.To, CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt.UTC(),
		Render: LogRender{ID: d.ID, Ref: d.Ref, SHA256: d.SHA256, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt.UTC()},
		Drawing: fmt.Sprintf("Each region is grown by %d source pixels on every side and drawn as the %d×%d pixel cells it touches "+
			"(so at least 2 pixels around it stay hidden after 4:2:0 subsampling and H.264 encoding). Solid: one colour (black). "+
			"Pixelate: each block (its size rounded up to whole cells) replaced by the mean of its pixels. Blur: three box blurs. Between keyframes a box is interpolated "+
			"linearly (exact integer rounding, half up); after its last keyframe a track holds its box to its last frame. "+
			"Frames are 0-based in presentation order.", redact.Margin, redact.Cell, redact.Cell),
		Tracks: []LogTrack{}, FrameRanges: []LogFrameRange{}, AudioRanges: []LogAudioRange{}, History: []LogVersion{}}
	added := func(id string) (string, *time.Time) {
		for _, v := range vs {
			if v.Version <= p.Version && strings.Contains(v.Change, "range "+id+" added") {
				at := v.At.UTC()
				return v.Author, &at
			}
		}
		return "", nil
	}
	for _, v := range vs {
		if v.Version <= p.Version {
			lg.History = append(lg.History, LogVersion{Version: v.Version, Change: v.Change, Author: v.Author, At: v.At.UTC()})
		}
	}
	for _, t := range p.Tracks {
		lt := LogTrack{ID: t.ID, In: t.In(), Out: t.Out(), Shape: t.Shape, Method: t.Method, Label: t.Label, Reason: t.Reason,
			CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt.UTC()}
		if t.Method == redact.Pixelate {
			lt.Block = t.Block
			if lt.Block <= 0 {
				lt.Block = redact.DefaultBlock
			}
		}
		for _, k := range t.Keyframes {
			lt.Keyframes = append(lt.Keyframes, LogKeyframe{Frame: k.Frame, Box: k.Box.String()})
		}
		lg.Tracks = append(lg.Tracks, lt)
	}
	sort.SliceStable(lg.Tracks, func(i, j int) bool { return lg.Tracks[i].In < lg.Tracks[j].In })
	for _, f := range p.Frames {
		by, at := added(f.ID)
		lg.FrameRanges = append(lg.FrameRanges, LogFrameRange{ID: f.ID, From: f.From, To: f.To, Method: f.Method, Reason: f.Reason, AddedBy: by, AddedAt: at})
	}
	for _, a := range p.Audio {
		by, at := added(a.ID)
		lg.AudioRanges = append(lg.AudioRanges, LogAudioRange{ID: a.ID, From: FormatMediaTime(a.From), To: FormatMediaTime(a.To),
			FromS: a.From.Seconds(), ToS: a.To.Seconds(), Kind: a.Kind, Reason: a.Reason, AddedBy: by, AddedAt: at})
	}
	return lg, nil
}

// JSON is the log as indented JSON.
func (lg *RedactionLog) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(lg, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// PDF is the log as an A4 page set: the render, then a table of every
// region and range, then the history. It holds no picture.
func (lg *RedactionLog) PDF() ([]byte, error) {
	f := fpdf.New("P", "mm", "A4", "")
	p := &pdfDoc{Fpdf: f, tr: f.UnicodeTranslatorFromDescriptor("")}
	f.SetMargins(15, 18, 15)
	f.SetAutoPageBreak(true, 18)
	f.AliasNbPages("{nb}")
	f.SetTitle("Redaction log "+lg.Project+" version "+fmt.Sprint(lg.Version), true)
	f.SetCreator("Exhibit "+ExhibitVersion, true)
	f.SetCreationDate(lg.Render.CreatedAt)
	f.SetHeaderFunc(func() {
		f.SetFont("Helvetica", "", 8)
		f.SetTextColor(80, 80, 80)
		f.CellFormat(0, 5, p.tr(fmt.Sprintf("Redaction log  ·  redaction %s version %d  ·  %s", lg.Project, lg.Version, lg.Render.Ref)), "B", 1, "L", false, 0, "")
		f.SetTextColor(0, 0, 0)
		f.Ln(3)
	})
	f.SetFooterFunc(func() {
		f.SetY(-13)
		f.SetFont("Helvetica", "", 8)
		f.CellFormat(0, 5, p.tr(fmt.Sprintf("Redaction %s  ·  page %d of {nb}", lg.Project, f.PageNo())), "T", 0, "C", false, 0, "")
	})
	f.AddPage()
	p.heading("Redaction log: "+lg.Render.Ref, 15)
	lab := []float64{55, 125}
	for _, kv := range [][2]string{
		{"Redacted copy", lg.Render.Ref + " (" + lg.Render.ID + ")"},
		{"Redacted copy SHA-256", lg.Render.SHA256},
		{"Rendered", utc(lg.Render.CreatedAt) + " by " + lg.Render.CreatedBy},
		{"Redaction project", fmt.Sprintf("%s version %d, started %s by %s", lg.Project, lg.Version, utc(lg.CreatedAt), lg.CreatedBy)},
		{"Master", lg.RecordingID},
		{"Master SHA-256", lg.MasterSHA256},
		{"Frames", fmt.Sprintf("%d-%d", lg.From, lg.To)},
	} {
		p.row(lab, []string{kv[0], kv[1]}, false, 4.2)
	}
	f.Ln(2)
	p.para(lg.Drawing)
	p.heading("Regions (tracks)", 11)
	if len(lg.Tracks) == 0 {
		p.para("None.")
	} else {
		w := []float64{18, 18, 34, 20, 52, 38}
		p.row(w, []string{"Track", "Frames", "Shape, method", "Label", "Reason", "Added"}, true, 4.2)
		for _, t := range lg.Tracks {
			m := string(t.Shape) + ", " + string(t.Method)
			if t.Block > 0 {
				m += fmt.Sprintf(" (%d px blocks)", t.Block)
			}
			p.row(w, []string{t.ID, fmt.Sprintf("%d-%d", t.In, t.Out), m, string(t.Label), t.Reason, utc(t.CreatedAt) + " by " + t.CreatedBy}, false, 4.2)
			var ks []string
			for _, k := range t.Keyframes {
				ks = append(ks, fmt.Sprintf("%d: %s", k.Frame, k.Box))
			}
			p.row([]float64{18, 162}, []string{"", "Keyframes (frame: X,Y,W,H): " + strings.Join(ks, "; ")}, false, 3.8)
		}
	}
	p.heading("Whole pictures", 11)
	if len(lg.FrameRanges) == 0 {
		p.para("None.")
	} else {
		w := []float64{18, 28, 24, 70, 40}
		p.row(w, []string{"Range", "Frames", "Method", "Reason", "Added"}, true, 4.2)
		for _, r := range lg.FrameRanges {
			p.row(w, []string{r.ID, fmt.Sprintf("%d-%d", r.From, r.To), string(r.Method), r.Reason, addedText(r.AddedBy, r.AddedAt)}, false, 4.2)
		}
	}
	p.heading("Sound", 11)
	if len(lg.AudioRanges) == 0 {
		p.para("None.")
	} else {
		w := []float64{18, 44, 24, 54, 40}
		p.row(w, []string{"Range", "Media time", "Hidden by", "Reason", "Added"}, true, 4.2)
		for _, r := range lg.AudioRanges {
			k := "muted"
			if r.Kind == redact.Bleep {
				k = "1 kHz tone"
			}
			p.row(w, []string{r.ID, r.From + " to " + r.To, k, r.Reason, addedText(r.AddedBy, r.AddedAt)}, false, 4.2)
		}
	}
	p.heading("History of the redaction", 11)
	w := []float64{16, 40, 28, 96}
	p.row(w, []string{"Version", "Saved", "By", "Change"}, true, 4.2)
	for _, v := range lg.History {
		p.row(w, []string{fmt.Sprint(v.Version), utc(v.At), v.Author, v.Change}, false, 4.2)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("redaction log PDF: %w", err)
	}
	return buf.Bytes(), nil
}

func addedText(by string, at *time.Time) string {
	if at == nil {
		return by
	}
	return utc(*at) + " by " + by
}

// WriteFiles writes the log as JSON to jsonPath and as PDF to pdfPath
// (either may be ""), each crash-safely (temp file, sync, rename).
func (lg *RedactionLog) WriteFiles(jsonPath, pdfPath string) error {
	if jsonPath != "" {
		b, err := lg.JSON()
		if err != nil {
			return err
		}
		if err := store.WriteFileAtomic(jsonPath, b, 0o600); err != nil {
			return fmt.Errorf("write %s: %w", jsonPath, err)
		}
	}
	if pdfPath != "" {
		b, err := lg.PDF()
		if err != nil {
			return err
		}
		if err := store.WriteFileAtomic(pdfPath, b, 0o600); err != nil {
			return fmt.Errorf("write %s: %w", pdfPath, err)
		}
	}
	return nil
}
