// The cells every row of the table has, running or stopped: the ID, the name (with its
// compose project), the image, and the <tr> itself with its filter text. Each cell
// carries its sort key in data-v, as columns.ts computes it.

import { sortAttribute, sortValue, type ColumnId, type RowInput } from './columns.js';
import { escapeHtml } from './html.js';

/** Compose's labels, shown under the name and searched by the filter. */
export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';
/** Bound on the text the filter searches per row (labels can be long). */
const MAX_FILTER_TEXT = 2_000;

/**
 * The lower-cased text the filter box matches: name, image and labels (the script also
 * matches an ID prefix against data-id, so the ID is not repeated here).
 */
export function filterText(row: RowInput): string {
  const labels = Object.entries(row.info.labels).map(([key, value]) => `${key}=${value}`);
  return [row.info.name, row.info.image, ...(row.host === undefined ? [] : [row.host]), ...labels].join(' ').toLowerCase().slice(0, MAX_FILTER_TEXT);
}

/** A cell with its sort key in data-v; the ID column sorts by the row's data-id instead. */
export function cell(column: ColumnId, row: RowInput, attributes: string, content: string): string {
  const value = column === 'id' ? '' : ` data-v="${escapeHtml(sortAttribute(sortValue(row, column)))}"`;
  return `<td data-col="${column}"${value}${attributes}>${content}</td>`;
}

/** The ID, host (with peers), name and image cells. */
export function identityCells(row: RowInput): string[] {
  const { info } = row;
  const id = escapeHtml(info.id);
  const host = row.host === undefined
    ? []
    : [cell('host', row, ` class="host"${row.remote?.down === true ? ' title="this host\'s agent does not answer: its last rows"' : ''}`, escapeHtml(row.host))];
  return [
    cell('id', row, ' class="id"', `<code title="${id}">${escapeHtml(info.id.slice(0, 12))}<span class="rest">${escapeHtml(info.id.slice(12))}</span></code>`),
    ...host,
    cell('name', row, ' class="name"', nameContent(row)),
    cell('image', row, ` class="image" title="${escapeHtml(info.image)}"`, escapeHtml(info.image)),
  ];
}

function nameContent(row: RowInput): string {
  const name = escapeHtml(row.info.name);
  // Another host's history and details are on that host's own page.
  if (row.remote !== undefined) return `<span class="remote-name" title="on ${escapeHtml(row.host ?? 'another host')}: its details are on that host's page">${name}</span>`;
  const project = row.info.labels[COMPOSE_PROJECT_LABEL];
  const service = row.info.labels[COMPOSE_SERVICE_LABEL];
  const compose = project === undefined ? '' : `<small class="compose" title="compose project / service">${escapeHtml(project)}${service === undefined ? '' : ` / ${escapeHtml(service)}`}</small>`;
  return `<button type="button" class="open" title="details and history">${name}</button>${compose}`;
}

/** <tr data-id="FULL_ID" class="…" data-q="…">cells</tr>. */
export function renderRow(row: RowInput, classes: readonly string[], cells: readonly string[]): string {
  const names = classes.filter(Boolean).join(' ');
  const host = row.host === undefined ? '' : ` data-host="${escapeHtml(row.host)}"`;
  const attributes = `${names ? ` class="${names}"` : ''}${host} data-q="${escapeHtml(filterText(row))}"`;
  return `<tr data-id="${escapeHtml(row.info.id)}"${attributes}>${cells.join('')}</tr>`;
}
