import { describe, expect, it } from 'vitest';
import { hexId, makeInfo } from '../../test/helpers/samples.js';
import type { Alert } from '../alerts/types.js';
import type { LifecycleEvent } from '../lifecycle/timeline.js';
import { eventDetail, MAX_EVENTS_SHOWN, renderGoneDetail, renderLifecycle } from './lifecycle-html.js';

const NOW = Date.parse('2026-11-25T12:00:00.000Z');
const ID = hexId('7a');
const HOSTILE = '<img src=x onerror=alert(1)>';

function event(action: LifecycleEvent['action'], secondsAgo: number, overrides: Partial<LifecycleEvent> = {}): LifecycleEvent {
  return {
    timeMs: NOW - secondsAgo * 1000,
    action,
    containerId: ID,
    name: 'web',
    exitCode: null,
    signal: null,
    health: null,
    deliberate: null,
    ...overrides,
  };
}

const EXITED: Alert = {
  rule: 'exited',
  key: `exited:${ID}`,
  containerId: ID,
  containerName: 'web',
  state: 'firing',
  sinceMs: NOW - 10_000,
  resolvedAtMs: null,
  summary: `${HOSTILE}␛ exited with code 3`,
  value: 3,
  threshold: null,
};

/** The timeline's <li>s, as text without tags. */
function items(html: string): string[] {
  return [...html.matchAll(/<li class="ev-[a-z_]+">(.*?)<\/li>/g)].map((match) => (match[1] ?? '').replace(/<[^>]+>/g, ''));
}

describe('the Lifecycle section', () => {
  const events = [
    event('create', 60),
    event('start', 59),
    event('health_status', 40, { health: 'unhealthy' }),
    event('kill', 20, { signal: '15' }),
    event('die', 19, { exitCode: 143, deliberate: true }),
    event('start', 15),
    event('die', 10, { exitCode: 3, deliberate: false }),
  ];

  it('lists the events newest first: time, action, exit code, signal, health', () => {
    expect(items(renderLifecycle(events, []))).toEqual([
      '2026-11-25 11:59:50 UTC die exit code 3',
      '2026-11-25 11:59:45 UTC start',
      '2026-11-25 11:59:41 UTC die exit code 143, after a kill (asked for)',
      '2026-11-25 11:59:40 UTC kill signal 15',
      '2026-11-25 11:59:20 UTC health status health: unhealthy',
      '2026-11-25 11:59:01 UTC start',
      '2026-11-25 11:59:00 UTC create',
    ]);
    const html = renderLifecycle(events, []);
    expect(html).toContain('<h3>Lifecycle <small>(7 events)</small></h3>');
    expect(html).toContain('<time datetime="2026-11-25T11:59:50.000Z">');
  });

  it(`shows at most the latest ${MAX_EVENTS_SHOWN}`, () => {
    const many = Array.from({ length: 80 }, (_, index) => event(index % 2 === 0 ? 'start' : 'die', 1_000 - index, { exitCode: index % 2 === 0 ? null : index }));
    const html = renderLifecycle(many, []);
    expect(items(html)).toHaveLength(MAX_EVENTS_SHOWN);
    expect(items(html)[0]).toContain('exit code 79');
    expect(html).toContain(`(latest ${MAX_EVENTS_SHOWN} of 80 events)`);
  });

  it('lists the firing alerts with their badge, the summary escaped', () => {
    const html = renderLifecycle(events, [EXITED]);
    expect(html).toContain('<ul class="firing" aria-label="firing alerts"><li><span class="badge alert" data-alert="exited">exited</span> &lt;img src=x onerror=alert(1)&gt;␛ exited with code 3 <small>since <time');
    expect(html).not.toContain('<img');
  });

  it('says when nothing was seen', () => {
    expect(renderLifecycle([], [])).toContain('No lifecycle event seen since dockmon started.');
  });

  it('escapes what an event carries from Docker (a new name, a signal)', () => {
    expect(eventDetail(event('rename', 1, { name: HOSTILE }))).toBe(`now ${HOSTILE}`);
    const html = renderLifecycle([event('rename', 1, { name: `${HOSTILE}\u001b` }), event('kill', 1, { signal: '<b>' })], []);
    expect(html).not.toMatch(/<img|<b>|\u001b/);
    expect(html).toContain('now &lt;img src=x onerror=alert(1)&gt;␛');
  });
});

describe('the panel of a container that does not run', () => {
  const info = makeInfo({ id: ID, name: `${HOSTILE}\u0007`, state: 'exited', labels: { team: HOSTILE } });

  it('says how a stopped one ended, with its Lifecycle and labels, and no charts', () => {
    const stopped = { info, exitCode: 3, oomKilled: false, finishedAtMs: NOW - 125_000, restartCount: 1 };
    const html = renderGoneDetail({ id: ID, name: info.name, info, stopped, removedAtMs: null }, NOW, renderLifecycle([event('die', 125, { exitCode: 3 })], [EXITED]));
    expect(html.startsWith(`<section class="detail" data-id="${ID}" aria-labelledby="detail-title">`)).toBe(true);
    expect(html).toContain('<h2 id="detail-title" tabindex="-1">&lt;img src=x onerror=alert(1)&gt;␇</h2>');
    expect(html).toContain('<dt>State</dt><dd>exited 2m ago, code 3</dd>');
    expect(html).toContain('<dt>Exit code</dt><dd>3</dd>');
    expect(html).toContain('<dt>OOM killed</dt><dd>no</dd>');
    expect(html).toContain('<dt>Restarts</dt><dd>1</dd>');
    expect(html).toContain('<section class="lifecycle">');
    expect(html).toContain('<th scope="row">team</th><td>&lt;img src=x onerror=alert(1)&gt;</td>');
    expect(html).not.toContain('<svg');
    expect(html).not.toMatch(/<img|\u0007/);
  });

  it('says when a removed one was removed, from its timeline alone', () => {
    const html = renderGoneDetail({ id: ID, name: 'old', info: null, stopped: null, removedAtMs: NOW - 5 * 60_000 }, NOW, renderLifecycle([event('destroy', 300)], []));
    expect(html).toContain('<dt>State</dt><dd>removed 5m ago</dd>');
    expect(html).toContain('Removed: only its lifecycle is left, for an hour.');
    expect(items(html)).toEqual(['2026-11-25 11:55:00 UTC destroy']);
    expect(html).not.toContain('Labels');
  });
});
