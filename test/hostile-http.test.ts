// Hostile HTTP input against the whole agent (in-process, over a fake Engine):
// traversal and injection attempts, odd methods, oversized and slow requests,
// stuck clients, too many connections, and the access token. Each gets the right
// 4xx or is cut off, the agent keeps serving others, and whatever arrives, only
// allowlisted GETs ever reach the Docker socket.

import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createHardenedServer, SERVER_LIMITS, type ServerLimits } from '../src/http/limits.js';
import { useAgentOverFake, type AgentOverFake } from './helpers/in-process-agent.js';

const TOKEN = 'correct-horse-battery-staple';
const ALLOWED = [
  /^\/_ping$/,
  /^\/v1\.\d+\/containers\/json$/,
  /^\/v1\.\d+\/containers\/[0-9a-f]{64}\/(stats|json)$/,
  /^\/v1\.\d+\/events$/,
];

const startAgent = useAgentOverFake();
/** The test's agent (each test boots at most one). */
let agent: AgentOverFake | undefined;

/** The agent with one container, once Docker has answered it (the container endpoints say 503 before). */
async function boot(env: Record<string, string> = {}, limits: Partial<ServerLimits> = {}): Promise<number> {
  agent = await startAgent({
    args: ['--stats-source', 'api'],
    env,
    logLevel: 'debug',
    app: { limits },
    prepare: (fake) => fake.addContainer({ name: 'web' }),
  });
  return agent.app.port;
}

interface RawResponse {
  status: number;
  head: string;
  body: string;
}

/** Sends bytes exactly as given (no URL normalisation) and reads until the server closes. */
function raw(port: number, request: string, timeoutMs = 3_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${JSON.stringify(request.slice(0, 60))}`));
    }, timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body });
    });
    socket.write(request);
  });
}

const get = (target: string, headers = ''): string => `GET ${target} HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`;

function expectOnlyAllowlistedGets(): void {
  for (const request of agent?.fake.requests ?? []) {
    expect(request.method, request.url).toBe('GET');
    expect(ALLOWED.some((pattern) => pattern.test(request.path)), request.url).toBe(true);
  }
}

async function stillServes(port: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(response.status).toBe(200);
}

describe('hostile input on every endpoint', () => {
  it.each([
    ['path traversal', '/../../etc/passwd', [400, 404]],
    ['encoded traversal', '/%2e%2e%2f%2e%2e%2fetc%2fpasswd', [404]],
    ['traversal under /containers', '/containers/../../etc/passwd', [400, 404]],
    ['traversal in id', '/containers?id=../../etc/passwd', [400]],
    ['encoded traversal in id', '/containers?id=%2e%2e%2f%2e%2e%2f', [400]],
    ['a Docker path in id', '/containers?id=x%2Farchive%3Fpath%3D%2Fetc%2Fshadow', [400]],
    ['a raw Docker path in id', '/containers?id=x/archive?path=/etc/shadow', [400]],
    ['a fragment', '/containers?id=web%23x', [400]],
    ['an encoded NUL in id', '/containers?id=web%00', [400]],
    ['an encoded NUL in the path', '/table%00.html', [404]],
    ['an absolute-form target', 'http://evil.example/containers', [400]],
    ['a protocol-relative target', '//evil.example/containers', [400]],
    ['a very long id', `/containers?id=${'a'.repeat(1500)}`, [400]],
    ['a URL past the length cap', `/containers?id=${'a'.repeat(5000)}`, [414]],
    ['markup in id', '/containers?id=%3Cscript%3Ealert(1)%3C%2Fscript%3E', [400]],
  ])('%s gets a 4xx, leaks nothing and reaches no Docker path', async (_what, target, statuses) => {
    const port = await boot();
    const response = await raw(port, get(target));
    expect(statuses).toContain(response.status);
    expect(response.body).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(response.body).not.toContain('root:');
    if (response.status !== 414 && response.body.startsWith('{')) {
      expect(JSON.parse(response.body)).toHaveProperty('error.code');
    }
    await stillServes(port);
    expectOnlyAllowlistedGets();
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'TRACE'])(
    'answers %s with 405 and keeps serving',
    async (method) => {
      const port = await boot();
      const response = await raw(port, `${method} /containers HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      expect(response.status).toBe(405);
      await stillServes(port);
      expectOnlyAllowlistedGets();
    },
  );

  it('answers garbage instead of HTTP with 400', async () => {
    const port = await boot();
    const response = await raw(port, 'HELLO\0WORLD\r\n\r\n');
    expect(response.status).toBe(400);
    await stillServes(port);
  });

  it('answers oversized headers with 431', async () => {
    const port = await boot();
    const response = await raw(port, get('/containers', `X-Big: ${'a'.repeat(20_000)}\r\n`));
    expect(response.status).toBe(431);
    await stillServes(port);
  });
});

describe('slow, stuck and greedy clients', () => {
  it('cuts off a client that sends its headers too slowly (slowloris)', async () => {
    const port = await boot({}, { headersTimeoutMs: 400 });
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    const started = Date.now();
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - started)));
    socket.write('GET /containers HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 100);
    const afterMs = await closed;
    clearInterval(drip);
    expect(afterMs).toBeLessThan(3_000);
    await stillServes(port);
  });

  it('drops a client that stops reading a large answer', async () => {
    // Straight on the hardened server: a 8 MiB answer fills the socket buffers, so
    // a client that never reads leaves the server unable to write: no activity.
    const { server } = createHardenedServer((_req, res) => res.end(Buffer.alloc(8 * 1024 * 1024, 'x')), {
      ...SERVER_LIMITS,
      socketIdleTimeoutMs: 500,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const serverSideClosed = new Promise<void>((resolve) =>
      server.once('connection', (socket) => socket.once('close', () => resolve())),
    );
    const stuck = net.connect(port, '127.0.0.1');
    stuck.on('error', () => undefined);
    stuck.pause();
    stuck.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await serverSideClosed;
    const other = await fetch(`http://127.0.0.1:${port}/`);
    expect((await other.arrayBuffer()).byteLength).toBe(8 * 1024 * 1024);
    stuck.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('at the cap, closes the oldest idle connection to serve a new one; refuses only when all are busy', async () => {
    const port = await boot({ MAX_CONNECTIONS: '4' });
    const held: net.Socket[] = [];
    const closed: boolean[] = [];
    for (let i = 0; i < 4; i += 1) {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      const index = i;
      closed.push(false);
      socket.on('close', () => {
        closed[index] = true;
      });
      await new Promise((resolve) => socket.once('connect', resolve));
      held.push(socket);
    }
    // Four connections that sent nothing for more than their second of grace: the oldest makes room.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const served = await raw(port, get('/healthz'));
    expect(served.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toEqual([true, false, false, false]);
    for (const socket of held) socket.destroy();

    // Four busy connections (live viewers): nothing can be shed, the new one is refused.
    const viewers: net.Socket[] = [];
    for (let i = 0; i < 4; i += 1) {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.setEncoding('latin1');
      const streaming = new Promise((resolve) => socket.once('data', resolve));
      socket.write('GET /live HTTP/1.1\r\nHost: x\r\n\r\n');
      await streaming;
      viewers.push(socket);
    }
    const refused = await raw(port, get('/healthz'));
    expect(refused.status).toBe(0); // closed without an answer
    for (const socket of viewers) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await stillServes(port);
  });
});

describe('live-update viewers', () => {
  it('serves up to MAX_LIVE_VIEWERS of 200 concurrent viewers, refuses the rest with 503, and keeps serving', async () => {
    const port = await boot({ MAX_LIVE_VIEWERS: '40', MAX_CONNECTIONS: '512', MAX_CONNECTIONS_PER_ADDRESS: '512' });
    const answers = await Promise.all(
      Array.from({ length: 200 }, () =>
        new Promise<{ status: number; socket: net.Socket }>((resolve) => {
          const socket = net.connect(port, '127.0.0.1');
          socket.on('error', () => undefined);
          socket.setEncoding('latin1');
          let text = '';
          socket.on('data', (chunk: string) => {
            text += chunk;
            const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
            if (match) resolve({ status: Number(match[1]), socket });
          });
          socket.write('GET /live HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n');
        }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(40);
    expect(statuses.filter((status) => status === 503)).toHaveLength(160);
    await stillServes(port);
    const table = await fetch(`http://127.0.0.1:${port}/table`);
    expect(table.status).toBe(200);
    for (const { socket } of answers) socket.destroy();
    expectOnlyAllowlistedGets();
  });
});

describe('access token', () => {
  it('leaves everything open when no token is set', async () => {
    const port = await boot();
    expect((await fetch(`http://127.0.0.1:${port}/containers`)).status).toBe(200);
  });

  it.each(['/', '/table', '/containers', '/containers?id=web', '/containers/history?id=web', '/metrics', '/live', '/readyz', '/app.js', '/nope'])(
    'refuses %s without the token',
    async (target) => {
      const port = await boot({ AUTH_TOKEN: TOKEN });
      const response = await fetch(`http://127.0.0.1:${port}${target}`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="dockmon"');
      expect(await response.text()).not.toContain(TOKEN);
    },
  );

  it('keeps /healthz open for health checks', async () => {
    const port = await boot({ AUTH_TOKEN: TOKEN });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it('accepts the bearer token and refuses a wrong one', async () => {
    const port = await boot({ AUTH_TOKEN: TOKEN });
    const ok = await fetch(`http://127.0.0.1:${port}/containers`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    for (const wrong of [`${TOKEN}x`, TOKEN.slice(0, -1), 'x', '']) {
      const response = await fetch(`http://127.0.0.1:${port}/containers`, { headers: { Authorization: `Bearer ${wrong}` } });
      expect(response.status).toBe(401);
    }
  });

  it('logs a browser in from /?token=, cleans the URL, and never puts the token in the cookie', async () => {
    const port = await boot({ AUTH_TOKEN: TOKEN });
    const login = await fetch(`http://127.0.0.1:${port}/?token=${TOKEN}&sort=cpu`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/?sort=cpu');
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^dockmon_session=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(';')[0] ?? '';
    const page = await fetch(`http://127.0.0.1:${port}/containers`, { headers: { Cookie: session } });
    expect(page.status).toBe(200);
    const forged = await fetch(`http://127.0.0.1:${port}/containers`, { headers: { Cookie: 'dockmon_session=abc' } });
    expect(forged.status).toBe(401);
    const wrongUrl = await fetch(`http://127.0.0.1:${port}/?token=nope`, { redirect: 'manual' });
    expect(wrongUrl.status).toBe(401);
  });

  it('never writes the token to the agent log', async () => {
    const port = await boot({ AUTH_TOKEN: TOKEN });
    await fetch(`http://127.0.0.1:${port}/?token=${TOKEN}`, { redirect: 'manual' });
    await fetch(`http://127.0.0.1:${port}/containers`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(agent!.log.length).toBeGreaterThan(0);
    for (const line of agent!.log) expect(line).not.toContain(TOKEN);
  });
});
