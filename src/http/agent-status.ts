// What the agent says about itself: Docker's state as /healthz, /readyz and the page's
// status all give it (one builder, so the three never drift apart), and the page's status
// (views/page-status.ts renders its banner and status line).

import type { DockerStatus } from '../sampler/store.js';
import type { RowInput } from '../views/columns.js';
import type { PageStatus } from '../views/page-status.js';
import { isStale } from '../views/staleness.js';
import type { AppDeps, PeersReader } from './context.js';
import { statsSourcesSummary } from './stats-sources-json.js';

export type DockerStatusJson = PageStatus['docker'];

export function dockerStatusJson(docker: Readonly<DockerStatus>): DockerStatusJson {
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

/** `rows`: the running containers shown (their count, and how many have no fresh sample). */
export function pageStatus(deps: Pick<AppDeps, 'store' | 'logStatus'> & Partial<Pick<AppDeps, 'peers'>>, rows: readonly RowInput[], nowMs: number): PageStatus {
  const log = deps.logStatus();
  return {
    ...(deps.peers === undefined ? {} : { peers: peerProblems(deps.peers) }),
    docker: dockerStatusJson(deps.store.docker()),
    log: { ok: log.ok, error: log.error },
    containers: rows.length,
    stale_containers: rows.filter((row) => isStale(row.latest?.readMs ?? null, nowMs)).length,
    stats_sources: statsSourcesSummary(deps.store),
  };
}

/** The peers the page must warn about: down or refusing the token, and a failing discovery. */
function peerProblems(peers: PeersReader): NonNullable<PageStatus['peers']> {
  const problems = peers
    .list()
    .filter((peer) => peer.state === 'down' || peer.state === 'unauthorized')
    .map((peer) => ({ host: peer.node ?? peer.origin, state: peer.state, message: peer.message }));
  const discovery = peers.discoveryError();
  return discovery === null ? problems : [...problems, { host: 'discovery', state: 'down', message: discovery }];
}
