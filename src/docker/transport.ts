// The only place dockmon calls node:http to reach the daemon. It sends GET only,
// refuses any path outside the allowlist, and turns every way a request can go
// wrong (socket errors, deadlines, oversized or malformed bodies, non-2xx) into
// one of our typed errors. Streams are split into lines here; the client parses.

import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import {
  AppError,
  DockerApiError,
  DockerBadResponseError,
  DockerTimeoutError,
  ForbiddenDockerRequestError,
} from '../errors.js';
import { checkAllowedRequest } from './allowlist.js';
import type { DockerEndpoint } from './endpoint.js';
import { createLineSplitter } from './line-splitter.js';
import { describeEndpoint, toUnavailableError } from './socket-errors.js';

export interface TransportOptions {
  endpoint: DockerEndpoint;
  /** Deadline for a whole request, or for a stream's response headers. */
  timeoutMs: number;
  /** Deadline for the connection to be established. */
  connectTimeoutMs?: number;
  /** Cap on a non-streaming response body. */
  maxResponseBytes?: number;
  /** Cap on one line of a stream. */
  maxLineBytes?: number;
  /** Sockets for short requests; streams have their own pool of `maxStreams`. */
  maxSockets?: number;
  maxStreams?: number;
  userAgent?: string;
}

export interface DockerResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export type StreamEnd =
  /** The daemon ended the stream cleanly (container removed, daemon shutting down). */
  | { kind: 'eof'; remainder: string }
  /** It failed: socket error, deadline, non-2xx status, oversized line. */
  | { kind: 'error'; error: AppError }
  /** We closed it. */
  | { kind: 'closed' };

export interface StreamHandlers {
  onLine(line: string): void;
  /** Called exactly once. */
  onEnd(end: StreamEnd): void;
}

export interface StreamHandle {
  close(): void;
}

export interface Transport {
  /** `timeoutMs` replaces the transport's deadline for this request (a slow list, say). */
  get(pathWithQuery: string, request?: { timeoutMs?: number }): Promise<DockerResponse>;
  openStream(pathWithQuery: string, handlers: StreamHandlers, options: { idleTimeoutMs: number | null }): StreamHandle;
  /** Closes idle pooled sockets. Open streams are the caller's to close. */
  destroy(): void;
}

const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

export function createTransport(options: TransportOptions): Transport {
  const endpoint = options.endpoint;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const connectTimeoutMs = options.connectTimeoutMs ?? Math.min(options.timeoutMs, 5_000);
  const shortAgent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 8, maxFreeSockets: 2 });
  const streamAgent = new http.Agent({ keepAlive: false, maxSockets: (options.maxStreams ?? 1000) + 2 });
  const headers = { Host: 'docker', 'User-Agent': options.userAgent ?? 'dockmon', Accept: 'application/json' };

  function startRequest(pathWithQuery: string, agent: http.Agent): http.ClientRequest {
    const refusal = checkAllowedRequest(pathWithQuery);
    if (refusal !== null) throw new ForbiddenDockerRequestError(`refused to send GET ${pathWithQuery}: ${refusal}`);
    const target =
      endpoint.kind === 'unix' ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port };
    return http.request({ ...target, agent, method: 'GET', path: pathWithQuery, headers });
  }

  /** Destroys the request with a timeout error unless the socket connects in time. */
  function guardConnect(req: http.ClientRequest, pathWithQuery: string): void {
    req.once('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => {
        req.destroy(
          new DockerTimeoutError(
            `GET ${pathWithQuery}: no connection to ${describeEndpoint(endpoint)} after ${connectTimeoutMs} ms`,
          ),
        );
      }, connectTimeoutMs);
      timer.unref();
      socket.once('connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
  }

  function toAppError(error: unknown, pathWithQuery: string): AppError {
    if (error instanceof AppError) return error;
    const errno = error as NodeJS.ErrnoException;
    if (errno.code === 'ECONNRESET' || errno.code === 'EPIPE') {
      return new DockerBadResponseError(`GET ${pathWithQuery}: the daemon closed the connection (${errno.code})`, {
        cause: error,
      });
    }
    return toUnavailableError(errno, endpoint);
  }

  function get(pathWithQuery: string, request?: { timeoutMs?: number }): Promise<DockerResponse> {
    const timeoutMs = request?.timeoutMs ?? options.timeoutMs;
    return new Promise((resolve, reject) => {
      let req: http.ClientRequest;
      try {
        req = startRequest(pathWithQuery, shortAgent);
      } catch (error) {
        reject(error);
        return;
      }
      // Settles once: a request can fail on the socket, on the deadline or while
      // its body is read, and after the response arrives Node no longer reports
      // a destroyed request through 'error'.
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        outcome();
      };
      const fail = (error: unknown): void => {
        settle(() => reject(toAppError(error, pathWithQuery)));
        req.destroy();
      };
      const deadline = setTimeout(() => {
        fail(new DockerTimeoutError(`GET ${pathWithQuery}: no complete answer after ${timeoutMs} ms`));
      }, timeoutMs);
      deadline.unref();
      guardConnect(req, pathWithQuery);
      req.on('error', fail);
      req.on('response', (res) => {
        readBody(res, maxResponseBytes, pathWithQuery).then((text) => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) settle(() => reject(apiError(pathWithQuery, status, text)));
          else settle(() => resolve({ status, headers: res.headers, text }));
        }, fail);
      });
      req.end();
    });
  }

  function openStream(
    pathWithQuery: string,
    handlers: StreamHandlers,
    streamOptions: { idleTimeoutMs: number | null },
  ): StreamHandle {
    let ended = false;
    let idleTimer: NodeJS.Timeout | undefined;
    let headersDeadline: NodeJS.Timeout | undefined;
    const finish = (end: StreamEnd): void => {
      if (ended) return;
      ended = true;
      clearTimeout(idleTimer);
      clearTimeout(headersDeadline);
      handlers.onEnd(end);
    };
    let req: http.ClientRequest;
    try {
      req = startRequest(pathWithQuery, streamAgent);
    } catch (error) {
      // Report asynchronously, like every other ending, so callers see one code path.
      queueMicrotask(() => finish({ kind: 'error', error: toAppError(error, pathWithQuery) }));
      return { close: () => finish({ kind: 'closed' }) };
    }
    const fail = (error: AppError): void => {
      finish({ kind: 'error', error });
      req.destroy();
    };
    headersDeadline = setTimeout(() => {
      fail(new DockerTimeoutError(`GET ${pathWithQuery}: no response headers after ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    headersDeadline.unref();
    // One timer per stream, pushed back on every chunk: refresh() re-arms it in place,
    // where a new setTimeout per stats record would allocate and re-link a timer each time.
    const armIdle = (): void => {
      const idleMs = streamOptions.idleTimeoutMs;
      if (idleMs === null || ended) return;
      if (idleTimer !== undefined) {
        idleTimer.refresh();
        return;
      }
      idleTimer = setTimeout(() => {
        fail(new DockerTimeoutError(`GET ${pathWithQuery}: stream silent for ${idleMs} ms`));
      }, idleMs);
      idleTimer.unref();
    };
    guardConnect(req, pathWithQuery);
    req.on('error', (error) => finish({ kind: 'error', error: toAppError(error, pathWithQuery) }));
    req.on('response', (res) => {
      clearTimeout(headersDeadline);
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) {
        readBody(res, 64 * 1024, pathWithQuery).then(
          (text) => fail(apiError(pathWithQuery, status, text)),
          (error: unknown) => fail(toAppError(error, pathWithQuery)),
        );
        return;
      }
      armIdle();
      const splitter = createLineSplitter(
        (line) => {
          if (!ended) handlers.onLine(line);
        },
        maxLineBytes,
        (length) =>
          fail(new DockerBadResponseError(`GET ${pathWithQuery}: a line of ${length} bytes exceeds the ${maxLineBytes} cap`)),
      );
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        armIdle();
        splitter.push(text);
      });
      res.on('end', () => finish({ kind: 'eof', remainder: splitter.remainder() }));
      res.on('error', (error) => finish({ kind: 'error', error: toAppError(error, pathWithQuery) }));
      res.on('close', () => {
        if (!res.complete) {
          finish({
            kind: 'error',
            error: new DockerBadResponseError(`GET ${pathWithQuery}: the daemon closed the stream mid-response`),
          });
        }
      });
    });
    req.end();
    return {
      close() {
        finish({ kind: 'closed' });
        req.destroy();
      },
    };
  }

  return {
    get,
    openStream,
    destroy() {
      shortAgent.destroy();
      streamAgent.destroy();
    },
  };
}

function readBody(res: IncomingMessage, maxBytes: number, pathWithQuery: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new DockerBadResponseError(`GET ${pathWithQuery}: response larger than ${maxBytes} bytes`));
        res.destroy();
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(new DockerBadResponseError(`GET ${pathWithQuery}: response cut short`));
    });
  });
}

/** Keeps the Engine's own `message` ("No such container: ...") when it sent one. */
function apiError(pathWithQuery: string, status: number, body: string): DockerApiError {
  let detail = body.trim().slice(0, 300);
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') {
      detail = parsed.message;
    }
  } catch {
    // Not JSON: keep the (truncated) text as the detail.
  }
  return new DockerApiError(`GET ${pathWithQuery} failed: ${status}${detail ? ` ${detail}` : ''}`, status);
}
