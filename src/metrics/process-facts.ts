// The agent's own footprint, for /metrics: what a user watching a monitor for months
// wants to see stay flat. Names follow the Prometheus client libraries (process_*,
// nodejs_*) so existing dashboards and alerts apply.

import { readdirSync } from 'node:fs';

export interface ProcessFacts {
  residentBytes: number;
  /** User + system CPU time since the process started. */
  cpuSeconds: number;
  /** Null where /proc/self/fd cannot be read (not Linux). */
  openFds: number | null;
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** Memory outside V8's heap held by JS objects (Buffers and the like). */
  externalBytes: number;
}

export function readProcessFacts(): ProcessFacts {
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    residentBytes: memory.rss,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    openFds: countOpenFds(),
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
  };
}

function countOpenFds(): number | null {
  try {
    // The listing's own descriptor is counted too, as the client libraries do.
    return readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}
