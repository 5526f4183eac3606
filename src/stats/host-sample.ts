// The host as one container: the root cgroup's figures, which cAdvisor exports with
// id="/" (the kernel reader fills it, /metrics exports it). Counters since boot.

import type { InterfaceCounters } from './types.js';

export interface RootCgroupSample {
  /** When the files were read, epoch ms. */
  readMs: number;
  /** CPU time of every task on the host, user + system, ns. */
  cpuUsageNs: number;
  cpuUserNs: number;
  cpuSystemNs: number;
  /** Anonymous memory plus page cache (v1 memory.usage_in_bytes; v2 anon + file). */
  memoryUsageBytes: number;
  /** Usage less inactive file cache. */
  memoryWorkingSetBytes: number;
  memoryRssBytes: number;
  memoryCacheBytes: number;
  /** Swap in use; null where the kernel does not account it (v1 without swap accounting). */
  memorySwapBytes: number | null;
  /** MemTotal: what cAdvisor gives as the root's memory limit. */
  memoryTotalBytes: number;
  /** The host's interfaces, sorted by name, without loopback and container-side devices. */
  networkInterfaces: readonly InterfaceCounters[];
}
