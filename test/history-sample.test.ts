// The history ring keeps a slim copy of each sample: what its views read and no more,
// so 300 samples per container stay affordable at hundreds of containers.

import { describe, expect, it } from 'vitest';
import { createStore } from '../src/sampler/store.js';
import { makeInfo, makeSample } from './helpers/samples.js';
import { toHistorySample } from '../src/stats/history-sample.js';

describe('the history keeps slim samples', () => {
  it('copies exactly the fields the history views read, values unchanged', () => {
    const sample = makeSample(1_700_000_000_123, { cpuPercent: null, networkRxBytesPerSecond: 12.5 });
    expect(toHistorySample(sample)).toEqual({
      readMs: sample.readMs,
      readIso: sample.readIso,
      cpuPercent: null,
      onlineCpus: 2,
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
      pids: sample.pids,
    });
  });

  it('stores the slim copy in the history and the full sample as the latest', () => {
    const id = 'ab'.repeat(32);
    const store = createStore({ historySize: 3, now: () => 0 });
    store.upsert(makeInfo({ id, name: 'web' }));
    const sample = makeSample(1_000);
    store.recordSample(id, sample);
    expect(store.get(id)?.latest).toBe(sample);
    const [kept] = store.history(id);
    expect(kept).toEqual(toHistorySample(sample));
    // The per-interface and per-device arrays are what made a full sample three times heavier.
    expect(kept).not.toHaveProperty('networkInterfaces');
    expect(kept).not.toHaveProperty('blockDevices');
  });
});
