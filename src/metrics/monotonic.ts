// Keeps exported counters monotonic per container across restarts.
//
// A container restarted under the same ID (docker restart, a restart policy) gets a
// new cgroup and a new network namespace, so every counter Docker reports starts
// again near 0. Prometheus would read that as a counter reset, which rate() survives
// but increase() over the restart and dashboards plotting raw counters do not. So each
// series (family + labels, within one container ID) keeps an offset:
//
// - a restart is recognised by the container's total CPU time going down (it only
//   ever grows within one cgroup); then every series of that container has its last
//   raw value added to its offset, so new = raw + everything counted before;
// - any single series whose raw value goes down (an interface removed and added
//   again by `docker network disconnect/connect`) gets its own last value added.
//
// Exported values therefore never go down while the agent runs. A restart whose new
// CPU time already passed the old total by the next scrape is not recognised; its
// counters still never go down, they only undercount that one interval. The state of
// an ID not seen for `retentionMs` is dropped: a stopped container that comes back
// after that starts from Docker's raw values (a reset Prometheus handles as usual),
// and removed containers do not pile up.

export interface MonotonicCounters {
  /**
   * Starts one scrape of container `id`, whose total CPU time is `cpuUsageRaw` (any
   * unit, as long as it is always the same), and returns the adjuster for its series.
   */
  container(id: string, cpuUsageRaw: number): (seriesKey: string, raw: number) => number;
  /** Ends a scrape: IDs not given here and unseen for retentionMs are forgotten. */
  sweep(seenIds: ReadonlySet<string>): void;
  /** Container IDs with kept state (for tests and self-metrics). */
  size(): number;
}

interface SeriesState {
  lastRaw: number;
  offset: number;
}

interface ContainerState {
  lastSeenMs: number;
  lastCpuRaw: number;
  series: Map<string, SeriesState>;
}

export function createMonotonicCounters(options: { retentionMs: number; now: () => number }): MonotonicCounters {
  const containers = new Map<string, ContainerState>();

  return {
    container(id, cpuUsageRaw) {
      const nowMs = options.now();
      let state = containers.get(id);
      if (state === undefined) {
        state = { lastSeenMs: nowMs, lastCpuRaw: cpuUsageRaw, series: new Map() };
        containers.set(id, state);
      } else if (cpuUsageRaw < state.lastCpuRaw) {
        for (const series of state.series.values()) {
          series.offset += series.lastRaw;
          series.lastRaw = 0;
        }
      }
      state.lastSeenMs = nowMs;
      state.lastCpuRaw = cpuUsageRaw;
      const { series } = state;
      return (seriesKey, raw) => {
        let kept = series.get(seriesKey);
        if (kept === undefined) {
          kept = { lastRaw: 0, offset: 0 };
          series.set(seriesKey, kept);
        }
        if (raw < kept.lastRaw) kept.offset += kept.lastRaw;
        kept.lastRaw = raw;
        return raw + kept.offset;
      };
    },
    sweep(seenIds) {
      const nowMs = options.now();
      for (const [id, state] of containers) {
        if (!seenIds.has(id) && nowMs - state.lastSeenMs > options.retentionMs) containers.delete(id);
      }
    },
    size: () => containers.size,
  };
}
