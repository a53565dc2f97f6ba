package app

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"math/big"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"exhibit/app/media"
	"exhibit/app/redact"
)

// The proofs of a redacted render, on generated VFR footage (B-frames,
// AAC tone) with three coloured markers moving at known positions.

const (
	proofW, proofH = 640, 360
	proofFrames    = 60
	proofFrom      = 5
	proofTo        = 54
	// Max |decoded − intended| inside a region + 2 px, 8-bit levels: a
	// solid fill, and pixelation blocks (their edges ring in the encoder).
	proofTolerance      = 4
	proofPixelTolerance = 24
	// Max |mean of a decoded pixelation block − its block mean| (luma):
	// blocks straddle 16×16 macroblocks with visible pixels, so the
	// encoder's error does not quite average out (4 levels seen).
	proofBlockMeanTolerance = 6.0
	proofPSNR               = 35.0
	proofAudioGuard         = 0.05 // s: AAC's transform smears this far past a range's edge
	proofSampleRate         = 48000
	proofMarkerDelta        = 16 // "well outside": this many pixels from every drawn cell
)

func proofFootage(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "markers-vfr.mp4")
	o := media.IndexedClipOptions{Width: proofW, Height: proofH, Frames: proofFrames, BFrames: 2, VFR: true, Audio: true, Markers: true}
	if err := media.WriteIndexedClip(context.Background(), p, o); err != nil {
		t.Fatal(err)
	}
	return p
}

// proofProject hides marker 0 (solid rectangle), marker 1 (pixelated) and
// marker 2 (solid ellipse), each a track keyframed at the first and last
// frame (the markers move linearly, so interpolation must follow them
// exactly), the whole picture on frames 40-41, a muted and a bleeped range.
func proofProject() redact.Project {
	p := redact.Project{ID: "proof", From: proofFrom, To: proofTo, Version: 3}
	methods := []redact.Method{redact.Solid, redact.Pixelate, redact.Solid}
	shapes := []redact.Shape{redact.Rect, redact.Rect, redact.Ellipse}
	for i := 0; i < media.MarkerCount; i++ {
		var kf []redact.Keyframe
		for _, n := range []int{proofFrom, proofTo} {
			x, y, s := media.MarkerBox(i, n, proofW, proofH)
			kf = append(kf, redact.Keyframe{Frame: n, Box: redact.Box{X: x, Y: y, W: s, H: s}})
		}
		p.Tracks = append(p.Tracks, redact.Track{ID: "t" + strconv.Itoa(i), Shape: shapes[i], Method: methods[i], Block: 16,
			Label: redact.Other, Keyframes: kf, End: -1})
	}
	p.Frames = []redact.FrameRange{{ID: "f", From: 40, To: 41, Method: redact.Solid}}
	p.Audio = []redact.AudioRange{
		{ID: "a1", From: 400 * time.Millisecond, To: 900 * time.Millisecond, Kind: redact.Mute},
		{ID: "a2", From: 1200 * time.Millisecond, To: 1700 * time.Millisecond, Kind: redact.Bleep},
	}
	return p
}

// decodeYUV decodes a video to yuv420p frames; with to >= 0 only frames
// from..to of it (counted from the start).
func decodeYUV(t *testing.T, path string, from, to int) [][]byte {
	t.Helper()
	args := []string{"-nostdin", "-v", "error", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough"}
	if to >= 0 {
		args = append(args, "-vf", "select=between(n\\,"+strconv.Itoa(from)+"\\,"+strconv.Itoa(to)+")")
	}
	args = append(args, "-f", "rawvideo", "-pix_fmt", "yuv420p", "-")
	out := runOut(t, args...)
	size := proofW * proofH * 3 / 2
	var frames [][]byte
	for off := 0; off+size <= len(out); off += size {
		frames = append(frames, out[off:off+size])
	}
	return frames
}

func runOut(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(media.FFmpegPath, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ffmpeg %v: %v: %s", args, err, stderr.String())
	}
	return out
}

// decodePCM decodes a file's audio to mono float samples at 48 kHz.
func decodePCM(t *testing.T, path string) []float64 {
	t.Helper()
	out := runOut(t, "-nostdin", "-v", "error", "-i", path, "-map", "0:a:0", "-ac", "1", "-ar", strconv.Itoa(proofSampleRate), "-f", "f32le", "-")
	s := make([]float64, len(out)/4)
	for i := range s {
		s[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(out[4*i:])))
	}
	return s
}

// redactStage is the render's stage for project p.
func redactStage(p redact.Project, w, h int) media.FrameStage {
	return func(n int, y, u, v []byte) error {
		redact.ApplyYUV420(y, u, v, w, h, p.RegionsAt(n, w, h))
		return nil
	}
}

// regionMask marks the pixels inside a region's shape dilated by d pixels
// (on both axes): what the rules say the render hides (d = 2), or what is
// near it.
func regionMask(rs []redact.Region, w, h, d int) []bool {
	m := make([]bool, w*h)
	for _, r := range rs {
		b := r.Box
		for y := max(0, b.Y-d); y < min(h, b.Y+b.H+d); y++ {
			for x := max(0, b.X-d); x < min(w, b.X+b.W+d); x++ {
				if m[y*w+x] {
					continue
				}
			near:
				for qy := y - d; qy <= y+d; qy++ {
					for qx := x - d; qx <= x+d; qx++ {
						if shapeHas(r, qx, qy) {
							m[y*w+x] = true
							break near
						}
					}
				}
			}
		}
	}
	return m
}

// floorTo rounds v down to a multiple of m.
func floorTo(v, m int) int {
	q := v / m
	if v%m != 0 && v < 0 {
		q--
	}
	return q * m
}

func shapeHas(r redact.Region, x, y int) bool {
	b := r.Box
	if x < b.X || y < b.Y || x >= b.X+b.W || y >= b.Y+b.H {
		return false
	}
	if r.Shape != redact.Ellipse {
		return true
	}
	fx := (float64(x) + 0.5 - float64(b.X) - float64(b.W)/2) / (float64(b.W) / 2)
	fy := (float64(y) + 0.5 - float64(b.Y) - float64(b.H)/2) / (float64(b.H) / 2)
	return fx*fx+fy*fy <= 1
}

func mediaAudioEdits(p redact.Project, ft *media.FrameTable) []media.AudioEdit {
	return AudioEdits(p, ft)
}

func TestRedactedRenderProofs(t *testing.T) {
	if testing.Short() {
		t.Skip("renders video")
	}
	ctx := context.Background()
	src := proofFootage(t)
	ft, err := media.ReadFrameTable(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	p := proofProject()
	r := media.ClipRange{Table: ft, From: p.From, To: p.To, Container: "mp4"}
	dir := t.TempDir()
	out, out2, court := filepath.Join(dir, "r.mp4"), filepath.Join(dir, "r2.mp4"), filepath.Join(dir, "court.mp4")
	o := media.RedactOptions{Width: proofW, Height: proofH, Audio: true, Edits: mediaAudioEdits(p, ft)}
	res, err := media.RenderRedacted(ctx, src, out, r, o, redactStage(p, proofW, proofH), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.FrameMap) != proofTo-proofFrom+1 || res.FrameMap[0] != proofFrom {
		t.Fatalf("frame map %v", res.FrameMap)
	}
	if _, err := media.TranscodeCourt(ctx, src, court, r, media.CourtOptions{Audio: true, Height: proofH}, nil); err != nil {
		t.Fatal(err)
	}

	t.Run("pictures", func(t *testing.T) {
		got := decodeYUV(t, out, 0, -1)
		courtF := decodeYUV(t, court, 0, -1)
		master := decodeYUV(t, src, proofFrom, proofTo)
		if len(got) != len(master) || len(courtF) != len(master) || len(master) != proofTo-proofFrom+1 {
			t.Fatalf("frames: render %d, court %d, master %d", len(got), len(courtF), len(master))
		}
		w, h, cw := proofW, proofH, proofW/2
		worst, worstPix, minPSNR, worstBlock := 0, 0, math.Inf(1), 0.0
		for k := range master {
			n := proofFrom + k
			rs := p.RegionsAt(n, w, h)
			// The intended picture: the master with the regions drawn by
			// the same stage (its exactness is proven in app/redact).
			want := append([]byte(nil), master[k]...)
			redact.ApplyYUV420(want[:w*h], want[w*h:w*h+cw*h/2], want[w*h+cw*h/2:], w, h, rs)
			hidden := regionMask(rs, w, h, 2)
			var solidRs []redact.Region
			for _, r := range rs {
				if r.Method == redact.Solid {
					solidRs = append(solidRs, r)
				}
			}
			solidMask := regionMask(solidRs, w, h, 2)
			near := regionMask(rs, w, h, redact.Margin+redact.Cell+proofMarkerDelta)
			// Each whole pixelation block inside the drawn area: its mean
			// in the render is its block mean, within the tolerance.
			for _, r := range rs {
				if r.Method != redact.Pixelate {
					continue
				}
				g := redact.Grow(r.Box)
				x0, y0 := floorTo(g.X, redact.Cell), floorTo(g.Y, redact.Cell)
				x1, y1 := -floorTo(-(g.X+g.W), redact.Cell), -floorTo(-(g.Y+g.H), redact.Cell)
				for by := y0; by+r.Block <= min(y1, h); by += r.Block {
					for bx := x0; bx+r.Block <= min(x1, w); bx += r.Block {
						if bx < 0 || by < 0 {
							continue
						}
						var sg, sw int
						for y := by; y < by+r.Block; y++ {
							for x := bx; x < bx+r.Block; x++ {
								sg += int(got[k][y*w+x])
								sw += int(want[y*w+x])
							}
						}
						if d := float64(sg-sw) / float64(r.Block*r.Block); math.Abs(d) > proofBlockMeanTolerance {
							t.Fatalf("frame %d: pixelation block at %d,%d has mean %.1f in the render, %.1f intended", n, bx, by,
								float64(sg)/float64(r.Block*r.Block), float64(sw)/float64(r.Block*r.Block))
						} else {
							worstBlock = math.Max(worstBlock, math.Abs(d))
						}
					}
				}
			}
			var se float64
			var cnt int
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					i := y*w + x
					if hidden[i] {
						for _, o := range []int{i, w*h + y/2*cw + x/2, w*h + cw*h/2 + y/2*cw + x/2} {
							d := int(got[k][o]) - int(want[o])
							d = max(d, -d)
							tol := proofPixelTolerance
							if solidMask[i] {
								tol = proofTolerance
								worst = max(worst, d)
							} else {
								worstPix = max(worstPix, d)
							}
							if d > tol {
								t.Fatalf("frame %d pixel %d,%d (inside a region + 2 px): %d, intended %d (master %d)", n, x, y, got[k][o], want[o], master[k][o])
							}
						}
					}
					if !near[i] {
						d := float64(got[k][i]) - float64(courtF[k][i])
						se += d * d
						cnt++
					}
				}
			}
			if cnt > 0 {
				psnr := 10 * math.Log10(255*255/math.Max(se/float64(cnt), 1e-9))
				minPSNR = math.Min(minPSNR, psnr)
				if psnr < proofPSNR {
					t.Fatalf("frame %d: PSNR outside the regions %.1f dB against the court clip", n, psnr)
				}
			}
		}
		// The markers really were under the regions: the master's marker
		// colour is gone (marker 0 is red: Cr far above 128).
		x, y, s := media.MarkerBox(0, proofFrom, w, h)
		if c := master[0][w*h+cw*h/2+(y+s/2)/2*cw+(x+s/2)/2]; c < 200 {
			t.Fatalf("marker 0 is not where MarkerBox says (Cr %d)", c)
		}
		t.Logf("inside regions + 2 px: worst deviation from the fill colour %d levels (tolerance %d), from the block means %d (tolerance %d), of a block's mean %.2f (tolerance %g); outside: min PSNR %.1f dB",
			worst, proofTolerance, worstPix, proofPixelTolerance, worstBlock, proofBlockMeanTolerance, minPSNR)
	})

	t.Run("timestamps", func(t *testing.T) {
		fh, err := media.FrameHash(ctx, out)
		if err != nil {
			t.Fatal(err)
		}
		tb, err := media.FrameHashTimeBase(fh)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := media.ParseFrameHash(fh)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != proofTo-proofFrom+1 {
			t.Fatalf("%d frames", len(rows))
		}
		mtb := ft.TimeBase
		for i, row := range rows {
			got := new(big.Rat).SetFrac64((row.PTS-rows[0].PTS)*tb.Num, tb.Den)
			want := new(big.Rat).SetFrac64((ft.Frames[proofFrom+i].PTS-ft.Frames[proofFrom].PTS)*mtb.Num, mtb.Den)
			if got.Cmp(want) != 0 {
				t.Fatalf("frame %d at %s s, master frame %d at %s s", i, got.FloatString(6), proofFrom+i, want.FloatString(6))
			}
		}
		// The last frame is shown as long as in the master (the encoder
		// loses it; RenderRedacted restores it).
		last := rows[len(rows)-1]
		got := new(big.Rat).SetFrac64(last.Duration*tb.Num, tb.Den)
		want := new(big.Rat).SetFrac64((ft.Frames[proofTo+1].PTS-ft.Frames[proofTo].PTS)*mtb.Num, mtb.Den)
		if got.Cmp(want) != 0 {
			t.Fatalf("the last frame lasts %s s, in the master %s s", got.FloatString(6), want.FloatString(6))
		}
		// The footage is VFR: durations alternate.
		if d0, d1 := rows[1].PTS-rows[0].PTS, rows[2].PTS-rows[1].PTS; d0 == d1 {
			t.Fatalf("the render is not VFR (%d, %d)", d0, d1)
		}
	})

	t.Run("audio", func(t *testing.T) {
		got, ref := decodePCM(t, out), decodePCM(t, court)
		if math.Abs(float64(len(got)-len(ref))) > 2048 {
			t.Fatalf("audio lengths %d and %d", len(got), len(ref))
		}
		t0 := ft.Seconds(proofFrom)
		idx := func(s float64) int { return int(math.Round(s * proofSampleRate)) }
		inside := make([]bool, min(len(got), len(ref)))
		for _, a := range p.Audio {
			from, to := a.From.Seconds()-t0, a.To.Seconds()-t0
			lo, hi := idx(from+proofAudioGuard), idx(to-proofAudioGuard)
			for i := max(0, idx(from-proofAudioGuard)); i < min(len(inside), idx(to+proofAudioGuard)); i++ {
				inside[i] = true
			}
			seg := got[lo:hi]
			switch a.Kind {
			case redact.Mute:
				var ss float64
				for _, v := range seg {
					ss += v * v
				}
				db := 10 * math.Log10(ss/float64(len(seg))+1e-30)
				if db >= -60 {
					t.Fatalf("muted range RMS %.1f dBFS", db)
				}
				t.Logf("muted range: RMS %.1f dBFS", db)
			case redact.Bleep:
				cross := 0
				for i := 1; i < len(seg); i++ {
					if (seg[i-1] < 0) != (seg[i] < 0) {
						cross++
					}
				}
				hz := float64(cross) / 2 / (float64(len(seg)) / proofSampleRate)
				if math.Abs(hz-1000) > 5 {
					t.Fatalf("bleep at %.1f Hz", hz)
				}
				// Its level is fixed: a sine of amplitude BleepLevel has
				// RMS BleepLevel/√2 (−23 dBFS).
				var ss float64
				for _, v := range seg {
					ss += v * v
				}
				db := 10 * math.Log10(ss/float64(len(seg)))
				if want := 20 * math.Log10(media.BleepLevel/math.Sqrt2); math.Abs(db-want) > 0.5 {
					t.Fatalf("bleep at %.2f dBFS, want %.2f", db, want)
				}
				t.Logf("bleep: %.1f Hz (zero crossings), %.2f dBFS", hz, db)
			}
		}
		var sxy, sxx, syy, sx, sy, n float64
		for i := range inside {
			if inside[i] {
				continue
			}
			x, y := got[i], ref[i]
			sx, sy, sxy, sxx, syy, n = sx+x, sy+y, sxy+x*y, sxx+x*x, syy+y*y, n+1
		}
		c := (n*sxy - sx*sy) / math.Sqrt((n*sxx-sx*sx)*(n*syy-sy*sy))
		if c < 0.99 {
			t.Fatalf("outside the ranges: correlation %.4f with the court clip", c)
		}
		t.Logf("outside the ranges: correlation %.5f with the court clip", c)
	})

	t.Run("deterministic", func(t *testing.T) {
		if _, err := media.RenderRedacted(ctx, src, out2, r, o, redactStage(p, proofW, proofH), nil); err != nil {
			t.Fatal(err)
		}
		a, err := media.FrameHash(ctx, out)
		if err != nil {
			t.Fatal(err)
		}
		b, err := media.FrameHash(ctx, out2)
		if err != nil {
			t.Fatal(err)
		}
		if err := media.SameFrames(a, b); err != nil {
			t.Fatal(err)
		}
	})
}
