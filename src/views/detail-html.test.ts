import { describe, expect, it } from 'vitest';
import { hexId, historyOf, makeInfo, makeSample } from '../../test/helpers/samples.js';
import { blockRates, renderDetail } from './detail-html.js';

const NOW = 1_800_000_000_000;
const HOSTILE = '<img src=x onerror=alert(1)></script><script>alert(2)</script>';

describe('the detail panel', () => {
  const history = [
    makeSample(NOW - 3_000, { blockReadBytes: 1_000, blockWriteBytes: 0 }),
    makeSample(NOW - 2_000, { blockReadBytes: 3_000, blockWriteBytes: 500 }),
    makeSample(NOW - 1_000, { blockReadBytes: 10, blockWriteBytes: 10 }),
  ];
  const row = {
    info: makeInfo({
      id: hexId('ef'),
      name: 'api',
      labels: { [HOSTILE]: HOSTILE, 'com.docker.compose.project': 'shop', 'com.docker.compose.service': HOSTILE },
    }),
    latest: history[2] ?? null,
    history: historyOf(history),
    details: {
      startedAtMs: NOW - 65_000,
      restartCount: 3,
      health: 'healthy' as const,
      lastExitOomKilled: true,
      oomKillsSeen: 2,
      cpuLimitCores: 1.5,
      memoryLimitBytes: null,
      cpuPeriodUs: 100_000,
      cpuQuotaUs: 150_000,
      cpuShares: 1024,
      memoryReservationBytes: null,
      memorySwapLimitBytes: null,
      pidsLimit: 200,
      restartPolicy: '',
    },
  };

  it('shows the facts from inspect: restarts, OOM kills, limits, start time', () => {
    const html = renderDetail(row, NOW);
    expect(html).toContain('<dt>Restarts</dt><dd>3</dd>');
    expect(html).toContain('2 seen by dockmon; its previous run was OOM-killed');
    expect(html).toContain('<dt>CPU limit</dt><dd>1.5 CPUs</dd>');
    expect(html).toContain('<dt>Memory limit</dt><dd>none (host RAM 64MiB)</dd>');
    expect(html).toContain('<dt>PIDs limit</dt><dd>200</dd>');
    expect(html).toContain('(up 1m 5s)');
    expect(html).toContain('running, healthy');
  });

  it('draws four charts, the CPU limit as a line', () => {
    const html = renderDetail(row, NOW);
    expect(html.match(/<svg class="chart"/g)).toHaveLength(4);
    expect(html).toContain('limit 1.5 CPUs');
  });

  it('escapes labels and the compose project, and links the history by full ID', () => {
    const html = renderDetail(row, NOW);
    expect(html).not.toMatch(/<img|<script|<\/script>/);
    expect(html).toContain('<th scope="row">&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;');
    expect(html).toContain('shop / &lt;img');
    expect(html).toContain(`href="/containers/history.csv?id=${hexId('ef')}" download`);
    expect(html).toContain(`href="/containers/history?id=${hexId('ef')}"`);
  });

  it('says what it does not know yet', () => {
    const html = renderDetail({ ...row, details: null, history: historyOf([]), latest: null }, NOW);
    expect(html).toContain('not known yet');
    expect(html).toContain('No samples yet.');
  });

  it('turns cumulative block I/O into rates, unknown across a counter reset', () => {
    const rates = blockRates(history);
    expect(rates.read.map((point) => point.v)).toEqual([2_000, null]);
    expect(rates.write.map((point) => point.v)).toEqual([500, null]);
  });
});
