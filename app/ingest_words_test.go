package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"exhibit/app/media"
)

// A refused file says why in words, not in the demuxer's ("moov atom not
// found").
func TestIngestRejectionInWords(t *testing.T) {
	lib := newTestLibrary(t)
	signInAs(t, lib, "sgt1", RoleSergeant)
	ctx := context.Background()
	junk, err := media.WriteJunkMedia(ctx, t.TempDir(), 7)
	if err != nil {
		t.Fatal(err)
	}
	for kind, want := range map[media.JunkKind]string{
		media.JunkTruncated: "the file is cut short or not a finished recording",
		// Named .mp4, the demuxer finds no index in them either.
		media.JunkText:  "the file is cut short or not a finished recording",
		media.JunkNoise: "the file is cut short or not a finished recording",
	} {
		res, err := lib.Ingest(ctx, []string{junk[kind]}, IngestOptions{})
		if err != nil || len(res) != 1 || res[0].Status != Rejected {
			t.Fatalf("%s: %+v, %v", kind, res, err)
		}
		if res[0].Error != want || strings.Contains(res[0].Error, "moov") {
			t.Errorf("%s (%s): refused as %q, want %q", kind, filepath.Base(junk[kind]), res[0].Error, want)
		}
	}
}
