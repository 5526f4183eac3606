import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../log/logger.js';
import type { AlertNotification } from './types.js';
import {
  createWebhookNotifier,
  formatNotification,
  parseWebhookTargets,
  type Notifier,
  type WebhookNotifierOptions,
} from './webhook-notifier.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);
const WAIT = { timeout: 3000, interval: 5 };

function notification(key = 'exited:abc', kind: 'firing' | 'resolved' = 'firing'): AlertNotification {
  return {
    kind,
    host: 'host1',
    atMs: T0 + 1000,
    alert: {
      rule: 'exited',
      key,
      containerId: 'abc',
      containerName: 'web',
      state: kind,
      sinceMs: T0,
      resolvedAtMs: kind === 'resolved' ? T0 + 1000 : null,
      summary: 'web exited with code 3',
      value: 3,
      threshold: null,
    },
  };
}

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  atMs: number;
}

/** What the receiver does with request number `index`: a status, 'hang', or its own answer. */
type Reply = number | 'hang' | ((res: http.ServerResponse) => void);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startReceiver(reply: (index: number, req: http.IncomingMessage) => Reply, port = 0) {
  const received: Received[] = [];
  // Requests whose connection closed before the receiver answered: the client gave up.
  const abandoned: number[] = [];
  const finished: number[] = [];
  let active = 0;
  let maxActive = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const index = received.length;
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), atMs: performance.now() });
      active++;
      maxActive = Math.max(maxActive, active);
      res.on('finish', () => finished.push(index));
      res.on('close', () => {
        active--;
        if (!res.writableEnded) abandoned.push(index);
      });
      const answer = reply(index, req);
      if (answer === 'hang') return;
      if (typeof answer === 'number') res.writeHead(answer).end();
      else answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  cleanups.push(close);
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    received,
    abandoned,
    finished,
    keys: () => received.map((r) => (JSON.parse(r.body) as { key: string }).key),
    maxActive: () => maxActive,
  };
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function setup(targets: string, options: WebhookNotifierOptions = {}) {
  const lines: string[] = [];
  let clock = T0;
  const now = () => clock;
  const logger = createLogger({ level: 'debug', sink: (line) => lines.push(line), now });
  const delivered: Array<{ key: string; target: string }> = [];
  const notifier: Notifier = createWebhookNotifier(
    {
      targets: parseWebhookTargets(targets),
      logger,
      now,
      userAgent: 'dockmon-test/1',
      onDelivered: (n, target) => delivered.push({ key: n.alert.key, target: target.display }),
    },
    { retryBaseMs: 20, retryMaxMs: 40, timeoutMs: 2000, ...options },
  );
  cleanups.push(() => notifier.stop());
  const logs = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    notifier,
    lines,
    delivered,
    logs: (msg: string) => logs().filter((record) => record['msg'] === msg),
    tick: (ms: number) => (clock += ms),
    first: () => notifier.status()[0],
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createWebhookNotifier delivery', () => {
  it('posts the json body with its headers and counts it delivered', async () => {
    const receiver = await startReceiver(() => 204);
    const { notifier, delivered, first } = setup(`${receiver.url}/in`);
    const n = notification();
    notifier.notify(n);
    await vi.waitFor(() => expect(first()?.delivered).toBe(1), WAIT);

    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request?.path).toBe('/in');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['user-agent']).toBe('dockmon-test/1');
    expect(request?.body).toBe(formatNotification(n, 'json').body);
    expect(delivered).toEqual([{ key: 'exited:abc', target: `${receiver.url}/…` }]);
    expect(first()).toEqual({
      target: `${receiver.url}/…`,
      format: 'json',
      delivered: 1,
      failed: 0,
      dropped: 0,
      queued: 0,
      lastError: null,
      lastErrorAtMs: null,
      lastDeliveredAtMs: T0,
    });
  });

  it('sends every target its own format', async () => {
    const receiver = await startReceiver(() => 200);
    const { notifier } = setup(`${receiver.url}/j, slack:${receiver.url}/s, ntfy:${receiver.url}/n`);
    expect(notifier.status().map((s) => [s.format, s.delivered, s.queued])).toEqual([
      ['json', 0, 0],
      ['slack', 0, 0],
      ['ntfy', 0, 0],
    ]);
    notifier.notify(notification('exited:abc', 'resolved'));
    await vi.waitFor(() => expect(notifier.status().map((s) => s.delivered)).toEqual([1, 1, 1]), WAIT);

    const byPath = new Map(receiver.received.map((r) => [r.path, r]));
    expect(JSON.parse(byPath.get('/j')?.body ?? '')).toMatchObject({ status: 'resolved', key: 'exited:abc' });
    expect(JSON.parse(byPath.get('/s')?.body ?? '')).toEqual({ text: expect.stringMatching(/^:large_green_circle: RESOLVED exited on host1/) });
    const ntfy = byPath.get('/n');
    expect(ntfy?.body).toBe('web exited with code 3');
    expect(ntfy?.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect([ntfy?.headers['title'], ntfy?.headers['priority'], ntfy?.headers['tags']]).toEqual([
      'dockmon host1: exited resolved',
      'default',
      'white_check_mark',
    ]);
  });

  it('retries after a 500 until the receiver takes it, with the same body', async () => {
    const receiver = await startReceiver((index) => (index < 2 ? 500 : 200));
    const { notifier, first, logs } = setup(receiver.url);
    notifier.notify(notification());
    await vi.waitFor(() => expect(first()?.delivered).toBe(1), WAIT);

    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    expect(first()).toMatchObject({ failed: 0, queued: 0, lastError: 'HTTP 500 Internal Server Error', lastErrorAtMs: T0 });
    // Two failed attempts in the same minute make one warning; the success one info line.
    expect(logs('webhook delivery failed; will retry')).toEqual([
      expect.objectContaining({ level: 'warn', target: receiver.url, attempt: 1, error: 'HTTP 500 Internal Server Error' }),
    ]);
    expect(logs('webhook receiver recovered')).toEqual([expect.objectContaining({ level: 'info', target: receiver.url })]);
  });

  it('warns about failed attempts again once a minute has passed', async () => {
    const receiver = await startReceiver(() => 500);
    const { notifier, logs, tick } = setup(receiver.url, { maxAttempts: 100 });
    notifier.notify(notification());
    await vi.waitFor(() => expect(receiver.received.length).toBeGreaterThanOrEqual(3), WAIT);
    expect(logs('webhook delivery failed; will retry')).toHaveLength(1);
    tick(60_000);
    await vi.waitFor(() => expect(receiver.received.length).toBeGreaterThanOrEqual(6), WAIT);
    const warnings = logs('webhook delivery failed; will retry');
    expect(warnings).toHaveLength(2);
    expect(warnings[1]?.['suppressed']).toBeGreaterThanOrEqual(1);
  });

  it('keeps retrying a receiver that is down and delivers once it listens', async () => {
    const port = await freePort();
    const { notifier, first } = setup(`http://127.0.0.1:${port}/hook`, { maxAttempts: 100 });
    notifier.notify(notification());
    await vi.waitFor(() => expect(first()?.lastError).toContain('ECONNREFUSED'), WAIT);
    expect(first()).toMatchObject({ delivered: 0, queued: 1 });

    const receiver = await startReceiver(() => 200, port);
    await vi.waitFor(() => expect(first()?.delivered).toBe(1), WAIT);
    expect(receiver.received.map((r) => r.path)).toEqual(['/hook']);
  });

  it('gives up on a receiver that does not answer in time, then retries', async () => {
    const receiver = await startReceiver((index) => (index === 0 ? 'hang' : 200));
    const { notifier, first } = setup(receiver.url, { timeoutMs: 200 });
    notifier.notify(notification());
    await vi.waitFor(() => expect(first()?.delivered).toBe(1), WAIT);

    expect(receiver.received).toHaveLength(2);
    expect((receiver.received[1]?.atMs ?? 0) - (receiver.received[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(190);
    expect(receiver.abandoned).toEqual([0]);
    expect(first()?.lastError).toBe('no response within 200 ms');
  });

  it('delivers in order, one request at a time, a retry included', async () => {
    const receiver = await startReceiver((index) => (res) => setTimeout(() => res.writeHead(index === 0 ? 503 : 200).end(), 10));
    const { notifier, first } = setup(receiver.url);
    for (const key of ['k1', 'k2', 'k3', 'k4', 'k5']) notifier.notify(notification(key));
    expect(first()?.queued).toBe(5);
    await vi.waitFor(() => expect(first()?.delivered).toBe(5), WAIT);

    expect(receiver.keys()).toEqual(['k1', 'k1', 'k2', 'k3', 'k4', 'k5']);
    expect(receiver.maxActive()).toBe(1);
  });

  it('reads the whole answer, so a large body does not hold the connection', async () => {
    const body = Buffer.alloc(8 * 1024 * 1024, 'x');
    const receiver = await startReceiver(() => (res) => res.writeHead(200, { 'Content-Length': body.length }).end(body));
    const { notifier, first } = setup(receiver.url, { timeoutMs: 2000 });
    notifier.notify(notification());
    await vi.waitFor(() => expect(first()?.delivered).toBe(1), WAIT);
    // Unread, the body would fill the socket buffers and stall until the deadline destroyed it.
    await vi.waitFor(() => expect(receiver.finished).toEqual([0]), { timeout: 1000, interval: 5 });
    expect(receiver.abandoned).toEqual([]);
  });

  it('drops the oldest waiting notification when the queue is full', async () => {
    let held: http.ServerResponse | undefined;
    const receiver = await startReceiver((index) => (index === 0 ? (res) => (held = res) : 200));
    const { notifier, first, logs } = setup(receiver.url, { maxQueue: 2 });
    for (const key of ['k1', 'k2', 'k3', 'k4', 'k5']) notifier.notify(notification(key));
    // k1 is in flight; k2 and k3 made room for k4 and k5.
    expect(first()).toMatchObject({ dropped: 2, queued: 3 });
    expect(logs('webhook queue full; dropped the oldest notification')).toHaveLength(1);

    await vi.waitFor(() => expect(held).toBeDefined(), WAIT);
    held?.writeHead(200).end();
    await vi.waitFor(() => expect(first()?.delivered).toBe(3), WAIT);
    expect(receiver.keys()).toEqual(['k1', 'k4', 'k5']);
    expect(first()).toMatchObject({ dropped: 2, queued: 0, failed: 0 });
  });
});

describe('createWebhookNotifier giving up', () => {
  it('retries a 4xx once, then gives up and moves on', async () => {
    const receiver = await startReceiver(() => 404);
    const { notifier, first, logs } = setup(receiver.url);
    notifier.notify(notification('k1'));
    notifier.notify(notification('k2'));
    await vi.waitFor(() => expect(first()?.failed).toBe(2), WAIT);
    await sleep(100);

    expect(receiver.keys()).toEqual(['k1', 'k1', 'k2', 'k2']);
    expect(first()).toMatchObject({ delivered: 0, failed: 2, queued: 0, lastError: 'HTTP 404 Not Found' });
    expect(logs('webhook delivery failed; giving up on it')).toEqual([expect.objectContaining({ level: 'warn', attempts: 2 })]);
  });

  it('retries 408 and 429 like server errors', async () => {
    const receiver = await startReceiver((index) => [429, 408, 429][index] ?? 200);
    const { notifier, first } = setup(receiver.url);
    notifier.notify(notification());
    await vi.waitFor(() => expect(first()?.delivered).toBe(1), WAIT);
    expect(receiver.received).toHaveLength(4);
    expect(first()?.failed).toBe(0);
  });

  it('gives up after maxAttempts and carries on with the next notification', async () => {
    const receiver = await startReceiver(() => 500);
    const { notifier, first } = setup(receiver.url, { maxAttempts: 3 });
    notifier.notify(notification('k1'));
    notifier.notify(notification('k2'));
    await vi.waitFor(() => expect(first()?.failed).toBe(2), WAIT);
    await sleep(100);
    expect(receiver.keys()).toEqual(['k1', 'k1', 'k1', 'k2', 'k2', 'k2']);
    expect(first()).toMatchObject({ delivered: 0, queued: 0 });
  });

  it('never shows the URL path, query or credentials in status or logs', async () => {
    const receiver = await startReceiver((_index, req) => (res) => {
      res.writeHead(500, `no route for ${req.url ?? ''} (SECRETTOKEN, abcdefgh123)`).end();
    });
    const secretUrl = receiver.url.replace('//', '//user:pw@') + '/services/T0/B0/SECRETTOKEN?token=abcdefgh123';
    const { notifier, first, lines } = setup(`slack:${secretUrl}`, { maxAttempts: 1 });
    notifier.notify(notification());
    await vi.waitFor(() => expect(first()?.failed).toBe(1), WAIT);

    // The credentials are sent, as Basic auth, and the path is posted to.
    expect(receiver.received[0]?.headers['authorization']).toBe(`Basic ${Buffer.from('user:pw').toString('base64')}`);
    expect(receiver.received[0]?.path).toBe('/services/T0/B0/SECRETTOKEN?token=abcdefgh123');
    expect(first()?.target).toBe(`${receiver.url}/…`);
    expect(first()?.lastError).toBe('HTTP 500 no route for … (…, …)');
    expect(lines.length).toBeGreaterThan(0);
    for (const text of [JSON.stringify(notifier.status()), ...lines]) {
      for (const secret of ['SECRETTOKEN', 'abcdefgh123', 'services', 'user:pw', 'token=']) expect(text).not.toContain(secret);
    }
  });
});

describe('createWebhookNotifier stop and notify', () => {
  it('stop() gives a hanging request 1 s, then aborts it and ignores later notifications', async () => {
    const receiver = await startReceiver(() => 'hang');
    const { notifier, first } = setup(receiver.url, { timeoutMs: 5000 });
    notifier.notify(notification('k1'));
    await vi.waitFor(() => expect(receiver.received).toHaveLength(1), WAIT);

    const startedAt = performance.now();
    await notifier.stop();
    const elapsedMs = performance.now() - startedAt;
    expect(elapsedMs).toBeGreaterThanOrEqual(950);
    expect(elapsedMs).toBeLessThan(1500);
    await vi.waitFor(() => expect(receiver.abandoned).toEqual([0]), WAIT);

    notifier.notify(notification('k2'));
    await sleep(100);
    expect(receiver.received).toHaveLength(1);
    // The aborted attempt is neither delivered nor failed: it just did not happen.
    expect(first()).toMatchObject({ delivered: 0, failed: 0, queued: 1, lastError: null });
  });

  it('stop() waits for a request that is about to be answered', async () => {
    const receiver = await startReceiver(() => (res) => setTimeout(() => res.writeHead(200).end(), 100));
    const { notifier, first } = setup(receiver.url);
    notifier.notify(notification());
    await vi.waitFor(() => expect(receiver.received).toHaveLength(1), WAIT);
    const startedAt = performance.now();
    await notifier.stop();
    expect(performance.now() - startedAt).toBeLessThan(900);
    expect(first()?.delivered).toBe(1);
  });

  it('stop() cancels a pending retry at once', async () => {
    const receiver = await startReceiver(() => 500);
    const { notifier, first } = setup(receiver.url, { retryBaseMs: 150, retryMaxMs: 150 });
    notifier.notify(notification());
    await vi.waitFor(() => expect(first()?.lastError).not.toBeNull(), WAIT);
    const startedAt = performance.now();
    await notifier.stop();
    expect(performance.now() - startedAt).toBeLessThan(50);
    await sleep(300);
    expect(receiver.received).toHaveLength(1);
  });

  it('notify() never throws: no targets, bad clocks, a malformed notification', async () => {
    const empty = setup('');
    expect(() => empty.notifier.notify(notification())).not.toThrow();
    expect(empty.notifier.status()).toEqual([]);
    await empty.notifier.stop();

    const receiver = await startReceiver(() => 200);
    const { notifier, first, logs } = setup(receiver.url);
    expect(() => notifier.notify({ ...notification(), atMs: Number.NaN })).not.toThrow();
    expect(() => notifier.notify({} as AlertNotification)).not.toThrow();
    expect(logs('webhook notification could not be queued')).toHaveLength(1);
    await vi.waitFor(() => expect(first()?.delivered).toBe(1), WAIT);
    expect(JSON.parse(receiver.received[0]?.body ?? '')).toMatchObject({ time: null });
  });
});
