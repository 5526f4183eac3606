// docs/benchmarks.md, generated from one run's figures. The analysis between the
// ANALYSIS markers is written by hand and carried over when the report is regenerated.

import { existsSync, readFileSync } from 'node:fs';
import { fixed } from './report-format.js';
import { containersVsBareTable, type ContainersVsBareRow } from './report-containers-vs-bare.js';
import { costTable, runName, sourceWarnings, targetsTable } from './report-sources.js';
import { ENDPOINTS, type AgentFigures, type BenchReport, type PacedResult, type ScenarioResult } from './results.js';
import { median } from './stats-math.js';
import { checkTargets, targetMark, type TargetResult } from './targets.js';

export const ANALYSIS_START = '<!-- analysis:start (hand-written, kept when the report is regenerated) -->';
export const ANALYSIS_END = '<!-- analysis:end -->';

function latencyCell(result: PacedResult | null, fullRatePerSecond: number): string {
  if (result === null) return 'not served';
  const lowered = result.offeredPerSecond < fullRatePerSecond - 0.5 ? ` (at ${Math.round(result.offeredPerSecond)} req/s)` : '';
  return `${fixed(result.medianMs, 2)} / ${fixed(result.p99Ms, 2)}${lowered}`;
}

function secondsList(values: readonly number[]): string {
  const middle = median(values);
  return middle === null ? '—' : `${middle.toFixed(2)} s (max ${Math.max(...values).toFixed(2)} s)`;
}

function capacityCell(agent: AgentFigures): string {
  return ENDPOINTS.map((endpoint) => {
    const result = agent.saturation[endpoint];
    return result === null ? '—' : String(Math.round(result.requestsPerSecond));
  }).join(' / ');
}

function clientTable(report: BenchReport): string[] {
  const { clients, pacePerClient } = report.settings;
  const full = clients * pacePerClient;
  return [
    `| N | source | /containers median / p99 ms | /table median / p99 ms | /metrics median / p99 ms | capacity req/s: /containers / /table / /metrics | oldest / p99 sample served | new container listed / sampled |`,
    `|---:|---|---:|---:|---:|---:|---:|---:|`,
    ...report.scenarios.flatMap((s) =>
      s.agents.map(
        (a) =>
          `| ${s.containers} | ${a.statsSource} | ${latencyCell(a.latency['/containers'], full)} | ${latencyCell(a.latency['/table'], full)} | ` +
          `${latencyCell(a.latency['/metrics'], full)} | ${capacityCell(a)} | ` +
          `${fixed(a.maxSampleAgeSeconds, 2)} / ${fixed(a.p99SampleAgeSeconds, 2)} s | ${fixed(median(a.newContainerListedSeconds), 2)} s / ${fixed(median(a.newContainerSampledSeconds), 2)} s |`,
      ),
    ),
    '',
    `Latency: ${clients} concurrent keep-alive clients, each sending ${pacePerClient} requests a second ` +
      `(${full} req/s in all) for ${report.settings.loadSeconds} s per endpoint, timed from sending the request ` +
      'to the last byte of the body; where that would pass half the capacity measured for the endpoint, the clients send ' +
      'less (the rate is then given), so the figure is service time, not queueing. Capacity: the same clients in a closed ' +
      `loop (each sends its next request as soon as the last one is answered) for ${report.settings.saturationSeconds} s; ` +
      'the agent answers on one core, so there a request waits behind the other clients\' (the detail tables give that ' +
      'latency too). The oldest sample is the largest ' +
      '`sample_age_seconds` of any bench container in any `/containers` answer during the steady window; p99 is over every ' +
      'bench container in every answer of the window.',
  ];
}

function vsBareRows(report: BenchReport): ContainersVsBareRow[] {
  return report.scenarios.flatMap((s) =>
    s.agents.flatMap((a) => (a.containersVsBare ? [{ containers: s.containers, statsSource: a.statsSource, result: a.containersVsBare }] : [])),
  );
}

function costSection(report: BenchReport, targets: readonly TargetResult[]): string[] {
  return [
    ...report.scenarios.flatMap((s) => costTable(s, targets)),
    'CPU is user+sys time from `/proc/<pid>/stat` over the window, in % of one core; dockmon\'s is measured in its steady ' +
      'window (history ring full, one client reading /containers and /healthz once a second at a random point of it, before any HTTP load). ' +
      'RSS: VmRSS at the end of the steady window, and VmHWM at the end (the HTTP load phases included). Daemon CPU ' +
      'is dockerd + containerd + the shims of the bench containers, less a quiet baseline measured just before each phase (for ' +
      'each dockmon run, the mean of one before it starts and one after it stops), so it can read slightly negative when the cost is ' +
      'below the noise. Bench containers by source: in the steady window\'s /containers answer with the fewest on the run\'s own ' +
      'source (⚠️ where not all are), and /healthz\'s `stats_sources` counts of every container the agent lists in its worst answer. ' +
      'Kernel reader pass: the medians over the window of /healthz\'s `kernel_reader.last_pass_ms` and `last_pass_cpu_ms` (one pass ' +
      'reads every container\'s files), and the files it keeps open. ᵉ: the seed refresh did not finish within the cap; N × the ' +
      'mean time of the calls made. ✅ / ❌: a target of that run at that count (see Targets).',
  ];
}

function sourceDetail(agent: AgentFigures): string {
  const figures = agent.sources;
  if (figures === null) return 'not recorded';
  const status = figures.healthzWorst;
  const reader = status?.kernel_reader;
  const parts = [
    `mode ${status?.mode ?? '?'}, ${figures.healthzAnswers} answers`,
    ...(status?.kernel_unavailable ? [`kernel unavailable: ${status.kernel_unavailable}`] : []),
    ...(status !== null && status !== undefined && status.not_from_kernel_count > 0 ? [`${status.not_from_kernel_count} not from the kernel`] : []),
    ...(figures.firstReason === null ? [] : [`first reason: ${figures.firstReason}`]),
    ...(reader === null || reader === undefined ? [] : [`reader: ${reader.containers} containers, ${reader.passes} passes, ${reader.parse_errors} parse / ${reader.read_errors} read errors`]),
  ];
  return parts.join('; ').replace(/\|/g, '\\|');
}

function detailSection(s: ScenarioResult, targets: readonly TargetResult[]): string[] {
  const mark = (agent: AgentFigures, key: string): string => targetMark(targets, agent.statsSource, s.containers, key);
  const row = (label: string, cell: (agent: AgentFigures) => string): string => `| ${[label, ...s.agents.map(cell)].join(' | ')} |`;
  return [
    `### ${s.containers} containers (${s.busyContainers} busy)`,
    '',
    `| ${['measure', ...s.agents.map(runName)].join(' | ')} |`,
    `|---|${s.agents.map(() => '---:|').join('')}`,
    ...ENDPOINTS.map((endpoint) =>
      row(`${endpoint} median / p99 / max`, (a) => {
        const result = a.latency[endpoint];
        if (result === null) return 'not served';
        return `${fixed(result.medianMs, 2)} / ${fixed(result.p99Ms, 2)} / ${fixed(result.maxMs, 1)} ms at ${Math.round(result.offeredPerSecond)} req/s, ` +
          `${result.requests} requests, ${result.errors} errors, ${Math.round(result.meanBytes / 1024)} KiB${mark(a, endpoint)}`;
      }),
    ),
    ...ENDPOINTS.map((endpoint) =>
      row(`${endpoint} at saturation`, (a) => {
        const result = a.saturation[endpoint];
        return result === null ? 'not served' : `${Math.round(result.requestsPerSecond)} req/s, median ${fixed(result.medianMs, 2)} ms, p99 ${fixed(result.p99Ms, 2)} ms`;
      }),
    ),
    row('bench containers shown (fewest in any answer)', (a) => `${a.minShown} of ${s.containers}${mark(a, 'shown')}`),
    row('sample age served: median / p99 / oldest', (a) => `${fixed(a.medianSampleAgeSeconds, 2)} / ${fixed(a.p99SampleAgeSeconds, 2)} / ${fixed(a.maxSampleAgeSeconds, 2)} s${mark(a, 'age')}`),
    row('from agent start to every container sampled', (a) => `${fixed(a.allSampledAfterSeconds, 2)} s`),
    row('new container: listed', (a) => secondsList(a.newContainerListedSeconds)),
    row('new container: first sample', (a) => secondsList(a.newContainerSampledSeconds)),
    row('uptime at the end of the steady window, history kept', (a) => `${fixed(a.uptimeSeconds, 0)} s, ${a.historyKept}/${a.historySize} samples`),
    row('/healthz `stats_sources` in the window', sourceDetail),
    '',
  ];
}

function carriedAnalysis(outPath: string): string {
  if (existsSync(outPath)) {
    const text = readFileSync(outPath, 'utf8');
    const start = text.indexOf(ANALYSIS_START);
    const end = text.indexOf(ANALYSIS_END);
    if (start !== -1 && end > start) return text.slice(start + ANALYSIS_START.length, end).trim();
  }
  return '_No analysis written yet._';
}

/**
 * Quiet: a 1-min load average under 1, or (the load average lags: it still counts what
 * ran a minute ago) the busiest other processes using under a quarter of a core together.
 */
function isQuiet(m: BenchReport['machine']): boolean {
  if ((m.loadAverageAtStart[0] ?? Infinity) < 1) return true;
  const busyPercent = m.busiestOtherProcesses.reduce((sum, line) => sum + (Number.parseFloat(line) || 0), 0);
  return busyPercent < 25;
}

export function renderMarkdown(report: BenchReport, svgName: string, outPath: string): string {
  const m = report.machine;
  const quiet = isQuiet(m);
  const targets = checkTargets(report);
  const { sources } = report.settings;
  return [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` (bench/). Measured ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC to ` +
      `${report.finishedAt.slice(11, 16)} UTC with:`,
    '',
    '```',
    report.command,
    '```',
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${(m.memoryBytes / 1024 ** 3).toFixed(1)} GiB RAM, Linux ${m.kernel}, cgroup ${m.cgroup}, ` +
      `Docker ${m.dockerVersion} (API ${m.dockerApiVersion}), Node ${m.nodeVersion}. ` +
      `Load average at the start: ${m.loadAverageAtStart.join(', ')}` +
      (quiet ? ` (residual; the busiest other processes then: ${m.busiestOtherProcesses.slice(0, 2).join(', ')}: quiet).` : `: **other work was running on the machine** (busiest: ${m.busiestOtherProcesses.slice(0, 3).join('; ')}), so CPU figures carry that noise.`),
    '',
    ...(report.upgradedFrom === undefined ? [] : [`_Rendered from ${report.upgradedFrom}._`, '']),
    ...(report.stoppedEarly === undefined ? [] : [`**This run stopped early**: ${report.stoppedEarly}`, '']),
    ...sourceWarnings(report),
    `![latency and CPU against the number of containers](${svgName})`,
    '',
    '## Targets',
    '',
    ...targetsTable(targets),
    '',
    '## What clients see',
    '',
    ...clientTable(report),
    '',
    '### /containers against a bare node:http server',
    '',
    ...containersVsBareTable(vsBareRows(report)),
    '',
    '## What it costs',
    '',
    ...costSection(report, targets),
    '',
    '## Analysis',
    '',
    ANALYSIS_START,
    carriedAnalysis(outPath),
    ANALYSIS_END,
    '',
    '## Detail per container count',
    '',
    ...report.scenarios.flatMap((s) => detailSection(s, targets)),
    '## How it is measured',
    '',
    `For each N the bench starts \`dockmon-test-busybox\` containers (\`sleep\`; ${report.settings.busy} of them run a shell loop that ` +
      `burns a little CPU) and then runs ${2 + sources.length} phases one after the other, so each is alone with the daemon. Before each, a ` +
      `**quiet baseline** of ${report.settings.windowSeconds} s with nothing reading stats gives the daemon\'s floor (dockerd + containerd + ` +
      'the bench containers\' shims, from `/proc`), which is subtracted from that phase\'s daemon CPU.',
    '',
    `1. **\`docker stats\`** streaming the same containers (\`docker stats --format '{{json .}}' <ids>\`, output discarded): 5 s warm-up, then ${report.settings.windowSeconds} s.`,
    `2. **The seed's design**: list the containers, then \`GET /containers/{id}/stats?stream=false\` for each, one after the other, ` +
      `over the Unix socket; daemon CPU over the first ${report.settings.windowSeconds} s, and the loop goes on until one full refresh is done ` +
      `(or ${report.settings.seedMaxSeconds} s, after which the refresh time is N × the mean call).`,
    `3. **dockmon**, once per stats source (${sources.map((source) => `\`STATS_SOURCE=${source}\``).join(', then ')}), ` +
      `started as \`npm start\` starts it (\`node ${[...report.settings.agentNodeFlags, 'dist/main.js'].join(' ')}\`` +
      `${Object.keys(report.settings.agentEnv).length > 0 ? ` with ${Object.entries(report.settings.agentEnv).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}): ` +
      'wait until every container has a sample; then, once the agent ' +
      `has run ${report.settings.agentWarmSeconds} s and its history ring is full (300 samples per container; at most ${report.settings.agentWarmMaxSeconds} s), a ${report.settings.windowSeconds} s steady window in which one ` +
      (report.upgradedFrom === undefined
        ? 'client reads `/containers` and `/healthz` once a second, at a random point of each second (a poll locked to the kernel reader\'s 1 s pass would see the same age every time), as the page would: dockmon\'s CPU and RSS, the daemon\'s CPU, the oldest ' +
          'and 99th-percentile `sample_age_seconds` served, whether every container is there, each one\'s `source`, and `/healthz`\'s ' +
          '`stats_sources` (its counts and the kernel reader\'s pass time); then'
        : 'client reads `/containers` once a second, as a dashboard would: dockmon\'s CPU and RSS, the daemon\'s CPU, the oldest ' +
          '`sample_age_seconds` served and whether every container is there; then') +
      ' the closed-loop load per endpoint, the paced HTTP load per endpoint, and three ' +
      'new containers (`docker run` returned → listed in `/containers?id=` → first sample). Peak RSS is VmHWM at the end. Each run\'s quiet ' +
      'baseline is the mean of one taken before it starts and one after it stops; the runs never overlap.',
    '',
    'The bench and its clients run on the same machine as the agent and the daemon. Raw figures: ' +
      `\`${svgName.replace(/\.svg$/, '.json')}\`.`,
    '',
  ].join('\n');
}
