// A Docker source the sampler tests script by hand (with fake timers): which streams
// are open, what the list holds, when the daemon goes away, and the one-shot reads
// waiting for an answer. The socket-level behaviour is covered by docker-client.test.ts.

import { vi } from 'vitest';
import type { DaemonInfo, StreamCallbacks } from '../../src/docker/client.js';
import type { StreamEnd } from '../../src/docker/transport.js';
import type { ContainerInspectSubset, ContainerListEntry, EngineEvent, StatsRecord } from '../../src/docker/types.js';
import { DockerApiError } from '../../src/errors.js';
import { createLogger } from '../../src/log/logger.js';
import { createSampler, type DockerSource, type KernelChoice, type Sampler, type SamplerOptions } from '../../src/sampler/sampler.js';
import type { Store } from '../../src/sampler/store.js';
import { hexId } from './samples.js';

export interface OpenStream<T> {
  callbacks: StreamCallbacks<T>;
  closed: boolean;
}

export interface PendingRead {
  id: string;
  resolve(record: StatsRecord): void;
  reject(error: unknown): void;
}

function openStream<T>(list: OpenStream<T>[], callbacks: StreamCallbacks<T>): { close(): void } {
  const stream = { callbacks, closed: false };
  list.push(stream);
  return {
    close() {
      if (stream.closed) return;
      stream.closed = true;
      callbacks.onEnd({ kind: 'closed' });
    },
  };
}

/**
 * With oneShot, the source can also read stats once (the fallback past the stream cap);
 * with inspect, it answers inspect (the kernel source needs the PID from it).
 */
export function createScriptedDocker(options: { oneShot?: boolean; inspect?: (id: string) => ContainerInspectSubset } = {}) {
  const listed = new Map<string, ContainerListEntry>();
  const stats = new Map<string, OpenStream<StatsRecord>[]>();
  const events: OpenStream<EngineEvent>[] = [];
  /** Every event emitted, for `since` replay as the daemon does (at or after since). */
  const eventLog: EngineEvent[] = [];
  const eventSinces: Array<number | undefined> = [];
  const pending: PendingRead[] = [];
  const state = { down: null as Error | null, listFailures: 0 };
  const info: DaemonInfo = { apiVersion: '1.41', osType: 'linux', server: 'Docker/test' };
  const readStatsOnce = vi.fn(
    (id: string) =>
      new Promise<StatsRecord>((resolve, reject) => {
        pending.push({ id, resolve, reject });
      }),
  );
  const source: DockerSource = {
    negotiate: vi.fn(async () => {
      if (state.down) throw state.down;
      return info;
    }),
    listContainers: vi.fn(async () => {
      if (state.down) throw state.down;
      if (state.listFailures > 0) {
        state.listFailures -= 1;
        throw new DockerApiError('GET /v1.41/containers/json failed: 500 boom', 500);
      }
      return [...listed.values()];
    }),
    streamStats: vi.fn((id: string, callbacks: StreamCallbacks<StatsRecord>) => {
      const list = stats.get(id) ?? [];
      stats.set(id, list);
      return openStream(list, callbacks);
    }),
    streamEvents: vi.fn((callbacks: StreamCallbacks<EngineEvent>, since?: number) => {
      eventSinces.push(since);
      const handle = openStream(events, callbacks);
      if (since !== undefined) {
        for (const event of eventLog) {
          const seconds = typeof event.timeNano === 'number' ? event.timeNano / 1e9 : (event.time ?? 0);
          if (seconds >= since) callbacks.onRecord(event);
        }
      }
      return handle;
    }),
    ...(options.oneShot === true ? { readStatsOnce } : {}),
    ...(options.inspect === undefined
      ? {}
      : {
          inspectContainer: vi.fn(async (id: string) => {
            if (state.down) throw state.down;
            if (!listed.has(id)) throw new DockerApiError(`GET /v1.41/containers/${id}/json failed: 404 No such container`, 404);
            return (options.inspect as (id: string) => ContainerInspectSubset)(id);
          }),
        }),
  };
  return {
    source,
    state,
    /** One-shot reads waiting for an answer, oldest first. */
    pending,
    run(name: string, seed: string, extra: Partial<ContainerListEntry> = {}): string {
      const id = hexId(seed);
      listed.set(id, { Id: id, Names: [`/${name}`], Image: 'busybox', State: 'running', ...extra });
      return id;
    },
    drop(id: string): void {
      listed.delete(id);
    },
    openStats(id: string): OpenStream<StatsRecord>[] {
      return (stats.get(id) ?? []).filter((stream) => !stream.closed);
    },
    allStatsOpens(id: string): number {
      return stats.get(id)?.length ?? 0;
    },
    /** IDs with a stats stream open now. */
    streamed(): string[] {
      return [...stats].filter(([, list]) => list.some((stream) => !stream.closed)).map(([id]) => id);
    },
    openEvents(): OpenStream<EngineEvent>[] {
      return events.filter((stream) => !stream.closed);
    },
    /** Ends a stream the way the transport would: once, from the daemon's side. */
    end<T>(stream: OpenStream<T> | undefined, end: StreamEnd): void {
      if (!stream || stream.closed) throw new Error('no open stream to end');
      stream.closed = true;
      stream.callbacks.onEnd(end);
    },
    emit(event: EngineEvent): void {
      eventLog.push(event);
      for (const stream of events) if (!stream.closed) stream.callbacks.onRecord(event);
    },
    /** The `since` each events stream was opened with (undefined: none). */
    eventSinces(): Array<number | undefined> {
      return [...eventSinces];
    },
    /** Answers every one-shot read waiting now; returns the IDs answered, in order. */
    answerAll(recordFor: (id: string) => StatsRecord): string[] {
      const answered = pending.splice(0);
      for (const read of answered) read.resolve(recordFor(read.id));
      return answered.map((read) => read.id);
    },
    readsOf(id: string): number {
      return readStatsOnce.mock.calls.filter(([called]) => called === id).length;
    },
  };
}

export type ScriptedDocker = ReturnType<typeof createScriptedDocker>;

/** Timings the sampler suites share; each test overrides what it is about. */
const TEST_SAMPLER_OPTIONS: SamplerOptions = {
  relistIntervalMs: 30_000,
  statsStallMs: 15_000,
  maxStatsStreams: 100,
  reconnectMaxMs: 30_000,
  reconnectBaseMs: 1_000,
  relistDebounceMs: 100,
};

/** A started sampler over the scripted source, logging every line into `logLines`. */
export function startTestSampler(
  deps: { docker: ScriptedDocker; store: Store; logLines: string[]; kernel?: KernelChoice },
  overrides: Partial<SamplerOptions> = {},
): Sampler {
  const sampler = createSampler(
    {
      docker: deps.docker.source,
      store: deps.store,
      logger: createLogger({ level: 'debug', sink: (line) => deps.logLines.push(line) }),
      ...(deps.kernel === undefined ? {} : { kernel: deps.kernel }),
    },
    { ...TEST_SAMPLER_OPTIONS, ...overrides },
  );
  sampler.start();
  return sampler;
}
