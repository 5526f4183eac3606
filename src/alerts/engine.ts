// Over 300 lines on purpose: the rules share one map of alerts and their fire/resolve
// bookkeeping; each rule is a short section below.
//
// The built-in alert rules. Two kinds:
// - on events: `exited` (a non-zero exit nobody asked for, in a container no restart
//   policy will start again) and `oom_killed` fire on the daemon's die and oom events and
//   resolve when the container starts again or is removed;
// - on state, evaluated every second from the store: `crash_loop`, `unhealthy`, `cpu`,
//   `memory` (above the threshold for a duration), `stale`, `docker_unreachable`.
// Every change (firing, resolved) goes to onChange; the dispatcher (dispatcher.ts) logs,
// notifies and repeats. Bounded: one alert per key, resolved ones kept RESOLVED_KEEP_MS.

import { replaceControls } from '../control-chars.js';
import type { LifecycleEvent, Timeline } from '../lifecycle/timeline.js';
import type { ContainerView, StoreReader } from '../sampler/store.js';
import { ruleSetting, type AlertSettings } from './settings.js';
import type { Alert, AlertRule } from './types.js';

export const RESOLVED_KEEP_MS = 60 * 60_000;
const MAX_RESOLVED = 1_000;
/** Without a known restart policy, a die is called final when no start follows this soon. */
export const EXIT_GRACE_MS = 3_000;
/** An OOM kill in a container that goes on running is old news after this. */
const OOM_RUNNING_RESOLVE_MS = 10 * 60_000;

/** What the engine needs to know about a container at its event. */
export interface EventContext {
  labels: Readonly<Record<string, string>>;
  /** HostConfig.RestartPolicy.Name from inspect: '', 'no', 'always', 'unless-stopped', 'on-failure'; null when unknown. */
  restartPolicy: string | null;
  /** Whether an oom event came in this run (since its last start). */
  oomInThisRun: boolean;
}

export interface AlertEngine {
  observe(event: LifecycleEvent, context: EventContext): void;
  /** Evaluates the state rules; called every second. */
  evaluate(): void;
  /** Firing first (oldest first), then resolved (newest first). */
  list(): readonly Alert[];
  firing(): readonly Alert[];
  /** Firing alert keys of a container: rows are marked with them. */
  firingFor(containerId: string): readonly AlertRule[];
  /**
   * Alerts that were firing when the agent last stopped (from events.jsonl): firing again
   * without a notification, and resolved by the rules only once the agent has seen the
   * host settle (RESTORE_SETTLE_MS after the first list).
   */
  restore(alerts: readonly Alert[]): void;
}

/** After the first list, restored alerts wait this long (inspects, first samples) before a rule may resolve them. */
export const RESTORE_SETTLE_MS = 15_000;

export interface AlertEngineDeps {
  store: StoreReader;
  timeline: Timeline;
  settings: AlertSettings;
  now: () => number;
  /** CPUs of the host: CPU % of an unlimited container is taken against all of them. */
  hostCores: number;
  onChange(kind: 'firing' | 'resolved', alert: Alert): void;
  /** A `dockmon.alert.*` label that does not parse (reported once per container and key). */
  onInvalidLabel?(containerName: string, key: string): void;
  /** Whether the container list has been read since the start (restored alerts wait for it). */
  listed?(): boolean;
  /** Where a container is now, for restored exited / oom_killed alerts whose end was missed. */
  whereIs?(containerId: string): 'running' | 'stopped' | 'gone';
}

const RESTARTING_POLICIES = new Set(['always', 'unless-stopped', 'on-failure']);

function keyOf(rule: AlertRule, containerId: string | null): string {
  return containerId === null ? rule : `${rule}:${containerId}`;
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

export function createAlertEngine(deps: AlertEngineDeps): AlertEngine {
  const { store, timeline, settings, now } = deps;
  const alerts = new Map<string, Alert>();
  /** Dies awaiting their grace (no restart policy known): key → when to decide. */
  const pendingExits = new Map<string, { event: LifecycleEvent; decideAtMs: number; labels: Readonly<Record<string, string>> }>();
  /** Containers with a crash in the crash-loop window: only these are checked for a loop. */
  const recentCrashes = new Map<string, { name: string; labels: Readonly<Record<string, string>>; lastMs: number; restored: boolean }>();
  /** Keys restored from the log; the rules may resolve them once settledAtMs has passed. */
  const restoredKeys = new Set<string>();
  let settledAtMs: number | null = null;
  /** Since when a container has been above its CPU / memory threshold. */
  const aboveSince = new Map<string, number>();
  const invalidReported = new Set<string>();
  /** The latest OOM kill of each container with a firing oom_killed alert. */
  const lastOomMs = new Map<string, number>();
  let firingCache: Alert[] | null = null;

  const name = (value: string): string => replaceControls(value);

  function setting(rule: AlertRule, labels: Readonly<Record<string, string>>, containerName: string) {
    return ruleSetting(rule, labels, settings, (key) => {
      const reported = `${containerName}|${key}`;
      if (invalidReported.has(reported) || invalidReported.size > 10_000) return;
      invalidReported.add(reported);
      deps.onInvalidLabel?.(containerName, key);
    });
  }

  function fire(rule: AlertRule, containerId: string | null, containerName: string | null, facts: Pick<Alert, 'summary' | 'value' | 'threshold'> & { sinceMs?: number }): void {
    const key = keyOf(rule, containerId);
    const existing = alerts.get(key);
    if (existing?.state === 'firing') {
      // Still firing: keep its start, refresh what it says.
      existing.summary = facts.summary;
      existing.value = facts.value;
      return;
    }
    const alert: Alert = {
      rule,
      key,
      containerId,
      containerName,
      state: 'firing',
      sinceMs: facts.sinceMs ?? now(),
      resolvedAtMs: null,
      summary: facts.summary,
      value: facts.value,
      threshold: facts.threshold,
    };
    alerts.delete(key);
    alerts.set(key, alert);
    firingCache = null;
    deps.onChange('firing', alert);
  }

  function resolve(rule: AlertRule, containerId: string | null): void {
    const key = keyOf(rule, containerId);
    const alert = alerts.get(key);
    if (alert?.state !== 'firing') return;
    if (restoredKeys.has(key)) {
      if (settledAtMs === null || now() < settledAtMs) return;
      restoredKeys.delete(key);
    }
    alert.state = 'resolved';
    alert.resolvedAtMs = now();
    firingCache = null;
    deps.onChange('resolved', alert);
  }

  function fireExited(event: LifecycleEvent, labels: Readonly<Record<string, string>>): void {
    if (setting('exited', labels, event.name).off) return;
    fire('exited', event.containerId, event.name, {
      summary: `${name(event.name)} exited with code ${String(event.exitCode)}`,
      value: event.exitCode,
      threshold: null,
      sinceMs: event.timeMs,
    });
  }

  function trimResolved(): void {
    const cutoff = now() - RESOLVED_KEEP_MS;
    let resolved = 0;
    for (const alert of alerts.values()) if (alert.state === 'resolved') resolved += 1;
    for (const [key, alert] of alerts) {
      if (alert.state !== 'resolved') continue;
      if ((alert.resolvedAtMs ?? 0) < cutoff || resolved > MAX_RESOLVED) {
        alerts.delete(key);
        resolved -= 1;
      }
    }
  }

  function evaluateContainer(view: ContainerView, nowMs: number, dockerUp: boolean): void {
    const { id, labels } = view.info;
    const containerName = view.info.name;
    // unhealthy
    if (view.details?.health === 'unhealthy' && !setting('unhealthy', labels, containerName).off) {
      fire('unhealthy', id, containerName, { summary: `${name(containerName)} is unhealthy`, value: null, threshold: null });
    } else resolve('unhealthy', id);

    const sample = view.latest;
    // cpu: percent of the limit (of every host CPU when unlimited)
    const cpu = setting('cpu', labels, containerName);
    const cores = view.details?.cpuLimitCores ?? deps.hostCores;
    const cpuShare = sample?.cpuPercent != null && cores > 0 ? sample.cpuPercent / cores : null;
    overThreshold('cpu', view, cpu.off ? null : cpu.threshold, cpuShare, settings.cpuForMs, nowMs, (share) =>
      `${name(containerName)} CPU at ${share.toFixed(0)}% of ${view.details?.cpuLimitCores != null ? `its limit (${String(cores)} CPU)` : `the host's ${String(cores)} CPUs`} for ${formatDuration(settings.cpuForMs)}`,
    );
    // memory: percent of the limit (the daemon's clamp to host RAM when unlimited)
    const memory = setting('memory', labels, containerName);
    const memoryShare = sample !== null && sample.memoryLimitBytes > 0 ? sample.memoryPercent : null;
    overThreshold('memory', view, memory.off ? null : memory.threshold, memoryShare, settings.memoryForMs, nowMs, (share) =>
      `${name(containerName)} memory at ${share.toFixed(0)}% of its limit for ${formatDuration(settings.memoryForMs)}`,
    );
    // stale: a running container without a fresh sample (not while Docker is away:
    // docker_unreachable says that once for all). The clock starts no earlier than the
    // agent's start and the container's creation.
    const stale = setting('stale', labels, containerName);
    if (stale.off || !dockerUp || view.info.state !== 'running') {
      resolve('stale', id);
      return;
    }
    const lastMs = Math.max(view.receivedAtMs ?? 0, startedMs, view.info.createdSeconds * 1000);
    const ageMs = nowMs - lastMs;
    if (ageMs >= stale.threshold) {
      fire('stale', id, containerName, {
        summary: `${name(containerName)}: no stats for ${formatDuration(Math.round(ageMs / 1000) * 1000)}`,
        value: Math.round(ageMs / 1000),
        threshold: formatDuration(stale.threshold),
      });
    } else resolve('stale', id);
  }

  function overThreshold(
    rule: 'cpu' | 'memory',
    view: ContainerView,
    threshold: number | null,
    share: number | null,
    forMs: number,
    nowMs: number,
    summary: (share: number) => string,
  ): void {
    const key = keyOf(rule, view.info.id);
    if (threshold === null || share === null || share < threshold) {
      if (share !== null || threshold === null) {
        aboveSince.delete(key);
        resolve(rule, view.info.id);
      }
      return;
    }
    const since = aboveSince.get(key) ?? nowMs;
    aboveSince.set(key, since);
    if (nowMs - since >= forMs) {
      fire(rule, view.info.id, view.info.name, { summary: summary(share), value: Math.round(share * 10) / 10, threshold: `${String(threshold)}%`, sinceMs: since });
    }
  }

  const startedMs = now();

  return {
    observe(event, context) {
      const id = event.containerId;
      switch (event.action) {
        case 'oom':
          if (!setting('oom_killed', context.labels, event.name).off) {
            lastOomMs.set(id, event.timeMs);
            fire('oom_killed', id, event.name, { summary: `${name(event.name)} was OOM-killed`, value: null, threshold: null, sinceMs: event.timeMs });
          }
          break;
        case 'die': {
          if (event.exitCode === null || event.exitCode === 0 || event.deliberate === true) break;
          // An OOM kill is a crash too (an OOM loop is a crash loop), but oom_killed says it, not exited.
          recentCrashes.set(id, { name: event.name, labels: context.labels, lastMs: event.timeMs, restored: recentCrashes.get(id)?.restored ?? false });
          if (context.oomInThisRun) break;
          const policy = context.restartPolicy;
          if (policy !== null && RESTARTING_POLICIES.has(policy)) break; // crash_loop's business
          if (policy === null) {
            pendingExits.set(id, { event, decideAtMs: now() + EXIT_GRACE_MS, labels: context.labels });
            break;
          }
          fireExited(event, context.labels);
          break;
        }
        case 'start':
          pendingExits.delete(id);
          resolve('exited', id);
          // Started again by a restart policy, an OOM kill is not over: it would fire again on
          // every kill of a loop. It resolves OOM_RUNNING_RESOLVE_MS after the last one instead.
          if (context.restartPolicy === null || !RESTARTING_POLICIES.has(context.restartPolicy)) resolve('oom_killed', id);
          break;
        case 'destroy':
          pendingExits.delete(id);
          lastOomMs.delete(id);
          recentCrashes.delete(id);
          for (const rule of ['exited', 'oom_killed', 'crash_loop', 'unhealthy', 'cpu', 'memory', 'stale'] as const) {
            aboveSince.delete(keyOf(rule, id));
            resolve(rule, id);
          }
          break;
        default:
          break;
      }
    },

    evaluate() {
      const nowMs = now();
      if (settledAtMs === null && (deps.listed?.() ?? true)) settledAtMs = nowMs + RESTORE_SETTLE_MS;
      // Restored exits and OOM kills whose end (a start, a removal) came while the agent was down.
      if (settledAtMs !== null && nowMs >= settledAtMs && deps.whereIs !== undefined) {
        for (const key of restoredKeys) {
          const alert = alerts.get(key);
          if (alert?.containerId == null || (alert.rule !== 'exited' && alert.rule !== 'oom_killed')) continue;
          if (deps.whereIs(alert.containerId) !== 'stopped') resolve(alert.rule, alert.containerId);
        }
      }
      for (const [id, pending] of pendingExits) {
        if (nowMs < pending.decideAtMs) continue;
        pendingExits.delete(id);
        fireExited(pending.event, pending.labels);
      }
      // crash_loop: restarts after a crash within the window
      for (const [id, crash] of recentCrashes) {
        const loop = setting('crash_loop', crash.labels, crash.name);
        const restarts = timeline.crashRestarts(id, nowMs - settings.crashLoopWindowMs);
        // A loop restored from the log has lost its restart history: it holds for a window after its last crash.
        const looping = restarts >= (loop.off ? Infinity : loop.threshold) || (crash.restored && nowMs - crash.lastMs < settings.crashLoopWindowMs);
        if (!loop.off && looping) {
          fire('crash_loop', id, crash.name, {
            summary: `${name(crash.name)} is crash-looping: ${String(restarts)} restarts in ${formatDuration(settings.crashLoopWindowMs)}`,
            value: restarts,
            threshold: `${String(loop.threshold)} in ${formatDuration(settings.crashLoopWindowMs)}`,
          });
        } else resolve('crash_loop', id);
        if (nowMs - crash.lastMs > settings.crashLoopWindowMs) {
          recentCrashes.delete(id);
          resolve('crash_loop', id);
        }
      }
      // state rules over the running containers
      const docker = store.docker();
      const dockerUp = docker.state === 'connected';
      const views = store.list();
      const running = new Set<string>();
      for (const view of views) {
        running.add(view.info.id);
        evaluateContainer(view, nowMs, dockerUp);
      }
      // A container no longer listed (stopped, removed) cannot be unhealthy, hot or stale.
      for (const alert of alerts.values()) {
        if (alert.state !== 'firing' || alert.containerId === null || running.has(alert.containerId)) continue;
        if (alert.rule === 'unhealthy' || alert.rule === 'cpu' || alert.rule === 'memory' || alert.rule === 'stale') {
          aboveSince.delete(alert.key);
          resolve(alert.rule, alert.containerId);
        }
      }
      // An OOM kill in a container that kept running resolves after a while.
      for (const alert of alerts.values()) {
        if (alert.rule !== 'oom_killed' || alert.state !== 'firing' || alert.containerId === null || !running.has(alert.containerId)) continue;
        if (nowMs - (lastOomMs.get(alert.containerId) ?? alert.sinceMs) > OOM_RUNNING_RESOLVE_MS) {
          lastOomMs.delete(alert.containerId);
          resolve('oom_killed', alert.containerId);
        }
      }
      // docker_unreachable
      const dockerDownMs = nowMs - docker.sinceMs;
      if (!dockerUp && !settings.disabled.has('docker_unreachable') && dockerDownMs >= settings.dockerForMs) {
        fire('docker_unreachable', null, null, {
          summary: `Docker unreachable for ${formatDuration(Math.round(dockerDownMs / 1000) * 1000)}: ${replaceControls(docker.message ?? 'connecting')}`,
          value: Math.round(dockerDownMs / 1000),
          threshold: formatDuration(settings.dockerForMs),
          sinceMs: docker.sinceMs,
        });
      } else if (dockerUp) resolve('docker_unreachable', null);
      trimResolved();
    },

    restore(restored) {
      for (const alert of restored) {
        if (alerts.get(alert.key)?.state === 'firing') continue;
        alerts.set(alert.key, { ...alert, state: 'firing', resolvedAtMs: null });
        restoredKeys.add(alert.key);
        if (alert.rule === 'crash_loop' && alert.containerId !== null) {
          recentCrashes.set(alert.containerId, { name: alert.containerName ?? alert.containerId.slice(0, 12), labels: {}, lastMs: now(), restored: true });
        }
      }
      firingCache = null;
    },

    list() {
      const all = [...alerts.values()];
      const firing = all.filter((alert) => alert.state === 'firing').sort((a, b) => a.sinceMs - b.sinceMs);
      const resolved = all.filter((alert) => alert.state === 'resolved').sort((a, b) => (b.resolvedAtMs ?? 0) - (a.resolvedAtMs ?? 0));
      return [...firing, ...resolved];
    },
    firing() {
      firingCache ??= [...alerts.values()].filter((alert) => alert.state === 'firing');
      return firingCache;
    },
    firingFor(containerId) {
      const rules: AlertRule[] = [];
      for (const alert of this.firing()) if (alert.containerId === containerId) rules.push(alert.rule);
      return rules;
    },
  };
}
