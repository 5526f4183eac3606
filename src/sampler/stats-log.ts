// The stats log (stats.jsonl) is written here, on the sampling side. The seed logged every
// row each /table call served; dockmon keeps that, but writes each Docker sample once: a
// line is appended only when the sample is newer than the last one logged for its
// container. The log then grows with the sample rate (about one line per container per
// second at most), never with the request rate, so no client can fill the disk by polling.
// The page's routes only say which samples they served; the lines are built here, from the
// store. An agent nobody watches still logs: every LOG_INTERVAL, each container's latest
// sample (once, as always), and on stop every latest sample not written yet.

import { toStatsLogRecord } from '../views/container-json.js';
import type { StoreReader } from './store.js';

/** A container's sample, named by the container's ID and the sample's `read` time (epoch ms). */
export interface ServedSample {
  id: string;
  readMs: number;
}

export interface StatsLogWriter {
  /** Writes the served samples not written before; returns how many lines were queued. */
  served(samples: readonly ServedSample[]): number;
  /** Writes every container's latest sample not written before. */
  writeLatest(): number;
  /** Starts the LOG_INTERVAL timer (none when the interval is 0). */
  start(): void;
  /** Stops the timer and writes every latest sample not written yet: the shutdown's last lines. */
  stop(): void;
}

export interface StatsLogDeps {
  store: Pick<StoreReader, 'get' | 'list'>;
  /** The stats file (log/jsonl-file.ts): whole lines, rotation, its own error reporting. */
  sink: { append(record: object): void };
  now(): number;
}

export function createStatsLogWriter(deps: StatsLogDeps, options: { intervalMs: number }): StatsLogWriter {
  const { store, sink } = deps;
  const lastLoggedReadMs = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;

  const write = (candidates: readonly ServedSample[]): number => {
    const atMs = deps.now();
    let time: string | null = null;
    let written = 0;
    for (const candidate of candidates) {
      const view = store.get(candidate.id);
      // A sample the store has since replaced is not there to write; its successor is
      // written when it is served, or on the timer.
      if (view?.latest?.readMs !== candidate.readMs) continue;
      const last = lastLoggedReadMs.get(candidate.id);
      if (last !== undefined && candidate.readMs <= last) continue;
      lastLoggedReadMs.set(candidate.id, candidate.readMs);
      time ??= new Date(atMs).toISOString();
      sink.append({ time, ...toStatsLogRecord(view, atMs) });
      written += 1;
    }
    // Forget containers that are gone so the map stays as small as the host.
    if (lastLoggedReadMs.size > 2 * store.list().length + 64) {
      for (const id of lastLoggedReadMs.keys()) if (store.get(id) === undefined) lastLoggedReadMs.delete(id);
    }
    return written;
  };

  const writeLatest = (): number => {
    const latest: ServedSample[] = [];
    for (const view of store.list()) if (view.latest !== null) latest.push({ id: view.info.id, readMs: view.latest.readMs });
    return write(latest);
  };

  return {
    served: write,
    writeLatest,
    start() {
      if (options.intervalMs <= 0 || timer !== null) return;
      timer = setInterval(writeLatest, options.intervalMs);
      timer.unref();
    },
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      writeLatest();
    },
  };
}
