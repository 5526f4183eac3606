// The whole HTTP API on one screen. Every route answers GET and HEAD.

import { METRICS_CONTENT_TYPE } from '../metrics/exposition.js';
import { peersHealthJson } from '../peers/host-entries.js';
import { isStale } from '../views/staleness.js';
import { dockerStatusJson } from './agent-status.js';
import { serveContainers } from './containers-route.js';
import { statsSourcesJson } from './stats-sources-json.js';
import type { Handler, RequestContext } from './context.js';
import { serveAlerts, serveContainerEvents, webhookJson } from './lifecycle-routes.js';
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

function serveHealth({ req, res, deps }: RequestContext): void {
  const counters = deps.store.counters();
  const log = deps.logStatus();
  const nowMs = deps.now();
  const views = deps.store.list();
  sendJson(req, res, {
    status: 'ok',
    version: deps.version,
    node: deps.node,
    uptime_seconds: Math.round((nowMs - deps.startedAtMs) / 1000),
    docker: dockerStatusJson(deps.store.docker()),
    containers: views.length,
    // As the page's status has it, so the page's polling fallback can warn of stale data too.
    stale_containers: views.filter((view) => isStale(view.latest?.readMs ?? null, nowMs)).length,
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
    ...(deps.peers === undefined ? {} : { peers: peersHealthJson(deps.peers.list(), deps.peers.discoveryError()) }),
  });
}

function serveReady({ req, res, deps }: RequestContext): void {
  const docker = deps.store.docker();
  if (docker.state === 'connected') {
    sendJson(req, res, { status: 'ready', docker: dockerStatusJson(docker) });
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
