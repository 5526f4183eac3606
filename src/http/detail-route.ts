// /detail?id=X: the page's panel of one container, X as for /containers (full ID, name,
// unique ID prefix). With lifecycle tracking, X is looked for among the running
// containers, then the stopped ones, then those removed in the last hour (their
// timeline is all that is left), in that order, so a name reused by a new container
// finds the new one; the panel then has a Lifecycle section. Only the container found is
// rendered: the others are matched by ID and name alone.

import type { Alert } from '../alerts/types.js';
import type { StoppedContainer } from '../lifecycle/stopped.js';
import type { ContainerView } from '../sampler/store.js';
import { renderDetail } from '../views/detail-html.js';
import { renderGoneDetail, renderLifecycle } from '../views/lifecycle-html.js';
import { resolveContainer } from './container-query.js';
import type { AppDeps, LifecycleReader, RequestContext } from './context.js';
import { rowInput } from './page-rows.js';
import { checkParameters, requiredContainerId } from './query.js';
import { sendHtml } from './respond.js';

/** A container X may name: running (a store view), stopped, or removed with a timeline left. */
type Candidate =
  | { info: { id: string; name: string }; view: ContainerView }
  | { info: { id: string; name: string }; stopped: StoppedContainer }
  | { info: { id: string; name: string }; removedAtMs: number | null };

const WHERE_LOOKED = 'container (running, stopped, or removed in the last hour)';

export function serveDetail({ req, res, url, deps }: RequestContext): void {
  checkParameters(url, ['id']);
  const query = requiredContainerId(url);
  const nowMs = deps.now();
  const views = deps.store.list();
  const { lifecycle } = deps;
  if (lifecycle === undefined) {
    sendHtml(req, res, renderDetail(rowInput(deps.store, resolveContainer(query, views)), nowMs));
    return;
  }
  const found = resolveContainer(query, candidates(views, lifecycle), WHERE_LOOKED);
  const { id } = found.info;
  const firing: Alert[] = lifecycle.alerts.firing().filter((alert) => alert.containerId === id);
  const section = renderLifecycle(lifecycle.timeline.get(id)?.events ?? [], firing);
  sendHtml(req, res, renderCandidate(deps, found, section, nowMs));
}

/** Running, then stopped (not running), then removed or otherwise unlisted containers with a timeline. */
function candidates(views: readonly ContainerView[], lifecycle: LifecycleReader): Candidate[] {
  const list: Candidate[] = views.map((view) => ({ info: view.info, view }));
  const seen = new Set(list.map((candidate) => candidate.info.id));
  for (const stopped of lifecycle.stopped.list()) {
    if (seen.has(stopped.info.id)) continue;
    seen.add(stopped.info.id);
    list.push({ info: stopped.info, stopped });
  }
  for (const timeline of lifecycle.timeline.all()) {
    if (seen.has(timeline.id)) continue;
    list.push({ info: { id: timeline.id, name: timeline.name }, removedAtMs: timeline.removedAtMs });
  }
  return list;
}

function renderCandidate(deps: Pick<AppDeps, 'store'>, found: Candidate, section: string, nowMs: number): string {
  const { id, name } = found.info;
  if ('view' in found) return renderDetail(rowInput(deps.store, found.view), nowMs, section);
  if ('stopped' in found) {
    const { stopped } = found;
    return renderGoneDetail({ id, name, info: stopped.info, stopped, removedAtMs: null }, nowMs, section);
  }
  return renderGoneDetail({ id, name, info: null, stopped: null, removedAtMs: found.removedAtMs }, nowMs, section);
}
