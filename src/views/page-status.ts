// What the page says about the agent itself: Docker's state, the log folder's, stale
// data and peers that do not answer, with what to do about each. It shares `docker`,
// `containers` and `stats_sources` with /healthz, and /healthz also carries
// `stale_containers`, so the script's polling fallback reads /healthz alike; app.js
// composes the banner from these fields the same way bannerLines does here.

import { escapeHtml } from './html.js';

export interface PageStatus {
  docker: {
    state: string;
    message: string | null;
    hint: string | null;
    since: string;
    api_version: string | null;
    /** The daemon's `Server` header (engine and version); null before it answered. */
    server: string | null;
    /** Whether the daemon has answered since the agent started (else there is no data at all). */
    ever_connected: boolean;
  };
  log: { ok: boolean; error: string | null };
  containers: number;
  /** Containers whose latest sample is older than STALE_AFTER_MS (or missing). */
  stale_containers: number;
  stats_sources: StatsSourcesStatus;
  /** With PEERS: the other hosts that do not answer (down, or refusing the token), and a failing discovery. */
  peers?: { host: string; state: string; message: string | null }[];
}

/** Where container numbers come from (STATS_SOURCE), as /healthz's `stats_sources`. */
export interface StatsSourcesStatus {
  mode: 'auto' | 'cgroup' | 'api';
  /** Containers read from the kernel's files, from the Engine API, and not decided yet. */
  cgroup: number;
  api: number;
  undecided: number;
  /** Why no container can be read from the kernel; null when the kernel is usable (or not wanted). */
  kernel_unavailable: string | null;
  /** Containers on the Engine API for a reason of their own, with it (the first few). */
  not_from_kernel: { id: string; name: string; reason: string }[];
  not_from_kernel_count: number;
}

/** One line per problem: what is wrong, then how to fix it. Empty when all is well. */
export function bannerLines(status: PageStatus): string[] {
  const lines: string[] = [];
  const { docker } = status;
  if (docker.state === 'unavailable') {
    lines.push(
      `Docker is unreachable: ${docker.message ?? 'no answer'}. ${docker.hint ?? 'dockmon retries by itself.'} ` +
        (docker.ever_connected
          ? `The numbers below are the last ones received, before ${docker.since.replace('T', ' ').slice(0, 19)} UTC.`
          : 'No container data has been received yet.'),
    );
  }
  if (!status.log.ok) {
    lines.push(
      `The stats log cannot be written: ${status.log.error ?? 'unknown error'}. ` +
        'Free space or fix the permissions of LOG_DIR; the page and the API keep working.',
    );
  }
  lines.push(...sourceLines(status.stats_sources));
  for (const peer of status.peers ?? []) lines.push(peerLine(peer));
  if (docker.state === 'connected' && status.stale_containers > 0) {
    const count = status.stale_containers;
    lines.push(
      `${count} container${count === 1 ? ' has' : 's have'} no fresh sample: a stats stream is slow or stalled. ` +
        'dockmon reopens a silent stream after STATS_STALL_TIMEOUT; a busy daemon (see `docker stats`) can cause this.',
    );
  }
  return lines;
}

function peerLine(peer: { host: string; state: string; message: string | null }): string {
  if (peer.host === 'discovery') return `Other hosts cannot be looked up: ${peer.message ?? 'no answer'}. The hosts found before stay shown.`;
  if (peer.state === 'unauthorized') return `Host ${peer.host} refuses this agent's token: give every agent the same AUTH_TOKEN (or AUTH_TOKEN_FILE).`;
  return `Host ${peer.host} does not answer: ${peer.message ?? 'no answer'}. Its rows show what it said last.`;
}

/**
 * STATS_SOURCE=cgroup asks to be told when a container is not read from the kernel;
 * `auto` falls back quietly (the status line and /healthz still say it).
 */
function sourceLines(sources: StatsSourcesStatus): string[] {
  if (sources.mode !== 'cgroup') return [];
  if (sources.kernel_unavailable !== null) {
    return [`STATS_SOURCE=cgroup, but no container is read from the kernel: ${sources.kernel_unavailable}.`];
  }
  const first = sources.not_from_kernel[0];
  if (first === undefined) return [];
  const count = sources.not_from_kernel_count;
  return [
    `${count} container${count === 1 ? ' is' : 's are'} read from the Engine API, not the kernel (STATS_SOURCE=cgroup): ` +
      `${first.name}: ${first.reason}${count > 1 ? '. /healthz lists each.' : '.'}`,
  ];
}

/** "from the kernel", "from the Engine API", or both with counts. */
export function sourcesText(sources: StatsSourcesStatus): string {
  if (sources.api === 0 && sources.cgroup > 0) return 'stats from the kernel';
  if (sources.cgroup === 0 && sources.api > 0) return 'stats from the Engine API';
  if (sources.cgroup === 0 && sources.api === 0) return '';
  return `stats: ${sources.cgroup} from the kernel, ${sources.api} from the Engine API`;
}

export function statusLine(status: PageStatus): string {
  const docker = status.docker.state === 'connected'
    ? `Docker connected${status.docker.api_version === null ? '' : ` (API ${status.docker.api_version})`}`
    : `Docker ${status.docker.state}`;
  const sources = sourcesText(status.stats_sources);
  return `${status.containers} container${status.containers === 1 ? '' : 's'} · ${docker}${sources === '' ? '' : ` · ${sources}`}`;
}

/** The banner element, server-rendered so a problem shows before any script runs. */
export function renderBanner(status: PageStatus): string {
  const lines = bannerLines(status);
  return `<div id="banner" class="banner" role="alert"${lines.length === 0 ? ' hidden' : ''}>` +
    `${lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('')}</div>`;
}
