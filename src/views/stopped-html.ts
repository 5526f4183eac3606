// A row for a container that does not run: in the table when "show stopped" is on, and
// regardless of it when the container exited in the last hour with an alert firing.
// Greyed, with how it ended ("exited 3m ago, code 137, OOM killed") in place of the
// usage cells, which a stopped container does not have.

import type { StoppedContainer } from '../lifecycle/stopped.js';
import { hasRule, renderAlertBadges } from './alerts-html.js';
import type { RowInput } from './columns.js';
import { formatUptime } from './format.js';
import { escapeHtml } from './html.js';
import { cell, identityCells, renderRow } from './row-cells.js';

/** The usage columns (CPU to PIDs) the note spans. */
const USAGE_COLUMNS = 5;

/**
 * "exited 3m ago, code 137, OOM killed". The age is as coarse as the uptime column's
 * (minutes after the first one), so a live row is not re-sent every second.
 */
export function stoppedNote(stopped: StoppedContainer, nowMs: number): string {
  const { state } = stopped.info;
  if (state === 'created' && stopped.finishedAtMs === null) return 'created, never started';
  const parts = [stopped.finishedAtMs === null ? state : `${state} ${formatUptime(nowMs - stopped.finishedAtMs)} ago`];
  if (stopped.exitCode !== null) parts.push(`code ${stopped.exitCode}`);
  if (stopped.oomKilled === true) parts.push('OOM killed');
  return parts.join(', ');
}

/** One stopped container's <tr data-id="FULL_ID" class="stopped">. */
export function renderStoppedRow(row: RowInput & { stopped: StoppedContainer }, nowMs: number): string {
  const { info, stopped } = row;
  const alerts = row.alerts ?? [];
  // The `exited` alert's badge says what the state badge would: it stands in for it.
  const state = info.state === 'exited' && hasRule(alerts, 'exited') ? [] : [`<span class="badge s-${escapeHtml(info.state)}">${escapeHtml(info.state)}</span>`];
  if (alerts.length > 0) state.push(renderAlertBadges(alerts));
  const note = escapeHtml(stoppedNote(stopped, nowMs));
  const ended = stopped.finishedAtMs === null ? '' : ` title="ended ${new Date(stopped.finishedAtMs).toISOString()}"`;
  const cells = [
    ...identityCells(row),
    cell('state', row, ' class="state"', state.join(' ')),
    cell('uptime', row, ' class="num"', '–'),
    `<td class="note" colspan="${USAGE_COLUMNS}"${ended}>${note}</td>`,
  ];
  return renderRow(row, ['stopped', alerts.length > 0 ? 'alerting' : ''], cells);
}
