// The HTTP server's defences against slow, greedy or stuck clients. The agent runs
// for months next to the Docker socket: one bad client must not hold sockets,
// memory or the event loop from the others.

import http from 'node:http';

export interface ServerLimits {
  /** The whole request head must arrive within this (slowloris). */
  headersTimeoutMs: number;
  /** The whole request must arrive within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic either way (a client that stopped reading) is destroyed after this. */
  socketIdleTimeoutMs: number;
  /** Request head size cap; more gets 431. */
  maxHeaderBytes: number;
  /** Requests served over one keep-alive connection before it is closed. */
  maxRequestsPerSocket: number;
  /** Open connections accepted at once; more are refused at accept time. */
  maxConnections: number;
}

export const SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  socketIdleTimeoutMs: 60_000,
  maxHeaderBytes: 16 * 1024,
  maxRequestsPerSocket: 1_000,
  maxConnections: 256,
};

export function createHardenedServer(handler: http.RequestListener, limits: ServerLimits): http.Server {
  const server = http.createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // The timeouts above are only enforced on this period; keep it short.
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    handler,
  );
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  server.maxConnections = limits.maxConnections;
  server.setTimeout(limits.socketIdleTimeoutMs, (socket) => socket.destroy());
  return server;
}
