import { describe, expect, it } from 'vitest';
import { countCpuset, cpuLimitCores, toContainerDetails, toHealth } from './container-details.js';

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
      pidsLimit: 100,
      restartPolicy: '',
    });
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
