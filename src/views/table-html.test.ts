import { describe, expect, it } from 'vitest';
import { hexId, historyOf, makeInfo, makeSample } from '../../test/helpers/samples.js';
import type { ContainerDetails } from '../stats/types.js';
import type { RowInput } from './columns.js';
import { filterText, renderTableHead, renderTableRows, renderTotalsRow } from './table-html.js';

const NOW = 1_800_000_000_000;
const ID = hexId('c0');

const DETAILS: ContainerDetails = {
  startedAtMs: NOW - 3_600_000,
  restartCount: 2,
  health: 'unhealthy',
  lastExitOomKilled: false,
  oomKillsSeen: 1,
  cpuLimitCores: 0.5,
  memoryLimitBytes: 64 * 1024 * 1024,
  cpuPeriodUs: 100_000,
  cpuQuotaUs: 50_000,
  cpuShares: 1024,
  memoryReservationBytes: null,
  memorySwapLimitBytes: 128 * 1024 * 1024,
  pidsLimit: 100,
  restartPolicy: '',
};

const HOSTILE = '<img src=x onerror=alert(1)></script><script>alert(2)</script>"\'`';

function fresh(overrides: Partial<RowInput> = {}): RowInput {
  return {
    info: makeInfo({ id: ID, name: 'web', labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web' } }),
    latest: makeSample(NOW - 800, { cpuPercent: 25 }),
    history: historyOf([makeSample(NOW - 2_000, { cpuPercent: 10 }), makeSample(NOW - 800, { cpuPercent: 25 })]),
    details: DETAILS,
    ...overrides,
  };
}

describe('table rows', () => {
  it('starts each row with <tr data-id="FULL_ID"> and shows the short ID with the full one in reach', () => {
    const html = renderTableRows([fresh()], NOW);
    expect(html.startsWith(`<tr data-id="${ID}"`)).toBe(true);
    expect(html).toContain(`<code title="${ID}">${ID.slice(0, 12)}<span class="rest">${ID.slice(12)}</span></code>`);
  });

  it('shows human units with the exact figures in titles, and the CPU scale and limit', () => {
    const html = renderTableRows([fresh()], NOW);
    expect(html).toContain('25.00%');
    expect(html).toContain('50.00% of 0.5 CPU limit');
    expect(html).toContain('25% (100% = 1 core)');
    expect(html).toContain('40MiB / 64MiB');
    expect(html).toContain('used 41,943,040 B');
    expect(html).toContain('with cache 52,428,800 B');
    expect(html).toContain('↓100B/s ↑50B/s');
    expect(html).toContain('in 2,048 B, out 1,024 B');
    expect(html).toContain('data-col="cpu" data-v="25"');
    expect(html).toContain('<svg class="spark cpu"');
    expect(html).toContain('<svg class="spark mem"');
    expect(html).toContain('>1h 0m<');
    expect(renderTableRows([fresh({ details: { ...DETAILS, startedAtMs: NOW - 125_000 } })], NOW)).toContain('>2m<');
  });

  it('shows health, restarts and OOM kills as badges, and the compose project under the name', () => {
    const html = renderTableRows([fresh()], NOW);
    expect(html).toContain('class="badge h-unhealthy"');
    expect(html).toContain('↻2');
    expect(html).toContain('>OOM<');
    expect(html).toContain('<small class="compose" title="compose project / service">shop / web</small>');
  });

  it('marks stale rows with the age of their data', () => {
    const html = renderTableRows([fresh({ latest: makeSample(NOW - 12_000) })], NOW);
    expect(html).toMatch(/<tr data-id="[0-9a-f]{64}" class="stale"/);
    expect(html).toContain('stale 12s');
    const waiting = renderTableRows([fresh({ latest: null, history: historyOf([]) })], NOW);
    expect(waiting).toContain('waiting for the first sample');
    expect(waiting).toContain('no data yet');
  });

  it('escapes Docker values everywhere: name, image, labels in the filter text and compose tag', () => {
    const row = fresh({
      info: makeInfo({ id: ID, name: 'evil', image: HOSTILE, labels: { x: HOSTILE, 'com.docker.compose.project': HOSTILE } }),
    });
    const html = renderTableRows([row], NOW);
    expect(html).not.toMatch(/<img|<script|<\/script>/);
    expect(html).not.toContain('"\'`');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(filterText(row)).toContain('x=<img src=x onerror=alert(1)>');
  });

  it('keeps the empty-table sentence of the seed', () => {
    expect(renderTableRows([], NOW)).toContain('No running containers.');
  });
});

describe('table head and totals', () => {
  it('puts aria-sort on the sorted column only, and a button on every column', () => {
    const head = renderTableHead({ column: 'cpu', direction: 'desc' });
    expect(head.match(/aria-sort=/g)).toHaveLength(1);
    expect(head).toContain('data-col="cpu" class="num" aria-sort="descending"');
    expect(head.match(/<button type="button" data-sort=/g)).toHaveLength(10);
    expect(head).toContain('100% = 1 core');
  });

  it('adds up the host: CPU, memory, network, block I/O, PIDs, and host RAM when a container has no limit', () => {
    const unlimited = fresh({
      info: makeInfo({ id: hexId('d1'), name: 'b' }),
      latest: makeSample(NOW - 500, { cpuPercent: 150, memoryLimitBytes: 8 * 1024 ** 3, memoryUsageBytes: 1024 ** 3 }),
      details: { ...DETAILS, memoryLimitBytes: null },
    });
    const paused = fresh({ info: makeInfo({ id: hexId('d2'), name: 'c', state: 'paused' }), latest: makeSample(NOW - 9_000) });
    const totals = renderTotalsRow([fresh(), unlimited, paused], NOW);
    expect(totals).toContain('3 containers, 1 paused, 1 stale');
    expect(totals).toContain('187.50%');
    expect(totals).toContain('93.75% of 2 CPUs');
    expect(totals).toContain('1.078GiB');
    expect(totals).toContain('of 8GiB RAM');
    expect(totals).toContain('>9<');
    expect(totals.startsWith('<tr class="totals">')).toBe(true);
  });
});
