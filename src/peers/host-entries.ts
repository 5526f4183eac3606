// Every host's containers as one list: this agent's own entries and each peer's last
// answer, each entry with its `host`. A peer's ages are moved on by the time since its
// answer arrived, so `sample_age_seconds` stays the age at the moment of this answer,
// and a peer that stopped answering shows its containers growing stale, never as live.

import { STALE_AFTER_MS } from '../views/staleness.js';
import type { PeerState, PeerStatus } from './peers.js';

/** One container of one host, as /containers?hosts=all answers it. */
export interface HostEntry {
  info: { id: string; name: string };
  host: string;
  /** The host's state as this agent sees it: 'local' for its own containers. */
  hostState: 'local' | PeerState;
  json: Record<string, unknown>;
  /** The peer's entry as it arrived (the same object until its next answer): a key for what is rendered from it. */
  received?: Readonly<Record<string, unknown>>;
}

/** Peers whose containers are shown: answering, or down with what they last said. */
export function shownPeers(peers: readonly PeerStatus[]): PeerStatus[] {
  return peers.filter((peer) => peer.state === 'up' || (peer.state === 'down' && peer.fetchedAtMs !== null));
}

export function peerEntries(peers: readonly PeerStatus[], nowMs: number): HostEntry[] {
  const entries: HostEntry[] = [];
  for (const peer of shownPeers(peers)) {
    const host = peer.node ?? peer.origin;
    const waitedSeconds = Math.max(0, nowMs - (peer.fetchedAtMs ?? nowMs)) / 1000;
    for (const [id, entry] of Object.entries(peer.containers)) {
      const givenName = entry['name'];
      const givenAge = entry['sample_age_seconds'];
      const name = typeof givenName === 'string' ? givenName : id.slice(0, 12);
      const age = typeof givenAge === 'number' ? Math.round((givenAge + waitedSeconds) * 1000) / 1000 : null;
      // No sample at the peer (or a stopped container's entry): keep what the peer said.
      const stale = age === null ? entry['stale'] === true : age * 1000 > STALE_AFTER_MS;
      entries.push({
        info: { id, name },
        host,
        hostState: peer.state,
        json: { ...entry, id, sample_age_seconds: age, stale, host, host_state: peer.state },
        received: entry,
      });
    }
  }
  return entries;
}

/** The states of the peers in /healthz, without their containers. */
export function peersHealthJson(peers: readonly PeerStatus[], discoveryError: string | null): Record<string, unknown> {
  const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
  const others = peers.filter((peer) => peer.state !== 'self');
  return {
    discovery_error: discoveryError,
    up: others.filter((peer) => peer.state === 'up').length,
    total: others.length,
    list: others.map((peer) => ({
      origin: peer.origin,
      node: peer.node,
      state: peer.state,
      message: peer.message,
      since: iso(peer.sinceMs),
      last_answer: iso(peer.fetchedAtMs),
      latency_ms: peer.latencyMs,
      containers: Object.keys(peer.containers).length,
      docker: peer.docker,
      bytes_received: peer.bytesReceived,
      answers: peer.answers,
      failures: peer.failures,
    })),
  };
}
