import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter.js';

describe('createRateLimiter', () => {
  function limiter(intervalMs = 1000, maxKeys?: number) {
    let clock = 0;
    const allow = createRateLimiter(intervalMs, () => clock, maxKeys);
    return { allow, tick: (ms: number) => (clock += ms) };
  }

  it('allows the first occurrence, then one per interval, reporting what it held back', () => {
    const { allow, tick } = limiter(1000);
    expect(allow('c1')).toEqual({ allowed: true, suppressed: 0 });
    tick(100);
    expect(allow('c1')).toEqual({ allowed: false, suppressed: 1 });
    tick(100);
    expect(allow('c1')).toEqual({ allowed: false, suppressed: 2 });
    tick(800);
    expect(allow('c1')).toEqual({ allowed: true, suppressed: 2 });
    tick(999);
    expect(allow('c1')).toEqual({ allowed: false, suppressed: 1 });
    tick(5000);
    expect(allow('c1')).toEqual({ allowed: true, suppressed: 1 });
  });

  it('keeps keys independent', () => {
    const { allow, tick } = limiter(1000);
    expect(allow('a').allowed).toBe(true);
    expect(allow('b').allowed).toBe(true);
    expect(allow('a').allowed).toBe(false);
    tick(500);
    expect(allow('b').allowed).toBe(false);
  });

  it('keeps a suppressed count across sweeps but forgets idle keys, and stays under maxKeys', () => {
    const { allow, tick } = limiter(1000, 3);
    allow('a');
    allow('a');
    allow('b');
    tick(2000);
    allow('c'); // sweeps: 'b' carried nothing and is forgotten; 'a' still owes a count
    expect(allow('a')).toEqual({ allowed: true, suppressed: 1 });
    allow('d');
    allow('e'); // four keys now: the one allowed longest ago ('c') is evicted
    expect(allow('c')).toEqual({ allowed: true, suppressed: 0 });
    expect(allow('e')).toEqual({ allowed: false, suppressed: 1 });
  });
});
