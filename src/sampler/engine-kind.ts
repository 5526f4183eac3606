// Which engine serves the API: Docker, or Podman's Docker-compatible service. Podman says
// so in every answer's Server header ("Libpod/4.3.1 (linux)", test/fixtures/podman/
// ping.headers.txt), which the link keeps from /_ping (store.docker().server).

import { podmanSwapsNetwork, swapNetworkDirections } from '../docker/podman-stats.js';
import type { StatsRecord } from '../docker/types.js';
import type { CpuClock } from '../stats/sample.js';

export type EngineKind = 'docker' | 'podman';

export function engineKindOf(server: string | null): EngineKind {
  return server !== null && /^libpod\//i.test(server) ? 'podman' : 'docker';
}

/** Podman's system_cpu_usage is not the host's CPU time: its records are read against wall time. */
export function cpuClockOf(server: string | null): CpuClock {
  return engineKindOf(server) === 'podman' ? 'wall' : 'system';
}

/** An Engine API record as the container saw it: Podman before 4.4 swaps rx and tx (docker/podman-stats.ts). */
export function engineRecord(record: StatsRecord, server: string | null): StatsRecord {
  return podmanSwapsNetwork(server) ? swapNetworkDirections(record) : record;
}
