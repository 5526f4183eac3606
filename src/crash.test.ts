import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CRASH_EXIT_CODE, installCrashHandlers } from './crash.js';

describe('crash handlers', () => {
  it.each(['unhandledRejection', 'uncaughtException'] as const)('%s: logs the error and exits %s', (event) => {
    const target = new EventEmitter();
    const logged: string[] = [];
    const exits: number[] = [];
    installCrashHandlers(target, { error: (message, fields) => logged.push(`${message} ${JSON.stringify(fields)}`) }, (code) => exits.push(code));
    target.emit(event, new Error('boom'));
    expect(exits).toEqual([CRASH_EXIT_CODE]);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/a bug; please report it\); exiting .*boom/);
  });
});
