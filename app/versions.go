package app

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"exhibit/app/media"
	"exhibit/player"
)

// version and commit are set at link time by `make dist` / `make build`:
//
//	-ldflags "-X exhibit/app.version=$(git describe --tags --always --dirty) -X exhibit/app.commit=$(git rev-parse HEAD)"
//
// Without them they come from the Go build information (the VCS stamp).
var (
	version string
	commit  string
)

// VersionInfo says what made this copy of Exhibit and what it runs on: the
// lines of `exhibit --version`, and what a bundle's manifest and report
// record so a court knows what made the copy.
type VersionInfo struct {
	// Exhibit is the release (`git describe --tags --always --dirty` at
	// build time), or "devel".
	Exhibit string `json:"exhibit"`
	// Commit is the full git commit hash, "+dirty" when the tree had
	// uncommitted changes, or "unknown".
	Commit string `json:"commit"`
	// Go is the Go toolchain that built the binary (runtime.Version()).
	Go string `json:"go"`
	// Libmpv is the linked libmpv, asked at run time: "mpv 0.35.1 (client
	// API 2.1)".
	Libmpv string `json:"libmpv"`
	// FFmpeg is the first line of `ffmpeg -version`.
	FFmpeg string `json:"ffmpeg"`
}

// String returns the five lines printed by `exhibit --version`.
func (v VersionInfo) String() string {
	return fmt.Sprintf("Exhibit: %s\nCommit: %s\nGo: %s\nlibmpv: %s\nFFmpeg: %s\n",
		v.Exhibit, v.Commit, v.Go, v.Libmpv, v.FFmpeg)
}

// Versions reports the running binary's version and commit, the Go version
// and the libmpv and ffmpeg it uses (libmpv from the linked library, ffmpeg
// by running `ffmpeg -version`). When libmpv or ffmpeg cannot be asked the
// field says "unavailable: …" and the error says why; the other fields are
// still filled.
func Versions(ctx context.Context) (VersionInfo, error) {
	v := VersionInfo{Exhibit: version, Commit: commit, Go: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v.Exhibit == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v.Exhibit = bi.Main.Version
		}
		if v.Commit == "" {
			var rev, modified string
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					modified = s.Value
				}
			}
			if rev != "" && modified == "true" {
				rev += "+dirty"
			}
			v.Commit = rev
		}
	}
	if v.Exhibit == "" {
		v.Exhibit = "devel"
	}
	if v.Commit == "" {
		v.Commit = "unknown"
	}
	var errs []error
	if mv, err := player.Libmpv(); err != nil {
		v.Libmpv = "unavailable: " + err.Error()
		errs = append(errs, fmt.Errorf("libmpv version: %w", err))
	} else {
		v.Libmpv = mv.String()
	}
	if fv, err := media.FFmpegVersion(ctx); err != nil {
		v.FFmpeg = "unavailable: " + strings.TrimSpace(err.Error())
		errs = append(errs, err)
	} else {
		v.FFmpeg = fv
	}
	return v, errors.Join(errs...)
}
