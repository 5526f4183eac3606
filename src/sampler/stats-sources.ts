// Where each container's numbers come from: the one seam between the sampler and its
// three stats sources.
// - the kernel: the container's cgroup files and /proc/<pid>/net/dev, read once a second
//   by one reader for every container, at no cost to the daemon;
// - an Engine API stats stream, where the kernel cannot be read (no mounts, another
//   machine's daemon, a file that does not parse), up to MAX_STATS_STREAMS;
// - Engine API one-shot reads in rotation, past that cap.
// STATS_SOURCE=api skips the kernel; `cgroup` is `auto` that says loudly (log, /healthz,
// page) why any container is not read from the kernel.
//
// The kernel needs the container's PID, which only inspect gives: a new container waits
// for its inspect (milliseconds) before it is sampled. The Engine API stays the source
// of the container list, events and inspect.

import type { KernelLoss, KernelReader, KernelReaderHandlers } from '../kernel/kernel-reader.js';
import { toContainerSample } from '../stats/sample.js';
import type { ApiStreams } from './api-streams.js';
import type { SamplerContext } from './context.js';
import type { OneShotPoller } from './one-shot-poller.js';

export type StatsSourceMode = 'auto' | 'cgroup' | 'api';

export type KernelChoice =
  | { mode: 'api' }
  /** The kernel cannot be used at all (HOST_CGROUP missing, say): every container goes to the API. */
  | { mode: 'auto' | 'cgroup'; unavailable: string }
  | { mode: 'auto' | 'cgroup'; create(handlers: KernelReaderHandlers): KernelReader; describe: string };

export interface StatsSources {
  /** A running container the list shows: make sure something samples it. */
  ensure(id: string): void;
  /** Inspect answered: the PID the kernel source needs (null: not running). */
  onInspected(id: string, pid: number | null): void;
  /** Inspect failed: the kernel cannot be used for it until a later inspect answers. */
  onInspectFailed(id: string, reason: string): void;
  /** The container is gone: stop sampling it. */
  drop(id: string): void;
  /** The daemon went away: its streams and reads stop; the kernel goes on reading. */
  daemonDown(): void;
  start(): void;
  stop(): void;
}

type Current = 'cgroup' | 'api-stream' | 'api-one-shot' | 'waiting';

interface State {
  current: Current;
  pid: number | null;
  /** Why this container is not read from the kernel; null while it is. */
  reason: string | null;
  /** The kernel failed for this PID (not a stop): not tried again until the PID changes. */
  kernelRefused: boolean;
  /**
   * The process was not there when the kernel was tried (a restart in progress, missed
   * events): the API reads it meanwhile, and a later re-list inspects it again, a few times.
   */
  transientFailures: number;
}

/** Re-inspections of a container whose process was missing, before it stays on the API. */
const MAX_TRANSIENT_RETRIES = 3;

export function createStatsSources(
  context: SamplerContext,
  parts: {
    kernel: KernelChoice;
    streams: ApiStreams;
    polled: OneShotPoller | null;
    maxStatsStreams: number;
    /** Queues an inspect (no-op when one is queued or unavailable); false when inspect is not possible. */
    inspect(id: string): boolean;
    requestRelist(): void;
  },
): StatsSources {
  const { store, logger } = context;
  const { kernel, streams, polled } = parts;
  const states = new Map<string, State>();
  const loud = kernel.mode === 'cgroup';
  let streamCapWarned = false;
  let reader: KernelReader | null = null;
  const globalReason =
    kernel.mode === 'api' ? 'STATS_SOURCE=api' : 'unavailable' in kernel ? kernel.unavailable : null;

  if ('create' in kernel) {
    reader = kernel.create({
      onReading(id, reading) {
        const sample = toContainerSample(reading.record, store.get(id)?.latest ?? undefined, reading.extras);
        if (sample !== null) store.recordSample(id, sample);
      },
      onLost: onKernelLost,
      onPassEnd: (stats) => store.setKernelReader({ ...stats }),
    });
  }

  function say(id: string, reason: string): void {
    const name = store.get(id)?.info.name;
    if (loud) {
      context.logLimited(`source:${reason}`, 'a container is read from the Engine API, not the kernel (STATS_SOURCE=cgroup)', { id, name, reason });
    } else {
      logger.debug('a container is read from the Engine API', { id, name, reason });
    }
  }

  function publish(id: string, state: State): void {
    store.setStatsSource(id, state.current === 'cgroup' ? 'cgroup' : state.current === 'waiting' ? null : 'api', state.reason);
  }

  function toApi(id: string, state: State, reason: string): void {
    if (state.reason !== reason) say(id, reason);
    state.reason = reason;
    if (state.current === 'api-stream' || state.current === 'api-one-shot') {
      publish(id, state);
      return;
    }
    if (state.current === 'cgroup') reader?.detach(id);
    if (streams.size < parts.maxStatsStreams) {
      streams.open(id);
      state.current = 'api-stream';
    } else if (polled !== null) {
      if (!streamCapWarned) {
        streamCapWarned = true;
        logger.warn('stats stream cap reached: containers past it are read one-shot in rotation, less often', {
          maxStatsStreams: parts.maxStatsStreams,
        });
      }
      polled.add(id);
      state.current = 'api-one-shot';
    } else {
      if (!streamCapWarned) {
        streamCapWarned = true;
        logger.warn('stats stream cap reached: some containers are not sampled', { maxStatsStreams: parts.maxStatsStreams });
      }
      state.current = 'waiting';
    }
    publish(id, state);
  }

  function leaveApi(id: string, state: State): void {
    if (state.current === 'api-stream') streams.close(id);
    if (state.current === 'api-one-shot') polled?.remove(id);
  }

  function tryKernel(id: string, state: State): void {
    const info = store.get(id)?.info;
    if (reader === null || state.pid === null || info === undefined) return;
    const result = reader.attach({ id, pid: state.pid, networkMode: info.networkMode });
    if (result.ok) {
      leaveApi(id, state);
      state.current = 'cgroup';
      state.reason = null;
      state.transientFailures = 0;
      publish(id, state);
      return;
    }
    // A process that is not there: HOST_PROC is not the host's /proc, or this one is
    // between two runs (a restart) or just exited (its die event follows). The API reads
    // it meanwhile; re-lists try again a few times. Any other failure is final for this PID.
    if (result.gone) state.transientFailures += 1;
    else state.kernelRefused = true;
    toApi(id, state, result.reason);
  }

  function onKernelLost(id: string, loss: KernelLoss): void {
    const state = states.get(id);
    if (state === undefined) return;
    if (loss.kind === 'gone') {
      // Stopped, or restarted with a new PID and cgroup: the die event or a re-list
      // settles which; a re-inspect gives the new PID if it still runs.
      states.delete(id);
      store.setStatsSource(id, null, null);
      parts.requestRelist();
      return;
    }
    state.kernelRefused = true;
    store.count(loss.parse ? 'kernelParseErrors' : 'kernelReadErrors');
    toApi(id, state, loss.reason);
  }

  return {
    ensure(id) {
      let state = states.get(id);
      if (state === undefined) {
        state = { current: 'waiting', pid: null, reason: null, kernelRefused: false, transientFailures: 0 };
        states.set(id, state);
      }
      if (state.current === 'api-one-shot' && streams.size < parts.maxStatsStreams) {
        // A stream is free again (another container went): this one leaves the rotation.
        polled?.remove(id);
        state.current = 'waiting';
        toApi(id, state, state.reason ?? 'read from the Engine API');
        return;
      }
      if (state.current !== 'waiting') {
        const retry = state.current !== 'cgroup' && !state.kernelRefused && state.transientFailures > 0;
        if (retry && state.transientFailures <= MAX_TRANSIENT_RETRIES) parts.inspect(id);
        return;
      }
      if (globalReason !== null) {
        toApi(id, state, globalReason);
        return;
      }
      if (state.pid !== null && !state.kernelRefused) {
        tryKernel(id, state);
        return;
      }
      if (state.kernelRefused) {
        toApi(id, state, state.reason ?? 'the kernel files could not be read');
        return;
      }
      if (!parts.inspect(id)) toApi(id, state, 'no inspect: the PID the kernel source needs is unknown');
    },
    onInspected(id, pid) {
      const state = states.get(id);
      if (state === undefined || reader === null) return;
      if (pid !== state.pid) {
        state.pid = pid;
        state.kernelRefused = false;
      }
      if (pid === null || pid <= 0) {
        if (state.current === 'waiting') {
          state.transientFailures += 1;
          toApi(id, state, 'inspect gave no PID (the container is not running)');
        }
        return;
      }
      if (state.current !== 'cgroup' && !state.kernelRefused) tryKernel(id, state);
    },
    onInspectFailed(id, reason) {
      const state = states.get(id);
      if (state?.current === 'waiting') toApi(id, state, `inspect failed: ${reason}`);
    },
    drop(id) {
      const state = states.get(id);
      states.delete(id);
      if (state === undefined) return;
      if (state.current === 'cgroup') reader?.detach(id);
      leaveApi(id, state);
    },
    daemonDown() {
      streams.closeAll();
      polled?.clear();
      for (const state of states.values()) {
        if (state.current === 'api-stream' || state.current === 'api-one-shot') state.current = 'waiting';
      }
    },
    start() {
      reader?.start();
      if (reader !== null && 'describe' in kernel) logger.info('reading container stats from the kernel', { mode: kernel.mode, cgroups: kernel.describe });
      else if (kernel.mode !== 'api' && globalReason !== null) {
        (loud ? logger.warn : logger.info).call(logger, 'container stats come from the Engine API: the kernel cannot be read', { reason: globalReason });
      }
      store.setKernelStatus({ mode: kernel.mode, reason: globalReason });
    },
    stop() {
      reader?.stop();
      states.clear();
    },
  };
}
