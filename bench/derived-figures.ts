// Figures computed from others: comparisons between a dockmon run and the daemon-side
// phases of the same count.

import type { AgentFigures, ScenarioResult } from './results.js';

/** How many times longer one seed refresh takes than one of our /table answers. */
export function seedOverTable(s: ScenarioResult, agent: AgentFigures): number | null {
  const table = agent.latency['/table']?.medianMs ?? null;
  if (table === null || table <= 0 || s.seed.refreshSeconds === null) return null;
  return (s.seed.refreshSeconds * 1000) / table;
}

/**
 * Daemon CPU per container sample delivered, in ms: the fair way to compare a strategy that
 * samples every container every tick with one that reads a container every 1-2 s.
 */
export function daemonMsPerSample(s: ScenarioResult, agent: AgentFigures): number | null {
  const rate = agent.samplesPerSecondPerContainer;
  return rate === null || rate <= 0 ? null : (agent.daemonCpuPercent * 10) / (rate * s.containers);
}

/** The same for the seed loop, whose calls each deliver one sample. */
export function seedDaemonMsPerSample(s: ScenarioResult): number | null {
  const call = s.seed.meanCallSeconds;
  return call === null || call <= 0 ? null : s.seed.daemonCpuPercent * 10 * call;
}

/**
 * The daemon CPU a run caused as a percentage of what `docker stats` caused in the same
 * count; null when `docker stats` caused nothing measurable (the ratio would be noise).
 */
export function percentOfDockerStats(s: ScenarioResult, daemonCpuPercent: number): number | null {
  const reference = s.dockerStats.daemonCpuPercent;
  return reference > 0 ? (daemonCpuPercent / reference) * 100 : null;
}
