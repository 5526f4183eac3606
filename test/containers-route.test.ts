// GET /containers answered from entries kept as text per sample (http/container-json-cache.ts):
// every answer is byte for byte what rendering every entry afresh at that moment gives,
// with each `sample_age_seconds` exact to the millisecond of the request, as the clock
// moves and as samples, names, states, inspect details and alerts change. ?id= and ?all=1
// included. No Docker involved; the clock is the test's.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../src/alerts/types.js';
import { createContainerJsonCache } from '../src/http/container-json-cache.js';
import { createRequestHandler } from '../src/http/server.js';
import { createStoppedRegistry, type StoppedRegistry } from '../src/lifecycle/stopped.js';
import { createTimeline } from '../src/lifecycle/timeline.js';
import { createStore, type Store } from '../src/sampler/store.js';
import { toContainerJson } from '../src/views/container-json.js';
import { runningLifecycle, toStoppedJson } from '../src/views/lifecycle-json.js';
import { testAppDeps, testLifecycle } from './helpers/app-deps.js';
import { listen } from './helpers/listen.js';
import { hexId, makeDetails, makeInfo, makeSample } from './helpers/samples.js';

const START = Date.parse('2026-11-25T12:00:00.000Z');
const WEB = hexId('c1');
const DB = hexId('c2');
const NEW = hexId('c3');
const JOB = hexId('c4');


let clock: { nowMs: number };
let store: Store;
let stopped: StoppedRegistry;
let firing: Alert[];
let baseUrl: string;
let close: () => Promise<void>;

beforeEach(async () => {
  clock = { nowMs: START };
  store = createStore({ historySize: 10, now: () => clock.nowMs });
  store.setDocker({ state: 'connected', message: null, hint: null, apiVersion: '1.41', server: 'Docker/test' });
  store.upsert(makeInfo({ id: WEB, name: 'web' }));
  // Not ASCII: that answer is encoded as UTF-8, the others byte for byte.
  store.upsert(makeInfo({ id: DB, name: 'db', image: 'registry.example/café:1' }));
  store.upsert(makeInfo({ id: NEW, name: 'new' }));
  store.recordSample(WEB, makeSample(START - 1000, { cpuPercent: 12.5 }));
  store.recordSample(DB, makeSample(START - 300, { cpuPercent: 0.125 }));
  stopped = createStoppedRegistry();
  stopped.upsert(makeInfo({ id: JOB, name: 'job', state: 'exited' }), { exitCode: 3, oomKilled: false, finishedAtMs: START - 5000, restartCount: 0 });
  firing = [];
  const lifecycle = testLifecycle({ stopped, timeline: createTimeline({ now: () => clock.nowMs }), firing: () => firing });
  ({ baseUrl, close } = await listen(createRequestHandler(testAppDeps({ store, now: () => clock.nowMs }, { lifecycle }))));
});

afterEach(async () => {
  await close();
});

async function body(query = ''): Promise<string> {
  const response = await fetch(`${baseUrl}/containers${query}`);
  expect(response.status).toBe(200);
  return response.text();
}

const looping = (id: string): boolean => firing.some((alert) => alert.containerId === id && alert.rule === 'crash_loop');

/** /containers rendered from scratch at the clock's time, as it was before entries were kept. */
function fresh(options: { id?: string; all?: boolean } = {}): string {
  const nowMs = clock.nowMs;
  const entries: [string, unknown][] = store
    .list()
    .map((view) => [view.info.id, options.all ? { ...toContainerJson(view, nowMs), ...runningLifecycle(view.details, looping(view.info.id)) } : toContainerJson(view, nowMs)]);
  if (options.all) {
    for (const entry of stopped.list()) {
      if (store.get(entry.info.id) === undefined) entries.push([entry.info.id, toStoppedJson(entry, looping(entry.info.id))]);
    }
  }
  const selected = options.id === undefined ? entries : entries.filter(([id]) => id === options.id);
  return `${JSON.stringify(Object.fromEntries(selected))}\n`;
}

describe('/containers from entries kept per sample', () => {
  it('answers the bytes a fresh rendering gives, with every age exact at each request', async () => {
    expect(await body()).toBe(fresh());
    // The same samples, later: only the ages and staleness move, to the millisecond.
    for (const stepMs of [1, 250, 999, 3_700, 1]) {
      clock.nowMs += stepMs;
      const text = await body();
      expect(text).toBe(fresh());
      const parsed = JSON.parse(text) as Record<string, { sample_age_seconds: number | null; stale: boolean }>;
      expect(parsed[WEB]?.sample_age_seconds).toBe((clock.nowMs - (START - 1000)) / 1000);
      expect(parsed[DB]?.sample_age_seconds).toBe((clock.nowMs - (START - 300)) / 1000);
      expect(parsed[NEW]?.sample_age_seconds).toBeNull();
    }
    expect(JSON.parse(await body())[WEB].stale).toBe(true);
  });

  it('renders an entry afresh when its sample, name or state changes, and the others stay as they were', async () => {
    await body();
    store.recordSample(NEW, makeSample(clock.nowMs - 20, { cpuPercent: 99.5 }));
    expect(await body()).toBe(fresh());
    store.rename(WEB, 'web-renamed');
    clock.nowMs += 17;
    expect(await body()).toBe(fresh());
    store.setState(DB, 'paused');
    expect(await body()).toBe(fresh());
    store.remove(NEW);
    expect(await body()).toBe(fresh());
    store.remove(DB);
    clock.nowMs += 1;
    expect(await body()).toBe(fresh());
    expect(JSON.parse(await body())[WEB]).toMatchObject({ name: 'web-renamed', sample_age_seconds: 1.018 });
  });

  it('answers ?id= with that one entry, exact at its moment', async () => {
    await body();
    clock.nowMs += 42;
    expect(await body('?id=db')).toBe(fresh({ id: DB }));
    expect(await body(`?id=${WEB.slice(0, 6)}`)).toBe(fresh({ id: WEB }));
  });

  it('answers ?all=1 with the lifecycle fields, following inspect details and crash-loop alerts', async () => {
    expect(await body('?all=1')).toBe(fresh({ all: true }));
    store.setDetails(WEB, makeDetails({ startedAtMs: START - 60_000, restartCount: 1 }));
    clock.nowMs += 333;
    expect(await body('?all=1')).toBe(fresh({ all: true }));
    expect(JSON.parse(await body('?all=1'))[WEB]).toMatchObject({ restart_count: 1, crash_looping: false });
    firing = [
      { rule: 'crash_loop', key: `crash_loop:${WEB}`, containerId: WEB, containerName: 'web', state: 'firing', sinceMs: clock.nowMs, resolvedAtMs: null, summary: 'web is crash-looping', value: null, threshold: null },
    ];
    expect(await body('?all=1')).toBe(fresh({ all: true }));
    expect(JSON.parse(await body('?all=1'))[WEB]).toMatchObject({ crash_looping: true });
    expect(await body(`?all=1&id=job`)).toBe(fresh({ all: true, id: JOB }));
    // The plain answer is kept apart from ?all=1's.
    expect(await body()).toBe(fresh());
  });
});

describe('the kept entries', () => {
  it('are rendered once per sample, and again for a new one', () => {
    const cache = createContainerJsonCache();
    const view = store.get(WEB);
    if (view === undefined) throw new Error('no web');
    const first = cache.entry(view, null);
    expect(cache.entry(view, null)).toBe(first);
    expect(cache.entry(view, false)).not.toBe(first);
    store.recordSample(WEB, makeSample(START));
    expect(cache.entry(view, null)).not.toBe(first);
  });

  it('give requests of the same millisecond over the same entries the same answer, and no other', () => {
    const cache = createContainerJsonCache();
    const entries = store.list().map((view) => cache.entry(view, null));
    const body = cache.body(entries, START);
    expect(body.toString()).toBe(fresh());
    expect(cache.body([...entries], START)).toBe(body);
    clock.nowMs = START + 1;
    const later = cache.body(entries, clock.nowMs);
    expect(later).not.toBe(body);
    expect(later.toString()).toBe(fresh());
    expect(cache.body(entries.slice(1), clock.nowMs)).not.toBe(later);
  });
});
