// The whole agent in-process over the fake Engine: what the page learns from inspect
// (restart count, limits, start time) and from events (OOM kills, health), and a
// canary secret planted in a container's environment that must never come out of
// any endpoint, the stats log or the agent's own log.

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useAgentOverFake } from './helpers/in-process-agent.js';
import { until } from './helpers/until.js';

const CANARY = 'CANARY_a9d3f1e7c2b4';
const startAgent = useAgentOverFake();

/** The first `data:` line of /live. */
async function firstSnapshot(base: string): Promise<string> {
  const controller = new AbortController();
  const response = await fetch(`${base}/live`, { signal: controller.signal });
  const reader = response.body!.getReader();
  let text = '';
  while (!/\ndata: .*\n\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString('utf8');
  }
  controller.abort();
  return text;
}

describe('the page over the fake Engine', () => {
  it('shows what inspect and events tell, and never lets the environment out', async () => {
    const { app, base, logDir, log, fake } = await startAgent({ args: ['--stats-source', 'api'], logLevel: 'debug' });
    const web = fake.addContainer({
      name: 'web',
      env: [`DB_PASSWORD=${CANARY}`, 'PATH=/bin'],
      hostConfig: { NanoCpus: 500_000_000, Memory: 64 * 1024 * 1024, PidsLimit: 50 },
      restartCount: 2,
      labels: { 'com.docker.compose.project': 'shop' },
    });

    const detail = await until('the details from inspect', async () => {
      const html = await (await fetch(`${base}/detail?id=web`)).text();
      return html.includes('<dt>Restarts</dt><dd>2</dd>') ? html : undefined;
    });
    expect(detail).toContain('<dt>CPU limit</dt><dd>0.5 CPU</dd>');
    expect(detail).toContain('<dt>Memory limit</dt><dd>64MiB');
    expect(detail).toContain('<dt>PIDs limit</dt><dd>50</dd>');
    expect(detail).toContain('<dt>Compose</dt><dd>shop</dd>');
    expect(fake.requests.filter((request) => request.route === `/containers/${web.id}/json`)).toHaveLength(1);

    // Events: an OOM kill is counted, a health change shows at once.
    fake.emitEvent({ Type: 'container', Action: 'oom', Actor: { ID: web.id, Attributes: { name: 'web' } }, time: Math.floor(Date.now() / 1000) });
    fake.emitEvent({ Type: 'container', Action: 'health_status: unhealthy', Actor: { ID: web.id, Attributes: { name: 'web' } }, time: Math.floor(Date.now() / 1000) });
    const table = await until('the OOM kill and the health change', async () => {
      const html = await (await fetch(`${base}/table`)).text();
      return html.includes('>OOM<') && html.includes('h-unhealthy') ? html : undefined;
    });
    expect(table).toContain('↻2');
    expect(await (await fetch(`${base}/detail?id=web`)).text()).toContain('1 seen by dockmon');

    // The canary: nowhere in what the agent serves, logs or writes.
    const bodies = await Promise.all(
      ['/', '/table', '/table?totals=1', '/containers', '/containers?id=web', '/containers/history?id=web',
        '/containers/history.csv?id=web', '/detail?id=web', '/healthz', '/readyz', '/metrics'].map(async (url) => (await fetch(base + url)).text()),
    );
    bodies.push(await firstSnapshot(base));
    for (const body of bodies) expect(body).not.toContain(CANARY);
    await app.statsLog.flush();
    for (const file of readdirSync(logDir)) expect(readFileSync(path.join(logDir, file), 'utf8')).not.toContain(CANARY);
    expect(log.join('\n')).not.toContain(CANARY);
  });
});
