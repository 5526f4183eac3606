// GET /metrics: the store's latest samples as cAdvisor's families, the host's root cgroup
// (id="/"), the machine, and dockmon's own health. Built from memory and a few kernel
// files on each scrape; it never waits on Docker. The only state is the per-container
// counter offsets (monotonic.ts).

import type { Alert } from '../alerts/types.js';
import type { StoreReader } from '../sampler/store.js';
import type { RootCgroupSample } from '../stats/host-sample.js';
import {
  addContainerFamilies,
  cgroupId,
  containerLabels,
  labelAllowlist,
  type ContainerPoint,
  type MachineFacts,
} from './container-families.js';
import { createExposition, type Exposition } from './exposition.js';
import { addFsUsageFamilies, type FsUsageSource } from './fs-usage-family.js';
import { createMonotonicCounters } from './monotonic.js';
import type { ProcessFacts } from './process-facts.js';
import { addRootCgroupSeries } from './root-families.js';

/**
 * A container whose last stats record arrived longer ago than this is left out: while
 * Docker is unreachable or its stream is stuck, Prometheus then shows a gap instead of
 * flat counters (and `dockmon_docker_up` says why). A healthy stream sends every second.
 */
export const STALE_SERIES_AFTER_MS = 60_000;

/**
 * How long counter offsets of a container that is gone are kept. A restart takes the
 * container out of the store between `die` and `start`, and Docker's restart policy
 * backs off up to a minute; ten minutes covers that with room, and a removed
 * container's state goes after it.
 */
export const COUNTER_STATE_RETENTION_MS = 10 * 60_000;

export interface MetricsSource {
  store: Pick<StoreReader, 'list' | 'docker' | 'counters'>;
  /** The stats log's health (JsonlFile.status()); the line counts may be absent. */
  logStatus(): { ok: boolean; linesWritten?: number; linesDropped?: number };
  machine: MachineFacts;
  /** Docker label keys exported as container_label_* (METRICS_LABELS). */
  labelKeys: readonly string[];
  version: string;
  /** process.version, for the build info. */
  runtimeVersion: string;
  startedAtMs: number;
  /** Wall clock, epoch ms. */
  now(): number;
  /** A monotonic clock in ms (performance.now), for the render duration. */
  elapsedMs(): number;
  /** The agent's own memory, CPU and descriptors (readProcessFacts). */
  processFacts(): ProcessFacts;
  /** The built-in alerts that fire now (dockmon_alert_firing); absent: the family is left out. */
  firingAlerts?(): readonly Alert[];
  /** The host's figures, exported as cAdvisor's root cgroup (id="/"); absent or null: left out. */
  rootCgroup?(): RootCgroupSample | null;
  /** Writable-layer sizes (FS_USAGE_INTERVAL); absent: container_fs_usage_bytes is left out. */
  fsUsage?: FsUsageSource;
}

export interface MetricsExporter {
  /** The whole exposition, Prometheus text format 0.0.4. */
  render(): string;
}

export function createMetricsExporter(source: MetricsSource): MetricsExporter {
  const allowlist = labelAllowlist(source.labelKeys);
  const monotonic = createMonotonicCounters({ retentionMs: COUNTER_STATE_RETENTION_MS, now: source.now });

  function containerPoints(nowMs: number): ContainerPoint[] {
    const points: ContainerPoint[] = [];
    const seen = new Set<string>();
    for (const view of source.store.list()) {
      const sample = view.latest;
      if (sample === null || view.receivedAtMs === null || nowMs - view.receivedAtMs > STALE_SERIES_AFTER_MS) continue;
      seen.add(view.info.id);
      points.push({
        info: view.info,
        sample,
        details: view.details,
        seenAtMs: nowMs,
        labels: containerLabels(view.info, allowlist),
        adjust: monotonic.container(view.info.id, sample.cpuUsageNs),
      });
    }
    monotonic.sweep(seen);
    return points;
  }

  return {
    render() {
      const startedMs = source.elapsedMs();
      const nowMs = source.now();
      const exposition = createExposition();
      const points = containerPoints(nowMs);
      addContainerFamilies(exposition, points, source.machine);
      const root = source.rootCgroup?.() ?? null;
      if (root !== null) addRootCgroupSeries(exposition, root, nowMs);
      if (source.fsUsage !== undefined) {
        addFsUsageFamilies(exposition, points.map((point) => ({ id: point.info.id, labels: point.labels })), source.fsUsage);
      }
      addMachineFamilies(exposition, source.machine);
      addAgentFamilies(exposition, source, points.length, (source.elapsedMs() - startedMs) / 1000);
      if (source.firingAlerts !== undefined) addAlertFamilies(exposition, source.firingAlerts());
      addProcessFamilies(exposition, source.processFacts());
      return exposition.render();
    },
  };
}

function addMachineFamilies(exposition: Exposition, machine: MachineFacts): void {
  exposition.family('machine_cpu_cores', 'gauge', 'Number of logical CPU cores.').add([], machine.cpuCores);
  exposition.family('machine_memory_bytes', 'gauge', 'Amount of memory installed on the machine.').add([], machine.memoryBytes);
}

function addAgentFamilies(exposition: Exposition, source: MetricsSource, exported: number, renderSeconds: number): void {
  const gauge = (name: string, help: string, value: number): void => exposition.family(name, 'gauge', help).add([], value);
  const counter = (name: string, help: string, value: number): void => exposition.family(name, 'counter', help).add([], value);
  const counters = source.store.counters();
  const log = source.logStatus();

  exposition
    .family('dockmon_build_info', 'gauge', 'Always 1; the labels name the dockmon version and the Node.js runtime.')
    .add([['version', source.version], ['nodejs', source.runtimeVersion]], 1);
  gauge('dockmon_start_time_seconds', 'When this dockmon process started, seconds since the epoch.', source.startedAtMs / 1000);
  gauge(
    'dockmon_scrape_duration_seconds',
    'Time spent building the container families of this answer from memory.',
    Math.max(0, renderSeconds),
  );
  gauge('dockmon_docker_up', '1 while the Docker Engine API answers, else 0.', source.store.docker().state === 'connected' ? 1 : 0);
  gauge('dockmon_containers', 'Containers known to the agent (running or paused).', source.store.list().length);
  gauge('dockmon_containers_exported', 'Containers with a fresh sample in this answer.', exported);
  gauge('dockmon_stats_streams_open', 'Stats streams currently open to Docker.', counters.statsStreamsOpen);
  counter('dockmon_stats_stream_reconnects_total', 'Stats streams that ended and were reopened.', counters.statsStreamReconnects);
  counter('dockmon_event_stream_reconnects_total', 'Times the Docker event stream was lost and reopened.', counters.eventStreamReconnects);
  counter('dockmon_relists_total', 'Completed re-reads of the container list.', counters.relists);
  counter('dockmon_stats_bad_records_total', 'Stats records that could not be parsed and were skipped.', counters.badRecords);
  const bySource = exposition.family('dockmon_containers_by_source', 'gauge', 'Containers by where their numbers come from: the kernel (cgroup) or the Engine API (api).');
  const sourceCounts = { cgroup: 0, api: 0 };
  for (const view of source.store.list()) if (view.source !== null) sourceCounts[view.source] += 1;
  bySource.add([['source', 'cgroup']], sourceCounts.cgroup);
  bySource.add([['source', 'api']], sourceCounts.api);
  const fallbacks = exposition.family(
    'dockmon_kernel_fallbacks_total',
    'counter',
    'Containers moved from the kernel to the Engine API because a kernel file did not parse, or could not be read.',
  );
  fallbacks.add([['reason', 'parse']], counters.kernelParseErrors);
  fallbacks.add([['reason', 'read']], counters.kernelReadErrors);
  gauge('dockmon_log_writable', '1 while the stats log is being written, 0 while writes fail.', log.ok ? 1 : 0);
  counter('dockmon_log_lines_written_total', 'Lines written to the stats log.', log.linesWritten ?? 0);
  counter('dockmon_log_lines_dropped_total', 'Stats log lines lost (memory cap reached while the disk failed, and the like).', log.linesDropped ?? 0);
}

function addAlertFamilies(exposition: Exposition, firing: readonly Alert[]): void {
  exposition.family('dockmon_alerts_firing', 'gauge', 'Built-in alerts firing now (see /alerts).').add([], firing.length);
  const family = exposition.family(
    'dockmon_alert_firing',
    'gauge',
    '1 for each built-in alert that fires now: alert is the rule, name and id the container (empty for docker_unreachable).',
  );
  for (const alert of firing) {
    family.add([['alert', alert.rule], ['name', alert.containerName ?? ''], ['id', alert.containerId === null ? '' : cgroupId(alert.containerId)]], 1);
  }
}

function addProcessFamilies(exposition: Exposition, facts: ProcessFacts): void {
  const gauge = (name: string, help: string, value: number): void => exposition.family(name, 'gauge', help).add([], value);
  exposition.family('process_cpu_seconds_total', 'counter', 'User and system CPU time spent by the agent, in seconds.').add([], facts.cpuSeconds);
  gauge('process_resident_memory_bytes', 'Resident memory of the agent (RSS), in bytes.', facts.residentBytes);
  if (facts.openFds !== null) gauge('process_open_fds', 'Open file descriptors of the agent.', facts.openFds);
  gauge('nodejs_heap_size_used_bytes', 'V8 heap in use by the agent, in bytes.', facts.heapUsedBytes);
  gauge('nodejs_heap_size_total_bytes', 'V8 heap reserved by the agent, in bytes.', facts.heapTotalBytes);
  gauge('nodejs_external_memory_bytes', 'Memory held outside the V8 heap by JS objects (Buffers), in bytes.', facts.externalBytes);
}
