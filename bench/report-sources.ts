// The report's per-source parts: whether each run read its containers where it was asked
// to (said loudly when not: a `cgroup` run that fell back to the API would pass its API
// figures off as the kernel's), the targets, and per count a table with a column per
// run (`docker stats`, the seed loop, dockmon per stats source) of what each costs.

import { daemonMsPerSample, percentOfDockerStats, seedDaemonMsPerSample, seedOverTable } from './derived-figures.js';
import { fixed, formatRatio, mebibytes } from './report-format.js';
import type { AgentFigures, BenchReport, ScenarioResult } from './results.js';
import { STATUS_MARK, targetMark, type TargetResult } from './targets.js';

const SOURCE_NAMES = { api: 'the Engine API streams', cgroup: 'the kernel', auto: 'the kernel' } as const;

/** "dockmon cgroup": a run's name in column headers and the chart's legend. */
export function runName(agent: AgentFigures): string {
  return `dockmon ${agent.statsSource}`;
}

/**
 * Where a run's bench containers were read, from its worst /containers answer. `ok` is
 * false when an `api` or `cgroup` run had any bench container elsewhere or undecided;
 * `auto` may fall back by design, so it is only described.
 */
export function sourceCheck(s: ScenarioResult, agent: AgentFigures): { ok: boolean; text: string } {
  const figures = agent.sources;
  const head = `${agent.statsSource} run at N=${s.containers}`;
  if (figures === null) return { ok: true, text: `${head}: where its numbers came from was not recorded` };
  const { fromKernel, fromApi, undecided } = figures.benchWorst;
  const own = agent.statsSource === 'api' ? fromApi : fromKernel;
  const others = agent.statsSource === 'api' ? `${fromKernel} from the kernel` : `${fromApi} from the API`;
  const ok = agent.statsSource === 'auto' || own === s.containers;
  const reason = figures.firstReason === null ? '' : `: ${figures.firstReason}`;
  return {
    ok,
    text:
      `${head}: ${own} of ${s.containers} bench containers from ${SOURCE_NAMES[agent.statsSource]}, ${others}, ${undecided} undecided ` +
      `(the steady window's worst /containers answer)${own === s.containers ? '' : reason}`,
  };
}

/** The loud lines at the top of the report: runs whose numbers did not all come from their source. */
export function sourceWarnings(report: BenchReport): string[] {
  const lines = report.scenarios.flatMap((s) =>
    s.agents.map((agent) => sourceCheck(s, agent)).filter((check) => !check.ok).map((check) => `> **⚠️ ${check.text}.**`),
  );
  if (lines.length === 0) return [];
  return [...lines, '>', '> The figures of these runs are not those of their stats source alone.', ''];
}

export function targetsTable(results: readonly TargetResult[]): string[] {
  const tally = (status: TargetResult['status']): number => results.filter((result) => result.status === status).length;
  return [
    `${tally('hit')} hit, ${tally('miss')} missed, ${tally('not measured')} not measured (a target at a count this run did not measure is not a pass).`,
    '',
    '| source | N | target | measured | result |',
    '|---|---:|---|---|---|',
    ...results.map((result) => `| ${result.source} | ${result.at} | ${result.label} | ${result.figure} | ${STATUS_MARK[result.status]} |`),
  ];
}

function healthzCounts(agent: AgentFigures): string {
  const status = agent.sources?.healthzWorst;
  if (status === null || status === undefined) return '';
  return ` (/healthz, all containers: ${status.cgroup} / ${status.api} / ${status.undecided})`;
}

function kernelPass(agent: AgentFigures): string {
  const figures = agent.sources;
  if (figures === null) return 'not recorded';
  if (figures.kernelPassMs === null) return 'not running';
  return `${fixed(figures.kernelPassMs, 2)} / ${fixed(figures.kernelPassCpuMs, 2)} ms, ${fixed(figures.kernelOpenFiles, 0)} files`;
}

/** One row: a measure, then a cell for `docker stats`, the seed loop and each dockmon run. */
function row(label: string, dockerStats: string, seed: string, perAgent: (agent: AgentFigures) => string, s: ScenarioResult): string {
  return `| ${[label, dockerStats, seed, ...s.agents.map(perAgent)].join(' | ')} |`;
}

export function costTable(s: ScenarioResult, targets: readonly TargetResult[]): string[] {
  const mark = (agent: AgentFigures, key: string): string => targetMark(targets, agent.statsSource, s.containers, key);
  const ofDockerStats = (percent: number): string => `${fixed(percentOfDockerStats(s, percent), 0)}%`;
  const refresh = s.seed.refreshSeconds === null ? '—' : `${s.seed.refreshSeconds.toFixed(1)} s${s.seed.refreshMeasured ? '' : ' ᵉ'}`;
  const sources = (agent: AgentFigures): string => {
    const counts = agent.sources?.benchWorst;
    const check = sourceCheck(s, agent);
    return counts === undefined ? 'not recorded' : `${check.ok ? '' : '⚠️ '}${counts.fromKernel} / ${counts.fromApi} / ${counts.undecided}${healthzCounts(agent)}`;
  };
  return [
    `| ${[`N = ${s.containers}`, '`docker stats`', 'seed loop', ...s.agents.map(runName)].join(' | ')} |`,
    `|---|---:|---:|${s.agents.map(() => '---:|').join('')}`,
    row('daemon CPU caused, % of a core', fixed(s.dockerStats.daemonCpuPercent, 1), fixed(s.seed.daemonCpuPercent, 1), (a) => `${fixed(a.daemonCpuPercent, 1)}${mark(a, 'daemon')}`, s),
    row('… as % of `docker stats`\'', '100%', ofDockerStats(s.seed.daemonCpuPercent), (a) => ofDockerStats(a.daemonCpuPercent), s),
    row('quiet daemon baseline', fixed(s.dockerStats.baselineDaemonCpuPercent, 1), fixed(s.seed.baselineDaemonCpuPercent, 1), (a) => fixed(a.baselineDaemonCpuPercent, 1), s),
    row('its own CPU, % of a core', `${fixed(s.dockerStats.cliCpuPercent, 2)} (the CLI)`, '—', (a) => `${fixed(a.cpuPercent, 2)}${mark(a, 'cpu')}`, s),
    row('RSS: steady / peak', '—', '—', (a) => `${mebibytes(a.steadyRssBytes)} / ${mebibytes(a.peakRssBytes)}${mark(a, 'rss')}`, s),
    row('sample age: oldest / p99 / median', '—', `one refresh: ${refresh}`, (a) => `${fixed(a.maxSampleAgeSeconds, 2)} / ${fixed(a.p99SampleAgeSeconds, 2)} / ${fixed(a.medianSampleAgeSeconds, 2)} s${mark(a, 'age')}`, s),
    row('samples per second per container', '—', '—', (a) => fixed(a.samplesPerSecondPerContainer, 2), s),
    row('daemon CPU per sample delivered', '—', `${fixed(seedDaemonMsPerSample(s), 2)} ms`, (a) => `${fixed(daemonMsPerSample(s, a), 2)} ms`, s),
    row('bench containers from the kernel / API / undecided', '—', '—', (a) => `${sources(a)}${mark(a, 'kernel')}`, s),
    row('kernel reader pass: wall / CPU (median), open files', '—', '—', kernelPass, s),
    row('seed refresh ÷ this run\'s /table median', '—', '—', (a) => formatRatio(seedOverTable(s, a)), s),
    row('seed: stats?stream=false calls, mean', '—', `${s.seed.calls} calls, ${fixed(s.seed.meanCallSeconds, 2)} s each`, () => '—', s),
    '',
  ];
}
