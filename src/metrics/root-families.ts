// The host's own series, as cAdvisor exports its root cgroup: a container with id="/"
// and no name or image. cAdvisor writes `image=""` and `name=""` there (every series
// carries every base label, google/cadvisor lib/metrics/prometheus.go
// collectContainersInfo); Prometheus stores an empty label as no label, so leaving them
// out is the same series. Names, types and HELP texts come from CONTAINER_FAMILIES: one
// family, containers and host together, as in cAdvisor.
//
// Exported: what dashboards read for the host (Grafana 893's id="/" panels). Not exported:
// what cAdvisor gives the root from elsewhere (the host's file systems, disk I/O by device
// name, threads) and the container families the root cgroup has no file for.

import type { RootCgroupSample } from '../stats/host-sample.js';
import type { InterfaceCounters } from '../stats/types.js';
import { CONTAINER_FAMILIES } from './container-families.js';
import type { Exposition, Labels } from './exposition.js';

/** cAdvisor's id of the root cgroup. */
export const ROOT_CGROUP_ID = '/';

interface RootPoint {
  labels: Labels;
  value: number;
}

const NS_PER_SECOND = 1e9;
const single = (value: number): readonly RootPoint[] => [{ labels: [], value }];

function perInterface(sample: RootCgroupSample, pick: (iface: InterfaceCounters) => number): RootPoint[] {
  return sample.networkInterfaces.map((iface) => ({ labels: [['interface', iface.name]], value: pick(iface) }));
}

const NETWORK: readonly (readonly [string, (iface: InterfaceCounters) => number])[] = [
  ['receive_bytes_total', (i) => i.rxBytes],
  ['receive_packets_total', (i) => i.rxPackets],
  ['receive_errors_total', (i) => i.rxErrors],
  ['receive_packets_dropped_total', (i) => i.rxDropped],
  ['transmit_bytes_total', (i) => i.txBytes],
  ['transmit_packets_total', (i) => i.txPackets],
  ['transmit_errors_total', (i) => i.txErrors],
  ['transmit_packets_dropped_total', (i) => i.txDropped],
];

/** Family name → the root's points in it (`seenAtMs`: the scrape's time). */
export const ROOT_SERIES: readonly (readonly [family: string, points: (sample: RootCgroupSample, seenAtMs: number) => readonly RootPoint[]])[] = [
  // cpu="total" as for containers: cAdvisor's default without per-CPU usage.
  ['container_cpu_usage_seconds_total', (s) => [{ labels: [['cpu', 'total']], value: s.cpuUsageNs / NS_PER_SECOND }]],
  ['container_cpu_user_seconds_total', (s) => single(s.cpuUserNs / NS_PER_SECOND)],
  ['container_cpu_system_seconds_total', (s) => single(s.cpuSystemNs / NS_PER_SECOND)],
  ['container_memory_usage_bytes', (s) => single(s.memoryUsageBytes)],
  ['container_memory_working_set_bytes', (s) => single(s.memoryWorkingSetBytes)],
  ['container_memory_rss', (s) => single(s.memoryRssBytes)],
  ['container_memory_cache', (s) => single(s.memoryCacheBytes)],
  ['container_memory_swap', (s) => (s.memorySwapBytes === null ? [] : single(s.memorySwapBytes))],
  // cAdvisor gives the root the machine's memory as its limit (raw/handler.go GetSpec),
  // where an unlimited container gets 0.
  ['container_spec_memory_limit_bytes', (s) => single(s.memoryTotalBytes)],
  ...NETWORK.map(([suffix, pick]) => [`container_network_${suffix}`, (s: RootCgroupSample) => perInterface(s, pick)] as const),
  // The scrape's time in whole seconds, as for containers and in cAdvisor.
  ['container_last_seen', (_s, seenAtMs) => single(Math.floor(seenAtMs / 1000))],
];

/** Adds the root's series to the container families (declaring any not declared yet). */
export function addRootCgroupSeries(exposition: Exposition, sample: RootCgroupSample, seenAtMs: number): void {
  for (const [name, points] of ROOT_SERIES) {
    const spec = CONTAINER_FAMILIES.find((candidate) => candidate.name === name);
    // A test checks every name; a family renamed later leaves the root out of it, not the scrape.
    if (spec === undefined) continue;
    const family = exposition.family(spec.name, spec.type, spec.help);
    for (const point of points(sample, seenAtMs)) family.add([['id', ROOT_CGROUP_ID], ...point.labels], point.value);
  }
}
