import { describe, expect, it } from 'vitest';
import { hexId, makeInfo, makeSample } from '../../test/helpers/samples.js';
import type { Alert, AlertRule } from '../alerts/types.js';
import { ALERT_BADGES, alertBannerText, MAX_BANNER_SUMMARIES, renderAlertBadges, renderAlertBanner } from './alerts-html.js';
import { renderTableRow } from './table-html.js';

const NOW = 1_800_000_000_000;
const HOSTILE = '<img src=x onerror=alert(1)>';

function alert(rule: AlertRule, summary: string, sinceMs = NOW - 60_000, containerId: string | null = hexId('a1')): Alert {
  return {
    rule,
    key: containerId === null ? rule : `${rule}:${containerId}`,
    containerId,
    containerName: 'web',
    state: 'firing',
    sinceMs,
    resolvedAtMs: null,
    summary,
    value: null,
    threshold: null,
  };
}

describe('the alerts banner', () => {
  it('says the count and every summary, oldest first', () => {
    const html = renderAlertBanner([alert('unhealthy', 'db is unhealthy', NOW - 1_000), alert('exited', 'web exited with code 3', NOW - 5_000)]);
    expect(html).toBe('<div id="alerts" class="banner alerts" role="alert"><p>2 alerts firing: web exited with code 3 · db is unhealthy</p></div>');
    expect(alertBannerText(['web exited with code 3'])).toBe('1 alert firing: web exited with code 3');
  });

  it('is in the page but hidden while nothing fires', () => {
    expect(renderAlertBanner([])).toBe('<div id="alerts" class="banner alerts" role="alert" hidden></div>');
  });

  it('escapes each summary, and shows control characters as the symbols that picture them', () => {
    const html = renderAlertBanner([alert('exited', `${HOSTILE}\u001b[2J\u0007 exited with code 3`)]);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;␛[2J␇ exited with code 3');
  });

  it(`lists at most ${MAX_BANNER_SUMMARIES} summaries and counts the rest`, () => {
    const summaries = Array.from({ length: 13 }, (_, index) => `c${index} is unhealthy`);
    const text = alertBannerText(summaries);
    expect(text.startsWith('13 alerts firing: c0 is unhealthy · c1 is unhealthy')).toBe(true);
    expect(text).not.toContain('c10 ');
    expect(text.endsWith(' · and 3 more (GET /alerts)')).toBe(true);
  });
});

describe('alert badges on a row', () => {
  it.each([
    ['crash_loop', 'crash-looping'],
    ['unhealthy', 'unhealthy'],
    ['oom_killed', 'OOM-killed'],
    ['cpu', 'CPU'],
    ['memory', 'memory'],
    ['stale', 'stale'],
  ] as const)('names the rule %s as "%s"', (rule, text) => {
    expect(ALERT_BADGES[rule]).toBe(text);
    expect(renderAlertBadges([alert(rule, 'x')])).toContain(`data-alert="${rule}"`);
    expect(renderAlertBadges([alert(rule, 'x')])).toContain(`>${text}</span>`);
  });

  it('gives one badge per rule, the summary (escaped) and start in its title', () => {
    const html = renderAlertBadges([alert('cpu', `${HOSTILE} CPU at 95%`), alert('cpu', 'again')]);
    expect(html.match(/class="badge alert"/g)).toHaveLength(1);
    expect(html).toContain('title="alert firing since 2027-01-15 07:59:00 UTC: &lt;img src=x onerror=alert(1)&gt; CPU at 95%"');
  });

  it('marks a running row "alerting" and puts the badge in its State cell beside the plain ones', () => {
    const row = {
      info: makeInfo({ id: hexId('a1'), name: 'web' }),
      latest: makeSample(NOW - 500),
      alerts: [alert('crash_loop', 'web is crash-looping: 3 restarts in 10m')],
    };
    const html = renderTableRow(row, NOW);
    expect(html).toMatch(/^<tr data-id="[0-9a-f]{64}" class="alerting"/);
    expect(html).toMatch(/<td data-col="state"[^>]*><span class="badge s-running">running<\/span> <span class="badge alert" data-alert="crash_loop"[^>]*>crash-looping<\/span>/);
    expect(renderTableRow({ ...row, alerts: [] }, NOW)).not.toContain('alerting');
  });
});
