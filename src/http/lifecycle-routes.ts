// /alerts, /containers/events and the stopped half of /containers?all=1: what the
// lifecycle tracker and the alert rules hold, read from memory like everything else.

import { BadRequestError, NotFoundError } from '../errors.js';
import type { WebhookStatus } from '../alerts/webhook-notifier.js';
import { toAlertJson, toTimelineJson } from '../views/lifecycle-json.js';
import { resolveContainer } from './container-query.js';
import { checkParameters, requiredContainerId } from './query.js';
import { sendJson } from './respond.js';
import type { LifecycleReader, RequestContext } from './context.js';

export type { LifecycleReader } from './context.js';

function requireLifecycle(context: RequestContext): LifecycleReader {
  const lifecycle = context.deps.lifecycle;
  if (lifecycle === undefined) throw new NotFoundError('lifecycle tracking is not enabled in this agent');
  return lifecycle;
}

/** GET /alerts: firing first (oldest first), then those resolved in the last hour, and the webhooks' state. */
export function serveAlerts(context: RequestContext): void {
  const { req, res, url } = context;
  checkParameters(url, ['state']);
  const state = url.searchParams.get('state');
  if (state !== null && state !== 'firing' && state !== 'resolved') throw new BadRequestError('state must be firing or resolved');
  const lifecycle = requireLifecycle(context);
  const alerts = lifecycle.alerts.list().filter((alert) => state === null || alert.state === state);
  sendJson(req, res, {
    firing: lifecycle.alerts.firing().length,
    alerts: alerts.map(toAlertJson),
    webhooks: lifecycle.webhooks().map(webhookJson),
  });
}

export function webhookJson(status: WebhookStatus): Record<string, unknown> {
  return {
    target: status.target,
    format: status.format,
    delivered: status.delivered,
    failed: status.failed,
    dropped: status.dropped,
    queued: status.queued,
    last_error: status.lastError,
    last_error_at: status.lastErrorAtMs === null ? null : new Date(status.lastErrorAtMs).toISOString(),
    last_delivered_at: status.lastDeliveredAtMs === null ? null : new Date(status.lastDeliveredAtMs).toISOString(),
  };
}

/**
 * GET /containers/events?id=X: one container's lifecycle events, oldest first. X as for
 * /containers (full ID, name, unique ID prefix), among running, stopped and recently
 * removed containers.
 */
export function serveContainerEvents(context: RequestContext): void {
  const { req, res, url } = context;
  checkParameters(url, ['id']);
  const query = requiredContainerId(url);
  const lifecycle = requireLifecycle(context);
  const candidates = new Map<string, { info: { id: string; name: string } }>();
  for (const timeline of lifecycle.timeline.all()) candidates.set(timeline.id, { info: { id: timeline.id, name: timeline.name } });
  // Running and stopped containers without events yet still resolve (an empty timeline).
  for (const view of context.deps.store.list()) candidates.set(view.info.id, { info: view.info });
  for (const stopped of lifecycle.stopped.list()) if (!candidates.has(stopped.info.id)) candidates.set(stopped.info.id, { info: stopped.info });
  const found = resolveContainer(query, [...candidates.values()]);
  const timeline = lifecycle.timeline.get(found.info.id);
  sendJson(req, res, timeline === undefined ? { id: found.info.id, name: found.info.name, removed_at: null, events: [] } : toTimelineJson(timeline));
}
