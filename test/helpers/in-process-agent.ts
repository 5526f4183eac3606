// The whole agent started in-process on port 0 over a fake Engine, as main.ts starts it:
// a config from flags and variables, a log folder in a temporary folder, and the agent's
// own log lines kept for the test. stop() undoes all of it. Every suite that boots the
// agent in-process does it through here.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { startApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, type LogLevel } from '../../src/log/logger.js';
import { startFakeDocker, type FakeDocker, type StartFakeDockerOptions } from './fake-docker.js';
import { until } from './until.js';

const publicDir = fileURLToPath(new URL('../../public', import.meta.url));

export interface InProcessAgent {
  app: App;
  base: string;
  logDir: string;
  /** The agent's own log lines (JSON). */
  log: string[];
  stop(): Promise<void>;
}

export interface InProcessAgentOptions {
  /** Flags after `--host 127.0.0.1 --log-dir <logDir>`. */
  args?: readonly string[];
  /** Variables besides DOCKER_HOST (which points at the fake). */
  env?: Readonly<Record<string, string>>;
  logLevel?: LogLevel;
  /** Resolve only once Docker has answered (default): the container endpoints answer 503 before. */
  waitForDocker?: boolean;
  /** The log folder, given the temporary folder stop() removes (default: that folder itself). */
  logDirIn?: (tempDir: string) => string;
  /** Default 0 (any free port), which is for tests only; users must name a port. */
  port?: number;
  /** What startApp takes besides the version, the public folder and the logger. */
  app?: Omit<AppOptions, 'version' | 'publicDir' | 'logger'>;
}

export async function startInProcessAgent(fake: FakeDocker, options: InProcessAgentOptions = {}): Promise<InProcessAgent> {
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'dockmon-in-process-'));
  const removeTempDir = (): void => rmSync(tempDir, { recursive: true, force: true });
  const logDir = options.logDirIn?.(tempDir) ?? tempDir;
  const result = loadConfig(['--host', '127.0.0.1', '--log-dir', logDir, ...(options.args ?? [])], {
    DOCKER_HOST: `unix://${fake.socketPath}`,
    ...options.env,
  });
  if (result.kind !== 'run') throw new Error('expected a config');
  const log: string[] = [];
  let app: App;
  try {
    app = await startApp({ ...result.config, port: options.port ?? 0 }, {
      ...options.app,
      version: 'test',
      publicDir,
      logger: createLogger({ level: options.logLevel ?? 'info', sink: (line) => log.push(line) }),
    });
  } catch (error) {
    removeTempDir();
    throw error;
  }
  const stop = async (): Promise<void> => {
    await app.stop();
    removeTempDir();
  };
  if (options.waitForDocker !== false) {
    await until('Docker to answer the agent', async () => (app.store.docker().everConnected ? true : undefined)).catch(async (error: unknown) => {
      await stop();
      throw error;
    });
  }
  return { app, base: `http://127.0.0.1:${app.port}`, logDir, log, stop };
}

export interface AgentOverFake<T = unknown> extends InProcessAgent {
  fake: FakeDocker;
  /** What `prepare` returned (say, the container it added). */
  prepared: T;
}

export interface AgentOverFakeOptions<T> extends InProcessAgentOptions {
  fakeOptions?: StartFakeDockerOptions;
  /** Runs on the fake before the agent starts, so what it adds is in the agent's first list. */
  prepare?: (fake: FakeDocker) => T;
}

/**
 * For a suite: returns a function that starts a fake Engine and the agent over it, and
 * registers an afterEach that stops every agent and fake it started.
 */
export function useAgentOverFake(): <T = undefined>(options?: AgentOverFakeOptions<T>) => Promise<AgentOverFake<T>> {
  const agents: InProcessAgent[] = [];
  const fakes: FakeDocker[] = [];
  afterEach(async () => {
    for (const agent of agents.splice(0)) await agent.stop();
    for (const fake of fakes.splice(0)) await fake.close();
  });
  return async <T,>({ fakeOptions, prepare, ...options }: AgentOverFakeOptions<T> = {}) => {
    const fake = await startFakeDocker(fakeOptions);
    fakes.push(fake);
    const prepared = prepare?.(fake) as T;
    const agent = await startInProcessAgent(fake, options);
    agents.push(agent);
    return { ...agent, fake, prepared };
  };
}
