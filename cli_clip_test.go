package main

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
	cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough",
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

type clipLine struct {
	ID           string `json:"id"`
	Ref          string `json:"ref"`
	RecordingID  string `json:"recording_id"`
	MasterSHA256 string `json:"master_sha256"`
	Kind         string `json:"kind"`
	From         int    `json:"from"`
	To           int    `json:"to"`
	SHA256       string `json:"sha256"`
	Size         int64  `json:"size"`
	Recipe       struct {
		Tool string   `json:"tool"`
		Args []string `json:"args"`
	} `json:"recipe"`
	FrameHash       string `json:"framehash"`
	MasterFrameHash string `json:"master_framehash"`
	FrameMap        []int  `json:"frame_map"`
}

func TestCLIClip(t *testing.T) {
	e := newReviewEnv(t, "sgt1")
	id := e.ingestClips(map[string]time.Time{"cam": time.Now().Add(-time.Hour)})["cam"]
	dir := t.TempDir()
	lossless := filepath.Join(dir, "lossless.mp4")
	out := e.as("sgt1", "clip", id, "--from", "5", "--to", "15", "--lossless", "-o", lossless)
	if !strings.Contains(out, id+"-C1 clip-lossless frames 5-15") {
		t.Errorf("clip output %q", out)
	}
	if got := bandFrames(t, lossless); !framesAre(got, 5, 15) {
		t.Fatalf("lossless clip shows %v", got)
	}
	court := filepath.Join(dir, "court.mp4")
	e.as("sgt1", "clip", strings.ToLower(id[:4]), "--from-time", "0.2", "--to-time", "0.6", "-o", court)
	if got := bandFrames(t, court); !framesAre(got, 5, 15) {
		t.Fatalf("court clip by time shows %v", got)
	}
	ann := strings.TrimSpace(e.as("sgt1", "mark", id, "--frame", "3", "--to", "9", "--category", "arrest"))
	marked := filepath.Join(dir, "marked.mp4")
	e.as("sgt1", "clip", ann, "-o", marked)
	if got := bandFrames(t, marked); !framesAre(got, 3, 9) {
		t.Fatalf("clip of annotation %s shows %v", ann, got)
	}
	e.as("sgt1", "clip", id, "--from", "0", "--to", "24") // store only

	clips := parseLines[clipLine](t, e.as("sgt1", "clips", id, "--json"))
	if len(clips) != 4 {
		t.Fatalf("clips: %+v", clips)
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
	if clips[0].FrameHash == "" || clips[0].Kind != "clip-lossless" || clips[1].Kind != "clip-court" {
		t.Errorf("kinds %s %s", clips[0].Kind, clips[1].Kind)
	}
	table := e.as("sgt1", "clips", id)
	if !strings.Contains(table, id+"-C4") || !strings.Contains(table, "clip-court") {
		t.Errorf("clips table:\n%s", table)
	}
	if _, _, code := e.try("sgt1", "clip", id, "--from", "5"); code != exitUsage {
		t.Errorf("clip without --to: exit %d", code)
	}
	if _, errOut, code := e.try("sgt1", "clip", id, "--from", "5", "--to", "99"); code != exitAborted ||
		!strings.Contains(errOut, "outside the recording") {
		t.Errorf("clip past the end: exit %d %s", code, errOut)
	}
	audit := parseLines[auditLine](t, e.as("admin", "audit", id, "--json", "--action", "clip.create"))
	if len(audit) != 4 || audit[0].SHA256 == "" || !strings.Contains(audit[0].Detail, clips[0].SHA256) {
		t.Errorf("audit %+v", audit)
	}
}
