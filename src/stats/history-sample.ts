// The slim copy of a sample that the history ring keeps (see HistorySample in types.ts
// for why). A fresh object with exactly these fields, so the full sample, with its
// arrays, can be collected once it is no longer the latest.

import type { ContainerSample, HistorySample } from './types.js';

export function toHistorySample(sample: ContainerSample): HistorySample {
  return {
    readMs: sample.readMs,
    readIso: sample.readIso,
    cpuPercent: sample.cpuPercent,
    onlineCpus: sample.onlineCpus,
    memoryUsageBytes: sample.memoryUsageBytes,
    memoryRawUsageBytes: sample.memoryRawUsageBytes,
    memoryLimitBytes: sample.memoryLimitBytes,
    memoryPercent: sample.memoryPercent,
    networkRxBytes: sample.networkRxBytes,
    networkTxBytes: sample.networkTxBytes,
    networkRxBytesPerSecond: sample.networkRxBytesPerSecond,
    networkTxBytesPerSecond: sample.networkTxBytesPerSecond,
    blockReadBytes: sample.blockReadBytes,
    blockWriteBytes: sample.blockWriteBytes,
    pids: sample.pids,
  };
}
