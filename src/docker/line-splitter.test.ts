import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLineSplitter } from './line-splitter.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../test/fixtures/docker/cgroup-v1/${name}`, import.meta.url), 'utf8');

function collect(chunks: readonly string[], maxLineChars = 1 << 20): { lines: string[]; remainder: string; overflow: number[] } {
  const lines: string[] = [];
  const overflow: number[] = [];
  const splitter = createLineSplitter((line) => lines.push(line), maxLineChars, (length) => overflow.push(length));
  for (const chunk of chunks) splitter.push(chunk);
  return { lines, remainder: splitter.remainder(), overflow };
}

describe('line splitter', () => {
  const stream = fixture('stats-stream-burner.ndjson');
  const expected = stream.split('\n').filter((line) => line !== '');

  it('yields every record of a recorded stats stream at every split point', () => {
    expect(expected.length).toBeGreaterThan(3);
    for (let split = 0; split <= stream.length; split += 1) {
      const { lines, remainder } = collect([stream.slice(0, split), stream.slice(split)]);
      expect(lines, `split at ${split}`).toEqual(expected);
      expect(remainder).toBe('');
    }
  });

  it('survives a byte-at-a-time drip', () => {
    expect(collect([...stream]).lines).toEqual(expected);
  });

  it('keeps a record cut short by a disconnect as the remainder, not a line', () => {
    const cut = fixture('stats-stream-restart-cut.ndjson');
    const { lines, remainder } = collect([cut]);
    expect(lines).toHaveLength(6);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(remainder.length).toBeGreaterThan(0);
    expect(() => JSON.parse(remainder) as unknown).toThrow();
  });

  it('skips blank lines and strips CR and the json-seq record separator', () => {
    const { lines } = collect(['\n\n{"a":1}\r\n', '\u001e{"b":2}\n', '   \n']);
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('reports an over-long line once and stops buffering', () => {
    const { lines, overflow } = collect(['x'.repeat(60), 'y'.repeat(60), '\n{"late":1}\n'], 100);
    expect(lines).toEqual([]);
    expect(overflow).toEqual([120]);
  });

  it('reports an over-long line that arrives whole in one chunk', () => {
    const { lines, overflow } = collect([`${'z'.repeat(200)}\n{"a":1}\n`], 100);
    expect(lines).toEqual([]);
    expect(overflow).toEqual([200]);
  });
});
