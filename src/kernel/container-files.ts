// One container's kernel files: which ones a `docker stats` sample needs on cgroup v1 and
// v2 (required ones, and the optional ones a kernel may lack), opened once, then read
// into the record the daemon would send (record.ts) on every pass, the slow ones every
// SLOW_EVERY_PASSES passes.

import path from 'node:path';
import { KernelReadError, type FileReader, type KernelFile } from './file-reader.js';
import { KernelParseError, parseSingleValue } from './parse.js';
import {
  buildRecordV1,
  buildRecordV2,
  parseSlowV1,
  parseSlowV2,
  type HostFacts,
  type KernelReading,
  type SlowFigures,
  type V1Fast,
  type V1Slow,
  type V2Fast,
  type V2Slow,
} from './record.js';
import type { ContainerPaths } from './resolve.js';

/** One container's open files, and the figures of its slow files between their reads. */
export interface OpenedFiles {
  version: 1 | 2;
  files: Map<string, KernelFile>;
  /** v1 only: CFQ's recursive blkio files win while they hold entries (containerd's order). */
  cfq: boolean;
  slow: SlowFigures | null;
  /** Passes until the slow files are read again. */
  slowCountdown: number;
}

/** The slow files are read once in this many passes (record.ts says which files and why). */
export const SLOW_EVERY_PASSES = 5;

type FileKey = keyof V1Fast | keyof V1Slow | keyof V2Fast | keyof V2Slow | 'throttleBytes' | 'throttleServiced' | 'blkioServicedCfq';
type Controller = 'cpuacct' | 'cpu' | 'memory' | 'blkio' | 'pids' | 'unified';

/** [key, controller folder, file name, required]. */
const V1_FILES: readonly (readonly [FileKey, Controller, string, boolean])[] = [
  ['cpuacctUsage', 'cpuacct', 'cpuacct.usage', true],
  ['cpuacctStat', 'cpuacct', 'cpuacct.stat', false],
  ['cpuStat', 'cpu', 'cpu.stat', false],
  ['memoryUsage', 'memory', 'memory.usage_in_bytes', true],
  ['memoryLimit', 'memory', 'memory.limit_in_bytes', true],
  ['memoryStat', 'memory', 'memory.stat', true],
  ['memoryMaxUsage', 'memory', 'memory.max_usage_in_bytes', false],
  ['memoryFailcnt', 'memory', 'memory.failcnt', false],
  ['memoryOomControl', 'memory', 'memory.oom_control', false],
  ['memswUsage', 'memory', 'memory.memsw.usage_in_bytes', false],
  ['blkioBytes', 'blkio', 'blkio.io_service_bytes_recursive', false],
  ['blkioServicedCfq', 'blkio', 'blkio.io_serviced_recursive', false],
  ['throttleBytes', 'blkio', 'blkio.throttle.io_service_bytes', false],
  ['throttleServiced', 'blkio', 'blkio.throttle.io_serviced', false],
  ['pidsCurrent', 'pids', 'pids.current', false],
  ['pidsMax', 'pids', 'pids.max', false],
  ['cpuPressure', 'unified', 'cpu.pressure', false],
  ['memoryPressure', 'unified', 'memory.pressure', false],
  ['ioPressure', 'unified', 'io.pressure', false],
];

const V2_FILES: readonly (readonly [FileKey, string, boolean])[] = [
  ['cpuStat', 'cpu.stat', true],
  ['memoryCurrent', 'memory.current', true],
  ['memoryMax', 'memory.max', true],
  ['memoryStat', 'memory.stat', true],
  ['memoryEvents', 'memory.events', false],
  ['memoryPeak', 'memory.peak', false],
  ['swapCurrent', 'memory.swap.current', false],
  ['ioStat', 'io.stat', false],
  ['pidsCurrent', 'pids.current', false],
  ['pidsMax', 'pids.max', false],
  ['cpuPressure', 'cpu.pressure', false],
  ['memoryPressure', 'memory.pressure', false],
  ['ioPressure', 'io.pressure', false],
];

/** Opens what a container has of the files a sample needs; a missing required file throws. */
export function openContainerFiles(files: FileReader, paths: ContainerPaths): OpenedFiles {
  const opened = new Map<string, KernelFile>();
  const tryOpen = (key: FileKey, file: string, required: boolean): void => {
    try {
      opened.set(key, files.open(file));
    } catch (error) {
      if (required || !(error instanceof KernelReadError) || error.failure !== 'gone') {
        for (const handle of opened.values()) files.close(handle);
        throw error;
      }
    }
  };
  if (paths.version === 2) {
    const dir = paths.unified as string;
    for (const [key, name, required] of V2_FILES) tryOpen(key, path.join(dir, name), required);
  } else {
    for (const [key, controller, name, required] of V1_FILES) {
      const dir = controller === 'unified' ? paths.unified : paths.v1[controller];
      if (dir === undefined || dir === null) {
        if (required) throw new KernelParseError(`no ${controller} cgroup`);
        continue;
      }
      tryOpen(key, path.join(dir, name), required);
    }
  }
  if (paths.netDev !== null) tryOpen('netDev', paths.netDev, true);
  return { version: paths.version, files: opened, cfq: opened.has('blkioBytes'), slow: null, slowCountdown: 0 };
}

/** Reads one container's files into the record the daemon would send; the slow ones when due. */
export function readContainerFiles(files: FileReader, entry: OpenedFiles, host: HostFacts, readIso: string): KernelReading {
  const read = (key: FileKey): string | undefined => {
    const file = entry.files.get(key);
    return file === undefined ? undefined : files.read(file);
  };
  const due = entry.slow === null || entry.slowCountdown <= 0;
  entry.slowCountdown = due ? SLOW_EVERY_PASSES - 1 : entry.slowCountdown - 1;
  if (entry.version === 2) {
    const fast: V2Fast = { cpuStat: read('cpuStat') as string, memoryCurrent: read('memoryCurrent') as string, memoryStat: read('memoryStat') as string };
    assign(fast, 'ioStat', read('ioStat'));
    assign(fast, 'pidsCurrent', read('pidsCurrent'));
    assign(fast, 'netDev', read('netDev'));
    if (due) {
      const slow: V2Slow = { memoryMax: read('memoryMax') as string };
      for (const key of ['memoryEvents', 'memoryPeak', 'swapCurrent', 'pidsMax', 'cpuPressure', 'memoryPressure', 'ioPressure'] as const) {
        assign(slow, key, read(key));
      }
      entry.slow = parseSlowV2(slow);
    }
    return buildRecordV2(fast, entry.slow as SlowFigures, host, readIso);
  }
  const fast: V1Fast = { cpuacctUsage: read('cpuacctUsage') as string, memoryUsage: read('memoryUsage') as string, memoryStat: read('memoryStat') as string };
  // containerd reads CFQ's recursive files when they hold entries, else the throttle files.
  const cfqBytes = entry.cfq ? read('blkioBytes') : undefined;
  const useCfq = cfqBytes !== undefined && /^\d+:\d+ /m.test(cfqBytes);
  assign(fast, 'blkioBytes', useCfq ? cfqBytes : read('throttleBytes'));
  assign(fast, 'pidsCurrent', read('pidsCurrent'));
  assign(fast, 'netDev', read('netDev'));
  if (due) {
    const slow: V1Slow = { memoryLimit: read('memoryLimit') as string };
    for (const key of ['cpuacctStat', 'cpuStat', 'memoryMaxUsage', 'memoryFailcnt', 'memoryOomControl', 'memswUsage', 'pidsMax', 'cpuPressure', 'memoryPressure', 'ioPressure'] as const) {
      assign(slow, key, read(key));
    }
    assign(slow, 'blkioServiced', read(useCfq ? 'blkioServicedCfq' : 'throttleServiced'));
    entry.slow = parseSlowV1(slow, parseSingleValue(fast.memoryUsage));
  }
  return buildRecordV1(fast, entry.slow as SlowFigures, host, readIso);
}

/** Sets an optional field only when the file exists (exactOptionalPropertyTypes). */
function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
