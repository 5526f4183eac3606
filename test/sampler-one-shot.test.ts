// The fallback past the stats-stream cap (SPEC Performance: "a cap on streams and
// round-robin one-shot reads for the rest, every row carrying its age"), against a
// scripted Docker source whose one-shot reads the test answers by hand, with fake timers.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StatsRecord } from '../src/docker/types.js';
import { DockerApiError, DockerUnavailableError } from '../src/errors.js';
import { type Sampler, type SamplerOptions } from '../src/sampler/sampler.js';
import { createStore, type Store } from '../src/sampler/store.js';
import { toContainerJson } from '../src/views/container-json.js';
import { createScriptedDocker, startTestSampler, type ScriptedDocker } from './helpers/scripted-docker.js';

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

/** A one-shot record: `precpu_stats` empty, as the daemon sends it (docker-api-notes §2.1). */
function oneShotRecord(readMs: number, totalUsageNs: number): StatsRecord {
  return {
    read: new Date(readMs).toISOString(),
    preread: '0001-01-01T00:00:00Z',
    cpu_stats: { cpu_usage: { total_usage: totalUsageNs }, system_cpu_usage: 2e12 + readMs * 2e6, online_cpus: 2 },
    precpu_stats: { cpu_usage: { total_usage: 0 } },
    memory_stats: { usage: 1000, limit: 4000, stats: { total_inactive_file: 0 } },
    pids_stats: { current: 1 },
  };
}

let docker: ScriptedDocker;
let store: Store;
let sampler: Sampler;
let logLines: string[];

function startSampler(overrides: Partial<SamplerOptions> = {}): void {
  sampler = startTestSampler({ docker, store, logLines }, { maxStatsStreams: 2, oneShotConcurrency: 2, oneShotMinIntervalMs: 1_000, ...overrides });
}

/** Answers every read waiting now with a record taken at the current (fake) time. */
function answerAll(totalUsageNs: (id: string) => number): string[] {
  return docker.answerAll((id) => oneShotRecord(Date.now(), totalUsageNs(id)));
}

/** Runs `count` containers c0, c1, ... and returns their IDs in that order. */
function runMany(count: number): string[] {
  return Array.from({ length: count }, (_, index) => docker.run(`c${index}`, `${index.toString(16)}e`));
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  docker = createScriptedDocker({ oneShot: true });
  store = createStore({ historySize: 10, now: () => Date.now() });
  logLines = [];
});

afterEach(async () => {
  await sampler.stop();
  vi.useRealTimers();
});

describe('past the stream cap', () => {
  it('streams up to the cap and reads every other container one-shot, so all of them get samples', async () => {
    const ids = runMany(4);
    startSampler();
    await vi.advanceTimersByTimeAsync(10);
    expect(docker.streamed()).toHaveLength(2);
    const polled = ids.filter((id) => !docker.streamed().includes(id));
    expect(polled).toHaveLength(2);
    expect(docker.pending.map((read) => read.id).sort()).toEqual([...polled].sort());

    answerAll(() => 1e9);
    await vi.advanceTimersByTimeAsync(0);
    for (const id of polled) expect(store.get(id)?.latest?.readMs).toBe(T0 + 10);
    expect(logLines.filter((line) => line.includes('read one-shot in rotation'))).toHaveLength(1);
  });

  it('gets CPU from its own previous sample, since a one-shot record has no precpu', async () => {
    const [, , polled] = runMany(3);
    startSampler();
    await vi.advanceTimersByTimeAsync(10);
    answerAll(() => 1e9);
    await vi.advanceTimersByTimeAsync(0);
    expect(store.get(polled!)?.latest?.cpuPercent).toBeNull();

    // Two seconds later, 1 s more CPU time against 4 s more host time on 2 CPUs: 50%.
    await vi.advanceTimersByTimeAsync(2_000);
    answerAll(() => 2e9);
    await vi.advanceTimersByTimeAsync(0);
    expect(store.get(polled!)?.latest?.cpuPercent).toBeCloseTo(50, 5);
    expect(store.history(polled!)).toHaveLength(2);
  });

  it('keeps at most `oneShotConcurrency` reads in flight and serves everyone in turn', async () => {
    const ids = runMany(8);
    startSampler();
    await vi.advanceTimersByTimeAsync(10);
    const polled = ids.filter((id) => !docker.streamed().includes(id));
    expect(polled).toHaveLength(6);
    const servedOrder: string[] = [];
    for (let turn = 0; turn < 6; turn += 1) {
      expect(docker.pending.length).toBeLessThanOrEqual(2);
      servedOrder.push(...answerAll(() => 1e9));
      await vi.advanceTimersByTimeAsync(1_000);
    }
    // Six containers, two at a time: three turns cover them all, and then it starts again.
    expect(new Set(servedOrder.slice(0, 6))).toEqual(new Set(polled));
    for (const id of polled) expect(docker.readsOf(id)).toBeGreaterThanOrEqual(2);
  });

  it('reads one container no more often than oneShotMinIntervalMs, however fast the daemon answers', async () => {
    const [, , polled] = runMany(3);
    startSampler({ oneShotMinIntervalMs: 5_000 });
    await vi.advanceTimersByTimeAsync(10);
    for (let step = 0; step < 20; step += 1) {
      answerAll(() => 1e9);
      await vi.advanceTimersByTimeAsync(500);
    }
    // 10 s of immediate answers: the reads at 0, 5 and 10 s.
    expect(docker.readsOf(polled!)).toBe(3);
  });

  it('serves each polled row with its age', async () => {
    const [, , polled] = runMany(3);
    startSampler();
    await vi.advanceTimersByTimeAsync(10);
    answerAll(() => 1e9);
    await vi.advanceTimersByTimeAsync(3_000);
    const view = store.get(polled!);
    expect(view).toBeDefined();
    // No answer for 3 s: the row says how old its numbers are instead of passing them off as new.
    expect(toContainerJson(view!, Date.now()).sample_age_seconds).toBe(3);
  });

  it('drops a polled container that dies, and one whose read answers 404', async () => {
    const ids = runMany(4);
    startSampler({ oneShotConcurrency: 1 });
    await vi.advanceTimersByTimeAsync(10);
    const [first, second] = ids.filter((id) => !docker.streamed().includes(id)) as [string, string];
    docker.drop(first);
    docker.emit({ Type: 'container', Action: 'die', Actor: { ID: first } });
    expect(store.get(first)).toBeUndefined();

    docker.pending.splice(0).forEach((read) => read.resolve(oneShotRecord(Date.now(), 1e9)));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.get(first)).toBeUndefined();
    expect(docker.pending.map((read) => read.id)).toEqual([second]);
    docker.drop(second);
    docker.pending.splice(0).forEach((read) => read.reject(new DockerApiError('No such container', 404)));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(store.get(second)).toBeUndefined();
    expect(docker.pending).toHaveLength(0);
    expect(docker.readsOf(first)).toBe(1);
  });

  it('gives a polled container a stream once one is free, and stops reading it one-shot', async () => {
    const ids = runMany(3);
    startSampler();
    await vi.advanceTimersByTimeAsync(10);
    const [streamedFirst] = docker.streamed() as [string];
    const polled = ids.find((id) => !docker.streamed().includes(id))!;
    docker.drop(streamedFirst);
    docker.emit({ Type: 'container', Action: 'destroy', Actor: { ID: streamedFirst } });
    // The next re-list (here the periodic one) hands the free stream to the polled container.
    answerAll(() => 1e9);
    await vi.advanceTimersByTimeAsync(31_000);
    expect(docker.streamed()).toContain(polled);
    const readsWhenPromoted = docker.readsOf(polled);
    answerAll(() => 1e9);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(docker.readsOf(polled)).toBe(readsWhenPromoted);
  });

  it('stops reading when Docker goes away, and starts again when it is back', async () => {
    const [, , polled] = runMany(3);
    startSampler();
    await vi.advanceTimersByTimeAsync(10);
    answerAll(() => 1e9);
    const gone = new DockerUnavailableError('nothing is listening (ECONNREFUSED)', 'Start the Docker daemon.');
    docker.state.down = gone;
    docker.end(docker.openEvents()[0], { kind: 'error', error: gone });
    const readsWhenDown = docker.readsOf(polled!);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(docker.readsOf(polled!)).toBe(readsWhenDown);

    docker.state.down = null;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(store.docker().state).toBe('connected');
    expect(docker.readsOf(polled!)).toBeGreaterThan(readsWhenDown);
  });

  it('stop() drops the rotation: no read starts after it', async () => {
    const [, , polled] = runMany(3);
    startSampler();
    await vi.advanceTimersByTimeAsync(10);
    const stopping = sampler.stop();
    answerAll(() => 1e9);
    await stopping;
    const reads = docker.readsOf(polled!);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(docker.readsOf(polled!)).toBe(reads);
  });
});
