// The Engine API stats streams: one `stats?stream=true` per container, the way `docker
// stats` reads. A stream that fails is reopened with capped backoff without touching the
// others; one that answers 404 means the container is gone; one that fails because the
// daemon itself is gone hands over to the connection loop.

import type { StreamCallbacks } from '../docker/client.js';
import type { StreamEnd, StreamHandle } from '../docker/transport.js';
import type { StatsRecord } from '../docker/types.js';
import { AppError, DockerApiError, DockerUnavailableError, describeError } from '../errors.js';
import { toContainerSample } from '../stats/sample.js';
import { cpuClockOf, engineRecord } from './engine-kind.js';
import { backoffDelayMs } from './backoff.js';
import type { SamplerContext } from './context.js';

export interface ApiStreams {
  open(id: string): void;
  close(id: string): void;
  has(id: string): boolean;
  /** Streams held, open or waiting to reopen. */
  readonly size: number;
  closeAll(): void;
}

export interface ApiStreamHandlers {
  /** 404: the container no longer exists. */
  onGone(id: string): void;
  /** The daemon itself went away. */
  onDaemonDown(error: unknown): void;
  /** Something changed that a re-list should confirm (a clean EOF, a zero-time record). */
  requestRelist(): void;
}

interface Slot {
  handle: StreamHandle | null;
  failures: number;
  retryTimer: NodeJS.Timeout | null;
}

export function createApiStreams(
  context: SamplerContext,
  handlers: ApiStreamHandlers,
  options: { statsStallMs: number; reconnectBaseMs: number; reconnectMaxMs: number },
): ApiStreams {
  const { docker, store } = context;
  const slots = new Map<string, Slot>();

  function countOpen(): number {
    let open = 0;
    for (const slot of slots.values()) if (slot.handle !== null) open += 1;
    return open;
  }

  function connect(id: string, slot: Slot): void {
    slot.retryTimer = null;
    const callbacks: StreamCallbacks<StatsRecord> = {
      onRecord: (record) => onRecord(id, slot, record),
      onBadLine: (error) => {
        store.count('badRecords');
        context.logLimited(`stats:${id}:bad`, 'ignored a malformed stats record', { id, error: error.message });
      },
      onEnd: (end) => onEnd(id, slot, end),
    };
    slot.handle = docker.streamStats(id, callbacks, options.statsStallMs);
    store.setStreamsOpen(countOpen());
  }

  function onRecord(id: string, slot: Slot, record: StatsRecord): void {
    const sample = toContainerSample(engineRecord(record, store.docker().server), store.get(id)?.latest ?? undefined, undefined, { cpuClock: cpuClockOf(store.docker().server) });
    // null: the container is not running (zero-time record). Its die event should
    // remove it; a re-list makes sure even if that event was missed.
    if (sample === null) {
      handlers.requestRelist();
      return;
    }
    slot.failures = 0;
    store.recordSample(id, sample);
  }

  function onEnd(id: string, slot: Slot, end: StreamEnd): void {
    slot.handle = null;
    store.setStreamsOpen(countOpen());
    if (context.stopped() || end.kind === 'closed' || slots.get(id) !== slot) return;
    if (end.kind === 'error' && end.error instanceof DockerApiError && end.error.status === 404) {
      handlers.onGone(id);
      return;
    }
    if (end.kind === 'error' && end.error instanceof DockerUnavailableError) {
      handlers.onDaemonDown(end.error);
      return;
    }
    store.count('statsStreamReconnects');
    const reason = end.kind === 'error' ? end.error : new Error('stream ended');
    context.logLimited(`stats:${id}:end`, 'stats stream ended; reopening', {
      id,
      error: describeError(reason),
      code: reason instanceof AppError ? reason.code : undefined,
    });
    // A clean EOF usually means the container was removed: re-list to find out.
    if (end.kind === 'eof') handlers.requestRelist();
    const delay = backoffDelayMs(slot.failures, options.reconnectBaseMs, options.reconnectMaxMs);
    slot.failures += 1;
    slot.retryTimer = context.later(delay, () => {
      if (slots.get(id) !== slot) return;
      if (!context.stopped() && context.connected() && store.get(id)) connect(id, slot);
      else if (!store.get(id)) slots.delete(id);
    });
  }

  function close(id: string): void {
    const slot = slots.get(id);
    if (!slot) return;
    slots.delete(id);
    if (slot.retryTimer !== null) clearTimeout(slot.retryTimer);
    slot.handle?.close();
    slot.handle = null;
    store.setStreamsOpen(countOpen());
  }

  return {
    open(id) {
      if (slots.has(id)) return;
      const slot: Slot = { handle: null, failures: 0, retryTimer: null };
      slots.set(id, slot);
      connect(id, slot);
    },
    close,
    has: (id) => slots.has(id),
    get size() {
      return slots.size;
    },
    closeAll() {
      for (const id of [...slots.keys()]) close(id);
    },
  };
}
