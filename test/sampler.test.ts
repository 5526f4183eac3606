// The sampler's logic against a scripted Docker source, with fake timers: which
// streams it opens and closes, how it heals, and how it survives the daemon going
// away. The scripted source is test/helpers/scripted-docker.ts.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StatsRecord } from '../src/docker/types.js';
import { DockerApiError, DockerUnavailableError } from '../src/errors.js';
import { DAEMON_PROBE_MAX_MS, type Sampler, type SamplerOptions } from '../src/sampler/sampler.js';
import { createStore, type Store } from '../src/sampler/store.js';
import { createScriptedDocker, startTestSampler, type ScriptedDocker } from './helpers/scripted-docker.js';

function record(id: string, second: number, totalUsage: number): StatsRecord {
  const read = new Date(Date.UTC(2026, 10, 25, 12, 0, second)).toISOString();
  const preread = new Date(Date.UTC(2026, 10, 25, 12, 0, second - 1)).toISOString();
  return {
    id,
    read,
    preread,
    cpu_stats: { cpu_usage: { total_usage: totalUsage }, system_cpu_usage: 2e12 + second * 2e9, online_cpus: 2 },
    precpu_stats: { cpu_usage: { total_usage: totalUsage - 5e8 }, system_cpu_usage: 2e12 + (second - 1) * 2e9, online_cpus: 2 },
    memory_stats: { usage: 1000, limit: 4000, stats: { total_inactive_file: 0 } },
    pids_stats: { current: 1 },
  };
}

let docker: ScriptedDocker;
let store: Store;
let sampler: Sampler;
let logLines: string[];

function startSampler(overrides: Partial<SamplerOptions> = {}): void {
  sampler = startTestSampler({ docker, store, logLines }, overrides);
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 10, 25, 12, 0, 0) });
  docker = createScriptedDocker();
  store = createStore({ historySize: 5, now: () => Date.now() });
  logLines = [];
});

afterEach(async () => {
  await sampler.stop();
  vi.useRealTimers();
});

describe('sampler', () => {
  it('subscribes to events before listing, then opens one stats stream per running container', async () => {
    const web = docker.run('web', 'a1');
    const db = docker.run('db', 'b2', { State: 'paused' });
    startSampler();
    await vi.advanceTimersByTimeAsync(10);
    const eventsOrder = vi.mocked(docker.source.streamEvents).mock.invocationCallOrder[0] ?? 0;
    const listOrder = vi.mocked(docker.source.listContainers).mock.invocationCallOrder[0] ?? 0;
    expect(eventsOrder).toBeLessThan(listOrder);
    expect(docker.openStats(web)).toHaveLength(1);
    expect(docker.openStats(db)).toHaveLength(1);
    expect(store.list().map((view) => [view.info.name, view.info.state])).toEqual([
      ['db', 'paused'],
      ['web', 'running'],
    ]);
    expect(store.docker()).toMatchObject({ state: 'connected', apiVersion: '1.41' });
    expect(store.counters().statsStreamsOpen).toBe(2);
  });

  it('turns stats records into samples, and ignores the zero-time records of a stopped container', async () => {
    const web = docker.run('web', 'a1');
    startSampler();
    await vi.advanceTimersByTimeAsync(10);
    const stream = docker.openStats(web)[0];
    stream?.callbacks.onRecord(record(web, 1, 1e9));
    stream?.callbacks.onRecord(record(web, 2, 1.5e9));
    expect(store.get(web)?.latest?.cpuPercent).toBeCloseTo(50, 5);
    expect(store.history(web)).toHaveLength(2);
    stream?.callbacks.onRecord({ read: '0001-01-01T00:00:00Z', memory_stats: {} });
    expect(store.history(web)).toHaveLength(2);
  });

  it('adds a started container after a debounced re-list, and drops one that dies', async () => {
    startSampler();
    await vi.advanceTimersByTimeAsync(10);
    const web = docker.run('web', 'a1');
    docker.emit({ Type: 'container', Action: 'start', Actor: { ID: web }, time: 1 });
    expect(store.get(web)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(150);
    expect(store.get(web)?.info.name).toBe('web');
    expect(docker.openStats(web)).toHaveLength(1);

    docker.drop(web);
    docker.emit({ Type: 'container', Action: 'die', Actor: { ID: web }, time: 2 });
    expect(store.get(web)).toBeUndefined();
    expect(docker.openStats(web)).toHaveLength(0);
  });

  it('coalesces a burst of start events into one re-list', async () => {
    startSampler();
    await vi.advanceTimersByTimeAsync(10);
    const before = vi.mocked(docker.source.listContainers).mock.calls.length;
    for (let i = 0; i < 20; i += 1) {
      const id = docker.run(`c${i}`, `c${i.toString(16)}`);
      docker.emit({ Type: 'container', Action: 'start', Actor: { ID: id } });
    }
    await vi.advanceTimersByTimeAsync(200);
    expect(vi.mocked(docker.source.listContainers).mock.calls.length - before).toBe(1);
    expect(store.list()).toHaveLength(20);
  });

  it('follows pause, unpause and rename without a re-list', async () => {
    const web = docker.run('web', 'a1');
    startSampler();
    await vi.advanceTimersByTimeAsync(10);
    docker.emit({ Type: 'container', Action: 'pause', Actor: { ID: web } });
    expect(store.get(web)?.info.state).toBe('paused');
    docker.emit({ Type: 'container', Action: 'unpause', Actor: { ID: web } });
    expect(store.get(web)?.info.state).toBe('running');
    docker.emit({ Type: 'container', Action: 'rename', Actor: { ID: web, Attributes: { name: '/frontend' } } });
    expect(store.get(web)?.info.name).toBe('frontend');
  });

  it('heals missed events with the periodic re-list', async () => {
    const web = docker.run('web', 'a1');
    startSampler({ relistIntervalMs: 5_000 });
    await vi.advanceTimersByTimeAsync(10);
    const late = docker.run('late', 'b2');
    docker.drop(web);
    await vi.advanceTimersByTimeAsync(5_100);
    expect(store.get(late)).toBeDefined();
    expect(store.get(web)).toBeUndefined();
    expect(docker.openStats(web)).toHaveLength(0);
    expect(docker.openStats(late)).toHaveLength(1);
  });

  it('reopens a failed stats stream with backoff and leaves the others alone', async () => {
    const web = docker.run('web', 'a1');
    const db = docker.run('db', 'b2');
    startSampler();
    await vi.advanceTimersByTimeAsync(10);
    const dbStream = docker.openStats(db)[0];
    docker.end(docker.openStats(web)[0], {
      kind: 'error',
      error: new DockerApiError('GET …/stats failed: 500 boom', 500),
    });
    expect(docker.openStats(web)).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_300);
    expect(docker.openStats(web)).toHaveLength(1);
    expect(docker.openStats(db)[0]).toBe(dbStream);
    expect(store.counters().statsStreamReconnects).toBe(1);
    expect(logLines.some((line) => line.includes('stats stream ended'))).toBe(true);
  });

  it('backs off further for a stream that keeps failing, up to the cap', async () => {
    const web = docker.run('web', 'a1');
    startSampler({ reconnectMaxMs: 4_000 });
    await vi.advanceTimersByTimeAsync(10);
    const fail = (): void =>
      docker.end(docker.openStats(web)[0], { kind: 'error', error: new DockerApiError('boom', 500) });
    fail();
    await vi.advanceTimersByTimeAsync(1_300);
    fail();
    await vi.advanceTimersByTimeAsync(1_300);
    expect(docker.openStats(web)).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_300);
    expect(docker.openStats(web)).toHaveLength(1);
    for (let i = 0; i < 5; i += 1) {
      fail();
      await vi.advanceTimersByTimeAsync(4_000);
      expect(docker.openStats(web)).toHaveLength(1);
    }
  });

  it('drops a container whose stats stream answers 404', async () => {
    const web = docker.run('web', 'a1');
    startSampler();
    await vi.advanceTimersByTimeAsync(10);
    docker.drop(web);
    docker.end(docker.openStats(web)[0], {
      kind: 'error',
      error: new DockerApiError('No such container', 404),
    });
    expect(store.get(web)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(docker.allStatsOpens(web)).toBe(1);
  });

  it('marks Docker unavailable with the reason, keeps the last data, and recovers by itself', async () => {
    const web = docker.run('web', 'a1');
    startSampler();
    await vi.advanceTimersByTimeAsync(10);
    docker.openStats(web)[0]?.callbacks.onRecord(record(web, 1, 1e9));
    const gone = new DockerUnavailableError(
      'cannot reach Docker at unix:///var/run/docker.sock: nothing is listening (ECONNREFUSED)',
      'Start the Docker daemon.',
    );
    docker.state.down = gone;
    docker.end(docker.openEvents()[0], { kind: 'error', error: gone });
    expect(store.docker()).toMatchObject({ state: 'unavailable', message: gone.message, hint: 'Start the Docker daemon.' });
    expect(docker.openStats(web)).toHaveLength(0);
    expect(store.get(web)?.latest).not.toBeNull();
    expect(logLines.filter((line) => line.includes('Docker is unreachable'))).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(20_000);
    expect(store.docker().state).toBe('unavailable');
    expect(logLines.filter((line) => line.includes('Docker is unreachable'))).toHaveLength(1);

    docker.state.down = null;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(store.docker().state).toBe('connected');
    expect(docker.openEvents()).toHaveLength(1);
    expect(docker.openStats(web)).toHaveLength(1);
  });

  it('retries the first connection with backoff capped at the probe interval when Docker is absent at start', async () => {
    docker.state.down = new DockerUnavailableError('no socket', 'mount it');
    startSampler({ reconnectMaxMs: 30_000 });
    await vi.advanceTimersByTimeAsync(60_000);
    const attempts = vi.mocked(docker.source.negotiate).mock.calls.length;
    // 1 + 2 + 2 + 2… s with ±20% jitter (the 30 s stream cap does not apply to the
    // daemon probe): between 26 and 38 attempts in a minute.
    expect(attempts).toBeGreaterThanOrEqual(26);
    expect(attempts).toBeLessThanOrEqual(38);
    expect(store.docker()).toMatchObject({ state: 'unavailable', message: 'no socket', hint: 'mount it' });
  });

  it('picks up a daemon that returns after a long outage within the probe interval', async () => {
    const web = docker.run('web', 'a1');
    startSampler({ reconnectMaxMs: 30_000 });
    await vi.advanceTimersByTimeAsync(10);
    const gone = new DockerUnavailableError('daemon stopped', 'Start the Docker daemon.');
    docker.state.down = gone;
    docker.end(docker.openEvents()[0], { kind: 'error', error: gone });
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(store.docker().state).toBe('unavailable');

    docker.state.down = null;
    await vi.advanceTimersByTimeAsync(DAEMON_PROBE_MAX_MS * 1.2 + 50);
    expect(store.docker().state).toBe('connected');
    expect(docker.openStats(web)).toHaveLength(1);
  });

  it('never probes the daemon more often than the configured reconnect cap, when that is shorter', async () => {
    docker.state.down = new DockerUnavailableError('no socket', 'mount it');
    startSampler({ reconnectMaxMs: 8_000, daemonProbeMaxMs: 20_000 });
    await vi.advanceTimersByTimeAsync(60_000);
    const attempts = vi.mocked(docker.source.negotiate).mock.calls.length;
    // 1 + 2 + 4 + 8 + 8… s with ±20% jitter: between 7 and 12 attempts in a minute.
    expect(attempts).toBeGreaterThanOrEqual(7);
    expect(attempts).toBeLessThanOrEqual(12);
  });

  it('keeps going when a re-list fails with an API error', async () => {
    docker.run('web', 'a1');
    docker.state.listFailures = 1;
    startSampler({ relistIntervalMs: 2_000 });
    await vi.advanceTimersByTimeAsync(10);
    expect(store.list()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(40_000);
    expect(store.list()).toHaveLength(1);
  });

  it('opens no more stats streams than the cap, and says so once', async () => {
    for (let i = 0; i < 5; i += 1) docker.run(`c${i}`, `d${i}`);
    startSampler({ maxStatsStreams: 3 });
    await vi.advanceTimersByTimeAsync(10);
    expect(vi.mocked(docker.source.streamStats).mock.calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(31_000);
    expect(vi.mocked(docker.source.streamStats).mock.calls).toHaveLength(3);
    expect(logLines.filter((line) => line.includes('stats stream cap reached'))).toHaveLength(1);
  });

  it('stop() closes every stream and timer', async () => {
    const web = docker.run('web', 'a1');
    startSampler();
    await vi.advanceTimersByTimeAsync(10);
    await sampler.stop();
    expect(docker.openStats(web)).toHaveLength(0);
    expect(docker.openEvents()).toHaveLength(0);
    const calls = vi.mocked(docker.source.listContainers).mock.calls.length;
    await vi.advanceTimersByTimeAsync(120_000);
    expect(vi.mocked(docker.source.listContainers).mock.calls.length).toBe(calls);
  });
});
