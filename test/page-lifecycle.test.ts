// The page's lifecycle parts over an in-memory store, stopped list, timeline and alerts:
// the alerts banner and marked rows on `/`, "show stopped" (?stopped=1) on /, /table and
// /live, stopped containers with a firing alert kept in view, and /detail for running,
// stopped and removed containers. No Docker involved.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../src/alerts/types.js';
import type { LifecycleReader } from '../src/http/lifecycle-routes.js';
import { createLiveUpdates, type LiveUpdates } from '../src/http/live-updates.js';
import { createSnapshotRenderer } from '../src/http/live-snapshot.js';
import { createRequestHandler } from '../src/http/server.js';
import { createStoppedRegistry, type StoppedRegistry } from '../src/lifecycle/stopped.js';
import { createTimeline, type Timeline } from '../src/lifecycle/timeline.js';
import { createLogger } from '../src/log/logger.js';
import { createStore, type Store } from '../src/sampler/store.js';
import { testAppDeps, testLifecycle } from './helpers/app-deps.js';
import { listen } from './helpers/listen.js';
import { hexId, makeInfo, makeSample } from './helpers/samples.js';

const NOW = Date.parse('2026-11-25T12:00:00.000Z');
const WEB = hexId('b1');
const JOB = hexId('b2');
const OLD = hexId('b3');
const GONE = hexId('b4');

let store: Store;
let stopped: StoppedRegistry;
let timeline: Timeline;
let firing: Alert[];
let lifecycle: LifecycleReader;
let live: LiveUpdates;
let baseUrl: string;
let close: () => Promise<void>;

function alert(rule: Alert['rule'], containerId: string, containerName: string, summary: string, sinceMs: number): Alert {
  return { rule, key: `${rule}:${containerId}`, containerId, containerName, state: 'firing', sinceMs, resolvedAtMs: null, summary, value: null, threshold: null };
}

beforeEach(async () => {
  store = createStore({ historySize: 10, now: () => NOW });
  store.setDocker({ state: 'connected', message: null, hint: null, apiVersion: '1.41', server: 'Docker/test' });
  store.upsert(makeInfo({ id: WEB, name: 'web' }));
  store.recordSample(WEB, makeSample(NOW - 500));
  stopped = createStoppedRegistry();
  // job exited 2 minutes ago with code 3 (its `exited` alert fires); old exited a day ago, quietly.
  stopped.upsert(makeInfo({ id: JOB, name: 'job', state: 'exited' }), { exitCode: 3, oomKilled: false, finishedAtMs: NOW - 120_000, restartCount: 0 });
  stopped.upsert(makeInfo({ id: OLD, name: 'old', state: 'exited' }), { exitCode: 137, oomKilled: true, finishedAtMs: NOW - 86_400_000, restartCount: 0 });
  timeline = createTimeline({ now: () => NOW });
  const event = { name: 'job', containerId: JOB, exitCode: null, signal: null, health: null, deliberate: null };
  timeline.record({ ...event, timeMs: NOW - 125_000, action: 'start' });
  timeline.record({ ...event, timeMs: NOW - 120_000, action: 'die', exitCode: 3, deliberate: false });
  timeline.record({ ...event, containerId: GONE, name: 'gone', timeMs: NOW - 60_000, action: 'destroy' });
  firing = [
    alert('exited', JOB, 'job', 'job exited with code 3', NOW - 120_000),
    alert('crash_loop', WEB, 'web', 'web is crash-looping: 3 restarts in 10m', NOW - 30_000),
  ];
  lifecycle = testLifecycle({ stopped, timeline, firing: () => firing });
  const statsLog = { served: () => 0 };
  const logStatus = (): { ok: boolean; error: string | null; path: string } => ({ ok: true, error: null, path: '/logs/stats.jsonl' });
  live = createLiveUpdates({
    render: createSnapshotRenderer({ store, statsLog, logStatus, now: () => NOW, lifecycle }),
    tickMs: 20,
    heartbeatMs: 1_000,
    retryMs: 2_000,
    maxViewers: 2,
    maxBacklogBytes: 1024 * 1024,
    logger: createLogger({ level: 'error', sink: () => undefined }),
  });
  ({ baseUrl, close } = await listen(createRequestHandler(testAppDeps({ store, now: () => NOW }, { statsLog, live, logStatus, lifecycle }))));
});

afterEach(async () => {
  live.close();
  await close();
});

async function get(path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(baseUrl + path);
  return { status: response.status, text: await response.text() };
}

function rowIdsOf(html: string): string[] {
  return [...html.matchAll(/<tr data-id="([0-9a-f]{64})"/g)].map((match) => match[1] ?? '');
}

/** The first `snapshot` of /live<query>, parsed. */
async function firstSnapshot(query: string): Promise<{ rows: string; alerts: string[] }> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/live${query}`, { signal: controller.signal });
  const reader = response.body!.getReader();
  let text = '';
  while (!/event: snapshot\ndata: .*\n\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString('utf8');
  }
  controller.abort();
  return JSON.parse(/event: snapshot\ndata: (.*)\n/.exec(text)?.[1] ?? '{}');
}

describe('the alerts on the page', () => {
  it('shows the banner with the count and summaries, and marks the rows', async () => {
    const { text } = await get('/');
    expect(text).toContain('<div id="alerts" class="banner alerts" role="alert"><p>2 alerts firing: job exited with code 3 · web is crash-looping: 3 restarts in 10m</p></div>');
    expect(text).toMatch(new RegExp(`<tr data-id="${WEB}" class="alerting"[^>]*>.*>crash-looping</span>`));
  });

  it('keeps a container that exited in the last hour with an alert firing in view, greyed, without "show stopped"', async () => {
    for (const path of ['/', '/table']) {
      const { text } = await get(path);
      // `/` sorts by name; /table lists the running containers, then the stopped ones.
      expect(rowIdsOf(text)).toEqual(path === '/' ? [JOB, WEB] : [WEB, JOB]);
      expect(text).toMatch(new RegExp(`<tr data-id="${JOB}" class="stopped alerting"[^>]*>.*exited 2m ago, code 3</td></tr>`));
      expect(text).not.toContain(OLD);
    }
    // An hour and more later it goes (unless "show stopped" is on).
    stopped.upsert(makeInfo({ id: JOB, name: 'job', state: 'exited' }), { finishedAtMs: NOW - 61 * 60_000 });
    expect(rowIdsOf((await get('/table')).text)).toEqual([WEB]);
  });
});

describe('"show stopped"', () => {
  it('adds every stopped container to /, /table and /live, and is rendered checked', async () => {
    const page = await get('/?stopped=1');
    expect(page.text).toContain('<input type="checkbox" id="show-stopped" checked>');
    expect((await get('/')).text).toContain('<input type="checkbox" id="show-stopped">');
    for (const html of [page.text, (await get('/table?stopped=1')).text, (await firstSnapshot('?stopped=1')).rows]) {
      expect(rowIdsOf(html).sort()).toEqual([WEB, JOB, OLD].sort());
      expect(html).toMatch(new RegExp(`<tr data-id="${OLD}" class="stopped"[^>]*>.*exited 1d 0h ago, code 137, OOM killed</td></tr>`));
    }
    const plain = await firstSnapshot('');
    expect(rowIdsOf(plain.rows).sort()).toEqual([WEB, JOB].sort());
    expect(plain.alerts).toEqual(['job exited with code 3', 'web is crash-looping: 3 restarts in 10m']);
  });

  it.each(['/?stopped=yes', '/table?stopped=2', '/live?stopped=on', '/?stopped=1&stopped=0'])('%s answers 400', async (path) => {
    const { status, text } = await get(path);
    expect(status).toBe(400);
    expect(JSON.parse(text).error.code).toBe('BAD_REQUEST');
  });
});

describe('/detail beyond the running containers', () => {
  it('shows a stopped container: how it ended, its Lifecycle newest first, its firing alert', async () => {
    const { status, text } = await get('/detail?id=job');
    expect(status).toBe(200);
    expect(text).toContain(`data-id="${JOB}"`);
    expect(text).toContain('<dt>State</dt><dd>exited 2m ago, code 3</dd>');
    expect(text).toContain('<h3>Lifecycle <small>(2 events)</small></h3>');
    expect(text.indexOf('die</span> exit code 3')).toBeLessThan(text.indexOf('start</span>'));
    expect(text).toContain('job exited with code 3');
  });

  it('shows a removed container from its timeline, and a running one with its Lifecycle section', async () => {
    expect((await get(`/detail?id=${GONE.slice(0, 8)}`)).text).toContain('<dt>State</dt><dd>removed 1m ago</dd>');
    const web = await get('/detail?id=web');
    expect(web.text.match(/<svg class="chart"/g)).toHaveLength(4);
    expect(web.text).toContain('<section class="lifecycle">');
    expect(web.text).toContain('web is crash-looping');
  });

  it('answers 404 for a container it never saw', async () => {
    const { status, text } = await get('/detail?id=nope');
    expect(status).toBe(404);
    expect(JSON.parse(text).error.message).toContain('running, stopped, or removed in the last hour');
  });
});
