// The targets, checked against a whole run: each names the stats source and the
// container counts it holds at. The api source keeps the targets (up to 100
// containers the 100-container ones, above 100 the 500-container ones); the kernel source
// (cgroup) has its own, set when it came. A target at a count the run did not measure
// is "not measured", never a pass, so a short run cannot read as a clean sheet.

import { percentOfDockerStats } from './derived-figures.js';
import { fixed, mebibytes } from './report-format.js';
import type { AgentFigures, BenchReport, ScenarioResult, StatsSourceSetting } from './results.js';

const MIB = 1024 * 1024;

export type TargetStatus = 'hit' | 'miss' | 'not measured';

export interface TargetResult {
  source: StatsSourceSetting;
  /** The count it was checked at, or its scope ("≤ 100", "every N") when no count there was measured. */
  at: string;
  containers: number | null;
  key: string;
  label: string;
  /** The measured figures the verdict rests on; empty when not measured. */
  figure: string;
  status: TargetStatus;
}

type Scope = { exactly: number } | { upTo: number } | { above: number } | 'every';

interface Target {
  source: StatsSourceSetting;
  key: string;
  label: string;
  scope: Scope;
  check(s: ScenarioResult, agent: AgentFigures): { pass: boolean; figure: string };
}

const oldest = (agent: AgentFigures): number => agent.maxSampleAgeSeconds ?? Number.POSITIVE_INFINITY;

const shownAll = (source: StatsSourceSetting): Target => ({
  source, key: 'shown', label: 'every bench container shown', scope: 'every',
  check: (s, agent) => ({ pass: agent.minShown === s.containers, figure: `fewest shown ${agent.minShown} of ${s.containers}` }),
});

const TARGETS: readonly Target[] = [
  {
    source: 'api', key: '/containers', label: '/containers median < 5 ms, p99 < 20 ms', scope: { upTo: 100 },
    check: (_s, agent) => {
      const result = agent.latency['/containers'];
      const pass = (result?.medianMs ?? Infinity) < 5 && (result?.p99Ms ?? Infinity) < 20;
      return { pass, figure: result === null ? 'not served' : `${fixed(result.medianMs, 2)} / ${fixed(result.p99Ms, 2)} ms` };
    },
  },
  {
    source: 'api', key: 'age', label: 'every sample ≤ 2 s old', scope: { upTo: 100 },
    check: (_s, agent) => ({ pass: oldest(agent) <= 2, figure: `oldest ${fixed(agent.maxSampleAgeSeconds, 2)} s` }),
  },
  {
    source: 'api', key: 'cpu', label: 'dockmon CPU < 2% of a core', scope: { upTo: 100 },
    check: (_s, agent) => ({ pass: agent.cpuPercent < 2, figure: `${fixed(agent.cpuPercent, 2)}%` }),
  },
  {
    source: 'api', key: 'rss', label: 'dockmon peak RSS < 64 MiB', scope: { upTo: 100 },
    check: (_s, agent) => ({ pass: (agent.peakRssBytes ?? Infinity) < 64 * MIB, figure: mebibytes(agent.peakRssBytes) }),
  },
  {
    source: 'api', key: 'daemon', label: 'daemon CPU caused ≤ `docker stats`\'', scope: { upTo: 100 },
    check: (s, agent) => ({
      pass: agent.daemonCpuPercent <= s.dockerStats.daemonCpuPercent,
      figure: `${fixed(agent.daemonCpuPercent, 1)}% vs ${fixed(s.dockerStats.daemonCpuPercent, 1)}%`,
    }),
  },
  {
    source: 'api', key: 'age', label: 'every sample < 5 s old', scope: { above: 100 },
    check: (_s, agent) => ({ pass: oldest(agent) < 5, figure: `oldest ${fixed(agent.maxSampleAgeSeconds, 2)} s` }),
  },
  {
    source: 'api', key: 'rss', label: 'dockmon peak RSS < 128 MiB', scope: { above: 100 },
    check: (_s, agent) => ({ pass: (agent.peakRssBytes ?? Infinity) < 128 * MIB, figure: mebibytes(agent.peakRssBytes) }),
  },
  shownAll('api'),
  {
    source: 'cgroup', key: 'kernel', label: 'every bench container read from the kernel', scope: 'every',
    check: (s, agent) => {
      const counts = agent.sources?.benchWorst;
      if (counts === undefined) return { pass: false, figure: 'not recorded' };
      return { pass: counts.fromKernel === s.containers, figure: `${counts.fromKernel} of ${s.containers} (fewest in any answer)` };
    },
  },
  {
    source: 'cgroup', key: 'daemon', label: 'daemon CPU caused ≤ 10% of `docker stats`\'', scope: { exactly: 100 },
    check: (s, agent) => ({
      pass: agent.daemonCpuPercent <= 0.1 * s.dockerStats.daemonCpuPercent,
      figure:
        `${fixed(agent.daemonCpuPercent, 1)}% vs ${fixed(s.dockerStats.daemonCpuPercent, 1)}% ` +
        `(${fixed(percentOfDockerStats(s, agent.daemonCpuPercent), 0)}%)`,
    }),
  },
  {
    source: 'cgroup', key: 'cpu', label: 'dockmon CPU ≤ 3% of a core', scope: { exactly: 100 },
    check: (_s, agent) => ({ pass: agent.cpuPercent <= 3, figure: `${fixed(agent.cpuPercent, 2)}%` }),
  },
  {
    source: 'cgroup', key: 'cpu', label: 'dockmon CPU ≤ 10% of a core', scope: { exactly: 500 },
    check: (_s, agent) => ({ pass: agent.cpuPercent <= 10, figure: `${fixed(agent.cpuPercent, 2)}%` }),
  },
  {
    source: 'cgroup', key: 'age', label: 'every sample ≤ 1.2 s old', scope: 'every',
    check: (_s, agent) => ({
      pass: oldest(agent) <= 1.2,
      figure: `oldest ${fixed(agent.maxSampleAgeSeconds, 2)} s, p99 ${fixed(agent.p99SampleAgeSeconds, 2)} s`,
    }),
  },
  shownAll('cgroup'),
];

function inScope(scope: Scope, count: number): boolean {
  if (scope === 'every') return true;
  if ('exactly' in scope) return count === scope.exactly;
  if ('upTo' in scope) return count <= scope.upTo;
  return count > scope.above;
}

function describeScope(scope: Scope): string {
  if (scope === 'every') return 'every N';
  if ('exactly' in scope) return String(scope.exactly);
  if ('upTo' in scope) return `≤ ${scope.upTo}`;
  return `> ${scope.above}`;
}

/**
 * Every target at every count it applies to that the run asked for or measured; one
 * "not measured" row for a target none of whose counts was measured with its source.
 */
export function checkTargets(report: BenchReport): TargetResult[] {
  const counts = [...new Set([...report.settings.containerCounts, ...report.scenarios.map((s) => s.containers)])].sort((a, b) => a - b);
  const results: TargetResult[] = [];
  for (const target of TARGETS) {
    const base = { source: target.source, key: target.key, label: target.label };
    if (!report.settings.sources.includes(target.source)) {
      results.push({ ...base, at: describeScope(target.scope), containers: null, figure: `no ${target.source} run (--sources)`, status: 'not measured' });
      continue;
    }
    const applicable = counts.filter((count) => inScope(target.scope, count));
    if (applicable.length === 0) {
      results.push({ ...base, at: describeScope(target.scope), containers: null, figure: '', status: 'not measured' });
      continue;
    }
    for (const count of applicable) {
      const scenario = report.scenarios.find((s) => s.containers === count);
      const agent = scenario?.agents.find((run) => run.statsSource === target.source);
      if (scenario === undefined || agent === undefined) {
        results.push({ ...base, at: String(count), containers: count, figure: '', status: 'not measured' });
        continue;
      }
      const { pass, figure } = target.check(scenario, agent);
      results.push({ ...base, at: String(count), containers: count, figure, status: pass ? 'hit' : 'miss' });
    }
  }
  return results;
}

export const STATUS_MARK: Record<TargetStatus, string> = { hit: '✅ hit', miss: '❌ miss', 'not measured': '— not measured' };

/** The verdict on one measure of one run at one count, for the detail tables: "✅" / "❌" / "". */
export function targetMark(results: readonly TargetResult[], source: StatsSourceSetting, count: number, key: string): string {
  const found = results.find((result) => result.source === source && result.containers === count && result.key === key);
  return found === undefined || found.status === 'not measured' ? '' : found.status === 'hit' ? ' ✅' : ' ❌';
}
