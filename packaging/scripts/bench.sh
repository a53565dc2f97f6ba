#!/usr/bin/env bash
# Runs Exhibit's benchmarks. Each prints its own ratio against a named peer
# measured in the same run (machines are noisy; absolute times drift).
set -euo pipefail
cd "$(dirname "$0")/../.."
tags=migrated_fynedo

echo "== ingest: hash + encrypt + verify of a 1 GiB master, store in RAM (/dev/shm): the CPU pipeline"
EXHIBIT_BENCH_DIR=/dev/shm go test -tags $tags -run '^$' -bench 'IngestPipeline' -benchtime 3x ./store/ | grep -E '^Benchmark|^cpu'

echo "== ingest: the same with the store on the work disk (includes fsync of 1 GiB)"
EXHIBIT_BENCH_DIR="${TMPDIR:-/tmp}" go test -tags $tags -run '^$' -bench 'IngestPipeline' -benchtime 2x ./store/ | grep -E '^Benchmark'

echo "== audit: one entry (tree hashes, signed checkpoint, checkpoint file) against a plain one-row insert transaction"
go test -tags $tags -run '^$' -bench 'AuditAppend' -benchtime 1x ./store/ | grep -E '^Benchmark'

echo "== list 100,000 recordings"
go test -tags $tags -run '^$' -bench 'List' -benchtime 5x ./store/ | grep -E '^Benchmark'

echo "== player: 1080p25 H.264 (2 s GOP, B-frames) rendered at 1280x720, against plain libmpv in the same run"
EXHIBIT_PLAYER_FOOTAGE="${EXHIBIT_PLAYER_FOOTAGE:-${TMPDIR:-/tmp}/exhibit-bench-footage}" \
  go test -tags $tags -run '^$' -bench BenchmarkEngine -benchtime 1x -timeout 30m ./player/ | grep -vE '^(goos|goarch|pkg|cpu|PASS|ok)'

echo "== ingest end to end: exhibit ingest (built with -trimpath) of a 10-minute 1080p25 H.264 recording with B-frames and audio,"
echo "   against sha256sum FILE + cp FILE to the same disk; then a folder of 8 such files, two at once; then the background frame check"
bindir="$(mktemp -d)"
trap 'rm -rf "$bindir"' EXIT
go build -trimpath -tags $tags -o "$bindir/exhibit" .
go run -trimpath ./packaging/benchingest -exhibit "$bindir/exhibit"

echo "== clips: a 60 s range of a 10-minute 1080p25 H.264 master (2 s GOPs, B-frames), from the encrypted vault,"
echo "   against plain ffmpeg on the decrypted file (lossless: -c copy; court: libx264 -preset veryfast -crf 18 + AAC)"
echo "   x-ffmpeg-speed = ffmpeg's time / ours (targets: lossless >= 50x real time and >= 0.5, court >= 1.5x and >= 0.8);"
echo "   cut-only-* leave out the frame-hash check and the vault copy; x-ffmpeg+framehash-speed adds the two"
echo "   framehash runs (-threads 1) a person needs for the same check to ffmpeg's side"
go test -tags $tags -run '^$' -bench 'BenchmarkClip' -benchtime 1x -timeout 60m ./app/ | grep -E '^Benchmark'

echo "== verify-bundle: a bundle with a 10-min 1080p25 master and a 60 s lossless and court clip, against sha256sum -c + ffmpeg -f framehash by hand"
go test -tags $tags -run '^$' -bench VerifyBundle -benchtime 1x -timeout 30m ./bundle/ | grep -E '^Benchmark'

echo "== redacted render: 20 s of generated 1080p25 H.264 (B-frames, AAC) from the vault with 3 moving regions (solid, pixelate, blur)"
echo "   and one bleeped audio range, against plain ffmpeg re-encoding the same range with the same settings (libx264 veryfast crf 18 + AAC);"
echo "   x-ffmpeg-speed = ffmpeg's time / ours (target >= 0.8); render-only leaves out the frame-hash check and the vault copy;"
echo "   region-ms/frame is the Go region stage per frame"
go test -tags $tags -run '^$' -bench 'BenchmarkRedactRender' -benchtime 1x -timeout 30m ./app/ | grep -E '^Benchmark'

echo "== face proposals: DetectFaces on every 5th frame of a generated 10-minute 1080p25 recording (pigo sample face composited),"
echo "   from the encrypted vault, against plain ffmpeg decoding the same frames to gray at the same size (x-ffmpeg-gray-speed ="
echo "   ffmpeg's time / ours); first proposals for one visible frame (DetectFacesAt; target < 2 s) against ffmpeg -ss of that frame"
go test -tags $tags -run '^$' -bench 'BenchmarkDetectFaces|BenchmarkFirstProposals' -benchtime 1x -timeout 90m ./app/ | grep -E '^Benchmark'
