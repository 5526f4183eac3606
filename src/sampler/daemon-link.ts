// The connection to the daemon: negotiate the API version, say when Docker is reachable
// and when it is not (with the reason and how to fix it), and probe it again with capped
// backoff while it is away. Whoever notices the daemon is gone (a failed list, a stream
// that fails to connect) reports it here.

import type { DaemonInfo } from '../docker/client.js';
import { DockerUnavailableError, describeError } from '../errors.js';
import { backoffDelayMs } from './backoff.js';
import type { SamplerContext } from './context.js';

export interface DaemonLink {
  /** Starts negotiating; onNegotiated follows once the daemon answers. */
  connect(): void;
  /** The daemon answered a real request (the first list after negotiating). */
  up(info: DaemonInfo | undefined): void;
  /** The daemon is gone: mark it, tell the others, probe again later. */
  down(error: unknown): void;
  readonly connected: boolean;
  /** The promise of the call in flight, for stop(). */
  inFlight(): Promise<unknown>;
  stop(): void;
}

export function createDaemonLink(
  context: SamplerContext,
  handlers: { onNegotiated(info: DaemonInfo): void; onDown(): void },
  options: { reconnectBaseMs: number; probeMaxMs: number },
): DaemonLink {
  const { docker, store, logger } = context;
  let connected = false;
  let failures = 0;
  let timer: NodeJS.Timeout | null = null;
  let pending: Promise<unknown> = Promise.resolve();

  function connect(): void {
    timer = null;
    if (context.stopped()) return;
    pending = docker.negotiate().then(
      (info) => {
        if (!context.stopped()) handlers.onNegotiated(info);
      },
      (error: unknown) => down(error),
    );
  }

  function down(error: unknown): void {
    if (context.stopped()) return;
    const wasConnected = connected || store.docker().state === 'connecting';
    connected = false;
    handlers.onDown();
    const message = describeError(error);
    const hint = error instanceof DockerUnavailableError ? error.hint : 'dockmon retries by itself.';
    const changed = store.docker().message !== message;
    store.setDocker({ state: 'unavailable', message, hint, apiVersion: null, server: null });
    if (wasConnected || changed) logger.error('Docker is unreachable', { error: message, hint });
    const delay = backoffDelayMs(failures, options.reconnectBaseMs, options.probeMaxMs);
    failures += 1;
    if (timer === null) timer = context.later(delay, connect);
  }

  return {
    connect,
    down,
    up(info) {
      if (connected) return;
      connected = true;
      failures = 0;
      const previous = store.docker();
      store.setDocker({
        state: 'connected',
        message: null,
        hint: null,
        apiVersion: info?.apiVersion ?? previous.apiVersion,
        server: info?.server ?? previous.server,
      });
      logger.info('connected to Docker', { apiVersion: info?.apiVersion, server: info?.server });
    },
    get connected() {
      return connected;
    },
    inFlight: () => pending,
    stop() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
