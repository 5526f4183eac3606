// The writable-layer size poller (container_fs_usage_bytes): on its own slow timer, one
// list in flight at most, skipped while Docker is away, quiet about a failing spell after
// its first line; and the real client against the fake Engine: `size=1` on the list, the
// list's own deadline, SizeRw read (and its omitempty zero).

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDockerClient, type DockerClient } from '../src/docker/client.js';
import { createTransport, type Transport } from '../src/docker/transport.js';
import type { ContainerListEntry } from '../src/docker/types.js';
import { DockerApiError, DockerTimeoutError } from '../src/errors.js';
import { createLogger, type Logger } from '../src/log/logger.js';
import { createFsUsagePoller, sizeMap, type SizeListSource } from '../src/sampler/fs-usage.js';
import { startFakeDocker, type FakeDocker } from './helpers/fake-docker.js';
import { hexId } from './helpers/samples.js';

const A = hexId('a1');
const B = hexId('b2');
const MINUTE = 60_000;

interface LogLine {
  level: string;
  msg: string;
  error?: string;
}

function capturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { lines, logger: createLogger({ level: 'debug', sink: (line) => lines.push(JSON.parse(line) as LogLine) }) };
}

/** A list source whose answers the test hands out one by one. */
function scriptedSource(): SizeListSource & { calls: { timeoutMs: number | undefined }[]; answer(result: ContainerListEntry[] | Error): void } {
  const pending: ((result: ContainerListEntry[] | Error) => void)[] = [];
  const calls: { timeoutMs: number | undefined }[] = [];
  return {
    calls,
    listContainerSizes(options) {
      calls.push({ timeoutMs: options?.timeoutMs });
      return new Promise((resolve, reject) => pending.push((result) => (result instanceof Error ? reject(result) : resolve(result))));
    },
    answer(result) {
      const next = pending.shift();
      if (next === undefined) throw new Error('no list in flight');
      next(result);
    },
  };
}

describe('the size poller', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function startPoller(connected: { value: boolean } = { value: true }) {
    const source = scriptedSource();
    const { logger, lines } = capturingLogger();
    const poller = createFsUsagePoller(
      { docker: source, logger, isConnected: () => connected.value, now: () => Date.now() },
      { intervalMs: 5 * MINUTE, firstDelayMs: 30_000, timeoutMs: MINUTE },
    );
    poller.start();
    return { source, poller, lines, connected };
  }

  it('lists first after firstDelayMs, then one interval after each answer, never two at once', async () => {
    const { source, poller } = startPoller();
    await vi.advanceTimersByTimeAsync(29_999);
    expect(source.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(source.calls).toEqual([{ timeoutMs: MINUTE }]);
    // A slow answer: nothing else is sent while it is outstanding.
    await vi.advanceTimersByTimeAsync(20 * MINUTE);
    expect(source.calls).toHaveLength(1);
    source.answer([{ Id: A, SizeRw: 4096 }, { Id: B }]);
    await vi.advanceTimersByTimeAsync(0);
    expect([...poller.sizes()]).toEqual([[A, 4096], [B, 0]]);
    expect(poller.stats()).toEqual({ lists: 1, failures: 0, lastListSeconds: 20 * 60 });
    await vi.advanceTimersByTimeAsync(5 * MINUTE - 1);
    expect(source.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(source.calls).toHaveLength(2);
    source.answer([{ Id: B, SizeRw: 10 }]);
    await vi.advanceTimersByTimeAsync(0);
    // A container gone from the list is gone from the sizes.
    expect([...poller.sizes()]).toEqual([[B, 10]]);
    await poller.stop();
  });

  it('skips a round while Docker is away without counting it, and tries again 30 s later', async () => {
    const { source, poller, connected } = startPoller({ value: false });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(source.calls).toEqual([]);
    connected.value = true;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(source.calls).toHaveLength(1);
    source.answer([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(poller.stats()).toMatchObject({ lists: 1, failures: 0 });
    await poller.stop();
  });

  it('keeps the last sizes through a failing spell of up to two intervals, logs it once, and its end', async () => {
    const { source, poller, lines } = startPoller();
    await vi.advanceTimersByTimeAsync(30_000);
    source.answer([{ Id: A, SizeRw: 123 }]);
    for (let round = 1; round <= 3; round += 1) {
      await vi.advanceTimersByTimeAsync(5 * MINUTE);
      source.answer(new DockerApiError('GET /v1.41/containers/json?size=1 failed: 500 layer walk failed', 500));
      await vi.advanceTimersByTimeAsync(0);
      // Two intervals after the last answer the sizes are still there; past that they go.
      expect(poller.sizes().get(A)).toBe(round < 3 ? 123 : undefined);
    }
    expect(poller.stats()).toMatchObject({ lists: 1, failures: 3 });
    expect(lines.filter((line) => line.level === 'warn')).toEqual([
      expect.objectContaining({
        msg: 'cannot read container writable-layer sizes (container_fs_usage_bytes)',
        error: 'GET /v1.41/containers/json?size=1 failed: 500 layer walk failed',
      }),
    ]);
    await vi.advanceTimersByTimeAsync(5 * MINUTE);
    source.answer([{ Id: A, SizeRw: 124 }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(poller.sizes().get(A)).toBe(124);
    expect(lines.at(-1)).toMatchObject({ level: 'info', msg: expect.stringContaining('read again') });
    await poller.stop();
  });

  it('stop() waits for the list in flight, drops its answer and schedules nothing more', async () => {
    const { source, poller } = startPoller();
    await vi.advanceTimersByTimeAsync(30_000);
    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    source.answer([{ Id: A, SizeRw: 1 }]);
    await stopping;
    expect(poller.sizes().size).toBe(0);
    await vi.advanceTimersByTimeAsync(60 * MINUTE);
    expect(source.calls).toHaveLength(1);
  });

  it('reads an absent, zero or nonsense SizeRw as 0 bytes', () => {
    expect([...sizeMap([{ Id: A }, { Id: B, SizeRw: -1 }, { Id: 'c', SizeRw: Number.NaN }, { Id: 'd', SizeRw: 7 }])]).toEqual([
      [A, 0],
      [B, 0],
      ['c', 0],
      ['d', 7],
    ]);
  });
});

describe('the size poller over the fake Engine', () => {
  let fake: FakeDocker | undefined;
  let transport: Transport | undefined;
  afterEach(async () => {
    transport?.destroy();
    await fake?.close();
    fake = transport = undefined;
  });

  async function client(timeoutMs = 2_000): Promise<DockerClient> {
    fake = await startFakeDocker();
    transport = createTransport({ endpoint: { kind: 'unix', socketPath: fake.socketPath }, timeoutMs });
    const docker = createDockerClient(transport);
    await docker.negotiate();
    return docker;
  }

  it('asks for size=1 and reads SizeRw; a plain list carries no sizes', async () => {
    const docker = await client();
    const big = fake?.addContainer({ name: 'big', sizeRw: 52_428_800 });
    const empty = fake?.addContainer({ name: 'empty' });
    fake?.addContainer({ name: 'stopped', state: 'exited', sizeRw: 1 });
    const listed = await docker.listContainerSizes();
    expect(fake?.requests.at(-1)?.url).toBe('/v1.41/containers/json?size=1');
    expect(Object.fromEntries(listed.map((entry) => [entry.Names?.[0], [entry.SizeRw, entry.SizeRootFs]]))).toEqual({
      '/big': [52_428_800, 52_428_800 + 4_261_726],
      // omitempty: no SizeRw for an untouched writable layer.
      '/empty': [undefined, 4_261_726],
    });
    expect([...sizeMap(listed)].sort()).toEqual([[big?.id, 52_428_800], [empty?.id, 0]].sort());
    expect((await docker.listContainers())[0]).not.toHaveProperty('SizeRw');
  });

  it('gives the list its own deadline, longer than the transport default', async () => {
    const docker = await client(100);
    fake?.addContainer({ sizeRw: 1 });
    fake?.fault(/^\/containers\/json$/, { kind: 'delay', ms: 300 }, 2);
    await expect(docker.listContainerSizes()).rejects.toBeInstanceOf(DockerTimeoutError);
    await expect(docker.listContainerSizes({ timeoutMs: 2_000 })).resolves.toHaveLength(1);
  });

  it('keeps a poller fed from the fake, with every request an allowlisted GET', async () => {
    const docker = await client();
    const container = fake?.addContainer({ sizeRw: 8192 });
    const { logger } = capturingLogger();
    const poller = createFsUsagePoller({ docker, logger, isConnected: () => true }, { intervalMs: 20, firstDelayMs: 0, timeoutMs: 2_000 });
    poller.start();
    const started = Date.now();
    while (poller.stats().lists < 3 && Date.now() - started < 5_000) await new Promise((resolve) => setTimeout(resolve, 10));
    await poller.stop();
    expect(poller.stats().lists).toBeGreaterThanOrEqual(3);
    expect(poller.sizes().get(container?.id ?? '')).toBe(8192);
    const lists = fake?.requests.filter((request) => request.route === '/containers/json') ?? [];
    expect(lists.every((request) => request.method === 'GET' && request.query['size'] === '1')).toBe(true);
  });
});
