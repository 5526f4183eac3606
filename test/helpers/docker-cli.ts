// The docker CLI, driven from the real-daemon tests: run a command with a deadline,
// and read `docker stats --no-stream` back into numbers.
//
// `docker stats` prints rounded strings (docker/cli formatter_stats.go with docker/go-units):
// - CPUPerc and MemPerc: `%.2f%%`;
// - MemUsage: go-units BytesSize, base 1024, `%.4g` + B/KiB/MiB/GiB (4 significant digits);
// - NetIO and BlockIO: go-units HumanSizeWithPrecision(x, 3), base 1000, `%.3g` + B/kB/MB/GB
//   (3 significant digits);
// - PIDs: an integer.
// Go's %g drops trailing zeros ("64MiB" is 64.00 MiB at 4 digits), so the rounding step of
// a printed size is derived from the precision, not from the digits that happen to show.

import { execFile } from 'node:child_process';

export const TEST_IMAGE = 'dockmon-test-busybox';

export class DockerCliError extends Error {
  readonly args: readonly string[];
  readonly stderr: string;

  constructor(args: readonly string[], message: string, stderr: string) {
    super(`docker ${args.join(' ')} failed: ${message}${stderr.trim() === '' ? '' : `\n${stderr.trim()}`}`);
    this.name = 'DockerCliError';
    this.args = args;
    this.stderr = stderr;
  }
}

export interface DockerOptions {
  /** Kill the CLI after this long (default 30 s). */
  timeoutMs?: number;
}

/** Runs `docker <args>` and resolves with its stdout; rejects with stderr on failure or timeout. */
export function docker(args: readonly string[], options: DockerOptions & { host?: string } = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    execFile(
      'docker',
      options.host === undefined ? [...args] : ['-H', options.host, ...args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve(stdout);
          return;
        }
        const reason =
          error.killed === true || error.signal === 'SIGKILL'
            ? `no answer within ${timeoutMs} ms`
            : (error as NodeJS.ErrnoException).code === 'ENOENT'
              ? 'the docker CLI is not installed (not on PATH)'
              : `exit code ${String(error.code ?? error.signal)}`;
        reject(new DockerCliError(args, reason, stderr));
      },
    );
  });
}

/**
 * Fails loudly when no daemon answers: the real-Docker suite never skips.
 * Resolves with the server version.
 */
export async function requireDocker(): Promise<string> {
  let version: string;
  try {
    version = (await docker(['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 })).trim();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(
      `the real-Docker suite needs a running daemon: start dockerd (see .ci/run).\n${detail}`,
    );
  }
  if (version === '') {
    throw new Error('the real-Docker suite needs a running daemon: start dockerd (see .ci/run). `docker info` gave no server version');
  }
  try {
    await docker(['image', 'inspect', '--format', '{{.Id}}', TEST_IMAGE], { timeoutMs: 20_000 });
  } catch {
    throw new Error(
      `the real-Docker suite needs the image ${TEST_IMAGE}: build it with .ci/run (docker import of busybox-static)`,
    );
  }
  return version;
}

// ---------------------------------------------------------------------------
// Parsing the CLI's strings back into numbers

const BINARY_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  PiB: 1024 ** 5,
};
const DECIMAL_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  kB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  PB: 1e15,
};

/** The precision of each printed size (go-units BytesSize %.4g, HumanSizeWithPrecision %.3g). */
export const BINARY_PRECISION = 4;
export const DECIMAL_PRECISION = 3;

/** A size as printed by the CLI: its value in bytes and half the step of its last digit. */
export interface ParsedSize {
  text: string;
  bytes: number;
  /** The true value lies within bytes ± roundingBytes. */
  roundingBytes: number;
}

const SIZE_PATTERN = /^(\d+(?:\.\d+)?(?:e[+-]\d+)?)\s*([A-Za-z]+)$/;

function parseSize(text: string, units: Readonly<Record<string, number>>, precision: number): ParsedSize {
  const trimmed = text.trim();
  const match = SIZE_PATTERN.exec(trimmed);
  const unit = match?.[2];
  const multiplier = unit === undefined ? undefined : units[unit];
  if (match === null || match[1] === undefined || multiplier === undefined) {
    throw new Error(`cannot parse the docker stats size ${JSON.stringify(text)} (units: ${Object.keys(units).join(', ')})`);
  }
  const scaled = Number(match[1]);
  let rounding = 0;
  if (scaled > 0) {
    const integerDigits = Math.floor(Math.log10(scaled)) + 1;
    rounding = 0.5 * 10 ** (integerDigits - precision);
  }
  return { text: trimmed, bytes: scaled * multiplier, roundingBytes: rounding * multiplier };
}

/** MemUsage sizes: base 1024, 4 significant digits ("40.41MiB", "328KiB", "23.54GiB"). */
export function parseBinarySize(text: string): ParsedSize {
  return parseSize(text, BINARY_UNITS, BINARY_PRECISION);
}

/** NetIO and BlockIO sizes: base 1000, 3 significant digits ("1.27kB", "41MB", "0B"). */
export function parseDecimalSize(text: string): ParsedSize {
  return parseSize(text, DECIMAL_UNITS, DECIMAL_PRECISION);
}

/** "50.51%" → 50.51; "--" (no data) → null. */
export function parsePercent(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '--' || trimmed === '') return null;
  const match = /^(-?\d+(?:\.\d+)?)%$/.exec(trimmed);
  if (match === null || match[1] === undefined) throw new Error(`cannot parse the docker stats percentage ${JSON.stringify(text)}`);
  return Number(match[1]);
}

function splitPair(text: string, field: string): [string, string] {
  const parts = text.split(' / ');
  const [left, right] = parts;
  if (parts.length !== 2 || left === undefined || right === undefined) {
    throw new Error(`cannot split the docker stats ${field} ${JSON.stringify(text)} into "a / b"`);
  }
  return [left, right];
}

/** One row of `docker stats --no-stream --format '{{json .}}'`, as numbers. */
export interface CliStats {
  /** The raw JSON object the CLI printed. */
  raw: Readonly<Record<string, string>>;
  name: string;
  /** 12-hex short ID. */
  shortId: string;
  cpuPercent: number | null;
  memoryPercent: number | null;
  memoryUsage: ParsedSize;
  memoryLimit: ParsedSize;
  netRx: ParsedSize;
  netTx: ParsedSize;
  blockRead: ParsedSize;
  blockWrite: ParsedSize;
  pids: number | null;
  /** When the CLI returned (epoch ms). */
  takenAtMs: number;
}

function stringField(row: Readonly<Record<string, unknown>>, key: string): string {
  const value = row[key];
  if (typeof value !== 'string') throw new Error(`docker stats row has no string ${key}: ${JSON.stringify(row)}`);
  return value;
}

export function parseStatsRow(line: string, takenAtMs: number): CliStats {
  const parsed: unknown = JSON.parse(line);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`docker stats printed a non-object line: ${line}`);
  }
  const row = parsed as Readonly<Record<string, unknown>>;
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(row)) raw[key] = String(value);
  const [usage, limit] = splitPair(stringField(row, 'MemUsage'), 'MemUsage');
  const [rx, tx] = splitPair(stringField(row, 'NetIO'), 'NetIO');
  const [blockRead, blockWrite] = splitPair(stringField(row, 'BlockIO'), 'BlockIO');
  const pidsText = stringField(row, 'PIDs').trim();
  return {
    raw,
    name: stringField(row, 'Name'),
    shortId: stringField(row, 'ID'),
    cpuPercent: parsePercent(stringField(row, 'CPUPerc')),
    memoryPercent: parsePercent(stringField(row, 'MemPerc')),
    memoryUsage: parseBinarySize(usage),
    memoryLimit: parseBinarySize(limit),
    netRx: parseDecimalSize(rx),
    netTx: parseDecimalSize(tx),
    blockRead: parseDecimalSize(blockRead),
    blockWrite: parseDecimalSize(blockWrite),
    pids: /^\d+$/.test(pidsText) ? Number(pidsText) : null,
    takenAtMs,
  };
}

/**
 * `docker stats --no-stream` for the named containers, keyed by container name; `host`
 * (e.g. a recording proxy's unix:// address) is passed as -H.
 */
export async function dockerStats(names: readonly string[], host?: string): Promise<Map<string, CliStats>> {
  if (names.length === 0) return new Map();
  const stdout = await docker(['stats', '--no-stream', '--format', '{{json .}}', ...names], {
    timeoutMs: 30_000,
    ...(host === undefined ? {} : { host }),
  });
  const takenAtMs = Date.now();
  const result = new Map<string, CliStats>();
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const row = parseStatsRow(line, takenAtMs);
    result.set(row.name, row);
  }
  const missing = names.filter((name) => !result.has(name));
  if (missing.length > 0) throw new Error(`docker stats printed no row for ${missing.join(', ')}:\n${stdout}`);
  return result;
}
