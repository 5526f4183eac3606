#!/usr/bin/env bash
# Builds the busybox test image used by the real-Docker suite: a scratch image made by
# `docker import` of a folder holding a static busybox and one symlink per applet.
# Usage: .ci/build-test-image.sh [tag]   (default tag: dockmon-test-busybox)
set -euo pipefail

tag="${1:-dockmon-test-busybox}"

busybox_bin="$(command -v busybox || true)"
if [ -z "$busybox_bin" ]; then
  echo "build-test-image: busybox is not installed (apt-get install busybox-static)" >&2
  exit 1
fi
# The image has no libc: a dynamically linked busybox would not start in it.
if ldd "$busybox_bin" >/dev/null 2>&1; then
  echo "build-test-image: $busybox_bin is dynamically linked; install busybox-static" >&2
  exit 1
fi

rootfs="$(mktemp -d /tmp/dockmon-test-rootfs.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs/bin"
cp "$busybox_bin" "$rootfs/bin/busybox"
chmod 0755 "$rootfs/bin/busybox"
count=0
for applet in $("$rootfs/bin/busybox" --list); do
  [ "$applet" = busybox ] && continue
  ln -s busybox "$rootfs/bin/$applet"
  count=$((count + 1))
done

tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/sh"]' - "$tag" >/dev/null
echo "build-test-image: built $tag ($count applets from $busybox_bin)"
