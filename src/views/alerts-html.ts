// Firing alerts on the page: the banner above the table ("2 alerts firing: web exited
// with code 3 · db is unhealthy") and the badge a row carries for each rule that fires
// on it. app.js composes the banner from the same summaries the same way
// (alertBannerText), for live updates and its polling fallback.

import type { Alert, AlertRule } from '../alerts/types.js';
import { escapeHtml } from './html.js';

/** What a row's badge says for each rule. */
export const ALERT_BADGES: Readonly<Record<AlertRule, string>> = {
  exited: 'exited',
  oom_killed: 'OOM-killed',
  crash_loop: 'crash-looping',
  unhealthy: 'unhealthy',
  cpu: 'CPU',
  memory: 'memory',
  stale: 'stale',
  docker_unreachable: 'Docker unreachable',
};

/** Summaries past this are counted, not listed: a host-wide outage must not turn the banner into a wall. */
export const MAX_BANNER_SUMMARIES = 10;

/** Oldest first, as /alerts lists them. */
export function sortFiring(alerts: readonly Alert[]): Alert[] {
  return [...alerts].sort((a, b) => a.sinceMs - b.sinceMs);
}

/** "2 alerts firing: web exited with code 3 · db is unhealthy"; '' for none. Plain text. */
export function alertBannerText(summaries: readonly string[]): string {
  const count = summaries.length;
  if (count === 0) return '';
  const shown = summaries.slice(0, MAX_BANNER_SUMMARIES);
  const more = count > shown.length ? ` · and ${count - shown.length} more (GET /alerts)` : '';
  return `${count} alert${count === 1 ? '' : 's'} firing: ${shown.join(' · ')}${more}`;
}

/** The banner element, server-rendered; hidden while nothing fires. */
export function renderAlertBanner(firing: readonly Alert[]): string {
  const text = alertBannerText(sortFiring(firing).map((alert) => alert.summary));
  return `<div id="alerts" class="banner alerts" role="alert"${text === '' ? ' hidden' : ''}>` +
    `${text === '' ? '' : `<p>${escapeHtml(text)}</p>`}</div>`;
}

/** One badge per rule firing on a container, its summary and start in the title. */
export function renderAlertBadges(alerts: readonly Alert[]): string {
  const seen = new Set<AlertRule>();
  const badges: string[] = [];
  for (const alert of sortFiring(alerts)) {
    if (seen.has(alert.rule)) continue;
    seen.add(alert.rule);
    const title = `alert firing since ${new Date(alert.sinceMs).toISOString().replace('T', ' ').slice(0, 19)} UTC: ${alert.summary}`;
    badges.push(`<span class="badge alert" data-alert="${alert.rule}" title="${escapeHtml(title)}">${ALERT_BADGES[alert.rule]}</span>`);
  }
  return badges.join(' ');
}

/** Whether a rule fires among these alerts. */
export function hasRule(alerts: readonly Alert[] | undefined, rule: AlertRule): boolean {
  return alerts?.some((alert) => alert.rule === rule) ?? false;
}
