// The in-memory store every HTTP handler reads. The sampler is its only writer.
// Reads never wait on Docker: they see the latest sample of each container, its
// bounded history, and the daemon's reachability, with the time of each.

import type { ContainerInfo, ContainerSample, ContainerState } from '../stats/types.js';
import { createRingBuffer, type RingBuffer } from './ring-buffer.js';

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
}

export interface ContainerView {
  readonly info: Readonly<ContainerInfo>;
  readonly latest: ContainerSample | null;
  /** Agent clock (epoch ms) when the latest record arrived; null before the first. */
  readonly receivedAtMs: number | null;
}

export interface SamplerCounters {
  statsStreamsOpen: number;
  statsStreamReconnects: number;
  eventStreamReconnects: number;
  relists: number;
  badRecords: number;
}

/** What HTTP handlers may see: read-only. */
export interface StoreReader {
  /** Containers sorted by name. */
  list(): readonly ContainerView[];
  get(id: string): ContainerView | undefined;
  /** Oldest first. */
  history(id: string): readonly ContainerSample[];
  docker(): Readonly<DockerStatus>;
  counters(): Readonly<SamplerCounters>;
}

export interface Store extends StoreReader {
  upsert(info: ContainerInfo): void;
  remove(id: string): void;
  rename(id: string, name: string): void;
  setState(id: string, state: ContainerState): void;
  recordSample(id: string, sample: ContainerSample): void;
  setDocker(status: Omit<DockerStatus, 'sinceMs'>): void;
  count(counter: Exclude<keyof SamplerCounters, 'statsStreamsOpen'>): void;
  setStreamsOpen(open: number): void;
  ids(): string[];
}

interface Entry {
  info: ContainerInfo;
  latest: ContainerSample | null;
  receivedAtMs: number | null;
  history: RingBuffer<ContainerSample>;
}

export function createStore(options: { historySize: number; now: () => number }): Store {
  const entries = new Map<string, Entry>();
  let sorted: ContainerView[] | null = null;
  let docker: DockerStatus = {
    state: 'connecting',
    message: null,
    hint: null,
    sinceMs: options.now(),
    apiVersion: null,
    server: null,
  };
  const counters: SamplerCounters = {
    statsStreamsOpen: 0,
    statsStreamReconnects: 0,
    eventStreamReconnects: 0,
    relists: 0,
    badRecords: 0,
  };

  const invalidate = (): void => {
    sorted = null;
  };

  return {
    list() {
      sorted ??= [...entries.values()].sort(
        (a, b) => a.info.name.localeCompare(b.info.name) || a.info.id.localeCompare(b.info.id),
      );
      return sorted;
    },
    get: (id) => entries.get(id),
    history: (id) => entries.get(id)?.history.toArray() ?? [],
    docker: () => docker,
    counters: () => counters,
    ids: () => [...entries.keys()],

    upsert(info) {
      const existing = entries.get(info.id);
      if (existing) existing.info = info;
      else entries.set(info.id, { info, latest: null, receivedAtMs: null, history: createRingBuffer(options.historySize) });
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
      entry.history.push(sample);
    },
    setDocker(status) {
      const changed = status.state !== docker.state || status.message !== docker.message;
      docker = { ...status, sinceMs: changed ? options.now() : docker.sinceMs };
    },
    count(counter) {
      counters[counter] += 1;
    },
    setStreamsOpen(open) {
      counters.statsStreamsOpen = open;
    },
  };
}
