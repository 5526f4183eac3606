// The agent's own diagnostic log: one JSON object per line through an injected sink,
// so tests collect lines in an array and main.ts decides where they go.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds these fields to every line (the parent's fields stay). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** Lines below this level are dropped. At 'debug', Error fields also carry their stack. */
  level: LogLevel;
  /** Receives each line without its trailing newline. */
  sink: (line: string) => void;
  now?: () => number;
  base?: LogFields;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };
// Enough for DockerUnavailableError → socket error; a longer chain is likely a loop.
const MAX_CAUSE_DEPTH = 4;

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

interface SerializedError {
  name: string;
  message: string;
  code?: string | number;
  stack?: string;
  cause?: unknown;
}

function serializeError(error: Error, withStack: boolean, depth: number): SerializedError {
  const out: SerializedError = { name: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (withStack && error.stack !== undefined) out.stack = error.stack;
  if (error.cause !== undefined) {
    out.cause = !(error.cause instanceof Error)
      ? error.cause
      : depth < MAX_CAUSE_DEPTH ? serializeError(error.cause, withStack, depth + 1) : '[cause chain too long]';
  }
  return out;
}

/**
 * A JSON.stringify replacer that turns Errors into plain objects, BigInts into strings
 * and cycles into "[Circular]". It tracks the ancestors of the current value (through
 * the holder passed as `this`), so an object seen twice side by side is not a cycle.
 */
function createReplacer(withStack: boolean): (this: unknown, key: string, value: unknown) => unknown {
  const ancestors: unknown[] = [];
  return function replace(this: unknown, _key: string, raw: unknown): unknown {
    if (typeof raw === 'bigint') return raw.toString();
    // The plain copy of an Error is tracked like any object, so a cycle through it ends too.
    const value = raw instanceof Error ? serializeError(raw, withStack, 0) : raw;
    if (typeof value !== 'object' || value === null) return value;
    while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
    if (ancestors.includes(value)) return '[Circular]';
    ancestors.push(value);
    return value;
  };
}

/** Logging never throws into its caller: bad fields degrade the line, a failing sink is ignored. */
export function createLogger(options: LoggerOptions): Logger {
  const { level, sink } = options;
  const now = options.now ?? Date.now;
  const threshold = RANK[level];
  const withStack = level === 'debug';

  function format(lineLevel: LogLevel, msg: string, fields: LogFields): string {
    const time = new Date(now()).toISOString();
    // time, level and msg lead each line and cannot be overwritten by a field.
    const head = { time, level: lineLevel, msg };
    const record: LogFields = Object.assign({ ...head }, fields, head);
    try {
      return JSON.stringify(record, createReplacer(withStack));
    } catch (error) {
      // A throwing toJSON or getter: keep the message, say why the fields are missing.
      const reason = error instanceof Error ? error.message : String(error);
      return JSON.stringify({ time, level: lineLevel, msg, logError: `fields could not be serialised: ${reason}` });
    }
  }

  function make(base: LogFields): Logger {
    const write = (lineLevel: LogLevel) => (msg: string, fields?: LogFields): void => {
      if (RANK[lineLevel] < threshold) return;
      const line = format(lineLevel, msg, fields === undefined ? base : { ...base, ...fields });
      try {
        sink(line);
      } catch {
        // The sink is where failures would be reported; there is nowhere left to tell.
      }
    };
    return {
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      child: (fields) => make({ ...base, ...fields }),
    };
  }

  return make(options.base ?? {});
}
