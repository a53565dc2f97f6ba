#!/usr/bin/env bash
# Builds Exhibit's release artefacts into dist/ (run by `make dist`):
#   dist/exhibit_<version>_amd64.deb   Debian package, built with dpkg-deb;
#                                      Depends from dpkg-shlibdeps on the real binary
#   dist/Exhibit_<version>_linux_amd64.tar.xz   `fyne package -os linux` (fyne.io/tools v1.7.4)
#   dist/SHA256SUMS                    of the two
# The version is `git describe --tags --always --dirty` (leading "v" dropped,
# "-" turned into "+"), or FyneApp.toml's Version + "+g<commit>" when the
# repository has no tag yet; the same string is linked into the binary
# (exhibit --version) and is the package version.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PATH:/usr/local/go/bin"
export GOFLAGS="-trimpath ${GOFLAGS:-}"
GO="${GO:-go}"
TAGS=migrated_fynedo
ARCH=amd64
OUT=dist
FYNE="fyne.io/tools/cmd/fyne@v1.7.4"
# The package's Maintainer (and changelog signer): DEB_MAINTAINER, or the
# author of the commit being packaged.
maintainer="${DEB_MAINTAINER:-$(git log -1 --format='%an <%ae>')}"

for tool in dpkg-deb dpkg-shlibdeps git; do
  command -v "$tool" >/dev/null || { echo "build-dist: $tool is missing (run packaging/scripts/install-dist-deps.sh)" >&2; exit 1; }
done
[ "$($GO env GOARCH)" = "$ARCH" ] || { echo "build-dist: only amd64 is packaged" >&2; exit 1; }

fyne_version=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
describe=$(git describe --tags --always --dirty)
if git describe --tags >/dev/null 2>&1; then
  version=${describe#v}
else
  version="${fyne_version}+g${describe}"
fi
version=${version//-/+}
commit=$(git rev-parse HEAD)
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then commit+="+dirty"; fi
echo "version $version, commit $commit"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$OUT"
rm -f "$OUT"/exhibit_*.deb "$OUT"/Exhibit_*.tar.xz "$OUT/SHA256SUMS"

# ---- the binary ---------------------------------------------------------------
# -s -w: no symbol table or DWARF (Debian ships stripped binaries; lintian
# flags unstripped ones). The Go build ID stays.
# -buildvcs=false: version and commit are linked in above; Go's own VCS stamp
# is left out so that any checkout of the commit (a clone, a git worktree)
# builds the same bytes.
# -buildmode=pie: a position-independent executable (lintian's
# hardening-no-pie; Debian builds PIE by default). It works with cgo and
# libmpv (external linking); its packages are cached apart from the
# default build's, so the first PIE build compiles every cgo package again.
bin="$work/exhibit"
$GO build -buildmode=pie -buildvcs=false -tags "$TAGS" -ldflags "-s -w -X exhibit/app.version=$version -X exhibit/app.commit=$commit" -o "$bin" .
"$bin" --version >/dev/null 2>&1 || { echo "build-dist: the built binary fails exhibit --version:" >&2; "$bin" --version >&2 || true; exit 1; }

# update-mime-database skips a file that is not well-formed XML, silently
# under dpkg's trigger: parse them here.
python3 -c 'import sys, xml.dom.minidom as m; [m.parse(f) for f in sys.argv[1:]]' packaging/linux/*.xml ||
  { echo "build-dist: packaging/linux/*.xml is not well-formed" >&2; exit 1; }

# ---- the package tree -----------------------------------------------------------
root="$work/root"
install -Dm755 "$bin" "$root/usr/bin/exhibit"
install -Dm644 packaging/linux/uk.police.exhibit.desktop "$root/usr/share/applications/uk.police.exhibit.desktop"
install -Dm644 packaging/linux/uk.police.exhibit.court.desktop "$root/usr/share/applications/uk.police.exhibit.court.desktop"
install -Dm644 packaging/linux/uk.police.exhibit.mime.xml "$root/usr/share/mime/packages/uk.police.exhibit.xml"
install -Dm644 packaging/linux/uk.police.exhibit.metainfo.xml "$root/usr/share/metainfo/uk.police.exhibit.metainfo.xml"
$GO run ./packaging/icongen -svg assets/icon.svg -out "$root/usr/share/icons/hicolor"
install -Dm644 assets/icon.svg "$root/usr/share/icons/hicolor/scalable/apps/uk.police.exhibit.svg"
install -d "$root/usr/share/man/man1" "$root/usr/share/doc/exhibit"
gzip -9n <packaging/linux/exhibit.1 >"$root/usr/share/man/man1/exhibit.1.gz"
packaging/scripts/deb-copyright.sh "$bin" >"$root/usr/share/doc/exhibit/copyright"
{
  echo "exhibit ($version) unstable; urgency=medium"
  echo
  echo "  * Built from commit $commit."
  git log -20 --format='  * %s' | cut -c1-78
  echo
  echo " -- $maintainer  $(git log -1 --format=%aD)"
} | gzip -9n >"$root/usr/share/doc/exhibit/changelog.gz"
find "$root" -type d -exec chmod 755 {} +

# ---- Depends: what the binary links, from dpkg-shlibdeps --------------------------
# dpkg-shlibdeps needs a debian/control beside it; a throw-away skeleton.
mkdir -p "$work/src/debian"
printf 'Source: exhibit\n\nPackage: exhibit\nArchitecture: %s\n' "$ARCH" >"$work/src/debian/control"
shlibs=$(cd "$work/src" && dpkg-shlibdeps -O -e"$root/usr/bin/exhibit" 2>"$work/shlibdeps.err") || { cat "$work/shlibdeps.err" >&2; exit 1; }
shlibs=${shlibs#shlibs:Depends=}
[ -n "$shlibs" ] || { echo "build-dist: dpkg-shlibdeps found no libraries" >&2; exit 1; }

installed=$(du -sk --apparent-size "$root/usr" | cut -f1)
mkdir -p "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<CONTROL
Package: exhibit
Version: $version
Architecture: $ARCH
Maintainer: $maintainer
Installed-Size: $installed
Depends: $shlibs, ffmpeg
Recommends: gnome-keyring
Section: video
Priority: optional
Description: review station for police body-worn video evidence
 Exhibit ingests footage from docked body-worn cameras, keeps the untouched
 masters encrypted and verifiable, and lets reviewers play them frame by
 frame, mark them and decide on them, with an audit trail of every view.
 .
 "exhibit court BUNDLE" plays an exported evidence bundle read-only in a
 court room, with no store, keyring or network.
CONTROL
(cd "$root" && find usr -type f -exec md5sum {} + | sort -k2) >"$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

deb="$OUT/exhibit_${version}_${ARCH}.deb"
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "built $deb"
echo "  Depends: $shlibs, ffmpeg"

# ---- fyne package (tarball) --------------------------------------------------------
# Packages the same binary (--executable), so the tarball's exhibit reports
# the same version; fyne adds the desktop file, icon and a Makefile that
# installs into /usr/local.
# fyne package rewrites FyneApp.toml (it bumps Build), so it runs on a copy
# in a folder that only looks like the source (it wants a Go file there even
# when it is given the executable, and does not build it).
mkdir -p "$work/fyne/assets"
printf 'package main\n\nfunc main() {}\n' >"$work/fyne/main.go"
cp FyneApp.toml "$work/fyne/"
cp assets/icon.png "$work/fyne/assets/"
(cd "$work/fyne" && $GO run "$FYNE" package -os linux -executable "$bin" -name Exhibit >/dev/null)
tarball="$work/fyne/Exhibit.tar.xz"
[ -f "$tarball" ] || { echo "build-dist: fyne package wrote no Exhibit.tar.xz" >&2; exit 1; }
# Repacked with the commit's time, sorted names and root ownership, so the
# tarball too is the same bytes from any checkout of the commit.
mkdir "$work/tar"
tar -C "$work/tar" -xJf "$tarball"
epoch=$(git log -1 --format=%ct)
tar -C "$work/tar" --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner -cf - exhibit |
  xz -6 -T1 >"$OUT/Exhibit_${version}_linux_${ARCH}.tar.xz"
echo "built $OUT/Exhibit_${version}_linux_${ARCH}.tar.xz"

(cd "$OUT" && sha256sum "exhibit_${version}_${ARCH}.deb" "Exhibit_${version}_linux_${ARCH}.tar.xz" >SHA256SUMS)
echo "wrote $OUT/SHA256SUMS"
