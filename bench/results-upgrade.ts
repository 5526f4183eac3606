// Reads a run's raw JSON for --render-only. A JSON written before the bench measured
// each stats source (no `format`, one `agent` per count) is read as one agent run per
// count, with the STATS_SOURCE it was started with: none means `api`, the agent's only
// source until STATS_SOURCE came (commit 788d983); the report says it assumed that.

import { REPORT_FORMAT, type AgentFigures, type BenchReport, type ScenarioResult, type StatsSourceSetting } from './results.js';

type OldAgentFigures = Omit<AgentFigures, 'statsSource' | 'sources' | 'p99SampleAgeSeconds'>;

type OldScenario = Omit<ScenarioResult, 'agents'> & { agent: OldAgentFigures };

function isOldShape(raw: Record<string, unknown>): boolean {
  const scenarios = raw['scenarios'];
  return raw['format'] === undefined && Array.isArray(scenarios) && scenarios.every((s: unknown) => typeof s === 'object' && s !== null && 'agent' in s);
}

export function readReport(raw: unknown): BenchReport {
  if (typeof raw !== 'object' || raw === null) throw new Error('--render-only: the file is not a bench report (not a JSON object)');
  const record = raw as Record<string, unknown>;
  if (record['format'] === REPORT_FORMAT) return raw as BenchReport;
  if (!isOldShape(record)) {
    throw new Error(`--render-only: report format ${JSON.stringify(record['format'])} is not one this bench reads (${REPORT_FORMAT}, or the older one-agent-run shape)`);
  }
  const old = raw as Omit<BenchReport, 'format' | 'scenarios'> & { scenarios: OldScenario[] };
  const given = old.settings.agentEnv['STATS_SOURCE'];
  const source: StatsSourceSetting = given === 'cgroup' || given === 'auto' ? given : 'api';
  const { STATS_SOURCE: _dropped, ...agentEnv } = old.settings.agentEnv;
  return {
    ...old,
    format: REPORT_FORMAT,
    upgradedFrom:
      `a JSON written before the bench measured each stats source: one dockmon run per count, read as STATS_SOURCE=${source}` +
      (given === undefined ? ' (none was set: the agent had only the Engine API streams before STATS_SOURCE, commit 788d983)' : '') +
      '; where its numbers came from, and the p99 sample age, were not recorded',
    settings: { ...old.settings, sources: [source], agentEnv },
    scenarios: old.scenarios.map(({ agent, ...rest }) => ({
      ...rest,
      agents: [{ ...agent, statsSource: source, sources: null, p99SampleAgeSeconds: null }],
    })),
  };
}
