// CPU time and memory of processes, read from /proc: what `top` would show, without
// sampling noise. CPU is user+sys clock ticks; a window's delta over its wall time
// gives "% of one core" (100 = one core busy the whole time).

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let clockTicksPerSecond: number | null = null;

function ticksPerSecond(): number {
  if (clockTicksPerSecond === null) {
    const raw = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    clockTicksPerSecond = Number.isFinite(raw) && raw > 0 ? raw : 100;
  }
  return clockTicksPerSecond;
}

/** user+sys CPU seconds of one process (its own threads, not its children), or null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  if (!Number.isFinite(userTicks) || !Number.isFinite(systemTicks)) return null;
  return (userTicks + systemTicks) / ticksPerSecond();
}

/** Peak resident set (VmHWM) in bytes, or null once the process is gone. */
export function peakRssBytes(pid: number): number | null {
  return statusKilobytes(pid, 'VmHWM');
}

export function rssBytes(pid: number): number | null {
  return statusKilobytes(pid, 'VmRSS');
}

function statusKilobytes(pid: number, key: string): number | null {
  try {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}

export interface ProcessEntry {
  pid: number;
  comm: string;
  cmdline: string[];
}

export function listProcesses(): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const comm = readFileSync(`/proc/${name}/comm`, 'utf8').trim();
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter((part) => part !== '');
      entries.push({ pid: Number(name), comm, cmdline });
    } catch {
      // The process exited between readdir and read.
    }
  }
  return entries;
}

/**
 * The processes that do Docker's share of stats work: dockerd (the collector, the HTTP
 * API, JSON encoding), containerd (task metrics) and the shims of the given containers
 * (they read the cgroups). Other containers' shims are left out so that other work on
 * a shared machine does not count against us.
 */
export function findDaemonPids(containerIds: ReadonlySet<string>, socketPath: string): number[] {
  const processes = listProcesses();
  // The dockerd serving `socketPath` (a second daemon on this machine is left out), and
  // the containerd it started; when it is not found by its -H flag, every dockerd.
  const daemons = processes.filter((entry) => entry.comm === 'dockerd');
  const serving = daemons.filter((entry) => entry.cmdline.some((arg) => arg.endsWith(socketPath)));
  const fallback = daemons.filter((entry) => !entry.cmdline.some((arg) => arg === '-H' || arg.startsWith('--host')));
  const dockerds = serving.length > 0 ? serving : fallback.length > 0 ? fallback : daemons;
  const dockerdPids = new Set(dockerds.map((entry) => entry.pid));
  const containerds = processes.filter((entry) => entry.comm === 'containerd');
  const managed = containerds.filter((entry) => dockerdPids.has(parentPid(entry.pid)));
  const pids = [...dockerdPids, ...(managed.length > 0 ? managed : containerds).map((entry) => entry.pid)];
  for (const entry of processes) {
    // comm is cut at 15 characters: containerd-shim-runc-v2 reads "containerd-shim".
    if (!entry.comm.startsWith('containerd-shim')) continue;
    const idIndex = entry.cmdline.indexOf('-id');
    const id = idIndex === -1 ? undefined : entry.cmdline[idIndex + 1];
    if (id !== undefined && containerIds.has(id)) pids.push(entry.pid);
  }
  return pids;
}

function parentPid(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
}

export interface CpuWindow {
  /** Ends the window: CPU used by the processes since it opened, in % of one core. */
  stop(): { percentOfCore: number; seconds: number; wallSeconds: number };
}

/** Opens a measuring window over a fixed set of processes. A process that exits counts up to its last reading. */
export function openCpuWindow(pids: readonly number[]): CpuWindow {
  const startWallMs = performance.now();
  const start = new Map<number, number>();
  for (const pid of pids) {
    const seconds = cpuSeconds(pid);
    if (seconds !== null) start.set(pid, seconds);
  }
  return {
    stop() {
      const wallSeconds = (performance.now() - startWallMs) / 1000;
      let seconds = 0;
      for (const [pid, before] of start) {
        const after = cpuSeconds(pid);
        if (after !== null) seconds += after - before;
      }
      return { percentOfCore: wallSeconds > 0 ? (seconds / wallSeconds) * 100 : 0, seconds, wallSeconds };
    },
  };
}
