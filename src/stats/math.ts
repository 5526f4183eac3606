// Pure `docker stats` arithmetic over raw Engine API shapes.
//
// Provenance: docker/cli cli/command/container/stats_helpers.go at commit 28f756087eea
// (calculateCPUPercentUnix, calculateCPUPercentWindows, calculateMemUsageUnixNoCache,
// calculateMemPercentUnixNoCache, calculateNetwork, calculateBlockIO), and the Engine API
// "ContainerStats" reference (moby api/swagger.yaml, ContainerStatsResponse).
// https://github.com/docker/cli/blob/28f756087eea/cli/command/container/stats_helpers.go
//
// Where we part from the CLI, it is to say "unknown" (null) instead of printing a number
// that is wrong: the CLI shows 0% or a since-boot ratio in those cases.
// The operations keep the CLI's order ((a / b) * n * 100) so the doubles come out
// bit-identical and the golden test can compare formatted strings.
//
// Inputs come from JSON.parse of a daemon we do not control, so every field is read
// through `toCounter()`: anything that is not a finite, non-negative number counts as 0,
// which is also what Go's zero value gives for an omitted field.

import type {
  BlkioStats,
  CpuStats,
  MemoryStats,
  NetworkStats,
  StorageStats,
} from '../docker/types.js';

export interface NetworkTotals {
  rxBytes: number;
  txBytes: number;
  /** Whether the record had a `networks` map at all (absent for --network none/host). */
  present: boolean;
}

export interface BlockIoTotals {
  readBytes: number;
  writeBytes: number;
}

/** A usable counter value: finite and non-negative, else 0 (Go's zero value). */
export function toCounter(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/** Narrows away null as well as undefined: JSON can hold null where the types say object. */
export function isObject<T extends object>(value: T | null | undefined): value is T {
  return typeof value === 'object' && value !== null;
}

/**
 * Which way a blkio entry counts. Only the first letter of `op` does, case-insensitively:
 * r/R and w/W, so cgroup v1's Sync/Async/Total lines are not added twice and cgroup v2's
 * lower-case read/write match too. Anything else (or no op) counts neither way.
 */
export function blkioDirection(op: unknown): 'read' | 'write' | null {
  if (typeof op !== 'string') return null;
  const first = op.charAt(0);
  if (first === 'r' || first === 'R') return 'read';
  if (first === 'w' || first === 'W') return 'write';
  return null;
}

/** A ratio we can publish: finite and non-negative, else null. */
function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * CPUs the Linux percentage is scaled by: `online_cpus`, else the length of
 * `percpu_usage` (the CLI's only fallback; cgroup v2 never sends it), else 0 = unknown.
 */
export function onlineCpus(cpuStats: CpuStats | undefined): number {
  if (!isObject(cpuStats)) return 0;
  const online = toCounter(cpuStats.online_cpus);
  if (online > 0) return online;
  const percpu = isObject(cpuStats.cpu_usage) ? cpuStats.cpu_usage.percpu_usage : undefined;
  return Array.isArray(percpu) ? percpu.length : 0;
}

/** Cumulative container CPU time as the daemon sent it (ns on Linux, 100 ns on Windows). */
export function cpuTotalUsage(cpuStats: CpuStats | undefined): number {
  return isObject(cpuStats) && isObject(cpuStats.cpu_usage)
    ? toCounter(cpuStats.cpu_usage.total_usage)
    : 0;
}

/** `system_cpu_usage` in ns (host-wide, idle included); 0 when absent, as on Windows. */
export function systemCpuUsage(cpuStats: CpuStats | undefined): number {
  return isObject(cpuStats) ? toCounter(cpuStats.system_cpu_usage) : 0;
}

/**
 * Linux CPU percent in per-core units (100 = one full core), as `docker stats` shows it.
 *
 * Returns null when the interval cannot be measured:
 * - `pre.system_cpu_usage` is 0 or absent: one-shot responses and the first streamed
 *   record carry a zeroed precpu, and the CLI would print a since-boot ratio;
 * - the system delta is not positive (moby#41915: system_cpu_usage can wrap once);
 * - the container delta is negative (counter reset by a restart);
 * - no CPU count is known.
 * A zero container delta over a real interval is a real 0% (idle or paused), as in the CLI.
 */
export function calculateCpuPercentLinux(
  cur: CpuStats | undefined,
  pre: CpuStats | undefined,
): number | null {
  const preSystem = systemCpuUsage(pre);
  if (preSystem <= 0) return null;
  const systemDelta = systemCpuUsage(cur) - preSystem;
  const cpuDelta = cpuTotalUsage(cur) - cpuTotalUsage(pre);
  const cpus = onlineCpus(cur);
  if (systemDelta <= 0 || cpuDelta < 0 || cpus <= 0) return null;
  return finiteOrNull((cpuDelta / systemDelta) * cpus * 100);
}

/**
 * Windows CPU percent, normalised to the whole machine (max 100%, unlike Linux).
 * `total_usage` is in 100 ns units there and there is no system counter: the CLI divides
 * by the 100 ns slots available between `preread` and `read` on `num_procs` processors.
 * Null when that interval is empty or the counter went backwards.
 */
export function calculateCpuPercentWindows(
  cur: CpuStats | undefined,
  pre: CpuStats | undefined,
  intervalNs: number,
  numProcs: number,
): number | null {
  const possibleIntervals = Math.floor(toCounter(intervalNs) / 100) * Math.floor(toCounter(numProcs));
  const intervalsUsed = cpuTotalUsage(cur) - cpuTotalUsage(pre);
  if (possibleIntervals <= 0 || intervalsUsed < 0) return null;
  return finiteOrNull((intervalsUsed / possibleIntervals) * 100);
}

/**
 * Memory in use as `docker stats` shows it: usage less the inactive file cache.
 * `total_inactive_file` (cgroup v1 only) wins when the key exists and is below usage;
 * otherwise `inactive_file` (cgroup v2, or v1 fallback). `cache` is never used: the CLI
 * stopped using it in docker/cli a4a07c6430 (v20.10, moby#40727), though the Engine API
 * docs still mention it.
 */
export function memoryUsedBytes(memoryStats: MemoryStats | undefined): number {
  if (!isObject(memoryStats)) return 0;
  const usage = toCounter(memoryStats.usage);
  const stats: Readonly<Record<string, unknown>> = isObject(memoryStats.stats)
    ? memoryStats.stats
    : {};
  if (Object.hasOwn(stats, 'total_inactive_file')) {
    const totalInactive = toCounter(stats['total_inactive_file']);
    if (totalInactive < usage) return usage - totalInactive;
  }
  const inactive = toCounter(stats['inactive_file']);
  return inactive < usage ? usage - inactive : usage;
}

/** used / limit * 100; 0 when the limit is 0 (stopped container, Windows). */
export function memoryPercent(usedBytes: number, limitBytes: number): number {
  const limit = toCounter(limitBytes);
  if (limit === 0) return 0;
  const percent = (toCounter(usedBytes) / limit) * 100;
  return Number.isFinite(percent) ? percent : 0;
}

/**
 * Cumulative bytes over all interfaces. These are totals since the network namespace was
 * created, not rates; containers sharing a namespace (`container:X`) report the same ones.
 */
export function networkTotals(
  networks: Record<string, NetworkStats> | undefined,
): NetworkTotals {
  if (!isObject(networks)) return { rxBytes: 0, txBytes: 0, present: false };
  let rxBytes = 0;
  let txBytes = 0;
  for (const iface of Object.values(networks)) {
    if (!isObject(iface)) continue;
    rxBytes += toCounter(iface.rx_bytes);
    txBytes += toCounter(iface.tx_bytes);
  }
  return { rxBytes: toCounter(rxBytes), txBytes: toCounter(txBytes), present: true };
}

/**
 * Cumulative block I/O summed over devices, each entry counted by blkioDirection.
 * The array can be null (v2, stopped containers).
 * Windows sends no blkio entries; its `storage_stats` is used then, as the CLI does.
 */
export function blockIoTotals(
  blkio: BlkioStats | undefined,
  storage?: StorageStats,
): BlockIoTotals {
  const entries = isObject(blkio) ? blkio.io_service_bytes_recursive : undefined;
  if (!Array.isArray(entries) || entries.length === 0) {
    return isObject(storage)
      ? { readBytes: toCounter(storage.read_size_bytes), writeBytes: toCounter(storage.write_size_bytes) }
      : { readBytes: 0, writeBytes: 0 };
  }
  let readBytes = 0;
  let writeBytes = 0;
  for (const entry of entries) {
    if (!isObject(entry)) continue;
    const direction = blkioDirection(entry.op);
    if (direction === 'read') readBytes += toCounter(entry.value);
    else if (direction === 'write') writeBytes += toCounter(entry.value);
  }
  return { readBytes: toCounter(readBytes), writeBytes: toCounter(writeBytes) };
}
