// Asks one peer agent for its containers: GET <origin>/containers, nothing else. The
// path is fixed here, never taken from a request, and the answer is only parsed as
// numbers and strings: reaching this agent gives no way to make a peer do anything but
// answer that one read, and a peer gives back nothing but data to show.

import http from 'node:http';
import https from 'node:https';
import { AGENT_ID_HEADER, NODE_NAME_HEADER } from './headers.js';

/** The only dockmon path a peer is ever asked for. */
export const PEER_PATH = '/containers';
/** At 1000 containers /containers is about 0.7 MB; far past that is not a dockmon answering. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export type PeerFailure =
  /** 401/403: the peer wants another token. Not retried hot. */
  | { kind: 'unauthorized'; message: string }
  /** Refused, reset, timed out, not dockmon, or a 5xx. */
  | { kind: 'unreachable'; message: string };

export type PeerAnswer =
  | {
      kind: 'ok';
      agentId: string | null;
      node: string | null;
      /** The peer's /containers body: entries keyed by ID. */
      containers: Record<string, Record<string, unknown>>;
      /** The peer's own Docker state header (X-Dockmon-Docker), when it has one. */
      docker: string | null;
      bytes: number;
    }
  | ({ agentId: string | null; bytes: number } & PeerFailure);

export interface PeerRequest {
  origin: string;
  token: string;
  timeoutMs: number;
  /** Sent so the peer can tell agents from people in its own log; not trusted by it. */
  userAgent: string;
}

export function fetchPeer({ origin, token, timeoutMs, userAgent }: PeerRequest): Promise<PeerAnswer> {
  return new Promise((resolve) => {
    const url = new URL(PEER_PATH, origin);
    const get = url.protocol === 'https:' ? https.get : http.get;
    let bytes = 0;
    let agentId: string | null = null;
    let settled = false;
    const finish = (answer: PeerAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      request.destroy();
      resolve(answer);
    };
    const fail = (kind: PeerFailure['kind'], message: string): void => finish({ kind, message, agentId, bytes });
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': userAgent };
    if (token !== '') headers['authorization'] = `Bearer ${token}`;
    const request = get(url, { headers, agent: false }, (res) => {
      agentId = headerText(res.headers[AGENT_ID_HEADER]);
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_BODY_BYTES) fail('unreachable', `the answer passed ${MAX_BODY_BYTES / 1024 / 1024} MiB: not a dockmon /containers`);
        else chunks.push(chunk);
      });
      res.on('error', (error) => fail('unreachable', `the answer broke off: ${error.message}`));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (status === 401 || status === 403) {
          fail('unauthorized', `HTTP ${status}: the peer refused the token${tokenHint(token)}`);
          return;
        }
        if (status !== 200) {
          fail('unreachable', `HTTP ${status}${errorMessage(body)}`);
          return;
        }
        const containers = parseContainers(body);
        if (containers === null) {
          fail('unreachable', 'the answer is not a dockmon /containers object (is this address a dockmon agent?)');
          return;
        }
        finish({
          kind: 'ok',
          agentId,
          node: headerText(res.headers[NODE_NAME_HEADER]),
          containers,
          docker: headerText(res.headers['x-dockmon-docker']),
          bytes,
        });
      });
    });
    request.on('error', (error: NodeJS.ErrnoException) => fail('unreachable', connectMessage(error)));
    const deadline = setTimeout(() => fail('unreachable', `no answer within ${timeoutMs} ms`), timeoutMs);
  });
}

function tokenHint(token: string): string {
  return token === '' ? ' (this agent has no AUTH_TOKEN; give it the same one as the peer)' : ' (set the same AUTH_TOKEN on every agent)';
}

function headerText(value: string | string[] | undefined): string | null {
  const text = Array.isArray(value) ? value[0] : value;
  // Shown on a page and in JSON: short and printable only.
  return text !== undefined && /^[\x20-\x7e]{1,128}$/.test(text) ? text : null;
}

function errorMessage(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    const message = (parsed as { error?: { message?: unknown } } | null)?.error?.message;
    return typeof message === 'string' ? `: ${message.slice(0, 300)}` : '';
  } catch {
    return '';
  }
}

function connectMessage(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED': return 'connection refused (no agent listening there)';
    case 'ECONNRESET': return 'connection reset';
    case 'EHOSTUNREACH': return 'host unreachable';
    case 'ENOTFOUND': return 'host name not found';
    default: return error.message;
  }
}

/** An object of objects keyed by ID, or null when the body is anything else. */
function parseContainers(body: string): Record<string, Record<string, unknown>> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const containers: Record<string, Record<string, unknown>> = {};
  for (const [id, entry] of Object.entries(parsed)) {
    if (!/^[0-9a-f]{12,64}$/.test(id) || typeof entry !== 'object' || entry === null || Array.isArray(entry)) return null;
    containers[id] = entry as Record<string, unknown>;
  }
  return containers;
}
