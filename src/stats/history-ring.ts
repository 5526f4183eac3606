// The retained history of one container, column by column in one Float64Array.
// An object per sample cost 334 B (a header, a boxed double per field, the time
// string; measured over 150,000 samples); a row here is 16 doubles and a byte for the
// source, 129 B, and the table's sparklines read the columns in place instead of
// copying 300 objects per row per request. Docker's time string is kept as its nanoseconds and rebuilt
// exactly; one the rebuild would not reproduce is kept as it came. Capacity is
// allocated as the history fills (doubling), so a container that lives ten seconds
// never holds room for five minutes.

import type { HistoryField, HistorySample, HistorySeries, StatsSource } from './types.js';

/** The numeric fields of a HistorySample, in storage order. */
export const HISTORY_FIELDS = [
  'readMs',
  'cpuPercent',
  'cpuUsageNs',
  'onlineCpus',
  'memoryUsageBytes',
  'memoryRawUsageBytes',
  'memoryLimitBytes',
  'memoryPercent',
  'networkRxBytes',
  'networkTxBytes',
  'networkRxBytesPerSecond',
  'networkTxBytesPerSecond',
  'blockReadBytes',
  'blockWriteBytes',
  'pids',
] as const satisfies readonly HistoryField[];

export interface HistoryRing extends HistorySeries {
  /** Appends a sample (a full ContainerSample will do); past capacity the oldest goes. */
  push(sample: HistorySample): void;
  readonly capacity: number;
}

/** Storage: the fields, then the nanoseconds within the second of `read` (NaN: see oddTimes). */
const NANOS = HISTORY_FIELDS.length;
const WIDTH = NANOS + 1;
const OFFSET: Readonly<Record<HistoryField, number>> = Object.fromEntries(
  HISTORY_FIELDS.map((field, index) => [field, index]),
) as Record<HistoryField, number>;
const FIRST_ROWS = 16;

/** `read` as Go's RFC3339Nano prints a UTC time: seconds, then up to 9 digits, zeros trimmed. */
const UTC_NANO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(\d{1,9}))?Z$/;

function wholeSecondsIso(readMs: number): string {
  return new Date(Math.floor(readMs / 1000) * 1000).toISOString().slice(0, 19);
}

/** The nanoseconds of `iso` when rebuildTime(readMs, them) gives `iso` back, else null. */
function nanosOf(iso: string, readMs: number): number | null {
  const match = UTC_NANO.exec(iso);
  if (match === null || !iso.startsWith(wholeSecondsIso(readMs))) return null;
  const digits = match[1] ?? '';
  // Go trims trailing zeros; a string that kept them would not come back the same.
  if (digits.endsWith('0')) return null;
  return digits === '' ? 0 : Number(digits.padEnd(9, '0'));
}

function rebuildTime(readMs: number, nanos: number): string {
  const fraction = nanos === 0 ? '' : `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`;
  return `${wholeSecondsIso(readMs)}${fraction}Z`;
}

export function createHistoryRing(capacity: number): HistoryRing {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`history capacity must be >= 1, got ${capacity}`);
  let values = new Float64Array(0);
  /** Where each row's numbers came from, a byte a row (SOURCE_CODES). */
  let sources = new Uint8Array(0);
  /** Time strings the nanoseconds cannot rebuild (another zone, say), by row. */
  const oddTimes = new Map<number, string>();
  let rows = 0;
  /** Where the next sample goes; until the ring is full, rows are 0..size-1 in order. */
  let next = 0;
  let size = 0;

  function grow(): void {
    rows = Math.min(capacity, Math.max(FIRST_ROWS, rows * 2));
    const grown = new Float64Array(rows * WIDTH);
    grown.set(values);
    values = grown;
    const grownSources = new Uint8Array(rows);
    grownSources.set(sources);
    sources = grownSources;
  }

  function rowOf(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`no sample ${index} in a history of ${size}`);
    return size < capacity ? index : (next + index) % capacity;
  }

  function read(row: number, field: HistoryField): number | null {
    const value = values[row * WIDTH + OFFSET[field]] ?? Number.NaN;
    // NaN stands for null: a sample's numbers are never NaN (types.ts).
    return Number.isNaN(value) ? null : value;
  }

  function sourceOf(row: number): StatsSource {
    return sources[row] === 1 ? 'cgroup' : 'api';
  }

  function timeOf(row: number): string {
    const nanos = values[row * WIDTH + NANOS] ?? Number.NaN;
    return Number.isNaN(nanos) ? (oddTimes.get(row) ?? '') : rebuildTime(values[row * WIDTH] ?? 0, nanos);
  }

  return {
    capacity,
    get length() {
      return size;
    },
    push(sample) {
      if (size < capacity && size === rows) grow();
      const base = next * WIDTH;
      for (let i = 0; i < WIDTH; i += 1) {
        const field = HISTORY_FIELDS[i] as HistoryField;
        values[base + i] = sample[field] ?? Number.NaN;
      }
      sources[next] = sample.source === 'cgroup' ? 1 : 0;
      const nanos = nanosOf(sample.readIso, sample.readMs);
      values[base + NANOS] = nanos ?? Number.NaN;
      if (nanos === null) oddTimes.set(next, sample.readIso);
      else oddTimes.delete(next);
      next = (next + 1) % capacity;
      if (size < capacity) size += 1;
    },
    valueAt(field, index) {
      return read(rowOf(index), field);
    },
    sourceAt(index) {
      return sourceOf(rowOf(index));
    },
    toSamples() {
      const samples: HistorySample[] = [];
      for (let index = 0; index < size; index += 1) {
        const row = rowOf(index);
        const number = (field: HistoryField): number => read(row, field) ?? 0;
        samples.push({
          source: sourceOf(row),
          readMs: number('readMs'),
          readIso: timeOf(row),
          cpuPercent: read(row, 'cpuPercent'),
          cpuUsageNs: number('cpuUsageNs'),
          onlineCpus: number('onlineCpus'),
          memoryUsageBytes: number('memoryUsageBytes'),
          memoryRawUsageBytes: number('memoryRawUsageBytes'),
          memoryLimitBytes: number('memoryLimitBytes'),
          memoryPercent: number('memoryPercent'),
          networkRxBytes: number('networkRxBytes'),
          networkTxBytes: number('networkTxBytes'),
          networkRxBytesPerSecond: read(row, 'networkRxBytesPerSecond'),
          networkTxBytesPerSecond: read(row, 'networkTxBytesPerSecond'),
          blockReadBytes: number('blockReadBytes'),
          blockWriteBytes: number('blockWriteBytes'),
          pids: number('pids'),
        });
      }
      return samples;
    },
  };
}
