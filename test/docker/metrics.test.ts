// /metrics against a real daemon and the real Prometheus tools (Debian's `prometheus`
// package): `promtool check metrics` on the live exposition; a real Prometheus on
// loopback scraping the agent every second with no relabelling; the CPU counter it stores
// against `docker stats` over the CLI's own window for a --cpus 0.5 busy loop (the same
// window: a rate set against readings taken at other moments fails on a busy machine);
// the PromQL of docs/metrics.md; the label allowlist; and counters that do not go
// down across `docker restart`. Figures go to test-results/prometheus-vs-docker.json.
//
// Without a daemon, promtool or prometheus this suite fails in beforeAll; it never skips.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../helpers/agent-process.js';
import { docker, dockerStats, requireDocker } from '../helpers/docker-cli.js';
import { findSamples, parseExposition, type ParsedExposition } from '../helpers/exposition.js';
import { CADVISOR_COUNTERS_WITHOUT_TOTAL } from '../../src/metrics/container-families.js';
import { promtoolCheckMetrics, requireTool, startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';
import { startRecordingProxy } from '../helpers/recording-proxy.js';
import { removeRunContainers, removeStaleRunContainers, RUN_PREFIX, runContainer, sleep } from './containers.js';
import { compareSameWindow, toHistoryPoints } from './same-window.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const REPORT_PATH = path.join(repoRoot, 'test-results', 'prometheus-vs-docker.json');

const BURNER = `${RUN_PREFIX}prom-burner`;
const LABELLED = `${RUN_PREFIX}prom-labelled`;
const RESTARTER = `${RUN_PREFIX}prom-restarter`;
const SERVICE = `dmtest-web-${process.pid}`;
/** Percentage points between the stored counter's CPU % over the CLI's window and the CLI's. */
const CPU_TOLERANCE_POINTS = 5;

let agent: AgentProcess | undefined;
let prometheus: PrometheusServer | undefined;
let setupError: unknown;
let dockerReachable = false;
const ids = new Map<string, string>();
const report: Record<string, unknown> = { generated_at: new Date().toISOString() };

function ready(): { agent: AgentProcess; prometheus: PrometheusServer } {
  if (setupError !== undefined) throw setupError;
  if (agent === undefined || prometheus === undefined) throw new Error('setup did not finish');
  return { agent, prometheus };
}

/** Polls `probe` until it gives a value; the error names `what` and the last problem. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

/**
 * Docker's own cumulative CPU time of a container (one-shot stats straight from the
 * Engine), to show that a restart really started it again.
 */
function rawCpuSeconds(id: string): Promise<number> {
  const fromEnv = process.env['DOCKER_HOST'];
  const socketPath = fromEnv?.startsWith('unix://') ? fromEnv.slice('unix://'.length) : '/var/run/docker.sock';
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path: `/containers/${id}/stats?stream=false&one-shot=true`, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const record = JSON.parse(body) as { cpu_stats?: { cpu_usage?: { total_usage?: number } } };
        resolve((record.cpu_stats?.cpu_usage?.total_usage ?? Number.NaN) / 1e9);
      });
    });
    req.on('timeout', () => req.destroy(new Error('no stats answer from the Engine within 10 s')));
    req.on('error', reject);
  });
}

async function scrapeAgent(running: AgentProcess): Promise<{ text: string; parsed: ParsedExposition }> {
  const answer = await running.get('/metrics');
  expect(answer.status).toBe(200);
  return { text: answer.body, parsed: parseExposition(answer.body) };
}

beforeAll(async () => {
  try {
    report['docker'] = await requireDocker();
    dockerReachable = true;
    report['promtool'] = await requireTool('promtool');
    report['prometheus'] = await requireTool('prometheus');
    await removeStaleRunContainers();
    const [burner, labelled, restarter] = await Promise.all([
      runContainer(BURNER, ['--cpus', '0.5'], ['sh', '-c', 'while :; do :; done']),
      runContainer(
        LABELLED,
        ['-m', '64m', '--label', `com.docker.compose.service=${SERVICE}`, '--label', 'com.example.secret=do-not-export'],
        ['sleep', '100000'],
      ),
      // A light busy loop: its CPU time grows steadily, so a restart shows as that time going down.
      runContainer(RESTARTER, ['--cpus', '0.1'], ['sh', '-c', 'while :; do :; done']),
    ]);
    ids.set(BURNER, burner ?? '').set(LABELLED, labelled ?? '').set(RESTARTER, restarter ?? '');
    agent = await startAgent({ env: { METRICS_LABELS: 'com.docker.compose.service' } });
    prometheus = await startPrometheus([`127.0.0.1:${agent.port}`]);
  } catch (error) {
    setupError = error;
  }
});

afterAll(async () => {
  await prometheus?.stop();
  await agent?.kill();
  if (!dockerReachable) return;
  await removeRunContainers();
  await mkdir(path.dirname(REPORT_PATH), { recursive: true });
  await writeFile(REPORT_PATH, `${JSON.stringify(report, null, 2)}\n`);
});

describe('/metrics with the real Prometheus tools', () => {
  it('passes promtool check metrics, with every family once and every sample readable', async () => {
    const running = ready().agent;
    const { text, parsed } = await until('the burner in /metrics', async () => {
      const scraped = await scrapeAgent(running);
      return findSamples(scraped.parsed, 'container_cpu_usage_seconds_total', { name: BURNER }).length > 0 ? scraped : undefined;
    });
    expect(parsed.problems).toEqual([]);
    const result = await promtoolCheckMetrics(text);
    report['promtool_check_metrics'] = { exit_code: result.code, output: result.output, lines: text.split('\n').length };
    // The only lint allowed: cAdvisor's own counters without `_total`, kept for its dashboards.
    const problems = result.output.split('\n').filter((line) => line.trim() !== '');
    const unexpected = problems.filter((line) => !CADVISOR_COUNTERS_WITHOUT_TOTAL.some((name) => line.startsWith(`${name} counter metrics should have "_total" suffix`)));
    expect(unexpected).toEqual([]);
    if (problems.length === 0) expect(result.code).toBe(0);
  });

  it('is scraped by a real Prometheus every second with cAdvisor labels and no relabelling', async () => {
    const server = ready().prometheus;
    const [sample] = await until('Prometheus to hold the burner', async () => {
      const found = await server.query(`container_cpu_usage_seconds_total{name="${BURNER}"}`);
      return found.length > 0 ? found : undefined;
    });
    expect(sample?.metric).toEqual({
      __name__: 'container_cpu_usage_seconds_total',
      cpu: 'total',
      id: `/docker/${ids.get(BURNER) ?? ''}`,
      image: 'dockmon-test-busybox',
      instance: `127.0.0.1:${ready().agent.port}`,
      job: 'dockmon',
      name: BURNER,
    });
    expect((await server.query('up{job="dockmon"}'))[0]?.value).toBe(1);
    expect((await server.query('dockmon_docker_up'))[0]?.value).toBe(1);
    expect(await server.query('dockmon_build_info')).toHaveLength(1);
  });

  it("stores the agent's own counter, and its CPU over docker stats' window agrees with docker stats for a --cpus 0.5 burner", async () => {
    const { agent: running, prometheus: server } = ready();
    const proxy = await startRecordingProxy();
    try {
      await until('10 s of scrapes of the burner', async () => {
        const [count] = await server.query(`count_over_time(container_cpu_usage_seconds_total{name="${BURNER}"}[10s])`);
        return count !== undefined && count.value >= 9 ? true : undefined;
      }, 40_000);
      const rounds: Record<string, unknown>[] = [];
      for (let round = 0; round < 2; round += 1) {
        // docker stats through the proxy: its CPU % and the record it came from.
        const cli = (await dockerStats([BURNER], `unix://${proxy.socketPath}`)).get(BURNER);
        const record = proxy.takeRecords().get(BURNER);
        if (cli === undefined || record === undefined || cli.cpuPercent === null) throw new Error('docker stats gave no CPU % or record for the burner');
        // Two more scrapes so Prometheus holds a sample after the CLI's read.
        await sleep(2_500);
        const [series] = await server.queryMatrix(`container_cpu_usage_seconds_total{name="${BURNER}"}[30s]`);
        if (series === undefined) throw new Error('Prometheus holds no burner series');
        // Each stored value is one of the agent's samples, which carry the time they were taken.
        const history = toHistoryPoints((await running.getJson(`/containers/history?id=${ids.get(BURNER) ?? ''}`)).json);
        const byValue = new Map(history.map((point) => [point.cpuUsageSeconds, point]));
        const stored = series.values.map(([, value]) => byValue.get(value));
        const unmatched = series.values.filter((_, index) => stored[index] === undefined);
        expect(unmatched, 'values Prometheus stored that are none of the agent\'s samples').toEqual([]);
        const points = [...new Set(stored.filter((point) => point !== undefined))].sort((a, b) => a.readMs - b.readMs);
        const checks = compareSameWindow(points, cli, record, { cpuTolerance: CPU_TOLERANCE_POINTS });
        const cpu = checks.find((check) => check.field === 'cpu');
        const counter = checks.find((check) => check.field === 'cpu_usage_ns');
        rounds.push({ docker_stats_percent: cli.cpuPercent, record_read: record.read, record_preread: record.preread, stored_samples: points.length, cpu, counter });
        expect(counter?.ok, JSON.stringify(counter)).toBe(true);
        expect(cpu?.ok, JSON.stringify(cpu)).toBe(true);
      }
      report['cpu_promql_counter_vs_docker_stats'] = { tolerance_points: CPU_TOLERANCE_POINTS, rounds };
      // And the PromQL users write: the burner burns, never past its quota of half a core.
      const [rate] = await server.query(`rate(container_cpu_usage_seconds_total{name="${BURNER}"}[10s])*100`);
      expect(rate?.value).toBeGreaterThan(10);
      expect(rate?.value).toBeLessThan(50 + CPU_TOLERANCE_POINTS);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('returns data for every PromQL query of docs/metrics.md', async () => {
    const server = ready().prometheus;
    const page = await readFile(path.join(repoRoot, 'docs', 'metrics.md'), 'utf8');
    const block = /```promql\n([\s\S]*?)```/.exec(page)?.[1] ?? '';
    const queries = block.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
    expect(queries.length).toBeGreaterThanOrEqual(5);
    const answers: Record<string, number> = {};
    for (const query of queries) {
      const result = await until(`data for ${query}`, async () => {
        const found = await server.query(query);
        return found.some((item) => [BURNER, LABELLED, RESTARTER].includes(item.metric['name'] ?? '')) ? found : undefined;
      });
      answers[query] = result.length;
    }
    report['readme_queries_series'] = answers;
  });

  it('carries only the allowlisted Docker label, and the limit as cAdvisor (0 when unlimited)', async () => {
    const server = ready().prometheus;
    const [labelled] = await until('the labelled container', async () => {
      const found = await server.query(`container_memory_working_set_bytes{container_label_com_docker_compose_service="${SERVICE}"}`);
      return found.length > 0 ? found : undefined;
    });
    expect(labelled?.metric['name']).toBe(LABELLED);
    const everything = await server.query(`{name="${LABELLED}"}`);
    expect(everything.length).toBeGreaterThan(10);
    for (const series of everything) {
      expect(Object.keys(series.metric).filter((key) => key.startsWith('container_label_'))).toEqual([
        'container_label_com_docker_compose_service',
      ]);
      expect(JSON.stringify(series.metric)).not.toContain('do-not-export');
    }
    expect((await server.query(`container_spec_memory_limit_bytes{name="${LABELLED}"}`))[0]?.value).toBe(64 * 1024 * 1024);
    expect((await server.query(`container_spec_memory_limit_bytes{name="${BURNER}"}`))[0]?.value).toBe(0);
  });

  it('keeps every counter of a container going up across docker restart', async () => {
    const { agent: running, prometheus: server } = ready();
    const counterSeries = (parsed: ParsedExposition): Map<string, number> => {
      const values = new Map<string, number>();
      for (const sample of parsed.samples) {
        if (sample.labels['name'] !== RESTARTER || parsed.type.get(sample.name) !== 'counter') continue;
        values.set(`${sample.name}${JSON.stringify(sample.labels)}`, sample.value);
      }
      return values;
    };
    // Let it burn a few seconds so its CPU time is well above what a fresh start has.
    await sleep(3_000);
    const before = counterSeries((await scrapeAgent(running)).parsed);
    expect(before.size).toBeGreaterThanOrEqual(12);
    const startedBefore = (await docker(['inspect', '--format', '{{.State.StartedAt}}', RESTARTER])).trim();
    const restartedAtSeconds = Date.now() / 1000;
    await docker(['restart', '--time', '0', RESTARTER]);
    expect((await docker(['inspect', '--format', '{{.State.StartedAt}}', RESTARTER])).trim()).not.toBe(startedBefore);

    const after = await until('the restarted container back in /metrics', async () => {
      const { parsed } = await scrapeAgent(running);
      const [seen] = findSamples(parsed, 'container_last_seen', { name: RESTARTER });
      return seen !== undefined && seen.value >= Math.floor(restartedAtSeconds) + 1 ? counterSeries(parsed) : undefined;
    });
    // Docker's counter started again; the exported one carried on from before.
    const cpuKey = [...after.keys()].find((key) => key.startsWith('container_cpu_usage_seconds_total')) ?? '';
    const rawAfter = await rawCpuSeconds(ids.get(RESTARTER) ?? '');
    expect(rawAfter).toBeLessThan(before.get(cpuKey) ?? 0);
    expect(after.get(cpuKey)).toBeGreaterThan(rawAfter);
    const lowered: string[] = [];
    for (const [series, value] of before) {
      const now = after.get(series);
      if (now !== undefined && now < value) lowered.push(`${series}: ${value} → ${now}`);
    }
    expect(lowered).toEqual([]);
    // Prometheus too sees no counter reset in the series.
    await sleep(3_000);
    const resets = await server.query(`resets(container_cpu_usage_seconds_total{name="${RESTARTER}"}[2m])`);
    expect(resets[0]?.value).toBe(0);
    report['restart'] = {
      counters_checked: before.size,
      cpu_seconds_exported_before: before.get(cpuKey) ?? null,
      cpu_seconds_exported_after: after.get(cpuKey) ?? null,
      cpu_seconds_docker_raw_after: rawAfter,
      prometheus_resets: resets[0]?.value ?? null,
    };
  });
});
