// What the page's live stream (/live, live-updates.ts) pushes: once per tick and channel,
// the whole state for a viewer that just connected, and what changed since the previous
// tick for the others. The samples it shows are named to the stats log, as /table's are.

import { sortFiring } from '../views/alerts-html.js';
import { NO_CONTAINERS_ROW, NO_DATA_ROW, renderTableRow, renderTotalsRow } from '../views/table-html.js';
import { pageStatus } from './agent-status.js';
import type { AppDeps } from './context.js';
import { pageRows, servedSamples, tableRows } from './page-rows.js';

/** What one render gives the live stream: the whole state, and what changed since the previous render. */
export interface SnapshotFrames {
  /**
   * For a viewer that just connected: {time, rows, totals, status, alerts}, rows as /table
   * renders them, alerts the summaries of the firing alerts (oldest first).
   */
  full: string;
  /**
   * For viewers that have the previous state: {time, rows?: {id: html}, removed?: [id],
   * totals?, status?, alerts?}, only what changed. An idle host sends little more than the time.
   */
  patch: string;
}

interface RenderedState {
  rows: Map<string, string>;
  totals: string;
  status: string;
  alerts: string;
}

/**
 * The live stream's renderer, one state per channel. Each call renders every row (ages
 * and rates move) but the patch carries only the rows whose HTML changed, so a second
 * screen left open all day costs bytes in proportion to what moves, not to the number
 * of containers.
 */
export function createSnapshotRenderer(
  deps: Pick<AppDeps, 'store' | 'logStatus' | 'statsLog' | 'now' | 'lifecycle'> & Partial<Pick<AppDeps, 'peers' | 'node'>>,
): (channel?: string) => SnapshotFrames {
  const previous = new Map<string, RenderedState>();
  return (channel = 'running') => {
    const nowMs = deps.now();
    const rows = pageRows(deps, nowMs, channel === 'stopped');
    const { running, remote, firing } = rows;
    deps.statsLog.served(servedSamples(running));
    const time = new Date(nowMs).toISOString();
    const rendered = new Map(tableRows(rows).map((row) => [row.info.id, renderTableRow(row, nowMs)]));
    const totals = renderTotalsRow([...running, ...remote], nowMs, { hosts: rows.hosts });
    const status = pageStatus(deps, running, nowMs);
    const alerts = sortFiring(firing).map((alert) => alert.summary);
    const next: RenderedState = { rows: rendered, totals, status: JSON.stringify(status), alerts: JSON.stringify(alerts) };
    const full = JSON.stringify({
      time,
      rows: rendered.size === 0 ? (deps.store.docker().everConnected ? NO_CONTAINERS_ROW : NO_DATA_ROW) : [...rendered.values()].join('\n'),
      totals,
      status,
      alerts,
    });
    const before = previous.get(channel) ?? { rows: new Map<string, string>(), totals: '', status: '', alerts: '' };
    const patch: Record<string, unknown> = { time };
    const changed: Record<string, string> = {};
    for (const [id, html] of rendered) if (before.rows.get(id) !== html) changed[id] = html;
    const removed = [...before.rows.keys()].filter((id) => !rendered.has(id));
    if (Object.keys(changed).length > 0) patch['rows'] = changed;
    if (removed.length > 0) patch['removed'] = removed;
    if (totals !== before.totals) patch['totals'] = totals;
    if (next.status !== before.status) patch['status'] = status;
    if (next.alerts !== before.alerts) patch['alerts'] = alerts;
    previous.set(channel, next);
    return { full, patch: JSON.stringify(patch) };
  };
}
