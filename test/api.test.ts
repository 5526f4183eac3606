// The HTTP API over an in-memory store: routes, status codes, headers, escaping,
// and the stats log written once per sample. No Docker involved.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRequestHandler } from '../src/http/server.js';
import { createStore, type Store } from '../src/sampler/store.js';
import { testAppDeps } from './helpers/app-deps.js';
import { listen } from './helpers/listen.js';
import { hexId, makeInfo, makeSample } from './helpers/samples.js';

const NOW = Date.parse('2026-11-25T12:00:10.000Z');

let store: Store;
let logged: Record<string, unknown>[];
let baseUrl: string;
let close: () => Promise<void>;

const WEB = hexId('ab');
const DB = hexId('ac');
const EVIL = hexId('de');

beforeEach(async () => {
  store = createStore({ historySize: 10, now: () => NOW });
  store.setDocker({ state: 'connected', message: null, hint: null, apiVersion: '1.41', server: 'Docker/test' });
  store.upsert(makeInfo({ id: WEB, name: 'web' }));
  store.upsert(makeInfo({ id: DB, name: 'db', state: 'paused' }));
  store.upsert(makeInfo({ id: EVIL, name: 'evil', image: '<img src=x onerror=alert(1)></script>' }));
  store.recordSample(WEB, makeSample(NOW - 1000));
  store.recordSample(DB, makeSample(NOW - 1000, { cpuPercent: 0 }));
  logged = [];
  // /metrics has its own tests (test/metrics.test.ts); the clock stands still, so nothing is shared.
  const handler = createRequestHandler(testAppDeps({ store, now: () => NOW, logged }));
  ({ baseUrl, close } = await listen(handler));
});

afterEach(async () => {
  await close();
});

async function getJson(path: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(baseUrl + path, init);
  return { status: response.status, body: await response.json(), headers: response.headers };
}

describe('/containers', () => {
  it('answers every container keyed by full ID, with the seed keys and unit-named fields', async () => {
    const { status, body, headers } = await getJson('/containers');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(body).sort()).toEqual([WEB, DB, EVIL].sort());
    expect(body[WEB]).toEqual({
      id: WEB,
      name: 'web',
      image: 'busybox',
      state: 'running',
      network_mode: 'default',
      source: 'api',
      read: new Date(NOW - 1000).toISOString(),
      sample_age_seconds: 1,
      stale: false,
      cpu: 12.5,
      online_cpus: 2,
      memory: 62.5,
      memory_usage_bytes: 40 * 1024 * 1024,
      memory_raw_usage_bytes: 50 * 1024 * 1024,
      memory_limit_bytes: 64 * 1024 * 1024,
      network_in: 2,
      network_out: 1,
      network_rx_bytes: 2048,
      network_tx_bytes: 1024,
      network_rx_bytes_per_second: 100,
      network_tx_bytes_per_second: 50,
      block_read_bytes: 4096,
      block_write_bytes: 8192,
      pids: 3,
      cpu_usage_seconds: 1,
      cpu_periods: 0,
      cpu_throttled_periods: 0,
      cpu_throttled_seconds: 0,
      block_read_ops: 2,
      block_write_ops: 4,
      // What only the kernel source knows: null for a sample from the Engine API.
      oom_kills: null,
      memory_swap_bytes: null,
      memory_failcnt: null,
      memory_max_usage_bytes: null,
      pressure_avg10_percent: null,
    });
  });

  it('gives the kernel figures of a sample read from the cgroup files', async () => {
    store.recordSample(
      WEB,
      makeSample(NOW - 1000, {
        source: 'cgroup',
        oomKills: 2,
        memorySwapBytes: 4096,
        memoryFailcnt: 7,
        memoryMaxUsageBytes: 60 * 1024 * 1024,
        cpuCfsPeriods: 100,
        cpuCfsThrottledPeriods: 40,
        cpuCfsThrottledNs: 1.5e9,
        pressure: { cpu: { some: { avg10: 12.5, totalUs: 1 }, full: { avg10: 3.25, totalUs: 1 } }, memory: { some: { avg10: 0, totalUs: 0 }, full: null }, io: null },
      }),
    );
    const { body } = await getJson(`/containers?id=${WEB}`);
    expect(body[WEB]).toMatchObject({
      source: 'cgroup',
      oom_kills: 2,
      memory_swap_bytes: 4096,
      memory_failcnt: 7,
      memory_max_usage_bytes: 60 * 1024 * 1024,
      cpu_periods: 100,
      cpu_throttled_periods: 40,
      cpu_throttled_seconds: 1.5,
      pressure_avg10_percent: { cpu_some: 12.5, cpu_full: 3.25, memory_some: 0, memory_full: null, io_some: null, io_full: null },
    });
  });

  it('shows a container without a sample yet with null numbers', async () => {
    const { body } = await getJson(`/containers?id=${EVIL}`);
    expect(body[EVIL]).toMatchObject({ name: 'evil', read: null, stale: true, cpu: null, memory: null, network_in: null, pids: null });
  });

  it('marks a sample older than 5 s as stale, with its age', async () => {
    store.recordSample(WEB, makeSample(NOW - 7_500));
    const { body } = await getJson('/containers?id=web');
    expect(body[WEB]).toMatchObject({ stale: true, sample_age_seconds: 7.5 });
  });

  it.each([
    ['the full ID', WEB],
    ['the name', 'web'],
    ['the name with a leading slash', '/web'],
    ['a unique ID prefix', 'abab'],
    ['an upper-case ID prefix', 'ABAB'],
  ])('selects one container by %s', async (_what, query) => {
    const { status, body } = await getJson(`/containers?id=${encodeURIComponent(query)}`);
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual([WEB]);
  });

  it('prefers an exact name over an ID prefix', async () => {
    const named = hexId('ef');
    store.upsert(makeInfo({ id: named, name: 'abab' }));
    const { body } = await getJson('/containers?id=abab');
    expect(Object.keys(body)).toEqual([named]);
  });

  it('answers 404 with a JSON error for an unknown container', async () => {
    const { status, body } = await getJson('/containers?id=nope');
    expect(status).toBe(404);
    expect(body.error.code).toBe('NOT_FOUND');
    expect(body.error.message).toContain('nope');
  });

  it('answers 409 naming the containers when a prefix fits several', async () => {
    const { status, body } = await getJson('/containers?id=a');
    expect(status).toBe(409);
    expect(body.error.code).toBe('AMBIGUOUS');
    expect(body.error.candidates.sort()).toEqual([WEB, DB].sort());
    expect(body.error.message).toContain('web');
    expect(body.error.message).toContain('db');
  });

  it.each([
    ['a path traversal', '../../etc/passwd'],
    ['a space', 'a b'],
    ['an empty id', ''],
    ['markup', '<script>'],
    ['a docker path', 'x/stats'],
    ['a very long id', 'a'.repeat(300)],
  ])('answers 400 for %s and changes nothing', async (_what, query) => {
    const before = JSON.stringify(store.list());
    const { status, body } = await getJson(`/containers?id=${encodeURIComponent(query)}`);
    expect(status).toBe(400);
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(store.list())).toBe(before);
  });

  it('answers 400 for a repeated id or an unknown parameter', async () => {
    expect((await getJson('/containers?id=web&id=db')).status).toBe(400);
    expect((await getJson('/containers?name=web')).status).toBe(400);
  });
});

describe('/table', () => {
  it('has one row per container, with the full ID, and escapes Docker values', async () => {
    const response = await fetch(`${baseUrl}/table`);
    const html = await response.text();
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const ids = [...html.matchAll(/<tr data-id="([0-9a-f]{64})"/g)].map((match) => match[1]);
    expect(ids.sort()).toEqual([WEB, DB, EVIL].sort());
    expect(html).not.toContain('<img');
    expect(html).not.toContain('</script>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;');
  });

  it('logs each sample once however often it is polled, with timestamps', async () => {
    for (let i = 0; i < 20; i += 1) await (await fetch(`${baseUrl}/table`)).text();
    expect(logged).toHaveLength(2);
    expect(logged.map((line) => line['id']).sort()).toEqual([WEB, DB].sort());
    for (const line of logged) {
      expect(line['time']).toBe(new Date(NOW).toISOString());
      expect(line['read']).toBe(new Date(NOW - 1000).toISOString());
      expect(line).not.toHaveProperty('sample_age_seconds');
    }
    store.recordSample(WEB, makeSample(NOW - 500));
    await (await fetch(`${baseUrl}/table`)).text();
    expect(logged).toHaveLength(3);
  });

  it('does not log on HEAD', async () => {
    const response = await fetch(`${baseUrl}/table`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    expect(logged).toHaveLength(0);
  });

  it('says so when there are no containers', async () => {
    for (const id of store.ids()) store.remove(id);
    expect(await (await fetch(`${baseUrl}/table`)).text()).toContain('No running containers');
  });
});

describe('the page', () => {
  it('serves / with a strict Content-Security-Policy and the script it allows', async () => {
    const response = await fetch(`${baseUrl}/`);
    const html = await response.text();
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(html).toContain('<script src="/app.js"');
    expect(html).not.toMatch(/<script>(?!<)/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await fetch(`${baseUrl}/app.js`);
    const etag = first.headers.get('etag') ?? '';
    expect(first.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const second = await fetch(`${baseUrl}/app.js`, { headers: { 'If-None-Match': etag } });
    expect(second.status).toBe(304);
  });
});

describe('/healthz and /readyz', () => {
  it('reports Docker state and counts while serving', async () => {
    const { status, body } = await getJson('/healthz');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', version: '9.9.9', containers: 3, uptime_seconds: 60 });
    expect(body.docker).toMatchObject({ state: 'connected', api_version: '1.41' });
    expect(body.log).toEqual({ ok: true, path: '/logs/stats.jsonl', error: null });
  });

  it('is ready only while Docker is connected, with the reason otherwise', async () => {
    expect((await getJson('/readyz')).status).toBe(200);
    store.setDocker({
      state: 'unavailable',
      message: 'cannot reach Docker at unix:///nope.sock: the socket /nope.sock does not exist (ENOENT)',
      hint: 'Mount the Docker socket',
      apiVersion: null,
      server: null,
    });
    const { status, body } = await getJson('/readyz');
    expect(status).toBe(503);
    expect(body.error.code).toBe('DOCKER_UNAVAILABLE');
    expect(body.error.message).toContain('/nope.sock');
    expect(body.error.hint).toBe('Mount the Docker socket');
    expect((await getJson('/healthz')).status).toBe(200);
  });
});

describe('anything else', () => {
  it('answers 404 with a JSON error', async () => {
    const { status, body } = await getJson('/nope');
    expect(status).toBe(404);
    expect(body.error.code).toBe('NOT_FOUND');
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH'])('answers %s with 405 and Allow', async (method) => {
    const { status, body, headers } = await getJson('/containers', { method });
    expect(status).toBe(405);
    expect(headers.get('allow')).toBe('GET, HEAD');
    expect(body.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers HEAD like GET without a body', async () => {
    const get = await fetch(`${baseUrl}/containers`);
    const head = await fetch(`${baseUrl}/containers`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(get.headers.get('content-length'));
    expect(await head.text()).toBe('');
  });
});
