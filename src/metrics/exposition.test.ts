import { describe, expect, it } from 'vitest';
import { createExposition, escapeHelp, escapeLabelValue, formatValue } from './exposition.js';

describe('escapeLabelValue', () => {
  it.each<[string, string, string]>([
    ['plain', 'web-1', 'web-1'],
    ['double quote', 'say "hi"', 'say \\"hi\\"'],
    ['backslash', 'C:\\path', 'C:\\\\path'],
    ['line feed', 'a\nb', 'a\\nb'],
    ['backslash before n stays two characters', '\\n', '\\\\n'],
    ['all three', '"\\\n', '\\"\\\\\\n'],
    ['tab passes through; carriage return and ESC are pictured (a terminal reading /metrics stays intact)', 'a\r\tb\u001b[2J', 'a\u240d\tb\u241b[2J'],
    ['unicode passes through', 'café ☕', 'café ☕'],
  ])('%s', (_name, input, expected) => {
    expect(escapeLabelValue(input)).toBe(expected);
  });
});

describe('escapeHelp', () => {
  it('escapes backslash and line feed but not quotes', () => {
    expect(escapeHelp('a "b" \\ c\nd')).toBe('a "b" \\\\ c\\nd');
  });
});

describe('formatValue', () => {
  it.each<[number, string]>([
    [0, '0'],
    [-0, '0'],
    [42, '42'],
    [25276502016, '25276502016'],
    [0.5, '0.5'],
    [1e21, '1e+21'],
    [1.5e-7, '1.5e-7'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
  ])('%s → %s', (value, expected) => {
    expect(formatValue(value)).toBe(expected);
  });
});

describe('createExposition', () => {
  it('writes HELP and TYPE once per family and keeps its samples together, whatever the add order', () => {
    const exposition = createExposition();
    const a = exposition.family('a_total', 'counter', 'Counts a.');
    const b = exposition.family('b_bytes', 'gauge', 'Bytes of b.');
    a.add([['id', '1']], 1);
    b.add([['id', '1']], 10);
    a.add([['id', '2']], 2);
    // Declaring again returns the same family.
    exposition.family('b_bytes', 'gauge', 'Bytes of b.').add([['id', '2']], 20);
    expect(exposition.render()).toBe(
      [
        '# HELP a_total Counts a.',
        '# TYPE a_total counter',
        'a_total{id="1"} 1',
        'a_total{id="2"} 2',
        '# HELP b_bytes Bytes of b.',
        '# TYPE b_bytes gauge',
        'b_bytes{id="1"} 10',
        'b_bytes{id="2"} 20',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values and writes no braces without labels', () => {
    const exposition = createExposition();
    exposition.family('x', 'gauge', 'X with a \\ and\na line feed.').add([['name', 'evil"}\nx{a="1']], 1);
    exposition.family('y', 'gauge', 'Y.').add([], 2);
    expect(exposition.render()).toBe(
      [
        '# HELP x X with a \\\\ and\\na line feed.',
        '# TYPE x gauge',
        'x{name="evil\\"}\\nx{a=\\"1"} 1',
        '# HELP y Y.',
        '# TYPE y gauge',
        'y 2',
        '',
      ].join('\n'),
    );
  });

  it('keeps HELP and TYPE of a family that has no samples', () => {
    const exposition = createExposition();
    exposition.family('empty_total', 'counter', 'Nothing yet.');
    expect(exposition.render()).toBe('# HELP empty_total Nothing yet.\n# TYPE empty_total counter\n');
  });

  it('is empty when nothing was declared', () => {
    expect(createExposition().render()).toBe('');
  });

  it('refuses a family declared with two types, bad metric names and bad label names', () => {
    const exposition = createExposition();
    exposition.family('m', 'gauge', 'M.');
    expect(() => exposition.family('m', 'counter', 'M.')).toThrow(/declared as gauge and counter/);
    expect(() => exposition.family('1m', 'gauge', 'M.')).toThrow(/invalid metric name/);
    expect(() => exposition.family('n', 'gauge', 'N.').add([['a-b', 'x']], 1)).toThrow(/invalid label name/);
    expect(() => exposition.family('o', 'gauge', 'O.').add([['__name__', 'x']], 1)).toThrow(/invalid label name/);
  });
});
