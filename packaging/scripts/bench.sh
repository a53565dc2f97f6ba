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

echo "== list 100,000 recordings"
go test -tags $tags -run '^$' -bench 'List' -benchtime 5x ./store/ ./app/ | grep -E '^Benchmark'

if ls player/*_test.go >/dev/null 2>&1; then
  echo "== player"
  go test -tags $tags -run '^$' -bench . -benchtime 1x ./player/ | grep -E '^Benchmark|^#'
fi
