// The request handler: route lookup, method check, and the single place where
// thrown errors become HTTP statuses. Internal error text never reaches a client;
// it goes to the log once, with the request.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { AmbiguousError, AppError, DockerUnavailableError, MethodNotAllowedError, describeError } from '../errors.js';
import type { Auth } from './auth.js';
import { sendError, sendHtml } from './respond.js';
import { ROUTES, type AppDeps } from './routes.js';

/** Longer request targets get 414: no endpoint needs more, and logs stay readable. */
export const MAX_URL_LENGTH = 2048;

const ALLOWED_METHODS = ['GET', 'HEAD'];
const STATUS_BY_CODE: Readonly<Partial<Record<AppError['code'], number>>> = {
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  AMBIGUOUS: 409,
  DOCKER_UNAVAILABLE: 503,
};

export interface HandlerOptions {
  /** Access control; null when no token is configured. */
  auth?: Auth | null;
}

export function createRequestHandler(
  deps: AppDeps,
  options: HandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const auth = options.auth ?? null;
  return (req, res) => {
    const startedMs = deps.now();
    const target = req.url ?? '/';
    if (target.length > MAX_URL_LENGTH) {
      sendError(req, res, 414, { code: 'BAD_REQUEST', message: `the URL is longer than ${MAX_URL_LENGTH} characters` });
      return;
    }
    let url: URL;
    try {
      // Only origin-form targets ("/path?query"); absolute or authority forms are refused.
      if (!target.startsWith('/') || target.startsWith('//')) throw new TypeError('not origin-form');
      url = new URL(target, 'http://dockmon.invalid');
    } catch {
      sendError(req, res, 400, { code: 'BAD_REQUEST', message: 'the request URL is malformed' });
      return;
    }
    if (auth !== null && !admit(auth, req, res, url)) return;
    try {
      const handler = ROUTES.get(url.pathname);
      if (!handler) {
        sendError(req, res, 404, { code: 'NOT_FOUND', message: `no such page: ${url.pathname.slice(0, 200)}` });
      } else if (!ALLOWED_METHODS.includes(req.method ?? '')) {
        throw new MethodNotAllowedError(req.method ?? '?', ALLOWED_METHODS);
      } else {
        handler({ req, res, url, deps });
      }
    } catch (error) {
      translateError(req, res, error, deps);
    }
    deps.logger.debug('request', {
      method: req.method,
      path: url.pathname,
      status: res.statusCode,
      durationMs: deps.now() - startedMs,
    });
  };
}

/** Applies the token policy; false when it already answered (redirect or 401). */
function admit(auth: Auth, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  const decision = auth.decide(req, url);
  if (decision.kind === 'allowed') return true;
  if (decision.kind === 'login') {
    res.writeHead(303, { Location: decision.location, 'Set-Cookie': decision.setCookie, 'Cache-Control': 'no-store' });
    res.end();
    return false;
  }
  const challenge = { 'WWW-Authenticate': 'Bearer realm="dockmon"' };
  if (url.pathname === '/') {
    sendHtml(req, res, UNAUTHORIZED_PAGE, { status: 401, headers: challenge });
  } else {
    sendError(req, res, 401, { code: 'UNAUTHORIZED', message: `${decision.reason}: send Authorization: Bearer <token>` }, challenge);
  }
  return false;
}

const UNAUTHORIZED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dockmon: token required</title></head>
<body><h1>This dockmon requires a token</h1>
<p>Open <code>/?token=YOUR_TOKEN</code> once in this browser (the token is then kept in a cookie and removed from the address), or send <code>Authorization: Bearer YOUR_TOKEN</code>.</p>
</body></html>
`;

function translateError(req: IncomingMessage, res: ServerResponse, error: unknown, deps: AppDeps): void {
  if (res.headersSent) {
    deps.logger.error('failed after the response started', { path: req.url, error: describeError(error) });
    res.destroy();
    return;
  }
  const status = error instanceof AppError ? STATUS_BY_CODE[error.code] : undefined;
  if (error instanceof AppError && status !== undefined) {
    const extra: Record<string, unknown> = {};
    if (error instanceof AmbiguousError) extra['candidates'] = error.candidates;
    if (error instanceof DockerUnavailableError) extra['hint'] = error.hint;
    const headers = error instanceof MethodNotAllowedError ? { Allow: error.allow.join(', ') } : undefined;
    sendError(req, res, status, { code: error.code, message: error.message, ...extra }, headers);
    return;
  }
  deps.logger.error('request failed', { method: req.method, path: req.url, error: describeError(error) });
  sendError(req, res, 500, { code: 'INTERNAL', message: 'internal error; see the agent log' });
}
