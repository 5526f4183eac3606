// Our Docker client against a fake Engine API on a temporary Unix socket: what it
// sends (GET only, allowlisted, version-pinned), and how it behaves when the
// daemon hangs, drips, sends garbage, errors, resets, or is not there at all.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDockerClient, type DockerClient, type StreamCallbacks } from '../src/docker/client.js';
import { createTransport, type StreamEnd, type Transport } from '../src/docker/transport.js';
import type { StatsRecord } from '../src/docker/types.js';
import {
  DockerApiError,
  DockerBadResponseError,
  DockerTimeoutError,
  DockerUnavailableError,
  ForbiddenDockerRequestError,
} from '../src/errors.js';
import { startFakeDocker, type FakeDocker } from './helpers/fake-docker.js';

const ALLOWED = [
  /^\/_ping$/,
  /^\/v1\.\d+\/version$/,
  /^\/v1\.\d+\/containers\/json$/,
  /^\/v1\.\d+\/containers\/[0-9a-f]{64}\/stats$/,
  /^\/v1\.\d+\/events$/,
];

let fake: FakeDocker | undefined;
let transport: Transport | undefined;

afterEach(async () => {
  transport?.destroy();
  transport = undefined;
  await fake?.close();
  fake = undefined;
});

async function setup(
  options: { apiVersion?: string; timeoutMs?: number; maxResponseBytes?: number } = {},
): Promise<{ fake: FakeDocker; client: DockerClient; transport: Transport }> {
  fake = await startFakeDocker(options.apiVersion ? { apiVersion: options.apiVersion } : {});
  transport = createTransport({
    endpoint: { kind: 'unix', socketPath: fake.socketPath },
    timeoutMs: options.timeoutMs ?? 2_000,
    ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}),
  });
  return { fake, client: createDockerClient(transport), transport };
}

/** Collects a stream's records until it ends (or `limit` records arrive, then closes it). */
function collectStream(
  open: (callbacks: StreamCallbacks<StatsRecord>) => { close(): void },
  limit = Number.POSITIVE_INFINITY,
): Promise<{ records: StatsRecord[]; badLines: string[]; end: StreamEnd }> {
  return new Promise((resolve) => {
    const records: StatsRecord[] = [];
    const badLines: string[] = [];
    const handle = open({
      onRecord(record) {
        records.push(record);
        if (records.length >= limit) handle.close();
      },
      onBadLine: (error) => badLines.push(error.message),
      onEnd: (end) => resolve({ records, badLines, end }),
    });
  });
}

function expectOnlyAllowlistedGets(docker: FakeDocker): void {
  expect(docker.requests.length).toBeGreaterThan(0);
  for (const request of docker.requests) {
    expect(request.method, request.url).toBe('GET');
    expect(ALLOWED.some((pattern) => pattern.test(request.path)), request.url).toBe(true);
  }
}

describe('API version negotiation', () => {
  it('pings unversioned once, then pins the daemon version on every path', async () => {
    const { fake, client } = await setup({ apiVersion: '1.41' });
    expect(await client.negotiate()).toMatchObject({ apiVersion: '1.41', osType: 'linux', server: 'Docker/fake (linux)' });
    await client.listContainers();
    expect(fake.requests.map((request) => request.path)).toEqual(['/_ping', '/v1.41/containers/json']);
    expect(fake.requests[0]?.headers['user-agent']).toBeDefined();
  });

  it('caps the version at the newest one we speak', async () => {
    const { fake, client } = await setup({ apiVersion: '1.53' });
    expect((await client.negotiate()).apiVersion).toBe('1.47');
    await client.listContainers();
    expect(fake.requests[1]?.path).toBe('/v1.47/containers/json');
  });

  it('refuses a daemon older than API 1.27 with a clear message', async () => {
    const { client } = await setup({ apiVersion: '1.25' });
    await expect(client.negotiate()).rejects.toThrow(/speaks API 1\.25; dockmon needs 1\.27/);
  });

  it('refuses to call anything before negotiating', async () => {
    const { fake, client } = await setup();
    await expect(client.listContainers()).rejects.toThrow(/negotiate/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('read-only by construction', () => {
  it('refuses paths outside the allowlist before opening a socket', async () => {
    const { fake, transport } = await setup();
    const id = 'a'.repeat(64);
    for (const path of [`/v1.41/containers/${id}/logs`, `/v1.41/containers/${id}/export`, '/v1.41/images/json']) {
      await expect(transport.get(path)).rejects.toBeInstanceOf(ForbiddenDockerRequestError);
    }
    const ended = await new Promise<StreamEnd>((resolve) =>
      transport.openStream(`/v1.41/containers/${id}/attach/ws`, { onLine: () => undefined, onEnd: resolve }, { idleTimeoutMs: null }),
    );
    expect(ended.kind === 'error' && ended.error).toBeInstanceOf(ForbiddenDockerRequestError);
    expect(fake.requests).toHaveLength(0);
  });

  it('builds stats URLs from full IDs only', async () => {
    const { fake, client } = await setup();
    await client.negotiate();
    const noop = { onRecord: () => undefined, onBadLine: () => undefined, onEnd: () => undefined };
    for (const bad of ['web', '../../images/json', 'a'.repeat(12), `${'a'.repeat(64)}/../x`]) {
      expect(() => client.streamStats(bad, noop, 1000)).toThrow(TypeError);
    }
    expect(fake.requests.map((request) => request.path)).toEqual(['/_ping']);
  });

  it('sends only allowlisted GETs through a whole session of calls', async () => {
    const { fake, client } = await setup();
    const web = fake.addContainer({ name: 'web' });
    await client.negotiate();
    await client.listContainers();
    await collectStream((callbacks) => client.streamStats(web.id, callbacks, 2000), 2);
    const events = client.streamEvents({ onRecord: () => undefined, onBadLine: () => undefined, onEnd: () => undefined });
    events.close();
    expectOnlyAllowlistedGets(fake);
  });
});

describe('listing containers', () => {
  it('returns the daemon list', async () => {
    const { fake, client } = await setup();
    fake.addContainer({ name: 'web' });
    fake.addContainer({ name: 'db', state: 'paused' });
    await client.negotiate();
    const list = await client.listContainers();
    expect(list.map((entry) => entry.Names?.[0]).sort()).toEqual(['/db', '/web']);
  });

  it('turns a 500 into a DockerApiError that keeps the Engine message', async () => {
    const { fake, client } = await setup();
    await client.negotiate();
    fake.fault(/^\/containers\/json$/, { kind: 'status', status: 500, body: '{"message":"disk on fire"}' }, 1);
    const error = await client.listContainers().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DockerApiError);
    expect((error as DockerApiError).status).toBe(500);
    expect((error as Error).message).toBe('GET /v1.41/containers/json failed: 500 disk on fire');
  });

  it('turns garbage into DockerBadResponseError', async () => {
    const { fake, client } = await setup();
    await client.negotiate();
    fake.fault(/^\/containers\/json$/, { kind: 'garbage', body: '<html>proxy error</html>' }, 1);
    await expect(client.listContainers()).rejects.toBeInstanceOf(DockerBadResponseError);
  });

  it('aborts a hung request at the deadline', async () => {
    const { fake, client } = await setup({ timeoutMs: 300 });
    await client.negotiate();
    fake.fault(/^\/containers\/json$/, { kind: 'hang' }, 1);
    const started = Date.now();
    const error = await client.listContainers().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DockerTimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
    // The next call works: the hung socket was released.
    expect(await client.listContainers()).toEqual([]);
  });

  it('aborts a body that drips slower than the deadline', async () => {
    const { fake, client } = await setup({ timeoutMs: 300 });
    await client.negotiate();
    fake.fault(/^\/containers\/json$/, { kind: 'drip', body: '[]'.padEnd(200, ' '), bytesPerTick: 1, tickMs: 20 }, 1);
    await expect(client.listContainers()).rejects.toBeInstanceOf(DockerTimeoutError);
  });

  it('reads a body dripped in tiny pieces within the deadline', async () => {
    const { fake, client } = await setup({ timeoutMs: 2_000 });
    await client.negotiate();
    const entry = JSON.stringify([{ Id: 'b'.repeat(64), Names: ['/drip'], State: 'running' }]);
    fake.fault(/^\/containers\/json$/, { kind: 'drip', body: entry, bytesPerTick: 7, tickMs: 1 }, 1);
    expect((await client.listContainers())[0]?.Names).toEqual(['/drip']);
  });

  it('refuses a response over the size cap', async () => {
    const { fake, client } = await setup({ maxResponseBytes: 1024 });
    await client.negotiate();
    fake.fault(/^\/containers\/json$/, { kind: 'garbage', body: `[${'"x",'.repeat(1000)}"x"]` }, 1);
    await expect(client.listContainers()).rejects.toThrow(/larger than 1024 bytes/);
  });

  it('reports a connection reset', async () => {
    const { fake, client } = await setup();
    await client.negotiate();
    fake.fault(/^\/containers\/json$/, { kind: 'reset' }, 1);
    await expect(client.listContainers()).rejects.toBeInstanceOf(DockerBadResponseError);
  });
});

describe('stats streams', () => {
  it('delivers parsed records as they arrive', async () => {
    const { fake, client } = await setup();
    const web = fake.addContainer({ name: 'web' });
    await client.negotiate();
    const { records, end } = await collectStream((callbacks) => client.streamStats(web.id, callbacks, 2000), 4);
    expect(records).toHaveLength(4);
    expect(records[3]?.name).toBe('/web');
    expect(end.kind).toBe('closed');
    expect(fake.requests.at(-1)?.url).toBe(`/v1.41/containers/${web.id}/stats?stream=true`);
  });

  it('ends with EOF when the container is removed', async () => {
    const { fake, client } = await setup();
    const web = fake.addContainer({ name: 'web' });
    await client.negotiate();
    const result = collectStream((callbacks) => client.streamStats(web.id, callbacks, 2000));
    await new Promise((resolve) => setTimeout(resolve, 120));
    fake.removeContainer(web.id);
    const { records, end } = await result;
    expect(records.length).toBeGreaterThan(0);
    expect(end.kind).toBe('eof');
  });

  it('ends with a 404 DockerApiError for an unknown container', async () => {
    const { client } = await setup();
    await client.negotiate();
    const { end } = await collectStream((callbacks) => client.streamStats('c'.repeat(64), callbacks, 2000));
    expect(end.kind).toBe('error');
    if (end.kind !== 'error') return;
    expect(end.error).toBeInstanceOf(DockerApiError);
    expect((end.error as DockerApiError).status).toBe(404);
    expect(end.error.message).toContain('No such container');
  });

  it('gives up on a stream that goes silent after its headers (stall)', async () => {
    const { fake, client } = await setup();
    const web = fake.addContainer({ name: 'web' });
    await client.negotiate();
    fake.fault(/\/stats$/, { kind: 'hangAfterHeaders' }, 1);
    const started = Date.now();
    const { end } = await collectStream((callbacks) => client.streamStats(web.id, callbacks, 300));
    expect(end.kind === 'error' && end.error).toBeInstanceOf(DockerTimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fake.openStreams()).toBe(0);
  });

  it('reports a garbage line and goes on', async () => {
    const { fake, client } = await setup();
    const web = fake.addContainer({ name: 'web' });
    await client.negotiate();
    const record = JSON.stringify({ read: '2026-11-25T12:00:00Z', name: '/web' });
    fake.fault(/\/stats$/, { kind: 'garbage', body: `not json\n[1,2]\n${record}\n` }, 1);
    const { records, badLines, end } = await collectStream((callbacks) => client.streamStats(web.id, callbacks, 2000));
    expect(badLines).toHaveLength(2);
    expect(records).toEqual([{ read: '2026-11-25T12:00:00Z', name: '/web' }]);
    expect(end.kind).toBe('eof');
  });

  it('reports a stream reset mid-way as an error, not a clean end', async () => {
    const { fake, client } = await setup();
    const web = fake.addContainer({ name: 'web' });
    await client.negotiate();
    const result = collectStream((callbacks) => client.streamStats(web.id, callbacks, 2000));
    await new Promise((resolve) => setTimeout(resolve, 120));
    fake.fault(/.*/, { kind: 'reset' });
    await fake.close();
    const { end } = await result;
    expect(['error', 'eof']).toContain(end.kind);
  });

  it('closes its socket when we close the stream', async () => {
    const { fake, client } = await setup();
    const web = fake.addContainer({ name: 'web' });
    await client.negotiate();
    await collectStream((callbacks) => client.streamStats(web.id, callbacks, 2000), 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.openStreams()).toBe(0);
  });
});

describe('a daemon that sends without end', () => {
  it('stops reading a 2 GB answer at the size cap', async () => {
    // A hand-made endless server: it would send 2 GB, 1 MiB at a time, as fast as we read.
    const socketPath = path.join(os.tmpdir(), `dockmon-endless-${process.pid}.sock`);
    let sentBytes = 0;
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Api-Version': '1.41' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      const pump = (): void => {
        while (sentBytes < 2 * 1024 ** 3) {
          sentBytes += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      transport = createTransport({ endpoint: { kind: 'unix', socketPath }, timeoutMs: 10_000 });
      const heapBefore = process.memoryUsage().heapUsed;
      await expect(transport.get('/v1.41/containers/json')).rejects.toThrow(/larger than 16777216 bytes/);
      expect(sentBytes).toBeLessThan(256 * 1024 * 1024);
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(128 * 1024 * 1024);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('an unreachable daemon', () => {
  it('says the socket is missing and how to mount it', async () => {
    const socketPath = path.join(os.tmpdir(), `dockmon-missing-${process.pid}.sock`);
    transport = createTransport({ endpoint: { kind: 'unix', socketPath }, timeoutMs: 1_000 });
    const error = await createDockerClient(transport).negotiate().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DockerUnavailableError);
    expect((error as Error).message).toContain(`${socketPath} does not exist (ENOENT)`);
    expect((error as DockerUnavailableError).hint).toContain('-v /var/run/docker.sock:');
    expect((error as DockerUnavailableError).hint).toContain('--privileged does not mount it');
  });

  it('says nobody listens on a stale socket file, and how to mount the folder instead', async () => {
    const socketPath = path.join(os.tmpdir(), `dockmon-stale-${process.pid}.sock`);
    // A daemon killed with SIGKILL leaves its socket file behind: connect gets ECONNREFUSED.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)})`]);
    for (let i = 0; i < 100 && !existsSync(socketPath); i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(existsSync(socketPath)).toBe(true);
    transport = createTransport({ endpoint: { kind: 'unix', socketPath }, timeoutMs: 1_000 });
    const error = await createDockerClient(transport).negotiate().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DockerUnavailableError);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect((error as DockerUnavailableError).hint).toContain('goes stale');
    expect((error as DockerUnavailableError).hint).toContain('DOCKER_HOST=unix:///var/run/host/docker.sock');
  });

  it('says a TCP daemon refuses connections', async () => {
    transport = createTransport({ endpoint: { kind: 'tcp', host: '127.0.0.1', port: 1 }, timeoutMs: 1_000 });
    const error = await createDockerClient(transport).negotiate().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DockerUnavailableError);
    expect((error as Error).message).toContain('tcp://127.0.0.1:1');
  });
});
