// The wire format of /containers/history: one container's retained samples, oldest
// first, with the field names (and units) of /containers entries. The CSV download has
// the same columns; it holds numbers and times only, never a Docker-provided string,
// so no cell can be read as a spreadsheet formula.

import type { ContainerInfo, HistorySample, StatsSource } from '../stats/types.js';

export interface HistorySampleJson {
  read: string;
  source: StatsSource;
  cpu: number | null;
  cpu_usage_seconds: number;
  online_cpus: number;
  memory: number;
  memory_usage_bytes: number;
  memory_raw_usage_bytes: number;
  memory_limit_bytes: number;
  network_rx_bytes: number;
  network_tx_bytes: number;
  network_rx_bytes_per_second: number | null;
  network_tx_bytes_per_second: number | null;
  block_read_bytes: number;
  block_write_bytes: number;
  pids: number;
}

export interface HistoryJson {
  id: string;
  name: string;
  image: string;
  samples: HistorySampleJson[];
}

export function toHistorySampleJson(sample: HistorySample): HistorySampleJson {
  return {
    read: sample.readIso,
    source: sample.source,
    cpu: sample.cpuPercent,
    cpu_usage_seconds: sample.cpuUsageNs / 1e9,
    online_cpus: sample.onlineCpus,
    memory: sample.memoryPercent,
    memory_usage_bytes: sample.memoryUsageBytes,
    memory_raw_usage_bytes: sample.memoryRawUsageBytes,
    memory_limit_bytes: sample.memoryLimitBytes,
    network_rx_bytes: sample.networkRxBytes,
    network_tx_bytes: sample.networkTxBytes,
    network_rx_bytes_per_second: sample.networkRxBytesPerSecond,
    network_tx_bytes_per_second: sample.networkTxBytesPerSecond,
    block_read_bytes: sample.blockReadBytes,
    block_write_bytes: sample.blockWriteBytes,
    pids: sample.pids,
  };
}

export function toHistoryJson(info: Readonly<ContainerInfo>, samples: readonly HistorySample[]): HistoryJson {
  return { id: info.id, name: info.name, image: info.image, samples: samples.map(toHistorySampleJson) };
}

export const HISTORY_CSV_COLUMNS: readonly (keyof HistorySampleJson)[] = [
  'read',
  'cpu',
  'online_cpus',
  'memory',
  'memory_usage_bytes',
  'memory_raw_usage_bytes',
  'memory_limit_bytes',
  'network_rx_bytes',
  'network_tx_bytes',
  'network_rx_bytes_per_second',
  'network_tx_bytes_per_second',
  'block_read_bytes',
  'block_write_bytes',
  'pids',
  // Added after the first release: at the end, so existing spreadsheets keep their columns.
  'cpu_usage_seconds',
  'source',
];

/** RFC 4180: a header line, then one line per sample; an unknown value is an empty cell. */
export function toHistoryCsv(samples: readonly HistorySample[]): string {
  const lines = [HISTORY_CSV_COLUMNS.join(',')];
  for (const sample of samples) {
    const json = toHistorySampleJson(sample);
    lines.push(HISTORY_CSV_COLUMNS.map((column) => csvCell(json[column])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  // The strings are `read`, an RFC 3339 time checked when parsed, and `source`, one of two words.
  // Quote it anyway if it ever holds a separator, and never let it start a formula.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The download's file name: from the ID only, never from a container name. */
export function historyCsvFileName(id: string): string {
  return `dockmon-history-${id.replace(/[^0-9a-f]/g, '').slice(0, 12)}.csv`;
}
