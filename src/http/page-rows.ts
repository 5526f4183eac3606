// The rows of the page's table: every running (or paused) container from the store, and
// the stopped ones in view, each with its firing alerts. A stopped container is in view
// when "show stopped" is on, and regardless of it when it exited within KEEP_IN_VIEW_MS
// with an alert firing: the moment that matters is not lost between two glances.

import type { Alert } from '../alerts/types.js';
import type { StoppedContainer } from '../lifecycle/stopped.js';
import type { ServedSample } from '../sampler/stats-log.js';
import type { ContainerView, StoreReader } from '../sampler/store.js';
import { peerEntries, shownPeers, type HostEntry } from '../peers/host-entries.js';
import type { RowInput } from '../views/columns.js';
import { peerRowInput } from '../views/peer-rows.js';
import type { AppDeps } from './context.js';

export const KEEP_IN_VIEW_MS = 60 * 60_000;

export interface PageRows {
  /** Running and paused containers, in the store's order (by name). */
  running: RowInput[];
  /** Stopped containers in view, most recently ended first. */
  stopped: RowInput[];
  /** Every firing alert, for the banner. */
  firing: readonly Alert[];
  /** Other hosts' containers (PEERS), as their agents last said; empty without peers. */
  remote: RowInput[];
  /** Hosts shown (this one and each peer with rows); 0 without PEERS: no Host column. */
  hosts: number;
}

/** The table's rows in the order they are rendered before sorting: this host's, other hosts', then stopped ones. */
export function tableRows(rows: PageRows): RowInput[] {
  return [...rows.running, ...rows.remote, ...rows.stopped];
}

/**
 * Other hosts' containers as rows. A row's sample time is fixed by its peer's answer (when
 * it arrived, less the age it had then), so a row is built once per answer and reused by
 * every request and live tick until the next one (or until its host goes down).
 */
export function remoteRows(deps: Partial<Pick<AppDeps, 'peers'>>, nowMs: number): RowInput[] {
  if (deps.peers === undefined) return [];
  const rows: RowInput[] = [];
  for (const peer of shownPeers(deps.peers.list())) {
    const down = peer.state === 'down';
    let fresh: Map<string, HostEntry> | null = null;
    for (const [id, received] of Object.entries(peer.containers)) {
      const kept = builtRows.get(received);
      if (kept !== undefined && kept.down === down) {
        rows.push(kept.row);
        continue;
      }
      fresh ??= new Map(peerEntries([peer], nowMs).map((entry) => [entry.info.id, entry]));
      const entry = fresh.get(id);
      if (entry === undefined) continue;
      const row = peerRowInput(id, entry.json, entry.host, { down, key: received }, nowMs);
      builtRows.set(received, { down, row });
      rows.push(row);
    }
  }
  return rows;
}

/** Rows built from a peer's entries, by the entry object as received (dropped with it at the next answer). */
const builtRows = new WeakMap<object, { down: boolean; row: RowInput }>();

/** One container of the store with its history and inspect details. */
export function rowInput(store: Pick<StoreReader, 'series'>, view: ContainerView, alerts?: readonly Alert[]): RowInput {
  return {
    info: view.info,
    latest: view.latest,
    history: store.series(view.info.id),
    details: view.details,
    sourceReason: view.sourceReason,
    ...(alerts === undefined ? {} : { alerts }),
  };
}

/** Every container in the store, in the store's order (by name). */
export function rowInputs(store: StoreReader, alertsOf: (id: string) => readonly Alert[] | undefined = () => undefined): RowInput[] {
  return store.list().map((view) => rowInput(store, view, alertsOf(view.info.id)));
}

/** The samples shown in `rows`, for the stats log. */
export function servedSamples(rows: readonly RowInput[]): ServedSample[] {
  const served: ServedSample[] = [];
  for (const row of rows) if (row.latest !== null) served.push({ id: row.info.id, readMs: row.latest.readMs });
  return served;
}

/** Firing alerts by container ID (host-wide ones are in no row). */
export function alertsByContainer(firing: readonly Alert[]): Map<string, Alert[]> {
  const byId = new Map<string, Alert[]>();
  for (const alert of firing) {
    if (alert.containerId === null) continue;
    const list = byId.get(alert.containerId);
    if (list === undefined) byId.set(alert.containerId, [alert]);
    else list.push(alert);
  }
  return byId;
}

/** Ended within KEEP_IN_VIEW_MS with an alert firing (the alert's start stands in for an end not known yet). */
export function isRecentWithAlert(stopped: StoppedContainer, alerts: readonly Alert[] | undefined, nowMs: number): boolean {
  if (alerts === undefined || alerts.length === 0) return false;
  const endedMs = stopped.finishedAtMs ?? Math.min(...alerts.map((alert) => alert.sinceMs));
  return nowMs - endedMs <= KEEP_IN_VIEW_MS;
}

export function pageRows(
  deps: Pick<AppDeps, 'store' | 'lifecycle'> & Partial<Pick<AppDeps, 'peers' | 'node'>>,
  nowMs: number,
  showStopped: boolean,
): PageRows {
  const { lifecycle, store } = deps;
  const remote = remoteRows(deps, nowMs);
  const hosts = deps.peers === undefined ? 0 : 1 + new Set(remote.map((row) => row.host)).size;
  // With peers every row says its host, this one's included.
  const local = (rows: RowInput[]): RowInput[] => (deps.peers === undefined ? rows : rows.map((row) => ({ ...row, host: deps.node ?? '' })));
  if (lifecycle === undefined) return { running: local(rowInputs(store)), stopped: [], firing: [], remote, hosts };
  const firing = lifecycle.alerts.firing();
  const byId = alertsByContainer(firing);
  const running = local(rowInputs(store, (id) => byId.get(id)));
  const stopped: RowInput[] = [];
  for (const entry of lifecycle.stopped.list()) {
    // Between a start and the next list a container can be in both: the running row wins.
    if (store.get(entry.info.id) !== undefined) continue;
    const alerts = byId.get(entry.info.id);
    if (!showStopped && !isRecentWithAlert(entry, alerts, nowMs)) continue;
    stopped.push({
      info: entry.info, latest: null, details: null, stopped: entry,
      ...(alerts === undefined ? {} : { alerts }),
      ...(deps.peers === undefined ? {} : { host: deps.node ?? '' }),
    });
  }
  return { running, stopped, firing, remote, hosts };
}
