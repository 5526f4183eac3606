// Feeds the store from long-lived Docker streams, the way `docker stats` does:
// one /events stream for lifecycle changes, one stats?stream=true per running
// container, and a periodic re-list that heals anything the events missed.
// Failures are contained: one container's stream failing never touches another,
// and losing the daemon marks the data stale and retries with capped backoff.

import type { DaemonInfo, DockerClient, StreamCallbacks } from '../docker/client.js';
import type { StreamEnd, StreamHandle } from '../docker/transport.js';
import type { EngineEvent, StatsRecord } from '../docker/types.js';
import { AppError, DockerApiError, DockerUnavailableError, describeError } from '../errors.js';
import { createRateLimiter, type Logger } from '../log/logger.js';
import { toHealth } from '../stats/container-details.js';
import { toContainerInfo } from '../stats/container-info.js';
import { toContainerSample } from '../stats/sample.js';
import { backoffDelayMs } from './backoff.js';
import { createDetailsFetcher } from './details.js';
import { createOneShotPoller, DEFAULT_ONE_SHOT_CONCURRENCY } from './one-shot-poller.js';
import type { Store } from './store.js';

export type DockerSource = Pick<DockerClient, 'negotiate' | 'listContainers' | 'streamStats' | 'streamEvents'> &
  // Optional: without it the page simply lacks restart counts, health and limits.
  Partial<Pick<DockerClient, 'inspectContainer'>> &
  // Optional: without it containers past the stream cap are listed but not sampled.
  Partial<Pick<DockerClient, 'readStatsOnce'>>;

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

interface StatsSlot {
  handle: StreamHandle | null;
  failures: number;
  retryTimer: NodeJS.Timeout | null;
}

/**
 * While the daemon is down, a probe (/_ping) costs it nothing and a refused
 * connect costs us nothing, so the connection loop backs off only to 2 s: a
 * restarted daemon is picked up within about 2 s of its return, not at the next
 * step of a 30 s backoff. Per-container streams keep the full RECONNECT_MAX_DELAY.
 */
export const DAEMON_PROBE_MAX_MS = 2_000;

/** How often the same per-container error may be logged. */
const ERROR_LOG_INTERVAL_MS = 60_000;

export function createSampler(
  deps: { docker: DockerSource; store: Store; logger: Logger; now?: () => number },
  options: SamplerOptions,
): Sampler {
  const { docker, store, logger } = deps;
  const now = deps.now ?? Date.now;
  const baseMs = options.reconnectBaseMs ?? 1000;
  const debounceMs = options.relistDebounceMs ?? 150;
  const probeMaxMs = Math.min(options.reconnectMaxMs, options.daemonProbeMaxMs ?? DAEMON_PROBE_MAX_MS);

  let stopped = true;
  let connected = false;
  let connectFailures = 0;
  let events: StreamHandle | null = null;
  let lastEventSeconds: number | undefined;
  let connectTimer: NodeJS.Timeout | null = null;
  /** A re-list asked for by an event or a stream, due shortly. */
  let relistTimer: NodeJS.Timeout | null = null;
  /** The next healing re-list, RELIST_INTERVAL after the last one. */
  let periodicTimer: NodeJS.Timeout | null = null;
  let relistRunning: Promise<void> | null = null;
  let relistAgain = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  let streamCapWarned = false;
  const slots = new Map<string, StatsSlot>();
  const mayLog = createRateLimiter(ERROR_LOG_INTERVAL_MS, now);
  const inspect = docker.inspectContainer?.bind(docker);
  const details = inspect ? createDetailsFetcher({ docker: { inspectContainer: inspect }, store, logger, now }) : null;
  const readOnce = docker.readStatsOnce?.bind(docker);
  const polled = readOnce
    ? createOneShotPoller(
        {
          docker: { readStatsOnce: readOnce },
          handlers: { onRecord: onPolledRecord, onGone: (id) => { closeStats(id); store.remove(id); } },
          logger,
          now,
        },
        { concurrency: options.oneShotConcurrency ?? DEFAULT_ONE_SHOT_CONCURRENCY, minIntervalMs: options.oneShotMinIntervalMs ?? 1_000 },
      )
    : null;

  function later(ms: number, run: () => void): NodeJS.Timeout {
    const timer = setTimeout(run, ms);
    timer.unref();
    return timer;
  }

  function logLimited(key: string, message: string, fields: Record<string, unknown>): void {
    const decision = mayLog(key);
    if (!decision.allowed) return;
    logger.warn(message, decision.suppressed > 0 ? { ...fields, suppressed: decision.suppressed } : fields);
  }

  // ---- connection to the daemon -------------------------------------------

  function connect(): void {
    connectTimer = null;
    if (stopped) return;
    const attempt = docker.negotiate().then(onNegotiated, onDockerDown);
    inFlight = attempt;
  }

  function onNegotiated(info: DaemonInfo): void {
    if (stopped) return;
    openEvents();
    requestRelist(0, info);
  }

  function onConnected(info: DaemonInfo | undefined): void {
    if (connected) return;
    connected = true;
    connectFailures = 0;
    const previous = store.docker();
    store.setDocker({
      state: 'connected',
      message: null,
      hint: null,
      apiVersion: info?.apiVersion ?? previous.apiVersion,
      server: info?.server ?? previous.server,
    });
    logger.info('connected to Docker', { apiVersion: info?.apiVersion, server: info?.server });
  }

  function onDockerDown(error: unknown): void {
    if (stopped) return;
    const wasConnected = connected || store.docker().state === 'connecting';
    connected = false;
    // Re-lists wait for the connection loop, which re-lists once it is back.
    if (relistTimer !== null) clearTimeout(relistTimer);
    if (periodicTimer !== null) clearTimeout(periodicTimer);
    relistTimer = null;
    periodicTimer = null;
    closeEvents();
    for (const id of [...slots.keys()]) closeStats(id);
    polled?.clear();
    const message = describeError(error);
    const hint = error instanceof DockerUnavailableError ? error.hint : 'dockmon retries by itself.';
    const changed = store.docker().message !== message;
    store.setDocker({ state: 'unavailable', message, hint, apiVersion: null, server: null });
    if (wasConnected || changed) logger.error('Docker is unreachable', { error: message, hint });
    const delay = backoffDelayMs(connectFailures, baseMs, probeMaxMs);
    connectFailures += 1;
    if (connectTimer === null) connectTimer = later(delay, connect);
  }

  // ---- lifecycle events ----------------------------------------------------

  function openEvents(): void {
    closeEvents();
    const callbacks: StreamCallbacks<EngineEvent> = {
      onRecord: onEvent,
      onBadLine: (error) => logLimited('events:bad-line', 'ignored a malformed event', { error: error.message }),
      onEnd: (end) => {
        events = null;
        if (stopped || end.kind === 'closed') return;
        store.count('eventStreamReconnects');
        // The event stream only ends when the daemon goes away or drops us:
        // reconnect from scratch (negotiate, events with `since`, re-list).
        onDockerDown(end.kind === 'error' ? end.error : new Error('the Docker event stream ended'));
      },
    };
    events = docker.streamEvents(callbacks, lastEventSeconds);
  }

  function closeEvents(): void {
    const handle = events;
    events = null;
    handle?.close();
  }

  function onEvent(event: EngineEvent): void {
    if (event.Type !== undefined && event.Type !== 'container') return;
    if (typeof event.time === 'number') lastEventSeconds = event.time;
    const id = event.Actor?.ID;
    if (typeof id !== 'string') return;
    switch (event.Action) {
      case 'start':
      case 'restart':
        requestRelist(debounceMs);
        break;
      case 'pause':
        store.setState(id, 'paused');
        break;
      case 'unpause':
        store.setState(id, 'running');
        break;
      case 'oom':
        store.countOomKill(id);
        break;
      case 'rename': {
        const name = event.Actor?.Attributes?.['name'];
        if (typeof name === 'string' && name !== '') store.rename(id, name.replace(/^\//, ''));
        break;
      }
      case 'die':
      case 'destroy':
        closeStats(id);
        store.remove(id);
        // A re-list already under way may have read the list before this event.
        if (relistRunning) relistAgain = true;
        break;
      default:
        // "health_status: healthy" and the like.
        if (event.Action?.startsWith('health_status') === true) store.setHealth(id, toHealth(event.Action));
        break;
    }
  }

  // ---- re-list ---------------------------------------------------------------

  /** Runs a re-list after `delayMs`, coalescing requests; never two at once. */
  function requestRelist(delayMs: number, info?: DaemonInfo): void {
    if (stopped) return;
    if (relistRunning) {
      relistAgain = true;
      return;
    }
    if (relistTimer !== null) {
      // One is already due soon: a burst of events (compose up) gives one re-list.
      if (delayMs > 0) return;
      clearTimeout(relistTimer);
    }
    relistTimer = later(delayMs, () => {
      relistTimer = null;
      runRelist(info);
    });
  }

  function runRelist(info?: DaemonInfo): void {
    if (periodicTimer !== null) clearTimeout(periodicTimer);
    periodicTimer = null;
    relistRunning = relist(info).finally(() => {
      relistRunning = null;
      if (stopped) return;
      if (relistAgain) {
        relistAgain = false;
        requestRelist(0);
      } else if (connected) {
        periodicTimer = later(options.relistIntervalMs, () => {
          periodicTimer = null;
          requestRelist(0);
        });
      }
    });
    inFlight = relistRunning;
  }

  async function relist(info?: DaemonInfo): Promise<void> {
    let entries;
    try {
      entries = await docker.listContainers();
    } catch (error) {
      if (error instanceof DockerUnavailableError || !connected) onDockerDown(error);
      else logLimited('relist', 'listing containers failed; will retry', { error: describeError(error) });
      return;
    }
    if (stopped) return;
    store.count('relists');
    onConnected(info);
    const seen = new Set<string>();
    for (const entry of entries) {
      const containerInfo = toContainerInfo(entry);
      if (containerInfo.state !== 'running' && containerInfo.state !== 'paused') continue;
      seen.add(containerInfo.id);
      store.upsert(containerInfo);
      // Once per start: a restart goes through die (removed) and start (added again).
      if (store.get(containerInfo.id)?.details === null) details?.request(containerInfo.id);
      if (!slots.has(containerInfo.id)) openStats(containerInfo.id);
    }
    for (const id of store.ids()) {
      if (seen.has(id)) continue;
      closeStats(id);
      store.remove(id);
    }
  }

  // ---- per-container stats streams --------------------------------------------

  function openStats(id: string): void {
    const existing = slots.get(id);
    const slot: StatsSlot = existing ?? { handle: null, failures: 0, retryTimer: null };
    if (!existing) {
      if (slots.size >= options.maxStatsStreams) {
        if (!streamCapWarned) {
          streamCapWarned = true;
          logger.warn(
            polled
              ? 'stats stream cap reached: containers past it are read one-shot in rotation, less often'
              : 'stats stream cap reached: some containers are not sampled',
            { maxStatsStreams: options.maxStatsStreams },
          );
        }
        polled?.add(id);
        return;
      }
      // A stream is free again (another container went away): this one leaves the rotation.
      polled?.remove(id);
      slots.set(id, slot);
    }
    slot.retryTimer = null;
    const callbacks: StreamCallbacks<StatsRecord> = {
      onRecord: (record) => onStatsRecord(id, slot, record),
      onBadLine: (error) => {
        store.count('badRecords');
        logLimited(`stats:${id}:bad`, 'ignored a malformed stats record', { id, error: error.message });
      },
      onEnd: (end) => onStatsEnd(id, slot, end),
    };
    slot.handle = docker.streamStats(id, callbacks, options.statsStallMs);
    store.setStreamsOpen(countOpen());
  }

  function onStatsRecord(id: string, slot: StatsSlot, record: StatsRecord): void {
    const previous = store.get(id)?.latest ?? undefined;
    const sample = toContainerSample(record, previous);
    // null: the container is not running (zero-time record). Its die event should
    // remove it; a re-list makes sure even if that event was missed.
    if (sample === null) {
      requestRelist(debounceMs);
      return;
    }
    slot.failures = 0;
    store.recordSample(id, sample);
  }

  /** A one-shot record: its precpu is empty, so the CPU baseline is our own previous sample. */
  function onPolledRecord(id: string, record: StatsRecord): void {
    const sample = toContainerSample(record, store.get(id)?.latest ?? undefined);
    if (sample === null) {
      requestRelist(debounceMs);
      return;
    }
    store.recordSample(id, sample);
  }

  function onStatsEnd(id: string, slot: StatsSlot, end: StreamEnd): void {
    slot.handle = null;
    store.setStreamsOpen(countOpen());
    if (stopped || end.kind === 'closed' || slots.get(id) !== slot) return;
    if (end.kind === 'error' && end.error instanceof DockerApiError && end.error.status === 404) {
      closeStats(id);
      store.remove(id);
      return;
    }
    if (end.kind === 'error' && end.error instanceof DockerUnavailableError) {
      // The daemon itself is gone; the connection loop takes over.
      onDockerDown(end.error);
      return;
    }
    store.count('statsStreamReconnects');
    const reason = end.kind === 'error' ? end.error : new Error('stream ended');
    logLimited(`stats:${id}:end`, 'stats stream ended; reopening', {
      id,
      error: describeError(reason),
      code: reason instanceof AppError ? reason.code : undefined,
    });
    // A clean EOF usually means the container was removed: re-list to find out.
    if (end.kind === 'eof') requestRelist(debounceMs);
    const delay = backoffDelayMs(slot.failures, baseMs, options.reconnectMaxMs);
    slot.failures += 1;
    slot.retryTimer = later(delay, () => {
      if (!stopped && connected && slots.get(id) === slot && store.get(id)) openStats(id);
      else if (slots.get(id) === slot && !store.get(id)) slots.delete(id);
    });
  }

  function closeStats(id: string): void {
    polled?.remove(id);
    const slot = slots.get(id);
    if (!slot) return;
    slots.delete(id);
    if (slot.retryTimer !== null) clearTimeout(slot.retryTimer);
    slot.handle?.close();
    slot.handle = null;
    store.setStreamsOpen(countOpen());
  }

  function countOpen(): number {
    let open = 0;
    for (const slot of slots.values()) if (slot.handle !== null) open += 1;
    return open;
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      connect();
    },
    async stop() {
      stopped = true;
      details?.stop();
      if (connectTimer !== null) clearTimeout(connectTimer);
      if (relistTimer !== null) clearTimeout(relistTimer);
      if (periodicTimer !== null) clearTimeout(periodicTimer);
      connectTimer = null;
      relistTimer = null;
      periodicTimer = null;
      closeEvents();
      for (const id of [...slots.keys()]) closeStats(id);
      polled?.clear();
      await inFlight.catch(() => undefined);
      await relistRunning?.catch(() => undefined);
    },
  };
}
