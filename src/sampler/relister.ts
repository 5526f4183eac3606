// The container list: read after connecting, shortly after start events (a burst of
// them, a compose up, gives one read), and every RELIST_INTERVAL to heal anything the
// events missed. Never two reads at once; one asked for during a read runs after it.

import type { DaemonInfo } from '../docker/client.js';
import { DockerUnavailableError, describeError } from '../errors.js';
import { toContainerInfo } from '../stats/container-info.js';
import type { SamplerContext } from './context.js';

export interface Relister {
  /** Re-lists after `delayMs`, coalescing requests. */
  request(delayMs: number, info?: DaemonInfo): void;
  /** A container went away meanwhile: a read under way may predate it, so read again. */
  invalidate(): void;
  /** The daemon is gone: no re-list until the connection loop asks for one. */
  pause(): void;
  running(): Promise<void> | null;
  stop(): void;
}

export interface RelistHandlers {
  /** The list answered after a connection: the daemon is up. */
  onListed(info: DaemonInfo | undefined): void;
  /** A running (or paused) container the list holds; the store has its info now. */
  onRunning(id: string): void;
  /** A container the store holds and the list does not. */
  onMissing(id: string): void;
  onDaemonDown(error: unknown): void;
}

export function createRelister(context: SamplerContext, handlers: RelistHandlers, options: { relistIntervalMs: number }): Relister {
  const { docker, store } = context;
  /** A re-list asked for by an event or a stream, due shortly. */
  let dueTimer: NodeJS.Timeout | null = null;
  /** The next healing re-list, RELIST_INTERVAL after the last one. */
  let periodicTimer: NodeJS.Timeout | null = null;
  let inProgress: Promise<void> | null = null;
  let again = false;

  function clearTimers(): void {
    if (dueTimer !== null) clearTimeout(dueTimer);
    if (periodicTimer !== null) clearTimeout(periodicTimer);
    dueTimer = null;
    periodicTimer = null;
  }

  function request(delayMs: number, info?: DaemonInfo): void {
    if (context.stopped()) return;
    if (inProgress) {
      again = true;
      return;
    }
    if (dueTimer !== null) {
      // One is already due soon: a burst of events (compose up) gives one re-list.
      if (delayMs > 0) return;
      clearTimeout(dueTimer);
    }
    dueTimer = context.later(delayMs, () => {
      dueTimer = null;
      run(info);
    });
  }

  function run(info?: DaemonInfo): void {
    if (periodicTimer !== null) clearTimeout(periodicTimer);
    periodicTimer = null;
    inProgress = relist(info).finally(() => {
      inProgress = null;
      if (context.stopped()) return;
      if (again) {
        again = false;
        request(0);
      } else if (context.connected()) {
        periodicTimer = context.later(options.relistIntervalMs, () => {
          periodicTimer = null;
          request(0);
        });
      }
    });
  }

  async function relist(info?: DaemonInfo): Promise<void> {
    let entries;
    // Events applied after this moment are newer than the list (a die while it was read).
    const requestedAtMs = context.now();
    try {
      // With a lifecycle observer the list includes stopped containers (`docker ps -a`).
      entries = await docker.listContainers(context.lifecycle === null ? undefined : { all: true });
    } catch (error) {
      if (error instanceof DockerUnavailableError || !context.connected()) handlers.onDaemonDown(error);
      else context.logLimited('relist', 'listing containers failed; will retry', { error: describeError(error) });
      return;
    }
    if (context.stopped()) return;
    store.count('relists');
    handlers.onListed(info);
    context.lifecycle?.onListed(entries, requestedAtMs);
    const seen = new Set<string>();
    for (const entry of entries) {
      const containerInfo = toContainerInfo(entry);
      if (containerInfo.state !== 'running' && containerInfo.state !== 'paused') continue;
      seen.add(containerInfo.id);
      store.upsert(containerInfo);
      handlers.onRunning(containerInfo.id);
    }
    for (const id of store.ids()) if (!seen.has(id)) handlers.onMissing(id);
  }

  return {
    request,
    invalidate() {
      if (inProgress) again = true;
    },
    pause: clearTimers,
    running: () => inProgress,
    stop: clearTimers,
  };
}
