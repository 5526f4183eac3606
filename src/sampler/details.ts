// Reads each container's inspect once per start (restart count, start time, health,
// limits) and puts the result in the store. Inspect is a plain request, not a stream:
// a compose up of fifty containers queues fifty of them, so at most a few run at once.
// A failure leaves the details empty; the next re-list asks again.

import type { DockerClient } from '../docker/client.js';
import type { ContainerInspectSubset } from '../docker/types.js';
import { DockerApiError, describeError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { createRateLimiter } from '../rate-limiter.js';
import { toContainerDetails } from '../stats/container-details.js';
import type { Store } from './store.js';
import { createWorkQueue } from './work-queue.js';

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
  const mayLog = createRateLimiter(ERROR_LOG_INTERVAL_MS, deps.now ?? Date.now);
  const queue = createWorkQueue<string>({
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    // Gone before its turn (a short-lived container): nothing to ask.
    isWanted: (id) => store.get(id) !== undefined,
    run: (id, isCurrent) =>
      docker.inspectContainer(id).then(
        (inspect) => {
          if (!isCurrent() || !store.get(id)) return;
          store.setDetails(id, toContainerDetails(inspect));
          handlers.onInspected?.(id, inspect);
        },
        (error: unknown) => {
          // 404: removed meanwhile, an ordinary race.
          if (error instanceof DockerApiError && error.status === 404) return;
          if (isCurrent()) handlers.onFailed?.(id, error);
          const decision = mayLog('inspect');
          if (decision.allowed) {
            logger.warn('inspecting a container failed; will retry at the next re-list', {
              id,
              error: describeError(error),
              ...(decision.suppressed > 0 ? { suppressed: decision.suppressed } : {}),
            });
          }
        },
      ),
  });

  return {
    request(id) {
      queue.add(id);
    },
    stop() {
      queue.clear();
    },
  };
}
