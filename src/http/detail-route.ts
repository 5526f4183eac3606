// /detail?id=X: the page's panel of one container, X as for /containers (full ID, name,
// unique ID prefix). With lifecycle tracking, X is looked for among the running
// containers, then the stopped ones, then those removed in the last hour (their
// timeline is all that is left), in that order, so a name reused by a new container
// finds the new one; the panel then has a Lifecycle section.

import type { Alert } from '../alerts/types.js';
import type { RowInput } from '../views/columns.js';
import { renderDetail } from '../views/detail-html.js';
import { renderGoneDetail, renderLifecycle } from '../views/lifecycle-html.js';
import { resolveContainer } from './container-query.js';
import type { LifecycleReader } from './lifecycle-routes.js';
import { onlyParameters, requiredId } from './page-query.js';
import { rowInputs } from './page-rows.js';
import { sendHtml } from './respond.js';
import type { RequestContext } from './context.js';

interface Candidate {
  info: { id: string; name: string };
  render(lifecycle: string, nowMs: number): string;
}

const WHERE_LOOKED = 'container (running, stopped, or removed in the last hour)';

export function serveDetail({ req, res, url, deps }: RequestContext): void {
  onlyParameters(url, ['id']);
  const query = requiredId(url);
  const nowMs = deps.now();
  const running = rowInputs(deps.store);
  const { lifecycle } = deps;
  if (lifecycle === undefined) {
    sendHtml(req, res, renderDetail(resolveContainer(query, running), nowMs));
    return;
  }
  const found = resolveContainer(query, candidates(running, lifecycle), WHERE_LOOKED);
  const id = found.info.id;
  const firing: Alert[] = lifecycle.alerts.firing().filter((alert) => alert.containerId === id);
  const section = renderLifecycle(lifecycle.timeline.get(id)?.events ?? [], firing);
  sendHtml(req, res, found.render(section, nowMs));
}

/** Running, then stopped (not running), then removed or otherwise unlisted containers with a timeline. */
function candidates(running: readonly RowInput[], lifecycle: LifecycleReader): Candidate[] {
  const list: Candidate[] = running.map((row) => ({ info: row.info, render: (section, nowMs) => renderDetail(row, nowMs, section) }));
  const seen = new Set(list.map((candidate) => candidate.info.id));
  for (const stopped of lifecycle.stopped.list()) {
    if (seen.has(stopped.info.id)) continue;
    seen.add(stopped.info.id);
    const { info } = stopped;
    list.push({
      info,
      render: (section, nowMs) => renderGoneDetail({ id: info.id, name: info.name, info, stopped, removedAtMs: null }, nowMs, section),
    });
  }
  for (const timeline of lifecycle.timeline.all()) {
    if (seen.has(timeline.id)) continue;
    const { id, name, removedAtMs } = timeline;
    list.push({
      info: { id, name },
      render: (section, nowMs) => renderGoneDetail({ id, name, info: null, stopped: null, removedAtMs }, nowMs, section),
    });
  }
  return list;
}
