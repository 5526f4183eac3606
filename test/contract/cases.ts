// The Engine API contract: one list of cases, run through dockmon's own client and transport
// (src/docker/client.ts, transport.ts) against the fake Engine in the unit project
// (fake.contract.test.ts) and against the real daemon in the docker project
// (test/docker/contract.test.ts). hono's runtime-tests and undici's shared test bodies are
// the model: a case states what the Engine answers; where the fake answers otherwise, the
// same case fails in the unit project and the fake is what gets fixed.
//
// Each case asserts only what dockmon reads (docker/types.ts, pickInspectSubset) and how the
// daemon shapes it, with bounds where a value depends on the host (PIDs, times, counters).
// Where Engine versions differ the case says which version answers what; the fake plays
// Docker 20.10 (API 1.41), the daemon of this project's CI.
//
// Over 300 lines on purpose: the whole contract is one list, read on one page (hono's
// router/common.case.test.ts); its assertions live in expectations.ts.

import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareApiVersions,
  createDockerClient,
  type DaemonInfo,
  type DockerClient,
  type StreamCallbacks,
} from '../../src/docker/client.js';
import { createTransport, type StreamHandle, type Transport } from '../../src/docker/transport.js';
import type { EngineEvent, StatsRecord } from '../../src/docker/types.js';
import { DockerApiError, ForbiddenDockerRequestError } from '../../src/errors.js';
import {
  apiErrorOf,
  CLOCK_SLACK_MS,
  DEFAULT_HOST_CONFIG,
  expectEmptyPrecpu,
  expectEmptyRecord,
  expectRecentTime,
  expectRunningRecord,
  SETTLE_MS,
  timeMs,
  UNKNOWN_ID,
  ZERO_TIME,
} from './expectations.js';
import { openRecordStream, type RecordStream } from './record-stream.js';
import type { EngineTarget } from './target.js';

export interface ContractContext {
  target: EngineTarget;
  transport: Transport;
  client: DockerClient;
  /** What negotiate() pinned. */
  daemon: DaemonInfo;
  /** The version prefix every call uses, e.g. '/v1.41'. */
  prefix: string;
}

export interface ContractCase {
  name: string;
  run(context: ContractContext): Promise<void>;
}

function containerEvents(events: readonly EngineEvent[], id: string): EngineEvent[] {
  return events.filter((event) => event.Actor?.ID === id);
}

/** Runs `body` on an open client stream and closes the stream however `body` ends. */
async function withStream<T>(
  open: (callbacks: StreamCallbacks<T>) => StreamHandle,
  body: (stream: RecordStream<T>) => Promise<void>,
): Promise<void> {
  const stream = openRecordStream(open);
  try {
    await body(stream);
  } finally {
    stream.close();
  }
}

/** A container's stats stream, with an idle deadline no case reaches. */
function statsOf(client: DockerClient, id: string): (callbacks: StreamCallbacks<StatsRecord>) => StreamHandle {
  return (callbacks) => client.streamStats(id, callbacks, 30_000);
}

export const ENGINE_CONTRACT: readonly ContractCase[] = [
  {
    name: '/_ping: Api-Version, Ostype and Server headers; negotiate() pins the version',
    async run({ transport, daemon }) {
      const ping = await transport.get('/_ping');
      expect(ping.status).toBe(200);
      expect(ping.text).toBe('OK');
      expect(ping.headers['api-version']).toMatch(/^1\.\d+$/);
      expect(ping.headers['ostype']).toBe('linux');
      expect(ping.headers['server']).toMatch(/^Docker\/\S+ \(linux\)$/);
      expect(ping.headers['cache-control']).toBe('no-cache, no-store, must-revalidate');
      expect(daemon).toEqual({ apiVersion: expect.stringMatching(/^1\.\d+$/) as unknown, osType: 'linux', server: ping.headers['server'] });
      expect(compareApiVersions(daemon.apiVersion, '1.27')).toBeGreaterThanOrEqual(0);
    },
  },
  {
    name: '/version agrees with the ping and names the minimum API version',
    async run({ transport, prefix }) {
      const ping = await transport.get('/_ping');
      const version = JSON.parse((await transport.get(`${prefix}/version`)).text) as Record<string, unknown>;
      expect(version['ApiVersion']).toBe(ping.headers['api-version']);
      expect(version['MinAPIVersion']).toMatch(/^1\.\d+$/);
      expect(version['Os']).toBe('linux');
      expect(typeof version['Version']).toBe('string');
    },
  },
  {
    name: 'containers/json: a running container with the fields dockmon reads',
    async run({ target, client }) {
      const startedMs = Date.now();
      const { id, name } = await target.run({ healthCheck: true });
      const entry = (await client.listContainers()).find((candidate) => candidate.Id === id);
      expect(entry).toBeDefined();
      expect(entry?.Names).toEqual([`/${name}`]);
      expect(entry?.Image).toBe('dockmon-test-busybox');
      expect(entry?.State).toBe('running');
      // moby container/state.go: "Up 2 seconds (health: starting)", "(healthy)" once it passes.
      expect(entry?.Status).toMatch(/^Up .+ \((health: starting|healthy)\)$/);
      expect(entry?.HostConfig).toEqual({ NetworkMode: 'default' });
      expect(entry?.Labels).toBeTypeOf('object');
      expect((entry?.Created ?? 0) * 1000).toBeGreaterThanOrEqual(startedMs - CLOCK_SLACK_MS - 1000);
      expect(entry).not.toHaveProperty('SizeRw');
    },
  },
  {
    name: 'containers/json?all=1: a killed container is exited, with its exit code in Status',
    async run({ target, client }) {
      const { id } = await target.run();
      await target.kill(id);
      expect((await client.listContainers()).some((entry) => entry.Id === id)).toBe(false);
      const entry = (await client.listContainers({ all: true })).find((candidate) => candidate.Id === id);
      expect(entry?.State).toBe('exited');
      expect(entry?.Status).toMatch(/^Exited \(137\) /);
    },
  },
  {
    name: 'inspect of a running container: Pid, StartedAt, zero FinishedAt, the default HostConfig',
    async run({ target, client }) {
      const startedMs = Date.now();
      const { id } = await target.run();
      const inspect = await client.inspectContainer(id);
      expect(inspect.RestartCount).toBe(0);
      expect(inspect.State?.Pid).toBeGreaterThan(0);
      expect(inspect.State).toMatchObject({ ExitCode: 0, OOMKilled: false, FinishedAt: ZERO_TIME });
      expect(inspect.State).not.toHaveProperty('Health');
      expectRecentTime(inspect.State?.StartedAt, startedMs);
      // PidsLimit is null when unset (Docker 20.10), so the client leaves it out.
      expect(inspect.HostConfig).toEqual(DEFAULT_HOST_CONFIG);
    },
  },
  {
    name: 'inspect of a limited container: limits as the daemon stores them, restart policy, health',
    async run({ target, client }) {
      const memory = 64 * 1024 * 1024;
      const { id } = await target.run({
        memoryBytes: memory,
        nanoCpus: 500_000_000,
        pidsLimit: 64,
        restartPolicy: 'unless-stopped',
        healthCheck: true,
      });
      const inspect = await client.inspectContainer(id);
      expect(inspect.HostConfig).toEqual({
        ...DEFAULT_HOST_CONFIG,
        NanoCpus: 500_000_000, // --cpus is NanoCpus, not a CFS quota
        Memory: memory,
        MemorySwap: 2 * memory, // the daemon's default when only -m is given
        PidsLimit: 64,
        RestartPolicy: { Name: 'unless-stopped' },
      });
      expect(['starting', 'healthy']).toContain(inspect.State?.Health?.Status);
    },
  },
  {
    name: 'inspect after kill: Pid 0, ExitCode 137, FinishedAt after StartedAt',
    async run({ target, client }) {
      const { id } = await target.run();
      const running = await client.inspectContainer(id);
      await target.kill(id);
      const killed = await client.inspectContainer(id);
      expect(killed.State).toMatchObject({ Pid: 0, ExitCode: 137, OOMKilled: false, StartedAt: running.State?.StartedAt });
      expect(killed.State?.FinishedAt).not.toBe(ZERO_TIME);
      expect(timeMs(killed.State?.FinishedAt)).toBeGreaterThanOrEqual(timeMs(killed.State?.StartedAt));
    },
  },
  {
    name: 'stats stream: an empty precpu first, then precpu and preread chained, a collector tick apart',
    async run({ target, client }) {
      const { id, name } = await target.run({ busy: true, nanoCpus: 500_000_000 });
      await withStream<StatsRecord>(statsOf(client, id), async (stream) => {
        const records = await stream.take(3, 10 * target.statsIntervalMs + SETTLE_MS);
        const [first] = records;
        if (first === undefined) throw new Error('no first record');
        expectEmptyPrecpu(first);
        for (const record of records) expectRunningRecord(record, id, name);
        for (let i = 1; i < records.length; i++) {
          const previous = records[i - 1] as StatsRecord;
          const current = records[i] as StatsRecord;
          expect(current.preread).toBe(previous.read);
          expect(current.precpu_stats).toEqual(previous.cpu_stats);
          const gapMs = timeMs(current.read) - timeMs(previous.read);
          expect(gapMs).toBeGreaterThanOrEqual(0.5 * target.statsIntervalMs);
          expect(gapMs).toBeLessThanOrEqual(3 * target.statsIntervalMs);
          // What calculateCpuPercentLinux needs: both deltas positive for a busy container.
          expect(current.cpu_stats?.cpu_usage?.total_usage).toBeGreaterThan(current.precpu_stats?.cpu_usage?.total_usage ?? 0);
          expect(current.cpu_stats?.system_cpu_usage).toBeGreaterThan(current.precpu_stats?.system_cpu_usage ?? 0);
        }
        expect(stream.badLines).toEqual([]);
      });
    },
  },
  {
    name: 'stats stream: after a kill, zero-time records (memory_stats {}, no networks), the first chained to the last real one',
    async run({ target, client }) {
      const { id } = await target.run();
      await withStream<StatsRecord>(statsOf(client, id), async (stream) => {
        await stream.take(1, SETTLE_MS);
        await target.kill(id);
        const firstEmpty = await stream.find((record) => record.read === ZERO_TIME, SETTLE_MS);
        expectEmptyRecord(firstEmpty, id);
        const index = stream.records.indexOf(firstEmpty);
        const lastReal = stream.records[index - 1];
        expect(firstEmpty.preread).toBe(lastReal?.read);
        expect(firstEmpty.precpu_stats).toEqual(lastReal?.cpu_stats);
        // And then no more precpu: the daemon has no previous sample of a stopped container.
        const next = await stream.find(() => true, 5 * target.statsIntervalMs + SETTLE_MS, index + 1);
        expectEmptyRecord(next, id);
        expectEmptyPrecpu(next);
      });
    },
  },
  {
    name: 'stats stream: ends with EOF when the container is removed',
    async run({ target, client }) {
      const { id } = await target.run();
      const stream = openRecordStream(statsOf(client, id));
      await stream.take(1, SETTLE_MS);
      await target.remove(id);
      expect((await stream.end(SETTLE_MS)).kind).toBe('eof');
    },
  },
  {
    name: 'one-shot stats (stream=false&one-shot=true): one record now, precpu empty',
    async run({ target, client }) {
      const { id, name } = await target.run({ busy: true, nanoCpus: 500_000_000 });
      const askedMs = Date.now();
      const record = await client.readStatsOnce(id);
      expectRunningRecord(record, id, name);
      expectEmptyPrecpu(record);
      expectRecentTime(record.read, askedMs);
    },
  },
  {
    name: 'one-shot stats of an exited container: an empty record at once',
    async run({ target, client }) {
      const { id } = await target.run();
      await target.kill(id);
      const record = await client.readStatsOnce(id);
      expectEmptyRecord(record, id);
      expectEmptyPrecpu(record);
    },
  },
  {
    name: 'events with since: a container\'s start and die are replayed, type container only',
    async run({ target, client }) {
      const sinceSeconds = Date.now() / 1000 - 1;
      const { id, name } = await target.run();
      await target.kill(id);
      await withStream<EngineEvent>((callbacks) => client.streamEvents(callbacks, sinceSeconds), async (stream) => {
        const die = await stream.find((event) => event.Actor?.ID === id && event.Action === 'die', SETTLE_MS);
        const mine = containerEvents(stream.records, id).map((event) => event.Action);
        expect(mine.indexOf('start')).toBeGreaterThanOrEqual(0);
        expect(mine.indexOf('start')).toBeLessThan(mine.indexOf('die'));
        expect(die).toMatchObject({
          Type: 'container',
          scope: 'local',
          Actor: { ID: id, Attributes: { name, image: 'dockmon-test-busybox', exitCode: '137' } },
        });
        expect(die.time).toBeGreaterThanOrEqual(Math.floor(sinceSeconds));
        // timeNano (~1.8e18) is above 2^53: JSON.parse rounds it, to within a microsecond.
        expect(Math.abs((die.timeNano ?? 0) / 1e9 - (die.time ?? 0))).toBeLessThan(1);
        for (const event of stream.records) expect(event.Type).toBe('container');
      });
    },
  },
  {
    name: 'events without since: start and die arrive live on the open stream',
    async run({ target, client }) {
      await withStream<EngineEvent>((callbacks) => client.streamEvents(callbacks), async (stream) => {
        // The stream says nothing until an event comes, so the subscription is known to be
        // in place only once a start shows up: retry with a new container until one does.
        let live: string | undefined;
        for (let attempt = 0; attempt < 5 && live === undefined; attempt++) {
          const { id } = await target.run();
          const seen = await stream
            .find((event) => event.Actor?.ID === id && event.Action === 'start', 2 * target.statsIntervalMs + 1_000)
            .then(() => true, () => false);
          if (seen) live = id;
        }
        if (live === undefined) throw new Error('no start event arrived on a live /events stream');
        const id = live;
        await target.kill(id);
        const die = await stream.find((event) => event.Actor?.ID === id && event.Action === 'die', SETTLE_MS);
        expect(die.Actor?.Attributes?.['exitCode']).toBe('137');
      });
    },
  },
  {
    name: 'errors: an unknown full ID is a 404 with the Engine\'s message, for inspect, one-shot and stream',
    async run({ client }) {
      const message = `No such container: ${UNKNOWN_ID}`;
      expect(await apiErrorOf(client.inspectContainer(UNKNOWN_ID), 404)).toContain(message);
      expect(await apiErrorOf(client.readStatsOnce(UNKNOWN_ID), 404)).toContain(message);
      const stream = openRecordStream(statsOf(client, UNKNOWN_ID));
      const end = await stream.end(SETTLE_MS);
      expect(end.kind === 'error' && end.error instanceof DockerApiError && end.error.status).toBe(404);
      expect(end.kind === 'error' ? end.error.message : '').toContain(message);
    },
  },
  {
    name: 'errors: inspect and one-shot of a removed container are a 404',
    async run({ target, client }) {
      const { id } = await target.run();
      await target.remove(id);
      expect(await apiErrorOf(client.inspectContainer(id), 404)).toContain(`No such container: ${id}`);
      expect(await apiErrorOf(client.readStatsOnce(id), 404)).toContain(`No such container: ${id}`);
      expect((await client.listContainers({ all: true })).some((entry) => entry.Id === id)).toBe(false);
    },
  },
  {
    name: 'errors: a version above the daemon\'s maximum is a 400 naming the maximum',
    async run({ transport }) {
      const max = String((await transport.get('/_ping')).headers['api-version']);
      const message = await apiErrorOf(transport.get('/v1.999/containers/json'), 400);
      expect(message).toContain(`client version 1.999 is too new. Maximum supported API version is ${max}`);
    },
  },
  {
    name: 'errors: stats with stream=true and one-shot=true is a 400 (Docker up to 28, API < 1.52)',
    async run({ target, transport, prefix, daemon }) {
      const { id } = await target.run();
      const path = `${prefix}/containers/${id}/stats?stream=true&one-shot=true`;
      if (compareApiVersions(daemon.apiVersion, '1.52') >= 0) return; // Docker 29 ignores one-shot there
      expect(await apiErrorOf(transport.get(path), 400)).toContain('cannot have stream=true and one-shot=true');
    },
  },
  {
    name: 'errors: list filters: an unknown key is a 400, JSON that does not parse a 500 (API 1.41) or 400',
    async run({ transport, prefix, daemon }) {
      const unknown = encodeURIComponent(JSON.stringify({ bogus: ['x'] }));
      expect(await apiErrorOf(transport.get(`${prefix}/containers/json?filters=${unknown}`), 400)).toContain(
        "Invalid filter 'bogus'",
      );
      // Docker 20.10 passes the decoder's error up as a 500; 23.0 (API 1.42) made it a 400.
      const status = compareApiVersions(daemon.apiVersion, '1.42') >= 0 ? 400 : 500;
      expect(await apiErrorOf(transport.get(`${prefix}/containers/json?filters=notjson`), status)).toMatch(/failed: \d{3} \S/);
    },
  },
  {
    name: 'allowlist: other paths, query keys and IDs are refused before any request is made',
    async run({ target, transport, client, prefix }) {
      const { id } = await target.run();
      const requests: unknown[] = [];
      const original = http.request;
      // Counted where the transport calls it: a refused path never reaches node:http.
      http.request = ((...args: Parameters<typeof http.request>) => {
        requests.push(args[0]);
        return original(...args);
      }) as typeof http.request;
      try {
        for (const path of [
          `${prefix}/containers/${id}/logs`,
          `${prefix}/containers/${id}/export`,
          `${prefix}/containers/${id}/attach/ws`,
          `${prefix}/containers/${id}/json?size=1`,
          `${prefix}/containers/${id}/stats?stream=1&follow=1`,
          `${prefix}/events?until=${Math.floor(Date.now() / 1000)}`,
          `${prefix}/info`,
          `${prefix}/_ping`,
          '/containers/json',
          `${prefix}/containers/${id}/../../info`,
        ]) {
          await expect(transport.get(path), path).rejects.toBeInstanceOf(ForbiddenDockerRequestError);
        }
        const refused = openRecordStream<StatsRecord>((callbacks) =>
          transport.openStream(`${prefix}/containers/${id}/logs?follow=1`, { onLine: () => undefined, onEnd: callbacks.onEnd }, { idleTimeoutMs: null }),
        );
        const end = await refused.end(1_000);
        expect(end.kind === 'error' && end.error).toBeInstanceOf(ForbiddenDockerRequestError);
        await expect(client.inspectContainer(id.slice(0, 12))).rejects.toBeInstanceOf(TypeError);
        await expect(client.readStatsOnce(id.toUpperCase())).rejects.toBeInstanceOf(TypeError);
        expect(() => client.streamStats(`../${id}`, { onRecord() {}, onBadLine() {}, onEnd() {} }, 1_000)).toThrow(TypeError);
      } finally {
        http.request = original;
      }
      expect(requests).toEqual([]);
    },
  },
];

/** Registers the contract as one describe block against the engine `createTarget` starts. */
export function describeEngineContract(createTarget: () => Promise<EngineTarget>, timeoutMs: number): void {
  let context: ContractContext | undefined;

  beforeAll(async () => {
    const target = await createTarget();
    const transport = createTransport({ endpoint: { kind: 'unix', socketPath: target.socketPath }, timeoutMs: 10_000 });
    const client = createDockerClient(transport);
    const daemon = await client.negotiate();
    context = { target, transport, client, daemon, prefix: `/v${daemon.apiVersion}` };
  });

  afterAll(async () => {
    context?.client.close();
    await context?.target.close();
  });

  describe('Engine API contract', () => {
    for (const contractCase of ENGINE_CONTRACT) {
      it(
        contractCase.name,
        async () => {
          if (context === undefined) throw new Error('the contract target did not start');
          await contractCase.run(context);
        },
        timeoutMs,
      );
    }
  });
}
