import { describe, expect, it } from 'vitest';
import {
  formatAge,
  formatBytesBinary,
  formatBytesDecimal,
  formatCores,
  formatInteger,
  formatPercent,
  formatPercentShort,
  formatRate,
  formatUptime,
} from './format.js';

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
    [86_400_000, '1d 0h'],
    [3 * 86_400_000 + 4 * 3_600_000 + 59_000, '3d 4h'],
    [Number.NaN, '0s'],
  ])('an age of %i ms reads %s', (ms, expected) => {
    expect(formatAge(ms)).toBe(expected);
  });

  it.each([
    [45_000, '45s'],
    [125_000, '2m'],
    [3_599_000, '59m'],
    [3_840_000, '1h 4m'],
    [90_000_000, '1d 1h'],
  ])('an uptime of %i ms reads %s (whole minutes after the first)', (ms, expected) => {
    expect(formatUptime(ms)).toBe(expected);
  });

  it.each([
    [0, '0'],
    [999, '999'],
    [1000, '1,000'],
    [42_905_600, '42,905,600'],
    [25_276_502_016, '25,276,502,016'],
    [1234.6, '1,235'],
    [-1500, '-1,500'],
  ])('the exact figure of %d reads %s', (value, expected) => {
    expect(formatInteger(value)).toBe(expected);
  });

  it.each([
    [0.5, '0.5 CPU'],
    [1, '1 CPU'],
    [1.5, '1.5 CPUs'],
    [2, '2 CPUs'],
    [1 / 3, '0.33 CPU'],
  ])('a CPU limit of %d cores reads %s', (cores, expected) => {
    expect(formatCores(cores)).toBe(expected);
  });

  it('writes axis percentages with three significant digits', () => {
    expect(formatPercentShort(100)).toBe('100%');
    expect(formatPercentShort(12.345)).toBe('12.3%');
    expect(formatPercentShort(0.5)).toBe('0.5%');
  });

  it('writes rates of a second in decimal units, as docker stats writes sizes', () => {
    expect(formatRate(0)).toBe('0B/s');
    expect(formatRate(999)).toBe('999B/s');
    expect(formatRate(1_500_000)).toBe('1.5MB/s');
  });
});
