// Hand-made domain values for tests that do not go through the stats math.

import { toContainerDetails } from '../../src/stats/container-details.js';
import { createHistoryRing } from '../../src/stats/history-ring.js';
import type { ContainerDetails, ContainerInfo, ContainerSample, HistorySeries } from '../../src/stats/types.js';

export function makeInfo(overrides: Partial<ContainerInfo> & { id: string; name: string }): ContainerInfo {
  return {
    image: 'busybox',
    state: 'running',
    networkMode: 'default',
    createdSeconds: 1_700_000_000,
    labels: {},
    ...overrides,
  };
}

export function makeSample(readMs: number, overrides: Partial<ContainerSample> = {}): ContainerSample {
  return {
    source: 'api',
    readMs,
    readIso: new Date(readMs).toISOString(),
    cpuPercent: 12.5,
    cpuUsageNs: 1e9,
    hostCpuUsageNs: 1e12,
    onlineCpus: 2,
    memoryUsageBytes: 40 * 1024 * 1024,
    memoryRawUsageBytes: 50 * 1024 * 1024,
    memoryLimitBytes: 64 * 1024 * 1024,
    memoryPercent: 62.5,
    networkRxBytes: 2048,
    networkTxBytes: 1024,
    networkRxBytesPerSecond: 100,
    networkTxBytesPerSecond: 50,
    hasNetworks: true,
    blockReadBytes: 4096,
    blockWriteBytes: 8192,
    pids: 3,
    cpuUserNs: 0.75e9,
    cpuSystemNs: 0.25e9,
    cpuCfsPeriods: 0,
    cpuCfsThrottledPeriods: 0,
    cpuCfsThrottledNs: 0,
    memoryRssBytes: 30 * 1024 * 1024,
    memoryCacheBytes: 20 * 1024 * 1024,
    networkInterfaces: [
      { name: 'eth0', rxBytes: 2048, rxPackets: 20, rxErrors: 0, rxDropped: 0, txBytes: 1024, txPackets: 10, txErrors: 0, txDropped: 0 },
    ],
    blockDevices: [{ major: 8, minor: 0, readBytes: 4096, writeBytes: 8192, readOps: 2, writeOps: 4 }],
    blockReadOps: 2,
    blockWriteOps: 4,
    oomKills: null,
    memorySwapBytes: null,
    memoryFailcnt: null,
    memoryMaxUsageBytes: null,
    pressure: null,
    ...overrides,
  };
}

/** Inspect details of a container started without limits, restarts or a health check; a test overrides what it needs. */
export function makeDetails(overrides: Partial<ContainerDetails> = {}): ContainerDetails {
  return { ...toContainerDetails({}), startedAtMs: 1_700_000_000_000, ...overrides };
}

/** A 64-hex id from a short seed, e.g. hexId('ab') = 'abab…'. */
export function hexId(seed: string): string {
  return seed.repeat(64).slice(0, 64);
}

/** A history holding exactly these samples, oldest first, as the store keeps it. */
export function historyOf(samples: readonly ContainerSample[]): HistorySeries {
  const ring = createHistoryRing(Math.max(1, samples.length));
  for (const sample of samples) ring.push(sample);
  return ring;
}
