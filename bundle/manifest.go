// Package bundle is the evidence bundle format: the folder an export writes
// (manifest, SHA256SUMS, clips, masters, framehash files, stills, the audit
// entries with their RFC 6962 inclusion proofs in c2sp.org/tlog-proof@v1
// form and the signed checkpoint) and Verify, which checks such a folder
// with no store, no keyring and no sign-in.
//
// It depends on the standard library, golang.org/x/mod/sumdb (tlog, note)
// and the ffmpeg binary (for frame hashes) only; never on the store or app.
//
// Layout (exact; other tools rely on it):
//
//	README.txt          how to check and play the bundle with public tools
//	manifest.json       Manifest
//	SHA256SUMS          every other file, `sha256sum -c` format, relative paths
//	report.pdf          continuity report (and report.html)
//	index.html          offline player
//	masters/            decrypted masters, bit-identical to what was ingested
//	clips/              court-playable and lossless clips
//	framehash/          one .framehash per clip and per master range
//	stills/             a still at each marker
//	audit/entries.jsonl audit entries, each line exactly its Merkle leaf data
//	audit/checkpoint    the signed checkpoint the proofs are against
//	audit/log.vkey      the note verifier key of the checkpoint signer
//	audit/proofs/SEQ.tlog-proof  one proof per entry line
//
// Ordering: everything up to manifest.json is written first; the export is
// then audited with the manifest's SHA-256, and the audit files and the
// report (which show that entry) are written after it. So manifest.json
// carries the hashes of the files written before it and names the later
// ones without a hash; SHA256SUMS covers every file.
package bundle

import (
	"time"
)

// Format is the value of Manifest.Format for this version of the layout.
const Format = "exhibit-bundle/1"

// Fixed paths of the layout.
const (
	ManifestFile   = "manifest.json"
	SumsFile       = "SHA256SUMS"
	ReadmeFile     = "README.txt"
	ReportPDF      = "report.pdf"
	ReportHTML     = "report.html"
	PlayerFile     = "index.html"
	EntriesFile    = "audit/entries.jsonl"
	CheckpointFile = "audit/checkpoint"
	KeyFile        = "audit/log.vkey"
	ProofsDir      = "audit/proofs"
	ProofSuffix    = ".tlog-proof"
)

// Kind is what a manifest item is.
type Kind string

// Kinds of manifest items.
const (
	KindMaster       Kind = "master"
	KindClipCourt    Kind = "clip-court"
	KindClipLossless Kind = "clip-lossless"
	// KindClipRedacted is a redacted copy (re-encoded like a court clip,
	// regions hidden), checked by its frame hashes like a court clip.
	KindClipRedacted Kind = "clip-redacted"
	// KindRedactionLog is a redacted copy's log (JSON or PDF): what each
	// region hides and why, never what was under it.
	KindRedactionLog Kind = "redaction-log"
	KindStill        Kind = "still"
	// KindStillRedacted is a still taken from a redacted copy (Of names
	// it; Frame is the master frame it shows): a marker's still in a
	// bundle that carries redacted copies, never from the master.
	KindStillRedacted Kind = "still-redacted"
	KindFrameHash     Kind = "framehash"
	KindReport        Kind = "report"
	KindReportHTML    Kind = "report-html"
	KindPlayer        Kind = "player"
	KindReadme        Kind = "readme"
	KindAuditEntries  Kind = "audit-entries"
	KindCheckpoint    Kind = "audit-checkpoint"
	KindVerifierKey   Kind = "audit-key"
	KindProofs        Kind = "audit-proofs" // the folder audit/proofs/: one SEQ.tlog-proof per entry line
)

// Manifest is manifest.json.
type Manifest struct {
	Format         string    `json:"format"` // Format
	CaseRef        string    `json:"case_ref"`
	BundleID       string    `json:"bundle_id"`
	CreatedAt      time.Time `json:"created_at"` // UTC
	CreatedBy      string    `json:"created_by"`
	ExhibitVersion string    `json:"exhibit_version"`
	// Software says what made the bundle: Exhibit's version and commit,
	// the Go toolchain, libmpv and ffmpeg (the ffmpeg that made the clips
	// is also in each clip's recipe). Added after format exhibit-bundle/1
	// shipped: older bundles have none.
	Software *Software `json:"software,omitempty"`
	// Items lists every file of the bundle except manifest.json and
	// SHA256SUMS. Items written after the manifest (the report, the audit
	// files) have no SHA256 and Size here: SHA256SUMS holds their hashes.
	Items []Item `json:"items"`
	// Markers are the recordings' markers (frame ranges of the master),
	// in recording order; court playback lists them per exhibit. Added
	// after format exhibit-bundle/1 shipped: older bundles have none.
	Markers []PlayerMarker `json:"markers,omitempty"`
	// Notes says what became of the free text (marker notes, decision
	// and legal hold reasons): a bundle that carries redacted copies
	// withholds it unless it was asked for explicitly (exhibit export
	// --with-notes); other bundles carry it. Added after format
	// exhibit-bundle/1 shipped: older bundles have none, and carry it.
	Notes *NotesPolicy `json:"notes,omitempty"`
}

// NotesPolicy is Manifest.Notes.
type NotesPolicy struct {
	// Withheld is true when the free text was left out of the report,
	// the offline player and the manifest; false when it was included
	// because it was asked for.
	Withheld bool `json:"withheld"`
	// Asked is true when the free text was asked for explicitly
	// (--with-notes).
	Asked     bool `json:"asked,omitempty"`
	Markers   int  `json:"markers"`         // markers whose notes it concerns
	Decisions int  `json:"decisions"`       // review decisions whose reasons it concerns
	Holds     int  `json:"holds,omitempty"` // legal holds whose reasons it concerns
	// Statement is the sentence the report prints about it (a bundle
	// with redacted copies only).
	Statement string `json:"statement,omitempty"`
}

// Software is the versions of what made a bundle, as `exhibit --version`
// prints them.
type Software struct {
	Exhibit string `json:"exhibit"`
	Commit  string `json:"commit"`
	Go      string `json:"go"`
	Libmpv  string `json:"libmpv"`
	FFmpeg  string `json:"ffmpeg"`
}

// Item is one file (or, for KindProofs, the proofs folder) of a bundle.
type Item struct {
	Path       string `json:"path"` // slash-separated, relative, no "..", never absolute
	Kind       Kind   `json:"kind"`
	ExhibitRef string `json:"exhibit_ref,omitempty"`
	SHA256     string `json:"sha256,omitempty"` // hex; empty for files written after the manifest
	Size       int64  `json:"size,omitempty"`
	// MasterID and MasterSHA256 name the parent master (for a master, its
	// own id and the SHA-256 taken at ingest).
	MasterID     string      `json:"master_id,omitempty"`
	MasterSHA256 string      `json:"master_sha256,omitempty"`
	Frames       *FrameRange `json:"frames,omitempty"` // master frames, 0-based, inclusive
	Recording    *Recording  `json:"recording,omitempty"`
	Recipe       *Recipe     `json:"recipe,omitempty"`
	// FrameHash is the path of this clip's own framehash file;
	// MasterFrameHash that of the master frames it was cut from.
	FrameHash       string `json:"framehash,omitempty"`
	MasterFrameHash string `json:"master_framehash,omitempty"`
	// FrameMap gives, for a court clip, the master frame of each clip frame.
	FrameMap []int `json:"frame_map,omitempty"`
	// MasterTimeUS gives, for a clip, the time of the master frame each
	// clip frame shows, in microseconds since master frame 0 (from the
	// master's frame table: real timestamps, not the nominal rate), so
	// the camera clock of a clip frame is Recording.RecordedAt plus it.
	// Added after format exhibit-bundle/1 shipped: older bundles have none.
	MasterTimeUS []int64 `json:"master_time_us,omitempty"`
	// Frame is the master frame of a still.
	Frame *int `json:"frame,omitempty"`
	// Of is, for a framehash file, the path of the file it hashes (or
	// "masters range" for a master range not in the bundle).
	Of string `json:"of,omitempty"`
}

// IsClip reports whether kind is a video clip checked by frame hashes.
func IsClip(kind Kind) bool {
	return kind == KindClipCourt || kind == KindClipLossless || kind == KindClipRedacted
}

// FrameRange is an inclusive range of 0-based master frames.
type FrameRange struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// Recording holds the facts of a master recording.
type Recording struct {
	RecordedAt       time.Time `json:"recorded_at"` // UTC, camera clock
	RecordedAtSource string    `json:"recorded_at_source,omitempty"`
	DurationMS       int64     `json:"duration_ms"`
	FPS              string    `json:"fps"` // "num/den"
	Frames           int       `json:"frames"`
	Officer          string    `json:"officer,omitempty"`
	Device           string    `json:"device,omitempty"`
}

// Recipe is the exact processing step that made a derivative.
type Recipe struct {
	Tool  string   `json:"tool"` // e.g. the ffmpeg version line
	Args  []string `json:"args"`
	Notes []string `json:"notes,omitempty"` // steps beyond the tool (e.g. the edit list of a lossless cut)
}

// Problem is one failed check of Verify.
type Problem struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// String returns "path: reason".
func (p Problem) String() string { return p.Path + ": " + p.Reason }
