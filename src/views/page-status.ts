// What the page says about the agent itself: Docker's state, the log folder's, and
// stale data, with what to do about each. The keys are those of /healthz, so the
// script reads the pushed status and /healthz (its polling fallback) alike; app.js
// composes the banner from these fields the same way bannerLines does here.

import { escapeHtml } from './html.js';

export interface PageStatus {
  docker: {
    state: string;
    message: string | null;
    hint: string | null;
    since: string;
    api_version: string | null;
  };
  log: { ok: boolean; error: string | null };
  containers: number;
  /** Containers whose latest sample is older than STALE_AFTER_MS (or missing). */
  stale_containers: number;
}

/** One line per problem: what is wrong, then how to fix it. Empty when all is well. */
export function bannerLines(status: PageStatus): string[] {
  const lines: string[] = [];
  const { docker } = status;
  if (docker.state === 'unavailable') {
    lines.push(
      `Docker is unreachable: ${docker.message ?? 'no answer'}. ${docker.hint ?? 'dockmon retries by itself.'} ` +
        'The numbers below are the last ones received.',
    );
  }
  if (!status.log.ok) {
    lines.push(
      `The stats log cannot be written: ${status.log.error ?? 'unknown error'}. ` +
        'Free space or fix the permissions of LOG_DIR; the page and the API keep working.',
    );
  }
  if (docker.state === 'connected' && status.stale_containers > 0) {
    const count = status.stale_containers;
    lines.push(
      `${count} container${count === 1 ? ' has' : 's have'} no fresh sample: a stats stream is slow or stalled. ` +
        'dockmon reopens a silent stream after STATS_STALL_TIMEOUT; a busy daemon (see `docker stats`) can cause this.',
    );
  }
  return lines;
}

export function statusLine(status: PageStatus): string {
  const docker = status.docker.state === 'connected'
    ? `Docker connected${status.docker.api_version === null ? '' : ` (API ${status.docker.api_version})`}`
    : `Docker ${status.docker.state}`;
  return `${status.containers} container${status.containers === 1 ? '' : 's'} · ${docker}`;
}

/** The banner element, server-rendered so a problem shows before any script runs. */
export function renderBanner(status: PageStatus): string {
  const lines = bannerLines(status);
  return `<div id="banner" class="banner" role="alert"${lines.length === 0 ? ' hidden' : ''}>` +
    `${lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('')}</div>`;
}
