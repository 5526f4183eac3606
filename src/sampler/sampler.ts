// Feeds the store. The Engine API says what runs (one /events stream, a re-list after
// starts and every RELIST_INTERVAL to heal missed events, one inspect per start); the
// numbers come from the stats sources (stats-sources.ts): the kernel's files where they
// can be read, else an Engine API stream per container, else one-shot reads past the
// stream cap. Failures are contained: one container's stream failing never touches
// another, and losing the daemon marks the data stale and retries with capped backoff,
// while the kernel source goes on reading the containers it knows.

import { DockerUnavailableError, describeError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { createRateLimiter } from '../rate-limiter.js';
import { createApiStreams } from './api-streams.js';
import { backoffDelayMs } from './backoff.js';
import type { DockerSource, LifecycleObserver, SamplerContext } from './context.js';
import { createDaemonLink } from './daemon-link.js';
import { createDetailsFetcher } from './details.js';
import { createEventStream } from './event-stream.js';
import { createOneShotPoller, DEFAULT_ONE_SHOT_CONCURRENCY } from './one-shot-poller.js';
import { createRelister } from './relister.js';
import { createStatsSources, type KernelChoice } from './stats-sources.js';
import type { Store } from './store.js';

export type { DockerSource, LifecycleObserver } from './context.js';
export type { KernelChoice, StatsSourceMode } from './stats-sources.js';

export interface SamplerOptions {
  relistIntervalMs: number;
  /** A stats stream silent this long is closed and reopened. */
  statsStallMs: number;
  maxStatsStreams: number;
  reconnectBaseMs?: number;
  reconnectMaxMs: number;
  /** While Docker is unreachable it is probed at least this often (default DAEMON_PROBE_MAX_MS). */
  daemonProbeMaxMs?: number;
  /** Events arriving together (a compose up) trigger one re-list after this delay. */
  relistDebounceMs?: number;
  /** Past maxStatsStreams: one-shot reads in flight at once (default DEFAULT_ONE_SHOT_CONCURRENCY). */
  oneShotConcurrency?: number;
  /** Past maxStatsStreams: a container is read at most this often (default 1 s, a stream's pace). */
  oneShotMinIntervalMs?: number;
}

export interface Sampler {
  start(): void;
  /** Closes every stream and timer; resolves once in-flight calls have settled. */
  stop(): Promise<void>;
}

/**
 * While the daemon is down, a probe (/_ping) costs it nothing and a refused
 * connect costs us nothing, so the connection loop backs off only to 2 s: a
 * restarted daemon is picked up within about 2 s of its return, not at the next
 * step of a 30 s backoff. Per-container streams keep the full RECONNECT_MAX_DELAY.
 */
export const DAEMON_PROBE_MAX_MS = 2_000;

/** An event stream that lasted this long ended for a reason of its own: reopen it at once. */
const EVENTS_HEALTHY_MS = 60_000;

/** How often the same per-container error may be logged. */
const ERROR_LOG_INTERVAL_MS = 60_000;

export function createSampler(
  deps: { docker: DockerSource; store: Store; logger: Logger; now?: () => number; kernel?: KernelChoice; lifecycle?: LifecycleObserver },
  options: SamplerOptions,
): Sampler {
  const { docker, store, logger } = deps;
  const now = deps.now ?? Date.now;
  const baseMs = options.reconnectBaseMs ?? 1000;
  const debounceMs = options.relistDebounceMs ?? 150;
  const mayLog = createRateLimiter(ERROR_LOG_INTERVAL_MS, now);
  let stopped = true;

  const context: SamplerContext = {
    lifecycle: deps.lifecycle ?? null,
    docker,
    store,
    logger,
    now,
    later(ms, run) {
      const timer = setTimeout(run, ms);
      timer.unref();
      return timer;
    },
    logLimited(key, message, fields) {
      const decision = mayLog(key);
      if (!decision.allowed) return;
      logger.warn(message, decision.suppressed > 0 ? { ...fields, suppressed: decision.suppressed } : fields);
    },
    stopped: () => stopped,
    connected: () => link.connected,
  };

  const link = createDaemonLink(
    context,
    {
      onNegotiated(info) {
        openEvents();
        relister.request(0, info);
      },
      onDown() {
        // Re-lists wait for the connection loop, which re-lists once it is back.
        if (eventsTimer !== null) clearTimeout(eventsTimer);
        eventsTimer = null;
        relister.pause();
        events.close();
        sources.daemonDown();
      },
    },
    { reconnectBaseMs: baseMs, probeMaxMs: Math.min(options.reconnectMaxMs, options.daemonProbeMaxMs ?? DAEMON_PROBE_MAX_MS) },
  );

  function forget(id: string): void {
    sources.drop(id);
    store.remove(id);
  }

  const events = createEventStream(context, {
    onStarted: () => relister.request(debounceMs),
    onGone(id) {
      forget(id);
      // A re-list already under way may have read the list before this event.
      relister.invalidate();
    },
    onEnded: (error) => reopenEvents(error),
  });

  /**
   * An event stream that ends is not a dead daemon: a proxy with an idle timeout ends it on
   * a quiet host (docs/deployment.md's HAProxy: `timeout server 1h`), and closing every stats
   * stream then would make N of them reopen at once. /_ping decides: if the daemon
   * answers, only the event stream is reopened (with `since`) and a re-list heals what it
   * missed; if not, the connection loop takes over. Streams that end at once again wait
   * longer each time, as the stats streams do.
   */
  let eventEnds = 0;
  let eventsOpenedMs = 0;
  let eventsTimer: NodeJS.Timeout | null = null;
  function reopenEvents(error: unknown): void {
    if (error instanceof DockerUnavailableError) {
      link.down(error);
      return;
    }
    // The first end is reopened at once; a stream that keeps ending soon after it opened
    // waits 1 s, 2 s, 4 s ... (RECONNECT_MAX_DELAY at most).
    eventEnds = now() - eventsOpenedMs < EVENTS_HEALTHY_MS ? eventEnds + 1 : 1;
    const delay = eventEnds <= 1 ? 0 : backoffDelayMs(eventEnds - 2, baseMs, options.reconnectMaxMs);
    logger.info('the Docker event stream ended; checking the daemon', { error: describeError(error), retryInMs: delay });
    eventsTimer = context.later(delay, () => {
      eventsTimer = null;
      if (stopped) return;
      docker.negotiate().then(
        () => {
          if (stopped || !link.connected) return;
          openEvents();
          relister.request(0);
        },
        (failure: unknown) => link.down(failure),
      );
    });
  }

  function openEvents(): void {
    eventsOpenedMs = now();
    events.open();
  }

  const relister = createRelister(
    context,
    {
      onListed: (info) => link.up(info),
      onRunning(id) {
        // Once per start: a restart goes through die (removed) and start (added again).
        if (store.get(id)?.details === null) details?.request(id);
        sources.ensure(id);
      },
      onMissing: forget,
      onDaemonDown: (error) => link.down(error),
    },
    { relistIntervalMs: options.relistIntervalMs },
  );

  const inspect = docker.inspectContainer?.bind(docker);
  const details = inspect
    ? createDetailsFetcher(
        { docker: { inspectContainer: inspect }, store, logger, now },
        {
          onInspected: (id, inspected) => sources.onInspected(id, inspected.State?.Pid ?? null),
          onFailed: (id, error) => sources.onInspectFailed(id, describeError(error)),
        },
      )
    : null;

  const streams = createApiStreams(
    context,
    {
      onGone: forget,
      onDaemonDown: (error) => link.down(error),
      requestRelist: () => relister.request(debounceMs),
    },
    { statsStallMs: options.statsStallMs, reconnectBaseMs: baseMs, reconnectMaxMs: options.reconnectMaxMs },
  );

  const readOnce = docker.readStatsOnce?.bind(docker);
  const polled = readOnce
    ? createOneShotPoller(
        {
          docker: { readStatsOnce: readOnce },
          store,
          handlers: { onGone: forget, onNotRunning: () => relister.request(debounceMs) },
          logger,
          now,
        },
        { concurrency: options.oneShotConcurrency ?? DEFAULT_ONE_SHOT_CONCURRENCY, minIntervalMs: options.oneShotMinIntervalMs ?? 1_000 },
      )
    : null;

  const sources = createStatsSources(context, {
    kernel: deps.kernel ?? { mode: 'api' },
    streams,
    polled,
    maxStatsStreams: options.maxStatsStreams,
    inspect(id) {
      if (details === null) return false;
      details.request(id);
      return true;
    },
    requestRelist: () => relister.request(debounceMs),
  });

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      sources.start();
      link.connect();
    },
    async stop() {
      stopped = true;
      if (eventsTimer !== null) clearTimeout(eventsTimer);
      details?.stop();
      link.stop();
      relister.stop();
      events.close();
      streams.closeAll();
      polled?.clear();
      sources.stop();
      await link.inFlight().catch(() => undefined);
      await relister.running()?.catch(() => undefined);
    },
  };
}
