import { describe, expect, it } from 'vitest';
import { hexId, makeInfo, makeSample } from '../../test/helpers/samples.js';
import { DEFAULT_SORT, parseSort, sortRows, sortValue, uptimeSeconds, type RowInput } from './columns.js';

const NOW = 1_800_000_000_000;

function row(seed: string, name: string, cpu: number | null, extra: Partial<RowInput> = {}): RowInput {
  return { info: makeInfo({ id: hexId(seed), name }), latest: makeSample(NOW - 500, { cpuPercent: cpu }), ...extra };
}

describe('sorting', () => {
  it.each([
    [null, null, DEFAULT_SORT],
    ['cpu', null, { column: 'cpu', direction: 'desc' }],
    ['name', null, { column: 'name', direction: 'asc' }],
    ['cpu', 'asc', { column: 'cpu', direction: 'asc' }],
    ['cpu', 'sideways', { column: 'cpu', direction: 'desc' }],
    ['<script>', 'desc', DEFAULT_SORT],
  ])('reads ?sort=%s&dir=%s', (column, direction, expected) => {
    expect(parseSort(column, direction)).toEqual(expected);
  });

  it('orders numbers numerically, unknown values last in both directions, ties by name', () => {
    const rows = [row('a1', 'b', 5), row('a2', 'a', null), row('a3', 'c', 50), row('a4', 'd', 5), row('a5', 'e', 100)];
    const names = (sorted: RowInput[]): string[] => sorted.map((one) => one.info.name);
    expect(names(sortRows(rows, { column: 'cpu', direction: 'desc' }))).toEqual(['e', 'c', 'b', 'd', 'a']);
    expect(names(sortRows(rows, { column: 'cpu', direction: 'asc' }))).toEqual(['b', 'd', 'c', 'e', 'a']);
    expect(names(sortRows(rows, { column: 'name', direction: 'desc' }))).toEqual(['e', 'd', 'c', 'b', 'a']);
  });

  it('sorts by what the cells show: network by current rate, block I/O by total, uptime by start time', () => {
    const fast = row('b1', 'fast', 1);
    const idle = { ...row('b2', 'idle', 1), latest: makeSample(NOW, { networkRxBytesPerSecond: null, networkTxBytesPerSecond: null }) };
    expect(sortValue(fast, 'net')).toBe(150);
    expect(sortValue(idle, 'net')).toBeNull();
    expect(sortValue(fast, 'block')).toBe(4096 + 8192);
    expect(sortValue(fast, 'cpu')).toBe(1);
    expect(sortValue(row('b3', 'x', 1 / 3), 'cpu')).toBe(0.333);
    const started = { ...fast, details: { startedAtMs: NOW - 90_500, restartCount: 0, health: 'none' as const, lastExitOomKilled: false, oomKillsSeen: 0, cpuLimitCores: null, memoryLimitBytes: null, cpuPeriodUs: 100_000, cpuQuotaUs: null, cpuShares: 1024, memoryReservationBytes: null, memorySwapLimitBytes: null, pidsLimit: null, restartPolicy: '' } };
    expect(uptimeSeconds(started, NOW)).toBe(90);
    expect(uptimeSeconds(fast, NOW)).toBeNull();
  });
});
