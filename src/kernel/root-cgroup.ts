// Reads the host's root cgroup (root-sample.ts says which files and why) for the id="/"
// series: checks that HOST_CGROUP shows the host's root and not a container's own
// cgroup, keeps the files open, and reads them at most once per scrape burst.

import fs from 'node:fs';
import path from 'node:path';
import type { RootCgroupSample } from '../stats/host-sample.js';
import { createFileReader, KernelReadError, type FileReader, type KernelFile } from './file-reader.js';
import { detectCgroupLayout, mountHint, type CgroupLayout } from './layout.js';
import { KernelParseError } from './parse.js';
import { buildRootSample, type RootTexts } from './root-sample.js';

/** A scrape, or a burst of them (dashboards refreshing together), reads the files once. */
const ROOT_MAX_AGE_MS = 1_000;

/**
 * Why HOST_CGROUP does not show the host's root cgroup, or null when it does. A container
 * without the host's cgroup tree mounted sees its own cgroup at /sys/fs/cgroup, whose
 * files have the same names: exporting those as id="/" would pass the container off as
 * the host. Only a v1 hierarchy's root has cgroup.sane_behavior (CFTYPE_ONLY_ON_ROOT in
 * kernel/cgroup/cgroup-v1.c); cgroup.type and memory.current "exist on non-root cgroups"
 * only (cgroup-v2.rst).
 */
export function rootCgroupProblem(layout: CgroupLayout): string | null {
  if (layout.version === 2) {
    const marker = ['cgroup.type', 'memory.current'].find((name) => fs.existsSync(path.join(layout.root, name)));
    return marker === undefined ? null : `${layout.root} is not the host's root cgroup (it has ${marker}): mount the host's /sys/fs/cgroup`;
  }
  for (const controller of ['cpuacct', 'memory'] as const) {
    const dir = layout.v1.get(controller);
    if (dir === undefined) return `no ${controller} hierarchy under ${layout.root}`;
    if (!fs.existsSync(path.join(dir, 'cgroup.sane_behavior'))) {
      return `${dir} is not the root of the ${controller} hierarchy (no cgroup.sane_behavior): mount the host's /sys/fs/cgroup`;
    }
  }
  return null;
}

export interface RootCgroupReader {
  /** The root's figures, read again once older than maxAgeMs; null while they cannot be read. */
  read(): RootCgroupSample | null;
  close(): void;
}

type RootFileKey = 'cpuacctUsage' | 'cpuacctStat' | 'memoryUsage' | 'memoryStat' | 'useHierarchy' | 'cpuStat' | 'procStat' | 'meminfo' | 'netDev';

/** [key, path, required]: what the root's figures need on this host. */
function rootFiles(layout: CgroupLayout, hostProc: string): (readonly [RootFileKey, string, boolean])[] {
  const proc: (readonly [RootFileKey, string, boolean])[] = [
    ['meminfo', path.join(hostProc, 'meminfo'), true],
    ['netDev', path.join(hostProc, '1', 'net', 'dev'), false],
  ];
  if (layout.version === 2) {
    return [
      ['cpuStat', path.join(layout.root, 'cpu.stat'), false],
      ['memoryStat', path.join(layout.root, 'memory.stat'), false],
      ['procStat', path.join(hostProc, 'stat'), true],
      ...proc,
    ];
  }
  const cpuacct = layout.v1.get('cpuacct') ?? path.join(layout.root, 'cpuacct');
  const memory = layout.v1.get('memory') ?? path.join(layout.root, 'memory');
  return [
    ['cpuacctUsage', path.join(cpuacct, 'cpuacct.usage'), true],
    ['cpuacctStat', path.join(cpuacct, 'cpuacct.stat'), true],
    ['memoryUsage', path.join(memory, 'memory.usage_in_bytes'), true],
    ['memoryStat', path.join(memory, 'memory.stat'), true],
    ['useHierarchy', path.join(memory, 'memory.use_hierarchy'), false],
    ...proc,
  ];
}

/**
 * Reads the root's files at most once per maxAgeMs (a scrape, or a burst of them), with
 * descriptors kept open as the container reader keeps them. A failure is reported once
 * through onProblem (and its end with null); the files are opened afresh on the next read.
 */
export function createRootCgroupReader(
  deps: { layout: CgroupLayout; hostProc: string; files?: FileReader; now?: () => number; onProblem?(reason: string | null): void },
  options: { maxAgeMs: number },
): RootCgroupReader {
  const files = deps.files ?? createFileReader({ maxOpen: 16 });
  const now = deps.now ?? Date.now;
  const wanted = rootFiles(deps.layout, deps.hostProc);
  let opened: Map<RootFileKey, KernelFile> | null = null;
  let cached: RootCgroupSample | null = null;
  let problem: string | null = null;

  function open(): Map<RootFileKey, KernelFile> {
    const handles = new Map<RootFileKey, KernelFile>();
    for (const [key, file, required] of wanted) {
      // v2 reads /proc/stat only without cpu.stat.
      if (key === 'procStat' && handles.has('cpuStat')) continue;
      try {
        handles.set(key, files.open(file));
      } catch (error) {
        if (required || !(error instanceof KernelReadError) || error.failure !== 'gone') {
          for (const handle of handles.values()) files.close(handle);
          throw error;
        }
      }
    }
    return handles;
  }

  function readTexts(handles: Map<RootFileKey, KernelFile>): RootTexts {
    const text = (key: RootFileKey): string | undefined => {
      const handle = handles.get(key);
      return handle === undefined ? undefined : files.read(handle);
    };
    const base = { meminfo: text('meminfo') as string, ...optionalText('netDev', text('netDev')) };
    if (deps.layout.version === 2) {
      return { version: 2, ...base, ...optionalText('cpuStat', text('cpuStat')), ...optionalText('memoryStat', text('memoryStat')), ...optionalText('procStat', text('procStat')) };
    }
    return {
      version: 1,
      ...base,
      cpuacctUsage: text('cpuacctUsage') as string,
      cpuacctStat: text('cpuacctStat') as string,
      memoryUsage: text('memoryUsage') as string,
      memoryStat: text('memoryStat') as string,
      ...optionalText('useHierarchy', text('useHierarchy')),
    };
  }

  function closeAll(): void {
    if (opened !== null) for (const handle of opened.values()) files.close(handle);
    opened = null;
  }

  function report(reason: string | null): void {
    if (reason === problem) return;
    problem = reason;
    deps.onProblem?.(reason);
  }

  return {
    read() {
      const nowMs = now();
      if (cached !== null && nowMs - cached.readMs < options.maxAgeMs) return cached;
      try {
        opened ??= open();
        cached = buildRootSample(readTexts(opened), nowMs);
        report(null);
        return cached;
      } catch (error) {
        closeAll();
        cached = null;
        if (!(error instanceof KernelReadError || error instanceof KernelParseError)) throw error;
        report(`cannot read the root cgroup: ${error.message}`);
        return null;
      }
    },
    close: closeAll,
  };
}

/** A reader of the host's root cgroup, or why HOST_CGROUP and HOST_PROC cannot give one. */
export function openRootCgroup(
  hostCgroup: string,
  hostProc: string,
  onProblem: (reason: string | null) => void,
): { ok: true; reader: RootCgroupReader } | { ok: false; reason: string } {
  const layout = detectCgroupLayout(hostCgroup);
  if (!layout.ok) return { ok: false, reason: layout.reason };
  if (!fs.existsSync(path.join(hostProc, 'stat'))) {
    return { ok: false, reason: `HOST_PROC ${hostProc} is not a proc file system: ${mountHint(hostProc, '/proc')}` };
  }
  const problem = rootCgroupProblem(layout.layout);
  if (problem !== null) return { ok: false, reason: problem };
  return { ok: true, reader: createRootCgroupReader({ layout: layout.layout, hostProc, onProblem }, { maxAgeMs: ROOT_MAX_AGE_MS }) };
}

/** `{ [key]: text }`, or nothing when the file was not there (exactOptionalPropertyTypes). */
function optionalText<K extends string>(key: K, text: string | undefined): { [P in K]?: string } {
  return (text === undefined ? {} : { [key]: text }) as { [P in K]?: string };
}
