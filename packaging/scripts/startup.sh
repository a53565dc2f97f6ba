#!/usr/bin/env bash
# Measures the GUI's start-up with the real binary on a store of 10,000
# recordings (issue 11: the window visible in <= 1.5 s) under Xvfb:
# TestStartupTime in e2e_startup_test.go. Usage: packaging/scripts/startup.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOFLAGS=-trimpath EXHIBIT_STARTUP_TEST=1
exec packaging/scripts/with-test-session.sh go test -tags migrated_fynedo -count=1 -run '^TestStartupTime$' -v .
