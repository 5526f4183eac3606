// The HTTP server's defences against slow, greedy or stuck clients. The agent runs
// for months next to the Docker socket: one bad client must not hold sockets,
// memory or the event loop from the others.

import http from 'node:http';
import { createConnectionGuard, type ConnectionGuard } from './connection-guard.js';

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
  /** Connections open at once; past it idle or slow ones are shed (connection-guard.ts). */
  maxConnections: number;
  /** Connections from one remote address at once. */
  maxConnectionsPerAddress: number;
  /** Bytes queued to clients that do not read, summed; past it the greediest are closed. */
  maxUnreadBytes: number;
  /** Pipelined requests waiting behind an unread answer before the connection is closed. */
  maxWaitingPerConnection: number;
}

export const SERVER_LIMITS: ServerLimits = {
  // Short: a head that takes longer is an attack or a broken client, and while it lasts
  // the connection holds a slot (it is shed first when the server is full).
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  socketIdleTimeoutMs: 60_000,
  maxHeaderBytes: 16 * 1024,
  maxRequestsPerSocket: 1_000,
  maxConnections: 256,
  maxConnectionsPerAddress: 64,
  maxUnreadBytes: 32 * 1024 * 1024,
  maxWaitingPerConnection: 8,
};

export interface HardenedServer {
  server: http.Server;
  guard: ConnectionGuard;
}

export function createHardenedServer(handler: http.RequestListener, limits: ServerLimits): HardenedServer {
  const server = http.createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // The timeouts above are only enforced on this period; keep it short.
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  });
  // Not server.maxConnections: Node would refuse new connections before we see them;
  // the guard accepts them and sheds idle or slow ones instead.
  const guard = createConnectionGuard(server, {
    maxConnections: limits.maxConnections,
    maxPerAddress: limits.maxConnectionsPerAddress,
    maxUnreadBytes: limits.maxUnreadBytes,
    maxWaitingPerConnection: limits.maxWaitingPerConnection,
  });
  server.on('request', guard.gate(handler));
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  server.setTimeout(limits.socketIdleTimeoutMs, (socket) => socket.destroy());
  return { server, guard };
}
