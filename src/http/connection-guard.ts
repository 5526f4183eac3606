// Keeps the server answering when some clients misbehave, the three ways an attacker
// locked everyone out of the plain Node server:
// 1. Slow heads. Connections that send their request head a byte at a time used to fill
//    MAX_CONNECTIONS until the head timeout; Node then refused every new connection. Here
//    every connection is accepted, and when the server (or one address) is full, the
//    connections that have not sent a complete head, or sit idle between requests, are
//    shed, oldest first; a new one is refused only when every open connection is busy
//    with a request. One address may hold at most MAX_CONNECTIONS_PER_ADDRESS.
// 2. Clients that never read. A client that pipelines hundreds of requests and reads
//    nothing made the agent render answer after answer (the kernel's socket buffers took
//    megabytes of them) and hold a request object for every one of them. Here a
//    connection is answered one request at a time: the next waits until the earlier
//    answer is complete and handed to the kernel (and, when the kernel has stopped
//    taking bytes, until the socket drains). More than a few waiting, or more unread bytes
//    than the connection's share of a global budget, and the connection is closed; a
//    chunk of bytes holding more request heads than may wait is never parsed at all
//    (meterParserInput below).
// 3. Refused live viewers on keep-alive: closed by live-updates.ts (Connection: close).

import type http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionGuardOptions {
  /** Connections open at once. */
  maxConnections: number;
  /** Connections from one remote address at once. */
  maxPerAddress: number;
  /** Bytes queued to sockets that are not reading, summed over all of them. */
  maxUnreadBytes: number;
  /** Requests waiting behind an unread answer on one connection before it is closed. */
  maxWaitingPerConnection: number;
}

export interface ConnectionGuardStats {
  open: number;
  /** Connections closed to make room (slow or idle), and new ones refused for lack of any. */
  shed: number;
  refused: number;
  /** Connections closed for not reading their answers. */
  closedUnread: number;
  /** Bytes queued now to sockets that have not read them. */
  unreadBytes: number;
}

export interface ConnectionGuard {
  /** Wraps the request handler: requests wait while their connection's earlier answer is unread. */
  gate(handler: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void;
  stats(): ConnectionGuardStats;
}

interface Tracked {
  socket: Socket;
  address: string;
  /** Monotonic ms when it connected. */
  openedAtMs: number;
  /** Requests being answered now on this connection (0 or 1; a live stream stays at 1). */
  active: number;
  /** Requests waiting for the connection's earlier answer. */
  waiting: Array<() => void>;
  draining: boolean;
}


/**
 * Counts the request heads a chunk ends (an empty line: LF LF or LF CR LF), stopping at
 * `atMost`. A GET has no body, so on this server a head end is a request.
 */
export function countRequestHeads(chunk: Uint8Array, atMost: number): number {
  let count = 0;
  let at = chunk.indexOf(0x0a);
  while (at !== -1 && count < atMost) {
    const next = chunk[at + 1];
    if (next === 0x0a || (next === 0x0d && chunk[at + 2] === 0x0a)) count += 1;
    at = chunk.indexOf(0x0a, at + 1);
  }
  return count;
}

/**
 * Puts a meter between a socket and Node's HTTP parser. Node parses every request in a
 * chunk in one go and makes a request and a response object for each before any handler
 * could hold them back: 250 clients writing 300 pipelined GETs each made 75,000 pairs in
 * one turn of the event loop (RSS 68 → 223 MiB, /healthz 5 s late), all alive until the
 * sockets' close events. Once something listens for 'data', Node stops reading the socket
 * in C++ and feeds its parser from its own 'data' listener (the path TLS sockets take);
 * the meter takes that listener's place, passes chunks on, and closes the connection
 * instead when a chunk holds more than `maxHeads` requests.
 */
function meterParserInput(socket: Socket, maxHeads: number, onTooMany: () => void): void {
  const listeners = socket.listeners('data');
  // Not the shape Node 20 and 22 give an HTTP socket: leave it, the gate still bounds it.
  if (listeners.length !== 1) return;
  const parserInput = listeners[0] as (chunk: Buffer) => void;
  socket.removeListener('data', parserInput);
  socket.on('data', (chunk: Buffer) => {
    if (countRequestHeads(chunk, maxHeads + 1) > maxHeads) {
      onTooMany();
      return;
    }
    parserInput(chunk);
  });
}

export function createConnectionGuard(server: http.Server, options: ConnectionGuardOptions): ConnectionGuard {
  /** Insertion order is age order: the oldest first. */
  const all = new Map<Socket, Tracked>();
  const byAddress = new Map<string, Set<Tracked>>();
  const counters = { shed: 0, refused: 0, closedUnread: 0 };

  function forget(tracked: Tracked): void {
    all.delete(tracked.socket);
    const group = byAddress.get(tracked.address);
    group?.delete(tracked);
    if (group?.size === 0) byAddress.delete(tracked.address);
  }

  /**
   * The connection among `candidates` to shed: one not answering a request, and of those
   * first the ones that have sent bytes without a complete request (a slow head, or an
   * idle keep-alive), oldest first; a connection that has sent nothing yet comes last,
   * so a newcomer whose request is on its way is not shed by the next arrival. Null
   * when every candidate is busy.
   */
  function victim(candidates: Iterable<Tracked>): Tracked | null {
    let best: Tracked | null = null;
    let bestSent = false;
    for (const tracked of candidates) {
      if (tracked.active > 0 || tracked.waiting.length > 0) continue;
      const sent = tracked.socket.bytesRead > 0;
      if (best === null || (sent && !bestSent) || (sent === bestSent && tracked.openedAtMs < best.openedAtMs)) {
        best = tracked;
        bestSent = sent;
      }
    }
    return best;
  }

  /** Makes room among `candidates` by shedding one idle connection; false when none is idle. */
  function shedOne(candidates: Iterable<Tracked>): boolean {
    const chosen = victim(candidates);
    if (chosen === null) return false;
    counters.shed += 1;
    forget(chosen);
    chosen.socket.destroy();
    return true;
  }

  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const tracked: Tracked = { socket, address, openedAtMs: performance.now(), active: 0, waiting: [], draining: false };
    const group = byAddress.get(address) ?? new Set<Tracked>();
    if (group.size >= options.maxPerAddress && !shedOne(group)) {
      counters.refused += 1;
      socket.destroy();
      return;
    }
    if (all.size >= options.maxConnections && !shedOne(all.values())) {
      counters.refused += 1;
      socket.destroy();
      return;
    }
    all.set(socket, tracked);
    group.add(tracked);
    byAddress.set(address, group);
    socket.once('close', () => forget(tracked));
    meterParserInput(socket, options.maxWaitingPerConnection + 1, () => closeUnread(tracked));
  });

  function unreadBytes(): number {
    let bytes = 0;
    for (const tracked of all.values()) bytes += tracked.socket.writableLength;
    return bytes;
  }

  function closeUnread(tracked: Tracked): void {
    counters.closedUnread += 1;
    tracked.waiting.length = 0;
    forget(tracked);
    tracked.socket.destroy();
  }

  /** Starts the next waiting request once the connection is free and its socket takes bytes. */
  function pump(tracked: Tracked): void {
    if (tracked.active > 0 || tracked.waiting.length === 0 || tracked.socket.destroyed) return;
    if (tracked.socket.writableLength > 0) {
      if (tracked.draining) return;
      tracked.draining = true;
      tracked.socket.once('drain', () => {
        tracked.draining = false;
        pump(tracked);
      });
      return;
    }
    tracked.waiting.shift()?.();
  }

  return {
    gate(handler) {
      return (req, res) => {
        const tracked = all.get(req.socket);
        if (tracked === undefined) {
          // Shed or closed meanwhile: the rest of a pipelined burst is not answered.
          if (!req.socket.destroyed) handler(req, res);
          return;
        }
        const run = (): void => {
          tracked.active += 1;
          res.once('close', () => {
            tracked.active -= 1;
            pump(tracked);
          });
          handler(req, res);
        };
        if (tracked.active === 0 && tracked.waiting.length === 0 && req.socket.writableLength === 0) {
          run();
          return;
        }
        // An earlier answer is still being sent or is unread: this one waits, within limits.
        const share = options.maxUnreadBytes / Math.max(1, all.size);
        if (tracked.waiting.length >= options.maxWaitingPerConnection || (req.socket.writableLength > share && unreadBytes() > options.maxUnreadBytes)) {
          closeUnread(tracked);
          return;
        }
        tracked.waiting.push(run);
      };
    },
    stats: () => ({ open: all.size, ...counters, unreadBytes: unreadBytes() }),
  };
}
