// The request handler: route lookup, method check, and the single place where
// thrown errors become HTTP statuses. Internal error text never reaches a client;
// it goes to the log once, with the request.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { AmbiguousError, AppError, MethodNotAllowedError, describeError } from '../errors.js';
import { sendError } from './respond.js';
import { ROUTES, type AppDeps } from './routes.js';

const ALLOWED_METHODS = ['GET', 'HEAD'];
const STATUS_BY_CODE: Readonly<Partial<Record<AppError['code'], number>>> = {
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  AMBIGUOUS: 409,
  DOCKER_UNAVAILABLE: 503,
};

export function createRequestHandler(deps: AppDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const startedMs = deps.now();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://dockmon.invalid');
    } catch {
      sendError(req, res, 400, { code: 'BAD_REQUEST', message: 'the request URL is malformed' });
      return;
    }
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
    const headers = error instanceof MethodNotAllowedError ? { Allow: error.allow.join(', ') } : undefined;
    sendError(req, res, status, { code: error.code, message: error.message, ...extra }, headers);
    return;
  }
  deps.logger.error('request failed', { method: req.method, path: req.url, error: describeError(error) });
  sendError(req, res, 500, { code: 'INTERNAL', message: 'internal error; see the agent log' });
}
