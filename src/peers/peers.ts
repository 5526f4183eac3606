// The other agents, each asked for its containers on its own timer, in the background:
// a request to this agent never waits on a peer, and a slow or dead peer delays no
// other (each has its own loop and deadline). What the peers said is kept in memory
// with the moment it arrived, so an answer built later can age it exactly.

import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/logger.js';
import { fetchPeer, type PeerAnswer, type PeerRequest } from './peer-client.js';
import type { PeerDiscovery } from './discovery.js';

export type PeerState =
  /** Not answered yet. */
  | 'connecting'
  | 'up'
  /** Its last request failed: refused, timed out, not dockmon, 5xx. */
  | 'down'
  /** It refused the token: asked again only every UNAUTHORIZED_RETRY_MS. */
  | 'unauthorized'
  /** This agent itself (its own address in Swarm's DNS answer). */
  | 'self';

export interface PeerStatus {
  origin: string;
  /** The peer's host name (its X-Dockmon-Node), null until it answered. */
  node: string | null;
  state: PeerState;
  /** Why it is not up. */
  message: string | null;
  /** When the state last changed, epoch ms. */
  sinceMs: number;
  /** When its containers arrived (the last good answer), epoch ms. */
  fetchedAtMs: number | null;
  /** How long that answer took. */
  latencyMs: number | null;
  /** Its /containers entries from the last good answer (kept while it is down, so the page can grey them). */
  containers: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Its X-Dockmon-Docker header: set when its Docker daemon is away. */
  docker: string | null;
  /** Bytes received from it since this agent started. */
  bytesReceived: number;
  answers: number;
  failures: number;
}

export interface Peers {
  /** Every peer known now (self included), in discovery order. */
  list(): readonly PeerStatus[];
  /** The discovery's state: for dns:, the last lookup's error or null. */
  discoveryError(): string | null;
  /** Goes up whenever any peer's answer or state changes: a shared rendering is then stale. */
  revision(): number;
  /** Starts asking (once; a no-op when already started). */
  start(): void;
  stop(): void;
}

export interface PeersDeps {
  discovery: PeerDiscovery;
  token: string;
  intervalMs: number;
  /** This agent's own ID, sent back in its answers' X-Dockmon-Agent header. */
  agentId: string;
  logger: Logger;
  now?: () => number;
  fetch?: (request: PeerRequest) => Promise<PeerAnswer>;
  /** How often the discovery is asked again (dns: names change as nodes join and leave). */
  rediscoverMs?: number;
  /** false: wait for start() (the agent starts asking once it listens itself). Default true. */
  start?: boolean;
}

/** A peer refusing the token is not asked again for this long: nothing changes that without a restart. */
export const UNAUTHORIZED_RETRY_MS = 60_000;
/** Its own address is checked again this rarely (an address can be reused by another task). */
const SELF_RECHECK_MS = 60_000;
const REDISCOVER_MS = 5_000;

interface Entry {
  status: PeerStatus;
  timer: NodeJS.Timeout | null;
  removed: boolean;
}

export function newAgentId(): string {
  return randomUUID();
}

export function startPeers(deps: PeersDeps): Peers {
  const now = deps.now ?? Date.now;
  const fetch = deps.fetch ?? fetchPeer;
  const log = deps.logger.child({ component: 'peers' });
  const entries = new Map<string, Entry>();
  let discoveryError: string | null = null;
  let stopped = false;
  let revision = 0;
  let discoveryTimer: NodeJS.Timeout | null = null;

  const setState = (entry: Entry, state: PeerState, message: string | null): void => {
    const { status } = entry;
    const changed = status.state !== state;
    if (changed) status.sinceMs = now();
    status.state = state;
    status.message = message;
    if (!changed) return;
    const fields = { peer: status.origin, node: status.node, state, message };
    if (state === 'up') log.info('peer answers', fields);
    else if (state === 'down') log.warn('peer is down', fields);
    else if (state === 'unauthorized') log.error('peer refused the token', fields);
    else if (state === 'self') log.debug('peer address is this agent', fields);
  };

  const poll = async (entry: Entry): Promise<void> => {
    entry.timer = null;
    if (stopped || entry.removed) return;
    const startedMs = now();
    const answer = await fetch({ origin: entry.status.origin, token: deps.token, timeoutMs: deps.intervalMs, userAgent: `dockmon-peer/${deps.agentId}` });
    if (stopped || entry.removed) return;
    const { status } = entry;
    revision += 1;
    status.bytesReceived += answer.bytes;
    let delayMs = deps.intervalMs;
    if (answer.agentId === deps.agentId) {
      status.containers = {};
      setState(entry, 'self', 'this agent');
      delayMs = SELF_RECHECK_MS;
    } else if (answer.kind === 'ok') {
      status.answers += 1;
      status.node = answer.node ?? status.origin;
      status.containers = answer.containers;
      status.docker = answer.docker;
      status.fetchedAtMs = now();
      status.latencyMs = status.fetchedAtMs - startedMs;
      setState(entry, 'up', null);
      // Keep the rhythm: the next ask is one interval after this one started.
      delayMs = Math.max(0, deps.intervalMs - status.latencyMs);
    } else {
      status.failures += 1;
      setState(entry, answer.kind === 'unauthorized' ? 'unauthorized' : 'down', answer.message);
      if (answer.kind === 'unauthorized') {
        status.containers = {};
        delayMs = UNAUTHORIZED_RETRY_MS;
      }
    }
    entry.timer = setTimeout(() => void poll(entry), delayMs);
    entry.timer.unref();
  };

  const sync = (origins: readonly string[]): void => {
    const wanted = new Set(origins);
    revision += 1;
    for (const [origin, entry] of entries) {
      if (wanted.has(origin)) continue;
      entry.removed = true;
      if (entry.timer !== null) clearTimeout(entry.timer);
      entries.delete(origin);
      if (entry.status.state !== 'self') log.info('peer left the discovery answer', { peer: origin, node: entry.status.node });
    }
    for (const origin of origins) {
      if (entries.has(origin)) continue;
      const entry: Entry = {
        status: {
          origin, node: null, state: 'connecting', message: null, sinceMs: now(), fetchedAtMs: null, latencyMs: null,
          containers: {}, docker: null, bytesReceived: 0, answers: 0, failures: 0,
        },
        timer: null,
        removed: false,
      };
      entries.set(origin, entry);
      void poll(entry);
    }
  };

  const discover = async (): Promise<void> => {
    discoveryTimer = null;
    if (stopped) return;
    const result = await deps.discovery.origins();
    if (stopped) return;
    if (result.kind === 'ok') {
      if (discoveryError !== null) log.info('peer discovery answers again', { peers: result.origins.length });
      discoveryError = null;
      sync(result.origins);
    } else {
      // Keep the peers known: a DNS hiccup must not blank every other host.
      if (discoveryError !== result.message) log.warn('peer discovery failed', { message: result.message });
      discoveryError = result.message;
    }
    if (deps.discovery.changes) {
      discoveryTimer = setTimeout(() => void discover(), deps.rediscoverMs ?? REDISCOVER_MS);
      discoveryTimer.unref();
    }
  };
  let started = false;
  const start = (): void => {
    if (started || stopped) return;
    started = true;
    void discover();
  };
  if (deps.start !== false) start();

  return {
    start,
    list: () => [...entries.values()].map((entry) => entry.status),
    discoveryError: () => discoveryError,
    revision: () => revision,
    stop() {
      stopped = true;
      if (discoveryTimer !== null) clearTimeout(discoveryTimer);
      for (const entry of entries.values()) if (entry.timer !== null) clearTimeout(entry.timer);
    },
  };
}
