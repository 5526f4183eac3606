// One container's kernel files: which ones a `docker stats` sample needs on cgroup v1 and
// v2 (required ones, and the optional ones a kernel may lack), opened once, then read
// into the record the daemon would send (record.ts) on every pass.

import path from 'node:path';
import { KernelReadError, type FileReader, type KernelFile } from './file-reader.js';
import { KernelParseError } from './parse.js';
import { buildRecordV1, buildRecordV2, type HostFacts, type KernelReading, type V1Texts, type V2Texts } from './record.js';
import type { ContainerPaths } from './resolve.js';

/** One container's open files. */
export interface OpenedFiles {
  version: 1 | 2;
  files: Map<string, KernelFile>;
  /** v1 only: CFQ's recursive blkio files win while they hold entries (containerd's order). */
  cfq: boolean;
}

type FileKey = keyof V1Texts | keyof V2Texts | 'throttleBytes' | 'throttleServiced';

/** File name per key, relative to the controller folder named first. */
const V1_FILES: readonly (readonly [FileKey, 'cpuacct' | 'cpu' | 'memory' | 'blkio' | 'pids' | 'unified', string, boolean])[] = [
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
  ['blkioServiced', 'blkio', 'blkio.io_serviced_recursive', false],
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
  return { version: paths.version, files: opened, cfq: opened.has('blkioBytes') };
}

function text(files: FileReader, entry: OpenedFiles, key: FileKey): string | undefined {
  const file = entry.files.get(key);
  return file === undefined ? undefined : files.read(file);
}

/** Reads every open file of one container into the record the daemon would send. */
export function readContainerFiles(files: FileReader, entry: OpenedFiles, host: HostFacts, readIso: string): KernelReading {
  if (entry.version === 2) {
    const texts: Partial<Record<keyof V2Texts, string>> = {};
    for (const [key] of V2_FILES) {
      const value = text(files, entry, key);
      if (value !== undefined) texts[key as keyof V2Texts] = value;
    }
    const netDev = text(files, entry, 'netDev');
    if (netDev !== undefined) texts.netDev = netDev;
    return buildRecordV2(texts as V2Texts, host, readIso);
  }
  const texts: Partial<Record<keyof V1Texts, string>> = {};
  for (const [key] of V1_FILES) {
    if (key === 'throttleBytes' || key === 'throttleServiced' || key === 'blkioBytes' || key === 'blkioServiced') continue;
    const value = text(files, entry, key);
    if (value !== undefined) texts[key as keyof V1Texts] = value;
  }
  const cfqBytes = entry.cfq ? text(files, entry, 'blkioBytes') : undefined;
  if (cfqBytes !== undefined && /^\d+:\d+ /m.test(cfqBytes)) {
    texts.blkioBytes = cfqBytes;
    const serviced = text(files, entry, 'blkioServiced');
    if (serviced !== undefined) texts.blkioServiced = serviced;
  } else {
    const bytes = text(files, entry, 'throttleBytes');
    const serviced = text(files, entry, 'throttleServiced');
    if (bytes !== undefined) texts.blkioBytes = bytes;
    if (serviced !== undefined) texts.blkioServiced = serviced;
  }
  const netDev = text(files, entry, 'netDev');
  if (netDev !== undefined) texts.netDev = netDev;
  return buildRecordV1(texts as V1Texts, host, readIso);
}
