// One container's kernel files → the stats record the daemon would have sent for them,
// so the same `docker stats` arithmetic (stats/sample.ts) serves both sources and the
// numbers cannot drift apart. Plus what the kernel gives and the Engine API does not:
// OOM kills, swap, and pressure (PSI).
//
// Field for field, as moby builds the record (daemon/stats_unix.go, statsV1 and statsV2)
// from containerd/cgroups' readings:
// - v1: total_usage = cpuacct.usage; user/kernel mode = cpuacct.stat ticks × 1e9 / 100;
//   throttling from cpu.stat; memory usage, max_usage, failcnt, limit from memory.*; the
//   stats map is memory.stat; blkio from the CFQ files when they hold entries, else from
//   blkio.throttle.io_service_bytes and io_serviced (cgroup1/blkio.go); pids.current.
// - v2: total_usage = cpu.stat usage_usec × 1000 (and user_usec, system_usec); throttled
//   time throttled_usec × 1000; usage = memory.current, limit = memory.max, stats =
//   memory.stat, failcnt = memory.events `oom`; io.stat as `read`/`write` entries.
// - both: the limit is capped at the host's RAM (moby: "if the container does not set
//   memory limit, use the machineMemory"); system_cpu_usage and online_cpus from
//   /proc/stat; networks from /proc/<pid>/net/dev without `lo` (the daemon lists the
//   sandbox's interfaces, never loopback), absent for --network host and none.

import type { BlkioEntry, NetworkStats, StatsRecord } from '../docker/types.js';
import type { ContainerPressure, KernelFigures } from '../stats/types.js';
import {
  CLOCK_TICKS_PER_SECOND,
  KernelParseError,
  parseBlkioV1,
  parseIoStatV2,
  parseKeyedValues,
  parseNetDev,
  parsePressure,
  parseSingleValue,
  type HostCpu,
} from './parse.js';

/** The text of each file read for one container this tick; absent when the host lacks it. */
export interface V1Texts {
  cpuacctUsage: string;
  cpuacctStat?: string;
  cpuStat?: string;
  memoryUsage: string;
  memoryLimit: string;
  memoryStat: string;
  memoryMaxUsage?: string;
  memoryFailcnt?: string;
  memoryOomControl?: string;
  memswUsage?: string;
  /** CFQ's recursive files, when the kernel has them and they hold entries. */
  blkioBytes?: string;
  blkioServiced?: string;
  pidsCurrent?: string;
  pidsMax?: string;
  cpuPressure?: string;
  memoryPressure?: string;
  ioPressure?: string;
  netDev?: string;
}

export interface V2Texts {
  cpuStat: string;
  memoryCurrent: string;
  memoryMax: string;
  memoryStat: string;
  memoryEvents?: string;
  memoryPeak?: string;
  swapCurrent?: string;
  ioStat?: string;
  pidsCurrent?: string;
  pidsMax?: string;
  cpuPressure?: string;
  memoryPressure?: string;
  ioPressure?: string;
  netDev?: string;
}

export interface HostFacts extends HostCpu {
  /** MemTotal, bytes. */
  memTotalBytes: number;
}

export interface KernelReading {
  record: StatsRecord;
  extras: KernelFigures;
}

const NS_PER_TICK = 1e9 / CLOCK_TICKS_PER_SECOND;

/** What differs between v1 and v2; engineRecord() puts it in the daemon's shape. */
interface RecordParts {
  pids: { current?: number; limit?: number };
  blkio: { bytes: BlkioEntry[]; operations: BlkioEntry[] };
  cpu: { totalNs: number; kernelNs: number; userNs: number };
  throttling: { periods: number; throttledPeriods: number; throttledNs: number };
  memory: { usage: number; limit: number; maxUsage?: number; failcnt?: number; stats: Map<string, number> };
  netDev: string | undefined;
}

function engineRecord(parts: RecordParts, host: HostFacts, readIso: string): StatsRecord {
  const { memory } = parts;
  return {
    read: readIso,
    preread: '0001-01-01T00:00:00Z',
    os_type: 'linux',
    num_procs: 0,
    pids_stats: parts.pids,
    blkio_stats: { io_service_bytes_recursive: parts.blkio.bytes, io_serviced_recursive: parts.blkio.operations },
    cpu_stats: {
      cpu_usage: { total_usage: parts.cpu.totalNs, usage_in_kernelmode: parts.cpu.kernelNs, usage_in_usermode: parts.cpu.userNs },
      system_cpu_usage: host.systemCpuNs,
      online_cpus: host.onlineCpus,
      throttling_data: {
        periods: parts.throttling.periods,
        throttled_periods: parts.throttling.throttledPeriods,
        throttled_time: parts.throttling.throttledNs,
      },
    },
    precpu_stats: {},
    memory_stats: {
      usage: memory.usage,
      // Zeros are left out, as the daemon's omitempty does.
      ...(memory.maxUsage === undefined || memory.maxUsage === 0 ? {} : { max_usage: memory.maxUsage }),
      ...(memory.failcnt === undefined || memory.failcnt === 0 ? {} : { failcnt: memory.failcnt }),
      limit: host.memTotalBytes > 0 && memory.limit > host.memTotalBytes ? host.memTotalBytes : memory.limit,
      stats: Object.fromEntries(memory.stats),
    },
    ...networks(parts.netDev),
  };
}

export function buildRecordV1(texts: V1Texts, host: HostFacts, readIso: string): KernelReading {
  const cpuacct = optional(texts.cpuacctStat, parseKeyedValues);
  const cpuStat = optional(texts.cpuStat, parseKeyedValues);
  const usage = parseSingleValue(texts.memoryUsage);
  const maxUsage = optional(texts.memoryMaxUsage, parseSingleValue);
  const failcnt = optional(texts.memoryFailcnt, parseSingleValue);
  const memsw = optional(texts.memswUsage, parseSingleValue);
  const oomControl = optional(texts.memoryOomControl, parseKeyedValues);
  const record = engineRecord(
    {
      pids: pidsStats(texts.pidsCurrent, texts.pidsMax, 0),
      blkio: {
        bytes: optional(texts.blkioBytes, parseBlkioV1) ?? [],
        operations: optional(texts.blkioServiced, parseBlkioV1) ?? [],
      },
      cpu: {
        totalNs: parseSingleValue(texts.cpuacctUsage),
        kernelNs: (cpuacct?.get('system') ?? 0) * NS_PER_TICK,
        userNs: (cpuacct?.get('user') ?? 0) * NS_PER_TICK,
      },
      throttling: {
        periods: cpuStat?.get('nr_periods') ?? 0,
        throttledPeriods: cpuStat?.get('nr_throttled') ?? 0,
        throttledNs: cpuStat?.get('throttled_time') ?? 0,
      },
      memory: {
        usage,
        limit: parseSingleValue(texts.memoryLimit),
        ...(maxUsage === null ? {} : { maxUsage }),
        ...(failcnt === null ? {} : { failcnt }),
        stats: parseKeyedValues(texts.memoryStat),
      },
      netDev: texts.netDev,
    },
    host,
    readIso,
  );
  return {
    record,
    extras: {
      oomKills: oomControl?.get('oom_kill') ?? null,
      swapBytes: memsw === null ? null : Math.max(0, memsw - usage),
      failcnt,
      maxUsageBytes: maxUsage,
      pressure: pressures(texts),
    },
  };
}

export function buildRecordV2(texts: V2Texts, host: HostFacts, readIso: string): KernelReading {
  const cpuStat = parseKeyedValues(texts.cpuStat);
  const usageUsec = cpuStat.get('usage_usec');
  if (usageUsec === undefined) throw new KernelParseError('cpu.stat has no usage_usec');
  const events = optional(texts.memoryEvents, parseKeyedValues);
  const oom = events?.get('oom');
  const io = optional(texts.ioStat, parseIoStatV2);
  const record = engineRecord(
    {
      pids: pidsStats(texts.pidsCurrent, texts.pidsMax, Number.MAX_SAFE_INTEGER),
      blkio: { bytes: io?.bytes ?? [], operations: io?.operations ?? [] },
      cpu: {
        totalNs: usageUsec * 1000,
        kernelNs: (cpuStat.get('system_usec') ?? 0) * 1000,
        userNs: (cpuStat.get('user_usec') ?? 0) * 1000,
      },
      throttling: {
        periods: cpuStat.get('nr_periods') ?? 0,
        throttledPeriods: cpuStat.get('nr_throttled') ?? 0,
        throttledNs: (cpuStat.get('throttled_usec') ?? 0) * 1000,
      },
      memory: {
        usage: parseSingleValue(texts.memoryCurrent),
        limit: parseSingleValue(texts.memoryMax),
        ...(oom === undefined ? {} : { failcnt: oom }),
        stats: parseKeyedValues(texts.memoryStat),
      },
      netDev: texts.netDev,
    },
    host,
    readIso,
  );
  return {
    record,
    extras: {
      oomKills: events?.get('oom_kill') ?? null,
      swapBytes: optional(texts.swapCurrent, parseSingleValue),
      failcnt: events?.get('max') ?? null,
      maxUsageBytes: optional(texts.memoryPeak, parseSingleValue),
      pressure: pressures(texts),
    },
  };
}

/** Every interface but loopback, as the daemon lists the sandbox's; undefined: no `networks` key. */
export function networks(netDev: string | undefined): { networks?: Record<string, NetworkStats> } {
  if (netDev === undefined) return {};
  const result: Record<string, NetworkStats> = {};
  for (const [name, counters] of parseNetDev(netDev)) if (name !== 'lo') result[name] = counters;
  return { networks: result };
}

function pidsStats(current: string | undefined, max: string | undefined, unlimited: number): { current?: number; limit?: number } {
  const stats: { current?: number; limit?: number } = {};
  if (current !== undefined) stats.current = parseSingleValue(current);
  if (max !== undefined) {
    // "max": v1 reports 0 (cgroup1/utils.go), v2 MaxUint64 (cgroup2/utils.go); we keep a
    // number JSON can carry exactly.
    const parsed = parseSingleValue(max);
    const limit = Number.isFinite(parsed) ? parsed : unlimited;
    // The daemon leaves a 0 out (omitempty).
    if (limit > 0) stats.limit = limit;
  }
  return stats;
}

function pressures(texts: { cpuPressure?: string; memoryPressure?: string; ioPressure?: string }): ContainerPressure | null {
  const cpu = optional(texts.cpuPressure, parsePressure);
  const memory = optional(texts.memoryPressure, parsePressure);
  const io = optional(texts.ioPressure, parsePressure);
  return cpu === null && memory === null && io === null ? null : { cpu, memory, io };
}

function optional<T>(text: string | undefined, parse: (text: string) => T): T | null {
  return text === undefined ? null : parse(text);
}
