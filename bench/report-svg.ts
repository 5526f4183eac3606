// docs/benchmarks.svg: latency and CPU against the number of containers, two panels,
// hand-written SVG (no chart library: the repo has no runtime or chart dependencies).
// A colour per dockmon stats source, so `docker stats`, dockmon api and dockmon cgroup
// read side by side on the daemon CPU they cause.

import type { AgentFigures, BenchReport, ScenarioResult, StatsSourceSetting } from './results.js';

interface Series {
  label: string;
  color: string;
  /** SVG stroke-dasharray; solid when absent. */
  dash?: string;
  value(s: ScenarioResult): number | null;
}

interface Panel {
  title: string;
  unit: string;
  series: Series[];
  /** Legend entries per column (at most MAX_LEGEND_ROWS fit under the plot). */
  legendRows: number;
}

const WIDTH = 980;
const HEIGHT = 420;
const PANEL_WIDTH = 440;
const PLOT = { left: 60, right: 20, top: 50, bottom: 140 };
const MAX_LEGEND_ROWS = 5;
const LEGEND_COLUMN_WIDTH = 200;
const SOURCE_COLORS: Record<StatsSourceSetting, string> = { api: '#1f77b4', cgroup: '#2ca02c', auto: '#9467bd' };
const DASHED = '5 4';
const DOTTED = '2 3';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** 1, 2 or 5 × a power of ten, so that about five ticks cover [0, max]. */
function niceStep(max: number): number {
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= raw) return factor * power;
  return 10 * power;
}

function renderPanel(panel: Panel, scenarios: readonly ScenarioResult[], offsetX: number): string {
  const plotWidth = PANEL_WIDTH - PLOT.left - PLOT.right;
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  const counts = scenarios.map((s) => s.containers);
  const logMin = Math.log10(Math.min(...counts));
  const logMax = Math.log10(Math.max(...counts));
  const x = (count: number): number =>
    offsetX + PLOT.left + (logMax === logMin ? plotWidth / 2 : ((Math.log10(count) - logMin) / (logMax - logMin)) * plotWidth);
  const values = panel.series.flatMap((series) => scenarios.map((s) => series.value(s) ?? 0));
  const step = niceStep(Math.max(0.001, ...values));
  const yMax = Math.ceil(Math.max(0.001, ...values) / step) * step;
  const y = (value: number): number => PLOT.top + plotHeight - (Math.max(0, value) / yMax) * plotHeight;
  const parts: string[] = [
    `<text x="${offsetX + PLOT.left}" y="28" font-size="15" font-weight="bold">${escapeXml(panel.title)}</text>`,
    `<text x="${offsetX + 8}" y="${PLOT.top - 8}" font-size="11">${escapeXml(panel.unit)}</text>`,
  ];
  for (let tick = 0; tick <= yMax + step / 2; tick += step) {
    const label = step < 1 ? tick.toFixed(Math.ceil(-Math.log10(step))) : String(Math.round(tick));
    parts.push(
      `<line x1="${offsetX + PLOT.left}" x2="${offsetX + PLOT.left + plotWidth}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${offsetX + PLOT.left - 6}" y="${(y(tick) + 4).toFixed(1)}" font-size="11" text-anchor="end">${label}</text>`,
    );
  }
  for (const count of counts) {
    parts.push(
      `<text x="${x(count).toFixed(1)}" y="${PLOT.top + plotHeight + 16}" font-size="11" text-anchor="middle">${count}</text>`,
    );
  }
  parts.push(
    `<text x="${offsetX + PLOT.left + plotWidth / 2}" y="${PLOT.top + plotHeight + 32}" font-size="11" text-anchor="middle">containers (log scale)</text>`,
  );
  panel.series.forEach((series, index) => {
    const points = scenarios
      .map((s) => ({ count: s.containers, value: series.value(s) }))
      .filter((point): point is { count: number; value: number } => point.value !== null && Number.isFinite(point.value));
    const path = points.map((point) => `${x(point.count).toFixed(1)},${y(point.value).toFixed(1)}`).join(' ');
    const dash = series.dash === undefined ? '' : ` stroke-dasharray="${series.dash}"`;
    if (points.length > 1) parts.push(`<polyline points="${path}" fill="none" stroke="${series.color}" stroke-width="2"${dash}/>`);
    for (const point of points) {
      parts.push(`<circle cx="${x(point.count).toFixed(1)}" cy="${y(point.value).toFixed(1)}" r="3.5" fill="${series.color}"/>`);
    }
    const rows = Math.min(panel.legendRows, MAX_LEGEND_ROWS);
    const legendY = PLOT.top + plotHeight + 52 + (index % rows) * 16;
    const legendX = offsetX + PLOT.left - 40 + Math.floor(index / rows) * LEGEND_COLUMN_WIDTH;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 24}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${series.color}" stroke-width="2"${dash}/>`,
      `<text x="${legendX + 30}" y="${legendY}" font-size="11">${escapeXml(series.label)}</text>`,
    );
  });
  return parts.join('\n');
}

function runOf(s: ScenarioResult, source: StatsSourceSetting): AgentFigures | null {
  return s.agents.find((agent) => agent.statsSource === source) ?? null;
}

export function renderSvg(report: BenchReport): string {
  const scenarios = report.scenarios;
  const sources = report.settings.sources;
  const latency: Panel = {
    title: 'dockmon HTTP latency',
    unit: 'ms',
    series: sources.flatMap((source): Series[] => [
      { label: `/containers median, ${source}`, color: SOURCE_COLORS[source], value: (s) => runOf(s, source)?.latency['/containers']?.medianMs ?? null },
      { label: `/containers p99, ${source}`, color: SOURCE_COLORS[source], dash: DASHED, value: (s) => runOf(s, source)?.latency['/containers']?.p99Ms ?? null },
      { label: `/table median, ${source}`, color: SOURCE_COLORS[source], dash: DOTTED, value: (s) => runOf(s, source)?.latency['/table']?.medianMs ?? null },
    ]),
    // A column per source while two fit side by side.
    legendRows: sources.length <= 2 ? 3 : MAX_LEGEND_ROWS,
  };
  const cpu: Panel = {
    title: 'CPU, % of one core',
    unit: '% of a core',
    series: [
      { label: 'daemon, caused by docker stats', color: '#ff7f0e', value: (s) => s.dockerStats.daemonCpuPercent },
      { label: 'daemon, caused by the seed loop', color: '#d62728', value: (s) => s.seed.daemonCpuPercent },
      ...sources.map((source): Series => ({
        label: `daemon, caused by dockmon ${source}`, color: SOURCE_COLORS[source], value: (s) => runOf(s, source)?.daemonCpuPercent ?? null,
      })),
      ...sources.map((source): Series => ({
        label: `dockmon ${source} itself`, color: SOURCE_COLORS[source], dash: DASHED, value: (s) => runOf(s, source)?.cpuPercent ?? null,
      })),
    ],
    // The daemon's costs in one column, dockmon's own CPU in the next.
    legendRows: 2 + sources.length,
  };
  const subtitle = `${report.machine.cpus} CPUs, Docker ${report.machine.dockerVersion}, ${report.startedAt.slice(0, 10)}; ${report.settings.clients} clients at ${report.settings.pacePerClient} req/s each`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    renderPanel(latency, scenarios, 0),
    renderPanel(cpu, scenarios, PANEL_WIDTH + 60),
    `<text x="${WIDTH - 10}" y="${HEIGHT - 8}" font-size="10" text-anchor="end" fill="#666">${escapeXml(subtitle)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
