// The detail panel of one container: facts from inspect (restarts, OOM kills, limits,
// start time), its labels and compose project, and larger charts of CPU, memory,
// network and block I/O over the whole retained history. Served as a fragment by
// /detail?id=; every Docker-provided value is escaped (labels can hold markup).

import type { ContainerSample, HistorySample, Pressure } from '../stats/types.js';
import type { RowInput } from './columns.js';
import {
  formatAge,
  formatBytesBinary,
  formatCores,
  formatInteger,
  formatPercent,
  formatPercentShort,
  formatRate,
} from './format.js';
import { escapeHtml } from './html.js';
import { renderChart, type Point } from './svg-chart.js';
import { COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL, cpuOfLimit } from './table-html.js';
import { compareText } from '../stats/text-order.js';

/** Charts never span less than this, so a fresh container's first seconds are not stretched. */
const MIN_CHART_WINDOW_MS = 60_000;

/** A term and its HTML value. */
export type Fact = [string, string];

/**
 * The panel of a running (or paused) container. `lifecycle` is its rendered Lifecycle
 * section (lifecycle-html.ts), placed after the charts; '' for none.
 */
export function renderDetail(row: RowInput, nowMs: number, lifecycle = ''): string {
  const { info, latest, details } = row;
  const history = row.history?.toSamples() ?? [];
  const facts: Fact[] = [
    ['ID', `<code class="full-id">${escapeHtml(info.id)}</code>`],
    ['Image', escapeHtml(info.image)],
    ['State', escapeHtml(info.state) + (details && details.health !== 'none' ? `, ${details.health}` : '')],
    ['Network mode', escapeHtml(info.networkMode)],
  ];
  const project = info.labels[COMPOSE_PROJECT_LABEL];
  if (project !== undefined) {
    const service = info.labels[COMPOSE_SERVICE_LABEL];
    facts.push(['Compose', `${escapeHtml(project)}${service === undefined ? '' : ` / ${escapeHtml(service)}`}`]);
  }
  if (details) {
    if (details.startedAtMs !== null) {
      const started = new Date(details.startedAtMs).toISOString();
      facts.push(['Started', `<time datetime="${started}">${started.replace('T', ' ').slice(0, 19)} UTC</time> (up ${formatAge(nowMs - details.startedAtMs)})`]);
    }
    facts.push(['Restarts', String(details.restartCount)]);
    const oom = [`${details.oomKillsSeen} seen by dockmon`];
    if (details.lastExitOomKilled) oom.push('its previous run was OOM-killed');
    facts.push(['OOM kills', oom.join('; ')]);
    facts.push(['CPU limit', details.cpuLimitCores === null ? 'none' : formatCores(details.cpuLimitCores)]);
    facts.push([
      'Memory limit',
      details.memoryLimitBytes === null
        ? `none${latest ? ` (host RAM ${formatBytesBinary(latest.memoryLimitBytes)})` : ''}`
        : `${formatBytesBinary(details.memoryLimitBytes)} <small>(${formatInteger(details.memoryLimitBytes)} bytes)</small>`,
    ]);
    facts.push(['PIDs limit', details.pidsLimit === null ? 'none' : String(details.pidsLimit)]);
  } else {
    facts.push(['Restarts, limits', 'not known yet (inspect has not answered)']);
  }
  if (latest) {
    const ofLimit = cpuOfLimit(latest.cpuPercent, details);
    facts.push(['CPU now', `${formatPercent(latest.cpuPercent)}${ofLimit === '' ? '' : ` (${ofLimit})`}`]);
    facts.push(['Memory now', `${formatBytesBinary(latest.memoryUsageBytes)} used, ${formatBytesBinary(latest.memoryRawUsageBytes)} with cache`]);
    facts.push(['Sample', `<time datetime="${escapeHtml(latest.readIso)}">${formatAge(nowMs - latest.readMs)} old</time>, ${history.length} kept`]);
    facts.push(...kernelFacts(latest));
  }
  facts.push(['Numbers from', sourceFact(latest, row.sourceReason ?? null)]);
  return [
    renderDetailOpening(info.id, info.name, facts),
    `<div class="charts">${renderCharts(row, history, nowMs)}</div>`,
    lifecycle,
    renderLabels(info.labels),
    renderDownloads(info.id),
    '</section>',
  ].filter(Boolean).join('\n');
}

/** The panel's opening: <section> with the container's full ID, its heading and Close button, and the facts. */
export function renderDetailOpening(id: string, name: string, facts: readonly Fact[]): string {
  const escapedName = escapeHtml(name);
  return [
    `<section class="detail" data-id="${escapeHtml(id)}" aria-labelledby="detail-title">`,
    `<header><h2 id="detail-title" tabindex="-1">${escapedName}</h2>`,
    `<button type="button" class="close" aria-label="Close the details of ${escapedName}">Close</button></header>`,
    `<dl class="facts">${facts.map(([term, value]) => `<div><dt>${term}</dt><dd>${value}</dd></div>`).join('')}</dl>`,
  ].join('\n');
}

/** The labels, sorted by key, every key and value escaped. */
export function renderLabels(labels: Readonly<Record<string, string>>): string {
  const sorted = Object.entries(labels).sort(([a], [b]) => compareText(a, b));
  const rows = sorted.map(([key, value]) => `<tr><th scope="row">${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`);
  return `<h3>Labels <small>(${sorted.length})</small></h3>\n` +
    (sorted.length === 0 ? '<p class="muted">No labels.</p>' : `<table class="labels"><tbody>${rows.join('')}</tbody></table>`);
}

function renderDownloads(id: string): string {
  const query = encodeURIComponent(id);
  return `<p class="downloads">History: <a href="/containers/history?id=${query}">JSON</a> · ` +
    `<a href="/containers/history.csv?id=${query}" download>CSV</a></p>`;
}

function sourceFact(latest: ContainerSample | null, reason: string | null): string {
  if (latest === null) return reason === null ? 'not known yet' : `the Engine API: ${escapeHtml(reason)}`;
  if (latest.source === 'cgroup') return "the kernel (the container's cgroup files and /proc)";
  return `the Engine API${reason === null ? '' : `: ${escapeHtml(reason)}`}`;
}

function pressureText(pressure: Pressure | null): string {
  if (pressure === null) return 'n/a';
  return `${formatPercentShort(pressure.some.avg10)} some${pressure.full === null ? '' : `, ${formatPercentShort(pressure.full.avg10)} full`}`;
}

/** What the kernel (and, for throttling, the API) tells beyond docker stats. */
function kernelFacts(latest: ContainerSample): Fact[] {
  const facts: Fact[] = [];
  if (latest.cpuCfsPeriods > 0) {
    const share = (latest.cpuCfsThrottledPeriods / latest.cpuCfsPeriods) * 100;
    facts.push([
      'CPU throttled',
      `${formatInteger(latest.cpuCfsThrottledPeriods)} of ${formatInteger(latest.cpuCfsPeriods)} periods (${formatPercentShort(share)}), ` +
        `${formatAge(latest.cpuCfsThrottledNs / 1e6)} in all`,
    ]);
  }
  if (latest.oomKills !== null) facts.push(['OOM kills (kernel)', formatInteger(latest.oomKills)]);
  if (latest.memoryMaxUsageBytes !== null) facts.push(['Memory peak', formatBytesBinary(latest.memoryMaxUsageBytes)]);
  if (latest.memorySwapBytes !== null) facts.push(['Swap', formatBytesBinary(latest.memorySwapBytes)]);
  if (latest.memoryFailcnt !== null) facts.push(['Memory limit hits', formatInteger(latest.memoryFailcnt)]);
  const pressure = latest.pressure;
  if (pressure !== null) {
    facts.push([
      'Pressure <small>(last 10 s)</small>',
      `CPU ${pressureText(pressure.cpu)}; memory ${pressureText(pressure.memory)}; I/O ${pressureText(pressure.io)}`,
    ]);
  }
  return facts;
}

function series(history: readonly HistorySample[], pick: (sample: HistorySample) => number | null): Point[] {
  return history.map((sample) => ({ tMs: sample.readMs, v: pick(sample) }));
}

/** Block I/O is cumulative: its rate is the difference between consecutive samples. */
export function blockRates(history: readonly HistorySample[]): { read: Point[]; write: Point[] } {
  const read: Point[] = [];
  const write: Point[] = [];
  for (let i = 1; i < history.length; i += 1) {
    const previous = history[i - 1];
    const current = history[i];
    if (previous === undefined || current === undefined) continue;
    const seconds = (current.readMs - previous.readMs) / 1000;
    const readDelta = current.blockReadBytes - previous.blockReadBytes;
    const writeDelta = current.blockWriteBytes - previous.blockWriteBytes;
    // A restart resets the counters: the rate over that gap is unknown, not negative.
    const known = seconds > 0 && readDelta >= 0 && writeDelta >= 0;
    read.push({ tMs: current.readMs, v: known ? readDelta / seconds : null });
    write.push({ tMs: current.readMs, v: known ? writeDelta / seconds : null });
  }
  return { read, write };
}

function renderCharts(row: RowInput, history: readonly HistorySample[], nowMs: number): string {
  const first = history[0];
  if (first === undefined) return '<p class="muted">No samples yet.</p>';
  const window = { startMs: Math.min(first.readMs, nowMs - MIN_CHART_WINDOW_MS), endMs: nowMs };
  const cores = row.details?.cpuLimitCores ?? null;
  const blocks = blockRates(history);
  const memoryLimit = row.details?.memoryLimitBytes ?? null;
  const figure = (caption: string, legend: [string, string][], svg: string): string =>
    `<figure><figcaption>${caption}${legend.map(([kind, label]) => ` <span class="key ${kind}">${label}</span>`).join('')}</figcaption>${svg}</figure>`;
  return [
    figure('CPU % <small>(100% = 1 core)</small>', [['cpu', 'CPU']], renderChart(
      [{ label: 'CPU', kind: 'cpu', points: series(history, (s) => s.cpuPercent) }],
      {
        ...window,
        title: 'CPU percent over the retained history',
        floor: 5,
        formatValue: formatPercentShort,
        ...(cores === null ? {} : { limit: { value: cores * 100, label: `limit ${formatCores(cores)}` } }),
      },
    )),
    figure('Memory', [['mem', 'used'], ['raw', 'with cache']], renderChart(
      [
        { label: 'used', kind: 'mem', points: series(history, (s) => s.memoryUsageBytes) },
        { label: 'with cache', kind: 'raw', points: series(history, (s) => s.memoryRawUsageBytes) },
      ],
      {
        ...window,
        title: 'memory used and with cache over the retained history',
        floor: 1024 * 1024,
        formatValue: formatBytesBinary,
        ...(memoryLimit === null ? {} : { limit: { value: memoryLimit, label: `limit ${formatBytesBinary(memoryLimit)}` } }),
      },
    )),
    figure('Network', [['rx', 'in'], ['tx', 'out']], renderChart(
      [
        { label: 'in', kind: 'rx', points: series(history, (s) => s.networkRxBytesPerSecond) },
        { label: 'out', kind: 'tx', points: series(history, (s) => s.networkTxBytesPerSecond) },
      ],
      { ...window, title: 'network receive and send rates over the retained history', floor: 1000, formatValue: formatRate },
    )),
    figure('Block I/O', [['rd', 'read'], ['wr', 'write']], renderChart(
      [
        { label: 'read', kind: 'rd', points: blocks.read },
        { label: 'write', kind: 'wr', points: blocks.write },
      ],
      { ...window, title: 'block read and write rates over the retained history', floor: 1000, formatValue: formatRate },
    )),
  ].join('');
}
