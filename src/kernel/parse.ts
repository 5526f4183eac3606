// Parsers for the kernel files behind `docker stats`: cgroup v1 and v2 files and /proc.
// Pure: text in, numbers out. A file that does not have the shape its name promises
// throws KernelParseError (the container then falls back to the Engine API); a value
// the kernel prints as "max" is Infinity.
//
// Formats: the kernel's Documentation/admin-guide/cgroup-v1/{cpuacct,memory,blkio-controller}.rst,
// cgroup-v2.rst ("Interface Files"), accounting/psi.rst, filesystems/proc.rst; what the
// daemon makes of them: containerd/cgroups cgroup1/{cpuacct,memory,blkio}.go and
// cgroup2/{manager,utils}.go, moby daemon/stats_unix.go.

import type { BlkioEntry, NetworkStats } from '../docker/types.js';
import type { Pressure, PressureLine } from '../stats/types.js';

export class KernelParseError extends Error {
  override readonly name = 'KernelParseError';
}

/** What /proc/<pid>/cgroup says: the path per v1 controller, and the unified (v2) path. */
export interface ProcCgroup {
  /** v1 controller name (cpu, cpuacct, memory, blkio, pids, ...) → path. */
  readonly v1: ReadonlyMap<string, string>;
  /** The `0::/path` line: the whole cgroup on v2, the unified mount's on a hybrid host. */
  readonly unified: string | null;
}

/** Lines of `hierarchy-ID:controller-list:path` (proc(5), cgroups(7)). */
export function parseProcCgroup(text: string): ProcCgroup {
  const v1 = new Map<string, string>();
  let unified: string | null = null;
  for (const line of lines(text)) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first <= 0 || second === -1) throw new KernelParseError(`not a cgroup line: ${excerpt(line)}`);
    const controllers = line.slice(first + 1, second);
    // The path may itself hold colons: it is everything after the second one.
    const path = line.slice(second + 1);
    if (!path.startsWith('/')) throw new KernelParseError(`cgroup path is not absolute: ${excerpt(line)}`);
    if (controllers === '') unified = path;
    else for (const controller of controllers.split(',')) v1.set(controller, path);
  }
  if (v1.size === 0 && unified === null) throw new KernelParseError('no cgroup lines');
  return { v1, unified };
}

/**
 * `key value` lines (memory.stat, cpu.stat, cpuacct.stat, memory.events, oom_control),
 * as an object without a prototype (so no key of the kernel's can be `__proto__` trouble).
 * Unknown keys are kept: the kernel adds keys over time and the reader picks what it needs.
 * Hand-scanned: memory.stat has 40-odd lines and is read for every container every second.
 */
export function parseKeyedValues(text: string): Record<string, number> {
  const values: Record<string, number> = Object.create(null) as Record<string, number>;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end > start) {
      const space = text.indexOf(' ', start);
      if (space <= start || space >= end) throw new KernelParseError(`not a "key value" line: ${excerpt(text.slice(start, end))}`);
      values[text.slice(start, space)] = parseNumberAt(text, space + 1, end);
    }
    start = end + 1;
  }
  return values;
}

/** A file holding one number, or "max" (v2 limits) → Infinity. */
export function parseSingleValue(text: string): number {
  const value = text.trim();
  if (value === 'max') return Number.POSITIVE_INFINITY;
  return parseNumber(value);
}

/**
 * cgroup v1 blkio files: `MAJ:MIN Op value` lines plus a `Total value` line, which is
 * skipped as containerd skips it. An idle cgroup has only `Total 0`.
 */
export function parseBlkioV1(text: string): BlkioEntry[] {
  const entries: BlkioEntry[] = [];
  for (const line of lines(text)) {
    const fields = line.split(/\s+/);
    if (fields.length === 2 && fields[0] === 'Total') continue;
    const device = parseDevice(fields[0]);
    if (fields.length !== 3 || device === null) throw new KernelParseError(`not a blkio line: ${excerpt(line)}`);
    entries.push({ major: device.major, minor: device.minor, op: fields[1] ?? '', value: parseNumber(fields[2] ?? '') });
  }
  return entries;
}

export interface IoStatV2 {
  /** As the daemon synthesises them: `read` and `write` per device, lower-case (moby stats_unix.go). */
  bytes: BlkioEntry[];
  /** I/O operations (rios, wios), the same way. */
  operations: BlkioEntry[];
}

/**
 * cgroup v2 `io.stat`: `MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N` per device.
 * Older kernels print the numbers of devices without statistics on their own, in front of
 * the next device's line or as a last line of bare numbers (elastic-agent-system-metrics'
 * io_statfiles fixtures): the statistics belong to the device named just before them.
 */
export function parseIoStatV2(text: string): IoStatV2 {
  const bytes: BlkioEntry[] = [];
  const operations: BlkioEntry[] = [];
  for (const line of lines(text)) {
    let device: { major: number; minor: number } | null = null;
    const values = new Map<string, number>();
    for (const token of line.split(/\s+/)) {
      const equals = token.indexOf('=');
      if (equals === -1) {
        device = parseDevice(token);
        if (device === null) throw new KernelParseError(`not an io.stat device: ${excerpt(token)}`);
        continue;
      }
      // cost.vrate=100.00 and friends (iocost) are not counters: skipped.
      const key = token.slice(0, equals);
      if (key.includes('.')) continue;
      values.set(key, parseNumber(token.slice(equals + 1)));
    }
    if (device === null) throw new KernelParseError(`io.stat line without a device: ${excerpt(line)}`);
    if (values.size === 0) continue;
    const { major, minor } = device;
    bytes.push({ major, minor, op: 'read', value: values.get('rbytes') ?? 0 }, { major, minor, op: 'write', value: values.get('wbytes') ?? 0 });
    operations.push({ major, minor, op: 'read', value: values.get('rios') ?? 0 }, { major, minor, op: 'write', value: values.get('wios') ?? 0 });
  }
  return { bytes, operations };
}

/**
 * /proc/<pid>/net/dev: two header lines, then `iface: rx_bytes rx_packets rx_errs rx_drop
 * fifo frame compressed multicast tx_bytes tx_packets tx_errs tx_drop ...`. Interface
 * names can hold spaces only in theory; the colon ends them.
 */
export function parseNetDev(text: string): Map<string, NetworkStats> {
  const interfaces = new Map<string, NetworkStats>();
  const all = lines(text);
  if (all.length < 2 || !all[0]?.includes('Receive') || !all[1]?.includes('bytes')) {
    throw new KernelParseError('net/dev has no header');
  }
  for (const line of all.slice(2)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new KernelParseError(`not a net/dev line: ${excerpt(line)}`);
    const fields = line.slice(colon + 1).trim().split(/\s+/).map(parseNumber);
    if (fields.length < 16) throw new KernelParseError(`net/dev line has ${fields.length} fields: ${excerpt(line)}`);
    interfaces.set(line.slice(0, colon).trim(), {
      rx_bytes: fields[0] ?? 0,
      rx_packets: fields[1] ?? 0,
      rx_errors: fields[2] ?? 0,
      rx_dropped: fields[3] ?? 0,
      tx_bytes: fields[8] ?? 0,
      tx_packets: fields[9] ?? 0,
      tx_errors: fields[10] ?? 0,
      tx_dropped: fields[11] ?? 0,
    });
  }
  return interfaces;
}

export interface HostCpu {
  /** user+nice+system+idle+iowait+irq+softirq in ns: the daemon's system_cpu_usage. */
  systemCpuNs: number;
  /** The `cpuN` lines: the daemon's online_cpus. */
  onlineCpus: number;
  /** The `cpu` line's user and system time in ns (host-wide series). */
  userNs: number;
  systemNs: number;
}

/** USER_HZ: the unit of /proc/stat; 100 on every Linux ABI the daemon runs on (moby uses the same constant). */
export const CLOCK_TICKS_PER_SECOND = 100;
const NS_PER_TICK = 1e9 / CLOCK_TICKS_PER_SECOND;

/**
 * /proc/stat's `cpu` line summed as moby's getSystemCPUUsage does (daemon/stats_unix.go):
 * the first seven fields, steal and guest left out, ticks × 1e9 / 100.
 */
export function parseProcStat(text: string): HostCpu {
  let total: number[] | null = null;
  let onlineCpus = 0;
  for (const line of lines(text)) {
    if (line.startsWith('cpu ')) total = line.slice(4).trim().split(/\s+/).map(parseNumber);
    else if (/^cpu\d/.test(line)) onlineCpus += 1;
    else if (total !== null) break;
  }
  if (total === null || total.length < 7) throw new KernelParseError('/proc/stat has no cpu line of at least 7 fields');
  let ticks = 0;
  for (let i = 0; i < 7; i += 1) ticks += total[i] ?? 0;
  return {
    systemCpuNs: ticks * NS_PER_TICK,
    onlineCpus,
    userNs: ((total[0] ?? 0) + (total[1] ?? 0)) * NS_PER_TICK,
    systemNs: (total[2] ?? 0) * NS_PER_TICK,
  };
}

/** MemTotal from /proc/meminfo, in bytes: the daemon's cap for an unlimited container. */
export function parseMemTotal(text: string): number {
  const match = /^MemTotal:\s+(\d+)\s+kB$/m.exec(text);
  if (match === null) throw new KernelParseError('/proc/meminfo has no MemTotal line');
  return Number(match[1]) * 1024;
}

/** A PSI file (accounting/psi.rst): `some avg10=… avg60=… avg300=… total=…`, then maybe `full …`. */
export function parsePressure(text: string): Pressure {
  let some: PressureLine | null = null;
  let full: PressureLine | null = null;
  for (const line of lines(text)) {
    const match = /^(some|full) avg10=(\d+(?:\.\d+)?) avg60=\d+(?:\.\d+)? avg300=\d+(?:\.\d+)? total=(\d+)$/.exec(line);
    if (match === null) throw new KernelParseError(`not a PSI line: ${excerpt(line)}`);
    const parsed = { avg10: Number(match[2]), totalUs: Number(match[3]) };
    if (match[1] === 'some') some = parsed;
    else full = parsed;
  }
  if (some === null) throw new KernelParseError('PSI file without a "some" line');
  return { some, full };
}

function parseDevice(token: string | undefined): { major: number; minor: number } | null {
  const match = /^(\d+):(\d+)$/.exec(token ?? '');
  return match === null ? null : { major: Number(match[1]), minor: Number(match[2]) };
}

/** A non-negative decimal integer, as the kernel prints counters (u64: may pass 2^53). */
function parseNumber(text: string): number {
  return parseNumberAt(text, 0, text.length);
}

/** parseNumber of text[start, end), without cutting it out first. */
function parseNumberAt(text: string, start: number, end: number): number {
  const length = end - start;
  if (length <= 0 || length > 20) throw new KernelParseError(`not a counter: ${excerpt(text.slice(start, end))}`);
  let value = 0;
  for (let i = start; i < end; i += 1) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) throw new KernelParseError(`not a counter: ${excerpt(text.slice(start, end))}`);
    value = value * 10 + digit;
  }
  // Past 2^53 the running product rounds at each step; Number() rounds once, as JSON.parse does.
  return length > 15 ? Number(text.slice(start, end)) : value;
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

function excerpt(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
