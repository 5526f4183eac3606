// deploy/dockmon-stack.yml deployed as the README says, on a single-node Swarm made on
// the CI daemon: `docker swarm init`, the token as the external secret dockmon_token,
// `docker stack deploy`; then the page and /containers are read through the published
// port. The Swarm is left (`docker swarm leave --force`) afterwards. A daemon that is
// already in a Swarm fails the test: it never touches a Swarm it did not make.

import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort, httpGet } from '../helpers/agent-process.js';
import { docker, requireDocker } from '../helpers/docker-cli.js';
import { until } from '../helpers/until.js';
import { IMAGE, requireImage } from './image-containers.js';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const STACK = 'dmstack';
const TOKEN = randomBytes(24).toString('base64url');

/** until(), with what the Swarm says about the task when it times out. */
async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, detail: () => Promise<string>): Promise<T> {
  try {
    return await until(what, () => probe().catch(() => undefined), { timeoutMs, intervalMs: 250 });
  } catch (error) {
    throw new Error(`${String(error)}
${await detail()}`);
  }
}

async function swarmState(): Promise<string> {
  return (await docker(['info', '--format', '{{.Swarm.LocalNodeState}}'])).trim();
}

/** The address `docker swarm init` advertises: the host's address on its default route. */
async function advertiseAddress(): Promise<string> {
  const { stdout } = await run('ip', ['-4', 'route', 'get', '1.1.1.1']);
  const address = /\bsrc (\d+\.\d+\.\d+\.\d+)/.exec(stdout)?.[1];
  if (address === undefined) throw new Error(`no source address in \`ip route get\`: ${stdout}`);
  return address;
}

describe('the Swarm stack (deploy/dockmon-stack.yml)', () => {
  let port = 0;
  let madeSwarm = false;

  const taskState = async (): Promise<string> =>
    docker(['service', 'ps', '--no-trunc', '--format', '{{.Name}} {{.CurrentState}} {{.Error}}', `${STACK}_dockmon`]).catch((error: unknown) => String(error));
  const serviceLogs = async (): Promise<string> =>
    (await run('docker', ['service', 'logs', '--raw', '--tail', '50', `${STACK}_dockmon`]).catch((error: unknown) => ({ stdout: String(error), stderr: '' }))).stdout;

  beforeAll(async () => {
    await requireDocker();
    await requireImage();
    const state = await swarmState();
    if (state !== 'inactive') {
      throw new Error(`this daemon's Swarm state is ${JSON.stringify(state)}: the test makes its own single-node Swarm and leaves it, so it needs a daemon outside any Swarm (docker swarm leave --force)`);
    }
    await docker(['swarm', 'init', '--advertise-addr', await advertiseAddress()], { timeoutMs: 60_000 });
    madeSwarm = true;
    await run('sh', ['-c', `printf '%s' "$TOKEN" | docker secret create dockmon_token -`], { env: { ...process.env, TOKEN } });
    port = await findFreePort();
    await run('docker', ['stack', 'deploy', '-c', path.join(repoRoot, 'deploy', 'dockmon-stack.yml'), STACK], {
      env: { ...process.env, DOCKMON_IMAGE: IMAGE, DOCKMON_PORT: String(port) },
      timeout: 60_000,
    });
  }, 180_000);

  afterAll(async () => {
    if (!madeSwarm) return;
    await docker(['stack', 'rm', STACK]).catch(() => undefined);
    // Leaving removes the services, secret and overlay network with the Swarm itself.
    await docker(['swarm', 'leave', '--force'], { timeoutMs: 60_000 });
    expect(await swarmState()).toBe('inactive');
  }, 120_000);

  it('serves the page and /containers of its node, with the token from the secret only', async () => {
    const base = `http://127.0.0.1:${port}`;
    await waitFor('the agent task to answer /healthz', 90_000, async () => ((await httpGet(`${base}/healthz`, 5_000, null)).status === 200 ? true : undefined),
      async () => `${await taskState()}\n${await serviceLogs()}`);
    // The token comes from the secret file: without it, refused; with it, served.
    expect((await httpGet(`${base}/containers`, 5_000, null)).status).toBe(401);
    const node = (await docker(['info', '--format', '{{.Name}}'])).trim();
    const entries = await waitFor('its own task among the containers, sampled', 30_000, async () => {
      const answer = await httpGet(`${base}/containers?hosts=all`, 5_000, TOKEN);
      if (answer.status !== 200) return undefined;
      const all = Object.values(JSON.parse(answer.body) as Record<string, { name: string; host: string; cpu: number | null }>);
      return all.some((entry) => entry.name.startsWith(`${STACK}_dockmon.`) && entry.cpu !== null) ? all : undefined;
    }, async () => `${await taskState()}\n${await serviceLogs()}`);
    // NODE_NAME="{{.Node.Hostname}}": every entry says the node it runs on.
    expect(new Set(entries.map((entry) => entry.host))).toEqual(new Set([node]));
    const page = await httpGet(`${base}/`, 5_000, TOKEN);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`${STACK}_dockmon.`);
    // PEERS=dns:tasks.dockmon resolves on the overlay network once Swarm counts the task
    // healthy (the stack checks every 10 s): the only task is the agent itself, left out.
    const peers = await waitFor('tasks.dockmon to resolve', 60_000, async () => {
      const health = JSON.parse((await httpGet(`${base}/healthz`, 5_000, null)).body) as { peers?: { discovery_error: string | null; total: number } };
      return health.peers?.discovery_error === null ? health.peers : undefined;
    }, async () => `${await taskState()}\n${(await httpGet(`${base}/healthz`, 5_000, null)).body}`);
    expect(peers).toMatchObject({ discovery_error: null, total: 0 });
    // The token never sits in the service's environment.
    const spec = await docker(['service', 'inspect', `${STACK}_dockmon`]);
    expect(spec).not.toContain(TOKEN);
    expect(spec).toContain('AUTH_TOKEN_FILE=/run/secrets/dockmon_token');
  });
});
