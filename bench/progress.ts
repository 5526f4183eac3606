// The progress display on stderr. On a terminal the current line is rewritten in place;
// in a log (CI, a pipe) each phase gets one line and updates are throttled.

export interface Progress {
  /** A new phase: printed on its own line. */
  phase(text: string): void;
  /** How far the current phase is; rewritten in place on a terminal. */
  update(text: string): void;
  /** A result worth keeping on screen. */
  note(text: string): void;
}

const LOG_UPDATE_INTERVAL_MS = 5_000;

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  const startedAtMs = Date.now();
  let lastUpdateMs = 0;
  let pendingLine = false;

  const elapsed = (): string => `[${((Date.now() - startedAtMs) / 1000).toFixed(0).padStart(4)} s]`;
  const endLine = (): void => {
    if (pendingLine) stream.write('\n');
    pendingLine = false;
  };

  return {
    phase(text) {
      endLine();
      stream.write(`${elapsed()} ${text}\n`);
      lastUpdateMs = 0;
    },
    update(text) {
      if (tty) {
        stream.write(`\r\x1b[K${elapsed()}   ${text}`);
        pendingLine = true;
        return;
      }
      const nowMs = Date.now();
      if (nowMs - lastUpdateMs < LOG_UPDATE_INTERVAL_MS) return;
      lastUpdateMs = nowMs;
      stream.write(`${elapsed()}   ${text}\n`);
    },
    note(text) {
      endLine();
      stream.write(`${elapsed()}   ${text}\n`);
    },
  };
}
