// GET /containers: every running container's entry, keyed by full ID; one of them with
// ?id=; with the stopped ones after them (as `docker ps -a`) with ?all=1.
//
// It is the endpoint scripts and dashboards poll, so it is answered from text kept per
// container (container-json-cache.ts): each entry is rendered to JSON once per sample
// (and per inspect, rename or state change), and a request only writes every entry's age
// and staleness, exact at its own moment, between the kept pieces. Rendering every entry
// for every request held /containers at a third of what a bare node:http server sending
// the same bytes answers (issue 16); `npm run bench:http` measures the two side by side
// (docs/benchmarks-containers-vs-bare.md).

import { toStoppedJson } from '../views/lifecycle-json.js';
import { timelessEntry, type KeptEntry } from './container-json-cache.js';
import { resolveContainer } from './container-query.js';
import type { RequestContext } from './context.js';
import { dockerStateHeaders, requireDockerData } from './docker-state.js';
import { checkParameters, optionalContainerId, parseFlag } from './query.js';
import { send } from './respond.js';

interface Entry {
  info: { id: string; name: string };
  kept(): KeptEntry;
}

export function serveContainers({ req, res, url, deps }: RequestContext): void {
  checkParameters(url, ['id', 'all']);
  const query = optionalContainerId(url);
  const all = parseFlag(url, 'all', { bareIsYes: true });
  requireDockerData(deps.store);
  const views = deps.store.list();
  const { lifecycle, containerJson } = deps;
  let kept: KeptEntry[];
  if (!all || lifecycle === undefined) {
    const selected = query === null ? views : [resolveContainer(query, views)];
    kept = selected.map((view) => containerJson.entry(view, null));
  } else {
    const looping = (id: string): boolean => lifecycle.alerts.firingFor(id).includes('crash_loop');
    // As `docker ps -a`: the running ones, then the stopped ones, most recently ended first.
    const entries: Entry[] = [
      ...views.map((view) => ({ info: view.info, kept: () => containerJson.entry(view, looping(view.info.id)) })),
      ...lifecycle.stopped
        .list()
        .filter((stopped) => deps.store.get(stopped.info.id) === undefined)
        .map((stopped) => ({ info: stopped.info, kept: () => timelessEntry(stopped.info.id, toStoppedJson(stopped, looping(stopped.info.id))) })),
    ];
    kept = (query === null ? entries : [resolveContainer(query, entries)]).map((entry) => entry.kept());
  }
  const body = containerJson.body(kept, deps.now());
  send(req, res, body, 'application/json; charset=utf-8', { headers: dockerStateHeaders(deps.store) });
}
