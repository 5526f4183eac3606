import { describe, expect, it } from 'vitest';
import { pickInspectSubset } from './client.js';

const CANARY = 'CANARY_SECRET_9f1c2e';

describe('pickInspectSubset', () => {
  const body = {
    Id: 'a'.repeat(64),
    RestartCount: 2,
    State: {
      Status: 'running',
      StartedAt: '2026-11-25T12:00:00Z',
      OOMKilled: false,
      Health: { Status: 'healthy', Log: [{ Output: `token=${CANARY}` }] },
    },
    HostConfig: {
      NanoCpus: 1e9,
      CpuQuota: 0,
      CpuPeriod: 0,
      CpuShares: 512,
      CpusetCpus: '0-1',
      Memory: 268_435_456,
      MemoryReservation: 0,
      MemorySwap: 536_870_912,
      PidsLimit: null,
      Binds: [`/s:/${CANARY}`],
      LogConfig: { Type: 'json-file', Config: { token: CANARY } },
    },
    Config: { Env: [`PASSWORD=${CANARY}`], Labels: { a: 'b' }, Cmd: ['sh', '-c', `echo ${CANARY}`] },
    Mounts: [{ Source: `/${CANARY}` }],
  };

  it('keeps the named fields and nothing else: no environment, command, health log or mounts', () => {
    const picked = pickInspectSubset(body);
    expect(picked).toEqual({
      RestartCount: 2,
      State: { StartedAt: '2026-11-25T12:00:00Z', OOMKilled: false, Health: { Status: 'healthy' } },
      HostConfig: {
        NanoCpus: 1e9,
        CpuQuota: 0,
        CpuPeriod: 0,
        CpuShares: 512,
        CpusetCpus: '0-1',
        Memory: 268_435_456,
        MemoryReservation: 0,
        MemorySwap: 536_870_912,
      },
    });
    expect(JSON.stringify(picked)).not.toContain(CANARY);
  });

  it('ignores fields of the wrong type and bodies that are not objects', () => {
    expect(pickInspectSubset({ RestartCount: '3', State: { StartedAt: 5, OOMKilled: 'yes' }, HostConfig: { Memory: 'x', CpuShares: '512', MemorySwap: null } })).toEqual({
      State: {},
      HostConfig: {},
    });
    expect(pickInspectSubset(null)).toEqual({ State: {}, HostConfig: {} });
    expect(pickInspectSubset([1, 2])).toEqual({ State: {}, HostConfig: {} });
  });
});
