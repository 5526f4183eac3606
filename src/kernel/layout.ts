// Where the cgroup hierarchies are under HOST_CGROUP, found once at start. Three shapes:
// - v2 (unified): one tree, HOST_CGROUP/cgroup.controllers exists;
// - v1: a folder per controller, some mounted together (`cpu,cpuacct` with `cpu` and
//   `cpuacct` as links, or each on its own, as on this project's CI machine);
// - hybrid: v1 controllers plus a controller-less v2 tree at HOST_CGROUP/unified, which
//   still carries each cgroup's PSI files (cpu/memory/io.pressure).
// Every failure is a sentence a user can act on: it is shown in /healthz and the page.

import fs from 'node:fs';
import path from 'node:path';

export interface CgroupLayout {
  readonly version: 1 | 2;
  readonly root: string;
  /** v1: controller → the folder it is mounted on (cpuacct, cpu, memory, blkio, pids). */
  readonly v1: ReadonlyMap<string, string>;
  /** The v2 tree: the root on v2, HOST_CGROUP/unified on a hybrid host, else null. */
  readonly unified: string | null;
}

/** The v1 controllers whose files make a `docker stats` sample. */
export const V1_CONTROLLERS = ['cpuacct', 'cpu', 'memory', 'blkio', 'pids'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];
/** Without these there is no CPU or memory figure, so the kernel is not used. */
const REQUIRED_V1: readonly V1Controller[] = ['cpuacct', 'memory'];

export type LayoutResult = { ok: true; layout: CgroupLayout } | { ok: false; reason: string };

export function mountHint(hostPath: string, hostSide: string): string {
  return hostPath === hostSide
    ? `is ${hostSide} mounted on this machine?`
    : `add -v ${hostSide}:${hostPath}:ro to the docker run command`;
}

/** Reads HOST_CGROUP's top level; never throws. */
export function detectCgroupLayout(hostCgroup: string): LayoutResult {
  const hint = mountHint(hostCgroup, '/sys/fs/cgroup');
  let names: string[];
  try {
    names = fs.readdirSync(hostCgroup);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, reason: `HOST_CGROUP ${hostCgroup} does not exist: ${hint}` };
    if (code === 'EACCES') return { ok: false, reason: `HOST_CGROUP ${hostCgroup} cannot be read: permission denied` };
    return { ok: false, reason: `HOST_CGROUP ${hostCgroup} cannot be read: ${(error as Error).message}` };
  }
  if (names.includes('cgroup.controllers')) {
    return { ok: true, layout: { version: 2, root: hostCgroup, v1: new Map(), unified: hostCgroup } };
  }
  const v1 = new Map<string, string>();
  for (const name of names) {
    const dir = path.join(hostCgroup, name);
    if (!isDirectory(dir)) continue;
    // `cpu,cpuacct` holds both; a folder named exactly after a controller wins over a joint one.
    for (const controller of name.split(',')) {
      if (!v1.has(controller) || controller === name) v1.set(controller, dir);
    }
  }
  const unifiedDir = path.join(hostCgroup, 'unified');
  const unified = fs.existsSync(path.join(unifiedDir, 'cgroup.controllers')) ? unifiedDir : null;
  const missing = REQUIRED_V1.filter((controller) => !v1.has(controller));
  if (missing.length > 0) {
    const found = names.length === 0 ? 'it is empty' : `it holds ${names.slice(0, 8).join(', ')}`;
    return {
      ok: false,
      reason: `HOST_CGROUP ${hostCgroup} is not a cgroup hierarchy (no cgroup.controllers, no ${missing.join(' or ')} folder; ${found}): ${hint}`,
    };
  }
  return { ok: true, layout: { version: 1, root: hostCgroup, v1, unified } };
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    // A dangling link or a folder we may not stat is no hierarchy we can read.
    return false;
  }
}
