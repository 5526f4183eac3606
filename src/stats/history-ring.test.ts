// The history keeps, per container, the numbers its views read and no more, in a
// fixed-capacity ring, so 300 samples per container stay affordable at hundreds of
// containers.

import { describe, expect, it } from 'vitest';
import { makeInfo, makeSample } from '../../test/helpers/samples.js';
import { createStore } from '../sampler/store.js';
import { createHistoryRing, HISTORY_FIELDS } from './history-ring.js';

describe('the history ring', () => {
  it('gives back exactly the fields the history views read, values and nulls unchanged', () => {
    const ring = createHistoryRing(5);
    const sample = makeSample(1_700_000_000_123, { cpuPercent: null, networkRxBytesPerSecond: 12.5, pids: 7, source: 'cgroup' });
    ring.push(sample);
    ring.push(makeSample(1_700_000_001_123));
    expect(ring.toSamples().slice(0, 1)).toEqual([
      {
        source: 'cgroup',
        readMs: sample.readMs,
        readIso: sample.readIso,
        cpuPercent: null,
        cpuUsageNs: sample.cpuUsageNs,
        onlineCpus: sample.onlineCpus,
        memoryUsageBytes: sample.memoryUsageBytes,
        memoryRawUsageBytes: sample.memoryRawUsageBytes,
        memoryLimitBytes: sample.memoryLimitBytes,
        memoryPercent: sample.memoryPercent,
        networkRxBytes: sample.networkRxBytes,
        networkTxBytes: sample.networkTxBytes,
        networkRxBytesPerSecond: 12.5,
        networkTxBytesPerSecond: sample.networkTxBytesPerSecond,
        blockReadBytes: sample.blockReadBytes,
        blockWriteBytes: sample.blockWriteBytes,
        pids: 7,
      },
    ]);
    expect(ring.sourceAt(0)).toBe('cgroup');
    expect(ring.sourceAt(1)).toBe('api');
    expect(ring.valueAt('cpuPercent', 0)).toBeNull();
    expect(ring.valueAt('networkRxBytesPerSecond', 0)).toBe(12.5);
    for (const field of HISTORY_FIELDS) expect(ring.valueAt(field, 0)).toBe(ring.toSamples()[0]?.[field]);
  });

  it("gives Docker's time string back exactly, whatever its form", () => {
    const times = [
      '2026-11-25T12:00:00.123456789Z',
      '2026-11-25T12:00:01.5Z',
      '2026-11-25T12:00:02Z',
      '2026-11-25T12:00:03.000000001Z',
      // Not what Go prints for UTC: kept as they came.
      '2026-11-25T13:00:04.25+01:00',
      '2026-11-25T12:00:05.100Z',
      '0001-01-01T00:00:00Z',
    ];
    const ring = createHistoryRing(times.length);
    for (const readIso of times) ring.push(makeSample(Date.parse(readIso), { readIso }));
    expect(ring.toSamples().map((sample) => sample.readIso)).toEqual(times);
  });

  it('keeps large counters exactly (they pass 2^32 and need all 53 bits)', () => {
    const ring = createHistoryRing(2);
    ring.push(makeSample(1_000, { networkRxBytes: 2 ** 52 + 1, memoryLimitBytes: 25_264_730_112 }));
    expect(ring.valueAt('networkRxBytes', 0)).toBe(2 ** 52 + 1);
    expect(ring.toSamples()[0]?.memoryLimitBytes).toBe(25_264_730_112);
  });

  it('grows as it fills and, once full, drops the oldest sample for each new one', () => {
    const ring = createHistoryRing(40);
    for (let i = 0; i < 100; i += 1) ring.push(makeSample(1_000 * i, { pids: i }));
    expect(ring.length).toBe(40);
    const samples = ring.toSamples();
    expect(samples.map((s) => s.pids)).toEqual(Array.from({ length: 40 }, (_, i) => 60 + i));
    expect(samples.map((s) => s.readIso)).toEqual(Array.from({ length: 40 }, (_, i) => makeSample(1_000 * (60 + i)).readIso));
    expect(ring.valueAt('readMs', 0)).toBe(60_000);
    expect(ring.valueAt('readMs', 39)).toBe(99_000);
  });

  it('reads in order while still filling, across its growth steps', () => {
    const ring = createHistoryRing(300);
    for (let i = 0; i < 37; i += 1) ring.push(makeSample(i, { pids: i }));
    expect(ring.length).toBe(37);
    expect(Array.from({ length: 37 }, (_, i) => ring.valueAt('pids', i))).toEqual(Array.from({ length: 37 }, (_, i) => i));
  });

  it('refuses an index it does not hold and a capacity below one', () => {
    const ring = createHistoryRing(3);
    ring.push(makeSample(1));
    expect(() => ring.valueAt('pids', 1)).toThrow(RangeError);
    expect(() => ring.valueAt('pids', -1)).toThrow(RangeError);
    expect(() => createHistoryRing(0)).toThrow(RangeError);
  });
});

describe('the store', () => {
  it('keeps the full sample as the latest and the history as numbers without the per-interface arrays', () => {
    const id = 'ab'.repeat(32);
    const store = createStore({ historySize: 3, now: () => 0 });
    store.upsert(makeInfo({ id, name: 'web' }));
    const sample = makeSample(1_000);
    store.recordSample(id, sample);
    expect(store.get(id)?.latest).toBe(sample);
    const [kept] = store.history(id);
    expect(kept).not.toHaveProperty('networkInterfaces');
    expect(kept).not.toHaveProperty('blockDevices');
    expect(kept?.memoryUsageBytes).toBe(sample.memoryUsageBytes);
    expect(store.series(id).length).toBe(1);
    expect(store.series('cd'.repeat(32)).length).toBe(0);
    expect(store.history('cd'.repeat(32))).toEqual([]);
  });
});
