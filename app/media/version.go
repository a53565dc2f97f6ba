package media

import (
	"bytes"
	"context"
	"fmt"
	"strings"
)

// FFmpegVersion returns the first line of `ffmpeg -version` (e.g. "ffmpeg
// version 5.1.6-0+deb12u1 Copyright (c) 2000-2024 the FFmpeg developers"),
// from the FFmpegPath this package runs.
func FFmpegVersion(ctx context.Context) (string, error) {
	var out bytes.Buffer
	if _, err := run(ctx, &out, FFmpegPath, "-hide_banner", "-version"); err != nil {
		return "", fmt.Errorf("ffmpeg -version: %w", err)
	}
	line, _, _ := strings.Cut(out.String(), "\n")
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "ffmpeg version ") {
		return "", fmt.Errorf("ffmpeg -version: unexpected first line %q", line)
	}
	return line, nil
}
