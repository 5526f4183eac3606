import { describe, expect, it } from 'vitest';
import { createRingBuffer } from './ring-buffer.js';

describe('ring buffer', () => {
  it('keeps insertion order below capacity', () => {
    const ring = createRingBuffer<number>(3);
    ring.push(1);
    ring.push(2);
    expect(ring.toArray()).toEqual([1, 2]);
    expect(ring.last()).toBe(2);
    expect(ring.size).toBe(2);
  });

  it('overwrites the oldest entries once full', () => {
    const ring = createRingBuffer<number>(3);
    for (let i = 1; i <= 7; i += 1) ring.push(i);
    expect(ring.toArray()).toEqual([5, 6, 7]);
    expect(ring.size).toBe(3);
    expect(ring.last()).toBe(7);
  });

  it('is empty at first', () => {
    const ring = createRingBuffer<string>(2);
    expect(ring.toArray()).toEqual([]);
    expect(ring.last()).toBeUndefined();
  });

  it.each([0, -1, 1.5])('refuses capacity %s', (capacity) => {
    expect(() => createRingBuffer(capacity)).toThrow(RangeError);
  });
});
