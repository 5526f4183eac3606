// Tests of the fake Docker Engine itself (test/helpers/fake-docker.ts), with plain
// http.request over its Unix socket, so that client and sampler tests can trust it.

import * as fs from 'node:fs';
import * as http from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseJsonLossless, readStatsFixture, startFakeDocker } from './helpers/fake-docker.js';
import type { FakeDocker } from './helpers/fake-docker.js';

type Json = Record<string, unknown>;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  chunks: number;
}

function send(
  fake: FakeDocker,
  path: string,
  options: { method?: string; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: fake.socketPath, path, method: options.method ?? 'GET', agent: false });
    if (options.timeoutMs !== undefined) {
      req.setTimeout(options.timeoutMs, () => req.destroy(new Error('client timeout')));
    }
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      let chunks = 0;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        chunks++;
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, chunks }));
    });
    req.end();
  });
}

async function getJson(fake: FakeDocker, path: string): Promise<unknown> {
  const reply = await send(fake, path);
  expect(reply.status).toBe(200);
  return JSON.parse(reply.body);
}

/** An open NDJSON stream: collects complete lines with their arrival times. */
interface LineStream {
  res: http.IncomingMessage;
  lines: string[];
  arrivals: number[];
  ended: boolean;
  waitLines(n: number, timeoutMs?: number): Promise<Json[]>;
  waitEnd(timeoutMs?: number): Promise<void>;
  close(): void;
}

function openStream(fake: FakeDocker, path: string): Promise<LineStream> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: fake.socketPath, path, agent: false });
    req.on('error', reject);
    req.on('response', (res) => {
      let buffer = '';
      const stream: LineStream = {
        res,
        lines: [],
        arrivals: [],
        ended: false,
        waitLines: async (n, timeoutMs = 2000) => {
          await until(() => stream.lines.length >= n, timeoutMs, `${n} lines`);
          return stream.lines.slice(0, n).map((l) => parseJsonLossless(l) as Json);
        },
        waitEnd: (timeoutMs = 2000) => until(() => stream.ended, timeoutMs, 'end of stream'),
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) !== -1) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim() === '') continue;
          stream.lines.push(line);
          stream.arrivals.push(performance.now());
        }
      });
      res.on('end', () => (stream.ended = true));
      res.on('error', () => (stream.ended = true));
      resolve(stream);
    });
    req.end();
  });
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function cpu(record: Json): Json {
  return record['cpu_stats'] as Json;
}
function totalUsage(stats: unknown): number {
  return ((stats as Json)['cpu_usage'] as Json)['total_usage'] as number;
}

let fake: FakeDocker;
beforeEach(async () => {
  fake = await startFakeDocker();
});
afterEach(async () => {
  await fake.close();
});

describe('fake docker: transport and version', () => {
  it('answers GET and HEAD /_ping with the daemon headers', async () => {
    const get = await send(fake, '/_ping');
    expect(get.status).toBe(200);
    expect(get.body).toBe('OK');
    expect(get.headers['api-version']).toBe('1.41');
    expect(get.headers['ostype']).toBe('linux');
    expect(get.headers['server']).toBe('Docker/fake (linux)');

    const head = await send(fake, '/_ping', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['api-version']).toBe('1.41');
  });

  it('accepts a version prefix, rejects a too-new one, serves /version', async () => {
    expect((await send(fake, '/v1.41/_ping')).body).toBe('OK');
    const tooNew = await send(fake, '/v1.99/containers/json');
    expect(tooNew.status).toBe(400);
    expect(JSON.parse(tooNew.body)).toEqual({
      message: 'client version 1.99 is too new. Maximum supported API version is 1.41',
    });
    expect(tooNew.headers['api-version']).toBe('1.41');

    const version = (await getJson(fake, '/v1.41/version')) as Json;
    expect(version).toMatchObject({ ApiVersion: '1.41', MinAPIVersion: '1.12', Os: 'linux' });
    expect(typeof version['Version']).toBe('string');
  });

  it('honours the apiVersion option', async () => {
    const modern = await startFakeDocker({ apiVersion: '1.47' });
    try {
      const ping = await send(modern, '/v1.47/_ping');
      expect(ping.headers['api-version']).toBe('1.47');
      expect((await send(modern, '/v1.48/_ping')).status).toBe(400);
    } finally {
      await modern.close();
    }
  });

  it('404s unknown routes and non-GET methods, and records every request', async () => {
    const c = fake.addContainer({ name: 'victim' });
    const notFound = await send(fake, '/v1.41/containers/victim/export');
    expect(notFound.status).toBe(404);
    expect(JSON.parse(notFound.body)).toEqual({ message: 'page not found' });
    const kill = await send(fake, `/v1.41/containers/${c.id}/kill?signal=KILL`, { method: 'POST' });
    expect(kill.status).toBe(404);
    await send(fake, '/v1.41/containers/json?all=1&filters=%7B%7D');

    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v1.41/containers/victim/export',
      `POST /v1.41/containers/${c.id}/kill`,
      'GET /v1.41/containers/json',
    ]);
    const [, post, list] = fake.requests;
    expect(post?.query).toEqual({ signal: 'KILL' });
    expect(post?.route).toBe(`/containers/${c.id}/kill`);
    expect(list).toMatchObject({ version: '1.41', query: { all: '1', filters: '{}' } });
    expect(list?.headers['host']).toBe('localhost');
    expect(list?.at).toBeGreaterThan(Date.now() - 10_000);
  });
});

describe('fake docker: containers', () => {
  it('lists running and paused containers in the real shape; all=1 adds exited ones', async () => {
    const run = fake.addContainer({ name: 'web', labels: { app: 'x' } });
    fake.addContainer({ name: 'frozen', state: 'paused', networkMode: 'none' });
    fake.addContainer({ name: 'gone', state: 'exited' });
    expect(run.id).toMatch(/^[0-9a-f]{64}$/);

    const list = (await getJson(fake, '/v1.41/containers/json')) as Json[];
    expect(list.map((c) => c['Names'])).toEqual([['/frozen'], ['/web']]);
    const fixture = new URL('fixtures/docker/cgroup-v1/containers.json', import.meta.url);
    const realEntry = (JSON.parse(fs.readFileSync(fixture, 'utf8')) as Json[])[0];
    expect(Object.keys(list[0] ?? {}).sort()).toEqual(Object.keys(realEntry ?? {}).sort());
    expect(list.find((c) => c['Id'] === run.id)).toMatchObject({
      Image: 'dockmon-test-busybox',
      Labels: { app: 'x' },
      State: 'running',
      Status: expect.stringMatching(/^Up /) as unknown,
      HostConfig: { NetworkMode: 'default' },
    });
    expect(list[0]).toMatchObject({ State: 'paused', Status: expect.stringMatching(/\(Paused\)$/) as unknown });

    const all = (await getJson(fake, '/v1.41/containers/json?all=1')) as Json[];
    expect(all.map((c) => c['State']).sort()).toEqual(['exited', 'paused', 'running']);
  });
});

describe('fake docker: inspect', () => {
  const captured = (file: string): Json =>
    JSON.parse(fs.readFileSync(new URL(`fixtures/docker/cgroup-v1/${file}`, import.meta.url), 'utf8')) as Json;
  const limits = {
    hostConfig: { Memory: 64 * 1024 * 1024, NanoCpus: 500_000_000, PidsLimit: 64, RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 } },
    health: 'healthy' as const,
  };

  it('answers what the captured inspect of the same container holds, in State and HostConfig', async () => {
    const real = captured('inspect-limits-running.json');
    const c = fake.addContainer(limits);
    const body = (await getJson(fake, `/v1.41/containers/${c.id}/json`)) as Json;
    const realState = real['State'] as Json;
    expect(Object.keys(body['State'] as Json).sort()).toEqual(Object.keys(realState).sort());
    expect(body['State']).toMatchObject({ Status: 'running', Running: true, ExitCode: 0, FinishedAt: realState['FinishedAt'] });
    const realHost = real['HostConfig'] as Json;
    const keys = ['NanoCpus', 'CpuQuota', 'CpuPeriod', 'CpuShares', 'CpusetCpus', 'Memory', 'MemoryReservation', 'MemorySwap', 'PidsLimit', 'RestartPolicy', 'NetworkMode'];
    const pick = (host: Json): Json => Object.fromEntries(keys.map((key) => [key, host[key]]));
    expect(pick(body['HostConfig'] as Json)).toEqual(pick(realHost));
  });

  it('after a kill: Pid 0, the exit code and a FinishedAt, as captured', async () => {
    const real = captured('inspect-limits-killed.json')['State'] as Json;
    const c = fake.addContainer(limits);
    c.exitCode = 137;
    fake.setState(c.id, 'exited');
    const state = ((await getJson(fake, `/v1.41/containers/${c.id}/json`)) as Json)['State'] as Json;
    expect(state).toMatchObject({ Status: real['Status'], Running: false, Pid: real['Pid'], ExitCode: real['ExitCode'] });
    expect(Date.parse(String(state['FinishedAt']))).toBeGreaterThanOrEqual(Date.parse(String(state['StartedAt'])));
  });
});

describe('fake docker: stats', () => {
  it('streams one record per interval, chunked, with precpu chained from the previous record', async () => {
    fake.statsIntervalMs = 40;
    const c = fake.addContainer({ name: 'burn' });
    const stream = await openStream(fake, `/v1.41/containers/${c.id}/stats?stream=true`);
    expect(stream.res.statusCode).toBe(200);
    expect(stream.res.headers['content-length']).toBeUndefined();
    expect(stream.res.headers['transfer-encoding']).toBe('chunked');

    const records = await stream.waitLines(8); // more than the 7 default records: the tape cycles
    stream.close();
    const first = records[0] ?? {};
    expect(first).toMatchObject({ id: c.id, name: '/burn', preread: '0001-01-01T00:00:00Z' });
    expect(first['precpu_stats']).toEqual({
      cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
      throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
    });
    for (let i = 1; i < records.length; i++) {
      const prev = records[i - 1] ?? {};
      const cur = records[i] ?? {};
      expect(cur['precpu_stats']).toEqual(prev['cpu_stats']);
      expect(cur['preread']).toBe(prev['read']);
      expect(totalUsage(cpu(cur))).toBeGreaterThan(totalUsage(cpu(prev)));
      expect(cpu(cur)['system_cpu_usage'] as number).toBeGreaterThan(cpu(prev)['system_cpu_usage'] as number);
      const gapMs = Date.parse(String(cur['read'])) - Date.parse(String(prev['read']));
      expect(gapMs).toBeGreaterThanOrEqual(35);
      expect(gapMs).toBeLessThan(1000);
    }
    const spanMs = (stream.arrivals[7] ?? 0) - (stream.arrivals[0] ?? 0);
    expect(spanMs).toBeGreaterThan(7 * 35);
    // Exact big integers survive (2^63 - 4096 is printed digit for digit, as Go does).
    expect(stream.lines[0]).toContain('"hierarchical_memory_limit":9223372036854771712');
    await until(() => fake.openStreams() === 0, 1000, 'the server to see the disconnect');
  });

  it('stream=false waits a tick and fills precpu; one-shot answers with zero precpu', async () => {
    const c = fake.addContainer();
    const once = await send(fake, `/v1.41/containers/${c.id}/stats?stream=false`);
    expect(once.status).toBe(200);
    expect(once.headers['content-type']).toBe('application/json');
    const record = JSON.parse(once.body) as Json;
    expect((record['precpu_stats'] as Json)['system_cpu_usage']).toBeGreaterThan(0);
    expect(totalUsage(record['cpu_stats'])).toBeGreaterThan(totalUsage(record['precpu_stats']));
    expect(record['preread']).not.toBe('0001-01-01T00:00:00Z');

    const oneShot = JSON.parse((await send(fake, `/v1.41/containers/${c.id}/stats?stream=false&one-shot=true`)).body) as Json;
    expect((oneShot['precpu_stats'] as Json)['system_cpu_usage']).toBeUndefined();
    expect(oneShot['preread']).toBe('0001-01-01T00:00:00Z');

    const both = await send(fake, `/v1.41/containers/${c.id}/stats?stream=true&one-shot=true`);
    expect(both.status).toBe(400);
  });

  it('keeps running on real time under vi.useFakeTimers()', async () => {
    const c = fake.addContainer();
    vi.useFakeTimers();
    try {
      const lines = await new Promise<string[]>((resolve, reject) => {
        const req = http.request({ socketPath: fake.socketPath, path: `/v1.41/containers/${c.id}/stats`, agent: false });
        req.on('error', reject);
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
            const complete = text.split('\n').slice(0, -1);
            if (complete.length >= 3) {
              req.destroy();
              resolve(complete);
            }
          });
        });
        req.end();
      });
      expect(lines).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('404s an unknown container', async () => {
    const reply = await send(fake, '/v1.41/containers/nope/stats?stream=false');
    expect(reply.status).toBe(404);
    expect(JSON.parse(reply.body)).toEqual({ message: 'No such container: nope' });
  });

  it('streams empty records for an exited container', async () => {
    const c = fake.addContainer({ name: 'stopped', state: 'exited' });
    const stream = await openStream(fake, `/v1.41/containers/${c.id}/stats`);
    const [record] = await stream.waitLines(1);
    stream.close();
    const real = readStatsFixture('stats-stream-stopped.ndjson')[0] ?? {};
    expect(record).toEqual({ ...real, id: c.id, name: '/stopped' });
  });

  it('a paused container repeats its counters (CPU delta 0)', async () => {
    const c = fake.addContainer({ state: 'paused' });
    const stream = await openStream(fake, `/v1.41/containers/${c.id}/stats`);
    const [a, b] = await stream.waitLines(2);
    stream.close();
    expect(totalUsage(cpu(b ?? {}))).toBe(totalUsage(cpu(a ?? {})));
  });

  it("plays a 'once' tape verbatim then ends; setState emits events and a restart resets counters", async () => {
    const cut = readStatsFixture('stats-stream-restart-cut.ndjson');
    const c = fake.addContainer({ records: cut, playback: 'once' });
    const stream = await openStream(fake, `/v1.41/containers/${c.id}/stats`);
    await stream.waitEnd();
    const usages = stream.lines.map((l) => totalUsage(cpu(JSON.parse(l) as Json)));
    expect(usages).toEqual(cut.map((r) => totalUsage(cpu(r))));
    expect(usages[3]).toBeLessThan(usages[2] ?? 0); // the restart in the recording

    const burner = fake.addContainer();
    const events = await openStream(fake, '/v1.41/events');
    const before = await getJson(fake, `/v1.41/containers/${burner.id}/stats?stream=false`);
    fake.setState(burner.id, 'paused');
    fake.setState(burner.id, 'running');
    fake.setState(burner.id, 'exited');
    const stopped = (await getJson(fake, `/v1.41/containers/${burner.id}/stats?stream=false`)) as Json;
    expect(stopped['read']).toBe('0001-01-01T00:00:00Z');
    fake.setState(burner.id, 'running');
    const after = await getJson(fake, `/v1.41/containers/${burner.id}/stats?stream=false`);
    expect(totalUsage(cpu(after as Json))).toBe(totalUsage(cpu(before as Json)));
    const actions = (await events.waitLines(4)).map((e) => e['Action']);
    expect(actions).toEqual(['pause', 'unpause', 'die', 'start']);
    events.close();
  });

  it('removeContainer emits die and destroy and ends the stats stream (EOF)', async () => {
    const c = fake.addContainer({ name: 'doomed' });
    const events = await openStream(fake, '/v1.41/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D');
    const stats = await openStream(fake, `/v1.41/containers/${c.id}/stats`);
    await stats.waitLines(1);
    expect(fake.openStreams()).toBe(2);

    fake.removeContainer(c.id);
    await stats.waitEnd();
    expect(stats.res.complete).toBe(true); // a clean end, not an abort
    const [die, destroy] = await events.waitLines(2);
    expect(die).toMatchObject({ Type: 'container', Action: 'die', Actor: { ID: c.id, Attributes: { name: 'doomed' } } });
    expect(destroy).toMatchObject({ Action: 'destroy', scope: 'local' });
    expect((await send(fake, `/v1.41/containers/${c.id}/stats?stream=false`)).status).toBe(404);
    events.close();
    await until(() => fake.openStreams() === 0, 1000, 'streams to close');
  });
});

describe('fake docker: events', () => {
  it('streams events in the real shape and honours type filters', async () => {
    const events = await openStream(fake, '/v1.41/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D');
    expect(events.res.headers['content-type']).toBe('application/json');
    fake.emitEvent({ Type: 'network', Action: 'connect', Actor: { ID: 'n1', Attributes: {} } });
    const c = fake.addContainer({ name: 'newcomer', labels: { team: 'a' } });
    const [start] = await events.waitLines(1);
    events.close();
    expect(Object.keys(start ?? {})).toEqual(['status', 'id', 'from', 'Type', 'Action', 'Actor', 'scope', 'time', 'timeNano']);
    expect(start).toMatchObject({
      Type: 'container',
      Action: 'start',
      Actor: { ID: c.id, Attributes: { image: 'dockmon-test-busybox', name: 'newcomer', team: 'a' } },
      scope: 'local',
    });
    expect(events.lines[0]).toMatch(/"timeNano":\d{19}\}$/);
  });
});

describe('fake docker: faults', () => {
  it('hang: accepts and never answers (the client times out)', async () => {
    fake.fault(/^\/_ping$/, { kind: 'hang' }, 1);
    await expect(send(fake, '/_ping', { timeoutMs: 100 })).rejects.toThrow('client timeout');
    expect((await send(fake, '/_ping')).body).toBe('OK'); // the rule was used up
  });

  it('hangAfterHeaders: 200 and headers, then silence', async () => {
    fake.fault(/\/stats$/, { kind: 'hangAfterHeaders' });
    const c = fake.addContainer();
    const stream = await openStream(fake, `/v1.41/containers/${c.id}/stats`);
    expect(stream.res.statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 150));
    expect(stream.lines).toEqual([]);
    stream.close();
  });

  it('garbage and status', async () => {
    fake.fault(/^\/containers\/json$/, { kind: 'garbage', body: '{"Id": tru' }, 1);
    fake.fault(/^\/containers\/json$/, { kind: 'status', status: 500, body: '{"message":"boom"}' }, 1);
    const garbage = await send(fake, '/v1.41/containers/json');
    expect(garbage.status).toBe(200);
    expect(garbage.headers['content-type']).toBe('application/json');
    expect(garbage.body).toBe('{"Id": tru');
    const failed = await send(fake, '/v1.41/containers/json');
    expect(failed.status).toBe(500);
    expect(failed.headers['api-version']).toBe('1.41');
    expect(JSON.parse(failed.body)).toEqual({ message: 'boom' });
    expect((await send(fake, '/v1.41/containers/json')).status).toBe(200);
  });

  it('reset: the socket is destroyed', async () => {
    fake.fault(/^\/version$/, { kind: 'reset' });
    await expect(send(fake, '/v1.41/version')).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('drip: the body arrives a few bytes at a time', async () => {
    const body = JSON.stringify({ ApiVersion: '1.41', padding: 'x'.repeat(40) });
    fake.fault(/^\/version$/, { kind: 'drip', body, bytesPerTick: 10, tickMs: 10 });
    const started = performance.now();
    const reply = await send(fake, '/version');
    expect(reply.body).toBe(body);
    expect(reply.chunks).toBeGreaterThanOrEqual(4);
    expect(performance.now() - started).toBeGreaterThan(40);
  });

  it('closeAfter: a stream ends after N records; delay: answers late', async () => {
    const c = fake.addContainer();
    fake.fault(/\/stats$/, { kind: 'closeAfter', records: 2 }, 1);
    const stream = await openStream(fake, `/v1.41/containers/${c.id}/stats`);
    await stream.waitEnd();
    expect(stream.lines).toHaveLength(2);

    fake.fault(/^\/_ping$/, { kind: 'delay', ms: 80 }, 1);
    const started = performance.now();
    expect((await send(fake, '/_ping')).body).toBe('OK');
    expect(performance.now() - started).toBeGreaterThan(60);
  });
});

describe('fake docker: close', () => {
  it('ends open streams, cuts hung requests and removes the socket file', async () => {
    const own = await startFakeDocker();
    const c = own.addContainer();
    expect(fs.existsSync(own.socketPath)).toBe(true);
    const stream = await openStream(own, `/v1.41/containers/${c.id}/stats`);
    own.fault(/^\/_ping$/, { kind: 'hang' });
    const hung = expect(send(own, '/_ping')).rejects.toThrow('socket hang up');
    await until(() => own.requests.length === 2, 1000, 'the hung request');

    await own.close();
    await stream.waitEnd();
    expect(stream.res.complete).toBe(true);
    await hung;
    expect(own.openStreams()).toBe(0);
    expect(fs.existsSync(own.socketPath)).toBe(false);
    await expect(send(own, '/_ping')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
