// Turns the inspect subset into ContainerDetails: the limits in cores and bytes, the CPU
// and memory settings as the kernel applies them, the start time in epoch ms, health as
// one of four words.

import type { ContainerInspectSubset } from '../docker/types.js';
import type { ContainerDetails, ContainerHealth } from './types.js';

const HEALTH: ReadonlySet<string> = new Set<ContainerHealth>(['starting', 'healthy', 'unhealthy', 'none']);

/** The kernel's default CFS period, and the one the daemon sets for --cpus (moby daemon/oci_linux.go, getCPUResources). */
const DEFAULT_CFS_PERIOD_US = 100_000;
/** cgroup v1's cpu.shares: the kernel's default and its bounds (kernel/sched: MIN_SHARES, MAX_SHARES). */
const DEFAULT_CPU_SHARES = 1024;
const MIN_CPU_SHARES = 2;
const MAX_CPU_SHARES = 262_144;
const NS_PER_SECOND = 1e9;

type HostConfig = NonNullable<ContainerInspectSubset['HostConfig']>;

export function toContainerDetails(inspect: ContainerInspectSubset, oomKillsSeen = 0): ContainerDetails {
  const host = inspect.HostConfig ?? {};
  const startedAtMs = Date.parse(inspect.State?.StartedAt ?? '');
  return {
    // Go's zero time (0001-01-01) parses to a negative number: unknown.
    startedAtMs: Number.isFinite(startedAtMs) && startedAtMs > 0 ? startedAtMs : null,
    restartCount: Math.max(0, Math.floor(inspect.RestartCount ?? 0)),
    health: toHealth(inspect.State?.Health?.Status),
    lastExitOomKilled: inspect.State?.OOMKilled === true,
    oomKillsSeen,
    cpuLimitCores: cpuLimitCores(host),
    memoryLimitBytes: positiveOrNull(host.Memory),
    cpuPeriodUs: positiveOrNull(host.CpuPeriod) ?? DEFAULT_CFS_PERIOD_US,
    cpuQuotaUs: cfsQuotaUs(host),
    cpuShares: cpuShares(host.CpuShares),
    memoryReservationBytes: positiveOrNull(host.MemoryReservation),
    // The daemon has already stored twice --memory when only --memory was given (moby
    // daemon/daemon_unix.go, adaptContainerSettings; Podman does the same); -1 is unlimited.
    memorySwapLimitBytes: positiveOrNull(host.MemorySwap),
    pidsLimit: positiveOrNull(host.PidsLimit ?? undefined),
    restartPolicy: host.RestartPolicy?.Name ?? '',
  };
}

/** "healthy", "health_status: healthy" (an event action) or anything else → a ContainerHealth. */
export function toHealth(status: string | undefined): ContainerHealth {
  const word = (status ?? '').replace(/^health_status:\s*/, '').trim();
  return HEALTH.has(word) ? (word as ContainerHealth) : 'none';
}

/**
 * The tightest of the three ways Docker limits CPU: --cpus (NanoCpus), a CFS quota over
 * its period (--cpu-quota/--cpu-period), and --cpuset-cpus (a count of cores).
 */
export function cpuLimitCores(host: HostConfig): number | null {
  const limits: number[] = [];
  if ((host.NanoCpus ?? 0) > 0) limits.push((host.NanoCpus ?? 0) / NS_PER_SECOND);
  if ((host.CpuQuota ?? 0) > 0) limits.push((host.CpuQuota ?? 0) / (positiveOrNull(host.CpuPeriod) ?? DEFAULT_CFS_PERIOD_US));
  const cpuset = countCpuset(host.CpusetCpus ?? '');
  if (cpuset > 0) limits.push(cpuset);
  return limits.length === 0 ? null : Math.min(...limits);
}

/**
 * The CFS quota the daemon writes: --cpu-quota as given, or for --cpus (NanoCpus) that
 * many CPUs of the default period, in whole µs (moby daemon/oci_linux.go,
 * getCPUResources). The daemon refuses both at once; null when there is neither (-1
 * and 0 both mean none).
 */
export function cfsQuotaUs(host: HostConfig): number | null {
  const quota = positiveOrNull(host.CpuQuota);
  if (quota !== null) return quota;
  const nanoCpus = positiveOrNull(host.NanoCpus);
  return nanoCpus === null ? null : Math.floor((nanoCpus * DEFAULT_CFS_PERIOD_US) / NS_PER_SECOND);
}

/** cpu.shares as the kernel holds it: 0 (unset) leaves its default, other values are clamped. */
export function cpuShares(requested: number | undefined): number {
  const shares = positiveOrNull(requested);
  return shares === null ? DEFAULT_CPU_SHARES : Math.min(MAX_CPU_SHARES, Math.max(MIN_CPU_SHARES, Math.floor(shares)));
}

/** "0-2,5" → 4. Malformed parts count as nothing. */
export function countCpuset(cpuset: string): number {
  let count = 0;
  for (const part of cpuset.split(',')) {
    const match = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!match) continue;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last >= first) count += last - first + 1;
  }
  return count;
}

function positiveOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : null;
}
