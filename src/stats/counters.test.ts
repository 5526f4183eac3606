import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BlkioStats, MemoryStats, StatsRecord } from '../docker/types.js';
import {
  blockDeviceCounters,
  cfsThrottling,
  cpuModeTimes,
  detailCounters,
  interfaceCounters,
  memoryBreakdown,
} from './counters.js';
import { toContainerSample } from './sample.js';

const FIXTURES = new URL('../../test/fixtures/docker/', import.meta.url);

function firstRecord(path: string): StatsRecord {
  const line = readFileSync(new URL(path, FIXTURES), 'utf8').split('\n')[0] ?? '';
  return JSON.parse(line) as StatsRecord;
}

/** Every number in a DetailCounters, flattened, to check none is NaN or negative. */
function allNumbers(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.flatMap(allNumbers);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(allNumbers);
  return [];
}

describe('detailCounters on recorded cgroup v1 records', () => {
  it('the --cpus 0.5 burner: user/system ns and CFS throttling as the daemon sent them', () => {
    const record = firstRecord('cgroup-v1/stats-stream-burner.ndjson');
    expect(detailCounters(record, false)).toMatchObject({
      cpuUserNs: 16750000000,
      cpuSystemNs: 10000000,
      cpuCfsPeriods: 335,
      cpuCfsThrottledPeriods: 334,
      cpuCfsThrottledNs: 16602532561,
      memoryRssBytes: 65536,
      memoryCacheBytes: 0,
      networkInterfaces: [
        { name: 'eth0', rxBytes: 726, rxPackets: 9, rxErrors: 0, rxDropped: 0, txBytes: 0, txPackets: 0, txErrors: 0, txDropped: 0 },
      ],
      blockDevices: [],
    });
  });

  it('a file-cache container: page cache from total_cache, RSS from total_rss', () => {
    const record = firstRecord('cgroup-v1/stats-stream-file-cache.ndjson');
    expect(memoryBreakdown(record.memory_stats)).toEqual({ rssBytes: 49152, cacheBytes: 41947136 });
  });

  it('--network none: no interfaces; no quota: CFS counters 0', () => {
    const record = firstRecord('cgroup-v1/stats-stream-network-none.ndjson');
    const detail = detailCounters(record, false);
    expect(detail.networkInterfaces).toEqual([]);
    expect([detail.cpuCfsPeriods, detail.cpuCfsThrottledPeriods, detail.cpuCfsThrottledNs]).toEqual([0, 0, 0]);
  });

  it('a stopped container record (memory_stats {}) gives zeros and empty lists', () => {
    const record = firstRecord('cgroup-v1/stats-stream-stopped.ndjson');
    const detail = detailCounters(record, false);
    expect(detail.memoryRssBytes).toBe(0);
    expect(detail.networkInterfaces).toEqual([]);
    expect(detail.blockDevices).toEqual([]);
  });

  it('reaches ContainerSample through toContainerSample', () => {
    const sample = toContainerSample(firstRecord('cgroup-v1/stats-stream-burner.ndjson'));
    expect(sample).toMatchObject({ cpuUserNs: 16750000000, cpuCfsPeriods: 335, memoryRssBytes: 65536 });
  });
});

describe('memoryBreakdown', () => {
  it.each<[string, MemoryStats | undefined, { rssBytes: number; cacheBytes: number }]>([
    [
      'cgroup v1: hierarchical total_* win over the cgroup-local keys',
      { stats: { rss: 1, cache: 2, total_rss: 10, total_cache: 20 } },
      { rssBytes: 10, cacheBytes: 20 },
    ],
    ['cgroup v2: anon and file', { stats: { anon: 300, file: 400, inactive_file: 100 } }, { rssBytes: 300, cacheBytes: 400 }],
    ['cgroup v1 without total_* (old daemons): rss and cache', { stats: { rss: 5, cache: 6 } }, { rssBytes: 5, cacheBytes: 6 }],
    ['Windows: no stats map', { privateworkingset: 52428800 }, { rssBytes: 0, cacheBytes: 0 }],
    ['stats: null', { stats: null }, { rssBytes: 0, cacheBytes: 0 }],
    ['missing memory_stats', undefined, { rssBytes: 0, cacheBytes: 0 }],
  ])('%s', (_name, input, expected) => {
    expect(memoryBreakdown(input)).toEqual(expected);
  });
});

describe('cpuModeTimes and cfsThrottling', () => {
  it('converts Windows 100 ns units to ns', () => {
    const cpu = { cpu_usage: { usage_in_usermode: 100000000, usage_in_kernelmode: 50000000 } };
    expect(cpuModeTimes(cpu, true)).toEqual({ userNs: 1e10, systemNs: 5e9 });
    expect(cpuModeTimes(cpu, false)).toEqual({ userNs: 1e8, systemNs: 5e7 });
  });

  it.each<[string, unknown]>([
    ['missing cpu_stats', undefined],
    ['null cpu_usage and throttling_data', { cpu_usage: null, throttling_data: null }],
    ['strings and negatives', { cpu_usage: { usage_in_usermode: '5', usage_in_kernelmode: -1 }, throttling_data: { periods: 'x', throttled_time: Number.NaN } }],
  ])('%s → zeros', (_name, input) => {
    expect(cpuModeTimes(input as never, false)).toEqual({ userNs: 0, systemNs: 0 });
    expect(cfsThrottling(input as never)).toEqual({ periods: 0, throttledPeriods: 0, throttledNs: 0 });
  });
});

describe('blockDeviceCounters', () => {
  it.each<[string, BlkioStats | undefined, ReturnType<typeof blockDeviceCounters>]>([
    [
      'cgroup v1: Read/Write per device, Sync/Async/Total ignored, sorted by major:minor',
      {
        io_service_bytes_recursive: [
          { major: 253, minor: 0, op: 'Read', value: 8192 },
          { major: 253, minor: 0, op: 'Write', value: 614400 },
          { major: 253, minor: 0, op: 'Sync', value: 8192 },
          { major: 253, minor: 0, op: 'Async', value: 614400 },
          { major: 253, minor: 0, op: 'Total', value: 622592 },
          { major: 8, minor: 16, op: 'Read', value: 1 },
          { major: 8, minor: 0, op: 'Write', value: 2 },
        ],
      },
      [
        { major: 8, minor: 0, readBytes: 0, writeBytes: 2, readOps: 0, writeOps: 0 },
        { major: 8, minor: 16, readBytes: 1, writeBytes: 0, readOps: 0, writeOps: 0 },
        { major: 253, minor: 0, readBytes: 8192, writeBytes: 614400, readOps: 0, writeOps: 0 },
      ],
    ],
    [
      'cgroup v2: lower-case ops, repeated entries of one device add up',
      {
        io_service_bytes_recursive: [
          { major: 8, minor: 0, op: 'read', value: 100 },
          { major: 8, minor: 0, op: 'read', value: 50 },
          { major: 8, minor: 0, op: 'write', value: 7 },
        ],
      },
      [{ major: 8, minor: 0, readBytes: 150, writeBytes: 7, readOps: 0, writeOps: 0 }],
    ],
    [
      'operations from io_serviced_recursive, by the same op rule, beside the bytes of the same device',
      {
        io_service_bytes_recursive: [
          { major: 8, minor: 0, op: 'Read', value: 4096 },
          { major: 8, minor: 0, op: 'Write', value: 8192 },
        ],
        io_serviced_recursive: [
          { major: 8, minor: 0, op: 'Read', value: 3 },
          { major: 8, minor: 0, op: 'Write', value: 5 },
          { major: 8, minor: 0, op: 'Sync', value: 5 },
          { major: 8, minor: 0, op: 'Total', value: 8 },
          { major: 259, minor: 1, op: 'read', value: 11 },
          { major: 259, minor: 1, op: 'write', value: 13 },
        ],
      },
      [
        { major: 8, minor: 0, readBytes: 4096, writeBytes: 8192, readOps: 3, writeOps: 5 },
        { major: 259, minor: 1, readBytes: 0, writeBytes: 0, readOps: 11, writeOps: 13 },
      ],
    ],
    ['null array (v2, stopped)', { io_service_bytes_recursive: null }, []],
    ['missing blkio_stats', undefined, []],
    [
      'garbage entries are skipped or read as 0',
      { io_service_bytes_recursive: [null as never, { op: 7 as never }, { op: 'Read', value: Number.NaN }] },
      [{ major: 0, minor: 0, readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0 }],
    ],
  ])('%s', (_name, input, expected) => {
    expect(blockDeviceCounters(input)).toEqual(expected);
  });
});

describe('interfaceCounters', () => {
  it('one entry per interface, sorted by name, garbage read as 0', () => {
    const networks = {
      eth1: { rx_bytes: 1, rx_packets: 2, rx_errors: 3, rx_dropped: 4, tx_bytes: 5, tx_packets: 6, tx_errors: 7, tx_dropped: 8 },
      eth0: { rx_bytes: -1, tx_bytes: Number.POSITIVE_INFINITY },
      bad: null as never,
    };
    expect(interfaceCounters(networks)).toEqual([
      { name: 'eth0', rxBytes: 0, rxPackets: 0, rxErrors: 0, rxDropped: 0, txBytes: 0, txPackets: 0, txErrors: 0, txDropped: 0 },
      { name: 'eth1', rxBytes: 1, rxPackets: 2, rxErrors: 3, rxDropped: 4, txBytes: 5, txPackets: 6, txErrors: 7, txDropped: 8 },
    ]);
  });
});

describe('never NaN', () => {
  it.each([
    ['cgroup-v1/golden-stats-records.ndjson'],
    ['cgroup-v1/stats-stream-restart-cut.ndjson'],
    ['synthetic/stats-stream-cgroup-v2.ndjson'],
    ['synthetic/stats-stream-windows.ndjson'],
  ])('%s: every detail number is finite and >= 0', (path) => {
    const record = firstRecord(path);
    const numbers = allNumbers(detailCounters(record, record.os_type === 'windows'));
    expect(numbers.length).toBeGreaterThan(5);
    for (const value of numbers) expect(Number.isFinite(value) && value >= 0, String(value)).toBe(true);
  });
});
