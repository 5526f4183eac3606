// The figures one bench run produces, per container count. The Markdown report and the
// chart are drawn from these; docs/benchmarks.json keeps them raw.

import type { LoadResult } from './http-load.js';

export const ENDPOINTS = ['/containers', '/table', '/metrics'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/** STATS_SOURCE values the agent accepts (src/config.ts); each is one agent run per N. */
export const STATS_SOURCES = ['api', 'cgroup', 'auto'] as const;
export type StatsSourceSetting = (typeof STATS_SOURCES)[number];

/** Bumped when the JSON changes shape; a report without it is the one-agent-run shape (results-upgrade.ts). */
export const REPORT_FORMAT = 2;

export interface PacedResult extends LoadResult {
  /** Requests per second the clients sent, all together. */
  offeredPerSecond: number;
}

/** /healthz `stats_sources`, as the agent sends it (src/http/stats-sources-json.ts). */
export interface HealthzStatsSources {
  mode: string;
  cgroup: number;
  api: number;
  undecided: number;
  kernel_unavailable: string | null;
  not_from_kernel: { id: string; name: string; reason: string }[];
  not_from_kernel_count: number;
  kernel_reader: {
    containers: number;
    passes: number;
    last_pass_ms: number;
    last_pass_cpu_ms: number;
    open_files: number;
    parse_errors: number;
    read_errors: number;
  } | null;
}

/** Bench containers by the `source` of their sample in one /containers answer. */
export interface SourceCounts {
  fromKernel: number;
  fromApi: number;
  /** Listed without a sample yet, or not listed at all. */
  undecided: number;
}

/** Where the agent's numbers came from during the steady window. */
export interface StatsSourceFigures {
  /** The bench containers in the /containers answer with the fewest on the run's own source. */
  benchWorst: SourceCounts;
  /** /healthz `stats_sources` (every container the agent lists) in its answer with the fewest on the run's own source. */
  healthzWorst: HealthzStatsSources | null;
  healthzAnswers: number;
  /** Why bench containers were not on the run's source: `kernel_unavailable` or the first bench container's reason. */
  firstReason: string | null;
  /** Medians over the window of the kernel reader's last pass; null when it did not run. */
  kernelPassMs: number | null;
  kernelPassCpuMs: number | null;
  kernelOpenFiles: number | null;
}

export interface AgentFigures {
  /** STATS_SOURCE the agent ran with. */
  statsSource: StatsSourceSetting;
  /** Null in a report rendered from the one-agent-run shape, which did not record it. */
  sources: StatsSourceFigures | null;
  /** From the agent's start until every bench container had a sample. */
  allSampledAfterSeconds: number | null;
  /** Fewest bench containers in a /containers answer during the window (after all were sampled). */
  minShown: number;
  /** Oldest `sample_age_seconds` of a bench container in any answer during the window. */
  maxSampleAgeSeconds: number | null;
  /** Over every bench container's age in every answer of the window; null where not recorded. */
  p99SampleAgeSeconds: number | null;
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
  /** /containers against a bare node:http server sending the same bytes; absent in reports from before it was measured. */
  containersVsBare?: ContainersVsBare | null;
}

/** One round: the agent's /containers, then the bare server (or the other way round), closed loop. */
export interface ContainersVsBareRound {
  agentPerSecond: number;
  barePerSecond: number;
  /** agentPerSecond / barePerSecond. */
  ratio: number;
  agentErrors: number;
  bareErrors: number;
}

/** GET /containers against a bare node:http server answering the same body, measured in the same run. */
export interface ContainersVsBare {
  /** Entries in the body the bare server sends (the agent's /containers answer, fetched once). */
  entries: number;
  bodyBytes: number;
  clients: number;
  roundSeconds: number;
  rounds: ContainersVsBareRound[];
  /** Medians over the rounds; the ratio is the median of the rounds' ratios. */
  agentPerSecond: number;
  barePerSecond: number;
  ratio: number;
}

/** What `npm run bench -- --only containers-vs-bare` writes: that comparison alone, per count and source. */
export interface ContainersVsBareReport {
  format: 'containers-vs-bare/1';
  startedAt: string;
  finishedAt: string;
  command: string;
  settings: BenchSettings & { rounds: number };
  machine: MachineInfo;
  runs: { containers: number; statsSource: StatsSourceSetting; result: ContainersVsBare }[];
  stoppedEarly?: string;
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
  /** One run per --sources entry, in that order, one after the other. */
  agents: AgentFigures[];
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
  /** STATS_SOURCE of each agent run per N, in order. */
  sources: StatsSourceSetting[];
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
  format: typeof REPORT_FORMAT;
  /** Set when rendered from an older JSON: what was assumed in reading it. */
  upgradedFrom?: string;
  startedAt: string;
  finishedAt: string;
  command: string;
  settings: BenchSettings;
  machine: MachineInfo;
  scenarios: ScenarioResult[];
  /** Set when a count failed: the report holds the counts before it. */
  stoppedEarly?: string;
}
