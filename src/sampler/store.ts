// The in-memory store every HTTP handler reads. The sampler is its only writer.
// Reads never wait on Docker: they see the latest sample of each container, its
// bounded history, and the daemon's reachability, with the time of each.

import type { KernelReaderStats } from '../kernel/kernel-reader.js';
import { createHistoryRing, type HistoryRing } from '../stats/history-ring.js';
import { compareText } from '../stats/text-order.js';
import type {
  ContainerDetails,
  ContainerHealth,
  ContainerInfo,
  ContainerSample,
  ContainerState,
  HistorySample,
  HistorySeries,
  StatsSource,
} from '../stats/types.js';

export type DockerState = 'connecting' | 'connected' | 'unavailable';

export interface DockerStatus {
  state: DockerState;
  /** What is wrong, when not connected. */
  message: string | null;
  /** How to fix it. */
  hint: string | null;
  /** Agent clock (epoch ms) of the last state change. */
  sinceMs: number;
  apiVersion: string | null;
  server: string | null;
  /**
   * Whether the daemon has answered since the agent started: until it has, no container
   * data exists, and answers must say "Docker unreachable", not "nothing runs".
   */
  everConnected: boolean;
}

export interface ContainerView {
  readonly info: Readonly<ContainerInfo>;
  readonly latest: ContainerSample | null;
  /** Agent clock (epoch ms) when the latest record arrived; null before the first. */
  readonly receivedAtMs: number | null;
  /** From inspect, read once per start; null until it has answered. */
  readonly details: ContainerDetails | null;
  /** What samples it now: the kernel or the Engine API; null while that is being decided. */
  readonly source: StatsSource | null;
  /** Why it is not read from the kernel; null when it is (or the kernel is not in use). */
  readonly sourceReason: string | null;
}

/** The kernel stats source as a whole, for /healthz and the page. */
export interface KernelStatus {
  mode: 'auto' | 'cgroup' | 'api';
  /** Why no container can be read from the kernel; null when it can be. */
  reason: string | null;
  /** The reader's own figures, from its last pass; null when it does not run. */
  reader: Readonly<KernelReaderStats> | null;
}

export interface SamplerCounters {
  statsStreamsOpen: number;
  statsStreamReconnects: number;
  eventStreamReconnects: number;
  relists: number;
  badRecords: number;
  /** Containers moved from the kernel to the API because a file did not parse, or could not be read. */
  kernelParseErrors: number;
  kernelReadErrors: number;
}

/** What HTTP handlers may see: read-only. */
export interface StoreReader {
  /** Containers sorted by name. */
  list(): readonly ContainerView[];
  get(id: string): ContainerView | undefined;
  /** Oldest first, as objects (copied: for one container's detail, JSON or CSV). */
  history(id: string): readonly HistorySample[];
  /** The same history read in place (the table's sparklines); empty for an unknown ID. */
  series(id: string): HistorySeries;
  docker(): Readonly<DockerStatus>;
  counters(): Readonly<SamplerCounters>;
  /** `oom` events seen for this container ID since the agent started. */
  oomKills(id: string): number;
  kernel(): Readonly<KernelStatus>;
}

export interface Store extends StoreReader {
  upsert(info: ContainerInfo): void;
  remove(id: string): void;
  rename(id: string, name: string): void;
  setState(id: string, state: ContainerState): void;
  recordSample(id: string, sample: ContainerSample): void;
  setDetails(id: string, details: ContainerDetails): void;
  setHealth(id: string, health: ContainerHealth): void;
  countOomKill(id: string): void;
  setDocker(status: Omit<DockerStatus, 'sinceMs' | 'everConnected'>): void;
  count(counter: Exclude<keyof SamplerCounters, 'statsStreamsOpen'>): void;
  setStreamsOpen(open: number): void;
  setStatsSource(id: string, source: StatsSource | null, reason: string | null): void;
  setKernelStatus(status: Omit<KernelStatus, 'reader'>): void;
  setKernelReader(reader: KernelStatus['reader']): void;
  ids(): string[];
}

interface Entry {
  info: ContainerInfo;
  latest: ContainerSample | null;
  receivedAtMs: number | null;
  history: HistoryRing;
  details: ContainerDetails | null;
  source: StatsSource | null;
  sourceReason: string | null;
}

/** What series() answers for an ID the store does not know. */
const EMPTY_HISTORY: HistorySeries = Object.freeze({
  length: 0,
  valueAt: (_field: unknown, index: number): never => {
    throw new RangeError(`no sample ${index} in an empty history`);
  },
  sourceAt: (index: number): never => {
    throw new RangeError(`no sample ${index} in an empty history`);
  },
  toSamples: (): HistorySample[] => [],
});

/** OOM counts outlive the entry (a die event removes it before a restart): bound them. */
const MAX_OOM_COUNTS = 10_000;

export function createStore(options: { historySize: number; now: () => number }): Store {
  const entries = new Map<string, Entry>();
  const oomCounts = new Map<string, number>();
  let sorted: ContainerView[] | null = null;
  let docker: DockerStatus = {
    state: 'connecting',
    message: null,
    hint: null,
    sinceMs: options.now(),
    apiVersion: null,
    server: null,
    everConnected: false,
  };
  const counters: SamplerCounters = {
    statsStreamsOpen: 0,
    statsStreamReconnects: 0,
    eventStreamReconnects: 0,
    relists: 0,
    badRecords: 0,
    kernelParseErrors: 0,
    kernelReadErrors: 0,
  };
  let kernel: KernelStatus = { mode: 'api', reason: null, reader: null };

  const invalidate = (): void => {
    sorted = null;
  };

  return {
    list() {
      sorted ??= [...entries.values()].sort(
        (a, b) => compareText(a.info.name, b.info.name) || compareText(a.info.id, b.info.id),
      );
      return sorted;
    },
    get: (id) => entries.get(id),
    history: (id) => entries.get(id)?.history.toSamples() ?? [],
    series: (id) => entries.get(id)?.history ?? EMPTY_HISTORY,
    docker: () => docker,
    counters: () => counters,
    ids: () => [...entries.keys()],
    oomKills: (id) => oomCounts.get(id) ?? 0,
    kernel: () => kernel,

    upsert(info) {
      const existing = entries.get(info.id);
      if (existing) existing.info = info;
      else {
        const history = createHistoryRing(options.historySize);
        entries.set(info.id, { info, latest: null, receivedAtMs: null, history, details: null, source: null, sourceReason: null });
      }
      invalidate();
    },
    remove(id) {
      if (entries.delete(id)) invalidate();
    },
    rename(id, name) {
      const entry = entries.get(id);
      if (!entry) return;
      entry.info = { ...entry.info, name };
      invalidate();
    },
    setState(id, state) {
      const entry = entries.get(id);
      if (entry) entry.info = { ...entry.info, state };
    },
    recordSample(id, sample) {
      const entry = entries.get(id);
      if (!entry) return;
      entry.latest = sample;
      entry.receivedAtMs = options.now();
      // The history keeps the numbers its views plot; the full sample's arrays go with it
      // once it is no longer the latest.
      entry.history.push(sample);
    },
    setDetails(id, details) {
      const entry = entries.get(id);
      if (entry) entry.details = { ...details, oomKillsSeen: oomCounts.get(id) ?? 0 };
    },
    setHealth(id, health) {
      const entry = entries.get(id);
      if (entry?.details) entry.details = { ...entry.details, health };
    },
    countOomKill(id) {
      if (oomCounts.size >= MAX_OOM_COUNTS && !oomCounts.has(id)) {
        for (const known of oomCounts.keys()) if (!entries.has(known)) oomCounts.delete(known);
      }
      const count = (oomCounts.get(id) ?? 0) + 1;
      oomCounts.set(id, count);
      const entry = entries.get(id);
      if (entry?.details) entry.details = { ...entry.details, oomKillsSeen: count };
    },
    setDocker(status) {
      const changed = status.state !== docker.state || status.message !== docker.message;
      docker = {
        ...status,
        sinceMs: changed ? options.now() : docker.sinceMs,
        everConnected: docker.everConnected || status.state === 'connected',
      };
    },
    count(counter) {
      counters[counter] += 1;
    },
    setStreamsOpen(open) {
      counters.statsStreamsOpen = open;
    },
    setStatsSource(id, source, reason) {
      const entry = entries.get(id);
      if (entry === undefined) return;
      entry.source = source;
      entry.sourceReason = reason;
    },
    setKernelStatus(status) {
      kernel = { ...status, reader: kernel.reader };
    },
    setKernelReader(reader) {
      kernel = { ...kernel, reader };
    },
  };
}
