import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWorkQueue, type WorkQueueOptions } from './work-queue.js';

/** A queue whose runs the test settles by hand; `started` lists every run in start order. */
function harness(options: Partial<WorkQueueOptions<string>> = {}) {
  const started: string[] = [];
  const runs: { key: string; isCurrent: () => boolean; settle: () => void }[] = [];
  const queue = createWorkQueue<string>({
    concurrency: 2,
    run: (key, isCurrent) => {
      started.push(key);
      return new Promise<void>((settle) => runs.push({ key, isCurrent, settle }));
    },
    ...options,
  });
  /** Settles the oldest run of `key` still open and lets the queue react. */
  async function finish(key: string): Promise<void> {
    const index = runs.findIndex((run) => run.key === key);
    const [run] = runs.splice(index, 1);
    run?.settle();
    for (let tick = 0; tick < 10; tick += 1) await Promise.resolve();
  }
  return { queue, started, runs, finish };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('createWorkQueue', () => {
  it('runs at most `concurrency` at once, in the order added, starting the next as one settles', async () => {
    const { queue, started, finish } = harness();
    for (const key of ['a', 'b', 'c', 'd']) queue.add(key);
    expect(started).toEqual(['a', 'b']);
    await finish('b');
    expect(started).toEqual(['a', 'b', 'c']);
    await finish('a');
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    await finish('c');
    await finish('d');
    expect(queue.size).toBe(0);
  });

  it('takes a key once while it is queued or running, and again after its run', async () => {
    const { queue, started, finish } = harness({ concurrency: 1 });
    expect(queue.add('a')).toBe(true);
    expect(queue.add('b')).toBe(true);
    expect(queue.add('a')).toBe(false);
    expect(queue.add('b')).toBe(false);
    expect([queue.size, queue.has('a'), queue.has('b')]).toEqual([2, true, true]);
    await finish('a');
    expect(queue.has('a')).toBe(false);
    expect(queue.add('a')).toBe(true);
    await finish('b');
    expect(started).toEqual(['a', 'b', 'a']);
  });

  it('never runs a key deleted while queued; a deleted running key turns stale but keeps its slot', async () => {
    const { queue, started, runs, finish } = harness({ concurrency: 1 });
    queue.add('a');
    queue.add('b');
    queue.add('c');
    expect(queue.delete('b')).toBe(true);
    expect(queue.delete('b')).toBe(false);
    expect(queue.delete('a')).toBe(true);
    expect(runs[0]?.isCurrent()).toBe(false);
    // A re-added key is a new entry: the stale run still holds the only slot.
    queue.add('a');
    expect(started).toEqual(['a']);
    await finish('a');
    expect(started).toEqual(['a', 'c']);
    await finish('c');
    expect(started).toEqual(['a', 'c', 'a']);
    expect(runs[0]?.isCurrent()).toBe(true);
  });

  it('drops a key that is no longer wanted when it reaches the head, without using a slot', async () => {
    const gone = new Set(['b']);
    const { queue, started, finish } = harness({ concurrency: 1, isWanted: (key) => !gone.has(key) });
    queue.add('a');
    queue.add('b');
    queue.add('c');
    await finish('a');
    expect(started).toEqual(['a', 'c']);
    expect(queue.has('b')).toBe(false);
  });

  it('as a rotation, puts a key whose run ended at the back, and stops rotating a deleted one', async () => {
    const { queue, started, finish } = harness({ concurrency: 1, rotate: true });
    for (const key of ['a', 'b', 'c']) queue.add(key);
    await finish('a');
    await finish('b');
    await finish('c');
    expect(started).toEqual(['a', 'b', 'c', 'a']);
    queue.delete('b');
    await finish('a');
    await finish('c');
    expect(started).toEqual(['a', 'b', 'c', 'a', 'c', 'a']);
    expect(queue.size).toBe(2);
  });

  it('holds the whole queue while the head must wait, and wakes on a timer', async () => {
    vi.useFakeTimers({ now: 0 });
    const notBefore = new Map([['a', 1_000]]);
    const { queue, started } = harness({ delayMs: (key) => (notBefore.get(key) ?? 0) - Date.now() });
    queue.add('a');
    queue.add('b');
    expect(started).toEqual([]);
    await vi.advanceTimersByTimeAsync(999);
    expect(started).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toEqual(['a', 'b']);
  });

  it('clear() empties it and stops its timer; runs on their way turn stale and keep their slots', async () => {
    vi.useFakeTimers({ now: 0 });
    const notBefore = new Map([['late', 500], ['soon', 100]]);
    const { queue, started, runs, finish } = harness({ delayMs: (key) => (notBefore.get(key) ?? 0) - Date.now() });
    queue.add('a');
    queue.add('late');
    queue.clear();
    expect([queue.size, runs[0]?.isCurrent()]).toEqual([0, false]);
    // The timer for 'late' is gone, so 'soon' gets its own.
    queue.add('soon');
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toEqual(['a', 'soon']);
    // Both slots are taken: the stale run of 'a' still holds one.
    queue.add('b');
    expect(started).toEqual(['a', 'soon']);
    await finish('a');
    expect(started).toEqual(['a', 'soon', 'b']);
  });
});
