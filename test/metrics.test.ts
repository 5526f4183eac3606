// /metrics over an in-memory store: cAdvisor's families and labels, the opt-in Docker
// label allowlist, escaping, counters that never go down across a container restart,
// stale containers left out, dockmon's own families, the HTTP answer, and the wiring of
// the whole agent over the fake Engine. No Docker involved.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRequestHandler } from '../src/http/server.js';
import { SHARED_RENDER_MAX_AGE_MS } from '../src/http/shared-render.js';
import { CADVISOR_COUNTERS_WITHOUT_TOTAL, CONTAINER_FAMILIES } from '../src/metrics/container-families.js';
import { createMetricsExporter, STALE_SERIES_AFTER_MS, type MetricsExporter } from '../src/metrics/exporter.js';
import { createStore, type Store } from '../src/sampler/store.js';
import { toContainerDetails } from '../src/stats/container-details.js';
import type { ContainerSample } from '../src/stats/types.js';
import { findSamples, parseExposition, sampleValue, type ParsedExposition } from './helpers/exposition.js';
import { useAgentOverFake } from './helpers/in-process-agent.js';
import { until } from './helpers/until.js';
import { testAppDeps } from './helpers/app-deps.js';
import { listen } from './helpers/listen.js';
import { hexId, makeInfo, makeSample } from './helpers/samples.js';

const GIB = 1024 ** 3;
const MACHINE = { cpuCores: 4, memoryBytes: 8 * GIB };
const START_MS = Date.parse('2026-11-25T12:00:00.000Z');
const WEB = hexId('ab');
const DB = hexId('cd');

let clock: { nowMs: number };
let store: Store;
let logStatus: { ok: boolean; linesWritten: number; linesDropped: number };

function exporterWith(labelKeys: readonly string[] = []): MetricsExporter {
  return createMetricsExporter({
    store,
    logStatus: () => logStatus,
    machine: MACHINE,
    labelKeys,
    version: '1.2.3',
    runtimeVersion: 'v20.0.0',
    startedAtMs: START_MS - 60_000,
    now: () => clock.nowMs,
    elapsedMs: () => clock.nowMs,
    processFacts: () => PROCESS_FACTS,
  });
}

const PROCESS_FACTS = {
  residentBytes: 70 * 1024 * 1024,
  cpuSeconds: 12.5,
  openFds: 34,
  heapUsedBytes: 9 * 1024 * 1024,
  heapTotalBytes: 20 * 1024 * 1024,
  externalBytes: 2 * 1024 * 1024,
};

function scrape(exporter: MetricsExporter): ParsedExposition {
  const parsed = parseExposition(exporter.render());
  expect(parsed.problems).toEqual([]);
  return parsed;
}

/** Record a sample read `clock.nowMs`, so it is fresh. */
function record(id: string, overrides: Partial<ContainerSample> = {}): void {
  store.recordSample(id, makeSample(clock.nowMs, overrides));
}

beforeEach(() => {
  clock = { nowMs: START_MS };
  store = createStore({ historySize: 10, now: () => clock.nowMs });
  store.setDocker({ state: 'connected', message: null, hint: null, apiVersion: '1.41', server: 'Docker/test' });
  logStatus = { ok: true, linesWritten: 7, linesDropped: 0 };
  store.upsert(
    makeInfo({
      id: WEB,
      name: 'web',
      image: 'nginx:1.27',
      createdSeconds: 1_700_000_123,
      labels: { 'com.docker.compose.service': 'web', 'secret.token': 's3cr3t', quirky: 'a"b\\c\nd' },
    }),
  );
  store.upsert(makeInfo({ id: DB, name: 'db', image: 'postgres' }));
  record(WEB, { memoryLimitBytes: 64 * 1024 * 1024 });
  record(DB, { memoryLimitBytes: MACHINE.memoryBytes });
});

describe('the exposition', () => {
  it('has every cAdvisor family, machine and dockmon family, each with one HELP and one TYPE', () => {
    const parsed = scrape(exporterWith());
    const expected = [
      ...CONTAINER_FAMILIES.map((family) => family.name),
      'machine_cpu_cores',
      'machine_memory_bytes',
      'dockmon_build_info',
      'dockmon_scrape_duration_seconds',
      'dockmon_docker_up',
      'dockmon_stats_stream_reconnects_total',
      'dockmon_event_stream_reconnects_total',
      'dockmon_log_writable',
      'dockmon_log_lines_dropped_total',
      'dockmon_containers_by_source',
      'dockmon_kernel_fallbacks_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_open_fds',
      'nodejs_heap_size_used_bytes',
    ];
    for (const name of expected) {
      expect(parsed.help.get(name), `HELP of ${name}`).toBeTruthy();
      expect(parsed.type.get(name), `TYPE of ${name}`).toMatch(/^(counter|gauge)$/);
    }
    // Counters are named *_total, as Prometheus' own lint wants, but for the one counter
    // cAdvisor names otherwise: dashboards query that name.
    for (const [name, type] of parsed.type) {
      if (type === 'counter' && !CADVISOR_COUNTERS_WITHOUT_TOTAL.includes(name)) expect(name).toMatch(/_total$/);
    }
  });

  it('labels every container series with cAdvisor id, name and image, and no Docker label by default', () => {
    const parsed = scrape(exporterWith());
    expect(findSamples(parsed, 'container_memory_working_set_bytes').map((sample) => sample.labels)).toEqual([
      { id: `/docker/${DB}`, image: 'postgres', name: 'db' },
      { id: `/docker/${WEB}`, image: 'nginx:1.27', name: 'web' },
    ]);
    for (const sample of parsed.samples) {
      for (const name of Object.keys(sample.labels)) expect(name.startsWith('container_label_')).toBe(false);
    }
  });

  it('adds only allowlisted Docker labels, named as cAdvisor does, with values escaped', () => {
    const exporter = exporterWith(['com.docker.compose.service', 'quirky', 'not.set']);
    const text = exporter.render();
    expect(text).toContain('container_label_quirky="a\\"b\\\\c\\nd"');
    expect(text).not.toContain('s3cr3t');
    const parsed = scrape(exporter);
    expect(findSamples(parsed, 'container_threads', { name: 'web' })[0]?.labels).toEqual({
      id: `/docker/${WEB}`,
      image: 'nginx:1.27',
      name: 'web',
      container_label_com_docker_compose_service: 'web',
      container_label_quirky: 'a"b\\c\nd',
    });
    // db has none of those labels: it gets none, not empty ones.
    expect(Object.keys(findSamples(parsed, 'container_threads', { name: 'db' })[0]?.labels ?? {})).toEqual(['id', 'image', 'name']);
  });

  it('escapes names and images that hold quotes, backslashes and line feeds', () => {
    const id = hexId('ee');
    store.upsert(makeInfo({ id, name: 'we"ird\\na\nme', image: 'img"\n' }));
    record(id);
    const parsed = scrape(exporterWith());
    expect(sampleValue(parsed, 'container_threads', { name: 'we"ird\\na\nme', image: 'img"\n' })).toBe(3);
  });

  it('exports the sample values in cAdvisor units', () => {
    store.setDetails(WEB, toContainerDetails({ State: { StartedAt: '2026-11-25T11:30:00.250Z' } }));
    // The scrape comes 2.5 s after the sample: container_last_seen is the scrape's time, as cAdvisor's.
    clock.nowMs += 2500;
    const parsed = scrape(exporterWith());
    const web = { name: 'web' };
    expect(sampleValue(parsed, 'container_cpu_usage_seconds_total', { ...web, cpu: 'total' })).toBe(1);
    expect(sampleValue(parsed, 'container_cpu_user_seconds_total', web)).toBe(0.75);
    expect(sampleValue(parsed, 'container_cpu_system_seconds_total', web)).toBe(0.25);
    expect(sampleValue(parsed, 'container_memory_usage_bytes', web)).toBe(50 * 1024 * 1024);
    expect(sampleValue(parsed, 'container_memory_working_set_bytes', web)).toBe(40 * 1024 * 1024);
    expect(sampleValue(parsed, 'container_memory_rss', web)).toBe(30 * 1024 * 1024);
    expect(sampleValue(parsed, 'container_memory_cache', web)).toBe(20 * 1024 * 1024);
    expect(sampleValue(parsed, 'container_spec_memory_limit_bytes', web)).toBe(64 * 1024 * 1024);
    // Unlimited: the daemon reports host RAM as the limit; cAdvisor says 0.
    expect(sampleValue(parsed, 'container_spec_memory_limit_bytes', { name: 'db' })).toBe(0);
    expect(sampleValue(parsed, 'container_network_receive_bytes_total', { ...web, interface: 'eth0' })).toBe(2048);
    expect(sampleValue(parsed, 'container_network_transmit_packets_total', { ...web, interface: 'eth0' })).toBe(10);
    expect(sampleValue(parsed, 'container_network_receive_packets_dropped_total', { ...web, interface: 'eth0' })).toBe(0);
    expect(sampleValue(parsed, 'container_fs_reads_bytes_total', { ...web, device: '8:0' })).toBe(4096);
    expect(sampleValue(parsed, 'container_fs_writes_bytes_total', { ...web, device: '8:0' })).toBe(8192);
    expect(sampleValue(parsed, 'container_threads', web)).toBe(3);
    expect(sampleValue(parsed, 'container_last_seen', web)).toBe(START_MS / 1000 + 2);
    // The current run's start (inspect's State.StartedAt), as cAdvisor >= 0.57; Created has its own family.
    expect(sampleValue(parsed, 'container_start_time_seconds', web)).toBe(Date.parse('2026-11-25T11:30:00Z') / 1000);
    expect(sampleValue(parsed, 'container_creation_time_seconds', web)).toBe(1_700_000_123);
    expect(sampleValue(parsed, 'machine_cpu_cores')).toBe(4);
    expect(sampleValue(parsed, 'machine_memory_bytes')).toBe(8 * GIB);
  });

  it('exports the CFS families only for a container with a CPU quota (periods counted)', () => {
    record(WEB, { cpuCfsPeriods: 335, cpuCfsThrottledPeriods: 334, cpuCfsThrottledNs: 16_602_532_561 });
    const parsed = scrape(exporterWith());
    expect(sampleValue(parsed, 'container_cpu_cfs_periods_total', { name: 'web' })).toBe(335);
    expect(sampleValue(parsed, 'container_cpu_cfs_throttled_periods_total', { name: 'web' })).toBe(334);
    expect(sampleValue(parsed, 'container_cpu_cfs_throttled_seconds_total', { name: 'web' })).toBe(16.602532561);
    expect(findSamples(parsed, 'container_cpu_cfs_periods_total', { name: 'db' })).toEqual([]);
  });

  it('leaves out containers without a sample and those whose last record is stale', () => {
    const fresh = hexId('f0');
    store.upsert(makeInfo({ id: fresh, name: 'waiting' }));
    clock.nowMs += STALE_SERIES_AFTER_MS;
    record(DB);
    let parsed = scrape(exporterWith());
    expect(findSamples(parsed, 'container_threads').map((sample) => sample.labels['name'])).toEqual(['db', 'web']);
    clock.nowMs += 1;
    parsed = scrape(exporterWith());
    expect(findSamples(parsed, 'container_threads').map((sample) => sample.labels['name'])).toEqual(['db']);
    expect(sampleValue(parsed, 'dockmon_containers')).toBe(3);
    expect(sampleValue(parsed, 'dockmon_containers_exported')).toBe(1);
  });
});

describe('counters across a container restart', () => {
  const counterNames = (parsed: ParsedExposition): string[] =>
    [...parsed.type].filter(([, type]) => type === 'counter').map(([name]) => name).filter((name) => name.startsWith('container_'));

  function counterValues(parsed: ParsedExposition, name: string): Map<string, number> {
    const values = new Map<string, number>();
    for (const sample of parsed.samples) {
      if (!counterNames(parsed).includes(sample.name) || sample.labels['name'] !== name) continue;
      values.set(`${sample.name}${JSON.stringify(sample.labels)}`, sample.value);
    }
    return values;
  }

  it('never go down for a series: the restarted container continues from its old totals', () => {
    const exporter = exporterWith();
    const busy: Partial<ContainerSample> = {
      cpuUsageNs: 50e9,
      cpuUserNs: 40e9,
      cpuSystemNs: 10e9,
      cpuCfsPeriods: 1000,
      cpuCfsThrottledPeriods: 900,
      cpuCfsThrottledNs: 30e9,
      networkInterfaces: [{ name: 'eth0', rxBytes: 1e6, rxPackets: 900, rxErrors: 1, rxDropped: 2, txBytes: 5e5, txPackets: 400, txErrors: 0, txDropped: 0 }],
      blockDevices: [{ major: 8, minor: 0, readBytes: 1e7, writeBytes: 2e7, readOps: 1200, writeOps: 3400 }],
    };
    record(WEB, busy);
    const before = counterValues(scrape(exporter), 'web');
    expect(before.size).toBeGreaterThanOrEqual(15);

    // docker restart web: the die event removes it from the store; it comes back under
    // the same ID with every Docker counter started again near 0.
    clock.nowMs += 1000;
    store.remove(WEB);
    const during = scrape(exporter);
    expect(findSamples(during, 'container_cpu_usage_seconds_total', { name: 'web' })).toEqual([]);
    clock.nowMs += 3000;
    store.upsert(makeInfo({ id: WEB, name: 'web', image: 'nginx:1.27' }));
    record(WEB, {
      cpuUsageNs: 0.2e9,
      cpuUserNs: 0.1e9,
      cpuSystemNs: 0.1e9,
      cpuCfsPeriods: 3,
      cpuCfsThrottledPeriods: 1,
      cpuCfsThrottledNs: 0.01e9,
      networkInterfaces: [{ name: 'eth0', rxBytes: 2e6, rxPackets: 10, rxErrors: 0, rxDropped: 0, txBytes: 100, txPackets: 1, txErrors: 0, txDropped: 0 }],
      blockDevices: [{ major: 8, minor: 0, readBytes: 4096, writeBytes: 0, readOps: 1, writeOps: 0 }],
    });
    const after = counterValues(scrape(exporter), 'web');
    for (const [series, value] of before) {
      expect(after.get(series), series).toBeGreaterThanOrEqual(value);
    }
    expect(after.get(`container_cpu_usage_seconds_total${JSON.stringify({ id: `/docker/${WEB}`, image: 'nginx:1.27', name: 'web', cpu: 'total' })}`)).toBeCloseTo(50.2, 9);
    // rx passed its old value in the new namespace; the restart is still counted in.
    expect(after.get(`container_network_receive_bytes_total${JSON.stringify({ id: `/docker/${WEB}`, image: 'nginx:1.27', name: 'web', interface: 'eth0' })}`)).toBe(3e6);

    // Another container is not affected.
    expect(sampleValue(scrape(exporter), 'container_cpu_usage_seconds_total', { name: 'db' })).toBe(1);
  });
});

describe('dockmon self metrics', () => {
  it('reports Docker reachability, stream reconnects, the stats log and the build', () => {
    const exporter = exporterWith();
    store.count('statsStreamReconnects');
    store.count('statsStreamReconnects');
    store.count('eventStreamReconnects');
    store.setStreamsOpen(2);
    logStatus = { ok: false, linesWritten: 10, linesDropped: 4 };
    let parsed = scrape(exporter);
    expect(sampleValue(parsed, 'dockmon_docker_up')).toBe(1);
    expect(sampleValue(parsed, 'dockmon_stats_stream_reconnects_total')).toBe(2);
    expect(sampleValue(parsed, 'dockmon_event_stream_reconnects_total')).toBe(1);
    expect(sampleValue(parsed, 'dockmon_stats_streams_open')).toBe(2);
    expect(sampleValue(parsed, 'dockmon_log_writable')).toBe(0);
    expect(sampleValue(parsed, 'dockmon_log_lines_written_total')).toBe(10);
    expect(sampleValue(parsed, 'dockmon_log_lines_dropped_total')).toBe(4);
    expect(sampleValue(parsed, 'dockmon_build_info', { version: '1.2.3', nodejs: 'v20.0.0' })).toBe(1);
    expect(sampleValue(parsed, 'dockmon_start_time_seconds')).toBe((START_MS - 60_000) / 1000);
    expect(sampleValue(parsed, 'dockmon_scrape_duration_seconds')).toBeGreaterThanOrEqual(0);
    expect(sampleValue(parsed, 'process_resident_memory_bytes')).toBe(PROCESS_FACTS.residentBytes);
    expect(sampleValue(parsed, 'process_cpu_seconds_total')).toBe(12.5);
    expect(sampleValue(parsed, 'process_open_fds')).toBe(34);
    expect(sampleValue(parsed, 'nodejs_heap_size_used_bytes')).toBe(PROCESS_FACTS.heapUsedBytes);
    expect(sampleValue(parsed, 'nodejs_heap_size_total_bytes')).toBe(PROCESS_FACTS.heapTotalBytes);
    expect(sampleValue(parsed, 'nodejs_external_memory_bytes')).toBe(PROCESS_FACTS.externalBytes);

    store.setDocker({ state: 'unavailable', message: 'gone', hint: null, apiVersion: null, server: null });
    parsed = scrape(exporter);
    expect(sampleValue(parsed, 'dockmon_docker_up')).toBe(0);
  });
});

describe('GET /metrics', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function serve(): Promise<string> {
    const handler = createRequestHandler(
      testAppDeps(
        { store, now: () => clock.nowMs, sharedMaxAgeMs: SHARED_RENDER_MAX_AGE_MS },
        { metrics: exporterWith(), version: '1.2.3', startedAtMs: START_MS },
      ),
    );
    const server = await listen(handler);
    close = server.close;
    return server.baseUrl;
  }

  it('shares one rendering between the scrapes of a quarter-second, and renders afresh for a new container', async () => {
    const baseUrl = await serve();
    const cpuOf = async (): Promise<number | undefined> =>
      sampleValue(parseExposition(await (await fetch(`${baseUrl}/metrics`)).text()), 'container_cpu_usage_seconds_total', { name: 'web', cpu: 'total' });
    expect(await cpuOf()).toBe(1);
    record(WEB, { cpuUsageNs: 5e9 });
    expect(await cpuOf()).toBe(1);
    clock.nowMs += SHARED_RENDER_MAX_AGE_MS;
    record(WEB, { cpuUsageNs: 5e9 });
    expect(await cpuOf()).toBe(5);

    record(WEB, { cpuUsageNs: 7e9 });
    store.upsert(makeInfo({ id: hexId('ee'), name: 'new' }));
    expect(await cpuOf()).toBe(7);
  });

  it('answers the exposition as text/plain version 0.0.4, never cached; HEAD without a body', async () => {
    const server = { baseUrl: await serve() };
    const response = await fetch(`${server.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const parsed = parseExposition(await response.text());
    expect(parsed.problems).toEqual([]);
    expect(sampleValue(parsed, 'container_cpu_usage_seconds_total', { name: 'web', cpu: 'total' })).toBe(1);

    const head = await fetch(`${server.baseUrl}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('the agent in-process over the fake Engine', () => {
  const startAgent = useAgentOverFake();

  it('serves the containers it samples on /metrics with METRICS_LABELS applied', async () => {
    const { base, prepared: web } = await startAgent({
      prepare: (fake) => fake.addContainer({ name: 'web', labels: { 'com.example.team': 'payments', 'com.example.secret': 'x' } }),
      args: ['--stats-source', 'api'],
      env: { METRICS_LABELS: 'com.example.team, com.docker.compose.service' },
      logLevel: 'error',
    });
    const parsed = await until('web on /metrics', async () => {
      const exposition = parseExposition(await (await fetch(`${base}/metrics`)).text());
      return findSamples(exposition, 'container_cpu_usage_seconds_total', { name: 'web' }).length > 0 ? exposition : undefined;
    });
    expect(parsed.problems).toEqual([]);
    const [sample] = findSamples(parsed, 'container_cpu_usage_seconds_total', { id: `/docker/${web.id}` });
    expect(sample?.labels).toEqual({
      id: `/docker/${web.id}`,
      image: web.image,
      name: 'web',
      cpu: 'total',
      container_label_com_example_team: 'payments',
    });
    expect(sample?.value).toBeGreaterThan(0);
    expect(sampleValue(parsed, 'dockmon_docker_up')).toBe(1);
    expect(sampleValue(parsed, 'machine_cpu_cores')).toBeGreaterThan(0);
  });
});
