#!/usr/bin/env bash
# Installs what `make dist` and `make dist-test` need beyond `make deps`
# (Debian/Ubuntu, only what is missing, with sudo when not root):
# dpkg-dev (dpkg-shlibdeps), lintian, debootstrap (the clean Debian 12 root
# the package is installed into), desktop-file-utils and appstream (validate
# the desktop entries and the AppStream metadata), libglib2.0-dev (the test
# asks GIO which type a bundle gets).
set -euo pipefail
pkgs=(dpkg-dev lintian debootstrap desktop-file-utils appstream xz-utils libglib2.0-dev)
missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "Installing missing packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
