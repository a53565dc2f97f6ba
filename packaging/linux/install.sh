#!/usr/bin/env bash
# Installs a built exhibit binary with its desktop entry, icon and AppStream
# metadata under PREFIX (default /usr/local). Run `make build` first.
set -euo pipefail
cd "$(dirname "$0")/../.."
PREFIX="${PREFIX:-/usr/local}"
install -Dm755 bin/exhibit "$PREFIX/bin/exhibit"
install -Dm644 packaging/linux/uk.police.exhibit.desktop "$PREFIX/share/applications/uk.police.exhibit.desktop"
install -Dm644 assets/icon.png "$PREFIX/share/icons/hicolor/256x256/apps/uk.police.exhibit.png"
install -Dm644 assets/icon.svg "$PREFIX/share/icons/hicolor/scalable/apps/uk.police.exhibit.svg"
install -Dm644 packaging/linux/uk.police.exhibit.court.desktop "$PREFIX/share/applications/uk.police.exhibit.court.desktop"
install -Dm644 packaging/linux/uk.police.exhibit.mime.xml "$PREFIX/share/mime/packages/uk.police.exhibit.xml"
install -Dm644 packaging/linux/uk.police.exhibit.metainfo.xml "$PREFIX/share/metainfo/uk.police.exhibit.metainfo.xml"
echo "Installed exhibit under $PREFIX"
