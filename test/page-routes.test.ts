// The page's routes over an in-memory store: `/` rendered with the table in it,
// /table (with ?totals=1), /detail, /containers/history as JSON and CSV, and /live.
// No Docker involved.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLiveUpdates, type LiveUpdates } from '../src/http/live-updates.js';
import { createSnapshotRenderer } from '../src/http/live-snapshot.js';
import { createRequestHandler } from '../src/http/server.js';
import { SHARED_RENDER_MAX_AGE_MS } from '../src/http/shared-render.js';
import { createLogger } from '../src/log/logger.js';
import { createStatsLogWriter } from '../src/sampler/stats-log.js';
import { createStore, type Store } from '../src/sampler/store.js';
import { testAppDeps } from './helpers/app-deps.js';
import { listen } from './helpers/listen.js';
import { hexId, makeInfo, makeSample } from './helpers/samples.js';

const NOW = Date.parse('2026-11-25T12:00:10.000Z');

const WEB = hexId('ab');
const DB = hexId('ac');
const EVIL = hexId('de');
const TWIN = hexId('ad');
const HOSTILE = '<img src=x onerror=alert(1)></script><script>alert(2)</script>';

let store: Store;
let logged: Record<string, unknown>[];
let live: LiveUpdates;
let baseUrl: string;
let close: () => Promise<void>;

beforeEach(async () => {
  store = createStore({ historySize: 10, now: () => NOW });
  store.setDocker({ state: 'connected', message: null, hint: null, apiVersion: '1.41', server: 'Docker/test' });
  store.upsert(makeInfo({ id: WEB, name: 'web' }));
  store.upsert(makeInfo({ id: DB, name: 'db' }));
  store.upsert(makeInfo({ id: TWIN, name: 'twin' }));
  store.upsert(makeInfo({ id: EVIL, name: 'evil', labels: { note: HOSTILE, 'com.docker.compose.project': HOSTILE } }));
  store.recordSample(WEB, makeSample(NOW - 2000, { cpuPercent: 5 }));
  store.recordSample(WEB, makeSample(NOW - 1000, { cpuPercent: 80 }));
  store.recordSample(DB, makeSample(NOW - 1000, { cpuPercent: 40 }));
  logged = [];
  const statsLog = createStatsLogWriter({ store, sink: { append: (record) => logged.push(record as Record<string, unknown>) }, now: () => NOW }, { intervalMs: 0 });
  const logStatus = (): { ok: boolean; error: string | null; path: string } => ({ ok: true, error: null, path: '/logs/stats.jsonl' });
  live = createLiveUpdates({
    render: createSnapshotRenderer({ store, statsLog, logStatus, now: () => NOW }),
    tickMs: 20,
    heartbeatMs: 1_000,
    retryMs: 2_000,
    maxViewers: 1,
    maxBacklogBytes: 1024 * 1024,
    logger: createLogger({ level: 'error', sink: () => undefined }),
  });
  // The clock stands still here: sharing (tested below and in shared-render.test.ts) is off.
  const handler = createRequestHandler(testAppDeps({ store, now: () => NOW }, { statsLog, live, logStatus }));
  ({ baseUrl, close } = await listen(handler));
});

afterEach(async () => {
  live.close();
  await close();
});

async function get(path: string, init?: RequestInit): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(baseUrl + path, init);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

function rowIdsOf(html: string): string[] {
  return [...html.matchAll(/<tr data-id="([0-9a-f]{64})"/g)].map((match) => match[1] ?? '');
}

describe('/ with the table already in it', () => {
  it('lists every container in the HTML, escaped, under the strict CSP, and logs the rows it served', async () => {
    const { status, text, headers } = await get('/');
    expect(status).toBe(200);
    expect(headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(rowIdsOf(text).sort()).toEqual([WEB, DB, EVIL, TWIN].sort());
    expect(text).toContain('<tr class="totals">');
    expect(text).not.toContain('<!--dockmon:');
    expect(text).not.toMatch(/<img|<script>|style="/);
    expect(text).toContain('4 containers, 2 stale');
    expect(logged.map((line) => line['id']).sort()).toEqual([WEB, DB].sort());
  });

  it('sorts the first render as ?sort= and ?dir= say, with aria-sort, and fills the filter box escaped', async () => {
    const { text } = await get('/?sort=cpu&dir=desc&q=%22%3E%3Cscript%3E');
    expect(rowIdsOf(text)).toEqual([WEB, DB, EVIL, TWIN]);
    expect(text).toContain('data-col="cpu" class="num" aria-sort="descending"');
    expect(text).toContain('value="&quot;&gt;&lt;script&gt;"');
    const ascending = await get('/?sort=cpu&dir=asc');
    expect(rowIdsOf(ascending.text)).toEqual([DB, WEB, EVIL, TWIN]);
    const unknown = await get('/?sort=nope');
    expect(rowIdsOf(unknown.text)).toEqual([DB, EVIL, TWIN, WEB]);
  });

  it('shows a banner saying what is wrong and how to fix it when Docker is unreachable', async () => {
    store.setDocker({
      state: 'unavailable',
      message: 'the socket /var/run/docker.sock does not exist (ENOENT)',
      hint: 'Mount it: -v /var/run/docker.sock:/var/run/docker.sock',
      apiVersion: null,
      server: null,
    });
    const { text } = await get('/');
    expect(text).toMatch(/<div id="banner" class="banner" role="alert"><p>Docker is unreachable: the socket/);
    expect(text).toContain('Mount it: -v /var/run/docker.sock');
    expect(text).toContain('Docker unavailable');
  });
});

describe('/table', () => {
  it('keeps the seed fragment, and appends the totals row only when asked', async () => {
    const plain = await get('/table');
    expect(plain.text.startsWith('<tr data-id="')).toBe(true);
    expect(plain.text).not.toContain('class="totals"');
    const withTotals = await get('/table?totals=1');
    expect(rowIdsOf(withTotals.text)).toEqual(rowIdsOf(plain.text));
    expect(withTotals.text.trimEnd().split('\n').at(-1)).toMatch(/^<tr class="totals">/);
  });

  it('is rendered once per quarter-second for all clients, and afresh when a container comes or goes', async () => {
    const clock = { nowMs: NOW };
    const shared = await listen(
      createRequestHandler(testAppDeps({ store, now: () => clock.nowMs, logged, sharedMaxAgeMs: SHARED_RENDER_MAX_AGE_MS })),
    );
    try {
      const table = async (): Promise<string> => (await fetch(`${shared.baseUrl}/table`)).text();
      const first = await table();
      store.recordSample(DB, makeSample(NOW - 500, { cpuPercent: 3 }));
      expect(await table()).toBe(first);
      // The served rows are logged once whether the rendering was shared or not.
      expect(logged.filter((line) => line['id'] === DB)).toHaveLength(1);

      clock.nowMs += SHARED_RENDER_MAX_AGE_MS;
      const later = await table();
      expect(later).not.toBe(first);
      expect(rowIdsOf(later)).toEqual(rowIdsOf(first));

      store.upsert(makeInfo({ id: hexId('af'), name: 'fresh' }));
      expect(rowIdsOf(await table())).toContain(hexId('af'));
    } finally {
      await shared.close();
    }
  });
});

describe('/detail', () => {
  it('renders the panel of one container, resolved like /containers?id=', async () => {
    const { status, text } = await get(`/detail?id=web`);
    expect(status).toBe(200);
    expect(text).toContain(`data-id="${WEB}"`);
    expect(text.match(/<svg class="chart"/g)).toHaveLength(4);
    const evil = await get(`/detail?id=${EVIL.slice(0, 6)}`);
    expect(evil.text).not.toMatch(/<img|<script/);
    expect(evil.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it.each([
    ['/detail', 400],
    ['/detail?id=', 400],
    ['/detail?id=../../etc', 400],
    ['/detail?id=web&id=db', 400],
    ['/detail?id=web&x=1', 400],
    ['/detail?id=nope', 404],
    ['/detail?id=a', 409],
  ])('%s answers %i with a JSON error', async (path, status) => {
    const answer = await get(path);
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.text).error.code).toMatch(/^[A-Z_]+$/);
  });
});

describe('/containers/history', () => {
  it('answers the retained samples of one container as JSON, oldest first', async () => {
    const { status, text, headers } = await get('/containers/history?id=web');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(headers.get('cache-control')).toBe('no-store');
    const body = JSON.parse(text);
    expect(body).toMatchObject({ id: WEB, name: 'web', image: 'busybox' });
    expect(body.samples.map((sample: { cpu: number }) => sample.cpu)).toEqual([5, 80]);
    expect(body.samples[1].read).toBe(new Date(NOW - 1000).toISOString());
    const empty = JSON.parse((await get(`/containers/history?id=${TWIN}`)).text);
    expect(empty.samples).toEqual([]);
  });

  it('answers CSV with format=csv and at /containers/history.csv, as a download named by ID', async () => {
    for (const path of ['/containers/history?id=web&format=csv', '/containers/history.csv?id=web']) {
      const { status, text, headers } = await get(path);
      expect(status).toBe(200);
      expect(headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
      expect(headers.get('content-disposition')).toBe(`attachment; filename="dockmon-history-${WEB.slice(0, 12)}.csv"`);
      const lines = text.trimEnd().split('\r\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]?.startsWith('read,cpu,online_cpus,memory,')).toBe(true);
      expect(lines[2]?.split(',')[1]).toBe('80');
    }
  });

  it.each([
    ['/containers/history', 400],
    ['/containers/history?id=web&format=xml', 400],
    ['/containers/history?id=web&format=csv&format=json', 400],
    ['/containers/history?id=web&limit=5', 400],
    ['/containers/history?id=%2e%2e%2fetc', 400],
    ['/containers/history?id=x/archive?path=/etc/shadow', 400],
    ['/containers/history?id=nope', 404],
    ['/containers/history?id=a', 409],
    ['/containers/history.csv', 400],
    ['/containers/history.csv?id=web&format=json', 400],
    ['/containers/history.csv?id=nope', 404],
  ])('%s answers %i with a JSON error', async (path, status) => {
    const answer = await get(path);
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = JSON.parse(answer.text);
    expect(typeof body.error.message).toBe('string');
    if (status === 409) expect(body.error.candidates.sort()).toEqual([WEB, TWIN, DB].filter((id) => id.startsWith('a')).sort());
  });

  it('answers HEAD without a body', async () => {
    const head = await get('/containers/history.csv?id=web', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });
});

describe('/live', () => {
  it('streams the snapshot as Server-Sent Events, and refuses viewers beyond the cap with 503', async () => {
    const controller = new AbortController();
    const response = await fetch(`${baseUrl}/live`, { signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('\n\nevent: snapshot\ndata: ') || !text.endsWith('\n\n') || text.split('event: snapshot').length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    expect(text.startsWith('retry: 2000\n\n')).toBe(true);
    const data = text.split('\n').find((line) => line.startsWith('data: '))?.slice(6) ?? '';
    const snapshot = JSON.parse(data);
    expect(rowIdsOf(snapshot.rows).sort()).toEqual([WEB, DB, EVIL, TWIN].sort());
    expect(snapshot.totals).toMatch(/^<tr class="totals">/);
    expect(snapshot.status).toMatchObject({ containers: 4, stale_containers: 2, docker: { state: 'connected' }, log: { ok: true } });

    const refused = await get('/live');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(JSON.parse(refused.text).error.code).toBe('TOO_MANY_VIEWERS');
    controller.abort();
  });
});

describe('the live snapshot renderer', () => {
  it('gives the whole state, and patches with only what changed', () => {
    let nowMs = NOW;
    const render = createSnapshotRenderer({
      store,
      statsLog: { served: () => 0 },
      logStatus: () => ({ ok: true, error: null, path: '/logs/stats.jsonl' }),
      now: () => nowMs,
    });
    const first = render();
    const full = JSON.parse(first.full);
    expect(rowIdsOf(full.rows).sort()).toEqual([WEB, DB, EVIL, TWIN].sort());
    expect(Object.keys(JSON.parse(first.patch).rows).sort()).toEqual([WEB, DB, EVIL, TWIN].sort());

    // Nothing moved: the patch holds the time only.
    expect(JSON.parse(render().patch)).toEqual({ time: new Date(NOW).toISOString() });

    // One new sample: one row, the totals and the stale count change.
    store.recordSample(TWIN, makeSample(NOW - 100, { cpuPercent: 3 }));
    const patch = JSON.parse(render().patch);
    expect(Object.keys(patch.rows)).toEqual([TWIN]);
    expect(patch.rows[TWIN]).toMatch(new RegExp(`^<tr data-id="${TWIN}"`));
    expect(patch.totals).toMatch(/^<tr class="totals">/);
    expect(patch.status.stale_containers).toBe(1);

    // A container goes away.
    store.remove(DB);
    expect(JSON.parse(render().patch).removed).toEqual([DB]);
    expect(JSON.parse(render().full).rows).not.toContain(DB);

    // Time passes with no sample: rows whose data is stale show its age, so they are re-sent;
    // a row still waiting for its first sample does not change.
    nowMs += 10_000;
    render();
    nowMs += 1_000;
    const later = JSON.parse(render().patch);
    expect(Object.keys(later.rows).sort()).toEqual([WEB, TWIN].sort());
    expect(later.rows[WEB]).toContain('stale 12s');
  });
});
