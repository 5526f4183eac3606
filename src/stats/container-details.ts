// Turns the inspect subset into ContainerDetails: the limits in cores and bytes, the
// start time in epoch ms, health as one of four words.

import type { ContainerInspectSubset } from '../docker/types.js';
import type { ContainerDetails, ContainerHealth } from './types.js';

const HEALTH: ReadonlySet<string> = new Set<ContainerHealth>(['starting', 'healthy', 'unhealthy', 'none']);

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
export function cpuLimitCores(host: NonNullable<ContainerInspectSubset['HostConfig']>): number | null {
  const limits: number[] = [];
  if ((host.NanoCpus ?? 0) > 0) limits.push((host.NanoCpus ?? 0) / 1e9);
  if ((host.CpuQuota ?? 0) > 0) limits.push((host.CpuQuota ?? 0) / ((host.CpuPeriod ?? 0) > 0 ? (host.CpuPeriod ?? 0) : 100_000));
  const cpuset = countCpuset(host.CpusetCpus ?? '');
  if (cpuset > 0) limits.push(cpuset);
  return limits.length === 0 ? null : Math.min(...limits);
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
