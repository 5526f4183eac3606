#!/usr/bin/env bash
# Captures the kernel files behind `docker stats` from real containers on this host, with
# the daemon's own stats record of the same containers, into a small file tree that the
# kernel reader's unit tests use as HOST_PROC and HOST_CGROUP:
#
#   test/fixtures/kernel/<name>/
#     host/proc/stat, host/proc/meminfo                   the host-wide files
#     host/proc/<pid>/cgroup, host/proc/<pid>/net/dev      each container's init process
#     host/sys/fs/cgroup/<controller>/<path>/<file>        the files the reader opens
#     containers.json                                      role → id, pid, network mode
#     daemon/<role>.json                                   the daemon's stats record, as it sent it
#
# Every container is paused before anything is read: a frozen cgroup's counters do not
# move, so the files and the daemon's record describe the same instant and must agree
# field for field (memory, CPU time, network, block I/O, pids). Only the daemon's
# system_cpu_usage and read time differ, as they are taken at the moment of reading.
#
# Usage: scripts/capture-kernel-fixtures.sh [name]   (default: cgroup-v1; needs root, a
# running dockerd and the dockmon-test-busybox image from .ci/build-test-image.sh)
set -euo pipefail

name="${1:-cgroup-v1}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/test/fixtures/kernel/$name"
image=dockmon-test-busybox
prefix=dmfix-
socket="${DOCKER_HOST:-unix:///var/run/docker.sock}"
socket="${socket#unix://}"
cgroot=/sys/fs/cgroup

api() { curl -sf --unix-socket "$socket" "http://docker/v1.41$1"; }

cleanup() { docker ps -aq --filter "name=^${prefix}" | xargs -r docker rm -f >/dev/null; }
trap cleanup EXIT
cleanup

echo "starting the workload containers"
run() { docker run -d --name "$prefix$1" "${@:2}" >/dev/null; }
run burner --cpus 0.5 "$image" sh -c 'while :; do :; done'
run memory -m 64m "$image" sh -c 'dd if=/dev/zero of=/dev/shm/hold bs=1M count=40 2>/dev/null; dd if=/dev/zero of=/tmp/cache bs=1M count=10 2>/dev/null; sleep 100000'
run filecache "$image" sh -c 'dd if=/dev/zero of=/tmp/cache bs=1M count=64 2>/dev/null; sleep 100000'
run blockio "$image" sh -c 'dd if=/dev/zero of=/tmp/direct bs=1M count=16 oflag=direct 2>/dev/null; dd if=/tmp/direct of=/dev/null bs=1M iflag=direct 2>/dev/null; sleep 100000'
run server "$image" sh -c 'while true; do nc -l -p 9000 >/dev/null; done'
run none --network none "$image" sleep 100000
run pids --pids-limit 64 "$image" sh -c 'for i in 1 2 3 4 5; do sleep 100000 & done; wait'
server_ip="$(docker inspect -f '{{.NetworkSettings.IPAddress}}' "${prefix}server")"
run client "$image" sh -c "while true; do head -c 200000 /dev/urandom | nc $server_ip 9000; sleep 0.3; done"
sleep 4

roles=(burner memory filecache blockio server client none pids)
for role in "${roles[@]}"; do docker pause "$prefix$role" >/dev/null; done
sleep 1.5

rm -rf "$out"
mkdir -p "$out/host/proc"
cp /proc/stat /proc/meminfo "$out/host/proc/"

# The files the reader opens, per controller (v1) and in the unified hierarchy (PSI on a
# hybrid host). The cgroup root's own files are kept for the host-wide series.
v1_files=(
  cpuacct/cpuacct.usage cpuacct/cpuacct.stat cpuacct/cpuacct.usage_percpu
  cpu/cpu.stat cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpu/cpu.shares
  memory/memory.usage_in_bytes memory/memory.limit_in_bytes memory/memory.stat
  memory/memory.max_usage_in_bytes memory/memory.failcnt memory/memory.oom_control
  memory/memory.memsw.usage_in_bytes memory/memory.memsw.limit_in_bytes memory/memory.soft_limit_in_bytes
  blkio/blkio.throttle.io_service_bytes blkio/blkio.throttle.io_serviced
  blkio/blkio.throttle.io_service_bytes_recursive blkio/blkio.throttle.io_serviced_recursive
  pids/pids.current pids/pids.max
  unified/cgroup.controllers unified/cpu.pressure unified/memory.pressure unified/io.pressure unified/cpu.stat
)
copy_cgroup_files() {
  local path="$1" file dir
  for file in "${v1_files[@]}"; do
    dir="${file%%/*}"
    [ -e "$cgroot/$dir$path/${file#*/}" ] || continue
    mkdir -p "$out/host/sys/fs/cgroup/$dir$path"
    cat "$cgroot/$dir$path/${file#*/}" > "$out/host/sys/fs/cgroup/$dir$path/${file#*/}"
  done
}
copy_cgroup_files ""

printf '{\n' > "$out/containers.json"
first=1
for role in "${roles[@]}"; do
  id="$(docker inspect -f '{{.Id}}' "$prefix$role")"
  pid="$(docker inspect -f '{{.State.Pid}}' "$prefix$role")"
  mode="$(docker inspect -f '{{.HostConfig.NetworkMode}}' "$prefix$role")"
  mkdir -p "$out/host/proc/$pid/net" "$out/daemon"
  cat "/proc/$pid/cgroup" > "$out/host/proc/$pid/cgroup"
  # The path as /proc/<pid>/cgroup gives it for the memory controller (all are the same here).
  path="$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")"
  # A paused container still receives packets (the bridge's broadcasts): the files are read
  # between two daemon records, and again until both records show the same network counters.
  for attempt in 1 2 3 4 5; do
    before="$(api "/containers/$id/stats?stream=false")"
    copy_cgroup_files "$path"
    cat "/proc/$pid/net/dev" > "$out/host/proc/$pid/net/dev"
    after="$(api "/containers/$id/stats?stream=false")"
    [ "$(jq -c .networks <<<"$before")" = "$(jq -c .networks <<<"$after")" ] && break
    echo "$role: traffic arrived while reading (attempt $attempt); reading again"
  done
  printf '%s\n' "$after" > "$out/daemon/$role.json"
  [ "$first" = 1 ] || printf ',\n' >> "$out/containers.json"
  first=0
  printf '  "%s": { "id": "%s", "pid": %s, "network_mode": "%s" }' "$role" "$id" "$pid" "$mode" >> "$out/containers.json"
done
printf '\n}\n' >> "$out/containers.json"
jq -e . "$out/containers.json" >/dev/null

cat > "$out/CAPTURED.md" <<EOF
Captured by scripts/capture-kernel-fixtures.sh on $(date -u +%Y-%m-%dT%H:%MZ):
$(docker version --format 'Docker Engine {{.Server.Version}} (API {{.Server.APIVersion}})'),
kernel $(uname -r), cgroup driver $(docker info --format '{{.CgroupDriver}}'), cgroup v$(docker info --format '{{.CgroupVersion}}'),
$(nproc) CPUs, $(awk '/MemTotal/ { printf "%.2f GiB", $2 / 1048576 }' /proc/meminfo) RAM. Every container was paused before reading.
EOF
echo "wrote $out ($(find "$out" -type f | wc -l) files)"
