// Compares the agent with `docker stats --no-stream` over the CLI's own window, so the
// comparison holds on a busy machine. The CLI shows one record (relayed by the recording
// proxy, test/helpers/recording-proxy.ts): its CPU % covers `preread`..`read`, its
// counters are the cgroup's at `read`. The agent's retained history has its own samples,
// each with its cumulative counters and the time it was taken:
// - counters (CPU time, network, block I/O) at `read` must lie between the agent's
//   samples just before and just after that instant, give or take what the counter moves
//   in SLACK_MS (the daemon stamps `read` within milliseconds of reading the cgroup): the
//   same counter read at nearby instants, never a rate set against a reading taken later;
// - CPU % over the CLI's window, from the agent's counter interpolated at `preread` and
//   `read`, within the accuracy tolerance (10 points for the CPU-limited burner, whose
//   quota is enforced in 100 ms periods, 3 for the others);
// - gauges (memory, PIDs) from the agent's sample nearest `read`, within the accuracy
//   tolerance (memory: max(1 MiB, 5 %), memory %: 1 point; limit and PIDs exact).
// For the Engine API source the agent's history holds the very record the CLI read (the
// daemon's collector publishes one sample per tick to every subscriber): `sameRecord` says so.

import {
  blockIoTotals,
  cpuTotalUsage,
  memoryPercent,
  memoryUsedBytes,
  networkTotals,
  toCounter,
} from '../../src/stats/math.js';
import type { StatsRecord } from '../../src/docker/types.js';
import type { CliStats } from '../helpers/docker-cli.js';
import type { Field, FieldCheck } from './compare.js';

/** The daemon stamps `read` this close to reading the cgroup (containerd's task metrics). */
export const SLACK_MS = 25;
const MiB = 1024 * 1024;

/** One sample of /containers/history, with its time in fractional epoch ms. */
export interface HistoryPoint {
  readIso: string;
  readMs: number;
  source: string;
  cpu: number | null;
  cpuUsageSeconds: number;
  memoryUsageBytes: number;
  memoryLimitBytes: number;
  memoryPercent: number;
  networkRxBytes: number;
  networkTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  pids: number;
}

/** RFC 3339 with up to 9 fraction digits → epoch ms, keeping the fraction (µs survive in a double). */
export function isoToMs(iso: string): number {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  if (match === null) throw new Error(`not an RFC 3339 time: ${JSON.stringify(iso)}`);
  return Date.parse(`${match[1]}${match[3]}`) + Number(`0.${match[2] ?? '0'}`) * 1000;
}

export function toHistoryPoints(json: unknown): HistoryPoint[] {
  const samples = (json as { samples?: Record<string, unknown>[] }).samples;
  if (!Array.isArray(samples)) throw new Error(`not a history answer: ${JSON.stringify(json).slice(0, 200)}`);
  return samples.map((sample) => ({
    readIso: String(sample['read']),
    readMs: isoToMs(String(sample['read'])),
    source: String(sample['source']),
    cpu: sample['cpu'] === null ? null : Number(sample['cpu']),
    cpuUsageSeconds: Number(sample['cpu_usage_seconds']),
    memoryUsageBytes: Number(sample['memory_usage_bytes']),
    memoryLimitBytes: Number(sample['memory_limit_bytes']),
    memoryPercent: Number(sample['memory']),
    networkRxBytes: Number(sample['network_rx_bytes']),
    networkTxBytes: Number(sample['network_tx_bytes']),
    blockReadBytes: Number(sample['block_read_bytes']),
    blockWriteBytes: Number(sample['block_write_bytes']),
    pids: Number(sample['pids']),
  }));
}

/** What the CLI's record says, in the agent's units. */
export interface RecordFigures {
  readMs: number;
  prereadMs: number;
  cpuSeconds: number;
  precpuSeconds: number;
  memoryUsageBytes: number;
  memoryLimitBytes: number;
  memoryPercent: number;
  networkRxBytes: number;
  networkTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  pids: number;
}

export function recordFigures(record: StatsRecord): RecordFigures {
  const used = memoryUsedBytes(record.memory_stats);
  const limit = toCounter(record.memory_stats?.limit);
  const network = networkTotals(record.networks);
  const block = blockIoTotals(record.blkio_stats);
  return {
    readMs: isoToMs(record.read ?? ''),
    prereadMs: isoToMs(record.preread ?? ''),
    cpuSeconds: cpuTotalUsage(record.cpu_stats) / 1e9,
    precpuSeconds: cpuTotalUsage(record.precpu_stats) / 1e9,
    memoryUsageBytes: used,
    memoryLimitBytes: limit,
    memoryPercent: memoryPercent(used, limit),
    networkRxBytes: network.rxBytes,
    networkTxBytes: network.txBytes,
    blockReadBytes: block.readBytes,
    blockWriteBytes: block.writeBytes,
    pids: toCounter(record.pids_stats?.current),
  };
}

type Counter = 'cpuUsageSeconds' | 'networkRxBytes' | 'networkTxBytes' | 'blockReadBytes' | 'blockWriteBytes';

/** The agent's samples just before and just after `tMs`, or null when its history does not span it. */
function around(points: readonly HistoryPoint[], tMs: number): [HistoryPoint, HistoryPoint] | null {
  for (let i = 0; i + 1 < points.length; i += 1) {
    const before = points[i] as HistoryPoint;
    const after = points[i + 1] as HistoryPoint;
    if (before.readMs <= tMs && tMs <= after.readMs) return [before, after];
  }
  return null;
}

function interpolate(points: readonly HistoryPoint[], counter: Counter, tMs: number): number | null {
  const pair = around(points, tMs);
  if (pair === null) return null;
  const [before, after] = pair;
  const span = after.readMs - before.readMs;
  return span <= 0 ? before[counter] : before[counter] + ((after[counter] - before[counter]) * (tMs - before.readMs)) / span;
}

function nearest(points: readonly HistoryPoint[], tMs: number): HistoryPoint | null {
  let best: HistoryPoint | null = null;
  for (const point of points) if (best === null || Math.abs(point.readMs - tMs) < Math.abs(best.readMs - tMs)) best = point;
  return best;
}

function check(field: Field, ours: number | null, cli: number, cliText: string, tolerance: number, note?: string): FieldCheck {
  if (ours === null) return { field, ours, cli, cliText, diff: null, tolerance, cliRounding: 0, ok: false, note: note ?? 'no sample of ours around that instant' };
  const diff = ours - cli;
  return { field, ours, cli, cliText, diff, tolerance, cliRounding: 0, ok: Math.abs(diff) <= tolerance * (1 + 1e-9) + 1e-9, ...(note === undefined ? {} : { note }) };
}

/** The counter at `tMs` must lie between the agent's readings around it, ± what it moves in SLACK_MS. */
function bracket(field: Field, points: readonly HistoryPoint[], counter: Counter, value: number, tMs: number, unit: number): FieldCheck {
  const pair = around(points, tMs);
  if (pair === null) return check(field, null, value * unit, String(value), 0);
  const [before, after] = pair;
  const span = after.readMs - before.readMs;
  const slack = span <= 0 ? 0 : ((after[counter] - before[counter]) * SLACK_MS) / span;
  const low = before[counter] - slack;
  const high = after[counter] + slack;
  const ok = value >= low - 1e-9 && value <= high + 1e-9;
  const ours = interpolate(points, counter, tMs);
  return {
    field,
    ours: ours === null ? null : ours * unit,
    cli: value * unit,
    cliText: String(value),
    diff: ours === null ? null : (ours - value) * unit,
    tolerance: (high - low) * unit,
    cliRounding: 0,
    ok,
    note: `the daemon's counter at its read must lie in [${(before[counter] * unit).toFixed(0)}, ${(after[counter] * unit).toFixed(0)}] (our samples ${(tMs - before.readMs).toFixed(0)} ms before and ${(after.readMs - tMs).toFixed(0)} ms after) ± ${(slack * unit).toFixed(0)}`,
  };
}

export interface SameWindowOptions {
  /** CPU tolerance in percentage points (10 for the burner, 3 for idle ones). */
  cpuTolerance: number;
}

export function compareSameWindow(points: readonly HistoryPoint[], cli: CliStats, record: StatsRecord, options: SameWindowOptions): FieldCheck[] {
  const theirs = recordFigures(record);
  const checks: FieldCheck[] = [];
  // CPU % over the CLI's own window, from our counter at both ends.
  const start = interpolate(points, 'cpuUsageSeconds', theirs.prereadMs);
  const end = interpolate(points, 'cpuUsageSeconds', theirs.readMs);
  const windowSeconds = (theirs.readMs - theirs.prereadMs) / 1000;
  const ours = start === null || end === null || windowSeconds <= 0 ? null : ((end - start) / windowSeconds) * 100;
  checks.push(check('cpu', ours, cli.cpuPercent ?? 0, cli.raw['CPUPerc'] ?? '', options.cpuTolerance + 0.005, `over the CLI's window of ${windowSeconds.toFixed(3)} s`));
  // Counters at the CLI's read.
  checks.push(bracket('cpu_usage_ns', points, 'cpuUsageSeconds', theirs.cpuSeconds, theirs.readMs, 1e9));
  checks.push(bracket('network_rx_bytes', points, 'networkRxBytes', theirs.networkRxBytes, theirs.readMs, 1));
  checks.push(bracket('network_tx_bytes', points, 'networkTxBytes', theirs.networkTxBytes, theirs.readMs, 1));
  checks.push(bracket('block_read_bytes', points, 'blockReadBytes', theirs.blockReadBytes, theirs.readMs, 1));
  checks.push(bracket('block_write_bytes', points, 'blockWriteBytes', theirs.blockWriteBytes, theirs.readMs, 1));
  // Gauges from our sample nearest the CLI's read.
  const near = nearest(points, theirs.readMs);
  const usageTolerance = Math.max(MiB, 0.05 * theirs.memoryUsageBytes);
  checks.push(check('memory_usage_bytes', near?.memoryUsageBytes ?? null, theirs.memoryUsageBytes, cli.raw['MemUsage'] ?? '', usageTolerance));
  checks.push(check('memory_limit_bytes', near?.memoryLimitBytes ?? null, theirs.memoryLimitBytes, cli.raw['MemUsage'] ?? '', 0));
  checks.push(check('memory', near?.memoryPercent ?? null, theirs.memoryPercent, cli.raw['MemPerc'] ?? '', 1));
  checks.push(check('pids', near?.pids ?? null, theirs.pids, cli.raw['PIDs'] ?? '', 0));
  return checks;
}

/** The agent's own sample of exactly this record (the Engine API source), or null. */
export function sameRecord(points: readonly HistoryPoint[], record: StatsRecord): HistoryPoint | null {
  return points.find((point) => point.readIso === record.read) ?? null;
}
