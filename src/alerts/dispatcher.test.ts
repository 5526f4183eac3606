// The dispatcher is what reaches people: every change is a line in events.jsonl and a
// notification, a firing alert is repeated every ALERT_REPEAT, and after a restart the
// log tells which alerts still fire and which of them were already delivered.

import { describe, expect, it } from 'vitest';
import { hexId } from '../../test/helpers/samples.js';
import { alertRecord, createAlertDispatcher, restoreAlerts } from './dispatcher.js';
import type { Alert, AlertNotification } from './types.js';

const T0 = 1_800_000_000_000;
const REPEAT_MS = 4 * 60 * 60_000;
const ID = hexId('c1');

function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    rule: 'exited',
    key: `exited:${ID}`,
    containerId: ID,
    containerName: 'web',
    state: 'firing',
    sinceMs: T0 - 5_000,
    resolvedAtMs: null,
    summary: 'web exited with code 3',
    value: 3,
    threshold: null,
    ...overrides,
  };
}

function setup(options: { withNotifier?: boolean } = {}) {
  let clock = T0;
  const records: Record<string, unknown>[] = [];
  const notifications: AlertNotification[] = [];
  const dispatcher = createAlertDispatcher({
    eventsLog: { append: (record) => records.push(record as Record<string, unknown>) },
    notifier: (options.withNotifier ?? true) ? { notify: (notification) => notifications.push(notification) } : null,
    now: () => clock,
    repeatMs: REPEAT_MS,
    host: 'host-1',
  });
  return {
    dispatcher,
    records,
    notifications,
    at(ms: number): void {
      clock = T0 + ms;
    },
  };
}

/** An events.jsonl line as the dispatcher writes it. */
function alertLine(state: 'firing' | 'resolved', alert: Alert, atMs: number): string {
  return JSON.stringify({ time: new Date(atMs).toISOString(), type: 'alert', state, ...alertRecord(alert) });
}

function deliveredLine(key: string, atMs: number, state: 'firing' | 'resolved' = 'firing'): string {
  const time = new Date(atMs).toISOString();
  return JSON.stringify({ time, type: 'alert_delivered', state, key, notified_at: time, target: 'https://hooks.example/x' });
}

describe('the alert dispatcher', () => {
  it('logs an alert line and notifies on every change', () => {
    const { dispatcher, records, notifications, at } = setup();
    const alert = makeAlert();
    dispatcher.onChange('firing', alert);
    expect(records).toEqual([
      {
        time: new Date(T0).toISOString(),
        type: 'alert',
        state: 'firing',
        alert: 'exited',
        key: `exited:${ID}`,
        id: ID,
        name: 'web',
        summary: 'web exited with code 3',
        since: new Date(T0 - 5_000).toISOString(),
        resolved_at: null,
        value: 3,
        threshold: null,
      },
    ]);
    expect(notifications).toEqual([{ kind: 'firing', alert, atMs: T0, host: 'host-1' }]);

    at(60_000);
    const resolved = makeAlert({ state: 'resolved', resolvedAtMs: T0 + 60_000 });
    dispatcher.onChange('resolved', resolved);
    expect(records[1]).toMatchObject({ type: 'alert', state: 'resolved', resolved_at: new Date(T0 + 60_000).toISOString() });
    expect(records[1]).not.toHaveProperty('repeat');
    expect(notifications[1]).toEqual({ kind: 'resolved', alert: resolved, atMs: T0 + 60_000, host: 'host-1' });
  });

  it('notifies a copy of the alert, not the object the engine goes on changing', () => {
    const { dispatcher, notifications } = setup();
    const alert = makeAlert();
    dispatcher.onChange('firing', alert);
    alert.state = 'resolved';
    expect(notifications[0]?.alert.state).toBe('firing');
  });

  it('repeats a firing alert every repeatMs, not before, marked repeat', () => {
    const { dispatcher, records, notifications, at } = setup();
    const alert = makeAlert();
    dispatcher.onChange('firing', alert);
    at(REPEAT_MS - 1);
    dispatcher.tick([alert]);
    expect(notifications).toHaveLength(1);

    at(REPEAT_MS);
    dispatcher.tick([alert]);
    expect(notifications).toHaveLength(2);
    expect(notifications[1]).toMatchObject({ kind: 'firing', atMs: T0 + REPEAT_MS });
    expect(records[1]).toMatchObject({ type: 'alert', state: 'firing', repeat: true, key: alert.key });

    // The next one counts from this reminder.
    at(2 * REPEAT_MS - 1);
    dispatcher.tick([alert]);
    expect(notifications).toHaveLength(2);
    at(2 * REPEAT_MS);
    dispatcher.tick([alert]);
    expect(notifications).toHaveLength(3);
  });

  it('stops repeating once the alert resolves, and never repeats with repeatMs 0', () => {
    const { dispatcher, notifications, at } = setup();
    const alert = makeAlert();
    dispatcher.onChange('firing', alert);
    dispatcher.onChange('resolved', makeAlert({ state: 'resolved', resolvedAtMs: T0 }));
    at(REPEAT_MS * 3);
    dispatcher.tick([]);
    expect(notifications.map((notification) => notification.kind)).toEqual(['firing', 'resolved']);

    const records: object[] = [];
    const never = createAlertDispatcher({ eventsLog: { append: (record) => records.push(record) }, notifier: null, now: () => T0, repeatMs: 0, host: 'h' });
    never.onChange('firing', alert);
    never.tick([alert]);
    expect(records).toHaveLength(1);
  });

  it('records a delivery with the time of the notification it confirms', () => {
    const { dispatcher, records, notifications, at } = setup();
    dispatcher.onChange('firing', makeAlert());
    at(2_000);
    const sent = notifications[0];
    if (sent === undefined) throw new Error('no notification');
    dispatcher.onDelivered(sent, 'https://hooks.example/x');
    expect(records[1]).toEqual({
      time: new Date(T0 + 2_000).toISOString(),
      type: 'alert_delivered',
      state: 'firing',
      key: `exited:${ID}`,
      notified_at: new Date(T0).toISOString(),
      target: 'https://hooks.example/x',
    });
  });

  describe('after a restart', () => {
    const stillFiring = makeAlert();
    const resolvedLater = makeAlert({ rule: 'cpu', key: `cpu:${ID}`, summary: 'web CPU at 95%', value: 95, threshold: '90%' });
    const delivered = makeAlert({ rule: 'docker_unreachable', key: 'docker_unreachable', containerId: null, containerName: null, summary: 'Docker unreachable', value: 40, threshold: '30s' });
    const text = [
      '{"time":"2026-11-30T10:00:00.000Z","type":"container","action":"die","id":"x","name":"web","exit_code":3}',
      alertLine('firing', stillFiring, T0),
      alertLine('firing', resolvedLater, T0 + 1_000),
      alertLine('firing', delivered, T0 + 2_000),
      deliveredLine('docker_unreachable', T0 + 2_500),
      alertLine('resolved', makeAlert({ ...resolvedLater, state: 'resolved', resolvedAtMs: T0 + 3_000 }), T0 + 3_000),
      '',
      'not json at all',
      // A torn last line (the agent died while writing).
      '{"time":"2026-11-30T10:00:05.000Z","type":"alert","state":"resolved","alert":"exited","key":"exited:',
    ].join('\n');

    it('restores the alerts whose last line says firing, and which of them were delivered', () => {
      const restored = restoreAlerts(text);
      const byKey = new Map(restored.alerts.map((entry) => [entry.alert.key, entry]));
      expect([...byKey.keys()].sort()).toEqual([stillFiring.key, delivered.key].sort());
      expect(byKey.get(stillFiring.key)).toEqual({ alert: stillFiring, notifiedAtMs: T0, delivered: false });
      expect(byKey.get(delivered.key)).toEqual({ alert: delivered, notifiedAtMs: T0 + 2_000, delivered: true });
    });

    it('takes a delivery as confirming only the notification before it', () => {
      const refired = [
        alertLine('firing', stillFiring, T0),
        deliveredLine(stillFiring.key, T0 + 100),
        alertLine('resolved', makeAlert({ state: 'resolved', resolvedAtMs: T0 + 1_000 }), T0 + 1_000),
        alertLine('firing', makeAlert({ sinceMs: T0 + 2_000 }), T0 + 2_000),
        // Delivery of a resolved notification says nothing of the firing one.
        deliveredLine(stillFiring.key, T0 + 2_100, 'resolved'),
      ].join('\n');
      expect(restoreAlerts(refired).alerts).toEqual([{ alert: makeAlert({ sinceMs: T0 + 2_000 }), notifiedAtMs: T0 + 2_000, delivered: false }]);
    });

    it('restores nothing from an empty log or one with only torn lines', () => {
      expect(restoreAlerts('').alerts).toEqual([]);
      expect(restoreAlerts('{"type":"alert","state":"firing","alert":"exi\n{').alerts).toEqual([]);
    });

    it('sends again only the alerts whose delivery was not recorded', () => {
      const { dispatcher, records, notifications, at } = setup();
      at(60_000);
      dispatcher.restore(restoreAlerts(text));
      expect(notifications).toHaveLength(1);
      expect(notifications[0]).toMatchObject({ kind: 'firing', alert: stillFiring, atMs: T0 + 60_000 });
      expect(records).toEqual([expect.objectContaining({ type: 'alert', state: 'firing', repeat: true, key: stillFiring.key })]);
    });

    it('continues the reminders of a delivered alert from its last notification', () => {
      const { dispatcher, notifications, at } = setup();
      at(60_000);
      dispatcher.restore(restoreAlerts(text));
      at(2_000 + REPEAT_MS - 1);
      dispatcher.tick([delivered]);
      expect(notifications.filter((notification) => notification.alert.key === delivered.key)).toEqual([]);
      at(2_000 + REPEAT_MS);
      dispatcher.tick([delivered]);
      expect(notifications.filter((notification) => notification.alert.key === delivered.key)).toHaveLength(1);
    });

    it('without a notifier, sends nothing again', () => {
      const { dispatcher, records } = setup({ withNotifier: false });
      dispatcher.restore(restoreAlerts(text));
      expect(records).toEqual([]);
    });
  });
});
