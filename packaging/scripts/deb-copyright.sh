#!/usr/bin/env bash
# Prints the Debian copyright file for the exhibit binary given as $1:
# Exhibit's own notice, then every Go module linked into that binary (from
# `go version -m`) with the licence text found in the module cache.
set -euo pipefail
bin=$1
GO="${GO:-go}"
modcache=$($GO env GOMODCACHE)

cat <<'HEAD'
Exhibit, review station for police body-worn video evidence.

Copyright: 2026 The Exhibit authors.
Exhibit is free software under the GNU General Public License, version 3 or
(at your option) any later version (GPL-3.0-or-later; the source's LICENSE
file). It is linked with go-mpv (GPL-3.0) and libmpv, which Debian
distributes under GPL-3+. On Debian systems the licence text is in
/usr/share/common-licenses/GPL-3.

The exhibit binary is statically linked with the Go standard library and the
Go modules listed below; each is under its own licence, reproduced here.
It is dynamically linked with libmpv, libGL, libX11 and the C library (see
their packages' copyright files) and runs ffmpeg and ffprobe as separate
programs.
HEAD

# The Go toolchain itself.
goroot=$($GO env GOROOT)
printf '\n========================================================================\n'
printf 'Go standard library %s (%s)\n\n' "$($GO env GOVERSION)" "BSD-3-Clause"
cat "$goroot/LICENSE"

# `go version -m` lines: "\tdep\tPATH\tVERSION\tSUM" (or "=>" replacements).
$GO version -m "$bin" | awk '$1 == "dep" { print $2, $3 }' | while read -r path ver; do
  esc=$(printf '%s' "$path" | sed 's/[A-Z]/!\L&/g') # the module cache's case encoding
  dir="$modcache/$esc@$ver"
  lic=$(ls "$dir"/LICENSE* "$dir"/LICENCE* "$dir"/COPYING* "$dir"/License* 2>/dev/null | head -1 || true)
  printf '\n========================================================================\n'
  printf '%s %s\n\n' "$path" "$ver"
  if [ -n "$lic" ] && grep -q 'Apache License' "$lic" && grep -q 'Version 2.0, January 2004' "$lic"; then
    # Debian keeps the common licences once (lintian: no full texts).
    printf 'Licensed under the Apache License, Version 2.0.\nOn Debian systems its full text is in /usr/share/common-licenses/Apache-2.0.\n'
  elif [ -n "$lic" ] && grep -q 'GNU GENERAL PUBLIC LICENSE' "$lic" && grep -q 'Version 3, 29 June 2007' "$lic"; then
    printf 'Licensed under the GNU General Public License, version 3.\nOn Debian systems its full text is in /usr/share/common-licenses/GPL-3.\n'
  elif [ -n "$lic" ]; then
    cat "$lic"
  else
    # A module without its own file (a sub-module of a repository) is under
    # the licence of the repository; say so rather than omit it.
    printf 'No licence file in the module; see https://%s\n' "$path"
  fi
done
