#!/usr/bin/env bash
# Tests dist/exhibit_*.deb as a user would meet it (run by `make dist-test`):
#  1. lintian: no errors (warnings are printed; see ARCHITECTURE.md "Packaging");
#  2. the package holds the binary, both desktop entries, the MIME type, the
#     AppStream metadata (appstreamcli validate), the icon in every size, the
#     man page and the copyright file;
#  3. it installs into a clean Debian 12 root made here with debootstrap
#     (apt resolves its Depends from the Debian mirror), where
#     `exhibit --version` must print its five lines with real libmpv and
#     ffmpeg versions, and where a zip whose first entry is manifest.json
#     must be typed application/vnd.uk.police.exhibit.bundle+zip with
#     `exhibit court` as its handler.
# TEST_DEB_MODE=host installs with dpkg -i on this machine instead (and
# removes it afterwards); the default is chroot (needs root).
# TEST_DEB_ROOT (default /var/tmp/exhibit-bookworm) holds the clean root;
# its debootstrap is kept as TEST_DEB_ROOT.tar so a re-run starts from the
# same clean base without the download.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode="${TEST_DEB_MODE:-chroot}"
mirror="${TEST_DEB_MIRROR:-http://deb.debian.org/debian}"
rootdir="${TEST_DEB_ROOT:-/var/tmp/exhibit-bookworm}"
t0=$SECONDS
step() { printf '== %s (%ds)\n' "$*" $((SECONDS - t0)); }
fail() { echo "FAIL: $*" >&2; exit 1; }

debs=(dist/exhibit_*_amd64.deb)
[ -f "${debs[0]}" ] || fail "no dist/exhibit_*_amd64.deb; run make dist"
((${#debs[@]} == 1)) || fail "more than one .deb in dist/: ${debs[*]}"
deb=${debs[0]}
version=$(dpkg-deb -f "$deb" Version)
(cd dist && sha256sum -c --quiet SHA256SUMS) || fail "dist/SHA256SUMS does not match"

step "lintian $deb"
# lintian refuses nothing as root but warns; --fail-on error makes only
# errors fatal. Its tags are printed for the record.
lintian --fail-on error --tag-display-limit 0 "$deb" || fail "lintian reports errors"

step "contents"
list=$(dpkg-deb -c "$deb" | awk '{print $6}')
need=(./usr/bin/exhibit
  ./usr/share/applications/uk.police.exhibit.desktop
  ./usr/share/applications/uk.police.exhibit.court.desktop
  ./usr/share/mime/packages/uk.police.exhibit.xml
  ./usr/share/metainfo/uk.police.exhibit.metainfo.xml
  ./usr/share/icons/hicolor/scalable/apps/uk.police.exhibit.svg
  ./usr/share/man/man1/exhibit.1.gz
  ./usr/share/doc/exhibit/copyright
  ./usr/share/doc/exhibit/changelog.gz)
for n in 16 22 24 32 48 64 128 256 512; do need+=("./usr/share/icons/hicolor/${n}x${n}/apps/uk.police.exhibit.png"); done
for f in "${need[@]}"; do grep -qxF "$f" <<<"$list" || fail "$deb lacks $f"; done
x=$(mktemp -d)
trap 'rm -rf "$x"' EXIT
dpkg-deb -x "$deb" "$x/pkg"
for n in 16 22 24 32 48 64 128 256 512; do
  desc=$(file "$x/pkg/usr/share/icons/hicolor/${n}x${n}/apps/uk.police.exhibit.png")
  grep -q "PNG image data, $n x $n" <<<"$desc" || fail "icon ${n}x${n} is not a ${n}-pixel PNG"
done
if command -v appstreamcli >/dev/null; then appstreamcli validate --no-net --explain "$x/pkg/usr/share/metainfo/uk.police.exhibit.metainfo.xml" || fail "AppStream metadata invalid"; fi
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$x"/pkg/usr/share/applications/*.desktop || fail "desktop entry invalid"; fi
depends=$(dpkg-deb -f "$deb" Depends)
for d in libmpv2 ffmpeg libc6 libgl1; do grep -q "\b$d\b" <<<"$depends" || fail "Depends lacks $d: $depends"; done

# Bundles as a desktop meets them: a zip whose first entry is B/manifest.json
# (named NAME.exhibit.zip, NAME.zip, or with no extension), a plain zip, a
# bundle folder (manifest.json and SHA256SUMS) and a folder that is not one.
t="$x/exhibit-test"
mkdir -p "$t/dir" "$t/other"
echo '{}' >"$t/dir/manifest.json"
echo 'readme' >"$t/dir/README.txt"
: >"$t/dir/SHA256SUMS"
echo '{}' >"$t/other/manifest.json"
# Entries are BUNDLE/NAME, as bundle.Writer writes them.
mkzip() { (cd "$t" && python3 -c 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],"w",zipfile.ZIP_DEFLATED); [z.write(f) for f in sys.argv[2:]]; z.close()' "$@"); }
mkzip case.exhibit.zip dir/manifest.json dir/README.txt dir/SHA256SUMS
mkzip bundle.zip dir/manifest.json dir/README.txt dir/SHA256SUMS
mkzip bundle-noext dir/manifest.json dir/README.txt dir/SHA256SUMS
mkzip plain.zip dir/README.txt dir/manifest.json dir/SHA256SUMS
# GIO's view of them (what GNOME shows): packaging/scripts/content-type.c.
gcc -O -o "$t/content-type" packaging/scripts/content-type.c $(pkg-config --cflags --libs gio-2.0) ||
  fail "cannot build content-type.c (libglib2.0-dev: packaging/scripts/install-dist-deps.sh)"

# check_installed RUN: RUN executes a command where the package is installed.
check_installed() {
  local run=("$@")
  step "exhibit --version (installed)"
  out=$("${run[@]}" sh -c 'cd / && HOME=/tmp exhibit --version') || fail "exhibit --version failed: $out"
  echo "$out"
  grep -qx "Exhibit: $version" <<<"$out" || fail "version line is not 'Exhibit: $version'"
  grep -Eq '^Commit: [0-9a-f]{40}(\+dirty)?$' <<<"$out" || fail "no commit line"
  grep -Eq '^Go: go1\.' <<<"$out" || fail "no Go line"
  grep -Eq '^libmpv: mpv v?[0-9]+\.[0-9]+.* \(client API [0-9]+\.[0-9]+\)$' <<<"$out" || fail "no libmpv version"
  grep -Eq '^FFmpeg: ffmpeg version ' <<<"$out" || fail "no ffmpeg version"
  ffline=$("${run[@]}" sh -c 'ffmpeg -version | head -1')
  grep -qxF "FFmpeg: $ffline" <<<"$out" || fail "ffmpeg line differs from ffmpeg -version: $ffline"
  "${run[@]}" sh -c 'cd / && HOME=/tmp exhibit help' >/dev/null || fail "exhibit help failed"

  step "bundle MIME types and handler (installed)"
  types=$("${run[@]}" sh -c 'cd /tmp/exhibit-test && ./content-type case.exhibit.zip bundle-noext bundle.zip plain.zip dir other')
  want=$(printf '%s\n' application/vnd.uk.police.exhibit.bundle+zip application/vnd.uk.police.exhibit.bundle+zip \
    application/zip application/zip x-content/vnd.uk.police.exhibit.bundle '')
  # bundle.zip: GIO trusts a single glob match over content (see the MIME file).
  [ "$types" = "$want" ] || fail "content types of case.exhibit.zip bundle-noext bundle.zip plain.zip dir other:
$types
want:
$want"
  for mt in application/vnd.uk.police.exhibit.bundle+zip x-content/vnd.uk.police.exhibit.bundle; do
    # Captured first: with pipefail, grep -q closing the pipe early would
    # fail gio with SIGPIPE.
    handlers=$("${run[@]}" sh -c "gio mime $mt")
    grep -q "Default application for .*: uk.police.exhibit.court.desktop" <<<"$handlers" ||
      fail "exhibit court is not the handler of $mt: $handlers"
  done
  handlers=$("${run[@]}" sh -c 'gio mime application/zip; gio mime inode/directory' || true)
  grep -q uk.police.exhibit <<<"$handlers" && fail "exhibit claims every zip or folder"
  return 0
}

case "$mode" in
chroot)
  [ "$(id -u)" -eq 0 ] || fail "chroot mode needs root (or TEST_DEB_MODE=host)"
  rm -rf "$rootdir"
  if [ -f "$rootdir.tar" ]; then
    step "clean Debian 12 root from $rootdir.tar"
    mkdir -p "$rootdir" && tar -C "$rootdir" -xf "$rootdir.tar"
  else
    step "debootstrap bookworm into $rootdir"
    debootstrap --variant=minbase bookworm "$rootdir" "$mirror" >"$x/debootstrap.log" 2>&1 || { tail -20 "$x/debootstrap.log"; fail "debootstrap"; }
    tar -C "$rootdir" -cf "$rootdir.tar" .
  fi
  umount_all() { umount "$rootdir/proc" "$rootdir/dev" 2>/dev/null || true; rm -rf "$x"; }
  trap umount_all EXIT
  mount -t proc proc "$rootdir/proc"
  mount --bind /dev "$rootdir/dev"
  cp /etc/resolv.conf "$rootdir/etc/resolv.conf"
  cp "$deb" "$rootdir/tmp/exhibit.deb"
  cp -r "$t" "$rootdir/tmp/exhibit-test"
  in_root=(chroot "$rootdir" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive)
  step "apt-get install ./exhibit.deb (Depends from the mirror)"
  "${in_root[@]}" apt-get update -qq
  # No recommends: what the package needs must be in Depends. gio
  # (libglib2.0-bin) and shared-mime-info are what a desktop brings, for the
  # MIME check; desktop-file-utils' trigger fills mimeinfo.cache.
  "${in_root[@]}" apt-get install -y -qq --no-install-recommends /tmp/exhibit.deb >"$x/apt.log" 2>&1 || { tail -30 "$x/apt.log"; fail "apt-get install of the .deb"; }
  status=$("${in_root[@]}" dpkg-query -W -f='${Status}' exhibit)
  [ "$status" = "install ok installed" ] || fail "not installed: $status"
  "${in_root[@]}" apt-get install -y -qq --no-install-recommends libglib2.0-bin shared-mime-info desktop-file-utils >>"$x/apt.log" 2>&1 || { tail -30 "$x/apt.log"; fail "apt-get install of the desktop tools"; }
  check_installed "${in_root[@]}"
  step "dpkg --purge exhibit leaves nothing of it"
  "${in_root[@]}" dpkg --purge exhibit >/dev/null
  left=$("${in_root[@]}" sh -c 'ls /usr/bin/exhibit /usr/share/applications/uk.police.exhibit*.desktop /usr/share/mime/packages/uk.police.exhibit.xml 2>/dev/null' || true)
  [ -z "$left" ] || fail "left after purge: $left"
  ;;
host)
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  step "dpkg -i $deb on this machine"
  $SUDO dpkg -i "$deb" || $SUDO apt-get install -y -f
  rm -rf /tmp/exhibit-test && cp -r "$t" /tmp/exhibit-test
  check_installed env
  $SUDO dpkg --purge exhibit >/dev/null
  ;;
*) fail "TEST_DEB_MODE is chroot or host" ;;
esac
step "PASS $deb"
