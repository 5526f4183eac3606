// Splits a byte stream of newline-delimited JSON into lines. Chunk boundaries are
// not record boundaries (the daemon flushes per record, but HTTP chunking, TCP and
// proxies may cut anywhere), so text is buffered until a '\n' arrives.

/** ASCII record separator: the prefix of `application/json-seq` records. */
const RECORD_SEPARATOR = '\u001e';

export interface LineSplitter {
  /** Feeds decoded text; calls onLine for each complete, non-empty line. */
  push(text: string): void;
  /** The text after the last newline (a record cut short when the stream ends). */
  remainder(): string;
}

/**
 * @param maxLineChars a line longer than this is an error (a runaway or hostile
 *   peer must not grow our buffer without bound); the callback onOverflow is
 *   called once and further input is ignored.
 */
export function createLineSplitter(
  onLine: (line: string) => void,
  maxLineChars: number,
  onOverflow: (length: number) => void,
): LineSplitter {
  let buffer = '';
  let overflowed = false;
  return {
    push(text) {
      if (overflowed) return;
      buffer += text;
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        if (newline > maxLineChars) {
          overflowed = true;
          onOverflow(newline);
          buffer = '';
          return;
        }
        const line = cleanLine(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        if (line !== '') onLine(line);
        if (overflowed) return;
        newline = buffer.indexOf('\n');
      }
      if (buffer.length > maxLineChars) {
        overflowed = true;
        onOverflow(buffer.length);
        buffer = '';
      }
    },
    remainder() {
      return buffer;
    },
  };
}

function cleanLine(raw: string): string {
  let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (line.startsWith(RECORD_SEPARATOR)) line = line.slice(1);
  return line.trim();
}
