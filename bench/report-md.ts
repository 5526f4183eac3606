// docs/benchmarks.md, generated from one run's figures. The analysis between the
// ANALYSIS markers is written by hand and carried over when the report is regenerated.

import { existsSync, readFileSync } from 'node:fs';
import { ENDPOINTS, type BenchReport, type PacedResult, type ScenarioResult } from './results.js';
import { median } from './stats-math.js';
import { daemonMsPerSample, evaluateTargets, seedOverTable } from './targets.js';

export const ANALYSIS_START = '<!-- analysis:start (hand-written, kept when the report is regenerated) -->';
export const ANALYSIS_END = '<!-- analysis:end -->';

const MIB = 1024 * 1024;

function mebibytes(bytes: number | null): string {
  return bytes === null ? '—' : `${(bytes / MIB).toFixed(1)} MiB`;
}

export function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

export function formatRatio(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  return value >= 100 ? `${Math.round(value).toLocaleString('en-US')}×` : `${value.toFixed(1)}×`;
}

function latencyCell(result: PacedResult | null, fullRatePerSecond: number): string {
  if (result === null) return 'not served';
  const lowered = result.offeredPerSecond < fullRatePerSecond - 0.5 ? ` (at ${Math.round(result.offeredPerSecond)} req/s)` : '';
  return `${fixed(result.medianMs, 2)} / ${fixed(result.p99Ms, 2)}${lowered}`;
}

function secondsList(values: readonly number[]): string {
  const middle = median(values);
  return middle === null ? '—' : `${middle.toFixed(2)} s (max ${Math.max(...values).toFixed(2)} s)`;
}

function capacityCell(s: ScenarioResult): string {
  return ENDPOINTS.map((endpoint) => {
    const result = s.agent.saturation[endpoint];
    return result === null ? '—' : String(Math.round(result.requestsPerSecond));
  }).join(' / ');
}

function clientTable(report: BenchReport): string[] {
  const { clients, pacePerClient } = report.settings;
  const full = clients * pacePerClient;
  return [
    `| N | /containers median / p99 ms | /table median / p99 ms | /metrics median / p99 ms | capacity req/s: /containers / /table / /metrics | oldest sample served | new container listed / sampled |`,
    `|---:|---:|---:|---:|---:|---:|---:|`,
    ...report.scenarios.map(
      (s) =>
        `| ${s.containers} | ${latencyCell(s.agent.latency['/containers'], full)} | ${latencyCell(s.agent.latency['/table'], full)} | ` +
        `${latencyCell(s.agent.latency['/metrics'], full)} | ${capacityCell(s)} | ` +
        `${fixed(s.agent.maxSampleAgeSeconds, 2)} s | ${fixed(median(s.agent.newContainerListedSeconds), 2)} s / ${fixed(median(s.agent.newContainerSampledSeconds), 2)} s |`,
    ),
    '',
    `Latency: ${clients} concurrent keep-alive clients, each sending ${pacePerClient} requests a second ` +
      `(${full} req/s in all) for ${report.settings.loadSeconds} s per endpoint, timed from sending the request ` +
      'to the last byte of the body; where that would pass half the capacity measured for the endpoint, the clients send ' +
      'less (the rate is then given), so the figure is service time, not queueing. Capacity: the same clients in a closed ' +
      `loop (each sends its next request as soon as the last one is answered) for ${report.settings.saturationSeconds} s; ` +
      'the agent answers on one core, so there a request waits behind the other clients\' (the detail tables give that ' +
      'latency too). The oldest sample is the largest ' +
      '`sample_age_seconds` of any bench container in any `/containers` answer during the steady window.',
  ];
}

function costTable(report: BenchReport): string[] {
  return [
    `| N | dockmon CPU | dockmon RSS: peak (steady) | daemon CPU: dockmon | daemon CPU: \`docker stats\` (+ its client) | daemon CPU: seed loop | seed full refresh | seed refresh ÷ our /table |`,
    `|---:|---:|---:|---:|---:|---:|---:|---:|`,
    ...report.scenarios.map((s) => {
      const refresh = s.seed.refreshSeconds === null ? '—' : `${s.seed.refreshSeconds.toFixed(1)} s${s.seed.refreshMeasured ? '' : ' ᵉ'}`;
      return (
        `| ${s.containers} | ${fixed(s.agent.cpuPercent, 2)}% | ${mebibytes(s.agent.peakRssBytes)} (${mebibytes(s.agent.steadyRssBytes)}) | ` +
        `${fixed(s.agent.daemonCpuPercent, 1)}% | ${fixed(s.dockerStats.daemonCpuPercent, 1)}% (+ ${fixed(s.dockerStats.cliCpuPercent, 1)}%) | ` +
        `${fixed(s.seed.daemonCpuPercent, 1)}% | ${refresh} | ${formatRatio(seedOverTable(s))} |`
      );
    }),
    '',
    'CPU is user+sys time from `/proc/<pid>/stat` over the window, in % of one core; dockmon\'s is measured in its steady ' +
      'window (history ring full, one client reading /containers every second, before any HTTP load). ' +
      'RSS: VmHWM at the end (the HTTP load phases included), and VmRSS at the end of the steady window. Daemon CPU ' +
      'is dockerd + containerd + the shims of the bench containers, less a quiet baseline measured just before each phase (for ' +
      'dockmon, the mean of one before it starts and one after it stops), so it can read slightly negative when the cost is ' +
      'below the noise. ᵉ: the refresh did not finish within the cap; N × the ' +
      'mean time of the calls made.',
  ];
}

function detailSection(s: ScenarioResult): string[] {
  const targets = evaluateTargets(s);
  return [
    `### ${s.containers} containers (${s.busyContainers} busy)`,
    '',
    '| measure | value | target |',
    '|---|---:|---|',
    ...ENDPOINTS.map((endpoint) => {
      const result = s.agent.latency[endpoint];
      const value = result === null ? 'not served' : `${fixed(result.medianMs, 2)} / ${fixed(result.p99Ms, 2)} / ${fixed(result.maxMs, 1)} ms at ${Math.round(result.offeredPerSecond)} req/s, ${result.requests} requests, ${result.errors} errors, ${Math.round(result.meanBytes / 1024)} KiB`;
      return `| ${endpoint} median / p99 / max | ${value} | ${targets.get(endpoint) ?? ''} |`;
    }),
    ...ENDPOINTS.map((endpoint) => {
      const result = s.agent.saturation[endpoint];
      const value = result === null ? 'not served' : `${Math.round(result.requestsPerSecond)} req/s, median ${fixed(result.medianMs, 2)} ms, p99 ${fixed(result.p99Ms, 2)} ms`;
      return `| ${endpoint} at saturation | ${value} | |`;
    }),
    `| bench containers shown (fewest in any answer) | ${s.agent.minShown} of ${s.containers} | ${targets.get('shown') ?? ''} |`,
    `| sample age served: median / oldest | ${fixed(s.agent.medianSampleAgeSeconds, 2)} s / ${fixed(s.agent.maxSampleAgeSeconds, 2)} s | ${targets.get('age') ?? ''} |`,
    `| from agent start to every container sampled | ${fixed(s.agent.allSampledAfterSeconds, 2)} s | |`,
    `| new container: listed | ${secondsList(s.agent.newContainerListedSeconds)} | |`,
    `| new container: first sample | ${secondsList(s.agent.newContainerSampledSeconds)} | |`,
    `| dockmon CPU | ${fixed(s.agent.cpuPercent, 2)}% of a core | ${targets.get('cpu') ?? ''} |`,
    `| dockmon RSS: peak / at the end of the steady window (uptime ${fixed(s.agent.uptimeSeconds, 0)} s, history ${s.agent.historyKept}/${s.agent.historySize} samples) | ${mebibytes(s.agent.peakRssBytes)} / ${mebibytes(s.agent.steadyRssBytes)} | ${targets.get('rss') ?? ''} |`,
    `| daemon CPU, quiet baselines before docker stats / seed / dockmon | ${fixed(s.dockerStats.baselineDaemonCpuPercent, 1)}% / ${fixed(s.seed.baselineDaemonCpuPercent, 1)}% / ${fixed(s.agent.baselineDaemonCpuPercent, 1)}% | |`,
    `| daemon CPU caused by dockmon | ${fixed(s.agent.daemonCpuPercent, 1)}% | ${targets.get('daemon') ?? ''} |`,
    `| daemon CPU caused by \`docker stats\` | ${fixed(s.dockerStats.daemonCpuPercent, 1)}% (its client: ${fixed(s.dockerStats.cliCpuPercent, 1)}%) | |`,
    `| daemon CPU caused by the seed loop | ${fixed(s.seed.daemonCpuPercent, 1)}% | |`,
    `| samples per container per second (dockmon) | ${fixed(s.agent.samplesPerSecondPerContainer, 2)} | |`,
    `| daemon CPU per sample delivered: dockmon / seed loop | ${fixed(daemonMsPerSample(s).dockmon, 2)} ms / ${fixed(daemonMsPerSample(s).seed, 2)} ms | |`,
    `| seed: stats?stream=false calls, mean | ${s.seed.calls} calls, ${fixed(s.seed.meanCallSeconds, 2)} s each | |`,
    `| seed: one full refresh | ${fixed(s.seed.refreshSeconds, 1)} s${s.seed.refreshMeasured ? ' (measured)' : ' (extrapolated: N × mean call)'} | |`,
    `| seed refresh ÷ our /table median | ${formatRatio(seedOverTable(s))} | |`,
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
    ...(report.stoppedEarly === undefined ? [] : [`**This run stopped early**: ${report.stoppedEarly}`, '']),
    `![latency and CPU against the number of containers](${svgName})`,
    '',
    '## What clients see',
    '',
    ...clientTable(report),
    '',
    '## What it costs',
    '',
    ...costTable(report),
    '',
    '## Analysis',
    '',
    ANALYSIS_START,
    carriedAnalysis(outPath),
    ANALYSIS_END,
    '',
    '## Detail per container count',
    '',
    ...report.scenarios.flatMap(detailSection),
    '## How it is measured',
    '',
    `For each N the bench starts \`dockmon-test-busybox\` containers (\`sleep\`; ${report.settings.busy} of them run a shell loop that ` +
      'burns a little CPU) and then runs three phases one after the other, so each is alone with the daemon. Before each, a ' +
      `**quiet baseline** of ${report.settings.windowSeconds} s with nothing reading stats gives the daemon\'s floor (dockerd + containerd + ` +
      'the bench containers\' shims, from `/proc`), which is subtracted from that phase\'s daemon CPU.',
    '',
    `1. **\`docker stats\`** streaming the same containers (\`docker stats --format '{{json .}}' <ids>\`, output discarded): 5 s warm-up, then ${report.settings.windowSeconds} s.`,
    `2. **The seed's design**: list the containers, then \`GET /containers/{id}/stats?stream=false\` for each, one after the other, ` +
      `over the Unix socket; daemon CPU over the first ${report.settings.windowSeconds} s, and the loop goes on until one full refresh is done ` +
      `(or ${report.settings.seedMaxSeconds} s, after which the refresh time is N × the mean call).`,
    `3. **dockmon**, started as \`npm start\` starts it (\`node ${[...report.settings.agentNodeFlags, 'dist/main.js'].join(' ')}\`` +
      `${Object.keys(report.settings.agentEnv).length > 0 ? ` with ${Object.entries(report.settings.agentEnv).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}): ` +
      'wait until every container has a sample; then, once the agent ' +
      `has run ${report.settings.agentWarmSeconds} s and its history ring is full (300 samples per container; at most ${report.settings.agentWarmMaxSeconds} s), a ${report.settings.windowSeconds} s steady window in which one ` +
      'client reads `/containers` once a second, as a dashboard would: dockmon\'s CPU and RSS, the daemon\'s CPU, the oldest `sample_age_seconds` ' +
      'served and whether every container is there; then the closed-loop load per endpoint, the paced HTTP load per endpoint, and three ' +
      'new containers (`docker run` returned → listed in `/containers?id=` → first sample). Peak RSS is VmHWM at the end. Its quiet ' +
      'baseline is the mean of one taken before it starts and one after it stops.',
    '',
    'The bench and its clients run on the same machine as the agent and the daemon. Raw figures: ' +
      `\`${svgName.replace(/\.svg$/, '.json')}\`.`,
    '',
  ].join('\n');
}
