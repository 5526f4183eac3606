import { describe, expect, it } from 'vitest';
import { formatAge, formatBytesBinary, formatBytesDecimal, formatPercent, formatRate } from './format.js';

describe('number formats (docker stats conventions)', () => {
  it.each([
    [0, '0B'],
    [328 * 1024, '328KiB'],
    [42_905_600, '40.92MiB'],
    [64 * 1024 * 1024, '64MiB'],
    [25_276_502_016, '23.54GiB'],
  ])('memory %i bytes reads %s (binary, 4 digits)', (bytes, expected) => {
    expect(formatBytesBinary(bytes)).toBe(expected);
  });

  it.each([
    [0, '0B'],
    [656, '656B'],
    [1268, '1.27kB'],
    [1_642_062, '1.64MB'],
    [39_958_430, '40MB'],
  ])('network %i bytes reads %s (decimal, 3 digits)', (bytes, expected) => {
    expect(formatBytesDecimal(bytes)).toBe(expected);
  });

  it('formats rates, percentages and unknowns', () => {
    expect(formatRate(2820)).toBe('2.82kB/s');
    expect(formatRate(null)).toBe('–');
    expect(formatPercent(50.0903)).toBe('50.09%');
    expect(formatPercent(null)).toBe('–');
  });

  it.each([
    [0, '0s'],
    [59_999, '59s'],
    [125_000, '2m 5s'],
    [3_840_000, '1h 4m'],
    [-50, '0s'],
  ])('an age of %i ms reads %s', (ms, expected) => {
    expect(formatAge(ms)).toBe(expected);
  });
});
