import { describe, expect, it } from 'vitest';
import { createSampleLog, type ServedSample } from './sample-log.js';

function served(id: string, readMs: number): ServedSample {
  return { id, readMs, record: { id, read: new Date(readMs).toISOString(), cpu: 1 } };
}

describe('sample log', () => {
  it('writes each sample once however often it is served', () => {
    const lines: object[] = [];
    const log = createSampleLog({ append: (record) => lines.push(record) });
    for (let call = 0; call < 50; call += 1) log.logServed([served('a', 1000), served('b', 1000)], 5000 + call);
    expect(lines).toHaveLength(2);
  });

  it('writes a new line when a newer sample is served, with the serving time', () => {
    const lines: Record<string, unknown>[] = [];
    const log = createSampleLog({ append: (record) => lines.push(record as Record<string, unknown>) });
    expect(log.logServed([served('a', 1000)], 1500)).toBe(1);
    expect(log.logServed([served('a', 2000)], 2500)).toBe(1);
    expect(log.logServed([served('a', 2000)], 2600)).toBe(0);
    expect(lines.map((line) => line['time'])).toEqual([new Date(1500).toISOString(), new Date(2500).toISOString()]);
    expect(lines[1]).toMatchObject({ id: 'a', read: new Date(2000).toISOString(), cpu: 1 });
  });

  it('never writes an older sample after a newer one (a stale backlog)', () => {
    const lines: object[] = [];
    const log = createSampleLog({ append: (record) => lines.push(record) });
    log.logServed([served('a', 3000)], 3500);
    log.logServed([served('a', 2000)], 3600);
    expect(lines).toHaveLength(1);
  });

  it('forgets containers that are gone, and logs them again if they return', () => {
    const lines: object[] = [];
    const log = createSampleLog({ append: (record) => lines.push(record) });
    for (let i = 0; i < 100; i += 1) log.logServed([served(`c${i}`, 1000)], 1000);
    log.logServed([served('only', 1000)], 2000);
    log.logServed([served('c0', 1000)], 3000);
    expect(lines).toHaveLength(102);
  });
});
