// Samples the containers past the stats-stream cap (SPEC: "a cap on streams and
// round-robin one-shot reads for the rest, every row carrying its age"). Each read is
// one plain request, so a few sockets serve any number of containers; the price is
// age: a polled row is refreshed once per turn of the rotation, not every second.
//
// On Docker 25+ a one-shot read returns at once. On Docker 20.10-24 it still waits for
// the daemon's next collector tick (up to about 1 s, docker-api-notes §2.1-2.2), so the
// reads in flight, not their speed, set the pace: `concurrency` rows per tick.

import type { DockerClient } from '../docker/client.js';
import { AppError, DockerApiError, describeError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { createRateLimiter } from '../rate-limiter.js';
import { toContainerSample } from '../stats/sample.js';
import { cpuClockOf, engineRecord } from './engine-kind.js';
import type { Store } from './store.js';
import { createWorkQueue } from './work-queue.js';

export type OneShotSource = Pick<DockerClient, 'readStatsOnce'>;

export interface OneShotPollerOptions {
  /** Reads in flight at once. */
  concurrency: number;
  /** A container is read at most this often, so a short rotation does not spin. */
  minIntervalMs: number;
}

export interface OneShotPoller {
  /** Puts `id` in the rotation (no-op when it is there). */
  add(id: string): void;
  /** Takes `id` out; an answer still on its way is dropped. */
  remove(id: string): void;
  has(id: string): boolean;
  readonly size: number;
  /**
   * Empties the rotation; answers still on their way are dropped. Reads cannot be
   * aborted one by one: the transport's destroy() ends them at shutdown.
   */
  clear(): void;
}

export interface OneShotHandlers {
  /** 404: the container is gone. */
  onGone(id: string): void;
  /** A zero-time record: the container is not running (its die event, or a re-list, settles it). */
  onNotRunning(id: string): void;
}

const ERROR_LOG_INTERVAL_MS = 60_000;
/** The transport needs this many sockets for one-shot reads on top of its own. */
export const DEFAULT_ONE_SHOT_CONCURRENCY = 32;

export function createOneShotPoller(
  deps: { docker: OneShotSource; store: Store; handlers: OneShotHandlers; logger: Logger; now?: () => number },
  options: OneShotPollerOptions,
): OneShotPoller {
  const { docker, store, handlers, logger } = deps;
  const now = deps.now ?? Date.now;
  const mayLog = createRateLimiter(ERROR_LOG_INTERVAL_MS, now);
  const lastStartedMs = new Map<string, number>();

  function read(id: string, isCurrent: () => boolean): Promise<void> {
    lastStartedMs.set(id, now());
    return docker.readStatsOnce(id).then(
      (record) => {
        if (!isCurrent()) return;
        // A one-shot record's precpu is empty: CPU is measured from our own previous sample.
        const sample = toContainerSample(engineRecord(record, store.docker().server), store.get(id)?.latest ?? undefined, undefined, { cpuClock: cpuClockOf(store.docker().server) });
        if (sample === null) handlers.onNotRunning(id);
        else store.recordSample(id, sample);
      },
      (error: unknown) => {
        if (!isCurrent()) return;
        if (error instanceof DockerApiError && error.status === 404) {
          handlers.onGone(id);
          return;
        }
        const decision = mayLog('one-shot');
        if (!decision.allowed) return;
        logger.warn('a one-shot stats read failed; the container stays in the rotation', {
          id,
          error: describeError(error),
          code: error instanceof AppError ? error.code : undefined,
          ...(decision.suppressed > 0 ? { suppressed: decision.suppressed } : {}),
        });
      },
    );
  }

  /** The rotation: the head is read next, a read container goes to the back. */
  const rotation = createWorkQueue<string>({
    concurrency: options.concurrency,
    rotate: true,
    run: read,
    delayMs: (id) => (lastStartedMs.get(id) ?? Number.NEGATIVE_INFINITY) + options.minIntervalMs - now(),
  });

  return {
    add(id) {
      rotation.add(id);
    },
    remove(id) {
      if (rotation.delete(id)) lastStartedMs.delete(id);
    },
    has: (id) => rotation.has(id),
    get size() {
      return rotation.size;
    },
    clear() {
      rotation.clear();
      lastStartedMs.clear();
    },
  };
}
