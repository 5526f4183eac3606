// Runs the built agent (`node dist/main.js`) as a child process on a free loopback port
// with a temporary LOG_DIR, and reads /containers the way a client would.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fetchOnce } from './http-load.js';
import { sleep } from './stats-math.js';

export interface RunningAgent {
  pid: number;
  baseUrl: string;
  /** GET /containers, parsed; throws on a non-200. */
  containers(): Promise<Record<string, ContainerEntry>>;
  get(pathAndQuery: string): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

/** The fields of a /containers entry the bench reads. */
export interface ContainerEntry {
  id: string;
  name: string;
  read: string | null;
  sample_age_seconds: number | null;
  /** Where the latest sample came from: the kernel's files or the Engine API; null before the first. */
  source: 'cgroup' | 'api' | null;
  cpu: number | null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startAgent(
  entry: string,
  nodeFlags: readonly string[],
  extraEnv: Readonly<Record<string, string>>,
): Promise<RunningAgent> {
  const port = await freePort();
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'dockmon-bench-logs-'));
  const baseUrl = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, entry], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_DIR: logDir, LOG_LEVEL: 'warn', ...extraEnv },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });

  const get = async (pathAndQuery: string): Promise<{ status: number; body: string }> =>
    fetchOnce(agent, `${baseUrl}${pathAndQuery}`, 30_000);

  const stop = async (): Promise<void> => {
    agent.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
    rmSync(logDir, { recursive: true, force: true });
  };

  const deadlineMs = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the agent exited with code ${child.exitCode}: ${stderr}`);
    }
    const answer = await get('/readyz').catch(() => null);
    if (answer?.status === 200) break;
    if (Date.now() > deadlineMs) {
      await stop();
      throw new Error(`the agent was not ready after 20 s: ${stderr}`);
    }
    await sleep(100);
  }
  if (child.pid === undefined) throw new Error('the agent has no pid');

  return {
    pid: child.pid,
    baseUrl,
    get,
    async containers() {
      const answer = await get('/containers');
      if (answer.status !== 200) throw new Error(`GET /containers answered ${answer.status}`);
      return JSON.parse(answer.body) as Record<string, ContainerEntry>;
    },
    stop,
  };
}
