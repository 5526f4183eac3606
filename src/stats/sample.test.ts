import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  bytesSize,
  formatGoFixed,
  formatGoG,
  formatPercentage,
  humanSizeWithPrecision,
} from '../../test/helpers/docker-units.js';
import type { StatsRecord } from '../docker/types.js';
import { toContainerSample } from './sample.js';
import type { ContainerSample } from './types.js';

const FIXTURES = new URL('../../test/fixtures/docker/', import.meta.url);

function readFixture(path: string): string {
  return readFileSync(new URL(path, FIXTURES), 'utf8');
}

/** Complete NDJSON records only: text after the last newline is a record the capture cut short. */
function readRecords(path: string): StatsRecord[] {
  const lines = readFixture(path).split('\n');
  lines.pop();
  return lines.filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as StatsRecord);
}

/** Feed a stream through toContainerSample the way a stream reader would. */
function sampleStream(records: readonly StatsRecord[]): (ContainerSample | null)[] {
  let previous: ContainerSample | undefined;
  return records.map((record) => {
    const sample = toContainerSample(record, previous);
    previous = sample ?? undefined;
    return sample;
  });
}

function must<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new Error('expected a value');
  return value;
}

function at<T>(items: readonly T[], index: number): T {
  return must(items[index]);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

// ---------------------------------------------------------------------------------------

describe('docker-units helper (Go %g / %f, go-units)', () => {
  it.each<[string, string, string]>([
    ['%.3g rounds to an exponent at the unit edge', formatGoG(999.7, 3), '1e+03'],
    ['%.4g keeps 4 integer digits without exponent', formatGoG(1000, 4), '1000'],
    ['%.3g drops trailing zeros', formatGoG(40.964182, 3), '41'],
    ['%.4g ties go to even (exact binary 1.0625)', formatGoG(1.0625, 4), '1.062'],
    ['%.4g switches to exponent at 10^4', formatGoG(123456, 4), '1.235e+05'],
    ['%.3g small exponent', formatGoG(0.00001, 3), '1e-05'],
    ['%.3g small fixed', formatGoG(0.0001234, 3), '0.000123'],
    ['%.3g zero', formatGoG(0, 3), '0'],
    ['%.2f ties go to even (exact 0.125)', formatGoFixed(0.125, 2), '0.12'],
    ['%.2f 0.375 → 0.38 (even)', formatGoFixed(0.375, 2), '0.38'],
    ['%.2f uses the exact binary value (1.005 is below)', formatGoFixed(1.005, 2), '1.00'],
    ['%.2f carries into the integer part', formatGoFixed(99.999, 2), '100.00'],
    ['BytesSize of 1 KiB', bytesSize(1024), '1KiB'],
    ['BytesSize just below 1 MiB stays in KiB', bytesSize(1048575), '1024KiB'],
    ['BytesSize of host RAM', bytesSize(25276502016), '23.54GiB'],
    ['HumanSizeWithPrecision at the kB edge', humanSizeWithPrecision(999_700, 3), '1e+03kB'],
    ['HumanSizeWithPrecision of 0', humanSizeWithPrecision(0, 3), '0B'],
    ['formatPercentage', formatPercentage(50.5074), '50.51%'],
  ])('%s', (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------

interface CliRow {
  Name: string;
  CPUPerc: string;
  MemUsage: string;
  MemPerc: string;
  NetIO: string;
  BlockIO: string;
  PIDs: string;
}

const goldenRecords = readRecords('cgroup-v1/golden-stats-records.ndjson');
const cliRows = readFixture('cgroup-v1/golden-docker-stats-cli.ndjson')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as CliRow);

const decimalPair = (a: number, b: number): string =>
  `${humanSizeWithPrecision(a, 3)} / ${humanSizeWithPrecision(b, 3)}`;

describe('golden: our numbers print exactly like docker CLI 28.2.2', () => {
  it('pairs every CLI row with one recorded record', () => {
    expect(goldenRecords.map((r) => r.name?.slice(1)).sort()).toEqual(cliRows.map((r) => r.Name).sort());
  });

  it.each(cliRows.map((row) => [row.Name, row] as const))('%s', (name, row) => {
    const record = must(goldenRecords.find((r) => r.name === `/${name}`));
    const sample = must(toContainerSample(record));
    // stream=false records carry a real precpu, so CPU must be known, not defaulted.
    const cpuPercent = must(sample.cpuPercent);
    expect({
      CPUPerc: formatPercentage(cpuPercent),
      MemUsage: `${bytesSize(sample.memoryUsageBytes)} / ${bytesSize(sample.memoryLimitBytes)}`,
      MemPerc: formatPercentage(sample.memoryPercent),
      NetIO: decimalPair(sample.networkRxBytes, sample.networkTxBytes),
      BlockIO: decimalPair(sample.blockReadBytes, sample.blockWriteBytes),
      PIDs: String(sample.pids),
    }).toEqual({
      CPUPerc: row.CPUPerc,
      MemUsage: row.MemUsage,
      MemPerc: row.MemPerc,
      NetIO: row.NetIO,
      BlockIO: row.BlockIO,
      PIDs: row.PIDs,
    });
  });
});

// ---------------------------------------------------------------------------------------

const V1_STREAMS = [
  'stats-stream-burner.ndjson',
  'stats-stream-file-cache.ndjson',
  'stats-stream-memory-limit.ndjson',
  'stats-stream-network-none.ndjson',
  'stats-stream-paused.ndjson',
  'stats-stream-restart-cut.ndjson',
] as const;

describe('cgroup v1 streams', () => {
  it.each(V1_STREAMS)('%s: first record has no CPU baseline, the second has one', (file) => {
    const samples = sampleStream(readRecords(`cgroup-v1/${file}`));
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(at(samples, 0)?.cpuPercent).toBeNull();
    expect(at(samples, 0)?.networkRxBytesPerSecond).toBeNull();
    expect(at(samples, 1)?.cpuPercent).toEqual(expect.any(Number));
  });

  it('burner (--cpus 0.5) stays near 50% of one core', () => {
    const samples = sampleStream(readRecords('cgroup-v1/stats-stream-burner.ndjson'));
    const percents = samples.slice(1).map((s) => must(s?.cpuPercent));
    expect(percents).toHaveLength(5);
    // record 2: (17266789179 − 16765928600) / (277970000000 − 275970000000) × 2 × 100
    expect(percents[0]).toBe((500860579 / 2000000000) * 2 * 100);
    for (const percent of percents) expect(Math.abs(percent - 50)).toBeLessThan(1);
  });

  it('paused: CPU is a real 0, memory is still reported', () => {
    const sample = must(at(sampleStream(readRecords('cgroup-v1/stats-stream-paused.ndjson')), 1));
    expect(sample.cpuPercent).toBe(0);
    expect(sample.memoryUsageBytes).toBe(532480);
  });

  it('--network none: no networks key, totals and rates 0', () => {
    const sample = must(at(sampleStream(readRecords('cgroup-v1/stats-stream-network-none.ndjson')), 1));
    expect(sample).toMatchObject({
      hasNetworks: false,
      networkRxBytes: 0,
      networkTxBytes: 0,
      networkRxBytesPerSecond: 0,
      networkTxBytesPerSecond: 0,
    });
  });

  it('memory limit: percent of the 64 MiB cgroup limit', () => {
    const sample = must(at(sampleStream(readRecords('cgroup-v1/stats-stream-memory-limit.ndjson')), 1));
    expect(sample.memoryLimitBytes).toBe(64 * 1024 * 1024);
    expect(sample.memoryPercent).toBe((sample.memoryUsageBytes / 67108864) * 100);
  });

  it('restart: the reset record has unknown CPU and rates, never negative ones', () => {
    const samples = sampleStream(readRecords('cgroup-v1/stats-stream-restart-cut.ndjson')).map(must);
    expect(samples).toHaveLength(6); // the 7th record was cut mid-line by the capture
    const reset = at(samples, 3); // "record 4": total_usage 393517502 < precpu 21893241339
    expect(reset.cpuPercent).toBeNull();
    expect(reset.networkRxBytesPerSecond).toBeNull(); // rx 266 after 946
    expect(reset.networkTxBytesPerSecond).toBeNull();
    const after = at(samples, 4);
    // (894156443 − 393517502) / (212390000000 − 210360000000) × 2 × 100
    expect(after.cpuPercent).toBe((500638941 / 2030000000) * 2 * 100);
    // rx 266 → 426 between 12:21:37.815276911 and 12:21:38.819254156
    expect(after.networkRxBytesPerSecond).toBe(160 / (1_003_977_245 / 1e9));
    for (const sample of samples) {
      expect(sample.cpuPercent ?? 0).toBeGreaterThanOrEqual(0);
      expect(sample.networkRxBytesPerSecond ?? 0).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('stopped containers', () => {
  it.each(['cgroup-v1/stats-stream-stopped.ndjson', 'cgroup-v1/stats-oneshot-stopped.json'])(
    '%s → null for every record',
    (file) => {
      const records = readRecords(file);
      expect(records.length).toBeGreaterThan(0);
      for (const record of records) expect(toContainerSample(record)).toBeNull();
    },
  );

  it('a stopped record right after a running one is still null', () => {
    const running = must(toContainerSample(at(goldenRecords, 0)));
    const stopped = at(readRecords('cgroup-v1/stats-stream-stopped.ndjson'), 0);
    expect(toContainerSample(stopped, running)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------

// Real cgroup v2 records, published by OpenTelemetry's dockerstatsreceiver tests (sources in
// test/fixtures/docker/cgroup-v2/SOURCES.md). The expected values are docker CLI's own
// computation (cli/command/container/stats_helpers.go): calculateMemUsageUnixNoCache,
// calculateMemPercentUnixNoCache, calculateNetwork, calculateBlockIO, calculateCPUPercentUnix.
describe('cgroup v2 records published by others', () => {
  const readJson = (path: string): StatsRecord => JSON.parse(readFixture(path)) as StatsRecord;

  it('a first record (preread zero): no CPU figure, memory is usage − inactive_file', () => {
    const record = readJson('cgroup-v2/otel-collector-contrib/stats.json');
    expect(record.memory_stats?.stats).not.toHaveProperty('total_inactive_file'); // v2 keys only
    expect(toContainerSample(record)).toMatchObject({
      // The CLI would print 999478000 / 4836970000000 × 2 × 100 = 0.04%, a since-boot ratio
      // from the empty precpu; dockmon waits for a real baseline instead.
      cpuPercent: null,
      onlineCpus: 2,
      // inactive_file is 0 (the 224 MiB are shmem in /dev/shm): used = usage − 0
      memoryUsageBytes: 234647552 - 0,
      memoryLimitBytes: 268435456,
      memoryPercent: ((234647552 - 0) / 268435456) * 100,
      networkRxBytes: 1296,
      networkTxBytes: 0,
      blockReadBytes: 167936, // lower-case "read" on 8:0
      blockWriteBytes: 0,
      pids: 1,
    });
  });

  it('a record with precpu (an idle container): 0% CPU, block I/O summed over three devices', () => {
    const record = readJson('cgroup-v2/otel-collector-contrib/pids_stats_max-stats.json');
    expect(toContainerSample(record)).toMatchObject({
      // cpuDelta = 10935000 − 10935000 = 0: not > 0, so the CLI shows 0.00%
      cpuPercent: 0,
      memoryUsageBytes: 2240512 - 1892352,
      memoryLimitBytes: 2063048704,
      memoryPercent: ((2240512 - 1892352) / 2063048704) * 100,
      networkRxBytes: 3608,
      networkTxBytes: 0,
      blockReadBytes: 1998848 * 3, // 7:2, 253:1 and 253:2 each report the same reads
      blockWriteBytes: 0,
      pids: 1,
    });
  });
});

// Hand-made: no published cgroup v2 pair of a busy container (CPU delta > 0, two interfaces,
// pids.max "max") was found, so these numbers remain chosen by hand (synthetic/README.md).
describe('hand-made cgroup v2 pair', () => {
  const [first, second] = readRecords('synthetic/stats-stream-cgroup-v2.ndjson').map(clone);

  it('pids limit 2^64−1 arrives rounded by JSON.parse and is not used', () => {
    expect(must(first).pids_stats?.limit).toBe(18446744073709551616);
  });

  it('first record: totals known, CPU and rates unknown', () => {
    expect(toContainerSample(must(first))).toEqual({
      source: 'api',
      readMs: Date.parse('2026-11-25T13:00:00.250Z'),
      readIso: '2026-11-25T13:00:00.250000417Z',
      cpuPercent: null,
      cpuUsageNs: 4000000000,
      hostCpuUsageNs: 8300000000000000,
      onlineCpus: 4,
      memoryUsageBytes: 104857600 - 20971520, // usage − inactive_file; no cache key on v2
      memoryRawUsageBytes: 104857600,
      memoryLimitBytes: 536870912,
      memoryPercent: ((104857600 - 20971520) / 536870912) * 100,
      networkRxBytes: 10000 + 1000, // eth0 + eth1
      networkTxBytes: 2000 + 0,
      networkRxBytesPerSecond: null,
      networkTxBytesPerSecond: null,
      hasNetworks: true,
      blockReadBytes: 1048576 + 1048576, // lower-case "read" on 8:0 and 253:0
      blockWriteBytes: 4096 + 4096,
      pids: 5,
      cpuUserNs: 3000000000,
      cpuSystemNs: 1000000000,
      cpuCfsPeriods: 0,
      cpuCfsThrottledPeriods: 0,
      cpuCfsThrottledNs: 0,
      memoryRssBytes: 73400320, // anon
      memoryCacheBytes: 31457280, // file
      networkInterfaces: [
        { name: 'eth0', rxBytes: 10000, rxPackets: 100, rxErrors: 0, rxDropped: 0, txBytes: 2000, txPackets: 20, txErrors: 0, txDropped: 0 },
        { name: 'eth1', rxBytes: 1000, rxPackets: 10, rxErrors: 0, rxDropped: 0, txBytes: 0, txPackets: 0, txErrors: 0, txDropped: 0 },
      ],
      blockDevices: [
        { major: 8, minor: 0, readBytes: 1048576, writeBytes: 4096, readOps: 0, writeOps: 0 },
        { major: 253, minor: 0, readBytes: 1048576, writeBytes: 4096, readOps: 0, writeOps: 0 },
      ],
      blockReadOps: 0,
      blockWriteOps: 0,
      oomKills: null,
      memorySwapBytes: null,
      // No max_usage on cgroup v2: the API's failcnt there counts OOM events, not limit hits.
      memoryFailcnt: null,
      memoryMaxUsageBytes: null,
      pressure: null,
    } satisfies ContainerSample);
  });

  it('second record: CPU from precpu, rates over the 1 s between reads', () => {
    const previous = must(toContainerSample(must(first)));
    expect(toContainerSample(must(second), previous)).toMatchObject({
      // (4250000000 − 4000000000) / (8300004000000000 − 8300000000000000) × 4 × 100 = 25
      cpuPercent: (250000000 / 4000000000) * 4 * 100,
      memoryUsageBytes: 106954752 - 20971520,
      memoryPercent: ((106954752 - 20971520) / 536870912) * 100,
      networkRxBytesPerSecond: (14000 + 2000 - 11000) / 1,
      networkTxBytesPerSecond: (2400 + 100 - 2000) / 1,
      blockReadBytes: 2097152 + 2097152,
      blockWriteBytes: 8192 + 8192,
      pids: 6,
    });
  });

  it('one-shot style (empty precpu): falls back to the previous sample', () => {
    const previous = must(toContainerSample(must(first)));
    const oneShot = clone(must(second));
    oneShot.precpu_stats = { cpu_usage: { total_usage: 0 } };
    oneShot.preread = '0001-01-01T00:00:00Z';
    expect(toContainerSample(oneShot, previous)?.cpuPercent).toBe((250000000 / 4000000000) * 4 * 100);
  });
});

describe('synthetic Windows pair', () => {
  const [first, second] = readRecords('synthetic/stats-stream-windows.ndjson');
  // read − preread = 13:00:02.1234572 − 13:00:00.1234567 = 2.0000005 s
  const intervalNs = 2_000_000_500;
  // 100 ns slots available on 4 processors, and 170000000 − 150000000 slots used
  const windowsPercent = (20000000 / (Math.floor(intervalNs / 100) * 4)) * 100;

  it('first record: private working set, no limit, storage_stats as block I/O', () => {
    expect(toContainerSample(must(first))).toEqual({
      source: 'api',
      readMs: Date.parse('2026-11-25T13:00:00.123Z'),
      readIso: '2026-11-25T13:00:00.1234567Z',
      cpuPercent: null,
      cpuUsageNs: 150000000 * 100, // 100 ns units
      hostCpuUsageNs: 0,
      onlineCpus: 0,
      memoryUsageBytes: 52428800,
      memoryRawUsageBytes: 52428800,
      memoryLimitBytes: 0,
      memoryPercent: 0,
      networkRxBytes: 100000,
      networkTxBytes: 50000,
      networkRxBytesPerSecond: null,
      networkTxBytesPerSecond: null,
      hasNetworks: true,
      blockReadBytes: 20971520,
      blockWriteBytes: 4194304,
      pids: 0,
      cpuUserNs: 100000000 * 100, // 100 ns units
      cpuSystemNs: 50000000 * 100,
      cpuCfsPeriods: 0,
      cpuCfsThrottledPeriods: 0,
      cpuCfsThrottledNs: 0,
      memoryRssBytes: 0,
      memoryCacheBytes: 0,
      networkInterfaces: [
        {
          name: '9f3c6a0e-2b5d-4c71-8e4a-1d2b3c4d5e6f',
          rxBytes: 100000, rxPackets: 1000, rxErrors: 0, rxDropped: 0, txBytes: 50000, txPackets: 500, txErrors: 0, txDropped: 0,
        },
      ],
      blockDevices: [], // storage_stats has no devices
      blockReadOps: 0,
      blockWriteOps: 0,
      oomKills: null,
      memorySwapBytes: null,
      memoryFailcnt: null,
      memoryMaxUsageBytes: null,
      pressure: null,
    } satisfies ContainerSample);
  });

  it('second record: CPU over read − preread in 100 ns slots × num_procs', () => {
    const previous = must(toContainerSample(must(first)));
    expect(toContainerSample(must(second), previous)).toMatchObject({
      cpuPercent: windowsPercent,
      cpuUsageNs: 170000000 * 100,
      memoryUsageBytes: 54525952,
      networkRxBytesPerSecond: (120000 - 100000) / (intervalNs / 1e9),
      networkTxBytesPerSecond: (54000 - 50000) / (intervalNs / 1e9),
      blockReadBytes: 23068672,
      blockWriteBytes: 5242880,
    });
  });

  it('without os_type (Docker < 29): recognised by num_procs and no system_cpu_usage', () => {
    const record = clone(must(second));
    delete record.os_type;
    expect(toContainerSample(record)?.cpuPercent).toBe(windowsPercent);
  });

  it('one-shot style (zero preread): falls back to the previous sample', () => {
    const previous = must(toContainerSample(must(first)));
    const oneShot = clone(must(second));
    oneShot.preread = '0001-01-01T00:00:00Z';
    oneShot.precpu_stats = { cpu_usage: { total_usage: 0 } };
    expect(toContainerSample(oneShot, previous)?.cpuPercent).toBe(windowsPercent);
  });
});

// ---------------------------------------------------------------------------------------

describe('edge records', () => {
  const base = at(goldenRecords, 1); // gold-burner
  const withChanges = (change: (record: StatsRecord) => void): StatsRecord => {
    const record = clone(base);
    change(record);
    return record;
  };

  it.each<[string, StatsRecord]>([
    ['read missing', withChanges((r) => delete r.read)],
    ['read unparseable', withChanges((r) => (r.read = 'yesterday'))],
    ['read not a string', withChanges((r) => Object.assign(r, { read: 1795610051 }))],
    ['read is Go zero time, stats populated', withChanges((r) => (r.read = '0001-01-01T00:00:00Z'))],
    [
      'empty memory_stats with zero read',
      withChanges((r) => {
        r.read = '0001-01-01T00:00:00Z';
        r.memory_stats = {};
      }),
    ],
  ])('not running: %s → null', (_name, record) => {
    expect(toContainerSample(record)).toBeNull();
  });

  it.each<[string, StatsRecord, Partial<ContainerSample>]>([
    [
      'missing online_cpus with percpu_usage → its length',
      withChanges((r) => {
        delete r.cpu_stats?.online_cpus;
      }),
      { onlineCpus: 2, cpuPercent: (515176675 / 2040000000) * 2 * 100 },
    ],
    [
      'missing online_cpus and percpu_usage → CPU unknown',
      withChanges((r) => {
        delete r.cpu_stats?.online_cpus;
        delete r.cpu_stats?.cpu_usage?.percpu_usage;
      }),
      { onlineCpus: 0, cpuPercent: null },
    ],
    [
      'usage below inactive_file → usage',
      withChanges((r) => (r.memory_stats = { usage: 4096, limit: 8192, stats: { inactive_file: 65536 } })),
      { memoryUsageBytes: 4096, memoryPercent: (4096 / 8192) * 100 },
    ],
    [
      'limit 0 → 0%',
      withChanges((r) => (r.memory_stats = { usage: 4096, limit: 0 })),
      { memoryUsageBytes: 4096, memoryLimitBytes: 0, memoryPercent: 0 },
    ],
    [
      'missing networks',
      withChanges((r) => delete r.networks),
      { hasNetworks: false, networkRxBytes: 0, networkTxBytes: 0 },
    ],
    [
      'empty memory_stats with a valid read: a sample with zero memory',
      withChanges((r) => (r.memory_stats = {})),
      { memoryUsageBytes: 0, memoryRawUsageBytes: 0, memoryLimitBytes: 0, memoryPercent: 0 },
    ],
    [
      'blkio array null',
      withChanges((r) => (r.blkio_stats = { io_service_bytes_recursive: null })),
      { blockReadBytes: 0, blockWriteBytes: 0 },
    ],
    [
      'Podman-style offset in read',
      withChanges((r) => (r.read = '2026-11-25T20:34:12.348776883+08:00')),
      { readMs: Date.parse('2026-11-25T12:34:12.348Z') },
    ],
  ])('%s', (_name, record, expected) => {
    expect(toContainerSample(record)).toMatchObject(expected);
  });

  it('huge counters above 2^53 (system_cpu_usage ≈ 1.8e17) still give a sane percent', () => {
    const text = JSON.stringify(base)
      .replace('"system_cpu_usage":1724910000000', '"system_cpu_usage":180000002000000000')
      .replace('"system_cpu_usage":1722870000000', '"system_cpu_usage":180000000000000000')
      .replace('"total_usage":314916038469', '"total_usage":9100001000000000')
      .replace('"total_usage":314400861794', '"total_usage":9100000000000000');
    const sample = must(toContainerSample(JSON.parse(text) as StatsRecord));
    // 1e9 ns of CPU over 2e9 ns of host time on 2 CPUs = one full core
    expect(sample.cpuPercent).toBeCloseTo((1e9 / 2e9) * 2 * 100, 9);
    expect(sample.hostCpuUsageNs).toBe(180000002000000000);
  });

  it('a previous sample that is not older is ignored', () => {
    const first = at(readRecords('cgroup-v1/stats-stream-burner.ndjson'), 0);
    const later = must(toContainerSample(at(readRecords('cgroup-v1/stats-stream-burner.ndjson'), 5)));
    expect(toContainerSample(first, later)).toMatchObject({
      cpuPercent: null,
      networkRxBytesPerSecond: null,
      networkTxBytesPerSecond: null,
    });
    const same = must(toContainerSample(first));
    expect(toContainerSample(first, same)?.networkRxBytesPerSecond).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------

// mulberry32: a tiny seeded PRNG so the mutilations are the same on every run.
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = string[];

function collectPaths(value: Json, path: Path, out: Path[]): Path[] {
  if (value !== null && typeof value === 'object') {
    // Object.entries also walks arrays, and skips the holes `delete` leaves in them.
    for (const [key, child] of Object.entries(value)) {
      out.push([...path, key]);
      collectPaths(child, [...path, key], out);
    }
  }
  return out;
}

const REPLACEMENTS: readonly unknown[] = [
  null, 0, -1, -1e18, 2 ** 53 + 2, 1.8e19, 1e308, Number.MAX_VALUE, Number.NaN,
  Number.POSITIVE_INFINITY, 'x', '', [], {}, true, '0001-01-01T00:00:00Z', '2020-01-01T00:00:00Z',
];

function mutilate(record: Json, random: () => number, log: string[]): Json {
  const copy = clone(record);
  const mutations = 1 + Math.floor(random() * 4);
  for (let m = 0; m < mutations; m++) {
    const paths = collectPaths(copy, [], []);
    const path = paths[Math.floor(random() * paths.length)];
    if (path === undefined) break;
    let parent: unknown = copy;
    for (const key of path.slice(0, -1)) parent = (parent as Record<string, unknown>)[key];
    const key = path[path.length - 1] as string;
    const target = parent as Record<string, unknown>;
    const roll = random();
    if (roll < 0.25) {
      delete target[key];
      log.push(`delete ${path.join('.')}`);
    } else if (roll < 0.35 && typeof target[key] === 'number') {
      // a counter that went backwards, as after a restart
      target[key] = Math.floor((target[key] as number) * random());
      log.push(`shrink ${path.join('.')}`);
    } else {
      const value = REPLACEMENTS[Math.floor(random() * REPLACEMENTS.length)];
      target[key] = clone(value);
      log.push(`${path.join('.')} = ${String(value)}`);
    }
  }
  return copy;
}

const NUMBER_FIELDS = [
  'readMs', 'cpuUsageNs', 'hostCpuUsageNs', 'onlineCpus', 'memoryUsageBytes', 'memoryRawUsageBytes',
  'memoryLimitBytes', 'memoryPercent', 'networkRxBytes', 'networkTxBytes', 'blockReadBytes',
  'blockWriteBytes', 'pids',
] as const satisfies readonly (keyof ContainerSample)[];
const NULLABLE_FIELDS = [
  'cpuPercent', 'networkRxBytesPerSecond', 'networkTxBytesPerSecond',
] as const satisfies readonly (keyof ContainerSample)[];

function describeProblems(sample: ContainerSample | null): string[] {
  if (sample === null) return [];
  const problems: string[] = [];
  const isSane = (value: unknown): boolean =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0;
  for (const field of NUMBER_FIELDS) {
    if (!isSane(sample[field])) problems.push(`${field}=${String(sample[field])}`);
  }
  for (const field of NULLABLE_FIELDS) {
    if (sample[field] !== null && !isSane(sample[field])) problems.push(`${field}=${String(sample[field])}`);
  }
  if (typeof sample.hasNetworks !== 'boolean') problems.push('hasNetworks not boolean');
  if (typeof sample.readIso !== 'string') problems.push('readIso not string');
  return problems;
}

describe('property: mutilated records never throw and never yield NaN, Infinity or negatives', () => {
  const bases: Json[] = [
    ...goldenRecords,
    ...V1_STREAMS.flatMap((file) => readRecords(`cgroup-v1/${file}`)),
    ...readRecords('cgroup-v1/stats-stream-stopped.ndjson'),
    ...readRecords('synthetic/stats-stream-cgroup-v2.ndjson'),
    ...readRecords('synthetic/stats-stream-windows.ndjson'),
    JSON.parse(readFixture('cgroup-v2/otel-collector-contrib/stats.json')) as StatsRecord,
    JSON.parse(readFixture('cgroup-v2/otel-collector-contrib/pids_stats_max-stats.json')) as StatsRecord,
  ].map((record) => clone(record) as Json);
  const CASES = 500;

  it(`${CASES} deterministic mutilations of ${bases.length} fixture records`, () => {
    const random = createRandom(0x5eed);
    const failures: string[] = [];
    let samples = 0;
    for (let i = 0; i < CASES; i++) {
      const log: string[] = [];
      const record = mutilate(at(bases, Math.floor(random() * bases.length)), random, log);
      let previous: ContainerSample | undefined;
      if (random() < 0.5) {
        const other = mutilate(at(bases, Math.floor(random() * bases.length)), random, []);
        previous = toContainerSample(other as StatsRecord) ?? undefined;
      }
      try {
        const sample = toContainerSample(record as StatsRecord, previous);
        if (sample !== null) samples++;
        const problems = describeProblems(sample);
        if (problems.length > 0) failures.push(`#${i} [${log.join('; ')}]: ${problems.join(', ')}`);
      } catch (error) {
        failures.push(`#${i} [${log.join('; ')}]: threw ${String(error)}`);
      }
    }
    expect(failures).toEqual([]);
    // The mutilations must leave most records usable, or the test proves little.
    expect(samples).toBeGreaterThan(CASES / 2);
  });
});
