// The tracker turns the daemon's /events into what users read: the stopped list
// (/containers?all=1), events.jsonl lines and the alert rules' input. Events here are
// shaped as Docker sends them; the store is the real one.

import { describe, expect, it, vi } from 'vitest';
import { hexId, makeDetails, makeInfo } from '../../test/helpers/samples.js';
import type { AlertEngine, EventContext } from '../alerts/engine.js';
import type { ContainerInspectSubset, ContainerListEntry, EngineEvent } from '../docker/types.js';
import { createLogger } from '../log/logger.js';
import { createStore } from '../sampler/store.js';
import type { ContainerDetails } from '../stats/types.js';
import type { LifecycleEvent } from './timeline.js';
import { createLifecycleTracker, type LifecycleTrackerDeps } from './tracker.js';

const T0 = 1_800_000_000_000;
const ID = hexId('3f');

function engineEvent(action: string, seconds: number, attributes: Record<string, string> = {}, id = ID): EngineEvent {
  return {
    Type: 'container',
    Action: action,
    Actor: { ID: id, Attributes: { name: 'web', image: 'busybox', 'com.example.label': 'x', ...attributes } },
    scope: 'local',
    time: seconds,
    // 250 ms past the second: the tracker takes the finer time.
    timeNano: seconds * 1e9 + 250_000_000,
  };
}

/** The event's time as the tracker reads it: timeNano in ms, fraction kept (a double, as JSON.parse gives it). */
const atMs = (seconds: number): number => (seconds * 1e9 + 250_000_000) / 1e6;
const S0 = T0 / 1000;

function details(overrides: Partial<ContainerDetails> = {}): ContainerDetails {
  return makeDetails({ startedAtMs: T0 - 60_000, restartCount: 4, restartPolicy: 'always', ...overrides });
}

function setup(options: { inspect?: LifecycleTrackerDeps['inspect'] } = {}) {
  const now = () => T0;
  const store = createStore({ historySize: 10, now });
  const records: Record<string, unknown>[] = [];
  const observed: { event: LifecycleEvent; context: EventContext }[] = [];
  const alerts: Pick<AlertEngine, 'observe'> = {
    observe: (event, context) => {
      observed.push({ event, context });
    },
  };
  const tracker = createLifecycleTracker({
    store,
    eventsLog: { append: (record) => records.push(record as Record<string, unknown>) },
    alerts,
    logger: createLogger({ level: 'error', sink: () => undefined }),
    now,
    ...(options.inspect !== undefined ? { inspect: options.inspect } : {}),
  });
  return { store, records, observed, tracker };
}

/** Lets pending promise callbacks (the inspects) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('the lifecycle tracker', () => {
  describe('on events', () => {
    it('a die puts the container in the stopped list with its exit code and time, and logs it', () => {
      const { tracker, records } = setup();
      tracker.onEvent(engineEvent('die', S0, { exitCode: '3' }));

      const entry = tracker.stopped.get(ID);
      expect(entry).toMatchObject({ exitCode: 3, finishedAtMs: atMs(S0), oomKilled: false });
      expect(entry?.info).toMatchObject({ id: ID, name: 'web', image: 'busybox', state: 'exited', labels: { 'com.example.label': 'x' } });
      expect(records).toEqual([
        {
          time: new Date(atMs(S0)).toISOString(),
          type: 'container',
          action: 'die',
          id: ID,
          name: 'web',
          exit_code: 3,
          deliberate: false,
          oom_killed: false,
        },
      ]);
      expect(tracker.timeline.get(ID)?.events).toEqual([
        { timeMs: atMs(S0), action: 'die', containerId: ID, name: 'web', exitCode: 3, signal: null, health: null, deliberate: false },
      ]);
    });

    it('a kill before the die marks the die deliberate (docker stop is not a crash)', () => {
      const { tracker, records, observed } = setup();
      tracker.onEvent(engineEvent('kill', S0, { signal: '15' }));
      tracker.onEvent(engineEvent('die', S0 + 1, { exitCode: '143' }));

      expect(records[0]).toMatchObject({ action: 'kill', signal: '15' });
      expect(records[1]).toMatchObject({ action: 'die', exit_code: 143, deliberate: true, oom_killed: false });
      expect(observed.map(({ event }) => event.deliberate)).toEqual([null, true]);
      expect(tracker.timeline.crashRestarts(ID, 0)).toBe(0);
    });

    it('an oom before the die marks the stopped entry OOM-killed', () => {
      const { tracker, records, observed } = setup();
      tracker.onEvent(engineEvent('oom', S0));
      tracker.onEvent(engineEvent('die', S0 + 1, { exitCode: '137' }));

      expect(tracker.stopped.get(ID)).toMatchObject({ exitCode: 137, oomKilled: true });
      expect(records[1]).toMatchObject({ action: 'die', exit_code: 137, deliberate: false, oom_killed: true });
      expect(observed[1]?.context.oomInThisRun).toBe(true);
    });

    it('a start takes the container out of the stopped list and starts a fresh run', () => {
      const { tracker, records, observed } = setup();
      tracker.onEvent(engineEvent('oom', S0));
      tracker.onEvent(engineEvent('kill', S0, { signal: 'SIGKILL' }));
      tracker.onEvent(engineEvent('die', S0 + 1, { exitCode: '137' }));
      tracker.onEvent(engineEvent('start', S0 + 2));
      expect(tracker.stopped.get(ID)).toBeUndefined();

      // The next die knows nothing of the previous run's kill and OOM.
      tracker.onEvent(engineEvent('die', S0 + 3, { exitCode: '1' }));
      expect(records.at(-1)).toMatchObject({ action: 'die', exit_code: 1, deliberate: false, oom_killed: false });
      expect(observed.at(-1)?.context.oomInThisRun).toBe(false);
      expect(tracker.stopped.get(ID)).toMatchObject({ exitCode: 1, oomKilled: false, finishedAtMs: atMs(S0 + 3) });
    });

    it('a destroy takes the container out of the stopped list and marks its timeline removed', () => {
      const { tracker } = setup();
      tracker.onEvent(engineEvent('die', S0, { exitCode: '0' }));
      tracker.onEvent(engineEvent('destroy', S0 + 1));
      expect(tracker.stopped.get(ID)).toBeUndefined();
      expect(tracker.stopped.list()).toEqual([]);
      expect(tracker.timeline.get(ID)?.removedAtMs).toBe(atMs(S0 + 1));
    });

    it('records a health status once per change, however often the daemon repeats it', () => {
      const { tracker, records } = setup();
      tracker.onEvent(engineEvent('health_status: healthy', S0));
      tracker.onEvent(engineEvent('health_status: healthy', S0 + 30));
      tracker.onEvent(engineEvent('health_status: healthy', S0 + 60));
      tracker.onEvent(engineEvent('health_status: unhealthy', S0 + 90));
      tracker.onEvent(engineEvent('health_status: unhealthy', S0 + 120));

      expect(records.map((record) => [record['action'], record['health']])).toEqual([
        ['health_status', 'healthy'],
        ['health_status', 'unhealthy'],
      ]);
      expect(tracker.timeline.get(ID)?.events.map((known) => known.health)).toEqual(['healthy', 'unhealthy']);
    });

    it('ignores actions that are not lifecycle events and events without an ID', () => {
      const { tracker, records, observed } = setup();
      tracker.onEvent(engineEvent('exec_start: sh', S0));
      tracker.onEvent(engineEvent('attach', S0));
      tracker.onEvent({ Type: 'container', Action: 'die', Actor: { Attributes: { exitCode: '1' } }, time: S0 });
      expect(records).toEqual([]);
      expect(observed).toEqual([]);
      expect(tracker.timeline.all()).toEqual([]);
    });

    it('tells the alert rules the labels from the event and nothing else of its attributes', () => {
      const { tracker, observed } = setup();
      tracker.onEvent(engineEvent('die', S0, { exitCode: '3', execDuration: '12', 'dockmon.alert.exited': 'off' }));
      expect(observed).toHaveLength(1);
      expect(observed[0]?.event).toMatchObject({ action: 'die', containerId: ID, name: 'web', exitCode: 3, deliberate: false });
      expect(observed[0]?.context).toEqual({
        labels: { 'com.example.label': 'x', 'dockmon.alert.exited': 'off' },
        restartPolicy: null,
        oomInThisRun: false,
      });
    });

    it("tells the alert rules the restart policy from the store's details, and keeps the restart count", () => {
      const { tracker, store, observed } = setup();
      store.upsert(makeInfo({ id: ID, name: 'web', labels: { 'com.example.label': 'x' } }));
      store.setDetails(ID, details({ restartPolicy: 'on-failure', restartCount: 4 }));

      tracker.onEvent(engineEvent('die', S0, { exitCode: '3' }));
      expect(observed[0]?.context).toEqual({ labels: { 'com.example.label': 'x' }, restartPolicy: 'on-failure', oomInThisRun: false });
      expect(tracker.stopped.get(ID)).toMatchObject({ exitCode: 3, restartCount: 4 });
    });
  });

  describe('on a re-list', () => {
    const stoppedId = hexId('5a');
    const runningId = hexId('6b');
    const createdId = hexId('7c');
    const entries: ContainerListEntry[] = [
      { Id: stoppedId, Names: ['/x'], Image: 'busybox', State: 'exited', Status: 'Exited (137) 2 minutes ago', Created: S0 - 600 },
      { Id: runningId, Names: ['/y'], Image: 'nginx', State: 'running', Status: 'Up 5 minutes', Created: S0 - 600 },
      { Id: createdId, Names: ['/z'], Image: 'redis', State: 'created', Status: 'Created', Created: S0 - 60 },
    ];

    it('adds the stopped containers with the exit code from their status, and not the running ones', () => {
      const { tracker } = setup();
      expect(tracker.listed()).toBe(false);
      tracker.onListed(entries);
      expect(tracker.listed()).toBe(true);
      expect(tracker.stopped.get(stoppedId)).toMatchObject({ exitCode: 137, info: { name: 'x', state: 'exited' } });
      expect(tracker.stopped.get(createdId)).toMatchObject({ exitCode: null, info: { name: 'z', state: 'created' } });
      expect(tracker.stopped.get(runningId)).toBeUndefined();
    });

    it('removes stopped entries that are no longer listed, and those that run again', () => {
      const { tracker } = setup();
      const removedId = hexId('8d');
      tracker.onEvent(engineEvent('die', S0, { exitCode: '1' }, removedId));
      tracker.onEvent(engineEvent('die', S0, { exitCode: '1' }, runningId));
      expect(tracker.stopped.ids().sort()).toEqual([removedId, runningId].sort());

      tracker.onListed(entries);
      expect(tracker.stopped.ids().sort()).toEqual([createdId, stoppedId].sort());
    });

    it('a list asked for before a die does not undo it (the container listed as running, or not at all)', () => {
      const { tracker } = setup();
      const bornAndDiedId = hexId('9e');
      // The list was requested at T0 - 1; both dies were applied at T0, while it was read.
      tracker.onEvent(engineEvent('oom', S0, {}, runningId));
      tracker.onEvent(engineEvent('die', S0, { exitCode: '137' }, runningId));
      tracker.onEvent(engineEvent('die', S0, { exitCode: '1' }, bornAndDiedId));
      tracker.onListed(entries, T0 - 1);
      expect(tracker.stopped.get(runningId)).toMatchObject({ exitCode: 137, oomKilled: true });
      expect(tracker.stopped.get(bornAndDiedId)).toMatchObject({ exitCode: 1 });
      // A list asked for 2 s after them is believed (sooner, the daemon's list may lag its events).
      tracker.onListed(entries, T0 + 1_000);
      expect(tracker.stopped.get(runningId)).toBeDefined();
      tracker.onListed(entries, T0 + 2_001);
      expect(tracker.stopped.get(runningId)).toBeUndefined();
      expect(tracker.stopped.get(bornAndDiedId)).toBeUndefined();
    });

    it('keeps the exit code a die event gave over what the status says', () => {
      const { tracker } = setup();
      tracker.onEvent(engineEvent('die', S0, { exitCode: '2', name: 'x' }, stoppedId));
      tracker.onListed(entries);
      expect(tracker.stopped.get(stoppedId)).toMatchObject({ exitCode: 2, finishedAtMs: atMs(S0) });
    });

    it('inspects each stopped container once, for its exit time, OOM flag and restart count', async () => {
      const inspect = vi.fn(
        (_id: string): Promise<ContainerInspectSubset> =>
          Promise.resolve({ State: { ExitCode: 137, OOMKilled: true, FinishedAt: '2026-11-30T10:00:00Z' }, RestartCount: 2 }),
      );
      const { tracker } = setup({ inspect });
      tracker.onListed(entries);
      await settle();
      await settle();
      tracker.onListed(entries);
      await settle();

      expect(inspect.mock.calls.map(([id]) => id).sort()).toEqual([createdId, stoppedId].sort());
      expect(tracker.stopped.get(stoppedId)).toMatchObject({
        exitCode: 137,
        oomKilled: true,
        finishedAtMs: Date.parse('2026-11-30T10:00:00Z'),
        restartCount: 2,
      });
    });

    it('does not inspect again at every re-list a container that never ran (its finish time stays unknown)', async () => {
      const inspect = vi.fn(
        (_id: string): Promise<ContainerInspectSubset> => Promise.resolve({ State: { ExitCode: 0, OOMKilled: false, FinishedAt: '0001-01-01T00:00:00Z' }, RestartCount: 0 }),
      );
      const { tracker } = setup({ inspect });
      const created = entries.filter((entry) => entry.Id === createdId);
      for (let relist = 0; relist < 3; relist += 1) {
        tracker.onListed(created);
        await settle();
      }
      expect(inspect).toHaveBeenCalledTimes(1);
      expect(tracker.stopped.get(createdId)).toMatchObject({ finishedAtMs: null, restartCount: 0 });
    });

    it('keeps the listed facts when an inspect fails', async () => {
      const inspect = vi.fn((_id: string): Promise<ContainerInspectSubset> => Promise.reject(new Error('No such container')));
      const { tracker } = setup({ inspect });
      tracker.onListed(entries);
      await settle();
      await settle();
      expect(inspect).toHaveBeenCalledTimes(2);
      expect(tracker.stopped.get(stoppedId)).toMatchObject({ exitCode: 137, finishedAtMs: null, oomKilled: null });
    });
  });
});
