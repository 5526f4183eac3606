// The alerting pieces put together: the lifecycle tracker feeds the rules, the rules
// tell the dispatcher, the dispatcher logs to events.jsonl and hands notifications to
// the webhooks; one unref'd timer evaluates the state rules every second. app.ts owns
// the files and the store; this owns the rest.

import type { Timeline } from '../lifecycle/timeline.js';
import type { Logger } from '../log/logger.js';
import type { StoreReader } from '../sampler/store.js';
import { createAlertDispatcher, restoreAlerts } from './dispatcher.js';
import { createAlertEngine, type AlertEngine } from './engine.js';
import type { AlertSettings } from './settings.js';
import { createWebhookNotifier, type Notifier, type WebhookStatus, type WebhookTarget } from './webhook-notifier.js';

export interface Alerting {
  engine: AlertEngine;
  /** Delivery state of each webhook, for /healthz. */
  webhooks(): WebhookStatus[];
  start(): void;
  stop(): Promise<void>;
}

export const EVALUATE_INTERVAL_MS = 1_000;

export function createAlerting(deps: {
  store: StoreReader;
  timeline: Timeline;
  /** Whether the container list has been read since the start. */
  listed: () => boolean;
  /** Whether a container exists but does not run. */
  isStopped: (id: string) => boolean;
  eventsLog: { append(record: object): void };
  settings: AlertSettings;
  targets: readonly WebhookTarget[];
  /** events.jsonl as it was when the agent started ('' when there was none). */
  previousEvents: string;
  hostCores: number;
  logger: Logger;
  now: () => number;
  userAgent: string;
}): Alerting {
  const { logger, now } = deps;
  let notifier: Notifier | null = null;
  const dispatcher = createAlertDispatcher({
    eventsLog: deps.eventsLog,
    notifier: {
      notify: (notification) => notifier?.notify(notification),
    },
    now,
    repeatMs: deps.settings.repeatMs,
  });
  if (deps.targets.length > 0) {
    notifier = createWebhookNotifier({
      targets: deps.targets,
      logger,
      now,
      userAgent: deps.userAgent,
      onDelivered: (notification, target) => dispatcher.onDelivered(notification, target.display),
    });
  }
  const engine = createAlertEngine({
    store: deps.store,
    timeline: deps.timeline,
    settings: deps.settings,
    now,
    hostCores: deps.hostCores,
    onChange: (kind, alert) => {
      logger.info(kind === 'firing' ? 'alert firing' : 'alert resolved', { alert: alert.rule, summary: alert.summary });
      dispatcher.onChange(kind, alert);
    },
    onInvalidLabel: (name, key) => logger.warn('ignored an alert label that does not parse; the default applies', { container: name, label: key }),
    listed: deps.listed,
    whereIs(id) {
      if (deps.store.get(id) !== undefined) return 'running';
      return deps.isStopped(id) ? 'stopped' : 'gone';
    },
  });
  const restored = restoreAlerts(deps.previousEvents);
  if (restored.alerts.length > 0) {
    engine.restore(restored.alerts.map((entry) => entry.alert));
    logger.info('alerts still firing when the agent last stopped are restored', { count: restored.alerts.length });
  }
  let timer: NodeJS.Timeout | null = null;

  return {
    engine,
    webhooks: () => notifier?.status() ?? [],
    start() {
      // Restored alerts whose delivery was never confirmed go out again now.
      if (notifier !== null) dispatcher.restore(restored);
      else dispatcher.restore({ alerts: restored.alerts.map((entry) => ({ ...entry, delivered: true })) });
      timer = setInterval(() => {
        engine.evaluate();
        dispatcher.tick(engine.firing());
      }, EVALUATE_INTERVAL_MS);
      timer.unref();
    },
    async stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      await notifier?.stop();
    },
  };
}
