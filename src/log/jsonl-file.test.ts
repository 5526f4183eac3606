import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createJsonlFile,
  createNodeFileOps,
  type FileOps,
  type JsonlFile,
  type JsonlFileOptions,
  type JsonlFileStatus,
} from './jsonl-file.js';

let tmp: string;
let opened: JsonlFile[] = [];

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'dockmon-jsonl-'));
});

afterEach(async () => {
  await Promise.all(opened.map((file) => file.close()));
  opened = [];
  await rm(tmp, { recursive: true, force: true });
});

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: injected`), { code });
}

/** Faults the tests switch on and off; the real node:fs does the rest. */
interface Faults {
  mkdir?: string | undefined;
  open?: string | undefined;
  truncate?: string | undefined;
  /** Bytes the disk still takes; then writes fail with writeCode (default ENOSPC). */
  writeBudget?: number | undefined;
  writeCode?: string | undefined;
}

function createFaultyOps(faults: Faults) {
  const real = createNodeFileOps();
  const calls = { writes: 0 };
  const ops: FileOps = {
    ...real,
    mkdirp: async (dir) => {
      if (faults.mkdir !== undefined) throw errno(faults.mkdir);
      await real.mkdirp(dir);
    },
    openAppend: async (path) => {
      if (faults.open !== undefined) throw errno(faults.open);
      const handle = await real.openAppend(path);
      return {
        ...handle,
        truncate: async (length) => {
          if (faults.truncate !== undefined) throw errno(faults.truncate);
          await handle.truncate(length);
        },
        write: async (data, offset) => {
          calls.writes++;
          if (faults.writeBudget === undefined) return handle.write(data, offset);
          if (faults.writeBudget <= 0) throw errno(faults.writeCode ?? 'ENOSPC');
          const written = await handle.write(data.subarray(0, Math.min(data.length, offset + faults.writeBudget)), offset);
          faults.writeBudget -= written;
          return written;
        },
      };
    },
  };
  return { ops, calls };
}

/** A hand-driven replacement for the retry timer. */
function createManualTimers() {
  let timers: { fn: () => void; ms: number; live: boolean }[] = [];
  return {
    schedule: (fn: () => void, ms: number) => {
      const timer = { fn, ms, live: true };
      timers.push(timer);
      return () => {
        timer.live = false;
      };
    },
    pending: () => timers.filter((timer) => timer.live).map((timer) => timer.ms),
    fire: () => {
      const due = timers.filter((timer) => timer.live);
      timers = [];
      for (const timer of due) timer.fn();
    },
  };
}

function open(overrides: Partial<JsonlFileOptions> = {}) {
  const timers = createManualTimers();
  const changes: JsonlFileStatus[] = [];
  const notices: string[] = [];
  const file = createJsonlFile({
    dir: tmp,
    fileName: 'stats.jsonl',
    maxBytes: 1024 * 1024,
    retention: 2,
    schedule: timers.schedule,
    now: () => 1_700_000_000_000,
    onStatusChange: (status) => changes.push(status),
    onNotice: (message) => notices.push(message),
    ...overrides,
  });
  opened.push(file);
  return { file, timers, changes, notices, path: join(overrides.dir ?? tmp, 'stats.jsonl') };
}

/** Parses a JSONL file, failing on a half line or invalid JSON. */
async function readRecords(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, 'utf8');
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

const seqs = (records: Record<string, unknown>[]) => records.map((record) => record['seq']);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('createJsonlFile: writing', () => {
  it('writes valid, whole JSON lines in order, one write for the appends of one turn', async () => {
    const { ops, calls } = createFaultyOps({});
    const { file, path } = open({ fs: ops });
    const records = range(0, 100).map((seq) => ({ seq, text: `line\n${seq}\r\u2028 "quoted" é` }));
    for (const record of records) file.append(record);
    await file.flush();
    expect(await readRecords(path)).toEqual(records);
    expect(calls.writes).toBe(1);
    expect(file.status()).toMatchObject({ ok: true, linesWritten: 100, linesDropped: 0, pendingBytes: 0 });
    expect(file.status().bytesOnDisk).toBe((await stat(path)).size);
  });

  it('keeps the order of concurrent producers, including appends made during a write', async () => {
    const { file, path } = open();
    const order: number[] = [];
    let next = 0;
    const producer = async () => {
      for (let i = 0; i < 20; i++) {
        order.push(next);
        file.append({ seq: next++ });
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await Promise.all([producer(), producer(), producer()]);
    await file.flush();
    expect(seqs(await readRecords(path))).toEqual(order);
  });

  it('creates a missing folder, parents included', async () => {
    const dir = join(tmp, 'a', 'b', 'logs');
    const { file, path } = open({ dir });
    file.append({ seq: 1 });
    await file.flush();
    expect(seqs(await readRecords(path))).toEqual([1]);
  });

  it('never throws from append: unserialisable records are counted as dropped', async () => {
    const { file, path } = open();
    const loop: Record<string, unknown> = {};
    loop['self'] = loop;
    expect(() => file.append(loop)).not.toThrow();
    expect(() => file.append({ big: 1n })).not.toThrow();
    file.append({ seq: 1 });
    await file.flush();
    expect(seqs(await readRecords(path))).toEqual([1]);
    expect(file.status().linesDropped).toBe(2);
  });

  it.each(['../x.jsonl', 'a/b.jsonl', '..', '', 'stats log.jsonl'])('rejects the file name %j', (fileName) => {
    expect(() => createJsonlFile({ dir: tmp, fileName, maxBytes: 100, retention: 1 })).toThrow(/invalid log file name/);
  });

  it('rejects a non-positive maxBytes and a negative retention', () => {
    expect(() => createJsonlFile({ dir: tmp, fileName: 'a', maxBytes: 0, retention: 1 })).toThrow(/maxBytes/);
    expect(() => createJsonlFile({ dir: tmp, fileName: 'a', maxBytes: 10, retention: -1 })).toThrow(/retention/);
  });
});

describe('createJsonlFile: rotation', () => {
  const record = (seq: number) => ({ seq, pad: 'x'.repeat(40) });

  it('keeps exactly `retention` rotated files, each near maxBytes, and removes leftovers', async () => {
    await writeFile(join(tmp, 'stats.jsonl.3'), 'old\n');
    await writeFile(join(tmp, 'stats.jsonl.4'), 'old\n');
    const { file, path } = open({ maxBytes: 1000, retention: 2 });
    for (let seq = 0; seq < 300; seq++) {
      file.append(record(seq));
      if (seq % 7 === 0) await file.flush();
    }
    await file.flush();
    expect((await readdir(tmp)).sort()).toEqual(['stats.jsonl', 'stats.jsonl.1', 'stats.jsonl.2']);
    const lineBytes = JSON.stringify(record(100)).length + 1;
    for (const name of ['stats.jsonl.1', 'stats.jsonl.2']) {
      const { size } = await stat(join(tmp, name));
      expect(size).toBeLessThanOrEqual(1000);
      expect(size).toBeGreaterThan(1000 - lineBytes);
    }
    const kept = [...(await readRecords(`${path}.2`)), ...(await readRecords(`${path}.1`)), ...(await readRecords(path))];
    expect(seqs(kept)).toEqual(range(300 - kept.length, 300));
  });

  it('keeps no rotated file with retention 0', async () => {
    const { file, path } = open({ maxBytes: 500, retention: 0 });
    for (let seq = 0; seq < 50; seq++) file.append(record(seq));
    await file.flush();
    expect(await readdir(tmp)).toEqual(['stats.jsonl']);
    const records = await readRecords(path);
    expect(seqs(records)).toEqual(range(50 - records.length, 50));
  });

  it('writes a record bigger than maxBytes alone, to a fresh file', async () => {
    const { file, path } = open({ maxBytes: 100, retention: 2 });
    file.append({ seq: 1 });
    file.append({ seq: 2, pad: 'y'.repeat(500) });
    file.append({ seq: 3 });
    await file.flush();
    expect(seqs(await readRecords(`${path}.2`))).toEqual([1]);
    expect(seqs(await readRecords(`${path}.1`))).toEqual([2]);
    expect(seqs(await readRecords(path))).toEqual([3]);
  });
});

describe('createJsonlFile: failures', () => {
  it('undoes a write cut short by ENOSPC, then writes everything once space returns', async () => {
    const faults: Faults = {};
    const { ops } = createFaultyOps(faults);
    const { file, path, timers, changes } = open({ fs: ops, retryMs: 250 });
    for (const seq of range(0, 5)) file.append({ seq });
    await file.flush();

    faults.writeBudget = 30; // cuts the next batch in the middle of its second line
    for (const seq of range(5, 15)) file.append({ seq });
    await file.flush();
    expect(seqs(await readRecords(path))).toEqual(range(0, 5));
    expect(file.status()).toMatchObject({ ok: false, errorCode: 'ENOSPC', since: 1_700_000_000_000, linesWritten: 5 });
    expect(file.status().error).toMatch(
      new RegExp(`^cannot write ${path}: no space left on device \\(ENOSPC\\); 10 lines are kept in memory \\(105 bytes\\)`),
    );
    for (const seq of range(15, 20)) file.append({ seq });
    expect(timers.pending()).toEqual([250]);
    timers.fire(); // still full: no new status change
    await file.flush();

    faults.writeBudget = undefined;
    timers.fire();
    await file.flush();
    expect(seqs(await readRecords(path))).toEqual(range(0, 20));
    expect(changes.map((s) => [s.ok, s.errorCode])).toEqual([[false, 'ENOSPC'], [true, null]]);
    expect(file.status()).toMatchObject({ ok: true, error: null, since: null, linesWritten: 20, linesDropped: 0, pendingBytes: 0 });
    expect(timers.pending()).toEqual([]);
  });

  it('removes its own half line on reopen when undoing a cut write fails too', async () => {
    const faults: Faults = {};
    const { ops } = createFaultyOps(faults);
    const { file, path, timers, notices } = open({ fs: ops });
    file.append({ seq: 0 });
    await file.flush();
    Object.assign(faults, { writeBudget: 5, truncate: 'EIO' });
    file.append({ seq: 1 });
    await file.flush();
    expect(await readFile(path, 'utf8')).toBe('{"seq":0}\n{"seq');
    Object.assign(faults, { writeBudget: undefined, truncate: undefined });
    timers.fire();
    await file.flush();
    expect(seqs(await readRecords(path))).toEqual([0, 1]);
    expect(file.status().linesDropped).toBe(0);
    expect(notices).toEqual([]);
  });

  it.each([
    { fault: { mkdir: 'EACCES' }, message: (dir: string) => `cannot create folder ${dir}: permission denied (EACCES)` },
    { fault: { open: 'EROFS' }, message: (dir: string) => `cannot open ${dir}/stats.jsonl: read-only file system (EROFS)` },
    {
      fault: { writeBudget: 0, writeCode: 'EROFS' },
      message: (dir: string) => `cannot write ${dir}/stats.jsonl: read-only file system (EROFS)`,
    },
  ])('reports $fault once, holds lines in memory and recovers by itself', async ({ fault, message }) => {
    const faults: Faults = { ...fault };
    const { ops } = createFaultyOps(faults);
    const { file, path, timers, changes } = open({ fs: ops, retryMs: 5000 });
    for (const seq of range(0, 3)) file.append({ seq });
    await file.flush();
    for (const seq of range(3, 6)) file.append({ seq });
    timers.fire();
    await file.flush();
    const failing = file.status();
    expect(failing.ok).toBe(false);
    expect(failing.error).toContain(message(tmp));
    expect(failing.error).toContain('6 lines are kept in memory (60 bytes) and written when it is writable again');
    expect(failing.pendingBytes).toBe(6 * '{"seq":0}\n'.length);
    expect(changes).toHaveLength(1);
    expect(timers.pending()).toEqual([5000]);

    for (const key of Object.keys(fault)) delete faults[key as keyof Faults];
    timers.fire();
    await file.flush();
    expect(seqs(await readRecords(path))).toEqual(range(0, 6));
    expect(changes.map((s) => s.ok)).toEqual([false, true]);
  });

  it.each(['blocker', 'blocker/logs'])('reports a folder path %j through a file as ENOTDIR, then recovers', async (sub) => {
    const blocker = join(tmp, 'blocker');
    await writeFile(blocker, 'not a folder');
    const dir = join(tmp, sub);
    const { file, path, timers, changes } = open({ dir });
    file.append({ seq: 1 });
    await file.flush();
    expect(file.status()).toMatchObject({ ok: false, errorCode: 'ENOTDIR' });
    expect(file.status().error).toContain(`cannot create folder ${dir}: a part of the path is a file, not a folder (ENOTDIR)`);

    await rm(blocker);
    file.append({ seq: 2 });
    timers.fire();
    await file.flush();
    expect(seqs(await readRecords(path))).toEqual([1, 2]);
    expect(changes.map((s) => s.ok)).toEqual([false, true]);
  });

  it('retries on its own with the default (unref\'d) timer', async () => {
    const faults: Faults = { mkdir: 'EROFS' };
    const { ops } = createFaultyOps(faults);
    const file = createJsonlFile({ dir: tmp, fileName: 'stats.jsonl', maxBytes: 1000, retention: 1, fs: ops, retryMs: 5 });
    opened.push(file);
    file.append({ seq: 1 });
    await file.flush();
    expect(file.status().errorCode).toBe('EROFS');
    faults.mkdir = undefined;
    await vi.waitFor(() => expect(file.status()).toMatchObject({ ok: true, linesWritten: 1 }));
  });

  it('does not strand a line appended by the onStatusChange observer itself', async () => {
    const faults: Faults = { open: 'EROFS' };
    const { ops } = createFaultyOps(faults);
    const timers = createManualTimers();
    const file: JsonlFile = createJsonlFile({
      dir: tmp, fileName: 'stats.jsonl', maxBytes: 1000, retention: 1, fs: ops, schedule: timers.schedule,
      onStatusChange: (status) => file.append({ ok: status.ok }),
    });
    opened.push(file);
    await file.flush();
    faults.open = undefined;
    timers.fire();
    await vi.waitFor(async () => {
      expect(await readRecords(join(tmp, 'stats.jsonl'))).toEqual([{ ok: false }, { ok: true }]);
    });
  });

  it('drops the oldest lines past maxPendingBytes and counts them', async () => {
    const faults: Faults = { open: 'EROFS' };
    const { ops } = createFaultyOps(faults);
    const { file, path, timers } = open({ fs: ops, maxPendingBytes: 200 });
    for (const seq of range(0, 100)) file.append({ seq }); // 10 or 11 bytes a line
    await file.flush();
    const { pendingBytes, linesDropped, error } = file.status();
    expect(pendingBytes).toBeLessThanOrEqual(200);
    expect(pendingBytes).toBeGreaterThan(200 - 11);
    expect(error).toContain(`${linesDropped} lines dropped so far (memory cap 200 bytes)`);

    faults.open = undefined;
    timers.fire();
    await file.flush();
    const kept = seqs(await readRecords(path));
    expect(kept).toEqual(range(100 - kept.length, 100));
    expect(kept.length + linesDropped).toBe(100);
  });
});

describe('createJsonlFile: open and close', () => {
  it('removes a partial last line left by a crash, and says so once', async () => {
    const path = join(tmp, 'stats.jsonl');
    await writeFile(path, '{"seq":1}\n{"seq":2}\n{"se');
    const { file, notices } = open();
    file.append({ seq: 3 });
    await file.flush();
    expect(await readFile(path, 'utf8')).toBe('{"seq":1}\n{"seq":2}\n{"seq":3}\n');
    expect(file.status().linesDropped).toBe(1);
    expect(notices).toEqual([`removed an incomplete last line (4 bytes) from ${path}, left by an earlier crash or full disk`]);
  });

  it('finds the last newline beyond one read chunk', async () => {
    const path = join(tmp, 'stats.jsonl');
    await writeFile(path, `{"seq":1}\n${'x'.repeat(200_000)}`);
    const { file } = open();
    file.append({ seq: 2 });
    await file.flush();
    expect(seqs(await readRecords(path))).toEqual([1, 2]);
  });

  it('close flushes what was queued, then counts appends as dropped', async () => {
    const { file, path } = open();
    for (const seq of range(0, 10)) file.append({ seq });
    await file.close();
    expect(seqs(await readRecords(path))).toEqual(range(0, 10));
    file.append({ seq: 10 });
    await file.close();
    await file.flush();
    expect(seqs(await readRecords(path))).toEqual(range(0, 10));
    expect(file.status()).toMatchObject({ linesWritten: 10, linesDropped: 1 });
  });

  it('close while the disk fails tries once more, then counts the rest as dropped and stops retrying', async () => {
    const { ops } = createFaultyOps({ open: 'EACCES' });
    const { file, timers } = open({ fs: ops });
    file.append({ seq: 1 });
    await file.flush();
    expect(timers.pending()).toHaveLength(1);
    await file.close();
    expect(timers.pending()).toEqual([]);
    expect(file.status()).toMatchObject({ ok: false, linesDropped: 1, pendingBytes: 0 });
  });
});
