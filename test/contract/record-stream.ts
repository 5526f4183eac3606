// A client stream (stats or events) held open by a contract case: the records so far, its
// end, and waits with a deadline that say what they waited for.

import type { StreamCallbacks } from '../../src/docker/client.js';
import type { StreamEnd, StreamHandle } from '../../src/docker/transport.js';

export interface RecordStream<T> {
  readonly records: readonly T[];
  /** Lines that were not JSON objects; the Engine never sends one. */
  readonly badLines: readonly string[];
  /** Resolves with the first `count` records. */
  take(count: number, timeoutMs: number): Promise<T[]>;
  /** Resolves with the first record (from `from` on) that `match` accepts. */
  find(match: (record: T) => boolean, timeoutMs: number, from?: number): Promise<T>;
  /** Resolves when the stream ends (rejects after `timeoutMs`). */
  end(timeoutMs: number): Promise<StreamEnd>;
  close(): void;
}

export function openRecordStream<T>(open: (callbacks: StreamCallbacks<T>) => StreamHandle): RecordStream<T> {
  const records: T[] = [];
  const badLines: string[] = [];
  let ended: StreamEnd | null = null;
  const waiters = new Set<() => void>();
  const changed = (): void => {
    for (const check of [...waiters]) check();
  };
  const handle = open({
    onRecord(record) {
      records.push(record);
      changed();
    },
    onBadLine(error) {
      badLines.push(error.message);
    },
    onEnd(end) {
      ended = end;
      changed();
    },
  });

  /** Re-checks `ready` on every record and at the end; rejects at the deadline. */
  function until<R>(ready: () => R | undefined, timeoutMs: number, what: string): Promise<R> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const value = ready();
        if (value === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${what} within ${timeoutMs} ms (got ${records.length} records; end: ${JSON.stringify(ended)})`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  }

  return {
    records,
    badLines,
    take: (count, timeoutMs) =>
      until(() => (records.length >= count ? records.slice(0, count) : undefined), timeoutMs, `no ${count} records`),
    find: (match, timeoutMs, from = 0) =>
      until(() => records.slice(from).find(match), timeoutMs, 'no matching record'),
    end: (timeoutMs) => until(() => ended ?? undefined, timeoutMs, 'no end of stream'),
    close: () => handle.close(),
  };
}
