// Reads every attached container's cgroup and /proc files once a second, on one timer:
// no stream, promise or timer per container. A pass goes through the containers in
// chunks, yielding to the event loop between chunks so HTTP answers are not held up by
// a long pass on a large host; /proc/stat (the daemon's system_cpu_usage) is read at the
// start of each chunk, close to the containers it is the baseline of.
//
// A container is attached once its PID is known (from inspect) and detached when it
// goes. A read that finds the cgroup or the process gone (ENOENT, ENODEV, ESRCH) drops
// the container quietly: that is a container stopping, not an error. A file that cannot
// be parsed, or cannot be read for another reason, drops it too, with the reason, so the
// caller can read it from the Engine API instead.

import path from 'node:path';
import { openContainerFiles, readContainerFiles, type OpenedFiles } from './container-files.js';
import { createFileReader, KernelReadError, type FileReader, type KernelFile } from './file-reader.js';
import type { CgroupLayout } from './layout.js';
import { KernelParseError, parseMemTotal, parseProcStat } from './parse.js';
import type { HostFacts, KernelReading } from './record.js';
import { createCgroupResolver, type ContainerTarget } from './resolve.js';
import { createWallClock, goTime } from './wall-clock.js';

export type { ContainerTarget } from './resolve.js';
export type { KernelReading } from './record.js';
export { goTime } from './wall-clock.js';

interface Attached extends OpenedFiles {
  target: ContainerTarget;
}

export type KernelLoss =
  /** The cgroup or the process went away: the container stopped. */
  | { kind: 'gone' }
  /** A file could not be read or parsed; `parse` says which. */
  | { kind: 'failed'; reason: string; parse: boolean };

export interface KernelReaderHandlers {
  onReading(id: string, reading: KernelReading): void;
  /** The container was detached by the reader itself; it is no longer read. */
  onLost(id: string, loss: KernelLoss): void;
  /** A pass over every container is done (its figures: how long it took, files open). */
  onPassEnd?(stats: Readonly<KernelReaderStats>): void;
}

export type AttachResult =
  | { ok: true }
  /** `gone`: the process is not there (it may just have exited). */
  | { ok: false; reason: string; gone: boolean; parse: boolean };

export interface KernelReaderStats {
  attached: number;
  /** Descriptors held open. */
  openFiles: number;
  passes: number;
  /** Wall time of the last complete pass, ms (its chunks and the yields between them). */
  lastPassMs: number;
  /** CPU time the last pass took in this process, ms. */
  lastPassCpuMs: number;
  parseErrors: number;
  readErrors: number;
  gone: number;
}

export interface KernelReader {
  /** Resolves the container's cgroup, opens its files and reads them once (reported through onReading). */
  attach(target: ContainerTarget): AttachResult;
  detach(id: string): void;
  has(id: string): boolean;
  readonly size: number;
  start(): void;
  /** Stops the timer and closes every descriptor. */
  stop(): void;
  /** One whole pass now, synchronously (tests; the timer runs chunked passes). */
  readAll(): void;
  stats(): Readonly<KernelReaderStats>;
}

export interface KernelReaderOptions {
  intervalMs: number;
  /** Containers read between two yields to the event loop. */
  chunkSize?: number;
  /** Descriptors kept open at most; past this, files are opened at each read. */
  maxOpenFiles: number;
}

/** Read at most this often: memory can be hot-added, so the host's RAM is re-read now and then. */
const MEMINFO_EVERY_PASSES = 60;
const DEFAULT_CHUNK = 64;

export function createKernelReader(
  deps: { layout: CgroupLayout; hostProc: string; handlers: KernelReaderHandlers; files?: FileReader; now?: () => number },
  options: KernelReaderOptions,
): KernelReader {
  const { layout, hostProc, handlers } = deps;
  const files = deps.files ?? createFileReader({ maxOpen: options.maxOpenFiles });
  const now = deps.now ?? createWallClock();
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  const resolver = createCgroupResolver(layout, hostProc);
  const attached = new Map<string, Attached>();
  const stats: KernelReaderStats = { attached: 0, openFiles: 0, passes: 0, lastPassMs: 0, lastPassCpuMs: 0, parseErrors: 0, readErrors: 0, gone: 0 };
  let procStat: KernelFile | null = null;
  let memTotalBytes = 0;
  let timer: NodeJS.Timeout | null = null;
  let running = false;

  function hostFacts(): HostFacts {
    procStat ??= files.open(path.join(hostProc, 'stat'));
    if (memTotalBytes === 0 || stats.passes % MEMINFO_EVERY_PASSES === 0) {
      memTotalBytes = parseMemTotal(files.read({ path: path.join(hostProc, 'meminfo'), fd: null }));
    }
    return { ...parseProcStat(files.read(procStat)), memTotalBytes };
  }

  function drop(id: string): void {
    const entry = attached.get(id);
    if (entry === undefined) return;
    attached.delete(id);
    for (const file of entry.files.values()) files.close(file);
  }

  /** Reads one container and reports; on failure detaches it and says why. */
  function sample(id: string, entry: Attached, host: HostFacts): void {
    let reading: KernelReading;
    try {
      reading = readContainerFiles(files, entry, host, goTime(now()));
    } catch (error) {
      drop(id);
      handlers.onLost(id, lossOf(error));
      return;
    }
    handlers.onReading(id, reading);
  }

  function lossOf(error: unknown): KernelLoss {
    if (error instanceof KernelReadError && error.failure === 'gone') {
      stats.gone += 1;
      return { kind: 'gone' };
    }
    if (error instanceof KernelParseError) {
      stats.parseErrors += 1;
      return { kind: 'failed', reason: `cannot parse a kernel file: ${error.message}`, parse: true };
    }
    stats.readErrors += 1;
    return { kind: 'failed', reason: `cannot read a kernel file: ${error instanceof Error ? error.message : String(error)}`, parse: false };
  }

  function readChunk(ids: readonly string[]): void {
    let host: HostFacts;
    try {
      host = hostFacts();
    } catch (error) {
      const loss = lossOf(error);
      for (const id of ids) {
        if (!attached.has(id)) continue;
        drop(id);
        handlers.onLost(id, loss.kind === 'gone' ? { kind: 'failed', reason: `cannot read ${hostProc}/stat`, parse: false } : loss);
      }
      return;
    }
    for (const id of ids) {
      const entry = attached.get(id);
      if (entry !== undefined) sample(id, entry, host);
    }
  }

  function runPass(): void {
    timer = null;
    if (!running) return;
    const startedMs = performance.now();
    const startedCpu = process.cpuUsage();
    const ids = [...attached.keys()];
    let offset = 0;
    const step = (): void => {
      if (!running) return;
      readChunk(ids.slice(offset, offset + chunkSize));
      offset += chunkSize;
      if (offset < ids.length) {
        setImmediate(step);
        return;
      }
      const cpu = process.cpuUsage(startedCpu);
      stats.passes += 1;
      stats.lastPassMs = performance.now() - startedMs;
      stats.lastPassCpuMs = (cpu.user + cpu.system) / 1000;
      stats.attached = attached.size;
      stats.openFiles = files.openCount;
      handlers.onPassEnd?.(stats);
      // The next pass is due one interval after this one began, so the pace stays at
      // one reading per interval however long a pass takes.
      schedule(Math.max(0, options.intervalMs - stats.lastPassMs));
    };
    step();
  }

  function schedule(delayMs: number): void {
    if (!running || timer !== null) return;
    timer = setTimeout(runPass, delayMs);
    timer.unref();
  }

  return {
    attach(target) {
      drop(target.id);
      const resolved = resolver.resolve(target);
      if (!resolved.ok) return { ok: false, reason: resolved.reason, gone: resolved.gone === true, parse: false };
      let entry: Attached;
      try {
        entry = { target, ...openContainerFiles(files, resolved.paths) };
      } catch (error) {
        const loss = lossOf(error);
        return loss.kind === 'gone'
          ? { ok: false, reason: 'the container stopped while its files were opened', gone: true, parse: false }
          : { ok: false, reason: loss.reason, gone: false, parse: loss.parse };
      }
      attached.set(target.id, entry);
      // The first reading now: the container shows up without waiting for the next pass,
      // and a file that does not parse sends it to the API at once.
      let reading: KernelReading;
      try {
        reading = readContainerFiles(files, entry, hostFacts(), goTime(now()));
      } catch (error) {
        drop(target.id);
        const loss = lossOf(error);
        return loss.kind === 'gone'
          ? { ok: false, reason: 'the container stopped while its files were read', gone: true, parse: false }
          : { ok: false, reason: loss.reason, gone: false, parse: loss.parse };
      }
      handlers.onReading(target.id, reading);
      return { ok: true };
    },
    detach: drop,
    has: (id) => attached.has(id),
    get size() {
      return attached.size;
    },
    start() {
      if (running) return;
      running = true;
      schedule(options.intervalMs);
    },
    stop() {
      running = false;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      for (const id of [...attached.keys()]) drop(id);
      if (procStat !== null) files.close(procStat);
      procStat = null;
    },
    readAll() {
      readChunk([...attached.keys()]);
    },
    stats() {
      stats.attached = attached.size;
      stats.openFiles = files.openCount;
      return stats;
    },
  };
}
