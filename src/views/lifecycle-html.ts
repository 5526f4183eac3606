// The detail panel's Lifecycle section (the container's firing alerts and its timeline,
// newest first), and the whole panel of a container that does not run: stopped, or
// removed in the last hour (only its timeline is left then). Every Docker-provided
// value is escaped.

import type { Alert } from '../alerts/types.js';
import type { StoppedContainer } from '../lifecycle/stopped.js';
import type { LifecycleEvent } from '../lifecycle/timeline.js';
import type { ContainerInfo } from '../stats/types.js';
import { ALERT_BADGES, sortFiring } from './alerts-html.js';
import { renderDetailOpening, renderLabels, type Fact } from './detail-html.js';
import { formatUptime } from './format.js';
import { escapeHtml } from './html.js';
import { stoppedNote } from './stopped-html.js';

/** The timeline keeps 100 events a container; the panel shows the latest this many. */
export const MAX_EVENTS_SHOWN = 50;

/** "2026-11-25 12:00:05 UTC" in a <time> with the exact instant. */
function timeHtml(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `<time datetime="${iso}">${iso.replace('T', ' ').slice(0, 19)} UTC</time>`;
}

/** What an event adds to its action: "exit code 3", "signal 15", "health: unhealthy". Plain text. */
export function eventDetail(event: LifecycleEvent): string {
  const parts: string[] = [];
  if (event.exitCode !== null) parts.push(`exit code ${event.exitCode}`);
  if (event.action === 'die' && event.deliberate === true) parts.push('after a kill (asked for)');
  if (event.signal !== null) parts.push(`signal ${event.signal}`);
  if (event.health !== null) parts.push(`health: ${event.health}`);
  if (event.action === 'rename') parts.push(`now ${event.name}`);
  return parts.join(', ');
}

function eventItem(event: LifecycleEvent): string {
  const detail = eventDetail(event);
  return `<li class="ev-${event.action}">${timeHtml(event.timeMs)} <span class="action">${event.action.replace('_', ' ')}</span>` +
    `${detail === '' ? '' : ` ${escapeHtml(detail)}`}</li>`;
}

/** The Lifecycle section: firing alerts, then the timeline newest first (at most MAX_EVENTS_SHOWN). */
export function renderLifecycle(events: readonly LifecycleEvent[], alerts: readonly Alert[]): string {
  const shown = events.slice(-MAX_EVENTS_SHOWN).reverse();
  const firing = sortFiring(alerts).map((alert) =>
    `<li><span class="badge alert" data-alert="${alert.rule}">${ALERT_BADGES[alert.rule]}</span> ${escapeHtml(alert.summary)} <small>since ${timeHtml(alert.sinceMs)}</small></li>`);
  const count = events.length > shown.length ? `latest ${shown.length} of ${events.length} events` : `${events.length} event${events.length === 1 ? '' : 's'}`;
  return [
    `<section class="lifecycle"><h3>Lifecycle <small>(${count})</small></h3>`,
    firing.length === 0 ? '' : `<ul class="firing" aria-label="firing alerts">${firing.join('')}</ul>`,
    shown.length === 0
      ? '<p class="muted">No lifecycle event seen since dockmon started.</p>'
      : `<ol class="timeline" reversed>${shown.map(eventItem).join('')}</ol>`,
    '</section>',
  ].filter(Boolean).join('');
}

/** A container that does not run: stopped (with what the agent knows of it), or removed (its timeline only). */
export interface GoneContainer {
  id: string;
  name: string;
  /** From the container list; null for a removed container. */
  info: ContainerInfo | null;
  stopped: StoppedContainer | null;
  /** When it was removed; null while it exists. */
  removedAtMs: number | null;
}

function goneFacts(gone: GoneContainer, nowMs: number): Fact[] {
  const { info, stopped } = gone;
  const facts: Fact[] = [['ID', `<code class="full-id">${escapeHtml(gone.id)}</code>`]];
  if (info !== null) facts.push(['Image', escapeHtml(info.image)]);
  if (gone.removedAtMs !== null) facts.push(['State', `removed ${formatUptime(nowMs - gone.removedAtMs)} ago`], ['Removed', timeHtml(gone.removedAtMs)]);
  else if (stopped !== null) facts.push(['State', escapeHtml(stoppedNote(stopped, nowMs))]);
  if (stopped !== null) {
    if (stopped.finishedAtMs !== null) facts.push(['Ended', timeHtml(stopped.finishedAtMs)]);
    facts.push(['Exit code', stopped.exitCode === null ? 'unknown' : String(stopped.exitCode)]);
    facts.push(['OOM killed', stopped.oomKilled === null ? 'unknown' : stopped.oomKilled ? 'yes' : 'no']);
    if (stopped.restartCount !== null) facts.push(['Restarts', String(stopped.restartCount)]);
  }
  return facts;
}

/** The panel of a stopped or removed container: what is known of how it ended, its Lifecycle, its labels. */
export function renderGoneDetail(gone: GoneContainer, nowMs: number, lifecycle: string): string {
  return [
    renderDetailOpening(gone.id, gone.name, goneFacts(gone, nowMs)),
    `<p class="muted gone">${gone.removedAtMs === null ? 'Not running: no usage to show.' : 'Removed: only its lifecycle is left, for an hour.'}</p>`,
    lifecycle,
    gone.info === null ? '' : renderLabels(gone.info.labels),
    '</section>',
  ].filter(Boolean).join('\n');
}
