#!/usr/bin/env bash
# Makes sure a Docker daemon answers: does nothing when `docker info` works, waits for a
# dockerd that is already starting, or starts one in the background. Fails (with the end
# of the daemon's log) when no daemon answers within DOCKER_WAIT_SECONDS (default 60).
set -euo pipefail

DOCKERD_LOG="${DOCKERD_LOG:-/tmp/dockmon-ci-dockerd.log}"
DOCKER_WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-60}"
DOCKER_PIDFILE="${DOCKER_PIDFILE:-/var/run/docker.pid}"

docker_up() { docker info >/dev/null 2>&1; }
describe() { docker info --format 'Docker {{.ServerVersion}}, cgroup v{{.CgroupVersion}}, {{.NCPU}} CPUs, {{.MemTotal}} bytes RAM'; }
log_tail() {
  echo "the end of the dockerd log ($DOCKERD_LOG):" >&2
  tail -n 40 "$DOCKERD_LOG" >&2 2>/dev/null || echo "(no log)" >&2
}

if docker_up; then
  echo "dockerd is already running: $(describe)"
  exit 0
fi

start_dockerd() {
  echo "starting dockerd in the background (log: $DOCKERD_LOG)"
  nohup dockerd >"$DOCKERD_LOG" 2>&1 </dev/null &
  dockerd_pid=$!
}

dockerd_pid=""
existing_pid="$(cat "$DOCKER_PIDFILE" 2>/dev/null || true)"
if [ -n "$existing_pid" ] && kill -0 "$existing_pid" 2>/dev/null; then
  # A daemon is starting already (e.g. systemd right after the package install).
  echo "dockerd (pid $existing_pid) is starting; waiting for it"
else
  if [ "$(id -u)" -ne 0 ]; then
    echo "ci: dockerd must be started as root" >&2
    exit 1
  fi
  start_dockerd
fi

# dockerd gives its containerd a fixed time to start. After a hard stop of the machine,
# containerd first cleans up every dead task (about 50 ms each: a minute for 1,000
# containers), dockerd gives up and exits, and the next start finds fewer to clean. So a
# daemon that exits with that message is started again, a few times.
containerd_retries=0
waited=0
until docker_up; do
  if [ -n "$dockerd_pid" ] && ! kill -0 "$dockerd_pid" 2>/dev/null; then
    if grep -q 'timeout waiting for containerd' "$DOCKERD_LOG" 2>/dev/null && [ "$containerd_retries" -lt 4 ]; then
      containerd_retries=$((containerd_retries + 1))
      echo "dockerd gave up waiting for containerd (cleaning up after a hard stop); start $((containerd_retries + 1))"
      cp "$DOCKERD_LOG" "$DOCKERD_LOG.$containerd_retries" 2>/dev/null || true
      start_dockerd
      waited=0
      continue
    fi
    echo "dockerd exited" >&2
    log_tail
    exit 1
  fi
  if [ "$waited" -ge "$DOCKER_WAIT_SECONDS" ]; then
    echo "docker info still fails after ${DOCKER_WAIT_SECONDS}s" >&2
    log_tail
    exit 1
  fi
  sleep 1
  waited=$((waited + 1))
done
echo "dockerd is up after ${waited}s: $(describe)"
