// Turns the daemon's container events into the timeline, the stopped-container list,
// events.jsonl lines and the alert rules' event input. The sampler calls onEvent for
// every container event before it acts on it (a die removes the container from the
// store, and what the store knew, its labels and restart policy, is needed first), and
// onListed after every re-list (`all=1`).

import type { ContainerInspectSubset, ContainerListEntry, EngineEvent } from '../docker/types.js';
import type { AlertEngine } from '../alerts/engine.js';
import type { Logger } from '../log/logger.js';
import type { StoreReader } from '../sampler/store.js';
import { stripSlash, toContainerInfo } from '../stats/container-info.js';
import { toHealth } from '../stats/container-details.js';
import type { ContainerInfo } from '../stats/types.js';
import { createStoppedRegistry, exitCodeFromStatus, parseDockerTime, type StoppedRegistry } from './stopped.js';
import { createTimeline, LIFECYCLE_ACTIONS, type LifecycleAction, type LifecycleEvent, type Timeline } from './timeline.js';

/** The health of a timeline's latest health_status event, newest first without copying it. */
function lastHealth(events: readonly LifecycleEvent[]): LifecycleEvent['health'] | undefined {
  for (let i = events.length - 1; i >= 0; i -= 1) if (events[i]?.action === 'health_status') return events[i]?.health;
  return undefined;
}

/** How long after a die (or start) a list may still show the container's earlier state. */
const LIST_LAG_MS = 2_000;

/** Event attributes that are not the container's labels. */
const NON_LABEL_ATTRIBUTES = new Set(['name', 'image', 'exitCode', 'signal', 'execDuration']);

export interface LifecycleTracker {
  onEvent(event: EngineEvent): void;
  /**
   * A re-list. requestedAtMs (the same clock as `now`) is when it was asked for: a container
   * that died after that is listed as running, and the list must not undo the die.
   */
  onListed(entries: readonly ContainerListEntry[], requestedAtMs?: number): void;
  readonly timeline: Timeline;
  readonly stopped: StoppedRegistry;
  /** Whether a list has been seen since the agent started (alerts restored from the log wait for it). */
  listed(): boolean;
}

export interface LifecycleTrackerDeps {
  store: StoreReader;
  /** events.jsonl */
  eventsLog: { append(record: object): void };
  alerts: Pick<AlertEngine, 'observe'> | null;
  /** One inspect per stopped container, for its exit time, OOM flag and restart count. */
  inspect?: (id: string) => Promise<ContainerInspectSubset>;
  logger: Logger;
  now: () => number;
  /** Shared with the alert rules (created first, for them); new ones by default. */
  timeline?: Timeline;
  stopped?: StoppedRegistry;
}

interface RunFacts {
  /** A kill came in this run (docker stop, docker kill): its die was asked for. */
  killed: boolean;
  oom: boolean;
}

/**
 * Podman 4.3 does not always send `stop` before the die of a `podman stop` (seen in one
 * run of three), and never `kill`. Its events carry `podId`: there, a die by SIGTERM or
 * SIGKILL (143, 137) with no OOM kill in the run is taken as asked for.
 */
function podmanSignalledStop(attributes: Readonly<Record<string, string>>, exitCode: number | null, run: RunFacts): boolean {
  return 'podId' in attributes && !run.oom && (exitCode === 137 || exitCode === 143);
}

export function createLifecycleTracker(deps: LifecycleTrackerDeps): LifecycleTracker {
  const timeline = deps.timeline ?? createTimeline({ now: deps.now });
  const stopped = deps.stopped ?? createStoppedRegistry();
  /** Per container, what happened since its last start. */
  const runs = new Map<string, RunFacts>();
  /** Stopped containers waiting for their one inspect. */
  const toInspect: string[] = [];
  const inspected = new Set<string>();
  let inspecting = false;
  let listedOnce = false;
  /** When (agent clock) each container's latest die or start was applied. */
  const lastChangeMs = new Map<string, number>();

  function runOf(id: string): RunFacts {
    let run = runs.get(id);
    if (run === undefined) {
      run = { killed: false, oom: false };
      runs.set(id, run);
    }
    return run;
  }

  function infoFrom(event: EngineEvent, id: string): ContainerInfo {
    const known = deps.store.get(id)?.info ?? stopped.get(id)?.info;
    const attributes = event.Actor?.Attributes ?? {};
    if (known !== undefined) return known;
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(attributes)) if (!NON_LABEL_ATTRIBUTES.has(key)) labels[key] = value;
    return {
      id,
      name: stripSlash(attributes['name'] ?? id.slice(0, 12)),
      image: attributes['image'] ?? '',
      state: 'exited',
      networkMode: 'default',
      createdSeconds: 0,
      labels,
    };
  }

  function drainInspects(): void {
    if (inspecting || deps.inspect === undefined) return;
    const id = toInspect.shift();
    if (id === undefined) return;
    inspecting = true;
    deps.inspect(id).then(
      (subset) => {
        const entry = stopped.get(id);
        if (entry !== undefined) {
          const exitCode = subset.State?.ExitCode;
          stopped.upsert(entry.info, {
            ...(exitCode !== undefined ? { exitCode } : {}),
            oomKilled: subset.State?.OOMKilled ?? entry.oomKilled,
            finishedAtMs: parseDockerTime(subset.State?.FinishedAt) ?? entry.finishedAtMs,
            restartCount: subset.RestartCount ?? entry.restartCount,
          });
        }
      },
      // Gone meanwhile, or the daemon is busy: the list still shows it, without the time.
      () => undefined,
    ).finally(() => {
      inspecting = false;
      drainInspects();
    });
  }

  function requestInspect(id: string): void {
    if (inspected.has(id) || deps.inspect === undefined) return;
    inspected.add(id);
    if (inspected.size > 4 * 500) inspected.clear();
    toInspect.push(id);
    drainInspects();
  }

  return {
    timeline,
    stopped,
    listed: () => listedOnce,

    onEvent(event) {
      const id = event.Actor?.ID;
      const rawAction = event.Action ?? '';
      const action = (rawAction.startsWith('health_status') ? 'health_status' : rawAction) as LifecycleAction;
      if (typeof id !== 'string' || !LIFECYCLE_ACTIONS.has(action)) return;
      const attributes = event.Actor?.Attributes ?? {};
      const info = infoFrom(event, id);
      const view = deps.store.get(id);
      const timeMs = typeof event.timeNano === 'number' && event.timeNano > 0 ? event.timeNano / 1e6 : (event.time ?? deps.now() / 1000) * 1000;
      const run = runOf(id);
      const exitCodeText = attributes['exitCode'];
      const exitCode = action === 'die' && exitCodeText !== undefined && /^-?\d+$/.test(exitCodeText) ? Number(exitCodeText) : null;
      // Docker says kill before a die it was asked for (docker stop, docker kill); Podman says stop.
      if (action === 'kill' || action === 'stop') run.killed = true;
      if (action === 'oom') run.oom = true;
      const lifecycleEvent: LifecycleEvent = {
        timeMs,
        action,
        containerId: id,
        name: attributes['name'] !== undefined ? stripSlash(attributes['name']) : info.name,
        exitCode,
        signal: action === 'kill' ? (attributes['signal'] ?? null) : null,
        health: action === 'health_status' ? toHealth(rawAction) : null,
        deliberate: action === 'die' ? run.killed || podmanSignalledStop(attributes, exitCode, run) : null,
      };
      // Podman (and Docker on every health check with some versions) repeats health
      // events: only a change is a lifecycle event.
      if (action === 'health_status') {
        if (lastHealth(timeline.get(id)?.events ?? []) === lifecycleEvent.health) return;
      }
      timeline.record(lifecycleEvent);
      deps.eventsLog.append({
        time: new Date(timeMs).toISOString(),
        type: 'container',
        action,
        id,
        name: lifecycleEvent.name,
        ...(exitCode !== null ? { exit_code: exitCode } : {}),
        ...(lifecycleEvent.signal !== null ? { signal: lifecycleEvent.signal } : {}),
        ...(lifecycleEvent.health !== null ? { health: lifecycleEvent.health } : {}),
        ...(action === 'die' ? { deliberate: run.killed, oom_killed: run.oom } : {}),
      });
      deps.alerts?.observe(lifecycleEvent, {
        labels: info.labels,
        restartPolicy: view?.details?.restartPolicy ?? null,
        oomInThisRun: run.oom,
      });
      if (action === 'die' || action === 'start') {
        lastChangeMs.set(id, deps.now());
        // Inspected while it was created or running: its end is worth one more inspect.
        inspected.delete(id);
      }
      switch (action) {
        case 'die':
          stopped.upsert(
            { ...info, state: 'exited' },
            { exitCode, finishedAtMs: timeMs, oomKilled: run.oom, restartCount: view?.details?.restartCount ?? stopped.get(id)?.restartCount ?? null },
          );
          break;
        case 'start':
          runs.set(id, { killed: false, oom: false });
          stopped.remove(id);
          break;
        case 'destroy':
          runs.delete(id);
          lastChangeMs.delete(id);
          stopped.remove(id);
          inspected.delete(id);
          break;
        default:
          break;
      }
    },

    onListed(entries, requestedAtMs = Number.POSITIVE_INFINITY) {
      listedOnce = true;
      const present = new Set<string>();
      for (const entry of entries) {
        present.add(entry.Id);
        // A die or start applied while the list was read, or just before, is newer than what the
        // list says: the daemon sends a die before its list shows the container stopped.
        if ((lastChangeMs.get(entry.Id) ?? Number.NEGATIVE_INFINITY) >= requestedAtMs - LIST_LAG_MS) continue;
        const info = toContainerInfo(entry);
        if (info.state === 'running' || info.state === 'paused') {
          stopped.remove(info.id);
          continue;
        }
        const known = stopped.get(info.id);
        stopped.upsert(info, known?.exitCode != null ? {} : { exitCode: exitCodeFromStatus(entry.Status) });
        if (known?.finishedAtMs == null) requestInspect(info.id);
      }
      for (const id of stopped.ids()) {
        if (!present.has(id) && (lastChangeMs.get(id) ?? Number.NEGATIVE_INFINITY) < requestedAtMs - LIST_LAG_MS) stopped.remove(id);
      }
      // Runs of containers that no longer exist.
      if (runs.size > 2 * present.size + 64) for (const id of runs.keys()) if (!present.has(id)) runs.delete(id);
      if (lastChangeMs.size > 2 * present.size + 64) for (const id of lastChangeMs.keys()) if (!present.has(id)) lastChangeMs.delete(id);
    },
  };
}
