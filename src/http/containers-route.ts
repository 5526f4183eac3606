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

import { AmbiguousError, BadRequestError } from '../errors.js';
import { peerEntries, type HostEntry } from '../peers/host-entries.js';
import { AGENT_ID_HEADER, NODE_NAME_HEADER } from '../peers/headers.js';
import { toContainerJson } from '../views/container-json.js';
import { runningLifecycle, toStoppedJson } from '../views/lifecycle-json.js';
import { timelessEntry, type KeptEntry } from './container-json-cache.js';
import { resolveContainer } from './container-query.js';
import type { RequestContext } from './context.js';
import { dockerStateHeaders, requireDockerData } from './docker-state.js';
import { checkParameters, optionalContainerId, parseFlag } from './query.js';
import { send, sendJson } from './respond.js';

interface Entry {
  info: { id: string; name: string };
  kept(): KeptEntry;
}

export function serveContainers(context: RequestContext): void {
  const { url, deps } = context;
  checkParameters(url, ['id', 'all', 'hosts']);
  const query = optionalContainerId(url);
  const all = parseFlag(url, 'all', { bareIsYes: true });
  const hosts = url.searchParams.get('hosts');
  if (hosts !== null && hosts !== 'all') throw new BadRequestError('hosts must be all (every host\'s containers; needs PEERS)');
  if (hosts === 'all') {
    serveAllHosts(context, query, all);
    return;
  }
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
  send(context.req, context.res, body, 'application/json; charset=utf-8', { headers: answerHeaders(deps) });
}

/** Who answered: a peer agent knows whom it asked (and an agent finds itself among its peers). */
function answerHeaders(deps: RequestContext['deps']): Record<string, string> {
  return { ...dockerStateHeaders(deps.store), [AGENT_ID_HEADER]: deps.agentId, [NODE_NAME_HEADER]: deps.node };
}

/**
 * `?hosts=all`: this host's entries and every peer's last answer, each with `host` and
 * `host_state`; from memory, never asking a peer (peers/peers.ts asks them on its own
 * schedule). This host's part is answered even while its Docker is away (the others may
 * still be there); `?id=` then selects across hosts.
 */
function serveAllHosts({ req, res, deps }: RequestContext, query: string | null, all: boolean): void {
  const nowMs = deps.now();
  const local = deps.store.docker().everConnected ? localEntries(deps, all, nowMs) : [];
  const entries: HostEntry[] = [...local, ...(deps.peers === undefined ? [] : peerEntries(deps.peers.list(), nowMs))];
  const selected = query === null ? entries : [resolveAcrossHosts(query, entries)];
  const body: Record<string, unknown> = {};
  for (const entry of selected) if (!(entry.info.id in body)) body[entry.info.id] = entry.json;
  sendJson(req, res, body, { headers: answerHeaders(deps) });
}

function localEntries(deps: RequestContext['deps'], all: boolean, nowMs: number): HostEntry[] {
  const { lifecycle } = deps;
  const looping = (id: string): boolean | null => (all && lifecycle !== undefined ? lifecycle.alerts.firingFor(id).includes('crash_loop') : null);
  const local = (id: string, name: string, json: Record<string, unknown>): HostEntry => ({
    info: { id, name },
    host: deps.node,
    hostState: 'local',
    json: { ...json, host: deps.node, host_state: 'local' },
  });
  // Built as objects (not from the kept text): the entries gain host fields, and this
  // answer is the whole set's, not the hot path the kept text is for.
  const running = deps.store.list().map((view) => {
    const crashLooping = looping(view.info.id);
    const extra = crashLooping === null ? {} : runningLifecycle(view.details, crashLooping);
    return local(view.info.id, view.info.name, { ...toContainerJson(view, nowMs), ...extra });
  });
  if (!all || lifecycle === undefined) return running;
  const stopped = lifecycle.stopped
    .list()
    .filter((entry) => deps.store.get(entry.info.id) === undefined)
    .map((entry) => local(entry.info.id, entry.info.name, { ...toStoppedJson(entry, lifecycle.alerts.firingFor(entry.info.id).includes('crash_loop')) }));
  return [...running, ...stopped];
}

/** As resolveContainer, but a name (or ID) found on two hosts is ambiguous: 409 naming the hosts. */
function resolveAcrossHosts(query: string, entries: readonly HostEntry[]): HostEntry {
  const wanted = query.startsWith('/') ? query.slice(1) : query;
  const named = entries.filter((entry) => entry.info.id === wanted || entry.info.name === wanted);
  if (named.length > 1) {
    const where = named.map((entry) => `${entry.info.name} on ${entry.host}`);
    throw new AmbiguousError(`${JSON.stringify(wanted)} names ${named.length} containers: ${where.join(', ')}; give the ID`, named.map((entry) => entry.info.id));
  }
  return resolveContainer(query, entries, 'container on any host');
}
