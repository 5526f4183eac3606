// Each container's lifecycle as the daemon told it (create, start, die with its exit
// code, oom, kill, pause, health changes, destroy), kept in memory and bounded: the last
// EVENTS_PER_CONTAINER events of each, and containers that are gone for KEEP_REMOVED_MS
// (at most MAX_CONTAINERS in all, the longest-removed forgotten first). The detail panel,
// /containers/events and the crash-loop rule read it.

import type { ContainerHealth } from '../stats/types.js';

export type LifecycleAction =
  | 'create'
  | 'start'
  | 'restart'
  | 'die'
  | 'oom'
  | 'kill'
  | 'stop'
  | 'pause'
  | 'unpause'
  | 'health_status'
  | 'rename'
  | 'destroy';

export const LIFECYCLE_ACTIONS: ReadonlySet<string> = new Set<LifecycleAction>([
  'create',
  'start',
  'restart',
  'die',
  'oom',
  'kill',
  'stop',
  'pause',
  'unpause',
  'health_status',
  'rename',
  'destroy',
]);

export interface LifecycleEvent {
  /** The daemon's time of the event, epoch ms (with timeNano's fraction). */
  timeMs: number;
  action: LifecycleAction;
  containerId: string;
  /** The container's name at the time (without '/'). */
  name: string;
  /** die: the process's exit code. */
  exitCode: number | null;
  /** kill: the signal sent ("15", "SIGKILL"...). */
  signal: string | null;
  /** health_status: the new status. */
  health: ContainerHealth | null;
  /** die: whether a kill (docker stop, docker kill) came first in this run. */
  deliberate: boolean | null;
}

export interface ContainerTimeline {
  id: string;
  name: string;
  /** Oldest first. */
  events: readonly LifecycleEvent[];
  /** When it was destroyed (epoch ms), null while it exists. */
  removedAtMs: number | null;
}

export interface Timeline {
  record(event: LifecycleEvent): void;
  get(id: string): ContainerTimeline | undefined;
  /** Every container with a timeline: for resolving a name or ID prefix. */
  all(): readonly ContainerTimeline[];
  /** Restarts after a crash (a start that follows a die nobody asked for) since sinceMs. */
  crashRestarts(id: string, sinceMs: number): number;
}

export const EVENTS_PER_CONTAINER = 100;
export const KEEP_REMOVED_MS = 60 * 60 * 1000;
export const MAX_CONTAINERS = 2_000;

interface Entry {
  id: string;
  name: string;
  events: LifecycleEvent[];
  removedAtMs: number | null;
}

export function createTimeline(options: { now: () => number; perContainer?: number; keepRemovedMs?: number; maxContainers?: number }): Timeline {
  const perContainer = options.perContainer ?? EVENTS_PER_CONTAINER;
  const keepRemovedMs = options.keepRemovedMs ?? KEEP_REMOVED_MS;
  const maxContainers = options.maxContainers ?? MAX_CONTAINERS;
  // Insertion order is first-seen order; a removed entry is re-inserted so the map's
  // head holds the longest-removed (or oldest) entries for trimming.
  const entries = new Map<string, Entry>();
  const isExpired = (entry: Entry, now: number): boolean => entry.removedAtMs !== null && now - entry.removedAtMs > keepRemovedMs;

  function trim(): void {
    const now = options.now();
    for (const entry of entries.values()) {
      if (isExpired(entry, now)) entries.delete(entry.id);
    }
    if (entries.size <= maxContainers) return;
    // Over the cap: the removed go first, then the oldest entries.
    for (const entry of entries.values()) {
      if (entries.size <= maxContainers) return;
      if (entry.removedAtMs !== null) entries.delete(entry.id);
    }
    for (const id of entries.keys()) {
      if (entries.size <= maxContainers) return;
      entries.delete(id);
    }
  }

  return {
    record(event) {
      let entry = entries.get(event.containerId);
      if (entry === undefined) {
        entry = { id: event.containerId, name: event.name, events: [], removedAtMs: null };
        entries.set(entry.id, entry);
        if (entries.size > maxContainers) trim();
      }
      if (event.name !== '') entry.name = event.name;
      entry.events.push(event);
      if (entry.events.length > perContainer) entry.events.splice(0, entry.events.length - perContainer);
      if (event.action === 'destroy') {
        entry.removedAtMs = event.timeMs;
        entries.delete(entry.id);
        entries.set(entry.id, entry);
        trim();
      } else if (event.action === 'create' || event.action === 'start') {
        entry.removedAtMs = null;
      }
    },
    // Reads forget what has expired too: trimming runs only on a removal or past the cap,
    // and a container removed over KEEP_REMOVED_MS ago must not be found in a quiet hour.
    get(id) {
      const entry = entries.get(id);
      if (entry === undefined || !isExpired(entry, options.now())) return entry;
      entries.delete(id);
      return undefined;
    },
    all() {
      trim();
      return [...entries.values()];
    },
    crashRestarts(id, sinceMs) {
      const entry = entries.get(id);
      if (entry === undefined) return 0;
      let restarts = 0;
      let lastDie: LifecycleEvent | null = null;
      for (const event of entry.events) {
        if (event.action === 'die') lastDie = event;
        else if (event.action === 'start') {
          if (lastDie !== null && lastDie.deliberate === false && event.timeMs >= sinceMs) restarts += 1;
          lastDie = null;
        }
      }
      return restarts;
    },
  };
}
