import { describe, expect, it } from 'vitest';
import { hexId, makeInfo, makeSample } from '../../test/helpers/samples.js';
import type { ContainerInfo, ContainerSample } from '../stats/types.js';
import { containerJsonText, toContainerJson, toContainerJsonFragment } from './container-json.js';
import { runningLifecycle } from './lifecycle-json.js';

const READ_MS = Date.parse('2026-11-25T12:00:00.000Z');

const pressure: ContainerSample['pressure'] = {
  cpu: { some: { avg10: 1.5, totalUs: 10 }, full: null },
  memory: { some: { avg10: 0, totalUs: 0 }, full: { avg10: 0.25, totalUs: 0 } },
  io: null,
};

const views: [string, { info: ContainerInfo; latest: ContainerSample | null }][] = [
  ['a container without a sample yet', { info: makeInfo({ id: hexId('a1'), name: 'new' }), latest: null }],
  ['a sample with fractions and nulls', { info: makeInfo({ id: hexId('a2'), name: 'web' }), latest: makeSample(READ_MS, { cpuPercent: 12.345678, oomKills: 2 }) }],
  ['pressure figures', { info: makeInfo({ id: hexId('a3'), name: 'db' }), latest: makeSample(READ_MS, { pressure }) }],
  [
    'a hostile name and image',
    {
      info: makeInfo({ id: hexId('a4'), name: 'x","sample_age_seconds":1,"stale":false,"y\\', image: '"}\u2028é</script>' }),
      latest: makeSample(READ_MS),
    },
  ],
];

describe('a /containers entry kept as text', () => {
  it.each(views)('%s: the same bytes as rendering it afresh, at every moment', (_what, view) => {
    const fragment = toContainerJsonFragment(view);
    // Ages as the clock moves: just read, sub-millisecond, 5 s (still fresh), past stale,
    // and a daemon clock ahead of ours (age 0).
    for (const nowMs of [READ_MS, READ_MS + 0.4, READ_MS + 1, READ_MS + 1234, READ_MS + 5000, READ_MS + 5001, READ_MS + 86_400_000, READ_MS - 700]) {
      expect(containerJsonText(fragment, nowMs)).toBe(JSON.stringify(toContainerJson(view, nowMs)));
    }
  });

  it('keeps the key order with the lifecycle fields of ?all=1 after the entry', () => {
    const view = { info: makeInfo({ id: hexId('a5'), name: 'loop' }), latest: makeSample(READ_MS) };
    const extra = { ...runningLifecycle(null, true) };
    const text = containerJsonText(toContainerJsonFragment(view, extra), READ_MS + 2500);
    expect(text).toBe(JSON.stringify({ ...toContainerJson(view, READ_MS + 2500), ...extra }));
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(parsed).slice(6, 9)).toEqual(['read', 'sample_age_seconds', 'stale']);
    expect(parsed).toMatchObject({ sample_age_seconds: 2.5, stale: false, crash_looping: true });
  });
});
