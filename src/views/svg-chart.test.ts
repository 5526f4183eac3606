import { describe, expect, it } from 'vitest';
import { bucketMax, formatSpan, linePath, maxGapSlots, renderChart, renderSparkline, scaleMax } from './svg-chart.js';

const window = { startMs: 0, endMs: 10_000 };

describe('bucketMax', () => {
  it('keeps the largest value of each slot and leaves empty slots null', () => {
    const slots = bucketMax(
      [
        { tMs: 500, v: 1 },
        { tMs: 900, v: 7 },
        { tMs: 4_500, v: 3 },
        { tMs: 9_999, v: 2 },
      ],
      window,
      5,
    );
    expect(slots).toEqual([7, null, 3, null, 2]);
  });

  it('ignores points outside the window and unknown values', () => {
    const slots = bucketMax(
      [
        { tMs: -1, v: 100 },
        { tMs: 10_001, v: 100 },
        { tMs: 1_000, v: null },
        { tMs: 3_000, v: Number.NaN },
      ],
      window,
      5,
    );
    expect(slots).toEqual([null, null, null, null, null]);
  });

  it('never scales below the floor', () => {
    expect(scaleMax([0.1, null, 0.2], 5)).toBe(5);
    expect(scaleMax([12, null, 3], 5)).toBe(12);
  });
});

describe('linePath', () => {
  const geometry = { left: 0, width: 10, top: 0, bottom: 10, max: 10 };

  it('draws from the bottom (0) to the top (max)', () => {
    expect(linePath([0, 10], geometry)).toBe('M2.5 10L7.5 0');
  });

  it('lifts the pen across a gap wider than maxGap, and joins a narrower one', () => {
    const slots = [1, null, 1, null, null, null, 1];
    const wide = linePath(slots, { ...geometry, maxGap: 2 });
    expect(wide.match(/M/g)).toHaveLength(2);
    const narrow = linePath(slots, { ...geometry, maxGap: 4 });
    expect(narrow.match(/M/g)).toHaveLength(1);
  });

  it('draws a lone point as a short dash so it shows', () => {
    expect(linePath([null, 5, null], geometry)).toMatch(/^M5 5h\d/);
  });

  it('clamps values above the scale', () => {
    expect(linePath([50], geometry)).toMatch(/^M5 0/);
  });

  it('joins samples up to 5 s apart whatever the slot width', () => {
    expect(maxGapSlots(1_000)).toBe(5);
    expect(maxGapSlots(9_375)).toBe(1);
    expect(maxGapSlots(0)).toBe(1);
  });
});

describe('renderSparkline and renderChart', () => {
  const points = [
    { tMs: 1_000, v: 10 },
    { tMs: 2_000, v: 20 },
  ];

  it('is inline SVG without script, style attributes or external references, its label escaped', () => {
    const svg = renderSparkline(points, { ...window, kind: 'cpu', floor: 1, label: 'peak <b>"x"</b>' });
    expect(svg).toMatch(/^<svg class="spark cpu" viewBox="0 0 64 18" role="img"/);
    expect(svg).toMatch(/<path d="M[\d.]+ \d+L[\d.]+ \d+"\/>/);
    expect(svg).toContain('aria-label="peak &lt;b&gt;&quot;x&quot;&lt;/b&gt;"');
    expect(svg).not.toMatch(/style=|<script|href|https?:/);
    expect(svg).toContain('<path d="M');
  });

  it('draws no line when there is nothing to draw', () => {
    const svg = renderSparkline([], { ...window, kind: 'mem', floor: 1, label: 'memory' });
    expect(svg).not.toContain('<path');
  });

  it('draws one line per series, the limit dashed, and labels the axes', () => {
    const svg = renderChart(
      [
        { label: 'in', kind: 'rx', points },
        { label: 'out', kind: 'tx', points: [] },
      ],
      { ...window, title: 'network', floor: 1, formatValue: (v) => `${Math.round(v)}u`, limit: { value: 50, label: 'limit <50>' } },
    );
    expect(svg).toContain('class="line rx"');
    expect(svg).not.toContain('class="line tx"');
    expect(svg).toContain('class="limit"');
    expect(svg).toContain('limit &lt;50&gt;');
    expect(svg).toContain('>50u<');
    expect(svg).toContain('−10 s');
    expect(svg).not.toMatch(/style=|<script/);
  });

  it.each([
    [59_000, '59 s'],
    [300_000, '5 min'],
    [7_200_000, '2 h'],
  ])('names a %i ms window %s', (ms, text) => {
    expect(formatSpan(ms)).toBe(text);
  });
});
