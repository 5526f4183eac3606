import { validateHeaderName, validateHeaderValue } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import type { Alert, AlertNotification } from './types.js';
import { formatNotification, parseWebhookTargets, redactUrl } from './webhook-format.js';

const SINCE = Date.UTC(2026, 0, 2, 3, 4, 5);
const AT = SINCE + 90_000;

function notification(overrides: Partial<Alert> = {}, kind: 'firing' | 'resolved' = 'firing', host = 'host1'): AlertNotification {
  const alert: Alert = {
    rule: 'exited',
    key: 'exited:abc123',
    containerId: 'abc123',
    containerName: 'web',
    state: kind,
    sinceMs: SINCE,
    resolvedAtMs: kind === 'resolved' ? AT : null,
    summary: 'web exited with code 3',
    value: 3,
    threshold: null,
    ...overrides,
  };
  return { kind, alert, atMs: AT, host };
}

describe('parseWebhookTargets', () => {
  it.each(['', '  ', ' , '])('reads %j as no targets', (value) => {
    expect(parseWebhookTargets(value)).toEqual([]);
  });

  it('reads comma-separated entries in order, trimming spaces', () => {
    const targets = parseWebhookTargets(' https://a.example/x , http://b.example:8080/y');
    expect(targets.map((t) => t.url.href)).toEqual(['https://a.example/x', 'http://b.example:8080/y']);
  });

  it.each([
    ['json:https://hooks.slack.com/services/T/B/X', 'json'],
    ['slack:https://chat.example/incoming', 'slack'],
    ['NTFY:https://push.example/alerts', 'ntfy'],
    ['ntfy:http://127.0.0.1:8080/topic', 'ntfy'],
  ] as const)('takes the format from the prefix of %s', (entry, format) => {
    const [target] = parseWebhookTargets(entry);
    expect(target?.format).toBe(format);
    // The prefix is not part of the URL that is posted to.
    expect(target?.url.protocol).toMatch(/^https?:$/);
  });

  it.each([
    ['https://hooks.slack.com/services/T/B/X', 'slack'],
    ['https://discord.com/api/webhooks/123/tok/slack', 'slack'],
    ['https://discord.com/api/webhooks/123/tok', 'json'],
    ['https://chat.example/hooks/xj3kq9', 'slack'],
    ['https://example.com/mattermost/hooks/xj3kq9', 'slack'],
    ['https://ntfy.sh/my-topic', 'ntfy'],
    ['https://ntfy.example/my-topic', 'json'],
    ['https://alerts.example/dockmon', 'json'],
    ['http://127.0.0.1:9000', 'json'],
  ] as const)('guesses the format of %s: %s', (entry, format) => {
    expect(parseWebhookTargets(entry)[0]?.format).toBe(format);
  });

  it.each([
    ['https://user:pw@hooks.slack.com/services/T0/B0/SECRET', 'https://hooks.slack.com/…'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
    ['http://h.example:8080/?token=abc', 'http://h.example:8080/…'],
    ['https://h.example:443/x#frag', 'https://h.example/…'],
    ['slack:http://[::1]:9/hooks/id', 'http://[::1]:9/…'],
  ])('shows %s as %s', (entry, display) => {
    expect(parseWebhookTargets(entry)[0]?.display).toBe(display);
  });

  it('keeps credentials, path and query in the URL it posts to, and only there', () => {
    const [target] = parseWebhookTargets('https://user:pw@hooks.slack.com/services/T0/B0/SECRET?x=1');
    expect(target?.url.pathname).toBe('/services/T0/B0/SECRET');
    expect(target?.url.password).toBe('pw');
    for (const secret of ['pw', 'user', 'SECRET', 'services', 'x=1']) expect(target?.display).not.toContain(secret);
  });

  it.each([
    'ftp://user:pw@files.example/SECRET',
    'file:///etc/SECRET',
    'javascript:alert(SECRET)',
    'teams:https://user:pw@teams.example/SECRET',
    'admin:pw@hooks.example/SECRET',
    'not a url SECRET',
    'slack:',
    'https://ok.example/a, ws://user:pw@sock.example/SECRET',
  ])('refuses %s with a ConfigError that keeps its secrets', (value) => {
    let thrown: unknown;
    try {
      parseWebhookTargets(value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const message = (thrown as Error).message;
    expect(message).toMatch(/^ALERT_WEBHOOK_URL entry \d/);
    expect(message).toContain('http:// or https://');
    for (const secret of ['SECRET', 'pw', 'admin', 'user']) expect(message).not.toContain(secret);
  });

  it('names the entry and a plain scheme in the message', () => {
    expect(() => parseWebhookTargets('https://ok.example, ftp://files.example/x')).toThrow(
      'ALERT_WEBHOOK_URL entry 2 has an unsupported scheme (it uses ftp:)',
    );
  });
});

describe('redactUrl', () => {
  const url = new URL('https://us%20er:p%40ss@hooks.example:8443/services/T0/B0/SECRETTOKEN?token=abcdefgh123&v=1');

  it.each([
    [`POST ${url.href} failed`, 'POST … failed'],
    ['connect ECONNREFUSED 10.0.0.1:8443', 'connect ECONNREFUSED 10.0.0.1:8443'],
    ['no route for /services/T0/B0/SECRETTOKEN?token=abcdefgh123&v=1', 'no route for …'],
    ['no route for /services/T0/B0/SECRETTOKEN?token=abcdefgh123', 'no route for …?token=…'],
    ['bad path /services/T0/B0/SECRETTOKEN', 'bad path …'],
    ['token SECRETTOKEN or abcdefgh123 refused', 'token … or … refused'],
    ['auth us er:p@ss refused', 'auth …:… refused'],
    ['line\nbreak\u001b[2J', 'line break\u241b[2J'],
  ])('turns %j into %j', (text, expected) => {
    expect(redactUrl(text, url)).toBe(expected);
  });

  it('leaves text alone for a URL without path, query or credentials', () => {
    expect(redactUrl('socket hang up /', new URL('http://127.0.0.1:9/'))).toBe('socket hang up /');
  });
});

describe('formatNotification json', () => {
  it('writes the documented snake_case keys, in order', () => {
    const payload = formatNotification(notification({ threshold: '90%' }), 'json');
    expect(payload.contentType).toBe('application/json');
    expect(payload.headers).toEqual({});
    expect(payload.body).toBe(
      '{"version":1,"status":"firing","alert":"exited","key":"exited:abc123","summary":"web exited with code 3",' +
        '"container":{"id":"abc123","name":"web"},"since":"2026-01-02T03:04:05.000Z","resolved_at":null,' +
        '"value":3,"threshold":"90%","host":"host1","time":"2026-01-02T03:05:35.000Z"}',
    );
  });

  it('has a null container for host-wide alerts and resolved_at once resolved', () => {
    const n = notification(
      { rule: 'docker_unreachable', key: 'docker_unreachable', containerId: null, containerName: null, value: null },
      'resolved',
    );
    expect(JSON.parse(formatNotification(n, 'json').body)).toMatchObject({
      status: 'resolved',
      alert: 'docker_unreachable',
      container: null,
      resolved_at: '2026-01-02T03:05:35.000Z',
      value: null,
    });
  });

  it('does not throw on a clock that is not a number', () => {
    const n = { ...notification({ sinceMs: Number.NaN }), atMs: Number.NaN };
    expect(JSON.parse(formatNotification(n, 'json').body)).toMatchObject({ since: null, time: null });
    expect(() => formatNotification(n, 'slack')).not.toThrow();
  });
});

describe('formatNotification slack', () => {
  const text = (n: AlertNotification) => (JSON.parse(formatNotification(n, 'slack').body) as { text: string }).text;

  it('writes one firing line', () => {
    expect(formatNotification(notification(), 'slack').contentType).toBe('application/json');
    expect(text(notification())).toBe(':red_circle: FIRING exited on host1: web exited with code 3 (since 2026-01-02T03:04:05.000Z)');
  });

  it('writes one resolved line', () => {
    expect(text(notification({}, 'resolved'))).toBe(
      ':large_green_circle: RESOLVED exited on host1: web exited with code 3 ' +
        '(since 2026-01-02T03:04:05.000Z, resolved 2026-01-02T03:05:35.000Z)',
    );
  });

  it('escapes &, < and > and keeps to one line', () => {
    const n = notification({ summary: 'a & <!channel> > b\nnext\tline' }, 'firing', 'h<1>&');
    expect(text(n)).toBe(
      ':red_circle: FIRING exited on h&lt;1&gt;&amp;: a &amp; &lt;!channel&gt; &gt; b next line (since 2026-01-02T03:04:05.000Z)',
    );
  });
});

describe('formatNotification ntfy', () => {
  it('sends the summary as text with a high-priority title for firing', () => {
    const payload = formatNotification(notification(), 'ntfy');
    expect(payload).toEqual({
      body: 'web exited with code 3',
      contentType: 'text/plain; charset=utf-8',
      headers: { Title: 'dockmon host1: exited firing', Priority: 'high', Tags: 'rotating_light' },
    });
  });

  it('uses default priority and a check mark for resolved', () => {
    expect(formatNotification(notification({}, 'resolved'), 'ntfy').headers).toEqual({
      Title: 'dockmon host1: exited resolved',
      Priority: 'default',
      Tags: 'white_check_mark',
    });
  });

  it('keeps header values to printable ASCII that Node accepts', () => {
    const { headers } = formatNotification(notification({}, 'firing', 'hôst\u001b[31m\r\nX: 1 ✓'), 'ntfy');
    expect(headers['Title']).toBe('dockmon h?st?[31m??X: 1 ?: exited firing');
    for (const [name, value] of Object.entries(headers)) {
      expect(() => validateHeaderName(name)).not.toThrow();
      expect(() => validateHeaderValue(name, value)).not.toThrow();
    }
  });
});
