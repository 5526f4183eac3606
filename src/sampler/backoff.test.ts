import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.js';

describe('backoffDelayMs', () => {
  it.each([
    [0, 1000],
    [1, 2000],
    [2, 4000],
    [4, 16000],
    [5, 30000],
    [40, 30000],
  ])('after %i failures waits %i ms without jitter', (failures, expected) => {
    expect(backoffDelayMs(failures, 1000, 30_000, () => 0.5)).toBe(expected);
  });

  it('never exceeds the cap, even with jitter', () => {
    for (let failures = 0; failures < 50; failures += 1) {
      expect(backoffDelayMs(failures, 1000, 30_000, () => 0.999)).toBeLessThanOrEqual(30_000);
    }
  });

  it('spreads delays by at most 20% either way', () => {
    expect(backoffDelayMs(1, 1000, 30_000, () => 0)).toBe(1600);
    expect(backoffDelayMs(1, 1000, 30_000, () => 1)).toBe(2400);
  });
});
