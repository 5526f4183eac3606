// Runs the built agent (`node dist/main.js`, with the node flags of `npm start`) as a
// child process on a free port with a temporary LOG_DIR, for the real-daemon tests.
// `npm run test:docker` builds first.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startScriptNodeFlags } from '../../bench/node-flags.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const AGENT_ENTRY = path.join(repoRoot, 'dist', 'main.js');

/** How long a SIGTERMed agent may take to exit (SPEC: gone well before Docker's 10 s SIGKILL). */
export const STOP_DEADLINE_MS = 2_000;

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One plain GET without keep-alive, with a deadline; `token` is sent as a bearer token. */
export function httpGet(url: string, timeoutMs = 5_000, token: string | null = null): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers = token === null ? {} : { authorization: `Bearer ${token}` };
    const req = http.get(url, { agent: false, timeout: timeoutMs, headers }, (res) => {
      res.setEncoding('utf8');
      let body = '';
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** A port nobody listens on right now: bind port 0 on loopback, read it, close. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a listening socket'));
        return;
      }
      const { port } = address;
      server.close(() => resolve(port));
    });
  });
}

export interface StartAgentOptions {
  /** Extra environment (wins over the defaults set here). */
  env?: Readonly<Record<string, string>>;
  /** 'ready' waits for /readyz 200 (Docker connected); 'healthy' for /healthz 200 only. */
  waitFor?: 'ready' | 'healthy';
  /** Default 15 s. */
  startTimeoutMs?: number;
  /** Flags for node itself; default: those of `npm start`, so tests run the agent as it ships. */
  nodeFlags?: readonly string[];
  /** Listen address (default 127.0.0.1; another loopback address plays another host). */
  host?: string;
  /** Default: a free port. */
  port?: number;
}

export interface StopResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  elapsedMs: number;
}

export interface AgentProcess {
  readonly port: number;
  readonly baseUrl: string;
  readonly logDir: string;
  readonly child: ChildProcess;
  /** Every complete stdout line so far (the agent logs JSON lines there). */
  readonly stdoutLines: readonly string[];
  readonly stderrLines: readonly string[];
  /** stdout and stderr, for error messages. */
  output(): string;
  get(pathAndQuery: string, timeoutMs?: number): Promise<HttpAnswer>;
  /** GET and parse a JSON body, whatever the status. */
  getJson(pathAndQuery: string, timeoutMs?: number): Promise<{ status: number; json: unknown }>;
  /**
   * SIGTERM, then waits STOP_DEADLINE_MS; throws (after a SIGKILL) when the agent did not
   * exit in time or exited with a non-zero code. Removes the temporary LOG_DIR unless kept.
   */
  stop(options?: { keepLogDir?: boolean }): Promise<StopResult>;
  /** For afterAll after a failure: SIGKILL if still running, remove LOG_DIR; never throws. */
  kill(): Promise<void>;
}

function lineCollector(target: string[]): (chunk: string) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      target.push(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startAgent(options: StartAgentOptions = {}): Promise<AgentProcess> {
  if (!existsSync(AGENT_ENTRY)) {
    throw new Error(`${AGENT_ENTRY} does not exist: run \`npm run build\` (npm run test:docker does it)`);
  }
  const port = options.port ?? (await findFreePort());
  const host = options.host ?? '127.0.0.1';
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'dmtest-agent-logs-'));
  const baseUrl = `http://${host}:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: host,
    LOG_DIR: logDir,
    ...options.env,
  };
  const nodeFlags = options.nodeFlags ?? startScriptNodeFlags(path.join(repoRoot, 'package.json'));
  const child = spawn(process.execPath, [...nodeFlags, AGENT_ENTRY], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdoutLines: string[] = [];
  const stderrLines: string[] = [];
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', lineCollector(stdoutLines));
  child.stderr?.on('data', lineCollector(stderrLines));

  let exited: StopResult | null = null;
  // Read through a function: the exit handler assigns it, which control-flow narrowing cannot see.
  const exitState = (): StopResult | null => exited;
  const startedAt = Date.now();
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal, elapsedMs: Date.now() - startedAt };
      resolve();
    });
  });
  // Never leave an agent behind if the test runner itself goes away.
  const killOnExit = (): void => {
    if (exitState() === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const output = (): string =>
    [`--- agent stdout (${stdoutLines.length} lines) ---`, ...stdoutLines, `--- agent stderr ---`, ...stderrLines].join('\n');

  const get = (pathAndQuery: string, timeoutMs?: number): Promise<HttpAnswer> => httpGet(`${baseUrl}${pathAndQuery}`, timeoutMs);

  async function getJson(pathAndQuery: string, timeoutMs?: number): Promise<{ status: number; json: unknown }> {
    const answer = await get(pathAndQuery, timeoutMs);
    try {
      return { status: answer.status, json: JSON.parse(answer.body) as unknown };
    } catch {
      throw new Error(`GET ${pathAndQuery} answered ${answer.status} with a body that is not JSON: ${answer.body.slice(0, 500)}`);
    }
  }

  async function removeLogDir(): Promise<void> {
    await rm(logDir, { recursive: true, force: true });
  }

  async function kill(): Promise<void> {
    if (exitState() === null) {
      child.kill('SIGKILL');
      await Promise.race([exitPromise, sleep(STOP_DEADLINE_MS)]);
    }
    process.removeListener('exit', killOnExit);
    await removeLogDir();
  }

  async function stop(stopOptions: { keepLogDir?: boolean } = {}): Promise<StopResult> {
    const early = exitState();
    if (early !== null) {
      await kill();
      throw new Error(`the agent had already exited (code ${String(early.code)}, signal ${String(early.signal)})\n${output()}`);
    }
    const t0 = Date.now();
    child.kill('SIGTERM');
    await Promise.race([exitPromise, sleep(STOP_DEADLINE_MS)]);
    const elapsedMs = Date.now() - t0;
    const result = exitState();
    if (result === null) {
      await kill();
      throw new Error(`the agent did not exit within ${STOP_DEADLINE_MS} ms of SIGTERM\n${output()}`);
    }
    process.removeListener('exit', killOnExit);
    if (stopOptions.keepLogDir !== true) await removeLogDir();
    const stopped: StopResult = { code: result.code, signal: result.signal, elapsedMs };
    if (stopped.code !== 0) {
      throw new Error(`the agent exited with code ${String(stopped.code)} (signal ${String(stopped.signal)}) after SIGTERM\n${output()}`);
    }
    return stopped;
  }

  // Wait until it serves (and, by default, until Docker is connected).
  const waitFor = options.waitFor ?? 'ready';
  const probePath = waitFor === 'ready' ? '/readyz' : '/healthz';
  const startTimeoutMs = options.startTimeoutMs ?? 15_000;
  const deadline = Date.now() + startTimeoutMs;
  let lastProblem = 'no answer yet';
  for (;;) {
    const early = exitState();
    if (early !== null) {
      await kill();
      throw new Error(
        `the agent exited during startup (code ${String(early.code)}, signal ${String(early.signal)})\n${output()}`,
      );
    }
    try {
      const answer = await get(probePath, 1_000);
      if (answer.status === 200) break;
      lastProblem = `${probePath} answered ${answer.status}: ${answer.body.slice(0, 300)}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      await kill();
      throw new Error(
        `the agent was not ${waitFor} within ${startTimeoutMs} ms (${probePath}: ${lastProblem})\n${output()}`,
      );
    }
    await sleep(100);
  }

  return {
    port,
    baseUrl,
    logDir,
    child,
    stdoutLines,
    stderrLines,
    output,
    get,
    getJson,
    stop,
    kill,
  };
}
