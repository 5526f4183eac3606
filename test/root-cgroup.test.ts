// The host's series (cAdvisor's root cgroup, id="/") from real files.
//
// cgroup v1: test/fixtures/root-cgroup-v1, captured on this project's CI machine by
// scripts/capture-root-cgroup.sh: the root's cgroup files, each read next to the /proc
// file the kernel keeps the same figures in. The root's numbers must be the kernel's
// host-wide ones: CPU time as /proc/stat counts it (the kernel scales cpuacct.stat to the
// scheduler's own clock, 1-2% apart from tick counting) and memory as /proc/meminfo has it.
//
// cgroup v2 (not available here): test/fixtures/root-cgroup-v2, a root cgroup published by
// accident in a public repository with the same machine's NUMA-node meminfo, plus
// /proc files from other projects for the swap and network arithmetic (SOURCES.md).

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileReader, type FileReader } from '../src/kernel/file-reader.js';
import { detectCgroupLayout, type CgroupLayout } from '../src/kernel/layout.js';
import { createRootCgroupReader, openRootCgroup, rootCgroupProblem } from '../src/kernel/root-cgroup.js';
import { buildRootSample, hostInterfaces, parseMeminfo, type RootTexts } from '../src/kernel/root-sample.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const v1 = path.join(fixtures, 'root-cgroup-v1');
const v2 = path.join(fixtures, 'root-cgroup-v2');
const read = (...parts: string[]): string => readFileSync(path.join(...parts), 'latin1');
const READ_MS = Date.parse('2026-11-30T19:11:00.250Z');
const TICK_NS = 1e7;

function layoutOf(root: string): CgroupLayout {
  const result = detectCgroupLayout(root);
  if (!result.ok) throw new Error(result.reason);
  return result.layout;
}

function v1Texts(): Extract<RootTexts, { version: 1 }> {
  return {
    version: 1,
    cpuacctUsage: read(v1, 'sys/fs/cgroup/cpuacct/cpuacct.usage'),
    cpuacctStat: read(v1, 'sys/fs/cgroup/cpuacct/cpuacct.stat'),
    memoryUsage: read(v1, 'sys/fs/cgroup/memory/memory.usage_in_bytes'),
    memoryStat: read(v1, 'sys/fs/cgroup/memory/memory.stat'),
    useHierarchy: read(v1, 'sys/fs/cgroup/memory/memory.use_hierarchy'),
    meminfo: read(v1, 'proc/meminfo'),
    netDev: read(v1, 'proc/1/net/dev'),
  };
}

function v2Texts(): Extract<RootTexts, { version: 2 }> {
  return {
    version: 2,
    cpuStat: read(v2, 'sys/fs/cgroup/cpu.stat'),
    memoryStat: read(v2, 'sys/fs/cgroup/memory.stat'),
    meminfo: read(v2, 'proc/meminfo'),
    netDev: read(v2, 'proc/1/net/dev'),
  };
}

/** The `cpu` line of a /proc/stat in ticks. */
function procStatTicks(text: string): number[] {
  return (text.split('\n').find((line) => line.startsWith('cpu ')) ?? '').slice(4).trim().split(/\s+/).map(Number);
}

function within(actual: number, expected: number, fraction: number): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(Math.abs(expected) * fraction);
}

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of a fixture tree that a test may change. */
function copyOf(tree: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dockmon-root-'));
  temporary.push(dir);
  cpSync(tree, dir, { recursive: true });
  return dir;
}

describe('the root cgroup on cgroup v1 (captured here)', () => {
  const sample = buildRootSample(v1Texts(), READ_MS);
  const meminfo = parseMeminfo(read(v1, 'proc/meminfo'));
  const kib = (key: string): number => meminfo[key] ?? Number.NaN;

  it('takes the figures cAdvisor takes: cpuacct.usage and .stat, memory.usage_in_bytes and the total_* keys', () => {
    expect(sample).toMatchObject({
      readMs: READ_MS,
      cpuUsageNs: 14_818_084_727_864,
      cpuUserNs: 1_033_488 * TICK_NS,
      cpuSystemNs: 448_319 * TICK_NS,
      memoryUsageBytes: 1_941_753_856,
      memoryWorkingSetBytes: 1_941_753_856 - 669_384_704,
      memoryRssBytes: 259_764_224,
      memoryCacheBytes: 1_682_100_224,
      memorySwapBytes: 0,
      memoryTotalBytes: 24_683_656 * 1024,
    });
  });

  it('agrees with /proc/stat: user, system and their sum within 2% (scheduler clock against ticks)', () => {
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = procStatTicks(read(v1, 'proc/stat'));
    within(sample.cpuUserNs, (user + nice) * TICK_NS, 0.02);
    within(sample.cpuSystemNs, (system + irq + softirq) * TICK_NS, 0.02);
    within(sample.cpuUsageNs, (user + nice + system + irq + softirq) * TICK_NS, 0.02);
    // cpuacct.stat is scaled to sum to cpuacct.usage (kernel/sched/cpuacct.c, cputime_adjust).
    within(sample.cpuUserNs + sample.cpuSystemNs, sample.cpuUsageNs, 0.001);
  });

  it('agrees with /proc/meminfo within 0.1%: rss is AnonPages, cache the file pages, usage both', () => {
    const filePages = kib('Buffers') + kib('Cached') + kib('SwapCached');
    within(sample.memoryRssBytes, kib('AnonPages'), 0.001);
    within(sample.memoryCacheBytes, filePages, 0.001);
    within(sample.memoryUsageBytes, kib('AnonPages') + filePages, 0.001);
    within(sample.memoryWorkingSetBytes, kib('AnonPages') + filePages - kib('Inactive(file)'), 0.001);
    expect(sample.memorySwapBytes).toBe(kib('SwapTotal') - kib('SwapFree'));
  });

  it("lists the host's interfaces from PID 1's net/dev without lo, veth* and docker0, as cAdvisor", () => {
    expect(sample.networkInterfaces.map((iface) => iface.name)).toEqual(['eth0', 'ifb0', 'ifb1']);
    expect(sample.networkInterfaces[0]).toEqual({
      name: 'eth0',
      rxBytes: 782_182_742,
      rxPackets: 24_204,
      rxErrors: 0,
      rxDropped: 0,
      txBytes: 1_728_603,
      txPackets: 17_334,
      txErrors: 0,
      txDropped: 0,
    });
  });

  it('reads rss, cache and swap without the total_ prefix when use_hierarchy is 0', () => {
    const flat = buildRootSample({ ...v1Texts(), useHierarchy: '0\n' }, READ_MS);
    expect(flat.memoryRssBytes).toBe(4_009_984);
    expect(flat.memoryCacheBytes).toBe(9_523_200);
    expect(flat.memoryWorkingSetBytes).toBe(sample.memoryWorkingSetBytes);
  });

  it('has no swap figure when the kernel does not account swap (no swap key in memory.stat)', () => {
    const memoryStat = v1Texts().memoryStat.replace(/^(total_)?swap \d+\n/gm, '');
    expect(buildRootSample({ ...v1Texts(), memoryStat }, READ_MS).memorySwapBytes).toBeNull();
  });

  it('reads the captured tree through HOST_CGROUP and HOST_PROC, at most once per maxAgeMs', () => {
    let nowMs = READ_MS;
    let reads = 0;
    const files = createFileReader({ maxOpen: 16 });
    const counting: FileReader = { ...files, open: (file) => files.open(file), read: (file) => ((reads += 1), files.read(file)), close: (file) => files.close(file) };
    const reader = createRootCgroupReader(
      { layout: layoutOf(path.join(v1, 'sys/fs/cgroup')), hostProc: path.join(v1, 'proc'), files: counting, now: () => nowMs },
      { maxAgeMs: 1000 },
    );
    const first = reader.read();
    expect(first).toEqual(sample);
    const perRead = reads;
    expect(perRead).toBe(7);
    nowMs += 999;
    expect(reader.read()).toBe(first);
    expect(reads).toBe(perRead);
    nowMs += 1;
    expect(reader.read()?.readMs).toBe(READ_MS + 1000);
    expect(reads).toBe(2 * perRead);
    reader.close();
    expect(files.openCount).toBe(0);
  });

  it('reports a file that stops reading once, leaves the series out, and recovers', () => {
    const tree = copyOf(v1);
    const problems: (string | null)[] = [];
    let nowMs = READ_MS;
    const reader = createRootCgroupReader(
      { layout: layoutOf(path.join(tree, 'sys/fs/cgroup')), hostProc: path.join(tree, 'proc'), now: () => nowMs, onProblem: (reason) => problems.push(reason) },
      { maxAgeMs: 1000 },
    );
    expect(reader.read()).not.toBeNull();
    writeFileSync(path.join(tree, 'sys/fs/cgroup/memory/memory.usage_in_bytes'), 'garbage\n');
    for (const step of [1000, 1000]) {
      nowMs += step;
      expect(reader.read()).toBeNull();
    }
    writeFileSync(path.join(tree, 'sys/fs/cgroup/memory/memory.usage_in_bytes'), '1941753856\n');
    nowMs += 1000;
    expect(reader.read()?.memoryUsageBytes).toBe(1_941_753_856);
    expect(problems).toEqual([expect.stringContaining('cannot read the root cgroup: not a counter'), null]);
    reader.close();
  });
});

describe('the root cgroup on cgroup v2 (published files)', () => {
  const sample = buildRootSample(v2Texts(), READ_MS);

  it('takes usage and user/system from cpu.stat, and usage = anon + file (the root has no memory.current)', () => {
    expect(sample).toMatchObject({
      cpuUsageNs: 59_960_000 * 1000,
      cpuUserNs: 38_411_000 * 1000,
      cpuSystemNs: 21_549_000 * 1000,
      memoryUsageBytes: 465_981_440 + 1_037_574_144,
      memoryWorkingSetBytes: 465_981_440 + 1_037_574_144 - 267_272_192,
      memoryRssBytes: 465_981_440,
      memoryCacheBytes: 1_037_574_144,
      // SwapTotal − SwapFree of the meminfo beside it: 8388604 − 8386812 kB.
      memorySwapBytes: 1792 * 1024,
      memoryTotalBytes: 61_641_404 * 1024,
    });
  });

  it("agrees with the same machine's node meminfo (one NUMA node): anon within 0.1%, file pages within 3%", () => {
    // Copied with the rest of /sys a few seconds apart: the page cache moved a little.
    const node = parseMeminfo(read(v2, 'sys/devices/system/node/node0/meminfo').replace(/^Node 0 /gm, ''));
    within(sample.memoryRssBytes, node['AnonPages'] ?? Number.NaN, 0.001);
    within(sample.memoryCacheBytes, node['FilePages'] ?? Number.NaN, 0.03);
  });

  it('keeps eth0 and leaves out lo, the veth and docker0 of the host side', () => {
    expect(sample.networkInterfaces.map((iface) => [iface.name, iface.rxBytes, iface.txBytes])).toEqual([['eth0', 874_354_587, 563_352_563]]);
  });

  it('falls back to /proc/stat without a root cpu.stat (before Linux 5.8), as the kernel sums it', () => {
    const { cpuStat: _cpuStat, ...rest } = v2Texts();
    const procStat = read(v2, 'proc/stat');
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = procStatTicks(procStat);
    const fallback = buildRootSample({ ...rest, procStat }, READ_MS);
    expect(fallback.cpuUserNs).toBe((user + nice) * TICK_NS);
    expect(fallback.cpuSystemNs).toBe((system + irq + softirq) * TICK_NS);
    expect(fallback.cpuUsageNs).toBe(fallback.cpuUserNs + fallback.cpuSystemNs);
  });

  it('falls back to /proc/meminfo without a root memory.stat', () => {
    const { memoryStat: _memoryStat, ...rest } = v2Texts();
    const meminfo = parseMeminfo(rest.meminfo);
    const kib = (key: string): number => meminfo[key] ?? Number.NaN;
    const fallback = buildRootSample(rest, READ_MS);
    expect(fallback.memoryRssBytes).toBe(kib('AnonPages'));
    expect(fallback.memoryCacheBytes).toBe(kib('Buffers') + kib('Cached') + kib('SwapCached'));
    expect(fallback.memoryUsageBytes).toBe(fallback.memoryRssBytes + fallback.memoryCacheBytes);
    expect(fallback.memoryWorkingSetBytes).toBe(fallback.memoryUsageBytes - kib('Inactive(file)'));
  });

  it('reads the tree through HOST_CGROUP and HOST_PROC, /proc/stat only when cpu.stat is missing', () => {
    const tree = copyOf(v2);
    const reader = createRootCgroupReader(
      { layout: layoutOf(path.join(tree, 'sys/fs/cgroup')), hostProc: path.join(tree, 'proc'), now: () => READ_MS },
      { maxAgeMs: 1000 },
    );
    expect(reader.read()).toEqual(sample);
    reader.close();
    rmSync(path.join(tree, 'sys/fs/cgroup/cpu.stat'));
    const withoutCpuStat = createRootCgroupReader(
      { layout: layoutOf(path.join(tree, 'sys/fs/cgroup')), hostProc: path.join(tree, 'proc'), now: () => READ_MS },
      { maxAgeMs: 1000 },
    );
    const [user = 0, nice = 0] = procStatTicks(read(v2, 'proc/stat'));
    expect(withoutCpuStat.read()?.cpuUserNs).toBe((user + nice) * TICK_NS);
    withoutCpuStat.close();
  });
});

describe('whether HOST_CGROUP is the host root', () => {
  it('accepts the captured v1 roots (cgroup.sane_behavior) and the published v2 root', () => {
    expect(rootCgroupProblem(layoutOf(path.join(v1, 'sys/fs/cgroup')))).toBeNull();
    expect(rootCgroupProblem(layoutOf(path.join(v2, 'sys/fs/cgroup')))).toBeNull();
  });

  it("refuses a container's own v1 cgroup, which has no cgroup.sane_behavior", () => {
    const tree = copyOf(v1);
    rmSync(path.join(tree, 'sys/fs/cgroup/memory/cgroup.sane_behavior'));
    expect(rootCgroupProblem(layoutOf(path.join(tree, 'sys/fs/cgroup')))).toMatch(/memory .*is not the root of the memory hierarchy/);
  });

  it('refuses a v2 cgroup that has memory.current or cgroup.type (a container seeing its own cgroup namespace)', () => {
    const tree = copyOf(v2);
    cpSync(path.join(fixtures, 'kernel/cgroup-v2/elastic-docker2-session/memory.current'), path.join(tree, 'sys/fs/cgroup/memory.current'));
    expect(rootCgroupProblem(layoutOf(path.join(tree, 'sys/fs/cgroup')))).toMatch(/is not the host's root cgroup \(it has memory.current\)/);
  });

  it('opens a reader only over a root, with a reason otherwise', () => {
    const opened = openRootCgroup(path.join(v1, 'sys/fs/cgroup'), path.join(v1, 'proc'), () => undefined);
    expect(opened.ok).toBe(true);
    if (opened.ok) opened.reader.close();
    expect(openRootCgroup(path.join(fixtures, 'kernel/cgroup-v1/host/sys/fs/cgroup'), path.join(v1, 'proc'), () => undefined)).toEqual({
      ok: false,
      reason: expect.stringContaining('no cgroup.sane_behavior'),
    });
    expect(openRootCgroup(path.join(v1, 'sys/fs/cgroup'), path.join(v1, 'no-proc'), () => undefined)).toEqual({
      ok: false,
      reason: expect.stringContaining('is not a proc file system'),
    });
    expect(openRootCgroup(path.join(v1, 'missing'), path.join(v1, 'proc'), () => undefined).ok).toBe(false);
  });
});

describe('parseMeminfo and hostInterfaces', () => {
  it('turns kB into bytes, keeps counts as they are and skips lines of another shape', () => {
    expect(parseMeminfo('MemTotal:       24683656 kB\nHugePages_Total:       0\nNode 0 MemFree: 5 kB\nActive(file):     951852 kB\n')).toEqual({
      MemTotal: 24_683_656 * 1024,
      HugePages_Total: 0,
      'Active(file)': 951_852 * 1024,
    });
  });

  it('needs MemTotal', () => {
    expect(() => buildRootSample({ ...v2Texts(), meminfo: 'MemFree: 1 kB\n' }, READ_MS)).toThrow(/no MemTotal/);
  });

  it("drops cAdvisor's ignored prefixes whatever their case, and sorts by name", () => {
    const header = 'Inter-|   Receive |  Transmit\n face |bytes    packets|bytes\n';
    const line = (name: string): string => `${name}: 1 2 3 4 0 0 0 0 5 6 7 8 0 0 0 0\n`;
    const names = hostInterfaces(header + ['wlan0', 'LO', 'lo', 'Veth1', 'docker_gwbridge', 'nerdctl0', 'br-1a2b', 'eth1', 'eth0'].map(line).join(''));
    expect(names.map((iface) => iface.name)).toEqual(['br-1a2b', 'eth0', 'eth1', 'wlan0']);
  });
});
