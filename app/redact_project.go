package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"exhibit/app/redact"
	"exhibit/store"
)

// Redaction projects (issue 12): the use cases that create, read and
// change them. Reading a project needs what reading its recording needs
// (PermView, and PermRestricted for a restricted recording); changing one
// needs PermExport, since a redaction exists to make a derivative for
// disclosure (reviewers and professional standards). Every change is one
// transaction with its audit entry, which names the project, its new
// version and the items by id, never a reason.

// Errors of redaction input, for callers that branch on them.
var (
	// ErrNoTrack reports a track id the project does not hold.
	ErrNoTrack = errors.New("no such track in this redaction project")
	// ErrNoProposal reports a proposal id the project does not hold.
	ErrNoProposal = errors.New("no such proposal in this redaction project")
	// ErrNoRange reports a whole-frame or audio range id the project does not hold.
	ErrNoRange = errors.New("no such range in this redaction project")
	// ErrOutsideProject reports a frame outside the project's frames.
	ErrOutsideProject = errors.New("outside the redaction project's frames")
	// ErrOutsidePicture reports a box that is not inside the picture.
	ErrOutsidePicture = errors.New("outside the picture")
)

// Audit actions of redaction projects.
const (
	actRedactNew       = "redact.new"
	actRedactShow      = "redact.show"
	actRedactBox       = "redact.box"
	actRedactEnd       = "redact.end"
	actRedactTrack     = "redact.track"
	actRedactDelete    = "redact.delete"
	actRedactFrames    = "redact.frames"
	actRedactAudio     = "redact.audio"
	actRedactProposals = "redact.proposals"
	actRedactAccept    = "redact.accept"
	actRedactReject    = "redact.reject"
)

// NewRedaction starts a redaction project on frames from..to of a
// recording (to < 0: its last frame) and returns it (version 1, empty).
func (l *Library) NewRedaction(ctx context.Context, recordingID string, from, to int) (redact.Project, error) {
	who, err := l.requireOn(ctx, PermExport, actRedactNew, recordingID)
	if err != nil {
		return redact.Project{}, err
	}
	full, err := l.resolve(ctx, recordingID, actRedactNew)
	if err != nil {
		return redact.Project{}, err
	}
	rec, err := l.st.Get(ctx, full)
	if err != nil {
		return redact.Project{}, fmt.Errorf("recording %s: %w", full, err)
	}
	if to < 0 {
		to = rec.Frames - 1
	}
	if from < 0 || to < from || to >= rec.Frames {
		return redact.Project{}, fmt.Errorf("frames %d-%d: %w (the recording has frames 0-%d)", from, to, ErrOutOfRange, rec.Frames-1)
	}
	p := redact.Project{RecordingID: full, From: from, To: to, CreatedBy: who.Name}
	if err := l.st.CreateRedaction(ctx, &p, l.entry(actRedactNew)); err != nil {
		return redact.Project{}, fmt.Errorf("new redaction of recording %s: %w", full, err)
	}
	return p, nil
}

// redactionRecording returns the recording of a project the signed-in
// user may see (resolve's check and audit for action). A missing project
// and one of a recording hidden from the user get the same error.
func (l *Library) redactionRecording(ctx context.Context, projectID, action string) (string, error) {
	rec, err := l.st.RedactionRecording(ctx, projectID)
	if err != nil {
		if _, rerr := l.require(ctx, PermView, action); rerr != nil {
			return "", rerr
		}
		return "", fmt.Errorf("redaction %s: %w", strings.TrimSpace(projectID), store.ErrNoRedaction)
	}
	if _, err := l.resolve(ctx, rec, action); err != nil {
		if errors.Is(err, ErrNotPermitted) {
			return "", fmt.Errorf("redaction %s: %w", strings.TrimSpace(projectID), store.ErrNoRedaction)
		}
		return "", err
	}
	return rec, nil
}

// RedactionProject returns the current state of a redaction project.
func (l *Library) RedactionProject(ctx context.Context, projectID string) (redact.Project, error) {
	if _, err := l.redactionRecording(ctx, projectID, actRedactShow); err != nil {
		return redact.Project{}, err
	}
	p, err := l.st.RedactionProject(ctx, projectID)
	if err != nil {
		return redact.Project{}, fmt.Errorf("redaction %s: %w", projectID, err)
	}
	return p, nil
}

// RedactionProjectAt returns a redaction project as it was at an earlier
// version (every version stays recoverable).
func (l *Library) RedactionProjectAt(ctx context.Context, projectID string, version int) (redact.Project, error) {
	if _, err := l.redactionRecording(ctx, projectID, actRedactShow); err != nil {
		return redact.Project{}, err
	}
	p, err := l.st.RedactionProjectAt(ctx, projectID, version)
	if err != nil {
		return redact.Project{}, fmt.Errorf("redaction %s: %w", projectID, err)
	}
	return p, nil
}

// RedactionVersions returns who saved each version of a redaction project,
// when, and what it changed (by ids), oldest first.
func (l *Library) RedactionVersions(ctx context.Context, projectID string) ([]store.RedactionVersion, error) {
	if _, err := l.redactionRecording(ctx, projectID, actRedactShow); err != nil {
		return nil, err
	}
	vs, err := l.st.RedactionVersions(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("redaction %s: %w", projectID, err)
	}
	return vs, nil
}

// RedactionProjects returns the redaction projects of a recording, oldest
// first, or with recordingID "" those of every recording the user may see.
func (l *Library) RedactionProjects(ctx context.Context, recordingID string) ([]redact.Project, error) {
	if recordingID != "" {
		full, err := l.resolve(ctx, recordingID, actRedactShow)
		if err != nil {
			return nil, err
		}
		ps, err := l.st.RedactionProjects(ctx, full)
		if err != nil {
			return nil, fmt.Errorf("redaction projects of recording %s: %w", full, err)
		}
		return ps, nil
	}
	who, err := l.require(ctx, PermView, actRedactShow)
	if err != nil {
		return nil, err
	}
	recs, err := l.st.RedactionRecordings(ctx)
	if err != nil {
		return nil, fmt.Errorf("redaction projects: %w", err)
	}
	var out []redact.Project
	for _, r := range recs {
		var re *store.ErrRestricted
		if _, err := l.st.Resolve(ctx, r, who.Role.Can(PermRestricted)); errors.As(err, &re) || errors.Is(err, store.ErrNotFound) {
			continue // restricted from this role (or deleted since): not listed
		} else if err != nil {
			return nil, fmt.Errorf("redaction projects: recording %s: %w", r, err)
		}
		ps, err := l.st.RedactionProjects(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("redaction projects of recording %s: %w", r, err)
		}
		out = append(out, ps...)
	}
	return out, nil
}
