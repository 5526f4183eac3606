// Issue 15: every panel query of two public cAdvisor dashboards, evaluated by a real
// Prometheus that scraped dockmon while known workloads ran (a 0.5-CPU burner, a 24 MiB
// holder), with Grafana's template variables filled as Grafana fills them. Fixtures and
// their sources: test/fixtures/dashboards/README.md (stefanprodan/dockprom
// docker_containers.json; grafana.com dashboard 893 "Docker and system monitoring", rev 5).
// A query answers with data unless it needs another exporter (node_exporter's node_*) or a
// label the user must opt into (METRICS_LABELS); those are listed with the reason.
// The results go to test-results/dashboards.json.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../helpers/agent-process.js';
import { requireDocker } from '../helpers/docker-cli.js';
import { promtoolCheckMetrics, requireTool, startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';
import { removeRunContainers, removeStaleRunContainers, RUN_PREFIX, runContainer, sleep } from './containers.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const REPORT_PATH = path.join(repoRoot, 'test-results', 'dashboards.json');

interface PanelQuery {
  dashboard: string;
  panelTitle: string;
  refId: string;
  expr: string;
  hide: boolean;
  metrics: string[];
}

interface Outcome {
  dashboard: string;
  panel: string;
  refId: string;
  hidden: boolean;
  expr: string;
  series: number;
  verdict: 'data' | 'needs node_exporter' | 'needs an opt-in label' | 'EMPTY' | 'ERROR';
  detail?: string;
}

/** Grafana's filling: $interval (893's auto interval over the last hour) is 1m; $server is the agent's host, regex-escaped as Grafana does for a multi-value variable. */
function fill(expr: string, host: string): string {
  const escaped = host.replace(/[\\^$.*+?()[\]{}|]/g, '\\\\$&');
  return expr.replaceAll('$interval', '1m').replaceAll('$server', escaped);
}

let agent: AgentProcess | undefined;
let prometheus: PrometheusServer | undefined;
const outcomes: Outcome[] = [];

beforeAll(async () => {
  await requireDocker();
  await requireTool('prometheus');
  await requireTool('promtool');
  await removeStaleRunContainers();
  await runContainer(`${RUN_PREFIX}dash-burner`, ['--cpus', '0.5'], ['sh', '-c', 'while :; do :; done']);
  await runContainer(`${RUN_PREFIX}dash-holder`, ['-m', '64m'], ['sh', '-c', 'head -c 25165824 /dev/zero > /dev/shm/hold; sleep 3600']);
  // The writable layers' size (container_fs_usage_bytes) is listed every 5 min by default.
  agent = await startAgent({ env: { FS_USAGE_INTERVAL: '10s' } });
  prometheus = await startPrometheus([`127.0.0.1:${String(agent.port)}`]);
  // Enough scrapes for rate() over 1m windows, and for the holder to fill its 24 MiB.
  await sleep(25_000);
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await agent?.kill();
  await removeRunContainers();
  if (outcomes.length > 0) {
    await mkdir(path.dirname(REPORT_PATH), { recursive: true });
    await writeFile(REPORT_PATH, JSON.stringify(outcomes, null, 2));
  }
});

describe('public cAdvisor dashboards on dockmon', () => {
  it('answers every panel query with data, except those that need node_exporter or an opt-in label', async () => {
    if (prometheus === undefined || agent === undefined) throw new Error('not set up');
    const fixture = JSON.parse(await readFile(path.join(repoRoot, 'test/fixtures/dashboards/panel-queries.json'), 'utf8')) as { queries: PanelQuery[] };
    for (const query of fixture.queries) {
      const expr = fill(query.expr, '127.0.0.1');
      const outcome: Outcome = { dashboard: query.dashboard, panel: query.panelTitle, refId: query.refId, hidden: query.hide, expr, series: 0, verdict: 'EMPTY' };
      try {
        const answer = await prometheus.query(expr);
        outcome.series = answer.length;
        if (answer.length > 0) outcome.verdict = 'data';
      } catch (error) {
        outcome.verdict = 'ERROR';
        outcome.detail = error instanceof Error ? error.message : String(error);
      }
      // Without data, the reasons a query may have none here: another exporter, or a label
      // matched by value that dockmon exports only when asked (METRICS_LABELS).
      if (outcome.verdict !== 'data') {
        if (query.metrics.some((metric) => metric.startsWith('node_'))) outcome.verdict = 'needs node_exporter';
        else if (/container_label_\w+="[^"]/.test(expr)) outcome.verdict = 'needs an opt-in label';
      }
      outcomes.push(outcome);
    }
    const lines = outcomes.map((outcome) => `${outcome.verdict.padEnd(22)} ${outcome.hidden ? '(hidden) ' : ''}${outcome.dashboard} / ${outcome.panel} ${outcome.refId}: ${outcome.expr.slice(0, 110)}`);
    console.log(lines.join('\n'));
    const failing = outcomes.filter((outcome) => outcome.verdict === 'EMPTY' || outcome.verdict === 'ERROR');
    expect(failing.map((outcome) => `${outcome.dashboard} / ${outcome.panel} ${outcome.refId}: ${outcome.expr} ${outcome.detail ?? ''}`)).toEqual([]);
  });

  it('gives the known workloads their values: a 0.5-CPU burner rate ≈ 0.5, a 24 MiB holder working set', async () => {
    if (prometheus === undefined) throw new Error('not set up');
    // Over 15 s: the series is younger than the panels' 1m, and rate() divides an increase
    // extrapolated only to the series' start by the whole window.
    const [cpu] = await prometheus.query(`sum(rate(container_cpu_usage_seconds_total{name="${RUN_PREFIX}dash-burner"}[15s]))`);
    expect(cpu?.value ?? Number.NaN).toBeGreaterThan(0.45);
    expect(cpu?.value ?? Number.NaN).toBeLessThan(0.55);
    const [memory] = await prometheus.query(`container_memory_working_set_bytes{name="${RUN_PREFIX}dash-holder"}`);
    const bytes = memory?.value ?? Number.NaN;
    expect(bytes).toBeGreaterThan(24 * 1024 * 1024);
    expect(bytes).toBeLessThan(28 * 1024 * 1024);
    // The host's own series (id="/") that 893 plots: the machine's memory in use is more than the holder's.
    const [root] = await prometheus.query('container_memory_usage_bytes{id="/"}');
    expect(root?.value ?? Number.NaN).toBeGreaterThan(bytes);
  });

  it('passes promtool check metrics, and exports no Docker label or env value by default', async () => {
    if (agent === undefined) throw new Error('not set up');
    const body = (await agent.get('/metrics')).body;
    const check = await promtoolCheckMetrics(body);
    // cAdvisor's own name for the failcnt counter lacks _total; promtool says so, and nothing else.
    const problems = check.output.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('container_memory_failcnt counter metrics should have "_total" suffix'));
    expect(problems).toEqual([]);
    expect(body).not.toMatch(/container_label_/);
    expect(body).not.toMatch(/\b(PATH|HOME|HOSTNAME)=/);
  });
});
