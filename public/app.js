// Refreshes the table from /table every 2 s (the seed's AJAX design) and shows
// what is wrong when Docker or the log folder is not healthy (/healthz).
'use strict';

const REFRESH_MS = 2000;
const rows = document.getElementById('rows');
const statusLine = document.getElementById('status');
const banner = document.getElementById('banner');

async function refreshTable() {
  const response = await fetch('/table', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/table answered ${response.status}`);
  // The server escapes every value in this fragment.
  rows.innerHTML = await response.text();
}

async function refreshHealth() {
  const response = await fetch('/healthz', { cache: 'no-store' });
  const health = await response.json();
  const problems = [];
  if (health.docker.state !== 'connected') {
    problems.push(`Docker: ${health.docker.message || health.docker.state}. ${health.docker.hint || ''}`);
  }
  if (!health.log.ok) problems.push(`Logs: ${health.log.error}`);
  banner.hidden = problems.length === 0;
  banner.textContent = problems.join('\n');
  statusLine.textContent = `${health.containers} containers · Docker ${health.docker.state}` +
    (health.docker.api_version ? ` (API ${health.docker.api_version})` : '') +
    ` · updated ${new Date().toLocaleTimeString()}`;
}

async function tick() {
  try {
    await Promise.all([refreshTable(), refreshHealth()]);
  } catch (error) {
    banner.hidden = false;
    banner.textContent = `The agent is not answering: ${error.message}`;
  } finally {
    setTimeout(tick, REFRESH_MS);
  }
}

tick();
