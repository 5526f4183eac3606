// The events stream's two faults (issue: no event lost or counted twice): a reopened
// stream that replays what was already applied, and a stream that ends while the daemon
// is fine (a proxy's idle timeout). Against the scripted Docker source, which replays
// its event log from `since` as the daemon does (every event at or after it).

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent, StatsRecord } from '../src/docker/types.js';
import type { Sampler } from '../src/sampler/sampler.js';
import { createStore, type Store } from '../src/sampler/store.js';
import { createScriptedDocker, startTestSampler, type ScriptedDocker } from './helpers/scripted-docker.js';

const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);

let docker: ScriptedDocker;
let store: Store;
let sampler: Sampler;
let logLines: string[];

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  docker = createScriptedDocker();
  store = createStore({ historySize: 5, now: () => Date.now() });
  logLines = [];
});

afterEach(async () => {
  await sampler.stop();
  vi.useRealTimers();
});

/** An event at `ms` after T0, with the nanosecond time the daemon sends. */
function event(action: string, id: string, ms: number, attributes: Record<string, string> = {}): EngineEvent {
  const timeNano = (T0 + ms) * 1e6;
  return { Type: 'container', Action: action, Actor: { ID: id, Attributes: attributes }, time: Math.floor((T0 + ms) / 1000), timeNano };
}

function record(second: number): StatsRecord {
  return {
    read: new Date(T0 + second * 1000).toISOString(),
    cpu_stats: { cpu_usage: { total_usage: second * 1e8 }, system_cpu_usage: 1e12 + second * 2e9, online_cpus: 2 },
    memory_stats: { usage: 1000, limit: 4000 },
  };
}

describe('a reopened event stream', () => {
  it('replays from the last event in nanoseconds, and what was applied is not applied twice', async () => {
    const web = docker.run('web', 'a1');
    sampler = startTestSampler({ docker, store, logLines });
    await vi.advanceTimersByTimeAsync(10);
    await vi.advanceTimersByTimeAsync(500);
    docker.emit(event('oom', web, 510));
    expect(store.oomKills(web)).toBe(1);
    // The stream drops; the daemon still answers: it is reopened from the oom's time.
    docker.end(docker.openEvents()[0], { kind: 'eof', remainder: '' });
    await vi.advanceTimersByTimeAsync(100);
    expect(docker.openEvents()).toHaveLength(1);
    const since = docker.eventSinces().at(-1);
    expect(since).toBeDefined();
    // A microsecond early, far below a second: the replay holds the oom, applied once.
    expect((T0 + 510) / 1000 - (since ?? 0)).toBeLessThan(0.001);
    expect(store.oomKills(web)).toBe(1);
  });

  it('does not replay a die over the container that has started again since', async () => {
    const web = docker.run('web', 'a1');
    sampler = startTestSampler({ docker, store, logLines });
    await vi.advanceTimersByTimeAsync(600);
    // die and start within one second: a replay from whole seconds would hold the die.
    docker.emit(event('die', web, 600));
    expect(store.get(web)).toBeUndefined();
    docker.emit(event('start', web, 700));
    await vi.advanceTimersByTimeAsync(500);
    expect(store.get(web)).toBeDefined();
    docker.openStats(web)[0]?.callbacks.onRecord(record(1));
    expect(store.history(web)).toHaveLength(1);
    docker.end(docker.openEvents()[0], { kind: 'eof', remainder: '' });
    await vi.advanceTimersByTimeAsync(100);
    expect(docker.openEvents()).toHaveLength(1);
    expect(store.get(web)).toBeDefined();
    expect(store.history(web)).toHaveLength(1);
  });
});

describe('an event stream that ends while the daemon answers', () => {
  it('reopens only the event stream: Docker stays connected and no stats stream is touched', async () => {
    const web = docker.run('web', 'a1');
    const db = docker.run('db', 'b2');
    sampler = startTestSampler({ docker, store, logLines });
    await vi.advanceTimersByTimeAsync(10);
    const streams = [docker.openStats(web)[0], docker.openStats(db)[0]];
    const lists = vi.mocked(docker.source.listContainers).mock.calls.length;
    docker.end(docker.openEvents()[0], { kind: 'eof', remainder: '' });
    expect(store.docker().state).toBe('connected');
    await vi.advanceTimersByTimeAsync(100);
    expect(store.docker().state).toBe('connected');
    expect(docker.openEvents()).toHaveLength(1);
    expect([docker.openStats(web)[0], docker.openStats(db)[0]]).toEqual(streams);
    expect(streams.every((stream) => stream?.closed === false)).toBe(true);
    // What the gap may have missed is healed by one re-list.
    expect(vi.mocked(docker.source.listContainers).mock.calls.length).toBe(lists + 1);
    expect(logLines.some((line) => line.includes('Docker is unreachable'))).toBe(false);
  });

  it('waits longer each time a reopened stream ends at once', async () => {
    docker.run('web', 'a1');
    sampler = startTestSampler({ docker, store, logLines }, { reconnectBaseMs: 1_000, reconnectMaxMs: 30_000 });
    await vi.advanceTimersByTimeAsync(10);
    const opensAt: number[] = [];
    for (let round = 0; round < 4; round += 1) {
      docker.end(docker.openEvents()[0], { kind: 'eof', remainder: '' });
      const before = Date.now();
      while (docker.openEvents().length === 0) await vi.advanceTimersByTimeAsync(50);
      opensAt.push(Date.now() - before);
    }
    // At once, then about 1, 2 and 4 s (with jitter).
    expect(opensAt[0]).toBeLessThan(200);
    expect(opensAt[1]).toBeGreaterThanOrEqual(700);
    expect(opensAt[3]).toBeGreaterThanOrEqual(2_900);
    expect(store.docker().state).toBe('connected');
  });

  it('hands over to the connection loop when /_ping fails too', async () => {
    const web = docker.run('web', 'a1');
    sampler = startTestSampler({ docker, store, logLines });
    await vi.advanceTimersByTimeAsync(10);
    docker.state.down = new Error('connect ECONNREFUSED');
    docker.end(docker.openEvents()[0], { kind: 'eof', remainder: '' });
    await vi.advanceTimersByTimeAsync(100);
    expect(store.docker().state).toBe('unavailable');
    expect(docker.openStats(web)).toHaveLength(0);
  });
});
