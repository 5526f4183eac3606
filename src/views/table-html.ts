// The /table fragment: one <tr data-id="FULL_ID"> per running container, the
// seed's AJAX design. Every Docker-provided value is escaped.

import type { ContainerInfo, ContainerSample } from '../stats/types.js';
import { formatAge, formatBytesBinary, formatBytesDecimal, formatPercent, formatRate } from './format.js';
import { escapeHtml } from './html.js';
import { isStale } from './staleness.js';


export function renderTableRows(
  views: readonly { info: Readonly<ContainerInfo>; latest: ContainerSample | null }[],
  nowMs: number,
): string {
  if (views.length === 0) {
    return '<tr class="empty"><td colspan="9">No running containers.</td></tr>';
  }
  return views.map((view) => renderRow(view.info, view.latest, nowMs)).join('\n');
}

function renderRow(info: Readonly<ContainerInfo>, sample: ContainerSample | null, nowMs: number): string {
  const id = escapeHtml(info.id);
  const ageMs = sample ? nowMs - sample.readMs : null;
  const stale = isStale(sample?.readMs ?? null, nowMs);
  const classes = [info.state === 'paused' ? 'paused' : '', stale ? 'stale' : ''].filter(Boolean).join(' ');
  const cells = [
    `<td class="id" title="${id}"><code>${escapeHtml(info.id.slice(0, 12))}</code></td>`,
    `<td class="name">${escapeHtml(info.name)}<span class="image">${escapeHtml(info.image)}</span></td>`,
    `<td class="state">${escapeHtml(info.state)}</td>`,
    ...(sample ? sampleCells(sample) : ['<td class="num" colspan="5">waiting for the first sample…</td>']),
    `<td class="num age" title="${sample ? escapeHtml(sample.readIso) : ''}">${ageMs === null ? '–' : formatAge(ageMs)}</td>`,
  ];
  return `<tr data-id="${id}"${classes ? ` class="${classes}"` : ''}>${cells.join('')}</tr>`;
}

function sampleCells(sample: ContainerSample): string[] {
  const memory = `${formatBytesBinary(sample.memoryUsageBytes)} / ${formatBytesBinary(sample.memoryLimitBytes)}`;
  const network = sample.hasNetworks
    ? `${formatBytesDecimal(sample.networkRxBytes)} / ${formatBytesDecimal(sample.networkTxBytes)}`
    : 'n/a';
  const rates = sample.hasNetworks
    ? `${formatRate(sample.networkRxBytesPerSecond)} / ${formatRate(sample.networkTxBytesPerSecond)}`
    : '';
  return [
    `<td class="num cpu" title="100% = one CPU core">${formatPercent(sample.cpuPercent)}</td>`,
    `<td class="num mem" title="${sample.memoryRawUsageBytes} bytes with cache">${memory} <small>${formatPercent(sample.memoryPercent)}</small></td>`,
    `<td class="num net" title="${sample.networkRxBytes} / ${sample.networkTxBytes} bytes">${network}<small>${rates}</small></td>`,
    `<td class="num blk" title="${sample.blockReadBytes} / ${sample.blockWriteBytes} bytes">${formatBytesDecimal(sample.blockReadBytes)} / ${formatBytesDecimal(sample.blockWriteBytes)}</td>`,
    `<td class="num pids">${sample.pids}</td>`,
  ];
}
