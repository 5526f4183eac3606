// The whole agent in-process, over a fake Engine on a Unix socket, with a real
// log folder: what a user sees through HTTP and on disk, including a log folder
// that cannot be written.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type App } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { createLogger } from '../src/log/logger.js';
import { startFakeDocker, type FakeDocker } from './helpers/fake-docker.js';
import { startInProcessAgent } from './helpers/in-process-agent.js';

const publicDir = fileURLToPath(new URL('../public', import.meta.url));
let fake: FakeDocker | undefined;
let app: App | undefined;
let tempDir: string | undefined;
let agentLog: string[] = [];

afterEach(async () => {
  await app?.stop();
  await fake?.close();
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  app = undefined;
  fake = undefined;
  tempDir = undefined;
  agentLog = [];
});

function configFor(socketPath: string, logDir: string): Config {
  const result = loadConfig(['--host', '127.0.0.1', '--stats-source', 'api', '--log-dir', logDir], { DOCKER_HOST: `unix://${socketPath}` });
  if (result.kind !== 'run') throw new Error('expected a config');
  // Port 0 (any free port) is for tests only; users must name a port.
  return { ...result.config, port: 0 };
}

async function boot(logDirFor: (tempDir: string) => string): Promise<{ base: string; logDir: string }> {
  fake = await startFakeDocker();
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'dockmon-app-'));
  const logDir = logDirFor(tempDir);
  app = await startApp(configFor(fake.socketPath, logDir), {
    version: 'test',
    publicDir,
    logger: createLogger({ level: 'info', sink: (line) => agentLog.push(line) }),
  });
  return { base: `http://127.0.0.1:${app.port}`, logDir };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 3_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the agent in-process', () => {
  it('serves live containers and writes served samples to a folder it creates', async () => {
    const { base, logDir } = await boot((dir) => path.join(dir, 'not', 'yet', 'there'));
    const web = fake!.addContainer({ name: 'web' });
    const entry = await until('a CPU value for web', async () => {
      const body = (await (await fetch(`${base}/containers?id=web`)).json()) as Record<string, { cpu: number | null }>;
      return typeof body[web.id]?.cpu === 'number' ? body[web.id] : undefined;
    });
    expect(entry).toMatchObject({ name: 'web', state: 'running' });

    for (let i = 0; i < 10; i += 1) await (await fetch(`${base}/table`)).text();
    await app!.statsLog.flush();
    const lines = readFileSync(path.join(logDir, 'stats.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(3);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ id: web.id, name: 'web' });
  });

  it('keeps serving when the log folder cannot be written, and says why', async () => {
    const { base } = await boot((dir) => {
      const file = path.join(dir, 'a-file');
      writeFileSync(file, 'not a folder');
      return path.join(file, 'logs');
    });
    fake!.addContainer({ name: 'web' });
    const health = await until('the log error in /healthz', async () => {
      await (await fetch(`${base}/table`)).text();
      const body = (await (await fetch(`${base}/healthz`)).json()) as { log: { ok: boolean; error: string | null } };
      return body.log.ok ? undefined : body.log;
    });
    expect(health.error).toContain('ENOTDIR');
    const table = await fetch(`${base}/table`);
    expect(table.status).toBe(200);
    expect(await table.text()).toContain('data-id=');
    expect(agentLog.some((line) => line.includes('cannot write the stats log'))).toBe(true);
  });

  it('refuses a port that is taken with EADDRINUSE', async () => {
    const { base } = await boot((dir) => dir);
    const port = Number(new URL(base).port);
    const config = { ...configFor(fake!.socketPath, tempDir!), port };
    await expect(
      startApp(config, { version: 'test', publicDir, logger: createLogger({ level: 'error', sink: () => undefined }) }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('LOG_INTERVAL', () => {
  async function logLinesAfter(args: string[], waitMs: number): Promise<string[]> {
    const engine = await startFakeDocker({ statsIntervalMs: 200 });
    engine.addContainer({ name: 'quiet' });
    const running = await startInProcessAgent(engine, { args: ['--stats-source', 'api', ...args] });
    try {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      // Nobody asked for a page: what is in the log was written on the timer.
      return readFileSync(path.join(running.logDir, 'stats.jsonl'), 'utf8').split('\n').filter((line) => line !== '');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    } finally {
      await running.stop();
      await engine.close();
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
