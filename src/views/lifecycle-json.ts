// The wire format of what issue 13 added: stopped containers in /containers?all=1, a
// container's timeline (/containers/events) and alerts (/alerts). Keys in snake_case
// like the rest of the API.

import type { Alert } from '../alerts/types.js';
import type { StoppedContainer } from '../lifecycle/stopped.js';
import type { ContainerTimeline, LifecycleEvent } from '../lifecycle/timeline.js';
import type { ContainerDetails } from '../stats/types.js';
import { toContainerJson, type ContainerJson } from './container-json.js';

/** What /containers?all=1 adds to every entry. */
export interface LifecycleFields {
  exit_code: number | null;
  oom_killed: boolean | null;
  /** ISO time the last run ended; null while it runs or when unknown. */
  finished_at: string | null;
  restart_count: number | null;
  /** Restarts after a crash within the crash-loop window. */
  crash_looping: boolean;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A running container's lifecycle fields: from inspect (restart count) and the rules. */
export function runningLifecycle(details: ContainerDetails | null, crashLooping: boolean): LifecycleFields {
  return { exit_code: null, oom_killed: null, finished_at: null, restart_count: details?.restartCount ?? null, crash_looping: crashLooping };
}

/** A stopped container as a /containers entry: its usage null, its exit said. */
export function toStoppedJson(stopped: StoppedContainer, crashLooping: boolean): ContainerJson & LifecycleFields {
  // No sample: every usage field null, and not "stale" (nothing is late for a stopped container).
  return {
    ...toContainerJson({ info: stopped.info, latest: null }, 0),
    stale: false,
    exit_code: stopped.exitCode,
    oom_killed: stopped.oomKilled,
    finished_at: iso(stopped.finishedAtMs),
    restart_count: stopped.restartCount,
    crash_looping: crashLooping,
  };
}

export function toEventJson(event: LifecycleEvent): Record<string, unknown> {
  return {
    time: new Date(event.timeMs).toISOString(),
    action: event.action,
    exit_code: event.exitCode,
    signal: event.signal,
    health: event.health,
    deliberate: event.deliberate,
  };
}

export function toTimelineJson(timeline: ContainerTimeline): Record<string, unknown> {
  return {
    id: timeline.id,
    name: timeline.name,
    removed_at: iso(timeline.removedAtMs),
    events: timeline.events.map(toEventJson),
  };
}

export function toAlertJson(alert: Alert): Record<string, unknown> {
  return {
    alert: alert.rule,
    key: alert.key,
    state: alert.state,
    id: alert.containerId,
    name: alert.containerName,
    summary: alert.summary,
    since: new Date(alert.sinceMs).toISOString(),
    resolved_at: iso(alert.resolvedAtMs),
    value: alert.value,
    threshold: alert.threshold,
  };
}
