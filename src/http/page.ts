// The page's routes: `/` with the first table already rendered, the seed's /table
// fragment, the /live event stream, and one container's history as JSON or CSV (the
// /detail panel is in detail-route.ts). Everything is read from memory; nothing waits
// on Docker. Rows served to a user (page, /table, or a live snapshot) go to the stats
// log once per sample, as the seed's /table did. `?stopped=1` on /, /table and /live
// adds the stopped containers (page-rows.ts).

import { BadRequestError } from '../errors.js';
import { renderAlertBanner, sortFiring } from '../views/alerts-html.js';
import { parseSort, sortRows, type RowInput } from '../views/columns.js';
import { toContainerJson } from '../views/container-json.js';
import { historyCsvFileName, toHistoryCsv, toHistoryJson } from '../views/history-json.js';
import { renderBanner, statusLine, type PageStatus } from '../views/page-status.js';
import { isStale } from '../views/staleness.js';
import {
  NO_CONTAINERS_ROW,
  NO_DATA_ROW,
  renderTableHead,
  renderTableRow,
  renderTableRows,
  renderTotalsRow,
} from '../views/table-html.js';
import { escapeHtml } from '../views/html.js';
import { resolveContainer } from './container-query.js';
import { dockerStateHeaders, requireDockerData } from './docker-state.js';
import { onlyParameters, parseShowStopped, requiredId } from './page-query.js';
import { pageRows, type PageRows } from './page-rows.js';
import { statsSourcesSummary } from './stats-sources-json.js';
import { send, sendError, sendHtml, sendJson } from './respond.js';
import type { AppDeps, RequestContext } from './context.js';

export { rowInputs } from './page-rows.js';

/** The live stream's channels: the page without and with "show stopped". */
export type LiveChannel = 'running' | 'stopped';

/** `/live?stopped=1` watches the 'stopped' channel. */
export function liveChannel(url: URL): LiveChannel {
  return parseShowStopped(url) ? 'stopped' : 'running';
}

/** Appends the samples in `rows` not logged before (the sample log de-duplicates). */
export function logServedRows(deps: Pick<AppDeps, 'sampleLog'>, rows: readonly RowInput[], nowMs: number): void {
  const served = [];
  for (const row of rows) {
    if (row.latest === null) continue;
    const { sample_age_seconds: _age, ...logged } = toContainerJson(row, nowMs);
    served.push({ id: row.info.id, readMs: row.latest.readMs, record: logged });
  }
  deps.sampleLog.logServed(served, nowMs);
}

export function pageStatus(deps: Pick<AppDeps, 'store' | 'logStatus'>, rows: readonly RowInput[], nowMs: number): PageStatus {
  const docker = deps.store.docker();
  const log = deps.logStatus();
  return {
    docker: {
      state: docker.state,
      message: docker.message,
      hint: docker.hint,
      since: new Date(docker.sinceMs).toISOString(),
      api_version: docker.apiVersion,
      ever_connected: docker.everConnected,
    },
    log: { ok: log.ok, error: log.error },
    containers: rows.length,
    stale_containers: rows.filter((row) => isStale(row.latest?.readMs ?? null, nowMs)).length,
    stats_sources: statsSourcesSummary(deps.store),
  };
}

/** What one render gives the live stream: the whole state, and what changed since the previous render. */
export interface SnapshotFrames {
  /**
   * For a viewer that just connected: {time, rows, totals, status, alerts}, rows as /table
   * renders them, alerts the summaries of the firing alerts (oldest first).
   */
  full: string;
  /**
   * For viewers that have the previous state: {time, rows?: {id: html}, removed?: [id],
   * totals?, status?, alerts?}, only what changed. An idle host sends little more than the time.
   */
  patch: string;
}

interface RenderedState {
  rows: Map<string, string>;
  totals: string;
  status: string;
  alerts: string;
}

/**
 * The live stream's renderer, one state per channel. Each call renders every row (ages
 * and rates move) but the patch carries only the rows whose HTML changed, so a second
 * screen left open all day costs bytes in proportion to what moves, not to the number
 * of containers.
 */
export function createSnapshotRenderer(
  deps: Pick<AppDeps, 'store' | 'logStatus' | 'sampleLog' | 'now' | 'lifecycle'>,
): (channel?: string) => SnapshotFrames {
  const previous = new Map<string, RenderedState>();
  return (channel = 'running') => {
    const nowMs = deps.now();
    const { running, stopped, firing } = pageRows(deps, nowMs, channel === 'stopped');
    logServedRows(deps, running, nowMs);
    const time = new Date(nowMs).toISOString();
    const rendered = new Map([...running, ...stopped].map((row) => [row.info.id, renderTableRow(row, nowMs)]));
    const totals = renderTotalsRow(running, nowMs);
    const status = pageStatus(deps, running, nowMs);
    const alerts = sortFiring(firing).map((alert) => alert.summary);
    const next: RenderedState = { rows: rendered, totals, status: JSON.stringify(status), alerts: JSON.stringify(alerts) };
    const full = JSON.stringify({
      time,
      rows: rendered.size === 0 ? (deps.store.docker().everConnected ? NO_CONTAINERS_ROW : NO_DATA_ROW) : [...rendered.values()].join('\n'),
      totals,
      status,
      alerts,
    });
    const before = previous.get(channel) ?? { rows: new Map<string, string>(), totals: '', status: '', alerts: '' };
    const patch: Record<string, unknown> = { time };
    const changed: Record<string, string> = {};
    for (const [id, html] of rendered) if (before.rows.get(id) !== html) changed[id] = html;
    const removed = [...before.rows.keys()].filter((id) => !rendered.has(id));
    if (Object.keys(changed).length > 0) patch['rows'] = changed;
    if (removed.length > 0) patch['removed'] = removed;
    if (totals !== before.totals) patch['totals'] = totals;
    if (next.status !== before.status) patch['status'] = status;
    if (next.alerts !== before.alerts) patch['alerts'] = alerts;
    previous.set(channel, next);
    return { full, patch: JSON.stringify(patch) };
  };
}

// ---- / ------------------------------------------------------------------------

const SLOT = /<!--dockmon:([a-z]+)-->/g;
const templates = new WeakMap<Buffer, string>();

/** Fills each <!--dockmon:name--> of index.html; an unknown slot is left empty. */
export function fillTemplate(template: string, slots: Readonly<Record<string, string>>): string {
  return template.replace(SLOT, (_match, name: string) => slots[name] ?? '');
}

/**
 * `/`: index.html with the table already in it (sorted as ?sort=&dir= say, stopped
 * containers as ?stopped= says), and the banners, so data shows before any script runs.
 */
export function servePage({ req, res, url, deps }: RequestContext): void {
  const file = deps.staticFiles.get('/');
  if (!file) throw new Error('index.html was not loaded');
  let template = templates.get(file.body);
  if (template === undefined) {
    template = file.body.toString('utf8');
    templates.set(file.body, template);
  }
  const showStopped = parseShowStopped(url);
  const nowMs = deps.now();
  const sort = parseSort(url.searchParams.get('sort'), url.searchParams.get('dir'));
  const { running, stopped, firing } = pageRows(deps, nowMs, showStopped);
  const status = pageStatus(deps, running, nowMs);
  const html = fillTemplate(template, {
    thead: renderTableHead(sort),
    rows: renderTableRows(sortRows([...running, ...stopped], sort), nowMs, deps.store.docker().everConnected),
    totals: renderTotalsRow(running, nowMs),
    banner: renderBanner(status),
    alerts: renderAlertBanner(firing),
    stopped: showStopped ? ' checked' : '',
    status: escapeHtml(statusLine(status)),
    filter: escapeHtml((url.searchParams.get('q') ?? '').slice(0, 200)),
  });
  sendHtml(req, res, html);
  if (req.method !== 'HEAD') logServedRows(deps, running, nowMs);
}

// ---- /table -------------------------------------------------------------------

/**
 * The seed's fragment: one <tr data-id="FULL_ID"> per running container, then the
 * stopped ones in view (all of them with ?stopped=1). With ?totals=1 the host totals row
 * follows (the page's polling fallback asks for it).
 */
export function serveTable({ req, res, url, deps }: RequestContext): void {
  const totals = url.searchParams.get('totals') === '1';
  const showStopped = parseShowStopped(url);
  requireDockerData(deps.store);
  const inputs = [deps.store.list(), deps.store.docker(), deps.lifecycle?.stopped.list(), deps.lifecycle?.alerts.firing()];
  const key = `table${totals ? '+totals' : ''}${showStopped ? '+stopped' : ''}`;
  const table = deps.shared.get(key, inputs, () => {
    const nowMs = deps.now();
    const { running, stopped }: PageRows = pageRows(deps, nowMs, showStopped);
    let html = renderTableRows([...running, ...stopped], nowMs);
    if (totals) html += `\n${renderTotalsRow(running, nowMs)}`;
    return { body: Buffer.from(html, 'utf8'), rows: running, nowMs };
  });
  send(req, res, table.body, 'text/html; charset=utf-8', { headers: dockerStateHeaders(deps.store) });
  if (req.method !== 'HEAD') logServedRows(deps, table.rows, table.nowMs);
}

// ---- /live --------------------------------------------------------------------

export function serveLive({ req, res, url, deps }: RequestContext): void {
  const channel = liveChannel(url);
  if (!deps.live) {
    sendError(req, res, 503, { code: 'LIVE_UNAVAILABLE', message: 'live updates are off; poll /table' });
    return;
  }
  deps.live.handle(req, res, channel);
}

// ---- /containers/history ------------------------------------------------------

/** One container's retained samples: JSON, or CSV with format=csv. */
export function serveHistory({ req, res, url, deps }: RequestContext): void {
  onlyParameters(url, ['id', 'format']);
  const format = url.searchParams.get('format') ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new BadRequestError('format is json or csv');
  const view = resolveContainer(requiredId(url), deps.store.list());
  const samples = deps.store.history(view.info.id);
  if (format === 'csv') {
    sendCsv(req, res, view.info.id, toHistoryCsv(samples));
    return;
  }
  sendJson(req, res, toHistoryJson(view.info, samples));
}

/** /containers/history.csv?id=: the same as format=csv, for a plain download link. */
export function serveHistoryCsv({ req, res, url, deps }: RequestContext): void {
  onlyParameters(url, ['id']);
  const view = resolveContainer(requiredId(url), deps.store.list());
  sendCsv(req, res, view.info.id, toHistoryCsv(deps.store.history(view.info.id)));
}

function sendCsv(req: RequestContext['req'], res: RequestContext['res'], id: string, csv: string): void {
  send(req, res, csv, 'text/csv; charset=utf-8; header=present', {
    headers: { 'Content-Disposition': `attachment; filename="${historyCsvFileName(id)}"` },
  });
}
