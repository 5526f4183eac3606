// The page's columns: their names, how each one sorts, and the sort order itself.
// The server sorts the first render with these keys and writes each key in the cell's
// data-v attribute, so the script sorts live updates by exactly the same values.

import type { Alert } from '../alerts/types.js';
import type { StoppedContainer } from '../lifecycle/stopped.js';
import type { ContainerDetails, ContainerInfo, ContainerSample, HistorySeries } from '../stats/types.js';
import { compareText } from '../stats/text-order.js';

/** What the table needs about one container. history and details are optional extras. */
export interface RowInput {
  info: Readonly<ContainerInfo>;
  latest: ContainerSample | null;
  /** The retained samples, oldest first; empty or absent draws no sparkline. */
  history?: HistorySeries;
  details?: ContainerDetails | null;
  /** Why it is not read from the kernel, when it is not (the detail panel says it). */
  sourceReason?: string | null;
  /** Its firing alerts: the row is marked, with a badge per rule. */
  alerts?: readonly Alert[];
  /** Set for a container that does not run: the row is greyed and says how it ended. */
  stopped?: StoppedContainer;
  /** With peers (many hosts): the host it runs on; the table then has a Host column. */
  host?: string;
  /**
   * Set for another host's container (from a peer): no detail panel; `down` when that peer
   * stopped answering; `key`, the peer's entry as received, lets its row be rendered once per answer.
   */
  remote?: { down: boolean; key?: object };
}

export type ColumnId = 'id' | 'host' | 'name' | 'image' | 'state' | 'uptime' | 'cpu' | 'mem' | 'net' | 'block' | 'pids';
export type SortDirection = 'asc' | 'desc';

export interface Column {
  id: ColumnId;
  label: string;
  /** A second line in the header making the unit or scale explicit. */
  hint?: string;
  numeric: boolean;
}

export const COLUMNS: readonly Column[] = [
  { id: 'id', label: 'ID', numeric: false },
  { id: 'name', label: 'Name', numeric: false },
  { id: 'image', label: 'Image', numeric: false },
  { id: 'state', label: 'State', numeric: false },
  { id: 'uptime', label: 'Uptime', numeric: true },
  { id: 'cpu', label: 'CPU %', hint: '100% = 1 core', numeric: true },
  { id: 'mem', label: 'Memory', hint: 'used / limit', numeric: true },
  { id: 'net', label: 'Network', hint: 'in / out', numeric: true },
  { id: 'block', label: 'Block I/O', hint: 'read / write', numeric: true },
  { id: 'pids', label: 'PIDs', numeric: true },
];

/** With peers, the Host column follows the ID. */
export const HOST_COLUMN: Column = { id: 'host', label: 'Host', numeric: false };
export const COLUMNS_WITH_HOST: readonly Column[] = [COLUMNS[0] as Column, HOST_COLUMN, ...COLUMNS.slice(1)];

export function columnsFor(hosts: boolean): readonly Column[] {
  return hosts ? COLUMNS_WITH_HOST : COLUMNS;
}

const COLUMN_IDS: ReadonlySet<string> = new Set(COLUMNS_WITH_HOST.map((column) => column.id));

export interface SortState {
  column: ColumnId;
  direction: SortDirection;
}

/** The store lists containers by name: that is the order without ?sort=. */
export const DEFAULT_SORT: SortState = { column: 'name', direction: 'asc' };

/** ?sort=cpu&dir=desc → a SortState; anything unknown falls back to the default. */
export function parseSort(column: string | null, direction: string | null): SortState {
  if (column === null || !COLUMN_IDS.has(column)) return DEFAULT_SORT;
  const numeric = COLUMNS_WITH_HOST.find((one) => one.id === column)?.numeric ?? false;
  const dir: SortDirection = direction === 'asc' || direction === 'desc' ? direction : numeric ? 'desc' : 'asc';
  return { column: column as ColumnId, direction: dir };
}

/** Uptime in seconds, or null when the start time is not known yet. */
export function uptimeSeconds(row: RowInput, nowMs: number): number | null {
  const startedAtMs = row.details?.startedAtMs ?? null;
  return startedAtMs === null ? null : Math.max(0, Math.floor((nowMs - startedAtMs) / 1000));
}

/**
 * The value a column sorts by: a string, a number (to 3 decimals, as written in data-v,
 * so server and script order alike), or null (always sorted last).
 */
export function sortValue(row: RowInput, column: ColumnId): string | number | null {
  const value = rawSortValue(row, column);
  return typeof value === 'number' ? Math.round(value * 1000) / 1000 : value;
}

function rawSortValue(row: RowInput, column: ColumnId): string | number | null {
  const sample = row.latest;
  switch (column) {
    case 'id':
      return row.info.id;
    case 'host':
      return row.host ?? null;
    case 'name':
      return row.info.name;
    case 'image':
      return row.info.image;
    case 'state':
      return `${row.info.state} ${row.details?.health ?? ''}`.trim();
    case 'uptime': {
      // Sorted by start time, earliest = longest uptime: a key that does not change every
      // second, so an idle row's HTML (and the live patch) stays the same.
      const startedAtMs = row.details?.startedAtMs ?? null;
      return startedAtMs === null ? null : -Math.floor(startedAtMs / 1000);
    }
    case 'cpu':
      return sample?.cpuPercent ?? null;
    case 'mem':
      return sample?.memoryUsageBytes ?? null;
    case 'net': {
      if (!sample || (sample.networkRxBytesPerSecond === null && sample.networkTxBytesPerSecond === null)) return null;
      return (sample.networkRxBytesPerSecond ?? 0) + (sample.networkTxBytesPerSecond ?? 0);
    }
    case 'block':
      return sample ? sample.blockReadBytes + sample.blockWriteBytes : null;
    case 'pids':
      return sample?.pids ?? null;
  }
}

/** How a sort value is written into data-v; the script parses numbers back. */
export function sortAttribute(value: string | number | null): string {
  return value === null ? '' : String(value);
}

/** Compares two sort values; null last whatever the direction, then by name and ID. */
export function sortRows<T extends RowInput>(rows: readonly T[], sort: SortState): T[] {
  const sign = sort.direction === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = sortValue(a, sort.column);
    const vb = sortValue(b, sort.column);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else if (va !== vb) {
      const order = typeof va === 'number' && typeof vb === 'number' ? va - vb : compareText(String(va), String(vb));
      if (order !== 0) return sign * order;
    }
    return compareText(a.info.name, b.info.name) || compareText(a.info.id, b.info.id);
  });
}
