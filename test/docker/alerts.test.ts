// Issue 13 against the real daemon: containers that exit with a code, are OOM-killed,
// crash-loop or turn unhealthy each produce exactly one firing notification at a webhook
// receiver within 5 s of the daemon's event, and a resolve when they end; `docker stop`
// produces none. Receivers that are down, answer 500 or hang beside a good one are
// retried without slowing the agent. A restarted agent does not send again what was
// delivered. /containers?all=1, /containers/events, /alerts, /metrics and events.jsonl
// show each case.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../helpers/agent-process.js';
import { docker, requireDocker } from '../helpers/docker-cli.js';
import { until } from '../helpers/until.js';
import { removeRunContainers, removeStaleRunContainers, RUN_PREFIX, runContainer, sleep } from './containers.js';

interface Received {
  atMs: number;
  body: { status: string; alert: string; key: string; container: { id: string; name: string } | null; summary: string };
}

/** A webhook receiver: 'ok' answers 204; 'fail' 500; 'hang' never answers. */
async function startReceiver(mode: 'ok' | 'fail' | 'hang'): Promise<{ url: string; received: Received[]; attempts: () => number; close: () => Promise<void> }> {
  const received: Received[] = [];
  let attempts = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      attempts += 1;
      if (mode === 'hang') return;
      if (mode === 'fail') {
        res.writeHead(500).end('receiver fault');
        return;
      }
      received.push({ atMs: Date.now(), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'] });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}/hook`,
    received,
    attempts: () => attempts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nobody listens on: connection refused. */
async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${String(port)}/hook`;
}

/** When the daemon says the container's last run ended (State.FinishedAt), epoch ms. */
async function finishedAtMs(id: string): Promise<number> {
  return Date.parse((await docker(['inspect', '-f', '{{.State.FinishedAt}}', id])).trim());
}

function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  return until(what, probe, { timeoutMs, intervalMs: 200 });
}

function forContainer(received: readonly Received[], id: string, status?: string): Received[] {
  return received.filter((entry) => entry.body.container?.id === id && (status === undefined || entry.body.status === status));
}

let good: Awaited<ReturnType<typeof startReceiver>>;
let failing: Awaited<ReturnType<typeof startReceiver>>;
let hanging: Awaited<ReturnType<typeof startReceiver>>;
let agent: AgentProcess | undefined;
let logDir = '';
let webhookUrls = '';

beforeAll(async () => {
  await requireDocker();
  await removeStaleRunContainers();
  [good, failing, hanging] = await Promise.all([startReceiver('ok'), startReceiver('fail'), startReceiver('hang')]);
  webhookUrls = [good.url, failing.url, hanging.url, await closedPortUrl()].join(',');
  logDir = await mkdtemp(path.join(os.tmpdir(), 'dmtest-alerts-'));
  agent = await startAgent({
    env: { LOG_DIR: logDir, ALERT_WEBHOOK_URL: webhookUrls, ALERTS_OFF: 'cpu,memory,stale' },
  });
});

afterAll(async () => {
  await agent?.kill();
  await removeRunContainers();
  await Promise.all([good?.close(), failing?.close(), hanging?.close()]);
  if (logDir !== '') await rm(logDir, { recursive: true, force: true });
});

describe('alerts on real containers, with a webhook receiver', () => {
  const ids: Record<string, string> = {};

  it('one firing notification per case within 5 s of the event, none for docker stop', async () => {
    const current = agent;
    if (current === undefined) throw new Error('no agent');
    ids['exit3'] = await runContainer(`${RUN_PREFIX}exit3`, [], ['sh', '-c', 'sleep 2; exit 3']);
    ids['oom'] = await runContainer(`${RUN_PREFIX}oom`, ['-m', '8m', '--memory-swap', '8m'], ['sh', '-c', 'sleep 2; exec dd if=/dev/zero of=/dev/null bs=64M count=1']);
    ids['loop'] = await runContainer(`${RUN_PREFIX}loop`, ['--restart', 'always'], ['sh', '-c', 'sleep 1; exit 1']);
    ids['sick'] = await runContainer(`${RUN_PREFIX}sick`, ['--health-cmd', 'exit 1', '--health-interval', '1s', '--health-retries', '1'], ['sleep', '3600']);
    ids['calm'] = await runContainer(`${RUN_PREFIX}calm`, [], ['sleep', '3600']);
    await sleep(1_500);
    await docker(['stop', '-t', '1', ids['calm']]);

    const expectations: [string, string][] = [['exit3', 'exited'], ['oom', 'oom_killed'], ['loop', 'crash_loop'], ['sick', 'unhealthy']];
    for (const [name, rule] of expectations) {
      const id = ids[name] ?? '';
      await waitFor(`a firing ${rule} notification for ${name}`, 25_000, () => (forContainer(good.received, id, 'firing').length > 0 ? true : undefined));
    }
    // Exit and OOM: within 5 s of the daemon's end of the run.
    for (const name of ['exit3', 'oom']) {
      const id = ids[name] ?? '';
      const [first] = forContainer(good.received, id, 'firing');
      const lagMs = (first?.atMs ?? 0) - (await finishedAtMs(id));
      console.log(`${name}: firing notification received ${String(lagMs)} ms after the run ended`);
      expect(lagMs, `${name}: notified ${String(lagMs)} ms after the run ended`).toBeLessThan(5_000);
    }
    // Let the loop go on restarting, then count: one notification per container, of its rule.
    await sleep(6_000);
    for (const [name, rule] of expectations) {
      const firing = forContainer(good.received, ids[name] ?? '', 'firing');
      expect(firing.map((entry) => entry.body.alert), name).toEqual([rule]);
    }
    expect(forContainer(good.received, ids['calm'] ?? ''), 'docker stop notifies nothing').toEqual([]);
    const loopRestarts = Number((await docker(['inspect', '-f', '{{.RestartCount}}', ids['loop'] ?? ''])).trim());
    console.log(`notifications: ${good.received.map((entry) => `${entry.body.alert}/${entry.body.status}`).join(', ')}; loop restarts ${String(loopRestarts)}`);
    expect(loopRestarts, 'the loop container did restart several times').toBeGreaterThanOrEqual(3);
  });

  it('shows each case in /containers?all=1, /containers/events, /alerts, /metrics and events.jsonl', async () => {
    const current = agent;
    if (current === undefined) throw new Error('no agent');
    const all = (await current.getJson('/containers?all=1')).json as Record<string, Record<string, unknown>>;
    expect(all[ids['exit3'] ?? '']).toMatchObject({ state: 'exited', exit_code: 3, cpu: null });
    expect(typeof all[ids['exit3'] ?? '']?.['finished_at']).toBe('string');
    expect(all[ids['oom'] ?? '']).toMatchObject({ state: 'exited', exit_code: 137, oom_killed: true });
    expect(all[ids['calm'] ?? '']).toMatchObject({ state: 'exited', exit_code: 137 });
    expect(all[ids['sick'] ?? '']).toMatchObject({ state: 'running' });
    const running = (await current.getJson('/containers')).json as Record<string, unknown>;
    expect(running[ids['exit3'] ?? ''], 'plain /containers lists running containers only').toBeUndefined();

    const events = (await current.getJson(`/containers/events?id=${RUN_PREFIX}exit3`)).json as { events: { action: string; exit_code: number | null }[] };
    expect(events.events.map((event) => event.action)).toEqual(expect.arrayContaining(['start', 'die']));
    expect(events.events.find((event) => event.action === 'die')?.exit_code).toBe(3);
    const calmEvents = (await current.getJson(`/containers/events?id=${ids['calm'] ?? ''}`)).json as { events: { action: string; deliberate: boolean | null }[] };
    expect(calmEvents.events.find((event) => event.action === 'die')?.deliberate).toBe(true);
    expect((await current.getJson('/containers/events?id=%2E%2E%2Fetc')).status).toBe(400);
    expect((await current.getJson('/containers/events')).status).toBe(400);

    const alerts = (await current.getJson('/alerts')).json as { firing: number; alerts: { alert: string; id: string | null; state: string }[] };
    for (const [name, rule] of [['exit3', 'exited'], ['oom', 'oom_killed'], ['loop', 'crash_loop'], ['sick', 'unhealthy']] as const) {
      expect(alerts.alerts.some((alert) => alert.id === ids[name] && alert.alert === rule && alert.state === 'firing'), `${name} ${rule} firing in /alerts`).toBe(true);
    }
    const metrics = (await current.get('/metrics')).body;
    expect(metrics).toContain(`dockmon_alert_firing{alert="exited",name="${RUN_PREFIX}exit3",id="/docker/${ids['exit3'] ?? ''}"} 1`);

    const lines = (await readFile(path.join(logDir, 'events.jsonl'), 'utf8')).trimEnd().split('\n');
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.some((record) => record['type'] === 'container' && record['action'] === 'die' && record['id'] === ids['exit3'] && record['exit_code'] === 3)).toBe(true);
    expect(records.some((record) => record['type'] === 'alert' && record['state'] === 'firing' && record['key'] === `exited:${ids['exit3'] ?? ''}`)).toBe(true);
    expect(records.some((record) => record['type'] === 'alert_delivered' && record['key'] === `exited:${ids['exit3'] ?? ''}`)).toBe(true);
  });

  it('retries receivers that are down, fail or hang, while the agent answers as fast as before', async () => {
    const current = agent;
    if (current === undefined) throw new Error('no agent');
    const health = (await current.getJson('/healthz')).json as { alerts: { firing: number; webhooks: { target: string; delivered: number; failed: number; queued: number; last_error: string | null }[] } };
    const byTarget = new Map(health.alerts.webhooks.map((hook) => [hook.target, hook]));
    expect(health.alerts.webhooks).toHaveLength(4);
    const goodStatus = health.alerts.webhooks.find((hook) => hook.delivered > 0);
    expect(goodStatus?.last_error ?? null).toBeNull();
    const troubled = health.alerts.webhooks.filter((hook) => hook !== goodStatus);
    for (const hook of troubled) {
      expect(hook.delivered, hook.target).toBe(0);
      expect(hook.queued + hook.failed, `${hook.target} keeps its deliveries queued or counts them failed`).toBeGreaterThan(0);
    }
    expect(troubled.some((hook) => hook.last_error !== null)).toBe(true);
    expect(failing.attempts(), 'the failing receiver was retried').toBeGreaterThan(1);
    expect(hanging.attempts()).toBeGreaterThanOrEqual(1);
    // Nothing of the URLs' paths in /healthz: only scheme, host and port.
    for (const target of byTarget.keys()) expect(target).not.toContain('/hook');

    // Serving and sampling go on at their pace while the three bad receivers are retried.
    const timings: number[] = [];
    let oldestAge = 0;
    for (let i = 0; i < 10; i += 1) {
      const started = performance.now();
      const answer = await current.getJson('/containers');
      timings.push(performance.now() - started);
      for (const entry of Object.values(answer.json as Record<string, { sample_age_seconds: number | null }>)) oldestAge = Math.max(oldestAge, entry.sample_age_seconds ?? 0);
      await sleep(200);
    }
    timings.sort((a, b) => a - b);
    console.log(`during receiver faults: /containers median ${timings[5]?.toFixed(1) ?? '?'} ms, max ${timings[9]?.toFixed(1) ?? '?'} ms, oldest sample ${String(oldestAge)} s`);
    expect(timings[5] ?? Infinity).toBeLessThan(100);
    expect(oldestAge).toBeLessThan(3);
  });

  it('resolves each alert when its condition ends, and a restarted agent does not send again what was delivered', async () => {
    const first = agent;
    if (first === undefined) throw new Error('no agent');
    // The loop and the unhealthy container end by removal; exit3 stays exited (still firing).
    await docker(['rm', '-f', ids['loop'] ?? '', ids['sick'] ?? '', ids['oom'] ?? '']);
    for (const name of ['loop', 'sick', 'oom']) {
      await waitFor(`a resolve for ${name}`, 10_000, () => (forContainer(good.received, ids[name] ?? '', 'resolved').length > 0 ? true : undefined));
    }
    const firingBefore = forContainer(good.received, ids['exit3'] ?? '', 'firing').length;
    expect(firingBefore).toBe(1);

    await first.stop({ keepLogDir: true });
    agent = await startAgent({ env: { LOG_DIR: logDir, ALERT_WEBHOOK_URL: good.url, ALERTS_OFF: 'cpu,memory,stale' } });
    const restarted = agent;
    const alerts = await waitFor('the restored exited alert in /alerts', 10_000, async () => {
      const answer = (await restarted.getJson('/alerts')).json as { alerts: { alert: string; id: string | null; state: string }[] };
      return answer.alerts.some((alert) => alert.id === ids['exit3'] && alert.state === 'firing') ? answer : undefined;
    });
    expect(alerts.alerts.find((alert) => alert.id === ids['exit3'])?.alert).toBe('exited');
    // Past the restore settle time (15 s after the first list): still firing, never sent again.
    await sleep(17_000);
    expect(forContainer(good.received, ids['exit3'] ?? '', 'firing')).toHaveLength(1);
    const still = (await restarted.getJson('/alerts?state=firing')).json as { alerts: { id: string | null }[] };
    expect(still.alerts.some((alert) => alert.id === ids['exit3'])).toBe(true);

    // Its end while the agent runs: removal resolves it, once.
    await docker(['rm', '-f', ids['exit3'] ?? '']);
    await waitFor('a resolve for exit3', 10_000, () => (forContainer(good.received, ids['exit3'] ?? '', 'resolved').length > 0 ? true : undefined));
    expect(forContainer(good.received, ids['exit3'] ?? '', 'resolved')).toHaveLength(1);
  }, 90_000);
});
