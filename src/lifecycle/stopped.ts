// Containers that exist but do not run (`docker ps -a` less `docker ps`): what
// `/containers?all=1` and the page's "show stopped" add. Filled from the re-list
// (`all=1`), from die events (exit code, time, OOM) and from one inspect each.
// Bounded: the MAX_STOPPED most recently finished (or created) are kept.

import type { ContainerInfo } from '../stats/types.js';

export interface StoppedContainer {
  info: ContainerInfo;
  exitCode: number | null;
  oomKilled: boolean | null;
  /** When its last run ended, epoch ms; null when unknown (never ran, or not inspected yet). */
  finishedAtMs: number | null;
  restartCount: number | null;
}

export const MAX_STOPPED = 500;

export interface StoppedRegistry {
  /** Most recently finished first. */
  list(): readonly StoppedContainer[];
  get(id: string): StoppedContainer | undefined;
  /** Adds or updates what is known; fields given as undefined keep their value. */
  upsert(info: ContainerInfo, facts: Partial<Omit<StoppedContainer, 'info'>>): void;
  remove(id: string): void;
  ids(): string[];
}

export function createStoppedRegistry(options: { maxStopped?: number } = {}): StoppedRegistry {
  const max = options.maxStopped ?? MAX_STOPPED;
  const entries = new Map<string, StoppedContainer>();
  let sorted: StoppedContainer[] | null = null;
  const recency = (entry: StoppedContainer): number => entry.finishedAtMs ?? entry.info.createdSeconds * 1000;

  function list(): StoppedContainer[] {
    sorted ??= [...entries.values()].sort((a, b) => recency(b) - recency(a));
    return sorted;
  }

  return {
    list,
    get: (id) => entries.get(id),
    ids: () => [...entries.keys()],
    upsert(info, facts) {
      const existing = entries.get(info.id);
      const next: StoppedContainer = {
        info,
        exitCode: facts.exitCode !== undefined ? facts.exitCode : (existing?.exitCode ?? null),
        oomKilled: facts.oomKilled !== undefined ? facts.oomKilled : (existing?.oomKilled ?? null),
        finishedAtMs: facts.finishedAtMs !== undefined ? facts.finishedAtMs : (existing?.finishedAtMs ?? null),
        restartCount: facts.restartCount !== undefined ? facts.restartCount : (existing?.restartCount ?? null),
      };
      entries.set(info.id, next);
      sorted = null;
      if (entries.size > max) {
        const oldest = list().slice(max);
        for (const entry of oldest) entries.delete(entry.info.id);
        sorted = null;
      }
    },
    remove(id) {
      if (entries.delete(id)) sorted = null;
    },
  };
}

/** "Exited (137) 3 minutes ago" → 137; null when the status carries no code. */
export function exitCodeFromStatus(status: string | undefined): number | null {
  const match = /^Exited \((-?\d+)\)/.exec(status ?? '');
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** Docker's zero time ("0001-01-01T00:00:00Z") and unparsable times → null. */
export function parseDockerTime(value: string | undefined): number | null {
  if (value === undefined || value.startsWith('0001-')) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}
