// The whole HTTP API on one screen. Every route answers GET and HEAD.

import { BadRequestError } from '../errors.js';
import { METRICS_CONTENT_TYPE } from '../metrics/exposition.js';
import { toContainerJson } from '../views/container-json.js';
import { checkContainerQuery, resolveContainer } from './container-query.js';
import { dockerStateHeaders, requireDockerData } from './docker-state.js';
import { statsSourcesJson } from './stats-sources-json.js';
import type { AppDeps, Handler, RequestContext } from './context.js';
import { serveAlerts, serveContainerEvents, webhookJson } from './lifecycle-routes.js';
import { runningLifecycle, toStoppedJson } from '../views/lifecycle-json.js';
import { serveDetail } from './detail-route.js';
import { serveHistory, serveHistoryCsv, serveLive, servePage, serveTable } from './page.js';
import { send, sendError, sendJson } from './respond.js';

export type { AppDeps, Handler, RequestContext } from './context.js';

export const ROUTES: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['/', servePage],
  ['/app.js', serveStatic],
  ['/style.css', serveStatic],
  ['/table', serveTable],
  ['/live', serveLive],
  ['/detail', serveDetail],
  ['/containers/history', serveHistory],
  ['/containers/history.csv', serveHistoryCsv],
  ['/containers/events', serveContainerEvents],
  ['/alerts', serveAlerts],
  ['/containers', serveContainers],
  ['/healthz', serveHealth],
  ['/readyz', serveReady],
  ['/metrics', serveMetrics],
]);

function serveStatic({ req, res, url, deps }: RequestContext): void {
  const file = deps.staticFiles.get(url.pathname);
  if (!file) throw new Error(`static file for ${url.pathname} was not loaded`);
  if (req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, { ETag: file.etag, 'Cache-Control': 'no-cache' });
    res.end();
    return;
  }
  send(req, res, file.body, file.contentType, { cacheControl: 'no-cache', headers: { ETag: file.etag } });
}

function serveContainers({ req, res, url, deps }: RequestContext): void {
  const ids = url.searchParams.getAll('id');
  for (const key of url.searchParams.keys()) {
    if (key !== 'id' && key !== 'all') throw new BadRequestError(`unknown query parameter ${JSON.stringify(key)}: only id and all are accepted`);
  }
  if (ids.length > 1) throw new BadRequestError('give id at most once');
  if (ids[0] !== undefined) checkContainerQuery(ids[0]);
  const all = parseAll(url.searchParams.getAll('all'));
  requireDockerData(deps.store);
  const nowMs = deps.now();
  const views = deps.store.list();
  const body: Record<string, unknown> = {};
  if (!all || deps.lifecycle === undefined) {
    const selected = ids[0] === undefined ? views : [resolveContainer(ids[0], views)];
    for (const view of selected) body[view.info.id] = toContainerJson(view, nowMs);
    sendJson(req, res, body, { headers: dockerStateHeaders(deps.store) });
    return;
  }
  // As `docker ps -a`: the running ones, then the stopped ones, most recently ended first.
  const { lifecycle } = deps;
  const looping = (id: string): boolean => lifecycle.alerts.firingFor(id).includes('crash_loop');
  type Entry = { info: { id: string; name: string }; json: () => unknown };
  const entries: Entry[] = [
    ...views.map((view) => ({ info: view.info, json: () => ({ ...toContainerJson(view, nowMs), ...runningLifecycle(view.details, looping(view.info.id)) }) })),
    ...lifecycle.stopped.list().filter((stopped) => deps.store.get(stopped.info.id) === undefined).map((stopped) => ({ info: stopped.info, json: () => toStoppedJson(stopped, looping(stopped.info.id)) })),
  ];
  const selected = ids[0] === undefined ? entries : [resolveContainer(ids[0], entries)];
  for (const entry of selected) body[entry.info.id] = entry.json();
  sendJson(req, res, body, { headers: dockerStateHeaders(deps.store) });
}

/** `all=1`, `all=true` (or 0/false); absent: false. */
function parseAll(values: readonly string[]): boolean {
  if (values.length === 0) return false;
  if (values.length > 1) throw new BadRequestError('give all at most once');
  const value = values[0];
  if (value === '1' || value === 'true' || value === '') return true;
  if (value === '0' || value === 'false') return false;
  throw new BadRequestError('all must be 1, true, 0 or false');
}

function dockerJson(deps: AppDeps): Record<string, unknown> {
  const docker = deps.store.docker();
  return {
    state: docker.state,
    message: docker.message,
    hint: docker.hint,
    since: new Date(docker.sinceMs).toISOString(),
    api_version: docker.apiVersion,
    server: docker.server,
    ever_connected: docker.everConnected,
  };
}

function serveHealth({ req, res, deps }: RequestContext): void {
  const counters = deps.store.counters();
  const log = deps.logStatus();
  sendJson(req, res, {
    status: 'ok',
    version: deps.version,
    uptime_seconds: Math.round((deps.now() - deps.startedAtMs) / 1000),
    docker: dockerJson(deps),
    containers: deps.store.list().length,
    stats_sources: statsSourcesJson(deps.store),
    stats_streams_open: counters.statsStreamsOpen,
    stats_stream_reconnects: counters.statsStreamReconnects,
    event_stream_reconnects: counters.eventStreamReconnects,
    log: { ok: log.ok, path: log.path, error: log.error },
    ...(deps.lifecycle === undefined
      ? {}
      : {
          events_log: deps.lifecycle.eventsLogStatus(),
          alerts: {
            firing: deps.lifecycle.alerts.firing().length,
            webhooks: deps.lifecycle.webhooks().map(webhookJson),
          },
        }),
  });
}

function serveReady({ req, res, deps }: RequestContext): void {
  const docker = deps.store.docker();
  if (docker.state === 'connected') {
    sendJson(req, res, { status: 'ready', docker: dockerJson(deps) });
    return;
  }
  const message = docker.message ?? 'connecting to Docker';
  sendError(req, res, 503, { code: 'DOCKER_UNAVAILABLE', message, hint: docker.hint ?? null });
}

function serveMetrics({ req, res, deps }: RequestContext): void {
  const inputs = [deps.store.list(), deps.store.docker()];
  const body = deps.shared.get('metrics', inputs, () => Buffer.from(deps.metrics.render(), 'utf8'));
  send(req, res, body, METRICS_CONTENT_TYPE);
}
