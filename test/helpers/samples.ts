// Hand-made domain values for tests that do not go through the stats math.

import type { ContainerInfo, ContainerSample } from '../../src/stats/types.js';

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
    ...overrides,
  };
}

/** A 64-hex id from a short seed, e.g. hexId('ab') = 'abab…'. */
export function hexId(seed: string): string {
  return seed.repeat(64).slice(0, 64);
}
