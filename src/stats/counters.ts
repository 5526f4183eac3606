// The detailed counters cAdvisor exports and `docker stats` does not show: CPU time by
// mode, CFS throttling, memory broken into RSS and page cache, network I/O per interface
// and block I/O (bytes and operations) per device. Pure, over raw Engine shapes; every
// value goes through toCounter(), so a missing or garbage field is 0, never NaN.
//
// Provenance of the meanings (which raw key is which cAdvisor figure):
// - google/cadvisor container/libcontainer/handler.go (setCPUStats, setMemoryStats):
//   RSS is `total_rss` on cgroup v1 and `anon` on v2, cache is `total_cache` / `file`;
//   CFS figures are `throttling_data` (nr_periods, nr_throttled, throttled_time in ns).
//   https://github.com/google/cadvisor/blob/master/container/libcontainer/handler.go
// - moby daemon/stats_unix.go / api/types/container/stats.go: the daemon fills
//   usage_in_usermode/usage_in_kernelmode in ns on Linux (v2: user_usec/system_usec × 1000),
//   in 100 ns units on Windows.

import type { BlkioEntry, BlkioStats, CpuStats, MemoryStats, NetworkStats } from '../docker/types.js';
import { blkioDirection, isObject, toCounter } from './math.js';
import type { BlockDeviceCounters, ContainerSample, InterfaceCounters } from './types.js';

/** Windows reports CPU time in 100 ns units (moby api/types/container/stats.go). */
const WINDOWS_CPU_UNIT_NS = 100;

/** The detail fields of a ContainerSample (declared and documented there). */
export type DetailCounters = Pick<
  ContainerSample,
  | 'cpuUserNs'
  | 'cpuSystemNs'
  | 'cpuCfsPeriods'
  | 'cpuCfsThrottledPeriods'
  | 'cpuCfsThrottledNs'
  | 'memoryRssBytes'
  | 'memoryCacheBytes'
  | 'networkInterfaces'
  | 'blockDevices'
>;

/** User- and kernel-mode CPU time in ns; `windows` converts from 100 ns units. */
export function cpuModeTimes(cpuStats: CpuStats | undefined, windows: boolean): { userNs: number; systemNs: number } {
  const usage = isObject(cpuStats) && isObject(cpuStats.cpu_usage) ? cpuStats.cpu_usage : {};
  const unit = windows ? WINDOWS_CPU_UNIT_NS : 1;
  return {
    userNs: toCounter(toCounter(usage.usage_in_usermode) * unit),
    systemNs: toCounter(toCounter(usage.usage_in_kernelmode) * unit),
  };
}

/** CFS bandwidth counters; all 0 for a container without a CPU quota (the kernel counts no periods). */
export function cfsThrottling(cpuStats: CpuStats | undefined): {
  periods: number;
  throttledPeriods: number;
  throttledNs: number;
} {
  const data = isObject(cpuStats) && isObject(cpuStats.throttling_data) ? cpuStats.throttling_data : {};
  return {
    periods: toCounter(data.periods),
    throttledPeriods: toCounter(data.throttled_periods),
    throttledNs: toCounter(data.throttled_time),
  };
}

/** The first of `keys` the stats map holds, as a counter; 0 when none is there. */
function firstKey(stats: Readonly<Record<string, unknown>>, keys: readonly string[]): number {
  for (const key of keys) {
    if (Object.hasOwn(stats, key)) return toCounter(stats[key]);
  }
  return 0;
}

/**
 * RSS and page cache, as cAdvisor reads them: the hierarchical `total_*` keys of cgroup v1
 * (they include child cgroups, as the usage does), else v2's `anon` and `file`, else the
 * non-hierarchical v1 keys. Windows sends no such map: both are 0.
 */
export function memoryBreakdown(memoryStats: MemoryStats | undefined): { rssBytes: number; cacheBytes: number } {
  const stats: Readonly<Record<string, unknown>> =
    isObject(memoryStats) && isObject(memoryStats.stats) ? memoryStats.stats : {};
  return {
    rssBytes: firstKey(stats, ['total_rss', 'anon', 'rss']),
    cacheBytes: firstKey(stats, ['total_cache', 'file', 'cache']),
  };
}

/** One entry per interface, sorted by name so the output order is stable. */
export function interfaceCounters(networks: Record<string, NetworkStats> | undefined): InterfaceCounters[] {
  if (!isObject(networks)) return [];
  const result: InterfaceCounters[] = [];
  for (const [name, iface] of Object.entries(networks)) {
    if (!isObject(iface)) continue;
    result.push({
      name,
      rxBytes: toCounter(iface.rx_bytes),
      rxPackets: toCounter(iface.rx_packets),
      rxErrors: toCounter(iface.rx_errors),
      rxDropped: toCounter(iface.rx_dropped),
      txBytes: toCounter(iface.tx_bytes),
      txPackets: toCounter(iface.tx_packets),
      txErrors: toCounter(iface.tx_errors),
      txDropped: toCounter(iface.tx_dropped),
    });
  }
  return result.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Bytes and operations, read and written, per device (major:minor): bytes from
 * io_service_bytes_recursive, operations from io_serviced_recursive (the same shape),
 * each entry counted by blkioDirection, as blockIoTotals counts them.
 * Sorted by major, then minor. Windows sends no entries.
 */
export function blockDeviceCounters(blkio: BlkioStats | undefined): BlockDeviceCounters[] {
  if (!isObject(blkio)) return [];
  const byDevice = new Map<string, BlockDeviceCounters>();
  addBlkioEntries(byDevice, blkio.io_service_bytes_recursive, 'readBytes', 'writeBytes');
  addBlkioEntries(byDevice, blkio.io_serviced_recursive, 'readOps', 'writeOps');
  return [...byDevice.values()].sort((a, b) => a.major - b.major || a.minor - b.minor);
}

type BlockCounterKey = Exclude<keyof BlockDeviceCounters, 'major' | 'minor'>;

function addBlkioEntries(
  byDevice: Map<string, BlockDeviceCounters>,
  entries: BlkioEntry[] | null | undefined,
  readKey: BlockCounterKey,
  writeKey: BlockCounterKey,
): void {
  if (!Array.isArray(entries)) return;
  for (const entry of entries) {
    if (!isObject(entry)) continue;
    const direction = blkioDirection(entry.op);
    if (direction === null) continue;
    const major = Math.floor(toCounter(entry.major));
    const minor = Math.floor(toCounter(entry.minor));
    const key = `${major}:${minor}`;
    let device = byDevice.get(key);
    if (device === undefined) {
      device = { major, minor, readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0 };
      byDevice.set(key, device);
    }
    const field = direction === 'read' ? readKey : writeKey;
    device[field] = toCounter(device[field] + toCounter(entry.value));
  }
}

/** Every detail counter of one stats record, for ContainerSample. */
export function detailCounters(
  record: {
    cpu_stats?: CpuStats;
    memory_stats?: MemoryStats;
    networks?: Record<string, NetworkStats>;
    blkio_stats?: BlkioStats;
  },
  windows: boolean,
): DetailCounters {
  const cpu = cpuModeTimes(record.cpu_stats, windows);
  const cfs = cfsThrottling(record.cpu_stats);
  const memory = memoryBreakdown(record.memory_stats);
  return {
    cpuUserNs: cpu.userNs,
    cpuSystemNs: cpu.systemNs,
    cpuCfsPeriods: cfs.periods,
    cpuCfsThrottledPeriods: cfs.throttledPeriods,
    cpuCfsThrottledNs: cfs.throttledNs,
    memoryRssBytes: memory.rssBytes,
    memoryCacheBytes: memory.cacheBytes,
    networkInterfaces: interfaceCounters(record.networks),
    blockDevices: blockDeviceCounters(record.blkio_stats),
  };
}
