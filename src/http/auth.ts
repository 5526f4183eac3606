// Optional shared-token access control. Off unless AUTH_TOKEN is set. Clients send
// `Authorization: Bearer <token>`; a browser opens `/?token=<token>` once and gets
// an HttpOnly cookie holding a digest of the token (never the token itself), then
// the URL is cleaned by a redirect so the token does not stay in the address bar
// or in history. /healthz stays open for the image's HEALTHCHECK and orchestrators.

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'dockmon_session';
/** Paths answered without a token. */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/healthz']);

export type AuthDecision =
  | { kind: 'allowed' }
  /** The token arrived in the URL: set the cookie and redirect to the same page without it. */
  | { kind: 'login'; setCookie: string; location: string }
  | { kind: 'denied'; reason: string };

export interface Auth {
  decide(req: IncomingMessage, url: URL): AuthDecision;
}

/**
 * `knownPaths`: the agent's own routes. The login redirect goes only to one of them (or
 * to `/`): a path taken from the request could be `//evil.example/`, which a browser
 * reads as another origin.
 */
export function createAuth(token: string, knownPaths: ReadonlySet<string>): Auth {
  const expectedToken = digest(token, 'token');
  const session = digest(token, 'session').toString('base64url');
  const expectedSession = Buffer.from(session);

  const tokenMatches = (candidate: string): boolean => timingSafeEqual(digest(candidate, 'token'), expectedToken);
  const sessionMatches = (candidate: string): boolean => {
    const given = Buffer.from(candidate);
    return given.length === expectedSession.length && timingSafeEqual(given, expectedSession);
  };

  return {
    decide(req, url) {
      const fromUrl = url.searchParams.get('token');
      if (fromUrl !== null) {
        if (!tokenMatches(fromUrl)) return { kind: 'denied', reason: 'the token in the URL is wrong' };
        const query = new URLSearchParams(url.search);
        query.delete('token');
        const path = knownPaths.has(url.pathname) ? url.pathname : '/';
        const search = query.toString();
        return {
          kind: 'login',
          setCookie: `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Strict`,
          location: search === '' ? path : `${path}?${search}`,
        };
      }
      if (OPEN_PATHS.has(url.pathname)) return { kind: 'allowed' };
      const header = req.headers.authorization;
      if (header !== undefined) {
        const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
        return match?.[1] !== undefined && tokenMatches(match[1])
          ? { kind: 'allowed' }
          : { kind: 'denied', reason: 'the bearer token is wrong' };
      }
      const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
      if (cookie !== undefined) {
        return sessionMatches(cookie) ? { kind: 'allowed' } : { kind: 'denied', reason: 'the session cookie is stale' };
      }
      return { kind: 'denied', reason: 'a token is required' };
    },
  };
}

/** Fixed-length digests let timingSafeEqual compare secrets of any length. */
function digest(value: string, purpose: string): Buffer {
  return createHmac('sha256', `dockmon:${purpose}`).update(value).digest();
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
