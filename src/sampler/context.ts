// What the sampler's parts share: the Docker calls they may make, the store they write,
// the logger, timers that never keep the process alive, and the sampler's own state.

import type { DockerClient } from '../docker/client.js';
import type { ContainerListEntry, EngineEvent } from '../docker/types.js';
import type { Logger } from '../log/logger.js';
import type { Store } from './store.js';

export type DockerSource = Pick<DockerClient, 'negotiate' | 'listContainers' | 'streamStats' | 'streamEvents'> &
  // Optional: without it the page lacks restart counts, health and limits, and the
  // kernel source (which needs each container's PID) is not used.
  Partial<Pick<DockerClient, 'inspectContainer'>> &
  // Optional: without it containers past the stream cap are listed but not sampled.
  Partial<Pick<DockerClient, 'readStatsOnce'>>;

/** Who follows containers' lifecycles (lifecycle/tracker.ts): every event, every list. */
export interface LifecycleObserver {
  /** Called before the sampler acts on the event (a die removes the container's entry). */
  onEvent(event: EngineEvent): void;
  /** Every re-list, stopped containers included; requestedAtMs: when the list was asked for (sampler clock). */
  onListed(entries: readonly ContainerListEntry[], requestedAtMs: number): void;
}

export interface SamplerContext {
  /** Null: stopped containers are not listed and events go nowhere else. */
  readonly lifecycle: LifecycleObserver | null;
  readonly docker: DockerSource;
  readonly store: Store;
  readonly logger: Logger;
  now(): number;
  /** A timer that does not keep the process alive. */
  later(ms: number, run: () => void): NodeJS.Timeout;
  /** Warns at most once a minute per key, counting what it held back. */
  logLimited(key: string, message: string, fields: Record<string, unknown>): void;
  stopped(): boolean;
  /** Whether the daemon answered the last time we asked. */
  connected(): boolean;
}
