// The kernel file parsers on real files: cgroup v1 captured on this project's CI machine
// (test/fixtures/kernel/cgroup-v1) and cgroup v2 published by other projects
// (test/fixtures/kernel/cgroup-v2, SOURCES.md names each file's origin).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  KernelParseError,
  parseBlkioV1,
  parseIoStatV2,
  parseKeyedValues,
  parseMemTotal,
  parseNetDev,
  parsePressure,
  parseProcCgroup,
  parseProcStat,
  parseSingleValue,
} from './parse.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'kernel');
const v2 = (file: string): string => readFileSync(path.join(fixtures, 'cgroup-v2', file), 'latin1');
const v1Host = (file: string): string => readFileSync(path.join(fixtures, 'cgroup-v1', 'host', file), 'latin1');
const v1Containers = JSON.parse(readFileSync(path.join(fixtures, 'cgroup-v1', 'containers.json'), 'utf8')) as Record<
  string,
  { id: string; pid: number }
>;
function v1Role(role: string): { id: string; pid: number } {
  const entry = v1Containers[role];
  if (entry === undefined) throw new Error(`no ${role} in the v1 capture`);
  return entry;
}

describe('parseProcCgroup', () => {
  it('reads a cgroup v1 host with the hybrid unified line (captured here)', () => {
    const { id, pid } = v1Role('burner');
    const parsed = parseProcCgroup(v1Host(`proc/${pid}/cgroup`));
    expect(parsed.v1.get('cpuacct')).toBe(`/docker/${id}`);
    expect(parsed.v1.get('memory')).toBe(`/docker/${id}`);
    expect(parsed.v1.get('name=systemd')).toBe(`/docker/${id}`);
    expect(parsed.unified).toBe(`/docker/${id}`);
  });

  it('splits joint controllers (cpu,cpuacct) on a hybrid EKS node', () => {
    const parsed = parseProcCgroup(v2('elastic-hybrid/amzn2/proc/493239/cgroup'));
    expect(parsed.v1.get('cpu')).toBe(parsed.v1.get('cpuacct'));
    expect(parsed.v1.get('cpuacct')).toMatch(/cri-containerd-1d3d308a7d48[0-9a-f]+\.scope$/);
    expect(parsed.v1.get('net_prio')).toBeDefined();
    expect(parsed.unified).toBe('/');
  });

  it.each([
    ['a Docker container on a cgroup v2 host', 'kepler/proc/3456208/cgroup', /^\/system\.slice\/docker-b176419186d7[0-9a-f]+\.scope$/],
    ['a rootless Podman container', 'kepler/proc/3538317/cgroup', /\/libpod-f992ec4ed807[0-9a-f]+\.scope\/container$/],
    ['a process seen from a private cgroup namespace', 'elastic-docker2-session/proc/2233801/cgroup', /^\/\.\.\/\.\.\/user-1000\.slice\/session-520\.scope$/],
  ])('reads %s', (_what, file, expected) => {
    const parsed = parseProcCgroup(v2(file));
    expect(parsed.v1.size).toBe(0);
    expect(parsed.unified).toMatch(expected);
  });

  it('refuses text that is not a cgroup file', () => {
    expect(() => parseProcCgroup('hello\n')).toThrow(KernelParseError);
    expect(() => parseProcCgroup('')).toThrow(KernelParseError);
    expect(() => parseProcCgroup('0::relative/path\n')).toThrow(KernelParseError);
  });
});

describe('parseKeyedValues', () => {
  it('reads a v1 memory.stat whole, the unlimited hierarchical limit included (captured here)', () => {
    const { id } = v1Role('memory');
    const stat = parseKeyedValues(v1Host(`sys/fs/cgroup/memory/docker/${id}/memory.stat`));
    expect(stat['hierarchical_memory_limit']).toBe(64 * 1024 * 1024);
    expect(stat['total_inactive_file']).toBeTypeOf('number');
    // The 40 MiB held in /dev/shm is page cache (shmem), exactly.
    expect(stat['total_shmem']).toBe(40 * 1024 * 1024);
  });

  it('reads a v2 memory.stat of a 6.x kernel (elastic-agent-system-metrics)', () => {
    const stat = parseKeyedValues(v2('elastic-docker2-session/memory.stat'));
    expect(stat['anon']).toBe(1411100672);
    expect(stat['inactive_file']).toBe(6685749248);
    expect(Object.keys(stat).length).toBeGreaterThan(40);
  });

  it('reads v2 cpu.stat with newer keys, and memory.events', () => {
    const cpu = parseKeyedValues(v2('elastic-docker2-session/cpu.stat'));
    expect(cpu['usage_usec']).toBe(3611347518);
    expect(cpu['core_sched.force_idle_usec']).toBe(0);
    const events = parseKeyedValues(v2('elastic-docker2-session/memory.events'));
    expect(Object.keys(events)).toEqual(['low', 'high', 'max', 'oom', 'oom_kill', 'oom_group_kill']);
  });

  it('refuses a line without a number', () => {
    expect(() => parseKeyedValues('cache lots\n')).toThrow(KernelParseError);
    expect(() => parseKeyedValues('cache\n')).toThrow(KernelParseError);
  });
});

describe('parseSingleValue', () => {
  it('reads numbers and "max"', () => {
    expect(parseSingleValue(v2('elastic-docker2-session/memory.current'))).toBe(10498404352);
    expect(parseSingleValue(v2('elastic-docker2-session/memory.max'))).toBe(Number.POSITIVE_INFINITY);
    expect(parseSingleValue(v2('elastic-docker2-session/pids.max'))).toBe(Number.POSITIVE_INFINITY);
    const { id } = v1Role('burner');
    expect(parseSingleValue(v1Host(`sys/fs/cgroup/memory/docker/${id}/memory.limit_in_bytes`))).toBe(9223372036854771712);
  });

  it('refuses anything else', () => {
    expect(() => parseSingleValue('-1\n')).toThrow(KernelParseError);
    expect(() => parseSingleValue('\n')).toThrow(KernelParseError);
  });
});

describe('block I/O', () => {
  it('skips the Total line of an idle v1 cgroup (captured here)', () => {
    const { id } = v1Role('blockio');
    expect(parseBlkioV1(v1Host(`sys/fs/cgroup/blkio/docker/${id}/blkio.throttle.io_service_bytes`))).toEqual([]);
  });

  it('reads v1 per-device lines', () => {
    expect(parseBlkioV1('8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n8:0 Discard 0\n8:0 Total 12288\nTotal 12288\n')).toEqual([
      { major: 8, minor: 0, op: 'Read', value: 4096 },
      { major: 8, minor: 0, op: 'Write', value: 8192 },
      { major: 8, minor: 0, op: 'Sync', value: 0 },
      { major: 8, minor: 0, op: 'Async', value: 12288 },
      { major: 8, minor: 0, op: 'Discard', value: 0 },
      { major: 8, minor: 0, op: 'Total', value: 12288 },
    ]);
  });

  it('reads v2 io.stat as read/write entries per device (elastic system.slice)', () => {
    const io = parseIoStatV2(v2('elastic-docker-system-slice/io.stat'));
    expect(io.bytes).toContainEqual({ major: 8, minor: 0, op: 'read', value: 14598439936 });
    expect(io.bytes).toContainEqual({ major: 8, minor: 0, op: 'write', value: 613809529856 });
    expect(io.operations).toContainEqual({ major: 253, minor: 0, op: 'write', value: 44621629 });
    expect(io.bytes).toHaveLength(6);
  });

  it('gives the counters to the device named last, as older kernels print them (elastic io_statfiles)', () => {
    const ubuntu = parseIoStatV2(v2('elastic-io-statfiles/ubuntu/io.stat'));
    expect(ubuntu.bytes).toEqual([
      { major: 7, minor: 4, op: 'read', value: 556032 },
      { major: 7, minor: 4, op: 'write', value: 0 },
      { major: 7, minor: 3, op: 'read', value: 21017600 },
      { major: 7, minor: 3, op: 'write', value: 0 },
    ]);
    // A last line of bare device numbers adds nothing.
    expect(parseIoStatV2(v2('elastic-io-statfiles/ubuntu2/io.stat')).bytes).toHaveLength(4);
  });

  it('skips the iocost fields (opencontainers/cgroups test data)', () => {
    const io = parseIoStatV2(v2('opencontainers-cgroups/io.stat.iocost'));
    expect(io.bytes).toContainEqual({ major: 259, minor: 0, op: 'read', value: 4085926524416 });
    expect(io.bytes).toHaveLength(6);
  });
});

describe('parseNetDev', () => {
  it('reads a container network namespace (captured here)', () => {
    const { pid } = v1Role('client');
    const interfaces = parseNetDev(v1Host(`proc/${pid}/net/dev`));
    expect([...interfaces.keys()].sort()).toEqual(['eth0', 'lo']);
    expect(interfaces.get('eth0')?.tx_bytes).toBeGreaterThan(100_000);
  });

  it('reads the prometheus/procfs capture, every column in its place', () => {
    const eth0 = parseNetDev(v2('prometheus-procfs/proc/26231/net/dev')).get('eth0');
    expect(eth0).toEqual({
      rx_bytes: 438, rx_packets: 5, rx_errors: 0, rx_dropped: 0,
      tx_bytes: 648, tx_packets: 8, tx_errors: 0, tx_dropped: 0,
    });
  });

  it('refuses a file without the header', () => {
    expect(() => parseNetDev('eth0: 1 2 3\n')).toThrow(KernelParseError);
  });
});

describe('host files', () => {
  it('sums /proc/stat as the daemon does and counts the cpuN lines (captured here)', () => {
    const host = parseProcStat(v1Host('proc/stat'));
    expect(host.onlineCpus).toBe(2);
    const cpu = (v1Host('proc/stat').split('\n')[0] ?? '').split(/\s+/).slice(1, 8).map(Number);
    expect(host.systemCpuNs).toBe(cpu.reduce((sum, value) => sum + value, 0) * 1e7);
  });

  it('reads an 8-CPU /proc/stat (prometheus/procfs)', () => {
    expect(parseProcStat(v2('prometheus-procfs/proc/stat')).onlineCpus).toBe(8);
  });

  it('reads MemTotal in bytes', () => {
    expect(parseMemTotal(v1Host('proc/meminfo'))).toBeGreaterThan(20 * 1024 ** 3);
    expect(() => parseMemTotal('MemFree: 1 kB\n')).toThrow(KernelParseError);
  });
});

describe('parsePressure', () => {
  it('reads some and full (elastic, and opencontainers/cgroups with non-zero averages)', () => {
    expect(parsePressure(v2('elastic-docker2-session/cpu.pressure'))).toEqual({
      some: { avg10: 0, totalUs: 115056064 },
      full: { avg10: 0, totalUs: 29254180 },
    });
    expect(parsePressure(v2('opencontainers-cgroups/cpu.pressure'))).toEqual({
      some: { avg10: 1.71, totalUs: 230548833 },
      full: { avg10: 1, totalUs: 157622356 },
    });
  });

  it('takes a cpu.pressure without the full line of kernels before 5.13', () => {
    expect(parsePressure(v2('elastic-docker-system-slice/cpu.pressure')).full).toBeNull();
  });

  it('reads the hybrid unified tree of this machine', () => {
    const { id } = v1Role('burner');
    expect(parsePressure(v1Host(`sys/fs/cgroup/unified/docker/${id}/cpu.pressure`)).some.totalUs).toBeGreaterThan(0);
  });

  it('refuses anything else', () => {
    expect(() => parsePressure('full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n')).toThrow(KernelParseError);
    expect(() => parsePressure('some avg10=x\n')).toThrow(KernelParseError);
  });
});
