// The whole agent in-process, over a fake Engine on a Unix socket, with a real
// log folder: what a user sees through HTTP and on disk, including a log folder
// that cannot be written.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startInProcessAgent, useAgentOverFake, type AgentOverFake } from './helpers/in-process-agent.js';
import { until } from './helpers/until.js';

const startAgent = useAgentOverFake();

function boot(logDirIn: (tempDir: string) => string): Promise<AgentOverFake> {
  // Each test adds its container at once, without waiting for Docker's first answer to the agent.
  return startAgent({ args: ['--stats-source', 'api'], logDirIn, waitForDocker: false });
}

describe('the agent in-process', () => {
  it('serves live containers and writes served samples to a folder it creates', async () => {
    const { app, base, logDir, fake } = await boot((dir) => path.join(dir, 'not', 'yet', 'there'));
    const web = fake.addContainer({ name: 'web' });
    const entry = await until('a CPU value for web', async () => {
      const body = (await (await fetch(`${base}/containers?id=web`)).json()) as Record<string, { cpu: number | null }>;
      return typeof body[web.id]?.cpu === 'number' ? body[web.id] : undefined;
    });
    expect(entry).toMatchObject({ name: 'web', state: 'running' });

    for (let i = 0; i < 10; i += 1) await (await fetch(`${base}/table`)).text();
    await app.statsLog.flush();
    const lines = readFileSync(path.join(logDir, 'stats.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(3);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ id: web.id, name: 'web' });
  });

  it('keeps serving when the log folder cannot be written, and says why', async () => {
    const { base, log, fake } = await boot((dir) => {
      const file = path.join(dir, 'a-file');
      writeFileSync(file, 'not a folder');
      return path.join(file, 'logs');
    });
    fake.addContainer({ name: 'web' });
    const health = await until('the log error in /healthz', async () => {
      await (await fetch(`${base}/table`)).text();
      const body = (await (await fetch(`${base}/healthz`)).json()) as { log: { ok: boolean; error: string | null } };
      return body.log.ok ? undefined : body.log;
    });
    expect(health.error).toContain('ENOTDIR');
    const table = await fetch(`${base}/table`);
    expect(table.status).toBe(200);
    expect(await table.text()).toContain('data-id=');
    expect(log.some((line) => line.includes('cannot write the stats log'))).toBe(true);
  });

  it('refuses a port that is taken with EADDRINUSE', async () => {
    const { base, fake } = await boot((dir) => dir);
    const port = Number(new URL(base).port);
    await expect(
      startInProcessAgent(fake, { args: ['--stats-source', 'api'], port, logLevel: 'error', waitForDocker: false }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('LOG_INTERVAL', () => {
  async function logLinesAfter(args: string[], waitMs: number): Promise<string[]> {
    const { logDir } = await startAgent({
      args: ['--stats-source', 'api', ...args],
      fakeOptions: { statsIntervalMs: 200 },
      prepare: (fake) => fake.addContainer({ name: 'quiet' }),
    });
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    try {
      // Nobody asked for a page: what is in the log was written on the timer.
      return readFileSync(path.join(logDir, 'stats.jsonl'), 'utf8').split('\n').filter((line) => line !== '');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  it('logs every running container at least that often with nobody watching', async () => {
    const lines = await logLinesAfter(['--log-interval', '1s'], 3_300);
    // Ticks at 1, 2 and 3 s; the last may still be on its way to the disk.
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ name: 'quiet' });
  });

  it('0 turns it off: only served rows are logged', async () => {
    expect(await logLinesAfter(['--log-interval', '0'], 2_500)).toEqual([]);
  });
});
