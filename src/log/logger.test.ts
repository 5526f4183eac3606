import { describe, expect, it } from 'vitest';
import { createLogger, isLogLevel, type LogLevel } from './logger.js';

const T0 = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

function setup(level: LogLevel = 'debug', base?: Record<string, unknown>) {
  const lines: string[] = [];
  let clock = T0;
  const logger = createLogger({ level, sink: (line) => lines.push(line), now: () => clock, ...(base ? { base } : {}) });
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, records, tick: (ms: number) => (clock += ms) };
}

describe('createLogger', () => {
  it('writes one JSON object per line: time, level and msg first, then the fields', () => {
    const { logger, lines } = setup();
    logger.info('request', { method: 'GET', path: '/table', status: 200, durationMs: 3 });
    expect(lines).toEqual([
      '{"time":"2024-01-02T03:04:05.678Z","level":"info","msg":"request","method":"GET","path":"/table","status":200,"durationMs":3}',
    ]);
  });

  it('drops lines below the configured level', () => {
    const { logger, records } = setup('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(records().map((r) => r['level'])).toEqual(['warn', 'error']);
  });

  it('adds base and child fields; child fields win, the parent is unchanged', () => {
    const { logger, records } = setup('info', { app: 'dockmon' });
    const child = logger.child({ container: 'abc', part: 'sampler' });
    child.child({ part: 'stream' }).info('x', { bytes: 1 });
    logger.info('y');
    expect(records()).toEqual([
      { time: expect.any(String), level: 'info', msg: 'x', app: 'dockmon', container: 'abc', part: 'stream', bytes: 1 },
      { time: expect.any(String), level: 'info', msg: 'y', app: 'dockmon' },
    ]);
  });

  it('never lets a field overwrite time, level or msg', () => {
    const { logger, records } = setup();
    logger.warn('real', { time: 'fake', level: 'debug', msg: 'fake', other: 1 });
    expect(records()[0]).toEqual({ time: '2024-01-02T03:04:05.678Z', level: 'warn', msg: 'real', other: 1 });
  });

  it('uses the injected clock for every line', () => {
    const { logger, records, tick } = setup();
    logger.info('a');
    tick(1500);
    logger.info('b');
    expect(records().map((r) => r['time'])).toEqual(['2024-01-02T03:04:05.678Z', '2024-01-02T03:04:07.178Z']);
  });

  it('serialises Errors as name, message and code, without a stack above debug', () => {
    const { logger, records } = setup('info');
    const cause = Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' });
    class DockerDown extends Error {
      override name = 'DockerUnavailableError';
      readonly code = 'DOCKER_UNAVAILABLE';
    }
    logger.error('docker down', { error: new DockerDown('cannot reach Docker', { cause }) });
    expect(records()[0]?.['error']).toEqual({
      name: 'DockerUnavailableError',
      message: 'cannot reach Docker',
      code: 'DOCKER_UNAVAILABLE',
      cause: { name: 'Error', message: 'connect ENOENT /var/run/docker.sock', code: 'ENOENT' },
    });
  });

  it('adds the stack to Errors when the level is debug', () => {
    const { logger, records } = setup('debug');
    logger.error('boom', { error: new TypeError('bad') });
    const error = records()[0]?.['error'] as Record<string, unknown>;
    expect(error['name']).toBe('TypeError');
    expect(error['stack']).toMatch(/TypeError: bad\n\s+at /);
  });

  it('survives cycles, BigInts, throwing toJSON and a throwing sink', () => {
    const { logger, records } = setup();
    const loop: Record<string, unknown> = { name: 'loop' };
    loop['self'] = loop;
    const shared = { n: 1 };
    const errorLoop = new Error('outer', { cause: loop });
    logger.info('odd', { loop, pair: [shared, shared], big: 10n ** 20n, errorLoop });
    logger.info('bad', { value: { toJSON: () => { throw new Error('nope'); } } });
    const [odd, bad] = records();
    expect(odd).toMatchObject({
      loop: { name: 'loop', self: '[Circular]' },
      pair: [{ n: 1 }, { n: 1 }],
      big: '100000000000000000000',
      errorLoop: { message: 'outer', cause: { name: 'loop', self: '[Circular]' } },
    });
    expect(bad).toMatchObject({ msg: 'bad', logError: 'fields could not be serialised: nope' });

    const throwing = createLogger({ level: 'info', sink: () => { throw new Error('disk gone'); } });
    expect(() => throwing.error('still fine')).not.toThrow();
  });

  it('caps a long Error cause chain', () => {
    const { logger, records } = setup('info');
    let error = new Error('e0');
    for (let i = 1; i <= 10; i++) error = new Error(`e${i}`, { cause: error });
    logger.error('deep', { error });
    let depth = 0;
    let node = records()[0]?.['error'] as Record<string, unknown> | string;
    while (typeof node === 'object') {
      node = node['cause'] as Record<string, unknown> | string;
      depth++;
    }
    expect(depth).toBe(5);
    expect(node).toBe('[cause chain too long]');
  });

  it('isLogLevel accepts exactly the four levels', () => {
    expect(['debug', 'info', 'warn', 'error', 'trace', 'INFO'].filter(isLogLevel)).toEqual(['debug', 'info', 'warn', 'error']);
  });
});
