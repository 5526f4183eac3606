// The size of every running container's writable layer (container_fs_usage_bytes), from
// `GET /containers/json?size=1` on a slow timer of its own (FS_USAGE_INTERVAL), never per
// scrape or page view. To answer it the daemon sizes each container's writable layer
// (its graph driver walks the layer's files: overlay2's upper directory), which is the
// one list that costs it real work; docs/metrics.md has the figures.
//
// One list in flight at most (a setTimeout chain: the next starts one interval after the
// previous ended); skipped while Docker is not connected, which the agent reports
// already. A failed list keeps the last sizes for up to two intervals, then drops them,
// so a daemon that stopped answering this list does not leave old sizes exported.

import type { DockerClient } from '../docker/client.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log/logger.js';

export type SizeListSource = Pick<DockerClient, 'listContainerSizes'>;

export interface FsUsageStats {
  /** Lists answered. */
  lists: number;
  /** Lists that failed (Docker connected, but no usable answer). */
  failures: number;
  /** How long the last answered list took, seconds; null before the first. */
  lastListSeconds: number | null;
}

export interface FsUsagePoller {
  start(): void;
  /** Stops the timer; resolves once a list in flight has settled. */
  stop(): Promise<void>;
  /** Writable-layer bytes by full container ID, from the latest answered list. */
  sizes(): ReadonlyMap<string, number>;
  stats(): Readonly<FsUsageStats>;
}

export interface FsUsagePollerOptions {
  intervalMs: number;
  /** Delay of the first list after start(), and of the next try after a round skipped while Docker was away. */
  firstDelayMs: number;
  /** Deadline of one list: sizing many large layers takes longer than a plain list. */
  timeoutMs: number;
}

/** Shortest wait before a round skipped while Docker was away is tried again. */
const MIN_AWAY_RETRY_MS = 1_000;

export function createFsUsagePoller(
  deps: {
    docker: SizeListSource;
    logger: Logger;
    /** False while the daemon is unreachable: the round is skipped, not counted as failed. */
    isConnected(): boolean;
    /** Monotonic ms, for the list's duration and the age of the sizes. */
    now?: () => number;
  },
  options: FsUsagePollerOptions,
): FsUsagePoller {
  const { docker, logger } = deps;
  const now = deps.now ?? (() => performance.now());
  const stats: FsUsageStats = { lists: 0, failures: 0, lastListSeconds: null };
  let sizes: ReadonlyMap<string, number> = new Map();
  let answeredAtMs: number | null = null;
  let failing = false;
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> | null = null;

  function schedule(delayMs: number): void {
    if (!running || timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      // A round skipped while Docker was away is tried again firstDelayMs later (Docker
      // back is like a start: it is busy re-listing), not an interval later.
      inFlight = poll().then((listed) => {
        inFlight = null;
        schedule(listed ? options.intervalMs : Math.min(options.intervalMs, Math.max(options.firstDelayMs, MIN_AWAY_RETRY_MS)));
      });
    }, delayMs);
    timer.unref();
  }

  /** One round; false when it was skipped because Docker is not connected. */
  async function poll(): Promise<boolean> {
    if (!running) return true;
    if (!deps.isConnected()) return false;
    const startedMs = now();
    try {
      const entries = await docker.listContainerSizes({ timeoutMs: options.timeoutMs });
      if (!running) return true;
      sizes = sizeMap(entries);
      answeredAtMs = now();
      stats.lists += 1;
      stats.lastListSeconds = (answeredAtMs - startedMs) / 1000;
      if (failing) logger.info('container writable-layer sizes are read again (container_fs_usage_bytes)');
      failing = false;
    } catch (error) {
      if (!running) return true;
      stats.failures += 1;
      if (answeredAtMs !== null && now() - answeredAtMs > 2 * options.intervalMs) sizes = new Map();
      // Once per failing spell: at a 5-minute pace every failure would still be few lines,
      // but a daemon that refuses size=1 would refuse it all day.
      if (!failing) logger.warn('cannot read container writable-layer sizes (container_fs_usage_bytes)', { error: describeError(error) });
      failing = true;
    }
    return true;
  }

  return {
    start() {
      if (running) return;
      running = true;
      schedule(options.firstDelayMs);
    },
    async stop() {
      running = false;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await inFlight;
    },
    sizes: () => sizes,
    stats: () => stats,
  };
}

/** SizeRw by container ID; an entry without it is 0 bytes (Go's omitempty drops a zero). */
export function sizeMap(entries: readonly { Id: string; SizeRw?: number }[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const entry of entries) {
    const size = entry.SizeRw;
    map.set(entry.Id, typeof size === 'number' && Number.isFinite(size) && size > 0 ? size : 0);
  }
  return map;
}
