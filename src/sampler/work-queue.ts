// A keyed queue that runs at most `concurrency` pieces of work at once: the inspect
// fetcher asks each container once per request through it, the one-shot poller reads
// its containers round and round through it. Both hold a socket per run, so a run whose
// key was taken out keeps its slot until it settles; its answer is dropped instead.

export interface WorkQueueOptions<K> {
  /** Runs in flight at once, stale ones included. */
  concurrency: number;
  /**
   * Starts the work for `key`. `isCurrent()` turns false once the key is deleted (or
   * the queue cleared): its answer is then to be dropped. The promise should not
   * reject; a rejection frees the slot and is left to the process's handler.
   */
  run(key: K, isCurrent: () => boolean): Promise<unknown>;
  /** Asked when `key` reaches the head: false drops it without a run. */
  isWanted?(key: K): boolean;
  /**
   * Milliseconds before `key`, at the head, may start. While above 0 the whole queue
   * waits (the order is the order of service) and an unref'd timer wakes it.
   */
  delayMs?(key: K): number;
  /** A key whose run ends goes back to the tail instead of leaving: a rotation. */
  rotate?: boolean;
}

export interface WorkQueue<K> {
  /** Queues `key` unless it is queued or running already (then false). */
  add(key: K): boolean;
  /** Takes `key` out (false if it was not in); a run on its way turns stale. */
  delete(key: K): boolean;
  has(key: K): boolean;
  /** Keys queued or running; stale runs do not count. */
  readonly size: number;
  /** Takes every key out and stops the wake timer. */
  clear(): void;
}

export function createWorkQueue<K>(options: WorkQueueOptions<K>): WorkQueue<K> {
  const { concurrency, run } = options;
  const waiting: K[] = [];
  /** A token per key while it is in; a run whose key's token changed is stale. */
  const entries = new Map<K, object>();
  let inFlight = 0;
  let wakeTimer: NodeJS.Timeout | null = null;

  function wakeIn(ms: number): void {
    if (wakeTimer !== null) return;
    wakeTimer = setTimeout(() => {
      wakeTimer = null;
      pump();
    }, ms);
    wakeTimer.unref();
  }

  function start(key: K, entry: object): void {
    inFlight += 1;
    const isCurrent = (): boolean => entries.get(key) === entry;
    // The executor runs `run` now (no extra turn) and makes a synchronous throw a rejection.
    void new Promise((resolve) => resolve(run(key, isCurrent))).finally(() => {
      inFlight -= 1;
      if (isCurrent()) {
        if (options.rotate === true) waiting.push(key);
        else entries.delete(key);
      }
      pump();
    });
  }

  function pump(): void {
    while (inFlight < concurrency && waiting.length > 0) {
      const key = waiting[0] as K;
      const entry = entries.get(key);
      if (entry === undefined || options.isWanted?.(key) === false) {
        waiting.shift();
        entries.delete(key);
        continue;
      }
      const waitMs = options.delayMs?.(key) ?? 0;
      if (waitMs > 0) {
        wakeIn(waitMs);
        return;
      }
      waiting.shift();
      start(key, entry);
    }
  }

  return {
    add(key) {
      if (entries.has(key)) return false;
      entries.set(key, {});
      waiting.push(key);
      pump();
      return true;
    },
    delete(key) {
      if (!entries.delete(key)) return false;
      const index = waiting.indexOf(key);
      if (index !== -1) waiting.splice(index, 1);
      pump();
      return true;
    },
    has: (key) => entries.has(key),
    get size() {
      return entries.size;
    },
    clear() {
      if (wakeTimer !== null) clearTimeout(wakeTimer);
      wakeTimer = null;
      entries.clear();
      waiting.length = 0;
    },
  };
}
