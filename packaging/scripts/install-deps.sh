#!/usr/bin/env bash
# Installs what Exhibit needs to build, run and test on Debian/Ubuntu:
# only the packages that are missing, with sudo when not root.
set -euo pipefail

pkgs=(
  gcc pkg-config           # cgo
  libmpv-dev              # the player (libmpv client and render API)
  ffmpeg                  # ffprobe/ffmpeg: probe, frame tables, thumbnails, test media
  libgl1-mesa-dev xorg-dev # Fyne (GLFW, OpenGL); also the Xlib, Xrandr, Xinerama headers of ui/monitors_linux.go
  gnome-keyring dbus-x11 libsecret-tools # the OS keyring (Secret Service)
  xvfb xdotool imagemagick # GUI tests: virtual X server, key input, screenshots
  xserver-xorg-core xserver-xorg-video-dummy x11-xserver-utils # court monitor test: Xorg with two RandR monitors (xrandr)
  age                     # benchmark peer (sha256sum + age)
  poppler-utils           # report and redaction-log tests: pdftotext, pdftoppm
  chromium                # offline bundle player test: headless Chromium
)

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

if ! command -v go >/dev/null 2>&1; then
  echo "Go is not installed (Exhibit needs Go 1.26 or newer at /usr/local/go or on PATH)." >&2
  exit 1
fi
go mod download
