// Podman before 4.4 reports each network interface from the host's side of its veth: the
// API's rx is what the container sent and tx what it received (podman#16618, fixed by
// podman#16628 in 4.4; captured here: test/fixtures/podman/README.md). dockmon reports
// the container's side on every engine and source, as `docker stats` and the kernel's
// /proc/<pid>/net/dev do, so such records are turned round before anything reads them.

import type { NetworkStats, StatsRecord } from './types.js';

/** "Libpod/4.3.1 (linux)" → true when that Podman swaps its network counters. */
export function podmanSwapsNetwork(server: string | null): boolean {
  const match = /^libpod\/(\d+)\.(\d+)/i.exec(server ?? '');
  if (match === null) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major < 4 || (major === 4 && minor < 4);
}

const PAIRS: readonly (readonly [keyof NetworkStats, keyof NetworkStats])[] = [
  ['rx_bytes', 'tx_bytes'],
  ['tx_bytes', 'rx_bytes'],
  ['rx_packets', 'tx_packets'],
  ['tx_packets', 'rx_packets'],
  ['rx_errors', 'tx_errors'],
  ['tx_errors', 'rx_errors'],
  ['rx_dropped', 'tx_dropped'],
  ['tx_dropped', 'rx_dropped'],
];

/** The record with rx and tx exchanged in every interface (a new object; the input is not changed). */
export function swapNetworkDirections(record: StatsRecord): StatsRecord {
  if (record.networks === undefined || record.networks === null || typeof record.networks !== 'object') return record;
  const networks: Record<string, NetworkStats> = {};
  for (const [name, counters] of Object.entries(record.networks)) {
    const swapped: NetworkStats = {};
    for (const [ours, theirs] of PAIRS) {
      const value = counters[theirs];
      if (value !== undefined) swapped[ours] = value;
    }
    networks[name] = swapped;
  }
  return { ...record, networks };
}
