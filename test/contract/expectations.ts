// What the Engine API contract (cases.ts) expects of the daemon's answers, as reusable
// assertions: the shape of a running, a first and an exited container's stats record, the
// default HostConfig, and how a refusal surfaces through the client (DockerApiError).

import { expect } from 'vitest';
import type { ContainerInspectSubset, StatsRecord } from '../../src/docker/types.js';
import { DockerApiError } from '../../src/errors.js';

export const ZERO_TIME = '0001-01-01T00:00:00Z';
/** A full ID no daemon holds. */
export const UNKNOWN_ID = 'f'.repeat(64);
/** How far the daemon's clock may be from ours when a case compares times (same host). */
export const CLOCK_SLACK_MS = 2_000;
/** The longest a real daemon takes to show a change (a die, an empty stats record). */
export const SETTLE_MS = 10_000;

/** Rejects unless `promise` fails with a DockerApiError of `status`; returns its message. */
export async function apiErrorOf(promise: Promise<unknown>, status: number): Promise<string> {
  const error: unknown = await promise.then(
    () => new Error('expected the daemon to refuse, but it answered 2xx'),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DockerApiError);
  expect((error as DockerApiError).status, (error as Error).message).toBe(status);
  return (error as Error).message;
}

export function timeMs(iso: string | undefined): number {
  const ms = Date.parse(iso ?? '');
  if (Number.isNaN(ms)) throw new Error(`not a time: ${JSON.stringify(iso)}`);
  return ms;
}

export function expectRecentTime(iso: string | undefined, notBeforeMs: number): void {
  const ms = timeMs(iso);
  expect(ms).toBeGreaterThanOrEqual(notBeforeMs - CLOCK_SLACK_MS);
  expect(ms).toBeLessThanOrEqual(Date.now() + CLOCK_SLACK_MS);
}

/** The counters docker stats and stats/math.ts read, present and sane in a running container's record. */
export function expectRunningRecord(record: StatsRecord, id: string, name: string): void {
  expect(record.id).toBe(id);
  expect(record.name).toBe(`/${name}`);
  const cpu = record.cpu_stats;
  expect(cpu?.cpu_usage?.total_usage).toBeGreaterThan(0);
  expect(cpu?.system_cpu_usage).toBeGreaterThan(0);
  expect(cpu?.online_cpus).toBeGreaterThanOrEqual(1);
  expect(typeof cpu?.cpu_usage?.usage_in_usermode).toBe('number');
  expect(typeof cpu?.cpu_usage?.usage_in_kernelmode).toBe('number');
  expect(cpu?.throttling_data).toEqual({
    periods: expect.any(Number) as unknown,
    throttled_periods: expect.any(Number) as unknown,
    throttled_time: expect.any(Number) as unknown,
  });
  const memory = record.memory_stats;
  expect(memory?.usage).toBeGreaterThan(0);
  expect(memory?.limit).toBeGreaterThan(0);
  // cgroup v1 or v2: the inactive-file key the CLI subtracts is there under one of its names.
  const stats = memory?.stats ?? {};
  expect('total_inactive_file' in stats || 'inactive_file' in stats, JSON.stringify(stats)).toBe(true);
  expect(record.pids_stats?.current).toBeGreaterThanOrEqual(1);
  const eth0 = record.networks?.['eth0'];
  expect(eth0?.rx_bytes).toBeGreaterThanOrEqual(0);
  expect(eth0?.tx_bytes).toBeGreaterThanOrEqual(0);
  const blkio = record.blkio_stats?.io_service_bytes_recursive;
  expect(blkio === null || Array.isArray(blkio)).toBe(true);
}

/** The zeroed precpu of a first streamed or one-shot record: no system_cpu_usage, no online_cpus. */
export function expectEmptyPrecpu(record: StatsRecord): void {
  expect(record.preread).toBe(ZERO_TIME);
  expect(record.precpu_stats?.cpu_usage?.total_usage).toBe(0);
  expect(record.precpu_stats).not.toHaveProperty('system_cpu_usage');
  expect(record.precpu_stats).not.toHaveProperty('online_cpus');
}

/** An exited container's record: zero time, empty memory_stats, no networks key. */
export function expectEmptyRecord(record: StatsRecord, id: string): void {
  expect(record.id).toBe(id);
  expect(record.read).toBe(ZERO_TIME);
  expect(record.memory_stats).toEqual({});
  expect(record.pids_stats).toEqual({});
  expect(record).not.toHaveProperty('networks');
  expect(record.cpu_stats?.cpu_usage?.total_usage).toBe(0);
}

export const DEFAULT_HOST_CONFIG: NonNullable<ContainerInspectSubset['HostConfig']> = {
  NanoCpus: 0,
  CpuQuota: 0,
  CpuPeriod: 0,
  CpuShares: 0,
  Memory: 0,
  MemoryReservation: 0,
  MemorySwap: 0,
  CpusetCpus: '',
  RestartPolicy: { Name: 'no' },
};
