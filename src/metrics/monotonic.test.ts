import { describe, expect, it } from 'vitest';
import { createMonotonicCounters } from './monotonic.js';

function setup(retentionMs = 1000): { counters: ReturnType<typeof createMonotonicCounters>; clock: { nowMs: number } } {
  const clock = { nowMs: 0 };
  return { counters: createMonotonicCounters({ retentionMs, now: () => clock.nowMs }), clock };
}

describe('createMonotonicCounters', () => {
  it('passes raw values through while they only grow', () => {
    const { counters } = setup();
    expect(counters.container('a', 10)('cpu', 10)).toBe(10);
    expect(counters.container('a', 12)('cpu', 12)).toBe(12);
    expect(counters.container('a', 12)('cpu', 12)).toBe(12);
  });

  it('a restart (CPU time going down) carries every series of that container over, even ones that did not drop', () => {
    const { counters } = setup();
    let adjust = counters.container('a', 100);
    expect(adjust('cpu', 100)).toBe(100);
    expect(adjust('rx', 1000)).toBe(1000);
    // Restarted: CPU from 0 again; rx is already past its old value in the new namespace.
    adjust = counters.container('a', 5);
    expect(adjust('cpu', 5)).toBe(105);
    expect(adjust('rx', 1200)).toBe(2200);
    // And it keeps counting from there.
    adjust = counters.container('a', 7);
    expect(adjust('cpu', 7)).toBe(107);
    expect(adjust('rx', 1300)).toBe(2300);
  });

  it('a single series going down (interface re-attached) gets its own offset, the others none', () => {
    const { counters } = setup();
    let adjust = counters.container('a', 100);
    adjust('cpu', 100);
    adjust('rx eth1', 500);
    adjust = counters.container('a', 110);
    expect(adjust('cpu', 110)).toBe(110);
    expect(adjust('rx eth1', 20)).toBe(520);
  });

  it('keeps containers apart', () => {
    const { counters } = setup();
    counters.container('a', 100)('cpu', 100);
    counters.container('b', 50)('cpu', 50);
    expect(counters.container('a', 1)('cpu', 1)).toBe(101);
    expect(counters.container('b', 60)('cpu', 60)).toBe(60);
  });

  it('never goes down for any sequence of raw values', () => {
    const { counters } = setup();
    const raws = [5, 9, 2, 2, 8, 0, 0, 3, 11, 1];
    let last = -1;
    for (const raw of raws) {
      const value = counters.container('a', raw)('cpu', raw);
      expect(value).toBeGreaterThanOrEqual(last);
      last = value;
    }
    // 5→9, reset, 2→8, reset, 0→3→11, reset, 1: 9 + 8 + 11 + 1
    expect(last).toBe(29);
  });

  it('keeps the state of a container that is gone for retentionMs, then drops it', () => {
    const { counters, clock } = setup(1000);
    counters.container('a', 100)('cpu', 100);
    counters.sweep(new Set(['a']));
    clock.nowMs = 1000;
    counters.sweep(new Set());
    expect(counters.size()).toBe(1);
    // Back within the retention (a restart): offsets kept.
    expect(counters.container('a', 3)('cpu', 3)).toBe(103);
    clock.nowMs = 2000;
    counters.sweep(new Set());
    expect(counters.size()).toBe(1);
    clock.nowMs = 2001;
    counters.sweep(new Set());
    expect(counters.size()).toBe(0);
    // Gone longer than that: a fresh start.
    expect(counters.container('a', 3)('cpu', 3)).toBe(3);
  });
});
