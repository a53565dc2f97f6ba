package ui

import (
	"context"
	"time"

	"exhibit/app"
	"exhibit/app/redact"
)

// redactAPI is what the redaction editor needs from the library: the
// recording to play, and the redaction use cases. Each edit is one gated
// and audited call that stores one change and returns the project as
// stored.
type redactAPI interface {
	OpenReview(ctx context.Context, id string) (*app.Review, error)
	Can(p app.Permission) bool

	NewRedaction(ctx context.Context, recordingID string, from, to int) (redact.Project, error)
	RedactionProject(ctx context.Context, projectID string) (redact.Project, error)
	RedactionProjects(ctx context.Context, recordingID string) ([]redact.Project, error)
	RedactionPreview(ctx context.Context, projectID string, n int) (*app.RedactionPicture, error)

	AddKeyframe(ctx context.Context, projectID string, in app.KeyframeInput) (string, redact.Project, error)
	SetTrackEnd(ctx context.Context, projectID, trackID string, frame int) (redact.Project, error)
	UpdateTrack(ctx context.Context, projectID, trackID string, u app.TrackUpdate) (redact.Project, error)
	DeleteKeyframe(ctx context.Context, projectID, trackID string, frame int) (redact.Project, error)
	DeleteTrack(ctx context.Context, projectID, trackID string) (redact.Project, error)
	PutTrack(ctx context.Context, projectID string, t redact.Track) (string, redact.Project, error)

	AddFrameRange(ctx context.Context, projectID string, from, to int, method redact.Method, reason string) (string, redact.Project, error)
	DeleteFrameRange(ctx context.Context, projectID, rangeID string) (redact.Project, error)
	AddAudioRange(ctx context.Context, projectID string, from, to time.Duration, kind redact.AudioKind, reason string) (string, redact.Project, error)
	DeleteAudioRange(ctx context.Context, projectID, rangeID string) (redact.Project, error)
	PutFrameRange(ctx context.Context, projectID string, f redact.FrameRange) (string, redact.Project, error)
	PutAudioRange(ctx context.Context, projectID string, a redact.AudioRange) (string, redact.Project, error)

	AcceptProposals(ctx context.Context, projectID string, proposalIDs ...string) ([]string, redact.Project, error)
	RejectProposals(ctx context.Context, projectID string, proposalIDs ...string) (redact.Project, error)

	DetectFaces(ctx context.Context, projectID string, every int, progress func(done, total int)) (app.DetectResult, error)
	DetectFacesAt(ctx context.Context, projectID string, n int) (app.DetectResult, error)
	TrackBox(ctx context.Context, projectID string, req app.TrackRequest) (redact.TrackResult, error)
	RenderRedaction(ctx context.Context, projectID, out string, progress func(float64)) (*app.Derivative, error)
}

var _ redactAPI = (*app.Library)(nil)
