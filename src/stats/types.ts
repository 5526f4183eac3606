// Domain types: what dockmon knows about a container, in units that say themselves.
// Nothing outside docker/ and stats/math.ts sees the Engine's snake_case shapes.

/**
 * One Docker stats record turned into `docker stats` numbers.
 * A value is `null` when it cannot be known from this record and the previous one
 * (first record of a stream, counter reset after a restart); it is never NaN,
 * Infinity or negative.
 */
export interface ContainerSample {
  /** Time the daemon took the sample (`read`), epoch milliseconds. */
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
