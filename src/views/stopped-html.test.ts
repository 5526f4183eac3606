import { describe, expect, it } from 'vitest';
import { hexId, makeInfo } from '../../test/helpers/samples.js';
import type { Alert } from '../alerts/types.js';
import type { StoppedContainer } from '../lifecycle/stopped.js';
import { COLUMNS } from './columns.js';
import { renderStoppedRow, stoppedNote } from './stopped-html.js';
import { renderTableRows } from './table-html.js';

const NOW = 1_800_000_000_000;
const ID = hexId('5e');
const HOSTILE = '<img src=x onerror=alert(1)>';

function stopped(overrides: Partial<StoppedContainer> = {}): StoppedContainer {
  return {
    info: makeInfo({ id: ID, name: 'batch', state: 'exited', labels: { team: 'data' } }),
    exitCode: 137,
    oomKilled: true,
    finishedAtMs: NOW - 3 * 60_000 - 20_000,
    restartCount: 0,
    ...overrides,
  };
}

function crashLoop(containerId: string): Alert {
  return {
    rule: 'crash_loop',
    key: `crash_loop:${containerId}`,
    containerId,
    containerName: 'batch',
    state: 'firing',
    sinceMs: NOW - 30_000,
    resolvedAtMs: null,
    summary: 'batch is crash-looping: 3 restarts in 10m',
    value: 3,
    threshold: '3 in 10m',
  };
}

/** A stopped container as the table gets it. */
function row(entry: StoppedContainer, alerts?: Alert[]) {
  return { info: entry.info, latest: null, details: null, stopped: entry, ...(alerts === undefined ? {} : { alerts }) };
}

describe('how a stopped container ended', () => {
  it.each([
    ['exited, OOM killed', stopped(), 'exited 3m ago, code 137, OOM killed'],
    ['exited with a code', stopped({ exitCode: 3, oomKilled: false, finishedAtMs: NOW - 12_000 }), 'exited 12s ago, code 3'],
    ['end not known yet', stopped({ exitCode: 1, oomKilled: null, finishedAtMs: null }), 'exited, code 1'],
    ['never started', stopped({ info: makeInfo({ id: ID, name: 'x', state: 'created' }), exitCode: 0, finishedAtMs: null }), 'created, never started'],
    ['an hour ago', stopped({ exitCode: 0, oomKilled: false, finishedAtMs: NOW - 75 * 60_000 }), 'exited 1h 15m ago, code 0'],
  ])('%s', (_name, entry, text) => {
    expect(stoppedNote(entry, NOW)).toBe(text);
  });
});

describe('a stopped row', () => {
  it('is greyed (class "stopped") with how it ended in place of the usage cells', () => {
    const html = renderStoppedRow(row(stopped()), NOW);
    expect(html).toMatch(new RegExp(`^<tr data-id="${ID}" class="stopped" data-q="batch busybox team=data">`));
    expect(html).toContain(`<td class="note" colspan="5" title="ended ${new Date(NOW - 200_000).toISOString()}">exited 3m ago, code 137, OOM killed</td>`);
    expect(html).toContain('<span class="badge s-exited">exited</span>');
    expect(html).not.toContain('data-col="cpu"');
    // The same columns as a running row: ID, name, image, state, uptime, then the five usage columns.
    const spans = [...html.matchAll(/<td[^>]*>/g)].reduce((sum, [td]) => sum + Number(/colspan="(\d+)"/.exec(td)?.[1] ?? 1), 0);
    expect(spans).toBe(COLUMNS.length);
  });

  it('is what the table renders for a row with `stopped`', () => {
    expect(renderTableRows([row(stopped())], NOW)).toBe(renderStoppedRow(row(stopped()), NOW));
  });

  it('is marked "crash-looping" and "alerting" while its crash_loop alert fires', () => {
    const html = renderStoppedRow(row(stopped(), [crashLoop(ID)]), NOW);
    expect(html).toContain('class="stopped alerting"');
    expect(html).toMatch(/<span class="badge alert" data-alert="crash_loop" title="[^"]*batch is crash-looping[^"]*">crash-looping<\/span>/);
  });

  it('escapes a hostile name and shows its control characters as pictures', () => {
    const entry = stopped({ info: makeInfo({ id: ID, name: `${HOSTILE}\u001b[31m\u0000\u007f`, image: HOSTILE, state: 'exited', labels: { [HOSTILE]: HOSTILE } }) });
    const html = renderStoppedRow(row(entry), NOW);
    expect(html).not.toMatch(/<img|[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(html).toContain('<button type="button" class="open" title="details and history">&lt;img src=x onerror=alert(1)&gt;␛[31m␀␡</button>');
    expect(html).toContain('data-q="&lt;img src=x onerror=alert(1)&gt;␛[31m␀␡ ');
  });
});
