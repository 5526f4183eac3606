// The targets, checked against one container count's figures. Up to 100
// containers the 100-container targets apply; above, the 500-container ones.

import type { ScenarioResult } from './results.js';

const MIB = 1024 * 1024;

export interface TargetCheck {
  key: string;
  label: string;
  pass: boolean;
}

/** How many times longer one seed refresh takes than one of our /table answers. */
export function seedOverTable(s: ScenarioResult): number | null {
  const table = s.agent.latency['/table']?.medianMs ?? null;
  if (table === null || table <= 0 || s.seed.refreshSeconds === null) return null;
  return (s.seed.refreshSeconds * 1000) / table;
}

/**
 * Daemon CPU per container sample delivered, in ms: the fair way to compare a strategy that
 * samples every container every tick with one that reads a container every 1-2 s.
 */
export function daemonMsPerSample(s: ScenarioResult): { dockmon: number | null; seed: number | null } {
  const rate = s.agent.samplesPerSecondPerContainer;
  const dockmon = rate === null || rate <= 0 ? null : (s.agent.daemonCpuPercent * 10) / (rate * s.containers);
  const call = s.seed.meanCallSeconds;
  const seed = call === null || call <= 0 ? null : s.seed.daemonCpuPercent * 10 * call;
  return { dockmon, seed };
}

export function checkTargets(s: ScenarioResult): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const add = (key: string, label: string, pass: boolean): void => {
    checks.push({ key, label, pass });
  };
  const maxAge = s.agent.maxSampleAgeSeconds ?? Number.POSITIVE_INFINITY;
  const rss = s.agent.peakRssBytes ?? Number.POSITIVE_INFINITY;
  if (s.containers <= 100) {
    const containers = s.agent.latency['/containers'];
    add('/containers', 'median < 5 ms, p99 < 20 ms', (containers?.medianMs ?? Infinity) < 5 && (containers?.p99Ms ?? Infinity) < 20);
    add('age', '≤ 2 s old', maxAge <= 2);
    add('cpu', '< 2% of a core', s.agent.cpuPercent < 2);
    add('rss', '< 64 MiB', rss < 64 * MIB);
    add('daemon', '≤ `docker stats`', s.agent.daemonCpuPercent <= s.dockerStats.daemonCpuPercent);
  } else {
    add('age', 'every value < 5 s old', maxAge < 5);
    add('rss', '< 128 MiB', rss < 128 * MIB);
  }
  add('shown', 'all', s.agent.minShown === s.containers);
  return checks;
}

/** key → "target ✅" / "target ❌" for the report's detail tables. */
export function evaluateTargets(s: ScenarioResult): Map<string, string> {
  return new Map(checkTargets(s).map((check) => [check.key, `${check.label} ${check.pass ? '✅' : '❌'}`]));
}
