// The receivers named in ALERT_WEBHOOK_URL and the body each kind of receiver wants.
// Pure, so the formats are tested without a socket and the notifier only moves bytes.

import { replaceControls } from '../control-chars.js';
import { ConfigError } from '../errors.js';
import type { AlertNotification } from './types.js';

/** json is ours (documented in docs/alerts.md); slack also suits Mattermost and Discord's /slack. */
export type WebhookFormat = 'json' | 'slack' | 'ntfy';

export interface WebhookTarget {
  url: URL;
  format: WebhookFormat;
  /** Scheme, host and port, plus "/…" when there is more: Slack's path is its secret. */
  display: string;
}

export interface WebhookPayload {
  body: string;
  contentType: string;
  /** Extra request headers (ntfy carries its title and priority in them). */
  headers: Record<string, string>;
}

const PREFIX = /^(json|slack|ntfy):/i;
const VARIABLE = 'ALERT_WEBHOOK_URL';
const EXPECTED = 'expected http:// or https://, optionally prefixed with json:, slack: or ntfy:';

/**
 * Comma-separated URLs, each optionally prefixed with its format; empty entries are
 * skipped. Error messages name the entry's position, never its text: it may hold a token.
 */
export function parseWebhookTargets(value: string): WebhookTarget[] {
  const targets: WebhookTarget[] = [];
  value.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    if (entry !== '') targets.push(parseTarget(entry, index + 1));
  });
  return targets;
}

function parseTarget(entry: string, position: number): WebhookTarget {
  const prefix = PREFIX.exec(entry);
  const rest = prefix === null ? entry : entry.slice(prefix[0].length);
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    throw new ConfigError(`${VARIABLE} entry ${position} is not a URL; ${EXPECTED}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    // Named only when it is plainly a scheme ("ftp://host"): in "admin:pw@host" the
    // parser's "scheme" is a user name.
    const scheme = url.host === '' ? '' : ` (it uses ${url.protocol})`;
    throw new ConfigError(`${VARIABLE} entry ${position} has an unsupported scheme${scheme}; ${EXPECTED}`);
  }
  const format = prefix?.[1] === undefined ? guessFormat(url) : (prefix[1].toLowerCase() as WebhookFormat);
  return { url, format, display: displayOf(url) };
}

function guessFormat(url: URL): WebhookFormat {
  const host = url.hostname.replace(/\.$/, '');
  if (host === 'hooks.slack.com') return 'slack';
  // Discord's Slack-compatible endpoint is /api/webhooks/<id>/<token>/slack.
  if (/\/slack\/?$/.test(url.pathname)) return 'slack';
  // Mattermost's incoming webhooks are /hooks/<id>, possibly under a sub-path.
  if (/\/hooks\/[^/]+\/?$/.test(url.pathname)) return 'slack';
  if (host === 'ntfy.sh') return 'ntfy';
  return 'json';
}

function displayOf(url: URL): string {
  const more = url.pathname !== '/' || url.search !== '';
  return `${url.protocol}//${url.host}${more ? '/…' : ''}`;
}

/**
 * Errors and status lines are the receiver's or Node's words and may quote the URL;
 * status() and the log show them, so every secret-bearing part becomes "…".
 */
export function redactUrl(text: string, url: URL): string {
  const decode = (part: string): string => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  };
  const path = url.pathname === '/' ? '' : url.pathname;
  const secrets = [
    url.href,
    `${url.origin}${url.pathname}${url.search}`,
    `${url.pathname}${url.search}`,
    path,
    decode(path),
    url.search,
    url.search.slice(1),
    url.username,
    decode(url.username),
    url.password,
    decode(url.password),
    // A token alone (Slack's last segment, ?token=…) is long; short words like "hooks" are not secrets.
    ...url.pathname.split('/').filter((segment) => segment.length >= 8),
    ...[...url.searchParams.values()].filter((value) => value.length >= 8),
  ].filter((secret) => secret !== '' && secret !== '/');
  secrets.sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('…');
  return replaceControls(out.replace(/[\t\n]/g, ' '));
}

export function formatNotification(n: AlertNotification, format: WebhookFormat): WebhookPayload {
  switch (format) {
    case 'json':
      return { body: JSON.stringify(toJsonBody(n)), contentType: 'application/json', headers: {} };
    case 'slack':
      return { body: JSON.stringify({ text: toSlackText(n) }), contentType: 'application/json', headers: {} };
    case 'ntfy':
      return { body: n.alert.summary, contentType: 'text/plain; charset=utf-8', headers: toNtfyHeaders(n) };
  }
}

// A bad clock value must not make notify() throw (toISOString throws on NaN).
function toIso(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function toJsonBody(n: AlertNotification): Record<string, unknown> {
  const { alert } = n;
  return {
    version: 1,
    status: n.kind,
    alert: alert.rule,
    key: alert.key,
    summary: alert.summary,
    container: alert.containerId === null ? null : { id: alert.containerId, name: alert.containerName },
    since: toIso(alert.sinceMs),
    resolved_at: alert.resolvedAtMs === null ? null : toIso(alert.resolvedAtMs),
    value: alert.value,
    threshold: alert.threshold,
    host: n.host,
    time: toIso(n.atMs),
  };
}

// Slack reads &, < and > as markup (<!channel>, links); everything else is literal.
// https://api.slack.com/reference/surfaces/formatting#escaping
function escapeSlack(text: string): string {
  return replaceControls(text)
    .replace(/[\t\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function toSlackText(n: AlertNotification): string {
  const { alert } = n;
  const head = n.kind === 'firing' ? ':red_circle: FIRING' : ':large_green_circle: RESOLVED';
  const since = toIso(alert.sinceMs);
  const resolved = n.kind === 'resolved' && alert.resolvedAtMs !== null ? toIso(alert.resolvedAtMs) : null;
  const times = [since === null ? '' : `since ${since}`, resolved === null ? '' : `resolved ${resolved}`].filter((t) => t !== '');
  const tail = times.length === 0 ? '' : ` (${times.join(', ')})`;
  return `${head} ${escapeSlack(alert.rule)} on ${escapeSlack(n.host)}: ${escapeSlack(alert.summary)}${tail}`;
}

// Node refuses header values with control characters or code points above U+00FF, and
// latin-1 is read differently by different servers: keep to printable ASCII.
function asciiHeader(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?');
}

// https://docs.ntfy.sh/publish/#message-title, #message-priority, #tags-emojis
function toNtfyHeaders(n: AlertNotification): Record<string, string> {
  const firing = n.kind === 'firing';
  return {
    Title: asciiHeader(`dockmon ${n.host}: ${n.alert.rule} ${n.kind}`),
    Priority: firing ? 'high' : 'default',
    Tags: firing ? 'rotating_light' : 'white_check_mark',
  };
}
