// The dockmon image, run the ways docs/deployment.md documents: the seed's command unchanged,
// the hardened command, no socket at all, and the /var/run folder mount that survives a
// daemon restart. Needs the image (.ci/run builds it with scripts/build-image-airgapped.sh
// before `npm run test:docker`); without it, or without a daemon, every test fails.
//
// Host ports are loopback ports Docker picks (`-p 127.0.0.1::5000` for the documented
// `-p 8080:5000`), so the suite never collides with anything already on 8080.

import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptNodeFlags } from '../../bench/node-flags.js';
import { docker, requireDocker } from '../helpers/docker-cli.js';
import { startFakeDocker, type FakeDocker } from '../helpers/fake-docker.js';
import { removeRunContainers, removeStaleRunContainers, runContainer, RUN_LABEL, RUN_PREFIX } from './containers.js';
import {
  containerIds,
  dockerHealth,
  IMAGE,
  readStatsLog,
  requireImage,
  runAgentContainer,
  stopTimed,
  STOP_BUDGET_MS,
  waitUntil,
  type AgentContainer,
} from './image-containers.js';

const SOCKET_MOUNT = ['-v', '/var/run/docker.sock:/var/run/docker.sock'];
/** The documented mounts for the kernel source (the image sets HOST_PROC and HOST_CGROUP to these). */
const KERNEL_MOUNTS = ['-v', '/proc:/host/proc:ro', '-v', '/sys/fs/cgroup:/host/sys/fs/cgroup:ro'];

/** /healthz's stats_sources once every listed container has been placed. */
async function statsSources(agent: AgentContainer, expectedContainers: number): Promise<Record<string, unknown>> {
  return waitUntil(
    `${agent.name}: /healthz places ${expectedContainers} containers`,
    async () => {
      const { json } = await agent.getJson('/healthz');
      const sources = (json as { stats_sources?: Record<string, unknown> }).stats_sources;
      const placed = Number(sources?.['cgroup'] ?? 0) + Number(sources?.['api'] ?? 0);
      return sources !== undefined && placed >= expectedContainers && sources['undecided'] === 0 ? sources : undefined;
    },
    15_000,
    async () => `last /healthz: ${(await agent.get('/healthz')).body}\n${await agent.logs()}`,
  );
}

/** The source of each listed container's latest sample. */
async function sourcesOf(agent: AgentContainer, ids: readonly string[]): Promise<Map<string, unknown>> {
  const { json } = await agent.getJson('/containers');
  const entries = json as Record<string, { source?: unknown } | undefined>;
  return new Map(ids.map((id) => [id, entries[id]?.source]));
}
const LOG_MOUNT_TARGET = '/python-docker/resource_logs';
const NONROOT_UID = 65532;

let workloadId = '';
const tempDirs: string[] = [];
const fakes: FakeDocker[] = [];

async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `dmtest-image-${label}-`));
  tempDirs.push(dir);
  return dir;
}

beforeAll(async () => {
  await requireDocker();
  await requireImage();
  await removeStaleRunContainers();
  workloadId = await runContainer(`${RUN_PREFIX}image-workload`, [], ['sleep', '600']);
});

afterAll(async () => {
  await removeRunContainers();
  await Promise.all(fakes.map((fake) => fake.close()));
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Waits until the agent lists `ids` with a sample each (so /table has rows to log). */
async function waitForSampled(agent: AgentContainer, ids: readonly string[]): Promise<void> {
  await waitUntil(
    `${agent.name}: /containers lists ${ids.join(', ')} with a sample`,
    async () => {
      const { status, json } = await agent.getJson('/containers');
      if (status !== 200) return undefined;
      const entries = json as Record<string, { read?: unknown } | undefined>;
      return ids.every((id) => typeof entries[id]?.read === 'string') ? true : undefined;
    },
    20_000,
    async () => `last /containers: ${(await agent.get('/containers')).body.slice(0, 500)}\n${await agent.logs()}`,
  );
}

/**
 * Calls /table until the host's stats.jsonl holds a line for each of `ids` (the log
 * gets each sample once, so a single call may come before the next sample).
 */
async function waitForLoggedRows(agent: AgentContainer, logFile: string, ids: readonly string[]): Promise<void> {
  await waitUntil(
    `${agent.name}: /table rows for ${ids.join(', ')} in ${logFile}`,
    async () => {
      const table = await agent.get('/table');
      expect(table.status).toBe(200);
      const { lines } = await readStatsLog(logFile);
      const logged = new Set(lines.map((line) => line['id']));
      return ids.every((id) => logged.has(id)) ? true : undefined;
    },
    15_000,
    () => agent.logs(),
  );
}

/** The log file on the host: owned by `uid`, readable by everyone, whole JSON lines. */
async function expectReadableLog(logFile: string, uid: number): Promise<void> {
  const info = await stat(logFile);
  expect(info.uid, `owner of ${logFile}`).toBe(uid);
  expect(info.mode & 0o444, `read bits of ${logFile} (mode ${(info.mode & 0o777).toString(8)})`).toBe(0o444);
  const { lines } = await readStatsLog(logFile);
  for (const line of lines) {
    expect(typeof line['time']).toBe('string');
    expect(line['id']).toMatch(/^[0-9a-f]{64}$/);
  }
}

/** docker stop: gone within the budget, exit code 0, and the stats log still whole lines. */
async function expectCleanStop(agent: AgentContainer, logFile: string): Promise<void> {
  const before = await readStatsLog(logFile);
  const outcome = await stopTimed(agent.name);
  const logs = await agent.logs();
  expect(outcome.elapsedMs, `docker stop ${agent.name} took ${outcome.elapsedMs} ms\n${logs}`).toBeLessThan(STOP_BUDGET_MS);
  expect(outcome.exitCode, logs).toBe(0);
  expect(logs).toMatch(/"msg":"shutting down","signal":"SIGTERM"/);
  const after = await readStatsLog(logFile);
  expect(after.text.startsWith(before.text)).toBe(true);
}

describe('the image itself', () => {
  it('has no shell: docker run --entrypoint sh fails', async () => {
    for (const shell of ['sh', '/bin/sh', 'bash', 'busybox']) {
      const run = docker(['run', '--rm', '--label', RUN_LABEL, '--entrypoint', shell, IMAGE, '-c', 'true']);
      await expect(run, `--entrypoint ${shell}`).rejects.toThrow(/executable file not found|no such file or directory/);
    }
  });

  it('holds only dist/, public/, package.json, LICENSE and the log folder, and no node_modules anywhere', async () => {
    // node is the only program in the image, so it does the looking.
    const script = `
      const fs = require('node:fs'), path = require('node:path');
      const found = [];
      const walk = (dir) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const full = path.join(dir, entry.name);
          if (entry.name === 'node_modules' || /^(sh|bash|ash|dash|busybox|npm|npx|curl|wget)$/.test(entry.name)) found.push(full);
          if (entry.isDirectory() && !['/proc', '/sys', '/dev'].includes(full)) walk(full);
        }
      };
      walk('/');
      const logs = fs.statSync('/python-docker/resource_logs');
      console.log(JSON.stringify({
        app: fs.readdirSync('/python-docker').sort(),
        found,
        main: fs.existsSync('/python-docker/dist/main.js'),
        maps: fs.readdirSync('/python-docker/dist').filter((name) => name.endsWith('.map')),
        logDir: { uid: logs.uid, gid: logs.gid, mode: (logs.mode & 0o777).toString(8) },
      }));`;
    const out = await docker(['run', '--rm', '--label', RUN_LABEL, '--entrypoint', '/nodejs/bin/node', IMAGE, '-e', script]);
    const listing = JSON.parse(out) as { app: string[]; found: string[]; main: boolean; maps: string[]; logDir: unknown };
    expect(listing.app).toEqual(['LICENSE', 'dist', 'package.json', 'public', 'resource_logs']);
    expect(listing.found).toEqual([]);
    expect(listing.main).toBe(true);
    expect(listing.maps).toEqual([]);
    // Writable by nonroot (owner) and by root without capabilities (group 0).
    expect(listing.logDir).toEqual({ uid: NONROOT_UID, gid: 0, mode: '775' });
  });

  it('declares the port, the log folder, the node HEALTHCHECK and the OCI labels', async () => {
    const config = JSON.parse(await docker(['image', 'inspect', '--format', '{{json .Config}}', IMAGE])) as {
      ExposedPorts?: Record<string, unknown>;
      Env?: string[];
      WorkingDir?: string;
      User?: string;
      Entrypoint?: string[];
      Healthcheck?: { Test?: string[] };
      Labels?: Record<string, string>;
    };
    expect(Object.keys(config.ExposedPorts ?? {})).toEqual(['5000/tcp']);
    expect(config.Env).toContain('LOG_DIR=/python-docker/resource_logs');
    expect(config.Env).toContain('PORT=5000');
    expect(config.Env).toContain('HOST_PROC=/host/proc');
    expect(config.Env).toContain('HOST_CGROUP=/host/sys/fs/cgroup');
    expect(config.WorkingDir).toBe('/python-docker');
    expect(config.User ?? '').toBe('');
    // The node flags of `npm start`, so the image runs the agent as the benchmark measured it.
    const startFlags = startScriptNodeFlags(fileURLToPath(new URL('../../package.json', import.meta.url)));
    expect(startFlags.length).toBeGreaterThan(0);
    expect(config.Entrypoint).toEqual(['/nodejs/bin/node', ...startFlags, '/python-docker/dist/main.js']);
    expect(config.Healthcheck?.Test).toEqual(['CMD', '/nodejs/bin/node', '/python-docker/dist/healthcheck.js']);
    expect(config.Labels?.['org.opencontainers.image.title']).toBe('dockmon');
    expect(config.Labels?.['org.opencontainers.image.licenses']).toBe('MIT');
    expect(config.Labels?.['org.opencontainers.image.version']).toMatch(/^\d+\.\d+\.\d+/);
    // The build stage's registry, CA and proxy arguments stay there.
    const history = await docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', IMAGE]);
    expect(`${history}\n${(config.Env ?? []).join('\n')}`).not.toMatch(/NODE_EXTRA_CA_CERTS|NPM_CONFIG|_PROXY=/i);
  });
});

describe("the seed's command, unchanged", () => {
  it('lists the containers and itself from the Engine API (no kernel mounts), logs /table rows to the host folder, and stops within 2 s', async () => {
    const logs = await tempDir('seed');
    const agent = await runAgentContainer(`${RUN_PREFIX}image-seed`, [...SOCKET_MOUNT, '-v', `${logs}:${LOG_MOUNT_TARGET}`]);

    await waitUntil('/readyz 200', async () => ((await agent.get('/readyz')).status === 200 ? true : undefined), 15_000, () => agent.logs());
    const ids = await waitUntil(
      '/containers lists the workload and the agent',
      async () => {
        const found = await containerIds(agent);
        return found?.has(workloadId) === true && found.has(agent.id) ? found : undefined;
      },
      15_000,
      () => agent.logs(),
    );
    expect(ids.has(workloadId)).toBe(true);
    expect(ids.has(agent.id)).toBe(true);

    // node is PID 1 (exec-form ENTRYPOINT), so SIGTERM from docker stop reaches it.
    const pid1 = await docker(['exec', agent.name, '/nodejs/bin/node', '-p', "require('fs').readFileSync('/proc/1/cmdline', 'utf8')"]);
    expect(pid1).toContain('/python-docker/dist/main.js');

    await waitForSampled(agent, [workloadId, agent.id]);
    // No /proc or /sys/fs/cgroup mounts: the Engine API, and /healthz says how to read the kernel.
    expect(await sourcesOf(agent, [workloadId, agent.id])).toEqual(new Map([[workloadId, 'api'], [agent.id, 'api']]));
    const sources = await statsSources(agent, ids.size);
    expect(sources['mode']).toBe('auto');
    expect(sources['cgroup']).toBe(0);
    expect(String(sources['kernel_unavailable'])).toBe(
      'HOST_CGROUP /host/sys/fs/cgroup does not exist: add -v /sys/fs/cgroup:/host/sys/fs/cgroup:ro to the docker run command',
    );
    const logFile = path.join(logs, 'stats.jsonl');
    await waitForLoggedRows(agent, logFile, [workloadId, agent.id]);
    await expectReadableLog(logFile, 0);

    await expectCleanStop(agent, logFile);
  });
});

describe('the hardened command', () => {
  it('runs as 65532 with no capabilities on a read-only root, reads every container from the kernel, reports healthy, logs and stops within 2 s', async () => {
    const logs = await tempDir('hardened');
    // docs/deployment.md has `install -d -o 65532 -g 65532 logs`; a world-writable folder does the
    // same here without needing root to run the suite.
    await chmod(logs, 0o777);
    const socketGid = (await stat('/var/run/docker.sock')).gid;
    const agent = await runAgentContainer(`${RUN_PREFIX}image-hardened`, [
      '--user', `${NONROOT_UID}:${NONROOT_UID}`,
      '--group-add', String(socketGid),
      '--read-only',
      '--cap-drop', 'ALL',
      '--security-opt', 'no-new-privileges',
      '-v', '/var/run/docker.sock:/var/run/docker.sock:ro',
      ...KERNEL_MOUNTS,
      '-v', `${logs}:${LOG_MOUNT_TARGET}`,
      // Only shortens the wait for the image's own HEALTHCHECK (30 s interval).
      '--health-interval', '1s',
    ]);

    await waitUntil('/readyz 200', async () => ((await agent.get('/readyz')).status === 200 ? true : undefined), 15_000, () => agent.logs());
    const ids = await waitUntil(
      '/containers lists the workload and the agent',
      async () => {
        const found = await containerIds(agent);
        return found?.has(workloadId) === true && found.has(agent.id) ? found : undefined;
      },
      15_000,
      () => agent.logs(),
    );
    expect(ids.size).toBeGreaterThanOrEqual(2);

    // What the kernel says about the process, not what we asked for.
    const status = await docker(['exec', agent.name, '/nodejs/bin/node', '-p', "require('fs').readFileSync('/proc/1/status', 'utf8')"]);
    expect(status).toMatch(new RegExp(`^Uid:\\s+${NONROOT_UID}\\s+${NONROOT_UID}\\s+${NONROOT_UID}\\s+${NONROOT_UID}$`, 'm'));
    expect(status).toMatch(/^CapEff:\s+0+$/m);
    expect(status).toMatch(/^CapBnd:\s+0+$/m);
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    await expect(
      docker(['exec', agent.name, '/nodejs/bin/node', '-e', "require('fs').writeFileSync('/python-docker/x', '')"]),
    ).rejects.toThrow(/EROFS/);

    const health = await waitUntil(
      'the HEALTHCHECK reports healthy',
      async () => {
        const state = JSON.parse(await docker(['inspect', '--format', '{{json .State.Health}}', agent.name])) as { Status?: string };
        return state.Status === 'healthy' ? state.Status : undefined;
      },
      20_000,
      async () => docker(['inspect', '--format', '{{json .State.Health}}', agent.name]),
    );
    expect(health).toBe('healthy');

    await waitForSampled(agent, [workloadId, agent.id]);
    // With the two read-only mounts, as uid 65532 without any capability: every
    // container, this one included, is read from the kernel.
    const sources = await statsSources(agent, ids.size);
    expect(sources).toMatchObject({ mode: 'auto', api: 0, kernel_unavailable: null, not_from_kernel: [] });
    expect(sources['cgroup']).toBeGreaterThanOrEqual(2);
    expect(await sourcesOf(agent, [workloadId, agent.id])).toEqual(new Map([[workloadId, 'cgroup'], [agent.id, 'cgroup']]));
    const logFile = path.join(logs, 'stats.jsonl');
    await waitForLoggedRows(agent, logFile, [workloadId, agent.id]);
    await expectReadableLog(logFile, NONROOT_UID);

    await expectCleanStop(agent, logFile);
  });
});

describe('docker stop', () => {
  it('leaves every stats log line whole, with every container\'s samples up to the last second', async () => {
    const logs = await tempDir('stop');
    // LOG_INTERVAL=1s: every container logged each second, nobody watching.
    const agent = await runAgentContainer(`${RUN_PREFIX}image-stop`, [
      ...SOCKET_MOUNT,
      ...KERNEL_MOUNTS,
      '-e', 'LOG_INTERVAL=1s',
      '-v', `${logs}:${LOG_MOUNT_TARGET}`,
    ]);
    await waitForSampled(agent, [workloadId, agent.id]);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const stopAt = Date.now();
    const outcome = await stopTimed(agent.name);
    expect(outcome.exitCode, await agent.logs()).toBe(0);
    // readStatsLog fails on a half line or a line that is not JSON.
    const { lines } = await readStatsLog(path.join(logs, 'stats.jsonl'));
    const lastRead = (id: string): number =>
      Math.max(...lines.filter((line) => line['id'] === id).map((line) => Date.parse(String(line['read']))));
    for (const id of [workloadId, agent.id]) {
      const gapMs = stopAt - lastRead(id);
      expect(gapMs, `the last logged sample of ${id.slice(0, 12)} is ${gapMs} ms older than docker stop`).toBeLessThan(1_500);
    }
  });
});

describe('without the socket', () => {
  // The seed says --privileged mounts the socket; it does not. This engine refuses any
  // --privileged container (its dockerd lacks CAP_SYS_RESOURCE, so runc cannot grant
  // every capability), so here the check runs as "no socket mounted", which is what
  // --privileged amounts to. Where --privileged works, the same check runs with it.
  it('keeps serving and says, in its log and on the page, that --privileged does not mount the socket and how to fix it', async () => {
    let agent: AgentContainer;
    try {
      agent = await runAgentContainer(`${RUN_PREFIX}image-privileged`, ['--privileged']);
    } catch (error) {
      expect(String(error)).toMatch(/unable to apply caps|operation not permitted/);
      agent = await runAgentContainer(`${RUN_PREFIX}image-nosocket`, []);
    }

    const daemon = await waitUntil(
      '/healthz reports Docker unavailable',
      async () => {
        const state = await dockerHealth(agent);
        return state['state'] === 'unavailable' ? state : undefined;
      },
      15_000,
      () => agent.logs(),
    );
    // The page's banner shows /healthz's docker message and hint.
    expect(String(daemon['message'])).toContain('/var/run/docker.sock does not exist');
    expect(String(daemon['hint'])).toContain('--privileged does not mount it');
    expect(String(daemon['hint'])).toContain('-v /var/run/docker.sock:/var/run/docker.sock');
    const ready = await agent.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toContain('--privileged does not mount it');
    expect((await agent.get('/')).status).toBe(200);

    const logs = await agent.logs();
    expect(logs).toContain('--privileged does not mount it');
    expect(logs).toContain('-v /var/run/docker.sock:/var/run/docker.sock');

    const outcome = await stopTimed(agent.name);
    expect(outcome.elapsedMs).toBeLessThan(STOP_BUDGET_MS);
    expect(outcome.exitCode).toBe(0);
  });
});

describe('a daemon restart', () => {
  // A daemon restart replaces the socket file. A file bind mount keeps the old inode, with
  // no listener behind it; a bind mount of the folder sees the new file. A fake Engine on a
  // Unix socket in a temporary folder plays the daemon, so the real one is never restarted.
  it('is survived with the folder mount (-v /var/run:/var/run/host:ro) and not with the socket file mount', async () => {
    const runDir = await tempDir('var-run');
    const socketPath = path.join(runDir, 'docker.sock');
    const first = await startFakeDocker({ socketPath, statsIntervalMs: 500 });
    fakes.push(first);
    // Explicit IDs: each fake numbers its containers from the same start.
    const before = first.addContainer({ id: randomBytes(32).toString('hex'), name: 'before-restart' });

    const reconnectFast = ['-e', 'RECONNECT_MAX_DELAY=1s'];
    const folder = await runAgentContainer(`${RUN_PREFIX}image-folder-mount`, [
      ...reconnectFast,
      '-v', `${runDir}:/var/run/host:ro`,
      '-e', 'DOCKER_HOST=unix:///var/run/host/docker.sock',
    ]);
    const file = await runAgentContainer(`${RUN_PREFIX}image-file-mount`, [
      ...reconnectFast,
      '-v', `${socketPath}:/var/run/docker.sock`,
    ]);
    for (const agent of [folder, file]) {
      await waitUntil(`${agent.name} sees the first daemon's container`, async () => ((await containerIds(agent))?.has(before.id) ? true : undefined), 15_000, () => agent.logs());
    }

    await first.close();
    const second = await startFakeDocker({ socketPath, statsIntervalMs: 500 });
    fakes.push(second);
    const after = second.addContainer({ id: randomBytes(32).toString('hex'), name: 'after-restart' });

    const seen = await waitUntil(
      'the folder-mounted agent reconnects to the new socket',
      async () => {
        const found = await containerIds(folder);
        return found?.has(after.id) === true && (await dockerHealth(folder))['state'] === 'connected' ? found : undefined;
      },
      15_000,
      () => folder.logs(),
    );
    expect(seen.has(before.id)).toBe(false);

    const stale = await waitUntil(
      'the file-mounted agent reports the stale socket',
      async () => {
        // First "the event stream ended", then each reconnect meets the dead socket.
        const state = await dockerHealth(file);
        return state['state'] === 'unavailable' && String(state['message']).includes('ECONNREFUSED') ? state : undefined;
      },
      15_000,
      () => file.logs(),
    );
    expect(String(stale['hint'])).toContain('-v /var/run:/var/run/host:ro');
    expect((await containerIds(file))?.has(after.id)).toBe(false);
  });
});
