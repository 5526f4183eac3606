// Over 300 lines on purpose: one record's conversion, with the CPU baselines of each
// engine (Docker, Windows, Podman's wall clock) side by side so they can be compared.
//
// One raw stats record (plus the previous sample of the same container) → ContainerSample.
// The formulas live in math.ts; this file decides which baseline they get and turns
// counters into rates. Pure: the only clock is the daemon's `read` timestamp.

import type { CpuStats, MemoryStats, StatsRecord } from '../docker/types.js';
import {
  blockIoTotals,
  calculateCpuPercentLinux,
  calculateCpuPercentWindows,
  cpuTotalUsage,
  isObject,
  memoryPercent,
  memoryUsedBytes,
  networkTotals,
  onlineCpus,
  systemCpuUsage,
  toCounter,
  type NetworkTotals,
} from './math.js';
import { detailCounters } from './counters.js';
import type { ContainerSample, KernelFigures } from './types.js';

/** Windows reports CPU time in 100 ns units (moby api/types/container/stats.go). */
const WINDOWS_CPU_UNIT_NS = 100;

// RFC 3339 as Go's time.Time marshals it: up to 9 fraction digits, `Z` or an offset
// (Podman sends e.g. +08:00). The fraction is kept apart because Date.parse stops at ms,
// and the Windows CPU formula counts 100 ns slots between `preread` and `read`.
const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

interface Instant {
  /** Epoch ms of the whole second. */
  secondMs: number;
  /** Nanoseconds within that second. */
  fractionNs: number;
}

/**
 * Go's zero time (`0001-01-01T00:00:00Z`, Date.parse → -62135596800000) marks a record of
 * a container that is not running; anything at or before the epoch is treated the same.
 */
function parseInstant(text: unknown): Instant | null {
  if (typeof text !== 'string') return null;
  const match = RFC3339.exec(text);
  if (match === null) return null;
  const secondMs = parseSecond(`${match[1] ?? ''}${match[3] ?? ''}`);
  if (!Number.isFinite(secondMs) || secondMs <= 0) return null;
  return { secondMs, fractionNs: Number((match[2] ?? '').padEnd(9, '0')) };
}

/** Date.parse of a whole second, remembered: the records of one pass share a handful. */
let lastSecondText = '';
let lastSecondMs = Number.NaN;
function parseSecond(text: string): number {
  if (text !== lastSecondText) {
    lastSecondText = text;
    lastSecondMs = Date.parse(text);
  }
  return lastSecondMs;
}

function elapsedNs(later: Instant, earlier: Instant): number {
  return (later.secondMs - earlier.secondMs) * 1e6 + (later.fractionNs - earlier.fractionNs);
}

// `os_type` exists only from Docker 29 on; older Windows daemons are recognised by what
// they send: no system_cpu_usage ever, and a non-zero num_procs (Linux sends 0).
function isWindowsRecord(record: StatsRecord): boolean {
  if (record.os_type === 'windows') return true;
  if (record.os_type === 'linux') return false;
  return systemCpuUsage(record.cpu_stats) === 0 && toCounter(record.num_procs) > 0;
}

function linuxCpuPercent(
  record: StatsRecord,
  previous: ContainerSample | undefined,
  sincePreviousNs: number | null,
): number | null {
  // The daemon's precpu is only a real baseline when it carries a system counter; it is
  // zeroed in one-shot responses and in the first record of a stream.
  if (systemCpuUsage(record.precpu_stats) > 0) {
    return calculateCpuPercentLinux(record.cpu_stats, record.precpu_stats);
  }
  if (previous === undefined || sincePreviousNs === null || sincePreviousNs <= 0) return null;
  const base: CpuStats = {
    cpu_usage: { total_usage: previous.cpuUsageNs },
    system_cpu_usage: previous.hostCpuUsageNs,
  };
  return calculateCpuPercentLinux(record.cpu_stats, base);
}

/**
 * How the CPU percent of an Engine API record is taken. `system` (Docker): the container's
 * CPU time over the host's (`system_cpu_usage`) times the CPUs, as `docker stats`. `wall`
 * (Podman): its `system_cpu_usage` is not the host's CPU time (it is the root cgroup's busy
 * time, so Docker's formula reads 66–90% for a container held at 50%), and `podman stats`
 * divides the container's CPU time by the wall time between the two readings instead.
 */
export type CpuClock = 'system' | 'wall';

export interface SampleOptions {
  cpuClock?: CpuClock;
}

/**
 * Podman's formula (test/fixtures/podman/README.md): the change in the container's CPU
 * time over the change in wall time, 100 = one CPU. The record's own precpu and preread
 * when it has them (a stream's records do), else this container's previous sample (a
 * one-shot record's precpu is zeroed and its preread is Go's zero time).
 */
/**
 * A stream's first Podman record has a baseline taken ~17 ms earlier: shorter than one CFS
 * period (100 ms), it reads 68% for a container held at 50%. Below half a second the
 * interval says nothing and the previous sample is used instead.
 */
const MIN_WALL_INTERVAL_NS = 500e6;

function wallClockCpuPercent(
  record: StatsRecord,
  read: Instant,
  previous: ContainerSample | undefined,
  sincePreviousNs: number | null,
): number | null {
  const current = cpuTotalUsage(record.cpu_stats);
  const preread = parseInstant(record.preread);
  const preTotal = cpuTotalUsage(record.precpu_stats);
  if (preread !== null && preTotal > 0) {
    const intervalNs = elapsedNs(read, preread);
    if (intervalNs >= MIN_WALL_INTERVAL_NS && current >= preTotal) return ((current - preTotal) / intervalNs) * 100;
  }
  if (previous === undefined || sincePreviousNs === null || sincePreviousNs < MIN_WALL_INTERVAL_NS || current < previous.cpuUsageNs) return null;
  return ((current - previous.cpuUsageNs) / sincePreviousNs) * 100;
}

function windowsCpuPercent(
  record: StatsRecord,
  read: Instant,
  previous: ContainerSample | undefined,
  sincePreviousNs: number | null,
): number | null {
  const numProcs = toCounter(record.num_procs);
  const preread = parseInstant(record.preread);
  if (preread !== null) {
    return calculateCpuPercentWindows(
      record.cpu_stats,
      record.precpu_stats,
      elapsedNs(read, preread),
      numProcs,
    );
  }
  if (previous === undefined || sincePreviousNs === null || sincePreviousNs <= 0) return null;
  const base: CpuStats = {
    cpu_usage: { total_usage: previous.cpuUsageNs / WINDOWS_CPU_UNIT_NS },
  };
  return calculateCpuPercentWindows(record.cpu_stats, base, sincePreviousNs, numProcs);
}

interface MemoryFigures {
  usedBytes: number;
  rawUsageBytes: number;
  limitBytes: number;
  percent: number;
}

// Windows has no cgroup usage or limit; the CLI shows the private working set alone.
function memoryFigures(memoryStats: MemoryStats | undefined, windows: boolean): MemoryFigures {
  const stats: MemoryStats = isObject(memoryStats) ? memoryStats : {};
  if (windows) {
    const privateBytes = toCounter(stats.privateworkingset);
    return { usedBytes: privateBytes, rawUsageBytes: privateBytes, limitBytes: 0, percent: 0 };
  }
  const usedBytes = memoryUsedBytes(stats);
  const limitBytes = toCounter(stats.limit);
  return {
    usedBytes,
    rawUsageBytes: toCounter(stats.usage),
    limitBytes,
    percent: memoryPercent(usedBytes, limitBytes),
  };
}

interface NetworkRates {
  rx: number | null;
  tx: number | null;
}

// A restart gives the container a new cgroup and network namespace, so every counter
// starts again near 0; the rate over that interval is unknown, not negative. The CPU
// counter is checked too: the new namespace may already have passed the old byte counts.
function networkRates(
  network: NetworkTotals,
  cpuUsageNs: number,
  previous: ContainerSample | undefined,
  sincePreviousNs: number | null,
): NetworkRates {
  const unknown = { rx: null, tx: null };
  if (previous === undefined || sincePreviousNs === null || sincePreviousNs <= 0) return unknown;
  const rxDelta = network.rxBytes - previous.networkRxBytes;
  const txDelta = network.txBytes - previous.networkTxBytes;
  if (!(rxDelta >= 0 && txDelta >= 0 && cpuUsageNs >= previous.cpuUsageNs)) return unknown;
  const seconds = sincePreviousNs / 1e9;
  return { rx: rateOrNull(rxDelta / seconds), tx: rateOrNull(txDelta / seconds) };
}

function rateOrNull(value: number): number | null {
  return Number.isFinite(value) && value >= 0 ? value : null;
}

function sincePrevious(read: Instant, previous: ContainerSample | undefined): number | null {
  if (previous === undefined) return null;
  const earlier = parseInstant(previous.readIso);
  const ns = earlier === null ? (readMsOf(read) - previous.readMs) * 1e6 : elapsedNs(read, earlier);
  return Number.isFinite(ns) ? ns : null;
}

function readMsOf(read: Instant): number {
  return read.secondMs + Math.floor(read.fractionNs / 1e6);
}

/**
 * Turn one `GET /containers/{id}/stats` record into a sample.
 *
 * Returns null when the record describes a container that is not running: the daemon
 * then sends `read` as Go's zero time with `memory_stats: {}` (stopped, restarting, or a
 * `stream=false` call that raced an exit). A missing or unparseable `read` is treated
 * the same way.
 *
 * `previous` is this container's last sample. It is the CPU baseline when the record's
 * own precpu is empty (one-shot polling, first streamed record, the kernel source) and
 * the origin of the network rates; it must be older than the record, else it is ignored.
 *
 * `kernel`: the record was built from the container's cgroup files (kernel/record.ts),
 * which also give these figures; without it the sample's source is the Engine API.
 */
export function toContainerSample(
  record: StatsRecord,
  previous?: ContainerSample,
  kernel?: KernelFigures,
  options: SampleOptions = {},
): ContainerSample | null {
  if (!isObject(record)) return null;
  const read = parseInstant(record.read);
  if (read === null || typeof record.read !== 'string') return null;

  const windows = isWindowsRecord(record);
  const sincePreviousNs = sincePrevious(read, previous);
  const cpuUsage = cpuTotalUsage(record.cpu_stats);
  const cpuUsageNs = toCounter(windows ? cpuUsage * WINDOWS_CPU_UNIT_NS : cpuUsage);
  const memory = memoryFigures(record.memory_stats, windows);
  const network = networkTotals(record.networks);
  const rates = networkRates(network, cpuUsageNs, previous, sincePreviousNs);
  const block = blockIoTotals(record.blkio_stats, record.storage_stats);
  // The operation counts have the byte counts' shape: the same op rule sums them.
  const operations = blockIoTotals({ io_service_bytes_recursive: isObject(record.blkio_stats) ? (record.blkio_stats.io_serviced_recursive ?? null) : null });
  const pidsStats: { current?: number } = isObject(record.pids_stats) ? record.pids_stats : {};

  return {
    source: kernel === undefined ? 'api' : 'cgroup',
    readMs: readMsOf(read),
    readIso: record.read,
    cpuPercent: windows
      ? windowsCpuPercent(record, read, previous, sincePreviousNs)
      : options.cpuClock === 'wall'
        ? wallClockCpuPercent(record, read, previous, sincePreviousNs)
        : linuxCpuPercent(record, previous, sincePreviousNs),
    cpuUsageNs,
    hostCpuUsageNs: systemCpuUsage(record.cpu_stats),
    onlineCpus: windows ? 0 : onlineCpus(record.cpu_stats),
    memoryUsageBytes: memory.usedBytes,
    memoryRawUsageBytes: memory.rawUsageBytes,
    memoryLimitBytes: memory.limitBytes,
    memoryPercent: memory.percent,
    networkRxBytes: network.rxBytes,
    networkTxBytes: network.txBytes,
    networkRxBytesPerSecond: rates.rx,
    networkTxBytesPerSecond: rates.tx,
    hasNetworks: network.present,
    blockReadBytes: block.readBytes,
    blockWriteBytes: block.writeBytes,
    pids: toCounter(pidsStats.current),
    ...detailCounters(record, windows),
    blockReadOps: operations.readBytes,
    blockWriteOps: operations.writeBytes,
    ...(kernel === undefined ? apiMemoryExtras(record.memory_stats, windows) : kernelExtras(kernel)),
  };
}

type Extras = Pick<ContainerSample, 'oomKills' | 'memorySwapBytes' | 'memoryFailcnt' | 'memoryMaxUsageBytes' | 'pressure'>;

/**
 * What the Engine API carries of the kernel's extra figures: on cgroup v1 max_usage and
 * failcnt (omitted when 0); on v2 no max_usage, and a failcnt that counts OOM events.
 */
function apiMemoryExtras(memoryStats: MemoryStats | undefined, windows: boolean): Extras {
  const stats: MemoryStats = isObject(memoryStats) ? memoryStats : {};
  const v1 = !windows && toCounter(stats.max_usage) > 0;
  return {
    oomKills: null,
    memorySwapBytes: null,
    memoryFailcnt: v1 ? toCounter(stats.failcnt) : null,
    memoryMaxUsageBytes: v1 ? toCounter(stats.max_usage) : null,
    pressure: null,
  };
}

function kernelExtras(kernel: KernelFigures): Extras {
  return {
    oomKills: kernel.oomKills,
    memorySwapBytes: kernel.swapBytes,
    memoryFailcnt: kernel.failcnt,
    memoryMaxUsageBytes: kernel.maxUsageBytes,
    pressure: kernel.pressure,
  };
}
