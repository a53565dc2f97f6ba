package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"exhibit/app/media"
	"exhibit/app/redact"
	"exhibit/store"
)

// KindRedacted is a derivative drawn from a redaction project.
const KindRedacted = store.KindRedacted

// actRedactRender is the audit action of a redacted render.
const actRedactRender = "redaction.render"

// AudioEdits are a project's audio ranges as the render applies them:
// seconds from frame p.From (a range's media time counts from frame 0),
// clipped to the rendered frames; ranges outside them are left out.
func AudioEdits(p redact.Project, ft *media.FrameTable) []media.AudioEdit {
	t0 := ft.Seconds(p.From)
	end := ft.Duration() - t0
	if p.To+1 < ft.Len() {
		end = ft.Seconds(p.To+1) - t0
	}
	var out []media.AudioEdit
	for _, a := range p.Audio {
		from, to := max(0, a.From.Seconds()-t0), min(end, a.To.Seconds()-t0)
		if to <= from {
			continue
		}
		out = append(out, media.AudioEdit{From: from, To: to, Bleep: a.Kind == redact.Bleep})
	}
	return out
}

// RegionStage is the render's Go stage for project p on a w×h picture:
// the regions of each master frame (Project.RegionsAt) drawn into the
// decoded yuv420p planes by redact.ApplyYUV420, the function the editor's
// preview runs (ApplyRGBA) on the same core.
func RegionStage(p redact.Project, w, h int) media.FrameStage {
	return func(n int, y, u, v []byte) error {
		redact.ApplyYUV420(y, u, v, w, h, p.RegionsAt(n, w, h))
		return nil
	}
}

// renderStageTap, when set (tests only), sees every frame RenderRedaction
// hands to the encoder, after the region stage.
var renderStageTap func(n int, y, u, v []byte)

// stageNote names the Go stage of a render in its recipe.
func stageNote(p redact.Project) string {
	return fmt.Sprintf("video frames pass through Exhibit's region stage between the two ffmpeg runs: exhibit/app/redact.ApplyYUV420 "+
		"(regions grown by %d px, aligned outward to %d px cells; solid fill Y=%d Cb=%d Cr=%d, pixelation by block means, box blur) "+
		"with the regions of redaction %s version %d (Project.RegionsAt per master frame), "+
		"then reach the encoder as Matroska (V_UNCOMPRESSED I420) with each master frame's own timestamp",
		redact.Margin, redact.Cell, redact.FillYUV[0], redact.FillYUV[1], redact.FillYUV[2], p.ID, p.Version)
}

// RenderRedaction renders the current version of a redaction project: the
// master is read from the vault over the loopback URL (nothing decrypted
// touches the disk), its frames p.From..p.To decoded, the regions drawn
// by RegionStage, and the result encoded like a court clip (H.264/AAC MP4,
// +faststart, the master's timestamps) with the audio ranges muted or
// bleeped. The render is checked by its frame hashes (every frame once,
// at its master time; no master range hashes, which a redacted copy
// cannot match), kept encrypted in the vault as a derivative of kind
// redacted naming the project and version, audited as redaction.render
// (ids and hashes only), and, when out is not empty, also written to out
// (a temp file renamed: never a partial file). progress gets the fraction
// done; a cancelled render leaves nothing.
func (l *Library) RenderRedaction(ctx context.Context, projectID, out string, progress func(float64)) (*Derivative, error) {
	recID, _ := l.st.RedactionRecording(ctx, projectID) // for naming it in a denied entry only
	who, err := l.requireOn(ctx, PermExport, actRedactRender, recID)
	if err != nil {
		return nil, err
	}
	id, err := l.redactionRecording(ctx, projectID, actRedactRender)
	if err != nil {
		return nil, err
	}
	p, err := l.st.RedactionProject(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("redaction %s: %w", strings.TrimSpace(projectID), err)
	}
	rec, err := l.st.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	report := func(f float64) {
		if progress != nil {
			progress(f)
		}
	}
	report(0)
	if err := l.confirmFrames(ctx, rec, ClipRequest{RecordingID: id, From: p.From, To: p.To}, nil); err != nil {
		return nil, err
	}
	ft, err := l.frameTable(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.From < 0 || p.To < p.From || p.To >= ft.Len() {
		return nil, fmt.Errorf("redaction %s frames %d-%d: %w (frames 0 to %d)", p.ID, p.From, p.To, ErrOutOfRange, ft.Len()-1)
	}
	tool, err := media.FFmpegVersion(ctx)
	if err != nil {
		return nil, err
	}
	dir := l.st.Dir()
	if out != "" {
		dir = filepath.Dir(out)
	}
	tmpDir, err := os.MkdirTemp(dir, ".exhibit-redact-*")
	if err != nil {
		return nil, fmt.Errorf("redacted render: %w", err)
	}
	defer func() { _ = os.RemoveAll(tmpDir) }() // the temp folder; a leftover is only a hidden folder of ours
	tmp := filepath.Join(tmpDir, "redacted.mp4")

	m, err := l.st.OpenMaster(ctx, id)
	if err != nil {
		return nil, err
	}
	defer func() { _ = m.Close() }() // read only
	url, stop, err := ServeReaderAt(m, m.Size(), "master")
	if err != nil {
		return nil, err
	}
	defer stop()

	r := media.ClipRange{Table: ft, From: p.From, To: p.To, Container: rec.Container}
	o := media.RedactOptions{Width: rec.Width, Height: rec.Height, Audio: rec.AudioCodec != "", Edits: AudioEdits(p, ft)}
	stage := RegionStage(p, rec.Width, rec.Height)
	if tap := renderStageTap; tap != nil {
		stage = func(n int, y, u, v []byte) error {
			err := RegionStage(p, rec.Width, rec.Height)(n, y, u, v)
			tap(n, y, u, v)
			return err
		}
	}
	res, err := media.RenderRedacted(ctx, url, tmp, r, o, stage, func(f float64) { report(0.85 * f) })
	if err != nil {
		return nil, l.renderFailed(ctx, rec, p, err)
	}
	// No master range hashes: a redacted copy cannot equal the master's
	// frames; it is checked like a court clip, by its own hashes' count and
	// times against the frame table.
	d := &Derivative{RecordingID: id, MasterSHA256: rec.SHA256, Kind: KindRedacted, From: p.From, To: p.To,
		CreatedBy: who.Name, FrameMap: res.FrameMap, RedactionID: p.ID, RedactionVersion: p.Version, MasterFrameHash: []byte{}}
	d.FrameHash, err = media.FrameHash(ctx, tmp)
	if err == nil {
		var tb media.Rational
		if tb, err = media.FrameHashTimeBase(d.FrameHash); err == nil {
			err = media.CheckCourtFrames(d.FrameHash, tb, r)
		}
	}
	if err != nil {
		return nil, l.renderFailed(ctx, rec, p, err)
	}
	report(0.95)
	notes := []string{
		"decoded by: ffmpeg " + strings.Join(recipeArgs(res.DecodeArgs, url, tmp, rec.ID), " "),
		stageNote(p),
	}
	notes = append(notes, res.Notes...)
	if len(o.Edits) > 0 {
		notes = append(notes, "audio (seconds from the first frame): "+media.AudioEditsNote(o.Edits))
	}
	d.Recipe = Recipe{Tool: tool, Args: recipeArgs(res.EncodeArgs, url, tmp, rec.ID), Notes: notes}
	for i, a := range d.Recipe.Args {
		if a == "pipe:0" {
			d.Recipe.Args[i] = "pipe:0 (the region stage's output)"
		}
	}
	if err := l.keepClip(ctx, actRedactRender, d, tmp, out, nil); err != nil {
		return nil, err
	}
	report(1)
	return d, nil
}

// renderFailed audits a failed render (ids and the error, which holds no
// free text) and returns err. A cancelled render is not an outcome to
// audit: nothing was made.
func (l *Library) renderFailed(ctx context.Context, rec *Recording, p redact.Project, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	e := l.entry(actRedactRender)
	e.RecordingID, e.SHA256, e.Outcome = rec.ID, rec.SHA256, store.OutcomeFailed
	e.Detail = fmt.Sprintf("redaction %s version %d frames %d-%d: %s", p.ID, p.Version, p.From, p.To, oneLine(err))
	if aerr := l.st.Audit(ctx, e); aerr != nil {
		return errors.Join(err, aerr)
	}
	l.log.Warn("redacted render failed", "redaction", p.ID, "error", err)
	return err
}

// RedactedRenders returns the redacted derivatives drawn from a project,
// newest first.
func (l *Library) RedactedRenders(ctx context.Context, projectID string) ([]*Derivative, error) {
	id, err := l.redactionRecording(ctx, projectID, actRedactShow)
	if err != nil {
		return nil, err
	}
	ds, err := l.st.Derivatives(ctx, id)
	if err != nil {
		return nil, err
	}
	pid := strings.ToUpper(strings.TrimSpace(projectID))
	var out []*Derivative
	for i := len(ds) - 1; i >= 0; i-- {
		if ds[i].Kind == KindRedacted && ds[i].RedactionID == pid {
			out = append(out, ds[i])
		}
	}
	return out, nil
}
