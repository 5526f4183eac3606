// /metrics beyond the containers' own samples: the host as cAdvisor's root cgroup
// (id="/", the series Grafana 893's host panels query) and container_fs_usage_bytes from
// the writable-layer size lists, over an in-memory store; then both through the whole
// agent in-process over the fake Engine, with HOST_CGROUP and HOST_PROC on the captured
// root cgroup tree.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildRootSample } from '../src/kernel/root-sample.js';
import { CONTAINER_FAMILIES } from '../src/metrics/container-families.js';
import { createMetricsExporter, STALE_SERIES_AFTER_MS, type MetricsSource } from '../src/metrics/exporter.js';
import type { FsUsageSource } from '../src/metrics/fs-usage-family.js';
import { ROOT_SERIES } from '../src/metrics/root-families.js';
import { createStore, type Store } from '../src/sampler/store.js';
import type { RootCgroupSample } from '../src/stats/host-sample.js';
import { findSamples, parseExposition, sampleValue, type ParsedExposition } from './helpers/exposition.js';
import { useAgentOverFake } from './helpers/in-process-agent.js';
import { until } from './helpers/until.js';
import { hexId, makeInfo, makeSample } from './helpers/samples.js';

const fixtures = fileURLToPath(new URL('fixtures/', import.meta.url));
const rootV1 = path.join(fixtures, 'root-cgroup-v1');
const START_MS = Date.parse('2026-11-30T19:11:00.000Z');
const WEB = hexId('ab');
const DB = hexId('cd');
const GIB = 1024 ** 3;

const ROOT: RootCgroupSample = {
  readMs: START_MS - 400,
  cpuUsageNs: 14_818_084_727_864,
  cpuUserNs: 10_334_880_000_000,
  cpuSystemNs: 4_483_190_000_000,
  memoryUsageBytes: 1_941_753_856,
  memoryWorkingSetBytes: 1_272_369_152,
  memoryRssBytes: 259_764_224,
  memoryCacheBytes: 1_682_100_224,
  memorySwapBytes: 0,
  memoryTotalBytes: 25_276_063_744,
  networkInterfaces: [
    { name: 'eth0', rxBytes: 782_182_742, rxPackets: 24_204, rxErrors: 0, rxDropped: 0, txBytes: 1_728_603, txPackets: 17_334, txErrors: 0, txDropped: 0 },
    { name: 'ifb0', rxBytes: 0, rxPackets: 0, rxErrors: 0, rxDropped: 0, txBytes: 0, txPackets: 0, txErrors: 0, txDropped: 0 },
  ],
};

let nowMs: number;
let store: Store;

function render(extra: Partial<MetricsSource> = {}): ParsedExposition {
  const exporter = createMetricsExporter({
    store,
    logStatus: () => ({ ok: true }),
    machine: { cpuCores: 2, memoryBytes: 8 * GIB },
    labelKeys: [],
    version: 'test',
    runtimeVersion: 'v20.0.0',
    startedAtMs: START_MS - 60_000,
    now: () => nowMs,
    elapsedMs: () => 0,
    processFacts: () => ({ residentBytes: 1, cpuSeconds: 1, openFds: 1, heapUsedBytes: 1, heapTotalBytes: 1, externalBytes: 1 }),
    ...extra,
  });
  const parsed = parseExposition(exporter.render());
  expect(parsed.problems).toEqual([]);
  return parsed;
}

beforeEach(() => {
  nowMs = START_MS;
  store = createStore({ historySize: 10, now: () => nowMs });
  store.upsert(makeInfo({ id: WEB, name: 'web', image: 'nginx:1.27' }));
  store.upsert(makeInfo({ id: DB, name: 'db', image: 'postgres' }));
  store.recordSample(WEB, makeSample(nowMs));
  store.recordSample(DB, makeSample(nowMs));
});

/** The 893 targets that select id="/", with $interval filled as the fixtures README says. */
function dashboardRootQueries(): { expr: string; metrics: string[] }[] {
  const panels = JSON.parse(readFileSync(path.join(fixtures, 'dashboards', 'panel-queries.json'), 'utf8')) as {
    queries: { expr: string; metrics: string[] }[];
  };
  return panels.queries.filter((query) => query.expr.includes('id="/"'));
}

describe('the root cgroup (id="/")', () => {
  it('puts every root series in a family cAdvisor has for containers, under the same HELP and TYPE', () => {
    const names = new Set(CONTAINER_FAMILIES.map((family) => family.name));
    for (const [name] of ROOT_SERIES) expect(names.has(name), name).toBe(true);
  });

  it('exports the host with id="/" alone, no name or image (dashboards filter containers with image!="")', () => {
    const parsed = render({ rootCgroup: () => ROOT });
    const root = parsed.samples.filter((sample) => sample.labels['id'] === '/');
    expect(new Set(root.map((sample) => sample.name))).toEqual(new Set(ROOT_SERIES.map(([name]) => name)));
    for (const sample of root) {
      expect(Object.keys(sample.labels).filter((key) => key !== 'cpu' && key !== 'interface'), sample.name).toEqual(['id']);
    }
    // The containers are still there, in the same families.
    expect(findSamples(parsed, 'container_memory_usage_bytes').map((sample) => sample.labels['id']).sort()).toEqual(
      ['/', `/docker/${DB}`, `/docker/${WEB}`].sort(),
    );
  });

  it('exports the figures in cAdvisor units', () => {
    const parsed = render({ rootCgroup: () => ROOT });
    const root = (name: string, labels: Record<string, string> = {}): number => sampleValue(parsed, name, { id: '/', ...labels });
    expect(root('container_cpu_usage_seconds_total', { cpu: 'total' })).toBeCloseTo(14_818.084727864, 9);
    expect(root('container_cpu_user_seconds_total')).toBe(10_334.88);
    expect(root('container_cpu_system_seconds_total')).toBe(4_483.19);
    expect(root('container_memory_usage_bytes')).toBe(1_941_753_856);
    expect(root('container_memory_working_set_bytes')).toBe(1_272_369_152);
    expect(root('container_memory_rss')).toBe(259_764_224);
    expect(root('container_memory_cache')).toBe(1_682_100_224);
    expect(root('container_memory_swap')).toBe(0);
    expect(root('container_spec_memory_limit_bytes')).toBe(25_276_063_744);
    expect(root('container_network_receive_bytes_total', { interface: 'eth0' })).toBe(782_182_742);
    expect(root('container_network_transmit_packets_total', { interface: 'eth0' })).toBe(17_334);
    expect(findSamples(parsed, 'container_network_receive_bytes_total', { id: '/' })).toHaveLength(2);
    expect(root('container_last_seen')).toBe(START_MS / 1000);
  });

  it("answers every Grafana 893 query on id=\"/\"", () => {
    const parsed = render({ rootCgroup: () => ROOT });
    const queries = dashboardRootQueries();
    expect(queries.length).toBeGreaterThanOrEqual(6);
    for (const query of queries) {
      for (const metric of query.metrics.filter((name) => name.startsWith('container_'))) {
        expect(findSamples(parsed, metric, { id: '/' }).length, `${metric} in ${query.expr}`).toBeGreaterThan(0);
      }
    }
  });

  it('leaves swap out when the kernel does not account it, and the whole root out when it cannot be read', () => {
    expect(findSamples(render({ rootCgroup: () => ({ ...ROOT, memorySwapBytes: null }) }), 'container_memory_swap', { id: '/' })).toEqual([]);
    const parsed = render({ rootCgroup: () => null });
    expect(parsed.samples.filter((sample) => sample.labels['id'] === '/')).toEqual([]);
    expect(render().samples.filter((sample) => sample.labels['id'] === '/')).toEqual([]);
  });

  it('matches the captured v1 root read through buildRootSample', () => {
    const read = (file: string): string => readFileSync(path.join(rootV1, file), 'latin1');
    const sample = buildRootSample(
      {
        version: 1,
        cpuacctUsage: read('sys/fs/cgroup/cpuacct/cpuacct.usage'),
        cpuacctStat: read('sys/fs/cgroup/cpuacct/cpuacct.stat'),
        memoryUsage: read('sys/fs/cgroup/memory/memory.usage_in_bytes'),
        memoryStat: read('sys/fs/cgroup/memory/memory.stat'),
        meminfo: read('proc/meminfo'),
        netDev: read('proc/1/net/dev'),
      },
      START_MS - 400,
    );
    expect({ ...sample, networkInterfaces: sample.networkInterfaces.slice(0, 2) }).toEqual(ROOT);
  });
});

describe('container_fs_usage_bytes', () => {
  const source = (sizes: [string, number][], lastListSeconds: number | null = 0.042): FsUsageSource => ({
    sizes: () => new Map(sizes),
    stats: () => ({ lists: 3, failures: 1, lastListSeconds }),
  });

  it("exports each fresh container's writable layer with its id, name and image, and the lists' figures", () => {
    const parsed = render({ fsUsage: source([[WEB, 52_428_800], [hexId('ff'), 9]]) });
    expect(findSamples(parsed, 'container_fs_usage_bytes')).toEqual([
      { name: 'container_fs_usage_bytes', labels: { id: `/docker/${WEB}`, image: 'nginx:1.27', name: 'web' }, value: 52_428_800 },
    ]);
    expect(parsed.type.get('container_fs_usage_bytes')).toBe('gauge');
    expect(parsed.help.get('container_fs_usage_bytes')).toBe('Number of bytes that are consumed by the container on this filesystem.');
    expect(sampleValue(parsed, 'dockmon_fs_usage_lists_total')).toBe(3);
    expect(sampleValue(parsed, 'dockmon_fs_usage_list_errors_total')).toBe(1);
    expect(sampleValue(parsed, 'dockmon_fs_usage_list_duration_seconds')).toBe(0.042);
  });

  it('leaves out a container whose stats went stale, as every container family does', () => {
    nowMs += STALE_SERIES_AFTER_MS + 1;
    store.recordSample(DB, makeSample(nowMs));
    const parsed = render({ fsUsage: source([[WEB, 1], [DB, 2]]) });
    expect(findSamples(parsed, 'container_fs_usage_bytes').map((sample) => sample.labels['name'])).toEqual(['db']);
  });

  it('is left out entirely with FS_USAGE_INTERVAL=0, and has no duration before the first list', () => {
    expect(render().help.has('container_fs_usage_bytes')).toBe(false);
    const parsed = render({ fsUsage: source([], null) });
    expect(parsed.help.has('container_fs_usage_bytes')).toBe(true);
    expect(findSamples(parsed, 'dockmon_fs_usage_list_duration_seconds')).toEqual([]);
  });
});

describe('the agent in-process over the fake Engine', () => {
  const startAgent = useAgentOverFake();

  it('serves the host from HOST_CGROUP/HOST_PROC and the writable layers from size=1 lists', async () => {
    const { base, fake, prepared: web } = await startAgent({
      prepare: (fake) => fake.addContainer({ name: 'web', sizeRw: 1_048_576 }),
      args: ['--stats-source', 'api', '--fs-usage-interval', '10s'],
      env: { HOST_CGROUP: path.join(rootV1, 'sys/fs/cgroup'), HOST_PROC: path.join(rootV1, 'proc') },
      logLevel: 'error',
      app: { fsUsageFirstDelayMs: 0 },
    });
    const parsed = await until('the writable layers on /metrics', async () => {
      const exposition = parseExposition(await (await fetch(`${base}/metrics`)).text());
      return findSamples(exposition, 'container_fs_usage_bytes').length > 0 ? exposition : undefined;
    });
    expect(parsed.problems).toEqual([]);
    expect(sampleValue(parsed, 'container_fs_usage_bytes', { name: 'web' })).toBe(1_048_576);
    expect(sampleValue(parsed, 'container_memory_usage_bytes', { id: '/' })).toBe(1_941_753_856);
    expect(sampleValue(parsed, 'container_cpu_user_seconds_total', { id: '/' })).toBe(10_334.88);
    expect(findSamples(parsed, 'container_network_transmit_bytes_total', { id: '/' }).map((sample) => sample.labels['interface'])).toEqual([
      'eth0',
      'ifb0',
      'ifb1',
    ]);
    const sizeLists = fake.requests.filter((request) => request.query['size'] !== undefined);
    expect(sizeLists.map((request) => request.url)).toEqual(['/v1.41/containers/json?size=1']);
    expect(web.id).toHaveLength(64);
  });
});
