// Command benchingest measures `exhibit ingest` end to end against the
// disk's own speed: `sha256sum FILE` followed by `cp FILE` to the same disk,
// measured in the same run. It is run by packaging/scripts/bench.sh (make
// bench) with the path of an exhibit binary built with -trimpath.
//
// The footage is one generated 10-minute 1080p25 H.264 recording with
// B-frames and an AAC track (app/media's generator), cached under
// $TMPDIR/exhibit-bench-footage keyed by the generator's parameters; the
// folder of eight is made from it by stream-copy remuxes that differ only
// in a metadata tag, so each file hashes differently.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"exhibit/app/media"
)

func main() {
	bin := flag.String("exhibit", "", "exhibit binary to measure (built with -trimpath)")
	minutes := flag.Int("minutes", 10, "length of the generated recording in minutes")
	files := flag.Int("files", 8, "files in the folder run")
	jobs := flag.Int("jobs", 2, "files ingested at once in the folder run (--jobs)")
	genOnly := flag.Bool("generate-only", false, "only generate (or find) the cached footage and print its path")
	flag.Parse()
	if err := run(*bin, *minutes, *files, *jobs, *genOnly); err != nil {
		fmt.Fprintln(os.Stderr, "benchingest:", err)
		os.Exit(1)
	}
}

func run(bin string, minutes, nfiles, jobs int, genOnly bool) error {
	ctx := context.Background()
	base := os.Getenv("TMPDIR")
	if base == "" {
		base = "/tmp"
	}
	cache := filepath.Join(base, "exhibit-bench-footage")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return err
	}
	o := media.IndexedClipOptions{Width: 1920, Height: 1080, FPS: media.Rational{Num: 25, Den: 1},
		Frames: minutes * 60 * 25, GOP: 50, BFrames: 2, Audio: true}
	src := filepath.Join(cache, fmt.Sprintf("ingest-%dx%d-%s-%df-gop%d-bf%d-aac-h264.mp4",
		o.Width, o.Height, "25", o.Frames, o.GOP, o.BFrames))
	if _, err := os.Stat(src); err != nil {
		fmt.Printf("generating %d minutes of 1080p25 footage (once, cached in %s)...\n", minutes, cache)
		t0 := time.Now()
		if err := media.WriteIndexedClip(ctx, src, o); err != nil {
			return err
		}
		fmt.Printf("generated in %.0f s\n", time.Since(t0).Seconds())
	}
	if genOnly {
		fmt.Println(src)
		return nil
	}
	if bin == "" {
		return fmt.Errorf("-exhibit BIN is required")
	}
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp(base, "exhibit-bench-ingest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	// Eight distinct files: stream copies with a different comment each.
	folder := filepath.Join(work, "dock")
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return err
	}
	var copies []string
	for i := range nfiles {
		p := filepath.Join(folder, fmt.Sprintf("cam%02d.mp4", i+1))
		if out, err := exec.Command(media.FFmpegPath, "-nostdin", "-v", "error", "-y", "-i", src,
			"-map", "0", "-c", "copy", "-metadata", "comment=bench copy "+strconv.Itoa(i+1), p).CombinedOutput(); err != nil {
			return fmt.Errorf("remux: %v: %s", err, out)
		}
		copies = append(copies, p)
	}
	single := copies[0]

	// The peer: sha256sum FILE, then cp FILE to the same disk.
	peer := func(f string) (time.Duration, error) {
		dst := filepath.Join(work, "copy-"+filepath.Base(f))
		t0 := time.Now()
		if out, err := exec.Command("sha256sum", f).CombinedOutput(); err != nil {
			return 0, fmt.Errorf("sha256sum: %v: %s", err, out)
		}
		if out, err := exec.Command("sh", "-c", `cp "$1" "$2" && sync "$2"`, "sh", f, dst).CombinedOutput(); err != nil {
			return 0, fmt.Errorf("cp: %v: %s", err, out)
		}
		d := time.Since(t0)
		return d, os.Remove(dst)
	}
	env := append(os.Environ(), "EXHIBIT_PASSPHRASE=bench passphrase", "EXHIBIT_USER=admin",
		"EXHIBIT_PASSWORD=bench admin password", "EXHIBIT_NO_KEYRING=1")
	n := 0
	newStore := func() (string, error) {
		n++
		dir := filepath.Join(work, fmt.Sprintf("store%d", n))
		cmd := exec.Command(bin, "--store", dir, "--no-keyring", "init")
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("exhibit init: %v: %s", err, out)
		}
		return dir, nil
	}
	ingest := func(store string, args ...string) (time.Duration, error) {
		cmd := exec.Command(bin, append([]string{"--store", store, "--no-keyring", "ingest"}, args...)...)
		cmd.Env = env
		t0 := time.Now()
		out, err := cmd.CombinedOutput()
		d := time.Since(t0)
		if err != nil {
			return 0, fmt.Errorf("exhibit ingest: %v: %s", err, out)
		}
		return d, nil
	}
	mb := float64(info.Size()) / 1e6
	fmt.Printf("footage: %s, %.0f MB, %d frames\n", filepath.Base(src), mb, o.Frames)

	// Warm the page cache for both sides once, then alternate.
	if _, err := peer(single); err != nil {
		return err
	}
	var peerBest, ingBest time.Duration
	for range 2 {
		d, err := peer(single)
		if err != nil {
			return err
		}
		if peerBest == 0 || d < peerBest {
			peerBest = d
		}
		st, err := newStore()
		if err != nil {
			return err
		}
		d, err = ingest(st, single)
		if err != nil {
			return err
		}
		if ingBest == 0 || d < ingBest {
			ingBest = d
		}
		os.RemoveAll(st)
	}
	peerRate := mb / peerBest.Seconds()
	ingRate := mb / ingBest.Seconds()
	fmt.Printf("BenchmarkIngestFile  sha256sum+cp %.2f s (%.0f MB/s)  exhibit ingest %.2f s (%.0f MB/s)  ratio %.2fx (target >= 0.5x)\n",
		peerBest.Seconds(), peerRate, ingBest.Seconds(), ingRate, ingRate/peerRate)

	st, err := newStore()
	if err != nil {
		return err
	}
	d, err := ingest(st, "--jobs", strconv.Itoa(jobs), folder)
	if err != nil {
		return err
	}
	folderRate := mb * float64(nfiles) / d.Seconds()
	fmt.Printf("BenchmarkIngestFolder %d files, %d at once: %.2f s (%.0f MB/s)  ratio to the single-file rate %.2fx (target >= 0.8x)\n",
		nfiles, jobs, d.Seconds(), folderRate, folderRate/ingRate)

	// The background frame check on one recording, at idle priority.
	cmd := exec.Command(bin, "--store", st, "--no-keyring", "check-frames", "--limit", "1")
	cmd.Env = env
	t0 := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("exhibit check-frames: %v: %s", err, out)
	}
	cd := time.Since(t0)
	fmt.Printf("BenchmarkFrameCheck  one recording (%d frames) decoded at nice 19 from the stored copy: %.1f s, %.0f frames/s (%s)\n",
		o.Frames, cd.Seconds(), float64(o.Frames)/cd.Seconds(), strings.TrimSpace(firstLine(string(out))))
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
