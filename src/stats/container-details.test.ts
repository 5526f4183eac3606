import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pickInspectSubset } from '../docker/client.js';
import { cfsQuotaUs, countCpuset, cpuLimitCores, cpuShares, toContainerDetails, toHealth } from './container-details.js';

const MIB = 1024 * 1024;

function inspectFixture(path: string): unknown {
  const body = JSON.parse(readFileSync(new URL(`../../test/fixtures/${path}`, import.meta.url), 'utf8')) as unknown;
  return Array.isArray(body) ? body[0] : body;
}

describe('inspect → ContainerDetails', () => {
  it('reads restarts, start time, health, OOM and limits', () => {
    const details = toContainerDetails({
      RestartCount: 4,
      State: { StartedAt: '2026-11-25T12:00:00.123456789Z', OOMKilled: true, Health: { Status: 'unhealthy' } },
      HostConfig: { NanoCpus: 500_000_000, Memory: 67_108_864, PidsLimit: 100 },
    });
    expect(details).toEqual({
      startedAtMs: Date.parse('2026-11-25T12:00:00.123Z'),
      restartCount: 4,
      health: 'unhealthy',
      lastExitOomKilled: true,
      oomKillsSeen: 0,
      cpuLimitCores: 0.5,
      memoryLimitBytes: 67_108_864,
      cpuPeriodUs: 100_000,
      cpuQuotaUs: 50_000,
      cpuShares: 1024,
      memoryReservationBytes: null,
      memorySwapLimitBytes: null,
      pidsLimit: 100,
      restartPolicy: '',
    });
  });

  it.each([
    [
      'a real Docker inspect, -m 256m only (the daemon stored MemorySwap = 2 × Memory)',
      'docker/cgroup-v2/otel-collector-contrib/container.json',
      { cpuPeriodUs: 100_000, cpuQuotaUs: null, cpuShares: 1024, memoryLimitBytes: 256 * MIB, memoryReservationBytes: null, memorySwapLimitBytes: 512 * MIB },
    ],
    [
      'Podman, --cpus 0.5 (it fills CpuPeriod and CpuQuota as well as NanoCpus)',
      'podman/inspect-pm-burn.json',
      { cpuPeriodUs: 100_000, cpuQuotaUs: 50_000, cpuShares: 1024, memoryLimitBytes: null, memoryReservationBytes: null, memorySwapLimitBytes: null },
    ],
    [
      'Podman, -m 64m',
      'podman/inspect-pm-mem.json',
      { cpuPeriodUs: 100_000, cpuQuotaUs: null, cpuShares: 1024, memoryLimitBytes: 64 * MIB, memoryReservationBytes: null, memorySwapLimitBytes: 128 * MIB },
    ],
  ])('reads the CPU and memory settings of %s', (_name, path, expected) => {
    expect(toContainerDetails(pickInspectSubset(inspectFixture(path)))).toMatchObject(expected);
  });

  it('reads explicit settings, and unlimited swap (-1) as none', () => {
    const details = toContainerDetails({
      HostConfig: { CpuQuota: 25_000, CpuPeriod: 50_000, CpuShares: 512, Memory: 128 * MIB, MemoryReservation: 64 * MIB, MemorySwap: -1 },
    });
    expect(details).toMatchObject({
      cpuPeriodUs: 50_000,
      cpuQuotaUs: 25_000,
      cpuShares: 512,
      memoryLimitBytes: 128 * MIB,
      memoryReservationBytes: 64 * MIB,
      memorySwapLimitBytes: null,
    });
  });

  it.each([
    [{ NanoCpus: 1_500_000_000 }, 150_000],
    [{ NanoCpus: 333_333_333 }, 33_333],
    [{ CpuQuota: 20_000, CpuPeriod: 10_000 }, 20_000],
    [{ CpuQuota: -1 }, null],
    [{}, null],
  ])('takes the CFS quota of %j as %s µs', (host, quota) => {
    expect(cfsQuotaUs(host)).toBe(quota);
  });

  it.each([
    [undefined, 1024],
    [0, 1024],
    [512, 512],
    [1, 2],
    [1_000_000, 262_144],
  ])('reads CpuShares %s as the kernel holds it: %i', (requested, shares) => {
    expect(cpuShares(requested)).toBe(shares);
  });

  it('treats missing fields, zero limits and Go zero time as unknown or unlimited', () => {
    const details = toContainerDetails({
      State: { StartedAt: '0001-01-01T00:00:00Z' },
      HostConfig: { NanoCpus: 0, CpuQuota: -1, Memory: 0, PidsLimit: -1 },
    });
    expect(details).toMatchObject({
      startedAtMs: null,
      restartCount: 0,
      health: 'none',
      lastExitOomKilled: false,
      cpuLimitCores: null,
      memoryLimitBytes: null,
      cpuPeriodUs: 100_000,
      cpuQuotaUs: null,
      cpuShares: 1024,
      memoryReservationBytes: null,
      memorySwapLimitBytes: null,
      pidsLimit: null,
      restartPolicy: '',
    });
    expect(toContainerDetails({}).startedAtMs).toBeNull();
  });

  it.each([
    [{ NanoCpus: 1_500_000_000 }, 1.5],
    [{ CpuQuota: 50_000, CpuPeriod: 100_000 }, 0.5],
    [{ CpuQuota: 200_000 }, 2],
    [{ CpusetCpus: '0-2,5' }, 4],
    [{ NanoCpus: 3_000_000_000, CpusetCpus: '0' }, 1],
    [{}, null],
  ])('takes the tightest CPU limit of %j: %s', (host, cores) => {
    expect(cpuLimitCores(host)).toBe(cores);
  });

  it.each([
    ['0', 1],
    ['0-3', 4],
    ['1,3,5-6', 4],
    ['', 0],
    ['x,2', 1],
    ['5-2', 0],
  ])('counts the cpuset %j as %i cores', (cpuset, count) => {
    expect(countCpuset(cpuset)).toBe(count);
  });

  it.each([
    ['healthy', 'healthy'],
    ['health_status: unhealthy', 'unhealthy'],
    ['health_status: starting', 'starting'],
    ['<b>', 'none'],
    [undefined, 'none'],
  ])('reads the health %j as %s', (status, health) => {
    expect(toHealth(status)).toBe(health);
  });
});
