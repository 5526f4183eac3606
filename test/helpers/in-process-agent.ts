// The whole agent started in-process on port 0 over a fake Engine, as main.ts starts it:
// a config from flags and variables, a temporary log folder, and the agent's own log
// lines kept for the test. stop() undoes all of it.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, type LogLevel } from '../../src/log/logger.js';
import type { FakeDocker } from './fake-docker.js';

const publicDir = fileURLToPath(new URL('../../public', import.meta.url));

export interface InProcessAgent {
  app: App;
  base: string;
  logDir: string;
  /** The agent's own log lines (JSON). */
  log: string[];
  stop(): Promise<void>;
}

export async function startInProcessAgent(
  fake: FakeDocker,
  options: {
    args?: readonly string[];
    env?: Readonly<Record<string, string>>;
    logLevel?: LogLevel;
    /** Resolve only once Docker has answered (default): the container endpoints answer 503 before. */
    waitForDocker?: boolean;
  } = {},
): Promise<InProcessAgent> {
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'dockmon-in-process-'));
  const result = loadConfig(['--host', '127.0.0.1', '--log-dir', logDir, ...(options.args ?? [])], {
    DOCKER_HOST: `unix://${fake.socketPath}`,
    ...options.env,
  });
  if (result.kind !== 'run') throw new Error('expected a config');
  const log: string[] = [];
  // Port 0 (any free port) is for tests only; users must name a port.
  const app = await startApp({ ...result.config, port: 0 }, {
    version: 'test',
    publicDir,
    logger: createLogger({ level: options.logLevel ?? 'info', sink: (line) => log.push(line) }),
  });
  if (options.waitForDocker !== false) {
    await until('Docker to answer the agent', async () => (app.store.docker().everConnected ? true : undefined));
  }
  return {
    app,
    base: `http://127.0.0.1:${app.port}`,
    logDir,
    log,
    async stop() {
      await app.stop();
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it gives a value; fails after `timeoutMs` naming `what`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
