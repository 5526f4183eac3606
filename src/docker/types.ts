// Raw Docker Engine API shapes: only the subset dockmon reads, named exactly as the
// API names them. Every field is optional because the daemon omits zero values
// (Go `omitempty`) and older daemons, Windows and Podman leave many out.
// Source: moby api/types/container/stats.go and api/swagger.yaml (ContainerStatsResponse).

export interface CpuUsage {
  total_usage?: number;
  percpu_usage?: number[] | null;
  usage_in_kernelmode?: number;
  usage_in_usermode?: number;
}

export interface ThrottlingData {
  periods?: number;
  throttled_periods?: number;
  throttled_time?: number;
}

export interface CpuStats {
  cpu_usage?: CpuUsage;
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data?: ThrottlingData;
}

export interface MemoryStats {
  usage?: number;
  max_usage?: number;
  limit?: number;
  failcnt?: number;
  /** cgroup v1 keys (cache, rss, total_inactive_file, ...) or v2 keys (anon, file, inactive_file, ...). */
  stats?: Record<string, number> | null;
  // Windows only
  commitbytes?: number;
  commitpeakbytes?: number;
  privateworkingset?: number;
}

export interface BlkioEntry {
  major?: number;
  minor?: number;
  op?: string;
  value?: number;
}

export interface BlkioStats {
  io_service_bytes_recursive?: BlkioEntry[] | null;
  /** I/O operations, the same shape (cgroup v1 io_serviced, v2 rios/wios). */
  io_serviced_recursive?: BlkioEntry[] | null;
}

export interface NetworkStats {
  rx_bytes?: number;
  rx_packets?: number;
  rx_errors?: number;
  rx_dropped?: number;
  tx_bytes?: number;
  tx_packets?: number;
  tx_errors?: number;
  tx_dropped?: number;
}

export interface StorageStats {
  read_size_bytes?: number;
  write_size_bytes?: number;
}

/** One record of `GET /containers/{id}/stats`. */
export interface StatsRecord {
  id?: string;
  name?: string;
  os_type?: string;
  read?: string;
  preread?: string;
  num_procs?: number;
  pids_stats?: { current?: number; limit?: number };
  blkio_stats?: BlkioStats;
  storage_stats?: StorageStats;
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: MemoryStats;
  networks?: Record<string, NetworkStats>;
}

/** One entry of `GET /containers/json`. */
export interface ContainerListEntry {
  Id: string;
  Names?: string[];
  Image?: string;
  ImageID?: string;
  Command?: string;
  Created?: number;
  Labels?: Record<string, string> | null;
  State?: string;
  Status?: string;
  HostConfig?: { NetworkMode?: string };
  /**
   * With `size=1` only: bytes of the container's writable layer (the files it created or
   * changed). Go's omitempty leaves it out when 0, and when the daemon could not size it.
   */
  SizeRw?: number;
  /** With `size=1` only: the writable layer plus the image's layers. */
  SizeRootFs?: number;
}

/** One message of `GET /events`. */
export interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  scope?: string;
  time?: number;
  timeNano?: number;
  /** Podman only: the health state of a `health_status` event (Docker puts it in Action). */
  HealthStatus?: string;
}

/**
 * The few fields dockmon reads from `GET /containers/{id}/json` (inspect). The body
 * also holds Config.Env, mounts and the health-check log, which may carry secrets:
 * client.ts copies only these fields into a new object, so nothing else survives the parse.
 */
export interface ContainerInspectSubset {
  RestartCount?: number;
  State?: {
    /** The container's init process as the daemon's host numbers it; 0 when not running. */
    Pid?: number;
    StartedAt?: string;
    OOMKilled?: boolean;
    /** The last run's exit code (0 while it runs). */
    ExitCode?: number;
    /** When the last run ended; Go's zero time when it never did. */
    FinishedAt?: string;
    Health?: { Status?: string };
  };
  HostConfig?: {
    NanoCpus?: number;
    CpuQuota?: number;
    CpuPeriod?: number;
    CpusetCpus?: string;
    CpuShares?: number;
    Memory?: number;
    MemoryReservation?: number;
    /** Memory plus swap; -1 unlimited; the daemon stores twice Memory when only Memory was set. */
    MemorySwap?: number;
    PidsLimit?: number | null;
    /** '', 'no', 'always', 'unless-stopped' or 'on-failure': whether the daemon starts it again. */
    RestartPolicy?: { Name?: string };
  };
}
