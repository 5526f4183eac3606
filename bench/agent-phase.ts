// The agent's phase: start it over the bench containers, then measure what it costs
// (its CPU and memory, the daemon's CPU) and what it serves (latency, throughput,
// freshness, how soon a new container shows up).

import { startAgent, type RunningAgent } from './agent.js';
import { removeContainer, runContainer } from './containers.js';
import { measureContainersVsBare } from './containers-vs-bare.js';
import { countdown } from './daemon-phases.js';
import { runLoad, type LoadResult } from './http-load.js';
import { peakRssBytes, rssBytes } from './proc.js';
import type { Progress } from './progress.js';
import { ENDPOINTS, type AgentFigures, type BenchSettings, type Endpoint, type PacedResult, type StatsSourceSetting } from './results.js';
import { median, percentile, sleep } from './stats-math.js';
import { measureSteadyState, snapshot } from './steady-window.js';

const ALL_SAMPLED_TIMEOUT_MS = 120_000;
const NEW_CONTAINER_TRIALS = 3;
const NEW_CONTAINER_TIMEOUT_MS = 30_000;
/** The agent's default HISTORY_SIZE (src/config.ts). */
const DEFAULT_HISTORY_SIZE = 300;

export async function waitAllSampled(agent: RunningAgent, ids: ReadonlySet<string>, progress: Progress): Promise<number | null> {
  const startMs = performance.now();
  while (performance.now() - startMs < ALL_SAMPLED_TIMEOUT_MS) {
    const state = await snapshot(agent, ids);
    progress.update(`agent: ${state.shown}/${ids.size} listed, ${state.sampled} sampled`);
    if (state.sampled === ids.size) return (performance.now() - startMs) / 1000;
    await sleep(100);
  }
  return null;
}

/**
 * Samples per second per container over [fromMs, toMs], from the history of a few bench
 * containers: with N containers, the daemon delivers N × this many samples a second.
 */
async function sampleRatePerContainer(agent: RunningAgent, ids: ReadonlySet<string>, fromMs: number, toMs: number): Promise<number | null> {
  const rates: number[] = [];
  for (const id of [...ids].slice(0, 5)) {
    const answer = await agent.get(`/containers/history?id=${id}`);
    if (answer.status !== 200) continue;
    const history = JSON.parse(answer.body) as { samples?: { read?: string }[] };
    const inWindow = (history.samples ?? []).filter((sample) => {
      const readMs = Date.parse(sample.read ?? '');
      return readMs >= fromMs && readMs <= toMs;
    });
    rates.push(inWindow.length / ((toMs - fromMs) / 1000));
  }
  return median(rates);
}

/**
 * Latency under load the agent can carry: each client sends `pacePerClient` requests a
 * second, lowered where that would pass half the endpoint's measured capacity (a big
 * /table at 500 containers): past capacity the figure would be queueing, not service.
 */
async function measureLatencies(
  agent: RunningAgent,
  settings: BenchSettings,
  capacity: Record<Endpoint, LoadResult | null>,
  progress: Progress,
): Promise<Record<Endpoint, PacedResult | null>> {
  const latency: Record<Endpoint, PacedResult | null> = { '/containers': null, '/table': null, '/metrics': null };
  for (const endpoint of ENDPOINTS) {
    const capacityPerSecond = capacity[endpoint]?.requestsPerSecond ?? null;
    // /metrics was another engineer's work in progress: measured once it answers 200.
    if (capacityPerSecond === null) {
      progress.note(`${endpoint} did not answer 200: not measured`);
      continue;
    }
    const perClient = Math.min(settings.pacePerClient, (0.5 * capacityPerSecond) / settings.clients);
    const loadPromise = runLoad({
      baseUrl: agent.baseUrl,
      path: endpoint,
      clients: settings.clients,
      durationMs: settings.loadSeconds * 1000,
      intervalMs: 1000 / perClient,
    });
    await countdown(progress, `${endpoint}: ${settings.clients} clients × ${perClient.toFixed(1)} req/s`, settings.loadSeconds * 1000);
    latency[endpoint] = { ...(await loadPromise), offeredPerSecond: perClient * settings.clients };
  }
  return latency;
}

async function measureSaturation(
  agent: RunningAgent,
  settings: BenchSettings,
  progress: Progress,
): Promise<Record<Endpoint, LoadResult | null>> {
  const saturation: Record<Endpoint, LoadResult | null> = { '/containers': null, '/table': null, '/metrics': null };
  for (const endpoint of ENDPOINTS) {
    const probe = await agent.get(endpoint).catch(() => null);
    if (probe?.status !== 200) continue;
    const loadPromise = runLoad({
      baseUrl: agent.baseUrl,
      path: endpoint,
      clients: settings.clients,
      durationMs: settings.saturationSeconds * 1000,
      intervalMs: 0,
    });
    await countdown(progress, `${endpoint} at saturation (${settings.clients} clients, closed loop)`, settings.saturationSeconds * 1000);
    saturation[endpoint] = await loadPromise;
  }
  return saturation;
}

async function historyLength(agent: RunningAgent, id: string | undefined): Promise<number> {
  if (id === undefined) return 0;
  const answer = await agent.get(`/containers/history?id=${id}`);
  if (answer.status !== 200) return 0;
  return (JSON.parse(answer.body) as { samples?: unknown[] }).samples?.length ?? 0;
}

/**
 * Until the steady window: a dashboard reading /containers every second, until the
 * agent has run `minMs` and a bench container's history ring is full (at 500
 * containers the daemon's collector needs ~2 s per round, so 300 samples take ~10 min),
 * or `maxMs` has passed. Returns the history length reached.
 */
async function fillHistory(
  agent: RunningAgent,
  ids: ReadonlySet<string>,
  window: { startedMs: number; minMs: number; maxMs: number; historySize: number },
  progress: Progress,
): Promise<number> {
  const probe = [...ids][ids.size - 1];
  for (;;) {
    const elapsedMs = Date.now() - window.startedMs;
    const length = await historyLength(agent, probe);
    if ((elapsedMs >= window.minMs && length >= window.historySize) || elapsedMs >= window.maxMs) return length;
    progress.update(`filling the history before the steady window: ${length}/${window.historySize} samples kept, agent up ${Math.round(elapsedMs / 1000)} s`);
    await snapshot(agent, ids);
    await sleep(1_000);
  }
}

async function measureNewContainer(
  agent: RunningAgent,
  runId: string,
  trial: number,
): Promise<{ listedSeconds: number | null; sampledSeconds: number | null }> {
  const started = await runContainer(runId, `dmbench-${runId}-new-${trial}`, false);
  const startMs = performance.now();
  let listedSeconds: number | null = null;
  try {
    while (performance.now() - startMs < NEW_CONTAINER_TIMEOUT_MS) {
      const answer = await agent.get(`/containers?id=${started.id}`);
      if (answer.status === 200) {
        const elapsedSeconds = (performance.now() - startMs) / 1000;
        listedSeconds ??= elapsedSeconds;
        const entry = (JSON.parse(answer.body) as Record<string, { read: string | null }>)[started.id];
        if (entry?.read !== null && entry?.read !== undefined) return { listedSeconds, sampledSeconds: elapsedSeconds };
      }
      await sleep(25);
    }
    return { listedSeconds, sampledSeconds: null };
  } finally {
    await removeContainer(started.id);
  }
}

export async function measureAgent(
  entry: string,
  runId: string,
  source: StatsSourceSetting,
  ids: ReadonlySet<string>,
  daemon: { pids: readonly number[]; baseline(): Promise<number> },
  settings: BenchSettings & { rounds: number },
  progress: Progress,
  register: (stop: () => Promise<void>) => void,
): Promise<AgentFigures> {
  // The floor is measured with nothing attached, before the agent starts and after it
  // stops (the steady window is minutes later: the mean of the two absorbs drift).
  const baselineBefore = await daemon.baseline();
  const agent = await startAgent(entry, settings.agentNodeFlags, { ...settings.agentEnv, STATS_SOURCE: source });
  const startedMs = Date.now();
  register(agent.stop);
  let figures: Omit<AgentFigures, 'daemonCpuPercent' | 'baselineDaemonCpuPercent'> & { daemonRawPercent: number };
  try {
    const allSampledAfterSeconds = await waitAllSampled(agent, ids, progress);
    // The steady window comes first, once the history ring is full (it holds one sample a
    // second per container), so memory and CPU are those of an agent that has run a while
    // with a dashboard open, before any burst of HTTP load; the bursts come after it and
    // their cost shows in the peak RSS.
    const windowMs = settings.windowSeconds * 1000;
    const historySize = Number(settings.agentEnv['HISTORY_SIZE'] ?? DEFAULT_HISTORY_SIZE);
    const historyKept = await fillHistory(
      agent,
      ids,
      { startedMs, minMs: settings.agentWarmSeconds * 1000 - windowMs, maxMs: settings.agentWarmMaxSeconds * 1000 - windowMs, historySize },
      progress,
    );
    const windowStartMs = Date.now();
    const steady = await measureSteadyState(agent, ids, { source, daemonPids: daemon.pids, windowMs }, progress);
    const samplesPerSecondPerContainer = await sampleRatePerContainer(agent, ids, windowStartMs, Date.now());
    const steadyRssBytes = rssBytes(agent.pid);
    const steadyUptimeSeconds = (Date.now() - startedMs) / 1000;
    const saturation = await measureSaturation(agent, settings, progress);
    const containersVsBare = await measureContainersVsBare(
      agent,
      { clients: settings.clients, roundSeconds: settings.saturationSeconds, rounds: settings.rounds, nodeFlags: settings.agentNodeFlags },
      progress,
    );
    const latency = await measureLatencies(agent, settings, saturation, progress);
    const listed: number[] = [];
    const sampled: number[] = [];
    for (let trial = 0; trial < NEW_CONTAINER_TRIALS; trial += 1) {
      progress.update(`new container ${trial + 1}/${NEW_CONTAINER_TRIALS}: waiting for it to appear`);
      const result = await measureNewContainer(agent, runId, trial);
      if (result.listedSeconds !== null) listed.push(result.listedSeconds);
      if (result.sampledSeconds !== null) sampled.push(result.sampledSeconds);
      await sleep(2_000);
    }
    figures = {
      statsSource: source,
      sources: steady.sources,
      allSampledAfterSeconds,
      minShown: steady.minShown,
      maxSampleAgeSeconds: steady.ages.length === 0 ? null : Math.max(...steady.ages),
      p99SampleAgeSeconds: percentile(steady.ages, 0.99),
      medianSampleAgeSeconds: median(steady.ages),
      cpuPercent: steady.agentCpu,
      daemonRawPercent: steady.daemonCpu,
      samplesPerSecondPerContainer,
      peakRssBytes: peakRssBytes(agent.pid),
      steadyRssBytes,
      uptimeSeconds: steadyUptimeSeconds,
      historyKept,
      historySize,
      latency,
      saturation,
      newContainerListedSeconds: listed,
      newContainerSampledSeconds: sampled,
      containersVsBare,
    };
  } finally {
    await agent.stop();
  }
  const baselineAfter = await daemon.baseline();
  const baselinePercent = (baselineBefore + baselineAfter) / 2;
  const { daemonRawPercent, ...rest } = figures;
  return { ...rest, daemonCpuPercent: daemonRawPercent - baselinePercent, baselineDaemonCpuPercent: baselinePercent };
}
