// Every response goes through here so they are all alike: explicit type and
// length, no caching of live data, security headers, and HEAD answered without
// a body.

import type { IncomingMessage, ServerResponse } from 'node:http';

/** No inline script or style, nothing from another origin: the page is self-contained. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface SendOptions {
  status?: number;
  headers?: Readonly<Record<string, string>>;
  /** Defaults to no-store: live data must never be served from a cache. */
  cacheControl?: string;
}

export function send(
  req: IncomingMessage,
  res: ServerResponse,
  body: string | Buffer,
  contentType: string,
  options: SendOptions = {},
): void {
  const buffer = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(options.status ?? 200, {
    ...SECURITY_HEADERS,
    'Content-Type': contentType,
    'Content-Length': String(buffer.length),
    'Cache-Control': options.cacheControl ?? 'no-store',
    ...options.headers,
  });
  if (req.method === 'HEAD') res.end();
  else res.end(buffer);
}

export function sendJson(req: IncomingMessage, res: ServerResponse, value: unknown, options: SendOptions = {}): void {
  send(req, res, `${JSON.stringify(value)}\n`, 'application/json; charset=utf-8', options);
}

export function sendHtml(req: IncomingMessage, res: ServerResponse, html: string, options: SendOptions = {}): void {
  send(req, res, html, 'text/html; charset=utf-8', options);
}

/** The one error body shape: {"error": {"code": "...", "message": "..."}}. */
export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  error: { code: string; message: string } & Record<string, unknown>,
  headers?: Readonly<Record<string, string>>,
): void {
  sendJson(req, res, { error }, { status, ...(headers ? { headers } : {}) });
}
