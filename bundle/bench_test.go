package bundle_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"exhibit/bundle"
)

// benchFootage returns a 10-minute 1080p25 H.264 master (B-frames, 2 s
// GOPs, AAC) and a 60 s lossless and court clip cut from it, generated once
// into $EXHIBIT_BENCH_FOOTAGE (default $TMPDIR/exhibit-bench-footage).
func benchFootage(b *testing.B) (master, lossless, court string) {
	dir := os.Getenv("EXHIBIT_BENCH_FOOTAGE")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "exhibit-bench-footage")
	}
	check(b, os.MkdirAll(dir, 0o755))
	gen := func(path string, args ...string) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		start := time.Now()
		tmp := path + ".tmp" + filepath.Ext(path)
		out, err := exec.Command("ffmpeg", append(append([]string{"-v", "error", "-nostdin", "-y"}, args...), tmp)...).CombinedOutput()
		if err != nil {
			b.Fatalf("generate %s: %v\n%s", path, err, out)
		}
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %s in %v", filepath.Base(path), time.Since(start).Round(time.Second))
	}
	master = filepath.Join(dir, "bundle-master-1080p25-600s-gop50-bf2.mp4")
	gen(master, "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25:duration=600", "-f", "lavfi", "-i", "sine=frequency=440:duration=600",
		"-c:v", "libx264", "-preset", "ultrafast", "-bf", "2", "-g", "50", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest")
	lossless = filepath.Join(dir, "bundle-clip-60s-lossless.mp4")
	gen(lossless, "-ss", "120", "-i", master, "-t", "60", "-map", "0", "-c", "copy")
	court = filepath.Join(dir, "bundle-clip-60s-court.mp4")
	gen(court, "-ss", "120", "-i", master, "-t", "60", "-map", "0", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-movflags", "+faststart")
	return master, lossless, court
}

// BenchmarkVerifyBundle compares Verify on a bundle holding the master and
// both clips with what a person runs by hand on the same files:
// `sha256sum -c SHA256SUMS` and `ffmpeg -f framehash` of each clip, one
// after the other. (The lossless clip's master-range framehash file is its
// own framehash here: the comparison costs the same.) Each side runs three
// times, alternating; the best of each is reported.
func BenchmarkVerifyBundle(b *testing.B) {
	master, lossless, court := benchFootage(b)
	ctx := context.Background()
	lfh, err := bundle.ComputeFrameHash(ctx, "", lossless)
	if err != nil {
		b.Fatal(err)
	}
	cfh, err := bundle.ComputeFrameHash(ctx, "", court)
	if err != nil {
		b.Fatal(err)
	}
	log := newMemLog(b)
	msum := fileSHA(b, master)
	log.add(b, "ingest", "BENCH234", msum)
	dir := filepath.Join(b.TempDir(), "bundle")
	w, err := bundle.NewWriter(dir, bundle.Manifest{CaseRef: "BENCH", BundleID: "B", CreatedAt: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(w.AddFile(bundle.Item{Path: "masters/BENCH234.mp4", Kind: bundle.KindMaster, MasterID: "BENCH234", MasterSHA256: msum}, master))
	must(w.AddBytes(bundle.Item{Path: "framehash/master_3000-4499.framehash", Kind: bundle.KindFrameHash}, lfh))
	must(w.AddBytes(bundle.Item{Path: "framehash/lossless.framehash", Kind: bundle.KindFrameHash}, lfh))
	must(w.AddBytes(bundle.Item{Path: "framehash/court.framehash", Kind: bundle.KindFrameHash}, cfh))
	must(w.AddFile(bundle.Item{Path: "clips/lossless.mp4", Kind: bundle.KindClipLossless, MasterID: "BENCH234", MasterSHA256: msum,
		FrameHash: "framehash/lossless.framehash", MasterFrameHash: "framehash/master_3000-4499.framehash"}, lossless))
	must(w.AddFile(bundle.Item{Path: "clips/court.mp4", Kind: bundle.KindClipCourt, MasterID: "BENCH234", MasterSHA256: msum,
		FrameHash: "framehash/court.framehash"}, court))
	sum, err := w.WriteManifest()
	must(err)
	log.add(b, "export.create", "BENCH234", sum)
	must(w.WriteAudit(log.export(b)))
	must(w.Commit(false))

	byHand := func() {
		cmd := exec.Command("sha256sum", "--quiet", "-c", "SHA256SUMS")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("sha256sum: %v %s", err, out)
		}
		for _, c := range []string{"clips/lossless.mp4", "clips/court.mp4"} {
			cmd := exec.Command("ffmpeg", bundle.FrameHashArgs(c)...)
			cmd.Dir = dir
			if err := cmd.Run(); err != nil {
				b.Fatal(err)
			}
		}
	}
	ours := func() {
		if probs := bundle.Verify(ctx, dir, bundle.VerifyOptions{}); len(probs) > 0 {
			b.Fatalf("bench bundle fails: %v", probs)
		}
	}
	timeIt := func(f func()) time.Duration {
		start := time.Now()
		f()
		return time.Since(start)
	}
	byHand() // warm the page cache
	b.ResetTimer()
	best := func(d *time.Duration, x time.Duration) {
		if *d == 0 || x < *d {
			*d = x
		}
	}
	var tOurs, tPeer time.Duration
	for i := 0; i < 3; i++ {
		best(&tPeer, timeIt(byHand))
		best(&tOurs, timeIt(ours))
	}
	b.StopTimer()
	b.ReportMetric(tOurs.Seconds(), "s/verify-bundle")
	b.ReportMetric(tPeer.Seconds(), "s/by-hand")
	b.ReportMetric(tOurs.Seconds()/tPeer.Seconds(), "x-of-by-hand")
}
