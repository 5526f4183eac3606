#!/usr/bin/env bash
# Makes sure Podman's Docker-compatible API answers on PODMAN_SOCKET (default
# /run/dockmon-podman/podman.sock) and holds the busybox test image: installs Debian's
# podman when missing, starts `podman system service --time=0` in the background (log:
# /tmp/dockmon-ci-podman.log), and copies dockmon-test-busybox over from Docker with
# `docker save | podman load`. Safe to rerun.
set -euo pipefail

PODMAN_SOCKET="${PODMAN_SOCKET:-/run/dockmon-podman/podman.sock}"
PODMAN_LOG="${PODMAN_LOG:-/tmp/dockmon-ci-podman.log}"
TEST_IMAGE="${TEST_IMAGE:-dockmon-test-busybox}"

if ! command -v podman >/dev/null 2>&1; then
  echo "installing podman"
  env DEBIAN_FRONTEND=noninteractive apt-get update -q
  env DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman
fi

ping_podman() { curl -sf --max-time 2 --unix-socket "$PODMAN_SOCKET" http://podman/_ping >/dev/null 2>&1; }

if ping_podman; then
  echo "podman's API answers on $PODMAN_SOCKET"
else
  mkdir -p "$(dirname "$PODMAN_SOCKET")"
  rm -f "$PODMAN_SOCKET"
  echo "starting podman system service on $PODMAN_SOCKET (log: $PODMAN_LOG)"
  nohup podman system service --time=0 "unix://$PODMAN_SOCKET" >"$PODMAN_LOG" 2>&1 </dev/null &
  waited=0
  until ping_podman; do
    if [ "$waited" -ge 30 ]; then
      echo "podman's API does not answer after 30s; the end of its log:" >&2
      tail -n 30 "$PODMAN_LOG" >&2 || true
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  echo "podman's API answers after ${waited}s"
fi

if podman image exists "localhost/$TEST_IMAGE"; then
  echo "localhost/$TEST_IMAGE is loaded in podman"
else
  docker save "$TEST_IMAGE" | podman load
fi
# This machine's runc cannot set the default rlimits: the suite passes these to every run.
podman run --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "localhost/$TEST_IMAGE" sh -c 'echo "the test image runs under podman: $(busybox | head -n 1)"'
echo "$(podman --version), API $(curl -s --unix-socket "$PODMAN_SOCKET" http://podman/version | sed -n 's/.*"ApiVersion":"\([^"]*\)".*/\1/p')"
