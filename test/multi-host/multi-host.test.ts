// `npm run test:multi-host`: several agents as separate hosts, each its own process on
// its own loopback address and each over its own engine: alpha reads the real Docker
// daemon, bravo Podman's API (.ci/start-podman.sh), charlie a fake Engine served by this
// test. alpha finds its peers by a list, bravo by DNS (a DNS server this test controls
// answers tasks.dockmon with every agent's address, as Swarm's does). Shown: every host's
// containers in one /containers?hosts=all and on one page (Chromium); a killed peer is
// marked down within 5 s while the others stay live; it reappears when it comes back; a
// peer with another token is reported and not asked again at the interval.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort, httpGet, startAgent, type AgentProcess } from '../helpers/agent-process.js';
import { launchChromium, watchProblems } from '../helpers/browser.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { startFakeDocker, type FakeDocker } from '../helpers/fake-docker.js';
import { until } from '../helpers/until.js';

const run = promisify(execFile);
const TOKEN = 'multi-host-token-0123456789';
const PODMAN_SOCKET = process.env['PODMAN_SOCKET'] ?? '/run/dockmon-podman/podman.sock';
const DOCKER_IMAGE = 'dockmon-test-busybox';
const PODMAN_IMAGE = 'localhost/dockmon-test-busybox';
const ULIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
const RUN = `dmhosts-${process.pid}`;
/** Short: a peer is asked every half second, so "down within 5 s" has room on a busy machine. */
const PEER_INTERVAL = '500ms';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Entry {
  id: string;
  name: string;
  host: string;
  host_state?: string;
  sample_age_seconds: number | null;
  stale: boolean;
  cpu: number | null;
}

interface PeerJson {
  origin: string;
  node: string | null;
  state: string;
  message: string | null;
  failures: number;
  answers: number;
}

async function getJson<T>(url: string): Promise<T> {
  const answer = await httpGet(url, 5_000, TOKEN);
  if (answer.status !== 200) throw new Error(`GET ${url}: ${answer.status} ${answer.body.slice(0, 300)}`);
  return JSON.parse(answer.body) as T;
}

/** Polls a real fleet of agents: a probe that throws (an agent restarting) is tried again. */
function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  return until(what, () => probe().catch(() => undefined), { timeoutMs, intervalMs: 100 });
}

const allHosts = (agent: AgentProcess): Promise<Record<string, Entry>> => getJson(`${agent.baseUrl}/containers?hosts=all`);
const peersOf = async (agent: AgentProcess): Promise<PeerJson[]> =>
  (await getJson<{ peers: { list: PeerJson[] } }>(`${agent.baseUrl}/healthz`)).peers.list;

describe('many hosts on one page', () => {
  let port = 0;
  let dns: TestDnsServer;
  let fake: FakeDocker;
  let fakeId = '';
  let dockerId = '';
  let podmanId = '';
  const agents: Record<string, AgentProcess | undefined> = {};

  const startHost = (node: string, address: string, env: Record<string, string>): Promise<AgentProcess> =>
    startAgent({
      host: address,
      port,
      waitFor: 'healthy',
      env: { NODE_NAME: node, AUTH_TOKEN: TOKEN, PEER_INTERVAL, LOG_LEVEL: 'info', ...env },
    });
  const charlieEnv = (): Record<string, string> => ({ DOCKER_HOST: `unix://${fake.socketPath}`, STATS_SOURCE: 'api' });

  beforeAll(async () => {
    // Every agent on one port, each on its own loopback address: as a Swarm's tasks are.
    port = await findFreePort();
    dns = await startDnsServer();
    dns.set('tasks.dockmon', ['127.0.0.1', '127.0.0.2', '127.0.0.3']);
    fake = await startFakeDocker();
    fakeId = fake.addContainer({ name: `${RUN}-charlie-web` }).id;
    dockerId = (await run('docker', ['run', '-d', '--name', `${RUN}-alpha`, '--label', `dockmon.test.run=${RUN}`, DOCKER_IMAGE, 'sleep', '3600'])).stdout.trim();
    podmanId = (await run('podman', ['--url', `unix://${PODMAN_SOCKET}`, 'run', '-d', '--name', `${RUN}-bravo`, ...ULIMITS, PODMAN_IMAGE, 'sleep', '3600'], { timeout: 60_000 })).stdout.trim();
    agents['alpha'] = await startHost('alpha', '127.0.0.1', { PEERS: `http://127.0.0.2:${port},http://127.0.0.3:${port},http://127.0.0.4:${port}` });
    agents['bravo'] = await startHost('bravo', '127.0.0.2', {
      DOCKER_HOST: `unix://${PODMAN_SOCKET}`,
      PEERS: 'dns:tasks.dockmon',
      PEER_DNS_SERVER: dns.address,
    });
    agents['charlie'] = await startHost('charlie', '127.0.0.3', charlieEnv());
    // A host set up with another token: it must be reported, not hammered.
    agents['delta'] = await startAgent({
      host: '127.0.0.4', port, waitFor: 'healthy',
      env: { NODE_NAME: 'delta', AUTH_TOKEN: 'another-token-entirely-999', DOCKER_HOST: `unix://${fake.socketPath}`, STATS_SOURCE: 'api' },
    });
  }, 180_000);

  afterAll(async () => {
    for (const agent of Object.values(agents)) await agent?.kill();
    await run('docker', ['rm', '-f', `${RUN}-alpha`]).catch(() => undefined);
    await run('podman', ['--url', `unix://${PODMAN_SOCKET}`, 'rm', '-f', '-t', '0', `${RUN}-bravo`], { timeout: 60_000 }).catch(() => undefined);
    await fake?.close();
    await dns?.close();
  }, 120_000);

  const alpha = (): AgentProcess => agents['alpha'] as AgentProcess;
  const bravo = (): AgentProcess => agents['bravo'] as AgentProcess;

  it('answers every host\'s containers in one /containers?hosts=all, found by a list and by DNS', async () => {
    for (const [agent, how] of [[alpha(), 'list'], [bravo(), 'DNS']] as const) {
      const entries = await waitFor(`all three hosts on ${how}`, 20_000, async () => {
        const all = await allHosts(agent);
        const ok = all[dockerId]?.cpu != null && all[podmanId]?.cpu != null && all[fakeId]?.cpu != null;
        return ok ? all : undefined;
      });
      expect(entries[dockerId]).toMatchObject({ host: 'alpha', name: `${RUN}-alpha`, stale: false });
      expect(entries[podmanId]).toMatchObject({ host: 'bravo', name: `${RUN}-bravo`, stale: false });
      expect(entries[fakeId]).toMatchObject({ host: 'charlie', name: `${RUN}-charlie-web`, stale: false });
      // Peers' ages stay exact: moved on by the time since their answer, never reset to 0.
      for (const id of [dockerId, podmanId, fakeId]) expect(entries[id]?.sample_age_seconds).toBeLessThan(3);
    }
    // Without hosts=all an agent answers for its own host only, as before.
    const own = await getJson<Record<string, Entry>>(`${alpha().baseUrl}/containers`);
    expect(own[dockerId]).toBeDefined();
    expect(own[podmanId]).toBeUndefined();
    // ?id= across hosts, by name, with the host in the entry.
    const one = await getJson<Record<string, Entry>>(`${alpha().baseUrl}/containers?hosts=all&id=${RUN}-bravo`);
    expect(Object.values(one)).toEqual([expect.objectContaining({ id: podmanId, host: 'bravo' })]);
    // bravo found itself in the DNS answer and does not list itself as a peer.
    const bravoPeers = await peersOf(bravo());
    expect(bravoPeers.map((peer) => peer.node).sort()).toEqual(['alpha', 'charlie']);
  });

  it('reports a peer with another token once, and does not ask it again at the interval', async () => {
    const delta = await waitFor('delta refused', 10_000, async () =>
      (await peersOf(alpha())).find((peer) => peer.origin === `http://127.0.0.4:${port}` && peer.state === 'unauthorized'));
    expect(delta.message).toMatch(/refused the token/);
    await sleep(3_000); // six intervals
    const later = (await peersOf(alpha())).find((peer) => peer.origin === `http://127.0.0.4:${port}`);
    expect(later).toMatchObject({ state: 'unauthorized', failures: delta.failures });
    // The others were asked all along.
    const charlie = (await peersOf(alpha())).find((peer) => peer.node === 'charlie');
    expect(charlie?.answers).toBeGreaterThan(5);
  });

  it('shows every host on one page, with a host column and a host filter', async () => {
    const launched = await launchChromium();
    try {
      const page = await launched.context.newPage();
      const problems = watchProblems(page);
      await page.goto(`${alpha().baseUrl}/?token=${TOKEN}`);
      for (const id of [dockerId, podmanId, fakeId]) await page.waitForSelector(`tr[data-id="${id}"]`, { timeout: 15_000 });
      const hostOf = (id: string): Promise<string> => page.locator(`tr[data-id="${id}"] td[data-col="host"]`).innerText();
      expect(await hostOf(dockerId)).toBe('alpha');
      expect(await hostOf(podmanId)).toBe('bravo');
      expect(await hostOf(fakeId)).toBe('charlie');
      // delta refuses the token: the banner says so, and what to do.
      expect(await page.locator('#banner').innerText()).toMatch(/refuses this agent's token: give every agent the same AUTH_TOKEN/);
      // The filter shows one host's rows; the others are hidden, not dropped.
      await page.selectOption('#host-filter', 'bravo');
      await page.locator(`tr[data-id="${dockerId}"]`).waitFor({ state: 'hidden' });
      expect(await page.locator(`tr[data-id="${podmanId}"]`).isVisible()).toBe(true);
      expect(page.url()).toContain('host=bravo');
      await page.selectOption('#host-filter', '');
      await page.locator(`tr[data-id="${dockerId}"]`).waitFor({ state: 'visible' });
      // A peer's row is live: its CPU cell moves with each new answer.
      const cpuOf = (): Promise<string | null> => page.locator(`tr[data-id="${fakeId}"] td[data-col="cpu"]`).getAttribute('data-v');
      const first = await cpuOf();
      await until('a new value on charlie\'s row', async () => (await cpuOf()) !== first, { timeoutMs: 10_000, intervalMs: 200 });
      await page.screenshot({ path: 'test-results/multi-host.png', fullPage: true });
      expect(problems.errors).toEqual([]);
    } finally {
      await launched.close();
    }
  });

  it('marks a killed peer down within 5 s, keeps the others live, and shows it again when it comes back', async () => {
    await agents['charlie']?.kill();
    agents['charlie'] = undefined;
    const killedAt = Date.now();
    await waitFor('charlie down on alpha and bravo', 5_000, async () => {
      const [a, b] = await Promise.all([peersOf(alpha()), peersOf(bravo())]);
      const down = (peers: PeerJson[]): boolean => peers.find((peer) => peer.node === 'charlie')?.state === 'down';
      return down(a) && down(b) ? true : undefined;
    });
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    const entries = await allHosts(alpha());
    expect(entries[dockerId]).toMatchObject({ host: 'alpha', stale: false });
    expect(entries[podmanId]).toMatchObject({ host: 'bravo', host_state: 'up', stale: false });
    expect(entries[podmanId]?.sample_age_seconds).toBeLessThan(3);
    // What charlie last said is kept, marked down and ageing.
    expect(entries[fakeId]).toMatchObject({ host: 'charlie', host_state: 'down' });

    agents['charlie'] = await startHost('charlie', '127.0.0.3', charlieEnv());
    await waitFor('charlie back on alpha', 10_000, async () => {
      const all = await allHosts(alpha());
      return all[fakeId]?.host_state === 'up' && all[fakeId]?.stale === false ? true : undefined;
    });
  });
});
