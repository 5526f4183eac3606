// Hand-written inline SVG: a sparkline per table row and the larger line charts of
// the detail panel. No script, no style attribute (the CSP has no 'unsafe-inline'):
// colours come from classes in style.css. Time runs left to right over a fixed
// window ending now, so a gap in the samples shows as a gap in the line.

import { escapeHtml } from './html.js';

export interface Point {
  tMs: number;
  /** null breaks the line (unknown value, e.g. across a restart). */
  v: number | null;
}

export interface Window {
  startMs: number;
  endMs: number;
}

/** Points read in place, e.g. one column of a history (no array of objects built). */
export interface PointSource {
  readonly length: number;
  timeAt(index: number): number;
  valueAt(index: number): number | null;
}

export function pointsOf(points: readonly Point[]): PointSource {
  return {
    length: points.length,
    timeAt: (index) => points[index]?.tMs ?? Number.NaN,
    valueAt: (index) => points[index]?.v ?? null,
  };
}

/**
 * Reduces points to `buckets` slots over the window, keeping the largest value of each
 * slot (a one-second CPU spike stays visible in a 5-minute sparkline). Empty slots are null.
 */
export function bucketMax(points: readonly Point[] | PointSource, window: Window, buckets: number): (number | null)[] {
  const source = Array.isArray(points) ? pointsOf(points) : (points as PointSource);
  const slots: (number | null)[] = new Array<number | null>(buckets).fill(null);
  const spanMs = window.endMs - window.startMs;
  if (!(spanMs > 0) || buckets < 1) return slots;
  for (let i = 0; i < source.length; i += 1) {
    const tMs = source.timeAt(i);
    if (tMs < window.startMs || tMs > window.endMs) continue;
    const value = source.valueAt(i);
    if (value === null || !Number.isFinite(value)) continue;
    const index = Math.min(buckets - 1, Math.floor(((tMs - window.startMs) / spanMs) * buckets));
    const current = slots[index];
    if (current === null || current === undefined || value > current) slots[index] = value;
  }
  return slots;
}

/** The largest value, at least `floor`, so a flat line near 0 is not blown up to full height. */
export function scaleMax(slots: readonly (number | null)[], floor: number): number {
  let max = floor;
  for (const value of slots) if (value !== null && value > max) max = value;
  return max;
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

/**
 * Samples further apart than this are not joined: the line shows the gap (a stalled
 * stream, Docker away, a restart). Closer ones are, however many empty slots lie between.
 */
export const MAX_JOINED_GAP_MS = 5_000;

/** How many slots apart two values may be and still be joined, for slots of `slotMs`. */
export function maxGapSlots(slotMs: number): number {
  return slotMs > 0 ? Math.max(1, Math.ceil(MAX_JOINED_GAP_MS / slotMs)) : 1;
}

/**
 * An SVG path through the slots. Null slots are skipped; the pen lifts only where
 * values are more than `maxGap` slots apart. `top`..`bottom` is the y range.
 */
export function linePath(
  slots: readonly (number | null)[],
  geometry: { left: number; width: number; top: number; bottom: number; max: number; maxGap?: number; wholePixels?: boolean },
): string {
  const maxGap = geometry.maxGap ?? 1;
  // A sparkline is a few pixels tall: whole pixels say as much in fewer bytes.
  const roundY = geometry.wholePixels === true ? Math.round : round1;
  const step = geometry.width / Math.max(1, slots.length);
  const span = geometry.bottom - geometry.top;
  let path = '';
  /** Points of the current run; a run of one is drawn as a short dash, else it would not show. */
  let run = 0;
  let lastIndex = -Infinity;
  const endRun = (): void => {
    if (run === 1) path += `h${round1(Math.max(1, step / 2))}`;
    run = 0;
  };
  slots.forEach((value, index) => {
    if (value === null) return;
    if (index - lastIndex > maxGap) endRun();
    lastIndex = index;
    const x = round1(geometry.left + (index + 0.5) * step);
    const y = roundY(geometry.bottom - (Math.min(Math.max(0, value), geometry.max) / geometry.max) * span);
    path += `${run > 0 ? 'L' : 'M'}${x} ${y}`;
    run += 1;
  });
  endRun();
  return path;
}

export interface SparklineOptions extends Window {
  /** CSS class naming the series, e.g. "cpu" → class="spark cpu". */
  kind: string;
  /** The y scale never goes below this (e.g. 1 % CPU). */
  floor: number;
  /** Read by screen readers, e.g. "CPU over the last 5m: peak 52%". */
  label: string;
  width?: number;
  height?: number;
  buckets?: number;
}

const SPARK_WIDTH = 64;
const SPARK_HEIGHT = 18;
export const SPARK_BUCKETS = 32;

export function renderSparkline(points: readonly Point[] | PointSource, options: SparklineOptions): string {
  const width = options.width ?? SPARK_WIDTH;
  const height = options.height ?? SPARK_HEIGHT;
  const buckets = options.buckets ?? SPARK_BUCKETS;
  const slots = bucketMax(points, options, buckets);
  const max = scaleMax(slots, options.floor);
  const maxGap = maxGapSlots((options.endMs - options.startMs) / buckets);
  const d = linePath(slots, { left: 0, width, top: 1, bottom: height - 1, max, maxGap, wholePixels: true });
  // Its size and base line come from style.css: fewer bytes in every row of every update.
  return (
    `<svg class="spark ${escapeHtml(options.kind)}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(options.label)}">` +
    (d === '' ? '' : `<path d="${d}"/>`) +
    '</svg>'
  );
}

export interface ChartSeries {
  /** Shown in the legend. */
  label: string;
  /** CSS class of the line, e.g. "rx". */
  kind: string;
  points: readonly Point[];
}

export interface ChartOptions extends Window {
  /** aria-label of the whole chart. */
  title: string;
  floor: number;
  formatValue(value: number): string;
  /** A dashed horizontal line, e.g. the CPU limit. */
  limit?: { value: number; label: string };
  width?: number;
  height?: number;
}

const CHART_WIDTH = 560;
const CHART_HEIGHT = 140;
/** Room under the plot for the time labels. */
const CHART_AXIS = 14;

export function renderChart(series: readonly ChartSeries[], options: ChartOptions): string {
  const width = options.width ?? CHART_WIDTH;
  const height = options.height ?? CHART_HEIGHT;
  const buckets = Math.floor(width / 2);
  const slotsBySeries = series.map((one) => bucketMax(one.points, options, buckets));
  let max = options.floor;
  for (const slots of slotsBySeries) max = scaleMax(slots, max);
  if (options.limit !== undefined && options.limit.value > max) max = options.limit.value;
  // Head room so the top line does not touch the frame.
  max *= 1.1;
  const top = 2;
  const bottom = height - CHART_AXIS;
  const yOf = (value: number): number => round1(bottom - (value / max) * (bottom - top));
  const parts: string[] = [
    `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ` +
      `role="img" aria-label="${escapeHtml(options.title)}" preserveAspectRatio="none">`,
    `<path class="grid" d="M0 ${bottom}H${width}M0 ${yOf(max / 2.2)}H${width}M0 ${yOf(max / 1.1)}H${width}"/>`,
    `<text class="axis" x="2" y="${yOf(max / 1.1) + 10}">${escapeHtml(options.formatValue(max / 1.1))}</text>`,
    `<text class="axis" x="2" y="${yOf(max / 2.2) + 10}">${escapeHtml(options.formatValue(max / 2.2))}</text>`,
  ];
  if (options.limit !== undefined) {
    const y = yOf(options.limit.value);
    parts.push(`<path class="limit" d="M0 ${y}H${width}"/>`);
    parts.push(`<text class="axis limit-label" x="${width - 2}" y="${y - 3}" text-anchor="end">${escapeHtml(options.limit.label)}</text>`);
  }
  const maxGap = maxGapSlots((options.endMs - options.startMs) / buckets);
  slotsBySeries.forEach((slots, index) => {
    const d = linePath(slots, { left: 0, width, top, bottom, max, maxGap });
    const kind = series[index]?.kind ?? '';
    if (d !== '') parts.push(`<path class="line ${escapeHtml(kind)}" d="${d}"/>`);
  });
  const spanText = formatSpan(options.endMs - options.startMs);
  parts.push(`<text class="axis" x="2" y="${height - 2}">−${spanText}</text>`);
  parts.push(`<text class="axis" x="${width - 2}" y="${height - 2}" text-anchor="end">now</text>`);
  parts.push('</svg>');
  return parts.join('');
}

/** "5 min", "90 s", "2 h": the width of a chart's window. */
export function formatSpan(spanMs: number): string {
  const seconds = Math.max(0, Math.round(spanMs / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.round(minutes / 60)} h`;
}
