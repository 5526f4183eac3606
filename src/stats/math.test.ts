import { describe, expect, it } from 'vitest';
import type { BlkioStats, CpuStats, MemoryStats, NetworkStats, StorageStats } from '../docker/types.js';
import {
  blkioDirection,
  blockIoTotals,
  calculateCpuPercentLinux,
  calculateCpuPercentWindows,
  memoryPercent,
  memoryUsedBytes,
  networkTotals,
  onlineCpus,
  toCounter,
} from './math.js';

// Inputs are trimmed from test/fixtures/docker/ (cgroup-v1 captures, synthetic v2/Windows).

const burnerPre: CpuStats = {
  cpu_usage: { total_usage: 314400861794, percpu_usage: [64699253120, 249701608674] },
  system_cpu_usage: 1722870000000,
  online_cpus: 2,
};
const burnerCur: CpuStats = {
  cpu_usage: { total_usage: 314916038469, percpu_usage: [65214429795, 249701608674] },
  system_cpu_usage: 1724910000000,
  online_cpus: 2,
};
// Zeroed precpu of a first streamed / one-shot record: no system_cpu_usage key at all.
const emptyPre: CpuStats = { cpu_usage: { total_usage: 0 } };

describe('calculateCpuPercentLinux', () => {
  it.each<[string, CpuStats | undefined, CpuStats | undefined, number | null]>([
    // gold-burner: (314916038469 − 314400861794) / (1724910000000 − 1722870000000) × 2 × 100
    ['cgroup v1 (gold-burner, --cpus 0.5)', burnerCur, burnerPre, (515176675 / 2040000000) * 2 * 100],
    // synthetic v2: 250 ms of CPU over 4 CPU-seconds of host time, 4 CPUs
    [
      'cgroup v2 (no percpu_usage, online_cpus 4)',
      { cpu_usage: { total_usage: 4250000000 }, system_cpu_usage: 8300004000000000, online_cpus: 4 },
      { cpu_usage: { total_usage: 4000000000 }, system_cpu_usage: 8300000000000000, online_cpus: 4 },
      (250000000 / 4000000000) * 4 * 100,
    ],
    ['first sample (empty precpu) → null, not a since-boot ratio', burnerCur, emptyPre, null],
    ['no precpu at all', burnerCur, undefined, null],
    [
      'paused: zero container delta over a real interval → 0',
      burnerPre,
      { ...burnerPre, system_cpu_usage: 1720850000000 },
      0,
    ],
    [
      'counter reset (restart-cut record 4): total below precpu → null',
      { cpu_usage: { total_usage: 393517502 }, system_cpu_usage: 210360000000, online_cpus: 2 },
      { cpu_usage: { total_usage: 21893241339 }, system_cpu_usage: 208360000000, online_cpus: 2 },
      null,
    ],
    ['system delta 0 → null', burnerCur, { ...burnerPre, system_cpu_usage: 1724910000000 }, null],
    ['system counter wrapped (moby#41915) → null', { ...burnerCur, system_cpu_usage: 1000 }, burnerPre, null],
    [
      'missing online_cpus → length of percpu_usage',
      { cpu_usage: { total_usage: 314916038469, percpu_usage: [1, 2, 3, 4] }, system_cpu_usage: 1724910000000 },
      burnerPre,
      (515176675 / 2040000000) * 4 * 100,
    ],
    [
      'missing online_cpus and percpu_usage → null',
      { cpu_usage: { total_usage: 314916038469 }, system_cpu_usage: 1724910000000 },
      burnerPre,
      null,
    ],
    [
      'above 2^53: system ≈ 1.8e17, total ≈ 9.1e15 (1 s busy on 2 CPUs = 100%)',
      { cpu_usage: { total_usage: 9100001000000000 }, system_cpu_usage: 180000002000000000, online_cpus: 2 },
      { cpu_usage: { total_usage: 9100000000000000 }, system_cpu_usage: 180000000000000000, online_cpus: 2 },
      (1e9 / 2e9) * 2 * 100,
    ],
  ])('%s', (_name, cur, pre, expected) => {
    expect(calculateCpuPercentLinux(cur, pre)).toBe(expected);
  });
});

describe('calculateCpuPercentWindows', () => {
  const pre: CpuStats = { cpu_usage: { total_usage: 150000000 } };
  const cur: CpuStats = { cpu_usage: { total_usage: 170000000 } };
  it.each<[string, CpuStats, number, number, number | null]>([
    // 2e7 slots of 100 ns used out of (2 s / 100 ns) × 4 processors
    ['2 s on 4 processors', cur, 2_000_000_000, 4, (20000000 / ((2_000_000_000 / 100) * 4)) * 100],
    ['sub-100 ns remainder is floored like the CLI', cur, 2_000_000_050, 4, (20000000 / (20000000 * 4)) * 100],
    ['idle → 0', pre, 2_000_000_000, 4, 0],
    ['no interval → null', cur, 0, 4, null],
    ['interval shorter than one slot → null', cur, 99, 4, null],
    ['num_procs 0 → null', cur, 2_000_000_000, 0, null],
    ['counter went backwards → null', { cpu_usage: { total_usage: 1 } }, 2_000_000_000, 4, null],
  ])('%s', (_name, current, intervalNs, numProcs, expected) => {
    expect(calculateCpuPercentWindows(current, pre, intervalNs, numProcs)).toBe(expected);
  });
});

describe('onlineCpus', () => {
  it.each<[string, CpuStats | undefined, number]>([
    ['online_cpus wins', { online_cpus: 2, cpu_usage: { percpu_usage: [1, 2, 3, 4] } }, 2],
    ['percpu_usage length as fallback', { cpu_usage: { percpu_usage: [1, 2, 3] } }, 3],
    ['percpu_usage null (cgroup v2)', { cpu_usage: { percpu_usage: null } }, 0],
    ['nothing known', {}, 0],
    ['no cpu_stats', undefined, 0],
  ])('%s', (_name, stats, expected) => {
    expect(onlineCpus(stats)).toBe(expected);
  });
});

describe('memoryUsedBytes', () => {
  it.each<[string, MemoryStats | undefined, number]>([
    // gold-memory: 53391360 − 10485760 = 42905600 (40.92 MiB in docker stats)
    [
      'cgroup v1: usage − total_inactive_file',
      { usage: 53391360, stats: { cache: 52690944, inactive_file: 10485760, total_inactive_file: 10485760 } },
      53391360 - 10485760,
    ],
    [
      'cgroup v1: total_inactive_file wins over inactive_file',
      { usage: 1000, stats: { inactive_file: 100, total_inactive_file: 300 } },
      1000 - 300,
    ],
    [
      'cgroup v1: total_inactive_file 0 is still the v1 key',
      { usage: 335872, stats: { total_inactive_file: 0, inactive_file: 0 } },
      335872,
    ],
    [
      'cgroup v1: total_inactive_file ≥ usage → falls back to inactive_file',
      { usage: 1000, stats: { inactive_file: 100, total_inactive_file: 5000 } },
      1000 - 100,
    ],
    [
      'cgroup v2: usage − inactive_file (no cache key)',
      { usage: 104857600, stats: { anon: 73400320, file: 31457280, inactive_file: 20971520 } },
      104857600 - 20971520,
    ],
    ['cache is never used', { usage: 1000, stats: { cache: 900 } }, 1000],
    ['usage below inactive_file → usage', { usage: 4096, stats: { inactive_file: 8192 } }, 4096],
    ['stats null', { usage: 4096, stats: null }, 4096],
    ['empty memory_stats (stopped container)', {}, 0],
    ['no memory_stats', undefined, 0],
  ])('%s', (_name, stats, expected) => {
    expect(memoryUsedBytes(stats)).toBe(expected);
  });
});

describe('memoryPercent', () => {
  it.each<[string, number, number, number]>([
    ['gold-memory: 42905600 of 64 MiB', 42905600, 67108864, (42905600 / 67108864) * 100],
    ['stopped container (zero limit) → 0', 4096, 0, 0],
    ['nothing used', 0, 67108864, 0],
    ['over the limit is shown as is', 2048, 1024, 200],
  ])('%s', (_name, used, limit, expected) => {
    expect(memoryPercent(used, limit)).toBe(expected);
  });
});

describe('networkTotals', () => {
  const eth = (rx: number, tx: number): NetworkStats => ({ rx_bytes: rx, tx_bytes: tx });
  it.each<[string, Record<string, NetworkStats> | undefined, ReturnType<typeof networkTotals>]>([
    ['gold-client: one interface', { eth0: eth(1681946, 40964182) }, { rxBytes: 1681946, txBytes: 40964182, present: true }],
    ['summed over interfaces', { eth0: eth(14000, 2400), eth1: eth(2000, 100) }, { rxBytes: 16000, txBytes: 2500, present: true }],
    ['--network none: key absent', undefined, { rxBytes: 0, txBytes: 0, present: false }],
    ['empty map is still present', {}, { rxBytes: 0, txBytes: 0, present: true }],
    ['interface without counters', { eth0: {} }, { rxBytes: 0, txBytes: 0, present: true }],
  ])('%s', (_name, networks, expected) => {
    expect(networkTotals(networks)).toEqual(expected);
  });
});

describe('blockIoTotals', () => {
  it.each<[string, BlkioStats | undefined, StorageStats | undefined, ReturnType<typeof blockIoTotals>]>([
    [
      'cgroup v1: Read/Write counted, Sync/Async/Total ignored',
      {
        io_service_bytes_recursive: [
          { major: 253, minor: 0, op: 'Read', value: 614400 },
          { major: 253, minor: 0, op: 'Write', value: 8192 },
          { major: 253, minor: 0, op: 'Sync', value: 8192 },
          { major: 253, minor: 0, op: 'Async', value: 614400 },
          { major: 253, minor: 0, op: 'Total', value: 622592 },
        ],
      },
      {},
      { readBytes: 614400, writeBytes: 8192 },
    ],
    [
      'cgroup v2: lower-case read/write, summed over devices',
      {
        io_service_bytes_recursive: [
          { major: 8, minor: 0, op: 'read', value: 2097152 },
          { major: 8, minor: 0, op: 'write', value: 8192 },
          { major: 253, minor: 0, op: 'read', value: 2097152 },
          { major: 253, minor: 0, op: 'write', value: 8192 },
        ],
      },
      {},
      { readBytes: 2097152 + 2097152, writeBytes: 8192 + 8192 },
    ],
    ['array null (stopped container)', { io_service_bytes_recursive: null }, {}, { readBytes: 0, writeBytes: 0 }],
    ['array empty (idle v1 container)', { io_service_bytes_recursive: [] }, undefined, { readBytes: 0, writeBytes: 0 }],
    ['entry without op', { io_service_bytes_recursive: [{ value: 5 }, { op: '', value: 7 }] }, {}, { readBytes: 0, writeBytes: 0 }],
    [
      'Windows: storage_stats instead',
      { io_service_bytes_recursive: null },
      { read_size_bytes: 23068672, write_size_bytes: 5242880 },
      { readBytes: 23068672, writeBytes: 5242880 },
    ],
  ])('%s', (_name, blkio, storage, expected) => {
    expect(blockIoTotals(blkio, storage)).toEqual(expected);
  });
});

describe('blkioDirection', () => {
  it.each<[unknown, ReturnType<typeof blkioDirection>]>([
    ['Read', 'read'],
    ['read', 'read'],
    ['Write', 'write'],
    ['write', 'write'],
    ['Sync', null],
    ['Async', null],
    ['Total', null],
    ['Discard', null],
    ['', null],
    [undefined, null],
    [7, null],
  ])('%j → %j', (op, expected) => {
    expect(blkioDirection(op)).toBe(expected);
  });
});

describe('toCounter', () => {
  it.each<[string, unknown, number]>([
    ['a count', 42, 42],
    ['above 2^53 (rounded by JSON.parse, still finite)', 18446744073709551615, 18446744073709551616],
    ['negative', -1, 0],
    ['NaN', Number.NaN, 0],
    ['Infinity', Number.POSITIVE_INFINITY, 0],
    ['null', null, 0],
    ['numeric string', '12', 0],
    ['missing', undefined, 0],
  ])('%s', (_name, value, expected) => {
    expect(toCounter(value)).toBe(expected);
  });
});
