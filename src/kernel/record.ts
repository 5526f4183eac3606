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
//
// Files come in two kinds. The `docker stats` figures (CPU time, memory usage and its
// memory.stat, network, block bytes, pids) are read on every pass. The rest change rarely
// (limits) or only matter over minutes (user/system split, throttling on v1, peak, failcnt,
// OOM kills, swap, block operations, PSI, whose avg10 is itself a 10 s average): the
// reader reads those every few passes and keeps their figures between (SlowFigures). A
// pass then costs the kernel 6-7 files per container instead of 18 (measured: the files'
// reads were half of a pass).

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

/** cgroup v1 files read on every pass; absent: the host has no such file. */
export interface V1Fast {
  cpuacctUsage: string;
  memoryUsage: string;
  memoryStat: string;
  /** CFQ's recursive file when it holds entries, else blkio.throttle.io_service_bytes. */
  blkioBytes?: string;
  pidsCurrent?: string;
  netDev?: string;
}

/** cgroup v1 files read every few passes. */
export interface V1Slow {
  memoryLimit: string;
  cpuacctStat?: string;
  cpuStat?: string;
  memoryMaxUsage?: string;
  memoryFailcnt?: string;
  memoryOomControl?: string;
  memswUsage?: string;
  blkioServiced?: string;
  pidsMax?: string;
  cpuPressure?: string;
  memoryPressure?: string;
  ioPressure?: string;
}

export interface V2Fast {
  /** Usage, user/system and throttling all live in cpu.stat: one file, read every pass. */
  cpuStat: string;
  memoryCurrent: string;
  memoryStat: string;
  ioStat?: string;
  pidsCurrent?: string;
  netDev?: string;
}

export interface V2Slow {
  memoryMax: string;
  memoryEvents?: string;
  memoryPeak?: string;
  swapCurrent?: string;
  pidsMax?: string;
  cpuPressure?: string;
  memoryPressure?: string;
  ioPressure?: string;
}

/** The parsed slow files, kept between their reads. */
export interface SlowFigures {
  limitBytes: number;
  /** v1: from cpuacct.stat and cpu.stat; v2 takes these from the fast cpu.stat. */
  userNs: number;
  kernelNs: number;
  throttling: { periods: number; throttledPeriods: number; throttledNs: number };
  /** What the daemon's record carries: v1 max_usage and failcnt, v2 failcnt = OOM events. */
  recordMaxUsage: number | undefined;
  recordFailcnt: number | undefined;
  operations: BlkioEntry[];
  pidsLimit: number | undefined;
  extras: KernelFigures;
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

/** The record's fields other than CPU and memory usage, which each version reads its own way. */
interface RecordParts {
  pidsCurrent: string | undefined;
  blkioBytes: BlkioEntry[];
  cpu: { totalNs: number; kernelNs: number; userNs: number };
  throttling: SlowFigures['throttling'];
  memoryUsage: number;
  memoryStat: Record<string, number>;
  netDev: string | undefined;
}

function engineRecord(parts: RecordParts, slow: SlowFigures, host: HostFacts, readIso: string): StatsRecord {
  const pids: { current?: number; limit?: number } = {};
  if (parts.pidsCurrent !== undefined) pids.current = parseSingleValue(parts.pidsCurrent);
  if (slow.pidsLimit !== undefined) pids.limit = slow.pidsLimit;
  const memory: NonNullable<StatsRecord['memory_stats']> = { usage: parts.memoryUsage };
  // Zeros are left out, as the daemon's omitempty does.
  if (slow.recordMaxUsage !== undefined && slow.recordMaxUsage > 0) memory.max_usage = slow.recordMaxUsage;
  if (slow.recordFailcnt !== undefined && slow.recordFailcnt > 0) memory.failcnt = slow.recordFailcnt;
  memory.limit = host.memTotalBytes > 0 && slow.limitBytes > host.memTotalBytes ? host.memTotalBytes : slow.limitBytes;
  memory.stats = parts.memoryStat;
  const record: StatsRecord = {
    read: readIso,
    preread: '0001-01-01T00:00:00Z',
    os_type: 'linux',
    num_procs: 0,
    pids_stats: pids,
    blkio_stats: { io_service_bytes_recursive: parts.blkioBytes, io_serviced_recursive: slow.operations },
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
    memory_stats: memory,
  };
  const nets = networks(parts.netDev);
  if (nets !== undefined) record.networks = nets;
  return record;
}

/**
 * The slow v1 files. `usageBytes` is memory usage read in the same pass: swap is
 * memsw − usage, both of one moment.
 */
export function parseSlowV1(texts: V1Slow, usageBytes: number): SlowFigures {
  const cpuacct = optional(texts.cpuacctStat, parseKeyedValues);
  const cpuStat = optional(texts.cpuStat, parseKeyedValues);
  const maxUsage = optional(texts.memoryMaxUsage, parseSingleValue);
  const failcnt = optional(texts.memoryFailcnt, parseSingleValue);
  const memsw = optional(texts.memswUsage, parseSingleValue);
  const oomControl = optional(texts.memoryOomControl, parseKeyedValues);
  return {
    limitBytes: parseSingleValue(texts.memoryLimit),
    userNs: (cpuacct?.['user'] ?? 0) * NS_PER_TICK,
    kernelNs: (cpuacct?.['system'] ?? 0) * NS_PER_TICK,
    throttling: {
      periods: cpuStat?.['nr_periods'] ?? 0,
      throttledPeriods: cpuStat?.['nr_throttled'] ?? 0,
      throttledNs: cpuStat?.['throttled_time'] ?? 0,
    },
    recordMaxUsage: maxUsage ?? undefined,
    recordFailcnt: failcnt ?? undefined,
    operations: optional(texts.blkioServiced, parseBlkioV1) ?? [],
    // "max": v1 reports 0 (cgroup1/utils.go), which the daemon then leaves out.
    pidsLimit: finiteOrUndefined(optional(texts.pidsMax, parseSingleValue)),
    extras: {
      oomKills: oomControl?.['oom_kill'] ?? null,
      swapBytes: memsw === null ? null : Math.max(0, memsw - usageBytes),
      failcnt,
      maxUsageBytes: maxUsage,
      pressure: pressures(texts),
    },
  };
}

export function buildRecordV1(texts: V1Fast, slow: SlowFigures, host: HostFacts, readIso: string): KernelReading {
  const record = engineRecord(
    {
      pidsCurrent: texts.pidsCurrent,
      blkioBytes: optional(texts.blkioBytes, parseBlkioV1) ?? [],
      cpu: { totalNs: parseSingleValue(texts.cpuacctUsage), kernelNs: slow.kernelNs, userNs: slow.userNs },
      throttling: slow.throttling,
      memoryUsage: parseSingleValue(texts.memoryUsage),
      memoryStat: parseKeyedValues(texts.memoryStat),
      netDev: texts.netDev,
    },
    slow,
    host,
    readIso,
  );
  return { record, extras: slow.extras };
}

export function parseSlowV2(texts: V2Slow): SlowFigures {
  const events = optional(texts.memoryEvents, parseKeyedValues);
  const peak = optional(texts.memoryPeak, parseSingleValue);
  return {
    limitBytes: parseSingleValue(texts.memoryMax),
    userNs: 0,
    kernelNs: 0,
    throttling: { periods: 0, throttledPeriods: 0, throttledNs: 0 },
    recordMaxUsage: undefined,
    recordFailcnt: events?.['oom'],
    operations: [],
    // "max": the daemon sends MaxUint64 (cgroup2/utils.go); we keep a number JSON can carry exactly.
    pidsLimit: finiteOrUndefined(optional(texts.pidsMax, parseSingleValue), Number.MAX_SAFE_INTEGER),
    extras: {
      oomKills: events?.['oom_kill'] ?? null,
      swapBytes: optional(texts.swapCurrent, parseSingleValue),
      failcnt: events?.['max'] ?? null,
      maxUsageBytes: peak,
      pressure: pressures(texts),
    },
  };
}

export function buildRecordV2(texts: V2Fast, slow: SlowFigures, host: HostFacts, readIso: string): KernelReading {
  const cpuStat = parseKeyedValues(texts.cpuStat);
  const usageUsec = cpuStat['usage_usec'];
  if (usageUsec === undefined) throw new KernelParseError('cpu.stat has no usage_usec');
  const io = optional(texts.ioStat, parseIoStatV2);
  const record = engineRecord(
    {
      pidsCurrent: texts.pidsCurrent,
      blkioBytes: io?.bytes ?? [],
      cpu: {
        totalNs: usageUsec * 1000,
        kernelNs: (cpuStat['system_usec'] ?? 0) * 1000,
        userNs: (cpuStat['user_usec'] ?? 0) * 1000,
      },
      throttling: {
        periods: cpuStat['nr_periods'] ?? 0,
        throttledPeriods: cpuStat['nr_throttled'] ?? 0,
        throttledNs: (cpuStat['throttled_usec'] ?? 0) * 1000,
      },
      memoryUsage: parseSingleValue(texts.memoryCurrent),
      memoryStat: parseKeyedValues(texts.memoryStat),
      netDev: texts.netDev,
    },
    // io.stat carries the operation counts too, read with the bytes.
    io === null ? slow : { ...slow, operations: io.operations },
    host,
    readIso,
  );
  return { record, extras: slow.extras };
}

/** Every interface but loopback, as the daemon lists the sandbox's; undefined: no `networks` key. */
export function networks(netDev: string | undefined): Record<string, NetworkStats> | undefined {
  if (netDev === undefined) return undefined;
  const result: Record<string, NetworkStats> = {};
  for (const [name, counters] of parseNetDev(netDev)) if (name !== 'lo') result[name] = counters;
  return result;
}

function finiteOrUndefined(value: number | null, unlimited?: number): number | undefined {
  if (value === null) return undefined;
  if (Number.isFinite(value)) return value > 0 ? value : undefined;
  return unlimited;
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
