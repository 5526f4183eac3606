// dockmon's page script. The server renders the table (first load, /table, and the
// snapshots pushed over /live) with every value escaped and every sort key in a
// data-v attribute; this script only moves that HTML into place and adds sorting,
// filtering, pause, "show stopped", the alerts banner, the detail panel and the "is the
// data fresh?" checks.
// Live updates come from Server-Sent Events; when the stream fails (blocked by a
// proxy, refused because too many pages watch) it polls /table, as the seed did.
'use strict';

const POLL_MS = 2000;
/** No update from the agent for this long: the page says its numbers are stale. */
const STALE_MS = 5000;
const DETAIL_REFRESH_MS = 2000;
/** After the server refused the stream (503), try it again this much later. */
const SSE_RETRY_REFUSED_MS = 30000;
/** As views/alerts-html.ts MAX_BANNER_SUMMARIES. */
const MAX_BANNER_SUMMARIES = 10;

const $ = (id) => document.getElementById(id);
const table = $('containers');
const rowsEl = $('rows');
const totalsEl = $('totals');
const headEl = $('head');
const bannerEl = $('banner');
const alertsEl = $('alerts');
const stoppedEl = $('show-stopped');
const statusText = $('status-text');
const modeEl = $('mode');
const updatedEl = $('updated');
const filterEl = $('filter');
const pauseEl = $('pause');
const detailEl = $('detail');
const noMatchEl = $('no-match');
// Only with PEERS (many hosts): the server renders the host filter then.
const hostEl = document.getElementById('host-filter');

// The server rendered the table sorted as the URL asked (or by name when it asked for
// nothing it knows): read the sort from its header rather than from the URL.
const sortedHeader = headEl.querySelector('th[aria-sort]');
const state = {
  sort: sortedHeader ? sortedHeader.dataset.col : 'name',
  dir: sortedHeader && sortedHeader.getAttribute('aria-sort') === 'descending' ? 'desc' : 'asc',
  q: filterEl.value,
  // Rendered selected by the server when the URL says ?host=.
  host: hostEl ? hostEl.value : '',
  // Rendered checked by the server when the URL says ?stopped=1.
  stopped: stoppedEl.checked,
  paused: false,
  mode: 'connecting',
  lastUpdateMs: Date.now(),
  status: null,
  agentError: null,
  es: null,
  pollTimer: null,
  sseRetryTimer: null,
  detailId: null,
  detailTimer: null,
  opener: null,
};

// ---- helpers ------------------------------------------------------------------

function isNumeric(column) {
  const th = headEl.querySelector(`th[data-col="${column}"]`);
  return th !== null && th.classList.contains('num');
}

function dataRows() {
  return [...rowsEl.rows].filter((tr) => tr.dataset.id);
}

/** Makes `target`'s attributes those of `source` (the filter's `hidden` is re-applied after). */
function syncAttributes(target, source) {
  for (const { name } of [...target.attributes]) if (!source.hasAttribute(name)) target.removeAttribute(name);
  for (const { name, value } of source.attributes) if (target.getAttribute(name) !== value) target.setAttribute(name, value);
}

function parseRows(html) {
  const template = document.createElement('template');
  template.innerHTML = html;
  return [...template.content.querySelectorAll('tr')];
}

// ---- rows -----------------------------------------------------------------------

/**
 * Applies server-rendered rows (the whole table: /table or a snapshot): keyed by
 * data-id, cell by cell, so a row that did not change keeps its DOM (and a text
 * selection or keyboard focus inside it).
 */
function applyRows(html) {
  const fresh = new Map();
  for (const tr of parseRows(html)) {
    if (tr.dataset.id) fresh.set(tr.dataset.id, tr);
    else if (tr.classList.contains('totals')) applyTotals(tr);
  }
  for (const tr of dataRows()) if (!fresh.has(tr.dataset.id)) tr.remove();
  const current = new Map(dataRows().map((tr) => [tr.dataset.id, tr]));
  for (const [id, tr] of fresh) upsertRow(current.get(id), tr);
  afterRowChanges();
}

/** Applies a live patch: only the rows that changed, and those that went away. */
function applyPatch(patch) {
  const current = new Map(dataRows().map((tr) => [tr.dataset.id, tr]));
  for (const id of patch.removed || []) current.get(id)?.remove();
  for (const html of Object.values(patch.rows || {})) {
    const tr = parseRows(html)[0];
    if (tr && tr.dataset.id) upsertRow(current.get(tr.dataset.id), tr);
  }
  afterRowChanges();
  if (patch.totals) applyTotals(parseRows(patch.totals)[0]);
  if (patch.status) applyStatus(patch.status);
  if (patch.alerts) applyAlerts(patch.alerts);
  markUpdated();
}

function upsertRow(old, tr) {
  if (!old) rowsEl.appendChild(tr);
  else if (old.cells.length !== tr.cells.length) old.replaceWith(tr);
  else patchRow(old, tr);
}

/** As views/table-html.ts says it: nothing runs, or nothing is known yet. */
function emptyText() {
  const docker = state.status && state.status.docker;
  return docker && !docker.ever_connected ? NO_DATA_TEXT : 'No running containers.';
}
const NO_DATA_TEXT = 'No data yet: Docker has not answered (see above).';

/** The "no containers" line when the table is empty, then sort, filter and selection. */
function afterRowChanges() {
  const empty = dataRows().length === 0;
  const placeholder = rowsEl.querySelector('tr.empty');
  if (empty && !placeholder) {
    const tr = rowsEl.insertRow();
    tr.className = 'empty';
    const td = tr.insertCell();
    td.colSpan = headEl.querySelectorAll('th').length;
    td.textContent = emptyText();
  } else if (empty && placeholder && placeholder.textContent !== emptyText()) {
    placeholder.cells[0].textContent = emptyText();
  } else if (!empty && placeholder) placeholder.remove();
  sortRows();
  updateHostOptions();
  applyFilter();
  markSelected();
}

function patchRow(old, tr) {
  syncAttributes(old, tr);
  for (let i = 0; i < tr.cells.length; i += 1) {
    const before = old.cells[i];
    const after = tr.cells[i];
    if (before.innerHTML !== after.innerHTML) before.innerHTML = after.innerHTML;
    syncAttributes(before, after);
  }
}

function applyTotals(tr) {
  const old = totalsEl.rows[0];
  if (old && old.cells.length === tr.cells.length) patchRow(old, tr);
  else totalsEl.replaceChildren(tr);
}

// ---- sorting --------------------------------------------------------------------

function sortKey(tr, column) {
  if (column === 'id') return tr.dataset.id;
  const td = tr.querySelector(`td[data-col="${column}"]`);
  return td ? td.dataset.v || '' : '';
}

/** The server's order (views/columns.ts): null last whatever the direction, then name and ID. */
function sortRows() {
  const column = state.sort;
  const numeric = isNumeric(column);
  const sign = state.dir === 'asc' ? 1 : -1;
  const rows = dataRows();
  const sorted = [...rows].sort((a, b) => {
    const va = sortKey(a, column);
    const vb = sortKey(b, column);
    if (va === '' || vb === '') {
      if (va !== vb) return va === '' ? 1 : -1;
    } else if (va !== vb) {
      const order = numeric ? Number(va) - Number(vb) : va.localeCompare(vb);
      if (order !== 0) return sign * order;
    }
    return sortKey(a, 'name').localeCompare(sortKey(b, 'name')) || a.dataset.id.localeCompare(b.dataset.id);
  });
  if (sorted.every((tr, index) => tr === rows[index])) return;
  // Moving a row blurs what has focus in it: put the focus back.
  const focused = rowsEl.contains(document.activeElement) ? document.activeElement : null;
  for (const tr of sorted) rowsEl.appendChild(tr);
  if (focused) focused.focus();
}

function applySortState() {
  for (const th of headEl.querySelectorAll('th[data-col]')) {
    if (th.dataset.col === state.sort) th.setAttribute('aria-sort', state.dir === 'asc' ? 'ascending' : 'descending');
    else th.removeAttribute('aria-sort');
  }
}

function setSort(column) {
  if (state.sort === column) state.dir = state.dir === 'asc' ? 'desc' : 'asc';
  else {
    state.sort = column;
    state.dir = isNumeric(column) ? 'desc' : 'asc';
  }
  applySortState();
  sortRows();
  saveUrl();
}

// ---- filter -----------------------------------------------------------------------

/** Every word must appear in the row's name, image or labels (data-q, lower-cased by the server) or start its ID. */
function applyFilter() {
  const words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  const rows = dataRows();
  for (const tr of rows) {
    const text = tr.dataset.q || '';
    const match = (!state.host || tr.dataset.host === state.host) &&
      words.every((word) => text.includes(word) || tr.dataset.id.startsWith(word));
    tr.hidden = !match;
    if (match) shown += 1;
  }
  noMatchEl.hidden = !((words.length > 0 || state.host) && rows.length > 0 && shown === 0);
}

/** Hosts that appear after the page loaded (a node joined) join the host filter. */
function updateHostOptions() {
  if (!hostEl) return;
  const known = new Set([...hostEl.options].map((option) => option.value));
  const added = [...new Set(dataRows().map((tr) => tr.dataset.host).filter(Boolean))].filter((host) => !known.has(host));
  if (added.length === 0) return;
  for (const host of added) hostEl.add(new Option(host, host));
  const options = [...hostEl.options].slice(1).sort((a, b) => a.value.localeCompare(b.value));
  for (const option of options) hostEl.add(option);
  hostEl.value = state.host;
}

function saveUrl() {
  const next = new URLSearchParams();
  if (state.sort !== 'name' || state.dir !== 'asc') {
    next.set('sort', state.sort);
    next.set('dir', state.dir);
  }
  if (state.q) next.set('q', state.q);
  if (state.host) next.set('host', state.host);
  if (state.stopped) next.set('stopped', '1');
  const query = next.toString();
  history.replaceState(null, '', query ? `?${query}` : location.pathname);
}

// ---- status and banner ----------------------------------------------------------

/** The same lines as views/page-status.ts bannerLines, from /healthz-shaped fields. */
function bannerLines(status) {
  const lines = [];
  if (status) {
    const docker = status.docker || {};
    if (docker.state === 'unavailable') {
      lines.push(`Docker is unreachable: ${docker.message || 'no answer'}. ${docker.hint || 'dockmon retries by itself.'} ` +
        (docker.ever_connected
          ? `The numbers below are the last ones received, before ${String(docker.since || '').replace('T', ' ').slice(0, 19)} UTC.`
          : 'No container data has been received yet.'));
    }
    if (status.log && !status.log.ok) {
      lines.push(`The stats log cannot be written: ${status.log.error || 'unknown error'}. ` +
        'Free space or fix the permissions of LOG_DIR; the page and the API keep working.');
    }
    lines.push(...sourceLines(status.stats_sources));
    for (const peer of peerProblems(status.peers)) lines.push(peerLine(peer));
    const stale = status.stale_containers || 0;
    if (docker.state === 'connected' && stale > 0) {
      lines.push(`${stale} container${stale === 1 ? ' has' : 's have'} no fresh sample: a stats stream is slow or stalled. ` +
        'dockmon reopens a silent stream after STATS_STALL_TIMEOUT; a busy daemon (see `docker stats`) can cause this.');
    }
  }
  const ageMs = Date.now() - state.lastUpdateMs;
  if (!state.paused && ageMs > STALE_MS) {
    const why = state.agentError ? ` (${state.agentError})` : '';
    lines.unshift(`No update from dockmon since ${new Date(state.lastUpdateMs).toLocaleTimeString()}${why}: ` +
      'is the agent running and reachable? The numbers below are stale; this page reconnects by itself.');
  }
  return lines;
}

/** The page status has the problems already; /healthz (polling) has every peer and the discovery error. */
function peerProblems(peers) {
  if (!peers) return [];
  if (Array.isArray(peers)) return peers;
  const problems = (peers.list || [])
    .filter((peer) => peer.state === 'down' || peer.state === 'unauthorized')
    .map((peer) => ({ host: peer.node || peer.origin, state: peer.state, message: peer.message }));
  if (peers.discovery_error) problems.push({ host: 'discovery', state: 'down', message: peers.discovery_error });
  return problems;
}

/** As views/page-status.ts peerLine. */
function peerLine(peer) {
  if (peer.host === 'discovery') return `Other hosts cannot be looked up: ${peer.message || 'no answer'}. The hosts found before stay shown.`;
  if (peer.state === 'unauthorized') return `Host ${peer.host} refuses this agent's token: give every agent the same AUTH_TOKEN (or AUTH_TOKEN_FILE).`;
  return `Host ${peer.host} does not answer: ${peer.message || 'no answer'}. Its rows show what it said last.`;
}

/** The same lines as views/page-status.ts sourceLines: only STATS_SOURCE=cgroup asks to be told. */
function sourceLines(sources) {
  if (!sources || sources.mode !== 'cgroup') return [];
  if (sources.kernel_unavailable) {
    return [`STATS_SOURCE=cgroup, but no container is read from the kernel: ${sources.kernel_unavailable}.`];
  }
  const first = (sources.not_from_kernel || [])[0];
  if (!first) return [];
  const count = sources.not_from_kernel_count;
  return [`${count} container${count === 1 ? ' is' : 's are'} read from the Engine API, not the kernel (STATS_SOURCE=cgroup): ` +
    `${first.name}: ${first.reason}${count > 1 ? '. /healthz lists each.' : '.'}`];
}

/** As views/page-status.ts sourcesText. */
function sourcesText(sources) {
  if (!sources) return '';
  if (sources.api === 0 && sources.cgroup > 0) return 'stats from the kernel';
  if (sources.cgroup === 0 && sources.api > 0) return 'stats from the Engine API';
  if (sources.cgroup === 0 && sources.api === 0) return '';
  return `stats: ${sources.cgroup} from the kernel, ${sources.api} from the Engine API`;
}

function renderBanner() {
  const lines = bannerLines(state.status);
  // Until the first update, the banner the server rendered stands.
  if (state.status === null && lines.length === 0) return;
  // role="alert" announces every change: touch it only when its text changes.
  const text = lines.join('\n');
  if (bannerEl.dataset.text === text) return;
  bannerEl.dataset.text = text;
  bannerEl.replaceChildren(...lines.map((line) => {
    const p = document.createElement('p');
    p.textContent = line;
    return p;
  }));
  bannerEl.hidden = lines.length === 0;
}

/** As views/alerts-html.ts alertBannerText: "2 alerts firing: web exited with code 3 · db is unhealthy". */
function alertBannerText(summaries) {
  const count = summaries.length;
  if (count === 0) return '';
  const shown = summaries.slice(0, MAX_BANNER_SUMMARIES);
  const more = count > shown.length ? ` · and ${count - shown.length} more (GET /alerts)` : '';
  return `${count} alert${count === 1 ? '' : 's'} firing: ${shown.join(' · ')}${more}`;
}

/** The firing alerts' summaries (oldest first) into the alerts banner; touched only when its text changes (role="alert"). */
function applyAlerts(summaries) {
  const text = alertBannerText(summaries);
  if (alertsEl.textContent === text) return;
  const p = document.createElement('p');
  p.textContent = text;
  alertsEl.replaceChildren(...(text ? [p] : []));
  alertsEl.hidden = text === '';
}

function applyStatus(status) {
  state.status = status;
  const docker = status.docker || {};
  const count = status.containers;
  const dockerText = docker.state === 'connected'
    ? `Docker connected${docker.api_version ? ` (API ${docker.api_version})` : ''}`
    : `Docker ${docker.state}`;
  const sources = sourcesText(status.stats_sources);
  statusText.textContent = `${count} container${count === 1 ? '' : 's'} · ${dockerText}${sources ? ` · ${sources}` : ''}`;
}

function setMode(mode) {
  state.mode = mode;
  modeEl.textContent = mode;
  modeEl.dataset.mode = mode;
}

function markUpdated() {
  state.lastUpdateMs = Date.now();
  state.agentError = null;
  refreshClock();
}

/** Once a second: the age of the data, and the stale look when no update came. */
function refreshClock() {
  const ageMs = Date.now() - state.lastUpdateMs;
  const stale = !state.paused && ageMs > STALE_MS;
  table.classList.toggle('stale-all', stale);
  updatedEl.textContent = `updated ${new Date(state.lastUpdateMs).toLocaleTimeString()}` +
    (stale ? ` (${Math.round(ageMs / 1000)} s ago)` : '');
  renderBanner();
}

// ---- live updates and polling ----------------------------------------------------

function applySnapshot(snapshot) {
  applyRows(snapshot.rows);
  applyTotals(parseRows(snapshot.totals)[0] || document.createElement('tr'));
  applyStatus(snapshot.status);
  applyAlerts(snapshot.alerts || []);
  markUpdated();
}

/** A `snapshot` or `patch` event of the stream, applied unless the stream was replaced. */
function onStreamEvent(es, apply) {
  return (event) => {
    if (state.es !== es) return;
    stopPolling();
    setMode('live');
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    apply(data);
  };
}

function connect() {
  if (state.paused || state.es) return;
  if (!('EventSource' in window)) {
    startPolling();
    return;
  }
  const es = new EventSource(state.stopped ? '/live?stopped=1' : '/live');
  state.es = es;
  // The whole state when the stream (re)connects, then what changed each second.
  es.addEventListener('snapshot', onStreamEvent(es, applySnapshot));
  es.addEventListener('patch', onStreamEvent(es, applyPatch));
  es.addEventListener('error', () => {
    if (state.es !== es) return;
    // Keep the numbers moving while the stream is down; EventSource reconnects by itself
    // unless the server refused it (then readyState is CLOSED and we retry later).
    startPolling();
    if (es.readyState === EventSource.CLOSED) {
      state.es = null;
      clearTimeout(state.sseRetryTimer);
      state.sseRetryTimer = setTimeout(connect, SSE_RETRY_REFUSED_MS);
    }
  });
}

function disconnect() {
  if (state.es) state.es.close();
  state.es = null;
  clearTimeout(state.sseRetryTimer);
  stopPolling();
}

function startPolling() {
  if (state.pollTimer !== null || state.paused) return;
  setMode('polling');
  const loop = async () => {
    await pollOnce();
    if (state.pollTimer !== null) state.pollTimer = setTimeout(loop, POLL_MS);
  };
  state.pollTimer = setTimeout(loop, 0);
}

function stopPolling() {
  clearTimeout(state.pollTimer);
  state.pollTimer = null;
}

async function pollOnce() {
  try {
    const [table, health, alerts] = await Promise.all([
      fetch(`/table?totals=1${state.stopped ? '&stopped=1' : ''}`, { cache: 'no-store' }),
      fetch('/healthz', { cache: 'no-store' }),
      // 404 when the agent does not track lifecycles: then there is no alert to show.
      fetch('/alerts?state=firing', { cache: 'no-store' }).catch(() => null),
    ]);
    const status = health.ok ? await health.json() : null;
    // 503 before Docker ever answered: the agent is up, there is no data yet (the banner says why).
    const noDataYet = table.status === 503 && status !== null && status.docker && !status.docker.ever_connected;
    if (!table.ok && !noDataYet) throw new Error(`/table answered ${table.status}`);
    const html = noDataYet ? '' : await table.text();
    if (state.pollTimer === null) return; // the stream came back meanwhile
    setMode('polling');
    applyRows(html);
    if (status) applyStatus(status);
    const firing = alerts && alerts.ok ? await alerts.json().catch(() => null) : null;
    if (firing && Array.isArray(firing.alerts)) applyAlerts(firing.alerts.map((alert) => alert.summary));
    markUpdated();
  } catch (error) {
    state.agentError = error instanceof Error ? error.message : String(error);
    setMode('offline');
    renderBanner();
  }
}

/** "Show stopped": the stream (or the polling) of the other variant of the table; kept in the URL. */
function toggleStopped() {
  state.stopped = stoppedEl.checked;
  saveUrl();
  if (state.paused) return;
  disconnect();
  setMode('connecting');
  connect();
}

function togglePause() {
  state.paused = !state.paused;
  pauseEl.setAttribute('aria-pressed', String(state.paused));
  pauseEl.textContent = state.paused ? 'Resume' : 'Pause';
  if (state.paused) {
    disconnect();
    setMode('paused');
  } else {
    setMode('connecting');
    connect();
    if (state.detailId) loadDetail(false);
  }
  refreshClock();
}

// ---- detail panel ------------------------------------------------------------------

function markSelected() {
  for (const tr of dataRows()) tr.classList.toggle('selected', tr.dataset.id === state.detailId);
}

function openDetail(id, opener) {
  state.detailId = id;
  state.opener = opener;
  markSelected();
  loadDetail(true);
}

function closeDetail() {
  clearTimeout(state.detailTimer);
  state.detailId = null;
  detailEl.hidden = true;
  detailEl.replaceChildren();
  markSelected();
  const opener = state.opener && state.opener.isConnected ? state.opener : filterEl;
  state.opener = null;
  opener.focus();
}

/** Replaces only the parts of the panel that changed, so a selection in its labels survives a refresh. */
function patchDetail(html) {
  const template = document.createElement('template');
  template.innerHTML = html;
  const fresh = template.content.firstElementChild;
  const old = detailEl.firstElementChild;
  if (!fresh) return;
  if (!old || old.dataset.id !== fresh.dataset.id || old.children.length !== fresh.children.length) {
    detailEl.replaceChildren(fresh);
    return;
  }
  [...fresh.children].forEach((child, index) => {
    const before = old.children[index];
    if (before.outerHTML !== child.outerHTML) before.replaceWith(child.cloneNode(true));
  });
}

async function loadDetail(focus) {
  const id = state.detailId;
  clearTimeout(state.detailTimer);
  if (!id) return;
  try {
    const response = await fetch(`/detail?id=${encodeURIComponent(id)}`, { cache: 'no-store' });
    if (state.detailId !== id) return;
    if (response.status === 404) {
      const gone = document.createElement('p');
      gone.className = 'muted';
      gone.textContent = 'This container is gone: removed, and no longer known to dockmon.';
      const panel = detailEl.querySelector('.charts') || detailEl.querySelector('.detail');
      if (panel && !panel.querySelector('p.removed')) {
        gone.classList.add('removed');
        if (panel.classList.contains('charts')) panel.replaceChildren(gone);
        else panel.append(gone);
      }
      return;
    }
    if (!response.ok) throw new Error(`/detail answered ${response.status}`);
    patchDetail(await response.text());
    detailEl.hidden = false;
    if (focus) {
      const heading = detailEl.querySelector('h2');
      if (heading) heading.focus();
    }
  } catch (error) {
    state.agentError = error instanceof Error ? error.message : String(error);
  }
  if (state.detailId === id && !state.paused) state.detailTimer = setTimeout(() => loadDetail(false), DETAIL_REFRESH_MS);
}

/** A click on the short ID selects the whole 64-character ID, ready to copy. */
function selectId(code) {
  const range = document.createRange();
  range.selectNodeContents(code);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

// ---- wiring ------------------------------------------------------------------------

headEl.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-sort]');
  if (button) setSort(button.dataset.sort);
});
rowsEl.addEventListener('click', (event) => {
  const open = event.target.closest('button.open');
  if (open) {
    openDetail(open.closest('tr').dataset.id, open);
    return;
  }
  const code = event.target.closest('td.id code');
  if (code) selectId(code);
});
detailEl.addEventListener('click', (event) => {
  if (event.target.closest('button.close')) closeDetail();
});
filterEl.addEventListener('input', () => {
  state.q = filterEl.value;
  applyFilter();
  saveUrl();
});
if (hostEl) {
  hostEl.addEventListener('change', () => {
    state.host = hostEl.value;
    applyFilter();
    saveUrl();
  });
}
pauseEl.addEventListener('click', togglePause);
stoppedEl.addEventListener('change', toggleStopped);
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && state.detailId) closeDetail();
  const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
  if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    filterEl.focus();
  }
});

applySortState();
sortRows();
applyFilter();
setMode('connecting');
connect();
setInterval(refreshClock, 1000);
refreshClock();
