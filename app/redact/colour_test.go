package redact

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// TestYUV420ToRGBAAsFFmpeg converts ffmpeg's testsrc2 picture (saturated
// bars, gradients, text) as ffmpeg's own conversion to RGBA does, for an
// untagged, a BT.601, a BT.709 and a full-range picture: every sample
// within 3 levels (swscale's table arithmetic rounds differently), the
// mean error under half a level, and the matrices visibly different.
func TestYUV420ToRGBAAsFFmpeg(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("no ffmpeg")
	}
	const w, h = 320, 240
	ffmpeg := func(in []byte, args ...string) []byte {
		t.Helper()
		cmd := exec.Command("ffmpeg", append([]string{"-nostdin", "-v", "error"}, args...)...)
		cmd.Stdin = bytes.NewReader(in)
		var out, se bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &se
		if err := cmd.Run(); err != nil {
			t.Fatalf("ffmpeg %s: %v %s", strings.Join(args, " "), err, se.String())
		}
		return out.Bytes()
	}
	yuv := ffmpeg(nil, "-f", "lavfi", "-i", "testsrc2=s=320x240", "-frames:v", "1", "-vf", "format=yuv420p", "-f", "rawvideo", "-")
	if len(yuv) != w*h*3/2 {
		t.Fatalf("%d bytes of yuv420p", len(yuv))
	}
	y, u, v := yuv[:w*h], yuv[w*h:w*h*5/4], yuv[w*h*5/4:]
	var last []byte
	for _, c := range []struct {
		tags  []string
		space string
		rng   string
	}{
		{nil, "", ""},
		{[]string{"-colorspace", "bt470bg"}, "bt470bg", "tv"},
		{[]string{"-colorspace", "bt709"}, "bt709", "tv"},
		{[]string{"-colorspace", "bt709", "-color_range", "pc"}, "bt709", "pc"},
	} {
		args := append([]string{"-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", "320x240"}, c.tags...)
		want := ffmpeg(yuv, append(args, "-i", "-", "-pix_fmt", "rgba", "-f", "rawvideo", "-")...)
		col := ColourOf(c.space, c.rng, "yuv420p")
		got := YUV420ToRGBA(y, u, v, w, h, col).Pix
		if len(want) != len(got) {
			t.Fatalf("%v: ffmpeg gave %d bytes, we %d", c.tags, len(want), len(got))
		}
		worst, sum := 0, 0
		for i := range got {
			d := int(got[i]) - int(want[i])
			d = max(d, -d)
			worst, sum = max(worst, d), sum+d
		}
		mean := float64(sum) / float64(len(got))
		t.Logf("%v (%v): worst %d, mean %.3f levels from ffmpeg", c.tags, col, worst, mean)
		if worst > 3 || mean > 0.6 {
			t.Errorf("%v (%v): worst %d, mean %.3f levels from ffmpeg", c.tags, col, worst, mean)
		}
		if last != nil && c.space != "bt470bg" && bytes.Equal(last, got) {
			t.Errorf("%v: the same picture as the previous matrix", c.tags)
		}
		last = got
	}
	// Limited-range black and white are exact.
	for _, m := range []Matrix{BT601, BT709, BT2020} {
		img := YUV420ToRGBA([]byte{16, 235}, []byte{128}, []byte{128}, 2, 1, Colour{Matrix: m})
		if !bytes.Equal(img.Pix, []byte{0, 0, 0, 255, 255, 255, 255, 255}) {
			t.Errorf("%v: black and white give %v", m, img.Pix)
		}
	}
	if c := ColourOf("", "pc", "yuvj420p"); c.Full || c.Matrix != BT601 {
		t.Errorf("yuvj420p: %v (format=yuv420p converts it to limited range)", c)
	}
}
