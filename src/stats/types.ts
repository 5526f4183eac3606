// Domain types: what dockmon knows about a container, in units that say themselves.
// Nothing outside docker/ and stats/math.ts sees the Engine's snake_case shapes.

/**
 * One Docker stats record turned into `docker stats` numbers.
 * A value is `null` when it cannot be known from this record and the previous one
 * (first record of a stream, counter reset after a restart); it is never NaN,
 * Infinity or negative.
 */
export interface ContainerSample {
  /** Where the numbers came from: the container's cgroup files, or the Engine API. */
  source: StatsSource;
  /** Time the sample was taken (the daemon's `read`, or when the kernel files were read), epoch milliseconds. */
  readMs: number;
  /** `read` as the daemon sent it (RFC 3339, up to ns precision). */
  readIso: string;
  /** CPU use in per-core percent, as `docker stats`: 100 = one full core. */
  cpuPercent: number | null;
  /** Cumulative CPU time of the container, nanoseconds (Windows: converted from 100 ns units). */
  cpuUsageNs: number;
  /** Host-wide CPU time (`system_cpu_usage`), ns; 0 when the daemon did not send it (Windows, some records). */
  hostCpuUsageNs: number;
  /** CPUs the percentage is scaled by (`online_cpus`, else `percpu_usage.length`), 0 when unknown. */
  onlineCpus: number;
  /** Memory in use as `docker stats` shows it: usage less inactive file cache (Windows: private working set). */
  memoryUsageBytes: number;
  /** The cgroup's raw usage, cache included. */
  memoryRawUsageBytes: number;
  /** The cgroup limit, clamped by the daemon to host RAM when unlimited; 0 when unknown. */
  memoryLimitBytes: number;
  /** memoryUsageBytes / memoryLimitBytes * 100, 0 when the limit is 0. */
  memoryPercent: number;
  /** Cumulative bytes received over all interfaces (0 when the container has none). */
  networkRxBytes: number;
  /** Cumulative bytes sent over all interfaces. */
  networkTxBytes: number;
  /** Receive rate since the previous sample; null when unknown (first sample or counter reset). */
  networkRxBytesPerSecond: number | null;
  networkTxBytesPerSecond: number | null;
  /** Whether the record carried a `networks` key at all (absent for --network none/host). */
  hasNetworks: boolean;
  /** Cumulative block I/O, summed over devices (ops starting with r/R and w/W). */
  blockReadBytes: number;
  blockWriteBytes: number;
  /** Processes and threads (`pids_stats.current`), 0 when unknown. */
  pids: number;
  // The detail below is what /metrics exports (cAdvisor's families); see stats/counters.ts.
  /** Cumulative CPU time in user and kernel mode, ns; 0 when the daemon did not send it. */
  cpuUserNs: number;
  cpuSystemNs: number;
  /** CFS bandwidth control: periods elapsed, periods throttled, time throttled (ns); 0 without a CPU quota. */
  cpuCfsPeriods: number;
  cpuCfsThrottledPeriods: number;
  cpuCfsThrottledNs: number;
  /** Anonymous memory (cgroup v1 `total_rss`, v2 `anon`); 0 when unknown (Windows). */
  memoryRssBytes: number;
  /** Page cache (cgroup v1 `total_cache`, v2 `file`); 0 when unknown. */
  memoryCacheBytes: number;
  /** Cumulative counters per interface, sorted by name; empty without a `networks` key. */
  networkInterfaces: readonly InterfaceCounters[];
  /** Cumulative bytes and operations per block device, sorted by major:minor; empty when none were sent. */
  blockDevices: readonly BlockDeviceCounters[];
  /** Read and write operations, summed over devices; 0 when unknown. */
  blockReadOps: number;
  blockWriteOps: number;
  // What the kernel tells and the Engine API does not (null from the API, or where this
  // host's kernel lacks the file); see KernelFigures.
  oomKills: number | null;
  memorySwapBytes: number | null;
  /** Times the usage hit the limit (v1 failcnt; v2 memory.events max). The API gives it on cgroup v1. */
  memoryFailcnt: number | null;
  /** Peak usage (v1 max_usage_in_bytes, v2 memory.peak). The API gives it on cgroup v1. */
  memoryMaxUsageBytes: number | null;
  pressure: ContainerPressure | null;
}

/** `cgroup`: read from the kernel's files; `api`: from the Engine API (stream or one-shot). */
export type StatsSource = 'cgroup' | 'api';

/** One PSI line (accounting/psi.rst). */
export interface PressureLine {
  /** Share of the last 10 s some (or all) tasks were stalled, percent. */
  avg10: number;
  /** Stall time since the cgroup was created, microseconds. */
  totalUs: number;
}

export interface Pressure {
  /** Some tasks stalled (cAdvisor's "waiting"). */
  some: PressureLine;
  /** All tasks stalled (cAdvisor's "stalled"); absent from cpu.pressure before Linux 5.13. */
  full: PressureLine | null;
}

/** Pressure stall information per resource; a resource is null when its file is missing. */
export interface ContainerPressure {
  cpu: Pressure | null;
  memory: Pressure | null;
  io: Pressure | null;
}

/** What the kernel source adds to a record the daemon would send; null where the host lacks the file. */
export interface KernelFigures {
  /** OOM kills counted by the kernel (v1 memory.oom_control, v2 memory.events). */
  oomKills: number | null;
  /** Swap in use (v1 memsw.usage − usage, v2 memory.swap.current). */
  swapBytes: number | null;
  /**
   * Times the usage hit the limit: v1 memory.failcnt; v2 memory.events `max` ("the number
   * of times the cgroup's memory usage was about to go over the max boundary"), the v2
   * counter with v1's meaning (the daemon's record carries `oom` there instead).
   */
  failcnt: number | null;
  /** Peak usage (v1 max_usage_in_bytes, v2 memory.peak). */
  maxUsageBytes: number | null;
  pressure: ContainerPressure | null;
}

/**
 * What the history keeps of each sample: the fields its views read (charts, sparklines,
 * /containers/history). The history ring (history-ring.ts) stores them as numbers in
 * columns, ~136 B a sample (129 B of row plus the ring's share); a full ContainerSample object weighs about 720 B (per-interface
 * and per-device arrays, detail counters), a slim object 334 B.
 */
export type HistorySample = Pick<
  ContainerSample,
  | 'source'
  | 'readMs'
  | 'readIso'
  | 'cpuPercent'
  | 'cpuUsageNs'
  | 'onlineCpus'
  | 'memoryUsageBytes'
  | 'memoryRawUsageBytes'
  | 'memoryLimitBytes'
  | 'memoryPercent'
  | 'networkRxBytes'
  | 'networkTxBytes'
  | 'networkRxBytesPerSecond'
  | 'networkTxBytesPerSecond'
  | 'blockReadBytes'
  | 'blockWriteBytes'
  | 'pids'
>;

/** The numeric fields of a HistorySample: what a chart can plot. */
export type HistoryField = Exclude<keyof HistorySample, 'readIso' | 'source'>;

/** Read-only access to a container's retained history, oldest sample first (index 0). */
export interface HistorySeries {
  readonly length: number;
  /** A field of the index-th sample; null where the sample had none (e.g. the first CPU %). */
  valueAt(field: HistoryField, index: number): number | null;
  /** Where the index-th sample's numbers came from. */
  sourceAt(index: number): StatsSource;
  /** The samples as objects, oldest first: for the views that need all of one container's. */
  toSamples(): HistorySample[];
}

/** One network interface's counters since its namespace was created. */
export interface InterfaceCounters {
  name: string;
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

/** One block device's cumulative I/O, identified as the kernel does (major:minor). */
export interface BlockDeviceCounters {
  major: number;
  minor: number;
  readBytes: number;
  writeBytes: number;
  /** Read and write operations completed (v1 io_serviced, v2 io.stat rios/wios). */
  readOps: number;
  writeOps: number;
}

/** Lifecycle state as Docker reports it in /containers/json and events. */
export type ContainerState =
  | 'created'
  | 'running'
  | 'paused'
  | 'restarting'
  | 'removing'
  | 'exited'
  | 'dead';

/** What the agent knows about one container, sample or not. */
export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  state: ContainerState;
  networkMode: string;
  createdSeconds: number;
  labels: Readonly<Record<string, string>>;
}

/** Health as Docker reports it; 'none' when the image has no health check. */
export type ContainerHealth = 'starting' | 'healthy' | 'unhealthy' | 'none';

/**
 * What inspect adds to a running container, read once per start (not per sample),
 * plus the OOM kills the agent has seen in events. Never holds the environment.
 */
export interface ContainerDetails {
  /** When the current run started (State.StartedAt), epoch ms; null when unknown. */
  startedAtMs: number | null;
  restartCount: number;
  health: ContainerHealth;
  /** Whether the previous run ended by the OOM killer (State.OOMKilled). */
  lastExitOomKilled: boolean;
  /** `oom` events seen by this agent since it started. */
  oomKillsSeen: number;
  /** CPU limit in cores (--cpus, CPU quota or cpuset), null when unlimited. */
  cpuLimitCores: number | null;
  /** --memory, null when unlimited. */
  memoryLimitBytes: number | null;
  // The CPU and memory settings as the kernel applies them (cgroup v1 terms), for the
  // container_spec_* families; read at start, so a later `docker update` shows after a restart.
  /** CFS period in µs: --cpu-period, else the kernel's 100 000, which --cpus uses too. */
  cpuPeriodUs: number;
  /** CFS quota in µs per period: --cpu-quota, or --cpus × the period; null without one. */
  cpuQuotaUs: number | null;
  /** --cpu-shares, clamped to the kernel's 2…262 144; the kernel's 1024 when unset. */
  cpuShares: number;
  /** --memory-reservation (the soft limit), null when unset. */
  memoryReservationBytes: number | null;
  /** --memory-swap: memory plus swap (the daemon's default is twice --memory), null when unlimited. */
  memorySwapLimitBytes: number | null;
  /** --pids-limit, null when unlimited. */
  pidsLimit: number | null;
  /** --restart: '' or 'no' (never), 'always', 'unless-stopped', 'on-failure'. */
  restartPolicy: string;
}
