#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked
# gnome-keyring (a real Secret Service) and a virtual X server (Xvfb), as the
# tests need. Usage: with-test-session.sh COMMAND [ARGS...]
set -euo pipefail

if [ -z "${EXHIBIT_IN_TEST_SESSION:-}" ]; then
  export EXHIBIT_IN_TEST_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi

# A throwaway keyring: its own HOME-independent data dir and a fixed password.
export XDG_DATA_HOME="${XDG_DATA_HOME:-$(mktemp -d)}"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
chmod 700 "$XDG_RUNTIME_DIR"
eval "$(echo -n exhibit-test | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
export GNOME_KEYRING_CONTROL
export EXHIBIT_KEYRING_TEST=1

# Xvfb on the first free display.
disp=99
while [ -e "/tmp/.X11-unix/X$disp" ] || [ -e "/tmp/.X$disp-lock" ]; do disp=$((disp + 1)); done
Xvfb ":$disp" -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$disp" ] && break; sleep 0.1; done
export DISPLAY=":$disp"
export EXHIBIT_GUI_TEST=1
export LIBGL_ALWAYS_SOFTWARE=1

"$@"
