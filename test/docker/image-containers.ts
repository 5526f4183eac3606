// The dockmon image under test, run as a container: start it the way the README says
// (on a loopback port Docker picks, so parallel runs never collide), talk to it over
// HTTP, stop it and time the stop, read its stats log from the host folder.

import { readFile } from 'node:fs/promises';
import { httpGet, type HttpAnswer } from '../helpers/agent-process.js';
import { docker } from '../helpers/docker-cli.js';
import { FULL_ID, RUN_LABEL, sleep } from './containers.js';

/** The image the suite runs; .ci/run builds it with scripts/build-image-airgapped.sh. */
export const IMAGE = process.env['DOCKMON_IMAGE'] ?? 'dockmon';

/** SPEC: a clean stop well before Docker's 10 s SIGKILL. */
export const STOP_BUDGET_MS = 2_000;

/** Fails loudly, with the command that builds it, when the image is missing. */
export async function requireImage(): Promise<void> {
  try {
    await docker(['image', 'inspect', '--format', '{{.Id}}', IMAGE], { timeoutMs: 20_000 });
  } catch {
    throw new Error(
      `the image suite needs the image ${IMAGE}: build it with scripts/build-image-airgapped.sh ${IMAGE} ` +
        '(or `docker build -t dockmon .` where a registry is reachable); .ci/run does it before npm run test:docker',
    );
  }
}

export interface AgentContainer {
  readonly name: string;
  readonly id: string;
  readonly baseUrl: string;
  get(pathAndQuery: string): Promise<HttpAnswer>;
  getJson(pathAndQuery: string): Promise<{ status: number; json: unknown }>;
  /** `docker logs`: the agent's own JSON lines (stdout) and stderr. */
  logs(): Promise<string>;
}

/**
 * `docker run -d <runArgs> IMAGE`, publishing 5000 on a loopback port Docker chooses.
 * `runArgs` is the rest of the documented command (mounts, user, hardening flags).
 */
export async function runAgentContainer(name: string, runArgs: readonly string[]): Promise<AgentContainer> {
  const id = (
    await docker(['run', '-d', '--name', name, '--label', RUN_LABEL, '-p', '127.0.0.1::5000', ...runArgs, IMAGE])
  ).trim();
  if (!FULL_ID.test(id)) throw new Error(`docker run -d ${name} printed ${JSON.stringify(id)}, not a full ID`);
  // "127.0.0.1:49153" (one line per published address).
  const published = (await docker(['port', name, '5000/tcp'])).trim().split('\n')[0] ?? '';
  const port = /:(\d+)$/.exec(published)?.[1];
  if (port === undefined) throw new Error(`docker port ${name} 5000/tcp printed ${JSON.stringify(published)}`);
  const baseUrl = `http://127.0.0.1:${port}`;
  const get = (pathAndQuery: string): Promise<HttpAnswer> => httpGet(`${baseUrl}${pathAndQuery}`, 5_000);
  return {
    name,
    id,
    baseUrl,
    get,
    async getJson(pathAndQuery) {
      const answer = await get(pathAndQuery);
      try {
        return { status: answer.status, json: JSON.parse(answer.body) as unknown };
      } catch {
        throw new Error(`GET ${pathAndQuery} answered ${answer.status}, not JSON: ${answer.body.slice(0, 300)}`);
      }
    },
    logs: () => dockerLogs(name),
  };
}

export async function dockerLogs(name: string): Promise<string> {
  // The agent writes to stdout; docker() resolves with the CLI's stdout, which is where
  // `docker logs` replays the container's stdout. Its stderr is lost here, and dockmon
  // only writes there for a bad setting (which these runs do not have).
  return docker(['logs', name], { timeoutMs: 10_000 });
}

/**
 * Polls `check` every 200 ms until it returns a value other than undefined; throws with
 * `describe()`'s account of the last state when `timeoutMs` passes.
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  describe: () => Promise<string> = () => Promise.resolve(''),
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      const detail = await describe().catch((error: unknown) => `(cannot describe: ${String(error)})`);
      throw new Error(`${what}: not within ${timeoutMs} ms${lastError === '' ? '' : ` (last error: ${lastError})`}\n${detail}`);
    }
    await sleep(200);
  }
}

/** The `docker` object of /healthz (state, message, hint, ...). */
export async function dockerHealth(agent: AgentContainer): Promise<Record<string, unknown>> {
  const { status, json } = await agent.getJson('/healthz');
  if (status !== 200) throw new Error(`/healthz answered ${status}: ${JSON.stringify(json)}`);
  const docker = typeof json === 'object' && json !== null && 'docker' in json ? json.docker : undefined;
  if (typeof docker !== 'object' || docker === null) throw new Error(`/healthz has no docker object: ${JSON.stringify(json)}`);
  return docker as Record<string, unknown>;
}

/** The keys of /containers (full IDs), or undefined while it does not answer 200. */
export async function containerIds(agent: AgentContainer): Promise<Set<string> | undefined> {
  const { status, json } = await agent.getJson('/containers');
  if (status !== 200 || typeof json !== 'object' || json === null) return undefined;
  return new Set(Object.keys(json));
}

export interface StopOutcome {
  elapsedMs: number;
  exitCode: number;
}

/** `docker stop` (Docker's default 10 s grace), timed from the CLI call to its return. */
export async function stopTimed(name: string): Promise<StopOutcome> {
  const t0 = performance.now();
  await docker(['stop', name], { timeoutMs: 20_000 });
  const elapsedMs = Math.round(performance.now() - t0);
  const exitCode = Number((await docker(['inspect', '--format', '{{.State.ExitCode}}', name])).trim());
  return { elapsedMs, exitCode };
}

export interface StatsLogFile {
  text: string;
  lines: Record<string, unknown>[];
}

/** Reads a stats.jsonl from the host; every line must be a whole JSON object. */
export async function readStatsLog(filePath: string): Promise<StatsLogFile> {
  const text = await readFile(filePath, 'utf8');
  if (text !== '' && !text.endsWith('\n')) {
    throw new Error(`${filePath} ends in a half line: ${JSON.stringify(text.slice(-200))}`);
  }
  const lines = text
    .split('\n')
    .filter((line) => line !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`${filePath} line ${index + 1} is not JSON: ${JSON.stringify(line.slice(0, 200))}`);
      }
    });
  return { text, lines };
}
