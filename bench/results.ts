// The figures one bench run produces, per container count. The Markdown report and the
// chart are drawn from these; docs/benchmarks.json keeps them raw.

import type { LoadResult } from './http-load.js';

export const ENDPOINTS = ['/containers', '/table', '/metrics'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export interface PacedResult extends LoadResult {
  /** Requests per second the clients sent, all together. */
  offeredPerSecond: number;
}

export interface AgentFigures {
  /** From the agent's start until every bench container had a sample. */
  allSampledAfterSeconds: number | null;
  /** Fewest bench containers in a /containers answer during the window (after all were sampled). */
  minShown: number;
  /** Oldest `sample_age_seconds` of a bench container in any answer during the window. */
  maxSampleAgeSeconds: number | null;
  medianSampleAgeSeconds: number | null;
  /** How often each container got a new sample during the window (from the history of a few). */
  samplesPerSecondPerContainer: number | null;
  /** The agent's own user+sys CPU over the window, % of one core. */
  cpuPercent: number;
  /** Daemon CPU over the same window less the quiet baseline, % of one core. */
  daemonCpuPercent: number;
  /** Daemon CPU with nothing attached: the mean of a window before the agent starts and one after it stops. */
  baselineDaemonCpuPercent: number;
  /** VmHWM at the end of the run: the HTTP load and a full history included. */
  peakRssBytes: number | null;
  /** VmRSS at the end of the steady window. */
  steadyRssBytes: number | null;
  /** How long the agent had run at the end of the steady window. */
  uptimeSeconds: number;
  /** Samples in a bench container's history when the steady window began, of historySize. */
  historyKept: number;
  historySize: number;
  /** Paced load: `clients` clients at `pacePerClient` req/s each (less where that passes half the capacity); null when not served. */
  latency: Record<Endpoint, PacedResult | null>;
  /** The same clients in a closed loop; null when the endpoint did not answer 200. */
  saturation: Record<Endpoint, LoadResult | null>;
  /** After `docker run` returned: until the container is listed, and until it has a sample. */
  newContainerListedSeconds: number[];
  newContainerSampledSeconds: number[];
}

export interface DockerStatsFigures {
  baselineDaemonCpuPercent: number;
  daemonCpuPercent: number;
  /** The `docker stats` client process itself. */
  cliCpuPercent: number;
}

export interface SeedFigures {
  baselineDaemonCpuPercent: number;
  daemonCpuPercent: number;
  calls: number;
  meanCallSeconds: number | null;
  /** One full refresh (list + all N containers). */
  refreshSeconds: number | null;
  /** False when the refresh did not finish within the time cap: N × mean call time. */
  refreshMeasured: boolean;
}

export interface ScenarioResult {
  containers: number;
  busyContainers: number;
  agent: AgentFigures;
  dockerStats: DockerStatsFigures;
  seed: SeedFigures;
}

export interface BenchSettings {
  containerCounts: number[];
  windowSeconds: number;
  loadSeconds: number;
  saturationSeconds: number;
  /** The agent's steady window ends this long after its start (a full default history is 300 s). */
  agentWarmSeconds: number;
  /** ... or, if the history is not full by then, this long. */
  agentWarmMaxSeconds: number;
  seedMaxSeconds: number;
  clients: number;
  pacePerClient: number;
  busy: number;
  agentEnv: Record<string, string>;
  /** Node flags the agent ran with: those of `npm start`. */
  agentNodeFlags: string[];
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  kernel: string;
  dockerVersion: string;
  dockerApiVersion: string;
  cgroup: string;
  nodeVersion: string;
  loadAverageAtStart: number[];
  busiestOtherProcesses: string[];
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  command: string;
  settings: BenchSettings;
  machine: MachineInfo;
  scenarios: ScenarioResult[];
  /** Set when a count failed: the report holds the counts before it. */
  stoppedEarly?: string;
}
