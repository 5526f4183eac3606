import { describe, expect, it } from 'vitest';
import { hexId, makeInfo, makeSample } from '../../test/helpers/samples.js';
import { HISTORY_CSV_COLUMNS, historyCsvFileName, toHistoryCsv, toHistoryJson } from './history-json.js';

const T0 = Date.parse('2026-11-25T12:00:00.000Z');

describe('history as JSON and CSV', () => {
  const samples = [makeSample(T0, { cpuPercent: null, networkRxBytesPerSecond: null }), makeSample(T0 + 1000, { cpuPercent: 12.5 })];

  it('keeps the /containers field names and units, oldest first', () => {
    const json = toHistoryJson(makeInfo({ id: hexId('ab'), name: 'web' }), samples);
    expect(json).toMatchObject({ id: hexId('ab'), name: 'web', image: 'busybox' });
    expect(json.samples).toHaveLength(2);
    expect(json.samples[0]).toMatchObject({ read: '2026-11-25T12:00:00.000Z', cpu: null, network_rx_bytes_per_second: null });
    expect(json.samples[1]).toMatchObject({
      cpu: 12.5,
      memory: 62.5,
      memory_usage_bytes: 40 * 1024 * 1024,
      memory_limit_bytes: 64 * 1024 * 1024,
      network_rx_bytes: 2048,
      block_write_bytes: 8192,
      pids: 3,
    });
    expect(Object.keys(json.samples[1] ?? {}).sort()).toEqual([...HISTORY_CSV_COLUMNS].sort());
    expect(json.samples[1]).toMatchObject({ source: 'api', cpu_usage_seconds: 1 });
  });

  it('writes RFC 4180 CSV: a header, a line per sample, empty cells for unknown values', () => {
    const lines = toHistoryCsv(samples).split('\r\n');
    expect(lines[0]).toBe(HISTORY_CSV_COLUMNS.join(','));
    expect(lines[1]).toMatch(/^2026-11-25T12:00:00\.000Z,,2,62\.5,41943040,52428800,67108864,2048,1024,,50,4096,8192,3,1,api$/);
    expect(lines[2]?.split(',')[1]).toBe('12.5');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
  });

  it('writes only the header for a container without samples', () => {
    expect(toHistoryCsv([])).toBe(`${HISTORY_CSV_COLUMNS.join(',')}\r\n`);
  });

  it('never lets a cell start a spreadsheet formula', () => {
    const csv = toHistoryCsv([{ ...makeSample(T0), readIso: '=HYPERLINK("x")' }]);
    expect(csv.split('\r\n')[1]).toMatch(/^"'=HYPERLINK\(""x""\)",/);
  });

  it('names the download from the ID only', () => {
    expect(historyCsvFileName(hexId('ab'))).toBe('dockmon-history-abababababab.csv');
    expect(historyCsvFileName('../"evil"\r\n')).toBe('dockmon-history-e.csv');
  });
});
