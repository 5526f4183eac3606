// The built-in alert rules against a real store and timeline, on a clock the test moves:
// each rule fires once when its condition holds (for its duration), not before, not
// again while it holds, and resolves when the condition ends.

import { describe, expect, it } from 'vitest';
import { hexId, makeDetails, makeInfo, makeSample } from '../../test/helpers/samples.js';
import { createTimeline, type LifecycleAction, type LifecycleEvent } from '../lifecycle/timeline.js';
import { createStore } from '../sampler/store.js';
import type { ContainerDetails } from '../stats/types.js';
import { createAlertEngine, EXIT_GRACE_MS, RESTORE_SETTLE_MS, type AlertEngineDeps, type EventContext } from './engine.js';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from './settings.js';
import type { Alert } from './types.js';

const T0 = 1_800_000_000_000;
const ID = hexId('a1');
const HOST_CORES = 4;

interface Change {
  kind: 'firing' | 'resolved';
  alert: Alert;
}

function setup(options: { settings?: AlertSettings; dockerConnected?: boolean } & Partial<Pick<AlertEngineDeps, 'listed' | 'whereIs'>> = {}) {
  let clock = T0;
  const now = () => clock;
  const store = createStore({ historySize: 10, now });
  if (options.dockerConnected ?? true) store.setDocker({ state: 'connected', message: null, hint: null, apiVersion: '1.43', server: '27.0.0' });
  const timeline = createTimeline({ now });
  const changes: Change[] = [];
  const invalidLabels: string[] = [];
  const engine = createAlertEngine({
    store,
    timeline,
    settings: options.settings ?? DEFAULT_ALERT_SETTINGS,
    now,
    hostCores: HOST_CORES,
    // A copy: the engine updates its alert objects in place.
    onChange: (kind, alert) => changes.push({ kind, alert: { ...alert } }),
    onInvalidLabel: (name, key) => invalidLabels.push(`${name} ${key}`),
    ...(options.listed !== undefined ? { listed: options.listed } : {}),
    ...(options.whereIs !== undefined ? { whereIs: options.whereIs } : {}),
  });
  return {
    store,
    timeline,
    engine,
    changes,
    invalidLabels,
    now,
    /** Moves the clock to T0 + ms. */
    at(ms: number): void {
      clock = T0 + ms;
    },
    /** Moves the clock to T0 + ms and evaluates the state rules. */
    evaluateAt(ms: number): void {
      clock = T0 + ms;
      engine.evaluate();
    },
  };
}

function lifecycle(action: LifecycleAction, timeMs: number, overrides: Partial<LifecycleEvent> = {}): LifecycleEvent {
  return {
    timeMs,
    action,
    containerId: ID,
    name: 'web',
    exitCode: null,
    signal: null,
    health: null,
    deliberate: action === 'die' ? false : null,
    ...overrides,
  };
}

function context(overrides: Partial<EventContext> = {}): EventContext {
  return { labels: {}, restartPolicy: 'no', oomInThisRun: false, ...overrides };
}

function details(overrides: Partial<ContainerDetails> = {}): ContainerDetails {
  return makeDetails({ startedAtMs: T0 - 60_000, restartPolicy: 'no', ...overrides });
}

const summary = (changes: readonly Change[]): string[] => changes.map(({ kind, alert }) => `${kind} ${alert.key}`);

describe('the alert engine', () => {
  describe('exited', () => {
    it('fires once, at once, for a non-zero exit in a container that will not be restarted', () => {
      const { engine, changes, evaluateAt, now } = setup();
      engine.observe(lifecycle('die', now(), { exitCode: 3 }), context({ restartPolicy: 'no' }));
      expect(changes).toHaveLength(1);
      expect(changes[0]?.kind).toBe('firing');
      expect(changes[0]?.alert).toMatchObject({
        rule: 'exited',
        key: `exited:${ID}`,
        containerId: ID,
        containerName: 'web',
        state: 'firing',
        sinceMs: T0,
        value: 3,
        summary: 'web exited with code 3',
      });
      for (let s = 1; s <= 10; s += 1) evaluateAt(s * 1_000);
      expect(changes).toHaveLength(1);
      expect(engine.firingFor(ID)).toEqual(['exited']);
    });

    it('without a known restart policy, fires only when no start came within the grace', () => {
      const { engine, changes, evaluateAt, now } = setup();
      engine.observe(lifecycle('die', now(), { exitCode: 3 }), context({ restartPolicy: null }));
      expect(changes).toEqual([]);
      evaluateAt(EXIT_GRACE_MS - 1);
      expect(changes).toEqual([]);
      evaluateAt(EXIT_GRACE_MS);
      expect(summary(changes)).toEqual([`firing exited:${ID}`]);
      expect(changes[0]?.alert.sinceMs).toBe(T0);
      evaluateAt(EXIT_GRACE_MS + 5_000);
      expect(changes).toHaveLength(1);
    });

    it('without a known restart policy, does not fire when a start comes within the grace', () => {
      const { engine, changes, evaluateAt, at, now } = setup();
      engine.observe(lifecycle('die', now(), { exitCode: 3 }), context({ restartPolicy: null }));
      evaluateAt(1_000);
      at(EXIT_GRACE_MS - 1);
      engine.observe(lifecycle('start', now()), context({ restartPolicy: null }));
      for (let s = 3; s <= 10; s += 1) evaluateAt(s * 1_000);
      expect(changes).toEqual([]);
    });

    it.each(['always', 'unless-stopped', 'on-failure'])('never fires with restart policy %s', (restartPolicy) => {
      const { engine, changes, evaluateAt, now } = setup();
      engine.observe(lifecycle('die', now(), { exitCode: 3 }), context({ restartPolicy }));
      for (let s = 1; s <= 10; s += 1) evaluateAt(s * 1_000);
      expect(changes).toEqual([]);
    });

    it('never fires for a deliberate die (docker stop, docker kill)', () => {
      const { engine, changes, evaluateAt, now } = setup();
      engine.observe(lifecycle('kill', now(), { signal: '15' }), context());
      engine.observe(lifecycle('die', now(), { exitCode: 143, deliberate: true }), context());
      engine.observe(lifecycle('die', now(), { exitCode: 137, deliberate: true }), context({ restartPolicy: null }));
      evaluateAt(EXIT_GRACE_MS + 1_000);
      expect(changes).toEqual([]);
    });

    it('never fires for exit code 0', () => {
      const { engine, changes, evaluateAt, now } = setup();
      engine.observe(lifecycle('die', now(), { exitCode: 0 }), context());
      engine.observe(lifecycle('die', now(), { exitCode: 0 }), context({ restartPolicy: null }));
      evaluateAt(EXIT_GRACE_MS + 1_000);
      expect(changes).toEqual([]);
    });

    it('can be turned off by a label', () => {
      const { engine, changes, now } = setup();
      engine.observe(lifecycle('die', now(), { exitCode: 3 }), context({ labels: { 'dockmon.alert.exited': 'off' } }));
      expect(changes).toEqual([]);
    });

    it('resolves when the container starts again', () => {
      const { engine, changes, at, now } = setup();
      engine.observe(lifecycle('die', now(), { exitCode: 3 }), context());
      at(60_000);
      engine.observe(lifecycle('start', now()), context());
      expect(summary(changes)).toEqual([`firing exited:${ID}`, `resolved exited:${ID}`]);
      expect(changes[1]?.alert).toMatchObject({ state: 'resolved', resolvedAtMs: T0 + 60_000 });
      expect(engine.firing()).toEqual([]);
      expect(engine.list().map((alert) => alert.state)).toEqual(['resolved']);
    });

    it('resolves when the container is removed', () => {
      const { engine, changes, at, now } = setup();
      engine.observe(lifecycle('die', now(), { exitCode: 3 }), context());
      at(60_000);
      engine.observe(lifecycle('destroy', now()), context());
      expect(summary(changes)).toEqual([`firing exited:${ID}`, `resolved exited:${ID}`]);
    });
  });

  describe('oom_killed', () => {
    it('fires once on the oom event; the die that follows does not also fire exited; a start resolves it', () => {
      const { engine, changes, evaluateAt, at, now } = setup();
      engine.observe(lifecycle('oom', now()), context());
      engine.observe(lifecycle('die', now() + 5, { exitCode: 137 }), context({ oomInThisRun: true }));
      for (let s = 1; s <= 10; s += 1) evaluateAt(s * 1_000);
      expect(summary(changes)).toEqual([`firing oom_killed:${ID}`]);
      expect(changes[0]?.alert.summary).toBe('web was OOM-killed');

      at(20_000);
      engine.observe(lifecycle('start', now()), context());
      expect(summary(changes)).toEqual([`firing oom_killed:${ID}`, `resolved oom_killed:${ID}`]);
    });

    it('does not fire exited after the grace either, when the restart policy is unknown', () => {
      const { engine, changes, evaluateAt, now } = setup();
      engine.observe(lifecycle('oom', now()), context({ restartPolicy: null }));
      engine.observe(lifecycle('die', now(), { exitCode: 137 }), context({ restartPolicy: null, oomInThisRun: true }));
      evaluateAt(EXIT_GRACE_MS + 1_000);
      expect(summary(changes)).toEqual([`firing oom_killed:${ID}`]);
    });
  });

  describe('an OOM-kill loop (--restart always)', () => {
    it('gives one oom_killed and one crash_loop, not a firing and a resolve per kill', () => {
      const harness = setup();
      const loopContext = (oom: boolean): EventContext => context({ restartPolicy: 'always', oomInThisRun: oom });
      for (let i = 0; i < 4; i += 1) {
        const atMs = i * 5_000;
        harness.at(atMs);
        harness.engine.observe(lifecycle('oom', harness.now()), loopContext(true));
        const die = lifecycle('die', harness.now() + 1, { exitCode: 137, deliberate: false });
        harness.timeline.record(die);
        harness.engine.observe(die, loopContext(true));
        harness.at(atMs + 1_000);
        const start = lifecycle('start', harness.now());
        harness.timeline.record(start);
        harness.engine.observe(start, loopContext(false));
        harness.evaluateAt(atMs + 2_000);
      }
      expect(summary(harness.changes)).toEqual([`firing oom_killed:${ID}`, `firing crash_loop:${ID}`]);
    });
  });

  describe('crash_loop', () => {
    const WINDOW = DEFAULT_ALERT_SETTINGS.crashLoopWindowMs;

    /** A crash (die nobody asked for) at `atMs` and the daemon's restart a second later, as the tracker records and reports them. */
    function crashAndRestart(harness: ReturnType<typeof setup>, atMs: number, labels: Record<string, string> = {}): void {
      const crashContext = context({ restartPolicy: 'always', labels });
      harness.at(atMs);
      const die = lifecycle('die', harness.now(), { exitCode: 1, deliberate: false });
      harness.timeline.record(die);
      harness.engine.observe(die, crashContext);
      harness.evaluateAt(atMs + 500);
      harness.at(atMs + 1_000);
      const start = lifecycle('start', harness.now());
      harness.timeline.record(start);
      harness.engine.observe(start, crashContext);
      harness.evaluateAt(atMs + 1_500);
    }

    it('fires exactly once at the third restart after a crash within the window, not once per restart', () => {
      const harness = setup();
      crashAndRestart(harness, 0);
      crashAndRestart(harness, 60_000);
      expect(harness.changes).toEqual([]);
      crashAndRestart(harness, 120_000);
      expect(summary(harness.changes)).toEqual([`firing crash_loop:${ID}`]);
      expect(harness.changes[0]?.alert).toMatchObject({ value: 3, threshold: '3 in 10m', summary: 'web is crash-looping: 3 restarts in 10m' });

      crashAndRestart(harness, 180_000);
      crashAndRestart(harness, 240_000);
      for (let s = 250; s <= 300; s += 1) harness.evaluateAt(s * 1_000);
      expect(summary(harness.changes)).toEqual([`firing crash_loop:${ID}`]);
      // What it says is kept current while it fires.
      expect(harness.engine.firing()[0]?.value).toBe(5);
    });

    it('resolves once the window holds fewer restarts', () => {
      const harness = setup();
      // Restarts (starts) at 1 s, 61 s and 121 s.
      for (const atMs of [0, 60_000, 120_000]) crashAndRestart(harness, atMs);
      expect(summary(harness.changes)).toEqual([`firing crash_loop:${ID}`]);
      harness.evaluateAt(1_000 + WINDOW);
      expect(summary(harness.changes)).toEqual([`firing crash_loop:${ID}`]);
      harness.evaluateAt(1_001 + WINDOW);
      expect(summary(harness.changes)).toEqual([`firing crash_loop:${ID}`, `resolved crash_loop:${ID}`]);
      harness.evaluateAt(2 * WINDOW);
      expect(harness.changes).toHaveLength(2);
    });

    it('does not count restarts spread wider than the window', () => {
      const harness = setup();
      for (const atMs of [0, WINDOW / 2, WINDOW + 10_000, WINDOW * 2, WINDOW * 3]) crashAndRestart(harness, atMs);
      expect(harness.changes).toEqual([]);
    });

    it('does not count restarts after docker stop / docker restart', () => {
      const harness = setup();
      for (const atMs of [0, 10_000, 20_000, 30_000]) {
        harness.at(atMs);
        const die = lifecycle('die', harness.now(), { exitCode: 143, deliberate: true });
        harness.timeline.record(die);
        harness.engine.observe(die, context({ restartPolicy: 'always' }));
        harness.at(atMs + 1_000);
        const start = lifecycle('start', harness.now());
        harness.timeline.record(start);
        harness.engine.observe(start, context({ restartPolicy: 'always' }));
        harness.evaluateAt(atMs + 2_000);
      }
      expect(harness.changes).toEqual([]);
    });

    it('is turned off for a container by dockmon.alert.crash_loop=off', () => {
      const harness = setup();
      for (let i = 0; i < 6; i += 1) crashAndRestart(harness, i * 10_000, { 'dockmon.alert.crash_loop': 'off' });
      expect(harness.changes).toEqual([]);
    });

    it('takes its threshold from dockmon.alert.crash_loop=5', () => {
      const harness = setup();
      const labels = { 'dockmon.alert.crash_loop': '5' };
      for (let i = 0; i < 4; i += 1) crashAndRestart(harness, i * 10_000, labels);
      expect(harness.changes).toEqual([]);
      crashAndRestart(harness, 40_000, labels);
      expect(summary(harness.changes)).toEqual([`firing crash_loop:${ID}`]);
      expect(harness.changes[0]?.alert).toMatchObject({ value: 5, threshold: '5 in 10m' });
    });

    it('an invalid label leaves the default, and is reported once', () => {
      const harness = setup();
      const labels = { 'dockmon.alert.crash_loop': 'often' };
      for (let i = 0; i < 3; i += 1) crashAndRestart(harness, i * 10_000, labels);
      expect(summary(harness.changes)).toEqual([`firing crash_loop:${ID}`]);
      expect(harness.invalidLabels).toEqual(['web dockmon.alert.crash_loop']);
    });
  });

  describe('unhealthy', () => {
    it('fires for a container whose health check fails, once, and resolves when it is healthy', () => {
      const { store, changes, evaluateAt } = setup();
      store.upsert(makeInfo({ id: ID, name: 'web' }));
      store.recordSample(ID, makeSample(T0));
      store.setDetails(ID, details({ health: 'starting' }));
      evaluateAt(0);
      expect(changes).toEqual([]);
      store.setHealth(ID, 'unhealthy');
      evaluateAt(1_000);
      evaluateAt(2_000);
      expect(summary(changes)).toEqual([`firing unhealthy:${ID}`]);
      expect(changes[0]?.alert.summary).toBe('web is unhealthy');
      store.setHealth(ID, 'healthy');
      evaluateAt(3_000);
      expect(summary(changes)).toEqual([`firing unhealthy:${ID}`, `resolved unhealthy:${ID}`]);
    });

    it('resolves when the container is no longer in the store (stopped, removed)', () => {
      const { store, changes, evaluateAt } = setup();
      store.upsert(makeInfo({ id: ID, name: 'web' }));
      store.setDetails(ID, details({ health: 'unhealthy' }));
      evaluateAt(0);
      store.remove(ID);
      evaluateAt(1_000);
      expect(summary(changes)).toEqual([`firing unhealthy:${ID}`, `resolved unhealthy:${ID}`]);
    });
  });

  describe('cpu and memory', () => {
    const FOR = DEFAULT_ALERT_SETTINGS.cpuForMs;

    /** A sample every 10 s from fromMs up to toMs (inclusive), each followed by an evaluation. */
    function feed(harness: ReturnType<typeof setup>, fromMs: number, toMs: number, sample: { cpuPercent?: number; memoryPercent?: number }): void {
      for (let ms = fromMs; ms <= toMs; ms += 10_000) {
        harness.at(ms);
        harness.store.recordSample(ID, makeSample(T0 + ms, sample));
        harness.engine.evaluate();
      }
    }

    function withContainer(labels: Record<string, string> = {}, detailOverrides: Partial<ContainerDetails> = {}) {
      const harness = setup();
      harness.store.upsert(makeInfo({ id: ID, name: 'web', labels }));
      harness.store.setDetails(ID, details(detailOverrides));
      return harness;
    }

    it('does not fire for CPU above the threshold for less than the duration', () => {
      const harness = withContainer();
      // 95 % of the host's 4 CPUs.
      feed(harness, 0, FOR - 10_000, { cpuPercent: 380 });
      feed(harness, FOR, FOR, { cpuPercent: 100 });
      feed(harness, FOR + 10_000, 2 * FOR, { cpuPercent: 380 });
      expect(harness.changes).toEqual([]);
    });

    it('fires once for CPU above the threshold for the duration, since when it began, and resolves below', () => {
      const harness = withContainer();
      feed(harness, 0, FOR - 10_000, { cpuPercent: 380 });
      expect(harness.changes).toEqual([]);
      feed(harness, FOR, FOR + 60_000, { cpuPercent: 380 });
      expect(summary(harness.changes)).toEqual([`firing cpu:${ID}`]);
      expect(harness.changes[0]?.alert).toMatchObject({ sinceMs: T0, value: 95, threshold: '90%' });
      expect(harness.changes[0]?.alert.summary).toBe("web CPU at 95% of the host's 4 CPUs for 5m");
      feed(harness, FOR + 70_000, FOR + 70_000, { cpuPercent: 40 });
      expect(summary(harness.changes)).toEqual([`firing cpu:${ID}`, `resolved cpu:${ID}`]);
    });

    it('takes a lower threshold from dockmon.alert.cpu=50', () => {
      // 60 % of the host.
      const plain = withContainer();
      feed(plain, 0, FOR + 10_000, { cpuPercent: 240 });
      expect(plain.changes).toEqual([]);

      const labelled = withContainer({ 'dockmon.alert.cpu': '50' });
      feed(labelled, 0, FOR + 10_000, { cpuPercent: 240 });
      expect(summary(labelled.changes)).toEqual([`firing cpu:${ID}`]);
      expect(labelled.changes[0]?.alert).toMatchObject({ value: 60, threshold: '50%' });
    });

    it("takes the CPU share against the container's CPU limit when it has one, else all host CPUs", () => {
      // 95 % of one core: 95 % of a 1-CPU limit, but under 24 % of the 4-CPU host.
      const unlimited = withContainer();
      feed(unlimited, 0, FOR + 10_000, { cpuPercent: 95 });
      expect(unlimited.changes).toEqual([]);

      const limited = withContainer({}, { cpuLimitCores: 1 });
      feed(limited, 0, FOR + 10_000, { cpuPercent: 95 });
      expect(summary(limited.changes)).toEqual([`firing cpu:${ID}`]);
      expect(limited.changes[0]?.alert.value).toBe(95);
      expect(limited.changes[0]?.alert.summary).toBe('web CPU at 95% of its limit (1 CPU) for 5m');
    });

    it('fires once for memory above the threshold for the duration, not before', () => {
      const harness = withContainer();
      feed(harness, 0, FOR - 10_000, { memoryPercent: 95 });
      expect(harness.changes).toEqual([]);
      feed(harness, FOR, FOR + 60_000, { memoryPercent: 95 });
      expect(summary(harness.changes)).toEqual([`firing memory:${ID}`]);
      expect(harness.changes[0]?.alert).toMatchObject({ value: 95, threshold: '90%', sinceMs: T0 });
    });
  });

  describe('stale', () => {
    const STALE = DEFAULT_ALERT_SETTINGS.staleForMs;

    it('fires for a running container with no sample for ALERT_STALE_FOR while Docker answers', () => {
      const { store, changes, evaluateAt } = setup();
      store.upsert(makeInfo({ id: ID, name: 'web' }));
      evaluateAt(STALE - 1);
      expect(changes).toEqual([]);
      evaluateAt(STALE);
      expect(summary(changes)).toEqual([`firing stale:${ID}`]);
      expect(changes[0]?.alert).toMatchObject({ summary: 'web: no stats for 1m', threshold: '1m' });
      // A sample ends it.
      store.recordSample(ID, makeSample(T0 + STALE + 1_000));
      evaluateAt(STALE + 1_000);
      expect(summary(changes)).toEqual([`firing stale:${ID}`, `resolved stale:${ID}`]);
    });

    it('counts from the last sample', () => {
      const { store, changes, evaluateAt, at } = setup();
      store.upsert(makeInfo({ id: ID, name: 'web' }));
      at(30_000);
      store.recordSample(ID, makeSample(T0 + 30_000));
      evaluateAt(30_000 + STALE - 1);
      expect(changes).toEqual([]);
      evaluateAt(30_000 + STALE);
      expect(summary(changes)).toEqual([`firing stale:${ID}`]);
    });

    it('does not fire while Docker is not connected (docker_unreachable says it once)', () => {
      const { store, changes, evaluateAt } = setup({ dockerConnected: false });
      store.upsert(makeInfo({ id: ID, name: 'web' }));
      evaluateAt(5 * STALE);
      expect(summary(changes)).toEqual(['firing docker_unreachable']);
    });

    it('does not fire for a container that does not run', () => {
      const { store, changes, evaluateAt } = setup();
      store.upsert(makeInfo({ id: ID, name: 'web', state: 'paused' }));
      evaluateAt(5 * STALE);
      expect(changes).toEqual([]);
    });
  });

  describe('docker_unreachable', () => {
    const FOR = DEFAULT_ALERT_SETTINGS.dockerForMs;

    it('fires once Docker has not been connected for ALERT_DOCKER_FOR, and resolves on connect', () => {
      const { store, changes, evaluateAt, at } = setup({ dockerConnected: false });
      evaluateAt(FOR - 1);
      expect(changes).toEqual([]);
      evaluateAt(FOR);
      evaluateAt(FOR + 10_000);
      expect(summary(changes)).toEqual(['firing docker_unreachable']);
      expect(changes[0]?.alert).toMatchObject({ containerId: null, sinceMs: T0, threshold: '30s' });
      at(FOR + 20_000);
      store.setDocker({ state: 'connected', message: null, hint: null, apiVersion: '1.43', server: '27.0.0' });
      evaluateAt(FOR + 20_000);
      expect(summary(changes)).toEqual(['firing docker_unreachable', 'resolved docker_unreachable']);
    });

    it('counts from when the connection was lost', () => {
      const { store, changes, evaluateAt, at } = setup();
      at(60_000);
      store.setDocker({ state: 'unavailable', message: 'connect ENOENT /var/run/docker.sock', hint: null, apiVersion: null, server: null });
      evaluateAt(60_000 + FOR - 1);
      expect(changes).toEqual([]);
      evaluateAt(60_000 + FOR);
      expect(summary(changes)).toEqual(['firing docker_unreachable']);
      expect(changes[0]?.alert.summary).toBe('Docker unreachable for 30s: connect ENOENT /var/run/docker.sock');
    });
  });

  describe('restore', () => {
    const RUNNING = hexId('b1');
    const GONE = hexId('b2');
    const STOPPED = hexId('b3');

    function restoredExited(containerId: string, name: string): Alert {
      return {
        rule: 'exited',
        key: `exited:${containerId}`,
        containerId,
        containerName: name,
        state: 'firing',
        sinceMs: T0 - 3_600_000,
        resolvedAtMs: null,
        summary: `${name} exited with code 1`,
        value: 1,
        threshold: null,
      };
    }

    function restoredSetup() {
      let listed = false;
      const where: Record<string, 'running' | 'stopped' | 'gone'> = { [RUNNING]: 'running', [GONE]: 'gone', [STOPPED]: 'stopped' };
      const harness = setup({ listed: () => listed, whereIs: (id) => where[id] ?? 'gone' });
      harness.engine.restore([restoredExited(RUNNING, 'api'), restoredExited(GONE, 'job'), restoredExited(STOPPED, 'db')]);
      return { ...harness, list: () => (listed = true) };
    }

    it('restores firing alerts as firing, without telling anyone', () => {
      const { engine, changes } = restoredSetup();
      expect(changes).toEqual([]);
      expect(engine.firing().map((alert) => alert.key).sort()).toEqual([`exited:${RUNNING}`, `exited:${GONE}`, `exited:${STOPPED}`].sort());
      expect(engine.firingFor(RUNNING)).toEqual(['exited']);
      expect(engine.firing().find((alert) => alert.containerId === RUNNING)?.sinceMs).toBe(T0 - 3_600_000);
    });

    it('does not resolve them before the first list and RESTORE_SETTLE_MS after it', () => {
      const { engine, changes, evaluateAt, at, now, list } = restoredSetup();
      for (let s = 0; s <= 120; s += 10) evaluateAt(s * 1_000);
      // Even a start seen meanwhile, before or after the list, waits for the host to settle.
      at(121_000);
      engine.observe({ ...lifecycle('start', now()), containerId: RUNNING, name: 'api' }, context());
      expect(changes).toEqual([]);

      list();
      evaluateAt(130_000);
      at(131_000);
      engine.observe({ ...lifecycle('destroy', now()), containerId: GONE, name: 'job' }, context());
      evaluateAt(130_000 + RESTORE_SETTLE_MS - 1);
      expect(changes).toEqual([]);
      expect(engine.firing()).toHaveLength(3);
      evaluateAt(130_000 + RESTORE_SETTLE_MS);
      expect(summary(changes).sort()).toEqual([`resolved exited:${GONE}`, `resolved exited:${RUNNING}`].sort());
    });

    it('after settling, resolves restored exits of containers now running or gone, and keeps the stopped one', () => {
      const { engine, changes, evaluateAt, list } = restoredSetup();
      evaluateAt(0);
      list();
      evaluateAt(1_000);
      evaluateAt(1_000 + RESTORE_SETTLE_MS);
      expect(summary(changes).sort()).toEqual([`resolved exited:${GONE}`, `resolved exited:${RUNNING}`].sort());
      expect(engine.firing().map((alert) => alert.key)).toEqual([`exited:${STOPPED}`]);
      evaluateAt(1_000 + 2 * RESTORE_SETTLE_MS);
      expect(changes).toHaveLength(2);
    });

    it('does not restore over an alert that already fires', () => {
      const { engine, changes, now } = setup();
      engine.observe(lifecycle('die', now(), { exitCode: 3 }), context());
      engine.restore([restoredExited(ID, 'web')]);
      expect(engine.firing()).toHaveLength(1);
      expect(engine.firing()[0]?.sinceMs).toBe(T0);
      expect(changes).toHaveLength(1);
    });
  });
});
