// Two agents in-process, each over its own fake Engine, one listing the other as its
// peer: /containers?hosts=all and the page show both hosts; what a peer says is data,
// never markup; a peer's answer is read from memory, never fetched per request.

import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listenOn } from './helpers/listen.js';
import { startFakeDocker, type FakeDocker } from './helpers/fake-docker.js';
import { startInProcessAgent, type InProcessAgent } from './helpers/in-process-agent.js';
import { until } from './helpers/until.js';

const TOKEN = 'hosts-test-token-0123456789';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function get(url: string, token: string | null = TOKEN): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false, headers: token === null ? {} : { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    }).on('error', reject);
  });
}

/** Each fake numbers its IDs the same way: `digit` keeps two hosts' IDs apart, as real ones are. */
async function fakeWith(names: readonly string[], digit: string): Promise<{ fake: FakeDocker; ids: string[] }> {
  const fake = await startFakeDocker();
  cleanups.push(() => fake.close());
  return { fake, ids: names.map((name, index) => fake.addContainer({ name, id: `${digit}${String(index)}`.padEnd(64, digit) }).id) };
}

async function agent(fake: FakeDocker, node: string, env: Record<string, string> = {}): Promise<InProcessAgent> {
  const started = await startInProcessAgent(fake, { env: { AUTH_TOKEN: TOKEN, NODE_NAME: node, STATS_SOURCE: 'api', PEER_INTERVAL: '500ms', ...env } });
  cleanups.push(() => started.stop());
  return started;
}

type Entries = Record<string, { host: string; host_state: string; name: string; sample_age_seconds: number | null }>;

describe('many hosts over fake Engines', () => {
  it('answers both hosts in /containers?hosts=all, by ID or name across hosts, and names itself in headers', async () => {
    const one = await fakeWith(['web', 'db'], 'a');
    const two = await fakeWith(['cache', 'web'], 'b');
    const bravo = await agent(two.fake, 'bravo');
    const alpha = await agent(one.fake, 'alpha', { PEERS: bravo.base });
    const all = await until('both hosts with samples', async () => {
      const answer = await get(`${alpha.base}/containers?hosts=all`);
      const entries = JSON.parse(answer.body) as Entries;
      return Object.keys(entries).length === 4 && Object.values(entries).every((entry) => entry.sample_age_seconds !== null) ? entries : undefined;
    });
    expect(Object.fromEntries(Object.entries(all).map(([id, entry]) => [id, `${entry.host}/${entry.name}/${entry.host_state}`]))).toEqual({
      [one.ids[0] as string]: 'alpha/web/local',
      [one.ids[1] as string]: 'alpha/db/local',
      [two.ids[0] as string]: 'bravo/cache/up',
      [two.ids[1] as string]: 'bravo/web/up',
    });
    // Without hosts=all: this host only, with who answered in the headers.
    const own = await get(`${alpha.base}/containers`);
    expect(Object.keys(JSON.parse(own.body) as object).sort()).toEqual([...one.ids].sort());
    expect(own.headers['x-dockmon-node']).toBe('alpha');
    expect(own.headers['x-dockmon-agent']).toMatch(/^[0-9a-f-]{36}$/);
    // One container on any host; a name on two hosts is ambiguous; an unknown one is 404.
    const cache = JSON.parse((await get(`${alpha.base}/containers?hosts=all&id=cache`)).body) as Entries;
    expect(Object.values(cache)).toEqual([expect.objectContaining({ host: 'bravo', name: 'cache' })]);
    const ambiguous = await get(`${alpha.base}/containers?hosts=all&id=web`);
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body).toMatch(/web on alpha, web on bravo/);
    expect((await get(`${alpha.base}/containers?hosts=all&id=nothere`)).status).toBe(404);
    expect((await get(`${alpha.base}/containers?hosts=some`)).status).toBe(400);
    // /healthz: the peer's state (open, like the rest of /healthz).
    const health = JSON.parse((await get(`${alpha.base}/healthz`, null)).body) as { node: string; peers: { up: number; list: { node: string; state: string; containers: number }[] } };
    expect(health.node).toBe('alpha');
    expect(health.peers.up).toBe(1);
    expect(health.peers.list[0]).toMatchObject({ node: 'bravo', state: 'up', containers: 2 });
  });

  it('renders a host column and filter, and a hostile peer\'s strings as text', async () => {
    const one = await fakeWith(['web'], 'a');
    const [id] = ['f'.repeat(64)];
    // A "peer" that answers with markup in every string it can.
    const evil = await listenOn('127.0.0.1', (_req, res) => {
      const name = '<img src=x onerror=alert(1)>';
      res.writeHead(200, { 'content-type': 'application/json', 'x-dockmon-node': '<b>evil</b>', 'x-dockmon-agent': 'evil' });
      res.end(JSON.stringify({ [id]: { id, name, image: '"><script>alert(2)</script>', state: '<i>', read: new Date().toISOString(), sample_age_seconds: 0.1, cpu: '<u>99</u>', pids: 3 } }));
    });
    cleanups.push(evil.close);
    const alpha = await agent(one.fake, 'alpha', { PEERS: evil.baseUrl });
    const page = await until('the evil peer\'s row', async () => {
      const answer = await get(`${alpha.base}/?host=alpha`);
      return answer.body.includes(`data-id="${id}"`) ? answer.body : undefined;
    });
    expect(page).toContain('<th scope="col" data-col="host"');
    expect(page).toContain('<select id="host-filter">');
    expect(page).toContain('<option value="alpha" selected>alpha</option>');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // The host name from the peer's header is shown escaped.
    expect(page).not.toContain('<b>evil</b>');
    expect(page).toContain('&lt;b&gt;evil&lt;/b&gt;');
    // A string where a number belongs is not shown as a number.
    expect(page).not.toContain('<u>99</u>');
    const row = new RegExp(`<tr data-id="${id}"[^>]*>`).exec(page)?.[0] ?? '';
    expect(row).toContain('remote');
  });

  it('keeps a peer that stopped answering greyed with its last rows, names it in the banner, and ages its entries', async () => {
    const one = await fakeWith(['web'], 'a');
    const two = await fakeWith(['cache'], 'b');
    const bravo = await agent(two.fake, 'bravo');
    const alpha = await agent(one.fake, 'alpha', { PEERS: bravo.base });
    const cacheId = two.ids[0] as string;
    await until('bravo\'s container', async () => (JSON.parse((await get(`${alpha.base}/containers?hosts=all`)).body) as Entries)[cacheId]?.sample_age_seconds != null);
    await bravo.stop();
    const page = await until('the banner naming bravo', async () => {
      const body = (await get(`${alpha.base}/`)).body;
      return body.includes('Host bravo does not answer') ? body : undefined;
    });
    expect(new RegExp(`<tr data-id="${cacheId}" class="[^"]*host-down`).test(page)).toBe(true);
    const entries = JSON.parse((await get(`${alpha.base}/containers?hosts=all`)).body) as Entries;
    expect(entries[cacheId]).toMatchObject({ host: 'bravo', host_state: 'down' });
    // Its age keeps growing from its last answer: it is never passed off as fresh.
    const later = await until('the entry to age past 5 s', async () => {
      const entry = (JSON.parse((await get(`${alpha.base}/containers?hosts=all`)).body) as Entries & Record<string, { stale: boolean }>)[cacheId];
      return entry?.stale === true ? entry : undefined;
    }, { timeoutMs: 8_000, intervalMs: 200 });
    expect(later.sample_age_seconds).toBeGreaterThan(5);
  });
});
