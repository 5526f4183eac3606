// Reads each container's inspect once per start (restart count, start time, health,
// limits) and puts the result in the store. Inspect is a plain request, not a stream:
// a compose up of fifty containers queues fifty of them, so at most a few run at once.
// A failure leaves the details empty; the next re-list asks again.

import type { DockerClient } from '../docker/client.js';
import type { ContainerInspectSubset } from '../docker/types.js';
import { DockerApiError, describeError } from '../errors.js';
import { createRateLimiter, type Logger } from '../log/logger.js';
import { toContainerDetails } from '../stats/container-details.js';
import type { Store } from './store.js';

export type InspectSource = Pick<DockerClient, 'inspectContainer'>;

export interface DetailsFetcher {
  /** Queues an inspect of `id` unless one is queued or running already. */
  request(id: string): void;
  /** Drops what is queued; answers still on their way are ignored. request() works again after. */
  stop(): void;
}

const DEFAULT_CONCURRENCY = 4;
const ERROR_LOG_INTERVAL_MS = 60_000;

export interface DetailsHandlers {
  /** Inspect answered (the kernel source takes the PID from it). */
  onInspected?(id: string, inspect: ContainerInspectSubset): void;
  /** Inspect failed, other than with 404. */
  onFailed?(id: string, error: unknown): void;
}

export function createDetailsFetcher(
  deps: { docker: InspectSource; store: Store; logger: Logger; now?: () => number },
  handlers: DetailsHandlers = {},
  options: { concurrency?: number } = {},
): DetailsFetcher {
  const { docker, store, logger } = deps;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const mayLog = createRateLimiter(ERROR_LOG_INTERVAL_MS, deps.now ?? Date.now);
  const queued: string[] = [];
  const pending = new Set<string>();
  let running = 0;
  /** Bumped by stop(): an answer from an older generation is dropped. */
  let generation = 0;

  function pump(): void {
    while (running < concurrency && queued.length > 0) {
      const id = queued.shift();
      if (id === undefined) break;
      // Gone before its turn (a short-lived container): nothing to ask.
      if (!store.get(id)) {
        pending.delete(id);
        continue;
      }
      running += 1;
      const asked = generation;
      docker
        .inspectContainer(id)
        .then(
          (inspect) => {
            if (asked !== generation || !store.get(id)) return;
            store.setDetails(id, toContainerDetails(inspect));
            handlers.onInspected?.(id, inspect);
          },
          (error: unknown) => {
            // 404: removed meanwhile, an ordinary race.
            if (error instanceof DockerApiError && error.status === 404) return;
            if (asked === generation) handlers.onFailed?.(id, error);
            const decision = mayLog('inspect');
            if (decision.allowed) {
              logger.warn('inspecting a container failed; will retry at the next re-list', {
                id,
                error: describeError(error),
                ...(decision.suppressed > 0 ? { suppressed: decision.suppressed } : {}),
              });
            }
          },
        )
        .finally(() => {
          running -= 1;
          if (asked === generation) pending.delete(id);
          pump();
        });
    }
  }

  return {
    request(id) {
      if (pending.has(id)) return;
      pending.add(id);
      queued.push(id);
      pump();
    },
    stop() {
      generation += 1;
      queued.length = 0;
      pending.clear();
    },
  };
}
