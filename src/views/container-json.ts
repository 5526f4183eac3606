// The wire format of /containers entries and of stats log lines. It keeps the
// seed's keys with the seed's meaning (cpu and memory in percent, network_in and
// network_out in KiB) and adds fields whose names carry their units. An entry is also
// kept as JSON text per sample (a fragment): only its age and staleness change from one
// request to the next, and /containers writes just those (issue 16: re-rendering every
// entry for every request cost /containers two thirds of what a bare server answers).

import type { ContainerInfo, ContainerPressure, ContainerSample, StatsSource } from '../stats/types.js';
import { isStale } from './staleness.js';

export interface ContainerJson {
  id: string;
  name: string;
  image: string;
  state: string;
  network_mode: string;
  /** Where the numbers came from: `cgroup` (the kernel's files) or `api` (the Engine API); null before the first sample. */
  source: StatsSource | null;
  /** ISO time the daemon took the sample; null before the first sample. */
  read: string | null;
  /** Seconds between `read` and the moment this answer was built. */
  sample_age_seconds: number | null;
  /** True when there is no sample yet or it is older than 5 s (stream stalled, Docker gone). */
  stale: boolean;
  cpu: number | null;
  online_cpus: number | null;
  memory: number | null;
  memory_usage_bytes: number | null;
  memory_raw_usage_bytes: number | null;
  memory_limit_bytes: number | null;
  network_in: number | null;
  network_out: number | null;
  network_rx_bytes: number | null;
  network_tx_bytes: number | null;
  network_rx_bytes_per_second: number | null;
  network_tx_bytes_per_second: number | null;
  block_read_bytes: number | null;
  block_write_bytes: number | null;
  pids: number | null;
  /** Cumulative CPU time, seconds: for rates over any window. */
  cpu_usage_seconds: number | null;
  /** CFS bandwidth control (containers with a CPU limit): periods elapsed and throttled, time throttled. */
  cpu_periods: number | null;
  cpu_throttled_periods: number | null;
  cpu_throttled_seconds: number | null;
  block_read_ops: number | null;
  block_write_ops: number | null;
  /** OOM kills the kernel counted in this cgroup; null from the Engine API. */
  oom_kills: number | null;
  memory_swap_bytes: number | null;
  /** Times the usage hit the limit (cgroup v1 failcnt, v2 memory.events max). */
  memory_failcnt: number | null;
  memory_max_usage_bytes: number | null;
  /** Pressure stall information over the last 10 s (cgroup v2 and hybrid hosts): percent of time some / all tasks waited. */
  pressure_avg10_percent: PressureJson | null;
}

export interface PressureJson {
  cpu_some: number | null;
  cpu_full: number | null;
  memory_some: number | null;
  memory_full: number | null;
  io_some: number | null;
  io_full: number | null;
}

export function toPressureJson(pressure: ContainerPressure | null): PressureJson | null {
  if (pressure === null) return null;
  return {
    cpu_some: pressure.cpu?.some.avg10 ?? null,
    cpu_full: pressure.cpu?.full?.avg10 ?? null,
    memory_some: pressure.memory?.some.avg10 ?? null,
    memory_full: pressure.memory?.full?.avg10 ?? null,
    io_some: pressure.io?.some.avg10 ?? null,
    io_full: pressure.io?.full?.avg10 ?? null,
  };
}

export function toContainerJson(
  view: { info: Readonly<ContainerInfo>; latest: ContainerSample | null },
  nowMs: number,
): ContainerJson {
  const { info, latest: sample } = view;
  return {
    id: info.id,
    name: info.name,
    image: info.image,
    state: info.state,
    network_mode: info.networkMode,
    source: sample?.source ?? null,
    read: sample?.readIso ?? null,
    sample_age_seconds: sample ? sampleAgeSeconds(sample.readMs, nowMs) : null,
    stale: isStale(sample?.readMs ?? null, nowMs),
    cpu: sample?.cpuPercent ?? null,
    online_cpus: sample ? sample.onlineCpus : null,
    memory: sample?.memoryPercent ?? null,
    memory_usage_bytes: sample?.memoryUsageBytes ?? null,
    memory_raw_usage_bytes: sample?.memoryRawUsageBytes ?? null,
    memory_limit_bytes: sample?.memoryLimitBytes ?? null,
    network_in: sample ? sample.networkRxBytes / 1024 : null,
    network_out: sample ? sample.networkTxBytes / 1024 : null,
    network_rx_bytes: sample?.networkRxBytes ?? null,
    network_tx_bytes: sample?.networkTxBytes ?? null,
    network_rx_bytes_per_second: sample?.networkRxBytesPerSecond ?? null,
    network_tx_bytes_per_second: sample?.networkTxBytesPerSecond ?? null,
    block_read_bytes: sample?.blockReadBytes ?? null,
    block_write_bytes: sample?.blockWriteBytes ?? null,
    pids: sample?.pids ?? null,
    cpu_usage_seconds: sample ? sample.cpuUsageNs / 1e9 : null,
    cpu_periods: sample?.cpuCfsPeriods ?? null,
    cpu_throttled_periods: sample?.cpuCfsThrottledPeriods ?? null,
    cpu_throttled_seconds: sample ? sample.cpuCfsThrottledNs / 1e9 : null,
    block_read_ops: sample?.blockReadOps ?? null,
    block_write_ops: sample?.blockWriteOps ?? null,
    oom_kills: sample?.oomKills ?? null,
    memory_swap_bytes: sample?.memorySwapBytes ?? null,
    memory_failcnt: sample?.memoryFailcnt ?? null,
    memory_max_usage_bytes: sample?.memoryMaxUsageBytes ?? null,
    pressure_avg10_percent: toPressureJson(sample?.pressure ?? null),
  };
}

/** Seconds from a sample's `read` to `nowMs`, to the millisecond; never negative (the daemon's clock may run ahead). */
export function sampleAgeSeconds(readMs: number, nowMs: number): number {
  return Math.max(0, Math.round(nowMs - readMs) / 1000);
}

/** A stats log line (stats.jsonl, before its `time`): the /containers entry without its age, which is the reader's. */
export function toStatsLogRecord(
  view: { info: Readonly<ContainerInfo>; latest: ContainerSample | null },
  atMs: number,
): Omit<ContainerJson, 'sample_age_seconds'> {
  const { sample_age_seconds: _age, ...record } = toContainerJson(view, atMs);
  return record;
}

/**
 * A /containers entry as JSON text, less what depends on the moment of the request:
 * `head` ends before `sample_age_seconds`, `tail` starts after `stale` (the two follow
 * each other in ContainerJson).
 */
export interface ContainerJsonFragment {
  readonly head: string;
  readonly tail: string;
  readonly readMs: number | null;
}

/** `extra` fields (the lifecycle ones of ?all=1) follow the entry's own, as a spread would put them. */
export function toContainerJsonFragment(
  view: { info: Readonly<ContainerInfo>; latest: ContainerSample | null },
  extra: Readonly<Record<string, unknown>> = {},
): ContainerJsonFragment {
  const fields = Object.entries({ ...toContainerJson(view, 0), ...extra });
  const at = fields.findIndex(([key]) => key === 'sample_age_seconds');
  if (fields[at + 1]?.[0] !== 'stale') throw new Error('ContainerJson must have stale right after sample_age_seconds');
  const head = JSON.stringify(Object.fromEntries(fields.slice(0, at)));
  const tail = JSON.stringify(Object.fromEntries(fields.slice(at + 2)));
  return { head: `${head.slice(0, -1)},`, tail: `,${tail.slice(1)}`, readMs: view.latest?.readMs ?? null };
}

/** What goes between a fragment's head and tail at `nowMs`: its two time-dependent fields, ASCII only. */
export function timeFieldsText(readMs: number | null, nowMs: number): string {
  const age = readMs === null ? 'null' : String(sampleAgeSeconds(readMs, nowMs));
  return `"sample_age_seconds":${age},"stale":${String(isStale(readMs, nowMs))}`;
}

/** The fragment's entry at `nowMs`: the same text as JSON.stringify of toContainerJson(view, nowMs) (with its extra). */
export function containerJsonText(fragment: ContainerJsonFragment, nowMs: number): string {
  return `${fragment.head}${timeFieldsText(fragment.readMs, nowMs)}${fragment.tail}`;
}
