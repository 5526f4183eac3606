// The peers loop against fake agents on loopback: what each answers, how a peer that
// dies, hangs, refuses the token or is this agent itself is shown, and discovery by a
// list and by DNS (a DNS server the test controls).

import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createDiscovery } from '../src/peers/discovery.js';
import { peerEntries, peersHealthJson } from '../src/peers/host-entries.js';
import { AGENT_ID_HEADER, NODE_NAME_HEADER } from '../src/peers/headers.js';
import { fetchPeer } from '../src/peers/peer-client.js';
import { startPeers, type Peers, type PeerStatus } from '../src/peers/peers.js';
import { createLogger } from '../src/log/logger.js';
import { startDnsServer } from './helpers/dns-server.js';
import { listenOn } from './helpers/listen.js';
import { until } from './helpers/until.js';

const TOKEN = 'correct-horse-battery-staple';
const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);

interface FakeAgent {
  baseUrl: string;
  requests: { path: string; authorization: string | undefined; method: string }[];
  close(): Promise<void>;
}

/** A dockmon-shaped /containers answer; `behave` can override per request. */
async function fakeAgent(options: {
  node: string;
  agentId?: string;
  containers?: Record<string, Record<string, unknown>>;
  behave?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
  /** 0.0.0.0 answers on every loopback address (127.0.0.2 too). */
  host?: string;
}): Promise<FakeAgent> {
  const requests: FakeAgent['requests'] = [];
  const server = await listenOn(options.host ?? '127.0.0.1', (req, res) => {
    requests.push({ path: req.url ?? '', authorization: req.headers.authorization, method: req.method ?? '' });
    if (options.behave?.(req, res) === true) return;
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"UNAUTHORIZED","message":"a token is required"}}');
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/json',
      [AGENT_ID_HEADER]: options.agentId ?? `agent-${options.node}`,
      [NODE_NAME_HEADER]: options.node,
    });
    res.end(JSON.stringify(options.containers ?? {}));
  });
  return { baseUrl: server.baseUrl, requests, close: server.close };
}

const entry = (id: string, name: string, age: number): Record<string, unknown> => ({ id, name, image: 'busybox', state: 'running', sample_age_seconds: age, stale: false, cpu: 12.5 });
const silent = createLogger({ level: 'error', sink: () => undefined });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function start(origins: readonly string[], options: { intervalMs?: number; token?: string; agentId?: string; now?: () => number } = {}): Peers {
  const peers = startPeers({
    discovery: createDiscovery({ kind: 'list', urls: origins }, { ownPort: 0, dnsServer: '' }),
    token: options.token ?? TOKEN,
    intervalMs: options.intervalMs ?? 200,
    agentId: options.agentId ?? 'this-agent',
    logger: silent,
    ...(options.now ? { now: options.now } : {}),
  });
  cleanups.push(() => peers.stop());
  return peers;
}

const byOrigin = (peers: Peers, origin: string): PeerStatus | undefined => peers.list().find((peer) => peer.origin === origin);

describe('peers', () => {
  it('asks each peer GET /containers with the token and keeps its containers and host name', async () => {
    const agent = await fakeAgent({ node: 'node-b', containers: { [ID_B]: entry(ID_B, 'web', 0.4) } });
    cleanups.push(agent.close);
    const peers = start([agent.baseUrl]);
    await until('the peer to answer', () => byOrigin(peers, agent.baseUrl)?.state === 'up');
    const status = byOrigin(peers, agent.baseUrl);
    expect(status?.node).toBe('node-b');
    expect(Object.keys(status?.containers ?? {})).toEqual([ID_B]);
    expect(status?.bytesReceived).toBeGreaterThan(0);
    expect(agent.requests[0]).toEqual({ path: '/containers', authorization: `Bearer ${TOKEN}`, method: 'GET' });
    expect(new Set(agent.requests.map((request) => request.path))).toEqual(new Set(['/containers']));
  });

  it('marks a peer that stops answering down within two intervals, keeps the others up, and brings it back', async () => {
    let dead = false;
    const flaky = await fakeAgent({
      node: 'flaky',
      containers: { [ID_A]: entry(ID_A, 'db', 0.2) },
      behave: (_req, res) => {
        if (!dead) return false;
        res.socket?.destroy();
        return true;
      },
    });
    const steady = await fakeAgent({ node: 'steady', containers: { [ID_B]: entry(ID_B, 'web', 0.2) } });
    cleanups.push(flaky.close, steady.close);
    const peers = start([flaky.baseUrl, steady.baseUrl]);
    await until('both peers up', () => peers.list().length === 2 && peers.list().every((peer) => peer.state === 'up'));
    dead = true;
    const killedAt = Date.now();
    await until('the flaky peer down', () => byOrigin(peers, flaky.baseUrl)?.state === 'down');
    expect(Date.now() - killedAt).toBeLessThan(1_000);
    expect(byOrigin(peers, steady.baseUrl)?.state).toBe('up');
    expect(byOrigin(peers, flaky.baseUrl)?.message).toMatch(/reset|socket hang up/);
    // What it last said is kept, so the page can show those containers greying.
    expect(Object.keys(byOrigin(peers, flaky.baseUrl)?.containers ?? {})).toEqual([ID_A]);
    dead = false;
    await until('the flaky peer back', () => byOrigin(peers, flaky.baseUrl)?.state === 'up');
  });

  it('gives a hanging peer up at the interval, without delaying the answering one', async () => {
    const hanging = await fakeAgent({ node: 'hangs', behave: () => true });
    const steady = await fakeAgent({ node: 'steady', containers: { [ID_B]: entry(ID_B, 'web', 0.2) } });
    cleanups.push(hanging.close, steady.close);
    const peers = start([hanging.baseUrl, steady.baseUrl], { intervalMs: 300 });
    await until('the hanging peer down', () => byOrigin(peers, hanging.baseUrl)?.state === 'down', { timeoutMs: 2_000 });
    expect(byOrigin(peers, hanging.baseUrl)?.message).toBe('no answer within 300 ms');
    const answered = byOrigin(peers, steady.baseUrl)?.answers ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect((byOrigin(peers, steady.baseUrl)?.answers ?? 0) - answered).toBeGreaterThanOrEqual(2);
  });

  it('reports a wrong token once and does not ask again at the interval', async () => {
    const agent = await fakeAgent({ node: 'locked' });
    cleanups.push(agent.close);
    const peers = start([agent.baseUrl], { token: 'a-different-token-0123', intervalMs: 100 });
    await until('the refusal', () => byOrigin(peers, agent.baseUrl)?.state === 'unauthorized');
    expect(byOrigin(peers, agent.baseUrl)?.message).toMatch(/refused the token.*same AUTH_TOKEN/);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(agent.requests).toHaveLength(1);
  });

  it('finds itself in the answer by its agent ID and shows nothing of it', async () => {
    const self = await fakeAgent({ node: 'me', agentId: 'this-agent', containers: { [ID_A]: entry(ID_A, 'x', 0) } });
    cleanups.push(self.close);
    const peers = start([self.baseUrl]);
    await until('self found', () => byOrigin(peers, self.baseUrl)?.state === 'self');
    expect(peerEntries(peers.list(), Date.now())).toEqual([]);
    expect(peersHealthJson(peers.list(), null)).toMatchObject({ total: 0, up: 0, list: [] });
  });

  it('refuses an answer that is not a dockmon /containers object', async () => {
    const impostor = await fakeAgent({ node: 'x', behave: (_req, res) => (res.writeHead(200).end('<html>hello</html>'), true) });
    cleanups.push(impostor.close);
    const answer = await fetchPeer({ origin: impostor.baseUrl, token: TOKEN, timeoutMs: 1_000, userAgent: 't' });
    expect(answer).toMatchObject({ kind: 'unreachable', message: expect.stringMatching(/not a dockmon/) });
  });
});

describe('peer entries', () => {
  it('ages a peer entry by the time since its answer arrived and marks it stale past 5 s', () => {
    const status: PeerStatus = {
      origin: 'http://10.0.0.2:5000', node: 'node-b', state: 'down', message: 'connection refused', sinceMs: 0,
      fetchedAtMs: 10_000, latencyMs: 3, containers: { [ID_B]: entry(ID_B, 'web', 0.25) }, docker: null,
      bytesReceived: 100, answers: 1, failures: 1,
    };
    const [fresh] = peerEntries([status], 10_500);
    expect(fresh?.json).toMatchObject({ id: ID_B, host: 'node-b', host_state: 'down', sample_age_seconds: 0.75, stale: false, cpu: 12.5 });
    const [old] = peerEntries([status], 16_000);
    expect(old?.json).toMatchObject({ sample_age_seconds: 6.25, stale: true });
  });
});

describe('discovery by DNS', () => {
  it('asks the DNS server again and follows addresses that come and go', async () => {
    const dns = await startDnsServer();
    cleanups.push(dns.close);
    dns.set('tasks.dockmon', ['10.0.1.2', '10.0.1.3']);
    const discovery = createDiscovery({ kind: 'dns', name: 'tasks.dockmon', port: null }, { ownPort: 5000, dnsServer: dns.address });
    expect(await discovery.origins()).toEqual({ kind: 'ok', origins: ['http://10.0.1.2:5000', 'http://10.0.1.3:5000'] });
    dns.set('tasks.dockmon', ['10.0.1.3', '10.0.1.4']);
    expect(await discovery.origins()).toEqual({ kind: 'ok', origins: ['http://10.0.1.3:5000', 'http://10.0.1.4:5000'] });
    dns.remove('tasks.dockmon');
    const failed = await discovery.origins();
    expect(failed).toMatchObject({ kind: 'failed', message: expect.stringMatching(/^dns:tasks\.dockmon: no such name/) });
  });

  it('adds and drops peers as the name changes, and keeps them through a failed lookup', async () => {
    const dns = await startDnsServer();
    const one = await fakeAgent({ node: 'one', host: '0.0.0.0', containers: { [ID_A]: entry(ID_A, 'a', 0) } });
    cleanups.push(dns.close, one.close);
    // The name's addresses are 127.0.0.x, all answered by the one fake listening on 0.0.0.0.
    const port = Number(new URL(one.baseUrl).port);
    dns.set('tasks.dockmon', ['127.0.0.1']);
    const peers = startPeers({
      discovery: createDiscovery({ kind: 'dns', name: 'tasks.dockmon', port }, { ownPort: 1, dnsServer: dns.address }),
      token: TOKEN, intervalMs: 200, agentId: 'this-agent', logger: silent, rediscoverMs: 100,
    });
    cleanups.push(() => peers.stop());
    await until('the first peer', () => peers.list()[0]?.state === 'up');
    dns.set('tasks.dockmon', ['127.0.0.1', '127.0.0.2']);
    await until('the second peer', () => peers.list().length === 2 && peers.list().every((peer) => peer.state === 'up'));
    dns.remove('tasks.dockmon');
    await until('the failed lookup', () => peers.discoveryError() !== null);
    expect(peers.list()).toHaveLength(2);
    dns.set('tasks.dockmon', ['127.0.0.2']);
    await until('the first peer gone', () => peers.list().length === 1 && peers.discoveryError() === null);
    expect(peers.list()[0]?.origin).toBe(`http://127.0.0.2:${port}`);
  });
});
