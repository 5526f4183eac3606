import { afterEach, describe, expect, it, vi } from 'vitest';
import { hexId, makeInfo, makeSample } from '../../test/helpers/samples.js';
import { createStatsLogWriter, type StatsLogWriter } from './stats-log.js';
import { createStore, type Store } from './store.js';

const A = hexId('aa');
const B = hexId('bb');

function setUp(intervalMs = 0): { store: Store; lines: Record<string, unknown>[]; clock: { nowMs: number }; log: StatsLogWriter } {
  const clock = { nowMs: 10_000 };
  const store = createStore({ historySize: 5, now: () => clock.nowMs });
  store.upsert(makeInfo({ id: A, name: 'a' }));
  store.upsert(makeInfo({ id: B, name: 'b' }));
  const lines: Record<string, unknown>[] = [];
  const log = createStatsLogWriter(
    { store, sink: { append: (record) => lines.push(record as Record<string, unknown>) }, now: () => clock.nowMs },
    { intervalMs },
  );
  return { store, lines, clock, log };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the stats log writer', () => {
  it('writes each sample once however often it is served', () => {
    const { store, lines, log } = setUp();
    store.recordSample(A, makeSample(1000));
    store.recordSample(B, makeSample(1000));
    for (let call = 0; call < 50; call += 1) log.served([{ id: A, readMs: 1000 }, { id: B, readMs: 1000 }]);
    expect(lines).toHaveLength(2);
  });

  it('builds the line from the store: the /containers entry with the serving time and without its age', () => {
    const { store, lines, clock, log } = setUp();
    store.recordSample(A, makeSample(1000, { cpuPercent: 7 }));
    clock.nowMs = 1500;
    expect(log.served([{ id: A, readMs: 1000 }])).toBe(1);
    store.recordSample(A, makeSample(2000));
    clock.nowMs = 2500;
    expect(log.served([{ id: A, readMs: 2000 }])).toBe(1);
    expect(log.served([{ id: A, readMs: 2000 }])).toBe(0);
    expect(lines.map((line) => line['time'])).toEqual([new Date(1500).toISOString(), new Date(2500).toISOString()]);
    expect(lines[0]).toMatchObject({ id: A, name: 'a', read: new Date(1000).toISOString(), cpu: 7, stale: false });
    expect(lines[0]).not.toHaveProperty('sample_age_seconds');
    expect(Object.keys(lines[0] ?? {})[0]).toBe('time');
  });

  it('never writes an older sample after a newer one, nor one the store has since replaced', () => {
    const { store, lines, log } = setUp();
    store.recordSample(A, makeSample(3000));
    log.served([{ id: A, readMs: 3000 }]);
    log.served([{ id: A, readMs: 2000 }]);
    store.recordSample(A, makeSample(4000));
    // A shared rendering served 3000 while 4000 arrived: nothing new to write for it.
    expect(log.served([{ id: A, readMs: 3000 }])).toBe(0);
    expect(lines).toHaveLength(1);
    expect(log.served([{ id: A, readMs: 4000 }, { id: hexId('cc'), readMs: 4000 }])).toBe(1);
  });

  it('writes every latest sample not written yet on writeLatest() and stop()', () => {
    const { store, lines, log } = setUp();
    store.recordSample(A, makeSample(1000));
    log.served([{ id: A, readMs: 1000 }]);
    store.recordSample(B, makeSample(1000));
    expect(log.writeLatest()).toBe(1);
    store.recordSample(A, makeSample(2000));
    log.stop();
    expect(lines.map((line) => [line['name'], line['read']])).toEqual([
      ['a', new Date(1000).toISOString()],
      ['b', new Date(1000).toISOString()],
      ['a', new Date(2000).toISOString()],
    ]);
  });

  it('writes every container at least every LOG_INTERVAL with nobody serving, and not at all with 0', () => {
    vi.useFakeTimers();
    const timed = setUp(60_000);
    timed.store.recordSample(A, makeSample(1000));
    timed.log.start();
    vi.advanceTimersByTime(59_999);
    expect(timed.lines).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(timed.lines).toHaveLength(1);
    timed.store.recordSample(A, makeSample(2000));
    vi.advanceTimersByTime(60_000);
    expect(timed.lines).toHaveLength(2);
    timed.log.stop();
    vi.advanceTimersByTime(120_000);
    expect(timed.lines).toHaveLength(2);

    const off = setUp(0);
    off.store.recordSample(A, makeSample(1000));
    off.log.start();
    vi.advanceTimersByTime(600_000);
    expect(off.lines).toHaveLength(0);
  });

  it('forgets containers that are gone, and writes them again if they return', () => {
    const { store, lines, log } = setUp();
    const ids = Array.from({ length: 100 }, (_, index) => hexId(`c${String(index).padStart(3, '0')}`));
    for (const id of ids) {
      store.upsert(makeInfo({ id, name: `c${id.slice(0, 4)}` }));
      store.recordSample(id, makeSample(1000));
    }
    log.writeLatest();
    for (const id of ids) store.remove(id);
    store.recordSample(A, makeSample(1000));
    log.writeLatest();
    const first = ids[0] ?? '';
    store.upsert(makeInfo({ id: first, name: 'back' }));
    store.recordSample(first, makeSample(1000));
    log.writeLatest();
    expect(lines).toHaveLength(102);
  });
});
