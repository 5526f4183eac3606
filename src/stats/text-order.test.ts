import { describe, expect, it } from 'vitest';
import { compareText } from './text-order.js';

describe('compareText', () => {
  it('orders names case-insensitively, then by code unit, as a total order', () => {
    const names = ['web-2', 'Web', 'api', 'web', 'db_1', 'web-10', 'API', '0x', 'z.svc'];
    expect([...names].sort(compareText)).toEqual(['0x', 'API', 'api', 'db_1', 'Web', 'web', 'web-10', 'web-2', 'z.svc']);
  });

  it('is zero only for equal strings and antisymmetric', () => {
    expect(compareText('a', 'a')).toBe(0);
    expect(compareText('a', 'A')).toBe(-compareText('A', 'a'));
    expect(compareText('a', 'A')).not.toBe(0);
  });
});
