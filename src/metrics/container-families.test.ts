// The cAdvisor families issue 15 added, from one known container: name, TYPE, HELP
// (cAdvisor's text), labels and value; what cAdvisor shows for settings left unset;
// no guessed series before inspect answers; the new counters monotonic across a
// restart; and `promtool check metrics` on the whole exposition (promtool is Debian's
// prometheus package, which .ci/run installs; without it this test fails, never skips).

import { describe, expect, it } from 'vitest';
import { findSamples, parseExposition, sampleValue, type ParsedExposition } from '../../test/helpers/exposition.js';
import { promtoolCheckMetrics, requireTool } from '../../test/helpers/prometheus.js';
import { hexId, makeInfo, makeSample } from '../../test/helpers/samples.js';
import { pickInspectSubset } from '../docker/client.js';
import { toContainerDetails } from '../stats/container-details.js';
import type { ContainerDetails, ContainerSample } from '../stats/types.js';
import {
  addContainerFamilies,
  CADVISOR_COUNTERS_WITHOUT_TOTAL,
  containerLabels,
  labelAllowlist,
  type ContainerPoint,
} from './container-families.js';
import { createExposition } from './exposition.js';
import { createMonotonicCounters } from './monotonic.js';

const MIB = 1024 * 1024;
const MACHINE = { cpuCores: 4, memoryBytes: 8 * 1024 * MIB };
const WEB = hexId('ab');
const INFO = makeInfo({ id: WEB, name: 'web', image: 'nginx:1.27', createdSeconds: 1_700_000_123 });
const SCRAPE_MS = Date.parse('2026-11-25T12:00:07.900Z');
const STARTED_AT = '2026-11-25T11:00:00.750Z';
const WEB_LABELS = { id: `/docker/${WEB}`, image: 'nginx:1.27', name: 'web' };

/** What `docker run --cpus 1.5 --cpu-shares 512 -m 256m --memory-reservation 128m` stores, through the real inspect path. */
const LIMITED = toContainerDetails(
  pickInspectSubset({
    State: { StartedAt: STARTED_AT },
    HostConfig: { NanoCpus: 1_500_000_000, CpuQuota: 0, CpuPeriod: 0, CpuShares: 512, Memory: 256 * MIB, MemoryReservation: 128 * MIB, MemorySwap: 512 * MIB },
    Config: { Env: ['PASSWORD=not-exported'] },
  }),
);

/** A plain `docker run`: every setting left to its default. */
const UNSET = toContainerDetails(
  pickInspectSubset({
    State: { StartedAt: STARTED_AT },
    HostConfig: { NanoCpus: 0, CpuQuota: 0, CpuPeriod: 0, CpuShares: 0, Memory: 0, MemoryReservation: 0, MemorySwap: 0 },
  }),
);

function point(details: ContainerDetails | null, sample: Partial<ContainerSample> = {}): ContainerPoint {
  return {
    info: INFO,
    // Read 2.4 s before the scrape, as a stream sample usually is.
    sample: makeSample(SCRAPE_MS - 2400, {
      memoryLimitBytes: 256 * MIB,
      pids: 3,
      blockDevices: [
        { major: 8, minor: 0, readBytes: 4096, writeBytes: 8192, readOps: 120, writeOps: 340 },
        { major: 259, minor: 1, readBytes: 512, writeBytes: 0, readOps: 7, writeOps: 0 },
      ],
      ...sample,
    }),
    details,
    seenAtMs: SCRAPE_MS,
    labels: containerLabels(INFO, labelAllowlist([])),
    adjust: (_key, raw) => raw,
  };
}

function renderText(points: readonly ContainerPoint[]): string {
  const exposition = createExposition();
  addContainerFamilies(exposition, points, MACHINE);
  return exposition.render();
}

function render(points: readonly ContainerPoint[]): ParsedExposition {
  const parsed = parseExposition(renderText(points));
  expect(parsed.problems).toEqual([]);
  return parsed;
}

describe('the families cAdvisor has and dockmon added (issue 15)', () => {
  it.each<[name: string, type: string, help: string, extra: Record<string, string>, value: number]>([
    ['container_fs_reads_total', 'counter', 'Cumulative count of reads completed', { device: '8:0' }, 120],
    ['container_fs_reads_total', 'counter', 'Cumulative count of reads completed', { device: '259:1' }, 7],
    ['container_fs_writes_total', 'counter', 'Cumulative count of writes completed', { device: '8:0' }, 340],
    ['container_fs_writes_total', 'counter', 'Cumulative count of writes completed', { device: '259:1' }, 0],
    // --cpus 1.5: the daemon writes a 150 ms quota in the default 100 ms period.
    ['container_spec_cpu_period', 'gauge', 'CPU period of the container.', {}, 100_000],
    ['container_spec_cpu_quota', 'gauge', 'CPU quota of the container.', {}, 150_000],
    ['container_spec_cpu_shares', 'gauge', 'CPU share of the container.', {}, 512],
    ['container_spec_memory_limit_bytes', 'gauge', 'Memory limit for the container.', {}, 256 * MIB],
    ['container_spec_memory_reservation_limit_bytes', 'gauge', 'Memory reservation limit for the container.', {}, 128 * MIB],
    ['container_spec_memory_swap_limit_bytes', 'gauge', 'Memory swap limit for the container.', {}, 512 * MIB],
    ['container_processes', 'gauge', 'Number of processes running inside the container.', {}, 3],
    ['container_start_time_seconds', 'gauge', 'Start time of the container since unix epoch in seconds.', {}, Date.parse('2026-11-25T11:00:00Z') / 1000],
    ['container_creation_time_seconds', 'gauge', 'Container creation time since unix epoch in seconds.', {}, 1_700_000_123],
    // The scrape's second, not the sample's (2.4 s earlier).
    ['container_last_seen', 'gauge', 'Last time a container was seen by the exporter', {}, Date.parse('2026-11-25T12:00:07Z') / 1000],
  ])('%s is a %s with cAdvisor\'s help %j, labels id, image, name and %j, value %d', (name, type, help, extra, value) => {
    const parsed = render([point(LIMITED)]);
    expect(parsed.type.get(name)).toBe(type);
    expect(parsed.help.get(name)).toBe(help);
    const [sample, ...others] = findSamples(parsed, name, extra);
    expect(others).toEqual([]);
    expect(sample?.labels).toEqual({ ...WEB_LABELS, ...extra });
    expect(sample?.value).toBe(value);
  });

  it('writes what cAdvisor writes for settings left unset: the kernel defaults, 0 for no limit, no quota series', () => {
    // The daemon reports host RAM as the limit of an unlimited container.
    const parsed = render([point(UNSET, { memoryLimitBytes: MACHINE.memoryBytes })]);
    expect(sampleValue(parsed, 'container_spec_cpu_period')).toBe(100_000);
    expect(sampleValue(parsed, 'container_spec_cpu_shares')).toBe(1024);
    expect(findSamples(parsed, 'container_spec_cpu_quota')).toEqual([]);
    expect(sampleValue(parsed, 'container_spec_memory_limit_bytes')).toBe(0);
    expect(sampleValue(parsed, 'container_spec_memory_reservation_limit_bytes')).toBe(0);
    expect(sampleValue(parsed, 'container_spec_memory_swap_limit_bytes')).toBe(0);
  });

  it('reads --memory-swap -1 (unlimited swap) as 0', () => {
    const details = toContainerDetails({ HostConfig: { Memory: 256 * MIB, MemorySwap: -1 } });
    expect(sampleValue(render([point(details)]), 'container_spec_memory_swap_limit_bytes')).toBe(0);
  });

  it('leaves out the inspect families until inspect answers, rather than guess', () => {
    const parsed = render([point(null)]);
    for (const name of [
      'container_spec_cpu_period',
      'container_spec_cpu_quota',
      'container_spec_cpu_shares',
      'container_spec_memory_reservation_limit_bytes',
      'container_spec_memory_swap_limit_bytes',
      'container_start_time_seconds',
    ]) {
      expect(findSamples(parsed, name), name).toEqual([]);
      expect(parsed.type.get(name), name).toBe('gauge');
    }
    // From the sample and the container list: there already.
    expect(sampleValue(parsed, 'container_spec_memory_limit_bytes')).toBe(256 * MIB);
    expect(sampleValue(parsed, 'container_creation_time_seconds')).toBe(1_700_000_123);
    expect(sampleValue(parsed, 'container_fs_reads_total', { device: '8:0' })).toBe(120);
  });

  it('falls back to the creation time for a start time Docker did not give (Go zero time), as cAdvisor', () => {
    const details = toContainerDetails({ State: { StartedAt: '0001-01-01T00:00:00Z' } });
    expect(sampleValue(render([point(details)]), 'container_start_time_seconds')).toBe(1_700_000_123);
  });

  it('has no container_processes series when the pids count is unknown (0)', () => {
    expect(findSamples(render([point(LIMITED, { pids: 0 })]), 'container_processes')).toEqual([]);
  });

  it('keeps the operation counters monotonic across a restart, with the other counters', () => {
    let nowMs = SCRAPE_MS;
    const monotonic = createMonotonicCounters({ retentionMs: 600_000, now: () => nowMs });
    const scrape = (sample: Partial<ContainerSample>): ParsedExposition => {
      const p = point(LIMITED, sample);
      return render([{ ...p, adjust: monotonic.container(WEB, p.sample.cpuUsageNs) }]);
    };
    const device = (readOps: number, writeOps: number): ContainerSample['blockDevices'] => [
      { major: 8, minor: 0, readBytes: 0, writeBytes: 0, readOps, writeOps },
    ];
    scrape({ cpuUsageNs: 50e9, blockDevices: device(1000, 2000) });
    nowMs += 5000;
    // Restarted: a new cgroup, CPU time and the kernel's I/O counts start again.
    const after = scrape({ cpuUsageNs: 1e9, blockDevices: device(5, 9) });
    expect(sampleValue(after, 'container_fs_reads_total', { device: '8:0' })).toBe(1005);
    expect(sampleValue(after, 'container_fs_writes_total', { device: '8:0' })).toBe(2009);
  });

  it('passes promtool check metrics, but for the cAdvisor counter named without _total', async () => {
    await requireTool('promtool');
    const dbInfo = makeInfo({ id: hexId('cd'), name: 'db', image: 'postgres' });
    const db = { ...point(UNSET, { memoryLimitBytes: MACHINE.memoryBytes }), info: dbInfo, labels: containerLabels(dbInfo, labelAllowlist([])) };
    const result = await promtoolCheckMetrics(renderText([point(LIMITED), db]));
    const problems = result.output.split('\n').filter((line) => line.trim() !== '');
    const unexpected = problems.filter(
      (line) => !CADVISOR_COUNTERS_WITHOUT_TOTAL.some((name) => line.startsWith(`${name} counter metrics should have "_total" suffix`)),
    );
    expect(unexpected).toEqual([]);
    if (problems.length === 0) expect(result.code).toBe(0);
  });
});
