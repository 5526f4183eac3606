// Over 300 lines on purpose: queueing, rotation, retry and crash repair share one write
// loop's state, and splitting them would spread that state across files.
//
// An append-only JSON Lines file that never throws into its caller and never makes
// it wait: append() only queues, and one write loop moves whole lines to disk. When
// the disk fails, lines wait in memory (bounded) and a timer retries until it heals.
// The file system is reached through file-ops.ts.

import { join } from 'node:path';
import { codeOf, createNodeFileOps, type AppendHandle, type FileOps } from './file-ops.js';

export { createNodeFileOps, type AppendHandle, type FileOps } from './file-ops.js';

export interface JsonlFileOptions {
  dir: string;
  /** Letters, digits, '.', '_' and '-' only; never built from container names. */
  fileName: string;
  /** Rotate before a batch would make the file larger than this. */
  maxBytes: number;
  /** Rotated files kept: fileName.1 (newest) .. fileName.N; 0 keeps none. */
  retention: number;
  /** Memory held for lines while the disk fails; the oldest go first. Default 8 MiB. */
  maxPendingBytes?: number;
  retryMs?: number;
  fs?: FileOps;
  now?: () => number;
  /** Runs fn after ms and returns a cancel function. Default: an unref'd setTimeout. */
  schedule?: (fn: () => void, ms: number) => () => void;
  /** Fires when ok flips or the failing cause changes; never once per line. */
  onStatusChange?: (status: JsonlFileStatus) => void;
  /** One-off operator notices, such as a partial line left by a crash being removed. */
  onNotice?: (message: string) => void;
}

export interface JsonlFileStatus {
  ok: boolean;
  path: string;
  error: string | null;
  errorCode: string | null;
  /** When the current failure began (ms since epoch, from `now`). */
  since: number | null;
  linesWritten: number;
  /** Lines lost: over the memory cap, unserialisable, appended after close, crash fragments. */
  linesDropped: number;
  pendingBytes: number;
  /** Size of the current file (not the rotated ones). */
  bytesOnDisk: number;
}

export interface JsonlFile {
  append(record: object): void;
  /** Resolves once every line queued so far is on disk, or the attempt to write it failed. */
  flush(): Promise<void>;
  close(): Promise<void>;
  status(): JsonlFileStatus;
}

const DEFAULT_MAX_PENDING_BYTES = 8 * 1024 * 1024;
const DEFAULT_RETRY_MS = 5000;
// One write never carries more than this, so a long outage does not end in one huge buffer.
const MAX_BATCH_BYTES = 1024 * 1024;
const TAIL_CHUNK_BYTES = 64 * 1024;
// Bound on the cleanup of rotated files left over from a larger retention setting.
const MAX_LEFTOVER_SCAN = 1000;
const FILE_NAME_PATTERN = /^[A-Za-z0-9._-]+$/;
const NEWLINE = 0x0a;

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'no such file or folder',
  EISDIR: 'the path is a folder',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
  ELOOP: 'it is a symbolic link, which dockmon refuses to follow (remove it)',
};

interface Entry { text: string; bytes: number; seq: number }
interface Step { op: string; target: string }
interface Failure extends Step { code: string; reason: string; since: number }

function scheduleUnref(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function validate(o: JsonlFileOptions): void {
  if (!FILE_NAME_PATTERN.test(o.fileName) || o.fileName === '.' || o.fileName === '..') {
    throw new RangeError(`invalid log file name ${JSON.stringify(o.fileName)}: use letters, digits, '.', '_' and '-'`);
  }
  if (!Number.isSafeInteger(o.maxBytes) || o.maxBytes < 1) throw new RangeError(`maxBytes must be a positive integer, got ${o.maxBytes}`);
  if (!Number.isSafeInteger(o.retention) || o.retention < 0) throw new RangeError(`retention must be an integer >= 0, got ${o.retention}`);
}

/** Throws only for invalid options (a programming error); after that, nothing throws. */
export function createJsonlFile(options: JsonlFileOptions): JsonlFile {
  validate(options);
  const { dir, maxBytes, retention } = options;
  const path = join(dir, options.fileName);
  const ops = options.fs ?? createNodeFileOps();
  const now = options.now ?? Date.now;
  const schedule = options.schedule ?? scheduleUnref;
  const maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
  const retryMs = options.retryMs ?? DEFAULT_RETRY_MS;

  // Lines leave the queue in order: queue[head..] waits, inflight is being written.
  let queue: Entry[] = [];
  let head = 0;
  let inflight: Entry[] = [];
  let nextSeq = 0;
  let pendingBytes = 0;
  let linesWritten = 0;
  let linesDropped = 0;
  let handle: AppendHandle | null = null;
  let size = 0;
  // Set when undoing a failed write did not work: the next open removes our own half line.
  let tailDirty = false;
  let failure: Failure | null = null;
  let step: Step = { op: 'open', target: path };
  let running: Promise<void> | null = null;
  let cancelRetry: (() => void) | null = null;
  let closed = false;
  let closing: Promise<void> | null = null;
  let waiters: { seq: number; resolve: () => void }[] = [];

  function status(): JsonlFileStatus {
    return {
      ok: failure === null, path, error: failure === null ? null : describe(failure),
      errorCode: failure?.code ?? null, since: failure?.since ?? null,
      linesWritten, linesDropped, pendingBytes, bytesOnDisk: size,
    };
  }

  function describe(f: Failure): string {
    const held = `${queue.length - head + inflight.length} lines are kept in memory (${formatBytes(pendingBytes)})`;
    const dropped = linesDropped > 0 ? `; ${linesDropped} lines dropped so far (memory cap ${formatBytes(maxPendingBytes)})` : '';
    return `cannot ${f.op} ${f.target}: ${f.reason} (${f.code}); ${held} and written when it is writable again${dropped}`;
  }

  function tell<T>(observer: ((value: T) => void) | undefined, value: T): void {
    try {
      observer?.(value);
    } catch {
      // A throwing observer must not stop the writer; it has nowhere better to report.
    }
  }

  const notify = (): void => tell(options.onStatusChange, status());

  function markFailed(error: unknown): void {
    const code = codeOf(error);
    const changed = failure === null || failure.code !== code || failure.op !== step.op;
    const reason = REASONS[code] ?? (error instanceof Error ? error.message : String(error));
    failure = { ...step, code, reason, since: failure?.since ?? now() };
    if (changed) notify();
  }

  function markHealthy(): void {
    if (failure === null) return;
    failure = null;
    notify();
  }

  function dropOldest(): void {
    while (pendingBytes > maxPendingBytes && head < queue.length) {
      const entry = queue[head++];
      if (entry === undefined) break;
      pendingBytes -= entry.bytes;
      linesDropped++;
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  }

  function append(record: object): void {
    if (closed) {
      linesDropped++;
      return;
    }
    let text: string | undefined;
    try {
      text = JSON.stringify(record);
    } catch {
      // Circular or BigInt: the caller's bug. Counted below; append never throws.
    }
    if (typeof text !== 'string') {
      linesDropped++;
      return;
    }
    const line = `${text}\n`;
    const bytes = Buffer.byteLength(line);
    queue.push({ text: line, bytes, seq: nextSeq++ });
    pendingBytes += bytes;
    dropOldest();
    if (running === null && failure === null) void startPump();
  }

  function settleWaiters(all: boolean): void {
    const oldest = inflight[0]?.seq ?? queue[head]?.seq ?? nextSeq;
    waiters = waiters.filter((w) => {
      if (!all && w.seq >= oldest) return true;
      w.resolve();
      return false;
    });
  }

  async function closeHandle(): Promise<void> {
    const h = handle;
    handle = null;
    // A failing close leaves nothing to recover: the descriptor is released either way.
    if (h !== null) await h.close().catch(() => undefined);
  }

  /** Removes a trailing fragment without a newline, left by a crash in the middle of a write. */
  async function repairTail(h: AppendHandle): Promise<void> {
    let keep = 0;
    const chunk = Buffer.alloc(Math.min(TAIL_CHUNK_BYTES, size));
    for (let end = size; end > 0;) {
      const start = Math.max(0, end - chunk.length);
      const read = await h.read(chunk.subarray(0, end - start), start);
      const index = chunk.subarray(0, read).lastIndexOf(NEWLINE);
      if (index >= 0) {
        keep = start + index + 1;
        break;
      }
      end = start;
    }
    if (keep === size) return;
    await h.truncate(keep);
    const removed = size - keep;
    size = keep;
    if (tailDirty) return;
    linesDropped++;
    tell(options.onNotice, `removed an incomplete last line (${removed} bytes) from ${path}, left by an earlier crash or full disk`);
  }

  async function ensureOpen(): Promise<AppendHandle> {
    if (handle !== null) {
      step = { op: 'check', target: path };
      if (handle.isAt === undefined || (await handle.isAt(path))) return handle;
      // Deleted or replaced under us (logrotate, rm -rf of the folder): start a new file.
      await closeHandle();
      size = 0;
      tell(options.onNotice, `${path} was deleted or replaced while open; writing to a new file`);
    }
    step = { op: 'create folder', target: dir };
    await ops.mkdirp(dir);
    step = { op: 'open', target: path };
    const h = await ops.openAppend(path);
    try {
      size = await h.size();
      if (size > 0) await repairTail(h);
      tailDirty = false;
    } catch (error) {
      await h.close().catch(() => undefined); // the open error below is the one worth reporting
      throw error;
    }
    handle = h;
    return h;
  }

  async function unlinkIfExists(file: string): Promise<boolean> {
    try {
      await ops.unlink(file);
      return true;
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return false;
      throw error;
    }
  }

  async function renameIfExists(from: string, to: string): Promise<void> {
    try {
      await ops.rename(from, to);
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') throw error;
    }
  }

  // fileName -> .1 -> .2 ...; a failure part-way is safe to redo, since missing files are skipped.
  async function rotate(): Promise<void> {
    step = { op: 'rotate', target: path };
    await closeHandle();
    if (retention === 0) {
      await unlinkIfExists(path);
    } else {
      await unlinkIfExists(`${path}.${retention}`);
      for (let i = retention - 1; i >= 1; i--) await renameIfExists(`${path}.${i}`, `${path}.${i + 1}`);
      await renameIfExists(path, `${path}.1`);
    }
    for (let i = retention + 1; i <= retention + MAX_LEFTOVER_SCAN; i++) {
      if (!(await unlinkIfExists(`${path}.${i}`))) break;
    }
    size = 0;
  }

  /** Moves the next lines into inflight, or says the file must rotate first. */
  function takeBatch(): Buffer | 'rotate' {
    const first = queue[head];
    if (first === undefined) return Buffer.alloc(0);
    const room = maxBytes - size;
    if (first.bytes > room && size > 0) return 'rotate';
    // An oversized record still goes out, alone, into a fresh file.
    const limit = Math.max(first.bytes, Math.min(room, MAX_BATCH_BYTES));
    let total = 0;
    const parts: string[] = [];
    for (let entry = queue[head]; entry !== undefined && total + entry.bytes <= limit; entry = queue[head]) {
      parts.push(entry.text);
      inflight.push(entry);
      total += entry.bytes;
      head++;
    }
    return Buffer.from(parts.join(''), 'utf8');
  }

  /** Writes all of data, or undoes the part that went out so no half line remains. */
  async function writeWhole(h: AppendHandle, data: Buffer): Promise<void> {
    const before = size;
    step = { op: 'write', target: path };
    try {
      for (let offset = 0; offset < data.length;) {
        const written = await h.write(data, offset);
        if (written <= 0) throw Object.assign(new Error('the write made no progress'), { code: 'EIO' });
        offset += written;
      }
    } catch (error) {
      try {
        await h.truncate(before);
      } catch {
        tailDirty = true;
      }
      throw error;
    }
  }

  async function pump(): Promise<void> {
    await Promise.resolve(); // let appends from the same turn join the first batch
    try {
      while (true) {
        if (head >= queue.length) {
          if (handle === null) await ensureOpen(); // at startup: report a bad folder at once
          break;
        }
        // Checked right before each batch, so a folder deleted meanwhile is noticed.
        const h = await ensureOpen();
        if (head >= queue.length) break;
        const batch = takeBatch();
        if (batch === 'rotate') {
          await rotate();
          continue;
        }
        await writeWhole(h, batch);
        size += batch.length;
        for (const entry of inflight) pendingBytes -= entry.bytes;
        linesWritten += inflight.length;
        inflight = [];
        settleWaiters(false);
      }
      markHealthy();
    } catch (error) {
      queue = inflight.concat(queue.slice(head));
      head = 0;
      inflight = [];
      dropOldest();
      markFailed(error);
      await closeHandle(); // reopen on retry: the folder may have been replaced meanwhile
      if (!closed) cancelRetry = schedule(retry, retryMs);
    }
    // No await between the last queue check and this line, so no append can be stranded.
    running = null;
    settleWaiters(true);
    // An onStatusChange observer may have appended while running was still set.
    if (head < queue.length && failure === null && !closed) void startPump();
  }

  function startPump(): Promise<void> {
    cancelRetry?.();
    cancelRetry = null;
    running = pump();
    return running;
  }

  function retry(): void {
    cancelRetry = null;
    if (!closed && running === null) void startPump();
  }

  function flush(): Promise<void> {
    if (running === null) {
      if (head >= queue.length) return Promise.resolve();
      void startPump();
    }
    const seq = nextSeq - 1;
    return new Promise((resolve) => waiters.push({ seq, resolve }));
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      closed = true;
      cancelRetry?.();
      cancelRetry = null;
      while (running !== null) await running;
      if (head < queue.length) await startPump(); // one last attempt
      linesDropped += queue.length - head;
      queue = [];
      head = 0;
      pendingBytes = 0;
      await closeHandle();
    })();
    return closing;
  }

  void startPump(); // open now, so a bad folder is reported at startup rather than at the first line
  return { append, flush, close, status };
}
