// The only Engine API paths dockmon may request, always with GET. The Docker socket
// is root on the host: even a GET can attach (attach/ws), exfiltrate (export,
// archive) or leak secrets (containers/{id}/json holds Config.Env, which is why the
// client keeps only named fields of it), so the gate is an anchored allowlist,
// checked on the final path right before it is sent.
// See docker-api-notes.md §8 and the Beszel advisory GHSA-phwh-4f42-gwf3.

const VERSION = String.raw`/v1\.\d{1,3}`;
const CONTAINER_ID = '[0-9a-f]{64}';

/** Each path with the query keys it may carry: a key another path takes is refused here. */
const ALLOWED: readonly { path: RegExp; query: ReadonlySet<string> }[] = [
  { path: /^\/_ping$/, query: new Set() },
  { path: new RegExp(`^${VERSION}/version$`), query: new Set() },
  // `size` (SizeRw, for container_fs_usage_bytes) only here: on inspect it is refused.
  { path: new RegExp(`^${VERSION}/containers/json$`), query: new Set(['all', 'filters', 'size']) },
  { path: new RegExp(`^${VERSION}/containers/${CONTAINER_ID}/stats$`), query: new Set(['stream', 'one-shot']) },
  // Inspect, for restart count, start time, health and limits. Its body holds Config.Env:
  // client.ts keeps only the few fields it names and drops the rest unread.
  { path: new RegExp(`^${VERSION}/containers/${CONTAINER_ID}/json$`), query: new Set() },
  { path: new RegExp(`^${VERSION}/events$`), query: new Set(['filters', 'since']) },
];

const CONTAINER_ID_PATTERN = new RegExp(`^${CONTAINER_ID}$`);

/** A full container ID as the daemon reports it: 64 lower-case hex digits. */
export function isContainerId(value: string): boolean {
  return CONTAINER_ID_PATTERN.test(value);
}

/** Why `pathWithQuery` may not be sent, or null when it may. */
export function checkAllowedRequest(pathWithQuery: string): string | null {
  const queryStart = pathWithQuery.indexOf('?');
  const path = queryStart === -1 ? pathWithQuery : pathWithQuery.slice(0, queryStart);
  const allowed = ALLOWED.find((entry) => entry.path.test(path));
  if (allowed === undefined) {
    return `path ${JSON.stringify(path)} is not on the Docker API allowlist`;
  }
  if (queryStart !== -1) {
    const query = new URLSearchParams(pathWithQuery.slice(queryStart + 1));
    for (const key of query.keys()) {
      if (!allowed.query.has(key)) return `query parameter ${JSON.stringify(key)} is not allowed on ${path}`;
    }
  }
  return null;
}
