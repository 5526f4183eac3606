// The kernel reader over real file trees.
//
// cgroup v1: the tree scripts/capture-kernel-fixtures.sh captured from eight paused
// containers on this project's CI machine, with the daemon's own stats record of each
// taken at the same time. A paused cgroup does not move, so the record the reader builds
// from the files must be the daemon's, field for field, and `docker stats` arithmetic must
// give the same numbers from both.
//
// cgroup v2 (not available here): trees assembled in a temporary folder from files
// published by other projects (test/fixtures/kernel/cgroup-v2/SOURCES.md), each put where
// a v2 host has it.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatsRecord } from '../src/docker/types.js';
import { createKernelReader, goTime, type KernelLoss, type KernelReading } from '../src/kernel/kernel-reader.js';
import { detectCgroupLayout, type CgroupLayout } from '../src/kernel/layout.js';
import { toContainerSample } from '../src/stats/sample.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'kernel');
const v1Root = path.join(fixtures, 'cgroup-v1');
const v1Proc = path.join(v1Root, 'host', 'proc');
const v1Cgroup = path.join(v1Root, 'host', 'sys', 'fs', 'cgroup');
const v2Files = path.join(fixtures, 'cgroup-v2');

interface CapturedContainer {
  id: string;
  pid: number;
  network_mode: string;
}
const captured = JSON.parse(readFileSync(path.join(v1Root, 'containers.json'), 'utf8')) as Record<string, CapturedContainer>;
const roles = Object.keys(captured);

function daemonRecord(role: string): StatsRecord {
  return JSON.parse(readFileSync(path.join(v1Root, 'daemon', `${role}.json`), 'utf8')) as StatsRecord;
}

function layoutOf(root: string): CgroupLayout {
  const result = detectCgroupLayout(root);
  if (!result.ok) throw new Error(result.reason);
  return result.layout;
}

function startReader(layout: CgroupLayout, hostProc: string) {
  const readings = new Map<string, KernelReading[]>();
  const losses: Array<[string, KernelLoss]> = [];
  const reader = createKernelReader(
    {
      layout,
      hostProc,
      handlers: {
        onReading: (id, reading) => readings.set(id, [...(readings.get(id) ?? []), reading]),
        onLost: (id, loss) => losses.push([id, loss]),
      },
      now: () => Date.parse('2026-11-30T12:00:00Z'),
    },
    { intervalMs: 1000, maxOpenFiles: 1000 },
  );
  return { reader, readings, losses };
}

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('cgroup v1 (captured on this machine): the record the daemon sends, from the files', () => {
  const layout = layoutOf(v1Cgroup);

  it('finds the v1 controllers and the hybrid unified tree', () => {
    expect(layout.version).toBe(1);
    expect([...layout.v1.keys()].sort()).toEqual(expect.arrayContaining(['blkio', 'cpu', 'cpuacct', 'memory', 'pids']));
    expect(layout.unified).toBe(path.join(v1Cgroup, 'unified'));
  });

  it.each(roles)('%s: every field the daemon reads from the kernel is the same', (role) => {
    const container = captured[role] as CapturedContainer;
    const { reader, readings, losses } = startReader(layout, v1Proc);
    const attached = reader.attach({ id: container.id, pid: container.pid, networkMode: container.network_mode });
    expect(attached).toEqual({ ok: true });
    expect(losses).toEqual([]);
    const ours = readings.get(container.id)?.[0]?.record;
    const theirs = daemonRecord(role);
    expect(ours).toBeDefined();
    if (ours === undefined) return;

    expect(ours.cpu_stats?.cpu_usage?.total_usage).toBe(theirs.cpu_stats?.cpu_usage?.total_usage);
    expect(ours.cpu_stats?.cpu_usage?.usage_in_usermode).toBe(theirs.cpu_stats?.cpu_usage?.usage_in_usermode);
    expect(ours.cpu_stats?.cpu_usage?.usage_in_kernelmode).toBe(theirs.cpu_stats?.cpu_usage?.usage_in_kernelmode);
    expect(ours.cpu_stats?.online_cpus).toBe(theirs.cpu_stats?.online_cpus);
    expect(ours.cpu_stats?.throttling_data).toEqual(theirs.cpu_stats?.throttling_data);
    expect(ours.memory_stats?.usage).toBe(theirs.memory_stats?.usage);
    expect(ours.memory_stats?.max_usage).toBe(theirs.memory_stats?.max_usage);
    expect(ours.memory_stats?.limit).toBe(theirs.memory_stats?.limit);
    // The daemon leaves failcnt out when it is 0 (omitempty).
    expect(ours.memory_stats?.failcnt ?? 0).toBe(theirs.memory_stats?.failcnt ?? 0);
    for (const [key, value] of Object.entries(theirs.memory_stats?.stats ?? {})) {
      expect(ours.memory_stats?.stats?.[key], `memory.stat ${key}`).toBe(value);
    }
    expect(ours.pids_stats).toEqual(theirs.pids_stats);
    expect(ours.networks).toEqual(theirs.networks);
    expect(ours.blkio_stats?.io_service_bytes_recursive ?? []).toEqual(theirs.blkio_stats?.io_service_bytes_recursive ?? []);

    // And what `docker stats` shows from each (CPU needs two readings: compared elsewhere).
    const fromKernel = toContainerSample(ours);
    const fromDaemon = toContainerSample(theirs);
    expect(fromKernel).not.toBeNull();
    for (const field of [
      'memoryUsageBytes', 'memoryRawUsageBytes', 'memoryLimitBytes', 'memoryPercent',
      'networkRxBytes', 'networkTxBytes', 'hasNetworks', 'blockReadBytes', 'blockWriteBytes', 'pids',
      'cpuUsageNs', 'cpuUserNs', 'cpuSystemNs', 'cpuCfsPeriods', 'cpuCfsThrottledPeriods', 'cpuCfsThrottledNs',
      'memoryRssBytes', 'memoryCacheBytes', 'networkInterfaces',
    ] as const) {
      expect(fromKernel?.[field], field).toEqual(fromDaemon?.[field]);
    }
  });

  it('gives what the API does not: OOM kills, swap, failcnt, peak and PSI from the unified tree', () => {
    const container = captured['memory'] as CapturedContainer;
    const { reader, readings } = startReader(layout, v1Proc);
    reader.attach({ id: container.id, pid: container.pid, networkMode: container.network_mode });
    const extras = readings.get(container.id)?.[0]?.extras;
    expect(extras?.oomKills).toBe(0);
    expect(extras?.swapBytes).toBe(0);
    expect(extras?.failcnt).toBe(0);
    expect(extras?.maxUsageBytes).toBe(daemonRecord('memory').memory_stats?.max_usage);
    expect(extras?.pressure?.cpu?.some.totalUs).toBeGreaterThanOrEqual(0);
    expect(extras?.pressure?.memory).not.toBeNull();
  });

  it('reports no networks for --network none, as the daemon does', () => {
    const container = captured['none'] as CapturedContainer;
    const { reader, readings } = startReader(layout, v1Proc);
    reader.attach({ id: container.id, pid: container.pid, networkMode: 'none' });
    expect(readings.get(container.id)?.[0]?.record.networks).toBeUndefined();
    expect(daemonRecord('none').networks).toBeUndefined();
  });

  it('reads again on each pass, and keeps descriptors open between passes', () => {
    const { reader, readings } = startReader(layout, v1Proc);
    for (const role of roles) {
      const container = captured[role] as CapturedContainer;
      reader.attach({ id: container.id, pid: container.pid, networkMode: container.network_mode });
    }
    const open = reader.stats().openFiles;
    expect(open).toBeGreaterThan(roles.length * 10);
    reader.readAll();
    reader.readAll();
    for (const role of roles) expect(readings.get((captured[role] as CapturedContainer).id)).toHaveLength(3);
    expect(reader.stats().openFiles).toBe(open);
    reader.detach((captured['burner'] as CapturedContainer).id);
    expect(reader.stats().openFiles).toBeLessThan(open);
    reader.stop();
    expect(reader.stats().openFiles).toBe(0);
  });

  it('reads by path past the descriptor budget, with the same result', () => {
    const container = captured['client'] as CapturedContainer;
    const readings: KernelReading[] = [];
    const reader = createKernelReader(
      { layout, hostProc: v1Proc, handlers: { onReading: (_id, reading) => readings.push(reading), onLost: () => undefined } },
      { intervalMs: 1000, maxOpenFiles: 3 },
    );
    expect(reader.attach({ id: container.id, pid: container.pid, networkMode: 'default' })).toEqual({ ok: true });
    expect(reader.stats().openFiles).toBe(3);
    expect(readings[0]?.record.networks).toEqual(daemonRecord('client').networks);
    reader.stop();
  });

  it('reads the docker stats files every pass, and limits and extras every 5th', () => {
    const tree = mkdtempSync(path.join(tmpdir(), 'dockmon-kernel-slow-'));
    temporary.push(tree);
    cpSync(path.join(v1Root, 'host'), tree, { recursive: true });
    const memory = captured['memory'] as CapturedContainer;
    const memoryDir = path.join(tree, 'sys', 'fs', 'cgroup', 'memory', 'docker', memory.id);
    const { reader, readings } = startReader(layoutOf(path.join(tree, 'sys', 'fs', 'cgroup')), path.join(tree, 'proc'));
    reader.attach({ id: memory.id, pid: memory.pid, networkMode: 'default' });
    // Written in place: kept descriptors read the new content.
    writeFileSync(path.join(memoryDir, 'memory.usage_in_bytes'), '50000000\n');
    writeFileSync(path.join(memoryDir, 'memory.limit_in_bytes'), '134217728\n');
    writeFileSync(path.join(memoryDir, 'memory.failcnt'), '3\n');
    const latest = () => readings.get(memory.id)?.at(-1);
    reader.readAll();
    expect(latest()?.record.memory_stats?.usage).toBe(50_000_000);
    expect(latest()?.record.memory_stats?.limit).toBe(64 * 1024 * 1024);
    expect(latest()?.extras.failcnt).toBe(0);
    for (let pass = 2; pass <= 5; pass += 1) reader.readAll();
    expect(latest()?.record.memory_stats?.limit).toBe(128 * 1024 * 1024);
    expect(latest()?.extras.failcnt).toBe(3);
    reader.stop();
  });

  it('refuses a PID whose cgroup does not name the container (DOCKER_HOST on another machine)', () => {
    const burner = captured['burner'] as CapturedContainer;
    const memory = captured['memory'] as CapturedContainer;
    const { reader } = startReader(layout, v1Proc);
    const result = reader.attach({ id: burner.id, pid: memory.pid, networkMode: 'default' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/does not name container .* is DOCKER_HOST another machine/);
    expect(reader.size).toBe(0);
  });

  it('says how to fix a missing HOST_PROC or PID', () => {
    const burner = captured['burner'] as CapturedContainer;
    const missing = startReader(layout, '/no/such/proc').reader.attach({ id: burner.id, pid: burner.pid, networkMode: 'default' });
    expect(missing).toMatchObject({ ok: false, reason: expect.stringMatching(/HOST_PROC \/no\/such\/proc does not exist: add -v \/proc:\/no\/such\/proc:ro/) });
    const gone = startReader(layout, v1Proc).reader.attach({ id: burner.id, pid: 999_999_999, networkMode: 'default' });
    expect(gone).toMatchObject({ ok: false, gone: true, reason: expect.stringMatching(/process 999999999 is not in .*HOST_PROC must show the host's processes/) });
  });

  it('drops a container whose cgroup goes away quietly (a stop), and one whose file stops parsing with the reason', () => {
    const tree = mkdtempSync(path.join(tmpdir(), 'dockmon-kernel-'));
    temporary.push(tree);
    cpSync(path.join(v1Root, 'host'), tree, { recursive: true });
    const burner = captured['burner'] as CapturedContainer;
    const memory = captured['memory'] as CapturedContainer;
    const cgroup = path.join(tree, 'sys', 'fs', 'cgroup');
    const { reader, losses } = startReader(layoutOf(cgroup), path.join(tree, 'proc'));
    reader.attach({ id: burner.id, pid: burner.pid, networkMode: 'default' });
    reader.attach({ id: memory.id, pid: memory.pid, networkMode: 'default' });
    // A removed cgroup folder: its files are gone.
    rmSync(path.join(cgroup, 'cpuacct', 'docker', burner.id), { recursive: true });
    rmSync(path.join(cgroup, 'memory', 'docker', burner.id), { recursive: true });
    writeFileSync(path.join(cgroup, 'memory', 'docker', memory.id, 'memory.stat'), 'garbage\n');
    // Kept descriptors of plain files still read the unlinked content; reading by path sees the change.
    reader.stop();
    const byPath = createKernelReader(
      { layout: layoutOf(cgroup), hostProc: path.join(tree, 'proc'), handlers: { onReading: () => undefined, onLost: (id, loss) => losses.push([id, loss]) } },
      { intervalMs: 1000, maxOpenFiles: 0 },
    );
    expect(byPath.attach({ id: burner.id, pid: burner.pid, networkMode: 'default' }).ok).toBe(false);
    const parse = byPath.attach({ id: memory.id, pid: memory.pid, networkMode: 'default' });
    expect(parse).toMatchObject({ ok: false, parse: true, reason: expect.stringMatching(/cannot parse a kernel file: not a "key value" line/) });
    expect(byPath.stats().parseErrors).toBe(1);
  });
});

describe('cgroup v2 (files published by other projects, placed as on a v2 host)', () => {
  const containerId = 'b176419186d75a44628851daf7841d3374a2ec56d0b038ee3bd1e0c6d331e5b1';
  const scopePid = 3456208;

  /** A v2 host tree: Kepler's /proc/<pid>/cgroup of a Docker container, elastic's cgroup files in its scope. */
  function v2Tree(): { proc: string; cgroup: string; scope: string } {
    const root = mkdtempSync(path.join(tmpdir(), 'dockmon-kernel-v2-'));
    temporary.push(root);
    const proc = path.join(root, 'proc');
    const cgroup = path.join(root, 'sys', 'fs', 'cgroup');
    const scope = path.join(cgroup, 'system.slice', `docker-${containerId}.scope`);
    mkdirSync(path.join(proc, String(scopePid), 'net'), { recursive: true });
    mkdirSync(scope, { recursive: true });
    cpSync(path.join(v2Files, 'kepler', 'proc', String(scopePid), 'cgroup'), path.join(proc, String(scopePid), 'cgroup'));
    cpSync(path.join(v2Files, 'prometheus-procfs', 'proc', '26231', 'net', 'dev'), path.join(proc, String(scopePid), 'net', 'dev'));
    cpSync(path.join(v2Files, 'prometheus-procfs', 'proc', 'stat'), path.join(proc, 'stat'));
    cpSync(path.join(v1Proc, 'meminfo'), path.join(proc, 'meminfo'));
    writeFileSync(path.join(cgroup, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
    for (const file of ['cpu.stat', 'memory.current', 'memory.max', 'memory.stat', 'memory.events', 'memory.peak', 'memory.swap.current', 'pids.current', 'pids.max', 'cpu.pressure', 'io.pressure', 'memory.pressure']) {
      cpSync(path.join(v2Files, 'elastic-docker2-session', file), path.join(scope, file));
    }
    cpSync(path.join(v2Files, 'elastic-docker-system-slice', 'io.stat'), path.join(scope, 'io.stat'));
    return { proc, cgroup, scope };
  }

  it('builds the record moby builds on v2, and docker stats arithmetic subtracts inactive_file', () => {
    const tree = v2Tree();
    const layout = layoutOf(tree.cgroup);
    expect(layout.version).toBe(2);
    const { reader, readings } = startReader(layout, tree.proc);
    expect(reader.attach({ id: containerId, pid: scopePid, networkMode: 'bridge' })).toEqual({ ok: true });
    const reading = readings.get(containerId)?.[0];
    const record = reading?.record;
    expect(record?.cpu_stats?.cpu_usage?.total_usage).toBe(3611347518 * 1000);
    expect(record?.cpu_stats?.cpu_usage?.usage_in_usermode).toBe(2915072455 * 1000);
    expect(record?.cpu_stats?.online_cpus).toBe(8);
    // memory.max is "max": the daemon reports the host's RAM.
    expect(record?.memory_stats?.limit).toBe(Number(/MemTotal:\s+(\d+)/.exec(readFileSync(path.join(v1Proc, 'meminfo'), 'utf8'))?.[1]) * 1024);
    expect(record?.networks).toEqual({ eth0: expect.objectContaining({ rx_bytes: 438, tx_bytes: 648 }) });
    expect(record?.blkio_stats?.io_service_bytes_recursive).toContainEqual({ major: 8, minor: 0, op: 'read', value: 14598439936 });
    expect(record?.pids_stats?.current).toBe(148);
    const sample = toContainerSample(record as StatsRecord);
    expect(sample?.memoryUsageBytes).toBe(10498404352 - 6685749248);
    expect(sample?.blockReadBytes).toBe(4096 + 14598439936 + 14590931456);
    expect(reading?.extras).toEqual({
      oomKills: 0,
      swapBytes: 17715200,
      failcnt: 0,
      maxUsageBytes: 18772946944,
      pressure: {
        cpu: { some: { avg10: 0, totalUs: 115056064 }, full: { avg10: 0, totalUs: 29254180 } },
        memory: expect.objectContaining({ some: expect.any(Object) }),
        io: { some: { avg10: 0, totalUs: 10748370 }, full: { avg10: 0, totalUs: 7726267 } },
      },
    });
  });

  it('finds the cgroup from a private cgroup namespace, where the path starts with /..', () => {
    const tree = v2Tree();
    // What the kernel shows a reader in the sibling scope of another container
    // (Docker's default --cgroupns=private on v2): Kepler's path, relative to that scope.
    writeFileSync(path.join(tree.proc, String(scopePid), 'cgroup'), `0::/../docker-${containerId}.scope\n`);
    const { reader, readings } = startReader(layoutOf(tree.cgroup), tree.proc);
    expect(reader.attach({ id: containerId, pid: scopePid, networkMode: 'bridge' })).toEqual({ ok: true });
    expect(readings.get(containerId)?.[0]?.record.pids_stats?.current).toBe(148);
  });

  it("reads a Podman container's own scope, not the child cgroup its processes run in", () => {
    const tree = v2Tree();
    const podmanId = 'f992ec4ed807f76e5e54c9c67d78f0a4105bf945420271c2558ba905e38d2108';
    const podmanPid = 3538317;
    const scope = path.join(tree.cgroup, 'user.slice', 'user-1000.slice', 'user@1000.service', 'user.slice', `libpod-${podmanId}.scope`);
    mkdirSync(path.join(scope, 'container'), { recursive: true });
    cpSync(tree.scope, scope, { recursive: true });
    mkdirSync(path.join(tree.proc, String(podmanPid), 'net'), { recursive: true });
    cpSync(path.join(v2Files, 'kepler', 'proc', String(podmanPid), 'cgroup'), path.join(tree.proc, String(podmanPid), 'cgroup'));
    cpSync(path.join(v2Files, 'prometheus-procfs', 'proc', '26231', 'net', 'dev'), path.join(tree.proc, String(podmanPid), 'net', 'dev'));
    const { reader, readings } = startReader(layoutOf(tree.cgroup), tree.proc);
    expect(reader.attach({ id: podmanId, pid: podmanPid, networkMode: 'bridge' })).toEqual({ ok: true });
    expect(readings.get(podmanId)?.[0]?.record.memory_stats?.usage).toBe(10498404352);
  });
});

describe('layout', () => {
  it('says how to mount HOST_CGROUP when it is missing or not a hierarchy', () => {
    expect(detectCgroupLayout('/host/sys/fs/cgroup')).toEqual({
      ok: false,
      reason: 'HOST_CGROUP /host/sys/fs/cgroup does not exist: add -v /sys/fs/cgroup:/host/sys/fs/cgroup:ro to the docker run command',
    });
    const empty = mkdtempSync(path.join(tmpdir(), 'dockmon-empty-'));
    temporary.push(empty);
    const result = detectCgroupLayout(empty);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/is not a cgroup hierarchy \(no cgroup.controllers, no cpuacct or memory folder; it is empty\)/);
  });
});

describe('goTime', () => {
  it("prints Go's RFC3339Nano: fraction trimmed of zeros", () => {
    expect(goTime(Date.parse('2026-11-30T12:00:00Z'))).toBe('2026-11-30T12:00:00Z');
    expect(goTime(Date.parse('2026-11-30T12:00:00.120Z'))).toBe('2026-11-30T12:00:00.12Z');
    expect(goTime(Date.parse('2026-11-30T12:00:00.123Z') + 0.456)).toBe('2026-11-30T12:00:00.123456Z');
  });
});
