package app

import (
	"context"
	"fmt"
	"io"
	"os"

	"exhibit/bundle"
)

// exportRedacted adds a redaction project's redacted copy to the bundle
// (p: the project's recording, p.spec the project id): the newest render
// when it drew the project's current version (copied from the vault, its
// opening audited as clip.open), else a render made now straight into the
// bundle (Library.RenderRedaction, audited as redaction.render); then its
// frame hashes and its redaction log as JSON and PDF.
func (l *Library) exportRedacted(ctx context.Context, w *bundle.Writer, p *exportPart) (*redactedCopy, error) {
	proj, err := l.RedactionProject(ctx, p.spec)
	if err != nil {
		return nil, err
	}
	renders, err := l.RedactedRenders(ctx, proj.ID)
	if err != nil {
		return nil, err
	}
	var d *Derivative
	if len(renders) > 0 && renders[0].RedactionVersion == proj.Version {
		d = renders[0]
	}
	p.from, p.to = proj.From, proj.To
	var file string
	pc, err := addClip(w, p, bundle.KindClipRedacted, func(path string) (*clipOutput, error) {
		file = path
		if d == nil {
			if d, err = l.RenderRedaction(ctx, proj.ID, path, nil); err != nil {
				return nil, err
			}
		} else if err := l.copyDerivative(ctx, d, path); err != nil {
			return nil, err
		}
		return &clipOutput{Kind: bundle.KindClipRedacted, Ref: d.Ref, SHA256: d.SHA256, From: d.From, To: d.To,
			Recipe:    bundle.Recipe{Tool: d.Recipe.Tool, Args: d.Recipe.Args, Notes: d.Recipe.Notes},
			FrameHash: d.FrameHash, FrameMap: d.FrameMap}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("redaction %s: %w", proj.ID, err)
	}
	lg, err := l.RedactionLogOf(ctx, d)
	if err != nil {
		return nil, err
	}
	js, err := lg.JSON()
	if err != nil {
		return nil, err
	}
	pdf, err := lg.PDF()
	if err != nil {
		return nil, err
	}
	of := pc.Path
	for _, f := range []struct {
		ext string
		b   []byte
	}{{"json", js}, {"pdf", pdf}} {
		it := bundle.Item{Path: "redaction/" + d.Ref + "_log." + f.ext, Kind: bundle.KindRedactionLog, ExhibitRef: d.Ref,
			MasterID: p.rec.ID, MasterSHA256: p.rec.SHA256, Frames: &bundle.FrameRange{From: d.From, To: d.To}, Of: of}
		if err := w.AddBytes(it, f.b); err != nil {
			return nil, err
		}
	}
	// The master frame of each frame of the copy, as the player page has
	// it (the frame map, or From..To for a copy recorded without one).
	return &redactedCopy{part: p, clip: pc, file: file, ref: d.Ref, sha256: d.SHA256, frameMap: pc.Frame}, nil
}

// copyDerivative writes a stored derivative, decrypted, to path (a file
// in the bundle's temporary folder), synced.
func (l *Library) copyDerivative(ctx context.Context, d *Derivative, path string) error {
	ra, size, closeFn, err := l.OpenDerivative(ctx, d.ID)
	if err != nil {
		return err
	}
	defer func() { _ = closeFn() }() // read only
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(&progressWriter{ctx: ctx, w: f, step: func(float64) {}}, io.NewSectionReader(ra, 0, size)); err != nil {
		_ = f.Close() // failure path: the copy error is returned; the bundle folder is removed
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close() // failure path: the sync error is returned
		return err
	}
	return f.Close()
}
