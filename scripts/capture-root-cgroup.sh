#!/usr/bin/env bash
# Captures the files behind the root cgroup's series (cAdvisor's id="/": the whole host)
# on a cgroup v1 host, into the tree the root reader's unit tests use as HOST_CGROUP and
# HOST_PROC:
#
#   test/fixtures/root-cgroup-v1/
#     sys/fs/cgroup/cpuacct/{cpuacct.usage,cpuacct.stat,cgroup.sane_behavior}
#     sys/fs/cgroup/memory/{memory.usage_in_bytes,memory.stat,memory.use_hierarchy,cgroup.sane_behavior}
#     proc/stat, proc/meminfo                  the kernel's own host-wide figures
#     proc/1/net/dev                           the host's interfaces (PID 1's network namespace)
#
# Each cgroup file is read right next to the /proc file it is compared with (cpuacct
# with /proc/stat, memory with /proc/meminfo), so the two describe the same moment
# within a few milliseconds. No Docker and no root needed: every file is world-readable.
#
# Usage: scripts/capture-root-cgroup.sh [HOST_CGROUP] [HOST_PROC]
set -euo pipefail

cgroot="${1:-/sys/fs/cgroup}"
proc="${2:-/proc}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/test/fixtures/root-cgroup-v1"

if [[ -e "$cgroot/cgroup.controllers" ]]; then
  echo "$cgroot is a cgroup v2 tree: this script captures cgroup v1 hosts" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out/sys/fs/cgroup/cpuacct" "$out/sys/fs/cgroup/memory" "$out/proc/1/net"
cat "$cgroot/cpuacct/cpuacct.stat" > "$out/sys/fs/cgroup/cpuacct/cpuacct.stat"
cat "$proc/stat" > "$out/proc/stat"
cat "$cgroot/cpuacct/cpuacct.usage" > "$out/sys/fs/cgroup/cpuacct/cpuacct.usage"
cat "$cgroot/memory/memory.usage_in_bytes" > "$out/sys/fs/cgroup/memory/memory.usage_in_bytes"
cat "$cgroot/memory/memory.stat" > "$out/sys/fs/cgroup/memory/memory.stat"
cat "$proc/meminfo" > "$out/proc/meminfo"
cat "$proc/1/net/dev" > "$out/proc/1/net/dev"
cat "$cgroot/memory/memory.use_hierarchy" > "$out/sys/fs/cgroup/memory/memory.use_hierarchy"
# Only the root of a v1 hierarchy has cgroup.sane_behavior: the reader checks for it.
cat "$cgroot/cpuacct/cgroup.sane_behavior" > "$out/sys/fs/cgroup/cpuacct/cgroup.sane_behavior"
cat "$cgroot/memory/cgroup.sane_behavior" > "$out/sys/fs/cgroup/memory/cgroup.sane_behavior"

{
  echo "Captured by scripts/capture-root-cgroup.sh on $(date -u +%Y-%m-%dT%H:%MZ):"
  echo "kernel $(uname -r), cgroup v1 (cpuacct and memory each on its own mount),"
  echo "$(nproc) CPUs, $(awk '/^MemTotal:/ { printf "%.2f GiB", $2 / 1048576 }' "$proc/meminfo") RAM, swap $(awk '/^SwapTotal:/ { print $2 " kB" }' "$proc/meminfo")."
  echo "The host was running CI containers at the time (veth* and docker0 in proc/1/net/dev)."
} > "$out/CAPTURED.md"
echo "captured into $out"
