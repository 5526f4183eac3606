// The yardstick of the real-daemon suite, checked on its own: the `docker stats` strings
// parse back to the right numbers with the right rounding, and the comparison does flag a
// wrong figure (so a green comparison means something). No daemon needed.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseBinarySize, parseDecimalSize, parsePercent, parseStatsRow } from '../helpers/docker-cli.js';
import { bytesSize, humanSizeWithPrecision } from '../helpers/docker-units.js';
import { compareEntry } from './compare.js';
import type { ContainerEntry } from './containers.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'docker', 'cgroup-v1');

describe('docker stats strings back to numbers', () => {
  it('parses the golden CLI output', () => {
    const lines = readFileSync(path.join(fixtures, 'golden-docker-stats-cli.ndjson'), 'utf8').split('\n').filter(Boolean);
    const rows = new Map(lines.map((line) => {
      const row = parseStatsRow(line, 0);
      return [row.name, row] as const;
    }));
    const memory = rows.get('gold-memory');
    const server = rows.get('gold-server');
    const burner = rows.get('gold-burner');
    expect(memory?.memoryUsage.bytes).toBeCloseTo(40.92 * 1024 * 1024, 0);
    expect(memory?.memoryLimit.bytes).toBe(64 * 1024 * 1024);
    expect(memory?.memoryPercent).toBe(63.93);
    expect(server?.netRx.bytes).toBe(41e6);
    expect(server?.netTx.bytes).toBeCloseTo(1.68e6, 3);
    expect(server?.pids).toBe(2);
    expect(burner?.cpuPercent).toBe(50.51);
    expect(burner?.memoryUsage.bytes).toBe(328 * 1024);
  });

  it('knows the rounding step of what the CLI printed (%.4g binary, %.3g decimal)', () => {
    expect(parseBinarySize('64MiB').roundingBytes).toBeCloseTo(0.005 * 1024 * 1024, 6);
    expect(parseBinarySize('23.54GiB').roundingBytes).toBeCloseTo(0.005 * 1024 ** 3, 3);
    expect(parseDecimalSize('41MB').roundingBytes).toBeCloseTo(0.05e6, 6);
    expect(parseDecimalSize('1.68MB').roundingBytes).toBeCloseTo(0.005e6, 6);
    expect(parseDecimalSize('0B').roundingBytes).toBe(0);
    expect(parsePercent('--')).toBeNull();
    expect(() => parseDecimalSize('12 parsecs')).toThrow(/cannot parse/);
  });

  it('round-trips: the printed size of x parses back to within its rounding of x', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 5_000; i++) {
      const x = Math.floor(10 ** (random() * 12));
      const binary = parseBinarySize(bytesSize(x));
      expect(Math.abs(binary.bytes - x), `${x} → ${bytesSize(x)}`).toBeLessThanOrEqual(binary.roundingBytes * (1 + 1e-9) + 1e-6);
      const decimal = parseDecimalSize(humanSizeWithPrecision(x, 3));
      expect(Math.abs(decimal.bytes - x), `${x} → ${humanSizeWithPrecision(x, 3)}`).toBeLessThanOrEqual(
        decimal.roundingBytes * (1 + 1e-9) + 1e-6,
      );
    }
  });
});

describe('the comparison', () => {
  const cli = parseStatsRow(
    '{"BlockIO":"0B / 0B","CPUPerc":"0.00%","Container":"gold-memory","ID":"a3d2c4bfaf48","MemPerc":"63.93%","MemUsage":"40.92MiB / 64MiB","Name":"gold-memory","NetIO":"586B / 0B","PIDs":"1"}',
    0,
  );
  const good: ContainerEntry = {
    id: `a3d2c4bfaf48${'0'.repeat(52)}`,
    name: 'gold-memory',
    image: 'dockmon-test-busybox',
    state: 'running',
    network_mode: 'default',
    read: '2026-11-25T12:00:00.000000000Z',
    sample_age_seconds: 0.5,
    stale: false,
    cpu: 0,
    online_cpus: 2,
    memory: 63.93,
    memory_usage_bytes: Math.round(40.92 * 1024 * 1024),
    memory_raw_usage_bytes: Math.round(50.92 * 1024 * 1024),
    memory_limit_bytes: 64 * 1024 * 1024,
    network_in: 586 / 1024,
    network_out: 0,
    network_rx_bytes: 586,
    network_tx_bytes: 0,
    network_rx_bytes_per_second: 0,
    network_tx_bytes_per_second: 0,
    block_read_bytes: 0,
    block_write_bytes: 0,
    pids: 1,
    source: 'api',
    cpu_usage_seconds: 0.1,
    cpu_periods: 0,
    cpu_throttled_periods: 0,
    cpu_throttled_seconds: 0,
    block_read_ops: 0,
    block_write_ops: 0,
    oom_kills: null,
    memory_swap_bytes: null,
    memory_failcnt: 0,
    memory_max_usage_bytes: null,
    pressure_avg10_percent: null,
  };
  const failing = (entry: ContainerEntry): string[] =>
    compareEntry(entry, cli, { cpuTolerance: 3, cpuMayBeNull: false })
      .filter((check) => !check.ok)
      .map((check) => check.field);

  it('accepts the right figures', () => {
    expect(failing(good)).toEqual([]);
  });

  it('flags each wrong figure', () => {
    // Cache counted as used (the seed's flaw): +10 MiB.
    expect(failing({ ...good, memory_usage_bytes: Math.round(50.92 * 1024 * 1024) })).toEqual(['memory_usage_bytes']);
    expect(failing({ ...good, memory_limit_bytes: 65 * 1024 * 1024 })).toEqual(['memory_limit_bytes']);
    expect(failing({ ...good, memory: 66 })).toEqual(['memory']);
    expect(failing({ ...good, cpu: 5 })).toEqual(['cpu']);
    expect(failing({ ...good, cpu: null })).toEqual(['cpu']);
    expect(failing({ ...good, network_rx_bytes: 586 * 1024 })).toEqual(['network_rx_bytes']);
    expect(failing({ ...good, block_write_bytes: 4096 })).toEqual(['block_write_bytes']);
    expect(failing({ ...good, pids: 2 })).toEqual(['pids']);
  });
});
