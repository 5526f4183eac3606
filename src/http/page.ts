// The page's routes: `/` with the first table already rendered, the seed's /table
// fragment, the /live event stream, and one container's history as JSON or CSV (the
// /detail panel is in detail-route.ts, the live stream's renderer in live-snapshot.ts).
// Everything is read from memory; nothing waits on Docker. The samples served to a user
// (page, /table, or a live snapshot) are named to the stats log, which writes each once,
// as the seed's /table logged its rows. `?stopped=1` on /, /table and /live adds the
// stopped containers (page-rows.ts).

import { BadRequestError } from '../errors.js';
import { renderAlertBanner } from '../views/alerts-html.js';
import { parseSort, sortRows } from '../views/columns.js';
import { historyCsvFileName, toHistoryCsv, toHistoryJson } from '../views/history-json.js';
import { renderBanner, statusLine } from '../views/page-status.js';
import { renderHostFilter, renderTableHead, renderTableRows, renderTotalsRow } from '../views/table-html.js';
import { escapeHtml } from '../views/html.js';
import { pageStatus } from './agent-status.js';
import { resolveContainer } from './container-query.js';
import { dockerStateHeaders, requireDockerData } from './docker-state.js';
import { pageRows, servedSamples, tableRows } from './page-rows.js';
import { checkParameters, parseFlag, requiredContainerId } from './query.js';
import { send, sendError, sendHtml, sendJson } from './respond.js';
import type { RequestContext } from './context.js';

/** The live stream's channels: the page without and with "show stopped". */
export type LiveChannel = 'running' | 'stopped';

/** `/live?stopped=1` watches the 'stopped' channel. */
export function liveChannel(url: URL): LiveChannel {
  return parseFlag(url, 'stopped') ? 'stopped' : 'running';
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
  const showStopped = parseFlag(url, 'stopped');
  const nowMs = deps.now();
  const sort = parseSort(url.searchParams.get('sort'), url.searchParams.get('dir'));
  const rows = pageRows(deps, nowMs, showStopped);
  const { running, remote, firing, hosts } = rows;
  const status = pageStatus(deps, running, nowMs);
  const html = fillTemplate(template, {
    thead: renderTableHead(sort, hosts > 0),
    rows: renderTableRows(sortRows(tableRows(rows), sort), nowMs, deps.store.docker().everConnected),
    totals: renderTotalsRow([...running, ...remote], nowMs, { hosts }),
    hostfilter: deps.peers === undefined ? '' : renderHostFilter(tableRows(rows), url.searchParams.get('host') ?? ''),
    banner: renderBanner(status),
    alerts: renderAlertBanner(firing),
    stopped: showStopped ? ' checked' : '',
    status: escapeHtml(statusLine(status)),
    filter: escapeHtml((url.searchParams.get('q') ?? '').slice(0, 200)),
  });
  sendHtml(req, res, html);
  if (req.method !== 'HEAD') deps.statsLog.served(servedSamples(running));
}

// ---- /table -------------------------------------------------------------------

/**
 * The seed's fragment: one <tr data-id="FULL_ID"> per running container, then the
 * stopped ones in view (all of them with ?stopped=1). With ?totals=1 the host totals row
 * follows (the page's polling fallback asks for it).
 */
export function serveTable({ req, res, url, deps }: RequestContext): void {
  const totals = url.searchParams.get('totals') === '1';
  const showStopped = parseFlag(url, 'stopped');
  requireDockerData(deps.store);
  const inputs = [deps.store.list(), deps.store.docker(), deps.lifecycle?.stopped.list(), deps.lifecycle?.alerts.firing(), deps.peers?.revision()];
  const key = `table${totals ? '+totals' : ''}${showStopped ? '+stopped' : ''}`;
  const table = deps.shared.get(key, inputs, () => {
    const nowMs = deps.now();
    const rows = pageRows(deps, nowMs, showStopped);
    let html = renderTableRows(tableRows(rows), nowMs);
    if (totals) html += `\n${renderTotalsRow([...rows.running, ...rows.remote], nowMs, { hosts: rows.hosts })}`;
    return { body: Buffer.from(html, 'utf8'), served: servedSamples(rows.running) };
  });
  send(req, res, table.body, 'text/html; charset=utf-8', { headers: dockerStateHeaders(deps.store) });
  if (req.method !== 'HEAD') deps.statsLog.served(table.served);
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
  checkParameters(url, ['id', 'format']);
  const query = requiredContainerId(url);
  const format = url.searchParams.get('format') ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new BadRequestError('format is json or csv');
  const view = resolveContainer(query, deps.store.list());
  const samples = deps.store.history(view.info.id);
  if (format === 'csv') {
    sendCsv(req, res, view.info.id, toHistoryCsv(samples));
    return;
  }
  sendJson(req, res, toHistoryJson(view.info, samples));
}

/** /containers/history.csv?id=: the same as format=csv, for a plain download link. */
export function serveHistoryCsv({ req, res, url, deps }: RequestContext): void {
  checkParameters(url, ['id']);
  const view = resolveContainer(requiredContainerId(url), deps.store.list());
  sendCsv(req, res, view.info.id, toHistoryCsv(deps.store.history(view.info.id)));
}

function sendCsv(req: RequestContext['req'], res: RequestContext['res'], id: string, csv: string): void {
  send(req, res, csv, 'text/csv; charset=utf-8; header=present', {
    headers: { 'Content-Disposition': `attachment; filename="${historyCsvFileName(id)}"` },
  });
}
