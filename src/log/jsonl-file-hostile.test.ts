// The stats log under hostile or broken file systems, on a real temporary folder:
// a symlink planted at the log path, the folder deleted while open, and a flood
// that forces rotation after rotation.

import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonlFile, type JsonlFile } from './jsonl-file.js';

let dir: string;
let file: JsonlFile | undefined;
let retries: (() => void)[];
let notices: string[];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dockmon-hostile-'));
  retries = [];
  notices = [];
});

afterEach(async () => {
  await file?.close();
  file = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function open(logDir: string, maxBytes = 1024 * 1024, retention = 3): JsonlFile {
  file = createJsonlFile({
    dir: logDir,
    fileName: 'stats.jsonl',
    maxBytes,
    retention,
    // Retries run when the test says so, not on a timer.
    schedule: (fn) => {
      retries.push(fn);
      return () => undefined;
    },
    onNotice: (message) => notices.push(message),
  });
  return file;
}

function readLines(filePath: string): unknown[] {
  return readFileSync(filePath, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}

describe('stats log on a hostile file system', () => {
  it('refuses to write through a symlink planted at the log path, and recovers once it is removed', async () => {
    const victim = path.join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    const logDir = path.join(dir, 'logs');
    const log = open(logDir);
    await log.flush();
    // The attacker swaps the log file for a link while the agent runs, then rotation reopens it.
    await log.close();
    unlinkSync(path.join(logDir, 'stats.jsonl'));
    symlinkSync(victim, path.join(logDir, 'stats.jsonl'));
    const again = open(logDir);
    again.append({ n: 1 });
    await again.flush();
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(again.status()).toMatchObject({ ok: false, errorCode: 'ELOOP' });
    expect(again.status().error).toContain('symbolic link');

    unlinkSync(path.join(logDir, 'stats.jsonl'));
    retries.shift()?.();
    await again.flush();
    expect(again.status().ok).toBe(true);
    expect(lstatSync(path.join(logDir, 'stats.jsonl')).isSymbolicLink()).toBe(false);
    expect(readLines(path.join(logDir, 'stats.jsonl'))).toEqual([{ n: 1 }]);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
  });

  it('starts a new file when the folder is deleted while open, losing nothing written after', async () => {
    const logDir = path.join(dir, 'logs');
    const log = open(logDir);
    log.append({ n: 1 });
    await log.flush();
    rmSync(logDir, { recursive: true, force: true });
    log.append({ n: 2 });
    log.append({ n: 3 });
    await log.flush();
    expect(existsSync(path.join(logDir, 'stats.jsonl'))).toBe(true);
    expect(readLines(path.join(logDir, 'stats.jsonl'))).toEqual([{ n: 2 }, { n: 3 }]);
    expect(notices.some((notice) => notice.includes('deleted or replaced'))).toBe(true);
    expect(log.status().ok).toBe(true);
  });

  it('keeps the cap and whole lines under a flood that rotates many times', async () => {
    const log = open(dir, 16 * 1024, 3);
    const total = 20_000;
    for (let n = 0; n < total; n += 1) log.append({ n, pad: 'x'.repeat(n % 50) });
    await log.flush();
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['stats.jsonl', 'stats.jsonl.1', 'stats.jsonl.2', 'stats.jsonl.3']);
    let kept = 0;
    for (const name of files) {
      const full = path.join(dir, name);
      expect(readFileSync(full).length).toBeLessThanOrEqual(16 * 1024);
      const lines = readLines(full) as { n: number }[];
      kept += lines.length;
    }
    // Only the newest lines survive, in order, and the newest one is last in the current file.
    const current = readLines(path.join(dir, 'stats.jsonl')) as { n: number }[];
    expect(current.at(-1)?.n).toBe(total - 1);
    expect(kept).toBeGreaterThan(0);
    expect(log.status()).toMatchObject({ ok: true, linesWritten: total, linesDropped: 0 });
  });
});
