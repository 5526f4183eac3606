// The connection guard's pipelining rules on a bare node:http server: pipelined requests
// are answered in order, one at a time; a connection that queues more than may wait is
// closed; a chunk holding more requests than may wait never reaches the handler at all.

import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { countRequestHeads, createConnectionGuard, type ConnectionGuard } from '../src/http/connection-guard.js';

const MAX_WAITING = 8;
const request = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

interface Harness {
  port: number;
  guard: ConnectionGuard;
  handled: string[];
  /** Most requests being handled at once on one connection. */
  mostAtOnce: number;
  /** Answers for /hold wait until this is called. */
  release(): void;
}

let server: http.Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function startHarness(): Promise<Harness> {
  const created = http.createServer();
  server = created;
  const guard = createConnectionGuard(created, { maxConnections: 64, maxPerAddress: 64, maxUnreadBytes: 32 << 20, maxWaitingPerConnection: MAX_WAITING });
  const held: Array<() => void> = [];
  const harness: Harness = { port: 0, guard, handled: [], mostAtOnce: 0, release: () => held.splice(0).forEach((answer) => answer()) };
  let atOnce = 0;
  created.on(
    'request',
    guard.gate((req, res) => {
      harness.handled.push(req.url ?? '');
      atOnce += 1;
      harness.mostAtOnce = Math.max(harness.mostAtOnce, atOnce);
      const answer = (): void => {
        atOnce -= 1;
        res.end(`answer ${req.url}\n`);
      };
      if (req.url === '/hold') held.push(answer);
      else setTimeout(answer, 5);
    }),
  );
  await new Promise<void>((resolve) => created.listen(0, '127.0.0.1', resolve));
  harness.port = (created.address() as net.AddressInfo).port;
  return harness;
}

/** Writes `chunks` one after another on one connection and collects what comes back until it closes or `ms` pass. */
function converse(port: number, chunks: string[], ms: number, gapMs = 0): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let closedByServer = true;
    socket.on('data', (data) => (text += data.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ text, closedByServer }));
    chunks.forEach((chunk, index) => setTimeout(() => socket.write(chunk), index * gapMs));
    setTimeout(() => {
      closedByServer = false;
      socket.destroy();
    }, ms);
  });
}

describe('countRequestHeads', () => {
  it('counts the empty lines that end request heads, CRLF or bare LF, up to a limit', () => {
    const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
    expect(countRequestHeads(bytes(request('/a').repeat(3)), 100)).toBe(3);
    expect(countRequestHeads(bytes('GET / HTTP/1.1\nHost: x\n\nGET / HTTP/1.1\n\n'), 100)).toBe(2);
    expect(countRequestHeads(bytes('GET / HTTP/1.1\r\nHost: x\r\n'), 100)).toBe(0);
    expect(countRequestHeads(bytes(request('/a').repeat(300)), 9)).toBe(9);
    expect(countRequestHeads(bytes(''), 9)).toBe(0);
  });
});

describe('pipelined requests', () => {
  it('are answered in order, one at a time', async () => {
    const harness = await startHarness();
    const paths = ['/1', '/2', '/3', '/4', '/5'];
    const { text } = await converse(harness.port, [paths.map(request).join('')], 500);
    expect(text.match(/answer \/\d/g)).toEqual(paths.map((path) => `answer ${path}`));
    expect(harness.mostAtOnce).toBe(1);
  });

  it('in one chunk beyond what may wait: the connection is closed and none reaches the handler', async () => {
    const harness = await startHarness();
    const { text, closedByServer } = await converse(harness.port, [request('/flood').repeat(MAX_WAITING + 2)], 2000);
    expect(closedByServer).toBe(true);
    expect(text).toBe('');
    expect(harness.handled).toEqual([]);
    expect(harness.guard.stats().closedUnread).toBe(1);
  });

  it('up to the limit in one chunk are all answered', async () => {
    const harness = await startHarness();
    const { text } = await converse(harness.port, [request('/ok').repeat(MAX_WAITING + 1)], 1000);
    expect(text.match(/answer \/ok/g)).toHaveLength(MAX_WAITING + 1);
  });

  it('arriving one by one behind an unanswered request: the one past the limit closes the connection', async () => {
    const harness = await startHarness();
    const chunks = [request('/hold'), ...Array.from({ length: MAX_WAITING + 1 }, (_, i) => request(`/w${i}`))];
    const { closedByServer } = await converse(harness.port, chunks, 3000, 20);
    expect(closedByServer).toBe(true);
    expect(harness.handled).toEqual(['/hold']);
    expect(harness.guard.stats().closedUnread).toBe(1);
    harness.release();
  });

  it('a well-behaved keep-alive client is not disturbed', async () => {
    const harness = await startHarness();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const bodies: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      bodies.push(
        await new Promise<string>((resolve, reject) => {
          http
            .get({ port: harness.port, host: '127.0.0.1', path: `/k${i}`, agent }, (res) => {
              let body = '';
              res.on('data', (data) => (body += data.toString()));
              res.on('end', () => resolve(body));
            })
            .on('error', reject);
        }),
      );
    }
    agent.destroy();
    expect(bodies).toEqual(Array.from({ length: 30 }, (_, i) => `answer /k${i}\n`));
    expect(harness.guard.stats().closedUnread).toBe(0);
  });
});
