// cAdvisor's container families, from our samples. Names, types, HELP texts and labels
// are cAdvisor's (google/cadvisor metrics/prometheus.go), so dashboards and alert rules
// written for cAdvisor read them unchanged; where a value is defined differently the
// comment says so. Pure: the counter adjuster (monotonic.ts) is passed in.

import type { BlockDeviceCounters, ContainerDetails, ContainerInfo, ContainerSample, InterfaceCounters } from '../stats/types.js';
import type { Exposition, Labels, MetricType } from './exposition.js';

export interface MachineFacts {
  /** Logical CPUs of the host. */
  cpuCores: number;
  /** Host RAM in bytes; the daemon reports this as the limit of an unlimited container. */
  memoryBytes: number;
}

/** One exported value of a family: extra labels beyond id/name/image, and the value. */
interface Point {
  labels: Labels;
  value: number;
}

interface FamilySpec {
  name: string;
  type: MetricType;
  help: string;
  points(sample: ContainerSample, container: ContainerPoint, machine: MachineFacts): readonly Point[];
}

const NS_PER_SECOND = 1e9;
const single = (value: number): readonly Point[] => [{ labels: [], value }];
// cAdvisor exports the CFS families only for containers with a CPU quota; without one
// the kernel counts no periods, which is what we can see.
const ifQuota = (sample: ContainerSample, value: number): readonly Point[] =>
  sample.cpuCfsPeriods > 0 ? single(value) : [];
/** A figure only the kernel source has (null from the Engine API): no series rather than a false 0. */
const ifKnown = (value: number | null): readonly Point[] => (value === null ? [] : single(value));
const US_PER_SECOND = 1e6;
/** cAdvisor writes times as whole seconds (Go's time.Time.Unix()). */
const toUnixSeconds = (epochMs: number): number => Math.floor(epochMs / 1000);

/**
 * A setting read from inspect: no series until the container's inspect has answered
 * (a moment after each start) rather than a default that may be wrong. Unlimited (null)
 * is written as 0, as cAdvisor writes any limit above 2^62 (specMemoryValue).
 */
function fromSpec(container: ContainerPoint, pick: (details: Readonly<ContainerDetails>) => number | null): readonly Point[] {
  return container.details === null ? [] : single(pick(container.details) ?? 0);
}

/**
 * cAdvisor's counters without the `_total` suffix (google/cadvisor metrics/prometheus.go):
 * kept as cAdvisor names and types them, so its dashboards read them; `promtool check
 * metrics` flags them, as it flags cAdvisor's own output.
 */
export const CADVISOR_COUNTERS_WITHOUT_TOTAL: readonly string[] = ['container_memory_failcnt'];

/** cAdvisor's PSI families: `waiting` is PSI's `some`, `stalled` its `full` (microseconds → seconds). */
function pressureFamilies(): FamilySpec[] {
  const resources = [
    ['cpu', 'CPU'],
    ['memory', 'memory'],
    ['io', 'IO'],
  ] as const;
  return resources.flatMap(([resource, word]) => [
    counter(
      `container_pressure_${resource}_stalled_seconds_total`,
      `Total time duration no tasks in the container could make progress due to ${word} congestion.`,
      (s) => {
        const full = s.pressure?.[resource]?.full;
        return full === undefined || full === null ? [] : single(full.totalUs / US_PER_SECOND);
      },
    ),
    counter(
      `container_pressure_${resource}_waiting_seconds_total`,
      `Total time duration tasks in the container have waited due to ${word} congestion.`,
      (s) => {
        const some = s.pressure?.[resource]?.some;
        return some === undefined ? [] : single(some.totalUs / US_PER_SECOND);
      },
    ),
  ]);
}

/** cAdvisor reports 0 for "no limit"; the daemon clamps an unlimited container's limit to host RAM. */
export function specMemoryLimitBytes(limitBytes: number, machine: MachineFacts): number {
  if (limitBytes <= 0) return 0;
  return machine.memoryBytes > 0 && limitBytes >= machine.memoryBytes ? 0 : limitBytes;
}

function perInterface(sample: ContainerSample, pick: (iface: InterfaceCounters) => number): Point[] {
  return sample.networkInterfaces.map((iface) => ({ labels: [['interface', iface.name]], value: pick(iface) }));
}

function perDevice(sample: ContainerSample, pick: (device: BlockDeviceCounters) => number): Point[] {
  return sample.blockDevices.map((device) => ({ labels: [['device', `${device.major}:${device.minor}`]], value: pick(device) }));
}

const NETWORK: readonly [string, string, (iface: InterfaceCounters) => number][] = [
  ['receive_bytes_total', 'Cumulative count of bytes received', (i) => i.rxBytes],
  ['receive_packets_total', 'Cumulative count of packets received', (i) => i.rxPackets],
  ['receive_errors_total', 'Cumulative count of errors encountered while receiving', (i) => i.rxErrors],
  ['receive_packets_dropped_total', 'Cumulative count of packets dropped while receiving', (i) => i.rxDropped],
  ['transmit_bytes_total', 'Cumulative count of bytes transmitted', (i) => i.txBytes],
  ['transmit_packets_total', 'Cumulative count of packets transmitted', (i) => i.txPackets],
  ['transmit_errors_total', 'Cumulative count of errors encountered while transmitting', (i) => i.txErrors],
  ['transmit_packets_dropped_total', 'Cumulative count of packets dropped while transmitting', (i) => i.txDropped],
];

const counter = (name: string, help: string, points: FamilySpec['points']): FamilySpec => ({ name, type: 'counter', help, points });
const gauge = (name: string, help: string, points: FamilySpec['points']): FamilySpec => ({ name, type: 'gauge', help, points });

export const CONTAINER_FAMILIES: readonly FamilySpec[] = [
  // cpu="total" is what cAdvisor writes when per-CPU usage is off (its default).
  counter('container_cpu_usage_seconds_total', 'Cumulative cpu time consumed in seconds.', (s) => [
    { labels: [['cpu', 'total']], value: s.cpuUsageNs / NS_PER_SECOND },
  ]),
  counter('container_cpu_user_seconds_total', 'Cumulative user cpu time consumed in seconds.', (s) =>
    single(s.cpuUserNs / NS_PER_SECOND),
  ),
  counter('container_cpu_system_seconds_total', 'Cumulative system cpu time consumed in seconds.', (s) =>
    single(s.cpuSystemNs / NS_PER_SECOND),
  ),
  counter('container_cpu_cfs_periods_total', 'Number of elapsed enforcement period intervals.', (s) =>
    ifQuota(s, s.cpuCfsPeriods),
  ),
  counter('container_cpu_cfs_throttled_periods_total', 'Number of throttled period intervals.', (s) =>
    ifQuota(s, s.cpuCfsThrottledPeriods),
  ),
  counter('container_cpu_cfs_throttled_seconds_total', 'Total time duration the container has been throttled.', (s) =>
    ifQuota(s, s.cpuCfsThrottledNs / NS_PER_SECOND),
  ),
  gauge(
    'container_memory_usage_bytes',
    'Current memory usage in bytes, including all memory regardless of when it was accessed',
    (s) => single(s.memoryRawUsageBytes),
  ),
  // Usage less inactive file cache: cAdvisor's working set, and `docker stats`' MEM USAGE.
  gauge('container_memory_working_set_bytes', 'Current working set in bytes.', (s) => single(s.memoryUsageBytes)),
  gauge('container_memory_rss', 'Size of RSS in bytes.', (s) => single(s.memoryRssBytes)),
  gauge('container_memory_cache', 'Number of bytes of page cache memory.', (s) => single(s.memoryCacheBytes)),
  // From the stats' limit, live across `docker update` as cAdvisor's read of the cgroup
  // is; the other spec families come from inspect at start.
  gauge('container_spec_memory_limit_bytes', 'Memory limit for the container.', (s, _container, machine) =>
    single(specMemoryLimitBytes(s.memoryLimitBytes, machine)),
  ),
  // cgroup v1's memory.soft_limit_in_bytes and memory.memsw.limit_in_bytes (memory plus
  // swap). On cgroup v2 cAdvisor reads memory.min, which Docker never sets
  // (--memory-reservation goes to memory.low), and memory.swap.max, which is swap alone.
  gauge('container_spec_memory_reservation_limit_bytes', 'Memory reservation limit for the container.', (_s, c) =>
    fromSpec(c, (d) => d.memoryReservationBytes),
  ),
  gauge('container_spec_memory_swap_limit_bytes', 'Memory swap limit for the container.', (_s, c) =>
    fromSpec(c, (d) => d.memorySwapLimitBytes),
  ),
  // cgroup v1's cpu.cfs_period_us, cpu.cfs_quota_us and cpu.shares. On v2 cAdvisor reads
  // cpu.max (the same figures) and cpu.weight, which it maps back onto 2…262144 (2597
  // for the default weight, where we give the kernel's 1024). No quota series without a
  // quota, as cAdvisor.
  gauge('container_spec_cpu_period', 'CPU period of the container.', (_s, c) => fromSpec(c, (d) => d.cpuPeriodUs)),
  gauge('container_spec_cpu_quota', 'CPU quota of the container.', (_s, c) => {
    const quota = c.details?.cpuQuotaUs ?? null;
    return quota === null ? [] : single(quota);
  }),
  gauge('container_spec_cpu_shares', 'CPU share of the container.', (_s, c) => fromSpec(c, (d) => d.cpuShares)),
  gauge('container_memory_swap', 'Container swap usage in bytes.', (s) => ifKnown(s.memorySwapBytes)),
  counter('container_memory_failcnt', 'Number of memory usage hits limits', (s) => ifKnown(s.memoryFailcnt)),
  gauge('container_memory_max_usage_bytes', 'Maximum memory usage recorded in bytes', (s) => ifKnown(s.memoryMaxUsageBytes)),
  // The kernel's own count (memory.oom_control / memory.events oom_kill), which cAdvisor
  // reads from the kernel log; the Engine API has none, so only the kernel source exports it.
  counter('container_oom_events_total', 'Count of out of memory events observed for the container', (s) => ifKnown(s.oomKills)),
  ...NETWORK.map(([suffix, help, pick]) => counter(`container_network_${suffix}`, help, (s) => perInterface(s, pick))),
  // device is major:minor: the Engine API names no device files.
  counter('container_fs_reads_bytes_total', 'Cumulative count of bytes read', (s) => perDevice(s, (d) => d.readBytes)),
  // Operations per device (v1 io_serviced, v2 io.stat rios/wios), as cAdvisor's blkio
  // series. cAdvisor adds one series for the disk holding Docker's storage whose value is
  // that whole disk's /proc/diskstats count, not the container's; we leave it out.
  counter('container_fs_reads_total', 'Cumulative count of reads completed', (s) => perDevice(s, (d) => d.readOps)),
  counter('container_fs_writes_bytes_total', 'Cumulative count of bytes written', (s) => perDevice(s, (d) => d.writeBytes)),
  counter('container_fs_writes_total', 'Cumulative count of writes completed', (s) => perDevice(s, (d) => d.writeOps)),
  // pids_stats.current counts tasks, that is threads, as the pids cgroup does.
  gauge('container_threads', 'Number of threads running inside the container', (s) => single(s.pids)),
  // cAdvisor counts the lines of the cgroup's cgroup.procs: processes, not threads. The
  // Engine API has no such count, so this is pids.current too: equal for single-threaded
  // processes, more for a container running threads (a JVM, a Go program). 0 is a count
  // we did not get (a running container has a process): no series.
  gauge('container_processes', 'Number of processes running inside the container.', (s) => (s.pids > 0 ? single(s.pids) : [])),
  // The scrape's time, as cAdvisor's (its collection time), for a container with a fresh
  // sample (exporter.ts leaves stale ones out).
  gauge('container_last_seen', 'Last time a container was seen by the exporter', (_s, c) => single(toUnixSeconds(c.seenAtMs))),
  ...pressureFamilies(),
  // cAdvisor v0.57 and later (commit 711f2bec, "Fix start/creation time metrics") report
  // the current run's start here (State.StartedAt: it changes on every restart) and
  // Docker's `Created` as container_creation_time_seconds. No start series until inspect
  // has answered: a fallback to Created would read as a restart in changes().
  gauge('container_start_time_seconds', 'Start time of the container since unix epoch in seconds.', (_s, c) => {
    if (c.details === null) return [];
    if (c.details.startedAtMs !== null) return single(toUnixSeconds(c.details.startedAtMs));
    return c.info.createdSeconds > 0 ? single(c.info.createdSeconds) : [];
  }),
  gauge('container_creation_time_seconds', 'Container creation time since unix epoch in seconds.', (_s, c) =>
    c.info.createdSeconds > 0 ? single(c.info.createdSeconds) : [],
  ),
];

export interface ContainerPoint {
  info: Readonly<ContainerInfo>;
  sample: ContainerSample;
  /** What inspect told at the container's start; null until it answers. */
  details: Readonly<ContainerDetails> | null;
  /** When the exporter saw the container with a fresh sample (the scrape), epoch ms. */
  seenAtMs: number;
  /** id, name, image and the allowlisted Docker labels. */
  labels: Labels;
  /** Makes a counter value monotonic; identity in tests that do not care. */
  adjust(seriesKey: string, raw: number): number;
}

/** Declares every container family (HELP and TYPE even with no container) and adds the points. */
export function addContainerFamilies(exposition: Exposition, containers: readonly ContainerPoint[], machine: MachineFacts): void {
  for (const spec of CONTAINER_FAMILIES) {
    const family = exposition.family(spec.name, spec.type, spec.help);
    for (const container of containers) {
      for (const point of spec.points(container.sample, container, machine)) {
        const seriesKey = `${spec.name}${point.labels.map(([name, value]) => `\u0000${name}=${value}`).join('')}`;
        const value = spec.type === 'counter' ? container.adjust(seriesKey, point.value) : point.value;
        family.add([...container.labels, ...point.labels], value);
      }
    }
  }
}

/**
 * A Docker label key as a Prometheus label name, the way cAdvisor spells it: every
 * character outside [a-zA-Z0-9_] becomes `_`, behind the `container_label_` prefix
 * (google/cadvisor metrics/prometheus.go, sanitizeLabelName).
 */
export function containerLabelName(dockerKey: string): string {
  return `container_label_${dockerKey.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/** cAdvisor's `id` for a Docker container on the cgroupfs driver. */
export function cgroupId(containerId: string): string {
  return `/docker/${containerId}`;
}

/**
 * The allowlisted Docker label keys with their Prometheus label names. Keys that
 * sanitise to a name already taken keep only the first, so no series ever carries the
 * same label name twice.
 */
export function labelAllowlist(keys: readonly string[]): readonly (readonly [dockerKey: string, labelName: string])[] {
  const seen = new Set<string>();
  const pairs: (readonly [string, string])[] = [];
  for (const key of keys) {
    const name = containerLabelName(key);
    if (seen.has(name)) continue;
    seen.add(name);
    pairs.push([key, name]);
  }
  return pairs;
}

/** id, name, image, then the allowlisted labels the container has (an empty value is no label). */
export function containerLabels(info: Readonly<ContainerInfo>, allowlist: ReturnType<typeof labelAllowlist>): Labels {
  const labels: [string, string][] = [
    ['id', cgroupId(info.id)],
    ['image', info.image],
    ['name', info.name],
  ];
  for (const [key, name] of allowlist) {
    const value = info.labels[key];
    if (value !== undefined && value !== '') labels.push([name, value]);
  }
  return labels;
}
