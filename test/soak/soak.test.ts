// `npm run soak` (SOAK_MINUTES, default 2): the agent under container churn plus
// steady polling (and live-update viewers when the page serves them), on a real
// daemon, while attackers run the whole time (SOAK_ATTACKS=0 leaves them out): slow
// heads, clients pipelining /metrics and reading nothing, and waves of /live requests
// past the viewer cap. Its memory, file descriptors and sockets must stay flat, the
// well-behaved poller must never fail, and every line of its stats log must parse.
// Prints the samples it took.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../helpers/agent-process.js';
import { liveFlood, loopbackAddresses, pipelineFlood, slowHeadFlood, type Attack } from '../helpers/attackers.js';
import { docker, requireDocker } from '../helpers/docker-cli.js';
import { removeRunContainers, removeStaleRunContainers, RUN_PREFIX, runContainer, sleep } from '../docker/containers.js';

const MINUTES = Number(process.env['SOAK_MINUTES'] ?? '2');
const DURATION_MS = MINUTES * 60_000;
const WARMUP_MS = Math.min(20_000, DURATION_MS / 4);
const CHURN_EVERY_MS = 1_500;
const LIVE_CONTAINERS = 6;
const POLL_EVERY_MS = 50;
/** Paths the page may serve for live updates; the first that answers 200 gets viewers. */
const LIVE_PATHS = ['/events', '/live', '/stream'];
const LIVE_VIEWERS = 5;
const ATTACKS = process.env['SOAK_ATTACKS'] !== '0';

interface ResourceSample {
  atS: number;
  rssKiB: number;
  /** V8 heap in use, from the agent's /metrics: tells a JS leak from heap or malloc growth. */
  heapKiB: number;
  fds: number;
  sockets: number;
}

let agent: AgentProcess | undefined;

async function readHeapKiB(running: AgentProcess): Promise<number> {
  const answer = await running.get('/metrics').catch(() => null);
  const value = answer === null ? null : /^nodejs_heap_size_used_bytes (\S+)$/m.exec(answer.body)?.[1];
  return value == null ? Number.NaN : Math.round(Number(value) / 1024);
}

function readResources(pid: number, startedMs: number, heapKiB: number): ResourceSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN');
  const fdDir = `/proc/${pid}/fd`;
  let sockets = 0;
  const fds = readdirSync(fdDir);
  for (const fd of fds) {
    try {
      if (readlinkSync(path.join(fdDir, fd)).startsWith('socket:')) sockets += 1;
    } catch {
      // The descriptor closed between readdir and readlink.
    }
  }
  return { atS: Math.round((Date.now() - startedMs) / 1000), rssKiB, heapKiB, fds: fds.length, sockets };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Whether `url` answers 200 with an event stream; reads only the headers (the body never ends). */
function isEventStream(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      resolve(res.statusCode === 200 && (res.headers['content-type'] ?? '').startsWith('text/event-stream'));
      req.destroy();
    });
    req.setTimeout(5_000, () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
  });
}

/** Opens a live-update viewer that reads everything; returns its closer. */
function openViewer(url: string): () => void {
  const req = http.get(url, { agent: false }, (res) => res.resume());
  req.on('error', () => undefined);
  return () => req.destroy();
}

beforeAll(async () => {
  if (!Number.isFinite(MINUTES) || MINUTES <= 0) throw new Error(`SOAK_MINUTES=${process.env['SOAK_MINUTES']} is not a positive number`);
  await requireDocker();
  await removeStaleRunContainers();
  agent = await startAgent();
});

afterAll(async () => {
  await agent?.kill();
  await removeRunContainers();
});

describe(`soak for ${MINUTES} min (real daemon)`, () => {
  it('keeps memory, descriptors and sockets flat under churn and load, and every log line parses', async () => {
    const running = agent!;
    const pid = running.child.pid!;
    const startedMs = Date.now();
    const samples: ResourceSample[] = [];
    const live: string[] = [];
    let churned = 0;
    let polls = 0;
    let pollErrors = 0;

    let livePath: string | null = null;
    for (const candidate of LIVE_PATHS) {
      if (await isEventStream(running.baseUrl + candidate)) {
        livePath = candidate;
        break;
      }
    }
    const closers = livePath === null ? [] : Array.from({ length: LIVE_VIEWERS }, () => openViewer(running.baseUrl + livePath));
    const attacks: Attack[] = ATTACKS
      ? [
          slowHeadFlood({ port: running.port, addresses: loopbackAddresses(5, 1) }, 300),
          pipelineFlood({ port: running.port, addresses: loopbackAddresses(6, 50) }, 50, { path: '/metrics', requests: 100, renewMs: 10_000 }),
          liveFlood({ port: running.port, addresses: loopbackAddresses(7, 100) }, 100, { everyMs: 2_000, holdMs: 1_000 }),
        ]
      : [];

    const churn = (async () => {
      for (let n = 0; Date.now() - startedMs < DURATION_MS; n += 1) {
        const name = `${RUN_PREFIX}soak-${n}`;
        await runContainer(name, [], ['sleep', '100000']);
        live.push(name);
        if (live.length > LIVE_CONTAINERS) await docker(['rm', '-f', live.shift()!]);
        churned += 1;
        await sleep(CHURN_EVERY_MS);
      }
    })();
    const poll = (async () => {
      while (Date.now() - startedMs < DURATION_MS) {
        const target = polls % 2 === 0 ? '/containers' : '/table';
        const answer = await running.get(target).catch(() => null);
        if (answer?.status !== 200) pollErrors += 1;
        polls += 1;
        await sleep(POLL_EVERY_MS);
      }
    })();
    const watch = (async () => {
      while (Date.now() - startedMs < DURATION_MS) {
        samples.push(readResources(pid, startedMs, await readHeapKiB(running)));
        await sleep(5_000);
      }
    })();
    await Promise.all([churn, poll, watch]);
    for (const close of closers) close();
    for (const attack of attacks) attack.stop();
    samples.push(readResources(pid, startedMs, await readHeapKiB(running)));

    console.log(
      `soak: ${MINUTES} min, ${churned} containers started, ${polls} polls (${pollErrors} failed), ` +
        `live viewers: ${livePath === null ? 'none (no live endpoint)' : `${LIVE_VIEWERS} on ${livePath}`}, ` +
        `attacks: ${ATTACKS ? `slow heads ${attacks[0]?.opened()} connections, non-reading pipeliners ${attacks[1]?.opened()}, /live waves ${attacks[2]?.opened()}` : 'off'}`,
    );
    console.table(samples);

    expect(pollErrors).toBe(0);
    expect(running.child.exitCode).toBeNull();
    const steady = samples.filter((sample) => sample.atS * 1000 >= WARMUP_MS);
    const quarter = Math.max(1, Math.floor(steady.length / 4));
    const early = steady.slice(0, quarter);
    const late = steady.slice(-quarter);
    // Flat: the late median within 16 MiB of the early one (GC makes RSS wobble, a leak climbs).
    expect(median(late.map((s) => s.rssKiB)) - median(early.map((s) => s.rssKiB))).toBeLessThan(16 * 1024);
    // Attackers hold connections up to their caps the whole time: a few dozen come and go.
    const slack = ATTACKS ? 48 : 8;
    expect(Math.max(...late.map((s) => s.fds))).toBeLessThanOrEqual(Math.max(...early.map((s) => s.fds)) + slack);
    expect(Math.max(...late.map((s) => s.sockets))).toBeLessThanOrEqual(Math.max(...early.map((s) => s.sockets)) + slack);

    await sleep(1_000);
    let lines = 0;
    for (const name of readdirSync(running.logDir)) {
      for (const line of readFileSync(path.join(running.logDir, name), 'utf8').split('\n')) {
        if (line === '') continue;
        expect(() => JSON.parse(line) as unknown, `${name}: ${line.slice(0, 80)}`).not.toThrow();
        lines += 1;
      }
    }
    expect(lines).toBeGreaterThan(0);
    console.log(`soak: ${lines} stats log lines, all parse`);
  });
});
