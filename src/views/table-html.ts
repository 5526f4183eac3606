// The table of the page: one <tr data-id="FULL_ID"> per running container (the
// seed's /table fragment, also pushed over SSE), its header with the sort state, and
// the host totals row. Every Docker-provided value is escaped; every number shown in
// human units carries its exact value in a title; every cell carries its sort key in
// data-v so the script can sort and filter without parsing text.

import type { ContainerDetails, ContainerSample, HistoryField, HistorySeries } from '../stats/types.js';
import { renderAlertBadges } from './alerts-html.js';
import { COLUMNS, columnsFor, uptimeSeconds, type RowInput, type SortState } from './columns.js';
import {
  formatAge,
  formatBytesBinary,
  formatBytesDecimal,
  formatCores,
  formatInteger,
  formatPercent,
  formatRate,
  formatUptime,
} from './format.js';
import { escapeHtml } from './html.js';
import { cell, identityCells, renderRow } from './row-cells.js';
import { isStale } from './staleness.js';
import { renderStoppedRow } from './stopped-html.js';
import { renderSparkline, SPARK_BUCKETS, type PointSource } from './svg-chart.js';

export type { RowInput } from './columns.js';
export { STALE_AFTER_MS } from './staleness.js';
export { COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL, filterText } from './row-cells.js';
/** The window of the row sparklines. */
export const SPARKLINE_WINDOW_MS = 5 * 60_000;

export const NO_CONTAINERS_ROW = `<tr class="empty"><td colspan="${COLUMNS.length}">No running containers.</td></tr>`;
/** Before the daemon ever answered: an empty table would read as "nothing runs". */
export const NO_DATA_ROW = `<tr class="empty"><td colspan="${COLUMNS.length}">No data yet: Docker has not answered (see above).</td></tr>`;

export function renderTableRows(rows: readonly RowInput[], nowMs: number, everConnected = true): string {
  if (rows.length === 0) return everConnected ? NO_CONTAINERS_ROW : NO_DATA_ROW;
  return rows.map((row) => renderTableRow(row, nowMs)).join('\n');
}

/**
 * One container's <tr data-id="FULL_ID">: a running (or paused) one with its usage, or a
 * stopped one greyed with how it ended. A row with a firing alert is marked "alerting".
 */
export function renderTableRow(row: RowInput, nowMs: number): string {
  if (row.stopped !== undefined) return renderStoppedRow({ ...row, stopped: row.stopped }, nowMs);
  const key = row.remote?.key;
  if (key === undefined) return renderRunningRow(row, nowMs);
  // Another host's row changes only with that host's next answer (every PEER_INTERVAL) or
  // when it goes stale: between the two, every request and live tick reuses its HTML.
  const stale = isStale(row.latest?.readMs ?? null, nowMs);
  const kept = renderedRemote.get(key);
  if (kept !== undefined && !stale && !kept.stale && kept.down === row.remote?.down) return kept.html;
  const html = renderRunningRow(row, nowMs);
  renderedRemote.set(key, { html, stale, down: row.remote?.down === true });
  return html;
}

/** Rendered rows of other hosts, by the peer's entry object (collected with it at the next answer). */
const renderedRemote = new WeakMap<object, { html: string; stale: boolean; down: boolean }>();

function renderRunningRow(row: RowInput, nowMs: number): string {
  const { info, latest: sample } = row;
  const ageMs = sample ? nowMs - sample.readMs : null;
  const stale = isStale(sample?.readMs ?? null, nowMs);
  const alerting = (row.alerts?.length ?? 0) > 0;
  const cells = [
    ...identityCells(row),
    cell('state', row, ' class="state"', stateContent(row, ageMs, stale)),
    uptimeCell(row, nowMs),
    ...(sample
      ? sampleCells(row, sample, nowMs)
      : [`<td class="num waiting" colspan="5">waiting for the first sample…</td>`]),
  ];
  const remote = row.remote === undefined ? '' : row.remote.down ? 'remote host-down' : 'remote';
  return renderRow(row, [info.state === 'paused' ? 'paused' : '', stale ? 'stale' : '', alerting ? 'alerting' : '', remote], cells);
}

function stateContent(row: RowInput, ageMs: number | null, stale: boolean): string {
  const { info, details } = row;
  const badges = [`<span class="badge s-${escapeHtml(info.state)}">${escapeHtml(info.state)}</span>`];
  // An alert's badge (⚠ unhealthy, ⚠ OOM-killed) says that a rule fires, beside the plain
  // badge that states the fact (which stays: it carries the count or the age).
  if (row.alerts !== undefined && row.alerts.length > 0) badges.push(renderAlertBadges(row.alerts));
  if (details && details.health !== 'none') {
    badges.push(`<span class="badge h-${details.health}" title="health check: ${details.health}">${details.health}</span>`);
  }
  if (details && details.restartCount > 0) {
    const times = details.restartCount === 1 ? 'once' : `${details.restartCount} times`;
    badges.push(`<span class="badge warn" title="restarted ${times} by Docker">↻${details.restartCount}</span>`);
  }
  if (details && (details.oomKillsSeen > 0 || details.lastExitOomKilled)) {
    const title = details.oomKillsSeen > 0 ? `${details.oomKillsSeen} OOM kill(s) seen` : 'its previous run was OOM-killed';
    badges.push(`<span class="badge bad" title="${title}">OOM</span>`);
  }
  if (stale) {
    const text = ageMs === null ? 'no data yet' : `stale ${formatAge(ageMs)}`;
    const title = ageMs === null
      ? 'no stats sample has arrived yet'
      : `the last stats sample is ${formatAge(ageMs)} old: its stream stalled or Docker is unreachable`;
    badges.push(`<span class="badge stale" title="${title}">${text}</span>`);
  }
  return badges.join(' ');
}

function uptimeCell(row: RowInput, nowMs: number): string {
  const seconds = uptimeSeconds(row, nowMs);
  const startedAtMs = row.details?.startedAtMs ?? null;
  if (seconds === null || startedAtMs === null) return cell('uptime', row, ' class="num" title="start time not known yet"', '–');
  const title = `started ${new Date(startedAtMs).toISOString()}`;
  return cell('uptime', row, ` class="num" title="${title}"`, formatUptime(seconds * 1000));
}

/** One column of the history, read in place: no object per sample per request. */
function column(history: HistorySeries, field: HistoryField): PointSource {
  return {
    length: history.length,
    timeAt: (index) => history.valueAt('readMs', index) ?? Number.NaN,
    valueAt: (index) => history.valueAt(field, index),
  };
}

function sparkline(row: RowInput, nowMs: number, kind: 'cpu' | 'mem'): string {
  if (!row.history || row.history.length === 0) return '';
  // The window ends on a slot boundary, so a sample stays in its slot until the line
  // moves one slot left: between moves an idle row renders the same, and is not re-sent.
  const slotMs = SPARKLINE_WINDOW_MS / SPARK_BUCKETS;
  const endMs = Math.ceil(nowMs / slotMs) * slotMs;
  const window = { startMs: endMs - SPARKLINE_WINDOW_MS, endMs };
  const values = column(row.history, kind === 'cpu' ? 'cpuPercent' : 'memoryUsageBytes');
  let peak = 0;
  for (let i = 0; i < values.length; i += 1) {
    const value = values.valueAt(i);
    if (value !== null && values.timeAt(i) >= window.startMs && value > peak) peak = value;
  }
  const label = kind === 'cpu' ? `CPU, last 5 min, peak ${formatPercent(peak)}` : `memory, last 5 min, peak ${formatBytesBinary(peak)}`;
  return renderSparkline(values, { ...window, kind, label, floor: kind === 'cpu' ? 5 : 1024 * 1024 });
}

/** "62.4% of its 0.5 CPU limit", or '' without a limit. */
export function cpuOfLimit(cpuPercent: number | null, details: ContainerDetails | null | undefined): string {
  const cores = details?.cpuLimitCores ?? null;
  if (cpuPercent === null || cores === null) return '';
  return `${formatPercent(cpuPercent / cores)} of ${formatCores(cores)} limit`;
}

function cpuTitle(sample: ContainerSample, details: ContainerDetails | null | undefined): string {
  const exact = sample.cpuPercent === null ? 'not known yet' : `${Number(sample.cpuPercent.toFixed(4))}%`;
  const lines = [`${exact} (100% = 1 core)`];
  if (sample.onlineCpus > 0) lines.push(`${formatCores(sample.onlineCpus)}: up to ${sample.onlineCpus * 100}%`);
  const limit = cpuOfLimit(sample.cpuPercent, details);
  if (limit !== '') lines.push(limit);
  return lines.join('\n');
}

function memoryTitle(sample: ContainerSample, details: ContainerDetails | null | undefined): string {
  const limit = details?.memoryLimitBytes === null ? ' (no limit: host RAM)' : '';
  return [
    `used ${formatInteger(sample.memoryUsageBytes)} B (less inactive file cache)`,
    `with cache ${formatInteger(sample.memoryRawUsageBytes)} B (${formatBytesBinary(sample.memoryRawUsageBytes)})`,
    `limit ${formatInteger(sample.memoryLimitBytes)} B${limit}`,
  ].join('\n');
}

function sampleCells(row: RowInput, sample: ContainerSample, nowMs: number): string[] {
  const { details } = row;
  const ofLimit = cpuOfLimit(sample.cpuPercent, details);
  const memory = `${formatBytesBinary(sample.memoryUsageBytes)} / ${formatBytesBinary(sample.memoryLimitBytes)}`;
  const network = sample.hasNetworks
    ? `${formatBytesDecimal(sample.networkRxBytes)} / ${formatBytesDecimal(sample.networkTxBytes)}`
    : 'n/a';
  const rates = sample.hasNetworks
    ? `↓${formatRate(sample.networkRxBytesPerSecond)} ↑${formatRate(sample.networkTxBytesPerSecond)}`
    : 'no network';
  const netTitle = sample.hasNetworks
    ? `in ${formatInteger(sample.networkRxBytes)} B, out ${formatInteger(sample.networkTxBytes)} B\n` +
      `now ${rateExact(sample.networkRxBytesPerSecond)} in, ${rateExact(sample.networkTxBytesPerSecond)} out`
    : 'no network interfaces (--network none or host)';
  const pidsLimit = details?.pidsLimit ?? null;
  return [
    cell('cpu', row, ` class="num cpu" title="${escapeHtml(cpuTitle(sample, details))}"`,
      `${sparkline(row, nowMs, 'cpu')}<span class="v">${formatPercent(sample.cpuPercent)}</span>` +
        (ofLimit === '' ? '' : `<small>${ofLimit}</small>`)),
    cell('mem', row, ` class="num mem" title="${escapeHtml(memoryTitle(sample, details))}"`,
      `${sparkline(row, nowMs, 'mem')}<span class="v">${memory}</span><small>${formatPercent(sample.memoryPercent)}</small>`),
    cell('net', row, ` class="num net" title="${netTitle}"`, `<span class="v">${network}</span><small>${rates}</small>`),
    cell('block', row,
      ` class="num blk" title="read ${formatInteger(sample.blockReadBytes)} B, written ${formatInteger(sample.blockWriteBytes)} B"`,
      `<span class="v">${formatBytesDecimal(sample.blockReadBytes)} / ${formatBytesDecimal(sample.blockWriteBytes)}</span>`),
    cell('pids', row, ` class="num pids"${pidsLimit === null ? '' : ` title="limit ${pidsLimit}"`}`,
      `<span class="v">${sample.pids}</span>${pidsLimit === null ? '' : `<small>of ${pidsLimit}</small>`}`),
  ];
}

function rateExact(bytesPerSecond: number | null): string {
  return bytesPerSecond === null ? 'unknown' : `${formatInteger(bytesPerSecond)} B/s`;
}

/** The header row: a sort button per column, aria-sort on the sorted one; with `hosts`, the Host column. */
export function renderTableHead(sort: SortState, hosts = false): string {
  const cells = columnsFor(hosts).map((column) => {
    const sorted = column.id === sort.column;
    const ariaSort = sorted ? ` aria-sort="${sort.direction === 'asc' ? 'ascending' : 'descending'}"` : '';
    const hint = column.hint === undefined ? '' : `<small>${column.hint}</small>`;
    return `<th scope="col" data-col="${column.id}"${column.numeric ? ' class="num"' : ''}${ariaSort}>` +
      `<button type="button" data-sort="${column.id}"><span>${column.label}</span>${hint}</button></th>`;
  });
  return `<tr>${cells.join('')}</tr>`;
}

/**
 * The host totals row. Host RAM is known only through a container without a memory
 * limit (the daemon then reports the host's RAM as its limit), so it is shown when one is.
 */
export function renderTotalsRow(rows: readonly RowInput[], nowMs: number, options: { hosts?: number } = {}): string {
  const sampled = rows.map((row) => row.latest).filter((sample): sample is ContainerSample => sample !== null);
  const paused = rows.filter((row) => row.info.state === 'paused').length;
  const stale = rows.filter((row) => isStale(row.latest?.readMs ?? null, nowMs)).length;
  let cpu = 0;
  let memory = 0;
  let rx = 0;
  let tx = 0;
  let rxRate = 0;
  let txRate = 0;
  let read = 0;
  let written = 0;
  let pids = 0;
  let cpus = 0;
  for (const sample of sampled) {
    cpu += sample.cpuPercent ?? 0;
    memory += sample.memoryUsageBytes;
    rx += sample.networkRxBytes;
    tx += sample.networkTxBytes;
    rxRate += sample.networkRxBytesPerSecond ?? 0;
    txRate += sample.networkTxBytesPerSecond ?? 0;
    read += sample.blockReadBytes;
    written += sample.blockWriteBytes;
    pids += sample.pids;
    cpus = Math.max(cpus, sample.onlineCpus);
  }
  const unlimited = rows.find((row) => row.details?.memoryLimitBytes === null && row.latest !== null);
  const hostRam = unlimited?.latest?.memoryLimitBytes ?? null;
  const counts = [`${rows.length} container${rows.length === 1 ? '' : 's'}`];
  // Across hosts a share of "the" host's CPUs or RAM means nothing: say how many hosts instead.
  const hosts = options.hosts ?? 0;
  if (hosts > 0) counts.push(`${hosts} host${hosts === 1 ? '' : 's'}`);
  if (paused > 0) counts.push(`${paused} paused`);
  if (stale > 0) counts.push(`${stale} stale`);
  const cpuHost = cpus > 0 && hosts === 0 ? `<small>${formatPercent(cpu / cpus)} of ${formatCores(cpus)}</small>` : '';
  const memHost = hostRam !== null && hostRam > 0 && hosts === 0
    ? `<small>${formatPercent((memory / hostRam) * 100)} of ${formatBytesBinary(hostRam)} RAM</small>`
    : '';
  return (
    `<tr class="totals"><th scope="row" colspan="${hosts > 0 ? 6 : 5}">All containers <small>${counts.join(', ')}</small></th>` +
    `<td class="num cpu" data-col="cpu" title="sum of the containers' CPU %: ${cpu.toFixed(2)}%"><span class="v">${formatPercent(cpu)}</span>${cpuHost}</td>` +
    `<td class="num mem" data-col="mem" title="sum of used memory: ${formatInteger(memory)} bytes"><span class="v">${formatBytesBinary(memory)}</span>${memHost}</td>` +
    `<td class="num net" data-col="net" title="in ${formatInteger(rx)} bytes, out ${formatInteger(tx)} bytes"><span class="v">${formatBytesDecimal(rx)} / ${formatBytesDecimal(tx)}</span><small>↓${formatRate(rxRate)} ↑${formatRate(txRate)}</small></td>` +
    `<td class="num blk" data-col="block" title="read ${formatInteger(read)} bytes, written ${formatInteger(written)} bytes"><span class="v">${formatBytesDecimal(read)} / ${formatBytesDecimal(written)}</span></td>` +
    `<td class="num pids" data-col="pids"><span class="v">${pids}</span></td></tr>`
  );
}

/**
 * The host filter beside the text filter (with PEERS): every host with rows, the one in
 * the URL selected. The script adds hosts that appear later.
 */
export function renderHostFilter(rows: readonly RowInput[], selected: string): string {
  const hosts = [...new Set(rows.map((row) => row.host).filter((host): host is string => host !== undefined))];
  if (selected !== '' && !hosts.includes(selected)) hosts.push(selected);
  hosts.sort((a, b) => a.localeCompare(b));
  const options = hosts.map((host) => {
    const value = escapeHtml(host);
    return `<option value="${value}"${host === selected ? ' selected' : ''}>${value}</option>`;
  });
  return '<label for="host-filter" class="sr-only">Show one host</label>' +
    `<select id="host-filter"><option value="">All hosts</option>${options.join('')}</select>`;
}
