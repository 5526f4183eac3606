// Another host's container as a table row: its /containers entry (as a peer agent sent
// it) turned back into what the table renders, so a peer's row looks and sorts like a
// local one. Every value is read by type: a field that is not a number is shown as
// unknown, a string is escaped where it is written. A peer can send wrong numbers, not
// markup.

import type { ContainerSample, ContainerState, StatsSource } from '../stats/types.js';
import type { RowInput } from './columns.js';

const STATES: ReadonlySet<string> = new Set(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']);

function numberOf(entry: Readonly<Record<string, unknown>>, key: string): number | null {
  const value = entry[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function textOf(entry: Readonly<Record<string, unknown>>, key: string, fallback: string): string {
  const value = entry[key];
  return typeof value === 'string' ? value.slice(0, 512) : fallback;
}

/**
 * `entry` is a /containers?hosts=all entry of a peer: its ages already moved on to
 * `nowMs` (peers/host-entries.ts), so the sample's time is `nowMs` less that age.
 */
export function peerRowInput(id: string, entry: Readonly<Record<string, unknown>>, host: string, remote: NonNullable<RowInput['remote']>, nowMs: number): RowInput {
  const stateText = textOf(entry, 'state', 'running');
  const age = numberOf(entry, 'sample_age_seconds');
  const readIso = textOf(entry, 'read', '');
  const info = {
    id,
    name: textOf(entry, 'name', id.slice(0, 12)),
    image: textOf(entry, 'image', ''),
    state: (STATES.has(stateText) ? stateText : 'running') as ContainerState,
    networkMode: textOf(entry, 'network_mode', ''),
    createdSeconds: 0,
    labels: {},
  };
  const base = { info, host, remote };
  if (age === null || readIso === '') return { ...base, latest: null };
  const rx = numberOf(entry, 'network_rx_bytes');
  const tx = numberOf(entry, 'network_tx_bytes');
  const source = textOf(entry, 'source', 'api');
  const latest: ContainerSample = {
    source: (source === 'cgroup' ? 'cgroup' : 'api') as StatsSource,
    readMs: nowMs - age * 1000,
    readIso,
    cpuPercent: numberOf(entry, 'cpu'),
    cpuUsageNs: (numberOf(entry, 'cpu_usage_seconds') ?? 0) * 1e9,
    hostCpuUsageNs: 0,
    onlineCpus: numberOf(entry, 'online_cpus') ?? 0,
    memoryUsageBytes: numberOf(entry, 'memory_usage_bytes') ?? 0,
    memoryRawUsageBytes: numberOf(entry, 'memory_raw_usage_bytes') ?? 0,
    memoryLimitBytes: numberOf(entry, 'memory_limit_bytes') ?? 0,
    memoryPercent: numberOf(entry, 'memory') ?? 0,
    networkRxBytes: rx ?? 0,
    networkTxBytes: tx ?? 0,
    networkRxBytesPerSecond: numberOf(entry, 'network_rx_bytes_per_second'),
    networkTxBytesPerSecond: numberOf(entry, 'network_tx_bytes_per_second'),
    hasNetworks: rx !== null && tx !== null,
    blockReadBytes: numberOf(entry, 'block_read_bytes') ?? 0,
    blockWriteBytes: numberOf(entry, 'block_write_bytes') ?? 0,
    pids: numberOf(entry, 'pids') ?? 0,
    cpuUserNs: 0,
    cpuSystemNs: 0,
    cpuCfsPeriods: numberOf(entry, 'cpu_periods') ?? 0,
    cpuCfsThrottledPeriods: numberOf(entry, 'cpu_throttled_periods') ?? 0,
    cpuCfsThrottledNs: (numberOf(entry, 'cpu_throttled_seconds') ?? 0) * 1e9,
    memoryRssBytes: 0,
    memoryCacheBytes: 0,
    networkInterfaces: [],
    blockDevices: [],
    blockReadOps: numberOf(entry, 'block_read_ops') ?? 0,
    blockWriteOps: numberOf(entry, 'block_write_ops') ?? 0,
    oomKills: numberOf(entry, 'oom_kills'),
    memorySwapBytes: numberOf(entry, 'memory_swap_bytes'),
    memoryFailcnt: numberOf(entry, 'memory_failcnt'),
    memoryMaxUsageBytes: numberOf(entry, 'memory_max_usage_bytes'),
    pressure: null,
  };
  return { ...base, latest };
}
