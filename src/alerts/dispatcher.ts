// What happens when an alert changes: a line in events.jsonl, a notification to every
// webhook, and for one that stays firing, a reminder every ALERT_REPEAT. On start the
// dispatcher reads events.jsonl back (restoreAlerts) so a restarted agent neither
// forgets what fires nor sends again what was delivered: a firing alert already
// delivered is restored silently; one whose delivery was not recorded is sent again.

import os from 'node:os';
import { ALERT_RULES, type Alert, type AlertNotification } from './types.js';

export interface NotificationSink {
  notify(notification: AlertNotification): void;
}

export interface AlertDispatcher {
  onChange(kind: 'firing' | 'resolved', alert: Alert): void;
  /** Sends the reminders that are due; called every second. */
  tick(firing: readonly Alert[]): void;
  /** A delivery confirmed by a receiver: recorded so a restart does not send it again. */
  onDelivered(notification: AlertNotification, target: string): void;
  /** Alerts restored from the log: reminders continue from their last notification. */
  restore(restored: RestoredAlerts): void;
}

export interface AlertDispatcherDeps {
  eventsLog: { append(record: object): void };
  /** Null without ALERT_WEBHOOK_URL. */
  notifier: NotificationSink | null;
  now: () => number;
  repeatMs: number;
  host?: string;
}

export function alertRecord(alert: Alert): Record<string, unknown> {
  return {
    alert: alert.rule,
    key: alert.key,
    id: alert.containerId,
    name: alert.containerName,
    summary: alert.summary,
    since: new Date(alert.sinceMs).toISOString(),
    resolved_at: alert.resolvedAtMs === null ? null : new Date(alert.resolvedAtMs).toISOString(),
    value: alert.value,
    threshold: alert.threshold,
  };
}

export function createAlertDispatcher(deps: AlertDispatcherDeps): AlertDispatcher {
  const host = deps.host ?? os.hostname();
  /** When each firing alert was last notified (first time or reminder). */
  const lastNotifiedMs = new Map<string, number>();

  function send(kind: 'firing' | 'resolved', alert: Alert, repeat: boolean): void {
    const atMs = deps.now();
    deps.eventsLog.append({ time: new Date(atMs).toISOString(), type: 'alert', state: kind, ...(repeat ? { repeat: true } : {}), ...alertRecord(alert) });
    if (kind === 'firing') lastNotifiedMs.set(alert.key, atMs);
    else lastNotifiedMs.delete(alert.key);
    deps.notifier?.notify({ kind, alert: { ...alert }, atMs, host });
  }

  return {
    onChange(kind, alert) {
      send(kind, alert, false);
    },
    tick(firing) {
      if (deps.repeatMs <= 0) return;
      const nowMs = deps.now();
      for (const alert of firing) {
        const last = lastNotifiedMs.get(alert.key);
        if (last === undefined) lastNotifiedMs.set(alert.key, nowMs);
        else if (nowMs - last >= deps.repeatMs) send('firing', alert, true);
      }
    },
    onDelivered(notification, target) {
      deps.eventsLog.append({
        time: new Date(deps.now()).toISOString(),
        type: 'alert_delivered',
        state: notification.kind,
        key: notification.alert.key,
        notified_at: new Date(notification.atMs).toISOString(),
        target,
      });
    },
    restore(restored) {
      for (const entry of restored.alerts) {
        lastNotifiedMs.set(entry.alert.key, entry.notifiedAtMs);
        if (!entry.delivered && deps.notifier !== null) send('firing', entry.alert, true);
      }
    },
  };
}

export interface RestoredAlerts {
  alerts: { alert: Alert; notifiedAtMs: number; delivered: boolean }[];
}

/**
 * The alerts still firing at the end of an events.jsonl text: the last `alert` line of
 * each key says firing, and whether a receiver confirmed it (`alert_delivered` after it).
 * Lines that do not parse (a torn last line) are skipped.
 */
export function restoreAlerts(text: string): RestoredAlerts {
  const latest = new Map<string, { alert: Alert; notifiedAtMs: number; delivered: boolean }>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const key = typeof record['key'] === 'string' ? record['key'] : null;
    if (key === null) continue;
    if (record['type'] === 'alert_delivered') {
      const entry = latest.get(key);
      if (entry !== undefined && record['state'] === 'firing') entry.delivered = true;
      continue;
    }
    if (record['type'] !== 'alert') continue;
    if (record['state'] === 'resolved') {
      latest.delete(key);
      continue;
    }
    const alert = alertFromRecord(record, key);
    if (alert === null) continue;
    const notifiedAtMs = Date.parse(String(record['time']));
    latest.set(key, { alert, notifiedAtMs: Number.isFinite(notifiedAtMs) ? notifiedAtMs : alert.sinceMs, delivered: false });
  }
  return { alerts: [...latest.values()] };
}

const RULES: ReadonlySet<string> = new Set(ALERT_RULES);

function alertFromRecord(record: Record<string, unknown>, key: string): Alert | null {
  const rule = record['alert'];
  const sinceMs = Date.parse(String(record['since']));
  if (typeof rule !== 'string' || !RULES.has(rule) || !Number.isFinite(sinceMs)) return null;
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const number = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  return {
    rule: rule as Alert['rule'],
    key,
    containerId: text(record['id']),
    containerName: text(record['name']),
    state: 'firing',
    sinceMs,
    resolvedAtMs: null,
    summary: text(record['summary']) ?? rule,
    value: number(record['value']),
    threshold: text(record['threshold']),
  };
}
