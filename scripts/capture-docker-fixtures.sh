#!/usr/bin/env bash
# Captures Engine API answers from the running daemon, byte for byte as it sent them (curl
# on the socket, no re-encoding), into test/fixtures/docker/<name>/ for the fake Engine and
# the unit tests. Every file is what dockmon's client asks for (docker/client.ts):
#
#   ping.headers.txt              HEAD /_ping response headers (Date dropped)
#   version.json                  GET /v1.41/version
#   containers-capture.json       GET /v1.41/containers/json, this capture's containers only
#   inspect-limits-running.json   GET /containers/{id}/json: -m 64m --cpus 0.5 --pids-limit 64,
#                                 --restart unless-stopped and a health check, running
#   inspect-limits-killed.json    the same after `docker kill` (ExitCode 137, FinishedAt, Pid 0)
#   stats-stream-traffic.ndjson   stats?stream=true of a container that burns CPU (--cpus 0.5),
#                                 writes with O_DIRECT and sends to a peer: every counter grows
#   stats-oneshot-running.json    stats?stream=false&one-shot=true of the same, running
#   events-start-die.ndjson       /events?since=…&until=…&filters={"type":["container"],
#                                 "container":[id]} around run, kill and rm of one container
#   error-404-no-such-container.json   GET /containers/<unknown full id>/json
#   error-400-stream-one-shot.json     stats?stream=true&one-shot=true
#
# Usage: scripts/capture-docker-fixtures.sh [name]   (default: cgroup-v1; needs a running
# dockerd, curl and the dockmon-test-busybox image from .ci/build-test-image.sh)
set -euo pipefail

out="$(cd "$(dirname "$0")/.." && pwd)/test/fixtures/docker/${1:-cgroup-v1}"
readonly image=dockmon-test-busybox prefix=dmcap-
host="${DOCKER_HOST:-unix:///var/run/docker.sock}"
api() { curl -sS --unix-socket "${host#unix://}" "http://docker/v1.41$1"; }
# Compact JSON filters, URL-encoded the way URLSearchParams does it.
filters() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

cleanup() { docker ps -aq --filter "name=^${prefix}" | xargs -r docker rm -f >/dev/null; }
trap cleanup EXIT
cleanup
mkdir -p "$out"

curl -sS -I --unix-socket "${host#unix://}" http://docker/_ping | tr -d '\r' | grep -v '^Date:' > "$out/ping.headers.txt"
api /version > "$out/version.json"

echo "starting the containers"
docker run -d --name "${prefix}server" "$image" sh -c 'while true; do nc -l -p 9000 >/dev/null; done' >/dev/null
server_ip="$(docker inspect -f '{{.NetworkSettings.IPAddress}}' "${prefix}server")"
traffic="$(docker run -d --name "${prefix}traffic" --cpus 0.5 "$image" sh -c \
  "while true; do dd if=/dev/zero of=/tmp/direct bs=64k count=16 oflag=direct 2>/dev/null; head -c 100000 /dev/urandom | nc $server_ip 9000; i=0; while [ \$i -lt 20000 ]; do i=\$((i+1)); done; done")"
limits="$(docker run -d --name "${prefix}limits" -m 64m --cpus 0.5 --pids-limit 64 --restart unless-stopped \
  --health-cmd true --health-interval 1s "$image" sleep 100000)"
sleep 3

api "/containers/json?filters=$(filters '{"name":["'"$prefix"'"]}')" > "$out/containers-capture.json"
api "/containers/$limits/json" > "$out/inspect-limits-running.json"
# Seven records; the reader is cut mid-stream, so a last partial line is possible (readers skip it).
timeout 7.5 curl -sS -N --unix-socket "${host#unix://}" "http://docker/v1.41/containers/$traffic/stats?stream=true" \
  > "$out/stats-stream-traffic.ndjson" || true
api "/containers/$traffic/stats?stream=false&one-shot=true" > "$out/stats-oneshot-running.json"

docker kill "$limits" >/dev/null
sleep 1
api "/containers/$limits/json" > "$out/inspect-limits-killed.json"

echo "recording one container's lifecycle on /events"
since="$(date +%s.%N)"
events_id="$(docker run -d --name "${prefix}events" "$image" sleep 100000)"
sleep 1
docker kill "$events_id" >/dev/null
docker rm "$events_id" >/dev/null
until="$(date +%s.%N)"
api "/events?since=$since&until=$until&filters=$(filters '{"type":["container"],"container":["'"$events_id"'"]}')" \
  > "$out/events-start-die.ndjson"

unknown="$(printf 'f%.0s' $(seq 64))"
api "/containers/$unknown/json" > "$out/error-404-no-such-container.json"
api "/containers/$traffic/stats?stream=true&one-shot=true" > "$out/error-400-stream-one-shot.json"

{
  echo "The files named in scripts/capture-docker-fixtures.sh were captured by it on $(date -u +%Y-%m-%dT%H:%MZ):"
  echo "$(docker version --format 'Docker Engine {{.Server.Version}} (API {{.Server.APIVersion}})'),"
  echo "kernel $(uname -r), $(docker info --format 'cgroup driver {{.CgroupDriver}}, cgroup v{{.CgroupVersion}}, {{.NCPU}} CPUs')."
} > "$out/CAPTURED.md"
echo "wrote $out"
