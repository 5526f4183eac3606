// GET /containers against the fastest a Node server can answer the same bytes: a bare
// node:http server (bare-server.ts) sending the agent's own /containers body, fetched once.
// Both run as child processes with the agent's node flags and take the same closed-loop
// load (http-load.ts) in the same run, round after round, alternating which goes first so
// that drift on the machine (the daemon, the bench containers) falls on both alike. The
// ratio says what the agent's routing, rendering and per-request ages cost; the absolute
// figures say as much about the machine and the load generator as about the agent.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAgent, type RunningAgent } from './agent.js';
import { waitAllSampled } from './agent-phase.js';
import { countdown } from './daemon-phases.js';
import { runLoad, type LoadResult } from './http-load.js';
import type { Progress } from './progress.js';
import type { BenchSettings, ContainersVsBare, ContainersVsBareRound, StatsSourceSetting } from './results.js';
import { median, sleep } from './stats-math.js';

const BARE_SERVER_ENTRY = fileURLToPath(new URL('./bare-server.js', import.meta.url));
/** Before the rounds, each server answers this long unmeasured (JIT, sockets). */
const WARM_UP_MS = 2_000;
/** `--only containers-vs-bare`: after every container has a sample, the agent settles this long. */
const SETTLE_MS = 10_000;

export interface ContainersVsBareOptions {
  clients: number;
  roundSeconds: number;
  rounds: number;
  /** The agent's node flags: the bare server runs with the same. */
  nodeFlags: readonly string[];
}

interface BareServer {
  baseUrl: string;
  stop(): Promise<void>;
}

async function startBareServer(body: string, nodeFlags: readonly string[]): Promise<BareServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dockmon-bench-bare-'));
  const bodyFile = path.join(dir, 'containers.json');
  writeFileSync(bodyFile, body);
  const child = spawn(process.execPath, [...nodeFlags, BARE_SERVER_ENTRY, bodyFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n');
      if (line.length > 1) resolve(Number(line[0]));
    });
    void exited.then(() => reject(new Error(`the bare server exited (code ${String(child.exitCode)}) before listening`)));
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { baseUrl: `http://127.0.0.1:${port}`, stop };
}

function closedLoop(baseUrl: string, options: ContainersVsBareOptions, durationMs: number): Promise<LoadResult> {
  return runLoad({ baseUrl, path: '/containers', clients: options.clients, durationMs, intervalMs: 0 });
}

export async function measureContainersVsBare(
  agent: RunningAgent,
  options: ContainersVsBareOptions,
  progress: Progress,
): Promise<ContainersVsBare> {
  const answer = await agent.get('/containers');
  if (answer.status !== 200) throw new Error(`GET /containers answered ${answer.status}`);
  const bare = await startBareServer(answer.body, options.nodeFlags);
  try {
    const bareBody = await fetchBody(bare.baseUrl);
    if (bareBody !== answer.body) throw new Error('the bare server does not send the body it was given');
    await closedLoop(agent.baseUrl, options, WARM_UP_MS);
    await closedLoop(bare.baseUrl, options, WARM_UP_MS);
    const rounds: ContainersVsBareRound[] = [];
    const roundMs = options.roundSeconds * 1000;
    for (let round = 0; round < options.rounds; round += 1) {
      const label = `/containers vs a bare server, round ${round + 1}/${options.rounds}`;
      const measure = async (baseUrl: string, who: string): Promise<LoadResult> => {
        const load = closedLoop(baseUrl, options, roundMs);
        await countdown(progress, `${label}: ${who}`, roundMs);
        return load;
      };
      // Alternate which goes first, so a slow drift on the machine falls on both alike.
      let agentResult: LoadResult;
      let bareResult: LoadResult;
      if (round % 2 === 0) {
        agentResult = await measure(agent.baseUrl, 'the agent');
        bareResult = await measure(bare.baseUrl, 'the bare server');
      } else {
        bareResult = await measure(bare.baseUrl, 'the bare server');
        agentResult = await measure(agent.baseUrl, 'the agent');
      }
      rounds.push({
        agentPerSecond: agentResult.requestsPerSecond,
        barePerSecond: bareResult.requestsPerSecond,
        ratio: bareResult.requestsPerSecond === 0 ? 0 : agentResult.requestsPerSecond / bareResult.requestsPerSecond,
        agentErrors: agentResult.errors,
        bareErrors: bareResult.errors,
      });
    }
    return {
      entries: Object.keys(JSON.parse(answer.body) as Record<string, unknown>).length,
      bodyBytes: Buffer.byteLength(answer.body),
      clients: options.clients,
      roundSeconds: options.roundSeconds,
      rounds,
      agentPerSecond: median(rounds.map((round) => round.agentPerSecond)) ?? 0,
      barePerSecond: median(rounds.map((round) => round.barePerSecond)) ?? 0,
      ratio: median(rounds.map((round) => round.ratio)) ?? 0,
    };
  } finally {
    await bare.stop();
  }
}

async function fetchBody(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/containers`);
  return response.text();
}

/**
 * `--only containers-vs-bare`: one agent with this stats source over the bench
 * containers; once every one has a sample and the agent has settled, the comparison.
 */
export async function measureContainersVsBareRun(
  entry: string,
  source: StatsSourceSetting,
  ids: ReadonlySet<string>,
  settings: BenchSettings & { rounds: number },
  progress: Progress,
  register: (stop: () => Promise<void>) => void,
): Promise<ContainersVsBare> {
  const agent = await startAgent(entry, settings.agentNodeFlags, { ...settings.agentEnv, STATS_SOURCE: source });
  register(agent.stop);
  try {
    if ((await waitAllSampled(agent, ids, progress)) === null) throw new Error(`STATS_SOURCE=${source}: not every bench container had a sample after 2 min`);
    await countdown(progress, 'letting the agent settle', SETTLE_MS);
    return await measureContainersVsBare(
      agent,
      { clients: settings.clients, roundSeconds: settings.saturationSeconds, rounds: settings.rounds, nodeFlags: settings.agentNodeFlags },
      progress,
    );
  } finally {
    await agent.stop();
  }
}
