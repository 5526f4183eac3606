// Podman's stats records (captured from Podman 4.3.1 on this machine: test/fixtures/podman/,
// see its README) read as `podman stats` reads them: CPU over wall time, memory as sent.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StatsRecord } from '../docker/types.js';
import { toContainerSample } from './sample.js';

const FIXTURES = new URL('../../test/fixtures/podman/', import.meta.url);
const records = (file: string): StatsRecord[] =>
  readFileSync(new URL(file, FIXTURES), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as StatsRecord);
const record = (file: string): StatsRecord => JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as StatsRecord;

describe("Podman's stats records", () => {
  it('a --cpus 0.5 burner reads ~50% on the wall clock', () => {
    const stream = records('stats-pm-burn-stream.ndjson');
    // The first record's baseline is 17 ms old: too short to say anything (null, no previous sample).
    expect(toContainerSample(stream[0] as StatsRecord, undefined, undefined, { cpuClock: 'wall' })?.cpuPercent).toBeNull();
    for (const streamed of stream.slice(1)) {
      const wall = toContainerSample(streamed, undefined, undefined, { cpuClock: 'wall' });
      // podman stats showed 49.35–49.78% for this container (podman-stats-*.txt); the
      // record's own interval is ~5 s (or 17 ms for the first), so allow a few points.
      expect(wall?.cpuPercent).toBeGreaterThan(45);
      expect(wall?.cpuPercent).toBeLessThan(55);
    }
  });

  it("a one-shot record has no baseline of its own: the wall clock uses the container's previous sample", () => {
    const oneShot = record('stats-pm-burn-one-shot.json');
    expect(toContainerSample(oneShot, undefined, undefined, { cpuClock: 'wall' })?.cpuPercent).toBeNull();
    const [first, second] = records('stats-pm-burn-stream.ndjson');
    if (first === undefined || second === undefined) throw new Error('fixture too short');
    const previous = toContainerSample(first, undefined, undefined, { cpuClock: 'wall' }) ?? undefined;
    const withoutPre = { ...second, precpu_stats: {}, preread: '0001-01-01T00:00:00Z' } as StatsRecord;
    const sample = toContainerSample(withoutPre, previous, undefined, { cpuClock: 'wall' });
    expect(sample?.cpuPercent).toBeGreaterThan(45);
    expect(sample?.cpuPercent).toBeLessThan(55);
    // Docker's formula on the same pair divides by Podman's system_cpu_usage, the root
    // cgroup's busy time, not the host's CPU time: far from podman stats' 50%.
    const docker = toContainerSample(withoutPre, previous, undefined, { cpuClock: 'system' });
    expect(Math.abs((docker?.cpuPercent ?? 0) - 50)).toBeGreaterThan(10);
  });

  it('memory is the usage as sent (no memory.stat to subtract from), against the limit, as podman stats shows', () => {
    // podman stats at that moment: "20.31MB / 67.11MB", 30.26% (same-moment-comparison.txt).
    const oneShot = record('stats-pm-mem-one-shot.json') as StatsRecord & { memory_stats: { usage: number; limit: number } };
    const sample = toContainerSample(oneShot, undefined, undefined, { cpuClock: 'wall' });
    expect(sample?.memoryUsageBytes).toBe(oneShot.memory_stats.usage);
    expect(sample?.memoryLimitBytes).toBe(67108864);
    expect(sample?.memoryUsageBytes).toBeGreaterThan(20.2e6);
    expect(sample?.memoryUsageBytes).toBeLessThan(20.4e6);
    expect(sample?.memoryPercent).toBeCloseTo(30.27, 1);
  });
});
