// Field-by-field comparison of one /containers entry with one `docker stats --no-stream` row.
//
// Tolerances: both sides read the same daemon, but not always the same sample (the CLI
// takes two samples about 1 s apart and shows the second; we read our latest stream sample
// right after the CLI returns), and the CLI rounds what it prints. So:
// - CPU %: within 10 points for the busy loop limited to 0.5 CPU (≈ 50 %; its quota is
//   enforced in 100 ms CFS periods, so one-second windows wobble by a few points), within
//   3 points for idle containers; plus the CLI's 0.005 rounding.
// - memory usage: within max(1 MiB, 5 %) plus the CLI's rounding (4 significant digits):
//   page-cache and allocator noise between two samples.
// - memory limit: exact to the CLI's 4 significant digits (we format ours the same way and
//   compare the strings): the limit does not move.
// - MEM %: within 1 point.
// - network rx/tx: within max(10 kB, 10 %) plus the CLI's rounding (3 significant digits):
//   traffic flows continuously (≈ 150 kB/s here), so a sample apart is a real difference.
// - block I/O: within the CLI's rounding only (3 significant digits): nothing in these
//   containers touches a disk.
// - PIDs: exact.

import { bytesSize } from '../helpers/docker-units.js';
import type { CliStats, ParsedSize } from '../helpers/docker-cli.js';
import type { ContainerEntry } from './containers.js';

export type Field =
  | 'cpu'
  | 'cpu_usage_ns'
  | 'memory_usage_bytes'
  | 'memory_limit_bytes'
  | 'memory'
  | 'network_rx_bytes'
  | 'network_tx_bytes'
  | 'block_read_bytes'
  | 'block_write_bytes'
  | 'pids';

export const FIELDS: readonly Field[] = [
  'cpu',
  'cpu_usage_ns',
  'memory_usage_bytes',
  'memory_limit_bytes',
  'memory',
  'network_rx_bytes',
  'network_tx_bytes',
  'block_read_bytes',
  'block_write_bytes',
  'pids',
];

export interface FieldCheck {
  field: Field;
  ours: number | null;
  cli: number | null;
  /** What the CLI printed for this figure. */
  cliText: string;
  /** ours − CLI; null when either side is missing. */
  diff: number | null;
  /** Largest |diff| accepted. */
  tolerance: number;
  /** Half the step of the CLI's last printed digit: a |diff| this small is invisible in its output. */
  cliRounding: number;
  ok: boolean;
  note?: string;
}

const MiB = 1024 * 1024;
const PERCENT_ROUNDING = 0.005;

function numeric(
  field: Field,
  ours: number | null,
  cli: number | null,
  cliText: string,
  tolerance: number,
  cliRounding: number,
): FieldCheck {
  if (ours === null || cli === null) {
    return { field, ours, cli, cliText, diff: null, tolerance, cliRounding, ok: false, note: 'missing value' };
  }
  const diff = ours - cli;
  // A hair of slack for the floating-point error of value × unit.
  return { field, ours, cli, cliText, diff, tolerance, cliRounding, ok: Math.abs(diff) <= tolerance * (1 + 1e-9) + 1e-9 };
}

function size(field: Field, ours: number | null, cli: ParsedSize, slack: number): FieldCheck {
  return numeric(field, ours, cli.bytes, cli.text, slack + cli.roundingBytes, cli.roundingBytes);
}

export interface CompareOptions {
  /** CPU tolerance in percentage points (10 for the burner, 3 for idle ones). */
  cpuTolerance: number;
  /** A paused container's CPU may be reported as null (no delta) instead of 0. */
  cpuMayBeNull: boolean;
}

export function compareEntry(ours: ContainerEntry, cli: CliStats, options: CompareOptions): FieldCheck[] {
  const cpuOurs = ours.cpu === null && options.cpuMayBeNull ? 0 : ours.cpu;
  const cpu = numeric(
    'cpu',
    cpuOurs,
    cli.cpuPercent,
    cli.raw['CPUPerc'] ?? '',
    options.cpuTolerance + PERCENT_ROUNDING,
    PERCENT_ROUNDING,
  );

  const usageSlack = Math.max(MiB, 0.05 * cli.memoryUsage.bytes);
  const usage = size('memory_usage_bytes', ours.memory_usage_bytes, cli.memoryUsage, usageSlack);

  const limit = size('memory_limit_bytes', ours.memory_limit_bytes, cli.memoryLimit, 0);
  if (ours.memory_limit_bytes !== null) {
    const formatted = bytesSize(ours.memory_limit_bytes);
    limit.ok = formatted === cli.memoryLimit.text;
    limit.note = `ours formatted like the CLI: ${formatted}`;
  }

  const memPercent = numeric(
    'memory',
    ours.memory,
    cli.memoryPercent,
    cli.raw['MemPerc'] ?? '',
    1 + PERCENT_ROUNDING,
    PERCENT_ROUNDING,
  );

  const rx = size('network_rx_bytes', ours.network_rx_bytes, cli.netRx, Math.max(10_000, 0.1 * cli.netRx.bytes));
  const tx = size('network_tx_bytes', ours.network_tx_bytes, cli.netTx, Math.max(10_000, 0.1 * cli.netTx.bytes));
  const blockRead = size('block_read_bytes', ours.block_read_bytes, cli.blockRead, 0);
  const blockWrite = size('block_write_bytes', ours.block_write_bytes, cli.blockWrite, 0);
  const pids = numeric('pids', ours.pids, cli.pids, cli.raw['PIDs'] ?? '', 0, 0);

  return [cpu, usage, limit, memPercent, rx, tx, blockRead, blockWrite, pids];
}

// ---------------------------------------------------------------------------
// The compact table for the console

const PERCENT_FIELDS: ReadonlySet<Field> = new Set(['cpu', 'memory']);

function signed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return value > 0 ? `+${text}` : text === `-${(0).toFixed(digits)}` ? (0).toFixed(digits) : text;
}

/** Bytes with a decimal suffix, signed: +0, -4.1k, +1.23M. */
export function signedBytes(value: number): string {
  const magnitude = Math.abs(value);
  const sign = value > 0 ? '+' : value < 0 ? '-' : '';
  if (magnitude < 1_000) return `${sign}${Math.round(magnitude)}`;
  if (magnitude < 1_000_000) return `${sign}${(magnitude / 1e3).toFixed(1)}k`;
  if (magnitude < 1_000_000_000) return `${sign}${(magnitude / 1e6).toFixed(2)}M`;
  return `${sign}${(magnitude / 1e9).toFixed(2)}G`;
}

export function formatDiff(check: FieldCheck): string {
  if (check.diff === null) return 'n/a';
  const text = PERCENT_FIELDS.has(check.field)
    ? signed(check.diff, 2)
    : check.field === 'pids'
      ? signed(check.diff, 0)
      : signedBytes(check.diff);
  if (!check.ok) return `${text}!`;
  return Math.abs(check.diff) <= check.cliRounding * (1 + 1e-9) ? `${text}*` : text;
}

export function formatTable(rows: ReadonlyArray<{ label: string; checks: readonly FieldCheck[] }>): string {
  const header = ['container', 'cpu%', 'cpu ns', 'mem', 'limit', 'mem%', 'net rx', 'net tx', 'blk r', 'blk w', 'pids'];
  const body = rows.map((row) => [row.label, ...FIELDS.map((field) => {
    const check = row.checks.find((candidate) => candidate.field === field);
    return check === undefined ? '' : formatDiff(check);
  })]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => (cells[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}
