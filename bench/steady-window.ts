// The agent's steady window: one client reads /containers and /healthz about once a second,
// as the page does (its status falls back to polling /healthz), while the agent's and the
// daemon's CPU are measured. Besides CPU it keeps who was shown, how old each sample
// was, and where the numbers came from: a `cgroup` run that quietly fell back to the
// Engine API would otherwise be reported as the kernel's figures.

import type { RunningAgent } from './agent.js';
import { openCpuWindow } from './proc.js';
import type { Progress } from './progress.js';
import type { HealthzStatsSources, SourceCounts, StatsSourceFigures, StatsSourceSetting } from './results.js';
import { median, sleep } from './stats-math.js';

export interface Snapshot {
  shown: number;
  sampled: number;
  agesSeconds: number[];
  counts: SourceCounts;
}

export async function snapshot(agent: RunningAgent, ids: ReadonlySet<string>): Promise<Snapshot> {
  const entries = await agent.containers();
  const result: Snapshot = { shown: 0, sampled: 0, agesSeconds: [], counts: { fromKernel: 0, fromApi: 0, undecided: 0 } };
  for (const [id, entry] of Object.entries(entries)) {
    if (!ids.has(id)) continue;
    result.shown += 1;
    if (entry.source === 'cgroup') result.counts.fromKernel += 1;
    else if (entry.source === 'api') result.counts.fromApi += 1;
    if (entry.sample_age_seconds === null) continue;
    result.sampled += 1;
    result.agesSeconds.push(entry.sample_age_seconds);
  }
  result.counts.undecided = ids.size - result.counts.fromKernel - result.counts.fromApi;
  return result;
}

/** Bench containers on the source the run asked for: `auto` means the kernel wherever it can be read. */
export function onOwnSource(counts: SourceCounts, source: StatsSourceSetting): number {
  return source === 'api' ? counts.fromApi : counts.fromKernel;
}

async function readStatsSources(agent: RunningAgent): Promise<HealthzStatsSources | null> {
  const answer = await agent.get('/healthz');
  if (answer.status !== 200) return null;
  return (JSON.parse(answer.body) as { stats_sources?: HealthzStatsSources }).stats_sources ?? null;
}

/** Why bench containers are not read from the kernel, as the agent says it; null when it does not. */
function kernelFallbackReason(status: HealthzStatsSources, ids: ReadonlySet<string>): string | null {
  if (status.kernel_unavailable !== null) return `the kernel is unavailable: ${status.kernel_unavailable}`;
  const bench = status.not_from_kernel.find((entry) => ids.has(entry.id));
  if (bench !== undefined) return `${bench.name}: ${bench.reason}`;
  // /healthz lists the first 20 fallbacks only: other containers' may hide the bench's.
  const first = status.not_from_kernel[0];
  return first === undefined ? null : `${first.name} (not a bench container; ${status.not_from_kernel_count} fallbacks in all): ${first.reason}`;
}

interface SourceTally {
  record(status: HealthzStatsSources | null, counts: SourceCounts): void;
  result(): StatsSourceFigures;
}

function createSourceTally(source: StatsSourceSetting, ids: ReadonlySet<string>): SourceTally {
  let benchWorst: SourceCounts | null = null;
  let healthzWorst: HealthzStatsSources | null = null;
  let healthzAnswers = 0;
  let firstReason: string | null = null;
  const passMs: number[] = [];
  const passCpuMs: number[] = [];
  const openFiles: number[] = [];
  const own = (status: HealthzStatsSources): number => (source === 'api' ? status.api : status.cgroup);
  return {
    record(status, counts) {
      if (benchWorst === null || onOwnSource(counts, source) < onOwnSource(benchWorst, source)) benchWorst = counts;
      if (status === null) return;
      healthzAnswers += 1;
      if (healthzWorst === null || own(status) < own(healthzWorst)) healthzWorst = status;
      if (source !== 'api' && onOwnSource(counts, source) < ids.size) firstReason ??= kernelFallbackReason(status, ids);
      const reader = status.kernel_reader;
      if (reader === null) return;
      passMs.push(reader.last_pass_ms);
      passCpuMs.push(reader.last_pass_cpu_ms);
      openFiles.push(reader.open_files);
    },
    result() {
      return {
        benchWorst: benchWorst ?? { fromKernel: 0, fromApi: 0, undecided: ids.size },
        healthzWorst,
        healthzAnswers,
        firstReason,
        kernelPassMs: median(passMs),
        kernelPassCpuMs: median(passCpuMs),
        kernelOpenFiles: median(openFiles),
      };
    },
  };
}

export interface SteadyState {
  agentCpu: number;
  daemonCpu: number;
  minShown: number;
  ages: number[];
  sources: StatsSourceFigures;
}

export async function measureSteadyState(
  agent: RunningAgent,
  ids: ReadonlySet<string>,
  run: { source: StatsSourceSetting; daemonPids: readonly number[]; windowMs: number },
  progress: Progress,
): Promise<SteadyState> {
  const agentWindow = openCpuWindow([agent.pid]);
  const daemonWindow = openCpuWindow(run.daemonPids);
  const tally = createSourceTally(run.source, ids);
  const startMs = Date.now();
  const endMs = startMs + run.windowMs;
  let minShown = Number.POSITIVE_INFINITY;
  const ages: number[] = [];
  for (let second = 0; ; second += 1) {
    // One answer a second on average, at a random point of each second: the kernel reader
    // passes once a second too, and a poll locked to its phase sees the same age every time
    // (0.13 s in every answer of a smoke run), never the oldest.
    const slotMs = startMs + second * 1000;
    if (slotMs >= endMs) break;
    const atMs = slotMs + Math.random() * Math.min(1000, endMs - slotMs);
    await sleep(Math.max(0, atMs - Date.now()));
    const state = await snapshot(agent, ids);
    tally.record(await readStatsSources(agent), state.counts);
    minShown = Math.min(minShown, state.shown);
    ages.push(...state.agesSeconds);
    const oldest = Math.max(0, ...state.agesSeconds);
    progress.update(
      `agent (${run.source}) steady state: ${state.shown}/${ids.size} shown, ${state.counts.fromKernel} from the kernel, ` +
        `${state.counts.fromApi} from the API, oldest sample ${oldest.toFixed(1)} s, ${Math.ceil((endMs - Date.now()) / 1000)} s left`,
    );
  }
  await sleep(Math.max(0, endMs - Date.now()));
  return {
    agentCpu: agentWindow.stop().percentOfCore,
    daemonCpu: daemonWindow.stop().percentOfCore,
    minShown: Number.isFinite(minShown) ? minShown : 0,
    ages,
    sources: tally.result(),
  };
}
