// The page's routes: `/` with the first table already rendered, the seed's /table
// fragment, the /live event stream, the /detail panel fragment, and one container's
// history as JSON or CSV. Everything is read from the store; nothing waits on Docker.
// Rows served to a user (page, /table, or a live snapshot) go to the stats log once
// per sample, as the seed's /table did.

import { BadRequestError } from '../errors.js';
import type { StoreReader } from '../sampler/store.js';
import { parseSort, sortRows, type RowInput } from '../views/columns.js';
import { toContainerJson } from '../views/container-json.js';
import { renderDetail } from '../views/detail-html.js';
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
import { statsSourcesSummary } from './stats-sources-json.js';
import { send, sendError, sendHtml, sendJson } from './respond.js';
import type { AppDeps, RequestContext } from './routes.js';

/** Every container with its history and inspect details, in the store's order (by name). */
export function rowInputs(store: StoreReader): RowInput[] {
  return store.list().map((view) => ({
    info: view.info,
    latest: view.latest,
    history: store.series(view.info.id),
    details: view.details,
    sourceReason: view.sourceReason,
  }));
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
  /** For a viewer that just connected: {time, rows, totals, status}, rows as /table renders them. */
  full: string;
  /**
   * For viewers that have the previous state: {time, rows?: {id: html}, removed?: [id],
   * totals?, status?}, only what changed. An idle host sends little more than the time.
   */
  patch: string;
}

/**
 * The live stream's renderer. Each call renders every row (ages and rates move) but the
 * patch carries only the rows whose HTML changed, so a second screen left open all day
 * costs bytes in proportion to what moves, not to the number of containers.
 */
export function createSnapshotRenderer(deps: Pick<AppDeps, 'store' | 'logStatus' | 'sampleLog' | 'now'>): () => SnapshotFrames {
  let previousRows = new Map<string, string>();
  let previousTotals = '';
  let previousStatus = '';
  return () => {
    const nowMs = deps.now();
    const rows = rowInputs(deps.store);
    logServedRows(deps, rows, nowMs);
    const time = new Date(nowMs).toISOString();
    const rendered = new Map(rows.map((row) => [row.info.id, renderTableRow(row, nowMs)]));
    const totals = renderTotalsRow(rows, nowMs);
    const status = pageStatus(deps, rows, nowMs);
    const statusJson = JSON.stringify(status);
    const full = JSON.stringify({
      time,
      rows: rendered.size === 0 ? (deps.store.docker().everConnected ? NO_CONTAINERS_ROW : NO_DATA_ROW) : [...rendered.values()].join('\n'),
      totals,
      status,
    });
    const patch: Record<string, unknown> = { time };
    const changed: Record<string, string> = {};
    for (const [id, html] of rendered) if (previousRows.get(id) !== html) changed[id] = html;
    const removed = [...previousRows.keys()].filter((id) => !rendered.has(id));
    if (Object.keys(changed).length > 0) patch['rows'] = changed;
    if (removed.length > 0) patch['removed'] = removed;
    if (totals !== previousTotals) patch['totals'] = totals;
    if (statusJson !== previousStatus) patch['status'] = status;
    previousRows = rendered;
    previousTotals = totals;
    previousStatus = statusJson;
    return { full, patch: JSON.stringify(patch) };
  };
}

function onlyParameters(url: URL, allowed: readonly string[]): void {
  for (const key of url.searchParams.keys()) {
    if (!allowed.includes(key)) {
      throw new BadRequestError(`unknown query parameter ${JSON.stringify(key)}: only ${allowed.join(', ')} accepted`);
    }
  }
  for (const key of allowed) {
    if (url.searchParams.getAll(key).length > 1) throw new BadRequestError(`give ${key} at most once`);
  }
}

function requiredId(url: URL): string {
  const id = url.searchParams.get('id');
  if (id === null || id === '') throw new BadRequestError('give id: a full container ID, a name, or an ID prefix');
  return id;
}

// ---- / ------------------------------------------------------------------------

const SLOT = /<!--dockmon:([a-z]+)-->/g;
const templates = new WeakMap<Buffer, string>();

/** Fills each <!--dockmon:name--> of index.html; an unknown slot is left empty. */
export function fillTemplate(template: string, slots: Readonly<Record<string, string>>): string {
  return template.replace(SLOT, (_match, name: string) => slots[name] ?? '');
}

/** `/`: index.html with the table already in it (sorted as ?sort=&dir= say), so data shows before any script runs. */
export function servePage({ req, res, url, deps }: RequestContext): void {
  const file = deps.staticFiles.get('/');
  if (!file) throw new Error('index.html was not loaded');
  let template = templates.get(file.body);
  if (template === undefined) {
    template = file.body.toString('utf8');
    templates.set(file.body, template);
  }
  const nowMs = deps.now();
  const sort = parseSort(url.searchParams.get('sort'), url.searchParams.get('dir'));
  const rows = rowInputs(deps.store);
  const status = pageStatus(deps, rows, nowMs);
  const html = fillTemplate(template, {
    thead: renderTableHead(sort),
    rows: renderTableRows(sortRows(rows, sort), nowMs, deps.store.docker().everConnected),
    totals: renderTotalsRow(rows, nowMs),
    banner: renderBanner(status),
    status: escapeHtml(statusLine(status)),
    filter: escapeHtml((url.searchParams.get('q') ?? '').slice(0, 200)),
  });
  sendHtml(req, res, html);
  if (req.method !== 'HEAD') logServedRows(deps, rows, nowMs);
}

// ---- /table -------------------------------------------------------------------

/**
 * The seed's fragment: one <tr data-id="FULL_ID"> per running container. With
 * ?totals=1 the host totals row follows (the page's polling fallback asks for it).
 */
export function serveTable({ req, res, url, deps }: RequestContext): void {
  const totals = url.searchParams.get('totals') === '1';
  requireDockerData(deps.store);
  const inputs = [deps.store.list(), deps.store.docker()];
  const table = deps.shared.get(totals ? 'table+totals' : 'table', inputs, () => {
    const nowMs = deps.now();
    const rows = rowInputs(deps.store);
    let html = renderTableRows(rows, nowMs);
    if (totals) html += `\n${renderTotalsRow(rows, nowMs)}`;
    return { body: Buffer.from(html, 'utf8'), rows, nowMs };
  });
  send(req, res, table.body, 'text/html; charset=utf-8', { headers: dockerStateHeaders(deps.store) });
  if (req.method !== 'HEAD') logServedRows(deps, table.rows, table.nowMs);
}

// ---- /live --------------------------------------------------------------------

export function serveLive({ req, res, deps }: RequestContext): void {
  if (!deps.live) {
    sendError(req, res, 503, { code: 'LIVE_UNAVAILABLE', message: 'live updates are off; poll /table' });
    return;
  }
  deps.live.handle(req, res);
}

// ---- /detail ------------------------------------------------------------------

/** The detail panel of one container (?id= as /containers). */
export function serveDetail({ req, res, url, deps }: RequestContext): void {
  onlyParameters(url, ['id']);
  const row = resolveContainer(requiredId(url), rowInputs(deps.store));
  sendHtml(req, res, renderDetail(row, deps.now()));
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
