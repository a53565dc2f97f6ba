package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"exhibit/app/media"
)

// bandFrames decodes a 320x180 clip as players show it and reads each
// frame's index band.
func bandFrames(t *testing.T, path string) []int {
	t.Helper()
	cmd := exec.Command(media.FFmpegPath, "-nostdin", "-v", "error", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough",
		"-vf", "crop=320:180:0:0", "-f", "rawvideo", "-pix_fmt", "rgba", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("decode %s: %v: %s", path, err, stderr.String())
	}
	const size = 320 * 180 * 4
	var ns []int
	for off := 0; off+size <= len(out); off += size {
		n, err := media.DecodeIndexBand(&image.RGBA{Pix: out[off : off+size], Stride: 320 * 4, Rect: image.Rect(0, 0, 320, 180)})
		if err != nil {
			t.Fatalf("%s frame %d: %v", path, len(ns), err)
		}
		ns = append(ns, n)
	}
	return ns
}

func framesAre(ns []int, from, to int) bool {
	if len(ns) != to-from+1 {
		return false
	}
	for i, n := range ns {
		if n != from+i {
			return false
		}
	}
	return true
}

// TestClip: clips by frames, by times and by annotation, to a file or the
// store only, listed as a table and as JSON, refused on bad arguments, a
// range past the end and a role without the export permission. The
// recording is clipped straight after ingest, its frame table still the
// one from packets: the clip runs the frame check first.
func TestClip(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	id := e.ingestClips(map[string]time.Time{"cam": time.Now().Add(-time.Hour)})["cam"]
	if out := e.mustRun("show", "--json", id); !strings.Contains(out, `"frame_check":"pending"`) {
		t.Fatalf("after ingest the frame table should be the packets' one, pending its check: %s", out)
	}
	dir := t.TempDir()
	lossless := filepath.Join(dir, "lossless.mp4")
	out := e.must(sergeant, "clip", id, "--from", "5", "--to", "15", "--lossless", "-o", lossless)
	if !strings.HasPrefix(out, lossless+": "+id+"-C1 clip-lossless frames 5-15 of "+id+", sha256 ") {
		t.Errorf("clip output %q", out)
	}
	if got := bandFrames(t, lossless); !framesAre(got, 5, 15) {
		t.Fatalf("lossless clip shows %v", got)
	}
	checks := parseLines[auditJSON](t, e.mustRun("audit", id, "--json", "--action", "frames.checked"))
	if len(checks) != 1 || checks[0].User != sergeant {
		t.Errorf("the clip should have run the frame check first, as the sergeant: %+v", checks)
	}
	court := filepath.Join(dir, "court.mp4")
	e.must(sergeant, "clip", strings.ToLower(id[:4]), "--from-time", "0.2", "--to-time", "0.6", "-o", court)
	if got := bandFrames(t, court); !framesAre(got, 5, 15) {
		t.Fatalf("court clip by time shows %v", got)
	}
	ann := strings.TrimSpace(e.must(sergeant, "mark", id, "--frame", "3", "--to", "9", "--category", "arrest"))
	marked := filepath.Join(dir, "marked.mp4")
	e.must(sergeant, "clip", ann, "-o", marked)
	if got := bandFrames(t, marked); !framesAre(got, 3, 9) {
		t.Fatalf("clip of annotation %s shows %v", ann, got)
	}
	if out := e.must(sergeant, "clip", id, "--from", "0", "--to", "24"); !strings.HasPrefix(out, "(store only): "+id+"-C4 clip-court frames 0-24") {
		t.Errorf("store-only clip output %q", out)
	}

	// Kept once proven from their structure; the decoded-frame hashes
	// wait for the clip check, which check-frames runs now.
	if out, table := e.must(sergeant, "clip", id, "--from", "1", "--to", "2"), e.must(sergeant, "clips", id); !strings.HasSuffix(strings.TrimSpace(out), "(frames being checked)") ||
		strings.Count(table, "frames being checked") != 5 {
		t.Errorf("before the clip check: %q\n%s", out, table)
	}
	checked := e.mustRun("check-frames")
	if strings.Count(checked, " clip "+id+"-C") != 5 || !strings.Contains(checked, "checked    "+id+"  clip "+id+"-C1  11 frames decoded") {
		t.Errorf("check-frames:\n%s", checked)
	}
	clips := parseLines[clipJSON](t, e.must(sergeant, "clips", id, "--json"))
	if len(clips) != 5 {
		t.Fatalf("clips: %+v", clips)
	}
	for _, c := range clips {
		if c.FrameCheck != "checked" {
			t.Errorf("%s after check-frames: %q", c.Ref, c.FrameCheck)
		}
	}
	for i, f := range []string{lossless, court, marked} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		c := clips[i]
		if c.SHA256 != hex.EncodeToString(sum[:]) || c.Size != int64(len(b)) || c.RecordingID != id ||
			c.Ref != id+"-C"+string(rune('1'+i)) || !strings.HasPrefix(c.Recipe.Tool, "ffmpeg version") ||
			!strings.Contains(c.FrameHash, "#format: frame checksums") || len(c.FrameMap) != c.To-c.From+1 {
			t.Errorf("clip %d: %+v", i, c)
		}
	}
	if clips[0].Kind != "clip-lossless" || clips[1].Kind != "clip-court" || clips[2].From != 3 || clips[2].To != 9 {
		t.Errorf("kinds %s %s, marked range %d-%d", clips[0].Kind, clips[1].Kind, clips[2].From, clips[2].To)
	}
	table := e.must(sergeant, "clips", id)
	if lines := strings.Split(strings.TrimSpace(table), "\n"); len(lines) != 6 || !strings.HasPrefix(lines[0], "REF") ||
		!strings.HasPrefix(lines[4], id+"-C4") || !strings.Contains(lines[4], "clip-court") || !strings.HasSuffix(lines[4], "checked") {
		t.Errorf("clips table:\n%s", table)
	}

	for _, args := range [][]string{
		{"clip", id, "--from", "5"},
		{"clip", id, "--from", "5", "--to", "6", "--from-time", "0.1", "--to-time", "0.2"},
		{"clip", id},
		{"clips"},
	} {
		if r := e.runAs(sergeant, "", args...); r.code != exitUsage || !strings.Contains(r.err, "usage: exhibit clip") {
			t.Errorf("%v: %v", args, r)
		}
	}
	if r := e.runAs(sergeant, "", "clip", id, "--from", "5", "--to", "99"); r.code != exitAborted ||
		!strings.Contains(r.err, "outside the recording") {
		t.Errorf("clip past the end: %v", r)
	}
	if r := e.runAs(viewer, "", "clip", id, "--from", "5", "--to", "6"); r.code != exitAborted || r.out != "" {
		t.Errorf("viewer clip: %v", r)
	}
	audit := parseLines[auditJSON](t, e.mustRun("audit", id, "--json", "--action", "clip.create"))
	var ok, failed int
	for _, a := range audit {
		switch a.Outcome {
		case "ok":
			ok++
		default:
			failed++
		}
	}
	if ok != 5 || audit[0].SHA256 == "" {
		t.Errorf("audit: %d ok, %d not: %+v", ok, failed, audit)
	}
	var details []string
	for _, a := range audit {
		details = append(details, a.Detail)
	}
	if !strings.Contains(strings.Join(details, "\n"), clips[0].SHA256) {
		t.Errorf("no clip.create entry names the lossless clip's SHA-256 %s: %+v", clips[0].SHA256, audit)
	}
}
