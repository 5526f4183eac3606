// Finds one container's cgroup folders from its init process, the way the kernel
// itself says where a process lives (/proc/<pid>/cgroup), not by guessing paths: so the
// cgroupfs driver (/docker/<id>), the systemd driver (/system.slice/docker-<id>.scope),
// Podman (/machine.slice/libpod-<id>.scope), nested cgroups and custom parents all work.
//
// Two safety rules:
// - the path must name the container's ID. A PID from the daemon's inspect is the
//   daemon's host's PID: when DOCKER_HOST is another machine, the same number here is
//   some other process, and its cgroup does not carry the ID;
// - the folder is cut after the segment that holds the ID, as the daemon reads the
//   container's own cgroup even when its processes sit in child cgroups (systemd in a
//   container, Podman's `libpod-<id>.scope/container`).
//
// A process in another cgroup namespace than ours is shown relative to our own cgroup
// (`0::/../docker-<id>.scope`): this agent in a container on a cgroup v2 host, where
// Docker gives each container a private cgroup namespace. The `..` cannot be resolved
// from inside, so the remaining path is looked up under HOST_CGROUP, which a bind mount
// shows from the host's root: first beside the containers found so far, then by a
// bounded walk of the tree.

import fs from 'node:fs';
import path from 'node:path';
import type { CgroupLayout, V1Controller } from './layout.js';
import { mountHint, V1_CONTROLLERS } from './layout.js';
import { KernelParseError, parseProcCgroup, type ProcCgroup } from './parse.js';

export interface ContainerTarget {
  id: string;
  /** The container's init process as the daemon's host numbers it (State.Pid). */
  pid: number;
  /** Docker's HostConfig.NetworkMode: `host` and `none` have no interfaces of their own. */
  networkMode: string;
}

export interface ContainerPaths {
  version: 1 | 2;
  /** v1: a folder per controller; cpuacct and memory always, the others when mounted. */
  v1: Partial<Record<V1Controller, string>>;
  /** v2: the cgroup; hybrid: its folder in the unified tree (PSI only); else null. */
  unified: string | null;
  /** /proc/<pid>/net/dev, or null when Docker reports no networks (host, none). */
  netDev: string | null;
}

export type ResolveResult = { ok: true; paths: ContainerPaths } | { ok: false; reason: string; gone?: boolean };

const MAX_WALK_DEPTH = 8;
const MAX_WALK_DIRS = 20_000;

export interface CgroupResolver {
  resolve(target: ContainerTarget): ResolveResult;
}

export function createCgroupResolver(layout: CgroupLayout, hostProc: string): CgroupResolver {
  /** Folders where containers' cgroups were found behind a `..`: the next one is likely there too. */
  const knownParents: string[] = [];

  function readProcCgroup(target: ContainerTarget): ProcCgroup | { reason: string; gone?: boolean } {
    const file = path.join(hostProc, String(target.pid), 'cgroup');
    let text: string;
    try {
      text = fs.readFileSync(file, 'latin1');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ESRCH') {
        const missingRoot = !fs.existsSync(path.join(hostProc, 'stat'));
        const reason = missingRoot
          ? `HOST_PROC ${hostProc} does not exist: ${mountHint(hostProc, '/proc')}`
          : `process ${target.pid} is not in ${hostProc}: HOST_PROC must show the host's processes (${mountHint(hostProc, '/proc')})`;
        // The process may also just have exited: the caller re-resolves on the next start.
        return { reason, gone: !missingRoot };
      }
      if (code === 'EACCES' || code === 'EPERM') return { reason: `cannot read ${file}: permission denied` };
      return { reason: `cannot read ${file}: ${(error as Error).message}` };
    }
    try {
      return parseProcCgroup(text);
    } catch (error) {
      if (error instanceof KernelParseError) return { reason: `${file}: ${error.message}` };
      throw error;
    }
  }

  /** The container's own folder under `mountDir`, or a reason. */
  function folderFor(mountDir: string, cgroupPath: string, id: string): { dir: string } | { reason: string } {
    const segments = cgroupPath.split('/').filter((segment) => segment !== '');
    const at = segments.findIndex((segment) => segment.includes(id));
    if (at === -1) {
      return {
        reason:
          `the process's cgroup ${cgroupPath} does not name container ${id.slice(0, 12)}: ` +
          'is DOCKER_HOST another machine than the one HOST_PROC shows?',
      };
    }
    const own = segments.slice(0, at + 1);
    const ups = own.findIndex((segment) => segment !== '..');
    if (ups > 0) {
      const found = locateBelow(mountDir, own.slice(ups).join('/'));
      return found === null
        ? { reason: `cgroup ${cgroupPath} (seen from another cgroup namespace) was not found under ${mountDir}` }
        : { dir: found };
    }
    const dir = path.join(mountDir, ...own);
    return fs.existsSync(dir) ? { dir } : { reason: `${dir} does not exist (HOST_CGROUP must show the host's cgroups)` };
  }

  function locateBelow(mountDir: string, remainder: string): string | null {
    for (const parent of knownParents) {
      if (!parent.startsWith(mountDir)) continue;
      const candidate = path.join(parent, remainder);
      if (fs.existsSync(candidate)) return candidate;
    }
    let level = [mountDir];
    let visited = 0;
    for (let depth = 0; depth <= MAX_WALK_DEPTH && level.length > 0; depth += 1) {
      const next: string[] = [];
      for (const dir of level) {
        const candidate = path.join(dir, remainder);
        if (fs.existsSync(candidate)) {
          knownParents.unshift(dir);
          if (knownParents.length > 8) knownParents.pop();
          return candidate;
        }
        for (const child of subfolders(dir)) {
          visited += 1;
          if (visited > MAX_WALK_DIRS) return null;
          next.push(child);
        }
      }
      level = next;
    }
    return null;
  }

  return {
    resolve(target) {
      const procCgroup = readProcCgroup(target);
      if (!('v1' in procCgroup)) return { ok: false, ...procCgroup };
      const netDev = target.networkMode === 'host' || target.networkMode === 'none'
        ? null
        : path.join(hostProc, String(target.pid), 'net', 'dev');
      if (layout.version === 2) {
        if (procCgroup.unified === null) return { ok: false, reason: `process ${target.pid} has no cgroup v2 line in ${hostProc}/${target.pid}/cgroup` };
        const unified = folderFor(layout.root, procCgroup.unified, target.id);
        if ('reason' in unified) return { ok: false, reason: unified.reason };
        return { ok: true, paths: { version: 2, v1: {}, unified: unified.dir, netDev } };
      }
      const v1: Partial<Record<V1Controller, string>> = {};
      for (const controller of V1_CONTROLLERS) {
        const mountDir = layout.v1.get(controller);
        const cgroupPath = procCgroup.v1.get(controller);
        if (mountDir === undefined || cgroupPath === undefined) {
          if (controller === 'cpuacct' || controller === 'memory') {
            return { ok: false, reason: `process ${target.pid} is in no ${controller} cgroup` };
          }
          continue;
        }
        const folder = folderFor(mountDir, cgroupPath, target.id);
        if ('reason' in folder) {
          if (controller === 'cpuacct' || controller === 'memory') return { ok: false, reason: folder.reason };
          continue;
        }
        v1[controller] = folder.dir;
      }
      // Hybrid host: the unified tree carries PSI. Optional: `0::/` names no container.
      let unified: string | null = null;
      if (layout.unified !== null && procCgroup.unified !== null) {
        const folder = folderFor(layout.unified, procCgroup.unified, target.id);
        if ('dir' in folder) unified = folder.dir;
      }
      return { ok: true, paths: { version: 1, v1, unified, netDev } };
    },
  };
}

function subfolders(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => path.join(dir, entry.name));
  } catch {
    // A folder that vanished or may not be listed holds nothing we can find.
    return [];
  }
}
