#!/usr/bin/env bash
# Builds the dockmon image without any image registry: the Dockerfile's two base images
# are assembled from this host's own Node (scripts/assemble-node-rootfs.sh) and loaded
# with `docker import`, then `docker build` gets them as BUILD_IMAGE and RUNTIME_IMAGE.
# With a registry, plain `docker build -t dockmon .` does the same from public images.
#
#   scripts/build-image-airgapped.sh [TAG]        (default TAG: dockmon)
#
# The build stage runs `npm ci`, so it needs an npm registry or a mirror: this host's
# `npm config get registry`, proxy variables and CA bundle are passed as build
# arguments (they stay in the build stage; the runtime image holds none of them).
#
# Environment (all optional): NODE_BIN, NPM_DIR, BUSYBOX_BIN, CA_BUNDLE (see
# assemble-node-rootfs.sh); DOCKMON_REBUILD_BASES=1 re-imports the bases even when
# images with the same fingerprint exist.
#
# Base images are tagged with a fingerprint of everything copied into them, so a rerun
# reuses them and `docker build` reuses its layer cache (a fresh `docker import` would
# give a new image ID and invalidate every cached layer).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

tag="${1:-dockmon}"
RUNTIME_REPO=dockmon-base-runtime
BUILD_REPO=dockmon-base-build
# On every image this script makes, so it removes only what it made.
MADE_BY_LABEL=dockmon.built-by=build-image-airgapped
started_ns="$(date +%s%N)"

die() { printf 'build-image-airgapped: %s\n' "$*" >&2; exit 1; }
say() { printf 'build-image-airgapped: %s\n' "$*"; }
elapsed() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.1fs", (b - a) / 1e9 }'; }
mb() { awk -v n="$1" 'BEGIN { printf "%.2f MB", n / 1e6 }'; }

command -v docker >/dev/null 2>&1 || die "the docker CLI is not installed"
docker info >/dev/null 2>&1 || die "no Docker daemon answers (docker info failed)"

# --- inputs -------------------------------------------------------------------------
NODE_BIN="$(readlink -f "${NODE_BIN:-$(command -v node || true)}")"
[ -x "$NODE_BIN" ] || die "no node binary: install Node or set NODE_BIN"
node_version="$("$NODE_BIN" --version)"

if [ -z "${NPM_DIR:-}" ]; then
  npm_cli="$(readlink -f "$(command -v npm || true)")"
  [ -n "$npm_cli" ] || die "no npm: install it or set NPM_DIR to .../node_modules/npm"
  NPM_DIR="$(dirname "$(dirname "$npm_cli")")"   # .../npm/bin/npm-cli.js → .../npm
fi
[ -f "$NPM_DIR/package.json" ] || die "NPM_DIR=$NPM_DIR is not npm's package folder"

BUSYBOX_BIN="$(readlink -f "${BUSYBOX_BIN:-$(command -v busybox || true)}")"
[ -x "$BUSYBOX_BIN" ] || die "no busybox: apt-get install busybox-static, or set BUSYBOX_BIN"

# The CA bundle npm must trust: behind a TLS-inspecting proxy that is the host's bundle
# with the proxy's CA in it. Same sources, in the same order, as npm and Node on the host.
if [ -z "${CA_BUNDLE:-}" ]; then
  npm_cafile="$(npm config get cafile 2>/dev/null || true)"
  for candidate in "${NODE_EXTRA_CA_CERTS:-}" "$npm_cafile" /etc/ssl/certs/ca-certificates.crt; do
    if [ -n "$candidate" ] && [ "$candidate" != null ] && [ "$candidate" != undefined ] && [ -r "$candidate" ]; then
      CA_BUNDLE="$candidate"
      break
    fi
  done
fi
export NODE_BIN NPM_DIR BUSYBOX_BIN CA_BUNDLE="${CA_BUNDLE:-}"

# --- base images ----------------------------------------------------------------------
# Everything a base holds, hashed: node, its libraries, npm, busybox, the CA bundle and
# the assembling script itself.
fingerprint() {
  {
    sha256sum "$NODE_BIN" scripts/assemble-node-rootfs.sh
    ldd "$NODE_BIN" 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if (substr($i, 1, 1) == "/") print $i }' |
      sort -u | xargs -r readlink -f | xargs -r sha256sum
    if [ "$1" = build ]; then
      sha256sum "$NPM_DIR/package.json" "$BUSYBOX_BIN"
      if [ -n "$CA_BUNDLE" ]; then sha256sum "$CA_BUNDLE"; fi
    fi
  } | awk '{ print $1 }' | sha256sum | cut -c1-12
}

# Imports one base unless an image with its fingerprint exists; prints the tag.
ensure_base() {
  local mode="$1" repo="$2" changes=("${@:3}")
  local base_tag rootfs t0
  base_tag="$repo:node${node_version#v}-$(fingerprint "$mode")"
  if [ "${DOCKMON_REBUILD_BASES:-0}" != 1 ] && docker image inspect "$base_tag" >/dev/null 2>&1; then
    say "reusing $base_tag" >&2
  else
    t0="$(date +%s%N)"
    rootfs="$(mktemp -d /tmp/dockmon-rootfs.XXXXXX)"
    bash scripts/assemble-node-rootfs.sh "$mode" "$rootfs"
    local import_args=(--change "LABEL $MADE_BY_LABEL")
    for change in "${changes[@]}"; do import_args+=(--change "$change"); done
    tar --numeric-owner -C "$rootfs" -c . | docker import "${import_args[@]}" - "$base_tag" >/dev/null
    rm -rf "$rootfs"
    say "imported $base_tag ($(mb "$(docker image inspect -f '{{.Size}}' "$base_tag")") in $(elapsed "$t0"))" >&2
  fi
  # Older fingerprints of this base only hold disk space (and stale build cache). Only
  # images this script made (its label) are removed: a base of the same name someone
  # else tagged stays.
  docker images "$repo" --filter "label=$MADE_BY_LABEL" --format '{{.Repository}}:{{.Tag}}' | grep -vxF "$base_tag" \
    | xargs -r docker rmi >/dev/null 2>&1 || true
  printf '%s\n' "$base_tag"
}

t_bases="$(date +%s%N)"
runtime_image="$(ensure_base runtime "$RUNTIME_REPO" 'ENTRYPOINT ["/nodejs/bin/node"]')"
build_image="$(ensure_base build "$BUILD_REPO" \
  'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  'CMD ["/bin/sh"]')"
say "base images ready in $(elapsed "$t_bases"): $runtime_image, $build_image"

# --- the image ------------------------------------------------------------------------
build_args=(
  --label "$MADE_BY_LABEL"
  --build-arg "BUILD_IMAGE=$build_image"
  --build-arg "RUNTIME_IMAGE=$runtime_image"
  --build-arg "VERSION=$(node -p 'require("./package.json").version')"
)
registry="$(npm config get registry 2>/dev/null || true)"
if [ -n "$registry" ]; then build_args+=(--build-arg "NPM_CONFIG_REGISTRY=$registry"); fi
# Inside the build base the bundle sits at the path Debian (and node:*-slim) use.
if [ -n "$CA_BUNDLE" ]; then build_args+=(--build-arg NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt); fi
# Docker's predefined proxy arguments: used by RUN, never written to the image history.
for name in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
  if [ -n "${!name:-}" ]; then build_args+=(--build-arg "$name=${!name}"); fi
done

# Without the buildx plugin a current CLI falls back to the legacy builder after a
# warning; choose it explicitly so the output says what happens.
if ! docker buildx version >/dev/null 2>&1; then export DOCKER_BUILDKIT=0; fi

previous_id="$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)"
t_build="$(date +%s%N)"
docker build "${build_args[@]}" -t "$tag" .
say "docker build took $(elapsed "$t_build")"
image_id="$(docker image inspect -f '{{.Id}}' "$tag")"
if [ -n "$previous_id" ] && [ "$previous_id" != "$image_id" ] \
  && [ "$(docker image inspect -f '{{index .Config.Labels "dockmon.built-by"}}' "$previous_id" 2>/dev/null)" = build-image-airgapped ]; then
  # Our previous build of this tag is now dangling; drop it unless a container uses it.
  docker rmi "$previous_id" >/dev/null 2>&1 || true
fi

image_bytes="$(docker image inspect -f '{{.Size}}' "$tag")"
base_bytes="$(docker image inspect -f '{{.Size}}' "$runtime_image")"
ours_bytes=$((image_bytes - base_bytes))
say "built $tag (${image_id:7:12}) in $(elapsed "$started_ns"): image $(mb "$image_bytes"), our layers $(mb "$ours_bytes") ($ours_bytes bytes) on a $(mb "$base_bytes") base (node $node_version)"
