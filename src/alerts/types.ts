// What an alert is, for the rules that raise it (rules.ts), the page and /alerts that
// show it, and the webhooks that carry it (webhook-notifier.ts).

/** The built-in rules; `dockmon.alert.<rule>=<threshold>|off` sets one per container. */
export type AlertRule =
  | 'exited'
  | 'oom_killed'
  | 'crash_loop'
  | 'unhealthy'
  | 'cpu'
  | 'memory'
  | 'stale'
  | 'docker_unreachable';

export const ALERT_RULES: readonly AlertRule[] = [
  'exited',
  'oom_killed',
  'crash_loop',
  'unhealthy',
  'cpu',
  'memory',
  'stale',
  'docker_unreachable',
];

export interface Alert {
  rule: AlertRule;
  /** `<rule>` for host-wide alerts, `<rule>:<container id>` otherwise: one alert per key. */
  key: string;
  /** Null for host-wide rules (docker_unreachable). */
  containerId: string | null;
  containerName: string | null;
  state: 'firing' | 'resolved';
  /** When the condition began (firing) – epoch ms. */
  sinceMs: number;
  /** When it ended; null while firing. */
  resolvedAtMs: number | null;
  /** One line a person reads: "web exited with code 3". Control characters already replaced. */
  summary: string;
  /** The figure that crossed the threshold (percent, restarts, seconds), null where none. */
  value: number | null;
  /** The threshold as configured ("90%", "3 in 10m", "60s"), null where none. */
  threshold: string | null;
}

/** One message to the receivers: an alert that fired, fired again (repeat), or resolved. */
export interface AlertNotification {
  kind: 'firing' | 'resolved';
  alert: Alert;
  /** When the notification was made, epoch ms. */
  atMs: number;
  /** This agent's host name, so a receiver with several agents can tell them apart. */
  host: string;
}
