// Each rule's threshold: a default from the environment (config.ts), overridden per
// container by a label `dockmon.alert.<rule>=<threshold>|off`. A label that does not
// parse is ignored (the default holds) and reported once by the engine.

import type { AlertRule } from './types.js';

export interface AlertSettings {
  /** Rules turned off for every container (ALERTS_OFF). */
  disabled: ReadonlySet<AlertRule>;
  /** CPU above this percent of the container's CPU limit (of the host's CPUs when unlimited)... */
  cpuPercent: number;
  /** ... for this long. */
  cpuForMs: number;
  memoryPercent: number;
  memoryForMs: number;
  /** Restarts after a crash within crashLoopWindowMs that make a crash loop. */
  crashLoopRestarts: number;
  crashLoopWindowMs: number;
  /** A running container without a sample this long. */
  staleForMs: number;
  /** Docker unreachable this long. */
  dockerForMs: number;
  /** A firing alert is notified again this often. */
  repeatMs: number;
}

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  disabled: new Set(),
  cpuPercent: 90,
  cpuForMs: 5 * 60_000,
  memoryPercent: 90,
  memoryForMs: 5 * 60_000,
  crashLoopRestarts: 3,
  crashLoopWindowMs: 10 * 60_000,
  staleForMs: 60_000,
  dockerForMs: 30_000,
  repeatMs: 4 * 60 * 60_000,
};

export const ALERT_LABEL_PREFIX = 'dockmon.alert.';

/** A rule's setting for one container: off, or its threshold (percent, restarts or ms). */
export type RuleSetting = { off: true } | { off: false; threshold: number };

/** What a label may say for each rule: a percent, a count, a duration, or only on/off. */
const LABEL_KIND: Readonly<Record<AlertRule, 'percent' | 'count' | 'duration' | 'switch'>> = {
  exited: 'switch',
  oom_killed: 'switch',
  unhealthy: 'switch',
  crash_loop: 'count',
  cpu: 'percent',
  memory: 'percent',
  stale: 'duration',
  docker_unreachable: 'switch',
};

function defaultThreshold(rule: AlertRule, settings: AlertSettings): number {
  switch (rule) {
    case 'cpu':
      return settings.cpuPercent;
    case 'memory':
      return settings.memoryPercent;
    case 'crash_loop':
      return settings.crashLoopRestarts;
    case 'stale':
      return settings.staleForMs;
    default:
      return 1;
  }
}

const DURATION_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses one label value for a rule; undefined when it does not parse. */
export function parseRuleLabel(rule: AlertRule, raw: string): RuleSetting | undefined {
  const value = raw.trim().toLowerCase();
  if (value === 'off' || value === 'false' || (value === '0' && LABEL_KIND[rule] === 'switch')) return { off: true };
  const kind = LABEL_KIND[rule];
  if (kind === 'switch') return value === 'on' || value === 'true' || value === '1' ? { off: false, threshold: 1 } : undefined;
  if (kind === 'percent') {
    const match = /^(\d+(?:\.\d+)?)\s*%?$/.exec(value);
    const percent = match?.[1] === undefined ? Number.NaN : Number(match[1]);
    return percent > 0 && percent <= 10_000 ? { off: false, threshold: percent } : undefined;
  }
  if (kind === 'count') {
    const count = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    return count >= 1 && count <= 10_000 ? { off: false, threshold: count } : undefined;
  }
  const match = /^(\d+)\s*(ms|s|m|h)$/.exec(value);
  const ms = match?.[1] !== undefined && match[2] !== undefined ? Number(match[1]) * (DURATION_MS[match[2]] ?? Number.NaN) : Number.NaN;
  return ms >= 1_000 && ms <= 7 * 24 * 3_600_000 ? { off: false, threshold: ms } : undefined;
}

/**
 * The setting of `rule` for a container with these labels; `invalid` is called with the
 * label's key when a label is present but does not parse.
 */
export function ruleSetting(
  rule: AlertRule,
  labels: Readonly<Record<string, string>>,
  settings: AlertSettings,
  invalid?: (key: string) => void,
): RuleSetting {
  const key = ALERT_LABEL_PREFIX + rule;
  const raw = labels[key];
  if (raw !== undefined) {
    const parsed = parseRuleLabel(rule, raw);
    if (parsed !== undefined) return parsed;
    invalid?.(key);
  }
  if (settings.disabled.has(rule)) return { off: true };
  return { off: false, threshold: defaultThreshold(rule, settings) };
}
